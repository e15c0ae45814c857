-- POST /pos/checkout/cash: a 3-line cart of random generated products, a new idempotency key
-- per request. Each wrk thread numbers its own requests. With SPLIT=1, POST /pos/checkout with
-- two tenders instead: 10.00 by card (a reference per sale) and the rest in cash.
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")
local split = os.getenv("SPLIT") == "1"
local counter = 0
local thread_id = 0
local threads = {}

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

request = function()
  counter = counter + 1
  local a, b, c = math.random(1, 100000), math.random(1, 100000), math.random(1, 100000)
  local pay = '"cash_received":"100000.00"'
  if split then
    pay = string.format('"tenders":[{"method":"card","amount":"10.00","reference":"AUTH-%d-%d"},{"method":"cash","amount":"100000.00"}]', tid, counter)
  end
  local body = string.format('{"idempotency_key":"bench-%d-%d-%d","lines":[{"barcode":"BX%08d","quantity":1},{"barcode":"BX%08d","quantity":2},{"barcode":"BX%08d","quantity":1}],%s,"customer":null}',
    tid, counter, os.time(), a, b, c, pay)
  return wrk.format("POST", split and "/pos/checkout" or "/pos/checkout/cash", {
    ["Cookie"] = cookie, ["X-CSRF-Token"] = token, ["Content-Type"] = "application/json", ["Accept"] = "application/json"
  }, body)
end
