-- wrk script: replay the paths of a file (one per line) in order, each thread from its own
-- place in it, counting the page cache's answers (X-Cache) and any answer other than 200.
-- Arguments (after --): file, number of threads, offset into the file.
local paths, n = {}, 0
local threads = {}
hits, misses, other, bad = 0, 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    paths[n] = line
  end
  local count, offset = tonumber(args[2]), tonumber(args[3])
  position = (offset + math.floor((thread_number - 1) * n / count)) % n
end

function request()
  position = position % n + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local cache = headers["X-Cache"]
  if cache == "HIT" then hits = hits + 1
  elseif cache == "MISS" then misses = misses + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local h, m, o, b = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    m = m + thread:get("misses")
    o = o + thread:get("other")
    b = b + thread:get("bad")
  end
  io.write(string.format("replay: hits=%d misses=%d other=%d bad=%d\n", h, m, o, b))
end
