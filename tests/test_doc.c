#include "testutil.h"

#include <stdio.h>
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

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_path_parse),
                                     cmocka_unit_test(test_scopes),
                                     cmocka_unit_test(test_get_set_and_change_records),
                                     cmocka_unit_test(test_setpath_creates_and_refuses),
                                     cmocka_unit_test(test_v1_and_empty_files),
                                     cmocka_unit_test(test_stats)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
