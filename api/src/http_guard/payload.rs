//! The request body as handlers read it: counted chunk by chunk and timed,
//! so a chunked body cannot slip past the size limit and a body that never
//! finishes cannot hold a worker forever.

use crate::error::AppError;
use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::Version;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::web::Bytes;
use futures_util::Stream;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Why a body was cut off, for the middleware to answer with.
#[derive(Clone, Default)]
pub struct Trip(Rc<Cell<Option<Cut>>>);

#[derive(Clone, Copy)]
enum Cut {
    TooLarge(usize),
    TooSlow,
}

impl Trip {
    pub fn get(&self) -> Option<AppError> {
        self.0.get().map(|cut| match cut {
            Cut::TooLarge(max) => AppError::PayloadTooLarge(max),
            Cut::TooSlow => AppError::RequestTimeout,
        })
    }
}

struct Guarded {
    inner: Payload,
    read: usize,
    max: usize,
    deadline: Pin<Box<tokio::time::Sleep>>,
    trip: Trip,
}

impl Stream for Guarded {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.trip.0.get().is_some() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.read = this.read.saturating_add(chunk.len());
                if this.read > this.max {
                    this.trip.0.set(Some(Cut::TooLarge(this.max)));
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    this.trip.0.set(Some(Cut::TooSlow));
                    let timeout = std::io::Error::new(std::io::ErrorKind::TimedOut, "body read timeout");
                    return Poll::Ready(Some(Err(PayloadError::Io(timeout))));
                }
                Poll::Pending
            }
            other => other,
        }
    }
}

/// HTTP/1 frames a body only with `Content-Length` (non-zero) or
/// `Transfer-Encoding`; HTTP/2 may send one without either.
fn may_have_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let length =
        headers.get(CONTENT_LENGTH).map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()));
    req.version() >= Version::HTTP_2
        || headers.contains_key(TRANSFER_ENCODING)
        || length.is_some_and(|n| n != Some(0))
}

/// Replaces the request's payload with a guarded one. A request that
/// declares no body (most reads) has nothing to guard and costs no timer.
pub fn guard(req: &mut ServiceRequest, max: usize, timeout: Duration) -> Option<Trip> {
    if !may_have_body(req) {
        return None;
    }
    let trip = Trip::default();
    let guarded = Guarded {
        inner: req.take_payload(),
        read: 0,
        max,
        deadline: Box::pin(tokio::time::sleep(timeout)),
        trip: trip.clone(),
    };
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(guarded);
    req.set_payload(Payload::from(stream));
    Some(trip)
}
