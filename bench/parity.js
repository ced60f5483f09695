'use strict';
/**
 * Before any load: do the app and the baseline, each on its copy of the same seeded database, give the same answers
 * and write the same rows? The same reads, then one order placed on each and the rows it wrote compared, then the
 * refusals the scenarios can meet. Timestamps taken at the moment (created_at, updated_at, at), event ids, request
 * and request ids each server generates differ by nature and are compared by form only; everything else must be equal.
 * The placement is sent with one X-Request-Id to both, so that its echo and the request_id its events record are
 * compared as they are. This keeps the baseline honest as the app changes: a difference fails the benchmark (and so
 * CI's smoke run) with the two answers side by side.
 */
const { API_KEY } = require('../scripts/server-harness');
const { addHotProduct } = require('./seed');

/** Values that differ between two servers by nature, replaced by their form. */
function normalise(value, key) {
  if (Array.isArray(value)) return value.map((item) => normalise(item));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value)) return '<ISO timestamp>';
  if (typeof value === 'string' && /^evt_[0-9a-f]{32}$/.test(value)) return '<event id>';
  if (key === 'request_id') return '<request id>';
  return value;
}

/** The X-Request-Id the placement is sent with, to both servers: the events it writes must record it as sent. */
const PLACEMENT_REQUEST_ID = 'bench-parity-placement';

async function call(baseUrl, method, path, body, headers = { 'x-api-key': API_KEY }) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  const answer = { status: response.status, type: response.headers.get('content-type'), body: normalise(json) };
  // an X-Request-Id sent is echoed as sent; one each server generated is compared by form only
  return headers['x-request-id'] === undefined ? answer : { ...answer, request_id: response.headers.get('x-request-id') };
}

/** The rows one order wrote, as the app's tables hold them (timestamps left out, ids kept). */
async function rowsOfOrder(db, orderId) {
  const rows = async (sql, params = [orderId]) => (await db.query(sql, params)).map((row) => normalise(JSON.parse(JSON.stringify(row))));
  return {
    orders: await rows('SELECT id, customer_id, status, total_cents, carrier, tracking_number FROM orders WHERE id = ?'),
    order_items: await rows(
      'SELECT order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents FROM order_items WHERE order_id = ?',
    ),
    order_status_history: await rows('SELECT order_id, status, note, actor FROM order_status_history WHERE order_id = ?'),
    stock_movements: await rows(
      "SELECT id, product_id, type, delta, quantity_after, reference_type, reference_id, reason, actor FROM stock_movements WHERE reference_type = 'order' AND reference_id = ?",
    ),
    products: await rows('SELECT id, stock_quantity FROM products WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?)'),
    // the count placement keeps, which a history's total is
    customers: await rows('SELECT id, orders_count FROM customers WHERE id = (SELECT customer_id FROM orders WHERE id = ?)'),
    // the seed writes no events: those there are this order's (position is stamped later by the app's relay alone);
    // request_id as stored, not by form: the placement sent the same X-Request-Id to both
    events: (
      await rows('SELECT event_id, type, subject_type, subject_id, actor, request_id AS sent_request_id, data FROM events ORDER BY id', [])
    ).map(({ sent_request_id, ...event }) => ({ ...event, request_id: sent_request_id, data: normalise(JSON.parse(event.data)) })),
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A cursor as the app's lists write them (src/common/pagination.ts, encodeCursor). */
const cursorOf = (list, keys) => Buffer.from(JSON.stringify({ list, keys })).toString('base64url');

/**
 * Compares `app` and `baseline` (running variants: server, db) on copies of one seeded database. Resolves to a list
 * of differences, empty when the two agree.
 */
async function checkParity(app, baseline) {
  const differences = [];
  /** `pick` narrows what must agree, where the wording may differ (class-validator's messages). */
  const compareCalls = async (label, method, path, { body, headers, pick = (answer) => answer } = {}) => {
    const a = pick(await call(app.server.baseUrl, method, path, body, headers));
    const b = pick(await call(baseline.server.baseUrl, method, path, body, headers));
    if (!same(a, b))
      differences.push(`${label}: ${method} ${path}\n    app:      ${JSON.stringify(a)}\n    baseline: ${JSON.stringify(b)}`);
    return a;
  };
  await compareCalls('health', 'GET', '/health');
  await compareCalls('product', 'GET', '/products/1');
  await compareCalls('order', 'GET', '/orders/1');
  await compareCalls('history', 'GET', '/orders/1/history?limit=20');
  const full = await compareCalls('history, a full page', 'GET', '/orders/1/history?limit=2&offset=1');
  if (typeof full.body?.next_cursor === 'string') {
    // the databases are copies: the app's cursor is a position in both
    await compareCalls('history, the next page', 'GET', `/orders/1/history?limit=2&after=${full.body.next_cursor}`);
  }
  await compareCalls('history, a cursor of another list', 'GET', `/orders/1/history?after=${cursorOf('products', [1])}`);
  await compareCalls(
    'history, offset with a cursor',
    'GET',
    `/orders/1/history?offset=1&after=${cursorOf('orders', ['2026-01-01T00:00:00.000Z', 1])}`,
    {
      pick: ({ status, body }) => ({ status, code: body.code, fields: body.errors?.map((e) => e.field).sort() }),
    },
  );
  // two lines given in descending product order: both servers lock and answer them ascending
  const order = {
    customer_id: 1,
    items: [
      { product_id: 3, quantity: 2 },
      { product_id: 2, quantity: 1 },
    ],
  };
  const placed = await compareCalls('placement', 'POST', '/orders', {
    body: order,
    headers: { 'x-api-key': API_KEY, 'x-request-id': PLACEMENT_REQUEST_ID },
  });
  if (placed.status === 201) {
    const id = placed.body.order.id;
    const [a, b] = [await rowsOfOrder(app.db, id), await rowsOfOrder(baseline.db, id)];
    for (const table of Object.keys(a)) {
      if (!same(a[table], b[table]))
        differences.push(
          `rows of order ${id} in ${table}\n    app:      ${JSON.stringify(a[table])}\n    baseline: ${JSON.stringify(b[table])}`,
        );
    }
  }
  // the same id on both: the databases are copies
  const [scarce] = [await addHotProduct(app.db, 1), await addHotProduct(baseline.db, 1)];
  await compareCalls('insufficient stock', 'POST', '/orders', { body: { customer_id: 1, items: [{ product_id: scarce, quantity: 2 }] } });
  await compareCalls('unknown product', 'POST', '/orders', { body: { customer_id: 1, items: [{ product_id: 99_999, quantity: 1 }] } });
  await compareCalls('unknown customer', 'POST', '/orders', { body: { customer_id: 99_999, items: [{ product_id: 1, quantity: 1 }] } });
  // refused placements roll their count back with them (the cursor holds the placement's time, which differs)
  await compareCalls('history after the refusals', 'GET', '/orders/1/history?limit=1', {
    pick: ({ status, body }) => ({ status, total: body.total, total_exact: body.total_exact }),
  });
  await compareCalls('invalid order', 'POST', '/orders', {
    body: { customer_id: 1, items: [{ product_id: 1, quantity: 0 }], coupon: 'x' },
    pick: ({ status, body }) => ({ status, code: body.code, fields: body.errors?.map((e) => e.field).sort() }),
  });
  await compareCalls('unknown order', 'GET', '/orders/99999');
  await compareCalls('unknown customer history', 'GET', '/orders/99999/history');
  await compareCalls('bad id', 'GET', '/products/abc');
  await compareCalls('no API key', 'GET', '/orders/1', { headers: {}, pick: ({ status, body }) => ({ status, code: body.code }) });
  return differences;
}

module.exports = { checkParity };
