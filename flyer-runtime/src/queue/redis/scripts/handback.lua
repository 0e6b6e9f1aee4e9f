-- A stopping worker hands back the entries ARGV[4..] it has not started: each moves to
-- consumer ARGV[2] already idle ARGV[3] ms, its delivery count one lower, so that the next
-- worker claims it at once and does not count it as a failed delivery. KEYS[1]: the
-- stream; ARGV[1]: the consumer group.
for i = 4, #ARGV do
  local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if type(p) == 'table' and p[1] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3],
      'RETRYCOUNT', math.max(0, p[1][4] - 1), 'JUSTID')
  end
end
return 1
