'use strict';
/**
 * The benchmark's own access to the databases its servers run on: seeding rows in bulk, copying a seeded database
 * so that every server under comparison starts on identical data, and reading end states back for the checks.
 * MariaDB/MySQL through mysql2 (text protocol, as the app), SQLite through better-sqlite3.
 */
const { copyFileSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { mysqlServer } = require('../scripts/server-harness');

/**
 * A connection with the few operations the benchmark needs, the same on both engines. `bulk`: for the seeder, whose
 * rows are consistent by construction, MariaDB skips checking each against its foreign and unique keys, which
 * would triple the time a million orders take.
 */
async function connect(database, { bulk = false } = {}) {
  if (database.env.DB_TYPE === 'mysql') {
    const mysql = require('mysql2/promise');
    const connection = await mysql.createConnection({ ...mysqlServer(), database: database.env.DB_DATABASE, timezone: 'Z' });
    if (bulk) await connection.query('SET FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0');
    return {
      engine: 'mysql',
      query: async (sql, params = []) => (await connection.query(sql, params))[0],
      /** One multi-row INSERT: mysql2 writes `VALUES ?` out as (…), (…) */
      insertRows: async (table, columns, rows) => {
        if (rows.length) await connection.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows]);
      },
      /** `work` in one transaction: a seeding batch lands whole, with one log flush instead of one per INSERT. */
      transaction: async (work) => {
        await connection.query('START TRANSACTION');
        try {
          await work();
          await connection.query('COMMIT');
        } catch (error) {
          await connection.query('ROLLBACK');
          throw error;
        }
      },
      close: () => connection.end(),
    };
  }
  const Database = require('better-sqlite3');
  const db = new Database(database.env.DB_PATH, { timeout: 5000 });
  return {
    engine: 'sqlite',
    query: async (sql, params = []) => {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all(params) : statement.run(params);
    },
    insertRows: async (table, columns, rows) => {
      const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      // inside transaction() below, better-sqlite3 makes this a savepoint
      db.transaction(() => rows.forEach((row) => insert.run(row)))();
    },
    transaction: async (work) => {
      db.exec('BEGIN');
      try {
        await work();
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => {
      // the copy made of this file next must hold everything written here, not leave it in the -wal file
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

async function withConnection(database, work) {
  const db = await connect(database);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

let copies = 0;

/**
 * A copy of a database nobody is writing to, schema and rows, as { env, drop } like the harness's databases. On
 * MariaDB each table is created from its own SHOW CREATE TABLE (keys, foreign keys and checks as the migrations
 * made them) and filled with INSERT … SELECT; a SQLite database is a file, copied.
 */
async function cloneDatabase(template) {
  copies += 1;
  if (template.env.DB_TYPE !== 'mysql') {
    const folder = mkdtempSync(join(tmpdir(), 'ecommerce-bench-'));
    const path = join(folder, 'ecommerce.sqlite');
    copyFileSync(template.env.DB_PATH, path);
    return { env: { DB_TYPE: 'sqlite', DB_PATH: path }, drop: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  const source = template.env.DB_DATABASE;
  const name = `ecommerce_bench_${process.pid}_${copies}`;
  const mysql = require('mysql2/promise');
  const connection = await mysql.createConnection(mysqlServer());
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    // tables in any order: the foreign keys are checked again by every later write, not by this copy
    await connection.query('SET FOREIGN_KEY_CHECKS = 0');
    const [tables] = await connection.query(`SHOW FULL TABLES FROM \`${source}\` WHERE Table_type = 'BASE TABLE'`);
    for (const row of tables) {
      const table = Object.values(row)[0];
      const [[created]] = await connection.query(`SHOW CREATE TABLE \`${source}\`.\`${table}\``);
      await connection.query(`USE \`${name}\``);
      await connection.query(created['Create Table']);
      // generated columns (products' in_stock, low_stock_quantity) are computed again by the copy, never written
      const [columns] = await connection.query(
        `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION`,
        [source, table],
      );
      const list = columns.map((column) => `\`${column.name}\``).join(', ');
      await connection.query(`INSERT INTO \`${name}\`.\`${table}\` (${list}) SELECT ${list} FROM \`${source}\`.\`${table}\``);
    }
  } finally {
    await connection.end();
  }
  return {
    env: { DB_TYPE: 'mysql', DB_DATABASE: name },
    drop: async () => {
      const c = await mysql.createConnection(mysqlServer());
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

module.exports = { cloneDatabase, connect, withConnection };
