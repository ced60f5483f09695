'use strict';
/**
 * `node bench/profile-summary.js <file.cpuprofile | folder> [--top N]`: where a V8 CPU profile spent its time, by
 * function (self time: the function's own code, not what it called) and by package (node_modules/<name>, the app's
 * dist/, Node's own node: modules, the garbage collector).
 *
 * `npm run bench -- --profile` writes one folder per scenario under bench/profiles/, with the profile and a
 * window.json holding when the measured load began and ended. Only samples inside that window count, so the
 * server's start-up and warm-up do not blur the figures. (V8 stamps samples with the monotonic clock that
 * process.hrtime() reads, so the runner's timestamps and the profile's compare directly.)
 */
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = join(__dirname, '..');

/** Which package a frame belongs to, judged by its script's URL. */
function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (core)';
  const inModules = url.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const [first, second] = url.slice(inModules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.includes('/dist/')) return 'app (dist/)';
  if (url.includes('/bench/')) return 'bench';
  return 'other';
}

/**
 * Self time per function and per package over the samples taken between `from` and `to` (microseconds on the
 * profile's clock; the whole profile without them). `(idle)` is time the thread waited for I/O: it is reported
 * apart and left out of the percentages, which are shares of the busy time.
 */
function summarise(profile, { from = -Infinity, to = Infinity, top = 15 } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map();
  const byPackage = new Map();
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i];
    // a sample stands for the time until the next one
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (at < from || at > to) continue;
    const { functionName, url, lineNumber } = nodes.get(profile.samples[i]).callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const where = url ? `${url.startsWith('file://') ? relative(ROOT, url.slice(7)) : url}:${lineNumber + 1}` : '';
    add(byFunction, `${functionName || '(anonymous)'} ${where}`.trim(), us);
    add(byPackage, packageOf(url, functionName), us);
  }
  const ranked = (map, count) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, self_ms: us / 1000, share: busy ? us / busy : 0 }));
  return { busy_ms: busy / 1000, idle_ms: idle / 1000, functions: ranked(byFunction, top), packages: ranked(byPackage, 12) };
}

function printSummary(summary, title) {
  const row = ({ name, self_ms, share }) => `  ${(share * 100).toFixed(1).padStart(5)} %  ${self_ms.toFixed(0).padStart(7)} ms  ${name}`;
  console.log(`${title}: ${summary.busy_ms.toFixed(0)} ms busy, ${summary.idle_ms.toFixed(0)} ms idle`);
  console.log(' by package (self time):');
  summary.packages.forEach((p) => console.log(row(p)));
  console.log(' top functions (self time):');
  summary.functions.forEach((f) => console.log(row(f)));
}

/** The newest profile in a folder, with the window the runner wrote beside it. */
function readProfile(path) {
  let file = path;
  let window = {};
  if (statSync(path).isDirectory()) {
    const profiles = readdirSync(path).filter((name) => name.endsWith('.cpuprofile'));
    if (!profiles.length) throw new Error(`no .cpuprofile in ${path}`);
    file = join(path, profiles.sort((a, b) => statSync(join(path, b)).mtimeMs - statSync(join(path, a)).mtimeMs)[0]);
    if (existsSync(join(path, 'window.json'))) window = JSON.parse(readFileSync(join(path, 'window.json'), 'utf8'));
  }
  return { file, profile: JSON.parse(readFileSync(file, 'utf8')), from: window.from_us, to: window.to_us };
}

if (require.main === module) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '15' } } });
  if (positionals.length !== 1) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile | folder> [--top N]');
    process.exit(2);
  }
  const { file, profile, from, to } = readProfile(positionals[0]);
  printSummary(summarise(profile, { from, to, top: Number(values.top) }), relative(process.cwd(), file));
}

module.exports = { printSummary, readProfile, summarise };
