-- Ends a task in one step: releases its permit, acknowledges and deletes its entry, ends
-- its run, and delivers the answer: published on the gateway's channel, and kept a while
-- under reply:<id> for a gateway that missed it (when it was heard, only as long as a
-- subscription that went silent takes to be noticed and made again). It may run
-- when Redis is out of memory (allow-oom): an answer must reach its caller.
-- KEYS: [1] leases, [2] run:<id>, [3] its stream, [4] reply:<id>, [5] epoch
-- ARGV: [1] id, [2] entry ('' for none), [3] consumer group, [4] token ('' when it never
--       ran), [5] channel, [6] answer ('' for none), [7] how long the answer is kept, ms,
--       [8] lease ttl ms, [9] how long it is kept once heard, ms
-- Returns 1 when done, 0 when this run no longer has the task (another run took it, or
-- it was finished): it changes nothing and publishes nothing. After a loss of Redis's
-- state, a run whose key is gone may still finish.
if ARGV[4] ~= '' then
  local v = redis.call('GET', KEYS[2])
  if v ~= ARGV[4] then
    if v or epoch(KEYS[5], now_ms(), tonumber(ARGV[8])) == 'ready' then return 0 end
  end
  redis.call('DEL', KEYS[2])
end
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[3], ARGV[3], ARGV[2])
  redis.call('XDEL', KEYS[3], ARGV[2])
end
if ARGV[6] ~= '' then
  local keep = tonumber(ARGV[7])
  if redis.call('PUBLISH', ARGV[5], ARGV[6]) > 0 then keep = math.min(keep, tonumber(ARGV[9])) end
  redis.call('SET', KEYS[4], ARGV[6], 'PX', keep)
end
return 1
