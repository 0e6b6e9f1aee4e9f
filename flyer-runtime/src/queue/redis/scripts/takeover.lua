-- A worker starts task ARGV[2] (stream entry ARGV[3]) as run ARGV[4], its fencing token.
-- KEYS: [1] leases, [2] epoch, [3] run:<id>
-- ARGV: [1] lease ttl ms, [2] id, [3] entry, [4] token, [5] deadline, [6] '1' when it runs
--       at most once
-- Returns the ms left to its deadline; 0 when it must not run (past its deadline, its
-- lease gone: its gateway died, or cancelled it); -1 when it runs at most once and
-- another run started it: that run is fenced out, and the task's outcome is unknown.
local now = now_ms()
local ttl = tonumber(ARGV[1])
local deadline = tonumber(ARGV[5])
if now >= deadline then return 0 end
local prev = redis.call('GET', KEYS[3])
if prev then
  if prev == 'abandoned' then return 0 end
  if prev ~= ARGV[4] and ARGV[6] == '1' then
    redis.call('SET', KEYS[3], 'abandoned', 'PX', ttl * 3)
    return -1
  end
end
local lease = redis.call('ZSCORE', KEYS[1], ARGV[2])
-- No lease: its gateway is gone, unless Redis lost every lease (then it comes back).
if (not lease or tonumber(lease) < now) and epoch(KEYS[2], now, ttl) == 'ready' then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ttl * 3)
return deadline - now
