'use strict';
/**
 * Bulk seeding of a migrated database with rows as the app writes them: customers, products with their `initial`
 * movement, and orders of one line each with their line, their status history and their stock movements, the
 * products' stock and ledger kept consistent (a product's movements sum to its quantity, quantity_after runs
 * along, each customer's orders counted in customers.orders_count as the app counts them). Multi-row INSERTs straight into the tables, far faster than placing orders over HTTP: a million orders
 * take minutes, not hours. Events are not seeded: no scenario reads the feed.
 *
 * Everything is a function of the ids, so two databases seeded with the same figures hold the same rows.
 */

/** Orders per INSERT batch: about half a megabyte of SQL per statement, well inside max_allowed_packet. */
const BATCH = 2000;

/** Out of every 100 orders, how many are in each status (spread over time by the id, not in blocks). */
const STATUS_MIX = [
  ['pending', 5],
  ['processing', 5],
  ['shipped', 10],
  ['delivered', 78],
  ['cancelled', 2],
];

/** The statuses an order went through to reach its own, each one a row of its tracking history. */
const PATH_TO = {
  pending: ['pending'],
  processing: ['pending', 'processing'],
  shipped: ['pending', 'processing', 'shipped'],
  delivered: ['pending', 'processing', 'shipped', 'delivered'],
  cancelled: ['pending', 'cancelled'],
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A DATETIME(3) value in UTC, as the app stores them on both engines. */
const sqlTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

function statusOf(orderId) {
  // 37 is prime to 100: consecutive orders land in different buckets
  let bucket = (orderId * 37) % 100;
  for (const [status, share] of STATUS_MIX) {
    if (bucket < share) return status;
    bucket -= share;
  }
  throw new Error('STATUS_MIX does not add up to 100');
}

/**
 * Seeds `customers` and `products` (ids from 1) and then orders in batches through add(count), oldest first:
 * order n of `plannedOrders` is placed at an even step between `days` days and one day before now, so that
 * orders seeded in several calls (10,000 first, then up to 1,000,000) stay in time order, and those the
 * benchmark places are the newest.
 */
class Seeder {
  constructor(db, { customers, products, stock, plannedOrders, days }) {
    Object.assign(this, { db, customers, products, stock, plannedOrders });
    const end = Date.now() - DAY_MS;
    this.start = end - days * DAY_MS;
    this.step = (days * DAY_MS) / plannedOrders;
    this.orders = 0;
    this.quantity = new Map();
    this.prices = new Map();
  }

  async catalogue() {
    const at = sqlTime(this.start - DAY_MS);
    const customers = [];
    for (let id = 1; id <= this.customers; id += 1) {
      const email = `customer${id}@bench.example`;
      customers.push([id, `Bench customer ${id}`, email, email, '+44 20 7946 0958', at, at]);
    }
    await this.db.insertRows('customers', ['id', 'name', 'email', 'email_key', 'phone_number', 'created_at', 'updated_at'], customers);
    const products = [];
    const initial = [];
    for (let id = 1; id <= this.products; id += 1) {
      const priceCents = 499 + (id % 50) * 100;
      this.prices.set(id, priceCents);
      this.quantity.set(id, this.stock);
      products.push([id, `Bench product ${id}`, 'Load benchmark', priceCents, this.stock, at, at]);
      initial.push([id, 'initial', this.stock, this.stock, 'initial', null, 'Initial stock', at]);
    }
    await this.db.insertRows(
      'products',
      ['id', 'name', 'description', 'price_cents', 'stock_quantity', 'created_at', 'updated_at'],
      products,
    );
    await this.db.insertRows('stock_movements', MOVEMENT_COLUMNS, initial);
  }

  /** Adds `count` orders after those already seeded; resolves to the seconds it took. */
  async add(count) {
    if (this.orders + count > this.plannedOrders) throw new Error(`more orders than the ${this.plannedOrders} planned`);
    const began = Date.now();
    const last = this.orders + count;
    while (this.orders < last) await this.batch(Math.min(BATCH, last - this.orders));
    // the stock the ledger now adds up to
    for (const [id, quantity] of this.quantity) await this.db.query('UPDATE products SET stock_quantity = ? WHERE id = ?', [quantity, id]);
    // the orders each customer now has, which the app counts as it places them (customers.orders_count)
    await this.db.query('UPDATE customers SET orders_count = (SELECT COUNT(*) FROM orders WHERE orders.customer_id = customers.id)');
    return (Date.now() - began) / 1000;
  }

  async batch(count) {
    const orders = [];
    const items = [];
    const history = [];
    const movements = [];
    for (let n = 0; n < count; n += 1) {
      const id = this.orders + n + 1;
      const placed = this.start + (id - 1) * this.step;
      const customerId = 1 + ((id - 1) % this.customers);
      // a customer's next order (one round of customers later) is for another product
      const productId = 1 + ((id * 7 + Math.floor((id - 1) / this.customers)) % this.products);
      const quantity = 1 + (id % 3);
      const priceCents = this.prices.get(productId);
      const status = statusOf(id);
      const path = PATH_TO[status];
      const updated = placed + (path.length - 1) * HOUR_MS;
      const shipped = status === 'shipped' || status === 'delivered';
      orders.push([
        id,
        customerId,
        status,
        priceCents * quantity,
        shipped ? 'DHL' : null,
        shipped ? `BENCH${id}` : null,
        sqlTime(placed),
        sqlTime(updated),
      ]);
      items.push([id, productId, `Bench product ${productId}`, priceCents, quantity, priceCents * quantity]);
      path.forEach((step, i) => history.push([id, step, i === 0 ? 'Order placed' : null, sqlTime(placed + i * HOUR_MS)]));
      let left = this.quantity.get(productId) - quantity;
      movements.push([productId, 'order', -quantity, left, 'order', id, null, sqlTime(placed)]);
      if (status === 'cancelled') {
        left += quantity;
        movements.push([productId, 'cancel', quantity, left, 'order', id, 'Customer request', sqlTime(updated)]);
      }
      this.quantity.set(productId, left);
    }
    await this.db.transaction(async () => {
      await this.db.insertRows(
        'orders',
        ['id', 'customer_id', 'status', 'total_cents', 'carrier', 'tracking_number', 'created_at', 'updated_at'],
        orders,
      );
      await this.db.insertRows(
        'order_items',
        ['order_id', 'product_id', 'product_name', 'unit_price_cents', 'quantity', 'line_total_cents'],
        items,
      );
      await this.db.insertRows('order_status_history', ['order_id', 'status', 'note', 'created_at'], history);
      await this.db.insertRows('stock_movements', MOVEMENT_COLUMNS, movements);
    });
    this.orders += count;
  }
}

const MOVEMENT_COLUMNS = ['product_id', 'type', 'delta', 'quantity_after', 'reference_type', 'reference_id', 'reason', 'created_at'];

/**
 * A product for the contended scenario: `stock` units and their `initial` movement, as POST /products makes them
 * (without the event); resolves to its id.
 */
async function addHotProduct(db, stock) {
  const at = sqlTime(Date.now());
  const [{ id: last }] = await db.query('SELECT MAX(id) AS id FROM products');
  const id = Number(last) + 1;
  await db.insertRows(
    'products',
    ['id', 'name', 'description', 'price_cents', 'stock_quantity', 'created_at', 'updated_at'],
    [[id, `Bench hot product ${id}`, 'Contended', 450, stock, at, at]],
  );
  await db.insertRows('stock_movements', MOVEMENT_COLUMNS, [[id, 'initial', stock, stock, 'initial', null, 'Initial stock', at]]);
  return id;
}

module.exports = { Seeder, addHotProduct };
