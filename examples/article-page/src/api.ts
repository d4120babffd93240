// How the page talks to Dateline: reads as GET with the document's hash
// only (a persisted operation, so a CDN can keep the answer), writes as
// POST with the hash too. The hash is that of the document as the manifest
// holds it (printed compactly), not of the text compiled in here, so when
// a server does not know the hash (a Dateline serving the page from
// elsewhere) the page sends its text instead, once.

import type { TypedDocumentString } from './gql/graphql.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string; retryAfter?: number };
}

interface GraphqlAnswer<R> {
  data?: R | null;
  errors?: GraphqlError[];
}

export interface Endpoint {
  http: URL;
  ws: URL;
}

/** The API that serves the page (its Content-Security-Policy allows no other). */
export function endpoint(location: Location): Endpoint {
  const base = new URL('/', location.href);
  const http = new URL('graphql', base);
  const ws = new URL('graphql/ws', base);
  ws.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http, ws };
}

/** The name of the document's operation (the first definition). */
export function operationName(text: string): string | undefined {
  return /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(text)?.[1];
}

/** The document's SHA-256 (hex) from the manifest GraphQL Code Generator wrote. */
export function hashOf(doc: { __meta__?: Record<string, unknown> }): string | undefined {
  const hash: unknown = doc.__meta__?.['hash'];
  return typeof hash === 'string' ? hash.replace(/^sha256:/, '') : undefined;
}

/** The first error as an ApiError. */
export function firstError(errors: GraphqlError[]): ApiError {
  const e = errors[0];
  const ext = e?.extensions ?? {};
  return new ApiError(
    e?.message ?? 'the request failed',
    ext.code ?? 'INTERNAL_SERVER_ERROR',
    ext.retryAfter,
  );
}

export class Client {
  constructor(
    readonly at: Endpoint,
    private token: () => string | null,
  ) {}

  query<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
    return this.run(doc, variables, 'GET');
  }

  mutate<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
    return this.run(doc, variables, 'POST');
  }

  private async run<R, V>(doc: TypedDocumentString<R, V>, variables: V, method: 'GET' | 'POST'): Promise<R> {
    const text = doc.toString();
    const hash = hashOf(doc);
    try {
      return await this.send<R>(text, hash, false, variables, method);
    } catch (e) {
      if (hash && e instanceof ApiError && e.code === 'PERSISTED_QUERY_NOT_FOUND') {
        return this.send<R>(text, hash, true, variables, method);
      }
      throw e;
    }
  }

  private async send<R>(
    text: string,
    hash: string | undefined,
    asText: boolean,
    variables: unknown,
    method: 'GET' | 'POST',
  ): Promise<R> {
    const params: Record<string, unknown> = { operationName: operationName(text), variables };
    if (hash && !asText) params['extensions'] = { persistedQuery: { version: 1, sha256Hash: hash } };
    else params['query'] = text;
    const headers: Record<string, string> = { accept: 'application/graphql-response+json, application/json' };
    const token = this.token();
    if (token) headers['authorization'] = `Bearer ${token}`;
    let response: Response;
    if (method === 'GET') {
      const url = new URL(this.at.http);
      for (const [k, v] of Object.entries(params)) {
        if (v !== undefined) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
      response = await fetch(url, { headers });
    } else {
      headers['content-type'] = 'application/json';
      response = await fetch(this.at.http, { method: 'POST', headers, body: JSON.stringify(params) });
    }
    let answer: GraphqlAnswer<R>;
    try {
      answer = (await response.json()) as GraphqlAnswer<R>;
    } catch {
      throw new ApiError(`the server answered ${response.status} without GraphQL`, 'INTERNAL_SERVER_ERROR');
    }
    if (answer.errors?.length) {
      const err = firstError(answer.errors);
      const after = Number(response.headers.get('retry-after'));
      if (err.retryAfterSeconds === undefined && after > 0) {
        throw new ApiError(err.message, err.code, after);
      }
      throw err;
    }
    if (!answer.data) throw new ApiError('the server answered no data', 'INTERNAL_SERVER_ERROR');
    return answer.data;
  }
}
