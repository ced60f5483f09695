'use strict';
/**
 * The server under load: `node dist/main.js` as a process of its own (so the load generator and the server do not
 * share an event loop), on a fresh SQLite file or on the MariaDB/MySQL database `ecommerce_bench`.
 */
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'dist', 'main.js');
const MYSQL_DATABASE = 'ecommerce_bench';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

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

async function mysqlQuery(sql) {
  const { createConnection } = require('mysql2/promise');
  const connection = await createConnection({
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    user: process.env.DB_USERNAME ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
  });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

async function createDatabase(mysql) {
  if (!mysql) {
    // a folder rather than a file, so SQLite's -wal and -shm files go with it
    const folder = mkdtempSync(join(tmpdir(), 'ecommerce-bench-'));
    return {
      env: { DB_TYPE: 'sqlite', DB_PATH: join(folder, 'bench.sqlite') },
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  // a run that was killed leaves its database behind; the figures must come from an empty one
  await mysqlQuery(`DROP DATABASE IF EXISTS \`${MYSQL_DATABASE}\``);
  await mysqlQuery(`CREATE DATABASE \`${MYSQL_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    env: { DB_TYPE: 'mysql', DB_DATABASE: MYSQL_DATABASE },
    drop: () => mysqlQuery(`DROP DATABASE IF EXISTS \`${MYSQL_DATABASE}\``),
  };
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

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
    // a server stuck in its shutdown hooks is killed rather than left running
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts the built server with `env` on top of the caller's environment and waits for GET /health to answer 200.
 * Resolves to { baseUrl, exited(), output(), stop() }; stop() ends the server and removes its database.
 */
async function startServer({ mysql = false, env = {} } = {}) {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const database = await createDatabase(mysql);
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env: { ...process.env, ...database.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  // a benchmark that crashes before stop() must not leave the server holding the port and the database
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    await stopProcess(child);
    await database.drop();
  };
  try {
    await waitForHealth(baseUrl, child);
  } catch (error) {
    await stop();
    error.serverOutput = output;
    throw error;
  }
  return { baseUrl, exited: () => exited(child), output: () => output, stop };
}

module.exports = { startServer };
