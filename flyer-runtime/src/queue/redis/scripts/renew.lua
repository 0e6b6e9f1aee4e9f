-- Renews the leases ARGV[2..] a gateway (or an `all` instance) holds. After a loss of the
-- group's state it creates them again, so that the count is right before admission
-- resumes; otherwise a lease that expired stays expired.
-- KEYS: [1] leases, [2] epoch. ARGV: [1] lease ttl ms, [2..] ids.
-- Returns 1 while the group's state is lost or warming up, 0 otherwise.
local now = now_ms()
local ttl = tonumber(ARGV[1])
local state = epoch(KEYS[2], now, ttl)
for i = 2, #ARGV do
  if state == 'ready' then
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
  else
    redis.call('ZADD', KEYS[1], now + ttl, ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[1], ttl * 4 + 60000)
if state == 'ready' then return 0 end
return 1
