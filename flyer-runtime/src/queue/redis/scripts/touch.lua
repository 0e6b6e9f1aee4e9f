-- Keeps alive what a worker holds, every second, from a thread of its own.
-- KEYS: [1] leases, [2] epoch, then per task: its stream, run:<id>
-- ARGV: [1] lease ttl ms, [2] group, [3] consumer, then per task: 'r' (running) or 'w'
--       (waiting to start), id, entry, token
-- Returns a status per task: 1 kept; 0 lost (another run has it: stop, publish nothing);
-- 2 gone (a waiting entry the stream no longer has: Redis lost it, and its gateway will
-- put it back).
local now = now_ms()
local ttl = tonumber(ARGV[1])
local state = epoch(KEYS[2], now, ttl)
local out = {}
for t = 1, (#KEYS - 2) / 2 do
  local stream, run = KEYS[1 + 2 * t], KEYS[2 + 2 * t]
  local a = 4 * t
  local kind, id, entry, token = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local status = 1
  if kind == 'r' then
    local v = redis.call('GET', run)
    if v ~= token then
      if (not v) and state ~= 'ready' then
        redis.call('SET', run, token, 'PX', ttl * 3)
      else
        status = 0
      end
    end
    if status == 1 then
      redis.call('PEXPIRE', run, ttl * 3)
      redis.call('ZADD', KEYS[1], now + ttl, id)
      redis.pcall('XCLAIM', stream, ARGV[2], ARGV[3], 0, entry, 'JUSTID')
    end
  else
    local p = redis.pcall('XPENDING', stream, ARGV[2], entry, entry, 1)
    if type(p) ~= 'table' or p.err or not p[1] then
      status = 2
    elseif p[1][2] ~= ARGV[3] then
      status = 0
    else
      redis.call('XCLAIM', stream, ARGV[2], ARGV[3], 0, entry, 'JUSTID')
    end
  end
  table.insert(out, status)
end
redis.call('PEXPIRE', KEYS[1], ttl * 4 + 60000)
return out
