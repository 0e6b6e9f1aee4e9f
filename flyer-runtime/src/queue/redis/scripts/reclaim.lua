-- Claims for consumer ARGV[2] of group ARGV[1] the entries of stream KEYS[1] idle past
-- ARGV[3] ms (their worker stopped), from cursor ARGV[4], at most ARGV[5].
-- Returns {the next cursor, {entry id, deliveries, fields}...}.
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4],
  'COUNT', ARGV[5])
local out = {}
for _, e in ipairs(r[2]) do
  if e[2] then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
    local n = 1
    if p[1] then n = p[1][4] end
    table.insert(out, {e[1], n, e[2]})
  end
end
return {r[1], out}
