-- The delivery write path: one yuan handed over against a signed pledge's cash line.
dofile(os.getenv("LOAD_DIR") .. "/common.lua")
local line = os.getenv("LOAD_LINE")
wrk.headers["X-CSRF-Token"] = os.getenv("LOAD_CSRF")
wrk.headers["Content-Type"] = "application/json"
local today = os.date("%Y-%m-%d")
local body = '{"delivered_on":"' .. today .. '","handler":"压测经办","signed_name":"压测签收","cash":"1"}'
request = function()
    return wrk.format("POST", "/api/v1/pledge-lines/" .. line .. "/deliveries", nil, body)
end
