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

/**
 * Every product whose `incoming_quantity` differs from the units still due on its open replenishment orders
 * (should be none).
 */
export async function incomingMismatches(dataSource: DataSource) {
  const rows: { id: number; incoming: number | string; due: number | string }[] = await dataSource.query(
    `SELECT p.id AS id, p.incoming_quantity AS incoming,
            COALESCE(SUM(CASE WHEN r.status IN ('ordered', 'partially_received') THEN r.quantity - r.received_quantity ELSE 0 END), 0) AS due
       FROM products p LEFT JOIN replenishments r ON r.product_id = p.id
      GROUP BY p.id, p.incoming_quantity`,
  );
  return rows.filter((row) => Number(row.incoming) !== Number(row.due));
}
