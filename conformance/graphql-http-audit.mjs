// The GraphQL-over-HTTP server audit (npm `graphql-http`, `auditServer`)
// against a running Dateline: `BASE_URL=http://127.0.0.1:8080 node graphql-http-audit.mjs`.
// Prints the ok / notice / warning / error counts and every result that is
// not ok with its reason; exits 1 on any warning or error.
import { auditServer } from 'graphql-http';
import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('graphql-http/package.json');

const base = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const url = `${base}/graphql`;

let results;
try {
  results = await auditServer({ url });
} catch (e) {
  console.error(`graphql-http audit: could not audit ${url}: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
}

const count = (status) => results.filter((r) => r.status === status).length;
const ok = count('ok');
const notices = count('notice');
const warnings = count('warn');
const errors = count('error');

console.log(`graphql-http ${version} audit of ${url}`);
for (const r of results) {
  if (r.status === 'ok') continue;
  let detail = '';
  if (r.response) {
    const ct = r.response.headers.get('content-type') || '-';
    let body = '';
    try {
      body = await r.response.clone().text();
    } catch {
      body = '';
    }
    if (body.length > 300) body = `${body.slice(0, 300)}…`;
    detail = `\n      got ${r.response.status} ${ct} ${body.replace(/\s+/g, ' ')}`;
  }
  console.log(`  [${r.status}] ${r.id} ${r.name}\n      reason: ${r.reason}${detail}`);
}
console.log(
  `graphql-http audit: ${ok} ok, ${notices} notices, ${warnings} warnings, ${errors} errors of ${results.length}`,
);
process.exit(warnings + errors > 0 ? 1 : 0);
