//! Raw HTTP/1.1 over TCP, for what a well-behaved client library will not
//! send: chunked bodies of any size, bodies that stall, huge headers.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What came back: status (0 when the connection closed without one) and
/// the whole response text.
pub struct RawResponse {
    pub status: u16,
    pub text: String,
}

fn host(addr: &str) -> &str {
    addr.trim_start_matches("http://")
}

/// Sends `head` (request line and headers, without the blank line), then
/// each body part with `pause` between them, and reads the answer (for at
/// most `wait`).
pub async fn send(addr: &str, head: &str, parts: &[Vec<u8>], pause: Duration, wait: Duration) -> RawResponse {
    let mut s = TcpStream::connect(host(addr)).await.unwrap();
    let head = format!("{head}\r\nHost: {}\r\nConnection: close\r\n\r\n", host(addr));
    let _ = s.write_all(head.as_bytes()).await;
    for p in parts {
        if s.write_all(p).await.is_err() {
            break;
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(wait, s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    RawResponse { status, text }
}

/// A chunked body of `total` bytes in 64 KiB chunks.
pub fn chunked(total: usize, fill: u8) -> Vec<Vec<u8>> {
    let mut parts = Vec::new();
    let mut left = total;
    while left > 0 {
        let n = left.min(64 * 1024);
        let mut chunk = format!("{n:x}\r\n").into_bytes();
        chunk.extend(std::iter::repeat_n(fill, n));
        chunk.extend_from_slice(b"\r\n");
        parts.push(chunk);
        left -= n;
    }
    parts.push(b"0\r\n\r\n".to_vec());
    parts
}
