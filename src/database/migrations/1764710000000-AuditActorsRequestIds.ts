import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (who made each change) and the request id on events:
 * - `actor` (JSON text, as `events.actor`) on `stock_movements` and `order_status_history`;
 * - `created_by`, `received_by`, `cancelled_by` (JSON text) on `replenishments`;
 * - `events.request_id`: the X-Request-Id of the request that made the change.
 * All nullable: rows written before this version have no actor and no request id (the API shows null), since
 * nothing recorded who made them.
 *
 * Plain `ALTER TABLE … ADD COLUMN` rather than queryRunner.addColumn: on SQLite TypeORM would rebuild each table
 * (a copy of the whole ledger); a nullable column without a default is added in place by SQLite, and instantly
 * by MariaDB.
 */
export class AuditActorsRequestIds1764710000000 implements MigrationInterface {
  name = 'AuditActorsRequestIds1764710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column, type] of COLUMNS) await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${type} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of [...COLUMNS].reverse()) await queryRunner.dropColumn(table, column);
  }
}

const COLUMNS = [
  ['stock_movements', 'actor', 'text'],
  ['order_status_history', 'actor', 'text'],
  ['replenishments', 'created_by', 'text'],
  ['replenishments', 'received_by', 'text'],
  ['replenishments', 'cancelled_by', 'text'],
  ['events', 'request_id', 'varchar(128)'],
] as const;
