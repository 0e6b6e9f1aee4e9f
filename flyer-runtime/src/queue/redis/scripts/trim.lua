-- Deletes the entries whose deadline passed (their callers were answered 50400) from the
-- head of the streams KEYS, at most ARGV[1] read per stream, and the pending references
-- of consumer group ARGV[2] to them. Returns how many were deleted.
local now = now_ms()
local removed = 0
for i = 1, #KEYS do
  for _, e in ipairs(redis.call('XRANGE', KEYS[i], '-', '+', 'COUNT', ARGV[1])) do
    local f = e[2]
    local d = nil
    for j = 1, #f, 2 do
      if f[j] == 'd' then d = tonumber(f[j + 1]) end
    end
    if d and d < now then
      redis.call('XACK', KEYS[i], ARGV[2], e[1])
      redis.call('XDEL', KEYS[i], e[1])
      removed = removed + 1
    end
  end
end
return removed
