-- POST /api/sessions/{t}/ with a staff token: each request orders one random menu item for a
-- table taken in turn from TABLES (so no bill grows without end). Counts every answer that is
-- not the 200/201 of an accepted order.
local token = os.getenv("TOKEN")
local tables, items = {}, {}
for t in string.gmatch(os.getenv("TABLES"), "%S+") do table.insert(tables, t) end
for i in string.gmatch(os.getenv("ITEMS"), "%S+") do table.insert(items, i) end
local threads = {}
local counter = 0

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

init = function()
  refused = 0
  accepted = 0
  math.randomseed(os.time() + tid * 7919)
end

request = function()
  counter = counter + 1
  local t = tables[(counter + tid) % #tables + 1]
  local item = items[math.random(#items)]
  local body = string.format('{"items": [{"id": %s, "qty": 1}], "special_instructions": "bench"}', item)
  return wrk.format("POST", "/api/sessions/" .. t .. "/?branch=" .. os.getenv("BRANCH"), {
    ["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"
  }, body)
end

response = function(status)
  if status == 200 or status == 201 then accepted = accepted + 1 else refused = refused + 1 end
end

done = function()
  local a, r = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
  end
  io.write(string.format("accepted: %d refused: %d\n", a, r))
end
