
OGRH_SV = {
	["schemaVersion"] = "v2",
	["v2"] = {
		["consumes"] = {
			[1] = {
				["primaryName"] = "Flask of the Titans",
			},
		},
		["encounterMgmt"] = {
			["raids"] = {
				[1] = {
					["encounters"] = {
						[1] = {
							["announcements"] = {
								[1] = "[R1.P1] tanks skull",
							},
							["name"] = "Lucifron",
							["roles"] = {
								[1] = {
									["assignedPlayers"] = {
										[1] = "Tankadin",
										[2] = "Warbob",
									},
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
									},
									["name"] = "Main Tank",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
									},
									["slots"] = 2,
								},
								[2] = {
									["assignedPlayers"] = {
										[1] = "Holyfox",
									},
									["name"] = "Healers",
									["slots"] = 1,
								},
							},
						},
						[2] = {
							["name"] = "Magmadar",
							["roles"] = {
								[1] = {
									["assignedPlayers"] = {
										[1] = "Warbob",
									},
									["name"] = "Main Tank",
									["slots"] = 1,
								},
							},
						},
					},
					["name"] = "MC",
				},
				[2] = {
					["encounters"] = {
						[1] = {
							["name"] = "Razorgore",
							["roles"] = {
								[1] = {
									["assignedPlayers"] = {
										[1] = "Mindy",
									},
									["name"] = "Orb",
									["slots"] = 1,
								},
							},
						},
					},
					["name"] = "BWL",
				},
			},
		},
	},
}
OGRH_Other = {
	["note"] = "kept",
}
