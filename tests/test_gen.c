#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void text_of(ogrh_doc *d, ogrh_buf *b) {
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d), b), OGRH_OK);
}

static void test_deterministic(void **state) {
  (void)state;
  ogrh_buf a, b, c;
  ogrh_buf_init(&a);
  ogrh_buf_init(&b);
  ogrh_buf_init(&c);
  ogrh_doc *d1 = tu_generated(42, 1), *d2 = tu_generated(42, 1), *d3 = tu_generated(43, 1);
  text_of(d1, &a);
  text_of(d2, &b);
  text_of(d3, &c);
  assert_int_equal(a.n, b.n);
  assert_memory_equal(a.p, b.p, a.n);
  assert_true(a.n != c.n || memcmp(a.p, c.p, a.n) != 0);
  /* Read, write, read: equal tree. */
  ogrh_svfile *f;
  assert_int_equal(ogrh_svfile_parse(a.p, a.n, "gen", &f, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(ogrh_svfile_get(f, "OGRH_SV"),
                               ogrh_svfile_get(ogrh_doc_svfile(d1), "OGRH_SV")));
  ogrh_svfile_free(f);
  ogrh_doc_free(d1);
  ogrh_doc_free(d2);
  ogrh_doc_free(d3);
  ogrh_buf_deinit(&a);
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&c);
}

static void test_realistic_content(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(7, 3);
  ogrh_doc_stats st;
  ogrh_doc_stats_get(d, &st);
  assert_int_equal(st.raids, 18);
  assert_true(st.encounters >= 3 * 61);
  assert_true(st.assigned > st.slots / 2);
  assert_true(st.assigned <= st.slots + st.roles * 4);
  const ogrh_value *v;
  assert_int_equal(ogrh_doc_get(d, "roles", &v, NULL), OGRH_OK);
  assert_int_equal(v->u.t->n, 40);
  /* Copies are renamed so raid names stay unique. */
  assert_int_equal(ogrh_doc_get(d, "encounterMgmt.raids.7.name", &v, NULL), OGRH_OK);
  assert_memory_equal(v->u.s, "Molten Core 2", 13);
  /* Every encounter has 2..8 announcement lines; roles have 1..8 per encounter. */
  ogrh_table *raids = ogrh_doc_raids(d);
  for (uint32_t r = 0; r < raids->n; r++) {
    const ogrh_value *encs = ogrh_table_gets(raids->e[r].val.u.t, "encounters");
    for (uint32_t e = 0; e < encs->u.t->n; e++) {
      ogrh_table *enc = encs->u.t->e[e].val.u.t;
      const ogrh_value *ann = ogrh_table_gets(enc, "announcements");
      assert_non_null(ann);
      assert_true(ann->u.t->n >= 2 && ann->u.t->n <= 8);
      const ogrh_value *roles = ogrh_table_gets(enc, "roles");
      if (roles) assert_true(roles->u.t->n <= 8);
    }
  }
  ogrh_doc_free(d);
}

static void test_bad_options(void **state) {
  (void)state;
  ogrh_gen_opts o;
  ogrh_gen_opts_default(&o);
  ogrh_svfile *f;
  o.scale = 0;
  assert_int_equal(ogrh_gen(&o, &f, NULL), OGRH_EINVAL);
  o.scale = 1;
  o.fill = 2;
  assert_int_equal(ogrh_gen(&o, &f, NULL), OGRH_EINVAL);
}

/* Each allocation failing in turn: a clean error, nothing leaked, or exactly the document. */
static int gen_op(void *ud, long k) {
  (void)k;
  const ogrh_svfile *want = ud;
  ogrh_gen_opts o;
  ogrh_gen_opts_default(&o);
  o.seed = 11;
  o.scale = 2;
  ogrh_svfile *f = NULL;
  ogrh_err err;
  int rc = ogrh_gen(&o, &f, &err);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_null(f);
  } else {
    assert_int_equal(f->n, want->n);
    for (size_t i = 0; i < f->n; i++)
      assert_true(ogrh_value_equal(&f->vars[i].value, &want->vars[i].value));
  }
  ogrh_svfile_free(f);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  ogrh_gen_opts o;
  ogrh_gen_opts_default(&o);
  o.seed = 11;
  o.scale = 2;
  ogrh_svfile *want;
  assert_int_equal(ogrh_gen(&o, &want, NULL), OGRH_OK);
  assert_true(tu_alloc_fail_loop(gen_op, want, 2000) > 10);
  ogrh_svfile_free(want);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_deterministic), cmocka_unit_test(test_realistic_content),
      cmocka_unit_test(test_bad_options), cmocka_unit_test(test_allocation_failures)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
