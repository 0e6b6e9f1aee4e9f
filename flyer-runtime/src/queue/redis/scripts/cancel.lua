-- A request whose admission did not answer in time, answered 50300: it must not run.
-- Its lease goes (a worker starts nothing without one), and the mark keeps an admission
-- that Redis runs later from admitting it.
-- KEYS: [1] leases, [2] cancel:<id>. ARGV: [1] id, [2] how long the mark is kept, ms.
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
