-- Resets the idle time of the entries ARGV[3..] of KEYS[1] held by consumer ARGV[2] of
-- group ARGV[1], so that no other worker claims them while they run.
for i = 3, #ARGV do
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
end
return 1
