'use strict';
/**
 * `npm run bench -- --mysql`: load figures for the built app beside a baseline that answers the same routes with the
 * same SQL without a framework (bench/baseline/server.js), so that what the app costs is a ratio measured in the same
 * run on the same machine.
 *
 * A database is migrated by the app, seeded in bulk (bench/seed.js) and copied for every server, so all start on
 * the same rows. Then:
 * 1. app and baseline take turns on each scenario (bench/compare.js); the scenarios the baseline does not answer
 *    run on the app alone. The app's peak RSS is read per scenario.
 * 2. what JSON request logging costs on the hot paths: the app as configured against the app with LOG_LEVEL=warn;
 * 3. what the transactional outbox costs placement: the app against the app with BENCHMARK_WITHOUT_OUTBOX=true.
 * Medians of the rounds go to the console as Markdown tables and, with every round, to bench/results/ as JSON.
 *
 * Options: --mysql (else SQLite, app only), --duration S (5), --rounds N (3), --connections N (32 on MariaDB, 16 on
 * SQLite), --warmup S (1: unmeasured load per scenario and server first, more on a slow machine), --only key,key (scenario keys, see bench/scenarios.js), --list-query (the page every list asks for,
 * "limit=20"), --smoke (tiny data, 1 s, 1 round, 4 connections: CI's check that every scenario still runs),
 * --scale (MariaDB: the lists at 10k and 1M orders, see bench/scale.js), --profile (a CPU profile of the app per
 * scenario in bench/profiles/<scenario>/, summarised by bench/profile-summary.js), --against REV (this build against
 * the app built from git revision REV, alternately: what a change did, as a ratio measured in one run).
 *
 * No timing is ever asserted: the exit code is non-zero only when a server dies, a scenario meets a connection error
 * or a status it does not expect, or the contended product's end state is inconsistent.
 */
const { execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { startServer } = require('../scripts/server-harness');
const { compare, failuresOf, fixed, megabytes, peaksOf, printComparison, printPeaks, startVariants, stopVariants } = require('./compare');
const { connect } = require('./database');
const { load } = require('./load');
const { printSummary, readProfile, summarise } = require('./profile-summary');
const { checkParity } = require('./parity');
const { LARGE, runScale, SMALL } = require('./scale');
const { HOT_PATHS, costNote, mainScenarios, targetNote } = require('./scenarios');
const { Seeder } = require('./seed');

const BASELINE = join(__dirname, 'baseline', 'server.js');
/** The most stock a product may hold (the app's MAX_STOCK): placement never runs a seeded product dry. */
const MAX_STOCK = 1_000_000;
const SIZES = { full: { customers: 400, products: 400, orders: 4000 }, smoke: { customers: 20, products: 20, orders: 200 } };
/** Targets of the issues, reported and never asserted. */
const PEAK_RSS_TARGET_MB = 250;
const LOGGING_BUDGET_PERCENT = 10;
const OUTBOX_BUDGET_PERCENT = 15;

function options() {
  const { values } = parseArgs({
    options: {
      mysql: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      duration: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      'list-query': { type: 'string', default: 'limit=20' },
      against: { type: 'string' },
    },
  });
  const positive = (name, fallback) => {
    const n = Number(values[name] ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
    return n;
  };
  if (values.warmup !== undefined && !(Number(values.warmup) >= 0))
    throw new Error(`--warmup must be a number of seconds, got ${values.warmup}`);
  if (values.against !== undefined && (values.scale || values.profile)) throw new Error('--against runs the main scenarios only');
  if (values.scale && !values.mysql) throw new Error('--scale needs --mysql: the million orders are a MariaDB/MySQL figure');
  const smoke = values.smoke;
  return {
    mysql: values.mysql,
    smoke,
    scale: values.scale,
    profile: values.profile,
    duration: positive('duration', smoke ? 1 : 5),
    rounds: positive('rounds', smoke ? 1 : 3),
    connections: positive('connections', smoke ? 4 : values.mysql ? 32 : 16),
    // seconds of unmeasured load per scenario and server first; the smoke run measures nothing worth warming for
    warmup: values.warmup === undefined ? (smoke ? 0 : 1) : Number(values.warmup),
    only: values.only?.split(',').map((key) => key.trim()),
    listQuery: values['list-query'],
    against: values.against,
    // a limit per client address would turn anonymous reads into a measure of 429s (calls with the API key skip it anyway)
    env: { RATE_LIMIT_PER_MINUTE: String(Number.MAX_SAFE_INTEGER) },
  };
}

/**
 * A database the app's migrations made (the app is started on it once and stopped), seeded with the catalogue and
 * `sizes.orders` orders; `plannedOrders` and `days` set the orders' spacing in time (see Seeder).
 */
async function seededTemplate(settings, logs, sizes, { plannedOrders = sizes.orders, days = 30 } = {}) {
  const server = await startServer({ mysql: settings.mysql, keepDatabase: true, env: settings.env, logFile: join(logs, 'migrations.log') });
  await server.stop();
  const db = await connect(server.database, { bulk: true });
  try {
    const seeder = new Seeder(db, { ...sizes, stock: MAX_STOCK, plannedOrders, days });
    await seeder.catalogue();
    const seconds = await seeder.add(sizes.orders);
    console.log(
      `Seeded ${sizes.customers} customers, ${sizes.products} products and ${sizes.orders.toLocaleString('en')} orders in ${seconds.toFixed(1)} s`,
    );
    return { template: server.database, seeder, db, seconds };
  } catch (error) {
    await db.close();
    await server.database.drop();
    throw error;
  }
}

const selected = (scenarios, only) => (only ? scenarios.filter((s) => only.includes(s.key)) : scenarios);

const log = (line) => console.log(line);

/** The three comparisons of `npm run bench`. */
async function mainRun(settings, logs) {
  const sizes = settings.smoke ? SIZES.smoke : SIZES.full;
  const { template, db, seconds } = await seededTemplate(settings, logs, sizes);
  await db.close();
  const scenarios = selected(mainScenarios(sizes, settings), settings.only);
  const comparisons = {};
  const failures = [];
  const phase = async (key, title, variants, chosen, print, before) => {
    if (!chosen.length) return;
    console.log(`\n${title}`);
    const running = await startVariants(variants, { template, settings, logs });
    try {
      await before?.(running);
      comparisons[key] = await compare(running, chosen, settings, log);
    } finally {
      await stopVariants(running);
    }
    console.log('');
    print(comparisons[key]);
    printPeaks(peaksOf(comparisons[key]));
    failures.push(...failuresOf(comparisons[key], key));
  };
  try {
    await phase(
      'baseline',
      settings.mysql ? '1. The app against the baseline, alternately' : '1. The app alone (the baseline needs MariaDB/MySQL)',
      [{ name: 'app' }, ...(settings.mysql ? [{ name: 'baseline', entry: BASELINE }] : [])],
      scenarios,
      (results) => printComparison(results, ['app', 'baseline'], { ratio: 'app ÷ baseline', note: targetNote, noteHeading: 'target' }),
      async ([app, baseline]) => {
        if (!baseline) return;
        const differences = await checkParity(app, baseline);
        console.log(`  Same answers and same rows written: ${differences.length ? 'NO' : 'yes'}`);
        failures.push(...differences.map((difference) => `the baseline differs from the app, ${difference}`));
      },
    );
    await phase(
      'logging',
      `2. What JSON request logging costs: the app as configured (one JSON line per request to a file) against LOG_LEVEL=warn`,
      [{ name: 'logging on' }, { name: 'logging off', env: { LOG_LEVEL: 'warn' } }],
      scenarios.filter((s) => HOT_PATHS.includes(s.key)),
      (results) =>
        printComparison(results, ['logging on', 'logging off'], {
          ratio: 'on ÷ off',
          note: costNote(LOGGING_BUDGET_PERCENT),
          noteHeading: 'cost',
        }),
    );
    await phase(
      'outbox',
      '3. What the transactional outbox costs placement: the app against BENCHMARK_WITHOUT_OUTBOX=true (skips only the outbox INSERT)',
      [{ name: 'outbox on' }, { name: 'outbox off', env: { BENCHMARK_WITHOUT_OUTBOX: 'true' } }],
      scenarios.filter((s) => s.key === 'place'),
      (results) =>
        printComparison(results, ['outbox on', 'outbox off'], {
          ratio: 'on ÷ off',
          note: costNote(OUTBOX_BUDGET_PERCENT),
          noteHeading: 'cost',
        }),
    );
  } finally {
    await template.drop();
  }
  const peak = peaksOf(comparisons.baseline ?? []).app;
  if (peak) {
    const met = megabytes(peak.bytes) <= PEAK_RSS_TARGET_MB ? 'met' : 'NOT met';
    console.log(
      `\nPeak RSS of the app under the benchmark: ${fixed(megabytes(peak.bytes))} MB, in "${peak.scenario}" (target ≤ ${PEAK_RSS_TARGET_MB} MB: ${met})`,
    );
  }
  return { report: { seed: { ...sizes, seconds }, comparisons, peak_rss: peak }, failures };
}

async function scaleRun(settings, logs) {
  const sizes = { customers: 400, products: 400, orders: SMALL };
  const { template, seeder, db, seconds } = await seededTemplate(settings, logs, sizes, { plannedOrders: LARGE, days: 365 });
  try {
    const variants = [{ name: 'app' }, { name: 'baseline', entry: BASELINE }];
    const scale = await runScale({ template, seeder, seededSeconds: seconds, settings, logs, variants, log });
    return { report: { scale }, failures: [...failuresOf(scale.at_10k, '10k'), ...failuresOf(scale.at_1m, '1M')] };
  } finally {
    await db.close();
    await template.drop();
  }
}

/**
 * The app as built from git revision `rev`, in a temporary worktree that shares this checkout's node_modules:
 * { dir, remove() }.
 */
function buildRevision(rev) {
  const root = join(__dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'ecommerce-bench-rev-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, rev], { cwd: root, stdio: 'ignore' });
  const remove = () => execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/**
 * `--against REV`: this build against the app built from REV, alternately, on the chosen scenarios (all of them
 * on both, the app-only ones too): the before/after ratio of a change. `--against OLD..NEW` builds both
 * revisions and runs NEW against OLD, so that each step of a history can be measured from one checkout. The
 * database is made by this build's migrations; an older build runs on it as it is.
 */
async function againstRun(settings, logs) {
  const [before, after] = settings.against.includes('..') ? settings.against.split('..') : [settings.against, undefined];
  const builds = [];
  try {
    builds.push(buildRevision(before));
    if (after) builds.push(buildRevision(after));
    const [that, that2] = builds;
    const variants = [
      after ? { name: `at ${after}`, entry: join(that2.dir, 'dist', 'main.js') } : { name: 'this build' },
      { name: `at ${before}`, entry: join(that.dir, 'dist', 'main.js') },
    ];
    const sizes = settings.smoke ? SIZES.smoke : SIZES.full;
    const { template, db } = await seededTemplate(settings, logs, sizes);
    await db.close();
    const scenarios = selected(mainScenarios(sizes, settings), settings.only).map((scenario) => ({ ...scenario, appOnly: false }));
    let results;
    try {
      console.log(`\n${variants[0].name} against the app ${variants[1].name}, alternately`);
      const running = await startVariants(variants, { template, settings, logs });
      try {
        results = await compare(running, scenarios, settings, log);
      } finally {
        await stopVariants(running);
      }
    } finally {
      await template.drop();
    }
    console.log('');
    printComparison(
      results,
      variants.map((variant) => variant.name),
      { ratio: 'new ÷ old' },
    );
    printPeaks(peaksOf(results));
    return { report: { against: settings.against, comparison: results }, failures: failuresOf(results, 'against') };
  } finally {
    for (const build of builds) build.remove();
  }
}

/**
 * One app per scenario started with --cpu-prof, so that each profile holds one kind of request; the summary
 * counts only the samples of the measured run (bench/profile-summary.js).
 */
async function profileRun(settings, logs) {
  const sizes = settings.smoke ? SIZES.smoke : SIZES.full;
  const { template, db } = await seededTemplate(settings, logs, sizes);
  await db.close();
  const profiles = {};
  try {
    // the contended scenario needs the uncontended one's figures and profiles nothing placement does not
    for (const scenario of selected(mainScenarios(sizes, settings), settings.only).filter((s) => !s.setup)) {
      const dir = join(__dirname, 'profiles', scenario.key);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const [app] = await startVariants([{ name: `app-${scenario.key}`, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] }], {
        template,
        settings,
        logs,
      });
      let window;
      try {
        await load(app.server.baseUrl, { ...settings, duration: 1 }, scenario.requests(app, {}));
        const from = process.hrtime.bigint() / 1000n;
        const run = await load(app.server.baseUrl, settings, scenario.requests(app, {}));
        window = { scenario: scenario.name, from_us: Number(from), to_us: Number(process.hrtime.bigint() / 1000n), rps: run.rps };
      } finally {
        // the profile is written as the process exits
        await stopVariants([app]);
      }
      writeFileSync(join(dir, 'window.json'), `${JSON.stringify(window, null, 2)}\n`);
      const { profile, from, to } = readProfile(dir);
      const summary = summarise(profile, { from, to, top: 12 });
      console.log('');
      printSummary(summary, `${scenario.name} (${fixed(window.rps)} req/s while profiled; bench/profiles/${scenario.key}/)`);
      profiles[scenario.key] = { ...window, ...summary };
    }
  } finally {
    await template.drop();
  }
  return { report: { profiles }, failures: [] };
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
  const kind = settings.scale ? 'scale' : settings.profile ? 'profile' : settings.against ? 'against' : settings.smoke ? 'smoke' : 'bench';
  const startedAt = new Date();
  console.log(
    `Benchmark (${kind}) on ${engine}: ${settings.duration} s × ${settings.rounds} rounds per scenario and server, ${settings.connections} connections, ${cpus().length} CPUs shared by the servers, the database and the load generator`,
  );
  // the servers' own output (their JSON request log) goes to files here, as it would to a log collector
  const logs = mkdtempSync(join(tmpdir(), 'ecommerce-bench-logs-'));
  let outcome;
  try {
    outcome = await (settings.scale ? scaleRun : settings.profile ? profileRun : settings.against ? againstRun : mainRun)(settings, logs);
  } catch (error) {
    console.error(`Server logs kept in ${logs}`);
    throw error;
  }
  rmSync(logs, { recursive: true, force: true });

  const report = {
    kind,
    engine,
    started_at: startedAt.toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpus: cpus().length,
    duration_s: settings.duration,
    rounds: settings.rounds,
    connections: settings.connections,
    list_query: settings.listQuery,
    ...outcome.report,
    failures: outcome.failures,
  };
  const folder = join(__dirname, 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${kind}-${engine}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nResults written to ${file}`);
  for (const failure of outcome.failures) console.error(`FAILED: ${failure}`);
  return outcome.failures.length === 0;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error.stack ?? error);
    process.exit(1);
  },
);
