#!/usr/bin/env python3
"""Integrator measurements for scripts/bench, with the standard library only.

  sync    BASE KEY LIMIT          a full initial sync through GET /v1/sync
  fanout  BASE KEY ENDPOINTS N    N stories published while ENDPOINTS webhook
                                  endpoints listen; waits for every delivery

Each prints one Markdown table cell group: figures separated by ' | '.
"""
import http.server
import json
import socketserver
import sys
import threading
import time
import urllib.request


def call(base, key, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def statements(base):
    with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("dateline_sql_statements_total"):
                return float(line.split()[-1])
    return 0.0


def sync(base, key, limit):
    before = statements(base)
    started = time.monotonic()
    cursor, pages, entries, slowest = None, 0, 0, 0.0
    while True:
        path = "/v1/sync?limit=%d" % limit + ("&cursor=" + cursor if cursor else "")
        t = time.monotonic()
        page = call(base, key, "GET", path)
        slowest = max(slowest, time.monotonic() - t)
        pages += 1
        entries += len(page["items"])
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            break
    took = time.monotonic() - started
    sql = (statements(base) - before - 2) / pages
    print("%d entries in %d pages | %.1f s | %.0f entries/s | %.1f SQL/page, slowest page %.0f ms" % (entries, pages, took, entries / took, sql, slowest * 1000))


def fanout(base, key, endpoints, n):
    received = {}
    lock = threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            event = json.loads(body)
            with lock:
                received.setdefault(self.headers["webhook-id"], (time.time(), event))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        # The default backlog of 5 drops the connections of a burst, and
        # the sender's TCP then waits a second to retry each: the receiver,
        # not Dateline, would be measured.
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Receiver)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ids = [call(base, key, "POST", "/v1/webhooks", {"url": "http://127.0.0.1:%d/hook/%d" % (port, i), "events": ["article.published"]})["id"] for i in range(endpoints)]
    published_at = {}

    def writer(start):
        for i in range(start, n, 8):
            slug = "fanout-%d-%d" % (int(time.time()), i)
            a = call(base, key, "POST", "/v1/articles", {"slug": slug, "headline": "Fan-out %d" % i, "bodyMarkdown": "Words."})
            call(base, key, "POST", "/v1/articles/%s/publish" % a["id"])
            published_at[a["id"]] = time.time()

    started = time.time()
    threads = [threading.Thread(target=writer, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writes_done = time.time()
    deadline = time.time() + 120
    while time.time() < deadline:
        with lock:
            if len(received) >= endpoints * n:
                break
        time.sleep(0.05)
    finished = time.time()
    lags = sorted(at - published_at[e["data"]["id"]] for at, e in received.values() if e["data"]["id"] in published_at)
    for i in ids:
        call(base, key, "DELETE", "/v1/webhooks/" + i)
    server.shutdown()
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] * 1000 if lags else float("nan")
    print("%d of %d deliveries | %.1f s (writes %.1f s) | %.0f deliveries/s | publish to receipt p50 %.0f ms, p99 %.0f ms" % (
        len(received), endpoints * n, finished - started, writes_done - started, len(received) / (finished - started), p(0.5), p(0.99)))


if __name__ == "__main__":
    cmd, base, key = sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd == "sync":
        sync(base, key, int(sys.argv[4]))
    elif cmd == "fanout":
        fanout(base, key, int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("unknown command " + cmd)
