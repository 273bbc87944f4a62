ftware, and to
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
									["enable