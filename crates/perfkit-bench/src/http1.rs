//! The lean HTTP/1.1 client the engine drives: requests are encoded once, before the
//! run; responses are parsed with httparse straight out of one reusable buffer per
//! connection, and bodies are counted and discarded, never collected.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::cache::{classify_cache_status, CacheLookup};

/// Response heads larger than this are refused (a server that sends more is broken).
const MAX_HEAD: usize = 64 * 1024;
/// Header slots tried first (httparse fills an array of them on every parse): enough
/// for typical responses, small enough to be cheap to set up per response.
const FEW_HEADERS: usize = 16;
/// Header slots for a response that has more than [`FEW_HEADERS`] fields.
const MAX_HEADERS: usize = 128;

/// Encodes one request, ready to be written as is for every send.
pub(crate) fn encode_request(
    method: &str,
    path: &str,
    host: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !has("host") {
        out.extend_from_slice(b"host: ");
        out.extend_from_slice(host.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !has("user-agent") {
        out.extend_from_slice(b"user-agent: perfkit-bench\r\n");
    }
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// Why a response could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io,
    /// The server closed the connection before the response was complete.
    Closed,
    /// The bytes are not an HTTP/1.1 response this client understands.
    Malformed,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// One response as the engine needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Response {
    pub status: u16,
    /// Head and body bytes received.
    pub bytes: u64,
    /// Whether the connection may carry another request.
    pub keep_alive: bool,
    /// What its `Cache-Status` says (a cache hit, a miss, or neither).
    pub cache: CacheLookup,
}

/// A connection's receive buffer; bytes between `start` and `end` are unread.
#[derive(Debug)]
pub(crate) struct ResponseReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Default for ResponseReader {
    fn default() -> Self {
        ResponseReader {
            buf: vec![0; 16 * 1024],
            start: 0,
            end: 0,
        }
    }
}

enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

impl ResponseReader {
    /// Forgets buffered bytes (after a reconnect).
    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    fn unread(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Reads more bytes; `Ok(0)` at end of stream.
    async fn fill<S: AsyncRead + Unpin>(&mut self, stream: &mut S) -> io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if self.buf.len() < MAX_HEAD {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        if self.end == self.buf.len() {
            return Err(io::Error::other("response head too large"));
        }
        let n = stream.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    async fn fill_or_closed<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<u64, ReadError> {
        match self.fill(stream).await? {
            0 => Err(ReadError::Closed),
            n => Ok(n as u64),
        }
    }

    /// Reads one complete response to a request with method `head_request` = HEAD or not.
    pub async fn read<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        head_request: bool,
    ) -> Result<Response, ReadError> {
        let (status, framing, mut keep_alive, head_len, cache) = loop {
            if let Some(parsed) = parse_head(self.unread())? {
                break parsed;
            }
            if self.end - self.start >= MAX_HEAD {
                return Err(ReadError::Malformed);
            }
            self.fill_or_closed(stream).await?;
        };
        self.start += head_len;
        let mut bytes = head_len as u64;
        let no_body =
            head_request || status == 204 || status == 304 || (100..200).contains(&status);
        if !no_body {
            match framing {
                Framing::Length(length) => bytes += self.skip(stream, length).await?,
                Framing::Chunked => bytes += self.skip_chunked(stream).await?,
                Framing::UntilClose => {
                    keep_alive = false;
                    bytes += (self.end - self.start) as u64;
                    self.clear();
                    loop {
                        let n = self.fill(stream).await?;
                        if n == 0 {
                            break;
                        }
                        bytes += n as u64;
                        self.clear();
                    }
                }
            }
        }
        Ok(Response {
            status,
            bytes,
            keep_alive,
            cache,
        })
    }

    /// Consumes exactly `length` body bytes.
    async fn skip<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
        length: u64,
    ) -> Result<u64, ReadError> {
        let mut left = length;
        loop {
            let available = (self.end - self.start) as u64;
            let take = available.min(left);
            self.start += take as usize;
            left -= take;
            if left == 0 {
                return Ok(length);
            }
            self.fill_or_closed(stream).await?;
        }
    }

    /// Consumes a chunked body including its trailers; returns the bytes on the wire.
    async fn skip_chunked<S: AsyncRead + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<u64, ReadError> {
        let mut total = 0;
        loop {
            let size = loop {
                match httparse::parse_chunk_size(self.unread()) {
                    Ok(httparse::Status::Complete((used, size))) => {
                        self.start += used;
                        total += used as u64;
                        break size;
                    }
                    Ok(httparse::Status::Partial) => {
                        self.fill_or_closed(stream).await?;
                    }
                    Err(_) => return Err(ReadError::Malformed),
                }
            };
            if size == 0 {
                // Trailers: header lines, then an empty line.
                loop {
                    if let Some(line) = self.unread().windows(2).position(|w| w == b"\r\n") {
                        self.start += line + 2;
                        total += line as u64 + 2;
                        if line == 0 {
                            return Ok(total);
                        }
                    } else {
                        self.fill_or_closed(stream).await?;
                    }
                }
            }
            total += self.skip(stream, size).await?;
            while self.end - self.start < 2 {
                self.fill_or_closed(stream).await?;
            }
            if self.unread()[..2] != *b"\r\n" {
                return Err(ReadError::Malformed);
            }
            self.start += 2;
            total += 2;
        }
    }
}

/// A parsed response head: status, framing, keep-alive, head length, cache lookup.
type Head = (u16, Framing, bool, usize, CacheLookup);

/// Parses a response head, or `None` when more bytes are needed. Only the framing
/// fields (Content-Length, Transfer-Encoding, Connection) and Cache-Status are read.
fn parse_head(bytes: &[u8]) -> Result<Option<Head>, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; FEW_HEADERS];
    match parse_head_into(bytes, &mut headers) {
        Err(httparse::Error::TooManyHeaders) => {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            parse_head_into(bytes, &mut headers).map_err(|_| ReadError::Malformed)?
        }
        parsed => parsed.map_err(|_| ReadError::Malformed)?,
    }
    .map_or(Ok(None), |head| head.map(Some))
}

/// [`parse_head`] with `headers` as httparse's slots: the outer error is httparse's
/// (so too many headers can be retried with more slots), the inner one is about
/// field values.
fn parse_head_into<'b>(
    bytes: &'b [u8],
    headers: &mut [httparse::Header<'b>],
) -> Result<Option<Result<Head, ReadError>>, httparse::Error> {
    let mut response = httparse::Response::new(headers);
    let head_len = match response.parse(bytes)? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return Ok(None),
    };
    Ok(Some(interpret_head(&response, head_len)))
}

fn interpret_head(
    response: &httparse::Response<'_, '_>,
    head_len: usize,
) -> Result<Head, ReadError> {
    let status = response.code.unwrap_or(0);
    let mut keep_alive = response.version == Some(1);
    let mut framing = Framing::UntilClose;
    let mut cache = CacheLookup::NotCounted;
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            let length = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or(ReadError::Malformed)?;
            if !matches!(framing, Framing::Chunked) {
                framing = Framing::Length(length);
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if contains_token(header.value, b"chunked") {
                framing = Framing::Chunked;
            }
        } else if header.name.eq_ignore_ascii_case("connection") {
            if contains_token(header.value, b"close") {
                keep_alive = false;
            } else if contains_token(header.value, b"keep-alive") {
                keep_alive = true;
            }
        } else if header.name.eq_ignore_ascii_case("cache-status") {
            cache = classify_cache_status(header.value);
        }
    }
    Ok((status, framing, keep_alive, head_len, cache))
}

fn contains_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|b| *b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads every response in `wire`, fed in pieces of `step` bytes.
    fn read_all(wire: &[u8], step: usize, count: usize) -> Vec<Response> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (mut client, mut server) = tokio::io::duplex(step);
            let wire = wire.to_vec();
            let writer = tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                for piece in wire.chunks(step) {
                    server.write_all(piece).await.unwrap();
                }
            });
            let mut reader = ResponseReader::default();
            let mut out = Vec::new();
            for _ in 0..count {
                out.push(reader.read(&mut client, false).await.unwrap());
            }
            writer.await.unwrap();
            out
        })
    }

    #[test]
    fn reads_length_and_chunked_bodies_split_anywhere() {
        let wire = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello\
HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n\
HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        for step in [1, 2, 7, 4096] {
            let got = read_all(wire, step, 3);
            assert_eq!(got[0].status, 200);
            assert_eq!(got[0].bytes, 38 + 5);
            assert!(got[0].keep_alive);
            assert_eq!(got[1].status, 201);
            let chunked_head = b"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n".len();
            let chunked_body = b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n".len();
            assert_eq!(
                got[1].bytes,
                (chunked_head + chunked_body) as u64,
                "step {step}"
            );
            assert_eq!(got[2].status, 404);
            assert!(!got[2].keep_alive);
        }
    }

    /// Like [`read_all`], but gives each read's outcome (an error stops the reading).
    fn try_read_all(wire: &[u8], step: usize, count: usize) -> Vec<Result<Response, String>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (mut client, mut server) = tokio::io::duplex(wire.len().max(1));
            use tokio::io::AsyncWriteExt;
            for piece in wire.chunks(step) {
                server.write_all(piece).await.unwrap();
            }
            drop(server);
            let mut reader = ResponseReader::default();
            let mut out = Vec::new();
            for _ in 0..count {
                let result = reader.read(&mut client, false).await;
                let stop = result.is_err();
                out.push(result.map_err(|e| format!("{e:?}")));
                if stop {
                    break;
                }
            }
            out
        })
    }

    #[test]
    fn pipelined_responses_then_garbage_is_malformed() {
        let wire = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok\
HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokthis is not a response\r\n\r\n";
        for step in [1, 5, wire.len()] {
            let got = try_read_all(wire, step, 3);
            assert_eq!(got.len(), 3, "step {step}: {got:?}");
            assert_eq!(got[0].as_ref().unwrap().bytes, 40);
            assert_eq!(got[1].as_ref().unwrap().status, 200);
            assert_eq!(got[2], Err("Malformed".to_owned()), "step {step}");
        }
    }

    #[test]
    fn a_response_cut_short_is_closed_not_complete() {
        let wire = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf";
        let got = try_read_all(wire, 3, 1);
        assert_eq!(got, vec![Err("Closed".to_owned())]);
        let wire = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab";
        assert_eq!(try_read_all(wire, 4, 1), vec![Err("Closed".to_owned())]);
        let wire = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n";
        assert_eq!(try_read_all(wire, 4, 1), vec![Err("Malformed".to_owned())]);
    }

    #[test]
    fn connection_close_and_http_1_0_end_keep_alive() {
        let wire = b"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\ncontent-length: 0\r\n\r\n\
HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n\
HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n";
        let got = read_all(wire, 6, 3);
        assert!(!got[0].keep_alive);
        assert!(!got[1].keep_alive);
        assert!(got[2].keep_alive);
    }

    #[test]
    fn more_headers_than_the_first_try_holds_are_still_read() {
        let mut wire = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..FEW_HEADERS + 4 {
            wire.extend_from_slice(format!("x-filler-{i}: {i}\r\n").as_bytes());
        }
        wire.extend_from_slice(b"cache-status: edge; hit\r\ncontent-length: 3\r\n\r\nabc");
        wire.extend_from_slice(b"HTTP/1.1 204 No Content\r\n\r\n");
        let got = read_all(&wire, 9, 2);
        assert_eq!(got[0].status, 200);
        assert_eq!(got[0].bytes, wire.len() as u64 - 27);
        assert_eq!(got[0].cache, CacheLookup::Hit);
        assert_eq!(got[1].status, 204);
        let mut too_many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..MAX_HEADERS + 1 {
            too_many.extend_from_slice(format!("x-{i}: {i}\r\n").as_bytes());
        }
        too_many.extend_from_slice(b"\r\n");
        assert_eq!(
            try_read_all(&too_many, 64, 1),
            vec![Err("Malformed".to_owned())]
        );
    }

    #[test]
    fn body_until_close_ends_the_connection() {
        let wire = b"HTTP/1.1 200 OK\r\n\r\nstreamed until close";
        let got = read_all(wire, 3, 1);
        assert_eq!(got[0].bytes, wire.len() as u64);
        assert!(!got[0].keep_alive);
    }

    #[test]
    fn encodes_host_length_and_custom_headers() {
        let request = encode_request(
            "POST",
            "/items?x=1",
            "example:8080",
            &[("x-api-key".into(), "k".into())],
            b"{}",
        );
        assert_eq!(
            String::from_utf8(request).unwrap(),
            "POST /items?x=1 HTTP/1.1\r\nhost: example:8080\r\nuser-agent: perfkit-bench\r\n\
             x-api-key: k\r\ncontent-length: 2\r\n\r\n{}"
        );
    }
}
