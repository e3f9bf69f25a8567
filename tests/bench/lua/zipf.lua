-- zipf.lua: URLs <prefix><rank>, rank drawn from Zipf(s) over N URLs.
-- args: N (100000), seed (the same for every peer of a repetition, so each
-- sees the same sequence), s (1.0), prefix ("/u/z").
local n, cdf, prefix = 100000, {}, "/u/z"

function init(args)
  n = tonumber(args[1]) or 100000
  local seed = tonumber(args[2]) or 1
  local s = tonumber(args[3]) or 1.0
  prefix = args[4] or "/u/z"
  local sum = 0
  for k = 1, n do
    sum = sum + 1 / k ^ s
    cdf[k] = sum
  end
  for k = 1, n do
    cdf[k] = cdf[k] / sum
  end
  math.randomseed(seed)
end

function request()
  local u = math.random()
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", prefix .. lo)
end
