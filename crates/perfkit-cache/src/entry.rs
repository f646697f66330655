//! One cached entry (an HTTP response or a library user's value) and its versioned
//! binary encoding for L2.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// A cached response or value. Shared as `Arc<Entry>`: a hit clones the `Arc`, never
/// the body or headers.
#[derive(Debug)]
pub struct Entry {
    /// HTTP status; `200` for plain values.
    pub status: StatusCode,
    /// Stored response headers (the freshness inputs `Cache-Control`, `Expires`,
    /// `Date`, `Age`, `Last-Modified`, `ETag` live here). Empty for plain values.
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When the request that produced this response was sent (RFC 9111 §4.2.3).
    pub request_time: SystemTime,
    /// When the response was received.
    pub response_time: SystemTime,
    /// When the cache stops keeping the entry (freshness plus any stale window).
    /// `None`: kept until evicted or purged.
    pub expires_at: Option<SystemTime>,
    /// The Vary secondary key this response was stored under, if any.
    pub variant: Option<Box<str>>,
    /// Tags for invalidation (`user:42`).
    pub tags: Vec<Box<str>>,
    /// Set by a soft purge: the entry may only be served stale / revalidated.
    stale: AtomicBool,
    /// What every hit would otherwise recompute from the stored headers, worked out
    /// by the first hit (see [`crate::policy`]).
    pub(crate) memo: Memo,
}

/// Per-entry results of the RFC 9111 functions over the entry's own (immutable)
/// fields, kept so that a hit does not parse `Cache-Control`, `Date` and `Age` or
/// rebuild the response head again. Each slot records the configuration inputs it
/// was computed with; a caller with other settings computes afresh.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// Set once the entry is shared through the cache (`Arc<Entry>`), after which
    /// its fields cannot change; an entry still owned (and so mutable) by a caller
    /// never uses the memo.
    pub(crate) sealed: bool,
    pub(crate) freshness: OnceLock<crate::policy::StoredFreshness>,
    pub(crate) served: OnceLock<crate::policy::ServedHead>,
}

impl Clone for Entry {
    fn clone(&self) -> Self {
        Entry {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            request_time: self.request_time,
            response_time: self.response_time,
            expires_at: self.expires_at,
            variant: self.variant.clone(),
            tags: self.tags.clone(),
            stale: AtomicBool::new(self.is_marked_stale()),
            memo: Memo::default(),
        }
    }
}

impl Entry {
    /// An HTTP response received at `response_time` for a request sent at `request_time`.
    pub fn response(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        request_time: SystemTime,
        response_time: SystemTime,
    ) -> Entry {
        Entry {
            status,
            headers,
            body,
            request_time,
            response_time,
            expires_at: None,
            variant: None,
            tags: Vec::new(),
            stale: AtomicBool::new(false),
            memo: Memo::default(),
        }
    }

    /// A plain value stored now.
    pub fn value(body: impl Into<Bytes>) -> Entry {
        let now = SystemTime::now();
        Entry::response(StatusCode::OK, HeaderMap::new(), body.into(), now, now)
    }

    /// Keeps the entry for `ttl` from `response_time`.
    pub fn with_ttl(mut self, ttl: Duration) -> Entry {
        self.expires_at = Some(self.response_time + ttl);
        self
    }

    pub fn with_tags<I, S>(mut self, tags: I) -> Entry
    where
        I: IntoIterator<Item = S>,
        S: Into<Box<str>>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_variant(mut self, variant: impl Into<Box<str>>) -> Entry {
        self.variant = Some(variant.into());
        self
    }

    /// Lets hits reuse what they derive from this entry's fields: called by the
    /// cache when the entry becomes shared and immutable.
    pub(crate) fn seal(mut self) -> Entry {
        self.memo.sealed = true;
        self
    }

    /// True once a soft purge marked this entry stale.
    pub fn is_marked_stale(&self) -> bool {
        self.stale.load(Ordering::Relaxed)
    }

    /// Soft purge: the entry stays but must not be served as fresh.
    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::Relaxed);
    }

    /// True when the cache's keeping time is over at `now`.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Time left before `expires_at` (zero when past; `None` when unbounded).
    pub fn remaining_ttl(&self, now: SystemTime) -> Option<Duration> {
        self.expires_at
            .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| &**t == tag)
    }

    /// Approximate bytes this entry occupies, used by the L1 weigher. Counts body,
    /// header names and values, variant and tags, plus a fixed per-header and
    /// per-entry allowance for the structures around them.
    pub fn weight(&self) -> u64 {
        const PER_HEADER: usize = 48;
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + PER_HEADER)
            .sum();
        let tags: usize = self.tags.iter().map(|t| t.len() + 16).sum();
        let variant = self.variant.as_ref().map_or(0, |v| v.len());
        (self.body.len() + headers + tags + variant + ENTRY_OVERHEAD) as u64
    }

    /// Encodes the entry for L2 (format version [`FORMAT_VERSION`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.body.len() + self.headers.len() * 48);
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.status.as_u16().to_le_bytes());
        out.push(u8::from(self.is_marked_stale()));
        put_time(&mut out, Some(self.request_time));
        put_time(&mut out, Some(self.response_time));
        put_time(&mut out, self.expires_at);
        match &self.variant {
            Some(variant) => {
                out.push(1);
                put_bytes(&mut out, variant.as_bytes());
            }
            None => out.push(0),
        }
        put_len(&mut out, self.tags.len());
        for tag in &self.tags {
            put_bytes(&mut out, tag.as_bytes());
        }
        put_len(&mut out, self.headers.len());
        for (name, value) in &self.headers {
            put_bytes(&mut out, name.as_str().as_bytes());
            put_bytes(&mut out, value.as_bytes());
        }
        put_bytes(&mut out, &self.body);
        out
    }

    /// Decodes what [`Entry::encode`] wrote. The body shares `bytes`' allocation.
    pub fn decode(bytes: Bytes) -> Result<Entry, DecodeError> {
        let mut reader = Reader { buf: bytes, pos: 0 };
        if reader.take(MAGIC.len())?.as_ref() != MAGIC {
            return Err(DecodeError::NotAnEntry);
        }
        let version = reader.u8()?;
        if version != FORMAT_VERSION {
            return Err(DecodeError::Version(version));
        }
        let status = u16::from_le_bytes([reader.u8()?, reader.u8()?]);
        let status = StatusCode::from_u16(status).map_err(|_| DecodeError::Corrupt("status"))?;
        let stale = reader.u8()? != 0;
        let request_time = reader.time()?.ok_or(DecodeError::Corrupt("request time"))?;
        let response_time = reader
            .time()?
            .ok_or(DecodeError::Corrupt("response time"))?;
        let expires_at = reader.time()?;
        let variant = match reader.u8()? {
            0 => None,
            _ => Some(reader.string()?),
        };
        let tag_count = reader.len()?;
        let mut tags = Vec::with_capacity(tag_count.min(1024));
        for _ in 0..tag_count {
            tags.push(reader.string()?);
        }
        let header_count = reader.len()?;
        let mut headers = HeaderMap::with_capacity(header_count.min(1024));
        for _ in 0..header_count {
            let name = reader.bytes()?;
            let value = reader.bytes()?;
            let name =
                HeaderName::from_bytes(&name).map_err(|_| DecodeError::Corrupt("header name"))?;
            let value = HeaderValue::from_maybe_shared(value)
                .map_err(|_| DecodeError::Corrupt("header value"))?;
            headers.append(name, value);
        }
        let body = reader.bytes()?;
        if reader.pos != reader.buf.len() {
            return Err(DecodeError::Corrupt("trailing bytes"));
        }
        Ok(Entry {
            status,
            headers,
            body,
            request_time,
            response_time,
            expires_at,
            variant,
            tags,
            stale: AtomicBool::new(stale),
            memo: Memo::default(),
        })
    }
}

/// The allowance per entry for the `Arc<Entry>`, its `HeaderMap` and the L1 slot.
pub const ENTRY_OVERHEAD: usize = 256;

/// The L2 encoding's version byte; bump it when the layout changes (old entries
/// then read as misses).
pub const FORMAT_VERSION: u8 = 1;
const MAGIC: &[u8; 2] = b"PK";

/// An L2 value that is not an entry this version can read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("not a perfkit cache entry")]
    NotAnEntry,
    #[error("cache entry format version {0} is not {FORMAT_VERSION}")]
    Version(u8),
    #[error("cache entry is truncated")]
    Truncated,
    #[error("cache entry has a corrupt {0}")]
    Corrupt(&'static str),
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&(len as u32).to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_time(out: &mut Vec<u8>, time: Option<SystemTime>) {
    let millis = time.map_or(u64::MAX, |t| {
        t.duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    });
    out.extend_from_slice(&millis.to_le_bytes());
}

struct Reader {
    buf: Bytes,
    pos: usize,
}

impl Reader {
    fn take(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        if end > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        let out = self.buf.slice(self.pos..end);
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn len(&mut self) -> Result<usize, DecodeError> {
        let raw = self.take(4)?;
        Ok(u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize)
    }

    fn bytes(&mut self) -> Result<Bytes, DecodeError> {
        let len = self.len()?;
        self.take(len)
    }

    fn string(&mut self) -> Result<Box<str>, DecodeError> {
        let raw = self.bytes()?;
        std::str::from_utf8(&raw)
            .map(Into::into)
            .map_err(|_| DecodeError::Corrupt("string"))
    }

    fn time(&mut self) -> Result<Option<SystemTime>, DecodeError> {
        let raw = self.take(8)?;
        let millis = u64::from_le_bytes(raw.as_ref().try_into().expect("took 8 bytes"));
        Ok((millis != u64::MAX).then(|| UNIX_EPOCH + Duration::from_millis(millis)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        let mut headers = HeaderMap::new();
        headers.insert("cache-control", HeaderValue::from_static("max-age=60"));
        headers.append("set-thing", HeaderValue::from_static("a"));
        headers.append("set-thing", HeaderValue::from_static("b"));
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        Entry::response(
            StatusCode::NOT_FOUND,
            headers,
            Bytes::from_static(b"body"),
            t,
            t,
        )
        .with_ttl(Duration::from_secs(60))
        .with_tags(["user:1", "list"])
        .with_variant("accept-encoding=gzip")
    }

    #[test]
    fn round_trips_every_field() {
        let entry = sample();
        entry.mark_stale();
        let back = Entry::decode(Bytes::from(entry.encode())).unwrap();
        assert_eq!(back.status, StatusCode::NOT_FOUND);
        assert_eq!(back.headers, entry.headers);
        assert_eq!(back.body, entry.body);
        assert_eq!(back.request_time, entry.request_time);
        assert_eq!(back.response_time, entry.response_time);
        assert_eq!(back.expires_at, entry.expires_at);
        assert_eq!(back.variant, entry.variant);
        assert_eq!(back.tags, entry.tags);
        assert!(back.is_marked_stale());
    }

    #[test]
    fn rejects_truncated_foreign_and_future_versions() {
        let encoded = sample().encode();
        for cut in [0, 3, 10, encoded.len() - 1] {
            let err = Entry::decode(Bytes::copy_from_slice(&encoded[..cut])).unwrap_err();
            assert!(
                matches!(err, DecodeError::Truncated | DecodeError::NotAnEntry),
                "{cut}: {err}"
            );
        }
        assert_eq!(
            Entry::decode(Bytes::from_static(b"{\"json\":1}")).unwrap_err(),
            DecodeError::NotAnEntry
        );
        let mut future = encoded.clone();
        future[2] = FORMAT_VERSION + 1;
        assert_eq!(
            Entry::decode(Bytes::from(future)).unwrap_err(),
            DecodeError::Version(FORMAT_VERSION + 1)
        );
        let mut trailing = encoded;
        trailing.push(0);
        assert!(Entry::decode(Bytes::from(trailing)).is_err());
    }

    #[test]
    fn weight_counts_body_headers_and_overhead() {
        let entry = sample();
        let w = entry.weight() as usize;
        assert!(
            w >= entry.body.len() + ENTRY_OVERHEAD + "cache-control".len() + "max-age=60".len()
        );
        let bigger = Entry::value(vec![0u8; 10_000]);
        assert_eq!(bigger.weight() as usize, 10_000 + ENTRY_OVERHEAD);
    }
}
