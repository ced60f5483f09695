'use strict';
/**
 * `npm run bench [-- --mysql] [-- --duration N --connections N --rounds N]`: load figures for the built server.
 *
 * Starts `node dist/main.js` on an empty database (see scripts/server-harness.js), seeds it over HTTP, then drives each scenario
 * with autocannon for a fixed time at a fixed number of connections and prints requests/s and latency beside
 * GET /health measured in the same run, so figures from different machines compare as ratios. Results also go to
 * bench/results/<engine>-<timestamp>.json.
 *
 * Nothing here fails on a timing: the exit code is non-zero only when the server dies or answers a scenario with a
 * 5xx or a connection error.
 */
const autocannon = require('autocannon');
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { API_KEY, startServer } = require('../scripts/server-harness');

const CATALOGUE_SIZE = 20;
// the largest stock a product may hold: the uncontended order scenario must never run a product dry
const AMPLE_STOCK = 1_000_000;
const WARMUP_SECONDS = 1;

function options() {
  const { values } = parseArgs({
    options: {
      mysql: { type: 'boolean', default: false },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const positive = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
    return n;
  };
  return { mysql: values.mysql, duration: positive('duration'), connections: positive('connections'), rounds: positive('rounds') };
}

/** A seeding or checking call: anything but the expected status is a broken server, not a figure. */
function client(baseUrl) {
  return async (method, path, body, expected = method === 'POST' ? 201 : 200) => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { 'X-API-Key': API_KEY, ...(body && { 'Content-Type': 'application/json' }) },
      body: body && JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${response.status} ${text}`);
    return JSON.parse(text);
  };
}

const roundRobin = (values) => {
  let i = 0;
  return () => values[i++ % values.length];
};

const orderBody = (customerId, productId) => JSON.stringify({ customer_id: customerId, items: [{ product_id: productId, quantity: 1 }] });

/** Requests that cycle over several products, so a read is not always the same cached row and an order not always the same locked one. */
function rotating(method, pathFor, bodyFor) {
  return [{ setupRequest: (request) => ({ ...request, method, path: pathFor(), ...(bodyFor && { body: bodyFor() }) }) }];
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

async function load(baseUrl, settings, scenario) {
  const instance = autocannon({
    // rotating scenarios set each request's path themselves
    url: baseUrl + (scenario.requests ? '' : scenario.path),
    connections: settings.connections,
    duration: scenario.duration ?? settings.duration,
    method: scenario.method,
    headers: { ...(scenario.auth && { 'x-api-key': API_KEY }), ...(scenario.body && { 'content-type': 'application/json' }) },
    body: scenario.body,
    requests: scenario.requests,
  });
  // autocannon's own histogram keeps whole milliseconds, and most reads here take less than one
  const times = [];
  instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await instance;
  const sorted = Float64Array.from(times).sort();
  const latency = {
    mean: times.reduce((sum, t) => sum + t, 0) / times.length,
    p50: percentile(sorted, 50),
    p97_5: percentile(sorted, 97.5),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]));
  return {
    scenario: scenario.name,
    request: `${scenario.method} ${scenario.path}`,
    requests_total: result.requests.total,
    requests_per_s_mean: result.requests.average,
    latency_ms: latency,
    statuses,
    non_2xx: Object.fromEntries(Object.entries(statuses).filter(([code]) => !code.startsWith('2'))),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The contended product's end state, read back from the server: the check that it never oversold under load. */
async function stockCheck(api, productId, initialStock, created) {
  const { quantity } = await api('GET', `/products/${productId}/stock`);
  let ledgerSum = 0;
  let orderMovements = 0;
  let unitsInLedger = 0;
  // the whole ledger with next_cursor: `total` stops counting at 10,000, and a deep offset costs more each page
  let after = null;
  do {
    const page = await api('GET', `/products/${productId}/stock/movements?limit=100${after ? `&after=${after}` : ''}`);
    for (const movement of page.items) {
      ledgerSum += movement.delta;
      if (movement.type === 'order') {
        orderMovements += 1;
        unitsInLedger -= movement.delta;
      }
    }
    after = page.next_cursor;
  } while (after);
  const unitsTaken = initialStock - quantity;
  return {
    initial_stock: initialStock,
    final_stock: quantity,
    units_taken: unitsTaken,
    responses_201: created,
    order_movements: orderMovements,
    stock_not_negative: quantity >= 0,
    created_equals_units_taken: created === unitsTaken && unitsInLedger === unitsTaken,
    ledger_sums_to_stock: ledgerSum === quantity,
  };
}

async function runScenarios(server, settings) {
  const { baseUrl } = server;
  const api = client(baseUrl);
  const { customer } = await api('POST', '/customers', {
    name: 'Bench Customer',
    email: `bench-${Date.now()}@example.com`,
    phone_number: '+44 20 7946 0958',
  });
  const productIds = [];
  for (let i = 1; i <= CATALOGUE_SIZE; i += 1) {
    const { product } = await api('POST', '/products', {
      name: `Bench product ${i}`,
      price: Number((9.99 + i).toFixed(2)),
      description: 'Load benchmark',
      stock_quantity: AMPLE_STOCK,
    });
    productIds.push(product.id);
  }

  const results = [];
  const run = async (scenario) => {
    const result = await load(baseUrl, settings, scenario);
    if (server.exited()) throw new Error(`the server exited during "${scenario.name}"`);
    results.push(result);
    console.log(`  ${scenario.name}: ${result.requests_total} requests`);
    return result;
  };

  // the first requests pay for JIT compilation and cold caches; the baseline must not be the one to absorb that
  // (reads only, so that every order in the database, and so in the history scenario, comes from a measured run)
  for (const scenario of [
    { method: 'GET', path: '/health' },
    { method: 'GET', path: '/products/:id', requests: rotating('GET', () => `/products/${productIds[0]}`) },
    { method: 'GET', path: '/products?limit=20' },
  ])
    await load(baseUrl, settings, { ...scenario, duration: WARMUP_SECONDS });

  await run({ name: 'health (baseline)', method: 'GET', path: '/health' });
  const nextProduct = roundRobin(productIds);
  await run({ name: 'product by id', method: 'GET', path: '/products/:id', requests: rotating('GET', () => `/products/${nextProduct()}`) });
  await run({ name: 'product list', method: 'GET', path: '/products?limit=20' });
  const ordered = await run({
    name: 'order, ample stock',
    method: 'POST',
    path: '/orders',
    auth: true,
    body: orderBody(customer.id, productIds[0]),
    requests: rotating(
      'POST',
      () => '/orders',
      () => orderBody(customer.id, nextProduct()),
    ),
  });

  // a quarter of what the uncontended run managed: small enough to sell out early, so most answers are 409 and
  // no 201 is still in flight when autocannon stops (which would make the count below differ from the stock taken)
  const contendedStock = Math.max(1, Math.min(AMPLE_STOCK, Math.floor(ordered.requests_total / 4)));
  const { product: hot } = await api('POST', '/products', { name: 'Bench hot product', price: 4.5, stock_quantity: contendedStock });
  const contended = await run({
    name: 'order, one product contended',
    method: 'POST',
    path: '/orders',
    auth: true,
    body: orderBody(customer.id, hot.id),
  });
  const check = await stockCheck(api, hot.id, contendedStock, contended.statuses['201'] ?? 0);

  await run({ name: 'order history', method: 'GET', path: `/orders/${customer.id}/history?limit=20`, auth: true });
  await api('GET', '/health');
  return { results, check };
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/**
 * What the transactional outbox costs order placement: two servers on databases of their own, one writing
 * events as always and one started with BENCHMARK_WITHOUT_OUTBOX=true (which only skips the outbox INSERT),
 * driven alternately (on, off, on, off…) with the same uncontended order load, medians compared.
 */
async function outboxCost(settings, env) {
  const servers = {
    on: await startServer({ mysql: settings.mysql, env }),
    off: await startServer({ mysql: settings.mysql, env: { ...env, BENCHMARK_WITHOUT_OUTBOX: 'true' } }),
  };
  try {
    const targets = {};
    for (const [name, server] of Object.entries(servers)) {
      const api = client(server.baseUrl);
      const { customer } = await api('POST', '/customers', { name: 'Bench', email: `bench-${name}-${Date.now()}@example.com` });
      const ids = [];
      for (let i = 1; i <= CATALOGUE_SIZE; i += 1)
        ids.push((await api('POST', '/products', { name: `P${i}`, price: 9.99, stock_quantity: AMPLE_STOCK })).product.id);
      const next = roundRobin(ids);
      targets[name] = {
        name: `order placement, outbox ${name}`,
        method: 'POST',
        path: '/orders',
        auth: true,
        body: orderBody(customer.id, ids[0]),
        requests: rotating(
          'POST',
          () => '/orders',
          () => orderBody(customer.id, next()),
        ),
      };
      await load(server.baseUrl, settings, { ...targets[name], duration: WARMUP_SECONDS });
    }
    const rates = { on: [], off: [] };
    const broken = [];
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const name of ['on', 'off']) {
        const result = await load(servers[name].baseUrl, settings, targets[name]);
        rates[name].push(result.requests_per_s_mean);
        if (result.errors > 0 || Object.keys(result.statuses).some((code) => !code.startsWith('2'))) broken.push(result);
      }
    }
    const summary = { rounds: settings.rounds, on: median(rates.on), off: median(rates.off), on_rounds: rates.on, off_rounds: rates.off };
    summary.cost = 1 - summary.on / summary.off;
    console.log(`
Outbox cost (order placement, ${settings.rounds} alternating rounds, medians): outbox on ${fixed(summary.on, 0)} req/s, off ${fixed(summary.off, 0)} req/s, on/off ${fixed(summary.on / summary.off, 2)} (cost ${fixed(summary.cost * 100, 1)} %)`);
    for (const r of broken)
      console.error(`FAILED: "${r.scenario}" saw ${r.errors} connection errors and statuses ${JSON.stringify(r.non_2xx)}`);
    return { summary, ok: broken.length === 0 };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

// Nest logs every route it maps at start; the cause of a failure is at the end
const tail = (output) => output.trimEnd().split('\n').slice(-30).join('\n');

const fixed = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function printTable(results) {
  const baseline = results[0].requests_per_s_mean;
  const rows = [
    ['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'non-2xx', 'errors', 'x baseline'],
    ...results.map((r) => [
      r.scenario,
      fixed(r.requests_per_s_mean, 0),
      fixed(r.latency_ms.p50, 2),
      fixed(r.latency_ms.p97_5, 2),
      fixed(r.latency_ms.p99, 2),
      Object.entries(r.non_2xx)
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ') || '-',
      String(r.errors),
      fixed(r.requests_per_s_mean / baseline, 2),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) =>
    `| ${row.map((cell, column) => (column === 0 || column === 5 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(
    `|${widths.map((w, column) => (column === 0 || column === 5 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`,
  );
  for (const row of rows.slice(1)) console.log(line(row));
}

function printCheck(check) {
  const yesNo = (ok) => (ok ? 'yes' : 'NO');
  console.log(
    `\nContended product: stock ${check.initial_stock} -> ${check.final_stock}, ${check.units_taken} units taken, ${check.responses_201} answers 201, ${check.order_movements} order movements`,
  );
  console.log(
    `  stock ended >= 0: ${yesNo(check.stock_not_negative)}; 201s = units taken: ${yesNo(check.created_equals_units_taken)}; ledger sums to stock: ${yesNo(check.ledger_sums_to_stock)}`,
  );
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main() {
  const settings = options();
  const engine = settings.mysql ? 'mysql' : 'sqlite';
  const startedAt = new Date();
  console.log(
    `Benchmark on ${engine}: ${settings.duration} s per scenario, ${settings.connections} connections, ${cpus().length} CPUs (server and load generator share them)`,
  );
  // a limit per client address would turn the anonymous read scenarios into a measure of 429s
  const env = { RATE_LIMIT_PER_MINUTE: String(Number.MAX_SAFE_INTEGER) };
  const server = await startServer({ mysql: settings.mysql, env });
  let outcome;
  try {
    outcome = await runScenarios(server, settings);
  } catch (error) {
    console.error(`--- server output, last lines ---\n${tail(server.output())}\n---`);
    throw error;
  } finally {
    await server.stop();
  }
  const { results, check } = outcome;
  const baseline = results[0].requests_per_s_mean;
  for (const r of results) r.ratio_to_baseline = r.requests_per_s_mean / baseline;

  console.log('');
  printTable(results);
  printCheck(check);
  const outbox = await outboxCost(settings, env);

  const report = {
    engine,
    started_at: startedAt.toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpus: cpus().length,
    duration_s: settings.duration,
    connections: settings.connections,
    scenarios: results,
    contended_stock_check: check,
    outbox_cost: outbox.summary,
  };
  const folder = join(__dirname, 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${engine}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nResults written to ${file}`);

  const broken = results.filter((r) => r.errors > 0 || Object.keys(r.statuses).some((code) => Number(code) >= 500));
  for (const r of broken)
    console.error(`FAILED: "${r.scenario}" saw ${r.errors} connection errors and statuses ${JSON.stringify(r.non_2xx)}`);
  return broken.length === 0 && outbox.ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error.stack ?? error);
    process.exit(1);
  },
);
