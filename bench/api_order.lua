-- POST /api/sessions/{t}/ with a staff token: each request orders one random menu item for a
-- table taken in turn from TABLES. With PER_BILL set (say 10), a table's bill is closed (paid in
-- cash) after that many orders, as a table's guests order a few rounds and pay: each wrk thread
-- owns its own tables, so a close never races an order of the same table. Without PER_BILL,
-- bills grow for the whole run (every order answers the whole bill, so they slow down).
-- Prints the orders and closes sent and every answer that was not a 2xx.
local token = os.getenv("TOKEN")
local per_bill = tonumber(os.getenv("PER_BILL") or "0")
local nthreads = tonumber(os.getenv("THREADS") or "2")
local all, items = {}, {}
for t in string.gmatch(os.getenv("TABLES"), "%S+") do table.insert(all, t) end
for i in string.gmatch(os.getenv("ITEMS"), "%S+") do table.insert(items, i) end
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

init = function()
  refused = 0
  accepted = 0
  orders = 0
  closes = 0
  counter = 0
  mine = {}
  for n, t in ipairs(all) do
    if per_bill == 0 or (n - 1) % nthreads == tid - 1 then table.insert(mine, t) end
  end
  math.randomseed(os.time() + tid * 7919)
end

local headers = function()
  return { ["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json" }
end

request = function()
  counter = counter + 1
  local t = mine[(counter + tid) % #mine + 1]
  local round = math.floor((counter - 1) / #mine)
  local branch = "?branch=" .. os.getenv("BRANCH")
  if per_bill > 0 and round % (per_bill + 1) == per_bill then
    closes = closes + 1
    return wrk.format("POST", "/api/sessions/" .. t .. "/close/" .. branch, headers(),
      '{"payment_method": "cash"}')
  end
  orders = orders + 1
  local item = items[math.random(#items)]
  local body = string.format('{"items": [{"id": %s, "qty": 1}], "special_instructions": "bench"}', item)
  return wrk.format("POST", "/api/sessions/" .. t .. "/" .. branch, headers(), body)
end

response = function(status)
  if status >= 200 and status < 300 then accepted = accepted + 1 else refused = refused + 1 end
end

done = function(summary)
  local a, r, o, c = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
    o = o + t:get("orders")
    c = c + t:get("closes")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("accepted: %d refused: %d orders: %d (%.1f/s) closes: %d\n", a, r, o,
    o / seconds, c))
end
