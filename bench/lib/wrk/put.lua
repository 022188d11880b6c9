-- WebDAV PUT of a new file on every request: <url folder>/<prefix>-<thread>-<n>.bin, 4096 bytes
-- (BYTES to change it). PREFIX (env) keeps names unique across runs; the folder must exist.
--   wrk -t2 -c16 -d10s -s bench/lib/wrk/put.lua -H "Authorization: Basic $(printf admin:pass | base64)" http://127.0.0.1:5244/dav/put/
local counter = 0
local threads = {}
local bytes = tonumber(os.getenv("BYTES") or "4096")
local prefix = os.getenv("PREFIX") or tostring(os.time())

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  base = wrk.path
  if string.sub(base, -1) ~= "/" then base = base .. "/" end
  wrk.method = "PUT"
  wrk.body = string.rep("a", bytes)
  wrk.headers["Content-Type"] = "application/octet-stream"
end

request = function()
  counter = counter + 1
  return wrk.format(nil, base .. prefix .. "-" .. tostring(tid) .. "-" .. counter .. ".bin")
end
