-- The till's search: what cashiers type, cycled (word prefixes, two words, a SKU, a barcode prefix).
local queries = { "earb", "charger", "nova case", "power bank", "sab webc", "000123", "bs00004",
                  "bx0009", "screen prot", "apex", "stylus 0999", "router" }
local i = 0
request = function()
  i = i % #queries + 1
  local q = queries[i]:gsub(" ", "%%20")
  return wrk.format("GET", "/pos/search?q=" .. q, { ["Cookie"] = os.getenv("COOKIE"), ["Accept"] = "application/json" })
end
