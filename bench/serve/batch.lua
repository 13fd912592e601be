-- wrk script: batches of 100 AuthZEN evaluations per request (one user, 100
-- random desks of the default generated tenant). docs/performance.md.
local bodies = {}
math.randomseed(2)
for i = 1, 100 do
  local items = {}
  for j = 1, 100 do
    items[j] = string.format('{"resource":{"type":"desk","id":"b%d_f%d_d%d"}}',
      math.random(0, 9), math.random(0, 9), math.random(0, 99))
  end
  bodies[i] = string.format(
    '{"subject":{"type":"user","id":"u%d"},"action":{"name":"book"},"evaluations":[%s]}',
    math.random(0, 9999), table.concat(items, ","))
end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("KEYPLAN_TOKEN") then wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEYPLAN_TOKEN") end

request = function()
  n = n % #bodies + 1
  return wrk.format(nil, "/access/v1/evaluations", nil, bodies[n])
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests_per_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, errors))
end
