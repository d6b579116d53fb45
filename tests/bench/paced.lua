-- wrk script for the proxy benchmark.
-- Arguments after "--": <paths file or "-"> <mean delay in ms, 0 = as fast as possible>
-- Each wrk thread takes a disjoint share of the paths (so unique URLs stay unique), cycles through it,
-- waits a random 0.5x-1.5x of the mean delay between its requests when pacing (so connections do not
-- fall into step), counts X-Flexchain-Cache hits, and prints one RESULT line with the percentiles.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local paths = {}
local idx = 0
local mean_delay = 0
hits = 0
misses = 0

function init(args)
  local file = args[1]
  mean_delay = tonumber(args[2] or "0")
  local nthreads = tonumber(args[3] or "1")
  local i = 0
  if file and file ~= "-" then
    for line in io.lines(file) do
      if i % nthreads == id then paths[#paths + 1] = line end
      i = i + 1
    end
  end
  math.randomseed(os.time() * 1000 + id)
end

function request()
  if #paths == 0 then return wrk.request() end
  idx = idx + 1
  if idx > #paths then idx = 1 end
  return wrk.format("GET", paths[idx])
end

function delay()
  if mean_delay <= 0 then return 0 end
  return math.floor(mean_delay * (0.5 + math.random()) + 0.5)
end

function response(status, headers, body)
  local state = headers["X-Flexchain-Cache"]
  if state == "hit" then hits = hits + 1 elseif state then misses = misses + 1 end
end

function done(summary, latency, requests)
  local h, m = 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    m = m + thread:get("misses")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"hits":%d,"misses":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, h, m))
end
