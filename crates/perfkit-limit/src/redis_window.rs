//! Fixed- and sliding-window counters on Redis ([`RedisWindowLimiter`]): one round trip
//! per decision, the same rules as [`crate::FixedWindow`] and [`crate::SlidingWindow`]
//! with windows in whole milliseconds.
//!
//! Each key is one Redis hash `perfkit:limit:w:{NAME:HASH}` (fields `w` window index,
//! `p` previous count, `c` current count): the braces are a Cluster hash tag, so the
//! script touches one slot. The script reads the time from Redis (`TIME`), so the
//! instances' clocks do not matter; a window index behind the stored one (Redis's
//! clock stepped back) counts against the stored window. Keys expire two windows
//! after their last admission.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionLike;

use crate::decision::Decision;
use crate::key::Key;
use crate::redis_store::RedisConfigError;
use crate::store::{Store, StoreError};

/// ARGV: limit, window ms, cost, sliding (1/0). Returns {allowed 1/0, remaining, ms
/// until the window ends, ms until `cost` would be admitted or -1 if never}.
const WINDOW: &str = r"
if redis.replicate_commands then pcall(redis.replicate_commands) end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local sliding = ARGV[4] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local index = math.floor(now / window)
local offset = now - index * window
local state = redis.call('HMGET', KEYS[1], 'w', 'p', 'c')
local stored = tonumber(state[1])
local prev = tonumber(state[2]) or 0
local cur = tonumber(state[3]) or 0
if stored == nil then
  prev = 0
  cur = 0
elseif stored == index - 1 then
  prev = cur
  cur = 0
elseif stored > index then
  index = stored
  offset = 0
elseif stored ~= index then
  prev = 0
  cur = 0
end
if not sliding then prev = 0 end
local start = index * window
local function remaining(c)
  local r = math.floor(((limit - c) * window - prev * (window - offset)) / window)
  if r < 0 then r = 0 end
  return r
end
local function fits(room)
  return room >= 0 and prev * (window - offset) <= room * window
end
if cur + cost <= limit and fits(limit - cur - cost) then
  cur = cur + cost
  redis.call('HSET', KEYS[1], 'w', index, 'p', prev, 'c', cur)
  redis.call('PEXPIRE', KEYS[1], 2 * window + 1)
  return {1, remaining(cur), start + window - now, -1}
end
local function first_fit(p, room)
  if p == 0 then return 0 end
  local covered = math.floor(room * window / p)
  if covered > window then covered = window end
  return window - covered
end
local retry = -1
if cost <= limit then
  if not sliding then
    retry = start + window - now
  else
    if cur + cost <= limit then
      local first = first_fit(prev, limit - cur - cost)
      if first < window then retry = start + first - now end
    end
    if retry < 0 then
      local first = first_fit(cur, limit - cost)
      if first >= window then first = window end
      retry = start + window + first - now
    end
  end
end
return {0, remaining(cur), start + window - now, retry}
";

/// Which window rule a [`RedisWindowLimiter`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// At most `limit` per window aligned to Redis's clock.
    Fixed,
    /// The previous window's count weighted by its overlap, plus the current one.
    Sliding,
}

/// A fixed or sliding window whose counters live in Redis, shared by every instance.
#[derive(Debug, Clone)]
pub struct RedisWindowLimiter<C> {
    conn: C,
    script: Arc<redis::Script>,
    name: Arc<str>,
    kind: WindowKind,
    limit: u64,
    window_ms: u64,
}

impl<C: ConnectionLike + Clone + Send + Sync> RedisWindowLimiter<C> {
    /// `limit` per `window` (at least 1 ms; whole milliseconds are used); `name`
    /// tells limits apart in Redis.
    pub fn new(
        conn: C,
        name: &str,
        kind: WindowKind,
        limit: u64,
        window: Duration,
    ) -> Result<Self, RedisConfigError> {
        crate::redis_store::check_name(name)?;
        if limit == 0 {
            return Err(crate::algorithm::QuotaError::ZeroCount.into());
        }
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        // The script's arithmetic is exact while limit × window stays below 2^53.
        if window_ms == 0 || u128::from(limit) * u128::from(window_ms) >= 1 << 53 {
            return Err(RedisConfigError::Window { limit, window });
        }
        Ok(RedisWindowLimiter {
            conn,
            script: Arc::new(redis::Script::new(WINDOW)),
            name: name.into(),
            kind,
            limit,
            window_ms,
        })
    }

    /// The Redis key holding `key`'s counters.
    pub fn redis_key(&self, key: Key) -> String {
        format!("perfkit:limit:w:{{{}:{:016x}}}", self.name, key.hash())
    }

    /// Decides one request of `cost` units (one round trip).
    pub async fn check(&self, key: Key, cost: u32) -> Result<Decision, StoreError> {
        let mut conn = self.conn.clone();
        let reply: Vec<i64> = self
            .script
            .key(self.redis_key(key))
            .arg(self.limit)
            .arg(self.window_ms)
            .arg(cost)
            .arg(u8::from(self.kind == WindowKind::Sliding))
            .invoke_async(&mut conn)
            .await?;
        match reply[..] {
            [allowed @ (0 | 1), remaining, reset, retry]
                if remaining >= 0 && reset >= 0 && retry >= -1 =>
            {
                Ok(Decision {
                    allowed: allowed == 1,
                    limit: self.limit,
                    window: Duration::from_millis(self.window_ms),
                    remaining: remaining as u64,
                    reset_after: Duration::from_millis(reset as u64),
                    retry_after: u64::try_from(retry).ok().map(Duration::from_millis),
                })
            }
            _ => Err(StoreError::Reply(reply)),
        }
    }
}

impl<C: ConnectionLike + Clone + Send + Sync> Store for RedisWindowLimiter<C> {
    fn check(
        &self,
        key: Key,
        cost: u32,
    ) -> impl std::future::Future<Output = Result<Decision, StoreError>> + Send {
        RedisWindowLimiter::check(self, key, cost)
    }
}
