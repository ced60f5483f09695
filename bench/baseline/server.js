'use strict';
/**
 * The benchmark's baseline: what Node and MariaDB manage here without a framework, answering the app's hot routes
 * with the same guarantees, so that `npm run bench -- --mysql` can say what the app costs as a ratio (app ÷ baseline).
 *
 *   GET  /health                        SELECT 1, as the app's health check pings the database
 *   GET  /products/:id                  public
 *   POST /orders                        X-API-Key
 *   GET  /orders/:id                    X-API-Key
 *   GET  /orders/:customer_id/history   X-API-Key; ?limit=&offset=&after=
 *
 * It runs on a database the app's migrations made (the benchmark clones one), through mysql2's text protocol as
 * TypeORM does, with a pool of DB_POOL_SIZE connections (the app's default, 10). Answers are the app's JSON to the
 * byte for the same rows: field names and order, money as numbers with two decimals, timestamps ISO 8601 UTC,
 * problem+json errors with `code` and `request_id`, X-Request-Id echoed.
 *
 * The same statements as the app (README, "Benchmarks"): the same rows read and written through the same indexes, in
 * the same order, in one transaction for a placement: the order counted in the customer's row (the conditional UPDATE
 * that also says the customer exists), the products read, the order inserted, then per line in ascending product id the
 * conditional stock UPDATE, the product's stock read back under its row lock and the `order` movement inserted, then
 * the order's lines, its `pending` status row and its events (`stock.changed` per line, `stock.low` where a line took
 * the product to its reorder threshold, `order.created`) in one INSERT, then COMMIT; a deadlock or lock wait timeout
 * retries it all. The audit trail as the app's: the movements, the status row and the events name their actor (the
 * API_KEYS key), and the events the request's id (its X-Request-Id when sane, else a new UUID). A history page is read
 * as the app reads it: the total as the customer's orders_count (one row by primary key, which also says the customer
 * exists), the page's keys by FORCE INDEX with one row more, the rows by id.
 * What it leaves out is what the ORM adds without need: the read-back of generated columns the answer does not use
 * (the status row's and the events' created_at), a separate DISTINCT query before reading an order with its lines,
 * and whole rows where the answer needs a few columns. Also left out, because the benchmark does not use them:
 * customer tokens (only X-API-Key), rate limiting (callers with an API key are not limited by the app either),
 * Idempotency-Key, the HTTP hardening headers, request logging (its cost is measured on its own) and metrics.
 */
const { createHash, randomUUID, timingSafeEqual } = require('node:crypto');
const http = require('node:http');
const { STATUS_CODES } = require('node:http');
const mysql = require('mysql2/promise');

const MAX_ID = 2_147_483_647;
const MAX_LINE_QUANTITY = 10_000;
const MAX_LINES = 100;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const MAX_OFFSET = 1_000_000_000;
/** `total` counts at most this many rows (the app's TOTAL_CAP); a list with more says this with `total_exact: false`. */
const TOTAL_CAP = 10_000;
const MAX_CURSOR_LENGTH = 512;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;
/** The list a customer's history is (the app's `newestFirst('orders')`, shared with GET /orders): its cursors name it. */
const ORDERS_LIST = 'orders';
const BODY_LIMIT_BYTES = 1024 * 1024;
const DATABASE_RETRY_AFTER_SECONDS = 5;
// the app's TransactionRunner: full-jitter backoff from 5 ms doubling up to 1 s, twelve attempts in all
const MAX_ATTEMPTS = 12;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 1000;

const env = process.env;
const pool = mysql.createPool({
  host: env.DB_HOST ?? '127.0.0.1',
  port: Number(env.DB_PORT ?? 3306),
  user: env.DB_USERNAME ?? 'root',
  password: env.DB_PASSWORD ?? '',
  database: env.DB_DATABASE ?? 'ecommerce',
  // as the app's TypeORM options: UTC dates, the same connection charset, the same pool size
  timezone: 'Z',
  charset: 'utf8mb4_unicode_ci',
  connectionLimit: Number(env.DB_POOL_SIZE ?? 10),
  waitForConnections: true,
  connectTimeout: 2000,
});

const apiKeyDigests = (env.API_KEYS || 'dev-api-key')
  .split(',')
  .map((key) => key.trim())
  .filter(Boolean)
  .map(digest);

/**
 * Who the audit trail says made a change: the baseline accepts only the keys of API_KEYS, which the app records as
 * this actor (JSON text in the actor columns, an object in stock.changed's data).
 */
const ACTOR = { type: 'api_key', id: null, name: 'API_KEYS' };
const ACTOR_JSON = JSON.stringify(ACTOR);

function digest(text) {
  return createHash('sha256').update(text).digest();
}

/** Constant time over every configured key, as the app's ApiKeys. */
function isValidApiKey(presented) {
  if (typeof presented !== 'string' || !presented) return false;
  const candidate = digest(presented);
  return apiKeyDigests.reduce((found, key) => timingSafeEqual(key, candidate) || found, false);
}

class Problem extends Error {
  constructor(status, code, detail, errors, retryAfter) {
    super(detail);
    Object.assign(this, { status, code, errors, retryAfter });
  }
}

const validationFailed = (errors) =>
  new Problem(400, 'VALIDATION_FAILED', `Invalid input: ${errors.map((e) => e.message).join('; ')}`, errors);

// ---------------------------------------------------------------------------------------------------- mapping

const fromCents = (cents) => Number((Number(cents) / 100).toFixed(2));
const iso = (date) => (date ? date.toISOString() : null);

function toProductResponse(p) {
  return {
    id: p.id,
    name: p.name,
    price: fromCents(p.price_cents),
    description: p.description,
    stock_quantity: p.stock_quantity,
    reorder_threshold: p.reorder_threshold,
    reorder_quantity: p.reorder_quantity,
    lead_time_days: p.lead_time_days,
    reorder_policy: p.reorder_policy,
    service_level: p.service_level_bp / 10_000,
    cover_days: p.cover_days,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
  };
}

/** `items`: rows of order_items (or the lines just written), answered in product id order as the app does. */
function toOrderResponse(order, items) {
  return {
    id: order.id,
    customer_id: order.customer_id,
    status: order.status,
    items: [...items]
      .sort((a, b) => a.product_id - b.product_id)
      .map((item) => ({
        product_id: item.product_id,
        product_name: item.product_name,
        unit_price: fromCents(item.unit_price_cents),
        quantity: item.quantity,
        line_total: fromCents(item.line_total_cents),
      })),
    total_price: fromCents(order.total_cents),
    created_at: iso(order.created_at),
    updated_at: iso(order.updated_at),
  };
}

// ---------------------------------------------------------------------------------------------------- input

/** A path id: plain digits, positive, within a signed 32-bit INTEGER (the app's ParseIdPipe). */
function parseId(text) {
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_ID) {
    throw new Problem(400, 'INVALID_ID', `"${text.slice(0, 40)}" is not a valid id: expected a positive integer`);
  }
  return Number(text);
}

/**
 * limit and offset as plain digits within their bounds, after as a string, offset 0 (or absent) with after; any
 * other parameter is refused, as the app's whitelist does. The cursor itself is decoded later, as the app does.
 */
function parsePage(query) {
  const errors = [];
  const page = { limit: DEFAULT_LIMIT, offset: 0, after: undefined };
  for (const [name, value] of query) {
    if (name === 'after') {
      if (query.getAll(name).length > 1) errors.push({ field: name, message: 'after must be a string' });
      else page.after = value;
      continue;
    }
    if (name !== 'limit' && name !== 'offset') {
      errors.push({ field: name, message: `property ${name} should not exist` });
      continue;
    }
    const [min, max] = name === 'limit' ? [1, MAX_LIMIT] : [0, MAX_OFFSET];
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max) || query.getAll(name).length > 1) {
      errors.push({ field: name, message: `${name} must be an integer from ${min} to ${max}` });
    } else page[name] = n;
  }
  if (page.after !== undefined && page.offset !== 0)
    errors.push({ field: 'offset', message: 'offset must be 0 (or absent) with after: the cursor already says where the page starts' });
  if (errors.length) throw validationFailed(errors);
  return page;
}

/** The app's cursor: base64url of `{"list": …, "keys": [created_at ISO, id]}` of a page's last item. */
const encodeCursor = (keys) => Buffer.from(JSON.stringify({ list: ORDERS_LIST, keys })).toString('base64url');

const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{3})?Z$/;

/** The sort keys a cursor holds, or 400 INVALID_CURSOR on exactly what the app's decodeCursor refuses. */
function decodeCursor(cursor) {
  const refuse = (reason) =>
    new Problem(400, 'INVALID_CURSOR', `after is not a cursor of this list (${reason}): start without it, or pass next_cursor as given`, [
      { field: 'after', message: reason },
    ]);
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !CURSOR_PATTERN.test(cursor))
    throw refuse('empty, too long or not base64url');
  let decoded;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not JSON');
  }
  if (typeof decoded !== 'object' || decoded === null || !('list' in decoded) || !('keys' in decoded)) throw refuse('malformed');
  const { list, keys } = decoded;
  if (list !== ORDERS_LIST) throw refuse('it belongs to another list');
  const match = Array.isArray(keys) && typeof keys[0] === 'string' ? ISO_UTC.exec(keys[0]) : null;
  const validKeys =
    Array.isArray(keys) &&
    keys.length === 2 &&
    match !== null &&
    new Date(keys[0]).toISOString() === `${match[1]}${match[2] ?? '.000'}Z` &&
    Number.isSafeInteger(keys[1]) &&
    keys[1] >= 1 &&
    keys[1] <= MAX_ID;
  if (!validKeys) throw refuse('malformed sort keys');
  if (encodeCursor(keys) !== cursor) throw refuse('not as this list writes it');
  return keys;
}

const isIntIn = (value, min, max) => Number.isInteger(value) && value >= min && value <= max;

/** The essentials of the app's CreateOrderDto: known fields only, integers in range, 1 to 100 lines. */
function validateOrder(body) {
  const errors = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw validationFailed([{ field: '', message: 'body must be an object' }]);
  for (const key of Object.keys(body)) {
    if (key !== 'customer_id' && key !== 'items') errors.push({ field: key, message: `property ${key} should not exist` });
  }
  if (!isIntIn(body.customer_id, 1, MAX_ID))
    errors.push({ field: 'customer_id', message: `customer_id must be an integer from 1 to ${MAX_ID}` });
  if (!Array.isArray(body.items) || body.items.length < 1 || body.items.length > MAX_LINES) {
    errors.push({ field: 'items', message: `items must be an array of 1 to ${MAX_LINES} lines` });
  } else {
    body.items.forEach((item, i) => {
      const field = `items.${i}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        errors.push({ field, message: `${field} must be an object` });
        return;
      }
      for (const key of Object.keys(item)) {
        if (key !== 'product_id' && key !== 'quantity')
          errors.push({ field: `${field}.${key}`, message: `property ${field}.${key} should not exist` });
      }
      if (!isIntIn(item.product_id, 1, MAX_ID))
        errors.push({ field: `${field}.product_id`, message: `${field}.product_id must be an integer from 1 to ${MAX_ID}` });
      if (!isIntIn(item.quantity, 1, MAX_LINE_QUANTITY)) {
        errors.push({ field: `${field}.quantity`, message: `${field}.quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}` });
      }
    });
  }
  if (errors.length) throw validationFailed(errors);
  return body;
}

/** Lines for one product merged and sorted by product id: the order stock rows are locked in. */
function mergeLines(items) {
  const merged = new Map();
  for (const { product_id, quantity } of items) merged.set(product_id, (merged.get(product_id) ?? 0) + quantity);
  const lines = [...merged].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId - b.productId);
  const tooLarge = lines.filter((l) => l.quantity > MAX_LINE_QUANTITY);
  if (tooLarge.length) {
    throw new Problem(
      400,
      'LINE_QUANTITY_TOO_LARGE',
      `At most ${MAX_LINE_QUANTITY} units of one product per order`,
      tooLarge.map((l) => ({ product_id: l.productId, requested: l.quantity, max: MAX_LINE_QUANTITY })),
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------- routes

/** The app's answer without REDIS_URL (as the benchmark runs it): the database's state, pinged with SELECT 1 as terminus does. */
async function health() {
  await pool.query('SELECT 1');
  const database = { status: 'up' };
  return { status: 'ok', info: { database }, error: {}, details: { database } };
}

const PRODUCT_COLUMNS =
  'id, name, description, price_cents, stock_quantity, reorder_threshold, reorder_quantity, lead_time_days, reorder_policy, service_level_bp, cover_days, created_at, updated_at';

async function getProduct(id) {
  const [rows] = await pool.query(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ? AND deleted_at IS NULL LIMIT 1`, [id]);
  if (!rows.length) throw new Problem(404, 'PRODUCT_NOT_FOUND', `Product ${id} not found`);
  return toProductResponse(rows[0]);
}

/** The order and its lines in one statement: the app's second query of findOne with relations, without its first. */
async function getOrder(id) {
  const [rows] = await pool.query(
    `SELECT o.id, o.customer_id, o.status, o.total_cents, o.created_at, o.updated_at,
            i.id AS item_id, i.product_id, i.product_name, i.unit_price_cents, i.quantity, i.line_total_cents
       FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
      WHERE o.id = ?`,
    [id],
  );
  if (!rows.length) throw new Problem(404, 'ORDER_NOT_FOUND', `Order ${id} not found`);
  return toOrderResponse(
    rows[0],
    rows.filter((row) => row.item_id !== null),
  );
}

/**
 * A customer's orders, newest first by (created_at, id), as the app reads them: the total from the count placement
 * keeps in the customer's row (orders_count), capped at TOTAL_CAP as the app answers it; the page's keys from
 * IDX_orders_customer_created (FORCE INDEX, as the app on MariaDB), LIMIT limit + 1 so the extra row says whether a
 * next page exists, after the cursor's keys with `after`; the page's rows by primary key; then their lines in one more
 * query. The same statements, the same index hint, in the same order.
 */
async function history(customerId, page) {
  const [customer] = await pool.query('SELECT orders_count FROM customers WHERE id = ?', [customerId]);
  if (!customer.length) throw new Problem(404, 'CUSTOMER_NOT_FOUND', `Customer ${customerId} not found`);
  const after = page.after === undefined ? undefined : decodeCursor(page.after);
  const counted = customer[0].orders_count;
  // the app's keyset condition for DESC: k1 <= v1 AND (k1 < v1 OR (k1 = v1 AND k2 < v2)), which MariaDB seeks with
  const keyset = after ? ' AND (o.created_at <= ? AND (o.created_at < ? OR (o.created_at = ? AND o.id < ?)))' : '';
  const at = after && after[0].replace('T', ' ').replace('Z', '');
  const [keys] = await pool.query(
    `SELECT o.created_at AS key_0, o.id AS key_1 FROM orders o FORCE INDEX (IDX_orders_customer_created)
      WHERE o.customer_id = ?${keyset} ORDER BY o.created_at DESC, o.id DESC LIMIT ${page.limit + 1}${page.offset ? ` OFFSET ${page.offset}` : ''}`,
    after ? [customerId, at, at, at, after[1]] : [customerId],
  );
  const more = keys.length > page.limit;
  if (more) keys.length = page.limit;
  const ids = keys.map((key) => Number(key.key_1));
  const [found] = ids.length
    ? await pool.query('SELECT id, customer_id, status, total_cents, created_at, updated_at FROM orders WHERE id IN (?)', [ids])
    : [[]];
  const byId = new Map(found.map((order) => [order.id, order]));
  const orders = ids.flatMap((id) => byId.get(id) ?? []);
  const [items] = orders.length
    ? await pool.query(
        'SELECT order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents FROM order_items WHERE order_id IN (?)',
        [orders.map((o) => o.id)],
      )
    : [[]];
  const last = keys.at(-1);
  return {
    items: orders.map((order) =>
      toOrderResponse(
        order,
        items.filter((item) => item.order_id === order.id),
      ),
    ),
    total: Math.min(counted, TOTAL_CAP),
    total_exact: counted <= TOTAL_CAP,
    limit: page.limit,
    offset: page.offset,
    next_cursor: more && last ? encodeCursor([last.key_0.toISOString(), Number(last.key_1)]) : null,
  };
}

/** Thrown inside the placing transaction to roll it back; answered after, with fresh stock figures. */
class StockShortfall extends Error {
  constructor(lines) {
    super('insufficient stock');
    this.lines = lines;
  }
}

const newEventId = () => `evt_${randomUUID().replace(/-/g, '')}`;

/** `requestId`: the request's X-Request-Id (or the UUID given it), which the app records on the events it writes. */
async function placeOrder(body, requestId) {
  const { customer_id: customerId } = validateOrder(body);
  const lines = mergeLines(body.items);
  try {
    return await withRetry((connection) => placeIn(connection, customerId, lines, requestId));
  } catch (error) {
    if (!(error instanceof StockShortfall)) throw error;
    const ids = error.lines.map((l) => l.productId);
    const [rows] = await pool.query('SELECT id, stock_quantity, deleted_at FROM products WHERE id IN (?)', [ids]);
    const available = new Map(rows.map((p) => [p.id, p.deleted_at ? 0 : p.stock_quantity]));
    throw new Problem(
      409,
      'INSUFFICIENT_STOCK',
      `Not enough stock for product ${ids.join(', ')}`,
      error.lines.map((l) => ({ product_id: l.productId, requested: l.quantity, available: available.get(l.productId) ?? 0 })),
    );
  }
}

async function placeIn(connection, customerId, lines, requestId) {
  // the customer's row is held from here to COMMIT: customer first, then the products, as the app locks them
  const [counted] = await connection.query('UPDATE customers SET orders_count = orders_count + 1 WHERE id = ? AND deleted_at IS NULL', [
    customerId,
  ]);
  if (counted.affectedRows !== 1) throw new Problem(404, 'CUSTOMER_NOT_FOUND', `Customer ${customerId} not found`);
  const [productRows] = await connection.query('SELECT id, name, price_cents FROM products WHERE id IN (?) AND deleted_at IS NULL', [
    lines.map((l) => l.productId),
  ]);
  const products = new Map(productRows.map((p) => [p.id, p]));
  const missing = lines.filter((l) => !products.has(l.productId));
  if (missing.length) {
    throw new Problem(
      404,
      'PRODUCT_NOT_FOUND',
      `Product ${missing.map((l) => l.productId).join(', ')} not found`,
      missing.map((l) => ({ product_id: l.productId })),
    );
  }
  const items = lines.map(({ productId, quantity }) => {
    const product = products.get(productId);
    return {
      product_id: productId,
      quantity,
      product_name: product.name,
      unit_price_cents: product.price_cents,
      line_total_cents: product.price_cents * quantity,
    };
  });
  const totalCents = items.reduce((sum, item) => sum + item.line_total_cents, 0);
  const [inserted] = await connection.query('INSERT INTO orders (customer_id, status, total_cents) VALUES (?, ?, ?)', [
    customerId,
    'pending',
    totalCents,
  ]);
  const orderId = inserted.insertId;
  // the timestamps are the database's (the columns' defaults), as the app's; the answer needs them
  const [[stamps]] = await connection.query('SELECT created_at, updated_at FROM orders WHERE id = ?', [orderId]);

  const events = [];
  const short = [];
  for (const { productId, quantity } of lines) {
    // one conditional UPDATE: it cannot oversell, whatever the concurrency; TypeORM adds the updated_at
    const [taken] = await connection.query(
      'UPDATE products SET stock_quantity = stock_quantity + ?, updated_at = CURRENT_TIMESTAMP WHERE id = ? AND stock_quantity >= ? AND deleted_at IS NULL',
      [-quantity, productId, quantity],
    );
    if (taken.affectedRows !== 1) {
      short.push({ productId, quantity });
      continue;
    }
    // the quantity after this change, from the row this transaction now holds locked (the ledger and stock.low need it)
    const [[level]] = await connection.query('SELECT stock_quantity, reorder_threshold FROM products WHERE id = ?', [productId]);
    const createdAt = new Date();
    const [movement] = await connection.query(
      `INSERT INTO stock_movements (product_id, type, delta, quantity_after, reference_type, reference_id, reason, actor, created_at)
       VALUES (?, 'order', ?, ?, 'order', ?, NULL, ?, ?)`,
      [productId, -quantity, level.stock_quantity, orderId, ACTOR_JSON, createdAt],
    );
    const data = {
      id: movement.insertId,
      type: 'order',
      delta: -quantity,
      quantity_after: level.stock_quantity,
      order_id: orderId,
      replenishment_id: null,
      reason: null,
      actor: ACTOR,
      created_at: createdAt.toISOString(),
      product_id: productId,
      quantity: level.stock_quantity,
    };
    events.push(['stock.changed', 'product', productId, data]);
    const before = level.stock_quantity + quantity;
    if (before > level.reorder_threshold && level.stock_quantity <= level.reorder_threshold) {
      events.push([
        'stock.low',
        'product',
        productId,
        { product_id: productId, quantity: level.stock_quantity, reorder_threshold: level.reorder_threshold },
      ]);
    }
  }
  if (short.length) throw new StockShortfall(short);

  await connection.query(
    'INSERT INTO order_items (order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents) VALUES ?',
    [items.map((i) => [orderId, i.product_id, i.product_name, i.unit_price_cents, i.quantity, i.line_total_cents])],
  );
  await connection.query('INSERT INTO order_status_history (order_id, status, note, actor) VALUES (?, ?, ?, ?)', [
    orderId,
    'pending',
    'Order placed',
    ACTOR_JSON,
  ]);
  const order = toOrderResponse({ id: orderId, customer_id: customerId, status: 'pending', total_cents: totalCents, ...stamps }, items);
  events.push(['order.created', 'order', orderId, order]);
  // the transactional outbox: the events commit with the change or not at all
  await connection.query('INSERT INTO events (event_id, type, subject_type, subject_id, actor, request_id, data) VALUES ?', [
    events.map(([type, subjectType, subjectId, data]) => [
      newEventId(),
      type,
      subjectType,
      subjectId,
      ACTOR_JSON,
      requestId,
      JSON.stringify(data),
    ]),
  ]);
  return { message: 'Order placed', order };
}

/** One transaction, retried from the start on a deadlock (1213) or a lock wait timeout (1205), as the app's TransactionRunner. */
async function withRetry(work) {
  for (let attempt = 1; ; attempt++) {
    const connection = await pool.getConnection();
    try {
      await connection.query('START TRANSACTION');
      const result = await work(connection);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      if (attempt >= MAX_ATTEMPTS || (error.errno !== 1213 && error.errno !== 1205)) throw error;
      const delay = Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
    } finally {
      connection.release();
    }
  }
}

// ---------------------------------------------------------------------------------------------------- HTTP

const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

function requireApiKey(request) {
  const key = request.headers['x-api-key'];
  if (key === undefined) throw new Problem(401, 'UNAUTHORIZED', 'Send X-API-Key (the baseline has no customer tokens)');
  if (!isValidApiKey(key)) throw new Problem(401, 'UNAUTHORIZED', 'Unknown API key');
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      request.resume();
      reject(new Problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'));
      return;
    }
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > BODY_LIMIT_BYTES) return reject(new Problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MB'));
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return reject(new Problem(400, 'MALFORMED_JSON', 'The request body is empty but declared as JSON'));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON'));
      }
    });
  });
}

/** Routes a request to its handler: [status, body]. */
async function route(request, path, query, requestId) {
  const method = request.method;
  const segments = path.split('/').slice(1);
  if (method === 'GET' && path === '/health') return [200, await health()];
  if (segments[0] === 'products' && segments.length === 2 && method === 'GET') return [200, await getProduct(parseId(segments[1]))];
  if (segments[0] === 'orders') {
    if (segments.length === 1 && method === 'POST') {
      requireApiKey(request);
      return [201, await placeOrder(await readJson(request), requestId)];
    }
    if (segments.length === 2 && method === 'GET') {
      requireApiKey(request);
      return [200, await getOrder(parseId(segments[1]))];
    }
    if (segments.length === 3 && segments[2] === 'history' && method === 'GET') {
      requireApiKey(request);
      return [200, await history(parseId(segments[1]), parsePage(query))];
    }
  }
  throw new Problem(404, 'NOT_FOUND', `Route ${method}:${path} not found`);
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
]);

function toProblemBody(error, path, requestId) {
  let problem = error;
  if (!(error instanceof Problem)) {
    if (CONNECTION_ERROR_CODES.has(error?.code) || error?.fatal === true) {
      problem = new Problem(
        503,
        'DATABASE_UNAVAILABLE',
        'The database is unavailable; retry shortly',
        undefined,
        DATABASE_RETRY_AFTER_SECONDS,
      );
    } else {
      console.error(error?.stack ?? error);
      problem = new Problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred');
    }
  }
  const body = {
    type: 'about:blank',
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    instance: path,
    ...(problem.errors?.length ? { errors: problem.errors } : {}),
    request_id: requestId,
  };
  return { body, retryAfter: problem.retryAfter };
}

function send(response, status, body, requestId, contentType = 'application/json; charset=utf-8', retryAfter) {
  const payload = JSON.stringify(body);
  const headers = { 'content-type': contentType, 'content-length': Buffer.byteLength(payload), 'x-request-id': requestId };
  if (retryAfter) headers['retry-after'] = String(retryAfter);
  response.writeHead(status, headers);
  response.end(payload);
}

const server = http.createServer(async (request, response) => {
  const header = request.headers['x-request-id'];
  const requestId = typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
  const [rawPath, rawQuery = ''] = request.url.split('?', 2);
  let path = rawPath;
  try {
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      throw new Problem(400, 'MALFORMED_URL', 'The URL is not validly percent-encoded');
    }
    const [status, body] = await route(request, path, new URLSearchParams(rawQuery), requestId);
    send(response, status, body, requestId);
  } catch (error) {
    // a body the handler never read (an early 4xx) must not be left in the socket for the next request
    if (!request.complete) request.resume();
    const { body, retryAfter } = toProblemBody(error, path, requestId);
    send(response, body.status, body, requestId, 'application/problem+json; charset=utf-8', retryAfter);
  }
});

/** In-flight requests finish, then the pool closes; keep-alive connections still busy after 2 s are cut. */
function shutDown() {
  server.close(() =>
    pool.end().then(
      () => process.exit(0),
      () => process.exit(1),
    ),
  );
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 2000).unref();
}
process.once('SIGTERM', shutDown);
process.once('SIGINT', shutDown);

const port = Number(env.PORT ?? 3001);
server.listen(port, '0.0.0.0', () => console.log(`Baseline listening on http://localhost:${port}`));
