'use strict';
/** Driving a server with autocannon and reading what it did: requests/s, latency percentiles, statuses, memory. */
const autocannon = require('autocannon');
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync } = require('node:fs');
const { API_KEY } = require('../scripts/server-harness');

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

/**
 * One run of `duration` seconds at `connections` connections against `baseUrl`. `next()` gives each request
 * { method, path, body? } in turn, so that reads spread over many rows and orders over many products. Every
 * request carries the API key, as internal callers do (the app then skips its per-client rate limit).
 */
async function load(baseUrl, { connections, duration }, next) {
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration,
    requests: [
      {
        setupRequest: (request) => {
          const { method, path, body } = next();
          const headers = { 'x-api-key': API_KEY, ...(body !== undefined && { 'content-type': 'application/json' }) };
          return { ...request, method, path, body, headers };
        },
      },
    ],
  });
  // autocannon's own histogram keeps whole milliseconds, and most reads here take less than one
  const times = [];
  instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await instance;
  const sorted = Float64Array.from(times).sort();
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)])),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every mainstream Linux. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * What a server process used, from /proc on Linux (NaN elsewhere):
 * - peak resident memory, VmHWM, which the kernel keeps; writing 5 to clear_refs resets it to the current size, so
 *   that each scenario's own peak can be read (where that is not allowed, the peak since start is what is read);
 * - CPU time, user and system, in milliseconds. Per request, it is the figure that the other work on a shared
 *   machine disturbs least: requests/s fall when the CPU is taken away, the CPU a request needs does not.
 */
function processMeter(pid) {
  const read = (file) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    resetPeak() {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not resettable here: the reading stays the peak since start
      }
    },
    peakRssBytes() {
      const kb = /^VmHWM:\s+(\d+) kB/m.exec(read('status'));
      return kb ? Number(kb[1]) * 1024 : NaN;
    },
    cpuMs() {
      // the fields after the command name, which is in parentheses and may hold spaces: utime and stime are 12th and 13th
      const fields = read('stat').split(') ')[1]?.split(' ');
      return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND : NaN;
    },
  };
}

/** Cycles through values: one request per row, round and round. */
function cycle(values) {
  let i = 0;
  return () => values[i++ % values.length];
}

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

module.exports = { cycle, load, median, percentile, processMeter, range };
