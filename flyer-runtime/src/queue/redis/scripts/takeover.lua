-- A worker takes over the lease ARGV[2] of KEYS[1] for ARGV[1] ms, unless the task's
-- deadline (ARGV[3], Redis ms) passed or its lease expired. Returns the ms left, or 0.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[3]) then return 0 end
local s = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not s or tonumber(s) < now then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
return tonumber(ARGV[3]) - now
