#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_path_parse(void **state) {
  (void)state;
  ogrh_path p;
  ogrh_err err;
  assert_int_equal(
      ogrh_path_parse("encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers.3", &p, &err),
      OGRH_OK);
  assert_int_equal(p.n, 9);
  assert_int_equal(p.seg[2].type, OGRH_INT);
  assert_int_equal(p.seg[2].u.i, 2);
  assert_int_equal(p.seg[8].u.i, 3);
  assert_int_equal(ogrh_path_parse("a[\"Raid Admin\"].b['x.y'][7].-2", &p, &err), OGRH_OK);
  assert_int_equal(p.n, 6);
  assert_memory_equal(p.seg[1].u.s, "Raid Admin", 10);
  assert_memory_equal(p.seg[3].u.s, "x.y", 3);
  assert_int_equal(p.seg[4].u.i, 7);
  assert_int_equal(p.seg[5].u.i, -2);
  assert_int_equal(ogrh_path_parse("a[\"12\"]", &p, &err), OGRH_OK);
  assert_int_equal(p.seg[1].type, OGRH_STRING); /* quoted digits stay a string */
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_path_parse("a[\"Raid Admin\"].3[\"9\"]", &p, &err);
  ogrh_path_format(&p, p.n, &b);
  assert_string_equal(b.p, "a[\"Raid Admin\"].3[\"9\"]");
  ogrh_buf_deinit(&b);
  assert_int_equal(ogrh_path_parse("", &p, &err), OGRH_EPATH);
  assert_int_equal(ogrh_path_parse("a..b", &p, &err), OGRH_EPATH);
  assert_int_equal(ogrh_path_parse("a.", &p, &err), OGRH_EPATH);
  assert_int_equal(ogrh_path_parse("a[\"x", &p, &err), OGRH_EPATH);
  assert_int_equal(ogrh_path_parse("a[x]", &p, &err), OGRH_EPATH);
}

static ogrh_scope scope_of(const char *path) {
  ogrh_path p;
  ogrh_scope s;
  assert_int_equal(ogrh_path_parse(path, &p, NULL), OGRH_OK);
  ogrh_path_scope(&p, &s);
  return s;
}

static void test_scopes(void **state) {
  (void)state;
  ogrh_scope s = scope_of("encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers.3");
  assert_int_equal(s.kind, OGRH_SCOPE_ENCOUNTER);
  assert_int_equal(s.raid, 2);
  assert_int_equal(s.encounter, 5);
  assert_int_equal(s.components, OGRH_C_ASSIGNMENTS);
  assert_int_equal(scope_of("encounterMgmt.raids.2.encounters.5.roles.1.raidMarks").components,
                   OGRH_C_MARKS);
  assert_int_equal(
      scope_of("encounterMgmt.raids.2.encounters.5.roles.1.assignmentNumbers.2").components,
      OGRH_C_NUMBERS);
  assert_int_equal(scope_of("encounterMgmt.raids.2.encounters.5.roles.1.slots").components,
                   OGRH_C_ROLES);
  assert_int_equal(scope_of("encounterMgmt.raids.2.encounters.5.roles").components,
                   OGRH_C_ROLES | OGRH_C_ASSIGNMENTS | OGRH_C_MARKS | OGRH_C_NUMBERS);
  assert_int_equal(scope_of("encounterMgmt.raids.2.encounters.5.announcements.1").components,
                   OGRH_C_ANNOUNCE);
  s = scope_of("encounterMgmt.raids.2.encounters.5.advancedSettings.bigwigs.enabled");
  assert_int_equal(s.components, OGRH_C_METADATA);
  assert_false(s.raid_meta);
  s = scope_of("encounterMgmt.raids.2.encounters.5.name");
  assert_true(s.raid_meta);
  s = scope_of("encounterMgmt.raids.2.encounters.5");
  assert_int_equal(s.components, OGRH_C_ALL);
  s = scope_of("encounterMgmt.raids.2.advancedSettings.consumeTracking.enabled");
  assert_int_equal(s.kind, OGRH_SCOPE_RAID);
  assert_true(s.raid_meta);
  assert_false(s.raid_all);
  s = scope_of("encounterMgmt.raids.2");
  assert_true(s.raid_all);
  assert_int_equal(scope_of("encounterMgmt.raids").kind, OGRH_SCOPE_ALL);
  s = scope_of("consumes.3.primaryId");
  assert_int_equal(s.kind, OGRH_SCOPE_GLOBAL);
  assert_int_equal(s.global, OGRH_G_CONSUMES);
  assert_int_equal(scope_of("roles.Tankadin").global, OGRH_G_ROLESUI);
  assert_int_equal(scope_of("tradeItems").global, OGRH_G_TRADEITEMS);
  assert_int_equal(scope_of("ui.selectedRaid").kind, OGRH_SCOPE_OTHER);
}

typedef struct seen {
  int n;
  char path[256];
  ogrh_value old_v, new_v;
  ogrh_arena *a;
  ogrh_scope scope;
  ogrh_sync_level level;
  uint64_t rev;
} seen;

static void record(void *ud, const ogrh_change *c) {
  seen *s = ud;
  s->n++;
  snprintf(s->path, sizeof s->path, "%s", c->path_text);
  ogrh_value_copy(s->a, c->old_value, &s->old_v);
  ogrh_value_copy(s->a, c->new_value, &s->new_v);
  s->scope = c->scope;
  s->level = c->meta ? c->meta->level : OGRH_SYNC_NONE;
  s->rev = c->revision;
}

static void test_get_set_and_change_records(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  assert_true(ogrh_doc_is_v2(d));
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, "encounterMgmt.raids.2.name", &v, NULL), OGRH_OK);
  assert_memory_equal(v->u.s, "BWL", 3);
  seen s;
  memset(&s, 0, sizeof s);
  s.a = ogrh_arena_new();
  int tok = ogrh_doc_subscribe(d, record, &s);
  assert_true(tok > 0);
  ogrh_sync_meta meta = {OGRH_SYNC_REALTIME, "assignments", NULL};
  ogrh_value name = ogrh_vcstr("Tankadin");
  const char *path = "encounterMgmt.raids.3.encounters.1.roles.1.assignedPlayers.2";
  assert_int_equal(ogrh_doc_set_path(d, path, &name, &meta, NULL), OGRH_OK);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.path, path);
  assert_int_equal(s.old_v.type, OGRH_NIL);
  assert_true(ogrh_value_equal(&s.new_v, &name));
  assert_int_equal(s.scope.kind, OGRH_SCOPE_ENCOUNTER);
  assert_int_equal(s.scope.components, OGRH_C_ASSIGNMENTS);
  assert_int_equal(s.level, OGRH_SYNC_REALTIME);
  assert_int_equal(s.rev, 1);
  assert_int_equal(ogrh_doc_get(d, path, &v, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(v, &name));
  /* Overwrite: the record carries the old value. */
  ogrh_value other = ogrh_vcstr("Warbob");
  assert_int_equal(ogrh_doc_set_path(d, path, &other, NULL, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(&s.old_v, &name));
  assert_int_equal(s.level, OGRH_SYNC_NONE);
  /* Delete. */
  assert_int_equal(ogrh_doc_delete(d, path, NULL, NULL), OGRH_OK);
  assert_int_equal(s.new_v.type, OGRH_NIL);
  assert_int_equal(ogrh_doc_get(d, path, &v, NULL), OGRH_ENOTFOUND);
  assert_int_equal(ogrh_doc_delete(d, path, NULL, NULL), OGRH_ENOTFOUND);
  assert_int_equal(ogrh_doc_revision(d), 3);
  ogrh_doc_unsubscribe(d, tok);
  assert_int_equal(ogrh_doc_set_path(d, path, &other, NULL, NULL), OGRH_OK);
  assert_int_equal(s.n, 3);
  ogrh_arena_free(s.a);
  ogrh_doc_free(d);
}

static void test_setpath_creates_and_refuses(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  ogrh_value one = ogrh_vint(1);
  ogrh_err err;
  /* SetPath creates missing intermediate tables (test_svm 1.5). */
  assert_int_equal(ogrh_doc_set_path(d, "l1.l2.l3", &one, NULL, &err), OGRH_OK);
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, "l1.l2.l3", &v, NULL), OGRH_OK);
  assert_int_equal(v->u.i, 1);
  /* Refuses to walk through a non-table, naming the segment; nothing changes. */
  assert_int_equal(ogrh_doc_set_path(d, "l1.l2.l3.l4", &one, NULL, &err), OGRH_ENOTTABLE);
  assert_non_null(strstr(err.msg, "'l1.l2.l3'"));
  assert_non_null(strstr(err.msg, "integer"));
  assert_int_equal(ogrh_doc_set_path(d, "encounterMgmt.raids.2.name.x", &one, NULL, &err),
                   OGRH_ENOTTABLE);
  assert_int_equal(ogrh_doc_get(d, "encounterMgmt.raids.2.name", &v, NULL), OGRH_OK);
  assert_int_equal(v->type, OGRH_STRING);
  /* A table value is deep-copied (test_svm 1.6: same content). */
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value t = tu_lit(a, "{ 'a', { b = 2 } }");
  assert_int_equal(ogrh_doc_set_path(d, "x[\"with.dot\"]", &t, NULL, &err), OGRH_OK);
  ogrh_arena_free(a);
  assert_int_equal(ogrh_doc_get(d, "x[\"with.dot\"].2.b", &v, NULL), OGRH_OK);
  assert_int_equal(v->u.i, 2);
  /* Set(key, subkey) creates root[key]; nil deletes; empty path refused (test_svm 1.3, 7.1, 7.2).
   */
  ogrh_value s = ogrh_vcstr("v");
  assert_int_equal(ogrh_doc_set(d, "newkey", "sub", &s, NULL, NULL), OGRH_OK);
  assert_int_equal(ogrh_doc_get(d, "newkey.sub", &v, NULL), OGRH_OK);
  ogrh_value nil = ogrh_vnil();
  assert_int_equal(ogrh_doc_set(d, "newkey", "sub", &nil, NULL, NULL), OGRH_OK);
  assert_int_equal(ogrh_doc_get(d, "newkey.sub", &v, NULL), OGRH_ENOTFOUND);
  assert_int_equal(ogrh_doc_set_path(d, "", &one, NULL, &err), OGRH_EPATH);
  /* Get on missing keys (test_svm 7.3, 7.4). */
  assert_int_equal(ogrh_doc_get(d, "nothere", &v, NULL), OGRH_ENOTFOUND);
  assert_int_equal(ogrh_doc_get(d, "consumes.99", &v, NULL), OGRH_ENOTFOUND);
  ogrh_doc_free(d);
}

static void test_v1_and_empty_files(void **state) {
  (void)state;
  ogrh_doc *d;
  ogrh_svfile *f = tu_parse("OGRH_SV = { encounterMgmt = { raids = { { name = 'MC' } } } }");
  assert_int_equal(ogrh_doc_from_svfile(f, &d, NULL), OGRH_OK);
  assert_false(ogrh_doc_is_v2(d));
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, "encounterMgmt.raids.1.name", &v, NULL), OGRH_OK);
  ogrh_doc_free(d);
  f = tu_parse("");
  assert_int_equal(ogrh_doc_from_svfile(f, &d, NULL), OGRH_OK);
  assert_null(ogrh_doc_root(d));
  ogrh_value x = ogrh_vint(5);
  assert_int_equal(ogrh_doc_set_path(d, "consumes.1.primaryId", &x, NULL, NULL), OGRH_OK);
  assert_true(ogrh_doc_is_v2(d));
  assert_int_equal(ogrh_doc_get(d, "consumes.1.primaryId", &v, NULL), OGRH_OK);
  ogrh_doc_free(d);
}

static void test_stats(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  ogrh_doc_stats st;
  ogrh_doc_stats_get(d, &st);
  assert_int_equal(st.raids, 6);
  assert_int_equal(st.encounters, 61);
  assert_int_equal(st.roles, 165);
  ogrh_doc_free(d);
}

/* ---- the depth rule ---- */

/* A literal nesting `depth` tables: {{...{1}...}}. */
static char *nested(int depth) {
  char *s = malloc((size_t)depth * 2 + 2);
  int n = 0;
  for (int i = 0; i < depth; i++)
    s[n++] = '{';
  s[n++] = '1';
  for (int i = 0; i < depth; i++)
    s[n++] = '}';
  s[n] = '\0';
  return s;
}

static void test_depth_rule(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  ogrh_arena *a = ogrh_arena_new();
  /* consumes.9 lies inside OGRH_SV, v2 and consumes: 497 more tables fit, 498 do not. */
  char *fits = nested(OGRH_MAX_DEPTH - 3), *deep = nested(OGRH_MAX_DEPTH - 2);
  ogrh_value vf = tu_lit(a, fits), vd = tu_lit(a, deep);
  ogrh_err err;
  uint64_t rev = ogrh_doc_revision(d);
  assert_int_equal(ogrh_doc_set_path(d, "consumes.9", &vd, NULL, &err), OGRH_EDEPTH);
  assert_non_null(strstr(err.msg, "deeper than the limit"));
  assert_int_equal(ogrh_doc_revision(d), rev);
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, "consumes.9", &v, NULL), OGRH_ENOTFOUND);
  /* Tables SetPath would create count too. */
  assert_int_equal(ogrh_doc_set_path(d, "newkey.sub.x", &vf, NULL, &err), OGRH_EDEPTH);
  assert_int_equal(ogrh_doc_get(d, "newkey", &v, NULL), OGRH_ENOTFOUND);
  /* What fits is written, and the file it makes reads back. */
  assert_int_equal(ogrh_doc_set_path(d, "consumes.9", &vf, NULL, &err), OGRH_OK);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d), &b), OGRH_OK);
  ogrh_svfile *f;
  assert_int_equal(ogrh_svfile_parse(b.p, b.n, "again", &f, &err), OGRH_OK);
  ogrh_svfile_free(f);
  /* A whole root replaced counts from where the root sits. */
  char *root_deep = nested(OGRH_MAX_DEPTH), *root_fits = nested(OGRH_MAX_DEPTH - 1);
  ogrh_value rd = tu_lit(a, root_deep), rf = tu_lit(a, root_fits);
  assert_int_equal(ogrh_doc_replace_root(d, &rd, NULL), OGRH_EDEPTH);
  assert_int_equal(ogrh_doc_get(d, "consumes.9", &v, NULL), OGRH_OK);
  assert_int_equal(ogrh_doc_replace_root(d, &rf, NULL), OGRH_OK);
  b.n = 0;
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d), &b), OGRH_OK);
  assert_int_equal(ogrh_svfile_parse(b.p, b.n, "again", &f, &err), OGRH_OK);
  ogrh_svfile_free(f);
  free(root_fits);
  free(fits);
  free(deep);
  free(root_deep);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
  ogrh_doc_free(d);
}

/* ---- writes under allocation failure ---- */

typedef struct write_case {
  ogrh_doc *d;
  ogrh_value want; /* the whole schema root before the write (its own arena), or nil */
  ogrh_arena *a;
  ogrh_value v;
  const char *path;
  int calls;
} write_case;

static void count_call(void *ud, const ogrh_change *c) {
  (void)c;
  ((write_case *)ud)->calls++;
}

/* One SetPath with the k-th allocation failing: either it happened whole, or not at all. */
static int write_op(void *ud, long k) {
  (void)k;
  write_case *w = ud;
  int calls = w->calls;
  uint64_t rev = ogrh_doc_revision(w->d);
  ogrh_err err;
  int rc = ogrh_doc_set_path(w->d, w->path, &w->v, NULL, &err);
  const ogrh_value *got = NULL, *root = ogrh_doc_root(w->d);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_int_equal(ogrh_doc_revision(w->d), rev);
    assert_int_equal(w->calls, calls);
    if (w->want.type == OGRH_NIL)
      assert_null(root);
    else
      assert_true(ogrh_value_equal(root, &w->want));
    return rc;
  }
  assert_int_equal(w->calls, calls + 1);
  assert_int_equal(ogrh_doc_get(w->d, w->path, &got, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(got, &w->v));
  return rc;
}

static void test_writes_survive_allocation_failures(void **state) {
  (void)state;
  const char *files[] = {NULL, "", "OGRH_SV = { schemaVersion = 'v2' }"};
  const char *paths[] = {"encounterMgmt.raids.2.encounters.3.roles.1.assignedPlayers.4",
                         "brand.new.nested.key"};
  for (int fi = 0; fi < 3; fi++)
    for (int pi = 0; pi < 2; pi++) {
      write_case w;
      memset(&w, 0, sizeof w);
      w.d = files[fi] ? NULL : tu_defaults();
      if (files[fi]) assert_int_equal(ogrh_doc_from_svfile(tu_parse(files[fi]), &w.d, NULL), 0);
      w.a = ogrh_arena_new();
      w.v = tu_lit(w.a, "{ 'Tankadin', { nested = 'table', n = 3 }, [9] = true }");
      w.path = paths[pi];
      if (ogrh_doc_root(w.d)) ogrh_value_copy(w.a, ogrh_doc_root(w.d), &w.want);
      assert_true(ogrh_doc_subscribe(w.d, count_call, &w) > 0);
      long runs = tu_alloc_fail_loop(write_op, &w, 1000);
      assert_true(runs > 2);
      ogrh_arena_free(w.a);
      ogrh_doc_free(w.d);
    }
}

typedef struct compact_case {
  ogrh_doc *d;
  ogrh_value want;
} compact_case;

/* A compaction that fails changes nothing; one that succeeds moves the values, equal. */
static int compact_op(void *ud, long k) {
  (void)k;
  compact_case *c = ud;
  uint64_t gen = ogrh_doc_generation(c->d);
  const ogrh_value *before = ogrh_doc_root(c->d);
  int rc = ogrh_doc_compact(c->d);
  assert_true(ogrh_value_equal(ogrh_doc_root(c->d), &c->want));
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_int_equal(ogrh_doc_generation(c->d), gen);
    assert_ptr_equal(ogrh_doc_root(c->d), before);
  } else {
    assert_int_equal(ogrh_doc_generation(c->d), gen + 1);
  }
  return rc;
}

static void test_compaction(void **state) {
  (void)state;
  compact_case c;
  c.d = tu_generated(5, 1);
  ogrh_arena *a = ogrh_arena_new();
  assert_int_equal(ogrh_value_copy(a, ogrh_doc_root(c.d), &c.want), OGRH_OK);
  assert_int_equal(tu_alloc_fail_loop(compact_op, &c, 100), 3);
  /* Everything else of the file moved too, and the file writes the same bytes. */
  ogrh_buf x, y;
  ogrh_buf_init(&x);
  ogrh_buf_init(&y);
  ogrh_doc *fresh = tu_generated(5, 1);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(c.d), &x), OGRH_OK);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(fresh), &y), OGRH_OK);
  assert_int_equal(x.n, y.n);
  assert_memory_equal(x.p, y.p, x.n);
  ogrh_buf_deinit(&x);
  ogrh_buf_deinit(&y);
  ogrh_doc_free(fresh);
  ogrh_arena_free(a);
  ogrh_doc_free(c.d);
}

/* ---- memory stays proportional to live data ---- */

/* A random write of the kinds a raid night makes: assignments, marks, announcements, roles. */
static void random_plan_write(ogrh_doc *d, ogrh_rng *r, ogrh_arena *lits) {
  static const char *const names[] = {"Tankadin", "Holybob", "Zugzug", "Morwyn", "Belith"};
  char path[160];
  int raid = 1 + (int)ogrh_rng_below(r, 6), enc = 1 + (int)ogrh_rng_below(r, 8);
  int role = 1 + (int)ogrh_rng_below(r, 3), slot = 1 + (int)ogrh_rng_below(r, 5);
  ogrh_value v;
  switch (ogrh_rng_below(r, 6)) {
  case 0:
  case 1:
    snprintf(path, sizeof path, "encounterMgmt.raids.%d.encounters.%d.roles.%d.assignedPlayers.%d",
             raid, enc, role, slot);
    v = ogrh_vcstr(names[ogrh_rng_below(r, 5)]);
    break;
  case 2:
    snprintf(path, sizeof path, "encounterMgmt.raids.%d.encounters.%d.roles.%d.raidMarks.%d", raid,
             enc, role, slot);
    v = ogrh_vint((int64_t)ogrh_rng_below(r, 9));
    break;
  case 3:
    snprintf(path, sizeof path, "encounterMgmt.raids.%d.encounters.%d.announcements.%d", raid, enc,
             slot);
    v = ogrh_vcstr(ogrh_rng_below(r, 2) ? "Tanks: [R1.P1] [R1.P2], healers on [R2.P]" : "");
    break;
  case 4:
    snprintf(path, sizeof path, "encounterMgmt.raids.%d.encounters.%d.roles.%d.assignedPlayers",
             raid, enc, role);
    v = tu_lit(lits, "{ 'A', 'B', 'C', [7] = 'D' }");
    break;
  default:
    snprintf(path, sizeof path, "ui.selectedEncounter");
    v = ogrh_vint((int64_t)ogrh_rng_below(r, 20));
  }
  int rc = ogrh_doc_set_path(d, path, &v, NULL, NULL);
  assert_true(rc == OGRH_OK || rc == OGRH_ENOTTABLE);
}

static void test_memory_stays_proportional(void **state) {
  (void)state;
  tu_alloc_begin(-1); /* counts bytes, fails nothing */
  ogrh_doc *d = tu_defaults();
  ogrh_dtree *t;
  assert_int_equal(ogrh_dtree_build(d, &t), OGRH_OK);
  assert_int_equal(ogrh_dtree_attach(t, d), OGRH_OK);
  long long fresh = tu_alloc_live();
  ogrh_arena *lits = ogrh_arena_new();
  ogrh_rng r;
  ogrh_rng_seed(&r, 17);
  uint64_t gen = ogrh_doc_generation(d);
  for (int i = 0; i < 200000; i++) {
    random_plan_write(d, &r, lits);
    if (i % 64 == 0) assert_int_equal(ogrh_dtree_update(t), OGRH_OK);
    if (i % 32 == 0) ogrh_arena_free(lits), lits = ogrh_arena_new();
  }
  long long peak = tu_alloc_peak();
  /* Compactions happened, and the tree followed the values they moved. */
  assert_true(ogrh_doc_generation(d) > gen + 10);
  assert_int_equal(ogrh_dtree_verify(t, NULL), OGRH_OK);
  ogrh_dtree_free(t);
  ogrh_arena_free(lits);
  ogrh_doc_free(d);
  assert_int_equal(tu_alloc_live(), 0);
  tu_alloc_end();
  if (peak > 3 * fresh) fail_msg("peak %lld bytes, fresh document %lld bytes", peak, fresh);
  printf("peak heap %lld bytes = %.2f x a fresh document (%lld bytes)\n", peak,
         (double)peak / (double)fresh, fresh);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_path_parse),
                                     cmocka_unit_test(test_scopes),
                                     cmocka_unit_test(test_get_set_and_change_records),
                                     cmocka_unit_test(test_setpath_creates_and_refuses),
                                     cmocka_unit_test(test_v1_and_empty_files),
                                     cmocka_unit_test(test_stats),
                                     cmocka_unit_test(test_depth_rule),
                                     cmocka_unit_test(test_writes_survive_allocation_failures),
                                     cmocka_unit_test(test_compaction),
                                     cmocka_unit_test(test_memory_stays_proportional)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
