import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `npm run openapi`: writes the OpenAPI document of the app as it is built now to postman/openapi.json,
 * the committed copy that reviewers diff and that test/openapi.e2e-spec.ts holds equal to /docs-json.
 */
const OUTPUT = resolve(__dirname, '..', '..', '..', 'postman', 'openapi.json');

// Set before the app is loaded: its configuration is read from the environment when the modules load.
// A throwaway in-memory database, and no scheduled restock running while the document is built.
Object.assign(process.env, { DB_TYPE: 'sqlite', DB_PATH: ':memory:', RESTOCK_ENABLED: 'false', NODE_ENV: 'test' });

async function writeOpenApiDocument(): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only after the environment above is set */
  const { createApp } = require('../app.factory') as typeof import('../app.factory');
  const { buildOpenApiDocument } = require('./document') as typeof import('./document');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = await createApp({ logger: ['error'] });
  try {
    const document = buildOpenApiDocument(app);
    mkdirSync(dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`Wrote ${OUTPUT} (${Object.keys(document.paths).length} paths)`);
  } finally {
    await app.close();
  }
}

writeOpenApiDocument().catch((error: Error) => {
  console.error(error.stack);
  process.exit(1);
});
