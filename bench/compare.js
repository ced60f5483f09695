'use strict';
/**
 * Servers compared under the same load, taking turns: for each scenario every server gets a warm-up, then rounds
 * A, B, A, B… of the same duration at the same connections, and the medians of the rounds are compared. Taking
 * turns spreads whatever else the machine does over both sides, which running A's rounds and then B's would not.
 */
const { join } = require('node:path');
const { startServer } = require('../scripts/server-harness');
const { cloneDatabase, connect } = require('./database');
const { load, median, processMeter } = require('./load');

/**
 * Starts each variant ({ name, entry?, env?, nodeArgs? }) on a copy of `template`, so that all start on
 * the same rows and none sees what another wrote; with `shared: true` on the template itself (read-only scenarios).
 * Each gets `db`, the benchmark's own connection to its database, for seeding and checks.
 */
async function startVariants(variants, { template, settings, logs, shared = false }) {
  const running = [];
  try {
    for (const variant of variants) {
      const database = shared ? template : await cloneDatabase(template);
      running.push({ ...variant, database, owned: !shared });
      const server = await startServer({
        mysql: settings.mysql,
        database,
        entry: variant.entry,
        nodeArgs: variant.nodeArgs,
        env: { ...settings.env, ...variant.env },
        logFile: join(logs, `${variant.name.replace(/\W+/g, '-')}.log`),
      });
      Object.assign(running[running.length - 1], {
        server,
        db: await connect(database),
        meter: processMeter(server.pid),
      });
    }
  } catch (error) {
    await stopVariants(running);
    throw error;
  }
  return running;
}

async function stopVariants(running) {
  for (const variant of running) {
    await variant.server?.stop();
    await variant.db?.close();
    if (variant.owned) await variant.database.drop();
  }
}

const isExpected = (scenario, code) => (scenario.expect ? scenario.expect.includes(Number(code)) : code.startsWith('2'));

/**
 * Runs each scenario on every variant (only the first where the scenario is `appOnly`). A scenario is
 * { key, name, requests(variant, state) → next(), setup?(context), beforeRound?(variant, state) → state,
 * afterRound?(variant, state, run) → check, expect?: [statuses], warmup?: false }. Resolves to one entry per
 * scenario with each variant's rounds and medians; `log` hears of every round.
 */
async function compare(variants, scenarios, settings, log = () => {}) {
  const results = [];
  for (const scenario of scenarios) {
    const runners = scenario.appOnly ? variants.slice(0, 1) : variants;
    const entry = { key: scenario.key, name: scenario.name, variants: {}, checks: [] };
    const shared = (await scenario.setup?.({ results, runners, settings })) ?? {};
    for (const variant of runners) {
      entry.variants[variant.name] = { rounds: [] };
      // JIT compilation and cold caches are paid here, by every variant alike, and not measured
      if (settings.warmup && scenario.warmup !== false) {
        await load(variant.server.baseUrl, { ...settings, duration: settings.warmup }, scenario.requests(variant, shared));
      }
    }
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const variant of runners) {
        const state = (await scenario.beforeRound?.(variant, shared)) ?? shared;
        variant.meter.resetPeak();
        const cpuBefore = variant.meter.cpuMs();
        const run = await load(variant.server.baseUrl, settings, scenario.requests(variant, state));
        run.peak_rss_bytes = variant.meter.peakRssBytes();
        run.cpu_ms_per_request = (variant.meter.cpuMs() - cpuBefore) / run.requests;
        if (variant.server.exited())
          throw new Error(`${variant.name} exited during "${scenario.name}":\n${variant.server.output().slice(-4000)}`);
        run.unexpected = Object.fromEntries(Object.entries(run.statuses).filter(([code]) => !isExpected(scenario, code)));
        if (scenario.afterRound) entry.checks.push({ variant: variant.name, round, ...(await scenario.afterRound(variant, state, run)) });
        entry.variants[variant.name].rounds.push(run);
        log(
          `  ${scenario.name} [${variant.name}] round ${round}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99.toFixed(1)} ms${describeStatuses(run)}`,
        );
      }
    }
    for (const side of Object.values(entry.variants)) Object.assign(side, summariseRounds(side.rounds));
    results.push(entry);
  }
  return results;
}

function describeStatuses(run) {
  const other = Object.entries(run.statuses).filter(([code]) => !code.startsWith('2'));
  const errors = run.errors ? `, ${run.errors} connection errors` : '';
  return other.length || errors ? ` (${other.map(([code, n]) => `${n} × ${code}`).join(', ')}${errors})` : '';
}

/** Medians of the rounds (one noisy round does not move them); statuses and errors added up over all rounds. */
function summariseRounds(rounds) {
  const sum = (pick) => rounds.reduce((total, run) => total + pick(run), 0);
  const statuses = {};
  for (const run of rounds) for (const [code, n] of Object.entries(run.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  const unexpected = sum((run) => Object.values(run.unexpected).reduce((a, b) => a + b, 0));
  const peaks = rounds.map((run) => run.peak_rss_bytes).filter(Number.isFinite);
  return {
    rps: median(rounds.map((run) => run.rps)),
    p50: median(rounds.map((run) => run.p50)),
    p99: median(rounds.map((run) => run.p99)),
    cpu_ms_per_request: median(rounds.map((run) => run.cpu_ms_per_request)),
    statuses,
    non_2xx: Object.values(Object.fromEntries(Object.entries(statuses).filter(([code]) => !code.startsWith('2')))).reduce(
      (a, b) => a + b,
      0,
    ),
    unexpected,
    errors: sum((run) => run.errors),
    ...(peaks.length && { peak_rss_bytes: Math.max(...peaks) }),
  };
}

/** What went wrong in a comparison: connection errors, statuses a scenario did not expect, failed checks. */
function failuresOf(results, phase) {
  const failures = [];
  for (const entry of results) {
    for (const [name, side] of Object.entries(entry.variants)) {
      if (side.errors || side.unexpected) {
        failures.push(
          `${phase}: "${entry.name}" [${name}] saw ${side.errors} connection errors and ${side.unexpected} unexpected statuses ${JSON.stringify(side.statuses)}`,
        );
      }
    }
    for (const check of entry.checks.filter((c) => !c.ok))
      failures.push(`${phase}: "${entry.name}" [${check.variant}] round ${check.round}: ${check.detail}`);
  }
  return failures;
}

/** Each variant's highest peak RSS over the scenarios, and the scenario it came in: { [variant]: { bytes, scenario } }. */
function peaksOf(results) {
  const peaks = {};
  for (const entry of results) {
    for (const [name, side] of Object.entries(entry.variants)) {
      const bytes = side.peak_rss_bytes;
      if (Number.isFinite(bytes) && !(peaks[name]?.bytes >= bytes)) peaks[name] = { bytes, scenario: entry.name };
    }
  }
  return peaks;
}

const megabytes = (bytes) => bytes / 1024 / 1024;

function printPeaks(peaks) {
  const parts = Object.entries(peaks).map(([name, { bytes, scenario }]) => `${name} ${fixed(megabytes(bytes))} MB (${scenario})`);
  if (parts.length) console.log(`\nPeak RSS: ${parts.join('; ')}`);
}

const fixed = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/**
 * A Markdown table of a comparison between variants `a` and `b`: medians of each, and two ratios a ÷ b: of
 * requests/s, and of the CPU each request took (b's CPU per request ÷ a's: the requests/s ratio the two would show
 * were both held by the CPU alone, and far steadier on a shared machine). `note(key, ratio, cpuRatio)` adds a
 * target or a cost per scenario.
 */
function printComparison(results, [a, b], { ratio = `${a} ÷ ${b}`, note, noteHeading = '' } = {}) {
  const cells = (side) =>
    side ? [fixed(side.rps), `${fixed(side.p50, 2)} / ${fixed(side.p99, 2)}`, fixed(side.cpu_ms_per_request, 2)] : ['-', '-', '-'];
  const rows = [
    [
      'scenario',
      `${a} req/s`,
      'p50 / p99 ms',
      'CPU ms/req',
      `${b} req/s`,
      'p50 / p99 ms',
      'CPU ms/req',
      ratio,
      `${ratio} by CPU`,
      'non-2xx',
      ...(note ? [noteHeading] : []),
    ],
    ...results.map((entry) => {
      const [x, y] = [entry.variants[a], entry.variants[b]];
      const r = x && y ? x.rps / y.rps : NaN;
      const byCpu = x && y ? y.cpu_ms_per_request / x.cpu_ms_per_request : NaN;
      const non2xx = [x, y]
        .filter(Boolean)
        .map((side) => side.non_2xx)
        .join(' / ');
      return [
        entry.name,
        ...cells(x),
        ...cells(y),
        fixed(r, 2),
        fixed(byCpu, 2),
        non2xx,
        ...(note ? [note(entry.key, r, byCpu) ?? ''] : []),
      ];
    }),
  ];
  printTable(rows);
}

/** Rows of cells as a Markdown table, numbers right-aligned. */
function printTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const numeric = (column) => rows.slice(1).every((row) => /^[-\d.,/ ×%]*$/.test(String(row[column])));
  const line = (row) =>
    `| ${row.map((cell, c) => (numeric(c) ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c]))).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${widths.map((w, c) => (numeric(c) ? ` ${'-'.repeat(w - 1)}: ` : ` ${'-'.repeat(w)} `)).join('|')}|`);
  for (const row of rows.slice(1)) console.log(line(row));
}

module.exports = { compare, failuresOf, fixed, megabytes, peaksOf, printComparison, printPeaks, printTable, startVariants, stopVariants };
