-- Admits request ARGV[5] if its group has a permit for it.
-- KEYS: [1] leases, [2] epoch, [3] cancel:<id>, [4] the stream of its level (gateway only)
-- ARGV: [1] lease ttl ms, [2] limit, [3] reserve, [4] '1' when high, [5] id, [6] timeout ms,
--       [7] task, [8] stream cap
-- Returns its deadline (Redis ms) when admitted (and enqueued, with KEYS[4]); 0 when the
-- group is full for it; -1 while the group's state warms up; -2 when it was cancelled
-- (its gateway gave up on an earlier try, which Redis ran late).
local now = now_ms()
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then return -2 end
if epoch(KEYS[2], now, ttl) ~= 'ready' then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local deadline = now + tonumber(ARGV[6])
local cap = tonumber(ARGV[2])
if ARGV[4] ~= '1' then cap = cap - tonumber(ARGV[3]) end
if redis.call('ZCARD', KEYS[1]) >= cap then return 0 end
-- No expiry to refresh here: the holders' renewals, every second, keep the set's.
redis.call('ZADD', KEYS[1], now + ttl, ARGV[5])
if #KEYS > 3 then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*',
    'i', ARGV[5], 'd', deadline, 't', ARGV[7])
end
return deadline
