// The example article page (/example/) in a real browser: Debian's headless
// Chromium driven by playwright-core, axe-core for accessibility.
//
//   BASE_URL=http://127.0.0.1:8080 EDITOR_KEY=dk_... node example-page.mjs
//
// The server is a fresh demo (conformance/run starts one for this tool)
// with an image CDN template, so the hero photo has a srcset, and
// `--comments-suspect-words quarantine`, so a comment can be held.
// EDITOR_KEY has content:write (to close the thread mid-way).
//
// 1. A reader opens the story modelled on the reference page: every element
//    is shown (dateline, headline, dek, hero photo with caption, credit and
//    srcset, body blocks, audio with its duration, corrections, related
//    sidebar, comments) after exactly one GraphQL request, a GET naming a
//    persisted operation; axe-core finds no serious or critical violation;
//    screenshots at desktop and phone widths.
// 2. Reader A registers and posts a comment and a reply; reader B, on the
//    page already, sees both arrive without reloading.
// 3. A comment held for moderation shows to A as held, never to B (B sees
//    A's next comment, sent after it, arrive first, and a fresh page of C
//    does not list it).
// 4. API errors are shown: a thread closed under the reader, and posting
//    too fast (with when to try again); axe-core again on the discussion.
// Photos and audio live on hosts that do not exist (dateline.example):
// the browser gets a drawing and silence for them; any request to another
// host, console error or uncaught error fails the run.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ORIGIN = new URL(BASE).origin;
const EDITOR_KEY = process.env.EDITOR_KEY || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.STEP_TIMEOUT_MS || 30000);
const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = process.env.ARTIFACTS || join(HERE, 'artifacts');
const SLUG = 'harris-amlo-migration-talks';
const PAGE = `${BASE}/example/?slug=${SLUG}`;

const problems = [];
let step = 'start';

function fail(message) {
  throw new Error(`${step}: ${message}`);
}

function say(text) {
  step = text;
  console.log(text);
}

// A stand-in photo for hosts that do not exist: a drawing of our own.
const PHOTO = `<svg xmlns="http://www.w3.org/2000/svg" width="2048" height="1365" viewBox="0 0 2048 1365">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6b7c8f"/><stop offset="1" stop-color="#2b3440"/></linearGradient></defs>
<rect width="2048" height="1365" fill="url(#g)"/><circle cx="1024" cy="560" r="190" fill="#c9d2dc"/>
<rect x="744" y="780" width="560" height="585" rx="120" fill="#c9d2dc"/><rect x="640" y="1040" width="768" height="60" fill="#8a5a2b"/></svg>`;

async function context(browser, options = {}) {
  const ctx = await browser.newContext({ ...options });
  await ctx.route(/^https?:\/\/[^/]*dateline\.example\//, (route) => {
    const url = route.request().url();
    if (/\.(mp3|ogg|m4a)(\?|$)/.test(url)) return route.fulfill({ status: 204 });
    return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PHOTO });
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(STEP_MS);
  const graphql = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === ORIGIN && url.pathname === '/graphql') graphql.push(r);
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.origin === ORIGIN) return;
    if (/dateline\.example$/.test(url.hostname)) return;
    problems.push(`[${step}] request to another host: ${r.method()} ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`[${step}] console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[${step}] uncaught error: ${e.message}`));
  return { ctx, page, graphql };
}

async function open(page) {
  await page.goto(PAGE, { waitUntil: 'load' });
  await page.locator('main[aria-busy="false"] h1').waitFor();
}

async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

async function expectText(locator, pattern, what) {
  const t = await text(locator).catch(() => '');
  if (!pattern.test(t)) fail(`${what}: expected ${pattern}, the page shows ${JSON.stringify(t.slice(0, 200))}`);
}

async function rest(path) {
  const r = await fetch(`${BASE}${path}`);
  if (!r.ok) fail(`GET ${path} answered ${r.status}`);
  return r.json();
}

async function everyElement(page, graphql) {
  say('the story: every element of the reference page, after one GraphQL request');
  const story = await rest(`/v1/articles/${SLUG}`);
  await open(page);
  await page.waitForLoadState('networkidle');
  if (graphql.length !== 1) fail(`the first render sent ${graphql.length} GraphQL requests: ${graphql.map((r) => r.url()).join(', ')}`);
  const first = new URL(graphql[0].url());
  if (graphql[0].method() !== 'GET') fail(`the first request is a ${graphql[0].method()}`);
  if (first.searchParams.has('query')) fail('the first request sent the document instead of its hash');
  const ext = JSON.parse(first.searchParams.get('extensions') || '{}');
  if (!/^[0-9a-f]{64}$/.test(ext.persistedQuery?.sha256Hash || '')) fail(`no persisted query hash: ${first.search}`);
  const answer = await graphql[0].response();
  if (!/public/.test(answer.headers()['cache-control'] || '')) {
    fail(`an anonymous reader's page is not cacheable: Cache-Control ${answer.headers()['cache-control']}`);
  }
  console.log(`  one request: GET /graphql?operationName=${first.searchParams.get('operationName')}, ${answer.headers()['cache-control']}`);

  await expectText(page.locator('.dateline'), /^MEXICO CITY, MEXICO - MAY 0\d$/, 'dateline');
  await expectText(page.locator('h1'), new RegExp(story.headline.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'headline');
  await expectText(page.locator('.dek'), /unlikely to stay on immigration/, 'dek');
  await expectText(page.locator('.byline'), /Ana Ruiz and Sam Okafor/, 'byline');
  const hero = page.locator('figure.hero img');
  const srcset = (await hero.getAttribute('srcset')) || '';
  if (!/ \d+w/.test(srcset)) fail(`the hero photo has no srcset: ${JSON.stringify(srcset)}`);
  if (!(await hero.getAttribute('alt'))) fail('the hero photo has no alt text');
  await expectText(page.locator('figure.hero figcaption'), /National Palace.*Hector Vivas.*Getty Images/, 'caption and credit');
  const loaded = await hero.evaluate((img) => img.complete && img.naturalWidth > 0);
  if (!loaded) fail('the hero photo did not load');
  const paragraphs = await page.locator('.body > p').count();
  if (paragraphs < 3) fail(`${paragraphs} body paragraphs`);
  await expectText(page.locator('.body blockquote'), /bring his own agenda/, 'quote block');
  await expectText(page.locator('.body h3'), /What else is on the table/, 'heading block');
  if ((await page.locator('.body ul > li').count()) !== 3) fail('the list block does not have its 3 items');
  const link = await page.locator('.body a').first().getAttribute('href');
  if (!/^https:\/\//.test(link || '')) fail(`the body's link is ${link}`);
  if ((await page.locator('.body strong, .body em').count()) < 2) fail('bold and italic marks are missing');
  const audio = await page.locator('section.audio audio').getAttribute('src');
  if (!/\.mp3$/.test(audio || '')) fail(`no audio player: ${audio}`);
  await expectText(page.locator('section.audio'), /Listen to this story \(6:52\)/, 'audio duration');
  await expectText(page.locator('.corrections'), /wrong date for the meeting/, 'corrections');
  const related = page.locator('aside.related li');
  const n = await related.count();
  if (n < 5) fail(`${n} related stories`);
  for (let i = 0; i < n; i += 1) {
    const item = related.nth(i);
    const href = await item.locator('a').getAttribute('href');
    if (!/[?&]slug=[a-z0-9-]+/.test(href || '')) fail(`related link ${i} is ${href}`);
    await expectText(item.locator('time'), /^[A-Z][a-z]+ \d{1,2}(st|nd|rd|th), \d{4}$/, `related date ${i}`);
  }
  await expectText(page.locator('#comments-h'), /^Comments/, 'comments heading');
  await expectText(page.locator('#account'), /Join the discussion!.*Sign in.*register.*to comment/, 'sign-in invitation');
  console.log(`  ${paragraphs} paragraphs, ${n} related stories, hero srcset ${srcset.split(',').length} widths`);

  say('a related story opens its own page');
  const target = await related.first().locator('a').getAttribute('href');
  const sidebarHeadline = await text(related.first().locator('a'));
  await related.first().locator('a').click();
  await page.waitForURL((u) => u.search.includes(target.split('slug=')[1]));
  await page.locator('main[aria-busy="false"] h1').waitFor();
  await expectText(page.locator('h1'), new RegExp(sidebarHeadline.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'related page headline');
  await open(page);
}

async function accessibility(page, name) {
  say(`accessibility (${name}): axe-core`);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) {
    console.log(`  ${v.impact}: ${v.id} (${v.nodes.length}) ${v.help}`);
  }
  if (bad.length) fail(`${bad.length} serious or critical violations: ${bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`).join(' | ')}`);
  console.log(`  ${result.passes.length} rules passed, no serious or critical violation`);
}

async function keyboard(page) {
  say('keyboard: the sign-in form opens and takes focus without a mouse');
  await page.locator('#account button', { hasText: 'Sign in' }).focus();
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== 'account-email') fail(`focus is on ${focused}, not the email field`);
}

async function register(page, name) {
  say(`reader ${name} registers`);
  await page.locator('#account button', { hasText: 'register' }).click();
  await page.locator('#account-name').fill(name);
  await page.locator('#account-email').fill(`${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@example.org`);
  await page.locator('#account-password').fill('a long and unusual passphrase 42');
  await page.locator('#account form button[type=submit]').click();
  await expectTextSoon(page.locator('#account'), new RegExp(`Signed in as ${name}`), 'signed in');
  await page.locator('#new-comment').waitFor();
}

async function expectTextSoon(locator, pattern, what) {
  try {
    await locator.filter({ hasText: pattern }).first().waitFor();
  } catch {
    const t = await text(locator.first()).catch(() => '(nothing)');
    fail(`${what}: ${pattern} never showed; it shows ${JSON.stringify(t.slice(0, 300))}`);
  }
}

async function post(page, body) {
  await page.locator('#new-comment').fill(body);
  await page.locator('form.composer:not(.reply-form) button[type=submit]').click();
}

function commentLocator(page, body) {
  return page.locator('li.comment', { has: page.locator(':scope > article .comment-body', { hasText: body }) });
}

async function discussion(a, b, c) {
  await register(a.page, 'Rosa Linde');
  const first = `First from the browser ${Date.now()}`;
  say('A posts a comment; B sees it arrive without reloading');
  const bLoads = b.graphql.length;
  await post(a.page, first);
  await commentLocator(a.page, first).waitFor();
  await expectTextSoon(a.page.locator('.notice'), /Your comment is posted/, 'posted notice');
  await commentLocator(b.page, first).waitFor();

  say('A replies; B sees the reply under the comment');
  const reply = `A reply from the browser ${Date.now()}`;
  const parent = commentLocator(a.page, first);
  await parent.locator(':scope > article button.reply').click();
  const replyBox = parent.locator(':scope > form textarea');
  await replyBox.waitFor();
  await replyBox.fill(reply);
  await parent.locator(':scope > form button[type=submit]').click();
  await commentLocator(a.page, reply).waitFor();
  await commentLocator(b.page, first).locator(':scope > ol.replies li.comment', { hasText: reply }).waitFor();
  if (b.graphql.length !== bLoads) fail(`B sent ${b.graphql.length - bLoads} GraphQL requests: it reloaded`);

  say('A reacts to the comment');
  const react = commentLocator(a.page, first).locator(':scope > article button.react');
  await react.click();
  await a.page.waitForFunction(
    (el) => el.getAttribute('aria-pressed') === 'true' && el.textContent.includes('1'),
    await react.elementHandle(),
  );

  say('a held comment shows to its author as held and to nobody else');
  const held = `Please quarantine this one ${Date.now()}`;
  await post(a.page, held);
  await expectTextSoon(a.page.locator('.notice'), /held for moderation/, 'held notice');
  await expectTextSoon(commentLocator(a.page, held).locator('.badge'), /Awaiting moderation/, 'held badge');
  const after = `Sent after the held one ${Date.now()}`;
  await post(a.page, after);
  await commentLocator(b.page, after).waitFor();
  // B's stream delivers in order: the later comment is there, the held one is not.
  if (await commentLocator(b.page, held).count()) fail('B was shown the held comment');
  await open(c.page);
  await commentLocator(c.page, after).waitFor();
  if (await commentLocator(c.page, held).count()) fail('a fresh page lists the held comment');
  console.log('  B saw the comment sent after it and not the held one; so did a fresh page');

  say('the sort switch: oldest first puts the earlier comment first');
  const order = async () => {
    const ids = await a.page.locator('ol.thread > li.comment > article .comment-body').allInnerTexts();
    return [ids.findIndex((t) => t.includes(first)), ids.findIndex((t) => t.includes(after))];
  };
  const [f0, a0] = await order();
  if (!(a0 >= 0 && f0 > a0)) fail(`newest first shows them at ${f0} and ${a0}`);
  await a.page.locator('#comment-order').selectOption('OLDEST');
  await a.page.waitForFunction(
    ([x, y]) => {
      const t = [...document.querySelectorAll('ol.thread > li.comment > article .comment-body')].map((e) => e.textContent);
      const i = t.findIndex((s) => s.includes(x));
      const j = t.findIndex((s) => s.includes(y));
      return i >= 0 && j > i;
    },
    [first, after],
  );
}

async function errors(a) {
  say('a thread closed under the reader: the refusal is shown');
  if (!EDITOR_KEY) fail('EDITOR_KEY is not set');
  const auth = { authorization: `Bearer ${EDITOR_KEY}`, 'content-type': 'application/json' };
  const setStatus = async (status) => {
    const current = await rest(`/v1/articles/${SLUG}`);
    const r = await fetch(`${BASE}/v1/articles/${current.id}`, {
      method: 'PATCH',
      headers: { ...auth, 'if-match': `"${current.version}"` },
      body: JSON.stringify({ commentsStatus: status }),
    });
    if (!r.ok) fail(`PATCH commentsStatus ${status} answered ${r.status}: ${await r.text()}`);
  };
  await setStatus('CLOSED');
  await post(a.page, 'Too late for this one');
  await expectTextSoon(a.page.locator('form.composer .form-error'), /closed/, 'closed-thread error');
  await setStatus('OPEN');

  say('posting too fast: the rate limit is shown');
  for (let i = 0; i < 30; i += 1) {
    await a.page.locator('.notice').evaluate((n) => (n.textContent = ''));
    await post(a.page, `Quick comment number ${i} ${Date.now()}`);
    const outcome = a.page.locator('.notice:has-text("posted"), form.composer .form-error:not(:empty)');
    await outcome.first().waitFor();
    const error = await a.page.locator('form.composer .form-error').innerText();
    if (/too fast\. Try again in \d+ seconds?/.test(error)) {
      console.log(`  refused after ${i + 1} quick comments: ${error}`);
      return;
    }
    if (error) fail(`an unexpected error: ${error}`);
  }
  fail('30 quick comments were never limited');
}

async function loadMore(page) {
  say('"Load more comments" brings the next page of the thread');
  await open(page);
  const top = page.locator('ol.thread > li.comment');
  const first = await top.count();
  const more = page.locator('button.more');
  if (!(await more.isVisible())) fail(`no "Load more comments" with ${first} comments shown`);
  await more.click();
  await page.waitForFunction((n) => document.querySelectorAll('ol.thread > li.comment').length > n, first);
  console.log(`  ${first} comments, then ${await top.count()}`);
}

async function screenshots(browser) {
  say('screenshots at desktop and phone widths');
  const desktop = await context(browser, { viewport: { width: 1280, height: 900 } });
  await open(desktop.page);
  await desktop.page.waitForLoadState('networkidle');
  await desktop.page.screenshot({ path: join(ARTIFACTS, 'example-desktop.png'), fullPage: true });
  const phone = await context(browser, {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await open(phone.page);
  await phone.page.waitForLoadState('networkidle');
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 390) fail(`the phone page scrolls sideways: ${width}px wide`);
  await phone.page.screenshot({ path: join(ARTIFACTS, 'example-phone.png'), fullPage: true });
  await accessibility(phone.page, 'phone');
  await desktop.ctx.close();
  await phone.ctx.close();
  console.log(`  ${join(ARTIFACTS, 'example-desktop.png')}, ${join(ARTIFACTS, 'example-phone.png')}`);
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const a = await context(browser, { viewport: { width: 1280, height: 900 } });
    await everyElement(a.page, a.graphql);
    await accessibility(a.page, 'desktop');
    await keyboard(a.page);
    await screenshots(browser);
    const b = await context(browser, { viewport: { width: 1280, height: 900 } });
    await open(b.page);
    await b.page.locator('.live.live').waitFor();
    const c = await context(browser, { viewport: { width: 1280, height: 900 } });
    await a.page.locator('.live.live').waitFor();
    await discussion(a, b, c);
    await errors(a);
    await accessibility(a.page, 'the discussion, signed in');
    await loadMore(c.page);
  } finally {
    await browser.close();
  }
  if (problems.length) {
    step = 'the whole run';
    fail(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
  console.log('example page: every element, one request, live comments, held comments, errors and accessibility checked');
}

main().catch((e) => {
  console.error(`example page FAILED: ${e.message}`);
  process.exit(1);
});
