//! Scripted answers for chosen paths of a [`crate::SampleUpstream`]: a fixed status,
//! headers (e.g. `Cache-Control`, `ETag`) and body, so cache tests can say what the
//! origin answers. A request whose `If-None-Match` equals the script's `ETag` gets
//! `304 Not Modified` with the script's headers, as a real origin would.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// Send the body without `Content-Length` (chunked), as a streaming origin would.
    pub chunked: bool,
}

impl Scripted {
    /// `200` with `body`.
    pub fn ok(body: impl Into<Bytes>) -> Scripted {
        Scripted {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: body.into(),
            chunked: false,
        }
    }

    /// Sends the body chunked, without `Content-Length`.
    pub fn chunked(mut self) -> Scripted {
        self.chunked = true;
        self
    }

    pub fn status(mut self, status: u16) -> Scripted {
        self.status = StatusCode::from_u16(status).expect("a valid status code");
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Scripted {
        self.headers.push((
            HeaderName::from_bytes(name.as_bytes()).expect("a valid header name"),
            HeaderValue::from_str(value).expect("a valid header value"),
        ));
        self
    }

    pub(crate) fn etag(&self) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(name, _)| name == http::header::ETAG)
            .map(|(_, value)| value)
    }
}

/// The scripts of one upstream, by exact path (query included when scripted so),
/// and how many requests each got.
#[derive(Debug, Default)]
pub(crate) struct Scripts {
    by_path: Mutex<HashMap<String, (Scripted, u64)>>,
}

impl Scripts {
    pub fn set(&self, path: &str, script: Scripted) {
        let mut by_path = self.by_path.lock().expect("not poisoned");
        let count = by_path.get(path).map_or(0, |(_, count)| *count);
        by_path.insert(path.to_owned(), (script, count));
    }

    /// The script for `path_and_query` (exact, else the path alone), counting the request.
    pub fn take(&self, path_and_query: &str) -> Option<Scripted> {
        let mut by_path = self.by_path.lock().expect("not poisoned");
        let path = path_and_query.split('?').next().unwrap_or_default();
        let key = if by_path.contains_key(path_and_query) {
            path_and_query
        } else {
            path
        };
        let (script, count) = by_path.get_mut(key)?;
        *count += 1;
        Some(script.clone())
    }

    pub fn count(&self, path: &str) -> u64 {
        let by_path = self.by_path.lock().expect("not poisoned");
        by_path.get(path).map_or(0, |(_, count)| *count)
    }
}

/// A whole body sent in one frame, with its length announced (`Content-Length`) or
/// not (chunked).
#[derive(Debug)]
pub(crate) struct AnswerBody {
    data: Option<Bytes>,
    announced: bool,
}

impl AnswerBody {
    pub fn full(data: Bytes) -> AnswerBody {
        AnswerBody {
            data: Some(data),
            announced: true,
        }
    }

    pub fn chunked(data: Bytes) -> AnswerBody {
        AnswerBody {
            data: Some(data),
            announced: false,
        }
    }
}

impl http_body::Body for AnswerBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(
            self.get_mut()
                .data
                .take()
                .map(|d| Ok(http_body::Frame::data(d))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.announced && self.data.is_none()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match (&self.data, self.announced) {
            (Some(data), true) => http_body::SizeHint::with_exact(data.len() as u64),
            (None, true) => http_body::SizeHint::with_exact(0),
            _ => http_body::SizeHint::default(),
        }
    }
}
