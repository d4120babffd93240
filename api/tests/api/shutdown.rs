//! Graceful shutdown of the real binary: SIGTERM during a write load and a
//! webhook burst. Every acknowledged write is stored, every delivery
//! arrives exactly once (some after a restart), and the process exits 0
//! within its bound.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BOUND_SECS: u64 = 10;

/// A webhook receiver that takes its time, so batches are in flight when
/// the signal comes; it counts each delivery id it is sent.
fn receiver() -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let got: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let g = got.clone();
    let server = HttpServer::new(move || {
        let g = g.clone();
        App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest| {
                let g = g.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    let id = req.headers().get("webhook-id").unwrap().to_str().unwrap().to_owned();
                    *g.lock().unwrap().entry(id).or_default() += 1;
                    HttpResponse::NoContent().finish()
                }
            }),
        )
    })
    .workers(2)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (url, got)
}

fn dateline(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dateline"));
    c.args(["--database-url", url]).env_remove("RUST_LOG");
    c
}

/// `dateline serve` on `url`, delivering webhooks to the test's receiver.
fn server(url: &str) -> Command {
    let mut c = dateline(url);
    c.args(["serve", "--demo", "false", "--bind", "127.0.0.1:0"])
        .args(["--webhooks-allow-private", "true", "--webhooks-poll-ms", "20"])
        .args(["--rate-limit-per-second", "0", "--shutdown-timeout-secs", &BOUND_SECS.to_string()])
        .env_remove("RUST_LOG");
    c
}

/// Starts the server and answers its address once it serves.
fn serve(url: &str) -> (Child, String) {
    let mut child = server(url).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(a) = line.strip_prefix("Dateline is serving on ") {
            break a.trim().to_owned();
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn terminate(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success();
    assert!(ok);
}

/// Waits for the process to exit; its status and how long it took.
fn wait_exit(child: &mut Child, limit: Duration) -> (Option<i32>, Duration) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), start.elapsed());
        }
        if start.elapsed() > limit {
            child.kill().ok();
            panic!("the server did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[actix_web::test]
async fn sigterm_during_writes_and_deliveries_loses_nothing_and_sends_nothing_twice() {
    let (url, _dir) = crate::common::fresh_database().await;
    let out = dateline(&url)
        .args(["keys", "create", "--name", "load", "--scope", "content:write", "--scope", "webhooks:manage"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let (hook, got) = receiver();
    let (mut child, addr) = serve(&url);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{addr}/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({ "url": hook, "events": ["article.published"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // Eight writers create and publish stories until the server stops
    // answering; each keeps the ids whose publication was acknowledged.
    let signalled = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..8 {
        let (http, addr, key, ack) = (http.clone(), addr.clone(), key.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let created = http
                    .post(format!("{addr}/v1/articles"))
                    .bearer_auth(&key)
                    .json(&json!({ "slug": format!("w{w}-{i}"), "headline": "Load", "bodyMarkdown": "x" }))
                    .send()
                    .await;
                let Ok(created) = created else { return };
                if created.status() != 201 {
                    return;
                }
                let id = created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
                match http.post(format!("{addr}/v1/articles/{id}/publish")).bearer_auth(&key).send().await {
                    Ok(r) if r.status() == 200 => ack.lock().unwrap().push(id),
                    _ => return,
                }
            }
        }));
    }
    // The signal comes once writes and deliveries are both under way.
    let start = Instant::now();
    while (acknowledged.lock().unwrap().len() < 40 || got.lock().unwrap().is_empty())
        && start.elapsed() < Duration::from_secs(30)
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    terminate(&child);
    signalled.store(true, Ordering::SeqCst);
    let waited = tokio::task::spawn_blocking(move || {
        let r = wait_exit(&mut child, Duration::from_secs(BOUND_SECS + 5));
        (r, child)
    });
    for w in writers {
        w.await.unwrap();
    }
    let ((code, took), _) = waited.await.unwrap();
    assert_eq!(code, Some(0), "exit status after SIGTERM");
    assert!(took < Duration::from_secs(BOUND_SECS), "took {took:?}");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40);
    let sent_before = got.lock().unwrap().len();
    eprintln!(
        "{} publications acknowledged, {sent_before} deliveries received, exit after {took:?}",
        acknowledged.len()
    );

    // Restarted, the server has every acknowledged story and sends the
    // rest of the outbox.
    let (mut child, addr) = serve(&url);
    for id in &acknowledged {
        let r = http.get(format!("{addr}/v1/articles/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "acknowledged story {id} is stored and published");
    }
    let db = sea_orm::Database::connect(&url).await.unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    let outbox = entity::webhook_delivery::Entity::find().count(&db).await.unwrap() as usize;
    assert!(outbox >= acknowledged.len(), "one delivery per publication: {outbox}");
    let start = Instant::now();
    while got.lock().unwrap().len() < outbox && start.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), outbox, "every delivery arrived ({sent_before} before the restart)");
    let twice: Vec<_> = got.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    terminate(&child);
    let (code, _) = wait_exit(&mut child, Duration::from_secs(BOUND_SECS + 5));
    assert_eq!(code, Some(0));
    assert!(signalled.load(Ordering::SeqCst));
}
