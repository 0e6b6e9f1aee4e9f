-- Admits a request if its route has a free permit, on Redis's clock.
-- KEYS[1]: the route's leases (a sorted set scored by expiry); KEYS[2], for a gateway: the
-- route's task stream. ARGV: lease ttl ms, limit, task id, timeout ms, [task, stream cap].
-- Returns 1 when admitted (and, with KEYS[2], enqueued), 0 when full.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl * 4 + tonumber(ARGV[4]))
if #KEYS > 1 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'i', ARGV[3], 'd', now + tonumber(ARGV[4]), 't', ARGV[5])
end
return 1
