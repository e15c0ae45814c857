-- GET /pos/scan for random barcodes of the generated catalogue (PRODUCTS of them, 100,000 by default).
local cookie = os.getenv("COOKIE")
local products = tonumber(os.getenv("PRODUCTS") or "100000")
request = function()
  local n = math.random(1, products)
  return wrk.format("GET", string.format("/pos/scan?barcode=BX%08d", n), { ["Cookie"] = cookie, ["Accept"] = "application/json" })
end
