-- POST /pos/checkout (split tender: card 10.00 + cash): a 3-line cart of random generated products, a new idempotency key
-- per request. Each wrk thread numbers its own requests.
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")
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
  local body = string.format('{"idempotency_key":"bench-%d-%d-%d","lines":[{"barcode":"BX%08d","quantity":1},{"barcode":"BX%08d","quantity":2},{"barcode":"BX%08d","quantity":1}],"tenders":[{"method":"card","amount":"10.00","reference":"AUTH-%d"},{"method":"cash","amount":"100000.00"}],"customer":null}',
    tid, counter, os.time(), a, b, c, counter)
  return wrk.format("POST", "/pos/checkout", {
    ["Cookie"] = cookie, ["X-CSRF-Token"] = token, ["Content-Type"] = "application/json", ["Accept"] = "application/json"
  }, body)
end
