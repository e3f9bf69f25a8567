-- load.lua: exactly N distinct 1 KiB objects /u/<prefix><i>, i = 1..N.
-- Requests still in flight when the N-th response arrives repeat the first
-- URLs (hits). wrk itself only stops at the end of -d, so the N-th response
-- creates the file MARKER and run.sh then stops wrk with SIGINT.
-- args: N, prefix, marker file.
local n, prefix, marker, sent, got = 100000, "mem", nil, 0, 0

function init(args)
  n = tonumber(args[1]) or 100000
  prefix = args[2] or "mem"
  marker = args[3]
end

function request()
  sent = sent + 1
  return wrk.format("GET", "/u/" .. prefix .. ((sent - 1) % n + 1))
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
