-- Household search by name: a random one of the synthetic households each request.
dofile(os.getenv("LOAD_DIR") .. "/common.lua")
local total = tonumber(os.getenv("LOAD_HOUSEHOLDS"))
request = function()
    -- "压测户" percent-encoded, then the household's number.
    local q = "%E5%8E%8B%E6%B5%8B%E6%88%B7" .. math.random(0, total - 1)
    return wrk.format("GET", "/households?name=" .. q)
end
