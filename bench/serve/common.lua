-- What the wrk scripts of bench/serve.sh share: every request is built once,
-- when the script loads (headers, token, body), so that wrk spends its time
-- per request on sending, not on formatting in Lua; and the RESULT line that
-- bench/serve.sh reads. docs/performance.md, "The decision service".
local common = {}

-- Sets wrk's request() to cycle through POSTs of `bodies` to `path`.
function common.post_cycle(path, bodies)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("KEYPLAN_TOKEN")
  if token then wrk.headers["Authorization"] = "Bearer " .. token end
  local requests = {}
  for i, body in ipairs(bodies) do requests[i] = wrk.format(nil, path, nil, body) end
  local n = 0
  request = function()
    n = n % #requests + 1
    return requests[n]
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, errors))
end

return common
