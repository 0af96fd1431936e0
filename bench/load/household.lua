-- A household's page, one of a hundred known ids in turn.
dofile(os.getenv("LOAD_DIR") .. "/common.lua")
local ids = {}
for id in string.gmatch(os.getenv("LOAD_IDS"), "[^,]+") do ids[#ids + 1] = id end
local n = 0
request = function()
    n = n % #ids + 1
    return wrk.format("GET", "/households/" .. ids[n])
end
