-- After a loss of the group's state, puts back a request its gateway still waits for and
-- nobody runs or has answered.
-- KEYS: [1] leases, [2] epoch, [3] run:<id>, [4] reply:<id>, [5] the stream of its level
-- ARGV: [1] lease ttl ms, [2] id, [3] deadline, [4] task, [5] stream cap, [6] '1' when it
--       runs at most once
-- Returns 1 when put back; 0 when there is nothing to do (it runs, was answered, or its
-- deadline passed); -1 while the state still warms up (try again); 2 when it runs at
-- most once and may have started before the loss: its outcome is unknown.
local now = now_ms()
local ttl = tonumber(ARGV[1])
if epoch(KEYS[2], now, ttl) ~= 'ready' then return -1 end
if redis.call('EXISTS', KEYS[3]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
if now >= tonumber(ARGV[3]) then return 0 end
if ARGV[6] == '1' then return 2 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*',
  'i', ARGV[2], 'd', ARGV[3], 't', ARGV[4])
return 1
