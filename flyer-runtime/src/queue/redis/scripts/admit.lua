-- Admits request ARGV[5] if its group has a permit for it.
-- KEYS: [1] leases, [2] epoch, [3] cancel:<id>, [4] the stream of its level (gateway only)
-- ARGV: [1] lease ttl ms, [2] limit, [3] reserve, [4] '1' when high, [5] id, [6] timeout ms,
--       [7] task, [8] stream cap
-- Returns its deadline (Redis ms) when admitted (and enqueued, with KEYS[4]); 0 when the
-- group is full for it; -1 while the group's state warms up; -2 when it was cancelled.
-- Admitting an id already admitted admits it again, without a second task: a gateway
-- whose first try did not answer may try again.
local now = now_ms()
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then return -2 end
if epoch(KEYS[2], now, ttl) ~= 'ready' then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local deadline = now + tonumber(ARGV[6])
if redis.call('ZSCORE', KEYS[1], ARGV[5]) then return deadline end
local cap = tonumber(ARGV[2])
if ARGV[4] ~= '1' then cap = cap - tonumber(ARGV[3]) end
if redis.call('ZCARD', KEYS[1]) >= cap then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[5])
redis.call('PEXPIRE', KEYS[1], ttl * 4 + tonumber(ARGV[6]))
if #KEYS > 3 then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*',
    'i', ARGV[5], 'd', deadline, 't', ARGV[7])
end
return deadline
