import { DataSource } from 'typeorm';
import { TOTAL_CAP } from '../src/common/pagination';
import { onMysql, startApp, TestApp } from './support/app';
import { createProduct } from './support/factories';
import { walk } from './support/paging';

/**
 * "No list may cost more as its table grows" (shared/API.md), on both engines, with tables of 3,000 to 10,600
 * rows written in bulk SQL:
 * - `total` counts at most TOTAL_CAP (10,000) rows: beyond, it is 10,000 with `total_exact: false`;
 * - every statement a list request runs is EXPLAINed, on the first page and on the page after a cursor deep in
 *   the list. What is required of each:
 *   - no sort (no filesort or temporary table on MariaDB, no TEMP B-TREE on SQLite) and no full table scan
 *     (MariaDB access type ALL; on SQLite a SCAN without an index, except the rowid b-tree read in order, which
 *     LIMIT stops);
 *   - the list's count, its page's keys and its page's rows read the index named for them below: the keys an
 *     index whose leading columns are the filters' equality columns and whose next ones are the list's order,
 *     the count an index its filters seek (unfiltered, any), the rows the primary key; a customer's orders are
 *     not counted: their total is read from the count placement keeps, one customers row by primary key;
 *   - after the cursor, the keys query seeks the index at the cursor: on SQLite its constraint bounds an order
 *     column (`created_at<?`); on MariaDB, by ANALYZE, it reads no more rows than the page and the extra one,
 *     at any depth;
 *   - on MariaDB, by ANALYZE, the count reads at most TOTAL_CAP + 1 rows and the rows query the page's.
 *   `search` (a substring match, which no index serves) is the one filter tested row by row: its page and count
 *   read the list's index in order, without sorting, as far as they must to find their matches, so their reads
 *   are not bounded here.
 */
/** Sizes: more than TOTAL_CAP where a capped total is tested, large enough elsewhere for plans to be real. */
const CUSTOMERS = 10_600; // one in 20 deleted: 10,070 listed
const PRODUCTS = 10_500; // one in 25 deleted: 10,080 listed
const ORDERS = 10_050; // over 53 customers (a prime, so that each has orders of every status), five statuses
const LEDGER = 3_000;
const REPLENISHMENTS = 3_000;
const WEBHOOKS = TOTAL_CAP - 1; // with the one made through the API: exactly TOTAL_CAP
const DELIVERIES = 3_000;
const EVENTS = 3_000;
/** Any index at all (see PlanCase.count). */
const ANY = expect.any(String);
/** No rows counted: the total is the count placement keeps (see PlanCase.count). */
const KEPT = 'kept';
/** Rows that share a created_at in the bulk tables (every third row starts a new time). */
const TIES = 3;

describe('Lists at scale (e2e)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let firstCustomer: number;
  let ledgerProduct: number;
  let replenishedProduct: number;
  let webhookId: number;

  beforeAll(async () => {
    t = await startApp();
    dataSource = t.app.get(DataSource);
    ledgerProduct = (await createProduct(t.http, { stock_quantity: 0 })).id;
    webhookId = (
      await t.http
        .post('/webhooks')
        .send({ url: 'http://127.0.0.1:9/deliveries', event_types: ['*'] })
        .expect(201)
    ).body.webhook.id;
    await seed();
  }, 180_000);
  afterAll(() => t.close());

  /** Inserts `rows` rows of `values` (SQL expressions of the row number `n`, 1 to rows) in one statement. */
  async function bulkInsert(table: string, rows: number, values: Record<string, string>): Promise<void> {
    const columns = Object.keys(values).join(', ');
    const select = Object.values(values).join(', ');
    await dataSource.query(
      onMysql
        ? // MariaDB's SEQUENCE engine: seq_1_to_N is a table of the numbers 1 to N
          `INSERT INTO ${table} (${columns}) SELECT ${select} FROM (SELECT seq AS n FROM seq_1_to_${rows}) numbers`
        : `WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < ${rows})
           INSERT INTO ${table} (${columns}) SELECT ${select} FROM numbers`,
    );
  }
  const text = (...parts: string[]) => (onMysql ? `CONCAT(${parts.join(', ')})` : parts.join(' || '));
  /** 2026-01-01 00:00:00.250 plus one second every TIES rows, as DATETIME(3) holds it. */
  const time = onMysql
    ? `TIMESTAMP('2026-01-01 00:00:00.250') + INTERVAL (n DIV ${TIES}) SECOND`
    : `strftime('%Y-%m-%d %H:%M:%f', '2026-01-01 00:00:00.250', '+' || (n / ${TIES}) || ' seconds')`;
  const firstId = async (table: string, where: string) =>
    Number((await dataSource.query(`SELECT MIN(id) AS id FROM ${table} WHERE ${where}`))[0].id);

  async function seed(): Promise<void> {
    await bulkInsert('customers', CUSTOMERS, {
      name: text("'Bulk customer '", 'n'),
      email: text("'bulk'", 'n', "'@example.com'"),
      email_key: `CASE WHEN n % 20 = 0 THEN NULL ELSE ${text("'bulk'", 'n', "'@example.com'")} END`,
      created_at: time,
      deleted_at: `CASE WHEN n % 20 = 0 THEN ${time} END`,
    });
    firstCustomer = await firstId('customers', "email LIKE 'bulk%'");

    // one in 40 out of stock, one in 7 with a threshold of 50 (low), one in 25 deleted
    await bulkInsert('products', PRODUCTS, {
      name: text("'Bulk product '", 'n'),
      price_cents: '100',
      stock_quantity: 'n % 40',
      reorder_threshold: 'CASE WHEN n % 7 = 0 THEN 50 ELSE 0 END',
      created_at: time,
      deleted_at: `CASE WHEN n % 25 = 0 THEN ${time} END`,
    });
    // each product's opening stock is its initial movement, so the ledger still sums to the stock
    await dataSource.query(
      `INSERT INTO stock_movements (product_id, type, delta, quantity_after, reference_type, reason, created_at)
       SELECT id, 'initial', stock_quantity, stock_quantity, 'initial', 'Initial stock', created_at FROM products WHERE name LIKE 'Bulk product %'`,
    );
    replenishedProduct = await firstId('products', "name LIKE 'Bulk product %'");

    await bulkInsert('stock_movements', LEDGER, {
      product_id: String(ledgerProduct),
      type: "'adjustment'",
      delta: '1',
      quantity_after: 'n',
      reference_type: "'adjustment'",
      created_at: time,
    });
    await dataSource.query('UPDATE products SET stock_quantity = ? WHERE id = ?', [LEDGER, ledgerProduct]);

    const statuses = (cases: string[]) =>
      `CASE n % ${cases.length} ${cases.map((status, i) => `WHEN ${i} THEN '${status}'`).join(' ')} END`;
    await bulkInsert('orders', ORDERS, {
      customer_id: `${firstCustomer} + n % 53`,
      status: statuses(['pending', 'processing', 'shipped', 'delivered', 'cancelled']),
      total_cents: '1000',
      created_at: time,
    });
    // what placement counts, as the migration backfills it
    await dataSource.query('UPDATE customers SET orders_count = (SELECT COUNT(*) FROM orders WHERE orders.customer_id = customers.id)');
    await dataSource.query(
      `INSERT INTO order_items (order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents)
       SELECT id, ?, 'Bulk product', 1000, 1, 1000 FROM orders`,
      [replenishedProduct],
    );
    // settled orders (received or cancelled): nothing incoming
    await bulkInsert('replenishments', REPLENISHMENTS, {
      product_id: `${replenishedProduct} + n % 31`,
      quantity: '5',
      received_quantity: 'CASE WHEN n % 2 = 0 THEN 0 ELSE 5 END',
      status: statuses(['cancelled', 'received']),
      origin: "'manual'",
      created_at: time,
    });
    // disabled: the relay would otherwise owe each of them every event
    await bulkInsert('webhooks', WEBHOOKS, {
      url: text("'http://127.0.0.1:9/bulk-'", 'n'),
      event_types: `'["*"]'`,
      secret: "'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'",
      enabled: '0',
      created_at: time,
    });
    await bulkInsert('webhook_deliveries', DELIVERIES, {
      webhook_id: String(webhookId),
      event_id: text("'evt_bulk_'", 'n'),
      event_type: "'customer.created'",
      subject_type: "'customer'",
      subject_id: 'n',
      payload: "'{}'",
      status: statuses(['succeeded', 'failed', 'succeeded']),
      attempts: '1',
      next_attempt_at: 'NULL',
      created_at: time,
    });
    await dataSource.query(
      `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code, duration_ms, attempted_at)
       SELECT id, 1, 200, 10, created_at FROM webhook_deliveries`,
    );
    await bulkInsert('events', EVENTS, {
      event_id: text("'evt_seed_'", 'n'),
      type: statuses(['customer.created', 'order.created', 'product.created']),
      subject_type: "'customer'",
      subject_id: 'n',
      data: "'{}'",
      created_at: time,
      position: 'n',
    });
    // MariaDB's statistics as a server that has run a while has them; SQLite's planner has none, as in production
    if (onMysql) {
      await dataSource.query(
        'ANALYZE TABLE customers, products, orders, order_items, stock_movements, replenishments, webhooks, webhook_deliveries, webhook_delivery_attempts, events',
      );
    }
  }

  describe('total counts at most 10,000', () => {
    it('says 10000 with total_exact: false beyond the cap, the exact count up to it', async () => {
      for (const path of ['/customers', '/products', '/orders']) {
        expect([path, (await t.http.get(path).expect(200)).body]).toEqual([
          path,
          expect.objectContaining({ total: TOTAL_CAP, total_exact: false }),
        ]);
      }
      const pending = (await t.http.get('/orders').query({ status: 'pending' }).expect(200)).body;
      expect([pending.total, pending.total_exact]).toEqual([ORDERS / 5, true]);
      const history = (await t.http.get(`/orders/${firstCustomer}/history`).expect(200)).body;
      const [{ orders }] = await dataSource.query('SELECT COUNT(*) AS orders FROM orders WHERE customer_id = ?', [firstCustomer]);
      expect([history.total, history.total_exact]).toEqual([Number(orders), true]);
    });

    it('is exact at exactly 10,000 and capped from 10,001', async () => {
      const at = (await t.http.get('/webhooks').query({ limit: 1 }).expect(200)).body;
      expect([at.total, at.total_exact]).toEqual([TOTAL_CAP, true]);
      await t.http
        .post('/webhooks')
        .send({ url: 'http://127.0.0.1:9/one-more', event_types: ['order.*'] })
        .expect(201);
      const over = (await t.http.get('/webhooks').query({ limit: 1 }).expect(200)).body;
      expect([over.total, over.total_exact]).toEqual([TOTAL_CAP, false]);
      // the cap holds on every page, also one reached with after
      const next = (await t.http.get('/webhooks').query({ limit: 1, after: over.next_cursor }).expect(200)).body;
      expect([next.total, next.total_exact]).toEqual([TOTAL_CAP, false]);
    });

    it('walking 2,010 orders 100 at a time reads each once, in order, ties of three included', async () => {
      const expected: { id: number | string }[] = await dataSource.query(
        "SELECT id FROM orders WHERE status = 'pending' ORDER BY created_at DESC, id DESC",
      );
      const walked = await walk(t.http, '/orders', { status: 'pending' }, 100);
      expect(walked.items.map((order) => order.id)).toEqual(expected.map((row) => Number(row.id)));
      expect(walked.pages).toHaveLength(Math.ceil(expected.length / 100));
    });
  });

  describe('every list reads an index range', () => {
    interface PlanCase {
      /** The list's route and filters. */
      path: () => string;
      query: () => Record<string, string | number | boolean>;
      /** The table the list reads, as its SQL names it. */
      table: string;
      /**
       * The index the page and the count read ('PRIMARY': the primary key). ANY: the count of a list without
       * filters may read whichever index the planner finds smallest, up to TOTAL_CAP + 1 entries. KEPT: a
       * customer's orders are not counted; their total is the customer's orders_count, one row by primary key.
       */
      page: string;
      count: string;
      /** false where a filter is tested row by row (search), so the page's reads depend on how rare matches are. */
      bounded?: boolean;
      /** One row (a unique key): there is no deep page to read. */
      single?: boolean;
    }

    const cases: [string, PlanCase][] = [
      [
        'customers',
        { path: () => '/customers', query: () => ({}), table: 'customers', page: 'IDX_customers_active', count: 'IDX_customers_active' },
      ],
      [
        'customers by email',
        {
          path: () => '/customers',
          query: () => ({ email: 'bulk77@example.com' }),
          table: 'customers',
          page: 'UQ_customers_email_key',
          count: 'UQ_customers_email_key',
          single: true,
        },
      ],
      [
        'customers by search',
        {
          path: () => '/customers',
          query: () => ({ search: 'customer 1' }),
          table: 'customers',
          page: 'IDX_customers_active',
          count: 'IDX_customers_active',
          bounded: false,
        },
      ],
      [
        'products',
        { path: () => '/products', query: () => ({}), table: 'products', page: 'IDX_products_active', count: 'IDX_products_active' },
      ],
      [
        'products in stock',
        {
          path: () => '/products',
          query: () => ({ in_stock: true }),
          table: 'products',
          page: 'IDX_products_in_stock',
          count: 'IDX_products_in_stock',
        },
      ],
      [
        'products out of stock',
        {
          path: () => '/products',
          query: () => ({ in_stock: false }),
          table: 'products',
          page: 'IDX_products_in_stock',
          count: 'IDX_products_in_stock',
        },
      ],
      [
        'products by search',
        {
          path: () => '/products',
          query: () => ({ search: 'product 2' }),
          table: 'products',
          page: 'IDX_products_active',
          count: 'IDX_products_active',
          bounded: false,
        },
      ],
      [
        'low stock',
        {
          path: () => '/inventory/low-stock',
          query: () => ({}),
          table: 'products',
          page: 'IDX_products_low_stock',
          count: 'IDX_products_low_stock',
        },
      ],
      ['orders', { path: () => '/orders', query: () => ({}), table: 'orders', page: 'IDX_orders_created', count: 'IDX_orders_created' }],
      [
        'orders by status',
        {
          path: () => '/orders',
          query: () => ({ status: 'shipped' }),
          table: 'orders',
          page: 'IDX_orders_status_created',
          count: 'IDX_orders_status_created',
        },
      ],
      [
        'orders by customer',
        {
          path: () => '/orders',
          query: () => ({ customer_id: firstCustomer + 7 }),
          table: 'orders',
          page: 'IDX_orders_customer_created',
          count: KEPT,
        },
      ],
      [
        'orders by customer and status',
        {
          path: () => '/orders',
          query: () => ({ customer_id: firstCustomer + 5, status: 'pending' }),
          table: 'orders',
          page: 'IDX_orders_customer_status_created',
          count: 'IDX_orders_customer_status_created',
        },
      ],
      [
        "a customer's history",
        {
          path: () => `/orders/${firstCustomer + 3}/history`,
          query: () => ({}),
          table: 'orders',
          page: 'IDX_orders_customer_created',
          count: KEPT,
        },
      ],
      [
        "a product's ledger",
        {
          path: () => `/products/${ledgerProduct}/stock/movements`,
          query: () => ({}),
          table: 'stock_movements',
          page: 'IDX_stock_movements_product_created',
          count: 'IDX_stock_movements_product_created',
        },
      ],
      [
        'replenishments',
        { path: () => '/replenishments', query: () => ({}), table: 'replenishments', page: 'IDX_replenishments_created', count: ANY },
      ],
      [
        'replenishments by status',
        {
          path: () => '/replenishments',
          query: () => ({ status: 'received' }),
          table: 'replenishments',
          page: 'IDX_replenishments_status_created',
          count: 'IDX_replenishments_status_created',
        },
      ],
      [
        'replenishments by product',
        {
          path: () => '/replenishments',
          query: () => ({ product_id: replenishedProduct + 3 }),
          table: 'replenishments',
          page: 'IDX_replenishments_product_created',
          count: 'IDX_replenishments_product_created',
        },
      ],
      [
        'replenishments by product and status',
        {
          path: () => '/replenishments',
          query: () => ({ product_id: replenishedProduct + 4, status: 'cancelled' }),
          table: 'replenishments',
          page: 'IDX_replenishments_product_status_created',
          count: 'IDX_replenishments_product_status_created',
        },
      ],
      ['webhooks', { path: () => '/webhooks', query: () => ({}), table: 'webhooks', page: 'PRIMARY', count: 'PRIMARY' }],
      [
        'deliveries',
        {
          path: () => `/webhooks/${webhookId}/deliveries`,
          query: () => ({}),
          table: 'webhook_deliveries',
          page: 'IDX_webhook_deliveries_log',
          count: 'IDX_webhook_deliveries_log',
        },
      ],
      [
        'deliveries by status',
        {
          path: () => `/webhooks/${webhookId}/deliveries`,
          query: () => ({ status: 'failed' }),
          table: 'webhook_deliveries',
          page: 'IDX_webhook_deliveries_status_log',
          count: 'IDX_webhook_deliveries_status_log',
        },
      ],
    ];

    it.each(cases)('%s', async (_name, c) => {
      const first = await statementsOf(() =>
        t.http
          .get(c.path())
          .query({ ...c.query(), limit: 20 })
          .expect(200),
      );
      let after: Awaited<ReturnType<typeof statementsOf>> = { answer: { total: 0 }, statements: [] };
      if (!c.single) {
        // a cursor deep in the list: the offset reads its way there once, the page after the cursor must not
        const depth = Math.min(first.answer.total - 25, 2_000);
        expect(depth).toBeGreaterThan(0);
        const deep = (
          await t.http
            .get(c.path())
            .query({ ...c.query(), limit: 1, offset: depth })
            .expect(200)
        ).body;
        after = await statementsOf(() =>
          t.http
            .get(c.path())
            .query({ ...c.query(), limit: 20, after: deep.next_cursor })
            .expect(200),
        );
      }

      const facts = [];
      for (const [request, statements] of [
        ['first page', first.statements],
        ['after a deep cursor', after.statements],
      ] as const) {
        for (const statement of statements) {
          const plan = await planOf(statement.sql, statement.parameters);
          const role = listRole(statement.sql, c.table);
          facts.push({
            request,
            role,
            sorts: plan.sorts,
            fullScan: plan.fullScan,
            plan: plan.text,
            // what each statement of the list itself reads; the others (the product's or endpoint's existence,
            // an order's lines, a delivery's attempts) only must not sort or scan
            ...(role !== 'other' && { index: plan.indexes[0] }),
            ...(request === 'after a deep cursor' && role === 'page' && { seeksCursor: plan.seeks }),
          });
          if (onMysql && role !== 'other' && !(c.bounded === false && role !== 'rows')) {
            const read = await rowsRead(statement.sql, statement.parameters);
            // MariaDB seeks the exact position after the cursor: no tie is read again
            const most = role === 'count' ? TOTAL_CAP + 1 : role === 'kept' ? 1 : role === 'page' ? 21 : 20;
            expect({ role, request, read: Math.min(read, most) }).toEqual({ role, request, read });
          }
        }
      }
      const lists = facts.filter((fact) => fact.role !== 'other');
      expect(facts.filter((fact) => fact.sorts || fact.fullScan)).toEqual([]);
      const reads = (request: string) => [
        c.count === KEPT ? [request, 'kept', 'PRIMARY'] : [request, 'count', c.count],
        [request, 'page', c.page],
        [request, 'rows', 'PRIMARY'],
      ];
      expect(lists.map((fact) => [fact.request, fact.role, fact.index])).toEqual([
        ...reads('first page'),
        ...(c.single ? [] : reads('after a deep cursor')),
      ]);
      if (!c.single) {
        const { plan, seeksCursor } = lists.find((fact) => 'seeksCursor' in fact)!;
        expect({ plan, seeksCursor }).toEqual({ plan, seeksCursor: true });
      }
      report.push(`${_name}: ${lists.map((fact) => `${fact.request} ${fact.role} ${fact.index}`).join('; ')}`);
    });

    it('the event feed too: a range of the position index, with or without type', async () => {
      for (const [query, index] of [
        [{}, 'UQ_events_position'],
        [{ type: 'order.created' }, 'IDX_events_type_position'],
      ] as const) {
        const first = (
          await t.http
            .get('/events')
            .query({ ...query, limit: 1 })
            .expect(200)
        ).body;
        const deep = (
          await t.http
            .get('/events')
            .query({ ...query, limit: 500, after: first.next_cursor })
            .expect(200)
        ).body;
        const { statements } = await statementsOf(() =>
          t.http
            .get('/events')
            .query({ ...query, limit: 100, after: deep.next_cursor })
            .expect(200),
        );
        const [feed] = statements.filter((statement) => listRole(statement.sql, 'events') === 'page');
        const plan = await planOf(feed.sql, feed.parameters);
        expect([plan.sorts, plan.fullScan, plan.indexes[0]]).toEqual([false, false, index]);
        if (onMysql) expect(await rowsRead(feed.sql, feed.parameters)).toBeLessThanOrEqual(101);
        report.push(`events ${JSON.stringify(query)}: page after a deep cursor ${plan.indexes[0]}`);
      }
    });
  });

  const report: string[] = [];
  afterAll(() => console.log(`Index reads (${onMysql ? 'MariaDB' : 'SQLite'}):\n${report.join('\n')}`));

  interface Statement {
    sql: string;
    parameters: unknown[];
  }

  /** Every SELECT the app sends to the database while `request` runs, and the answer's body. */
  async function statementsOf(request: () => Promise<{ body: { total: number } }>) {
    const runner = dataSource.createQueryRunner();
    const prototype = Object.getPrototypeOf(runner) as { query: (sql: string, parameters?: unknown[]) => Promise<unknown> };
    await runner.release();
    const spy = jest.spyOn(prototype, 'query');
    try {
      const { body } = await request();
      const statements: Statement[] = spy.mock.calls
        .map(([sql, parameters]) => ({ sql, parameters: parameters ?? [] }))
        .filter(({ sql }) => /^\s*SELECT/i.test(sql));
      return { answer: body, statements };
    } finally {
      spy.mockRestore();
    }
  }

  /**
   * The list's capped count, the count kept of a customer's orders, its page (the keys, ordered), the page's rows
   * (by id), or another statement of the request (the product's or endpoint's existence, an order's lines, a
   * delivery's attempts).
   */
  function listRole(sql: string, table: string): 'count' | 'kept' | 'page' | 'rows' | 'other' {
    if (/^SELECT orders_count FROM customers WHERE id = \?$/.test(sql)) return 'kept';
    if (!new RegExp(`FROM [\`"]${table}[\`"]`).test(sql)) return 'other';
    if (/^SELECT COUNT\(\*\) AS counted FROM \(/.test(sql)) return 'count';
    if (/ORDER BY/.test(sql)) return 'page';
    return /\.[`"]id[`"] IN \(/.test(sql) ? 'rows' : 'other';
  }

  interface Plan {
    /** The indexes read, in the plan's order ('PRIMARY' for the primary key or SQLite's rowid). */
    indexes: string[];
    sorts: boolean;
    fullScan: boolean;
    /** The first table access seeks a range (not a read from one end of the index). */
    seeks: boolean;
    text: string;
  }

  async function planOf(sql: string, parameters: unknown[]): Promise<Plan> {
    if (onMysql) {
      const rows: { table: string | null; type: string; key: string | null; Extra: string | null }[] = await dataSource.query(
        `EXPLAIN ${sql}`,
        parameters,
      );
      // <derivedN> is the count's subquery result (at most TOTAL_CAP + 1 rows, read once); no table: a constant
      const tables = rows.filter((row) => row.table !== null && !row.table.startsWith('<derived'));
      return {
        indexes: tables.map((row) => row.key ?? 'none'),
        sorts: rows.some((row) => /filesort|temporary/i.test(row.Extra ?? '')),
        fullScan: tables.some((row) => row.type === 'ALL'),
        seeks: tables[0]?.type === 'range',
        text: rows.map((row) => `${row.table} ${row.type} ${row.key} ${row.Extra}`).join(' | '),
      };
    }
    const rows: { detail: string }[] = await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, parameters);
    const lines = rows.map((row) => row.detail);
    // subquery results ("capped", the count's; TypeORM's one-row "dummy_table" of exists()) and a constant row
    // are not tables; "SCAN w" alone is the rowid b-tree read in order, which LIMIT stops
    const subqueries = lines.flatMap((line) => /^(?:CO-ROUTINE|MATERIALIZE) (\w+)/.exec(line)?.[1] ?? []);
    const reads = lines.filter(
      (line) => /^(SCAN|SEARCH) /.test(line) && line !== 'SCAN CONSTANT ROW' && !subqueries.some((name) => line === `SCAN ${name}`),
    );
    const indexOf = (line: string) =>
      /USING (?:COVERING )?INDEX (\w+)/.exec(line)?.[1] ?? (/USING INTEGER PRIMARY KEY|^SCAN \w+$/.test(line) ? 'PRIMARY' : 'none');
    return {
      indexes: reads.map(indexOf),
      sorts: lines.some((line) => /TEMP B-TREE/.test(line)),
      fullScan: reads.some((line) => indexOf(line) === 'none'),
      // e.g. "SEARCH o USING INDEX IDX_orders_status_created (status=? AND created_at<?)": a bound on an order column
      seeks: reads.length > 0 && /[<>]\?\)$/.test(reads[0]),
      text: lines.join(' | '),
    };
  }

  /** MariaDB's count of rows the statement really read from its first table (ANALYZE runs it). */
  async function rowsRead(sql: string, parameters: unknown[]): Promise<number> {
    const [row] = await dataSource.query(`ANALYZE FORMAT=JSON ${sql}`, parameters);
    const analyzed = JSON.parse(Object.values(row as Record<string, string>)[0]);
    const tables: { table_name: string; r_rows: number; r_loops: number }[] = [];
    (function collect(node: unknown): void {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const table = (node as { table?: { table_name: string; r_rows: number; r_loops: number } }).table;
        if (table && !table.table_name.startsWith('<derived')) tables.push(table);
        Object.values(node).forEach(collect);
      }
    })(analyzed);
    return tables.reduce((sum, table) => sum + table.r_rows * table.r_loops, 0);
  }
});
