/* The v1 layout: its view, its store, documents of v1 files, files of both layouts (dual
** write), and the author's real v1 file (tests/data/author-sample-v1.lua). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The worked example of research/ogrh-migration.md §6, as a v1 file. */
#define EXAMPLE tu_text("tests/data/worked-example-v1.lua")

static ogrh_doc *doc_of(const char *text) {
  ogrh_doc *d = NULL;
  assert_int_equal(ogrh_doc_from_svfile(tu_parse(text), &d, NULL), OGRH_OK);
  return d;
}

static ogrh_doc *author(void) {
  ogrh_doc *d = NULL;
  ogrh_err err;
  int rc = ogrh_doc_load(tu_src("tests/data/author-sample-v1.lua"), &d, &err);
  if (rc) fprintf(stderr, "%s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  return d;
}

/* The file as ogrh writes it. */
static void text_of(ogrh_doc *d, ogrh_buf *b) {
  ogrh_buf_init(b);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d), b), OGRH_OK);
}

static void expect(ogrh_doc *d, const char *path, const char *lit) {
  ogrh_arena *a = ogrh_arena_new();
  const ogrh_value *v = NULL;
  ogrh_err err;
  int rc = ogrh_doc_get(d, path, &v, &err);
  if (rc) fprintf(stderr, "%s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  ogrh_value want = tu_lit(a, lit);
  if (!ogrh_value_equal(v, &want)) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_value_write_inline(v, &b);
    fprintf(stderr, "%s: got %s, want %s\n", path, b.p, lit);
    ogrh_buf_deinit(&b);
  }
  assert_true(ogrh_value_equal(v, &want));
  ogrh_arena_free(a);
}

static void expect_absent(ogrh_doc *d, const char *path) {
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, path, &v, NULL), OGRH_ENOTFOUND);
}

/* A write that must fail with rc, leaving the file byte for byte as it was. */
static void refused(ogrh_doc *d, const char *path, const char *lit, int want) {
  ogrh_buf before, after;
  text_of(d, &before);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = tu_lit(a, lit);
  ogrh_err err;
  assert_int_equal(ogrh_doc_set_path(d, path, &v, NULL, &err), want);
  text_of(d, &after);
  assert_int_equal(before.n, after.n);
  assert_memory_equal(before.p, after.p, before.n);
  ogrh_buf_deinit(&before);
  ogrh_buf_deinit(&after);
  ogrh_arena_free(a);
}

static void test_layout(void **state) {
  (void)state;
  ogrh_doc *d = doc_of(EXAMPLE), *f = tu_defaults();
  assert_int_equal(ogrh_doc_layout(d), OGRH_LAYOUT_V1);
  assert_int_equal(ogrh_doc_layout(f), OGRH_LAYOUT_V2);
  ogrh_doc_free(d);
  ogrh_doc_free(f);
  /* The content decides: a root holding no v1 place reads as it is. */
  d = doc_of("OGRH_SV = { encounterMgmt = { raids = { { name = 'MC' } } } }");
  assert_int_equal(ogrh_doc_layout(d), OGRH_LAYOUT_V2);
  ogrh_doc_free(d);
  d = doc_of("OGRH_SV = { encounterAnnouncements = {} }");
  assert_int_equal(ogrh_doc_layout(d), OGRH_LAYOUT_V1);
  ogrh_doc_free(d);
}

/* The view is what the fixed migration makes of research §6's example. */
static void test_view_of_the_example(void **state) {
  (void)state;
  ogrh_doc *d = doc_of(EXAMPLE);
  expect(d, "encounterMgmt.raids.1.encounters.1",
         "{name='Razorgore',advancedSettings={bigwigs={encounterId='Razorgore the Untamed'}},"
         " announcements={'[R1.T]: [R1.P1] [R1.P2]','Heals: [R2.P]'},"
         " roles={{roleId=3,name='Orb',slots=1,column=1,assignedPlayers={'Orbguy'}},"
         "        {roleId=1,name='Tanks',slots=2,column=1,assignedPlayers={'Tankadin','Warbob'},"
         "         raidMarks={8,7}},"
         "        {roleId=2,name='Healers',slots=2,column=2,assignedPlayers={'Holybob'},"
         "         assignmentNumbers={1}}}}");
  /* A role without roleId is kept (no per-role data can reach it); 'Ghost' reaches no role. */
  expect(d, "encounterMgmt.raids.1.encounters.2",
         "{name='Tanks and Heals', roles={{roleId=1,name='MT',slots=1,column=1,"
         "assignedPlayers={'Tankadin'}}, {name='NoId',slots=1,column=2}}}");
  /* The file's own tables are read as they are. */
  expect(d, "[\"encounterAssignments\"].BWL.Razorgore.3", "{'Orbguy'}");
  expect(d, "encounterMgmt.raids.1.name", "'BWL'");
  const ogrh_value *root;
  assert_int_equal(ogrh_doc_view(d, &root), OGRH_OK);
  assert_null(ogrh_table_gets(root->u.t, "encounterAssignments"));
  assert_null(ogrh_table_child(ogrh_table_child(root->u.t, "encounterMgmt"), "roles"));
  ogrh_doc_stats st;
  ogrh_doc_stats_get(d, &st);
  assert_int_equal(st.raids, 1);
  assert_int_equal(st.encounters, 2);
  assert_int_equal(st.roles, 5);
  assert_int_equal(st.slots, 7);
  assert_int_equal(st.assigned, 5);
  ogrh_doc_free(d);
}

/* The author's file: real counts, and BWL "Techies", where roleIds are not positions (B1). */
static void test_author_file(void **state) {
  (void)state;
  ogrh_doc *d = author();
  ogrh_doc_stats st;
  ogrh_doc_stats_get(d, &st);
  assert_int_equal(st.raids, 6);
  assert_int_equal(st.encounters, 61);
  assert_int_equal(st.roles, 160);
  assert_int_equal(st.slots, 489);
  assert_int_equal(st.assigned, 373);
  expect(d, "encounterMgmt.raids.2.encounters.5.name", "'Techies'");
  expect(d, "encounterMgmt.raids.2.encounters.5.roles.1.name", "'Spellbinder'");
  expect(d, "encounterMgmt.raids.2.encounters.5.roles.1.roleId", "3");
  expect(d, "encounterMgmt.raids.2.encounters.5.roles.2.name", "'Tanks'");
  expect(d, "encounterMgmt.raids.2.encounters.5.roles.2.assignedPlayers",
         "{'Lowtides','Voxii','Tankmedady'}");
  expect(d, "encounterMgmt.raids.2.encounters.5.roles.2.raidMarks", "{8,7,6}");
  expect(d, "encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers", "{'Hooliganscha'}");
  ogrh_doc_free(d);
}

/* lua5.1 judges the file ogrh writes equal to the one the game wrote. */
static void test_author_round_trip_in_lua(void **state) {
  (void)state;
  if (system("lua5.1 -v >/dev/null 2>&1") != 0) {
    fprintf(stderr, "lua5.1 not installed: round trip in Lua skipped\n");
    return;
  }
  ogrh_doc *d = author();
  char out[] = "/tmp/ogrh-v1-XXXXXX";
  int fd = mkstemp(out);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(ogrh_doc_save(d, out, NULL), OGRH_OK);
  char cmd[12400], script[4096], orig[4096];
  snprintf(script, sizeof script, "%s", tu_src("tests/lua_equal.lua"));
  snprintf(orig, sizeof orig, "%s", tu_src("tests/data/author-sample-v1.lua"));
  snprintf(cmd, sizeof cmd, "lua5.1 %s %s %s", script, orig, out);
  assert_int_equal(system(cmd), 0);
  /* And the check can fail: a changed file is not equal. */
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, "pollTime", &v, NULL), OGRH_OK);
  tu_set(d, "pollTime", "6");
  assert_int_equal(ogrh_doc_save(d, out, NULL), OGRH_OK);
  assert_true(system(cmd) != 0);
  unlink(out);
  ogrh_doc_free(d);
}

/* A change to one v1 place, the component it is, and the encounter it belongs to. */
typedef struct drift {
  const char *path, *lit;
  const char *raid, *enc; /* NULL for a global component */
  unsigned comps;         /* OGRH_C_* of the encounter, or 1 << global */
} drift;

static const drift drifts[] = {
    {"[\"encounterAssignments\"].BWL.Techies.1.2", "'Intruder'", "BWL", "Techies",
     OGRH_C_ASSIGNMENTS},
    {"[\"encounterRaidMarks\"].BWL.Techies.1.1", "1", "BWL", "Techies", OGRH_C_MARKS},
    {"[\"encounterAssignmentNumbers\"].BWL.Razorgore.1.1", "42", "BWL", "Razorgore",
     OGRH_C_NUMBERS},
    {"[\"encounterAnnouncements\"].BWL.Techies.1", "'pull now'", "BWL", "Techies", OGRH_C_ANNOUNCE},
    {"encounterMgmt.roles.BWL.Techies.column1.1.name", "'Renamed'", "BWL", "Techies", OGRH_C_ROLES},
    {"encounterMgmt.roles.BWL.Techies.column2.1.slots", "9", "BWL", "Techies", OGRH_C_ROLES},
    /* Another roleId takes the per-role data away from the role. */
    {"encounterMgmt.roles.BWL.Techies.column1.1.roleId", "7", "BWL", "Techies",
     OGRH_C_ROLES | OGRH_C_ASSIGNMENTS | OGRH_C_MARKS},
    /* Paths of the v2 shape reach the v1 places. */
    {"encounterMgmt.raids.2.encounters.5.roles.2.assignedPlayers.1", "'Y'", "BWL", "Techies",
     OGRH_C_ASSIGNMENTS},
    {"encounterMgmt.raids.2.encounters.5.roles.3.name", "'Snacks'", "BWL", "Techies", OGRH_C_ROLES},
    {"encounterMgmt.raids.2.encounters.5.advancedSettings.extra", "1", "BWL", "Techies",
     OGRH_C_METADATA},
    {"tradeItems.zzz", "1", NULL, NULL, 1u << OGRH_G_TRADEITEMS},
    {"roles.Tiep", "'TANKS'", NULL, NULL, 1u << OGRH_G_ROLESUI},
};

/* Every v1 place: a change is found by validate, and repair puts back exactly that. */
static void test_drift_found_and_repaired(void **state) {
  (void)state;
  ogrh_doc *src = author();
  ogrh_buf want;
  text_of(src, &want);
  for (size_t i = 0; i < sizeof drifts / sizeof drifts[0]; i++) {
    const drift *x = &drifts[i];
    ogrh_doc *d = author();
    tu_set(d, x->path, x->lit);
    ogrh_validation *v = tu_compare(d, src);
    assert_false(v->valid);
    if (!x->raid) {
      assert_int_equal(v->globals, x->comps);
      assert_int_equal(v->nraids, 0);
    } else {
      assert_int_equal(v->globals, 0);
      assert_int_equal(v->nraids, 1);
      assert_int_equal(v->raids[0].name_len, strlen(x->raid));
      assert_memory_equal(v->raids[0].name, x->raid, strlen(x->raid));
      assert_int_equal(v->raids[0].nencs, 1);
      assert_memory_equal(v->raids[0].encs[0].name, x->enc, strlen(x->enc));
      if (v->raids[0].encs[0].components != x->comps)
        fprintf(stderr, "%s: components %x, want %x\n", x->path, v->raids[0].encs[0].components,
                x->comps);
      assert_int_equal(v->raids[0].encs[0].components, x->comps);
    }
    ogrh_repair_plan *plan;
    ogrh_repair_opts o = {OGRH_REPAIR_COMPONENT, NULL, NULL};
    assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(src), &o, &plan), OGRH_OK);
    ogrh_err err;
    int rc = ogrh_repair_apply(d, ogrh_doc_root(src), plan, &err);
    if (rc) fprintf(stderr, "%s: %s\n", x->path, ogrh_err_msg(&err));
    assert_int_equal(rc, OGRH_OK);
    /* The whole file is the source's again, byte for byte. */
    ogrh_buf got;
    text_of(d, &got);
    assert_int_equal(got.n, want.n);
    assert_memory_equal(got.p, want.p, want.n);
    ogrh_buf_deinit(&got);
    ogrh_repair_plan_free(plan);
    ogrh_validation_free(v);
    ogrh_doc_free(d);
  }
  ogrh_buf_deinit(&want);
  ogrh_doc_free(src);
}

/* Writes of the v2 shape go to the v1 places, and only there. */
static void test_v2_paths_in_a_v1_file(void **state) {
  (void)state;
  ogrh_doc *d = doc_of(EXAMPLE);
  /* Tanks is role 2 and roleId 1: its data is v1's [1]. */
  tu_set(d, "encounterMgmt.raids.1.encounters.1.roles.2.assignedPlayers.3", "'Newbie'");
  expect(d, "[\"encounterAssignments\"].BWL.Razorgore.1", "{'Tankadin','Warbob','Newbie'}");
  expect(d, "[\"encounterAssignments\"].BWL.Razorgore.3", "{'Orbguy'}");
  /* A new role with its per-slot data. */
  tu_set(d, "encounterMgmt.raids.1.encounters.1.roles.4",
         "{name='Kiter',roleId=4,column=2,slots=1,assignedPlayers={'Runner'}}");
  expect(d, "encounterMgmt.roles.BWL.Razorgore.column2",
         "{{roleId=2,name='Healers',slots=2},{roleId=4,name='Kiter',slots=1}}");
  expect(d, "[\"encounterAssignments\"].BWL.Razorgore.4", "{'Runner'}");
  /* A rename moves every place of the encounter; the orphan of Onyxia stays where it is. */
  tu_set(d, "encounterMgmt.raids.1.encounters.1.name", "'Razor'");
  expect_absent(d, "encounterMgmt.roles.BWL.Razorgore");
  expect_absent(d, "[\"encounterAssignments\"].BWL.Razorgore");
  expect(d, "[\"encounterRaidMarks\"].BWL.Razor.1", "{8,7}");
  expect(d, "encounterMgmt.raids.1.encounters.1.roles.2.raidMarks", "{8,7}");
  expect(d, "encounterMgmt.roles.Onyxia.Ony.column1.1.name", "'MT'");
  /* Removing an encounter removes its places. */
  tu_set(d, "encounterMgmt.raids.1.encounters.2", "nil");
  expect_absent(d, "encounterMgmt.roles.BWL[\"Tanks and Heals\"]");
  expect_absent(d, "[\"encounterAssignments\"].BWL[\"Tanks and Heals\"]");
  /* A new raid gets places under its name. */
  tu_set(d, "encounterMgmt.raids.2",
         "{name='MC',encounters={{name='Rag',announcements={'go'},"
         "roles={{name='MT',roleId=1,column=1,assignedPlayers={'A'}}}}}}");
  expect(d, "encounterMgmt.roles.MC.Rag.column1", "{{name='MT',roleId=1}}");
  expect(d, "[\"encounterAssignments\"].MC.Rag.1", "{'A'}");
  expect(d, "[\"encounterAnnouncements\"].MC.Rag", "{'go'}");
  ogrh_doc_free(d);
}

/* What v1 cannot hold is refused, and the file stays as it was. */
static void test_what_v1_cannot_hold(void **state) {
  (void)state;
  ogrh_doc *d = doc_of(EXAMPLE);
  const char *razor = "encounterMgmt.raids.1.encounters.1";
  char p[256];
  snprintf(p, sizeof p, "%s.roles.1.column", razor);
  refused(d, p, "3", OGRH_ECORRUPT);
  /* v1 lists column 1 first: a role of column 2 before one of column 1 cannot be. */
  refused(d, p, "2", OGRH_ECORRUPT);
  snprintf(p, sizeof p, "%s.roles.5", razor);
  refused(d, p, "{name='Gap',roleId=5,column=2}", OGRH_ECORRUPT);
  snprintf(p, sizeof p, "%s.roles.4", razor);
  refused(d, p, "{name='NoColumn',roleId=5}", OGRH_ECORRUPT);
  /* Per-slot data of a role without roleId. */
  refused(d, "encounterMgmt.raids.1.encounters.2.roles.2.assignedPlayers.1", "'X'", OGRH_ECORRUPT);
  /* Two roles of one roleId with different data. */
  snprintf(p, sizeof p, "%s.roles.2.roleId", razor);
  refused(d, p, "3", OGRH_ECORRUPT);
  /* Roles of an encounter without a name. */
  refused(d, "encounterMgmt.raids.1.encounters.3", "{roles={{name='A',roleId=1,column=1}}}",
          OGRH_ECORRUPT);
  /* The message says why. */
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = tu_lit(a, "3");
  ogrh_err err;
  snprintf(p, sizeof p, "%s.roles.1.column", razor);
  assert_int_equal(ogrh_doc_set_path(d, p, &v, NULL, &err), OGRH_ECORRUPT);
  assert_non_null(strstr(err.msg, "BWL > Razorgore: role 1 has no column 1 or 2"));
  ogrh_arena_free(a);
  /* Same-named encounters share their places: they must agree. */
  ogrh_doc_free(d);
  d = doc_of("OGRH_SV={encounterMgmt={raids={{name='R',encounters={{name='E'},{name='E'}}}},"
             "roles={R={E={column1={{name='A',roleId=1}}}}}}}");
  expect(d, "encounterMgmt.raids.1.encounters.2.roles.1.name", "'A'");
  refused(d, "encounterMgmt.raids.1.encounters.1.roles.1.name", "'B'", OGRH_ECORRUPT);
  ogrh_doc_free(d);
}

/* Scopes of writes to the v1 places: the encounter of those names. */
typedef struct seen {
  ogrh_scope scope;
  int n;
} seen;

static void on_change(void *ud, const ogrh_change *c) {
  seen *s = ud;
  s->scope = c->scope;
  s->n++;
}

static void test_v1_scopes(void **state) {
  (void)state;
  ogrh_doc *d = doc_of(EXAMPLE);
  seen s = {{0}, 0};
  assert_true(ogrh_doc_subscribe(d, on_change, &s) > 0);
  tu_set(d, "[\"encounterAssignments\"].BWL.Razorgore.1.1", "'X'");
  assert_int_equal(s.scope.kind, OGRH_SCOPE_ENCOUNTER);
  assert_int_equal(s.scope.raid, 1);
  assert_int_equal(s.scope.encounter, 1);
  assert_int_equal(s.scope.components, OGRH_C_ASSIGNMENTS);
  tu_set(d, "encounterMgmt.roles.BWL[\"Tanks and Heals\"].column1.1.name", "'Main'");
  assert_int_equal(s.scope.kind, OGRH_SCOPE_ENCOUNTER);
  assert_int_equal(s.scope.encounter, 2);
  assert_int_equal(s.scope.components,
                   OGRH_C_ROLES | OGRH_C_ASSIGNMENTS | OGRH_C_MARKS | OGRH_C_NUMBERS);
  tu_set(d, "[\"encounterAnnouncements\"].BWL.Razorgore.3", "'more'");
  assert_int_equal(s.scope.components, OGRH_C_ANNOUNCE);
  /* A place of names no encounter has, and a whole v1 table. */
  tu_set(d, "encounterMgmt.roles.Onyxia.Ony.column1.1.slots", "2");
  assert_int_equal(s.scope.kind, OGRH_SCOPE_OTHER);
  tu_set(d, "encounterRaidMarks", "{}");
  assert_int_equal(s.scope.kind, OGRH_SCOPE_ALL);
  /* A path of the v2 shape has the scope of that path. */
  tu_set(d, "encounterMgmt.raids.1.encounters.1.roles.1.raidMarks.1", "4");
  assert_int_equal(s.scope.kind, OGRH_SCOPE_ENCOUNTER);
  assert_int_equal(s.scope.components, OGRH_C_MARKS);
  assert_int_equal(s.n, 6);
  ogrh_doc_free(d);
}

/* A digest tree attached to a v1 document stays right through every kind of write. */
static void test_tree_follows_v1_writes(void **state) {
  (void)state;
  ogrh_doc *d = author();
  ogrh_dtree *t = tu_tree(d);
  assert_int_equal(ogrh_dtree_attach(t, d), OGRH_OK);
  for (size_t i = 0; i < sizeof drifts / sizeof drifts[0]; i++) {
    ogrh_digest before, after;
    assert_int_equal(ogrh_dtree_root(t, &before), OGRH_OK);
    tu_set(d, drifts[i].path, drifts[i].lit);
    assert_int_equal(ogrh_dtree_root(t, &after), OGRH_EAGAIN);
    assert_int_equal(ogrh_dtree_verify(t, NULL), OGRH_OK);
    assert_int_equal(ogrh_dtree_root(t, &after), OGRH_OK);
    assert_true(after != before);
  }
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
}

/* A file of both layouts, made by the fixed migration with --keep-v1. */
static ogrh_doc *dual_of(const char *text, bool faithful) {
  ogrh_svfile *in = tu_parse(text), *out = NULL;
  ogrh_migrate_opts o = {faithful, true, false, 1700000000};
  assert_int_equal(ogrh_migrate(in, &o, &out, NULL, NULL), OGRH_OK);
  ogrh_svfile_free(in);
  ogrh_doc *d = NULL;
  assert_int_equal(ogrh_doc_from_svfile(out, &d, NULL), OGRH_OK);
  return d;
}

/* The value at path under OGRH_SV itself (not the schema root), or NULL. */
static const ogrh_value *sv_at(ogrh_doc *d, const char *path) {
  ogrh_path p;
  assert_int_equal(ogrh_path_parse(path, &p, NULL), OGRH_OK);
  const ogrh_value *v = ogrh_svfile_get(ogrh_doc_svfile(d), "OGRH_SV");
  for (size_t i = 0; i < p.n && v; i++)
    v = v->type == OGRH_TABLE ? ogrh_table_get(v->u.t, &p.seg[i]) : NULL;
  return v;
}

static bool is(const ogrh_value *v, const char *s) {
  return v && v->type == OGRH_STRING && v->len == strlen(s) && memcmp(v->u.s, s, v->len) == 0;
}

/* The addon's test_svm suite 2 (research §4), here without wiping anything. */
static void test_dual_write(void **state) {
  (void)state;
  ogrh_doc *d = dual_of(EXAMPLE, false);
  assert_true(ogrh_doc_is_v2(d));
  ogrh_arena *a = ogrh_arena_new();
  /* 2.1: a write reaches both layouts. */
  ogrh_value v = tu_lit(a, "'dualValue'");
  assert_int_equal(ogrh_doc_set(d, "dualWriteKey", NULL, &v, NULL, NULL), OGRH_OK);
  assert_true(is(sv_at(d, "dualWriteKey"), "dualValue"));
  assert_true(is(sv_at(d, "v2.dualWriteKey"), "dualValue"));
  /* 2.2: a deep SetPath reaches both. */
  tu_set(d, "deep.path.test", "'deepDualValue'");
  assert_true(is(sv_at(d, "deep.path.test"), "deepDualValue"));
  expect(d, "deep.path.test", "'deepDualValue'");
  /* The plan is mirrored through the v1 mapping: Tanks (role 2) has roleId 1. */
  tu_set(d, "encounterMgmt.raids.1.encounters.1.roles.2.assignedPlayers.1", "'X'");
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.1.1"), "X"));
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.3.1"), "Orbguy"));
  ogrh_svfile *f = ogrh_doc_svfile(d);
  ogrh_doc *v1side = NULL;
  /* Read the v1 side as a v1 file: its view is the v2 side's plan. */
  ogrh_svfile *copy = ogrh_svfile_new();
  ogrh_value sv = *ogrh_svfile_get(f, "OGRH_SV"), c;
  assert_int_equal(ogrh_value_copy(copy->arena, &sv, &c), OGRH_OK);
  ogrh_value nil = ogrh_vnil(), ksv = ogrh_vcstr("schemaVersion"), kv2 = ogrh_vcstr("v2");
  assert_int_equal(ogrh_table_set(copy->arena, c.u.t, &ksv, &nil), OGRH_OK);
  assert_int_equal(ogrh_table_set(copy->arena, c.u.t, &kv2, &nil), OGRH_OK);
  assert_int_equal(ogrh_svfile_set(copy, "OGRH_SV", &c), OGRH_OK);
  assert_int_equal(ogrh_doc_from_svfile(copy, &v1side, NULL), OGRH_OK);
  expect(v1side, "[\"encounterAssignments\"].BWL.Razorgore.1", "{'X','Warbob'}");
  ogrh_validation *val = tu_compare(v1side, d);
  assert_true(val->valid);
  ogrh_validation_free(val);
  ogrh_doc_free(v1side);
  /* migrationMeta is v2's alone; a write the v1 side cannot hold is not made at all. */
  tu_set(d, "migrationMeta.note", "'x'");
  assert_null(sv_at(d, "migrationMeta"));
  refused(d, "encounterMgmt.raids.1.encounters.1.roles.1.column", "3", OGRH_ECORRUPT);
  ogrh_doc_free(d);
  /* 2.3: a file that is v2 only is written once. */
  ogrh_svfile *in = tu_parse(EXAMPLE), *out = NULL;
  ogrh_migrate_opts o = {false, false, false, 1};
  assert_int_equal(ogrh_migrate(in, &o, &out, NULL, NULL), OGRH_OK);
  ogrh_svfile_free(in);
  assert_int_equal(ogrh_doc_from_svfile(out, &d, NULL), OGRH_OK);
  v = tu_lit(a, "'value'");
  assert_int_equal(ogrh_doc_set(d, "noDualWrite", NULL, &v, NULL, NULL), OGRH_OK);
  assert_true(is(sv_at(d, "v2.noDualWrite"), "value"));
  assert_null(sv_at(d, "noDualWrite"));
  assert_int_equal(ogrh_svfile_get(ogrh_doc_svfile(d), "OGRH_SV")->u.t->n, 2);
  ogrh_doc_free(d);
  ogrh_arena_free(a);
}

/* A file the addon migrated (B1 and all) keeps its v1 data: a write is mirrored as that write. */
static void test_dual_write_of_the_addon_s_file(void **state) {
  (void)state;
  ogrh_doc *d = dual_of(EXAMPLE, true);
  /* v2's BWL is raid 2 (the Active Raid is first), Razorgore encounter 2 (Admin is first). */
  expect(d, "encounterMgmt.raids.2.encounters.2.roles.2.assignedPlayers", "{'Holybob'}");
  tu_set(d, "encounterMgmt.raids.2.encounters.2.roles.2.assignedPlayers.1", "'X'");
  /* Role 2 (Tanks) has roleId 1: v1's [1] gets the write; nothing else of v1 moves. */
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.1.1"), "X"));
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.1.2"), "Warbob"));
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.3.1"), "Orbguy"));
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.2.1"), "Holybob"));
  /* The Active Raid has no v1 counterpart: not mirrored. */
  ogrh_buf before, after;
  ogrh_buf_init(&before);
  ogrh_buf_init(&after);
  const ogrh_value *v1raids = sv_at(d, "encounterMgmt.raids");
  ogrh_value_write_inline(v1raids, &before);
  tu_set(d, "encounterMgmt.raids.1.encounters.2.displayName", "'Plan'");
  tu_set(d, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "'Looter'");
  ogrh_value_write_inline(sv_at(d, "encounterMgmt.raids"), &after);
  assert_string_equal(before.p, after.p);
  assert_null(sv_at(d, "encounterAssignments.BWL.Admin"));
  ogrh_buf_deinit(&before);
  ogrh_buf_deinit(&after);
  ogrh_doc_free(d);
}

/* A repair of a file of both layouts reaches both. */
static void test_dual_repair(void **state) {
  (void)state;
  ogrh_doc *src = doc_of(EXAMPLE), *d = dual_of(EXAMPLE, false);
  tu_set(src, "[\"encounterRaidMarks\"].BWL.Razorgore.1", "{1,2}");
  ogrh_validation *v = tu_compare(d, src);
  assert_false(v->valid);
  ogrh_repair_plan *plan;
  assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(src), NULL, &plan), OGRH_OK);
  assert_int_equal(ogrh_repair_apply(d, ogrh_doc_root(src), plan, NULL), OGRH_OK);
  assert_int_equal(sv_at(d, "encounterRaidMarks.BWL.Razorgore.1.1")->u.i, 1);
  assert_int_equal(sv_at(d, "encounterRaidMarks.BWL.Razorgore.1.2")->u.i, 2);
  expect(d, "encounterMgmt.raids.1.encounters.1.roles.2.raidMarks", "{1,2}");
  ogrh_validation *w = tu_compare(d, src);
  assert_true(w->valid);
  ogrh_validation_free(w);
  ogrh_repair_plan_free(plan);
  ogrh_validation_free(v);
  ogrh_doc_free(d);
  ogrh_doc_free(src);
}

/*
** v1 lists the roles of column 1 first and keys per-slot data by roleId; the generated plans
** (like the factory defaults) interleave the columns and have roles without a roleId. Puts
** every encounter's roles in v1's order (numbered again) with a column and a roleId, in place.
*/
static void column_order(ogrh_doc *g) {
  ogrh_arena *a = ogrh_doc_arena(g);
  ogrh_table *raids = ogrh_doc_raids(g);
  for (uint32_t i = 0; i < raids->n; i++) {
    ogrh_table *encs = ogrh_raid_encounters(raids->e[i].val.u.t);
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      ogrh_table *roles = ogrh_table_child(encs->e[j].val.u.t, "roles");
      if (!roles) continue;
      ogrh_table *n = ogrh_table_new(a, roles->n);
      assert_non_null(n);
      for (int64_t c = 1; c <= 2; c++)
        for (uint32_t k = 0; k < roles->n; k++) {
          const ogrh_value *col = ogrh_table_gets(roles->e[k].val.u.t, "column");
          if ((col ? col->u.i : 1) != c) continue;
          if (!col) {
            ogrh_value kc = ogrh_vcstr("column"), one = ogrh_vint(1);
            assert_int_equal(ogrh_table_set(a, roles->e[k].val.u.t, &kc, &one), OGRH_OK);
          }
          /* v1 keys per-slot data by roleId: a role without one gets one no other role has. */
          if (!ogrh_table_gets(roles->e[k].val.u.t, "roleId")) {
            ogrh_value kr = ogrh_vcstr("roleId"), id = ogrh_vint(1000 + (int64_t)k);
            assert_int_equal(ogrh_table_set(a, roles->e[k].val.u.t, &kr, &id), OGRH_OK);
          }
          n->e[n->n].key = ogrh_vint((int64_t)n->n + 1);
          n->e[n->n++].val = roles->e[k].val;
        }
      assert_int_equal(n->n, roles->n);
      *roles = *n;
    }
  }
}

/* The store is the view's inverse: a generated v2 plan stored into an empty v1 root reads
   back with the same digests. */
static void test_store_of_generated_plans(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 3; seed++) {
    ogrh_doc *g = tu_generated(seed, 1);
    column_order(g);
    ogrh_doc *d = doc_of("OGRH_SV = { encounterMgmt = { roles = {} } }");
    ogrh_value v1 = *ogrh_svfile_get(ogrh_doc_svfile(d), "OGRH_SV");
    const ogrh_value *gr = ogrh_doc_root(g);
    const ogrh_value *raids = ogrh_table_gets(ogrh_table_child(gr->u.t, "encounterMgmt"), "raids");
    ogrh_buf why;
    ogrh_buf_init(&why);
    int rc = ogrh_v1_store(ogrh_doc_arena(d), v1.u.t, raids, NULL, &why);
    if (rc) fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, why.p);
    assert_int_equal(rc, OGRH_OK);
    ogrh_buf_deinit(&why);
    for (int k = 0; k < OGRH_NGLOBALS; k++) {
      const ogrh_value *x = ogrh_global_get(gr, k);
      if (x)
        assert_int_equal(ogrh_table_set(ogrh_doc_arena(d), v1.u.t, ogrh_global_keyv(k), x),
                         OGRH_OK);
    }
    assert_int_equal(ogrh_doc_layout(d), OGRH_LAYOUT_V1);
    ogrh_validation *val = tu_compare(d, g);
    assert_true(val->valid);
    ogrh_validation_free(val);
    /* Storing the same plan again changes nothing. */
    ogrh_buf a, b;
    text_of(d, &a);
    const ogrh_value *view;
    assert_int_equal(ogrh_doc_view(d, &view), OGRH_OK);
    const ogrh_value *vr = ogrh_table_gets(ogrh_table_child(view->u.t, "encounterMgmt"), "raids");
    assert_int_equal(ogrh_v1_store(ogrh_doc_arena(d), v1.u.t, vr, NULL, NULL), OGRH_OK);
    text_of(d, &b);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    ogrh_buf_deinit(&a);
    ogrh_buf_deinit(&b);
    ogrh_doc_free(d);
    ogrh_doc_free(g);
  }
}

/* Every allocation of a translated write (and of a mirrored one) can fail: nothing changes. */
typedef struct oom_ctx {
  ogrh_doc *d;
  const char *path;
  ogrh_value v, want;
} oom_ctx;

static int oom_write(void *ud, long k) {
  (void)k;
  oom_ctx *c = ud;
  int rc = ogrh_doc_set_path(c->d, c->path, &c->v, NULL, NULL);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_true(ogrh_value_equal(ogrh_svfile_get(ogrh_doc_svfile(c->d), "OGRH_SV"), &c->want));
  }
  return rc;
}

static void oom_case(ogrh_doc *d, const char *path, const char *lit, const char *check_path,
                     const char *check, long min_runs) {
  ogrh_arena *a = ogrh_arena_new();
  oom_ctx c = {d, path, tu_lit(a, lit), {0}};
  assert_int_equal(ogrh_value_copy(a, ogrh_svfile_get(ogrh_doc_svfile(d), "OGRH_SV"), &c.want),
                   OGRH_OK);
  long runs = tu_alloc_fail_loop(oom_write, &c, 5000);
  if (runs < min_runs) fprintf(stderr, "%s: %ld runs\n", path, runs);
  assert_true(runs >= min_runs);
  expect(d, check_path, check);
  ogrh_arena_free(a);
}

static void test_allocation_failures(void **state) {
  (void)state;
  const char *role = "{name='Kiter',roleId=4,column=2,slots=1,assignedPlayers={'R'}}";
  ogrh_doc *d = doc_of(EXAMPLE);
  oom_case(d, "encounterMgmt.raids.1.encounters.1.roles.4", role,
           "[\"encounterAssignments\"].BWL.Razorgore.4", "{'R'}", 3);
  ogrh_doc_free(d);
  d = dual_of(EXAMPLE, false);
  /* A stored mirror, and a translated one. */
  oom_case(d, "encounterMgmt.raids.1.encounters.1.roles.4", role,
           "encounterMgmt.raids.1.encounters.1.roles.4.assignedPlayers", "{'R'}", 3);
  oom_case(d, "encounterMgmt.raids.1.encounters.1.roles.4.assignedPlayers.2", "'S'",
           "encounterMgmt.raids.1.encounters.1.roles.4.assignedPlayers", "{'R','S'}", 1);
  assert_true(is(sv_at(d, "encounterAssignments.BWL.Razorgore.4.2"), "S"));
  ogrh_doc_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout),
      cmocka_unit_test(test_view_of_the_example),
      cmocka_unit_test(test_author_file),
      cmocka_unit_test(test_author_round_trip_in_lua),
      cmocka_unit_test(test_drift_found_and_repaired),
      cmocka_unit_test(test_v2_paths_in_a_v1_file),
      cmocka_unit_test(test_what_v1_cannot_hold),
      cmocka_unit_test(test_v1_scopes),
      cmocka_unit_test(test_tree_follows_v1_writes),
      cmocka_unit_test(test_dual_write),
      cmocka_unit_test(test_dual_write_of_the_addon_s_file),
      cmocka_unit_test(test_dual_repair),
      cmocka_unit_test(test_store_of_generated_plans),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
