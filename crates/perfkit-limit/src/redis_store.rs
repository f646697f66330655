//! GCRA on Redis: one round trip per decision ([`RedisLimiter`], exact) or per batch of
//! tokens ([`LeasedLimiter`], most decisions local).
//!
//! The decision runs as a Lua script (EVALSHA, loaded again on NOSCRIPT) that reads the
//! time from Redis itself (`TIME`), so the instances' clocks do not matter. Each key is
//! one Redis string, the key's TAT in microseconds, named
//! `perfkit:limit:{NAME:HASH}`: the braces are a Redis Cluster hash tag, so a script
//! only ever touches one slot (no CROSSSLOT), while different keys spread over the
//! cluster. A key expires as soon as it is idle, so Redis memory follows active keys.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};

use crate::algorithm::Quota;
use crate::clock::{nanos, Clock, Nanos, SystemClock};
use crate::decision::Decision;
use crate::key::Key;
use crate::store::{Store, StoreError};

/// Takes up to `want` tokens (at least `need`, else none) from a key's bucket.
/// ARGV: interval µs, burst, need, want. Returns {taken, available after, µs until
/// the bucket is full, µs until `need` tokens are available or -1 if never}.
const TAKE: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local need = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tolerance = burst * interval
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local available = math.floor((tolerance - (tat - now)) / interval)
if available < 0 then available = 0 end
if need <= available then
  local take = math.min(want, available)
  if take > 0 then
    tat = tat + take * interval
    redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
  end
  return {take, available - take, tat - now, -1}
end
local retry = -1
if need <= burst then retry = tat + need * interval - tolerance - now end
return {0, available, tat - now, retry}
";

/// Why a Redis limiter cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedisConfigError {
    #[error(transparent)]
    Quota(#[from] crate::algorithm::QuotaError),
    #[error("on Redis a quota needs at least 1µs between requests ({count} per {period:?} is finer); use a longer period or the in-memory store")]
    TooFine { count: u64, period: Duration },
    #[error("limit name {0:?} must be 1-64 characters of [A-Za-z0-9_.-]")]
    Name(String),
    #[error("a lease batch must be at least 1")]
    Batch,
    #[error("a Redis window needs at least 1ms and limit × milliseconds below 2^53 ({limit} per {window:?})")]
    Window { limit: u64, window: Duration },
}

/// Refuses names that are not 1-64 characters of `[A-Za-z0-9_.-]`.
pub(crate) fn check_name(name: &str) -> Result<(), RedisConfigError> {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    if name.is_empty() || name.len() > 64 || !name.chars().all(valid) {
        return Err(RedisConfigError::Name(name.into()));
    }
    Ok(())
}

/// Connects to one Redis server with short timeouts (1 s to connect, 1 s per reply),
/// reconnecting by itself after failures.
pub async fn connect(url: &str) -> Result<ConnectionManager, StoreError> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(1))
        .set_response_timeout(Duration::from_secs(1))
        .set_number_of_retries(1);
    Ok(ConnectionManager::new_with_config(client, config).await?)
}

/// Connects to a Redis Cluster through any of its nodes.
pub async fn connect_cluster(
    urls: &[String],
) -> Result<redis::cluster_async::ClusterConnection, StoreError> {
    let client = redis::cluster::ClusterClient::builder(urls.to_vec())
        .connection_timeout(Duration::from_secs(1))
        .response_timeout(Duration::from_secs(1))
        .retries(2)
        .build()?;
    Ok(client.get_async_connection().await?)
}

/// Tokens handed out by the script.
#[derive(Debug, Clone, Copy)]
struct Grant {
    taken: u64,
    available: u64,
    reset_us: u64,
    retry_us: Option<u64>,
}

/// GCRA with its state in Redis: every decision is one EVALSHA. The same guarantee
/// as [`crate::Gcra`], with the interval in whole microseconds, across every instance
/// sharing the Redis.
#[derive(Debug, Clone)]
pub struct RedisLimiter<C> {
    conn: C,
    script: Arc<redis::Script>,
    name: Arc<str>,
    interval_us: u64,
    burst: u64,
}

impl<C: ConnectionLike + Clone + Send + Sync> RedisLimiter<C> {
    /// `name` tells limits apart in Redis (part of every key).
    pub fn new(conn: C, name: &str, quota: Quota) -> Result<Self, RedisConfigError> {
        check_name(name)?;
        let gcra = crate::algorithm::Gcra::new(quota)?;
        let interval_us = gcra.interval() / 1_000;
        if interval_us == 0 {
            return Err(RedisConfigError::TooFine {
                count: quota.count,
                period: quota.period,
            });
        }
        Ok(RedisLimiter {
            conn,
            script: Arc::new(redis::Script::new(TAKE)),
            name: name.into(),
            interval_us,
            burst: gcra.burst(),
        })
    }

    /// The Redis key holding `key`'s state.
    pub fn redis_key(&self, key: Key) -> String {
        format!("perfkit:limit:{{{}:{:016x}}}", self.name, key.hash())
    }

    /// Microseconds between two requests at the sustained rate.
    pub fn interval_us(&self) -> u64 {
        self.interval_us
    }

    pub fn burst(&self) -> u64 {
        self.burst
    }

    fn window(&self) -> Duration {
        Duration::from_micros(self.burst * self.interval_us)
    }

    async fn take(&self, key: Key, need: u64, want: u64) -> Result<Grant, StoreError> {
        let mut conn = self.conn.clone();
        let reply: Vec<i64> = self
            .script
            .key(self.redis_key(key))
            .arg(self.interval_us)
            .arg(self.burst)
            .arg(need)
            .arg(want)
            .invoke_async(&mut conn)
            .await?;
        match reply[..] {
            [taken, available, reset, retry]
                if taken >= 0 && available >= 0 && reset >= 0 && retry >= -1 =>
            {
                Ok(Grant {
                    taken: taken as u64,
                    available: available as u64,
                    reset_us: reset as u64,
                    retry_us: u64::try_from(retry).ok(),
                })
            }
            _ => Err(StoreError::Reply(reply)),
        }
    }

    fn decision(&self, grant: &Grant, allowed: bool) -> Decision {
        Decision {
            allowed,
            limit: self.burst,
            window: self.window(),
            remaining: grant.available,
            reset_after: Duration::from_micros(grant.reset_us),
            retry_after: if allowed {
                None
            } else {
                grant.retry_us.map(Duration::from_micros)
            },
        }
    }

    /// Decides one request of `cost` units (one round trip).
    pub async fn check(&self, key: Key, cost: u32) -> Result<Decision, StoreError> {
        let need = u64::from(cost);
        let grant = self.take(key, need, need).await?;
        Ok(self.decision(&grant, grant.taken >= need))
    }
}

impl<C: ConnectionLike + Clone + Send + Sync> Store for RedisLimiter<C> {
    fn check(
        &self,
        key: Key,
        cost: u32,
    ) -> impl std::future::Future<Output = Result<Decision, StoreError>> + Send {
        RedisLimiter::check(self, key, cost)
    }
}

/// One instance's tokens for one key, taken from Redis ahead of use.
#[derive(Debug, Default)]
struct Lease {
    tokens: u64,
    /// Unused tokens are dropped at this time, so none is spent long after it was
    /// granted.
    expires: Nanos,
    /// Redis said no before this time: reject locally without asking again.
    blocked_until: Nanos,
    retry_at: Option<Nanos>,
    /// What Redis had left at the last grant.
    available: u64,
    reset_at: Nanos,
}

const SHARDS: usize = 16;

/// GCRA on Redis with tokens taken in batches: each instance asks Redis for up to
/// `batch` tokens of a key at once and spends them locally, so at most one decision in
/// `batch` makes a round trip, and while Redis says a key is exhausted the instance
/// rejects it locally until the `retry_after` Redis gave.
///
/// Worst-case overshoot: tokens are only ever spent once, but a token may be spent up
/// to `lease_ttl` after Redis granted it. Over any interval of length `e`, the
/// admitted cost across `N` instances is at most
/// `burst + floor(e / interval) + N × (batch − 1)`: the guarantee of [`RedisLimiter`]
/// plus what the instances held unspent when the interval began (each holds fewer
/// than `batch` tokens per key: it asks for more only when it has fewer than the
/// request's cost). Tokens left unspent at `lease_ttl` are dropped (under-admission,
/// never over-admission).
#[derive(Debug)]
pub struct LeasedLimiter<C> {
    remote: RedisLimiter<C>,
    batch: u64,
    lease_ttl: Nanos,
    max_keys: usize,
    clock: SystemClock,
    shards: Vec<Mutex<HashMap<Key, Arc<tokio::sync::Mutex<Lease>>>>>,
}

impl<C: ConnectionLike + Clone + Send + Sync> LeasedLimiter<C> {
    /// `max_keys` bounds the leases held in memory: expired ones are dropped first,
    /// then any not in use (dropping a lease forfeits its tokens: under-admission).
    pub fn new(
        remote: RedisLimiter<C>,
        batch: u64,
        lease_ttl: Duration,
        max_keys: usize,
    ) -> Result<Self, RedisConfigError> {
        if batch == 0 {
            return Err(RedisConfigError::Batch);
        }
        Ok(LeasedLimiter {
            remote,
            batch,
            lease_ttl: nanos(lease_ttl),
            max_keys: max_keys.max(SHARDS),
            clock: SystemClock::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        })
    }

    pub fn remote(&self) -> &RedisLimiter<C> {
        &self.remote
    }

    /// Keys with a lease in memory now.
    pub fn leases(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| match shard.lock() {
                Ok(map) => map.len(),
                Err(poisoned) => poisoned.into_inner().len(),
            })
            .sum()
    }

    /// The worst-case overshoot for `instances` instances sharing one Redis, in units.
    pub fn overshoot(&self, instances: u64) -> u64 {
        instances * (self.batch - 1)
    }

    fn lease(&self, key: Key) -> Arc<tokio::sync::Mutex<Lease>> {
        let shard = &self.shards[(key.hash() >> 60) as usize % SHARDS];
        let mut map = match shard.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        let cap = self.max_keys / SHARDS;
        if map.len() >= cap && !map.contains_key(&key) {
            let now = self.clock.now();
            // Drop leases nobody is using whose tokens have expired anyway.
            map.retain(|_, lease| {
                Arc::strong_count(lease) > 1
                    || lease
                        .try_lock()
                        .map(|lease| lease.expires > now || lease.blocked_until > now)
                        .unwrap_or(true)
            });
            if map.len() >= cap {
                // Still full of live leases: drop the unused ones; their tokens are
                // lost (under-admission), never spent twice.
                map.retain(|_, lease| Arc::strong_count(lease) > 1);
            }
        }
        Arc::clone(map.entry(key).or_default())
    }

    fn local(&self, lease: &Lease, allowed: bool, now: Nanos) -> Decision {
        Decision {
            allowed,
            limit: self.remote.burst,
            window: self.remote.window(),
            remaining: lease.available + lease.tokens,
            reset_after: Duration::from_nanos(lease.reset_at.saturating_sub(now)),
            retry_after: if allowed {
                None
            } else {
                lease
                    .retry_at
                    .map(|at| Duration::from_nanos(at.saturating_sub(now)))
            },
        }
    }

    /// Decides one request of `cost` units; a round trip only when this instance's
    /// tokens for the key are spent.
    pub async fn check(&self, key: Key, cost: u32) -> Result<Decision, StoreError> {
        let need = u64::from(cost);
        let lease = self.lease(key);
        // Held across the round trip: one refill per key at a time, so concurrent
        // callers wait for its tokens instead of each taking a batch.
        let mut lease = lease.lock().await;
        let now = self.clock.now();
        if lease.expires <= now {
            lease.tokens = 0;
        }
        if lease.tokens >= need {
            lease.tokens -= need;
            return Ok(self.local(&lease, true, now));
        }
        if now < lease.blocked_until {
            return Ok(self.local(&lease, false, now));
        }
        let grant = self.remote.take(key, need, self.batch.max(need)).await?;
        let now = self.clock.now();
        lease.available = grant.available;
        lease.reset_at = now + grant.reset_us * 1_000;
        if grant.taken >= need {
            lease.tokens += grant.taken - need;
            lease.expires = now + self.lease_ttl;
            lease.retry_at = None;
            Ok(self.local(&lease, true, now))
        } else {
            lease.retry_at = grant.retry_us.map(|us| now + us * 1_000);
            lease.blocked_until = lease.retry_at.unwrap_or(now);
            Ok(self.local(&lease, false, now))
        }
    }
}

impl<C: ConnectionLike + Clone + Send + Sync> Store for LeasedLimiter<C> {
    fn check(
        &self,
        key: Key,
        cost: u32,
    ) -> impl std::future::Future<Output = Result<Decision, StoreError>> + Send {
        LeasedLimiter::check(self, key, cost)
    }
}
