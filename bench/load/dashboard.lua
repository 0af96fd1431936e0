-- The county dashboard.
dofile(os.getenv("LOAD_DIR") .. "/common.lua")
request = function()
    return wrk.format("GET", "/dashboard")
end
