/**
 * The session store's Lua scripts: every change to a session is one script, so that Redis runs it atomically (two
 * refreshes of one token can never both rotate it). Key and argument layouts are stated above each script.
 */

// Deletes one session and its place in the user's set.
const REVOKE_FUNCTION = `
local function revoke(sessionKey, userSessionsKey, sid)
  redis.call('DEL', sessionKey)
  redis.call('ZREM', userSessionsKey, sid)
end`;

// KEYS: session, user sessions, user version. ARGV: sid, userId, now, absoluteExpiresAt, idleMs, userAgent, ip, token
// hash, cap, sessionPrefix, the user version the sign-in read. Returns 'stale' (nothing created) when the version has
// moved since, else the evicted session ids.
export const CREATE_SCRIPT = `${REVOKE_FUNCTION}
if (redis.call('GET', KEYS[3]) or '') ~= ARGV[11] then return 'stale' end
local now, absolute = tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = math.min(tonumber(ARGV[5]), absolute - now)
redis.call('HSET', KEYS[1], 'userId', ARGV[2], 'createdAt', ARGV[3], 'lastUsedAt', ARGV[3],
  'absoluteExpiresAt', ARGV[4], 'userAgent', ARGV[6], 'ip', ARGV[7], 'current', ARGV[8], 'generation', 0)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], absolute - now)
local live = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[10] .. sid) == 1 then table.insert(live, sid) else redis.call('ZREM', KEYS[2], sid) end
end
local evicted = {}
for i = 1, #live - tonumber(ARGV[9]) do
  revoke(ARGV[10] .. live[i], KEYS[2], live[i])
  table.insert(evicted, live[i])
end
return evicted`;

// KEYS: session. ARGV: now, presented hash, presented generation, successor hash, sealed successor, graceMs, idleMs,
// userSessionsPrefix. The token's MAC was checked before: an older generation is a genuine, rotated token.
export const ROTATE_SCRIPT = `${REVOKE_FUNCTION}
local s = redis.call('HMGET', KEYS[1], 'userId', 'current', 'previous', 'rotatedAt', 'sealed', 'absoluteExpiresAt',
  'generation')
local userId, current, previous, rotatedAt, sealed, absolute, generation =
  s[1], s[2], s[3], s[4], s[5], tonumber(s[6]), tonumber(s[7])
if not userId then return {'invalid'} end
local now = tonumber(ARGV[1])
local sid = string.sub(KEYS[1], -36)
if now >= absolute then
  revoke(KEYS[1], ARGV[8] .. userId, sid)
  return {'invalid'}
end
if ARGV[2] == current then
  local ttl = math.min(tonumber(ARGV[7]), absolute - now)
  redis.call('HSET', KEYS[1], 'current', ARGV[4], 'previous', current, 'rotatedAt', ARGV[1], 'sealed', ARGV[5],
    'lastUsedAt', ARGV[1], 'generation', generation + 1)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {'rotated', userId, tostring(absolute)}
end
if ARGV[2] == previous and now - tonumber(rotatedAt) <= tonumber(ARGV[6]) then
  return {'grace', userId, tostring(absolute), sealed}
end
if tonumber(ARGV[3]) < generation then
  revoke(KEYS[1], ARGV[8] .. userId, sid)
  return {'reused', userId}
end
return {'invalid'}`;

// KEYS: user sessions. ARGV: sessionPrefix, sid or '' for all, a sid to spare or ''. Returns the number revoked.
export const REVOKE_SCRIPT = `${REVOKE_FUNCTION}
local sids = ARGV[2] ~= '' and {ARGV[2]} or redis.call('ZRANGE', KEYS[1], 0, -1)
local count = 0
for _, sid in ipairs(sids) do
  if sid ~= ARGV[3] and redis.call('ZSCORE', KEYS[1], sid) then
    revoke(ARGV[1] .. sid, KEYS[1], sid)
    count = count + 1
  end
end
return count`;
