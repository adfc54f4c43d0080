-- wrk script for bench/decide.sh: POSTs the JSON documents of the file in
-- $BODIES (one a line) in turn, each {{SEQ}} made unique per request and
-- {{NOW}} the current second (UTC); prints a JSON summary in bench/httpload's
-- format when done.
local bodies, counter, idx, prefix = {}, 0, 0, ""
local stamp, stamped = "", -1

-- Each thread of each wrk run gets a random prefix for its ids (from
-- /dev/urandom: math.random repeats across runs), so that no id is sent
-- twice, warm-up included.
function setup(thread)
  local f = assert(io.open("/dev/urandom", "rb"))
  local raw = f:read(8)
  f:close()
  thread:set("tid", (raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)))
end

function init(args)
  local f = assert(io.open(os.getenv("BODIES"), "r"))
  for line in f:lines() do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  f:close()
  prefix = (tid or "0") .. "-"
  idx = math.random(1, #bodies)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
end

function request()
  counter = counter + 1
  idx = idx % #bodies + 1
  local now = os.time()
  if now ~= stamped then
    stamp, stamped = os.date("!%Y-%m-%dT%H:%M:%SZ", now), now
  end
  local b = bodies[idx]:gsub("{{SEQ}}", prefix .. counter):gsub("{{NOW}}", stamp)
  return wrk.format(nil, nil, nil, b)
end

function done(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.timeout
  local n = summary.requests
  local secs = summary.duration / 1e6
  local ms = function(us) return us / 1000 end
  io.write(string.format(
    '{"requests":%d,"errors":%d,"seconds":%.3f,"rps":%.1f,"codes":{"2xx":%d,"other":%d},"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    n, failed, secs, n / secs, n - e.status, e.status,
    ms(latency:percentile(50)), ms(latency:percentile(95)), ms(latency:percentile(99)), ms(latency.max)))
end
