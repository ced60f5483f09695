import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Stored answers for Idempotency-Key retries, keyed by the caller's scope and its key. */
export class IdempotencyKeys1764100000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === 'mysql';
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          // the primary key is the claim: a second INSERT of the same (scope, key) fails on every node
          { name: 'scope', type: 'varchar', length: '64', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '255', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          // NULL while the first request is still running
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response_body', type: mysql ? 'mediumtext' : 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', ...(mysql ? { precision: 3 } : {}) },
        ],
        indices: [new TableIndex({ name: 'IDX_idempotency_keys_created_at', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
