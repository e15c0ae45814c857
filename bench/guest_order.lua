-- POST /t/{token}/order: each request is a different guest (a new address, forwarded by a
-- trusted proxy on 127.0.0.1) at a random table, ordering two random menu items.
-- Counts every answer that is not the 303 of an accepted order.
local cookie = os.getenv("COOKIE")
local csrf = os.getenv("CSRF")
local tokens, items = {}, {}
for t in string.gmatch(os.getenv("TOKENS"), "%S+") do table.insert(tokens, t) end
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
  local token = tokens[math.random(#tokens)]
  local a, b = items[math.random(#items)], items[math.random(#items)]
  while b == a do b = items[math.random(#items)] end
  local body = string.format("csrf_token=%s&qty_%s=1&qty_%s=2&notes=bench", csrf, a, b)
  local ip = string.format("10.%d.%d.%d", tid, math.floor(counter / 250) % 250, counter % 250 + 1)
  return wrk.format("POST", "/t/" .. token .. "/order", {
    ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Forwarded-For"] = ip
  }, body)
end

response = function(status)
  if status == 303 then accepted = accepted + 1 else refused = refused + 1 end
end

done = function()
  local a, r = 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
  end
  io.write(string.format("accepted: %d refused: %d\n", a, r))
end
