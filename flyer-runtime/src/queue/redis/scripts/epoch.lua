-- The state of a group, checked by every instance once a second (so that a loss is
-- noticed, and the first use of a group warms up at start-up rather than at the first
-- request). KEYS[1]: its epoch. ARGV[1]: the lease ttl, ms.
-- Returns 0 when ready, 1 while lost or warming up.
if epoch(KEYS[1], now_ms(), tonumber(ARGV[1])) == 'ready' then return 0 end
return 1
