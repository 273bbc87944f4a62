OGRH_SV = {
	["encounterMgmt"] = {
		["raids"] = { [1] = "v0", [2] = { ["name"] = "R", ["encounters"] = { { ["name"] = "E", ["roles"] = {} }, { ["name"] = "E" }, [4] = { ["name"] = "G" } } } },
		["roles"] = { ["R"] = { ["E"] = { ["column1"] = { { ["roleId"] = 2, ["name"] = "A", ["assignedPlayers"] = { "x" } }, "junk" }, ["column2"] = { { ["name"] = "B" } }, ["extra"] = 1 }, ["G"] = "oops" }, ["X"] = { ["Y"] = {} } },
	},
	["encounterAssignments"] = { ["R"] = { ["E"] = { [2] = { "p", ["k"] = 1 }, [9] = { "ghost" }, ["s"] = "t" } } },
	["encounterAnnouncements"] = { ["R"] = { ["E"] = "text" } },
	["schemaVersion"] = "v1",
	["v2"] = { ["dualWriteKey"] = "dualValue" },
}
