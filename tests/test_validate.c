#include "testutil.h"

#include <stdio.h>
#include <string.h>

static char *report(const ogrh_validation *v) {
  static char text[8192];
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_validation_report(v, &b);
  snprintf(text, sizeof text, "%s", b.p ? b.p : "");
  ogrh_buf_deinit(&b);
  return text;
}

static void test_reports(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(8, 1), *client = tu_generated(8, 1);
  ogrh_validation *v = tu_compare(client, admin);
  assert_true(v->valid);
  assert_string_equal(report(v), "Structure validation: PASSED\n");
  ogrh_validation_free(v);

  tu_set(client, "consumes.2.primaryId", "1");
  v = tu_compare(client, admin);
  assert_false(v->valid);
  assert_int_equal(v->level, OGRH_LEVEL_GLOBAL);
  assert_string_equal(report(v), "Structure mismatch detected: Global component 'consumes'\n");
  ogrh_validation_free(v);

  tu_set(client, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "'Intruder'");
  tu_set(client, "encounterMgmt.raids.2.advancedSettings.consumeTracking.enabled", "false");
  v = tu_compare(client, admin);
  assert_int_equal(v->level, OGRH_LEVEL_COMPONENT);
  assert_string_equal(report(v),
                      "Structure mismatch detected: Global component 'consumes'\n"
                      "Structure mismatch detected: BWL (raid metadata)\n"
                      "Structure mismatch detected: BWL > Razorgore > playerAssignments\n");
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_validation_json(v, &b);
  assert_non_null(strstr(b.p, "\"level\": \"COMPONENT\""));
  assert_non_null(strstr(b.p, "\"Razorgore\": [\n"));
  assert_non_null(strstr(b.p, "\"playerAssignments\""));
  b.n = 0;
  ogrh_diff(ogrh_doc_root(client), ogrh_doc_root(admin), v, &b);
  assert_non_null(strstr(b.p, "consumes.2.primaryId: 1 -> 13457\n"));
  assert_non_null(strstr(
      b.p, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1: \"Intruder\" -> "));
  assert_non_null(
      strstr(b.p, "encounterMgmt.raids.2.advancedSettings.consumeTracking.enabled: false -> 1\n"));
  ogrh_buf_deinit(&b);
  ogrh_validation_free(v);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

/*
** The JSON of a validation with every kind of finding (globals, raid metadata, components, a
** missing and an extra encounter, a missing raid), with each allocation failing in turn: a
** clean OGRH_ENOMEM that leaves out as it was, or exactly the JSON made without failures.
** jansson returns partial objects on some failures without saying so.
*/
static int validation_json(const void *v, ogrh_buf *out) {
  return ogrh_validation_json(v, out);
}

static void test_json_allocation_failures(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(8, 1), *client = tu_generated(8, 1);
  tu_set(client, "consumes.2.primaryId", "1");
  tu_set(client, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "'Intruder'");
  tu_set(client, "encounterMgmt.raids.2.advancedSettings.consumeTracking.enabled", "false");
  tu_set(client, "encounterMgmt.raids.3.encounters.2.name", "'Renamed'");
  tu_set(client, "encounterMgmt.raids.1.name", "'Elsewhere'");
  ogrh_validation *v = tu_compare(client, admin);
  ogrh_buf want;
  ogrh_buf_init(&want);
  assert_true(tu_append_fail_loop(validation_json, v, &want, 5000) > 20);
  assert_non_null(strstr(want.p, "\"missingEncounters\""));
  assert_non_null(strstr(want.p, "\"Renamed\""));
  assert_non_null(strstr(want.p, "\"Elsewhere\""));
  ogrh_buf_deinit(&want);
  ogrh_validation_free(v);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

static void test_insert_reports_one_encounter(void **state) {
  (void)state;
  ogrh_doc *admin = tu_defaults(), *client = tu_defaults();
  /* Shift every BWL encounter up by one and insert a new one at position 2. */
  ogrh_table *encs = ogrh_table_gets(ogrh_doc_raid(client, 2), "encounters")->u.t;
  uint32_t n = encs->n;
  ogrh_arena *a = ogrh_doc_arena(client);
  for (uint32_t i = n; i >= 2; i--) {
    ogrh_value k = ogrh_vint(i + 1), v = *ogrh_table_geti(encs, i);
    ogrh_table_set(a, encs, &k, &v);
  }
  tu_set(client, "encounterMgmt.raids.2.encounters.2", "{ name = 'Surprise' }");
  ogrh_validation *v = tu_compare(client, admin);
  assert_int_equal(v->nraids, 1);
  assert_int_equal(v->raids[0].nencs, 1);
  assert_true(v->raids[0].list_differs);
  assert_false(v->raids[0].meta_differs);
  assert_true(v->raids[0].encs[0].extra_local);
  assert_int_equal(v->level, OGRH_LEVEL_ENCOUNTER);
  assert_string_equal(report(v),
                      "Structure mismatch detected: BWL (encounter list)\n"
                      "Structure mismatch detected: BWL > Surprise (extra encounter locally)\n");
  ogrh_validation_free(v);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

static void test_partial_remote_asks_for_drilldown(void **state) {
  (void)state;
  ogrh_doc *admin = tu_defaults(), *client = tu_defaults();
  tu_set(client, "encounterMgmt.raids.4.encounters.3.announcements.1", "'changed'");
  ogrh_dtree *l, *r, *poll;
  ogrh_dtree_build(client, &l);
  ogrh_dtree_build(admin, &r);
  assert_int_equal(ogrh_dtree_poll_copy(r, &poll), OGRH_OK);
  ogrh_validation *v;
  assert_int_equal(ogrh_validate(l, poll, &v), OGRH_OK);
  assert_int_equal(v->nraids, 1);
  assert_true(v->raids[0].needs_drilldown);
  assert_int_equal(v->level, OGRH_LEVEL_RAID);
  assert_string_equal(report(v), "Structure mismatch detected: Naxx (needs drill-down)\n");
  /* A plan needs the full tree. */
  ogrh_repair_plan *p;
  assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(admin), NULL, &p), OGRH_EINVAL);
  ogrh_validation_free(v);
  ogrh_dtree_free(l);
  ogrh_dtree_free(r);
  ogrh_dtree_free(poll);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

static ogrh_repair_plan *plan_for(ogrh_doc *client, ogrh_doc *admin, ogrh_repair_level level,
                                  const char *raid, const char *enc) {
  ogrh_validation *v = tu_compare(client, admin);
  ogrh_repair_opts o = {level, raid, enc};
  ogrh_repair_plan *p;
  assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(admin), &o, &p), OGRH_OK);
  ogrh_validation_free(v);
  return p;
}

static void test_plan_rules(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(8, 1), *client = tu_generated(8, 1);
  /* Two components of Razorgore: two component units. */
  tu_set(client, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "'X'");
  tu_set(client, "encounterMgmt.raids.2.encounters.1.announcements.1", "'Y'");
  ogrh_repair_plan *p = plan_for(client, admin, OGRH_REPAIR_AUTO, "BWL", "Razorgore");
  assert_int_equal(p->n, 2);
  assert_int_equal(p->units[0].kind, OGRH_UNIT_COMPONENT);
  assert_int_equal(p->units[0].priority, OGRH_PRIO_CRITICAL);
  ogrh_repair_plan_free(p);
  /*
  ** A third component: an encounter unit, but only when it costs no more than the three
  ** parts. Razorgore's roles are big, so here the three parts are cheaper and stay.
  */
  tu_set(client, "encounterMgmt.raids.2.encounters.1.roles.1.raidMarks.1", "1");
  p = plan_for(client, admin, OGRH_REPAIR_AUTO, "BWL", NULL);
  ogrh_repair_plan *pe = plan_for(client, admin, OGRH_REPAIR_ENCOUNTER, NULL, NULL);
  ogrh_repair_plan *pc = plan_for(client, admin, OGRH_REPAIR_COMPONENT, NULL, NULL);
  assert_int_equal(pe->n, 1);
  assert_int_equal(pc->n, 3);
  assert_true(pe->total_bytes > pc->total_bytes);
  assert_int_equal(p->n, 3);
  for (size_t i = 0; i < p->n; i++)
    assert_int_equal(p->units[i].kind, OGRH_UNIT_COMPONENT);
  assert_int_equal(p->total_bytes, pc->total_bytes);
  ogrh_repair_plan_free(p);
  ogrh_repair_plan_free(pe);
  ogrh_repair_plan_free(pc);
  /* The same three components of an encounter small enough to be cheaper whole. */
  ogrh_doc *a2 = tu_generated(8, 1), *c2 = tu_generated(8, 1);
  const char *micro = "{ name = 'M', roles = { { assignedPlayers = { 'A' }, raidMarks = { 1 } } },"
                      " announcements = { 'a' } }";
  tu_set(a2, "encounterMgmt.raids.6.encounters.2", micro);
  tu_set(c2, "encounterMgmt.raids.6.encounters.2", micro);
  tu_set(c2, "encounterMgmt.raids.6.encounters.2.roles.1.assignedPlayers.1", "'B'");
  tu_set(c2, "encounterMgmt.raids.6.encounters.2.roles.1.raidMarks.1", "2");
  tu_set(c2, "encounterMgmt.raids.6.encounters.2.announcements.1", "'b'");
  p = plan_for(c2, a2, OGRH_REPAIR_AUTO, NULL, NULL);
  pe = plan_for(c2, a2, OGRH_REPAIR_ENCOUNTER, NULL, NULL);
  pc = plan_for(c2, a2, OGRH_REPAIR_COMPONENT, NULL, NULL);
  assert_int_equal(pc->n, 3);
  assert_true(pe->total_bytes <= pc->total_bytes);
  assert_int_equal(p->n, 1);
  assert_int_equal(p->units[0].kind, OGRH_UNIT_ENCOUNTER);
  assert_int_equal(p->total_bytes, pe->total_bytes);
  ogrh_repair_plan_free(p);
  ogrh_repair_plan_free(pe);
  ogrh_repair_plan_free(pc);
  ogrh_doc_free(a2);
  ogrh_doc_free(c2);
  /* A small encounter with four differing components is repaired whole (with three, the
     unit overhead of 48 bytes each still made the parts cheaper than the 201-byte whole). */
  const char *tiny =
      "{ name = 'Tiny', roles = { { name = 'T', slots = 2, assignedPlayers = { 'A' }, "
      "raidMarks = { 1 } } }, announcements = { 'a' } }";
  tu_set(admin, "encounterMgmt.raids.5.encounters.1", tiny);
  tu_set(client, "encounterMgmt.raids.5.encounters.1", tiny);
  tu_set(client, "encounterMgmt.raids.5.encounters.1.roles.1.assignedPlayers.1", "'B'");
  tu_set(client, "encounterMgmt.raids.5.encounters.1.roles.1.raidMarks.1", "2");
  tu_set(client, "encounterMgmt.raids.5.encounters.1.announcements.1", "'b'");
  tu_set(client, "encounterMgmt.raids.5.encounters.1.roles.1.slots", "3");
  p = plan_for(client, admin, OGRH_REPAIR_AUTO, "BWL", NULL);
  int whole = 0;
  for (size_t i = 0; i < p->n; i++)
    if (p->units[i].kind == OGRH_UNIT_ENCOUNTER && p->units[i].enc_len == 4) whole++;
  assert_int_equal(whole, 1);
  for (size_t i = 0; i < p->n; i++)
    if (p->units[i].enc_len == 4) assert_int_equal(p->units[i].priority, OGRH_PRIO_NORMAL);
  ogrh_repair_plan_free(p);
  /* Forced levels. */
  p = plan_for(client, admin, OGRH_REPAIR_COMPONENT, NULL, NULL);
  assert_int_equal(p->n, 3 + 4);
  ogrh_repair_plan_free(p);
  p = plan_for(client, admin, OGRH_REPAIR_RAID, NULL, NULL);
  assert_int_equal(p->n, 2);
  assert_int_equal(p->units[0].kind, OGRH_UNIT_RAID);
  assert_int_equal(p->units[1].kind, OGRH_UNIT_RAID);
  assert_int_equal(p->units[0].priority, OGRH_PRIO_NORMAL);
  ogrh_repair_plan_free(p);
  p = plan_for(client, admin, OGRH_REPAIR_FULL, NULL, NULL);
  assert_int_equal(p->n, 1);
  assert_int_equal(p->units[0].kind, OGRH_UNIT_FULL);
  ogrh_repair_plan_free(p);
  /*
  ** Several encounters of one raid: one raid unit, but only when it costs no more than the
  ** units it replaces. Tiny (two small encounters) is cheaper whole; Naxx (twenty) is not, so
  ** two encounters changed there stay what they were.
  */
  const char *tiny_raid = "{ name = 'Tiny', encounters = { { [1] = 'a', announcements = { 'x' } },"
                          " { [1] = 'b', announcements = { 'y' } } } }";
  tu_set(admin, "encounterMgmt.raids.7", tiny_raid);
  tu_set(client, "encounterMgmt.raids.7", tiny_raid);
  tu_set(client, "encounterMgmt.raids.7.encounters.1.1", "'c'");
  tu_set(client, "encounterMgmt.raids.7.encounters.2.1", "'c'");
  tu_set(client, "encounterMgmt.raids.7.encounters.1.announcements.1", "'z'");
  tu_set(client, "encounterMgmt.raids.7.encounters.2.announcements.1", "'z'");
  tu_set(client, "encounterMgmt.raids.4.encounters.3.roles.1.assignedPlayers.1", "'X'");
  tu_set(client, "encounterMgmt.raids.4.encounters.5.roles.1.assignedPlayers.1", "'X'");
  tu_set(client, "consumes.1.primaryName", "'z'");
  p = plan_for(client, admin, OGRH_REPAIR_AUTO, "BWL", "Razorgore");
  ogrh_repair_plan *pr = plan_for(client, admin, OGRH_REPAIR_RAID, NULL, NULL);
  pc = plan_for(client, admin, OGRH_REPAIR_COMPONENT, NULL, NULL);
  /* Every differing encounter has at most two differing components: without the raid rule
     the automatic plan would be the component plan. */
  const char *const raids[] = {"Tiny", "Naxx"};
  const bool cheaper_whole[] = {true, false};
  for (int k = 0; k < 2; k++) {
    size_t n = strlen(raids[k]), raid_cost = 0, parts = 0, auto_units = 0, auto_bytes = 0;
    bool auto_raid = false;
    for (size_t i = 0; i < pr->n; i++)
      if (pr->units[i].raid_len == n && memcmp(pr->units[i].raid, raids[k], n) == 0)
        raid_cost += pr->units[i].bytes;
    for (size_t i = 0; i < pc->n; i++)
      if (pc->units[i].raid_len == n && memcmp(pc->units[i].raid, raids[k], n) == 0)
        parts += pc->units[i].bytes;
    for (size_t i = 0; i < p->n; i++)
      if (p->units[i].raid_len == n && memcmp(p->units[i].raid, raids[k], n) == 0) {
        auto_units++;
        auto_bytes += p->units[i].bytes;
        auto_raid |= p->units[i].kind == OGRH_UNIT_RAID;
      }
    assert_true(parts > 0 && raid_cost > 0);
    assert_int_equal(raid_cost <= parts, cheaper_whole[k]);
    assert_int_equal(auto_raid, cheaper_whole[k]);
    assert_int_equal(auto_units, cheaper_whole[k] ? 1 : 2);
    assert_int_equal(auto_bytes, cheaper_whole[k] ? raid_cost : parts);
  }
  ogrh_repair_plan_free(pr);
  ogrh_repair_plan_free(pc);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_repair_plan_format(p, &b);
  /* Order: CRITICAL/HIGH (BWL) before NORMAL (Naxx, Tiny) before LOW (global). */
  for (size_t i = 1; i < p->n; i++)
    assert_true(p->units[i - 1].priority <= p->units[i].priority);
  assert_int_equal(p->units[p->n - 1].kind, OGRH_UNIT_GLOBAL);
  assert_int_equal(p->units[p->n - 1].priority, OGRH_PRIO_LOW);
  ogrh_buf_deinit(&b);
  ogrh_repair_plan_free(p);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

static void write_raid(ogrh_doc *d, int64_t idx, ogrh_buf *b) {
  b->n = 0;
  ogrh_value v = ogrh_vtable(ogrh_doc_raid(d, idx));
  ogrh_value_write(&v, 0, b);
}

static void test_apply_is_staged_and_verified(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(8, 1), *client = tu_generated(8, 1);
  tu_set(client, "encounterMgmt.raids.2.encounters.3.roles.1.assignedPlayers.1", "'X'");
  tu_set(client, "encounterMgmt.raids.3.encounters.2.announcements.2", "'Y'");
  ogrh_repair_plan *p = plan_for(client, admin, OGRH_REPAIR_AUTO, NULL, NULL);
  assert_int_equal(p->n, 2);
  /* Apply only the BWL unit: AQ40 must stay byte-identical, BWL must match the admin. */
  ogrh_buf before, after;
  ogrh_buf_init(&before);
  ogrh_buf_init(&after);
  write_raid(client, 3, &before);
  ogrh_repair_plan one = *p;
  one.n = 0;
  for (size_t i = 0; i < p->n; i++)
    if (p->units[i].raid_len == 3 && memcmp(p->units[i].raid, "BWL", 3) == 0)
      one.units = &p->units[i], one.n = 1;
  assert_int_equal(one.n, 1);
  ogrh_err err;
  assert_int_equal(ogrh_repair_apply(client, ogrh_doc_root(admin), &one, &err), OGRH_OK);
  write_raid(client, 3, &after);
  assert_int_equal(before.n, after.n);
  assert_memory_equal(before.p, after.p, before.n);
  write_raid(client, 2, &before);
  write_raid(admin, 2, &after);
  assert_int_equal(before.n, after.n);
  assert_memory_equal(before.p, after.p, before.n);
  ogrh_repair_plan_free(p);
  /* A unit that cannot verify changes nothing: roles differ in keys, but only raidMarks is
     planned. */
  tu_set(client, "encounterMgmt.raids.4.encounters.1.roles.1.raidMarks.1", "4");
  tu_set(admin, "encounterMgmt.raids.4.encounters.1.roles.7",
         "{ name = 'New', raidMarks = { 8 } }");
  p = plan_for(client, admin, OGRH_REPAIR_COMPONENT, NULL, NULL);
  ogrh_repair_plan bad = *p;
  bad.n = 0;
  for (size_t i = 0; i < p->n; i++)
    if (p->units[i].kind == OGRH_UNIT_COMPONENT && p->units[i].index == 3)
      bad.units = &p->units[i], bad.n = 1;
  assert_int_equal(bad.n, 1);
  ogrh_dtree *t0;
  ogrh_dtree_build(client, &t0);
  ogrh_digest root_before, root_after;
  assert_int_equal(ogrh_dtree_root(t0, &root_before), OGRH_OK);
  ogrh_dtree_free(t0);
  assert_int_equal(ogrh_repair_apply(client, ogrh_doc_root(admin), &bad, &err), OGRH_EVERIFY);
  assert_non_null(strstr(err.msg, "raidMarks"));
  ogrh_dtree_build(client, &t0);
  assert_int_equal(ogrh_dtree_root(t0, &root_after), OGRH_OK);
  assert_int_equal(root_after, root_before);
  ogrh_dtree_free(t0);
  /* The whole plan repairs everything. */
  assert_int_equal(ogrh_repair_apply(client, ogrh_doc_root(admin), p, &err), OGRH_OK);
  ogrh_validation *v = tu_compare(client, admin);
  assert_true(v->valid);
  ogrh_validation_free(v);
  ogrh_repair_plan_free(p);
  ogrh_buf_deinit(&before);
  ogrh_buf_deinit(&after);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

/* Random drift of many kinds; every level of repair must bring the copies back together. */
static void drift(ogrh_doc *d, ogrh_rng *r) {
  char path[256], lit[96];
  int64_t raid = 1 + (int64_t)ogrh_rng_below(r, 6);
  ogrh_table *rt = ogrh_doc_raid(d, raid);
  const ogrh_value *ev = rt ? ogrh_table_gets(rt, "encounters") : NULL;
  int64_t ne = ev && ev->type == OGRH_TABLE ? ev->u.t->n : 0;
  int64_t enc = ne ? 1 + (int64_t)ogrh_rng_below(r, (uint64_t)ne) : 1;
  const char *fields[] = {"roles.1.assignedPlayers.2",
                          "roles.2.raidMarks.1",
                          "roles.1.assignmentNumbers.3",
                          "announcements.1",
                          "advancedSettings.bigwigs.enabled",
                          "roles.1.slots",
                          "name"};
  unsigned op = (unsigned)ogrh_rng_below(r, 10);
  snprintf(lit, sizeof lit, "'v%u'", (unsigned)ogrh_rng_below(r, 1000));
  if (op < 7) {
    snprintf(path, sizeof path, "encounterMgmt.raids.%lld.encounters.%lld.%s", (long long)raid,
             (long long)enc, fields[op]);
  } else if (op == 7) {
    snprintf(path, sizeof path, "encounterMgmt.raids.%lld.encounters.%lld", (long long)raid,
             (long long)enc);
    snprintf(lit, sizeof lit, "nil");
  } else if (op == 8) {
    snprintf(path, sizeof path, "consumes.%u.quantity", 1 + (unsigned)ogrh_rng_below(r, 7));
    snprintf(lit, sizeof lit, "%u", (unsigned)ogrh_rng_below(r, 9));
  } else {
    snprintf(path, sizeof path, "encounterMgmt.raids.%lld.advancedSettings.x", (long long)raid);
  }
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = tu_lit(a, lit);
  int rc = ogrh_doc_set_path(d, path, &v, NULL, NULL);
  assert_true(rc == OGRH_OK || rc == OGRH_ENOTTABLE);
  ogrh_arena_free(a);
}

static void test_random_drift_always_repairs(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(31, 1);
  ogrh_rng r;
  ogrh_rng_seed(&r, 5);
  for (int trial = 0; trial < 60; trial++) {
    ogrh_doc *client = tu_generated(31, 1);
    int n = 1 + (int)ogrh_rng_below(&r, 6);
    for (int i = 0; i < n; i++)
      drift(client, &r);
    ogrh_repair_level level = (ogrh_repair_level)(trial % 5);
    ogrh_repair_plan *p = plan_for(client, admin, level, "BWL", NULL);
    ogrh_err err;
    int rc = ogrh_repair_apply(client, ogrh_doc_root(admin), p, &err);
    if (rc) fprintf(stderr, "trial %d level %d: %s\n", trial, (int)level, err.msg);
    assert_int_equal(rc, OGRH_OK);
    ogrh_validation *v = tu_compare(client, admin);
    if (!v->valid) fprintf(stderr, "trial %d: %s", trial, report(v));
    assert_true(v->valid);
    ogrh_validation_free(v);
    ogrh_repair_plan_free(p);
    ogrh_doc_free(client);
  }
  ogrh_doc_free(admin);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reports),
      cmocka_unit_test(test_insert_reports_one_encounter),
      cmocka_unit_test(test_partial_remote_asks_for_drilldown),
      cmocka_unit_test(test_json_allocation_failures),
      cmocka_unit_test(test_plan_rules),
      cmocka_unit_test(test_apply_is_staged_and_verified),
      cmocka_unit_test(test_random_drift_always_repairs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
