-- Reference for bench_svfile: how long lua5.1 / luajit take to load a SavedVariables file
-- with dofile, and how much heap the loaded data holds. usage: lua ref_load.lua FILE ITERS
local file, iters = arg[1], tonumber(arg[2] or "10")
local times = {}
for i = 1, iters do
  collectgarbage("collect")
  local t0 = os.clock()
  dofile(file)
  times[i] = os.clock() - t0
  if i < iters then OGRH_SV = nil end
end
table.sort(times)
local median = times[math.floor((iters + 1) / 2)]
collectgarbage("collect")
local held = collectgarbage("count") * 1024
OGRH_SV = nil
collectgarbage("collect")
held = held - collectgarbage("count") * 1024
print(string.format("read_seconds %.6f", median))
print(string.format("heap_bytes %d", held))
