'use strict';
/**
 * What the checks that talk to a running server over real HTTP share (the Postman collection run by newman, the
 * Swagger UI check and the load benchmark in bench/): a server of their own, started from the build on a free port and an empty database, and
 * the way they report.
 */
const { spawn } = require('node:child_process');
const { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'dist', 'main.js');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** The one key the server under check accepts, whatever API_KEYS the shell or a .env file holds. */
const API_KEY = 'dev-api-key';

const mysqlServer = () => ({
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USERNAME ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
});

/** A port nobody listens on right now: the OS picks it, we release it for the server to take. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function withMysql(work) {
  const { createConnection } = require('mysql2/promise');
  const connection = await createConnection(mysqlServer());
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/**
 * A database nobody else uses, and how to get rid of it: a fresh SQLite file in a temporary folder
 * (the folder also takes SQLite's -wal/-shm files), or a MySQL/MariaDB database created for this run.
 */
async function createDatabase(mysql) {
  if (!mysql) {
    const folder = mkdtempSync(join(tmpdir(), 'ecommerce-api-'));
    return {
      env: { DB_TYPE: 'sqlite', DB_PATH: join(folder, 'ecommerce.sqlite') },
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const name = `ecommerce_check_${process.pid}_${Date.now()}`;
  await withMysql((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  return {
    env: { DB_TYPE: 'mysql', DB_DATABASE: name },
    drop: () => withMysql((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)),
  };
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitForHealth(baseUrl, child) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`the server exited with ${child.exitCode ?? child.signalCode} before it answered`);
    try {
      if ((await fetch(`${baseUrl}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`GET ${baseUrl}/health did not answer 200 within ${START_TIMEOUT_MS / 1000} s`);
}

function stopProcess(child) {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    // the shutdown hooks close the database; a server stuck in them is killed rather than left behind
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `node dist/main.js` with RESTOCK_ENABLED=false (so no scheduled pass changes stock under the checks),
 * then `env` on top, and waits until GET /health answers 200. Resolves to { baseUrl, database, pid, exited(),
 * whenExited() (alias exitStatus()), kill(signal), output(), stop() }; stop() ends the server and removes its database. If the server does not come
 * up, its output is printed and the promise rejects.
 *
 * A database can outlive its server (a restart on the same data, as after a crash): `keepDatabase: true` leaves it
 * in place on stop(), and `database: earlier.database` starts a server on it as it is (stop() leaves it too); the
 * caller removes it with `database.drop()`. `database.env` holds its DB_* variables.
 *
 * The load benchmark also passes `entry` (another server script, its baseline), `nodeArgs` (e.g. --cpu-prof) and
 * `logFile`: the server's stdout and stderr then go straight to that file, as to a log collector, instead of
 * through a pipe into this process (which would hold every line and spend the load generator's CPU reading them);
 * output() then reads the file's last 64 KB.
 */
async function startServer({
  mysql = false,
  env = {},
  database: reused,
  keepDatabase = false,
  entry = ENTRY,
  nodeArgs = [],
  logFile,
} = {}) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const database = reused ?? (await createDatabase(mysql));
  const logFd = logFile && openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env: { ...process.env, ...database.env, PORT: String(port), NODE_ENV: 'test', RESTOCK_ENABLED: 'false', API_KEYS: API_KEY, ...env },
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd) closeSync(logFd);
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let piped = '';
  child.stdout?.on('data', (chunk) => (piped += chunk));
  child.stderr?.on('data', (chunk) => (piped += chunk));
  const output = () => (logFile ? fileTail(logFile) : piped);
  // a runner that dies without calling stop() (an uncaught error, a closed pipe) must not leave the server running
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);

  const stop = async ({ dropDatabase = !reused && !keepDatabase } = {}) => {
    process.off('exit', killOnExit);
    await stopProcess(child);
    if (dropDatabase) await database.drop();
  };
  try {
    await waitForHealth(baseUrl, child);
  } catch (error) {
    await stop({ dropDatabase: !reused });
    console.error(`The server did not start: ${error.message}\n--- server output ---\n${output()}---`);
    throw error;
  }
  return {
    baseUrl,
    database,
    pid: child.pid,
    exited: () => exited(child),
    whenExited: () => exit,
    exitStatus: () => exit,
    kill: (signal) => child.kill(signal),
    output,
    stop,
  };
}

/** The last `bytes` of a file, as text. */
function fileTail(file, bytes = 64 * 1024) {
  const size = statSync(file).size;
  const length = Math.min(size, bytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/**
 * Runs a check's main(), which resolves to { passed, failed }; prints `<name>: N passed, N failed` (the line CI
 * counts) and exits non-zero if anything failed, a crash included.
 */
function runAndExit(name, main) {
  const finish = ({ passed, failed }) => {
    console.log(`${name}: ${passed} passed, ${failed} failed`);
    process.exit(failed === 0 ? 0 : 1);
  };
  main().then(finish, (error) => {
    console.error(error.stack ?? error);
    finish({ passed: 0, failed: 1 });
  });
}

module.exports = { API_KEY, freePort, mysqlServer, startServer, runAndExit };
