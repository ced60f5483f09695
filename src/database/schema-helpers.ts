import { QueryRunner, TableColumnOptions, TableForeignKey } from 'typeorm';

/*
 * Column and key builders the migrations share. Kept outside migrations/: TypeORM loads every export of a
 * file under the migrations glob as a migration.
 */

export function fk(column: string, table: string): TableForeignKey {
  return new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'RESTRICT' });
}

/** Column builders whose types and defaults suit the engine the migration runs on. */
export function columns(queryRunner: QueryRunner) {
  const mysql = queryRunner.connection.options.type === 'mysql';
  const now = mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f','now'))";
  const timestamp = (name: string, nullable = false): TableColumnOptions => ({
    name,
    type: 'datetime',
    ...(mysql ? { precision: 3 } : {}),
    isNullable: nullable,
    ...(nullable ? {} : { default: now }),
  });
  return {
    id: (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
    integer: (name: string, defaultValue?: string): TableColumnOptions => ({ name, type: 'integer', default: defaultValue }),
    bigint: (name: string): TableColumnOptions => ({ name, type: 'bigint' }),
    string: (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    }),
    timestamp,
    timestamps: () => [timestamp('created_at'), timestamp('updated_at')],
  };
}

/**
 * A binary utf8mb4 collation that does not pad: MariaDB's `utf8mb4_nopad_bin`, MySQL 8's `utf8mb4_0900_bin`.
 * (`utf8mb4_bin` still pads, so `'alice' = 'alice '` holds under it.)
 */
export async function exactCollation(queryRunner: QueryRunner): Promise<string> {
  const rows: { Collation: string }[] = await queryRunner.query(
    "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  );
  const names = rows.map((row) => row.Collation);
  return names.find((name) => name === 'utf8mb4_nopad_bin') ?? names[0] ?? 'utf8mb4_bin';
}
