/* The compact codec (codec.h): round trips, canonical refusals, what decoding may allocate,
** operations and repair-unit bodies, and every allocation failure. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ogrh_value round_trip(ogrh_arena *a, const ogrh_value *v) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_compact_encode(v, &b), OGRH_OK);
  ogrh_value back;
  size_t used;
  assert_int_equal(ogrh_compact_decode(a, (const uint8_t *)b.p, b.n, &back, &used), OGRH_OK);
  assert_int_equal(used, b.n);
  assert_true(ogrh_value_equal(&back, v));
  ogrh_buf_deinit(&b);
  return back;
}

static void test_round_trips(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(5, 1);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_table *raids = ogrh_doc_raids(d);
  for (uint32_t i = 0; i < raids->n; i++)
    round_trip(a, &raids->e[i].val);
  round_trip(a, ogrh_doc_root(d));
  /* Keys below 1 sort before the array part, the others after it. */
  const char *odd[] = {
      "{ -5, 1e300, -0.0, 'x', '', ['k'] = { [7] = true, [-1] = false }, [100] = 64, "
      "[-9223372036854775807] = 63 }",
      "{ [-3] = 'a', [0] = 'b', 10, 20, 30, [5] = 'c', z = {} }",
      "{ [0] = 1 }",
      "{ [-1] = 1, [-2] = 2, 5 }",
      "{ {}, { {}, { {} } }, '', 'abc', 'abc', 'abcd', 'abc' }",
      "{}",
  };
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    ogrh_value v = tu_lit(a, odd[i]);
    ogrh_value back = round_trip(a, &v);
    /* The decoded table is in canonical order, as the value module keeps it. */
    if (back.type == OGRH_TABLE)
      for (uint32_t k = 1; k < back.u.t->n; k++)
        assert_true(ogrh_key_cmp(&back.u.t->e[k - 1].key, &back.u.t->e[k].key) < 0);
  }
  ogrh_arena_free(a);
  ogrh_doc_free(d);
}

/* Decodes hex-free byte strings that must be refused with rc. */
static void refused(const uint8_t *p, size_t n, int rc) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value x;
  int got = ogrh_compact_decode(a, p, n, &x, NULL);
  if (got != rc) fprintf(stderr, "expected %s, got %s\n", ogrh_errname(rc), ogrh_errname(got));
  assert_int_equal(got, rc);
  ogrh_arena_free(a);
}

static void test_refusals(void **state) {
  (void)state;
  const uint8_t bad1[] = {0x06, 0xff, 0xff, 0xff, 0x0f};
  const uint8_t bad2[] = {0x07, 0x00};
  const uint8_t bad3[] = {0x05, 0x10, 'a'};
  refused(bad1, sizeof bad1, OGRH_ECORRUPT);
  refused(bad2, sizeof bad2, OGRH_ECORRUPT);
  refused(bad3, sizeof bad3, OGRH_ECORRUPT);
  /* Nil as a value, keys out of order, a key of the array part in the map part, a NaN. */
  const uint8_t nilval[] = {0x06, 0x01, 0x00, 0x00};
  const uint8_t order[] = {0x06, 0x00, 0x02, 0x81, 'b', 0x40, 0x81, 'a', 0x40};
  const uint8_t arrkey[] = {0x06, 0x01, 0x40, 0x01, 0x42, 0x40};
  const uint8_t nan[] = {0x04, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f};
  refused(nilval, sizeof nilval, OGRH_ECORRUPT);
  refused(order, sizeof order, OGRH_ECORRUPT);
  refused(arrkey, sizeof arrkey, OGRH_ECORRUPT);
  refused(nan, sizeof nan, OGRH_ECORRUPT);
  /* A table that claims more values than the bytes left could hold, one level down: the
     outer table already promised a byte to its second value. */
  const uint8_t promised[] = {0x06, 0x02, 0x06, 0x04, 0x40, 0x40, 0x40, 0x00};
  refused(promised, sizeof promised, OGRH_ECORRUPT);
  /* Nesting beyond OGRH_MAX_DEPTH. */
  size_t deep = 2 * (OGRH_MAX_DEPTH + 1) + 2;
  uint8_t *p = calloc(deep, 1);
  for (size_t i = 0; i <= OGRH_MAX_DEPTH; i++)
    p[2 * i] = 0x06, p[2 * i + 1] = 0x01;
  refused(p, deep, OGRH_EDEPTH);
  free(p);
}

/* ---- what a decode may allocate ---- */

/* The bound of codec.h, as the allocation counter sees it (a fresh arena, its chunks). */
static long long decode_bound(size_t n) {
  return (long long)(OGRH_COMPACT_ALLOC_PER_BYTE * n + OGRH_COMPACT_ALLOC_SLACK);
}

typedef struct shape {
  const char *name;
  ogrh_buf b;
} shape;

/* The adversarial shapes of input: each makes one kind of allocation as large as it can. */
static void make_shape(int which, size_t n, ogrh_buf *b) {
  ogrh_buf_reset(b);
  switch (which) {
  case 0: /* nested tables, each claiming as many values as bytes follow (defect 3 of issue 8:
             4 KiB of this obtained 53 MB) */
  {
    /* Built from the inside out: each table's count is the length of what follows it. */
    uint8_t *t = malloc(n);
    size_t start = n;
    for (;;) {
      uint8_t v[10];
      size_t vn = 0;
      for (uint64_t x = n - start; vn == 0 || x; x >>= 7)
        v[vn++] = (uint8_t)((x & 0x7f) | (x >> 7 ? 0x80 : 0));
      if (start < vn + 1) break;
      start -= vn;
      memcpy(t + start, v, vn);
      t[--start] = 0x06;
    }
    ogrh_buf_add(b, t + start, n - start);
    free(t);
    break;
  }
  case 1: /* one array of small integers: one entry per byte */
    ogrh_buf_addc(b, 0x06);
    ogrh_varint_put(b, n - 8);
    for (size_t i = 0; i < n - 8; i++)
      ogrh_buf_addc(b, 0x40);
    ogrh_buf_addc(b, 0x00);
    break;
  case 2: /* an array part and a map part: the array part's first allocation is left over */
    ogrh_buf_addc(b, 0x06);
    ogrh_varint_put(b, n - 12);
    for (size_t i = 0; i < n - 12; i++)
      ogrh_buf_addc(b, 0x40);
    ogrh_buf_add(b, "\x01\x03\x01\x40", 4); /* [-1] = 0 */
    break;
  case 3: /* an array of one-byte strings */
    ogrh_buf_addc(b, 0x06);
    ogrh_varint_put(b, (n - 8) / 2);
    for (size_t i = 0; i < (n - 8) / 2; i++)
      ogrh_buf_add(b, "\x81x", 2);
    ogrh_buf_addc(b, 0x00);
    break;
  case 4: /* an array of empty tables */
    ogrh_buf_addc(b, 0x06);
    ogrh_varint_put(b, (n - 8) / 3);
    for (size_t i = 0; i < (n - 8) / 3; i++)
      ogrh_buf_add(b, "\x06\x00\x00", 3);
    ogrh_buf_addc(b, 0x00);
    break;
  case 5: /* a map of distinct 3-byte strings: every one enters the back-reference table */
  {
    size_t m = (n - 8) / 6;
    ogrh_buf_add(b, "\x06\x00", 2);
    ogrh_varint_put(b, m);
    for (size_t i = 0; i < m; i++) {
      char k[4] = {(char)0x83, (char)(0x21 + i / 8100), (char)(0x21 + i / 90 % 90),
                   (char)(0x21 + i % 90)};
      ogrh_buf_add(b, k, 4);
      ogrh_buf_add(b, "\x07\x00", 2); /* a back-reference to the first string */
    }
    break;
  }
  case 6: /* nested tables as deep as allowed, each with an array value */
    for (size_t i = 0; i < OGRH_MAX_DEPTH - 1 && b->n + 16 < n; i++)
      ogrh_buf_add(b, "\x06\x02\x40", 3);
    break;
  }
}

static void test_decode_allocation_is_bounded(void **state) {
  (void)state;
  ogrh_buf b;
  ogrh_buf_init(&b);
  const size_t sizes[] = {4096, 65536};
  for (size_t si = 0; si < 2; si++)
    for (int which = 0; which < 7; which++) {
      size_t n = sizes[si];
      make_shape(which, n, &b);
      assert_true(b.n <= n);
      ogrh_value v;
      tu_alloc_begin(-1);
      ogrh_arena *a = ogrh_arena_new();
      int rc = ogrh_compact_decode(a, (const uint8_t *)b.p, b.n, &v, NULL);
      long long peak = tu_alloc_peak();
      ogrh_arena_free(a);
      long long live = tu_alloc_live();
      tu_alloc_end();
      printf("# shape %d, %zu bytes: %s, peak %lld bytes (%.1f per input byte)\n", which, b.n,
             ogrh_errname(rc), peak, (double)peak / (double)b.n);
      assert_int_equal(live, 0);
      assert_true(peak <= decode_bound(b.n));
    }
  ogrh_buf_deinit(&b);
}

/*
** Back-references cost two bytes and may name a long string: without a bound, 64 KiB of
** input would make a value whose strings total 2 GiB once copied.
*/
static void test_back_references_are_bounded(void **state) {
  (void)state;
  ogrh_buf b;
  ogrh_buf_init(&b);
  size_t refs = 30000, slen = 1000;
  ogrh_buf_addc(&b, 0x06);
  ogrh_varint_put(&b, refs + 1);
  ogrh_buf_addc(&b, 0x05);
  ogrh_varint_put(&b, slen);
  for (size_t i = 0; i < slen; i++)
    ogrh_buf_addc(&b, 'x');
  for (size_t i = 0; i < refs; i++)
    ogrh_buf_add(&b, "\x07\x00", 2);
  ogrh_buf_addc(&b, 0x00);
  refused((const uint8_t *)b.p, b.n, OGRH_ETOOBIG);
  /* What real plans do with back-references stays far below the bound. */
  ogrh_doc *d = tu_generated(1, 1);
  ogrh_buf_reset(&b);
  assert_int_equal(ogrh_compact_encode(ogrh_doc_root(d), &b), OGRH_OK);
  ogrh_value_stats st = {0};
  ogrh_value_stats_add(ogrh_doc_root(d), &st);
  printf("# whole plan: %zu compact bytes, %zu string bytes (%.2f per byte)\n", b.n,
         st.string_bytes, (double)st.string_bytes / (double)b.n);
  assert_true(st.string_bytes < OGRH_COMPACT_EXPAND_RATIO * b.n / 4);
  ogrh_doc_free(d);
  ogrh_buf_deinit(&b);
}

/* ---- operations and repair-unit bodies ---- */

static void test_operations(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_path p;
  ogrh_path_parse("encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers.3", &p, NULL);
  ogrh_value name = ogrh_vcstr("Kazumor");
  assert_int_equal(ogrh_op_encode(&p, &name, &b), OGRH_OK);
  assert_true(b.n < 70);
  ogrh_op op;
  size_t used;
  assert_int_equal(ogrh_op_decode(a, (const uint8_t *)b.p, b.n, &op, &used), OGRH_OK);
  assert_int_equal(used, b.n);
  assert_int_equal(op.path.n, 9);
  for (size_t i = 0; i < 9; i++)
    assert_true(ogrh_value_equal(&op.path.seg[i], &p.seg[i]));
  assert_true(ogrh_value_equal(&op.value, &name));
  ogrh_value nil = ogrh_vnil();
  ogrh_buf_reset(&b);
  assert_int_equal(ogrh_op_encode(&p, &nil, &b), OGRH_OK);
  assert_int_equal(ogrh_op_decode(a, (const uint8_t *)b.p, b.n, &op, NULL), OGRH_OK);
  assert_int_equal(op.value.type, OGRH_NIL);
  /* A segment that is not a key, a count that does not match, no segments. */
  const uint8_t badseg[] = {0x01, 0x06, 0x02, 0x01, 0x40, 0x00};
  const uint8_t badcount[] = {0x03, 0x06, 0x01, 0x40, 0x00};
  const uint8_t none[] = {0x00, 0x06, 0x00, 0x00};
  assert_int_equal(ogrh_op_decode(a, badseg, sizeof badseg, &op, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_op_decode(a, badcount, sizeof badcount, &op, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_op_decode(a, none, sizeof none, &op, NULL), OGRH_ECORRUPT);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
}

static void test_unit_bodies(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(2, 1);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_table *enc = ogrh_doc_encounter(d, 1, 1);
  ogrh_value pv;
  assert_int_equal(ogrh_component_project(a, enc, 2, &pv), OGRH_OK);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_unit_body_encode(OGRH_UNIT_COMPONENT, "BWL", 3, "Razorgore", 9, 2, &pv, &b),
                   OGRH_OK);
  ogrh_unit_body u;
  assert_int_equal(ogrh_unit_body_decode(a, (const uint8_t *)b.p, b.n, &u), OGRH_OK);
  assert_int_equal(u.kind, OGRH_UNIT_COMPONENT);
  assert_int_equal(u.index, 2);
  assert_int_equal(u.raid_len, 3);
  assert_memory_equal(u.raid, "BWL", 3);
  assert_int_equal(u.enc_len, 9);
  assert_memory_equal(u.enc, "Razorgore", 9);
  assert_true(ogrh_value_equal(&u.value, &pv));
  /* A trailing byte, an index out of range, an unknown kind. */
  ogrh_buf_addc(&b, 0x00);
  assert_int_equal(ogrh_unit_body_decode(a, (const uint8_t *)b.p, b.n, &u), OGRH_ECORRUPT);
  ogrh_value nil = ogrh_vnil();
  ogrh_buf_reset(&b);
  ogrh_unit_body_encode(OGRH_UNIT_COMPONENT, "BWL", 3, "R", 1, OGRH_NCOMPONENTS, &nil, &b);
  assert_int_equal(ogrh_unit_body_decode(a, (const uint8_t *)b.p, b.n, &u), OGRH_ECORRUPT);
  ogrh_buf_reset(&b);
  ogrh_unit_body_encode(OGRH_UNIT_GLOBAL + 1, "", 0, "", 0, 0, &nil, &b);
  assert_int_equal(ogrh_unit_body_decode(a, (const uint8_t *)b.p, b.n, &u), OGRH_ECORRUPT);
  /* A deletion: no value. */
  ogrh_buf_reset(&b);
  ogrh_unit_body_encode(OGRH_UNIT_RAID, "MC", 2, NULL, 0, 0, &nil, &b);
  assert_int_equal(ogrh_unit_body_decode(a, (const uint8_t *)b.p, b.n, &u), OGRH_OK);
  assert_int_equal(u.value.type, OGRH_NIL);
  assert_int_equal(u.enc_len, 0);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
  ogrh_doc_free(d);
}

/* ---- allocation failures ---- */

typedef struct fixture {
  ogrh_doc *d;
  ogrh_buf enc; /* the compact encoding of the whole plan */
  ogrh_buf op, unit;
} fixture;

/* Appending after "xyz": a failure must leave exactly "xyz" and no error in the buffer. */
static int encode_op(void *ud, long k) {
  (void)k;
  fixture *fx = ud;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_buf_adds(&b, "xyz");
  if (!rc) rc = ogrh_compact_encode(ogrh_doc_root(fx->d), &b);
  if (rc) {
    if (b.p) assert_string_equal(b.p, "xyz");
    assert_int_equal(ogrh_buf_error(&b), b.p ? OGRH_OK : OGRH_ENOMEM);
  } else {
    assert_int_equal(b.n, fx->enc.n + 3);
    assert_memory_equal(b.p + 3, fx->enc.p, fx->enc.n);
  }
  ogrh_buf_deinit(&b);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static int decode_op(void *ud, long k) {
  (void)k;
  fixture *fx = ud;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  ogrh_value v;
  int rc = ogrh_compact_decode(a, (const uint8_t *)fx->enc.p, fx->enc.n, &v, NULL);
  if (rc) assert_int_equal(rc, OGRH_ENOMEM);
  if (!rc) assert_true(ogrh_value_equal(&v, ogrh_doc_root(fx->d)));
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static int op_decode_op(void *ud, long k) {
  (void)k;
  fixture *fx = ud;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  ogrh_op op;
  int rc = ogrh_op_decode(a, (const uint8_t *)fx->op.p, fx->op.n, &op, NULL);
  if (rc) assert_int_equal(rc, OGRH_ENOMEM);
  if (!rc) assert_int_equal(op.path.n, 4);
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static int unit_decode_op(void *ud, long k) {
  (void)k;
  fixture *fx = ud;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  ogrh_unit_body u;
  int rc = ogrh_unit_body_decode(a, (const uint8_t *)fx->unit.p, fx->unit.n, &u);
  if (rc) assert_int_equal(rc, OGRH_ENOMEM);
  if (!rc) assert_int_equal(u.kind, OGRH_UNIT_RAID);
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  fixture fx;
  fx.d = tu_generated(3, 1);
  ogrh_buf_init(&fx.enc);
  ogrh_buf_init(&fx.op);
  ogrh_buf_init(&fx.unit);
  assert_int_equal(ogrh_compact_encode(ogrh_doc_root(fx.d), &fx.enc), OGRH_OK);
  ogrh_path p;
  ogrh_path_parse("encounterMgmt.raids.1.name", &p, NULL);
  ogrh_value name = ogrh_vcstr("Molten Core");
  assert_int_equal(ogrh_op_encode(&p, &name, &fx.op), OGRH_OK);
  ogrh_table *raids = ogrh_doc_raids(fx.d);
  assert_int_equal(
      ogrh_unit_body_encode(OGRH_UNIT_RAID, "BWL", 3, NULL, 0, 0, &raids->e[1].val, &fx.unit),
      OGRH_OK);
  long runs = tu_alloc_fail_loop(encode_op, &fx, 200);
  assert_true(runs > 3);
  runs = tu_alloc_fail_loop(decode_op, &fx, 2000);
  assert_true(runs > 3);
  runs = tu_alloc_fail_loop(op_decode_op, &fx, 100);
  assert_true(runs > 1);
  runs = tu_alloc_fail_loop(unit_decode_op, &fx, 500);
  assert_true(runs > 3);
  ogrh_buf_deinit(&fx.enc);
  ogrh_buf_deinit(&fx.op);
  ogrh_buf_deinit(&fx.unit);
  ogrh_doc_free(fx.d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trips),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_decode_allocation_is_bounded),
      cmocka_unit_test(test_back_references_are_bounded),
      cmocka_unit_test(test_operations),
      cmocka_unit_test(test_unit_bodies),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
