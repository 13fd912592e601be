-- wrk script: GET /healthz, the service's HTTP and loopback cost with no
-- decision in it (the floor under the evaluation rows of bench/serve.sh;
-- its CPU per request makes the rows comparable across machines).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
wrk.method = "GET"
wrk.path = "/healthz"
local token = os.getenv("KEYPLAN_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end
