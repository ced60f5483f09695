import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Lists at scale: every list's page and capped count read one index range, whatever the size of the table
 * (src/common/pagination.ts; test/lists-at-scale.e2e-spec.ts EXPLAINs each list on both engines). An index
 * leads with a list's equality filters and continues with its order's keys; lists whose filters and order
 * an existing index already serves (orders by status or by customer, replenishments by product or by status,
 * a product's ledger) get nothing new.
 * - Soft-deleted `customers` and `products` rows are skipped by the index (`deleted_at IS NULL` is its first
 *   part), not read and dropped one by one, so deleted rows never make a page cost more.
 * - `products` gain two virtual columns, computed by the database and indexed: `in_stock` (`stock_quantity > 0`)
 *   for `?in_stock=`, and `low_stock_quantity` (the quantity while it is at or below the reorder threshold, else
 *   NULL) for the low-stock list: a comparison of two columns, which no index on the columns themselves serves.
 *   InitialSchema dropped an index over (deleted_at, stock_quantity) because its locks deadlocked concurrent orders;
 *   these change only when a product crosses zero or while it is low, and 300 parallel two-line orders for two
 *   always-low products on MariaDB 10.11 met no deadlock retry.
 * - Two filters together (orders by customer and status, replenishments by product and status, deliveries by
 *   status) and the delivery log (newest id first within an endpoint) get their own indexes.
 */
export class ListsAtScale1764720000000 implements MigrationInterface {
  name = 'ListsAtScale1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of GENERATED_COLUMNS) await addGeneratedColumn(queryRunner, column);
    for (const [table, index] of INDEXES) await queryRunner.createIndex(table, index);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, index] of [...INDEXES].reverse()) await queryRunner.dropIndex(table, index.name!);
    for (const column of [...GENERATED_COLUMNS].reverse()) await dropGeneratedColumn(queryRunner, column);
  }
}

interface GeneratedColumn {
  name: string;
  /** The SQLite type TypeORM declares, and the MariaDB one. */
  sqliteType: string;
  mysqlType: string;
  expression: string;
}

const GENERATED_COLUMNS: GeneratedColumn[] = [
  { name: 'in_stock', sqliteType: 'boolean', mysqlType: 'tinyint', expression: 'stock_quantity > 0' },
  {
    name: 'low_stock_quantity',
    sqliteType: 'integer',
    mysqlType: 'int',
    expression: 'CASE WHEN stock_quantity <= reorder_threshold THEN stock_quantity END',
  },
];

const INDEXES: [string, TableIndex][] = [
  ['customers', new TableIndex({ name: 'IDX_customers_active', columnNames: ['deleted_at', 'id'] })],
  ['products', new TableIndex({ name: 'IDX_products_active', columnNames: ['deleted_at', 'id'] })],
  ['products', new TableIndex({ name: 'IDX_products_in_stock', columnNames: ['deleted_at', 'in_stock', 'id'] })],
  ['products', new TableIndex({ name: 'IDX_products_low_stock', columnNames: ['deleted_at', 'low_stock_quantity', 'id'] })],
  ['orders', new TableIndex({ name: 'IDX_orders_customer_status_created', columnNames: ['customer_id', 'status', 'created_at', 'id'] })],
  [
    'replenishments',
    new TableIndex({ name: 'IDX_replenishments_product_status_created', columnNames: ['product_id', 'status', 'created_at', 'id'] }),
  ],
  ['webhook_deliveries', new TableIndex({ name: 'IDX_webhook_deliveries_log', columnNames: ['webhook_id', 'id'] })],
  ['webhook_deliveries', new TableIndex({ name: 'IDX_webhook_deliveries_status_log', columnNames: ['webhook_id', 'status', 'id'] })],
];

/**
 * On SQLite through the schema API, which records the expression in typeorm_metadata, so that a later migration
 * rebuilding `products` keeps the column generated. TypeORM's MySQL runner would write `… VIRTUAL NULL`, which
 * MariaDB refuses, so there the column is added in plain SQL and its expression recorded as TypeORM would.
 */
async function addGeneratedColumn(queryRunner: QueryRunner, column: GeneratedColumn): Promise<void> {
  if (queryRunner.connection.options.type !== 'mysql') {
    await queryRunner.addColumn(
      'products',
      new TableColumn({
        name: column.name,
        type: column.sqliteType,
        isNullable: true,
        generatedType: 'VIRTUAL',
        asExpression: column.expression,
      }),
    );
    return;
  }
  await queryRunner.query(`ALTER TABLE \`products\` ADD \`${column.name}\` ${column.mysqlType} AS (${column.expression}) VIRTUAL`);
  await queryRunner.query(
    "INSERT INTO `typeorm_metadata` (`type`, `schema`, `table`, `name`, `value`) VALUES ('GENERATED_COLUMN', DATABASE(), 'products', ?, ?)",
    [column.name, column.expression],
  );
}

async function dropGeneratedColumn(queryRunner: QueryRunner, column: GeneratedColumn): Promise<void> {
  if (queryRunner.connection.options.type !== 'mysql') {
    await queryRunner.dropColumn('products', column.name);
    return;
  }
  await queryRunner.query(`ALTER TABLE \`products\` DROP COLUMN \`${column.name}\``);
  await queryRunner.query(
    "DELETE FROM `typeorm_metadata` WHERE `type` = 'GENERATED_COLUMN' AND `schema` = DATABASE() AND `table` = 'products' AND `name` = ?",
    [column.name],
  );
}
