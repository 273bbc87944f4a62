#include "testutil.h"

#include <stdio.h>
#include <string.h>

static char *plan_text(const ogrh_repair_plan *p) {
  static char text[8192];
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_repair_plan_format(p, &b);
  snprintf(text, sizeof text, "%s", b.p ? b.p : "");
  ogrh_buf_deinit(&b);
  return text;
}

/* Drift of every kind a plan has a unit for, made to a copy of the admin's plan. */
static void drift(ogrh_doc *client) {
  tu_set(client, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "'X'");
  tu_set(client, "encounterMgmt.raids.2.encounters.2.announcements.1", "'changed'");
  tu_set(client, "encounterMgmt.raids.3.encounters.4", "nil");
  tu_set(client, "encounterMgmt.raids.1.advancedSettings.bigwigs.autoAnnounce", "true");
  tu_set(client, "encounterMgmt.raids.4.encounters.2.roles.2.slots", "9");
  tu_set(client, "encounterMgmt.raids.4.encounters.2.roles.1.raidMarks.1", "7");
  tu_set(client, "encounterMgmt.raids.4.encounters.2.roles.1.assignmentNumbers.1", "7");
  tu_set(client, "encounterMgmt.raids.6", "nil");
  tu_set(client, "tradeItems.1.quantity", "99");
}

/* A plan for identical copies is empty, and sorting it must not hand qsort a null pointer. */
static void test_empty_plan(void **state) {
  (void)state;
  ogrh_doc *a = tu_generated(3, 1), *b = tu_generated(3, 1);
  ogrh_validation *v = tu_compare(a, b);
  assert_true(v->valid);
  ogrh_repair_plan *p;
  for (int level = OGRH_REPAIR_AUTO; level <= OGRH_REPAIR_FULL; level++) {
    ogrh_repair_opts o = {(ogrh_repair_level)level, NULL, NULL};
    assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(a), &o, &p), OGRH_OK);
    assert_int_equal(p->n, 0);
    assert_int_equal(p->total_bytes, 0);
    assert_string_equal(plan_text(p), "nothing to repair\n");
    ogrh_err err;
    assert_int_equal(ogrh_repair_apply(b, ogrh_doc_root(a), p, &err), OGRH_OK);
    ogrh_repair_plan_free(p);
  }
  ogrh_validation_free(v);
  ogrh_doc_free(a);
  ogrh_doc_free(b);
}

static void test_level_names(void **state) {
  (void)state;
  ogrh_repair_level l;
  assert_int_equal(ogrh_repair_level_parse("raid", &l), OGRH_OK);
  assert_int_equal(l, OGRH_REPAIR_RAID);
  assert_int_equal(ogrh_repair_level_parse("galaxy", &l), OGRH_EINVAL);
  assert_string_equal(ogrh_unit_kind_name(OGRH_UNIT_RAID_META), "raid-meta");
  assert_string_equal(ogrh_unit_kind_name((ogrh_unit_kind)99), "?");
  assert_string_equal(ogrh_priority_name(OGRH_PRIO_LOW), "LOW");
  assert_string_equal(ogrh_level_name(OGRH_LEVEL_COMPONENT), "COMPONENT");
}

typedef struct plan_case {
  ogrh_validation *v;
  const ogrh_value *src;
  ogrh_repair_opts o;
  char want[8192];
} plan_case;

/* A plan made with the k-th allocation failing: an error and nothing held, or the plan. */
static int plan_op(void *ud, long k) {
  (void)k;
  plan_case *pc = ud;
  ogrh_repair_plan *p = NULL;
  int rc = ogrh_repair_plan_make(pc->v, pc->src, &pc->o, &p);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_null(p);
    assert_int_equal(tu_alloc_live(), 0);
    return rc;
  }
  if (tu_alloc_count() > k) assert_string_equal(plan_text(p), pc->want);
  ogrh_repair_plan_free(p);
  return rc;
}

typedef struct apply_case {
  ogrh_doc *target;
  const ogrh_value *src;
  ogrh_repair_plan *plan;
  ogrh_value drifted; /* the target's root before, in its own arena */
} apply_case;

/*
** A repair applied with the k-th allocation failing: either the target is repaired and equal
** to the source, or it is exactly as it was, with an error that says so.
*/
static int apply_op(void *ud, long k) {
  apply_case *ac = ud;
  ogrh_err err;
  uint64_t rev = ogrh_doc_revision(ac->target);
  int rc = ogrh_repair_apply(ac->target, ac->src, ac->plan, &err);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_int_equal(err.code, OGRH_ENOMEM);
    assert_int_equal(ogrh_doc_revision(ac->target), rev);
    assert_true(ogrh_value_equal(ogrh_doc_root(ac->target), &ac->drifted));
    return rc;
  }
  if (tu_alloc_count() <= k) return rc;
  /* Repaired although an allocation failed (one it could do without): check, then drift back
     for the next run. */
  ogrh_dtree *a = NULL, *b = NULL;
  assert_int_equal(ogrh_dtree_build_root(ac->src, &a), OGRH_OK);
  assert_int_equal(ogrh_dtree_build(ac->target, &b), OGRH_OK);
  ogrh_validation *v;
  assert_int_equal(ogrh_validate(b, a, &v), OGRH_OK);
  assert_true(v->valid);
  ogrh_validation_free(v);
  ogrh_dtree_free(a);
  ogrh_dtree_free(b);
  assert_int_equal(ogrh_doc_replace_root(ac->target, &ac->drifted, NULL), OGRH_OK);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(12, 1), *client = tu_generated(12, 1);
  drift(client);
  /* Validation. */
  ogrh_dtree *l = tu_tree(client), *r = tu_tree(admin);
  ogrh_validation *v;
  assert_int_equal(ogrh_validate(l, r, &v), OGRH_OK);
  assert_false(v->valid);
  for (long k = 0;; k++) {
    tu_alloc_begin(k);
    ogrh_validation *w = NULL;
    int rc = ogrh_validate(l, r, &w);
    bool injected = tu_alloc_end();
    if (rc) {
      assert_int_equal(rc, OGRH_ENOMEM);
      assert_null(w);
      continue;
    }
    ogrh_buf x, y;
    ogrh_buf_init(&x);
    ogrh_buf_init(&y);
    ogrh_validation_report(v, &x);
    ogrh_validation_report(w, &y);
    assert_string_equal(x.p, y.p);
    ogrh_buf_deinit(&x);
    ogrh_buf_deinit(&y);
    ogrh_validation_free(w);
    if (!injected) {
      assert_true(k > 3);
      break;
    }
  }
  ogrh_dtree_free(l);
  ogrh_dtree_free(r);
  /* Plans, at every level. */
  for (int level = OGRH_REPAIR_AUTO; level <= OGRH_REPAIR_FULL; level++) {
    plan_case pc = {v, ogrh_doc_root(admin), {(ogrh_repair_level)level, "BWL", NULL}, ""};
    ogrh_repair_plan *p;
    assert_int_equal(ogrh_repair_plan_make(v, pc.src, &pc.o, &p), OGRH_OK);
    snprintf(pc.want, sizeof pc.want, "%s", plan_text(p));
    assert_true(tu_alloc_fail_loop(plan_op, &pc, 10000) > 2);
    /* Applying it. */
    apply_case ac = {client, ogrh_doc_root(admin), p, ogrh_vnil()};
    ogrh_arena *a = ogrh_arena_new();
    assert_int_equal(ogrh_value_copy(a, ogrh_doc_root(client), &ac.drifted), OGRH_OK);
    assert_true(tu_alloc_fail_loop(apply_op, &ac, 100000) > 10);
    /* The last run repaired it: equal to the admin's plan now; drift back for the next level. */
    ogrh_validation *after = tu_compare(client, admin);
    assert_true(after->valid);
    ogrh_validation_free(after);
    assert_int_equal(ogrh_doc_replace_root(client, &ac.drifted, NULL), OGRH_OK);
    ogrh_arena_free(a);
    ogrh_repair_plan_free(p);
  }
  ogrh_validation_free(v);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

/* ---- a repair carries and replaces only the synced plan (issue 15) ---- */

static const char *const personal_keys[] = {
    "ui",         "recruitment", "invites", "consumesTracking", "rosterManagement", "permissions",
    "versioning", "minimap",     "sorting", "autoPromotes",     "someUnknownKey"};
enum { NPERSONAL = sizeof personal_keys / sizeof personal_keys[0] };

/* A different value in every personal key of each side, as real files have them. */
static void personalize(ogrh_doc *d, const char *who) {
  char path[64], lit[256];
  for (int i = 0; i < NPERSONAL; i++) {
    snprintf(path, sizeof path, "%s", personal_keys[i]);
    snprintf(lit, sizeof lit, "{ owner = '%s', n = %d, notes = { '%s notes %d', x = %d } }", who, i,
             who, i, i * 7);
    tu_set(d, path, lit);
  }
}

/* Each personal key of d written as text, into out[i]. */
static void personal_text(ogrh_doc *d, ogrh_buf out[NPERSONAL]) {
  for (int i = 0; i < NPERSONAL; i++) {
    const ogrh_value *v;
    ogrh_buf_reset(&out[i]);
    assert_int_equal(ogrh_doc_get(d, personal_keys[i], &v, NULL), OGRH_OK);
    assert_int_equal(ogrh_value_write(v, 0, &out[i]), OGRH_OK);
  }
}

static void test_full_repair_keeps_personal_data(void **state) {
  (void)state;
  for (int level = OGRH_REPAIR_AUTO; level <= OGRH_REPAIR_FULL; level++) {
    ogrh_doc *admin = tu_generated(14, 1), *client = tu_generated(14, 1);
    personalize(admin, "admin");
    personalize(client, "client");
    drift(client);
    /* Another variable of the file is the player's too. */
    ogrh_svfile *f = ogrh_doc_svfile(client);
    ogrh_value other = tu_lit(f->arena, "{ mine = true }");
    assert_int_equal(ogrh_svfile_set(f, "OGRH_ConsumeHelper_SV", &other), OGRH_OK);
    ogrh_buf before[NPERSONAL], after[NPERSONAL];
    for (int i = 0; i < NPERSONAL; i++) {
      ogrh_buf_init(&before[i]);
      ogrh_buf_init(&after[i]);
    }
    personal_text(client, before);
    ogrh_validation *v = tu_compare(client, admin);
    assert_false(v->valid);
    ogrh_repair_opts o = {(ogrh_repair_level)level, NULL, NULL};
    ogrh_repair_plan *p;
    assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(admin), &o, &p), OGRH_OK);
    if (level == OGRH_REPAIR_FULL) {
      /* The unit's cost is the synced part's: the admin's personal keys are not in it. */
      ogrh_arena *a = ogrh_arena_new();
      ogrh_value syn;
      ogrh_buf b;
      ogrh_buf_init(&b);
      assert_int_equal(ogrh_schema_synced(a, ogrh_doc_root(admin), &syn), OGRH_OK);
      assert_int_equal(ogrh_canon_encode(&syn, &b), OGRH_OK);
      assert_int_equal(p->n, 1);
      assert_int_equal(p->units[0].bytes, b.n + OGRH_UNIT_OVERHEAD);
      assert_null(strstr(plan_text(p), "admin notes"));
      ogrh_buf_reset(&b);
      assert_int_equal(ogrh_canon_encode(ogrh_doc_root(admin), &b), OGRH_OK);
      assert_true(p->units[0].bytes < b.n);
      ogrh_buf_deinit(&b);
      ogrh_arena_free(a);
    }
    ogrh_err err;
    assert_int_equal(ogrh_repair_apply(client, ogrh_doc_root(admin), p, &err), OGRH_OK);
    /* The plan is the admin's now; every personal key is the client's, byte for byte. */
    ogrh_validation *w = tu_compare(client, admin);
    assert_true(w->valid);
    personal_text(client, after);
    for (int i = 0; i < NPERSONAL; i++) {
      assert_int_equal(before[i].n, after[i].n);
      assert_memory_equal(before[i].p, after[i].p, before[i].n);
      assert_non_null(strstr(after[i].p, "client"));
    }
    const ogrh_value *mine = ogrh_svfile_get(f, "OGRH_ConsumeHelper_SV");
    assert_non_null(mine);
    assert_non_null(ogrh_table_gets(mine->u.t, "mine"));
    assert_int_equal(ogrh_schema_unsynced_differences(ogrh_doc_root(client), ogrh_doc_root(admin)),
                     NPERSONAL);
    for (int i = 0; i < NPERSONAL; i++) {
      ogrh_buf_deinit(&before[i]);
      ogrh_buf_deinit(&after[i]);
    }
    ogrh_validation_free(w);
    ogrh_validation_free(v);
    ogrh_repair_plan_free(p);
    ogrh_doc_free(admin);
    ogrh_doc_free(client);
  }
}

/* A client with no plan at all gets the admin's whole plan, and nothing personal of his. */
static void test_full_repair_of_an_empty_file(void **state) {
  (void)state;
  ogrh_doc *admin = tu_generated(15, 1), *client;
  personalize(admin, "admin");
  assert_int_equal(
      ogrh_doc_from_svfile(tu_parse("OGRH_SV = { schemaVersion = 'v2' }"), &client, NULL), OGRH_OK);
  ogrh_dtree *l, *r = tu_tree(admin);
  assert_int_equal(ogrh_dtree_build_root(NULL, &l), OGRH_OK);
  ogrh_validation *v;
  assert_int_equal(ogrh_validate(l, r, &v), OGRH_OK);
  ogrh_repair_opts o = {OGRH_REPAIR_FULL, NULL, NULL};
  ogrh_repair_plan *p;
  assert_int_equal(ogrh_repair_plan_make(v, ogrh_doc_root(admin), &o, &p), OGRH_OK);
  ogrh_err err;
  assert_int_equal(ogrh_repair_apply(client, ogrh_doc_root(admin), p, &err), OGRH_OK);
  ogrh_validation *w = tu_compare(client, admin);
  assert_true(w->valid);
  for (int i = 0; i < NPERSONAL; i++) {
    const ogrh_value *x;
    assert_int_equal(ogrh_doc_get(client, personal_keys[i], &x, NULL), OGRH_ENOTFOUND);
  }
  ogrh_validation_free(w);
  ogrh_validation_free(v);
  ogrh_repair_plan_free(p);
  ogrh_dtree_free(l);
  ogrh_dtree_free(r);
  ogrh_doc_free(admin);
  ogrh_doc_free(client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_plan),
      cmocka_unit_test(test_level_names),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_full_repair_keeps_personal_data),
      cmocka_unit_test(test_full_repair_of_an_empty_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
