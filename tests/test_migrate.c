/* ogrh migrate: the addon's migration against research §6's worked example, the fixed one
** against the v1 view, the report, the E-cases, and the command. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOW 1700000000

/* The worked example of research/ogrh-migration.md §6, as a v1 file. */
#define EXAMPLE tu_text("tests/data/worked-example-v1.lua")

/* The Admin encounter the addon inserts (EA:19-81). */
#define ADMIN                                                                                      \
  "{name='Admin',displayName='Raid Admin',roles={"                                                 \
  "{roleId=1,name='Loot Settings',column=1,isLootSettings=true,lootMethod='master',"               \
  "autoSwitch=false,threshold='rare',assignedPlayers={},"                                          \
  "slotLabels={'Master Looter','Disenchant','Bagspace Buffer'}},"                                  \
  "{roleId=2,name='Loot Rules',column=2,isTextField=true,textSlots=6,textValues={}},"              \
  "{roleId=3,name='Discord',column=1,isTextField=true,textSlots=1,textValues={}},"                 \
  "{roleId=4,name='SR Link',column=1,isTextField=true,textSlots=1,textValues={}},"                 \
  "{roleId=5,name='Buff Manager',column=2,isBuffManager=true,enabled=false,buffRoles={},"          \
  "settings={autoScan=true,scanInterval=30,shameThreshold=80,whisperFirst=true,"                   \
  "pallyPowerSync=false}}}}"

#define ACTIVE                                                                                     \
  "{id='__active__',name='[ACTIVE RAID]',displayName='[AR] New Raid',sortOrder=0,"                 \
  "encounters={" ADMIN ",{id=1,name='Planning',displayName='Raid Planning',sortOrder=1,"           \
  "roles={}}}}"

#define BWL_FAITHFUL                                                                               \
  "{name='BWL',advancedSettings={bigwigs={raidZone='Blackwing Lair'}},encounters={" ADMIN ","      \
  "{name='Razorgore',advancedSettings={bigwigs={encounterId='Razorgore the Untamed'}},"            \
  " announcements={'[R1.T]: [R1.P1] [R1.P2]','Heals: [R2.P]'},"                                    \
  " roles={{roleId=3,name='Orb',slots=1,column=1,assignedPlayers={'Tankadin','Warbob'},"           \
  "raidMarks={8,7}},"                                                                              \
  "        {roleId=1,name='Tanks',slots=2,column=1,assignedPlayers={'Holybob'},"                   \
  "assignmentNumbers={1}},"                                                                        \
  "        {roleId=2,name='Healers',slots=2,column=2,assignedPlayers={'Orbguy'}}}},"               \
  "{name='Tanks and Heals',roles={{roleId=1,name='MT',slots=1,column=1,"                           \
  "assignedPlayers={'Tankadin'}},{assignedPlayers={'Ghost'}}}}}}"

/*
** research §6: OGRH_SV.v2 after VARIABLES_LOADED, with what happens half a second later:
** consumes = {}, an Admin encounter first in each raid, the alias keys raids[1] and raids[2].
*/
static const char *faithful_v2(void) {
  static char text[8192];
  snprintf(text, sizeof text, "%s%s%s%s%s%s%s",
           "{allowRemoteReadyCheck=true, firstRun=false, pollTime=5, syncLocked=false,"
           " tradeItems={}, consumes={}, invites={autoSortEnabled=true}, sorting={speed=150},"
           " ui={minimized=false,x=10,selectedRaid='BWL',selectedEncounter='Razorgore'},"
           " migrationMeta={migrationDate=1700000000,version=2},"
           " encounterMgmt={schemaVersion=2, raids={[1]=",
           ACTIVE, ",[2]=", BWL_FAITHFUL, "}, ['raids[1]']=", ACTIVE, ", ['raids[2]']=");
  size_t n = strlen(text);
  snprintf(text + n, sizeof text - n, "%s}}", BWL_FAITHFUL);
  return text;
}

static const char *const FIXED_V2 =
    "{encounterMgmt={schemaVersion=2, raids={{name='BWL',"
    "advancedSettings={bigwigs={raidZone='Blackwing Lair'}},encounters={"
    "{name='Razorgore',advancedSettings={bigwigs={encounterId='Razorgore the Untamed'}},"
    " announcements={'[R1.T]: [R1.P1] [R1.P2]','Heals: [R2.P]'},"
    " roles={{roleId=3,name='Orb',slots=1,column=1,assignedPlayers={'Orbguy'}},"
    "        {roleId=1,name='Tanks',slots=2,column=1,assignedPlayers={'Tankadin','Warbob'},"
    "raidMarks={8,7}},"
    "        {roleId=2,name='Healers',slots=2,column=2,assignedPlayers={'Holybob'},"
    "assignmentNumbers={1}}}},"
    "{name='Tanks and Heals',roles={{roleId=1,name='MT',slots=1,column=1,"
    "assignedPlayers={'Tankadin'}},{name='NoId',slots=1,column=2}}}}}}},"
    " roles={Tankadin='TANKS'}, invites={autoSortEnabled=true}, sorting={speed=150},"
    " ui={x=10,selectedRaid='BWL',selectedEncounter='Razorgore',selectedRaidIndex=1,"
    "selectedEncounterIndex=1},"
    " migrationMeta={migrationDate=1700000000,version=2}}";

static ogrh_svfile *run(const char *text, bool faithful, bool keep_v1, bool extras,
                        ogrh_migration **rep) {
  ogrh_svfile *in = tu_parse(text), *out = NULL;
  ogrh_migrate_opts o = {faithful, keep_v1, extras, NOW};
  ogrh_err err;
  int rc = ogrh_migrate(in, &o, &out, rep, &err);
  if (rc) fprintf(stderr, "%s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  ogrh_svfile_free(in);
  return out;
}

static const ogrh_value *at(ogrh_svfile *f, const char *path) {
  ogrh_path p;
  assert_int_equal(ogrh_path_parse(path, &p, NULL), OGRH_OK);
  const ogrh_value *v = ogrh_svfile_get(f, "OGRH_SV");
  for (size_t i = 0; i < p.n && v; i++)
    v = v->type == OGRH_TABLE ? ogrh_table_get(v->u.t, &p.seg[i]) : NULL;
  return v;
}

/* Byte for byte: both written in WoW's style. */
static void same_bytes(const ogrh_value *got, const char *want_lit) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value want = tu_lit(a, want_lit);
  ogrh_buf x, y;
  ogrh_buf_init(&x);
  ogrh_buf_init(&y);
  assert_non_null(got);
  assert_int_equal(ogrh_value_write(got, 0, &x), OGRH_OK);
  assert_int_equal(ogrh_value_write(&want, 0, &y), OGRH_OK);
  if (x.n != y.n || memcmp(x.p, y.p, x.n) != 0) {
    FILE *f = fopen("/tmp/ogrh-migrate-got.lua", "w");
    if (f) fwrite(x.p, 1, x.n, f), fclose(f);
    f = fopen("/tmp/ogrh-migrate-want.lua", "w");
    if (f) fwrite(y.p, 1, y.n, f), fclose(f);
    fprintf(stderr, "differs: see /tmp/ogrh-migrate-{got,want}.lua\n");
  }
  assert_int_equal(x.n, y.n);
  assert_memory_equal(x.p, y.p, x.n);
  ogrh_buf_deinit(&x);
  ogrh_buf_deinit(&y);
  ogrh_arena_free(a);
}

static size_t count_notes(const ogrh_migration *m, ogrh_mnote_kind k, const char *tag) {
  size_t n = 0;
  for (size_t i = 0; i < m->n; i++)
    n += m->notes[i].kind == k && (!tag || strcmp(m->notes[i].tag, tag) == 0);
  return n;
}

static bool has_note(const ogrh_migration *m, ogrh_mnote_kind k, const char *path,
                     const char *text) {
  for (size_t i = 0; i < m->n; i++)
    if (m->notes[i].kind == k && (!path || strcmp(m->notes[i].path, path) == 0) &&
        (!text || strstr(m->notes[i].text, text)))
      return true;
  return false;
}

/* The addon's migration of research §6's example, byte for byte. */
static void test_faithful_worked_example(void **state) {
  (void)state;
  ogrh_migration *m;
  ogrh_svfile *f = run(EXAMPLE, true, true, false, &m);
  same_bytes(at(f, "v2"), faithful_v2());
  /* The top level: cut over, rgo gone, the v1 keys kept (with the defaults the addon adds). */
  assert_string_equal(at(f, "schemaVersion")->u.s, "v2");
  assert_null(at(f, "rgo"));
  same_bytes(at(f, "roles"), "{Tankadin='TANKS'}");
  same_bytes(at(f, "invites"), "{autoSortEnabled=true}");
  same_bytes(at(f, "encounterAssignments"),
             "{BWL={Razorgore={{'Tankadin','Warbob'},{'Holybob'},{'Orbguy'}},"
             "['Tanks and Heals']={{'Tankadin'},{'Ghost'}}}}");
  assert_false(at(f, "firstRun")->b);
  assert_int_equal(at(f, "pollTime")->u.i, 5);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  /* Without --keep-v1: the file as the addon's purge leaves it, 15 days later. */
  f = run(EXAMPLE, true, false, false, NULL);
  same_bytes(at(f, "v2"), faithful_v2());
  assert_int_equal(ogrh_svfile_get(f, "OGRH_SV")->u.t->n, 2);
  ogrh_svfile_free(f);
}

/* The fixed migration of the same example: v1's meaning, nothing added. */
static void test_fixed_worked_example(void **state) {
  (void)state;
  ogrh_migration *m;
  ogrh_svfile *f = run(EXAMPLE, false, false, false, &m);
  same_bytes(at(f, "v2"), FIXED_V2);
  assert_int_equal(ogrh_svfile_get(f, "OGRH_SV")->u.t->n, 2);
  assert_int_equal(m->unexplained, 0);
  /* B1: five per-role tables go where the addon does not put them; B2: 'Ghost'. */
  assert_int_equal(m->remapped, 5);
  assert_int_equal(count_notes(m, OGRH_MNOTE_DIFFERS, "B1"), 5);
  assert_true(has_note(m, OGRH_MNOTE_LOST, "encounterAssignments.BWL[\"Tanks and Heals\"].2",
                       "no role has this roleId"));
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.encounterMgmt.raids.1.encounters.2.roles",
                       "'NoId' has no roleId"));
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.roles", "(B3)"));
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.ui.selectedRaidIndex", "(B4)"));
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.pollTime", "EnsureSV"));
  assert_true(has_note(m, OGRH_MNOTE_LOST, "encounterMgmt.roles.Onyxia.Ony", NULL));
  assert_true(has_note(m, OGRH_MNOTE_LEFT, "Permissions", "lower-case"));
  /* The result's plan has the v1 file's digests. */
  ogrh_svfile *src = tu_parse(EXAMPLE);
  assert_int_equal(ogrh_migrate_check(src, f, NULL), OGRH_OK);
  /* And the check notices a difference. */
  ogrh_value *ap =
      (ogrh_value *)at(f, "v2.encounterMgmt.raids.1.encounters.1.roles.1.assignedPlayers");
  ogrh_value x = ogrh_vcstr("Intruder"), k = ogrh_vint(1);
  assert_int_equal(ogrh_table_set(f->arena, ap->u.t, &k, &x), OGRH_OK);
  ogrh_err err;
  assert_int_equal(ogrh_migrate_check(src, f, &err), OGRH_EVERIFY);
  assert_non_null(strstr(err.msg, "BWL > Razorgore > playerAssignments"));
  ogrh_svfile_free(src);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  /* --keep-v1 leaves every v1 key exactly as it was. */
  f = run(EXAMPLE, false, true, false, NULL);
  src = tu_parse(EXAMPLE);
  const ogrh_table *a = ogrh_svfile_get(src, "OGRH_SV")->u.t,
                   *b = ogrh_svfile_get(f, "OGRH_SV")->u.t;
  assert_int_equal(b->n, a->n + 2);
  for (uint32_t i = 0; i < a->n; i++)
    assert_true(ogrh_value_equal(&a->e[i].val, ogrh_table_get(b, &a->e[i].key)));
  same_bytes(at(f, "v2"), FIXED_V2);
  ogrh_svfile_free(src);
  ogrh_svfile_free(f);
}

/* --addon-extras: the Active Raid and the Admin encounters, and the plan still checks. */
static void test_fixed_with_extras(void **state) {
  (void)state;
  ogrh_migration *m;
  ogrh_svfile *f = run(EXAMPLE, false, false, true, &m);
  same_bytes(at(f, "v2.encounterMgmt.raids.1"), ACTIVE);
  same_bytes(at(f, "v2.encounterMgmt.raids.2.encounters.1"), ADMIN);
  assert_string_equal(at(f, "v2.encounterMgmt.raids.2.encounters.2.name")->u.s, "Razorgore");
  assert_int_equal(at(f, "v2.ui.selectedRaidIndex")->u.i, 2);
  assert_int_equal(at(f, "v2.ui.selectedEncounterIndex")->u.i, 2);
  assert_null(at(f, "v2.encounterMgmt[\"raids[1]\"]"));
  assert_int_equal(m->unexplained, 0);
  ogrh_svfile *src = tu_parse(EXAMPLE);
  assert_int_equal(ogrh_migrate_check(src, f, NULL), OGRH_OK);
  ogrh_svfile_free(src);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
}

static ogrh_svfile *author_file(void) {
  ogrh_svfile *f = NULL;
  assert_int_equal(ogrh_svfile_load(tu_src("tests/data/author-sample-v1.lua"), &f, NULL), OGRH_OK);
  return f;
}

static ogrh_doc *doc_from(ogrh_svfile *f) {
  ogrh_svfile *c = ogrh_svfile_new();
  for (size_t i = 0; i < f->n; i++) {
    ogrh_value v;
    assert_int_equal(ogrh_value_copy(c->arena, &f->vars[i].value, &v), OGRH_OK);
    assert_int_equal(ogrh_svfile_set(c, f->vars[i].name, &v), OGRH_OK);
  }
  ogrh_doc *d = NULL;
  assert_int_equal(ogrh_doc_from_svfile(c, &d, NULL), OGRH_OK);
  return d;
}

/* The author's file, both ways. */
static void test_author_file(void **state) {
  (void)state;
  ogrh_svfile *in = author_file(), *out;
  ogrh_migrate_opts o = {false, false, false, NOW};
  ogrh_migration *m;
  assert_int_equal(ogrh_migrate(in, &o, &out, &m, NULL), OGRH_OK);
  assert_int_equal(ogrh_migrate_check(in, out, NULL), OGRH_OK);
  assert_int_equal(m->raids, 6);
  assert_int_equal(m->encounters, 61);
  assert_int_equal(m->roles, 160);
  assert_int_equal(m->slots, 489);
  assert_int_equal(m->unexplained, 0);
  /* B1 in 6 of 61 encounters (research §5), BWL "Techies" among them; 3 phantom roles (B2). */
  size_t encs = 0;
  const char *last = "";
  for (size_t i = 0; i < m->n; i++)
    if (m->notes[i].kind == OGRH_MNOTE_DIFFERS && strcmp(m->notes[i].tag, "B1") == 0 &&
        strcmp(m->notes[i].path, last) != 0) {
      encs++;
      last = m->notes[i].path;
    }
  assert_int_equal(encs, 6);
  assert_true(
      has_note(m, OGRH_MNOTE_DIFFERS, "v2.encounterMgmt.raids.2.encounters.5.roles",
               "roleId 1 goes to role 2 'Tanks'; the addon puts it on role 1 'Spellbinder'"));
  assert_int_equal(count_notes(m, OGRH_MNOTE_LOST, "B2"), 2);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_migration_format(m, &b), OGRH_OK);
  assert_non_null(strstr(b.p, "result: 6 raids, 61 encounters, 160 roles, 489 slots"));
  ogrh_buf_deinit(&b);
  /* validate says the v1 file and its migration are the same plan. */
  ogrh_doc *a = doc_from(in), *c = doc_from(out);
  ogrh_validation *v = tu_compare(a, c);
  assert_true(v->valid);
  ogrh_validation_free(v);
  ogrh_dtree *ta = tu_tree(a), *tc = tu_tree(c);
  assert_true(ogrh_dtree_equal(ta, tc));
  ogrh_dtree_free(ta);
  ogrh_dtree_free(tc);
  /* The same answers: stats, the plan as players read it, the synced plan the wire carries. */
  ogrh_doc_stats sa, sc;
  ogrh_doc_stats_get(a, &sa);
  ogrh_doc_stats_get(c, &sc);
  assert_memory_equal(&sa, &sc, sizeof sa);
  const char *units[] = {NULL, "BWL", "BWL/Techies", "Naxx/Challenging Shouts"};
  for (int i = 0; i < 4; i++) {
    ogrh_plan *pa, *pc;
    ogrh_buf ja, jc;
    ogrh_buf_init(&ja);
    ogrh_buf_init(&jc);
    assert_int_equal(ogrh_plan_build(a, units[i], &pa, NULL), OGRH_OK);
    assert_int_equal(ogrh_plan_build(c, units[i], &pc, NULL), OGRH_OK);
    assert_int_equal(ogrh_plan_json(pa, 0, &ja), OGRH_OK);
    assert_int_equal(ogrh_plan_json(pc, 0, &jc), OGRH_OK);
    assert_string_equal(ja.p, jc.p);
    ogrh_buf_deinit(&ja);
    ogrh_buf_deinit(&jc);
    ogrh_plan_free(pa);
    ogrh_plan_free(pc);
  }
  ogrh_arena *ar = ogrh_arena_new();
  ogrh_value xa, xc;
  assert_int_equal(ogrh_schema_synced(ar, ogrh_doc_root(a), &xa), OGRH_OK);
  assert_int_equal(ogrh_schema_synced(ar, ogrh_doc_root(c), &xc), OGRH_OK);
  assert_true(ogrh_value_equal(&xa, &xc));
  ogrh_arena_free(ar);
  ogrh_doc_free(a);
  ogrh_doc_free(c);
  ogrh_migration_free(m);
  ogrh_svfile_free(out);
  /* Faithful: the Active Raid, an Admin encounter first everywhere, the alias keys. */
  o.faithful = true;
  assert_int_equal(ogrh_migrate(in, &o, &out, &m, NULL), OGRH_OK);
  assert_int_equal(m->raids, 7);
  assert_string_equal(at(out, "v2.encounterMgmt.raids.1.id")->u.s, "__active__");
  for (int r = 1; r <= 7; r++) {
    char p[96];
    snprintf(p, sizeof p, "v2.encounterMgmt.raids.%d.encounters.1.name", r);
    assert_string_equal(at(out, p)->u.s, "Admin");
    snprintf(p, sizeof p, "v2.encounterMgmt[\"raids[%d]\"]", r);
    assert_non_null(at(out, p));
  }
  /* B1 as the game does it: BWL "Techies" (raid 3 now, encounter 6) has the tanks on
     Spellbinder. */
  assert_string_equal(at(out, "v2.encounterMgmt.raids.3.encounters.6.roles.1.name")->u.s,
                      "Spellbinder");
  assert_int_equal(at(out, "v2.encounterMgmt.raids.3.encounters.6.roles.1.assignedPlayers")->u.t->n,
                   3);
  assert_int_equal(ogrh_svfile_get(out, "OGRH_SV")->u.t->n, 2);
  assert_non_null(ogrh_svfile_get(out, "OGRH_ConsumeHelper_SV"));
  ogrh_migration_free(m);
  ogrh_svfile_free(out);
  ogrh_svfile_free(in);
}

/* Files that are not migrated, with why. */
static void test_refusals(void **state) {
  (void)state;
  const char *files[] = {
      "OGRH_SV={schemaVersion='v2', v2={encounterMgmt={schemaVersion=2, raids={}}}}",
      "OGRH_SV={schemaVersion='v1', roles={}, v2={encounterMgmt={schemaVersion=2, raids={}}}}",
      "OGRH_SV={ui={x=1}}", "X = 1"};
  const char *why[] = {"migrated already", "rolled back", "new install", "no OGRH_SV"};
  for (int i = 0; i < 4; i++)
    for (int faithful = 0; faithful < 2; faithful++) {
      ogrh_svfile *in = tu_parse(files[i]), *out = NULL;
      ogrh_migrate_opts o = {faithful, false, false, NOW};
      ogrh_migration *m = NULL;
      ogrh_err err;
      assert_int_equal(ogrh_migrate(in, &o, &out, &m, &err), OGRH_ESCHEMA);
      assert_null(out);
      assert_non_null(strstr(err.msg, why[i]));
      assert_non_null(m);
      assert_int_equal(count_notes(m, OGRH_MNOTE_REFUSED, NULL), 1);
      ogrh_migration_free(m);
      ogrh_svfile_free(in);
    }
}

/* research §5's E-cases: reported with their paths, carried where v1 data can be. */
static void test_e_cases(void **state) {
  (void)state;
  ogrh_migration *m;
  /* E1: schemaVersion says v2 but there is no v2 (a dev cutover), or a v2 that is no
     migration: the addon never migrates the v1 data; the fixed migration does. */
  const char *e1 = "OGRH_SV={schemaVersion='v2', encounterMgmt={raids={{name='R',encounters="
                   "{{name='E'}}}},roles={R={E={column1={{name='A',roleId=1}}}}}}}";
  ogrh_svfile *f = run(e1, false, false, false, &m);
  assert_string_equal(at(f, "v2.encounterMgmt.raids.1.encounters.1.roles.1.name")->u.s, "A");
  assert_int_equal(m->unexplained, 0);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  f = run(e1, true, true, false, &m);
  assert_null(at(f, "v2.encounterMgmt.raids.2")); /* the Active Raid alone */
  assert_string_equal(at(f, "v2.encounterMgmt.raids.1.id")->u.s, "__active__");
  assert_non_null(at(f, "encounterMgmt.roles.R.E"));
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  const char *e1c = "OGRH_SV={roles={}, v2={dualWriteKey='x'}, encounterMgmt={raids={{name='R'}}}}";
  f = run(e1c, false, false, false, &m);
  assert_null(at(f, "v2.dualWriteKey"));
  assert_true(has_note(m, OGRH_MNOTE_LOST, "v2", "replaced"));
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  /* E2: a roles entry that is not a table stops the addon's migration. */
  const char *e2 = "OGRH_SV={encounterMgmt={raids={{name='R',encounters={{name='E'},{name='F'}}}},"
                   "roles={R={E='oops',F={column1={{name='A',roleId=1}}}}}}}";
  f = run(e2, false, false, false, &m);
  assert_true(has_note(m, OGRH_MNOTE_LOST, "encounterMgmt.roles.R.E", "Lua error"));
  assert_string_equal(at(f, "v2.encounterMgmt.raids.1.encounters.2.roles.1.name")->u.s, "A");
  assert_int_equal(m->unexplained, 0);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  f = run(e2, true, false, false, &m);
  assert_string_equal(at(f, "schemaVersion")->u.s, "v1"); /* never cut over */
  assert_int_equal(at(f, "v2.encounterMgmt.schemaVersion")->u.i, 2);
  assert_null(at(f, "v2.migrationMeta"));
  /* The Admin encounters go into the v1 raids. */
  assert_string_equal(at(f, "encounterMgmt.raids.1.encounters.1.name")->u.s, "Admin");
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  /* E3: a gap in the raid list; E4: v0 data (a raid that is a string); a raid without name. */
  const char *e3 = "OGRH_SV={encounterMgmt={raids={[1]='Molten Core',[2]={name='A'},"
                   "[3]={encounters={}},[5]={name='D'}}}}";
  f = run(e3, false, false, false, &m);
  assert_string_equal(at(f, "v2.encounterMgmt.raids.1")->u.s, "Molten Core");
  assert_string_equal(at(f, "v2.encounterMgmt.raids.5.name")->u.s, "D");
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.encounterMgmt.raids.1", "(v0 data)"));
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.encounterMgmt.raids.5", "gap"));
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, "v2.encounterMgmt.raids.3", "no name"));
  assert_int_equal(m->unexplained, 0);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  f = run(e3, true, false, false, &m);
  /* The addon skips the string and the raid without a name, stops at the gap before D; its
     Active Raid then goes first (getn of {[2]=A} is 0: nothing moves). */
  assert_string_equal(at(f, "v2.encounterMgmt.raids.1.id")->u.s, "__active__");
  assert_non_null(at(f, "v2.encounterMgmt.raids.2.name"));
  assert_string_equal(at(f, "v2.encounterMgmt.raids.2.name")->u.s, "A");
  assert_null(at(f, "v2.encounterMgmt.raids.3"));
  assert_null(at(f, "v2.encounterMgmt.raids.5"));
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  /* E5: a v1 encounter named Admin first: the addon rebuilds its roles from the template. */
  const char *e5 = "OGRH_SV={encounterMgmt={raids={{name='R',encounters={{name='Admin'}}}},"
                   "roles={R={Admin={column1={{name='Loot Settings',roleId=1,"
                   "lootMethod='group'}}}}}}}";
  f = run(e5, true, false, false, &m);
  assert_string_equal(at(f, "v2.encounterMgmt.raids.2.encounters.1.roles.1.lootMethod")->u.s,
                      "group");
  assert_int_equal(at(f, "v2.encounterMgmt.raids.2.encounters.1.roles")->u.t->n, 5);
  assert_null(at(f, "v2.encounterMgmt.raids.2.encounters.2"));
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
  f = run(e5, false, false, true, &m);
  assert_int_equal(at(f, "v2.encounterMgmt.raids.2.encounters.1.roles")->u.t->n, 1);
  assert_true(has_note(m, OGRH_MNOTE_DIFFERS, NULL, "rebuilds its roles"));
  assert_int_equal(m->unexplained, 0);
  ogrh_migration_free(m);
  ogrh_svfile_free(f);
}

/* Every allocation can fail: a clean error, nothing returned. */
typedef struct oom_ctx {
  ogrh_svfile *in;
  ogrh_migrate_opts o;
} oom_ctx;

static int oom_migrate(void *ud, long k) {
  (void)k;
  oom_ctx *c = ud;
  ogrh_svfile *out = NULL;
  ogrh_migration *m = NULL;
  int rc = ogrh_migrate(c->in, &c->o, &out, &m, NULL);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_null(out);
    assert_null(m);
  }
  ogrh_svfile_free(out);
  ogrh_migration_free(m);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  for (int faithful = 0; faithful < 2; faithful++) {
    oom_ctx c = {tu_parse(EXAMPLE), {faithful, faithful, false, NOW}};
    long runs = tu_alloc_fail_loop(oom_migrate, &c, 20000);
    fprintf(stderr, "migrate (%s): %ld allocations failed in turn\n",
            faithful ? "faithful" : "fixed", runs - 1);
    assert_true(runs > 20);
    ogrh_svfile_free(c.in);
  }
}

/* ---- the command ---- */

static char dir[] = "/tmp/ogrh-migrate-XXXXXX";
static char file[600];

static int cli(const char *const *args, const char *out) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("OGRH_NOW", "1700000000", 1);
    if (!freopen(out ? out : "/dev/null", "w", stdout)) _exit(126);
    if (!freopen("/dev/null", "w", stderr)) _exit(126);
    execv(OGRH_CLI, (char *const *)args);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void read_all(const char *path, ogrh_buf *b) {
  ogrh_buf_init(b);
  assert_int_equal(ogrh_read_file(path, b), OGRH_OK);
}

static void test_command(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(file, sizeof file, "%s/OG-RaidHelper.lua", dir);
  put_file(file, EXAMPLE);
  char out[700], rep[700], json[700];
  snprintf(out, sizeof out, "%s/out.lua", dir);
  snprintf(rep, sizeof rep, "%s/report.txt", dir);
  snprintf(json, sizeof json, "%s/report.json", dir);
  ogrh_buf before, after;
  read_all(file, &before);
  /* --dry-run and -o leave the file alone. */
  const char *dry[] = {OGRH_CLI, "migrate", file, "--dry-run", NULL};
  assert_int_equal(cli(dry, rep), 0);
  const char *to[] = {OGRH_CLI, "migrate", file, "-o", out, NULL};
  assert_int_equal(cli(to, NULL), 0);
  read_all(file, &after);
  assert_int_equal(before.n, after.n);
  assert_memory_equal(before.p, after.p, before.n);
  ogrh_buf_deinit(&after);
  ogrh_buf b;
  read_all(rep, &b);
  assert_non_null(strstr(b.p, "differs B1 v2.encounterMgmt.raids.1.encounters.1.roles"));
  ogrh_buf_deinit(&b);
  ogrh_svfile *f;
  assert_int_equal(ogrh_svfile_load(out, &f, NULL), OGRH_OK);
  same_bytes(at(f, "v2"), FIXED_V2);
  ogrh_svfile_free(f);
  /* --json. */
  const char *js[] = {OGRH_CLI, "migrate", file, "--dry-run", "--json", NULL};
  assert_int_equal(cli(js, json), 0);
  read_all(json, &b);
  assert_non_null(strstr(b.p, "\"unexplained\": 0"));
  assert_non_null(strstr(b.p, "\"tag\": \"B2\""));
  ogrh_buf_deinit(&b);
  /* In place: a backup first, then the file; the backup holds the v1 file. */
  const char *inplace[] = {OGRH_CLI, "migrate", file, "--faithful", "--keep-v1", NULL};
  assert_int_equal(cli(inplace, NULL), 0);
  assert_int_equal(ogrh_svfile_load(file, &f, NULL), OGRH_OK);
  same_bytes(at(f, "v2"), faithful_v2());
  ogrh_svfile_free(f);
  ogrh_store *s;
  assert_int_equal(ogrh_store_open(file, &s, NULL), OGRH_OK);
  assert_int_equal(ogrh_store_count(s), 1);
  const ogrh_backup_info *bi = ogrh_store_at(s, 0);
  assert_int_equal(bi->reason, OGRH_REASON_BEFORE_MIGRATE);
  ogrh_svfile *back;
  assert_int_equal(ogrh_backup_load(s, bi->id, &back, NULL), OGRH_OK);
  ogrh_svfile *orig = tu_parse(EXAMPLE);
  assert_true(ogrh_value_equal(ogrh_svfile_get(back, "OGRH_SV"), ogrh_svfile_get(orig, "OGRH_SV")));
  ogrh_svfile_free(orig);
  ogrh_svfile_free(back);
  ogrh_store_close(s);
  /* The migrated file is v2 now: refused, exit 1, the file unchanged. */
  ogrh_buf_deinit(&before);
  read_all(file, &before);
  assert_int_equal(cli(inplace, NULL), 1);
  read_all(file, &after);
  assert_int_equal(before.n, after.n);
  assert_memory_equal(before.p, after.p, before.n);
  ogrh_buf_deinit(&before);
  ogrh_buf_deinit(&after);
  /* Usage errors. */
  const char *bad[] = {OGRH_CLI, "migrate", file, "--faithful", "--addon-extras", NULL};
  assert_int_equal(cli(bad, NULL), 2);
  const char *none[] = {OGRH_CLI, "migrate", NULL};
  assert_int_equal(cli(none, NULL), 2);
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* Backups of a v1 file and of its migration share no objects they should not: both restore. */
static void test_backups_of_both_layouts(void **state) {
  (void)state;
  char d2[] = "/tmp/ogrh-migrate-bk-XXXXXX";
  assert_non_null(mkdtemp(d2));
  char path[600];
  snprintf(path, sizeof path, "%s/OG-RaidHelper.lua", d2);
  ogrh_svfile *v1 = tu_parse(EXAMPLE), *v2;
  ogrh_migrate_opts o = {false, false, false, NOW};
  assert_int_equal(ogrh_migrate(v1, &o, &v2, NULL, NULL), OGRH_OK);
  ogrh_store *s;
  assert_int_equal(ogrh_store_open(path, &s, NULL), OGRH_OK);
  ogrh_backup_info a, b;
  assert_int_equal(ogrh_backup_create(s, v1, "v1", OGRH_REASON_MANUAL, false, 1, 0, &a, NULL),
                   OGRH_OK);
  assert_int_equal(ogrh_backup_create(s, v2, "v2", OGRH_REASON_MANUAL, false, 2, 0, &b, NULL),
                   OGRH_OK);
  /* Same plan, same digests: the layouts are told apart all the same. */
  assert_true(a.root == b.root);
  ogrh_svfile *x, *y;
  ogrh_err err;
  int rc = ogrh_backup_load(s, a.id, &x, &err);
  if (rc) fprintf(stderr, "%s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  rc = ogrh_backup_load(s, b.id, &y, &err);
  if (rc) fprintf(stderr, "%s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  assert_true(ogrh_value_equal(ogrh_svfile_get(x, "OGRH_SV"), ogrh_svfile_get(v1, "OGRH_SV")));
  assert_true(ogrh_value_equal(ogrh_svfile_get(y, "OGRH_SV"), ogrh_svfile_get(v2, "OGRH_SV")));
  ogrh_svfile_free(x);
  ogrh_svfile_free(y);
  ogrh_store_close(s);
  ogrh_svfile_free(v1);
  ogrh_svfile_free(v2);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", d2);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_faithful_worked_example),
      cmocka_unit_test(test_fixed_worked_example),
      cmocka_unit_test(test_fixed_with_extras),
      cmocka_unit_test(test_author_file),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_e_cases),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_command),
      cmocka_unit_test(test_backups_of_both_layouts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
