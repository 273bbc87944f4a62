-- Factory-default data of OG-RaidHelper (zanthor/OG-RaidHelper, _Core/Defaults.lua),
-- as a WoW SavedVariables file.
--
-- MIT License. Copyright (c) 2025 zanthor.
-- Permission is hereby granted, free of charge, to any person obtaining a copy of this
-- software and associated documentation files (the "Software"), to deal in the Software
-- without restriction, including without limitation the rights to use, copy, modify,
-- merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
-- permit persons to whom the Software is furnished to do so, subject to the following
-- conditions: The above copyright notice and this permission notice shall be included
-- in all copies or substantial portions of the Software.
-- THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
-- INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
-- PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
-- HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
-- CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE
-- OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

OGRH_SV = {
	["schemaVersion"] = "v2",
	["v2"] = {
		["consumes"] = {
			[1] = {
				["primaryId"] = 13461,
				["primaryName"] = "Greater Arcane Protection Potion",
			},
			[2] = {
				["primaryId"] = 13457,
				["primaryName"] = "Greater Fire Protection Potion",
				["secondaryId"] = 6049,
				["secondaryName"] = "Fire Protection Potion",
			},
			[3] = {
				["primaryId"] = 13456,
				["primaryName"] = "Greater Frost Protection Potion",
				["secondaryId"] = 6050,
				["secondaryName"] = "Frost Protection Potion",
			},
			[4] = {
				["primaryId"] = 13458,
				["primaryName"] = "Greater Nature Protection Potion",
				["secondaryId"] = 6052,
				["secondaryName"] = "Nature Protection Potion",
			},
			[5] = {
				["primaryId"] = 13459,
				["primaryName"] = "Greater Shadow Protection Potion",
				["secondaryId"] = 6048,
				["secondaryName"] = "Shadow Protection Potion",
			},
			[6] = {
				["primaryId"] = 9036,
				["primaryName"] = "Magic Resistance Potion",
			},
			[7] = {
				["primaryId"] = 3387,
				["primaryName"] = "Limited Invulnerability Potion",
			},
		},
		["encounterMgmt"] = {
			["raids"] = {
				[1] = {
					["advancedSettings"] = {
						["bigwigs"] = {
							["autoAnnounce"] = false,
							["enabled"] = 1,
							["raidZone"] = "MC",
							["raidZones"] = {
								[1] = "MC",
								[2] = "Molten Core",
							},
						},
						["consumeTracking"] = {
							["enabled"] = 1,
							["readyThreshold"] = 87,
							["requiredFlaskRoles"] = {
								["Healers"] = false,
								["Melee"] = false,
								["Ranged"] = false,
								["Tanks"] = false,
							},
						},
					},
					["encounters"] = {
						[1] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Core Hound",
									["encounterIds"] = {
										[1] = "Core Hound",
										[2] = "Flame Imp",
										[3] = "Lava Surger",
										[4] = "Ancient Core Hound",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] healed by [R2.P1]",
								[2] = "[R1.M2] [R1.P2] healed by [R2.P2]",
								[3] = "[&[R1.M3] [R1.P3] healed by [R2.P3]]",
								[4] = "[&[R1.M4] [R1.P4] healed by [R2.P4]]",
								[5] = "[[R2.P5] [R2.P6]  on raid heals.]",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Tanks and Heals",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
										[2] = {
										},
										[3] = {
										},
										[4] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
											},
											["Hunter"] = {
											},
											["Mage"] = {
											},
											["Paladin"] = {
											},
											["Priest"] = {
											},
											["Rogue"] = {
											},
											["Shaman"] = {
											},
											["Warlock"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
											[2] = "Priest",
										},
										[2] = {
											[1] = "Paladin",
											[2] = "Priest",
										},
										[3] = {
											[1] = "Paladin",
											[2] = "Priest",
										},
										[4] = {
											[1] = "Paladin",
											[2] = "Priest",
										},
										[5] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
										[6] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[5] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											["Druid"] = {
												["Healers"] = true,
											},
											["Hunter"] = {
											},
											["Paladin"] = {
											},
											["Priest"] = {
											},
											["Shaman"] = {
												["Healers"] = true,
											},
											["Warrior"] = {
											},
										},
										[6] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											["Druid"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Healers",
									["roleId"] = 2,
									["slots"] = 6,
								},
							},
						},
						[2] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Incindis",
									["encounterIds"] = {
										[1] = "Incindis",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1] ",
								[2] = "[R2.P1] [R2.P2] pick up adds, DO NOT DPS ADDS.",
								[3] = "Zug down the boss, run out when you get pulled in.",
								[4] = "Don't forget to loot your quest items.",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Incindis",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
										},
										[2] = {
											[1] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											[1] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Add Tank",
									["roleId"] = 2,
									["slots"] = 2,
								},
							},
						},
						[3] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Garr",
									["encounterIds"] = {
										[1] = "Garr",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "[R2.P1] pulls, LET THEM GET AGRO!",
								[3] = "[R2.P2] spams dispel, [R2.P3] heals [R2.P1]",
								[4] = "Once Garr dies RANGED AOE down adds when [R2.P1] calls for it.",
								[5] = "([R2.P1] I sure hope you have a Runed Wardstone...)",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Garr",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Garr",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
											[2] = "Shaman",
											[3] = "Druid",
											[4] = "Warrior",
										},
										[2] = {
											[1] = "Priest",
											[2] = "Priest",
											[3] = "Paladin",
											[4] = "Paladin",
											[5] = "Paladin",
										},
										[3] = {
											[1] = "Paladin",
											[2] = "Priest",
											[3] = "Druid",
											[4] = "Shaman",
										},
										[4] = {
											[1] = "Warlock",
											[2] = "Warrior",
											[3] = "Paladin",
										},
										[5] = {
											[1] = "Warlock",
										},
										[6] = {
											[1] = "Warlock",
										},
										[7] = {
											[1] = "Warlock",
										},
										[8] = {
											[1] = "Warlock",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Tanks"] = true,
											},
											[5] = {
											},
											["Paladin"] = {
												["Melee"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
										[2] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Ranged"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Melee"] = true,
											},
											[5] = {
												["Healers"] = true,
											},
											[6] = {
											},
											["Paladin"] = {
												["Melee"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
										[3] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											[3] = {
												["Healers"] = true,
											},
											[4] = {
												["Healers"] = true,
											},
											[5] = {
											},
											["Paladin"] = {
												["Melee"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
										[4] = {
											["Paladin"] = {
												["Melee"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
										[7] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[8] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Priest"] = {
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["invertFillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Adds",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
										[5] = 4,
										[6] = 3,
										[7] = 2,
										[8] = 1,
									},
									["roleId"] = 2,
									["slots"] = 3,
								},
							},
						},
						[4] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Baron Geddon",
									["encounterIds"] = {
										[1] = "Baron Geddon",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "If you get the bomb run to the left wall and explode in a clean spot!",
								[3] = "Dispel/Decurse as needed!",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Baron Geddon",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Baron Geddon",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13457,
											["primaryName"] = "Greater Fire Protection Potion",
											["secondaryId"] = 6049,
											["secondaryName"] = "Fire Protection Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[5] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Shazzrah",
									["encounterIds"] = {
										[1] = "Shazzrah",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks Shazzrah",
								[2] = "[R1.M2] [R1.P2] left / [R1.M3] [R1.P3] right blink tank.",
								[3] = "Ranged/healers stack on [R1.M2] and [R1.M3] - tanks will taunt and drag back to [R1.P1]",
								[4] = "Take your [R2.C1]",
								[5] = "Stop casting before counterspell or be silenced!",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Shazzrah",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["markPlayer"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[2] = 3,
										[3] = 5,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 3,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13461,
											["primaryName"] = "Greater Arcane Protection Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[6] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Sulfuron Harbinger",
									["encounterIds"] = {
										[1] = "Sulfuron Harbinger",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1] pull off to side, stack the adds.",
								[2] = "[R2.M1] [R2.P1] / [R3.A=1] interrupt heals.",
								[3] = "[R2.M2] [R2.P2] / [R3.A=2] interrupt heals.",
								[4] = "[R2.M3] [R2.P3] / [R3.A=3] interrupt heals.",
								[5] = "[R2.M4] [R2.P4] / [R3.A=4] interrupt heals.",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Sulfuron",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Sulfuron",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[3] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Adds",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[3] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 1,
										[6] = 2,
										[7] = 3,
										[8] = 4,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Shaman",
											[4] = "Mage",
										},
										[2] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[4] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[5] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[6] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[7] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[8] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Mage",
											[4] = "Shaman",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[2] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[3] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[4] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[5] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[6] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[7] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[8] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["melee"] = 1,
									},
									["fillOrder"] = 3,
									["name"] = "Consumes",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
										[5] = 8,
										[6] = 7,
										[7] = 6,
										[8] = 5,
									},
									["roleId"] = 3,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 8,
								},
							},
						},
						[7] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Golemagg the Incinerator",
									["encounterIds"] = {
										[1] = "Golemagg the Incinerator",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "[R2.P1] [R2.P3] left dog, [R2.P2] [R2.P4] right dog.",
								[3] = "Rotate doggy taunts when they get angry and/or come back!",
								[4] = "All DPS on Golemagg!",
								[5] = "",
							},
							["name"] = "Golemagg",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Golemagg",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
										},
										[2] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[2] = {
											[1] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Offtanks",
									["raidMarks"] = {
										[1] = 7,
										[2] = 6,
										[3] = 7,
										[4] = 6,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
							},
						},
						[8] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Lucifron",
									["encounterIds"] = {
										[1] = "Lucifron",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] tanks [R1.T]",
								[2] = "[&[R2.M1] [R2.P1]]",
								[3] = "[&[R2.M2] [R2.P2]]",
								[4] = "Kill Lucifron first then the adds.",
								[5] = "Dispell and Decurse if you can!  Sheep the MC's, do not kill them!",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Lucifron",
							["roles"] = {
								[1] = {
									["assignmentNumbers"] = {
										[1] = 1,
									},
									["classPriority"] = {
										[1] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Lucifron",
									["raidMarks"] = {
										[1] = 8,
									},
									["roleId"] = 1,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Off Tanks",
									["raidMarks"] = {
										[1] = 6,
										[2] = 7,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
							},
						},
						[9] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Magmadar",
									["encounterIds"] = {
										[1] = "Magmadar",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "[R2.P1] fear ward [R1.P1][, [R2.P2] fear ward yourself.]",
								[3] = "[[R2.P3] backup fear ward (Tank or Healer)]",
								[4] = "Everyone else remember: FIRE BAD!",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Magmadar",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Magmadar",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
											[2] = "Priest",
										},
										[2] = {
											[1] = "Priest",
										},
										[3] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Ranged"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
										},
										[2] = {
											[1] = {
												["Healers"] = true,
											},
										},
										[3] = {
											[1] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Fear Ward",
									["roleId"] = 2,
									["slots"] = 3,
								},
							},
						},
						[10] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Twin Golems",
									["encounterIds"] = {
										[1] = "Twin Golems",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] tanks [R1.T] ",
								[2] = "[R2.M1] [R2.P1] tanks [R2.T]",
								[3] = "Let the tanks get some threat before DPS!",
								[4] = "Mages detect magic ASAP!",
								[5] = "Rotate DPS to called target for effective DPS.",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Golem Twins",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Basalthar",
									["raidMarks"] = {
										[1] = 7,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Smoldaris",
									["raidMarks"] = {
										[1] = 8,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
							},
						},
						[11] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Sorcerer-Thane Thaurissan",
									["encounterIds"] = {
										[1] = "Sorcerer-Thane Thaurissan",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T] ([R1.P2] backup tank!)",
								[2] = "[R2.P1] picks up the [R2.T] ",
								[3] = "Combustion (Yellow) IN / Detonation (BLUE)  OUT",
								[4] = "Stay away from the edges so you don't get yeeted into the lava!",
								[5] = "Don't forget to loot your quest item!",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Thane",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
										[2] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											["Druid"] = {
											},
											["Warrior"] = {
											},
										},
										[2] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											["Druid"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Thane",
									["roleId"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Illusion",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[12] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Majordomo Executus",
									["encounterIds"] = {
										[1] = "Majordomo Executus",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "[R2.M1] [R2.P1] / [R2.M2] [R2.P2]",
								[3] = "[R2.M3] [R2.P3] / [R2.M4] [R2.P4]",
								[4] = "[R2.M5] [R2.P5] / [R2.M6] [R2.P6]",
								[5] = "[R2.M7] [R2.P7] / [R2.M8] [R2.P8]",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Majordomo",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["name"] = "Majordomo",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[4] = {
										},
										[5] = {
											[1] = "Mage",
										},
										[6] = {
											[1] = "Mage",
										},
										[7] = {
											[1] = "Hunter",
										},
										[8] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[7] = {
											[1] = {
											},
											["Hunter"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[8] = {
											[1] = {
											},
											["Hunter"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["name"] = "Offtanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 4,
										[4] = 1,
										[5] = 5,
										[6] = 6,
										[7] = 2,
										[8] = 3,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 8,
								},
							},
						},
						[13] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Ragnaros",
									["encounterIds"] = {
										[1] = "Ragnaros",
									},
								},
								["consumeTracking"] = {
									["enabled"] = false,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "Tanks are marked for visiblity, at 50% bring the adds to the Tanks.",
								[2] = "Melee out for knockbacks.",
								[3] = "",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Ragnaros",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["markPlayer"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
										[5] = 4,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 5,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13457,
											["primaryName"] = "Greater Fire Protection Potion",
											["secondaryId"] = 6049,
											["secondaryName"] = "Fire Protection Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
					},
					["name"] = "Molten Core",
				},
				[2] = {
					["advancedSettings"] = {
						["bigwigs"] = {
							["autoAnnounce"] = false,
							["enabled"] = 1,
							["raidZone"] = "Blackwing Lair",
							["raidZones"] = {
								[1] = "Blackwing Lair",
							},
						},
						["consumeTracking"] = {
							["enabled"] = 1,
							["readyThreshold"] = 86,
							["requiredFlaskRoles"] = {
								["Healers"] = 1,
								["Melee"] = 1,
								["Ranged"] = 1,
								["Tanks"] = 1,
							},
						},
					},
					["encounters"] = {
						[1] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Razorgore the Untamed",
									["encounterIds"] = {
										[1] = "Razorgore the Untamed",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T][& /  [R4.P1] starts on [R4.T]]",
								[2] = "[R2.T] [R2.P1] [R2.P2] healed by [R3.P1] [R3.P3] ",
								[3] = "[R5.T] [R5.P1] [R5.P2] healed by [R3.P2] [R3.P4]",
								[4] = "Odd Far Side, Even Near Side, [R4.P1] call out when 3 eggs remain and [R1.P1] will take over.",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Razorgore",
							["roles"] = {
								[1] = {
									["allowOtherRoles"] = 1,
									["assignmentNumbers"] = {
										[1] = 0,
									},
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Razorgore",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 5,
									},
									["markPlayer"] = 1,
									["name"] = "Near Side Tanks",
									["roleId"] = 2,
									["slots"] = 2,
								},
								[3] = {
									["column"] = 1,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 6,
									},
									["name"] = "Near Healers",
									["roleId"] = 3,
									["slots"] = 8,
								},
								[4] = {
									["allowOtherRoles"] = 1,
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
											[2] = "Warlock",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
											},
											["Hunter"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["dps"] = 1,
										["ranged"] = 1,
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Orb",
									["roleId"] = 4,
									["slots"] = 1,
								},
								[5] = {
									["classPriority"] = {
										[2] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 5,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
									},
									["name"] = "Far Side Tanks",
									["roleId"] = 5,
									["slots"] = 2,
								},
								[6] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 6,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 3,
									},
									["name"] = "Far Healers",
									["roleId"] = 6,
									["slots"] = 8,
								},
							},
						},
						[2] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Vaelastrasz the Corrupt",
									["encounterIds"] = {
										[1] = "Vaelastrasz the Corrupt",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "Give [R1.P1] three seconds to get initial threat!",
								[3] = "If you get burning adrenaline move to the pillar and die gracefully!",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Vael",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Vaelastrasz",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13457,
											["primaryName"] = "Greater Fire Protection Potion",
											["secondaryId"] = 6049,
											["secondaryName"] = "Fire Protection Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = true,
									["isCustomModule"] = false,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[3] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
									["encounterIds"] = {
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] / [R1.M2] [R1.P2]",
								[2] = "[R1.M3] [R1.P3] / [R1.M4] [R1.P4]",
								[3] = "[R3.M1] [R3.P1] / [R3.M2] [R3.P2] sleepy dragons!",
								[4] = "[R2.M1] [R2.P1] kites [R3.T]",
								[5] = "No AOE until the captain is clear!",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Vael Trash",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
											},
											["Hunter"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Kite",
									["raidMarks"] = {
										[1] = 1,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Druid",
											[3] = "Druid",
										},
										[2] = {
											[1] = "Druid",
											[2] = "Druid",
											[3] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											["Druid"] = {
											},
										},
										[2] = {
											[1] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Healers"] = true,
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Sleep",
									["raidMarks"] = {
										[1] = 2,
										[2] = 3,
									},
									["roleId"] = 3,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
							},
						},
						[4] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Broodlord Lashlayer",
									["encounterIds"] = {
										[1] = "Broodlord Lashlayer",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] pulls [R1.T]",
								[2] = "[R1.P] fight for 2nd threat, DPS watch your Threat!",
								[3] = "Threat drops will get DPS killed!",
								[4] = "",
								[5] = "",
							},
							["name"] = "Broodlord",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Broodlord",
									["roleId"] = 1,
									["slots"] = 4,
								},
							},
						},
						[5] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
									["encounterIds"] = {
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] / [R1.M2] [R1.P2]",
								[2] = "[R1.M3] [R1.P3] / [R3.M1] [R3.P1]",
								[3] = "[R2.T] [R2.P1]",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Techies",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Shaman",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Spellbinder",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
									},
									["roleId"] = 3,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["allowOtherRoles"] = 1,
									["classPriority"] = {
										[1] = {
										},
										[2] = {
										},
										[3] = {
										},
										[4] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Tanks"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tanks",
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 3,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Mage",
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Techie Snack",
									["raidMarks"] = {
										[1] = 5,
									},
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[6] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Firemaw",
									["encounterIds"] = {
										[1] = "Firemaw",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P]",
								[2] = "[R2.T] [R2.P]",
								[3] = "Tanks get your Onyxia Cloaks on - DPS watch your threat!",
								[4] = "Watch your debuff stacks and LOS to clear them!",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Firemaw",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
									},
									["name"] = "Tank Group 1",
									["roleId"] = 1,
									["slots"] = 3,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
									},
									["name"] = "Tank Group 2",
									["roleId"] = 2,
									["slots"] = 3,
								},
								[3] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13457,
											["primaryName"] = "Greater Fire Protection Potion",
											["secondaryId"] = 6049,
											["secondaryName"] = "Fire Protection Potion",
										},
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = true,
									["isCustomModule"] = false,
									["name"] = "Consumes",
									["roleId"] = 3,
									["slots"] = 1,
								},
							},
						},
						[7] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] pulls all.",
								[2] = "[R1.M2] [R1.P2] / [R1.M3] [R1.P3]",
								[3] = "[R1.M4] [R1.P4] tanks [R1.T]",
								[4] = "[R2.P1] pulls [R1.M4] to [R1.P4]",
							},
							["name"] = "Wyrmguard x1",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Wyrmguard",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 2,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
											},
											["Hunter"] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Hunter",
									["raidMarks"] = {
										[1] = 2,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
							},
						},
						[8] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] / [R1.M2] [R1.P2]",
								[2] = "[R1.M3] [R1.P3] ",
								[3] = "[R3.M1] [R3.P1] / [R3.M2] [R3.P2]",
								[4] = "[R2.T] [R2.P1]",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Techies2",
							["roles"] = {
								[1] = {
									["allowOtherRoles"] = 1,
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Shaman",
										},
										[2] = {
											[1] = "Druid",
											[2] = "Shaman",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Spellbinder",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
									},
									["roleId"] = 3,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["allowOtherRoles"] = 1,
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tanks",
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 3,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Mage",
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Techie Snack",
									["raidMarks"] = {
										[1] = 5,
										[2] = 1,
									},
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[9] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] [ pulled by [R2.P1]]",
								[2] = "[R1.M2] [R1.P2] [ pulled by [R2.P2]]",
								[3] = "[R1.M3] [R1.P3] [ pulled by [R2.P3]]",
								[4] = "",
							},
							["name"] = "Wyrmguard x3",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
										[2] = {
										},
										[3] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 3,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
										},
										[2] = {
											[1] = "Hunter",
										},
										[3] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
											},
											["Hunter"] = {
											},
										},
										[2] = {
											["Hunter"] = {
											},
										},
										[3] = {
											["Hunter"] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Pullers",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 3,
								},
							},
						},
						[10] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Ebonroc",
									["encounterIds"] = {
										[1] = "Ebonroc",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] pulls Ebonroc",
								[2] = "[R1.P] Left Wall (Facing Corner)",
								[3] = "[R2.P] Right Wall",
								[4] = "Taunt away from tank with Shadow of Ebonroc",
							},
							["name"] = "Ebonroc",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
									},
									["name"] = "Ebonroc",
									["roleId"] = 1,
									["slots"] = 3,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
									},
									["name"] = "Ebonroc",
									["roleId"] = 2,
									["slots"] = 3,
								},
							},
						},
						[11] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Flamegor",
									["encounterIds"] = {
										[1] = "Flamegor",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] pulls Ebonroc after [R3.P1] PW:Shield",
								[2] = "[R1.P] Left Wall (Facing Corner)",
								[3] = "[R2.P] Right Wall",
								[4] = "Taunt on cooldown to keep max threat.",
								[5] = "[R4.T] [R4.P]",
							},
							["name"] = "Flamegor",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
									},
									["name"] = "Flamegor",
									["roleId"] = 1,
									["slots"] = 3,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
									},
									["name"] = "Flamegor",
									["roleId"] = 2,
									["slots"] = 3,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Shield",
									["roleId"] = 3,
									["slots"] = 1,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
											[2] = "Hunter",
										},
										[2] = {
											[1] = "Hunter",
											[2] = "Hunter",
										},
										[3] = {
											[1] = "Hunter",
										},
										[4] = {
											[1] = "Hunter",
										},
										[5] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Ranged"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
										},
										[2] = {
											[1] = {
												["Ranged"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
										},
										[3] = {
											[1] = {
											},
										},
										[4] = {
											[1] = {
											},
										},
										[5] = {
											[1] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tranq Shot Order",
									["roleId"] = 4,
									["slots"] = 5,
								},
							},
						},
						[12] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Chromaggus",
									["encounterIds"] = {
										[1] = "Chromaggus",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T]",
								[2] = "[R3.P] hide if we get [R3.T] (all others stay out)!",
								[3] = "Open trade with [R2.M1] [R2.P1] if you have less than 5 sand!",
								[4] = "[R4.T] [R4.P]",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Chromag",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Chromaggus",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["markPlayer"] = 1,
									["name"] = "Sand Monkey",
									["raidMarks"] = {
										[1] = 5,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
								[3] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 1,
										[3] = 1,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Paladin",
											[3] = "Warrior",
											[4] = "Shaman",
										},
										[2] = {
											[1] = "Druid",
											[2] = "Paladin",
											[3] = "Priest",
											[4] = "Shaman",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Healers"] = true,
											},
											[3] = {
												["Ranged"] = true,
											},
											[4] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Time Lapse",
									["roleId"] = 3,
									["slots"] = 2,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
											[1] = "Hunter",
											[2] = "Hunter",
										},
										[2] = {
											[1] = "Hunter",
											[2] = "Hunter",
										},
										[3] = {
											[1] = "Hunter",
										},
										[4] = {
											[1] = "Hunter",
										},
										[5] = {
											[1] = "Hunter",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Ranged"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
										},
										[2] = {
											[1] = {
												["Ranged"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
										},
										[3] = {
											[1] = {
											},
										},
										[4] = {
											[1] = {
											},
										},
										[5] = {
											[1] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tranq Shot order",
									["roleId"] = 4,
									["slots"] = 5,
								},
							},
						},
						[13] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "Everyone stacks near throne cubby, don't kill MC Victims!",
								[2] = "[R1.T] [R1.P]",
								[3] = "[R3.T] [R3.P]",
								[4] = "[R2.T] [R2.P]",
								[5] = "Don't forget you can LOS the fear using the fire pot and the pillar!",
							},
							["name"] = "Nefarion",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
											[2] = "Shaman",
											[3] = "Druid",
										},
										[2] = {
											[1] = "Shaman",
											[2] = "Shaman",
										},
										[3] = {
											[1] = "Priest",
											[2] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[3] = {
											[1] = {
												["Healers"] = true,
											},
											[2] = {
												["Ranged"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Landing Party",
									["roleId"] = 1,
									["slots"] = 3,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Mage",
										},
										[2] = {
											[1] = "Mage",
										},
										[3] = {
											[1] = "Mage",
										},
										[4] = {
											[1] = "Mage",
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Polyclub",
									["roleId"] = 2,
									["slots"] = 4,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Warrior",
											[2] = "Warrior",
											[3] = "Druid",
											[4] = "Druid",
										},
										[2] = {
											[1] = "Warrior",
											[2] = "Warrior",
											[3] = "Druid",
											[4] = "Druid",
										},
										[3] = {
											[1] = "Druid",
											[2] = "Druid",
										},
										[4] = {
											[1] = "Druid",
											[2] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Melee"] = true,
											},
											[5] = {
											},
											[6] = {
											},
										},
										[2] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Melee"] = true,
											},
										},
										[3] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
										},
										[4] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Melee"] = true,
											},
											[3] = {
											},
											[4] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Skelly Tanks",
									["roleId"] = 3,
									["slots"] = 4,
								},
							},
						},
					},
					["name"] = "BWL",
				},
				[3] = {
					["advancedSettings"] = {
						["bigwigs"] = {
							["autoAnnounce"] = false,
							["enabled"] = 1,
							["raidZone"] = "Ahn'Qiraj",
							["raidZones"] = {
								[1] = "Ahn'Qiraj",
							},
						},
						["consumeTracking"] = {
							["enabled"] = 1,
							["readyThreshold"] = 85,
							["requiredFlaskRoles"] = {
								["Healers"] = false,
								["Melee"] = false,
								["Ranged"] = false,
								["Tanks"] = false,
							},
						},
					},
					["encounters"] = {
						[1] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Anubisath Sentinel",
									["encounterIds"] = {
										[1] = "Anubisath Sentinel",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] healed by [R2.P1]",
								[2] = "[R1.M2] [R1.P2] healed by [R2.P2]",
								[3] = "[R1.M3] [R1.P3] healed by [R2.P3]",
								[4] = "[R1.M4] [R1.P4] healed by [R2.P4]",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Tanks and Heals",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[2] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[3] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[4] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Healers",
									["roleId"] = 2,
									["slots"] = 4,
								},
							},
						},
						[2] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "The Prophet Skeram",
									["encounterIds"] = {
										[1] = "The Prophet Skeram",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks [R1.T] (center)",
								[2] = "[R4.P1] [R4.T] / [R5.P1] [R5.T]",
								[3] = "[R6.P] pick up [R1.T] when tanks get MC'd.",
								[4] = "If you pull agro jump down!",
								[5] = "Chug that [R3.C1]!",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Skeram",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Skeram",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13461,
											["primaryName"] = "Greater Arcane Protection Potion",
										},
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 3,
									["slots"] = 1,
								},
								[3] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tanks Left",
									["roleId"] = 4,
									["slots"] = 1,
								},
								[4] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 5,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tanks Right",
									["roleId"] = 5,
									["slots"] = 1,
								},
								[5] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 6,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "pick up",
									["roleId"] = 6,
									["slots"] = 2,
								},
								[6] = {
								},
							},
						},
						[3] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Qiraji Brainwasher",
									["encounterIds"] = {
										[1] = "Qiraji Brainwasher",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P] poly the mind controls ASAP!",
								[2] = "",
								[3] = "",
								[4] = "",
							},
							["name"] = "Brainwasher",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Mage",
										},
										[2] = {
											[1] = "Mage",
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Polycule",
									["roleId"] = 1,
									["slots"] = 2,
								},
							},
						},
						[4] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "Kill the warriors at the same time - wait for AOE TAUNT on adds then go nuts!",
								[2] = "Who's shout is up? [R1.P]",
							},
							["name"] = "Warriors",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Warrior",
											[2] = "Druid",
											[3] = "Druid",
											[4] = "Druid",
										},
										[2] = {
											[1] = "Warrior",
											[2] = "Druid",
											[3] = "Druid",
											[4] = "Druid",
										},
										[3] = {
											[1] = "Warrior",
											[2] = "Druid",
											[3] = "Druid",
											[4] = "Druid",
										},
										[4] = {
											[1] = "Warrior",
											[2] = "Druid",
											[3] = "Druid",
											[4] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Melee"] = true,
											},
											[4] = {
												["Ranged"] = true,
											},
										},
										[2] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Ranged"] = true,
											},
											[4] = {
												["Melee"] = true,
											},
										},
										[3] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Melee"] = true,
											},
											[4] = {
												["Ranged"] = true,
											},
										},
										[4] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Melee"] = true,
											},
											[4] = {
												["Ranged"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Shout",
									["roleId"] = 1,
									["slots"] = 4,
								},
							},
						},
						[5] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "The Bug Family",
									["encounterIds"] = {
										[1] = "The Bug Family",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1]",
								[2] = "[R1.M2] [R1.P2]",
								[3] = "[R1.M3] [R1.P3]",
								[4] = "[R2.A=1] interupt Princess Yauj",
								[5] = "[R1.P4] help tank Yauj!",
								[6] = "Kill Order: [R1.M1] [R1.M2] [R1.M3]",
								[7] = "For the love of frog FOLLOW THE KILL ORDER!",
								[8] = "",
							},
							["name"] = "Bug Trio",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 1,
										[3] = 1,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Shaman",
											[4] = "Mage",
										},
										[2] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Shaman",
											[4] = "Mage",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Warrior",
											[3] = "Shaman",
											[4] = "Mage",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[2] = {
												["Melee"] = true,
											},
											[3] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
										[2] = {
											[2] = {
												["Melee"] = true,
											},
											[3] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
										[3] = {
											[2] = {
												["Melee"] = true,
											},
											[3] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
												["Melee"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["melee"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Kicks",
									["roleId"] = 2,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
							},
						},
						[6] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Battleguard Sartura",
									["encounterIds"] = {
										[1] = "Battleguard Sartura",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M4] [R1.P4] on Sartura",
								[2] = "[R1.M1] [R1.P1] / [R1.M2] [R1.P2]  /  [R1.M3] [R1.P3] ",
								[3] = "Tanks stun on pull, once the adds are down taunt Sartura on cooldown.",
								[4] = "LIPS SAVES LIVES",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Sartura",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 3387,
											["primaryName"] = "Limited Invulnerability Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[7] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Fankriss the Unyielding",
									["encounterIds"] = {
										[1] = "Fankriss the Unyielding",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.M1] [R1.P1]",
								[2] = "[R2.T] [R2.M1] [R2.P1] tanks on the bugs ass, stack up and murder the worms when they spawn!",
								[3] = "",
								[4] = "",
							},
							["name"] = "Fankriss",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["markPlayer"] = 1,
									["name"] = "Main Tank",
									["raidMarks"] = {
										[1] = 8,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["markPlayer"] = 1,
									["name"] = "Off Tank",
									["raidMarks"] = {
										[1] = 7,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
							},
						},
						[8] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Viscidus",
									["encounterIds"] = {
										[1] = "Viscidus",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1], everyone watch for poison clouds!",
								[2] = "If you can cure poison DO IT!",
								[3] = "NR Gear, Frost Weapons, Speed > Anything else here!",
								[4] = "",
							},
							["name"] = "Viscidus",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["allowAlternate"] = 1,
											["primaryId"] = 13458,
											["primaryName"] = "Greater Nature Protection Potion",
											["secondaryId"] = 6052,
											["secondaryName"] = "Nature Protection Potion",
										},
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 4,
									["slots"] = 1,
								},
							},
						},
						[9] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Princess Huhuran",
									["encounterIds"] = {
										[1] = "Princess Huhuran",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1] tanks, give him extra time for threat at the start!",
								[2] = "Equip your Barov Peasant Caller and use it at 35%!!",
								[3] = "Keep healing after the fights over.",
							},
							["name"] = "Huhuran",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
							},
						},
						[10] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "The Twin Emperors",
									["encounterIds"] = {
										[1] = "The Twin Emperors",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P] healed by [R2.P]",
								[2] = "[R4.T] [R4.P] healed by [R5.P]",
								[3] = "[R3.C1] saves lives!",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Twins",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[2] = {
											[1] = "Warlock",
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["markPlayer"] = 1,
									["name"] = "Left Tanks",
									["roleId"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Left Healers",
									["roleId"] = 2,
									["slots"] = 2,
								},
								[3] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 1,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13456,
											["primaryName"] = "Greater Frost Protection Potion",
											["secondaryId"] = 6050,
											["secondaryName"] = "Frost Protection Potion",
										},
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = true,
									["isCustomModule"] = false,
									["name"] = "Consumes",
									["roleId"] = 3,
									["slots"] = 1,
								},
								[4] = {
									["classPriority"] = {
										[2] = {
											[1] = "Warlock",
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 4,
									["markPlayer"] = 1,
									["name"] = "Right Tanks",
									["roleId"] = 4,
									["slots"] = 2,
								},
								[5] = {
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 5,
									["name"] = "Right Healers",
									["roleId"] = 5,
									["slots"] = 2,
								},
							},
						},
						[11] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "Ouro",
									["encounterIds"] = {
										[1] = "Ouro",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = " [R1.P1] is [R1.T]",
								[2] = "[R2.P] fight for 2nd threat!",
								[3] = "",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Ouro",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Off Tanks",
									["roleId"] = 2,
									["slots"] = 3,
								},
							},
						},
						[12] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = 1,
									["enabled"] = 1,
									["encounterId"] = "C'Thun",
									["encounterIds"] = {
										[1] = "C'Thun",
									},
								},
								["consumeTracking"] = {
									["enabled"] = 1,
									["readyThreshold"] = 85,
									["requiredFlaskRoles"] = {
										["Healers"] = false,
										["Melee"] = false,
										["Ranged"] = false,
										["Tanks"] = false,
									},
								},
							},
							["announcements"] = {
								[1] = "Zone 1: [R1.M1] [R1.A=1] [R3.A=1] [R4.A=1]",
								[2] = "Zone 2: [R1.M2] [R1.A=2] [R3.A=2] [R4.A=2]",
								[3] = "Zone 3: [R1.M3] [R1.A=3] [R3.A=3] [R4.A=3]",
								[4] = "Zone 4: [R1.M4] [R1.A=4] [R3.A=4] [R4.A=4]",
								[5] = "Zone 5: [R1.M5] [R1.A=5] [R3.A=5] [R4.A=5]",
								[6] = "Zone 6: [R1.M6] [R1.A=6] [R3.A=6] [R4.A=6]",
								[7] = "Zone 7: [R1.M7] [R1.A=7] [R3.A=7] [R4.A=7]",
								[8] = "Zone 8: [R1.M8] [R1.A=8] [R3.A=8] [R4.A=8]",
							},
							["name"] = "C'thun",
							["roles"] = {
								[1] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 1,
										[10] = 2,
										[11] = 3,
										[12] = 4,
										[13] = 5,
										[14] = 6,
										[15] = 7,
										[16] = 8,
										[17] = 1,
										[18] = 2,
										[19] = 3,
										[20] = 4,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
											[3] = "Paladin",
											[4] = "Shaman",
										},
										[2] = {
										},
										[3] = {
											[1] = "Druid",
											[2] = "Warrior",
											[3] = "Paladin",
											[4] = "Shaman",
										},
										[4] = {
										},
										[5] = {
										},
										[6] = {
										},
										[7] = {
											[1] = "Druid",
											[2] = "Rogue",
										},
										[8] = {
										},
										[9] = {
											[1] = "Druid",
											[2] = "Warrior",
											[3] = "Paladin",
											[4] = "Shaman",
										},
										[11] = {
											[1] = "Druid",
											[2] = "Warrior",
											[3] = "Paladin",
											[4] = "Shaman",
											[5] = "Druid",
											[6] = "Rogue",
										},
										[15] = {
											[1] = "Druid",
											[2] = "Rogue",
										},
										[17] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[3] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Tanks"] = true,
											},
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[5] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[6] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[7] = {
											[1] = {
												["Melee"] = true,
											},
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[8] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[9] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Tanks"] = true,
											},
										},
										[11] = {
											[1] = {
												["Tanks"] = true,
											},
											[2] = {
												["Tanks"] = true,
											},
											[3] = {
												["Tanks"] = true,
											},
											[4] = {
												["Tanks"] = true,
											},
											[5] = {
												["Melee"] = true,
											},
											[6] = {
											},
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[15] = {
											[1] = {
												["Melee"] = true,
											},
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[17] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["melee"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["markPlayer"] = 1,
									["name"] = "Melee",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
										[5] = 4,
										[6] = 3,
										[7] = 2,
										[8] = 1,
									},
									["roleId"] = 1,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 20,
								},
								[2] = {
									["assignmentNumbers"] = {
										[1] = 2,
										[2] = 4,
										[3] = 5,
										[4] = 6,
										[5] = 7,
										[6] = 8,
										[7] = 1,
										[8] = 2,
										[9] = 3,
										[10] = 4,
										[11] = 5,
										[12] = 6,
										[13] = 7,
										[14] = 8,
										[15] = 1,
									},
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 1,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13459,
											["primaryName"] = "Greater Shadow Protection Potion",
											["secondaryId"] = 6048,
											["secondaryName"] = "Shadow Protection Potion",
										},
										[2] = {
											["allowAlternate"] = 1,
											["primaryId"] = 13458,
											["primaryName"] = "Greater Nature Protection Potion",
											["secondaryId"] = 6052,
											["secondaryName"] = "Nature Protection Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = 1,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 2,
								},
								[3] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 1,
										[10] = 2,
										[11] = 3,
										[12] = 4,
										[13] = 5,
										[14] = 6,
										[15] = 7,
										[16] = 8,
									},
									["classPriority"] = {
										[1] = {
										},
										[2] = {
										},
										[3] = {
										},
										[5] = {
										},
									},
									["classPriorityRoles"] = {
										[5] = {
											["Druid"] = {
												["Ranged"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 3,
									["name"] = "Healers",
									["roleId"] = 3,
									["showAssignment"] = 1,
									["slots"] = 16,
								},
								[4] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 1,
										[10] = 2,
										[11] = 3,
										[12] = 4,
										[13] = 5,
										[14] = 6,
										[15] = 7,
										[16] = 8,
										[17] = 1,
										[18] = 2,
										[19] = 3,
										[20] = 4,
									},
									["classPriority"] = {
										[1] = {
										},
										[2] = {
											[1] = "Warlock",
										},
										[3] = {
											[1] = "Druid",
										},
										[4] = {
											[1] = "Warlock",
										},
										[5] = {
										},
										[6] = {
											[1] = "Mage",
										},
										[7] = {
											[1] = "Mage",
										},
										[9] = {
											[1] = "Mage",
										},
										[10] = {
											[1] = "Mage",
										},
										[14] = {
											[1] = "Mage",
										},
										[15] = {
											[1] = "Mage",
										},
										[16] = {
										},
										[17] = {
										},
										[18] = {
										},
										[19] = {
										},
										[20] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
										},
										[2] = {
											[1] = {
											},
										},
										[3] = {
											[1] = {
												["Ranged"] = true,
											},
										},
										[4] = {
											[1] = {
											},
										},
										[5] = {
											["Druid"] = {
												["Ranged"] = true,
											},
										},
										[6] = {
											[1] = {
											},
										},
										[7] = {
											[1] = {
											},
										},
										[14] = {
											[1] = {
											},
										},
										[15] = {
											[1] = {
											},
										},
										[16] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[17] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[18] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[19] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[20] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["ranged"] = 1,
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Ranged",
									["roleId"] = 4,
									["showAssignment"] = 1,
									["slots"] = 20,
								},
								[5] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 1,
										[10] = 2,
										[11] = 3,
										[12] = 4,
										[13] = 5,
										[14] = 6,
										[15] = 7,
										[16] = 8,
									},
									["column"] = 2,
									["fillOrder"] = 5,
									["isConsumeCheck"] = false,
									["isCustomModule"] = true,
									["modules"] = {
										[1] = "cthun",
									},
									["name"] = "Custom Module",
									["roleId"] = 5,
									["roleType"] = "custom",
									["slots"] = 1,
								},
							},
						},
					},
					["name"] = "AQ40",
				},
				[4] = {
					["advancedSettings"] = {
						["bigwigs"] = {
							["autoAnnounce"] = false,
							["enabled"] = 1,
							["raidZone"] = "",
							["raidZones"] = {
							},
						},
						["consumeTracking"] = {
							["enabled"] = 1,
							["readyThreshold"] = 85,
							["requiredFlaskRoles"] = {
								["Healers"] = false,
								["Melee"] = false,
								["Ranged"] = false,
								["Tanks"] = false,
							},
						},
					},
					["encounters"] = {
						[1] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] healed by [R2.P1]",
								[2] = "[R1.M2] [R1.P2] healed by [R2.P2]",
								[3] = "[R1.M3] [R1.P3] healed by [R2.P3]",
								[4] = "[R1.M4] [R1.P4] healed by [R2.P4]",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Heal Assignments",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
										[2] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
										[4] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[2] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[3] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[4] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Healers",
									["roleId"] = 2,
									["slots"] = 4,
								},
							},
						},
						[2] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = " [R1.M1][R1.PA]",
								[2] = " [R2.M1][R2.PA]",
								[3] = " [R3.M1][R3.PA]",
								[4] = " [R4.M1][R4.PA]",
								[5] = "These are your marks for the rest of the night.",
								[6] = "if a pack of 3 or less:",
								[7] = "Square help Skull",
								[8] = "Moon help Cross",
							},
							["name"] = "Kick Assignments",
							["roles"] = {
								[1] = {
									["allowOtherRoles"] = 1,
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Shaman",
											[2] = "Warrior",
											[3] = "Rogue",
											[4] = "Mage",
										},
										[2] = {
											[1] = "Warrior",
											[2] = "Rogue",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Mage",
											[3] = "Shaman",
											[4] = "Warrior",
										},
										[4] = {
											[1] = "Mage",
											[2] = "Shaman",
											[3] = "Warrior",
											[4] = "Rogue",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
											},
										},
										[2] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[3] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[4] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
										[2] = 3,
										[3] = 4,
									},
									["name"] = "Skull",
									["raidMarks"] = {
										[1] = 8,
										[2] = 8,
										[3] = 8,
										[4] = 8,
									},
									["roleId"] = 1,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Shaman",
											[2] = "Warrior",
											[3] = "Rogue",
											[4] = "Mage",
										},
										[2] = {
											[1] = "Warrior",
											[2] = "Rogue",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Mage",
											[3] = "Shaman",
											[4] = "Warrior",
										},
										[4] = {
											[1] = "Mage",
											[2] = "Shaman",
											[3] = "Warrior",
											[4] = "Rogue",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
											},
										},
										[2] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[3] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[4] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
										[2] = 3,
										[3] = 4,
									},
									["name"] = "Square",
									["raidMarks"] = {
										[1] = 7,
										[2] = 7,
										[3] = 7,
										[4] = 7,
									},
									["roleId"] = 3,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[3] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Shaman",
											[2] = "Warrior",
											[3] = "Rogue",
											[4] = "Mage",
										},
										[2] = {
											[1] = "Warrior",
											[2] = "Rogue",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Mage",
											[3] = "Shaman",
											[4] = "Warrior",
										},
										[4] = {
											[1] = "Mage",
											[2] = "Shaman",
											[3] = "Warrior",
											[4] = "Rogue",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
											},
										},
										[2] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[3] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[4] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
										[2] = 2,
										[3] = 4,
									},
									["name"] = "Cross",
									["raidMarks"] = {
										[1] = 6,
										[2] = 6,
										[3] = 6,
										[4] = 6,
									},
									["roleId"] = 2,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[4] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Shaman",
											[2] = "Warrior",
											[3] = "Rogue",
											[4] = "Mage",
										},
										[2] = {
											[1] = "Warrior",
											[2] = "Rogue",
											[3] = "Mage",
											[4] = "Shaman",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Mage",
											[3] = "Shaman",
											[4] = "Warrior",
										},
										[4] = {
											[1] = "Mage",
											[2] = "Shaman",
											[3] = "Warrior",
											[4] = "Rogue",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Shaman"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
											["Warrior"] = {
											},
										},
										[2] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[3] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
										[4] = {
											["Shaman"] = {
											},
											["Warrior"] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["name"] = "Moon",
									["raidMarks"] = {
										[1] = 5,
										[2] = 5,
										[3] = 5,
										[4] = 5,
									},
									["roleId"] = 4,
									["showAssignment"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
							},
						},
						[3] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T]",
								[2] = "[R1.PA]",
								[3] = "[R2.T]",
								[4] = "[R2.PA]",
								[5] = "[R3.T]",
								[6] = "{R3.PA]",
								[7] = "",
								[8] = "",
							},
							["name"] = "Druid Resources",
							["roles"] = {
								[1] = {
									["allowOtherRoles"] = 1,
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 9,
										[14] = 1,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Druid",
										},
										[3] = {
											[1] = "Druid",
										},
										[4] = {
											[1] = "Druid",
										},
										[5] = {
											[1] = "Druid",
										},
										[6] = {
											[1] = "Druid",
										},
										[7] = {
											[1] = "Druid",
										},
										[8] = {
											[1] = "Druid",
										},
										[9] = {
											[1] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Healers"] = true,
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Healers"] = true,
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Healers"] = true,
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[5] = {
											["Druid"] = {
											},
										},
										[6] = {
											["Druid"] = {
											},
										},
										[7] = {
											["Druid"] = {
											},
										},
										[8] = {
											["Druid"] = {
											},
										},
										[9] = {
											["Druid"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Rebirth",
									["roleId"] = 1,
									["showAssignment"] = 1,
									["slots"] = 9,
								},
								[2] = {
									["allowOtherRoles"] = 1,
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 9,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Druid",
										},
										[3] = {
											[1] = "Druid",
										},
										[4] = {
											[1] = "Druid",
										},
										[5] = {
											[1] = "Druid",
										},
										[6] = {
											[1] = "Druid",
										},
										[7] = {
											[1] = "Druid",
										},
										[8] = {
											[1] = "Druid",
										},
										[9] = {
											[1] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Hunter"] = {
											},
										},
										[5] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[6] = {
											["Druid"] = {
												["Ranged"] = true,
											},
										},
										[7] = {
											["Druid"] = {
												["Ranged"] = true,
											},
										},
										[8] = {
											["Druid"] = {
											},
										},
										[9] = {
											["Druid"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tranquility",
									["roleId"] = 3,
									["showAssignment"] = 1,
									["slots"] = 9,
								},
								[3] = {
									["allowOtherRoles"] = 1,
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 9,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Druid",
										},
										[3] = {
											[1] = "Druid",
										},
										[4] = {
											[1] = "Druid",
										},
										[5] = {
											[1] = "Druid",
										},
										[6] = {
											[1] = "Druid",
										},
										[7] = {
											[1] = "Druid",
										},
										[8] = {
											[1] = "Druid",
										},
										[9] = {
											[1] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[5] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
											},
										},
										[6] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
												["Tanks"] = true,
											},
										},
										[7] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
												["Tanks"] = true,
											},
										},
										[8] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
												["Tanks"] = true,
											},
										},
										[9] = {
											["Druid"] = {
												["Melee"] = true,
												["Ranged"] = true,
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Innervate",
									["roleId"] = 2,
									["showAssignment"] = 1,
									["slots"] = 9,
								},
							},
						},
						[4] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "Challenging Shout order: [R1.PA]",
								[2] = "",
								[3] = "",
								[4] = "",
								[5] = "",
								[6] = "",
							},
							["name"] = "Challenging Shouts",
							["roles"] = {
								[1] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
										[5] = 5,
										[6] = 6,
										[7] = 7,
										[8] = 8,
										[9] = 9,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Warrior",
										},
										[2] = {
											[1] = "Warrior",
										},
										[3] = {
											[1] = "Warrior",
										},
										[4] = {
											[1] = "Warrior",
										},
										[5] = {
											[1] = "Warrior",
										},
										[6] = {
											[1] = "Warrior",
										},
										[7] = {
											[1] = "Warrior",
										},
										[8] = {
											[1] = "Warrior",
										},
										[9] = {
											[1] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[3] = {
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[4] = {
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[5] = {
											["Warrior"] = {
											},
										},
										[6] = {
											["Warrior"] = {
											},
										},
										[7] = {
											["Warrior"] = {
											},
										},
										[8] = {
											["Warrior"] = {
											},
										},
										[9] = {
											["Warrior"] = {
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Challenging Shouts",
									["roleId"] = 1,
									["showAssignment"] = 1,
									["slots"] = 9,
								},
							},
						},
						[5] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R2.T] Left [R2.P1] / Right [R2.P2]",
								[3] = "NO STUNNING ADDS (INCLUDING CHARGE)",
								[4] = "Focus boss until stacked. then switch to adds",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Anub'Rekhan",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Add Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
							},
						},
						[6] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R2.M1] [R2.P1] / [R2.M2] [R2.P2] / [R2.M3] [R2.P3]",
								[3] = "[R2.M4] [R2.P4] / [R2.M5] [R2.P5] / [R2.M6] [R2.P6]",
								[4] = "[R3.T] [R3.P1]",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Faerlina",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Widow Faerlina",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 6,
										[2] = 8,
										[3] = 2,
										[4] = 5,
										[5] = 7,
										[6] = 1,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 6,
								},
								[3] = {
									["assignmentNumbers"] = {
										[1] = 1,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "MC",
									["raidMarks"] = {
										[1] = 3,
									},
									["roleId"] = 3,
									["showRaidIcons"] = 1,
									["slots"] = 1,
								},
							},
						},
						[7] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R2.T] [R2.PA]",
								[3] = "If A destroyer gets webbed, the corresponding individual gets them down",
								[4] = "[R3.T] [R3.PA]",
								[5] = "",
								[6] = "",
							},
							["name"] = "Maexxna",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["column"] = 2,
									["defaultRoles"] = {
										["ranged"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Web Destroyers",
									["roleId"] = 2,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
								[3] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["column"] = 2,
									["defaultRoles"] = {
										["ranged"] = 1,
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Web Saftey",
									["roleId"] = 3,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
							},
						},
						[8] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P]",
								[2] = "[R2.M1] [R2.P1] / [R2.M2] [R2.P2]",
								[3] = "[R2.M3] [R2.P3] / [R2.M4] [R2.P4]",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Razuvious",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
										},
										[2] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Priest"] = {
												["Healers"] = true,
												["Ranged"] = true,
											},
										},
										[2] = {
											["Priest"] = {
												["Healers"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["name"] = "Mind Control",
									["roleId"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Understudy Tanks",
									["raidMarks"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
										[4] = 4,
									},
									["roleId"] = 2,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
							},
						},
						[9] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P] healed by [R2.P]",
								[2] = "[R3.T] [R3.P] healed by [R4.P]",
								[3] = "Magic DPS Live Side / Physical DPS Dead Side",
								[4] = "Dead side: Do Not Pass center bone pile. healers will not chase you",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Gothik",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
										},
										[2] = {
											[1] = "Paladin",
										},
										[3] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Live Tanks",
									["roleId"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[2] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[3] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[4] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[5] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
										[6] = {
											[1] = "Priest",
											[2] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[5] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
										[6] = {
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 4,
									},
									["name"] = "Live Healers",
									["roleId"] = 2,
									["slots"] = 6,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
										},
										[2] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["name"] = "Dead Tanks",
									["roleId"] = 3,
									["slots"] = 2,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
										[2] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
										[3] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
										[4] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
										[5] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
										[6] = {
											[1] = "Shaman",
											[2] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
										[5] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
										[6] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Shaman"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 4,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
									},
									["name"] = "Dead Healers",
									["roleId"] = 4,
									["slots"] = 6,
								},
							},
						},
						[10] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] tank: [R1.P] healed by [R2.PA]",
								[2] = "[R5.T] tanks: [R5.P] healed by [R6.PA]",
								[3] = "[R3.T] tanks: [R3.P] healed by [R4.PA]",
								[4] = "[R7.T] tanks: [R7.P] healed by [R8.PA]",
								[5] = "The (#) indicates which mark healers rotate on.",
								[6] = "After the first rotation ((1) or (2)) Rotate every 3 marks",
								[7] = "",
								[8] = "",
							},
							["name"] = "4HM Tank/Heal",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
											[3] = "Paladin",
											[4] = "Shaman",
										},
										[2] = {
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 1,
									["markPlayer"] = 1,
									["name"] = "Thane",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 6,
										[2] = 4,
										[3] = 8,
									},
									["name"] = "Thane Healers",
									["roleId"] = 2,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
								[3] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["markPlayer"] = 1,
									["name"] = "Lady",
									["raidMarks"] = {
										[1] = 4,
										[2] = 3,
									},
									["roleId"] = 3,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
								[4] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 4,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 6,
										[2] = 8,
										[3] = 2,
									},
									["name"] = "Lady Healers",
									["roleId"] = 4,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
								[5] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 5,
									["markPlayer"] = 1,
									["name"] = "Mograine",
									["raidMarks"] = {
										[1] = 6,
										[2] = 5,
									},
									["roleId"] = 5,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
								[6] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 6,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 4,
										[2] = 8,
										[3] = 2,
									},
									["name"] = "Mograine Healers",
									["roleId"] = 6,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
								[7] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 7,
									["markPlayer"] = 1,
									["name"] = "Zeliek",
									["raidMarks"] = {
										[1] = 2,
										[2] = 1,
									},
									["roleId"] = 7,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
								[8] = {
									["assignmentNumbers"] = {
										[1] = 1,
										[2] = 2,
										[3] = 3,
									},
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 8,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 6,
										[2] = 4,
										[3] = 2,
									},
									["name"] = "Zeliek Healers",
									["roleId"] = 8,
									["showAssignment"] = 1,
									["slots"] = 3,
								},
							},
						},
						[11] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["autoAnnounce"] = false,
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "Use GSPP now. Use GSPP again AFTER mark 4. This will keep you alive to the safe zone.",
								[2] = "Stay on thane until he is dead. Pop CD's @ 50%",
								[3] = "After Thane is dead Rotate every 3 marks.",
								[4] = "Mograine -> Lazy -> **Zeliek**-> Safezone",
								[5] = "IF you cannot hit Zeliek from 36+ yds away DO NOT rotate to zeliek. Wait for marks to fall off in the safe zone instead.",
								[6] = "Only 1 Melee at or in the path for zeliek at a time. Queue behind the skull in the safe zone.",
							},
							["name"] = "4HM DPS",
							["roles"] = {
							},
						},
						[12] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "Corner [R2.T] [R2.P1]",
								[3] = "Entry [R2.T] [R2.P2]",
								[4] = "Gauntlet [R2.T] [R2.P3]",
								[5] = "",
								[6] = "",
							},
							["name"] = "Noth",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Noth Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Add Tank",
									["roleId"] = 2,
									["slots"] = 3,
								},
							},
						},
						[13] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R3.T] [R3.P]",
								[3] = "Stay below these two in threat.",
								[4] = "[R2.T] [R2.P] Tank any accidental adds from gauntlet and teleport",
								[5] = "Mana users max range.  ZUG Hard, No Dancing Required!",
							},
							["name"] = "Heigan",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Backup Tank",
									["roleId"] = 3,
									["slots"] = 1,
								},
								[3] = {
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Platform Tank",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[14] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "Tranq Rotation: [R2.P1][, [R2.P2]][, [R2.P3]]",
								[3] = "All shamans go dps. Grp2 shaman go with last group.",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Loatheb",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
										},
										[2] = {
											[1] = "Druid",
										},
										[3] = {
											[1] = "Druid",
										},
										[4] = {
											[1] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["name"] = "Tranq Rotation",
									["roleId"] = 2,
									["slots"] = 4,
								},
							},
						},
						[15] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R2.P1] dispels Toxic Injection",
								[3] = "Unblacklist Toxic Injection from rinse",
								[4] = "No dispelling/Disease cleansing totems",
								[5] = "If injected run to the left and wait for a cleanse",
							},
							["name"] = "Grobbulus",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Dispel",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[16] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R2.T] [R2.P]",
								[3] = "If you have less than 7.5k hp don't bother dipping into slime",
								[4] = "",
								[5] = "",
							},
							["name"] = "Patchwerk",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
										[2] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
										[3] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Hateful Bait",
									["roleId"] = 2,
									["slots"] = 3,
								},
							},
						},
						[17] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "[R3.T] [R3.P] ",
								[3] = "[[R2.P1] slow the chow with Cone of Cold]",
								[4] = "If Chow gets out of hand or CoC needs Help",
								[5] = "[R4.T] [R4.PA] Get chow under control",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Gluth",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["ranged"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "CoC Mage",
									["roleId"] = 2,
									["slots"] = 1,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Warrior",
										},
										[2] = {
											[1] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
										[2] = {
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["name"] = "Zombie Chow",
									["roleId"] = 3,
									["slots"] = 2,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
											[1] = "Warrior",
										},
										[2] = {
											[1] = "Mage",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											[1] = {
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Chow Saftey",
									["roleId"] = 4,
									["slots"] = 2,
								},
							},
						},
						[18] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1] [R3.T] [R3.P1]",
								[2] = "[R2.T] [R2.P]",
								[3] = "[R4.T] [R4.P]",
								[4] = "Magic Dmg go left, Physical dmg go right",
								[5] = "------------/+++++++++",
								[6] = "Run through the boss until out of melee range and tap back in.",
								[7] = "After boss: Positive filter through portal | Negative social distance",
								[8] = "",
							},
							["name"] = "Thaddius",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Paladin"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 3,
									},
									["name"] = "Left Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
										},
										[2] = {
											[1] = "Paladin",
										},
										[3] = {
											[1] = "Paladin",
										},
										[4] = {
											[1] = "Paladin",
										},
										[5] = {
											[1] = "Paladin",
										},
										[6] = {
											[1] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Paladin"] = {
												["Healers"] = true,
											},
										},
										[2] = {
											["Paladin"] = {
												["Healers"] = true,
											},
										},
										[3] = {
											["Paladin"] = {
												["Healers"] = true,
											},
										},
										[4] = {
											["Paladin"] = {
												["Healers"] = true,
											},
										},
										[5] = {
											["Paladin"] = {
												["Healers"] = true,
											},
										},
										[6] = {
											["Paladin"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 5,
										[2] = 4,
									},
									["name"] = "Left Healers",
									["roleId"] = 2,
									["slots"] = 6,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Warrior",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Tanks"] = true,
											},
											["Warrior"] = {
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 3,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 1,
									},
									["name"] = "Right Tank",
									["roleId"] = 3,
									["slots"] = 1,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 4,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 2,
										[2] = 5,
									},
									["name"] = "Right Healers",
									["roleId"] = 4,
									["slots"] = 6,
								},
							},
						},
						[19] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "Watch for blizzard and its pathing.",
								[3] = "During iceblocks be outside of the green circle",
								[4] = "hide after block 5",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Sapphiron",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Main Tank",
									["roleId"] = 1,
									["slots"] = 1,
								},
								[2] = {
									["classes"] = {
										["all"] = 1,
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13456,
											["primaryName"] = "Greater Frost Protection Potion",
											["secondaryId"] = 6050,
											["secondaryName"] = "Frost Protection Potion",
										},
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = true,
									["isCustomModule"] = false,
									["name"] = "Consumes",
									["roleId"] = 2,
									["slots"] = 1,
								},
							},
						},
						[20] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.P1] tanks Kel'Thuzad",
								[2] = "[R2.P] shackle adds.",
								[3] = "[R1.P2] [R1.P3] tank adds, [R1.P4] backup.",
								[4] = "[R3.T] [R3.P]",
								[5] = "[R4.T] [R4.P]",
								[6] = "[R5.T] [R5.P]",
								[7] = "",
								[8] = "",
							},
							["name"] = "Kel'Thuzad",
							["roles"] = {
								[1] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["roleId"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["classPriority"] = {
										[1] = {
											[1] = "Priest",
										},
										[2] = {
											[1] = "Priest",
										},
										[3] = {
											[1] = "Priest",
										},
										[4] = {
											[1] = "Priest",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Priest"] = {
												["Healers"] = true,
												["Ranged"] = true,
											},
										},
										[2] = {
											["Priest"] = {
												["Healers"] = true,
												["Ranged"] = true,
											},
										},
										[3] = {
											["Priest"] = {
												["Healers"] = true,
												["Ranged"] = true,
											},
										},
										[4] = {
											["Priest"] = {
												["Healers"] = true,
												["Ranged"] = true,
											},
										},
									},
									["column"] = 1,
									["defaultRoles"] = {
									},
									["fillOrder"] = 2,
									["name"] = "Shackles",
									["roleId"] = 2,
									["slots"] = 4,
								},
								[3] = {
									["classPriority"] = {
										[1] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
										[2] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
										[3] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
										[4] = {
											[1] = "Paladin",
											[2] = "Shaman",
											[3] = "Hunter",
										},
										[5] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
										[6] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
										[7] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
										[8] = {
											[1] = "Paladin",
											[2] = "Hunter",
											[3] = "Shaman",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[2] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[3] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[4] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[5] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[6] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[7] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
										[8] = {
											["Hunter"] = {
												["Melee"] = true,
											},
											["Paladin"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
											["Shaman"] = {
												["Melee"] = true,
												["Tanks"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["melee"] = 1,
									},
									["fillOrder"] = 3,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 5,
										[2] = 4,
									},
									["name"] = "Melee 1",
									["roleId"] = 3,
									["slots"] = 8,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[2] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[3] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[4] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[5] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[6] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[7] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
										[8] = {
											[1] = "Rogue",
											[2] = "Druid",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[2] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[3] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[4] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[5] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[6] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[7] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
										[8] = {
											["Druid"] = {
												["Melee"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["melee"] = 1,
									},
									["fillOrder"] = 4,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 3,
									},
									["name"] = "Melee 2",
									["roleId"] = 4,
									["slots"] = 8,
								},
								[5] = {
									["classPriority"] = {
										[1] = {
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["melee"] = 1,
									},
									["fillOrder"] = 5,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 4,
										[2] = 3,
									},
									["name"] = "Melee 3",
									["roleId"] = 5,
									["slots"] = 8,
								},
								[6] = {
									["classes"] = {
									},
									["column"] = 2,
									["consumes"] = {
										[1] = {
											["primaryId"] = 13456,
											["primaryName"] = "Greater Frost Protection Potion",
											["secondaryId"] = 6050,
											["secondaryName"] = "Frost Protection Potion",
										},
									},
									["fillOrder"] = 6,
									["isConsumeCheck"] = true,
									["isCustomModule"] = false,
									["name"] = "Consumes",
									["roleId"] = 6,
									["slots"] = 1,
								},
							},
						},
					},
					["name"] = "Naxx",
				},
				[5] = {
					["advancedSettings"] = {
						["bigwigs"] = {
							["autoAnnounce"] = false,
							["enabled"] = false,
							["raidZone"] = "",
							["raidZones"] = {
							},
						},
						["consumeTracking"] = {
							["enabled"] = 1,
							["readyThreshold"] = 85,
							["requiredFlaskRoles"] = {
								["Healers"] = false,
								["Melee"] = false,
								["Ranged"] = false,
								["Tanks"] = false,
							},
						},
					},
					["encounters"] = {
						[1] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.T] [R1.P1]",
								[2] = "Give [R1.P1] three seconds to get initial threat!",
								[3] = "If you get burning adrenaline move to the pillar and die gracefully!",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "First Trash",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["name"] = "Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 0,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 4,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["ranged"] = 1,
									},
									["fillOrder"] = 2,
									["name"] = "Kite",
									["roleId"] = 2,
									["slots"] = 2,
								},
								[3] = {
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 3,
									["name"] = "Kickers Melee",
									["roleId"] = 3,
									["slots"] = 2,
								},
								[4] = {
									["column"] = 2,
									["defaultRoles"] = {
									},
									["fillOrder"] = 4,
									["name"] = "Kickers Caster",
									["roleId"] = 4,
									["slots"] = 2,
								},
							},
						},
					},
					["name"] = "K40",
				},
				[6] = {
					["advancedSettings"] = {
						["bigwigs"] = {
							["autoAnnounce"] = false,
							["enabled"] = false,
							["raidZone"] = "",
							["raidZones"] = {
							},
						},
						["consumeTracking"] = {
							["enabled"] = 1,
							["readyThreshold"] = 85,
							["requiredFlaskRoles"] = {
								["Healers"] = false,
								["Melee"] = false,
								["Ranged"] = false,
								["Tanks"] = false,
							},
						},
					},
					["encounters"] = {
						[1] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R1.M1] [R1.P1] healed by [R2.P1]",
								[2] = "[R1.M2] [R1.P2] healed by [R2.P2]",
								[3] = "[R1.M3] [R1.P3] healed by [R2.P3]",
								[4] = "[R1.M4] [R1.P4] healed by [R2.P4]",
								[5] = "[&[R1.M5] [R1.P5] healed by [R2.P5]]",
								[6] = "Raid healed by [R2.P6]",
								[7] = "",
								[8] = "",
							},
							["name"] = "Trash",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Tank",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
										[3] = 6,
										[4] = 5,
										[5] = 4,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 5,
								},
								[2] = {
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Healers",
									["roleId"] = 2,
									["slots"] = 6,
								},
							},
						},
						[2] = {
							["advancedSettings"] = {
								["bigwigs"] = {
									["enabled"] = false,
									["encounterId"] = "",
								},
								["consumeTracking"] = {
									["requiredFlaskRoles"] = {
									},
								},
							},
							["announcements"] = {
								[1] = "[R2.T] [R2.P1] healed by [R4.P]",
								[2] = "[R1.T] [R1.M1] [R1.P1] / [R1.M2] [R1.P2] pick up adds.",
								[3] = "",
								[4] = "",
								[5] = "",
								[6] = "",
								[7] = "",
								[8] = "",
							},
							["name"] = "Hard Mode",
							["roles"] = {
								[1] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 1,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Solnius Tanks",
									["raidMarks"] = {
										[1] = 8,
										[2] = 7,
									},
									["roleId"] = 1,
									["showRaidIcons"] = 1,
									["slots"] = 2,
								},
								[2] = {
									["column"] = 1,
									["defaultRoles"] = {
										["tanks"] = 1,
									},
									["fillOrder"] = 2,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["name"] = "Erennius Tank",
									["roleId"] = 2,
									["slots"] = 1,
								},
								[3] = {
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 3,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 4,
									},
									["name"] = "Solnius Heals",
									["roleId"] = 3,
									["slots"] = 4,
								},
								[4] = {
									["classPriority"] = {
										[1] = {
											[1] = "Druid",
											[2] = "Priest",
											[3] = "Paladin",
										},
									},
									["classPriorityRoles"] = {
										[1] = {
											["Druid"] = {
												["Healers"] = true,
											},
											["Paladin"] = {
												["Healers"] = true,
											},
											["Priest"] = {
												["Healers"] = true,
											},
										},
									},
									["column"] = 2,
									["defaultRoles"] = {
										["healers"] = 1,
									},
									["fillOrder"] = 4,
									["isConsumeCheck"] = false,
									["isCustomModule"] = false,
									["linkRole"] = 1,
									["linkedRoles"] = {
										[1] = 3,
									},
									["name"] = "Erenniuss Heals",
									["roleId"] = 4,
									["slots"] = 4,
								},
							},
						},
					},
					["name"] = "ES",
				},
			},
			["schemaVersion"] = 2,
		},
		["tradeItems"] = {
			[1] = {
				["itemId"] = 19183,
				["name"] = "Hourglass Sand",
				["quantity"] = 5,
			},
			[2] = {
				["itemId"] = 13461,
				["name"] = "Greater Arcane Protection Potion",
				["quantity"] = 1,
			},
			[3] = {
				["itemId"] = 13457,
				["name"] = "Greater Fire Protection Potion",
				["quantity"] = 1,
			},
			[4] = {
				["itemId"] = 13456,
				["name"] = "Greater Frost Protection Potion",
				["quantity"] = 1,
			},
			[5] = {
				["itemId"] = 13458,
				["name"] = "Greater Nature Protection Potion",
				["quantity"] = 1,
			},
			[6] = {
				["itemId"] = 13459,
				["name"] = "Greater Shadow Protection Potion",
				["quantity"] = 1,
			},
			[7] = {
				["itemId"] = 22682,
				["name"] = "Frozen Rune",
				["quantity"] = 1,
			},
		},
		["version"] = "2.0",
	},
}
