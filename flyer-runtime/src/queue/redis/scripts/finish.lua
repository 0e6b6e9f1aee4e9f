-- Ends a task in one step: releases its lease (KEYS[1], ARGV[1]), acknowledges and deletes
-- its entry (KEYS[2], ARGV[2], group ARGV[3]), keeps the answer ARGV[5] under KEYS[3] for
-- ARGV[6] ms and publishes it on the gateway's channel ARGV[4].
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
  redis.call('XDEL', KEYS[2], ARGV[2])
end
if ARGV[5] ~= '' then
  redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return 1
