-- wrk script: one AuthZEN evaluation per request (a random user of the
-- default generated tenant books a random desk). docs/performance.md.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
local bodies = {}
math.randomseed(1)
for i = 1, 1000 do
  local user = "u" .. math.random(0, 9999)
  local desk = string.format("b%d_f%d_d%d", math.random(0, 9), math.random(0, 9), math.random(0, 99))
  bodies[i] = string.format(
    '{"subject":{"type":"user","id":"%s"},"action":{"name":"book"},"resource":{"type":"desk","id":"%s"}}',
    user, desk)
end
common.post_cycle("/access/v1/evaluation", bodies)
