'use strict';
/**
 * `npm run bench:scale` (`npm run bench -- --mysql --scale`): do the lists cost more as the tables grow? The same
 * list scenarios at 10,000 orders and at 1,000,000 (400 customers, so 25 and 2,500 orders each; one line, its
 * movements and its status history per order, seeded in bulk), side by side, with the EXPLAIN of every query the
 * lists run at both sizes. The app and the baseline share the one database: these scenarios only read.
 */
const { compare, fixed, peaksOf, printPeaks, printTable, startVariants, stopVariants } = require('./compare');
const { connect } = require('./database');
const { scaleScenarios } = require('./scenarios');

const SMALL = 10_000;
const LARGE = 1_000_000;

const ORDER_COLUMNS = 'id, customer_id, status, total_cents, carrier, tracking_number, created_at, updated_at';
const ITEM_COLUMNS = 'id, order_id, product_id, product_name, unit_price_cents, quantity, line_total_cents';
const MOVEMENT_COLUMNS = 'id, product_id, type, delta, quantity_after, reference_type, reference_id, reason, created_at';
/** The app's TOTAL_CAP: a total counts at most this many rows (src/common/pagination.ts). */
const TOTAL_CAP = 10_000;

/**
 * The statements a list runs for one page (src/common/pagination.ts readPage), without the column aliases: the
 * total (capped, or the list's `total` query where the list keeps its count), the page's sort keys from the first page and from a cursor halfway down the list (FORCE INDEX, as
 * the app sends them), the page's rows by primary key and, for orders, their lines. `table` is the table the plan
 * row of interest reads (the capped total's subquery is a derived table); `index` the index that should serve it.
 */
function listQueries(lists) {
  const queries = [];
  for (const { name, table, filter, params, index, cursor, total } of lists) {
    queries.push(
      total ?? {
        name: `${name}: total (capped)`,
        sql: `SELECT COUNT(*) AS counted FROM (SELECT 1 FROM ${table} WHERE ${filter} LIMIT ${TOTAL_CAP + 1}) capped`,
        params,
        table,
        index,
      },
      {
        name: `${name}: first page's keys`,
        sql: `SELECT created_at, id FROM ${table} FORCE INDEX (${index}) WHERE ${filter} ORDER BY created_at DESC, id DESC LIMIT 21`,
        params,
        table,
        index,
      },
      {
        name: `${name}: keys after a cursor halfway down`,
        sql:
          `SELECT created_at, id FROM ${table} FORCE INDEX (${index}) WHERE ${filter} ` +
          'AND (created_at <= ? AND (created_at < ? OR (created_at = ? AND id < ?))) ORDER BY created_at DESC, id DESC LIMIT 21',
        params: [...params, cursor.created_at, cursor.created_at, cursor.created_at, cursor.id],
        table,
        index,
      },
    );
  }
  return queries;
}

/** A list's page rows by primary key and an order page's lines, the same at any size. */
function pageQueries(orderIds, movementIds) {
  return [
    {
      name: 'orders of a page, by id',
      sql: `SELECT ${ORDER_COLUMNS} FROM orders WHERE id IN (?)`,
      params: [orderIds],
      table: 'orders',
      index: 'PRIMARY',
    },
    {
      name: 'lines of a page',
      sql: `SELECT ${ITEM_COLUMNS} FROM order_items WHERE order_id IN (?)`,
      params: [orderIds],
      table: 'order_items',
      index: 'IDX_order_items_order_id',
    },
    {
      name: 'ledger entries of a page, by id',
      sql: `SELECT ${MOVEMENT_COLUMNS} FROM stock_movements WHERE id IN (?)`,
      params: [movementIds],
      table: 'stock_movements',
      index: 'PRIMARY',
    },
  ];
}

/** The three lists measured at scale, each with a cursor halfway down it (customer 1, status pending, product 1). */
async function scaleLists(db) {
  const halfway = async (table, filter, params) => {
    const [{ counted }] = await db.query(`SELECT COUNT(*) AS counted FROM ${table} WHERE ${filter}`, params);
    const [row] = await db.query(`SELECT created_at, id FROM ${table} WHERE ${filter} ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?`, [
      ...params,
      Math.floor(Number(counted) / 2),
    ]);
    return row;
  };
  const lists = [
    {
      name: 'history',
      table: 'orders',
      filter: 'customer_id = ?',
      params: [1],
      index: 'IDX_orders_customer_created',
      // the count placement keeps (customers.orders_count), not a count of the orders
      total: {
        name: 'history: total (orders_count)',
        sql: 'SELECT orders_count FROM customers WHERE id = ?',
        params: [1],
        table: 'customers',
        index: 'PRIMARY',
      },
    },
    { name: 'orders by status', table: 'orders', filter: 'status = ?', params: ['pending'], index: 'IDX_orders_status_created' },
    { name: 'ledger', table: 'stock_movements', filter: 'product_id = ?', params: [1], index: 'IDX_stock_movements_product_created' },
  ];
  for (const list of lists) list.cursor = await halfway(list.table, list.filter, list.params);
  const orders = await db.query('SELECT id FROM orders WHERE customer_id = 1 ORDER BY created_at DESC, id DESC LIMIT 20');
  const movements = await db.query('SELECT id FROM stock_movements WHERE product_id = 1 ORDER BY created_at DESC, id DESC LIMIT 20');
  return [
    ...listQueries(lists),
    ...pageQueries(
      orders.map((row) => row.id),
      movements.map((row) => row.id),
    ),
  ];
}

/**
 * EXPLAIN of each list query, and MariaDB's ANALYZE (which runs it and counts the rows really read, r_rows);
 * the verdict says whether it is an index range read on the index meant for it, without a sort.
 */
async function explainLists(db) {
  const plans = [];
  for (const query of await scaleLists(db)) {
    // the plan row of the list's table: the capped total's outer row reads only the derived table
    const ofTable = (rows) => rows.find((row) => row.table === query.table) ?? rows[0];
    const plan = ofTable(await db.query(`EXPLAIN ${query.sql}`, query.params));
    let readRows = null;
    try {
      const analyzed = ofTable(await db.query(`ANALYZE ${query.sql}`, query.params));
      readRows = analyzed.r_rows === null ? null : Number(analyzed.r_rows);
    } catch {
      // MySQL has no ANALYZE statement; its estimate stays
    }
    // const: one row by primary key (history's total)
    const rangeRead =
      ['ref', 'range', 'eq_ref', 'const'].includes(plan.type) && plan.key === query.index && !/filesort/i.test(plan.Extra ?? '');
    plans.push({
      name: query.name,
      type: plan.type,
      key: plan.key,
      rows: Number(plan.rows),
      r_rows: readRows,
      extra: plan.Extra ?? '',
      index_range_read: rangeRead,
    });
  }
  return plans;
}

function printPlans(small, large) {
  printTable([
    ['query', 'type', 'key', `rows read at ${SMALL / 1000}k`, `rows read at ${LARGE / 1_000_000}M`, 'Extra', 'index range read'],
    ...small.map((plan, i) => {
      const big = large[i];
      const rows = (p) => `${p.r_rows ?? p.rows}${p.r_rows === null ? ' (est.)' : ''}`;
      return [plan.name, big.type, big.key, rows(plan), rows(big), big.extra, plan.index_range_read && big.index_range_read ? 'yes' : 'NO'];
    }),
  ]);
}

function printSideBySide(small, large) {
  const sides = (entry) => Object.entries(entry.variants);
  const rows = [
    ['scenario', 'server', `${SMALL / 1000}k req/s`, 'p50 / p99 ms', `${LARGE / 1_000_000}M req/s`, 'p50 / p99 ms', 'p99 1M ÷ 10k'],
  ];
  small.forEach((entry, i) => {
    for (const [name, at10k] of sides(entry)) {
      const at1m = large[i].variants[name];
      rows.push([
        entry.name,
        name,
        fixed(at10k.rps),
        `${fixed(at10k.p50, 2)} / ${fixed(at10k.p99, 2)}`,
        fixed(at1m.rps),
        `${fixed(at1m.p50, 2)} / ${fixed(at1m.p99, 2)}`,
        fixed(at1m.p99 / at10k.p99, 2),
      ]);
    }
  });
  printTable(rows);
}

/**
 * `template` holds the catalogue and the first SMALL orders, `seeder` adds the rest. Resolves to the report's
 * `scale` part and the failures seen.
 */
async function runScale({ template, seeder, seededSeconds, settings, logs, variants, log }) {
  const scenarios = scaleScenarios(seeder, settings);
  const running = await startVariants(variants, { template, settings, logs, shared: true });
  const db = await connect(template);
  try {
    // whether a million orders' indexes fit in memory decides much of what the figures at 1M mean
    const [server] = await db.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size AS pool');
    console.log(`MariaDB/MySQL ${server.version}, InnoDB buffer pool ${fixed(Number(server.pool) / 1024 / 1024)} MB`);
    console.log(`\nAt ${SMALL.toLocaleString('en')} orders (seeded in ${seededSeconds.toFixed(1)} s):`);
    const smallPlans = await explainLists(db);
    const atSmall = await compare(running, scenarios, settings, log);

    console.log(`\nSeeding up to ${LARGE.toLocaleString('en')} orders…`);
    const seconds = await seeder.add(LARGE - SMALL);
    // fresh statistics, as a production database's would be after such growth
    await db.query('ANALYZE TABLE orders, order_items, order_status_history, stock_movements');
    console.log(`  ${(LARGE - SMALL).toLocaleString('en')} orders added in ${seconds.toFixed(1)} s`);
    const largePlans = await explainLists(db);
    const atLarge = await compare(running, scenarios, settings, log);

    console.log(
      `\nLists at ${SMALL / 1000}k and ${LARGE / 1_000_000}M orders (${settings.connections} connections, ${settings.duration} s × ${settings.rounds} rounds, medians; target: history p99 at 1M ≤ 1.2 × at 10k):\n`,
    );
    printSideBySide(atSmall, atLarge);
    console.log('\nEXPLAIN of the lists (rows read: ANALYZE r_rows of customer 1, product 1, status pending):\n');
    printPlans(smallPlans, largePlans);
    const peaks = peaksOf([...atSmall, ...atLarge]);
    printPeaks(peaks);
    return {
      database: { version: server.version, innodb_buffer_pool_bytes: Number(server.pool) },
      seeding_seconds: { [SMALL]: seededSeconds, [LARGE]: seconds },
      at_10k: atSmall,
      at_1m: atLarge,
      explain: { at_10k: smallPlans, at_1m: largePlans },
      peak_rss: peaks,
    };
  } finally {
    await db.close();
    await stopVariants(running);
  }
}

module.exports = { LARGE, SMALL, runScale };
