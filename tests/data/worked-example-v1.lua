-- research/ogrh-migration.md §6: the worked example of the addon's v1 -> v2 migration, as a v1 file.
OGRH_SV={roles={Tankadin="TANKS"}, rgo={autoSortEnabled=true,sortSpeed=150},
 ui={x=10,selectedRaid="BWL",selectedEncounter="Razorgore"}, Permissions={currentAdmin="Tankadin"},
 encounterMgmt={raids={{name="BWL",advancedSettings={bigwigs={raidZone="Blackwing Lair"}},
   encounters={{name="Razorgore",advancedSettings={bigwigs={encounterId="Razorgore the Untamed"}}},
               {name="Tanks and Heals"}}}},
  roles={BWL={Razorgore={column1={{roleId=3,name="Orb",slots=1},{roleId=1,name="Tanks",slots=2}},
                         column2={{roleId=2,name="Healers",slots=2}}},
              ["Tanks and Heals"]={column1={{roleId=1,name="MT",slots=1}},column2={{name="NoId",slots=1}}}},
         Onyxia={Ony={column1={{roleId=1,name="MT",slots=1}}}}}},
 encounterAssignments={BWL={Razorgore={{"Tankadin","Warbob"},{"Holybob"},{"Orbguy"}},
                            ["Tanks and Heals"]={{"Tankadin"},{"Ghost"}}}},
 encounterRaidMarks={BWL={Razorgore={[1]={8,7}}}}, encounterAssignmentNumbers={BWL={Razorgore={[2]={1}}}},
 encounterAnnouncements={BWL={Razorgore={"[R1.T]: [R1.P1] [R1.P2]","Heals: [R2.P]"}}}}
