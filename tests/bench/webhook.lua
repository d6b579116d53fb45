-- wrk script for the webhook intake benchmark; same arguments and RESULT line as paced.lua.
-- Arguments after "--": <deliveries file or "-"> <mean delay in ms, 0 = as fast as possible> <threads>
-- Each line of the file is "<run prefix>\t<topic>\t<base64 HMAC of the body>\t<body>". The signature
-- covers the body only, so one signed body is sent many times, each time with a webhook id of its own
-- ("<prefix>-<thread>-<n>"): every request is a new delivery that must be stored. With "-" it sends
-- wrk's default request (the empty endpoint). "hits" counts 200 answers, "misses" any other status.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local deliveries = {}
local idx = 0
local sent = 0
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
      if i % nthreads == id then
        local prefix, topic, signature, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
        deliveries[#deliveries + 1] = {prefix = prefix, topic = topic, signature = signature, body = body}
      end
      i = i + 1
    end
  end
  math.randomseed(os.time() * 1000 + id)
end

function request()
  if #deliveries == 0 then return wrk.request() end
  idx = idx + 1
  if idx > #deliveries then idx = 1 end
  sent = sent + 1
  local d = deliveries[idx]
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = d.topic,
    ["X-Shopify-Hmac-Sha256"] = d.signature,
    ["X-Shopify-Shop-Domain"] = "bench-store.myshopify.com",
    ["X-Shopify-Webhook-Id"] = string.format("%s-%d-%d", d.prefix, id, sent),
    ["X-Shopify-Event-Id"] = string.format("ev-%s-%d-%d", d.prefix, id, sent),
    ["X-Shopify-API-Version"] = "2026-07",
    ["X-Shopify-Triggered-At"] = "2026-03-01T10:00:00Z",
  }
  return wrk.format("POST", "/webhooks/orders", headers, d.body)
end

function delay()
  if mean_delay <= 0 then return 0 end
  return math.floor(mean_delay * (0.5 + math.random()) + 0.5)
end

function response(status, headers, body)
  if status == 200 then hits = hits + 1 else misses = misses + 1 end
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
