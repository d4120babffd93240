//! The benchmark's ceiling (`scripts/bench`): actix-web answering every
//! request with one body held in memory, so a row of Dateline's can be read
//! against what the same server library does with no work at all.
//!
//! `ceiling ADDRESS FILE`: serves FILE's bytes as JSON on ADDRESS.

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(address), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: ceiling ADDRESS FILE");
        std::process::exit(2);
    };
    let body = web::Bytes::from(std::fs::read(&file)?);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move { HttpResponse::Ok().content_type("application/json").body(body) }
        }))
    })
    .tcp_nodelay(true)
    .bind(address)?
    .run()
    .await
}
