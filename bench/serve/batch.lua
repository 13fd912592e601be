-- wrk script: batches of 100 AuthZEN evaluations per request (one user, 100
-- random desks of the default generated tenant). docs/performance.md.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
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
common.post_cycle("/access/v1/evaluations", bodies)
