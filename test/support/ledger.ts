import { DataSource } from 'typeorm';

/** Every product whose stock_quantity differs from the sum of its ledger movements (should be none). */
export async function unbalancedProducts(dataSource: DataSource) {
  const rows: { id: number; quantity: number; ledger: number | string }[] = await dataSource.query(
    `SELECT p.id AS id, p.stock_quantity AS quantity, COALESCE(SUM(m.delta), 0) AS ledger
       FROM products p LEFT JOIN stock_movements m ON m.product_id = p.id
      GROUP BY p.id, p.stock_quantity`,
  );
  return rows.filter((row) => Number(row.ledger) !== Number(row.quantity));
}
