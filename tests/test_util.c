/* Tests of the bottom layer: the buffer's sticky error, array growth, varints, base64, UTF-8,
** the random generator, and the allocation-failure helper itself. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static void test_buf_remembers_first_error(void **state) {
  (void)state;
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_buf_adds(&b, "abc"), OGRH_OK);
  /* A request that cannot be met sets the error; later appends change nothing. */
  assert_int_equal(ogrh_buf_reserve(&b, SIZE_MAX - 2), OGRH_ENOMEM);
  assert_int_equal(ogrh_buf_error(&b), OGRH_ENOMEM);
  assert_int_equal(ogrh_buf_adds(&b, "def"), OGRH_ENOMEM);
  assert_int_equal(ogrh_buf_addc(&b, 'x'), OGRH_ENOMEM);
  assert_int_equal(ogrh_buf_printf(&b, "%d", 42), OGRH_ENOMEM);
  assert_int_equal(b.n, 3);
  assert_string_equal(b.p, "abc");
  ogrh_buf_reset(&b);
  assert_int_equal(ogrh_buf_error(&b), OGRH_OK);
  assert_int_equal(ogrh_buf_adds(&b, "z"), OGRH_OK);
  assert_string_equal(b.p, "z");
  ogrh_buf_deinit(&b);
}

static int buf_appends(void *ud, long k) {
  (void)ud;
  (void)k;
  ogrh_buf b;
  ogrh_buf_init(&b);
  for (int i = 0; i < 200; i++)
    ogrh_buf_printf(&b, "line %d of a long enough text to grow the buffer\\n", i);
  int rc = ogrh_buf_error(&b);
  /* Whatever failed, what is there is a whole prefix of the intended text. */
  if (b.p) assert_int_equal(strncmp(b.p, "line 0 of", b.n < 9 ? b.n : 9), 0);
  ogrh_buf_deinit(&b);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_buf_allocation_failures(void **state) {
  (void)state;
  long runs = tu_alloc_fail_loop(buf_appends, NULL, 100);
  assert_true(runs > 3);
}

static void test_grow(void **state) {
  (void)state;
  int *a = NULL;
  size_t cap = 0;
  assert_int_equal(ogrh_grow(&a, &cap, 1, sizeof *a), OGRH_OK);
  assert_true(cap >= 8);
  assert_int_equal(ogrh_grow(&a, &cap, 1000, sizeof *a), OGRH_OK);
  assert_true(cap >= 1000);
  for (int i = 0; i < 1000; i++)
    a[i] = i;
  size_t before = cap;
  /* Overflowing sizes are refused and leave the array as it was. */
  assert_int_equal(ogrh_grow(&a, &cap, SIZE_MAX / 2, sizeof *a), OGRH_ENOMEM);
  assert_int_equal(cap, before);
  assert_int_equal(a[999], 999);
  ogrh_free(a, cap * sizeof *a);
}

static void test_varint_and_zigzag(void **state) {
  (void)state;
  const uint64_t vals[] = {0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, UINT64_MAX};
  ogrh_buf b;
  ogrh_buf_init(&b);
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
    ogrh_varint_put(&b, vals[i]);
  assert_int_equal(ogrh_buf_error(&b), OGRH_OK);
  const uint8_t *p = (const uint8_t *)b.p, *end = p + b.n;
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    uint64_t v;
    assert_int_equal(ogrh_varint_get(&p, end, &v), OGRH_OK);
    assert_true(v == vals[i]);
  }
  assert_ptr_equal(p, end);
  uint64_t v;
  /* Cut, and too long. */
  const uint8_t cut[] = {0x80, 0x80};
  p = cut;
  assert_int_equal(ogrh_varint_get(&p, cut + 2, &v), OGRH_ECORRUPT);
  const uint8_t longer[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  p = longer;
  assert_int_equal(ogrh_varint_get(&p, longer + 11, &v), OGRH_ECORRUPT);
  const int64_t z[] = {0, -1, 1, -2, INT64_MAX, INT64_MIN};
  for (size_t i = 0; i < sizeof z / sizeof *z; i++)
    assert_true(ogrh_unzigzag(ogrh_zigzag(z[i])) == z[i]);
  assert_true(ogrh_zigzag(-1) == 1 && ogrh_zigzag(1) == 2);
  ogrh_buf_deinit(&b);
}

static void test_base64(void **state) {
  (void)state;
  const char *cases[][2] = {{"", ""},
                            {"f", "Zg=="},
                            {"fo", "Zm8="},
                            {"foo", "Zm9v"},
                            {"foob", "Zm9vYg=="},
                            {"fooba", "Zm9vYmE="},
                            {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    ogrh_buf e, d;
    ogrh_buf_init(&e);
    ogrh_buf_init(&d);
    assert_int_equal(ogrh_base64_encode(cases[i][0], strlen(cases[i][0]), &e), OGRH_OK);
    assert_string_equal(e.p, cases[i][1]);
    assert_int_equal(ogrh_base64_decode(e.p, e.n, &d), OGRH_OK);
    assert_string_equal(d.p, cases[i][0]);
    ogrh_buf_deinit(&e);
    ogrh_buf_deinit(&d);
  }
  const char *bad[] = {"Zg=", "Z===", "Zm9v!", "Zg==Zg==", "A"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    ogrh_buf d;
    ogrh_buf_init(&d);
    assert_int_equal(ogrh_base64_decode(bad[i], strlen(bad[i]), &d), OGRH_ECORRUPT);
    ogrh_buf_deinit(&d);
  }
}

static void test_utf8(void **state) {
  (void)state;
  assert_true(ogrh_utf8_valid("plain", 5));
  assert_true(ogrh_utf8_valid("\xc3\xa9t\xc3\xa9", 5));
  assert_false(ogrh_utf8_valid("\xc3", 1));         /* cut */
  assert_false(ogrh_utf8_valid("\xc0\xaf", 2));     /* overlong */
  assert_false(ogrh_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
  assert_false(ogrh_utf8_valid("a\0b", 3));         /* NUL */
  /* Cutting never splits a character. */
  const char *s = "ab\xc3\xa9\xe2\x82\xac"; /* a b é € : 2 + 2 + 3 bytes */
  assert_int_equal(ogrh_utf8_cut(s, 7), 7);
  assert_int_equal(ogrh_utf8_cut(s, 6), 4);
  assert_int_equal(ogrh_utf8_cut(s, 5), 4);
  assert_int_equal(ogrh_utf8_cut(s, 4), 4);
  assert_int_equal(ogrh_utf8_cut(s, 3), 2);
  assert_int_equal(ogrh_utf8_cut(s, 2), 2);
  for (size_t n = 0; n <= 7; n++)
    assert_true(ogrh_utf8_valid(s, ogrh_utf8_cut(s, n)));
}

static void test_rng(void **state) {
  (void)state;
  ogrh_rng a, b;
  ogrh_rng_seed(&a, 7);
  ogrh_rng_seed(&b, 7);
  for (int i = 0; i < 100; i++)
    assert_true(ogrh_rng_next(&a) == ogrh_rng_next(&b));
  /* A known value: splitmix64 from seed 0. */
  ogrh_rng_seed(&a, 0);
  assert_true(ogrh_rng_next(&a) == 0xe220a8397b1dcdafull);
  for (int i = 0; i < 1000; i++) {
    assert_true(ogrh_rng_below(&a, 10) < 10);
    double u = ogrh_rng_unit(&a);
    assert_true(u >= 0.0 && u < 1.0);
  }
  assert_true(ogrh_rng_below(&a, 0) == 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buf_remembers_first_error),
      cmocka_unit_test(test_buf_allocation_failures),
      cmocka_unit_test(test_grow),
      cmocka_unit_test(test_varint_and_zigzag),
      cmocka_unit_test(test_base64),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_rng),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
