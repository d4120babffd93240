// One subscription over Dateline's /graphql/ws, in the graphql-transport-ws
// protocol: connection_init (with the reader's token), connection_ack,
// subscribe, then `next` for each comment. A dropped connection is opened
// again after a growing pause, so a reader on a train keeps the thread live.
import { firstError, hashOf, operationName } from './api.js';
export function subscribe(url, doc, variables, token, on) {
    let socket = null;
    let stopped = false;
    let failures = 0;
    let timer;
    const text = doc.toString();
    const hash = hashOf(doc);
    // By the manifest's hash (`id` "hash"), or by the text (`id` "text").
    const start = (ws, byHash) => {
        const payload = { operationName: operationName(text), variables };
        if (byHash && hash)
            payload['extensions'] = { persistedQuery: { version: 1, sha256Hash: hash } };
        else
            payload['query'] = text;
        ws.send(JSON.stringify({ id: byHash ? 'hash' : 'text', type: 'subscribe', payload }));
    };
    const open = () => {
        on.state('connecting');
        const ws = new WebSocket(url, 'graphql-transport-ws');
        socket = ws;
        ws.onopen = () => {
            ws.send(JSON.stringify({ type: 'connection_init', payload: token ? { Authorization: `Bearer ${token}` } : {} }));
        };
        ws.onmessage = (event) => {
            let m;
            try {
                m = JSON.parse(String(event.data));
            }
            catch {
                return;
            }
            switch (m.type) {
                case 'connection_ack':
                    failures = 0;
                    start(ws, hash !== undefined);
                    on.state('live');
                    break;
                case 'next': {
                    const p = m.payload;
                    if (p.errors?.length)
                        on.error(firstError(p.errors));
                    else if (p.data)
                        on.next(p.data);
                    break;
                }
                case 'error': {
                    const e = firstError(m.payload);
                    // A server that does not know the hash gets the text, once.
                    if (e.code === 'PERSISTED_QUERY_NOT_FOUND' && m.id === 'hash')
                        start(ws, false);
                    else
                        on.error(e);
                    break;
                }
                case 'ping':
                    ws.send(JSON.stringify({ type: 'pong' }));
                    break;
            }
        };
        ws.onclose = () => {
            if (stopped || socket !== ws)
                return;
            failures += 1;
            on.state('retrying');
            const pause = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
            timer = setTimeout(open, pause);
        };
    };
    open();
    return () => {
        stopped = true;
        clearTimeout(timer);
        socket?.close(1000);
    };
}
