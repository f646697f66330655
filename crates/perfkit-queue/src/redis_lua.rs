//! The Lua scripts of the Redis backend: every state change is one script, so it is
//! atomic. All keys of a queue share the hash tag `{q:NAME}`, so a queue lives in one
//! Cluster slot. KEYS are always, in order:
//! 1 ready (zset, score = priority band + deadline), 2 delayed (zset by run_at),
//! 3 leased (zset by lease expiry), 4 dead (zset by time), 5 completed (zset by time),
//! 6 unique keys (hash key -> job), 7 idempotency keys (hash), 8 meta (hash: seq,
//! claims, paused), 9 deadlines of pending jobs (zset), 10 notify (list),
//! 11 ready jobs in id order (zset, for starvation protection), 12 cron last ticks (hash).
//! ARGV[1] is the job key prefix, ARGV[2] the current time in ms.
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

pub const PRELUDE: &str = r#"
local JOB = ARGV[1]
local NOW = tonumber(ARGV[2])
local NO_DEADLINE = 4398046511103
local BAND = 4398046511104
local function n(x) return string.format('%.0f', x) end
-- The member itself is the fifo score: Redis reads its zero-padded digits as a number.
local function push_ready(m, pri, dl)
  local d = NO_DEADLINE
  if dl and dl ~= '' then d = math.min(tonumber(dl), NO_DEADLINE) end
  redis.call('ZADD', KEYS[1], n((255 - (tonumber(pri) or 0)) * BAND + d), m)
  redis.call('ZADD', KEYS[11], m, m)
end
local function unready(m)
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZREM', KEYS[11], m)
end
-- One variadic command for many members (`args` flat; chunked below Lua's stack
-- limit): one call per batch instead of one per job.
local function call_many(cmd, key, args)
  for i = 1, #args, 1000 do
    redis.call(cmd, key, unpack(args, i, math.min(i + 999, #args)))
  end
end
-- At most 64 wake-ups are kept; the trim runs only when a push went past that.
local function notify(count)
  local len
  if count == 1 then
    len = redis.call('LPUSH', KEYS[10], '1')
  else
    local ones = {}
    for i = 1, math.min(count, 64) do ones[i] = '1' end
    len = redis.call('LPUSH', KEYS[10], unpack(ones))
  end
  if len > 64 then redis.call('LTRIM', KEYS[10], 0, 63) end
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
  if u and u ~= '' and redis.call('HGET', KEYS[6], u) == m then redis.call('HDEL', KEYS[6], u) end
end
local function clear_unique(jk, m)
  free_unique(redis.call('HGET', jk, 'unique_key'), m)
end
local function to_dead(jk, m)
  unready(m)
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZREM', KEYS[3], m)
  redis.call('ZREM', KEYS[9], m)
  redis.call('ZADD', KEYS[4], n(NOW), m)
  redis.call('HSET', jk, 'state', 'dead', 'finished_at', n(NOW), 'lease_until', '')
  clear_unique(jk, m)
end
local function make_ready(jk, m, run_at)
  local f = redis.call('HMGET', jk, 'priority', 'deadline')
  redis.call('HSET', jk, 'run_at', n(run_at), 'lease_until', '')
  if f[2] and f[2] ~= '' then redis.call('ZADD', KEYS[9], f[2], m) end
  if run_at > NOW then
    redis.call('HSET', jk, 'state', 'delayed')
    redis.call('ZADD', KEYS[2], n(run_at), m)
  else
    redis.call('HSET', jk, 'state', 'ready')
    push_ready(m, f[1], f[2])
  end
end
local function maintain()
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. n(NOW), 'LIMIT', 0, 1000)
  for _, m in ipairs(expired) do
    local jk = JOB .. m
    local f = redis.call('HMGET', jk, 'attempts', 'spec')
    add_error(jk, f[1], 'lease expired: the worker stopped renewing it')
    if (tonumber(f[1]) or 0) >= cjson.decode(f[2]).max_attempts then
      to_dead(jk, m)
    else
      redis.call('ZREM', KEYS[3], m)
      make_ready(jk, m, NOW)
    end
  end
  local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', n(NOW), 'LIMIT', 0, 1000)
  for _, m in ipairs(due) do
    local jk = JOB .. m
    local f = redis.call('HMGET', jk, 'priority', 'deadline')
    redis.call('ZREM', KEYS[2], m)
    redis.call('HSET', jk, 'state', 'ready')
    push_ready(m, f[1], f[2])
  end
  local late = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', '(' .. n(NOW), 'LIMIT', 0, 1000)
  for _, m in ipairs(late) do
    local jk = JOB .. m
    add_error(jk, redis.call('HGET', jk, 'attempts'), 'deadline passed before the job could start')
    to_dead(jk, m)
  end
  if #expired > 0 or #due > 0 then notify(#expired + #due) end
end
local function pending(state)
  return state == 'ready' or state == 'delayed' or state == 'leased'
end
-- Stores one job from ARGV[i..i+7]: spec, payload, priority ('' for 0), run_at
-- ('' for now), deadline, unique key, idempotency key ('' for none), and its score
-- in the ready set (the client computes what push_ready would, as decimal digits).
-- Returns member, duplicate flag.
local function enqueue_one(i)
  local spec, payload, pri, run_at, deadline, uniq, idem, score = unpack(ARGV, i, i + 7)
  if idem ~= '' then
    local m = redis.call('HGET', KEYS[7], idem)
    if m and redis.call('EXISTS', JOB .. m) == 1 then return m, 1 end
  end
  if uniq ~= '' then
    local m = redis.call('HGET', KEYS[6], uniq)
    if m and pending(redis.call('HGET', JOB .. m, 'state')) then return m, 1 end
  end
  local m = string.format('%016d', redis.call('HINCRBY', KEYS[8], 'seq', 1))
  local jk = JOB .. m
  local delayed = run_at ~= '' and tonumber(run_at) > NOW
  local state = delayed and 'delayed' or 'ready'
  -- Written whole at once, empty fields left out, then indexed.
  if pri == '' and run_at == '' and deadline == '' and uniq == '' and idem == '' then
    redis.call('HSET', jk, 'payload', payload, 'spec', spec, 'state', state)
  else
    local f = {jk, 'payload', payload, 'spec', spec, 'state', state}
    for _, kv in ipairs({{'priority', pri}, {'run_at', run_at}, {'deadline', deadline},
        {'unique_key', uniq}, {'idem_key', idem}}) do
      if kv[2] ~= '' then
        f[#f + 1] = kv[1]
        f[#f + 1] = kv[2]
      end
    end
    redis.call('HSET', unpack(f))
    if uniq ~= '' then redis.call('HSET', KEYS[6], uniq, m) end
    if idem ~= '' then redis.call('HSET', KEYS[7], idem, m) end
    if deadline ~= '' then redis.call('ZADD', KEYS[9], deadline, m) end
  end
  if delayed then
    redis.call('ZADD', KEYS[2], run_at, m)
  else
    redis.call('ZADD', KEYS[1], score, m)
    redis.call('ZADD', KEYS[11], m, m)
  end
  return m, 0
end
local function lease_held(jk, attempt)
  local f = redis.call('HMGET', jk, 'state', 'attempts')
  return f[1] == 'leased' and f[2] == attempt
end
local function remove_job(jk, m)
  local idem = redis.call('HGET', jk, 'idem_key')
  if idem and idem ~= '' and redis.call('HGET', KEYS[7], idem) == m then
    redis.call('HDEL', KEYS[7], idem)
  end
  clear_unique(jk, m)
  redis.call('DEL', jk)
end
local function complete(m, attempt)
  local jk = JOB .. m
  -- lease_held and the unique key in one read.
  local f = redis.call('HMGET', jk, 'state', 'attempts', 'unique_key')
  if not (f[1] == 'leased' and f[2] == attempt) then return 0 end
  redis.call('ZREM', KEYS[3], m)
  redis.call('ZADD', KEYS[5], n(NOW), m)
  redis.call('HSET', jk, 'state', 'completed', 'finished_at', n(NOW), 'lease_until', '')
  free_unique(f[3], m)
  return 1
end
-- Leases up to max ready jobs (see Backend::claim); returns HGETALL of each, plus
-- its id (`id`, member).
local function claim(max, lease_ms, fair)
  maintain()
  if redis.call('HGET', KEYS[8], 'paused') == '1' or max <= 0 then return {} end
  local claims = redis.call('HINCRBY', KEYS[8], 'claims', 1)
  local picked = {}
  if claims % fair == 0 then
    local oldest = redis.call('ZRANGE', KEYS[11], 0, 0)
    if oldest[1] then
      redis.call('ZREM', KEYS[1], oldest[1])
      table.insert(picked, oldest[1])
    end
  end
  if max - #picked > 0 then
    -- The head of the ready order, taken off in one command (ZRANGE 0 k-1 order).
    local popped = redis.call('ZPOPMIN', KEYS[1], max - #picked)
    for i = 1, #popped, 2 do table.insert(picked, popped[i]) end
  end
  if #picked == 0 then return {} end
  -- Set-wide bookkeeping once per batch, not once per job.
  call_many('ZREM', KEYS[11], picked)
  call_many('ZREM', KEYS[9], picked)
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
  call_many('ZADD', KEYS[3], leases)
  return out
end
-- Dead members chosen by ARGV[sel], ARGV[sel+1..]: 'all', 'ids' id..., 'tag' tag.
local function select_dead(sel)
  local mode = ARGV[sel]
  local chosen = {}
  if mode == 'ids' then
    for i = sel + 1, #ARGV do
      local m = string.format('%016d', tonumber(ARGV[i]))
      if redis.call('ZSCORE', KEYS[4], m) then table.insert(chosen, m) end
    end
  else
    local all = redis.call('ZRANGE', KEYS[4], 0, -1)
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

/// ARGV[3..]: eight per job (see enqueue_one). Returns member, duplicate, ...
pub const ENQUEUE: &str = r#"
local out = {}
local added = 0
for i = 3, #ARGV, 8 do
  local m, dup = enqueue_one(i)
  table.insert(out, m)
  table.insert(out, dup)
  if dup == 0 then added = added + 1 end
end
if added > 0 then notify(added) end
return out
"#;

/// ARGV[3] max, ARGV[4] lease ms, ARGV[5] fair-every. Returns HGETALL (+ id) of each job.
pub const CLAIM: &str = r#"
return claim(tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
"#;

/// ARGV[3] member, ARGV[4] attempt, then as CLAIM from ARGV[5]. Returns
/// {1 or 0 (acked), {HGETALL of each newly leased job}}.
pub const COMPLETE_CLAIM: &str = r#"
local done = complete(ARGV[3], ARGV[4])
return {done, claim(tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))}
"#;

/// ARGV[3] member, ARGV[4] attempt, ARGV[5] lease ms.
pub const HEARTBEAT: &str = r#"
local jk = JOB .. ARGV[3]
if not lease_held(jk, ARGV[4]) then return 0 end
local until_ = n(NOW + tonumber(ARGV[5]))
redis.call('HSET', jk, 'lease_until', until_)
redis.call('ZADD', KEYS[3], until_, ARGV[3])
return 1
"#;

/// ARGV[3] member, ARGV[4] attempt.
pub const COMPLETE: &str = r#"
return complete(ARGV[3], ARGV[4])
"#;

/// ARGV[3] member, ARGV[4] attempt, ARGV[5] error, ARGV[6] retry-at ms or ''.
pub const FAIL: &str = r#"
local m = ARGV[3]
local jk = JOB .. m
if not lease_held(jk, ARGV[4]) then return false end
redis.call('ZREM', KEYS[3], m)
add_error(jk, ARGV[4], ARGV[5])
if ARGV[6] == '' then
  to_dead(jk, m)
  return 'dead'
end
local at = tonumber(ARGV[6])
make_ready(jk, m, at)
if at <= NOW then notify(1) end
return 'retry'
"#;

/// ARGV[3] member, ARGV[4] attempt.
pub const RELEASE: &str = r#"
local m = ARGV[3]
local jk = JOB .. m
if not lease_held(jk, ARGV[4]) then return 0 end
redis.call('ZREM', KEYS[3], m)
redis.call('HINCRBY', jk, 'attempts', -1)
make_ready(jk, m, NOW)
notify(1)
return 1
"#;

/// Returns ready, delayed, leased, completed, dead, paused.
pub const STATS: &str = r#"
maintain()
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]),
  redis.call('ZCARD', KEYS[5]), redis.call('ZCARD', KEYS[4]),
  redis.call('HGET', KEYS[8], 'paused') == '1' and 1 or 0}
"#;

/// ARGV[3..] selection.
pub const DEAD_RETRY: &str = r#"
local count = 0
for _, m in ipairs(select_dead(3)) do
  local jk = JOB .. m
  local u = redis.call('HGET', jk, 'unique_key')
  local holder = nil
  if u and u ~= '' then holder = redis.call('HGET', KEYS[6], u) end
  local blocked = holder and holder ~= m and pending(redis.call('HGET', JOB .. holder, 'state'))
  if not blocked then
    redis.call('ZREM', KEYS[4], m)
    redis.call('HSET', jk, 'attempts', 0, 'finished_at', '', 'deadline', '')
    if u and u ~= '' then redis.call('HSET', KEYS[6], u, m) end
    make_ready(jk, m, NOW)
    count = count + 1
  end
end
if count > 0 then notify(count) end
return count
"#;

/// ARGV[3..] selection.
pub const DEAD_PURGE: &str = r#"
local chosen = select_dead(3)
for _, m in ipairs(chosen) do
  redis.call('ZREM', KEYS[4], m)
  remove_job(JOB .. m, m)
end
return #chosen
"#;

/// ARGV[3] '1' or '0'.
pub const SET_PAUSED: &str = r#"
redis.call('HSET', KEYS[8], 'paused', ARGV[3])
if ARGV[3] == '0' then notify(64) end
return 1
"#;

/// ARGV[3] keep completed, ARGV[4] keep dead, ARGV[5] max age ms.
pub const RETAIN: &str = r#"
local removed = 0
local oldest = NOW - tonumber(ARGV[5])
for _, pair in ipairs({{KEYS[5], tonumber(ARGV[3])}, {KEYS[4], tonumber(ARGV[4])}}) do
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

/// ARGV[3] schedule, ARGV[4] tick, ARGV[5..12] the job (see enqueue_one).
pub const CRON_FIRE: &str = r#"
local last = tonumber(redis.call('HGET', KEYS[12], ARGV[3]) or '-1')
local tick = tonumber(ARGV[4])
if tick <= last then return false end
redis.call('HSET', KEYS[12], ARGV[3], ARGV[4])
local m, dup = enqueue_one(5)
if dup == 0 then notify(1) end
return m
"#;
