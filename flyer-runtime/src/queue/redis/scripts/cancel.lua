-- A request whose admission did not answer in time, answered 50300: it must not run.
-- KEYS: [1] leases, [2] cancel:<id>. ARGV: [1] id, [2] how long the mark is kept, ms.
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
