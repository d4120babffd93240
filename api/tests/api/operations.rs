//! Start-up and readiness as an operator sees them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, fresh_database};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[test]
fn an_unreachable_database_stops_start_with_one_masked_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_dateline"))
        .args(["--database-url", "postgres://dateline:hunter2@127.0.0.1:9/news", "serve", "--demo", "false"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("postgres://dateline:****@127.0.0.1:9/news"), "{stderr}");
    assert!(!stderr.contains("hunter2"));
}

/// Logs written to a file or a shipper: no colour codes, and with
/// `--log-json` nothing but JSON lines on stderr, the start banner's
/// address included.
#[test]
fn logs_to_a_file_are_plain_and_json_logs_are_only_json() {
    use std::io::{BufRead, BufReader};
    for json in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("logs.db").display());
        let mut args =
            vec!["--database-url", url.as_str(), "serve", "--demo", "false", "--bind", "127.0.0.1:0"];
        if json {
            args.push("--log-json");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_dateline"))
            .args(&args)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Logs are on stderr, apart from what commands print as answers.
        let mut reader = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut lines = Vec::new();
        for line in reader.by_ref() {
            let line = line.unwrap();
            let serving = line.contains("Dateline is serving");
            lines.push(line);
            if serving || lines.len() > 50 {
                break;
            }
        }
        // One access line per request, carrying the client's request id
        // and the trace id of its traceparent.
        let addr = lines.last().and_then(|l| l.split("http://").nth(1)).unwrap();
        let addr: String =
            addr.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':').collect();
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        std::io::Write::write_all(
            &mut conn,
            b"GET /v1/articles/no-such-story HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-me-42\r\n\
              traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut conn, &mut answer).unwrap();
        assert!(answer.to_ascii_lowercase().contains("x-request-id: trace-me-42"), "{answer}");
        let access = reader.by_ref().map(Result::unwrap).find(|l| l.contains("trace-me-42")).unwrap();
        for part in
            ["404", "/v1/articles/{idOrSlug}", "GET", "4bf92f3577b34da6a3ce929d0e0e4736", "duration_ms"]
        {
            assert!(access.contains(part), "{part} missing from the access line: {access}");
        }
        lines.push(access);
        child.kill().unwrap();
        child.wait().unwrap();
        if json {
            for l in &lines {
                assert!(serde_json::from_str::<serde_json::Value>(l).is_ok(), "not JSON: {l}");
            }
        }
    }
}

#[test]
fn print_schema_writes_the_sdl() {
    let out = Command::new(env!("CARGO_BIN_EXE_dateline")).arg("print-schema").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), include_str!("../../../schema.graphql"));
}

/// A TCP relay between the app and the database server that the test can
/// cut and restore, to play a database outage.
struct Relay {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = Self { port, target, tasks: Arc::default() };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: TcpListener) {
        let target = self.target.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    async fn restore(&self) {
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.serve(listener);
    }
}

#[actix_web::test]
async fn readyz_turns_503_while_a_database_server_is_down_and_recovers_and_sqlite_is_only_checked_ready() {
    let (url, dir) = fresh_database().await;
    if dir.is_some() {
        // An embedded SQLite file cannot become unreachable; the server
        // backends below cover outages.
        let app = TestApp::spawn_on(url, dir).await;
        assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
        return;
    }
    let mut parsed = url::Url::parse(&url).unwrap();
    let default_port = if parsed.scheme().starts_with("postgres") { 5432 } else { 3306 };
    let target = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap_or(default_port));
    let relay = Relay::start(target).await;
    parsed.set_host(Some("127.0.0.1")).unwrap();
    parsed.set_port(Some(relay.port)).unwrap();
    let app = TestApp::spawn_on(parsed.to_string(), None).await;
    assert_eq!(app.get("/readyz").await.status().as_u16(), 200);

    relay.cut();
    let r = app.get("/readyz").await;
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body = r.text().await.unwrap();
    assert!(body.contains("SERVICE_UNAVAILABLE") && !body.contains("127.0.0.1"), "{body}");
    // Reads fail cleanly too: a coded error, no internals.
    let (status, problem) = app.get_json("/v1/articles").await;
    assert_eq!((status, problem["code"].as_str()), (503, Some("SERVICE_UNAVAILABLE")), "{problem}");
    assert!(!problem.to_string().contains("relay"), "{problem}");

    relay.restore().await;
    let mut ready = false;
    for _ in 0..50 {
        if app.get("/readyz").await.status().as_u16() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "readyz did not recover without a restart");
    assert_eq!(app.get("/v1/articles").await.status().as_u16(), 200);
}

#[actix_web::test]
async fn clients_over_their_rate_get_429_problems() {
    let app = TestApp::spawn_configured(|c| {
        c.http.rate_limit_per_second = 1;
        c.http.rate_limit_burst = 3;
    })
    .await;
    let mut statuses = Vec::new();
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let r = app.get("/v1/articles").await;
        statuses.push(r.status().as_u16());
        remaining.push(r.headers()["ratelimit-remaining"].to_str().unwrap().to_owned());
    }
    // Each answer says how many requests are left in the burst.
    assert_eq!(&remaining[..3], ["2", "1", "0"]);
    assert_eq!(&statuses[..3], [200, 200, 200]);
    assert_eq!(statuses[4], 429);
    let r = app.get("/v1/articles").await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_some());
    assert_eq!(r.headers()["ratelimit-limit"], "3");
    assert_eq!(r.headers()["ratelimit-remaining"], "0");
    assert!(r.headers()["ratelimit-reset"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["code"], "RATE_LIMITED");
}
