# Varnish 7.x in front of Dateline. See README.md beside this file for the
# varnishd command line and the Dateline flags that go with it.
#
# Dateline decides what may be cached: every public answer says so in
# Cache-Control (s-maxage, stale-while-revalidate) and names what it showed
# in Surrogate-Key; every write that changes what the public sees sends
# those keys back here as `PURGE` with `xkey-purge: key1 key2 ...`.
vcl 4.1;

import xkey;

# conformance/run replaces this host and port with the server it started.
backend dateline {
    .host = "127.0.0.1";
    .port = "8080";
    # The comment streams (server-sent events) say `: keep-alive` every
    # --live-keepalive-secs (15 s by default); this must stay above that or
    # Varnish cuts a quiet stream.
    .between_bytes_timeout = 60s;
}

# Who may purge: the Dateline instances (their --purge-url points here).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        # A hard purge: the objects are gone, not kept for grace, so no
        # reader gets the answer from before the write once this returns.
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.x-purged + " objects"));
    }

    # GraphQL subscriptions (graphql-ws / graphql-transport-ws): a tunnel
    # to Dateline for as long as the socket lives; see pipe_timeout.
    if (req.http.Upgrade ~ "(?i)websocket") {
        return (pipe);
    }

    # Our own marker: callers must not set it.
    unset req.http.x-cache;
    # The built-in Host checks (lower-case it, refuse HTTP/1.1 without one),
    # which returning from here would skip.
    call vcl_req_host;

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # GraphQL answers vary by Accept (their media type), and every client
    # library words it its own way: one of the two types Dateline answers
    # in, so a story's page is kept twice at most, not once per library.
    if (req.url ~ "^/graphql\?") {
        if (req.http.Accept ~ "application/graphql-response\+json") {
            set req.http.Accept = "application/graphql-response+json";
        } else {
            set req.http.Accept = "application/json";
        }
    }
    # Live comments: one long answer per reader, nothing to share. Varnish
    # closes a response still being sent after send_timeout (600 s by
    # default) at its next write, so a stream would end every 10 minutes.
    if (req.url ~ "^/v1/articles/[^/?]+/comments/stream(\?|$)") {
        set sess.send_timeout = 1d;
        return (pass);
    }
    # A signed-in caller (API key, reader token) or a cookie may see more
    # than the public does; Dateline answers those `private, no-store`.
    if (req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
    return (hash);
}

sub vcl_pipe {
    # Varnish sends `Connection: close` on pipes by default; the WebSocket
    # handshake needs the client's Upgrade and Connection as they were.
    if (req.http.Upgrade) {
        set bereq.http.Upgrade = req.http.Upgrade;
        set bereq.http.Connection = req.http.Connection;
    }
}

sub vcl_hit {
    # Past its TTL but in grace (stale-while-revalidate): served while a
    # background fetch refreshes it. Purged objects never get here.
    if (obj.ttl <= 0s) {
        set req.http.x-cache = "HIT-STALE";
    } else {
        set req.http.x-cache = "HIT";
    }
}

sub vcl_miss {
    set req.http.x-cache = "MISS";
}

sub vcl_pass {
    set req.http.x-cache = "PASS";
}

sub vcl_backend_fetch {
    unset bereq.http.x-cache;
}

sub vcl_backend_response {
    if (beresp.http.Content-Type ~ "^text/event-stream") {
        # Hand each event to the reader as it comes, not once the stream
        # ends (the default in 7.x, said here so nobody turns it off).
        set beresp.do_stream = true;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Only what Dateline marks cacheable is cached: an answer without
    # Cache-Control (health checks, metrics, errors from a proxy) would
    # otherwise live for default_ttl and no purge would ever name it.
    if (!beresp.http.Cache-Control && !beresp.http.Expires) {
        # (hit-for-miss for 120 s, so such requests are not queued behind
        # one another as candidates for the same object)
        call vcl_beresp_hitmiss;
    }
    # xkey indexes an object by the keys in its `xkey` response header
    # (spaces or commas between them), read as the object is stored: so the
    # keys move there, once (they can run to 16 KB), and vcl_deliver hides
    # them.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    # TTL from s-maxage and grace from stale-while-revalidate are what
    # Varnish derives from Cache-Control by itself; the built-in VCL that
    # follows makes `private`, `no-store`, Set-Cookie and `Vary: *`
    # answers uncacheable.
}

sub vcl_deliver {
    set resp.http.X-Cache = req.http.x-cache;
    # The keys are for the cache, not for readers. A purger may ask for
    # them (X-Cache-Debug: 1), with the object's remaining TTL and grace,
    # to see what a purge would hit and what Cache-Control turned into.
    if (req.http.X-Cache-Debug && client.ip ~ purgers) {
        set resp.http.X-Cache-TTL = obj.ttl;
        set resp.http.X-Cache-Grace = obj.grace;
    } else {
        unset resp.http.xkey;
        # (still there on answers that left vcl_backend_response early)
        unset resp.http.Surrogate-Key;
    }
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.X-Purged = req.http.x-purged;
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}
