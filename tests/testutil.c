#include "testutil.h"
#include "failing_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tu_src(const char *rel) {
  static char buf[4096];
  const char *root = getenv("OGRH_SOURCE_DIR");
  snprintf(buf, sizeof buf, "%s/%s", root ? root : OGRH_SOURCE_DIR, rel);
  return buf;
}

const char *tu_text(const char *rel) {
  static char text[65536];
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_read_file(tu_src(rel), &b), OGRH_OK);
  assert_true(b.n < sizeof text);
  memcpy(text, b.p, b.n);
  text[b.n] = '\0';
  ogrh_buf_deinit(&b);
  return text;
}

ogrh_svfile *tu_parse(const char *text) {
  ogrh_svfile *f = NULL;
  ogrh_err err;
  int rc = ogrh_svfile_parse(text, strlen(text), "test", &f, &err);
  if (rc) fprintf(stderr, "parse failed: %s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  return f;
}

ogrh_doc *tu_defaults(void) {
  ogrh_doc *d = NULL;
  assert_int_equal(ogrh_doc_defaults(&d, NULL), OGRH_OK);
  return d;
}

ogrh_doc *tu_generated(uint64_t seed, int scale) {
  ogrh_gen_opts o;
  ogrh_gen_opts_default(&o);
  o.seed = seed;
  o.scale = scale;
  ogrh_svfile *f = NULL;
  assert_int_equal(ogrh_gen(&o, &f, NULL), OGRH_OK);
  ogrh_doc *d = NULL;
  assert_int_equal(ogrh_doc_from_svfile(f, &d, NULL), OGRH_OK);
  return d;
}

ogrh_value tu_lit(ogrh_arena *a, const char *text) {
  ogrh_value v;
  ogrh_err err;
  int rc = ogrh_value_parse_literal(a, text, strlen(text), &v, &err);
  if (rc) fprintf(stderr, "literal failed: %s\n", ogrh_err_msg(&err));
  assert_int_equal(rc, OGRH_OK);
  return v;
}

ogrh_dtree *tu_tree(ogrh_doc *d) {
  ogrh_dtree *t = NULL;
  assert_int_equal(ogrh_dtree_build(d, &t), OGRH_OK);
  return t;
}

ogrh_validation *tu_compare(ogrh_doc *local, ogrh_doc *remote) {
  ogrh_dtree *l = tu_tree(local), *r = tu_tree(remote);
  ogrh_validation *v = NULL;
  assert_int_equal(ogrh_validate(l, r, &v), OGRH_OK);
  ogrh_dtree_free(l);
  ogrh_dtree_free(r);
  return v;
}

void tu_set(ogrh_doc *d, const char *path, const char *lit) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = tu_lit(a, lit);
  ogrh_err err;
  int rc = ogrh_doc_set_path(d, path, &v, NULL, &err);
  if (rc) fprintf(stderr, "set %s: %s\n", path, err.msg);
  assert_int_equal(rc, OGRH_OK);
  ogrh_arena_free(a);
}

static failing_alloc_state g_state = {-1, 0, 0};
static long long g_peak;

/* The failing allocator, also keeping the most bytes held at once. */
static void *tu_alloc_fn(void *ud, void *p, size_t osize, size_t nsize) {
  void *q = failing_alloc(ud, p, osize, nsize);
  if (g_state.live > g_peak) g_peak = g_state.live;
  return q;
}

void tu_alloc_begin(long fail_at) {
  g_state.fail_at = fail_at;
  g_state.count = 0;
  g_state.live = g_peak = 0;
  ogrh_set_allocator(tu_alloc_fn, &g_state);
}

bool tu_alloc_end(void) {
  ogrh_set_allocator(NULL, NULL);
  bool injected = g_state.fail_at >= 0 && g_state.count > g_state.fail_at;
  g_state.fail_at = -1;
  return injected;
}

long tu_alloc_count(void) {
  return g_state.count;
}

long long tu_alloc_live(void) {
  return g_state.live;
}

long long tu_alloc_peak(void) {
  return g_peak;
}

long tu_alloc_fail_loop(int (*op)(void *ud, long k), void *ud, long max) {
  for (long k = 0; k < max; k++) {
    tu_alloc_begin(k);
    int rc = op(ud, k);
    bool injected = tu_alloc_end();
    if (!injected) {
      if (rc != OGRH_OK) fprintf(stderr, "run %ld without a failure: %s\n", k, ogrh_strerror(rc));
      assert_int_equal(rc, OGRH_OK);
      return k + 1;
    }
  }
  fail_msg("the operation still allocated after %ld runs", max);
  return max;
}
