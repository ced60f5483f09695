'use strict';
/**
 * What the benchmark asks of the servers. Every scenario spreads its requests over the seeded rows (ids from 1), so
 * that no figure is one cached row or one locked product. Scenarios the baseline does not answer are `appOnly`.
 */
const { addHotProduct } = require('./seed');
const { cycle, range } = require('./load');

const get = (path) => ({ method: 'GET', path });

/** One unit of one product: the order every placement scenario sends. */
const orderOf = (customerId, productId) => ({
  method: 'POST',
  path: '/orders',
  body: JSON.stringify({ customer_id: customerId, items: [{ product_id: productId, quantity: 1 }] }),
});

/** Requests that cycle through ids: `path(id)` for each in turn. */
const through = (ids, path) => () => {
  const next = cycle(ids);
  return () => get(path(next()));
};

/** A customer's order history, one customer after the other: the main scenarios and the scale run share it. */
const history = (customerIds, listQuery) => ({
  key: 'history',
  name: 'GET /orders/:customer_id/history',
  requests: through(customerIds, (id) => `/orders/${id}/history?${listQuery}`),
});

const ordersByStatus = (listQuery) => ({
  key: 'orders-by-status',
  name: `GET /orders?status=pending&${listQuery}`,
  appOnly: true,
  requests: () => () => get(`/orders?status=pending&${listQuery}`),
});

/**
 * The scenarios of `npm run bench`, reads first (so that every server reads the rows it was seeded with), then
 * placement. `listQuery` is the page asked of every list ("limit=20"; keyset parameters can go there once lists
 * take them).
 */
function mainScenarios({ customers, products, orders }, { listQuery }) {
  const customerIds = range(1, customers);
  const productIds = range(1, products);
  const orderIds = range(1, orders);
  return [
    { key: 'health', name: 'GET /health', requests: () => () => get('/health') },
    { key: 'product', name: 'GET /products/:id', requests: through(productIds, (id) => `/products/${id}`) },
    { key: 'order', name: 'GET /orders/:id', requests: through(orderIds, (id) => `/orders/${id}`) },
    history(customerIds, listQuery),
    { key: 'track', name: 'GET /orders/:id/track', appOnly: true, requests: through(orderIds, (id) => `/orders/${id}/track`) },
    { key: 'products', name: `GET /products?${listQuery}`, appOnly: true, requests: () => () => get(`/products?${listQuery}`) },
    ordersByStatus(listQuery),
    {
      key: 'place',
      name: 'POST /orders',
      requests: () => {
        const customer = cycle(customerIds);
        const product = cycle(productIds);
        return () => orderOf(customer(), product());
      },
    },
    contended(customerIds),
  ];
}

/**
 * Every connection orders one unit of one product whose stock runs out early: most answers are 409, and after
 * each round the product's end state is checked in its database: stock never below 0, one unit taken per 201,
 * one `order` movement per unit, the ledger summing to the stock. Each round gets a fresh product with the same
 * stock on every server: a quarter of what the slowest one placed in a round of uncontended orders, so that it
 * sells out early and no 201 is still in flight when the round ends (the count would then differ from the stock).
 */
function contended(customerIds) {
  return {
    key: 'contended',
    name: 'POST /orders, one product contended',
    expect: [201, 409],
    warmup: false,
    setup: ({ results, runners, settings }) => {
      const placed = results.find((entry) => entry.key === 'place');
      const slowest = Math.min(...runners.map((variant) => placed?.variants[variant.name]?.rps ?? 40));
      return { stock: Math.max(1, Math.floor((slowest * settings.duration) / 4)) };
    },
    beforeRound: async (variant, { stock }) => ({ stock, productId: await addHotProduct(variant.db, stock) }),
    requests: (_variant, { productId }) => {
      const customer = cycle(customerIds);
      return () => orderOf(customer(), productId);
    },
    afterRound: async (variant, { stock, productId }, run) => {
      const [{ quantity }] = await variant.db.query('SELECT stock_quantity AS quantity FROM products WHERE id = ?', [productId]);
      const [ledger] = await variant.db.query(
        "SELECT SUM(delta) AS total, SUM(CASE WHEN type = 'order' THEN -delta ELSE 0 END) AS ordered FROM stock_movements WHERE product_id = ?",
        [productId],
      );
      const created = run.statuses['201'] ?? 0;
      const taken = stock - Number(quantity);
      const facts = { stock, final_stock: Number(quantity), units_taken: taken, responses_201: created, ledger_sum: Number(ledger.total) };
      const ok = quantity >= 0 && created === taken && Number(ledger.ordered) === taken && Number(ledger.total) === Number(quantity);
      return { ok, ...facts, detail: ok ? 'consistent' : `inconsistent end state ${JSON.stringify(facts)}` };
    },
  };
}

/**
 * The lists whose cost must not grow with the tables (`npm run bench -- --scale`), each cycling through its
 * customers or products. The paths take `listQuery` like the main scenarios.
 */
function scaleScenarios({ customers, products }, { listQuery }) {
  return [
    history(range(1, customers), listQuery),
    ordersByStatus(listQuery),
    {
      key: 'ledger',
      name: 'GET /products/:id/stock/movements',
      appOnly: true,
      requests: through(range(1, products), (id) => `/products/${id}/stock/movements?${listQuery}`),
    },
  ];
}

/** The scenarios whose figures issue #13 sets targets for (app ÷ baseline), reported and never asserted. */
const TARGETS = { product: 0.7, place: 0.8, history: 0.7 };

/** The hot paths, on which what logging costs is measured. */
const HOT_PATHS = ['product', 'history', 'place'];

const verdict = (ok) => (ok ? 'met' : 'NOT met');

const targetNote = (key, ratio, cpuRatio) => {
  const target = TARGETS[key];
  if (!target || !Number.isFinite(ratio)) return '';
  return `≥ ${target.toFixed(2)}: ${verdict(ratio >= target)} (by CPU: ${verdict(cpuRatio >= target)})`;
};

/** What the first variant costs against the second, by requests/s and by CPU per request, against `budget` %. */
const costNote = (budget) => (_key, ratio, cpuRatio) => {
  const [cost, cpuCost] = [1 - ratio, 1 - cpuRatio].map((c) => c * 100);
  if (!Number.isFinite(cost)) return '';
  return `${cost.toFixed(1)} % (by CPU ${cpuCost.toFixed(1)} %); budget < ${budget} %: ${verdict(cost < budget)} (by CPU: ${verdict(cpuCost < budget)})`;
};

module.exports = { HOT_PATHS, costNote, mainScenarios, scaleScenarios, targetNote };
