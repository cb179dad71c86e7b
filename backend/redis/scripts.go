package redis

import goredis "github.com/redis/go-redis/v9"

// Lua scripts, run with EVALSHA and, when the server has not cached them
// (after a restart or SCRIPT FLUSH), EVAL (goredis.Script.Run). Each
// touches only keys of one cluster slot: a session key and its companion
// hash (whose name carries a hash tag of the session key's slot), or one
// owner index.

// Script replies: the status of a write.
const (
	statusMissing = 0 // no live record
	statusRefused = 1 // a live record exists (nx), or it changed (cas)
	statusWritten = 2
)

// writeScript writes a session, conditionally, and its companion hash when
// there is one.
//
// KEYS[1] the session key; KEYS[2], when the owner index is on, the
// companion hash. ARGV: mode ("nx": create, "xx": update, "cas": update if
// unchanged), the value, the TTL in seconds (0 or less: delete, as
// connect-redis does), the SHA-1 (hex) the current value must have (cas),
// the owner the hash must hold (cas), the owner to store, the creation
// time in Unix ms to store ("" keeps the stored one).
//
// It returns {status, the owner stored before (false for none)}.
var writeScript = goredis.NewScript(`
local mode, ttl, meta = ARGV[1], tonumber(ARGV[3]), KEYS[2]
local prev = false
if meta then prev = redis.call('HGET', meta, 'owner') end
if mode == 'cas' then
  local cur = redis.call('GET', KEYS[1])
  if not cur then return {0} end
  if redis.sha1hex(cur) ~= ARGV[4] or (meta and (prev or '') ~= ARGV[5]) then return {1} end
end
if ttl <= 0 then
  if mode == 'nx' then
    if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
    return {2}
  end
  if redis.call('DEL', KEYS[1]) == 0 then return {0} end
  if meta then redis.call('DEL', meta) end
  return {2, prev}
end
local ok
if mode == 'nx' then
  ok = redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl, 'NX')
elseif mode == 'xx' then
  ok = redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl, 'XX')
else
  ok = redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
end
if not ok then
  if mode == 'nx' then return {1} end
  return {0}
end
if meta then
  if mode == 'nx' then redis.call('DEL', meta) end
  if ARGV[6] ~= '' then redis.call('HSET', meta, 'owner', ARGV[6]) else redis.call('HDEL', meta, 'owner') end
  if ARGV[7] ~= '' then redis.call('HSET', meta, 'created', ARGV[7]) end
  redis.call('EXPIRE', meta, ttl)
end
return {2, prev}
`)

// touchScript is EXPIRE on a session key and its companion hash.
//
// KEYS[1] the session key, KEYS[2] the companion hash; ARGV[1] the TTL in
// seconds. It returns the stored owner ("" for none), or nil when there is
// no session.
var touchScript = goredis.NewScript(`
if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
local owner = redis.call('HGET', KEYS[2], 'owner')
redis.call('EXPIRE', KEYS[2], ARGV[1])
return owner or ''
`)

// destroyScript deletes a session key and its companion hash, even one of
// the wrong type.
//
// KEYS[1] the session key, KEYS[2] the companion hash. It returns the owner
// the hash held ("" for none).
var destroyScript = goredis.NewScript(`
local owner = redis.pcall('HGET', KEYS[2], 'owner')
redis.call('DEL', KEYS[1], KEYS[2])
if type(owner) == 'string' then return owner end
return ''
`)

// indexScript adds a session to its owner's index, drops the members whose
// expiry passed, and makes the index live as long as its longest-lived
// member.
//
// KEYS[1] the owner index; ARGV: the session id, its expiry in Unix ms,
// the time now in Unix ms, the slack in ms allowed for clocks that
// disagree. Scores only grow (ZADD GT), so that of two racing writes the
// later expiry wins.
var indexScript = goredis.NewScript(`
local now, slack = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - slack))
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then
  local want = tonumber(top[2]) - now + slack
  if redis.call('PTTL', KEYS[1]) < want then
    redis.call('PEXPIRE', KEYS[1], string.format('%d', want))
  end
end
return 0
`)
