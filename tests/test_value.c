#include "testutil.h"

#include <string.h>

static void test_key_order(void **state) {
  (void)state;
  ogrh_value i1 = ogrh_vint(1), i10 = ogrh_vint(10), im = ogrh_vint(-3);
  ogrh_value a = ogrh_vcstr("a"), ab = ogrh_vcstr("ab"), b = ogrh_vcstr("b"), n1 = ogrh_vcstr("1");
  assert_true(ogrh_key_cmp(&im, &i1) < 0);
  assert_true(ogrh_key_cmp(&i1, &i10) < 0);
  assert_true(ogrh_key_cmp(&i10, &n1) < 0); /* integers before strings */
  assert_true(ogrh_key_cmp(&a, &ab) < 0);   /* prefix first */
  assert_true(ogrh_key_cmp(&ab, &b) < 0);
  assert_int_equal(ogrh_key_cmp(&a, &a), 0);
}

static void test_table_set_get_delete(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_table *t = ogrh_table_new(a, 0);
  for (int i = 20; i >= 1; i--) {
    ogrh_value k = ogrh_vint(i), v = ogrh_vint(i * 10);
    assert_int_equal(ogrh_table_set(a, t, &k, &v), OGRH_OK);
  }
  ogrh_value ks = ogrh_vcstr("name"), vs = ogrh_vcstr("Tanks");
  assert_int_equal(ogrh_table_set(a, t, &ks, &vs), OGRH_OK);
  assert_int_equal(t->n, 21);
  assert_int_equal(ogrh_table_seqlen(t), 20);
  for (uint32_t i = 1; i < t->n; i++)
    assert_true(ogrh_key_cmp(&t->e[i - 1].key, &t->e[i].key) < 0);
  assert_int_equal(ogrh_table_geti(t, 7)->u.i, 70);
  assert_null(ogrh_table_geti(t, 21));
  assert_memory_equal(ogrh_table_gets(t, "name")->u.s, "Tanks", 5);
  ogrh_value nil = ogrh_vnil(), k5 = ogrh_vint(5);
  assert_int_equal(ogrh_table_set(a, t, &k5, &nil), OGRH_OK);
  assert_null(ogrh_table_geti(t, 5));
  assert_int_equal(t->n, 20);
  assert_int_equal(ogrh_table_seqlen(t), 4);
  ogrh_value d = ogrh_vdouble(1.5);
  assert_int_equal(ogrh_table_set(a, t, &d, &nil), OGRH_EINVAL);
  ogrh_arena_free(a);
}

static void test_equal_and_copy(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new(), *b = ogrh_arena_new();
  ogrh_value v = tu_lit(a, "{1, 2.5, 'x', true, {a = {b = 1}}, [10] = 'z'}");
  ogrh_value c;
  assert_int_equal(ogrh_value_copy(b, &v, &c), OGRH_OK);
  ogrh_arena_free(a);
  ogrh_value w = tu_lit(b, "{1, 2.5, 'x', true, {a = {b = 1}}, [10] = 'z'}");
  assert_true(ogrh_value_equal(&c, &w));
  ogrh_value one = ogrh_vint(1), onef = ogrh_vdouble(1.0), ones = ogrh_vcstr("1");
  assert_false(ogrh_value_equal(&one, &onef));
  assert_false(ogrh_value_equal(&one, &ones));
  ogrh_value x = tu_lit(b, "{1, 2.5, 'x', true, {a = {b = 2}}, [10] = 'z'}");
  assert_false(ogrh_value_equal(&c, &x));
  ogrh_arena_free(b);
}

static void test_errors(void **state) {
  (void)state;
  assert_string_equal(ogrh_strerror(OGRH_ENOMEM), "out of memory");
  assert_string_equal(ogrh_errname(OGRH_ESYNTAX), "ESYNTAX");
  assert_string_equal(ogrh_strerror(12345), "unknown error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_key_order), cmocka_unit_test(test_table_set_get_delete),
      cmocka_unit_test(test_equal_and_copy), cmocka_unit_test(test_errors)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
