import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { columns } from '../schema-helpers';

/**
 * Webhooks (owned by the webhooks module):
 * - `webhooks`: registered endpoints. `secret` is the HMAC key (`whsec_…`) kept as issued, since the server must
 *   sign with it; it is answered only when created or rotated. `failing_since` is the first failed attempt
 *   since the endpoint's last success (for disabling after WEBHOOK_DISABLE_AFTER).
 * - `webhook_deliveries`: one row per (endpoint, event), unique, so that the relay handing an event over again
 *   adds nothing. `payload` is the body exactly as signed and sent on every attempt. `claimed_by` and
 *   `claimed_until` are the claim of the dispatcher sending it now.
 * - `webhook_delivery_attempts`: every attempt, with its answer.
 */
export class Webhooks1764600000000 implements MigrationInterface {
  name = 'Webhooks1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    const mysql = queryRunner.connection.options.type === 'mysql';
    const cascade = (column: string, table: string) =>
      new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE' });

    await queryRunner.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          c.id(),
          c.string('url', 2048),
          { name: 'event_types', type: 'text' },
          c.string('description', 500, true),
          c.string('secret', 100),
          { name: 'enabled', type: 'boolean', default: 1 },
          c.string('disabled_reason', 500, true),
          c.timestamp('disabled_at', true),
          c.timestamp('failing_since', true),
          ...c.timestamps(),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          c.id(),
          c.integer('webhook_id'),
          c.string('event_id', 40),
          c.string('event_type', 64),
          c.string('subject_type', 32),
          c.integer('subject_id'),
          { name: 'payload', type: mysql ? 'mediumtext' : 'text' },
          { ...c.string('status', 16), default: "'pending'" },
          c.integer('attempts', '0'),
          { ...c.integer('last_status_code'), isNullable: true },
          c.string('last_error', 500, true),
          // due now unless told otherwise: a new delivery goes out on the dispatcher's next round
          { ...c.timestamp('next_attempt_at'), isNullable: true },
          c.timestamp('delivered_at', true),
          c.string('claimed_by', 64, true),
          c.timestamp('claimed_until', true),
          ...c.timestamps(),
        ],
        indices: [
          new TableIndex({ name: 'UQ_webhook_deliveries_webhook_event', columnNames: ['webhook_id', 'event_id'], isUnique: true }),
          // the dispatcher's due scan, per endpoint
          new TableIndex({ name: 'IDX_webhook_deliveries_due', columnNames: ['webhook_id', 'status', 'next_attempt_at'] }),
          // "is an earlier delivery of this subject to this endpoint still pending?"
          new TableIndex({ name: 'IDX_webhook_deliveries_subject', columnNames: ['webhook_id', 'subject_type', 'subject_id', 'status'] }),
        ],
        foreignKeys: [cascade('webhook_id', 'webhooks')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_delivery_attempts',
        columns: [
          c.id(),
          c.integer('delivery_id'),
          c.integer('attempt'),
          { ...c.integer('status_code'), isNullable: true },
          c.string('error', 500, true),
          c.integer('duration_ms'),
          c.timestamp('attempted_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_webhook_delivery_attempts_delivery', columnNames: ['delivery_id', 'attempt'] })],
        foreignKeys: [cascade('delivery_id', 'webhook_deliveries')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_delivery_attempts');
    await queryRunner.dropTable('webhook_deliveries');
    await queryRunner.dropTable('webhooks');
  }
}
