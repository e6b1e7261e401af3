-- One request shape for wrk, read from the environment, and a JSON summary at the end.
--   WRK_METHOD   GET or POST (default GET)
--   WRK_PATH     the path, e.g. /api/v1/tickets?level=2
--   WRK_PATHS    several paths, one per line, taken in turn (instead of WRK_PATH)
--   WRK_BODY     a body; "{n}" in it becomes a number unique to each request, "{v}" the next
--                of WRK_VALUES
--   WRK_VALUES   values taken in turn for "{v}", one per line (e.g. the contacts filing requests)
--   WRK_HEADERS  headers, one "Name: value" per line
local method = os.getenv("WRK_METHOD") or "GET"
local path = os.getenv("WRK_PATH") or "/"
local paths = {}
for line in string.gmatch(os.getenv("WRK_PATHS") or "", "[^\n]+") do table.insert(paths, line) end
local body = os.getenv("WRK_BODY")
local values = {}
for line in string.gmatch(os.getenv("WRK_VALUES") or "", "[^\n]+") do table.insert(values, line) end
local headers = {}
for line in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

local counter = 0
local thread_id = 0
local threads = {}
-- Answers outside 2xx (a redirect to a sign-in page included) are errors, not throughput.
bad = 0
first_bad = 0

setup = function(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local payload = nil
  if body then
    payload = string.gsub(body, "{n}", tostring(thread_id) .. "-" .. tostring(counter))
    if #values > 0 then
      -- Threads start at different places so that they do not file for the same value at once.
      local value = values[((counter * 2 + thread_id) % #values) + 1]
      payload = string.gsub(payload, "{v}", value)
    end
  end
  local target = path
  if #paths > 0 then target = paths[(counter % #paths) + 1] end
  return wrk.format(method, target, headers, payload)
end

response = function(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local not_2xx = 0
  local seen = 0
  for _, thread in ipairs(threads) do
    not_2xx = not_2xx + thread:get("bad")
    if seen == 0 then seen = thread:get("first_bad") end
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "first_error_status": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, not_2xx, seen, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
