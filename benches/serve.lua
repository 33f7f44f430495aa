-- wrk script for benches/serve.sh: POSTs /api/v1/lookup, one reference query per request,
-- cycling through the bodies file (one JSON request per line), and prints one RESULT line:
-- requests/s, p50, p99 and max latency (ms), requests, non-2xx, socket errors, p95 (ms).
local bodies = {}
local token = os.getenv("TMM_TOKEN") or ""
for line in io.lines(os.getenv("TMM_BODIES")) do
  bodies[#bodies + 1] = line
end
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local counter = 0
-- TMM_OFFSET starts this wrk elsewhere in the bodies (two wrk at once then differ).
local base = tonumber(os.getenv("TMM_OFFSET") or "0")

function setup(thread)
  thread:set("offset", base + counter * 997)
  counter = counter + 1
end

function init(args)
  n = offset or 0
end

function request()
  n = n + 1
  return wrk.format("POST", "/api/v1/lookup", headers, bodies[(n % #bodies) + 1])
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d %d %d %.2f\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, non2xx, errors, latency:percentile(95) / 1000))
end
