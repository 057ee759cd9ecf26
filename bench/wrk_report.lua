-- wrk script for bench_places.py: sends the token (BENCH_TOKEN) and prints one JSON line of figures.
-- With BENCH_PATHS (a file, one path a line; bench_places.py --mix) each request asks a path drawn at
-- random from it instead of the URL given to wrk.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Token " .. token
end
wrk.headers["Accept"] = "application/json"
wrk.headers["Accept-Language"] = "en"

local paths_file = os.getenv("BENCH_PATHS")
if paths_file and paths_file ~= "" then
  local paths = {}
  for line in io.lines(paths_file) do
    paths[#paths + 1] = line
  end
  init = function(args)
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  end
  request = function()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
