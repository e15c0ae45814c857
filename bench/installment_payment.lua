-- POST /installments/{id}/payments: 1.00 on a random active plan, a new one-time key per request.
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")
local first = tonumber(os.getenv("FIRST_PLAN"))
local last = tonumber(os.getenv("LAST_PLAN"))
local counter = 0
local thread_id = 0

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

request = function()
  counter = counter + 1
  local plan = math.random(first, last)
  if plan % 10 == 0 then plan = plan + 1 end -- pending plans take no payments
  if plan > last then plan = first + 1 end
  local body = string.format("csrf_token=%s&amount=1.00&method=cash&payment_key=bench%d%d%d", token, tid, counter, os.time())
  return wrk.format("POST", "/installments/" .. plan .. "/payments", {
    ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"
  }, body)
end
