-- GET /installments?status=overdue: the credit officer's first page of overdue plans.
local cookie = os.getenv("COOKIE")
request = function()
  return wrk.format("GET", "/installments?status=overdue", { ["Cookie"] = cookie })
end
