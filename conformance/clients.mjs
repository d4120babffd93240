// Real GraphQL clients against a running Dateline, in the GET modes that
// make answers cacheable: Apollo Client (`HttpLink` with
// `useGETForQueries`) and urql (`preferGetMethod`). Both send the document
// as written, over several lines, with a fragment and variables.
// `BASE_URL=http://127.0.0.1:8080 node clients.mjs`; exits 1 on any failure.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const versions = ['@apollo/client', '@urql/core'].map((p) => `${p} ${require(`${p}/package.json`).version}`);
const base = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const uri = `${base}/graphql`;

// Every request the clients send, to check they used GET over several lines.
const sent = [];
const recording = (url, init = {}) => {
  sent.push({ method: (init.method || 'GET').toUpperCase(), url: String(url) });
  return fetch(url, init);
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

console.log(`clients (${versions.join(', ')}): ${failures.length === 0 ? 'passed' : `${failures.length} failed`}`);
process.exit(failures.length === 0 ? 0 : 1);
