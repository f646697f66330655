//! The Lua scripts of the Redis backend: every state change is one script, so it is
//! atomic. All keys of a queue share the hash tag `{q:NAME}`, so a queue lives in one
//! Cluster slot. KEYS[1] is that tag, the one key a script is given (a Cluster
//! routes the script by it); CORE names the queue's keys after it, `K[i]` being
//! `{q:NAME}:` + the i-th of:
//! 1 ready (zset, score = priority band + deadline), 2 delayed (zset by run_at),
//! 3 leased (zset by lease expiry), 4 dead (zset by time), 5 completed (zset by time),
//! 6 unique keys (hash key -> job), 7 idempotency keys (hash), 8 meta (hash: seq,
//! claims, paused), 9 deadlines of pending jobs (zset), 10 notify (list),
//! 11 ready jobs in id order (zset, for starvation protection), 12 cron last ticks (hash).
//! Jobs are hashes at `{q:NAME}:job:` + member. ARGV[1] is the current time in ms.
//! Numbers passed to `redis.call` are strings where they are constants: a Lua
//! number is formatted through `printf` on every call.
//! Job members are ids zero-padded to 16 digits, so equal scores order by id.
//!
//! A job is a hash (key: prefix + member) whose fields are written only when they
//! mean something, so enqueueing a plain job writes three: `payload`, `state` and
//! `spec` (the settings that never change after the enqueue, as JSON the client
//! builds and decodes: created_at, max_attempts, backoff, timeout_ms, tags; the
//! scripts decode it only to read max_attempts on a lease expiry and tags for a
//! dead-letter selection). Optional fields: `priority` (absent: 0), `run_at`
//! (absent: created_at), `deadline`, `unique_key`, `idem_key`, and the ones later
//! transitions write: `attempts`, `errors`, `started_at`, `finished_at`,
//! `lease_until`. The job's id and queue are its key, not fields.

/// The start of every script: the queue's keys, the time, and what an enqueue needs
/// (the enqueue script is CORE and its body only: fewer closures to create per call).
pub const CORE: &str = r#"
local Q = KEYS[1]
local JOB = Q .. ':job:'
local NOW = tonumber(ARGV[1])
-- The queue's keys by number (see the module's documentation), each built on first use.
local NAMES = {'ready', 'delayed', 'leased', 'dead', 'completed', 'unique', 'idem', 'meta',
  'deadlines', 'notify', 'fifo', 'cron'}
local K = setmetatable({}, {__index = function(t, i)
  local k = Q .. ':' .. NAMES[i]
  rawset(t, i, k)
  return k
end})
-- At most 64 wake-ups are kept: a full list (no worker waiting) costs one LLEN.
local function notify(count)
  local room = 64 - redis.call('LLEN', K[10])
  if count > room then count = room end
  if count == 1 then
    redis.call('LPUSH', K[10], '1')
  elseif count > 1 then
    local ones = {}
    for i = 1, count do ones[i] = '1' end
    redis.call('LPUSH', K[10], unpack(ones))
  end
end
local function pending(state)
  return state == 'ready' or state == 'delayed' or state == 'leased'
end
-- The ready-set score of a job with priority 0 and no deadline (push_ready's
-- (255 - 0) * BAND + NO_DEADLINE).
local PLAIN_SCORE = '1125899906842623'
-- Stores one job from ARGV[i..i+2]: spec, payload, and '' for a plain job (priority
-- 0, ready now, no deadline, no unique or idempotency key) or else a JSON object of
-- strings: priority, run_at, deadline, unique_key, idem_key (each when used) and
-- score (its ready-set score as push_ready computes it). Returns member, duplicate.
local function enqueue_one(i)
  local spec, payload, extras = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if extras == '' then
    local m = string.format('%016d', redis.call('HINCRBY', K[8], 'seq', '1'))
    redis.call('HSET', JOB .. m, 'payload', payload, 'spec', spec, 'state', 'ready')
    redis.call('ZADD', K[1], PLAIN_SCORE, m)
    redis.call('ZADD', K[11], m, m)
    return m, 0
  end
  local x = cjson.decode(extras)
  if x.idem_key then
    local m = redis.call('HGET', K[7], x.idem_key)
    if m and redis.call('EXISTS', JOB .. m) == 1 then return m, 1 end
  end
  if x.unique_key then
    local m = redis.call('HGET', K[6], x.unique_key)
    if m and pending(redis.call('HGET', JOB .. m, 'state')) then return m, 1 end
  end
  local m = string.format('%016d', redis.call('HINCRBY', K[8], 'seq', '1'))
  local delayed = x.run_at and tonumber(x.run_at) > NOW
  -- Written whole at once, unused fields left out, then indexed.
  local f = {JOB .. m, 'payload', payload, 'spec', spec, 'state', delayed and 'delayed' or 'ready'}
  for _, name in ipairs({'priority', 'run_at', 'deadline', 'unique_key', 'idem_key'}) do
    if x[name] then
      f[#f + 1] = name
      f[#f + 1] = x[name]
    end
  end
  redis.call('HSET', unpack(f))
  if x.unique_key then redis.call('HSET', K[6], x.unique_key, m) end
  if x.idem_key then redis.call('HSET', K[7], x.idem_key, m) end
  if x.deadline then redis.call('ZADD', K[9], x.deadline, m) end
  if delayed then
    redis.call('ZADD', K[2], x.run_at, m)
  else
    redis.call('ZADD', K[1], x.score, m)
    redis.call('ZADD', K[11], m, m)
  end
  return m, 0
end
"#;

/// The functions every other script shares (after CORE).
pub const PRELUDE: &str = r#"
local NO_DEADLINE = 4398046511103
local BAND = 4398046511104
local function n(x) return string.format('%.0f', x) end
-- The member itself is the fifo score: Redis reads its zero-padded digits as a number.
local function push_ready(m, pri, dl)
  local d = NO_DEADLINE
  if dl and dl ~= '' then d = math.min(tonumber(dl), NO_DEADLINE) end
  redis.call('ZADD', K[1], n((255 - (tonumber(pri) or 0)) * BAND + d), m)
  redis.call('ZADD', K[11], m, m)
end
local function unready(m)
  redis.call('ZREM', K[1], m)
  redis.call('ZREM', K[11], m)
end
-- One variadic command for many members (`args` flat; chunked below Lua's stack
-- limit): one call per batch instead of one per job.
local function call_many(cmd, key, args)
  for i = 1, #args, 1000 do
    redis.call(cmd, key, unpack(args, i, math.min(i + 999, #args)))
  end
end
local function add_error(jk, attempt, msg)
  local raw = redis.call('HGET', jk, 'errors')
  local errs = {}
  if raw and raw ~= '' and raw ~= '[]' and raw ~= '{}' then errs = cjson.decode(raw) end
  table.insert(errs, {attempt = tonumber(attempt) or 0, at = NOW, message = msg})
  redis.call('HSET', jk, 'errors', cjson.encode(errs))
end
-- Frees unique key `u` (the job's `unique_key` field) if it still points at job m.
local function free_unique(u, m)
  if u and u ~= '' and redis.call('HGET', K[6], u) == m then redis.call('HDEL', K[6], u) end
end
local function clear_unique(jk, m)
  free_unique(redis.call('HGET', jk, 'unique_key'), m)
end
local function to_dead(jk, m)
  unready(m)
  redis.call('ZREM', K[2], m)
  redis.call('ZREM', K[3], m)
  redis.call('ZREM', K[9], m)
  redis.call('ZADD', K[4], n(NOW), m)
  redis.call('HSET', jk, 'state', 'dead', 'finished_at', n(NOW), 'lease_until', '')
  clear_unique(jk, m)
end
local function make_ready(jk, m, run_at)
  local f = redis.call('HMGET', jk, 'priority', 'deadline')
  redis.call('HSET', jk, 'run_at', n(run_at), 'lease_until', '')
  if f[2] and f[2] ~= '' then redis.call('ZADD', K[9], f[2], m) end
  if run_at > NOW then
    redis.call('HSET', jk, 'state', 'delayed')
    redis.call('ZADD', K[2], n(run_at), m)
  else
    redis.call('HSET', jk, 'state', 'ready')
    push_ready(m, f[1], f[2])
  end
end
local function maintain()
  local expired = redis.call('ZRANGEBYSCORE', K[3], '-inf', '(' .. n(NOW), 'LIMIT', 0, 1000)
  for _, m in ipairs(expired) do
    local jk = JOB .. m
    local f = redis.call('HMGET', jk, 'attempts', 'spec')
    add_error(jk, f[1], 'lease expired: the worker stopped renewing it')
    if (tonumber(f[1]) or 0) >= cjson.decode(f[2]).max_attempts then
      to_dead(jk, m)
    else
      redis.call('ZREM', K[3], m)
      make_ready(jk, m, NOW)
    end
  end
  local due = redis.call('ZRANGEBYSCORE', K[2], '-inf', n(NOW), 'LIMIT', 0, 1000)
  for _, m in ipairs(due) do
    local jk = JOB .. m
    local f = redis.call('HMGET', jk, 'priority', 'deadline')
    redis.call('ZREM', K[2], m)
    redis.call('HSET', jk, 'state', 'ready')
    push_ready(m, f[1], f[2])
  end
  local late = redis.call('ZRANGEBYSCORE', K[9], '-inf', '(' .. n(NOW), 'LIMIT', 0, 1000)
  for _, m in ipairs(late) do
    local jk = JOB .. m
    add_error(jk, redis.call('HGET', jk, 'attempts'), 'deadline passed before the job could start')
    to_dead(jk, m)
  end
  if #expired > 0 or #due > 0 then notify(#expired + #due) end
end
local function lease_held(jk, attempt)
  local f = redis.call('HMGET', jk, 'state', 'attempts')
  return f[1] == 'leased' and f[2] == attempt
end
local function remove_job(jk, m)
  local idem = redis.call('HGET', jk, 'idem_key')
  if idem and idem ~= '' and redis.call('HGET', K[7], idem) == m then
    redis.call('HDEL', K[7], idem)
  end
  clear_unique(jk, m)
  redis.call('DEL', jk)
end
local function complete(m, attempt)
  local jk = JOB .. m
  -- lease_held and the unique key in one read.
  local f = redis.call('HMGET', jk, 'state', 'attempts', 'unique_key')
  if not (f[1] == 'leased' and f[2] == attempt) then return 0 end
  redis.call('ZREM', K[3], m)
  redis.call('ZADD', K[5], n(NOW), m)
  redis.call('HSET', jk, 'state', 'completed', 'finished_at', n(NOW), 'lease_until', '')
  free_unique(f[3], m)
  return 1
end
-- Leases up to max ready jobs (see Backend::claim); returns HGETALL of each, plus
-- its id (`id`, member).
local function claim(max, lease_ms, fair)
  maintain()
  if redis.call('HGET', K[8], 'paused') == '1' or max <= 0 then return {} end
  local claims = redis.call('HINCRBY', K[8], 'claims', '1')
  local picked = {}
  if claims % fair == 0 then
    local oldest = redis.call('ZRANGE', K[11], 0, 0)
    if oldest[1] then
      redis.call('ZREM', K[1], oldest[1])
      table.insert(picked, oldest[1])
    end
  end
  if max - #picked > 0 then
    -- The head of the ready order, taken off in one command (ZRANGE 0 k-1 order).
    local popped = redis.call('ZPOPMIN', K[1], max - #picked)
    for i = 1, #popped, 2 do table.insert(picked, popped[i]) end
  end
  if #picked == 0 then return {} end
  -- Set-wide bookkeeping once per batch, not once per job.
  call_many('ZREM', K[11], picked)
  call_many('ZREM', K[9], picked)
  local until_ = n(NOW + lease_ms)
  local leases = {}
  local out = {}
  for _, m in ipairs(picked) do
    local jk = JOB .. m
    local f = redis.call('HMGET', jk, 'attempts', 'started_at')
    local started = f[2]
    if not started or started == '' then started = n(NOW) end
    redis.call('HSET', jk, 'attempts', n((tonumber(f[1]) or 0) + 1), 'state', 'leased',
      'lease_until', until_, 'started_at', started)
    table.insert(leases, until_)
    table.insert(leases, m)
    local h = redis.call('HGETALL', jk)
    h[#h + 1] = 'id'
    h[#h + 1] = m
    table.insert(out, h)
  end
  call_many('ZADD', K[3], leases)
  return out
end
-- Dead members chosen by ARGV[sel], ARGV[sel+1..]: 'all', 'ids' id..., 'tag' tag.
local function select_dead(sel)
  local mode = ARGV[sel]
  local chosen = {}
  if mode == 'ids' then
    for i = sel + 1, #ARGV do
      local m = string.format('%016d', tonumber(ARGV[i]))
      if redis.call('ZSCORE', K[4], m) then table.insert(chosen, m) end
    end
  else
    local all = redis.call('ZRANGE', K[4], 0, -1)
    for _, m in ipairs(all) do
      if mode == 'all' then
        table.insert(chosen, m)
      else
        local spec = redis.call('HGET', JOB .. m, 'spec')
        local tags = spec and cjson.decode(spec).tags or {}
        for _, t in ipairs(tags) do
          if t == ARGV[sel + 1] then table.insert(chosen, m) break end
        end
      end
    end
  end
  return chosen
end
"#;

/// ARGV[2..]: three per job (see enqueue_one). Returns member, duplicate, ...
pub const ENQUEUE: &str = r#"
local out = {}
local added = 0
for i = 2, #ARGV, 3 do
  local m, dup = enqueue_one(i)
  table.insert(out, m)
  table.insert(out, dup)
  if dup == 0 then added = added + 1 end
end
if added > 0 then notify(added) end
return out
"#;

/// ARGV[2] max, ARGV[3] lease ms, ARGV[4] fair-every. Returns HGETALL (+ id) of each job.
pub const CLAIM: &str = r#"
return claim(tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
"#;

/// ARGV[2] member, ARGV[3] attempt, then as CLAIM from ARGV[4]. Returns
/// {1 or 0 (acked), {HGETALL of each newly leased job}}.
pub const COMPLETE_CLAIM: &str = r#"
local done = complete(ARGV[2], ARGV[3])
return {done, claim(tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))}
"#;

/// ARGV[2] member, ARGV[3] attempt, ARGV[4] lease ms.
pub const HEARTBEAT: &str = r#"
local jk = JOB .. ARGV[2]
if not lease_held(jk, ARGV[3]) then return 0 end
local until_ = n(NOW + tonumber(ARGV[4]))
redis.call('HSET', jk, 'lease_until', until_)
redis.call('ZADD', K[3], until_, ARGV[2])
return 1
"#;

/// ARGV[2] member, ARGV[3] attempt.
pub const COMPLETE: &str = r#"
return complete(ARGV[2], ARGV[3])
"#;

/// ARGV[2] member, ARGV[3] attempt, ARGV[4] error, ARGV[5] retry-at ms or ''.
pub const FAIL: &str = r#"
local m = ARGV[2]
local jk = JOB .. m
if not lease_held(jk, ARGV[3]) then return false end
redis.call('ZREM', K[3], m)
add_error(jk, ARGV[3], ARGV[4])
if ARGV[5] == '' then
  to_dead(jk, m)
  return 'dead'
end
local at = tonumber(ARGV[5])
make_ready(jk, m, at)
if at <= NOW then notify(1) end
return 'retry'
"#;

/// ARGV[2] member, ARGV[3] attempt.
pub const RELEASE: &str = r#"
local m = ARGV[2]
local jk = JOB .. m
if not lease_held(jk, ARGV[3]) then return 0 end
redis.call('ZREM', K[3], m)
redis.call('HINCRBY', jk, 'attempts', -1)
make_ready(jk, m, NOW)
notify(1)
return 1
"#;

/// Returns ready, delayed, leased, completed, dead, paused.
pub const STATS: &str = r#"
maintain()
return {redis.call('ZCARD', K[1]), redis.call('ZCARD', K[2]), redis.call('ZCARD', K[3]),
  redis.call('ZCARD', K[5]), redis.call('ZCARD', K[4]),
  redis.call('HGET', K[8], 'paused') == '1' and 1 or 0}
"#;

/// ARGV[2..] selection.
pub const DEAD_RETRY: &str = r#"
local count = 0
for _, m in ipairs(select_dead(2)) do
  local jk = JOB .. m
  local u = redis.call('HGET', jk, 'unique_key')
  local holder = nil
  if u and u ~= '' then holder = redis.call('HGET', K[6], u) end
  local blocked = holder and holder ~= m and pending(redis.call('HGET', JOB .. holder, 'state'))
  if not blocked then
    redis.call('ZREM', K[4], m)
    redis.call('HSET', jk, 'attempts', 0, 'finished_at', '', 'deadline', '')
    if u and u ~= '' then redis.call('HSET', K[6], u, m) end
    make_ready(jk, m, NOW)
    count = count + 1
  end
end
if count > 0 then notify(count) end
return count
"#;

/// ARGV[2..] selection.
pub const DEAD_PURGE: &str = r#"
local chosen = select_dead(2)
for _, m in ipairs(chosen) do
  redis.call('ZREM', K[4], m)
  remove_job(JOB .. m, m)
end
return #chosen
"#;

/// ARGV[2] '1' or '0'.
pub const SET_PAUSED: &str = r#"
redis.call('HSET', K[8], 'paused', ARGV[2])
if ARGV[2] == '0' then notify(64) end
return 1
"#;

/// ARGV[2] keep completed, ARGV[3] keep dead, ARGV[4] max age ms.
pub const RETAIN: &str = r#"
local removed = 0
local oldest = NOW - tonumber(ARGV[4])
for _, pair in ipairs({{K[5], tonumber(ARGV[2])}, {K[4], tonumber(ARGV[3])}}) do
  local z, keep = pair[1], pair[2]
  local old = redis.call('ZRANGEBYSCORE', z, '-inf', '(' .. n(oldest), 'LIMIT', 0, 10000)
  for _, m in ipairs(old) do
    redis.call('ZREM', z, m)
    remove_job(JOB .. m, m)
    removed = removed + 1
  end
  local extra = redis.call('ZCARD', z) - keep
  if extra > 0 then
    if extra > 10000 then extra = 10000 end
    local gone = redis.call('ZRANGE', z, 0, extra - 1)
    for _, m in ipairs(gone) do
      redis.call('ZREM', z, m)
      remove_job(JOB .. m, m)
      removed = removed + 1
    end
  end
end
return removed
"#;

/// ARGV[2] schedule, ARGV[3] tick, ARGV[4..6] the job (see enqueue_one).
pub const CRON_FIRE: &str = r#"
local last = tonumber(redis.call('HGET', K[12], ARGV[2]) or '-1')
local tick = tonumber(ARGV[3])
if tick <= last then return false end
redis.call('HSET', K[12], ARGV[2], ARGV[3])
local m, dup = enqueue_one(4)
if dup == 0 then notify(1) end
return m
"#;
