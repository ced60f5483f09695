import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { columns } from '../schema-helpers';

/**
 * - `events`: the transactional outbox, written in the same transaction as each change.
 * - `stock_movements` name what caused them by `reference_type` + `reference_id` (an order, later a
 *   replenishment…) instead of one column per source; `order_id` becomes reference ('order', id).
 * - `job_claims`: a scheduled job's tick is claimed by inserting its primary key, so a job runs once per
 *   tick however many instances share the database.
 */
export class OutboxLedgerReferencesJobClaims1764200000000 implements MigrationInterface {
  name = 'OutboxLedgerReferencesJobClaims1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    const mysql = queryRunner.connection.options.type === 'mysql';

    await queryRunner.createTable(
      new Table({
        name: 'events',
        columns: [
          // SQLite's auto-increment key must be INTEGER (64-bit there anyway)
          { name: 'id', type: mysql ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          c.string('event_id', 40),
          c.string('type', 64),
          c.string('subject_type', 32),
          c.integer('subject_id'),
          { name: 'actor', type: 'text', isNullable: true },
          { name: 'data', type: mysql ? 'mediumtext' : 'text' },
          c.timestamp('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'UQ_events_event_id', columnNames: ['event_id'], isUnique: true }),
          new TableIndex({ name: 'IDX_events_created_at', columnNames: ['created_at'] }),
        ],
      }),
    );

    await queryRunner.addColumns('stock_movements', [
      new TableColumn({ ...c.string('reference_type', 16), default: "'adjustment'" }),
      new TableColumn({ ...c.integer('reference_id'), isNullable: true }),
    ]);
    await queryRunner.query(
      `UPDATE stock_movements SET reference_id = order_id, reference_type = CASE
         WHEN type IN ('order', 'cancel') THEN 'order' WHEN type = 'initial' THEN 'initial'
         WHEN type = 'restock' THEN 'restock' ELSE 'adjustment' END`,
    );
    const table = await queryRunner.getTable('stock_movements');
    const orderFk = table!.foreignKeys.find((key) => key.columnNames.includes('order_id'));
    if (orderFk) await queryRunner.dropForeignKey('stock_movements', orderFk);
    await queryRunner.dropIndex('stock_movements', 'IDX_stock_movements_order_id');
    await queryRunner.dropColumn('stock_movements', 'order_id');
    await queryRunner.createIndex(
      'stock_movements',
      new TableIndex({ name: 'IDX_stock_movements_reference', columnNames: ['reference_type', 'reference_id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'job_claims',
        columns: [
          { name: 'job_name', type: 'varchar', length: '64', isPrimary: true },
          // the tick as unix seconds of the database's clock
          { name: 'tick', type: 'bigint', isPrimary: true },
          c.timestamp('claimed_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.dropTable('job_claims');
    await queryRunner.dropIndex('stock_movements', 'IDX_stock_movements_reference');
    await queryRunner.addColumn('stock_movements', new TableColumn({ ...c.integer('order_id'), isNullable: true }));
    await queryRunner.query(`UPDATE stock_movements SET order_id = reference_id WHERE reference_type = 'order'`);
    await queryRunner.dropColumns('stock_movements', ['reference_type', 'reference_id']);
    await queryRunner.createIndex('stock_movements', new TableIndex({ name: 'IDX_stock_movements_order_id', columnNames: ['order_id'] }));
    await queryRunner.dropTable('events');
  }
}
