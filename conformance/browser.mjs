// Dateline in a real browser: Debian's headless Chromium, driven by
// playwright-core (which never downloads a browser of its own).
//
//   BASE_URL=http://127.0.0.1:8080 node browser.mjs
//
// 1. /graphql: GraphiQL loads, its documentation explorer lists `Article`,
//    the README's reference-story query is typed into the editor and run,
//    and the story's headline shows in the result pane;
// 2. /docs: Swagger UI lists the `/v1/articles` operation.
// Fails on any request to another host than BASE_URL's, on any console
// error or uncaught page error, and on any step that does not happen in
// time. Screenshots of each step go to conformance/artifacts/.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ORIGIN = new URL(BASE).origin;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.STEP_TIMEOUT_MS || 60000);
const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = process.env.ARTIFACTS || join(HERE, 'artifacts');
const SLUG = 'harris-amlo-migration-talks';

// The reference-story query from the README ("Try it").
const REFERENCE_QUERY = `{ article(slug: "${SLUG}") { headline dek dateline publishedAt
    heroImage { url caption credit { text photographer agency } }
    authors { name } section { name } tags { slug } audio { url durationSeconds }
    body { html blocks { __typename ... on ParagraphBlock { spans { text marks href } } } }
    corrections { text publishedAt } readingTimeMinutes commentsStatus } }`;

const problems = [];
const requests = [];
const shots = [];
let step = 'start';

function fail(message) {
  throw new Error(`${step}: ${message}`);
}

async function shot(page, name) {
  const path = join(ARTIFACTS, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path });
  shots.push(path);
  console.log(`  screenshot ${path}`);
}

async function expectedHeadline() {
  // Asked outside the browser, so the check does not depend on GraphiQL.
  const r = await fetch(`${BASE}/v1/articles/${SLUG}`);
  if (!r.ok) fail(`GET /v1/articles/${SLUG} answered ${r.status}`);
  const body = await r.json();
  if (!body.headline) fail(`the reference story has no headline: ${JSON.stringify(body).slice(0, 200)}`);
  return body.headline;
}

async function graphiql(page) {
  step = 'GraphiQL: load /graphql';
  console.log(step);
  await page.goto(`${BASE}/graphql`, { waitUntil: 'load' });
  await page.locator('.graphiql-container').waitFor({ timeout: STEP_MS });
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: STEP_MS });
  await shot(page, 'graphiql-loaded');

  step = 'GraphiQL: the documentation explorer lists Article';
  console.log(step);
  const explorer = page.locator('.graphiql-doc-explorer');
  if (!(await explorer.isVisible())) {
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click({ timeout: STEP_MS });
  }
  await explorer.waitFor({ timeout: STEP_MS });
  // The explorer shows "All Schema Types" once the introspection answer is in.
  const article = explorer.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Article$/ });
  try {
    await article.first().waitFor({ timeout: STEP_MS });
  } catch {
    await shot(page, 'graphiql-docs-missing-article');
    const text = (await explorer.innerText().catch(() => '')).slice(0, 300);
    const pane = (await page.locator('.graphiql-response').innerText().catch(() => '')).slice(0, 500);
    fail(
      `the type Article never appeared in the documentation explorer; it shows: ${text.replace(/\s+/g, ' ')}; ` +
        `the result pane shows: ${pane.replace(/\s+/g, ' ')}`,
    );
  }
  await article.first().scrollIntoViewIfNeeded();
  await shot(page, 'graphiql-docs-article');

  step = 'GraphiQL: type the reference-story query and run it';
  console.log(step);
  const headline = await expectedHeadline();
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // Pasted whole, as from the clipboard: typed key by key, the editor's
  // bracket auto-closing would add brackets of its own.
  await page.keyboard.insertText(REFERENCE_QUERY);
  const typed = await page.evaluate(
    () => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue(),
  );
  if (typed.trim() !== REFERENCE_QUERY.trim()) fail(`the editor holds something else:\n${typed}`);
  await shot(page, 'graphiql-query-typed');
  await page.locator('button.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  try {
    await page.waitForFunction(
      ([needle]) => {
        const el = document.querySelector('.graphiql-response');
        return !!el && el.innerText.includes(needle);
      },
      [headline],
      { timeout: STEP_MS },
    );
  } catch {
    await shot(page, 'graphiql-result-missing');
    const text = (await response.innerText().catch(() => '')).slice(0, 800);
    fail(`the headline ${JSON.stringify(headline)} never showed in the result pane; it shows: ${text}`);
  }
  const result = await page.evaluate(
    () => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue(),
  );
  let parsed;
  try {
    parsed = JSON.parse(result);
  } catch {
    fail(`the result pane does not hold JSON: ${result.slice(0, 300)}`);
  }
  if (parsed.errors) fail(`the query answered errors: ${JSON.stringify(parsed.errors).slice(0, 500)}`);
  if (parsed.data?.article?.headline !== headline) fail(`unexpected result: ${result.slice(0, 300)}`);
  await shot(page, 'graphiql-result');
  console.log(`  result pane shows ${JSON.stringify(headline)}`);
}

async function docs(page) {
  step = 'Swagger UI: /docs lists /v1/articles';
  console.log(step);
  await page.goto(`${BASE}/docs`, { waitUntil: 'load' });
  const op = page.locator('.opblock-summary-path[data-path="/v1/articles"]');
  try {
    await op.first().waitFor({ timeout: STEP_MS });
  } catch {
    await shot(page, 'docs-missing-operation');
    const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 500);
    fail(`no /v1/articles operation appeared; the page shows: ${text}`);
  }
  await shot(page, 'docs-operations');
  await op.first().click();
  await page.locator('.opblock.is-open').first().waitFor({ timeout: STEP_MS });
  await shot(page, 'docs-operation-open');
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'dateline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(STEP_MS);
    page.on('request', (r) => {
      const url = r.url();
      requests.push(`${r.method()} ${url}`);
      if (url.startsWith('data:') || url.startsWith('blob:')) return;
      let origin = '';
      try {
        origin = new URL(url).origin;
      } catch {
        origin = url;
      }
      if (origin !== ORIGIN) problems.push(`[${step}] request to another host: ${r.method()} ${url}`);
    });
    page.on('requestfailed', (r) => {
      problems.push(`[${step}] request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`[${step}] ${r.status()} for ${r.request().method()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`[${step}] console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`[${step}] uncaught error: ${e.message}`));

    await graphiql(page);
    await docs(page);
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  problems.unshift(`FAILED at ${e.message}`);
}
console.log(`${requests.length} requests, all checked against ${ORIGIN}; screenshots in ${ARTIFACTS}`);
if (problems.length > 0) {
  console.log('browser test: FAILED');
  for (const p of problems) console.log(`  - ${p}`);
  process.exit(1);
}
console.log('browser test: passed (GraphiQL explorer, reference query, /docs; no other host, no console error)');
