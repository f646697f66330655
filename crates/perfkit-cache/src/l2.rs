//! L2: Redis, shared by every instance. Entries live under `{namespace}:e:{key}`,
//! tag sets under `{namespace}:t:{tag}`, invalidations are published on
//! `{namespace}:invalidate`.
//!
//! Every operation has a deadline; a failure marks L2 down (reads then skip it and
//! count as misses) until the link task in `cache.rs` reconnects.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use redis::aio::ConnectionManager;

use crate::entry::Entry;
use crate::Purge;

/// How to reach Redis.
#[derive(Debug, Clone)]
pub struct L2Config {
    /// `redis://host:port[/db]`
    pub url: String,
    /// Prefix of every key and of the invalidation channel, so several caches can
    /// share one Redis.
    pub namespace: String,
    /// Deadline of one Redis operation; past it the operation counts as failed.
    pub op_timeout: Duration,
    /// What this instance does to its L1 when it reconnects after losing Redis.
    pub on_reconnect: Purge,
}

impl L2Config {
    pub fn new(url: impl Into<String>) -> L2Config {
        L2Config {
            url: url.into(),
            namespace: "perfkit".into(),
            op_timeout: Duration::from_millis(250),
            on_reconnect: Purge::Hard,
        }
    }
}

/// A failed L2 operation.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum L2Error {
    #[error("redis is unreachable (the cache keeps serving from memory; it reconnects by itself)")]
    Down,
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
    #[error("redis error: {0}")]
    Redis(String),
}

impl From<redis::RedisError> for L2Error {
    fn from(err: redis::RedisError) -> Self {
        L2Error::Redis(err.to_string())
    }
}

/// The Redis layer.
pub struct L2 {
    pub(crate) client: redis::Client,
    conn: RwLock<Option<ConnectionManager>>,
    up: AtomicBool,
    up_changes: tokio::sync::watch::Sender<bool>,
    pub(crate) config: L2Config,
}

impl std::fmt::Debug for L2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L2")
            .field("config", &self.config)
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

impl L2 {
    pub fn new(config: L2Config) -> Result<L2, L2Error> {
        let client = redis::Client::open(config.url.as_str())?;
        Ok(L2 {
            client,
            conn: RwLock::new(None),
            up: AtomicBool::new(false),
            up_changes: tokio::sync::watch::channel(false).0,
            config,
        })
    }

    /// True while the last operation (or the link's reconnect) succeeded.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    pub(crate) fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::Relaxed);
        self.up_changes
            .send_if_modified(|old| std::mem::replace(old, up) != up);
    }

    pub(crate) fn subscribe_up(&self) -> tokio::sync::watch::Receiver<bool> {
        self.up_changes.subscribe()
    }

    pub(crate) fn channel(&self) -> String {
        format!("{}:invalidate", self.config.namespace)
    }

    fn entry_key(&self, key: &str) -> String {
        format!("{}:e:{key}", self.config.namespace)
    }

    fn tag_key(&self, tag: &str) -> String {
        format!("{}:t:{tag}", self.config.namespace)
    }

    /// Opens the shared connection (called by the link task).
    pub(crate) async fn connect(&self) -> Result<(), L2Error> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(self.config.op_timeout * 4)
            .set_response_timeout(self.config.op_timeout)
            .set_number_of_retries(1)
            .set_max_delay(1000);
        let manager = self
            .client
            .get_connection_manager_with_config(config)
            .await?;
        *self.conn.write().unwrap_or_else(|p| p.into_inner()) = Some(manager);
        Ok(())
    }

    fn connection(&self) -> Result<ConnectionManager, L2Error> {
        if !self.is_up() {
            return Err(L2Error::Down);
        }
        self.conn
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(L2Error::Down)
    }

    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, L2Error> {
        let mut conn = self.connection()?;
        let result = tokio::time::timeout(self.config.op_timeout, cmd.query_async(&mut conn)).await;
        self.outcome(result)
    }

    async fn run_pipe<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T, L2Error> {
        let mut conn = self.connection()?;
        let result =
            tokio::time::timeout(self.config.op_timeout, pipe.query_async(&mut conn)).await;
        self.outcome(result)
    }

    fn outcome<T>(
        &self,
        result: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    ) -> Result<T, L2Error> {
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                // A server-side error reply (wrong type...) says nothing about reachability.
                if err.is_io_error() || err.is_connection_dropped() || err.is_timeout() {
                    self.set_up(false);
                }
                Err(err.into())
            }
            Err(_) => {
                self.set_up(false);
                Err(L2Error::Timeout(self.config.op_timeout))
            }
        }
    }

    /// The entry under `key`; undecodable values (another format version) read as
    /// absent.
    pub async fn get(&self, key: &str) -> Result<Option<Entry>, L2Error> {
        let raw: Option<Vec<u8>> = self.run(redis::cmd("GET").arg(self.entry_key(key))).await?;
        Ok(raw.and_then(|raw| Entry::decode(Bytes::from(raw)).ok()))
    }

    /// Stores `entry` with its remaining keeping time and records its tags.
    pub async fn set(&self, key: &str, entry: &Entry) -> Result<(), L2Error> {
        let ttl_ms = match entry.remaining_ttl(SystemTime::now()) {
            Some(left) if left.is_zero() => return Ok(()),
            Some(left) => Some(left.as_millis().max(1) as u64),
            None => None,
        };
        let entry_key = self.entry_key(key);
        let mut pipe = redis::pipe();
        let set = pipe.cmd("SET").arg(&entry_key).arg(entry.encode());
        if let Some(ms) = ttl_ms {
            set.arg("PX").arg(ms);
        }
        set.ignore();
        for tag in &entry.tags {
            let tag_key = self.tag_key(tag);
            pipe.cmd("SADD").arg(&tag_key).arg(key).ignore();
            if let Some(ms) = ttl_ms {
                // A fresh set has no expiry (NX sets one); later members extend it (GT).
                pipe.cmd("PEXPIRE").arg(&tag_key).arg(ms).arg("NX").ignore();
                pipe.cmd("PEXPIRE").arg(&tag_key).arg(ms).arg("GT").ignore();
            } else {
                pipe.cmd("PERSIST").arg(&tag_key).ignore();
            }
        }
        self.run_pipe::<()>(&pipe).await
    }

    /// Removes or marks stale the entries under `keys`; returns how many existed.
    async fn purge_keys(&self, keys: &[String], purge: Purge) -> Result<usize, L2Error> {
        if keys.is_empty() {
            return Ok(0);
        }
        match purge {
            Purge::Hard => {
                let mut cmd = redis::cmd("DEL");
                for key in keys {
                    cmd.arg(self.entry_key(key));
                }
                self.run::<usize>(&cmd).await
            }
            Purge::Soft => {
                let mut marked = 0;
                for key in keys {
                    if let Some(entry) = self.get(key).await? {
                        entry.mark_stale();
                        let mut cmd = redis::cmd("SET");
                        cmd.arg(self.entry_key(key))
                            .arg(entry.encode())
                            .arg("KEEPTTL")
                            .arg("XX");
                        self.run::<Option<String>>(&cmd).await?;
                        marked += 1;
                    }
                }
                Ok(marked)
            }
        }
    }

    pub async fn purge_key(&self, key: &str, purge: Purge) -> Result<usize, L2Error> {
        self.purge_keys(&[key.to_owned()], purge).await
    }

    pub async fn purge_tag(&self, tag: &str, purge: Purge) -> Result<usize, L2Error> {
        let tag_key = self.tag_key(tag);
        let keys: Vec<String> = self.run(redis::cmd("SMEMBERS").arg(&tag_key)).await?;
        let count = self.purge_keys(&keys, purge).await?;
        if purge == Purge::Hard {
            self.run::<()>(redis::cmd("DEL").arg(&tag_key)).await?;
        }
        Ok(count)
    }

    /// Every key starting with `prefix` (all keys for an empty prefix).
    pub async fn purge_prefix(&self, prefix: &str, purge: Purge) -> Result<usize, L2Error> {
        let strip = self.entry_key("").len();
        let pattern = format!("{}*", self.entry_key(&glob_escape(prefix)));
        let mut cursor: u64 = 0;
        let mut count = 0;
        loop {
            let (next, found): (u64, Vec<String>) = self
                .run(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(500),
                )
                .await?;
            let keys: Vec<String> = found.into_iter().map(|k| k[strip..].to_owned()).collect();
            count += self.purge_keys(&keys, purge).await?;
            if next == 0 {
                return Ok(count);
            }
            cursor = next;
        }
    }

    /// PINGs through the shared connection even while marked down (the link task's
    /// health probe); marks L2 up when it answers.
    pub(crate) async fn probe(&self) -> bool {
        let conn = self.conn.read().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(mut conn) = conn else { return false };
        let ping = redis::cmd("PING");
        let answered = matches!(
            tokio::time::timeout(
                self.config.op_timeout,
                ping.query_async::<String>(&mut conn)
            )
            .await,
            Ok(Ok(_))
        );
        self.set_up(answered);
        answered
    }

    pub(crate) async fn publish(&self, message: &str) -> Result<(), L2Error> {
        self.run::<i64>(redis::cmd("PUBLISH").arg(self.channel()).arg(message))
            .await
            .map(drop)
    }
}

/// Escapes Redis glob metacharacters so a prefix matches literally.
fn glob_escape(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len());
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn glob_metacharacters_are_escaped() {
        assert_eq!(super::glob_escape("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }
}
