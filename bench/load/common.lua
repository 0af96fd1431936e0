-- Shared by the load scripts: the session cookie from the environment, and a fixed rate
-- approximated per connection (wrk has no rate option): each connection waits
-- connections / rate seconds between requests when WRK_RATE is above zero.
local rate = tonumber(os.getenv("WRK_RATE") or "0")
local connections = tonumber(os.getenv("WRK_CONNECTIONS") or "1")
wrk.headers["Cookie"] = os.getenv("LOAD_COOKIE")
if rate > 0 then
    function delay()
        return math.floor(1000 * connections / rate)
    end
end
