import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * A product's ledger is read newest first, by (created_at, id): with an index on (product_id, id) MariaDB
 * sorted all of the product's movements for every page (`Using filesort`). (product_id, created_at, id) serves
 * the WHERE and the ORDER BY together, and, leading with product_id, the foreign key too, so the old index goes.
 */
export class LedgerPageIndex1764310000000 implements MigrationInterface {
  name = 'LedgerPageIndex1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // created before the old one is dropped: MariaDB's foreign key on product_id always has an index to use
    await queryRunner.createIndex(
      'stock_movements',
      new TableIndex({ name: 'IDX_stock_movements_product_created', columnNames: ['product_id', 'created_at', 'id'] }),
    );
    await queryRunner.dropIndex('stock_movements', 'IDX_stock_movements_product_id_id');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'stock_movements',
      new TableIndex({ name: 'IDX_stock_movements_product_id_id', columnNames: ['product_id', 'id'] }),
    );
    await queryRunner.dropIndex('stock_movements', 'IDX_stock_movements_product_created');
  }
}
