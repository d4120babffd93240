//! Content codings of kept answers. actix's `Compress` codes an answer as
//! it is sent, with a fresh encoder each time (a brotli one holds a 4 MiB
//! window); a kept answer is sent thousands of times, so its coded bytes
//! are made once, kept beside it and sent with `Content-Encoding` set,
//! which `Compress` leaves alone. The coding is chosen exactly as
//! `Compress` chooses it (the same negotiation over the same codings, with
//! q-values), so a kept answer and a fresh one come the same way.

use actix_web::HttpRequest;
use actix_web::http::header::{AcceptEncoding, ContentEncoding, Encoding, Header, HeaderValue};
use actix_web::web::Bytes;
use std::io::Write;

/// A coding whose bytes are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Zstd,
    Gzip,
}

/// How many codings a kept answer may hold beside its own bytes.
pub const KEPT_CODINGS: usize = 3;

/// What `Compress` offers (actix-web's default features).
const OFFERED: [Encoding; 5] =
    [Encoding::identity(), Encoding::brotli(), Encoding::gzip(), Encoding::deflate(), Encoding::zstd()];

impl Coding {
    /// The coding a kept answer goes out in for this request; None when it
    /// goes out as kept (identity), or in a coding not kept (deflate, which
    /// `Compress` then makes as for any answer).
    pub fn chosen(req: &HttpRequest) -> Option<Self> {
        let accepted = AcceptEncoding::parse(req).ok()?;
        match accepted.negotiate(OFFERED.iter())? {
            Encoding::Known(ContentEncoding::Brotli) => Some(Self::Brotli),
            Encoding::Known(ContentEncoding::Zstd) => Some(Self::Zstd),
            Encoding::Known(ContentEncoding::Gzip) => Some(Self::Gzip),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        match self {
            Self::Brotli => 0,
            Self::Zstd => 1,
            Self::Gzip => 2,
        }
    }

    pub fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Brotli => "br",
            Self::Zstd => "zstd",
            Self::Gzip => "gzip",
        })
    }

    /// `body` in this coding, made once per kept answer, at levels a
    /// little above what `Compress` uses per answer. A kept answer is coded
    /// again whenever it is read again (each write it shows, each time to
    /// live), so the levels stay cheap: from quality 5 up, brotli's encoder
    /// sets up about 5 MB of hash tables per call whatever the body's size
    /// (2 ms for a 3 KB page, against 0.08 ms at 4, measured), and brotli's
    /// window is fitted to the body, not its 4 MiB maximum.
    pub fn encode(self, body: &[u8]) -> std::io::Result<Bytes> {
        let coded = match self {
            Self::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 4,
                    lgwin: window_bits(body.len()),
                    size_hint: body.len(),
                    ..Default::default()
                };
                let mut out = Vec::with_capacity(body.len() / 4 + 64);
                brotli::BrotliCompress(&mut &body[..], &mut out, &params)?;
                out
            }
            Self::Zstd => zstd::bulk::compress(body, 6)?,
            Self::Gzip => {
                let out = Vec::with_capacity(body.len() / 4 + 64);
                let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
                gz.write_all(body)?;
                gz.finish()?
            }
        };
        Ok(Bytes::from(coded))
    }
}

/// The smallest brotli window (10 to 24 bits) that holds `len` bytes: a
/// window of `n` bits holds 2^n - 16.
fn window_bits(len: usize) -> i32 {
    let bits = usize::BITS - len.saturating_add(15).leading_zeros();
    i32::try_from(bits).unwrap_or(24).clamp(10, 24)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use actix_web::test::TestRequest;
    use std::io::Read;

    fn chosen(accept: Option<&str>) -> Option<Coding> {
        let mut req = TestRequest::get();
        if let Some(a) = accept {
            req = req.insert_header(("accept-encoding", a));
        }
        Coding::chosen(&req.to_http_request())
    }

    #[test]
    fn codings_are_chosen_by_quality_as_compress_chooses() {
        assert_eq!(chosen(None), None);
        assert_eq!(chosen(Some("identity")), None);
        assert_eq!(chosen(Some("gzip")), Some(Coding::Gzip));
        assert_eq!(chosen(Some("gzip, deflate, br, zstd")), Some(Coding::Brotli));
        assert_eq!(chosen(Some("br;q=0.5, gzip;q=0.9")), Some(Coding::Gzip));
        assert_eq!(chosen(Some("br;q=0, gzip")), Some(Coding::Gzip));
        assert_eq!(chosen(Some("zstd;q=1, br;q=0.8")), Some(Coding::Zstd));
        assert_eq!(chosen(Some("deflate")), None);
        assert_eq!(chosen(Some("compress, identity")), None);
    }

    #[test]
    fn every_coding_decodes_to_the_body() {
        let body = br#"{"data":{"article":{"headline":"Harris and AMLO talk migration"}}}"#.repeat(40);
        let br = Coding::Brotli.encode(&body).unwrap();
        let mut out = Vec::new();
        brotli::Decompressor::new(&br[..], 4096).read_to_end(&mut out).unwrap();
        assert_eq!(out, body);
        let zs = Coding::Zstd.encode(&body).unwrap();
        assert_eq!(zstd::bulk::decompress(&zs, body.len()).unwrap(), body);
        let gz = Coding::Gzip.encode(&body).unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, body);
        assert!(br.len() < body.len() / 10 && gz.len() < body.len() / 10);
        assert!(Coding::Gzip.encode(b"").is_ok() && Coding::Brotli.encode(b"").is_ok());
    }

    #[test]
    fn the_brotli_window_fits_the_body() {
        assert_eq!(window_bits(0), 10);
        assert_eq!(window_bits(1008), 10);
        assert_eq!(window_bits(1009), 11);
        assert_eq!(window_bits(40_000), 16);
        assert_eq!(window_bits(usize::MAX), 24);
    }
}
