//! A webhook receiver on a port of its own, for the tests that check
//! deliveries.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// An HTTP receiver on a port of its own, answering `status`.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<AtomicU16>,
    pub delay_ms: Arc<AtomicU64>,
}

impl Receiver {
    pub fn start() -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(204));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (g, s, d) = (got.clone(), status.clone(), delay_ms.clone());
        let server = HttpServer::new(move || {
            let (g, s, d) = (g.clone(), s.clone(), d.clone());
            App::new().route(
                "/hook",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let (g, s, d) = (g.clone(), s.clone(), d.clone());
                    async move {
                        let h = |n: &str| {
                            req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
                        };
                        let pause = d.load(Ordering::SeqCst);
                        if pause > 0 {
                            tokio::time::sleep(Duration::from_millis(pause)).await;
                        }
                        let code = s.load(Ordering::SeqCst);
                        if code < 300 {
                            g.lock().unwrap().push(Received {
                                id: h("webhook-id"),
                                timestamp: h("webhook-timestamp"),
                                signature: h("webhook-signature"),
                                body: String::from_utf8(body.to_vec()).unwrap(),
                            });
                        }
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish()
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Self { url, got, status, delay_ms }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}
