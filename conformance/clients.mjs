// Real GraphQL clients against a running Dateline, in the GET modes that
// make answers cacheable: Apollo Client (`HttpLink` with
// `useGETForQueries`) and urql (`preferGetMethod`). Both send the document
// as written, over several lines, with a fragment and variables.
// Then Apollo's automatic persisted queries (`PersistedQueryLink` with
// `useGETForHashedQueries`): the hash alone by GET, PersistedQueryNotFound,
// the link's retry by POST with the document, and the hash alone again.
// `BASE_URL=http://127.0.0.1:8080 node clients.mjs`; exits 1 on any failure.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const versions = ['@apollo/client', '@urql/core'].map((p) => `${p} ${require(`${p}/package.json`).version}`);
const base = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const uri = `${base}/graphql`;

// Every request the clients send, to check they used GET over several lines
// (and, for persisted queries, what each request carried and was answered).
const sent = [];
const recording = async (url, init = {}) => {
  const entry = { method: (init.method || 'GET').toUpperCase(), url: String(url) };
  if (typeof init.body === 'string') entry.body = init.body;
  sent.push(entry);
  const response = await fetch(url, init);
  entry.status = response.status;
  entry.contentType = response.headers.get('content-type');
  entry.cacheControl = response.headers.get('cache-control');
  entry.answer = await response.clone().text();
  return response;
};

const DOCUMENT = `
  query Story($slug: String!, $comments: Int!) {
    article(slug: $slug) {
      ...Head
      comments(first: $comments) {
        nodes {
          id
          body { text }
        }
      }
    }
  }

  fragment Head on Article {
    headline
    slug
    authors { name }
  }
`;

const failures = [];
const check = (what, ok, detail) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures.push(what);
};

const list = await (await fetch(`${base}/v1/articles?limit=1`)).json();
const slug = list.items?.[0]?.slug;
if (!slug) {
  console.error(`clients: no story to read from ${base}/v1/articles`);
  process.exit(2);
}
const variables = { slug, comments: 3 };

const lastRequest = (from) => sent.slice(from).find((r) => r.url.startsWith(uri));
const sentOverLines = (r) => r && r.method === 'GET' && new URL(r.url).searchParams.get('query').includes('\n');

// Apollo Client.
{
  const from = sent.length;
  const apollo = new ApolloClient({
    link: new HttpLink({ uri, useGETForQueries: true, fetch: recording }),
    cache: new InMemoryCache(),
  });
  try {
    const r = await apollo.query({ query: gql(DOCUMENT), variables, fetchPolicy: 'network-only' });
    check('Apollo Client: the story read by GET', r.data?.article?.slug === slug, JSON.stringify(r));
  } catch (e) {
    check('Apollo Client: the story read by GET', false, e?.message || String(e));
  }
  const req = lastRequest(from);
  check('Apollo Client: sent by GET, the document over several lines', sentOverLines(req), JSON.stringify(req));
}

// urql.
{
  const from = sent.length;
  const urql = new Client({ url: uri, exchanges: [fetchExchange], preferGetMethod: 'force', fetch: recording });
  const r = await urql.query(DOCUMENT, variables, { requestPolicy: 'network-only' }).toPromise();
  check('urql: the story read by GET', !r.error && r.data?.article?.slug === slug, r.error?.message || JSON.stringify(r.data));
  const req = lastRequest(from);
  check('urql: sent by GET, the document over several lines', sentOverLines(req), JSON.stringify(req));
}

// Apollo's automatic persisted queries. A document of its own (an operation
// name no other tool sends, and an alias made for this run, so that its hash
// is new to the server even when this script runs again against it).
{
  const sha256 = (text) => createHash('sha256').update(text).digest('hex');
  const PERSISTED = gql(`
    query ConformancePersistedStory($slug: String!) {
      article(slug: $slug) {
        slug
        headline
        wordCount
        run_${randomBytes(6).toString('hex')}: __typename
      }
    }
  `);
  const rest = await (await fetch(`${base}/v1/articles/${encodeURIComponent(slug)}`)).json();
  const apq = () =>
    new ApolloClient({
      link: ApolloLink.from([
        new PersistedQueryLink({ sha256, useGETForHashedQueries: true }),
        new HttpLink({ uri, fetch: recording }),
      ]),
      cache: new InMemoryCache(),
    });
  const params = (r) => (r ? new URL(r.url).searchParams : new URLSearchParams());
  const hashOf = (r) => {
    try {
      return JSON.parse(params(r).get('extensions'))?.persistedQuery?.sha256Hash;
    } catch {
      return undefined;
    }
  };
  const show = (r) => JSON.stringify(r && { ...r, answer: r.answer?.slice(0, 300) });
  const hashOnlyGet = (r) =>
    r?.method === 'GET' && !params(r).has('query') && /^[0-9a-f]{64}$/.test(hashOf(r) || '');

  // The first fetch: the hash alone by GET, then the document by POST.
  let from = sent.length;
  try {
    const r = await apq().query({ query: PERSISTED, variables: { slug }, fetchPolicy: 'network-only' });
    check(
      'Apollo persisted queries: the story read, its headline as REST has it',
      r.data?.article?.slug === slug && r.data.article.headline === rest.headline,
      `${JSON.stringify(r)} (REST: ${JSON.stringify(rest.headline)})`,
    );
  } catch (e) {
    check('Apollo persisted queries: the story read, its headline as REST has it', false, e?.message || String(e));
  }
  let reqs = sent.slice(from).filter((r) => r.url.startsWith(uri));
  const [first, retry] = reqs;
  check('Apollo persisted queries: first sent by GET with the hash alone, no query', hashOnlyGet(first), show(first));
  let notFound = {};
  try {
    notFound = JSON.parse(first?.answer || '{}');
  } catch {}
  check(
    'Apollo persisted queries: an unknown hash answered PERSISTED_QUERY_NOT_FOUND, not cacheable',
    notFound.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND' &&
      notFound.errors[0].message === 'PersistedQueryNotFound' &&
      /no-store/.test(first?.cacheControl || ''),
    show(first),
  );
  let retried = {};
  try {
    retried = JSON.parse(retry?.body || '{}');
  } catch {}
  check(
    'Apollo persisted queries: the link retried by POST with the document and the same hash',
    reqs.length === 2 &&
      retry.method === 'POST' &&
      typeof retried.query === 'string' &&
      retried.extensions?.persistedQuery?.sha256Hash === hashOf(first) &&
      sha256(retried.query) === hashOf(first) &&
      retry.status === 200,
    `${reqs.length} requests: ${reqs.map(show).join(', ')}`,
  );

  // A fresh client (empty cache): the hash alone by GET is now enough.
  from = sent.length;
  try {
    const r = await apq().query({ query: PERSISTED, variables: { slug }, fetchPolicy: 'network-only' });
    check(
      'Apollo persisted queries: a fresh client reads the story by the hash alone',
      r.data?.article?.slug === slug && r.data.article.headline === rest.headline,
      JSON.stringify(r),
    );
  } catch (e) {
    check('Apollo persisted queries: a fresh client reads the story by the hash alone', false, e?.message || String(e));
  }
  reqs = sent.slice(from).filter((r) => r.url.startsWith(uri));
  check(
    'Apollo persisted queries: the second fetch was one GET with the hash alone, no POST',
    reqs.length === 1 && hashOnlyGet(reqs[0]) && hashOf(reqs[0]) === hashOf(first) && reqs[0].status === 200,
    `${reqs.length} requests: ${reqs.map(show).join(', ')}`,
  );
  // What a GET by hash is for: a shared cache may keep the answer.
  check(
    'Apollo persisted queries: the answer to the hash-only GET is public (a CDN may keep it)',
    /\bpublic\b/.test(reqs[0]?.cacheControl || '') && /\b(s-)?max-age=[1-9]/.test(reqs[0]?.cacheControl || ''),
    `Cache-Control: ${reqs[0]?.cacheControl}`,
  );
}

console.log(`clients (${versions.join(', ')}): ${failures.length === 0 ? 'passed' : `${failures.length} failed`}`);
process.exit(failures.length === 0 ? 0 : 1);
