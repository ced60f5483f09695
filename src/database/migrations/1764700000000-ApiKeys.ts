import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';
import { columns, exactCollation } from '../schema-helpers';

/**
 * Named API keys with scopes (owned by the api-keys module). The key itself is never stored: `secret_hash` is
 * its SHA-256, and `prefix` (`eak_` + 12 hex, unique) is how a presented key is found and how people tell keys
 * apart. Both compare byte for byte (binary collation on MySQL/MariaDB, as the other key columns), so that a
 * prefix differing only in case is another prefix. Revoked keys stay as rows (`revoked_at`), readable.
 */
export class ApiKeys1764700000000 implements MigrationInterface {
  name = 'ApiKeys1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    // SQLite compares text with BINARY already
    const exact =
      queryRunner.connection.options.type === 'mysql' ? { charset: 'utf8mb4', collation: await exactCollation(queryRunner) } : {};
    const exactString = (name: string, length: number): TableColumnOptions => ({ ...c.string(name, length), ...exact });

    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          c.id(),
          c.string('name', 100),
          c.string('scopes', 500),
          exactString('prefix', 16),
          exactString('secret_hash', 64),
          c.timestamp('created_at'),
          c.timestamp('expires_at', true),
          c.timestamp('last_used_at', true),
          c.timestamp('revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'UQ_api_keys_prefix', columnNames: ['prefix'], isUnique: true }),
          // GET /api-keys: newest first
          new TableIndex({ name: 'IDX_api_keys_created', columnNames: ['created_at', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_keys');
  }
}
