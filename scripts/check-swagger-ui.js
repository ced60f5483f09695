'use strict';
/**
 * `npm run test:browser`: opens Swagger UI (/docs) of a freshly started server in Debian's Chromium and checks what a
 * developer relies on there: every tag and operation of /docs-json is rendered, Authorize takes the API key, and
 * "Try it out" really calls the API. Saves test-results/swagger-ui.png, prints `browser: N passed, N failed`.
 */
const assert = require('node:assert/strict');
const { existsSync, mkdirSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { chromium } = require('playwright-core');
const { API_KEY, runAndExit, startServer } = require('./server-harness');

const SCREENSHOT = join(__dirname, '..', 'test-results', 'swagger-ui.png');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Launches the system's Chromium: this project never downloads a browser build of its own. */
function launchChromium() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** What Swagger UI should render for the document: each operation once per tag, with its deep-link id. */
function expectedOperations(document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method]).flatMap((method) =>
      item[method].tags.map((tag) => ({ id: `operations-${tag}-${item[method].operationId}`, method, path, tag })),
    ),
  );
}

const sorted = (values) => [...values].sort();

/** Expands an operation, presses "Try it out" and "Execute", and returns the live response shown in the page. */
async function tryItOut(page, operation, editBody) {
  const block = page.locator(`#${operation.id}`);
  await block.locator('.opblock-summary-control').click();
  await block.locator('button.try-out__btn').click();
  if (editBody) {
    const editor = block.locator('textarea.body-param__text');
    await editor.fill(editBody(await editor.inputValue()));
  }
  await block.locator('button.execute').click();
  const response = block.locator('.live-responses-table tr.response');
  await response.waitFor();
  // leaves the latest live response in view, which is what the screenshot shows
  await block.locator('.live-responses-table').scrollIntoViewIfNeeded();
  return {
    status: (await response.locator('.response-col_status').textContent()).trim(),
    body: await response.locator('.response-col_description .highlight-code pre').textContent(),
  };
}

async function main() {
  let passed = 0;
  let failed = 0;
  // each check runs even if an earlier one failed, so one run shows everything that is wrong
  const check = async (name, run) => {
    try {
      await run();
      passed++;
      console.log(`  ✓ ${name}`);
    } catch (error) {
      failed++;
      // the head of the message is the reason; Playwright appends a long call log after it
      console.log(`  ✗ ${name}\n      ${error.message.split('\n').slice(0, 20).join('\n      ')}`);
    }
  };

  const server = await startServer();
  let browser;
  try {
    const document = await (await fetch(`${server.baseUrl}/docs-json`)).json();
    const operations = expectedOperations(document);
    const find = (method, path) => operations.find((o) => o.method === method && o.path === path);
    const tags = new Set([...(document.tags ?? []).map((t) => t.name), ...operations.map((o) => o.tag)]);

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(15_000);
    try {
      await page.goto(`${server.baseUrl}/docs`);

      await check(`renders the ${tags.size} tags of /docs-json`, async () => {
        await page.locator('.opblock-tag').first().waitFor();
        const rendered = await page.locator('.opblock-tag').evaluateAll((els) => els.map((el) => el.dataset.tag));
        assert.deepEqual(sorted(rendered), sorted(tags));
      });

      await check(`renders the ${operations.length} operations of /docs-json, each with its method and path`, async () => {
        const rendered = await page.locator('.opblock').evaluateAll((els) =>
          els.map((el) => ({
            id: el.id,
            method: el.querySelector('.opblock-summary-method').textContent.toLowerCase(),
            path: el.querySelector('.opblock-summary-path').dataset.path,
          })),
        );
        const describe = (ops) => sorted(ops.map((o) => `${o.method} ${o.path} #${o.id}`));
        assert.deepEqual(describe(rendered), describe(operations));
      });

      await check('Authorize accepts the API key', async () => {
        await page.locator('.auth-wrapper button.authorize').click();
        const scheme = page.locator('.auth-container').filter({ has: page.locator('h4', { hasText: 'api-key' }) });
        await scheme.locator('input').fill(API_KEY);
        await scheme.locator('button.authorize').click();
        // Swagger UI swaps the scheme's Authorize button for Logout once it holds the key
        await scheme.locator('button', { hasText: 'Logout' }).waitFor();
        await page.locator('.modal-ux button.close-modal').click();
        await page.locator('.modal-ux').waitFor({ state: 'detached' });
      });

      await check('GET /products: Try it out, Execute answers 200 with a page', async () => {
        const response = await tryItOut(page, find('get', '/products'));
        assert.equal(response.status, '200', `status ${response.status}: ${response.body}`);
        assert.ok('items' in JSON.parse(response.body), response.body);
      });

      // POST /customers takes an API key only: its 201 also shows that Swagger UI sends the key Authorize took
      await check('POST /customers: Try it out with a unique email, Execute answers 201 with that customer', async () => {
        const email = `swagger.${Date.now().toString(36)}@example.com`;
        const response = await tryItOut(page, find('post', '/customers'), (example) =>
          JSON.stringify({ ...JSON.parse(example), email }, null, 2),
        );
        assert.equal(response.status, '201', `status ${response.status}: ${response.body}`);
        assert.equal(JSON.parse(response.body).customer.email, email);
      });
    } finally {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      console.log(`  screenshot: ${SCREENSHOT}`);
    }
  } finally {
    await browser?.close();
    await server.stop();
  }
  return { passed, failed };
}

runAndExit('browser', main);
