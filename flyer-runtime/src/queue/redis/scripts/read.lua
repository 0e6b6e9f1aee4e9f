-- Reads at most ARGV[3] new entries for consumer ARGV[2] of group ARGV[1] from the
-- streams KEYS, in order: the highest priority first, so that a worker takes no more than
-- it can start, and the most urgent. Returns {stream index, entry id, fields} triples.
local out = {}
local left = tonumber(ARGV[3])
for i = 1, #KEYS do
  if left <= 0 then break end
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left,
    'STREAMS', KEYS[i], '>')
  if r then
    for _, e in ipairs(r[1][2]) do
      table.insert(out, {i, e[1], e[2]})
      left = left - 1
    end
  end
end
return out
