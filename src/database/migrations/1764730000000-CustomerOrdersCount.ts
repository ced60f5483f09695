import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `customers.orders_count`: how many orders the customer has placed, counted by the placing transaction itself
 * (CustomersService.countOrder), so that a history's `total` is one primary-key read instead of a count of the
 * customer's orders, whose cost grows with them (2,500 index entries per request at a million orders). Backfilled
 * from the orders there are; orders are never deleted, so the count only grows.
 *
 * Plain `ALTER TABLE` rather than queryRunner.addColumn/dropColumn: on SQLite TypeORM would rebuild the table, and
 * dropping the old `customers` fails its foreign keys (orders and accounts refer to it) inside the migration's
 * transaction. A column with a constant default is added and dropped in place by SQLite (3.35+), instantly added by
 * MariaDB.
 */
export class CustomerOrdersCount1764730000000 implements MigrationInterface {
  name = 'CustomerOrdersCount1764730000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE customers ADD COLUMN orders_count integer NOT NULL DEFAULT 0');
    await queryRunner.query('UPDATE customers SET orders_count = (SELECT COUNT(*) FROM orders WHERE orders.customer_id = customers.id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE customers DROP COLUMN orders_count');
  }
}
