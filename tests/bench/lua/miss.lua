-- miss.lua: a unique URL per request, <base><prefix>-<thread>-<n>. The
-- origin answers any /u/ URL with 1 KiB (cacheable) and any /nc/ URL with
-- 1 KiB (no-store). args: prefix (unique per run), base ("/u/").
local counter, prefix, base = 0, "m", "/u/"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = (args[1] or tostring(os.time())) .. "-" .. tostring(tid or 1)
  base = args[2] or "/u/"
end

function request()
  counter = counter + 1
  return wrk.format("GET", base .. prefix .. "-" .. counter)
end
