'use strict';
/**
 * `npm run test:postman [-- --mysql]`: runs the Postman collection with newman against a freshly started server
 * (see server-harness.js) on an empty SQLite file, or with --mysql on a MariaDB/MySQL database made for the run.
 * Prints `newman: N passed, N failed` and exits non-zero if anything failed.
 */
const newman = require('newman');
const { join } = require('node:path');
const { API_KEY, runAndExit, startServer } = require('./server-harness');

const COLLECTION = join(__dirname, '..', 'postman', 'ecommerce-api.postman_collection.json');
const ENVIRONMENT = join(__dirname, '..', 'postman', 'local.postman_environment.json');

function runCollection(baseUrl) {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: COLLECTION,
        environment: ENVIRONMENT,
        // envVar overrides the environment file's values; globals would lose to them
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          { key: 'apiKey', value: API_KEY },
        ],
        reporters: ['cli'],
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

async function main() {
  const mysql = process.argv.includes('--mysql');
  const server = await startServer({ mysql });
  let summary;
  try {
    summary = await runCollection(server.baseUrl);
  } finally {
    await server.stop();
  }
  const { assertions } = summary.run.stats;
  // failures also holds script errors and requests that got no answer, which assertions do not count
  const failed = summary.run.failures.length + (summary.run.error ? 1 : 0);
  if (failed > 0) console.error(`--- server output ---\n${server.output()}---`);
  return { passed: assertions.total - assertions.failed, failed };
}

runAndExit('newman', main);
