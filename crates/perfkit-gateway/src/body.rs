//! Body types for both directions, as enums rather than boxed trait objects so the
//! pass-through path does not allocate per request.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Limited;
use hyper::body::Incoming;

pub use crate::listen::feed::NativeBody;
use crate::upstream::http1::UpstreamBody;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The client's request body failed (too large, or the client went away): marks the
/// error so the proxy answers the client instead of blaming the upstream peer.
#[derive(Debug, thiserror::Error)]
#[error("client request body: {0}")]
pub struct ClientBodyError(pub BoxError);

/// A client request's body as the gateway receives it: none, a `Content-Length` or
/// chunked body the native HTTP/1.1 server reads (`listen/feed.rs`), or hyper's.
#[derive(Debug)]
pub enum ClientBody {
    Empty,
    Native(NativeBody),
    Hyper(Incoming),
}

impl Body for ClientBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            ClientBody::Empty => Poll::Ready(None),
            ClientBody::Native(body) => Pin::new(body).poll_frame(cx),
            ClientBody::Hyper(body) => Pin::new(body).poll_frame(cx).map_err(|e| e.into()),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ClientBody::Empty => true,
            ClientBody::Native(body) => body.is_end_stream(),
            ClientBody::Hyper(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ClientBody::Empty => SizeHint::with_exact(0),
            ClientBody::Native(body) => body.size_hint(),
            ClientBody::Hyper(body) => body.size_hint(),
        }
    }
}

/// What the gateway sends upstream.
#[derive(Debug)]
pub enum RequestBody {
    Empty,
    /// The client's body, cut off with an error once it passes the size limit.
    Stream(Limited<ClientBody>),
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            RequestBody::Empty => Poll::Ready(None),
            RequestBody::Stream(body) => Pin::new(body)
                .poll_frame(cx)
                .map_err(|error| Box::new(ClientBodyError(error)) as BoxError),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            RequestBody::Empty => true,
            RequestBody::Stream(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RequestBody::Empty => SizeHint::with_exact(0),
            RequestBody::Stream(body) => body.size_hint(),
        }
    }
}

/// What the gateway sends the client.
// Boxing the upstream variant would cost an allocation per proxied response; the
// enum lives in one place per response, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ResponseBody {
    /// A response the gateway wrote itself (errors, admin API).
    Full(Option<Bytes>),
    /// An upstream's body, streamed straight from its connection.
    Upstream(UpstreamBody),
    /// An upstream's body streamed while the cache keeps a copy (up to its limit).
    Tee(Box<crate::request::cache::Tee>),
}

impl ResponseBody {
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        ResponseBody::Full(if bytes.is_empty() { None } else { Some(bytes) })
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            ResponseBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            ResponseBody::Upstream(body) => Pin::new(body).poll_frame(cx),
            ResponseBody::Tee(body) => Pin::new(&mut **body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(data) => data.is_none(),
            ResponseBody::Upstream(body) => body.is_end_stream(),
            ResponseBody::Tee(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ResponseBody::Upstream(body) => body.size_hint(),
            ResponseBody::Tee(body) => body.size_hint(),
        }
    }
}
