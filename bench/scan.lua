-- GET /pos/scan for random barcodes of the generated catalogue.
local cookie = os.getenv("COOKIE")
request = function()
  local n = math.random(1, 100000)
  return wrk.format("GET", string.format("/pos/scan?barcode=BX%08d", n), { ["Cookie"] = cookie, ["Accept"] = "application/json" })
end
