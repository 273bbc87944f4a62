-- Reference for bench_digest: the addon's checksum algorithm (research/ogrh-sync.md §3.1-3.4),
-- SimpleSerialize + HashString of every checksummed part, written from its description and
-- run under lua5.1 on the same file. usage: lua5.1 ref_checksum.lua FILE ITERATIONS
local file, iters = arg[1], tonumber(arg[2] or "5")
dofile(file)
local sv = OGRH_SV
if sv.schemaVersion == "v2" then sv = sv.v2 end

local function HashString(s)
  if s == nil or s == "" then return "0" end
  local h = 0
  for i = 1, string.len(s) do
    h = math.fmod(h * 31 + string.byte(s, i), 2147483647)
  end
  return tostring(h)
end

local function HashStringToNumber(s)
  if s == nil then return 0 end
  local h = 0
  for i = 1, string.len(s) do
    h = math.fmod(h * 31 + string.byte(s, i), 2147483647)
  end
  return h
end

local function SimpleSerialize(v, depth)
  depth = depth or 0
  if depth > 10 then return "..." end
  if type(v) ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do table.insert(keys, k) end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = {}
  for _, k in ipairs(keys) do
    local x = v[k]
    if type(x) == "table" then
      table.insert(out, tostring(k) .. "=" .. SimpleSerialize(x, depth + 1) .. ";")
    else
      table.insert(out, tostring(k) .. "=" .. tostring(x) .. ";")
    end
  end
  return table.concat(out)
end

-- The six component projections of an encounter (DESIGN.md).
local function project(enc, c)
  if c == "encounterMetadata" then
    local t = {}
    for k, v in pairs(enc) do if k ~= "roles" and k ~= "announcements" then t[k] = v end end
    return t
  elseif c == "announcements" then
    return enc.announcements or {}
  elseif c == "roles" then
    local t = {}
    for i, r in pairs(enc.roles or {}) do
      local c2 = {}
      for k, v in pairs(r) do
        if k ~= "assignedPlayers" and k ~= "raidMarks" and k ~= "assignmentNumbers" then c2[k] = v end
      end
      t[i] = c2
    end
    return t
  else
    local f = ({playerAssignments = "assignedPlayers", raidMarks = "raidMarks",
                assignmentNumbers = "assignmentNumbers"})[c]
    local t = {}
    for i, r in pairs(enc.roles or {}) do t[i] = r[f] end
    return t
  end
end

local comps = {"encounterMetadata", "roles", "playerAssignments", "raidMarks",
               "assignmentNumbers", "announcements"}

local function all_checksums()
  local out = {global = {}, raids = {}}
  for _, g in ipairs({"tradeItems", "consumes", "roles"}) do
    out.global[g] = HashString(SimpleSerialize(sv[g] or {}))
  end
  local raids = (sv.encounterMgmt or {}).raids or {}
  for ri, raid in pairs(raids) do
    local rc = {encounters = {}}
    local sum = HashStringToNumber(SimpleSerialize(raid.advancedSettings or {}))
    for ei, enc in pairs(raid.encounters or {}) do
      local e = {components = {}}
      local esum = 0
      for _, c in ipairs(comps) do
        local cs = HashString(SimpleSerialize(project(enc, c)))
        e.components[c] = cs
        esum = esum + HashStringToNumber(cs)
      end
      e.encounterChecksum = esum
      rc.encounters[ei] = e
      for j = 1, string.len(enc.name or "") do sum = sum + string.byte(enc.name, j) * ei end
      sum = sum + esum * ei
    end
    rc.raidChecksum = sum
    out.raids[ri] = rc
  end
  return out
end

local times = {}
for i = 1, iters do
  local t0 = os.clock()
  all_checksums()
  times[i] = os.clock() - t0
end
table.sort(times)
print(string.format("full_seconds %.6f", times[math.floor((iters + 1) / 2)]))
