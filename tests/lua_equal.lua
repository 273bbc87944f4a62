-- usage: lua5.1 lua_equal.lua A.lua B.lua
-- Loads two SavedVariables files each into its own environment, as the game does, and exits 0
-- when every variable of one is deeply equal to the same variable of the other.
local function load(path)
  local env = {}
  local chunk = assert(loadfile(path))
  setfenv(chunk, env)
  chunk()
  return env
end

local function equal(x, y, path)
  if type(x) ~= type(y) then return false, path .. ": " .. type(x) .. " vs " .. type(y) end
  if type(x) ~= "table" then
    if x ~= y then return false, path .. ": " .. tostring(x) .. " vs " .. tostring(y) end
    return true
  end
  for k, v in pairs(x) do
    local ok, why = equal(v, y[k], path .. "." .. tostring(k))
    if not ok then return false, why end
  end
  for k in pairs(y) do
    if x[k] == nil then return false, path .. "." .. tostring(k) .. ": only in the second" end
  end
  return true
end

local ok, why = equal(load(arg[1]), load(arg[2]), "_G")
if not ok then
  io.stderr:write("not equal: " .. why .. "\n")
  os.exit(1)
end
