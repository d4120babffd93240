// Relay's trusted documents against a Dateline that runs only those for
// callers without an API key (`--graphql-trusted-documents-only`).
//
// conformance/run compiles conformance/relay/ with the real relay-compiler
// (persistConfig, MD5: the artifacts carry `params.id` and no text, the
// texts go to persisted_queries.json), registers that manifest with
// `dateline operations add`, and starts the trusted-only server. This
// script builds a relay-runtime Environment whose network sends what a
// Relay app sends, `{doc_id: params.id, variables}` by POST, fetches the
// compiled queries with `fetchQuery`, reads the fragment through the store,
// and compares with REST. Then: a document of the caller's own is refused
// without a key (PERSISTED_QUERY_NOT_IN_LIST) and runs with one.
//
// The sources (conformance/relay/src) are what babel-plugin-relay would
// turn into imports of the generated artifacts; this script imports those
// artifacts itself.
//
//   TRUSTED_URL  the trusted-only server
//   BASE_URL     a server on the same database without the restriction
//   API_KEY      a key for the same database
//   RELAY_OUT    where relay-compiler wrote (default artifacts/relay):
//                __generated__/ and persisted_queries.json
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { Environment, Network, RecordSource, Store, fetchQuery, getSelector } = require('relay-runtime');
const versions = ['relay-compiler', 'relay-runtime'].map((p) => `${p} ${require(`${p}/package.json`).version}`);

const here = path.dirname(fileURLToPath(import.meta.url));
const trimmed = (u) => (u || '').replace(/\/+$/, '');
const trusted = trimmed(process.env.TRUSTED_URL);
const base = trimmed(process.env.BASE_URL);
const apiKey = process.env.API_KEY || '';
const out = path.resolve(here, process.env.RELAY_OUT || 'artifacts/relay');
if (!trusted || !base || !apiKey) {
  console.error('relay: TRUSTED_URL, BASE_URL and API_KEY are needed (conformance/run sets them)');
  process.exit(2);
}

const failures = [];
const check = (what, ok, detail) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures.push(what);
};
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const manifest = JSON.parse(readFileSync(path.join(out, 'persisted_queries.json'), 'utf8'));
const artifact = async (name) =>
  (await import(pathToFileURL(path.join(out, '__generated__', `${name}.graphql.js`)).href)).default;
const StoryPageQuery = await artifact('StoryPageQuery');
const FrontPageQuery = await artifact('FrontPageQuery');
const StoryHead = await artifact('StoryHead_article');

// What relay-compiler made: ids, no text in the artifacts, MD5 of the texts.
check(
  'relay-compiler: the manifest holds both queries by id, the artifacts carry no text',
  Object.keys(manifest).length === 2 &&
    [StoryPageQuery, FrontPageQuery].every((q) => typeof manifest[q.params.id] === 'string' && q.params.text == null),
  JSON.stringify({ ids: Object.keys(manifest), story: StoryPageQuery.params, front: FrontPageQuery.params }),
);
check(
  'relay-compiler: every id is the MD5 of its text',
  Object.entries(manifest).every(([id, text]) => createHash('md5').update(text).digest('hex') === id),
  Object.keys(manifest).join(', '),
);

// Relay's network layer: the id alone, as persisted-query apps send it.
const sent = [];
const network = Network.create(async (params, variables) => {
  const entry = { id: params.id, name: params.name, body: JSON.stringify({ doc_id: params.id, variables }) };
  sent.push(entry);
  const response = await fetch(`${trusted}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: entry.body,
  });
  entry.status = response.status;
  const answer = await response.json();
  entry.errors = answer.errors;
  return answer;
});
const environment = new Environment({ network, store: new Store(new RecordSource()) });
const head = (ref) => environment.lookup(getSelector(StoryHead, ref)).data;
const restHead = (a) => ({
  headline: a.headline,
  dek: a.dek,
  dateline: a.dateline,
  authors: a.authors.map((p) => ({ name: p.name })),
});
const graphHead = (h) => h && { headline: h.headline, dek: h.dek, dateline: h.dateline, authors: h.authors };
const instant = (t) => (t == null ? t : Date.parse(t));

const list = await (await fetch(`${base}/v1/articles?limit=3`)).json();
const slug = list.items?.[0]?.slug;
if (!slug) {
  console.error(`relay: no story to read from ${base}/v1/articles`);
  process.exit(2);
}
const rest = await (await fetch(`${base}/v1/articles/${encodeURIComponent(slug)}`)).json();

// The story page.
{
  const from = sent.length;
  try {
    const data = await fetchQuery(environment, StoryPageQuery, { slug }).toPromise();
    const a = data?.article;
    check(
      'Relay story page: the story by doc_id, as REST has it',
      a?.slug === slug && a.wordCount === rest.wordCount && a.section?.name === rest.section?.name,
      JSON.stringify(data),
    );
    const h = a && head(a);
    check(
      'Relay story page: the StoryHead fragment read from the store, as REST has it',
      same(graphHead(h), restHead(rest)) && instant(h.publishedAt) === instant(rest.publishedAt),
      `${JSON.stringify(h)} vs REST ${JSON.stringify(restHead(rest))}`,
    );
  } catch (e) {
    check('Relay story page: the story by doc_id, as REST has it', false, e?.message || String(e));
  }
  const reqs = sent.slice(from);
  check(
    'Relay story page: one POST of {doc_id, variables} with the id relay-compiler made',
    reqs.length === 1 && reqs[0].id === StoryPageQuery.params.id && reqs[0].status === 200 && !reqs[0].errors,
    JSON.stringify(reqs),
  );
}

// The front page: three stories, each head through the same fragment.
{
  try {
    const data = await fetchQuery(environment, FrontPageQuery, { first: 3 }).toPromise();
    const nodes = data?.articles?.edges?.map((e) => e.node) || [];
    check(
      'Relay front page: the newest stories by doc_id, as REST lists them',
      same(nodes.map((n) => n.slug), list.items.map((a) => a.slug)),
      `${JSON.stringify(nodes.map((n) => n.slug))} vs REST ${JSON.stringify(list.items.map((a) => a.slug))}`,
    );
    const heads = nodes.map((n) => graphHead(head(n)));
    check(
      'Relay front page: every head read through the fragment, as REST has it',
      same(heads, list.items.map(restHead)),
      `${JSON.stringify(heads)} vs REST ${JSON.stringify(list.items.map(restHead))}`,
    );
  } catch (e) {
    check('Relay front page: the newest stories by doc_id, as REST lists them', false, e?.message || String(e));
  }
}

// The same trusted document by GET (`documentId`), as a cache in front sees it.
{
  const url = `${trusted}/graphql?documentId=${StoryPageQuery.params.id}&variables=${encodeURIComponent(JSON.stringify({ slug }))}`;
  const response = await fetch(url);
  const answer = await response.json().catch(() => ({}));
  const cacheControl = response.headers.get('cache-control') || '';
  check(
    'trusted document by GET documentId, the answer public (a CDN may keep it)',
    response.status === 200 && answer.data?.article?.headline === rest.headline && /\bpublic\b/.test(cacheControl),
    `${response.status} Cache-Control: ${cacheControl} ${JSON.stringify(answer).slice(0, 300)}`,
  );
}

// The ids are in the database for every instance: the unrestricted server knows them too.
{
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ doc_id: StoryPageQuery.params.id, variables: { slug } }),
  });
  const answer = await response.json().catch(() => ({}));
  check(
    'the other instance on the same database runs the doc_id too',
    response.status === 200 && answer.data?.article?.headline === rest.headline,
    `${response.status} ${JSON.stringify(answer).slice(0, 300)}`,
  );
}

// A document of the caller's own: refused without a key, run with one.
{
  const own = `query OwnStory($slug: String!) { article(slug: $slug) { headline } }`;
  const post = (accept, headers = {}) =>
    fetch(`${trusted}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, ...headers },
      body: JSON.stringify({ query: own, variables: { slug } }),
    });
  for (const [accept, status] of [
    ['application/json', 200],
    ['application/graphql-response+json', 403],
  ]) {
    const response = await post(accept);
    const text = await response.text();
    let answer = {};
    try {
      answer = JSON.parse(text);
    } catch {}
    check(
      `a query of its own without a key is refused, PERSISTED_QUERY_NOT_IN_LIST, no-store (${status} under ${accept})`,
      response.status === status &&
        /no-store/.test(response.headers.get('cache-control') || '') &&
        answer.data === undefined &&
        answer.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_IN_LIST',
      `${response.status} Cache-Control: ${response.headers.get('cache-control')} ${text.slice(0, 300)}`,
    );
  }
  const response = await post('application/json', { authorization: `Bearer ${apiKey}` });
  const answer = await response.json().catch(() => ({}));
  check(
    'the same query with an API key runs',
    response.status === 200 && !answer.errors && answer.data?.article?.headline === rest.headline,
    `${response.status} ${JSON.stringify(answer).slice(0, 300)}`,
  );
}

console.log(
  `relay (${versions.join(', ')}; ${Object.keys(manifest).length} trusted documents): ${
    failures.length === 0 ? 'passed' : `${failures.length} failed`
  }`,
);
process.exit(failures.length === 0 ? 0 : 1);
