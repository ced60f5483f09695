import { MigrationInterface, QueryRunner, Table, TableCheck, TableColumn, TableIndex } from 'typeorm';
import { columns, fk } from '../schema-helpers';

/**
 * Replenishment orders (purchase orders to a supplier) instead of stock out of thin air:
 * - `products` gain the replenishment settings (`lead_time_days`, `reorder_policy`, `service_level_bp`,
 *   `cover_days`) and `incoming_quantity`, the units on open replenishment orders, kept in step with them in
 *   the same transactions so that "projected = quantity + incoming" is one row's condition. Defaults keep
 *   every existing product's behaviour: lead time 0 (received at once), fixed policy.
 * - `replenishments`: one row per order. `open_automatic_product_id` holds the product's id while an
 *   automatic order is open and NULL otherwise; its UNIQUE index is what makes a second open automatic order
 *   for one product impossible, whatever the number of instances (NULLs do not collide on either engine).
 * - `stock_movements` get an index for reading a product's ledger by time (the demand statistics, the
 *   newest-first list).
 */
export class Replenishment1764400000000 implements MigrationInterface {
  name = 'Replenishment1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);

    await queryRunner.addColumns('products', [
      new TableColumn(c.integer('lead_time_days', '0')),
      new TableColumn({ ...c.string('reorder_policy', 16), default: "'fixed'" }),
      // basis points: 9500 is a service level of 0.95
      new TableColumn(c.integer('service_level_bp', '9500')),
      new TableColumn(c.integer('cover_days', '14')),
      new TableColumn(c.integer('incoming_quantity', '0')),
    ]);
    await addCheck(queryRunner, 'products', 'CHK_products_incoming_non_negative', 'incoming_quantity >= 0');

    await queryRunner.createTable(
      new Table({
        name: 'replenishments',
        columns: [
          c.id(),
          c.integer('product_id'),
          c.integer('quantity'),
          c.integer('received_quantity', '0'),
          c.string('status', 24),
          c.string('origin', 16),
          c.timestamp('expected_at', true),
          c.string('note', 500, true),
          { ...c.integer('open_automatic_product_id'), isNullable: true },
          ...c.timestamps(),
          c.timestamp('received_at', true),
          c.timestamp('cancelled_at', true),
        ],
        indices: [
          new TableIndex({
            name: 'UQ_replenishments_open_automatic_product_id',
            columnNames: ['open_automatic_product_id'],
            isUnique: true,
          }),
          // lists are newest first by (created_at, id), filtered by product or status
          new TableIndex({ name: 'IDX_replenishments_product_created', columnNames: ['product_id', 'created_at', 'id'] }),
          new TableIndex({ name: 'IDX_replenishments_status_created', columnNames: ['status', 'created_at', 'id'] }),
          new TableIndex({ name: 'IDX_replenishments_created', columnNames: ['created_at', 'id'] }),
        ],
        foreignKeys: [fk('product_id', 'products')],
      }),
    );

    await addCheck(queryRunner, 'replenishments', 'CHK_replenishments_quantity_positive', 'quantity > 0');
    await addCheck(
      queryRunner,
      'replenishments',
      'CHK_replenishments_received_in_range',
      'received_quantity >= 0 AND received_quantity <= quantity',
    );
    // the demand statistics read the ledger by (product_id, created_at): LedgerPageIndex (1764310000000) made that index
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('replenishments');
    await dropCheck(queryRunner, 'products', 'CHK_products_incoming_non_negative');
    await queryRunner.dropColumns('products', ['lead_time_days', 'reorder_policy', 'service_level_bp', 'cover_days', 'incoming_quantity']);
  }
}

/**
 * TypeORM's MySQL query runner refuses (and its createTable silently drops) CHECK constraints, which MariaDB
 * 10.2+ enforces: there they are added in plain SQL, on SQLite through the schema API (which rebuilds the table).
 */
async function addCheck(queryRunner: QueryRunner, table: string, name: string, expression: string): Promise<void> {
  if (queryRunner.connection.options.type === 'mysql') {
    await queryRunner.query(`ALTER TABLE \`${table}\` ADD CONSTRAINT \`${name}\` CHECK (${expression})`);
  } else {
    await queryRunner.createCheckConstraint(table, new TableCheck({ name, expression }));
  }
}

async function dropCheck(queryRunner: QueryRunner, table: string, name: string): Promise<void> {
  if (queryRunner.connection.options.type === 'mysql') await queryRunner.query(`ALTER TABLE \`${table}\` DROP CONSTRAINT \`${name}\``);
  else await queryRunner.dropCheckConstraint(table, name);
}
