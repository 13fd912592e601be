-- wrk script: one AuthZEN evaluation per request (a random user of the
-- default generated tenant books a random desk). docs/performance.md.
local bodies = {}
math.randomseed(1)
for i = 1, 1000 do
  local user = "u" .. math.random(0, 9999)
  local desk = string.format("b%d_f%d_d%d", math.random(0, 9), math.random(0, 9), math.random(0, 99))
  bodies[i] = string.format(
    '{"subject":{"type":"user","id":"%s"},"action":{"name":"book"},"resource":{"type":"desk","id":"%s"}}',
    user, desk)
end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("KEYPLAN_TOKEN") then wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEYPLAN_TOKEN") end

request = function()
  n = n % #bodies + 1
  return wrk.format(nil, "/access/v1/evaluation", nil, bodies[n])
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, errors))
end
