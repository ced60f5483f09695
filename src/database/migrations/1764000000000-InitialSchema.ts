import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { columns, fk } from '../schema-helpers';

/**
 * The whole schema for customers, accounts, products, the stock ledger and orders.
 * Written with the schema API so that it runs on SQLite and MySQL/MariaDB alike.
 * Every table has a primary key (Galera replicates by it).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'customers',
        columns: [
          c.id(),
          c.string('name', 200),
          c.string('email', 254),
          // lower-cased email while the customer exists; NULL once deleted so the address can be reused
          c.string('email_key', 254, true),
          c.string('phone_number', 32, true),
          ...c.timestamps(),
          c.timestamp('deleted_at', true),
        ],
        indices: [new TableIndex({ name: 'UQ_customers_email_key', columnNames: ['email_key'], isUnique: true })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          c.id(),
          c.integer('customer_id'),
          c.string('username', 64),
          c.string('username_key', 64),
          c.string('password_hash', 255),
          ...c.timestamps(),
        ],
        indices: [
          new TableIndex({ name: 'UQ_accounts_customer_id', columnNames: ['customer_id'], isUnique: true }),
          new TableIndex({ name: 'UQ_accounts_username_key', columnNames: ['username_key'], isUnique: true }),
        ],
        foreignKeys: [fk('customer_id', 'customers')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          c.id(),
          c.string('name', 200),
          { name: 'description', type: 'text', isNullable: true },
          c.integer('price_cents'),
          c.integer('stock_quantity', '0'),
          c.integer('reorder_threshold', '0'),
          c.integer('reorder_quantity', '0'),
          c.timestamp('last_restocked_at', true),
          ...c.timestamps(),
          c.timestamp('deleted_at', true),
        ],
        checks: [
          { name: 'CHK_products_stock_non_negative', expression: 'stock_quantity >= 0' },
          { name: 'CHK_products_price_positive', expression: 'price_cents > 0' },
        ],
        // deliberately no index over stock_quantity: every order rewrites that column, and a secondary
        // index entry per UPDATE adds locks that made concurrent orders for one product deadlock
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          c.id(),
          c.integer('customer_id'),
          c.string('status', 16),
          c.bigint('total_cents'),
          c.string('carrier', 100, true),
          c.string('tracking_number', 100, true),
          ...c.timestamps(),
        ],
        // lists are newest first by (created_at, id): with these, every page is an index range read, not a
        // sort of all of a customer's orders, and stays fast at millions of orders
        indices: [
          new TableIndex({ name: 'IDX_orders_customer_created', columnNames: ['customer_id', 'created_at', 'id'] }),
          new TableIndex({ name: 'IDX_orders_status_created', columnNames: ['status', 'created_at', 'id'] }),
          new TableIndex({ name: 'IDX_orders_created', columnNames: ['created_at', 'id'] }),
        ],
        foreignKeys: [fk('customer_id', 'customers')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'order_items',
        columns: [
          c.id(),
          c.integer('order_id'),
          c.integer('product_id'),
          c.string('product_name', 200),
          c.integer('unit_price_cents'),
          c.integer('quantity'),
          c.bigint('line_total_cents'),
        ],
        indices: [new TableIndex({ name: 'IDX_order_items_order_id', columnNames: ['order_id'] })],
        foreignKeys: [fk('order_id', 'orders'), fk('product_id', 'products')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'order_status_history',
        columns: [c.id(), c.integer('order_id'), c.string('status', 16), c.string('note', 500, true), c.timestamp('created_at')],
        indices: [new TableIndex({ name: 'IDX_order_status_history_order_id_id', columnNames: ['order_id', 'id'] })],
        foreignKeys: [fk('order_id', 'orders')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'stock_movements',
        columns: [
          c.id(),
          c.integer('product_id'),
          c.string('type', 16),
          c.integer('delta'),
          c.integer('quantity_after'),
          { ...c.integer('order_id'), isNullable: true },
          c.string('reason', 500, true),
          c.timestamp('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_stock_movements_product_id_id', columnNames: ['product_id', 'id'] }),
          new TableIndex({ name: 'IDX_stock_movements_order_id', columnNames: ['order_id'] }),
        ],
        foreignKeys: [fk('product_id', 'products'), fk('order_id', 'orders')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['stock_movements', 'order_status_history', 'order_items', 'orders', 'products', 'accounts', 'customers']) {
      await queryRunner.dropTable(table);
    }
  }
}
