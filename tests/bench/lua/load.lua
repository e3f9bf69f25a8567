-- load.lua: exactly N distinct objects <base><prefix><i>, i = 1..N (base
-- "/u/": 1 KiB bodies; "/d/": 16 KiB).
-- Requests still in flight when the N-th response arrives repeat the first
-- URLs (hits). wrk itself only stops at the end of -d, so the N-th response
-- creates the file MARKER and run.sh then stops wrk with SIGINT.
-- args: N, prefix, marker file, base ("/u/").
local n, prefix, marker, base, sent, got = 100000, "mem", nil, "/u/", 0, 0

function init(args)
  n = tonumber(args[1]) or 100000
  prefix = args[2] or "mem"
  marker = args[3]
  if marker == "" then marker = nil end
  base = args[4] or "/u/"
end

function request()
  sent = sent + 1
  return wrk.format("GET", base .. prefix .. ((sent - 1) % n + 1))
end

function response(status, headers, body)
  got = got + 1
  if got == n then
    if marker then
      local f = io.open(marker, "w")
      if f then f:write(got, "\n"); f:close() end
    end
    wrk.thread:stop()
  end
end
