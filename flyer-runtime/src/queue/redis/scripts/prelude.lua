-- Shared by every script of the queue (prepended when the script is loaded).

-- Now, on Redis's clock, in milliseconds: instances need not agree on the time.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The state of a group's keys. The epoch key is never deleted: when it is missing, Redis
-- lost the group's state (a restart without persistence, a failover to a lagging replica)
-- or has never seen the group. Then the live holders of permits get one lease period to
-- register again before anyone is admitted: 'lost' (just found missing), 'warming' (until
-- that period ends), 'ready' (after).
local function epoch(key, now, ttl)
  local e = redis.call('GET', key)
  if e == 'ready' then return 'ready' end
  if not e then
    redis.call('SET', key, 'warming:' .. (now + ttl))
    return 'lost'
  end
  if string.sub(e, 1, 8) == 'warming:' then
    if now < tonumber(string.sub(e, 9)) then return 'warming' end
    redis.call('SET', key, 'ready')
  end
  return 'ready'
end

