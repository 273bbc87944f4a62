#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ogrh_value *var(ogrh_svfile *f, const char *name) {
  ogrh_value *v = ogrh_svfile_get(f, name);
  assert_non_null(v);
  return v;
}

static void expect_error(const char *text, int code, const char *where) {
  ogrh_svfile *f = (ogrh_svfile *)1;
  ogrh_err err;
  int rc = ogrh_svfile_parse(text, strlen(text), "bad.lua", &f, &err);
  if (rc != code) fprintf(stderr, "input %.60s: rc %d msg %s\n", text, rc, err.msg);
  assert_int_equal(rc, code);
  assert_null(f);
  if (where && !strstr(err.msg, where)) fprintf(stderr, "message: %s (want %s)\n", err.msg, where);
  if (where) assert_non_null(strstr(err.msg, where));
}

static void test_factory_roundtrip_bytes(void **state) {
  (void)state;
  ogrh_buf in, out;
  ogrh_buf_init(&in);
  ogrh_buf_init(&out);
  assert_int_equal(ogrh_read_file(tu_src("data/factory-defaults.lua"), &in), OGRH_OK);
  ogrh_svfile *f;
  assert_int_equal(ogrh_svfile_parse(in.p, in.n, "defaults", &f, NULL), OGRH_OK);
  assert_int_equal(ogrh_svfile_write(f, &out), OGRH_OK);
  /* The shipped copy has a licence comment on top; the rest is exactly what WoW writes. */
  const char *body = strstr(in.p, "\nOGRH_SV = {");
  assert_non_null(body);
  assert_int_equal(out.n, in.n - (size_t)(body - in.p));
  assert_memory_equal(out.p, body, out.n);
  /* And reading the output again gives an equal tree. */
  ogrh_svfile *g;
  assert_int_equal(ogrh_svfile_parse(out.p, out.n, "again", &g, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(var(f, "OGRH_SV"), var(g, "OGRH_SV")));
  ogrh_svfile_free(f);
  ogrh_svfile_free(g);
  ogrh_buf_deinit(&in);
  ogrh_buf_deinit(&out);
}

static void test_syntax_forms(void **state) {
  (void)state;
  ogrh_svfile *f =
      tu_parse("-- a header comment\n"
               "A = { 'x', \"y\"; [[z]], -- [3]\n"
               "  name = 5, [\"k\"] = -7, [10] = 0x1F, --[[ block\n comment ]] [11] = 1.5e2,\n"
               "  nested = { { } }, t = true, f = false, n = nil, neg = - 3, dot = .5,\n"
               "  [ [==[long]==] ] = [==[a]]b]==], [-2] = -0x10,\n"
               "}\n"
               "B = \"second\" ; C = 12\n");
  ogrh_value *a = var(f, "A");
  assert_int_equal(a->type, OGRH_TABLE);
  ogrh_table *t = a->u.t;
  assert_memory_equal(ogrh_table_geti(t, 1)->u.s, "x", 1);
  assert_memory_equal(ogrh_table_geti(t, 2)->u.s, "y", 1);
  assert_memory_equal(ogrh_table_geti(t, 3)->u.s, "z", 1);
  assert_int_equal(ogrh_table_gets(t, "name")->u.i, 5);
  assert_int_equal(ogrh_table_gets(t, "k")->u.i, -7);
  assert_int_equal(ogrh_table_geti(t, 10)->u.i, 31);
  assert_int_equal(ogrh_table_geti(t, 11)->type, OGRH_DOUBLE);
  assert_true(ogrh_table_geti(t, 11)->u.d == 150.0);
  assert_int_equal(ogrh_table_gets(t, "t")->b, 1);
  assert_int_equal(ogrh_table_gets(t, "f")->b, 0);
  assert_null(ogrh_table_gets(t, "n"));
  assert_int_equal(ogrh_table_gets(t, "neg")->u.i, -3);
  assert_true(ogrh_table_gets(t, "dot")->u.d == 0.5);
  ogrh_value *lk = ogrh_table_gets(t, "long");
  assert_non_null(lk);
  assert_int_equal(lk->len, 4);
  assert_memory_equal(lk->u.s, "a]]b", 4);
  assert_int_equal(ogrh_table_geti(t, -2)->u.i, -16);
  assert_int_equal(var(f, "C")->u.i, 12);
  assert_memory_equal(var(f, "B")->u.s, "second", 6);
  assert_string_equal(f->vars[0].name, "A");
  assert_string_equal(f->vars[2].name, "C");
  ogrh_svfile_free(f);
}

static void test_escapes(void **state) {
  (void)state;
  ogrh_svfile *f = tu_parse("S = \"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\\065\\0009\\255x\\\nend\\q\"\n"
                            "L = [[\nfirst\nsecond]]\nM = [==[\r\nx]==]\n");
  ogrh_value *s = var(f, "S");
  const char want[] = "\a\b\f\n\r\t\v\\\"'A\0"
                      "9\xffx\nendq";
  assert_int_equal(s->len, sizeof want - 1);
  assert_memory_equal(s->u.s, want, sizeof want - 1);
  ogrh_value *l = var(f, "L");
  assert_int_equal(l->len, 12);
  assert_memory_equal(l->u.s, "first\nsecond", 12);
  assert_int_equal(var(f, "M")->len, 1);
  ogrh_svfile_free(f);
}

static void test_duplicates_like_lua(void **state) {
  (void)state;
  ogrh_svfile *f =
      tu_parse("A = { [1] = 'explicit', 'positional', x = 1, x = 2, [5] = 'a', [5] = nil }\n"
               "A = { replaced = true }\nB = 1\n");
  ogrh_value *a = var(f, "A");
  assert_int_equal(a->u.t->n, 1);
  assert_int_equal(f->n, 2);
  assert_string_equal(f->vars[0].name, "A");
  ogrh_svfile_free(f);
  f = tu_parse("A = { [1] = 'explicit', 'positional', x = 1, x = 2, [5] = 'a', [5] = nil }\n");
  ogrh_table *t = var(f, "A")->u.t;
  assert_memory_equal(ogrh_table_geti(t, 1)->u.s, "positional", 10);
  assert_int_equal(ogrh_table_gets(t, "x")->u.i, 2);
  assert_null(ogrh_table_geti(t, 5));
  assert_int_equal(t->n, 2);
  ogrh_svfile_free(f);
}

static void test_errors_with_positions(void **state) {
  (void)state;
  expect_error("A = {\n  1,\n  2", OGRH_ESYNTAX,
               "bad.lua:3:4: expected ',' or '}' to close '{' at line 1");
  expect_error("A = {", OGRH_ESYNTAX,
               "bad.lua:1:6: expected '}' to close '{' at line 1, got end of file");
  expect_error("A = \"abc", OGRH_ESYNTAX, "bad.lua:1:5: unfinished string");
  expect_error("A = \"ab\nc\"", OGRH_ESYNTAX, "unfinished string");
  expect_error("A = [==[abc]=]", OGRH_ESYNTAX, "unfinished long string");
  expect_error("A = 1 --[[ open", OGRH_ESYNTAX, "unfinished long comment");
  expect_error("A = {x = print(1)}", OGRH_ESYNTAX, "bad.lua:1:10: expected a value");
  expect_error("A = 99999999999999999999", OGRH_ERANGE, "integer too large");
  expect_error("A = 1e400", OGRH_ERANGE, "too large");
  expect_error("A = 0x1ffffffffffffffff", OGRH_ERANGE, "too large");
  expect_error("A = \"\\300\"", OGRH_ESYNTAX, "escape sequence too large");
  expect_error("A = 1.2.3", OGRH_ESYNTAX, "malformed number");
  expect_error("A = 12abc", OGRH_ESYNTAX, "malformed number");
  expect_error("A 5", OGRH_ESYNTAX, "expected '=' after a variable name");
  expect_error("\x01\x02garbage", OGRH_ESYNTAX, "got byte 0x01");
  expect_error("A = {[{}] = 1}", OGRH_ETYPE, "table keys must be integers or strings");
  expect_error("A = {[1.5] = 1}", OGRH_ETYPE, "table keys");
  expect_error("A = {[nil] = 1}", OGRH_ESYNTAX, "table index is nil");
  expect_error("A = -", OGRH_ESYNTAX, "expected a number after '-'");
  expect_error("5 = 1", OGRH_ESYNTAX, "expected an assignment");
}

static void test_deep_nesting_is_an_error(void **state) {
  (void)state;
  size_t n = 100000;
  char *s = malloc(n * 2 + 8);
  memcpy(s, "A = ", 4);
  memset(s + 4, '{', n);
  memset(s + 4 + n, '}', n);
  s[4 + 2 * n] = '\0';
  expect_error(s, OGRH_EDEPTH, "nested too deep");
  free(s);
  /* Just under the limit is fine. */
  n = OGRH_MAX_DEPTH - 1;
  s = malloc(n * 2 + 8);
  memcpy(s, "A = ", 4);
  memset(s + 4, '{', n);
  memset(s + 4 + n, '}', n);
  s[4 + 2 * n] = '\0';
  ogrh_svfile *f = tu_parse(s);
  ogrh_svfile_free(f);
  free(s);
}

static void test_truncations_never_crash(void **state) {
  (void)state;
  ogrh_buf in;
  ogrh_buf_init(&in);
  assert_int_equal(ogrh_read_file(tu_src("data/factory-defaults.lua"), &in), OGRH_OK);
  /* Every prefix that cuts inside the table must fail cleanly. */
  size_t start = (size_t)(strstr(in.p, "OGRH_SV") - in.p) + 10;
  for (size_t cut = start; cut < in.n - 3; cut += 997) {
    ogrh_svfile *f;
    ogrh_err err;
    int rc = ogrh_svfile_parse(in.p, cut, "cut.lua", &f, &err);
    assert_true(rc < 0);
    assert_non_null(strstr(err.msg, "cut.lua:"));
  }
  ogrh_buf_deinit(&in);
}

static void test_writer_keeps_every_byte_and_number(void **state) {
  (void)state;
  ogrh_svfile *f = ogrh_svfile_new();
  char all[256];
  for (int i = 0; i < 256; i++)
    all[i] = (char)i;
  ogrh_value s = ogrh_vstr(all, 256);
  assert_int_equal(ogrh_svfile_set(f, "S", &s), OGRH_OK);
  ogrh_table *t = ogrh_table_new(f->arena, 0);
  double ds[] = {0.1, -0.0, 1.0, 1e300, -2.5e-308, 3.141592653589793, 1e15, 123456789.125, 5e-324};
  for (int i = 0; i < 9; i++) {
    ogrh_value k = ogrh_vint(i + 1), v = ogrh_vdouble(ds[i]);
    ogrh_table_set(f->arena, t, &k, &v);
  }
  ogrh_value k = ogrh_vint(20), v = ogrh_vint(INT64_MIN);
  ogrh_table_set(f->arena, t, &k, &v);
  k = ogrh_vint(21), v = ogrh_vint(INT64_MAX);
  ogrh_table_set(f->arena, t, &k, &v);
  ogrh_value tv = ogrh_vtable(t);
  ogrh_svfile_set(f, "N", &tv);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_svfile_write(f, &b), OGRH_OK);
  ogrh_svfile *g;
  assert_int_equal(ogrh_svfile_parse(b.p, b.n, "w", &g, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(var(f, "S"), var(g, "S")));
  assert_true(ogrh_value_equal(var(f, "N"), var(g, "N")));
  assert_int_equal(ogrh_table_geti(var(g, "N")->u.t, 3)->type, OGRH_DOUBLE);
  assert_true(signbit(ogrh_table_geti(var(g, "N")->u.t, 2)->u.d));
  /* Deterministic: writing again gives the same bytes. */
  ogrh_buf b2;
  ogrh_buf_init(&b2);
  ogrh_svfile_write(g, &b2);
  assert_int_equal(b.n, b2.n);
  assert_memory_equal(b.p, b2.p, b.n);
  /* Non-finite doubles cannot be written as a literal. */
  ogrh_value inf = ogrh_vdouble(INFINITY);
  ogrh_svfile_set(f, "I", &inf);
  b.n = 0;
  assert_int_equal(ogrh_svfile_write(f, &b), OGRH_ERANGE);
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&b2);
  ogrh_svfile_free(f);
  ogrh_svfile_free(g);
}

static void test_atomic_save(void **state) {
  (void)state;
  char dir[] = "/tmp/ogrh-test-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/out.lua", dir);
  ogrh_svfile *f = tu_parse("A = { 1, 2, 3 }");
  assert_int_equal(ogrh_svfile_save(f, path, NULL), OGRH_OK);
  ogrh_svfile *g, *g2;
  assert_int_equal(ogrh_svfile_load(path, &g, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(var(f, "A"), var(g, "A")));
  /* No temporary file is left behind. */
  char cmd[512];
  snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", dir);
  assert_int_equal(system(cmd), 0);
  /* Saving into a missing folder fails, says so with the path, and creates nothing. */
  char bad[300];
  snprintf(bad, sizeof bad, "%s/missing/out.lua", dir);
  ogrh_err err;
  assert_int_equal(ogrh_svfile_save(f, bad, &err), OGRH_ENOTFOUND);
  assert_non_null(strstr(err.msg, bad));
  assert_non_null(strstr(err.msg, "not found"));
  /* Loading names the path and the reason. */
  assert_int_equal(ogrh_svfile_load(bad, &g2, &err), OGRH_ENOTFOUND);
  assert_null(g2);
  assert_non_null(strstr(err.msg, bad));
  assert_int_equal(ogrh_svfile_load(dir, &g2, &err), OGRH_EISDIR);
  assert_non_null(strstr(err.msg, "is a directory"));
  assert_int_equal(ogrh_svfile_save(f, dir, &err), OGRH_EISDIR);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
  ogrh_svfile_free(f);
  ogrh_svfile_free(g);
}

/* Parse, write and load with each allocation failing in turn: a clean error, no leak. */
static const char oom_text[] =
    "A = { 'x', b = { [\"c\\n\"] = 1.5, { { 1, 2, 3 } } }, [3] = 'y', 'z' }\n"
    "B = { [2] = 1, [1] = 2, 'p' }\n";

static int parse_write_op(void *ud, long k) {
  (void)k;
  const char *expect = ud;
  ogrh_svfile *f = NULL;
  ogrh_err err;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_svfile_parse(oom_text, strlen(oom_text), "oom", &f, &err);
  if (rc) {
    assert_null(f);
    assert_non_null(strstr(err.msg, "out of memory"));
  } else {
    rc = ogrh_svfile_write(f, &b);
  }
  if (!rc) assert_string_equal(b.p, expect);
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  assert_int_equal(tu_alloc_live(), 0);
  if (rc) assert_int_equal(rc, OGRH_ENOMEM);
  return rc;
}

static int load_op(void *ud, long k) {
  (void)k;
  ogrh_svfile *f = NULL;
  ogrh_err err;
  int rc = ogrh_svfile_load(ud, &f, &err);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_null(f);
  } else {
    assert_int_equal(f->n, 1);
  }
  ogrh_svfile_free(f);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

/* Many variables: the name index grows, fails and is rebuilt under failures too. */
static int many_vars_op(void *ud, long k) {
  (void)k;
  const ogrh_buf *text = ud;
  ogrh_svfile *f = NULL;
  int rc = ogrh_svfile_parse(text->p, text->n, "many", &f, NULL);
  if (!rc) {
    assert_int_equal(f->n, 300);
    assert_int_equal(ogrh_svfile_get(f, "V123")->u.i, 123);
  }
  ogrh_svfile_free(f);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_out_of_memory_everywhere(void **state) {
  (void)state;
  ogrh_svfile *f = tu_parse(oom_text);
  ogrh_buf expect;
  ogrh_buf_init(&expect);
  assert_int_equal(ogrh_svfile_write(f, &expect), OGRH_OK);
  ogrh_svfile_free(f);
  assert_true(tu_alloc_fail_loop(parse_write_op, expect.p, 500) > 3);
  ogrh_buf_deinit(&expect);

  char path[] = "/tmp/ogrh-oom-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  f = tu_parse("OGRH_SV = { v2 = { a = 'b', c = { 1, 2 } } }");
  assert_int_equal(ogrh_svfile_save(f, path, NULL), OGRH_OK);
  ogrh_svfile_free(f);
  assert_true(tu_alloc_fail_loop(load_op, path, 100) > 2);
  unlink(path);

  ogrh_buf many;
  ogrh_buf_init(&many);
  for (int i = 0; i < 300; i++)
    ogrh_buf_printf(&many, "V%d = %d\n", i, i);
  assert_true(tu_alloc_fail_loop(many_vars_op, &many, 100) > 5);
  ogrh_buf_deinit(&many);
}

/*
** Reading many top-level variables: each assignment finds an earlier one of the same name in
** constant time (the index), later ones replace earlier ones in place, and the index stays
** right across its rebuilds.
*/
static void test_many_variables(void **state) {
  (void)state;
  enum { N = 5000 };
  ogrh_buf text;
  ogrh_buf_init(&text);
  for (int i = 0; i < N; i++)
    ogrh_buf_printf(&text, "Var%d = %d\n", i, i);
  ogrh_buf_adds(&text, "Var17 = 'again'\nVar4999 = 'last'\n");
  ogrh_svfile *f;
  assert_int_equal(ogrh_svfile_parse(text.p, text.n, "many", &f, NULL), OGRH_OK);
  assert_int_equal(f->n, N);
  assert_string_equal(f->vars[17].name, "Var17");
  assert_int_equal(f->vars[17].value.type, OGRH_STRING);
  for (int i = 0; i < N; i++) {
    char name[16];
    snprintf(name, sizeof name, "Var%d", i);
    ogrh_value *v = ogrh_svfile_get(f, name);
    assert_non_null(v);
    if (i != 17 && i != N - 1) assert_int_equal(v->u.i, i);
  }
  assert_null(ogrh_svfile_get(f, "Var5000"));
  assert_null(ogrh_svfile_get(f, "Var"));
  ogrh_value x = ogrh_vint(-1);
  assert_int_equal(ogrh_svfile_set(f, "Fresh", &x), OGRH_OK);
  assert_int_equal(ogrh_svfile_get(f, "Fresh")->u.i, -1);
  assert_int_equal(f->n, N + 1);
  ogrh_svfile_free(f);
  ogrh_buf_deinit(&text);
}

/* The text of `NAME = ` and n nested tables around a 1. */
static void nested_text(ogrh_buf *b, int n) {
  ogrh_buf_reset(b);
  ogrh_buf_adds(b, "N = ");
  for (int i = 0; i < n; i++)
    ogrh_buf_addc(b, '{');
  ogrh_buf_addc(b, '1');
  for (int i = 0; i < n; i++)
    ogrh_buf_addc(b, '}');
  assert_int_equal(ogrh_buf_error(b), OGRH_OK);
}

/* Reader and writer keep one depth rule: what one refuses the other never produces. */
static void test_depth_rule_shared_by_reader_and_writer(void **state) {
  (void)state;
  ogrh_buf b, out;
  ogrh_buf_init(&b);
  ogrh_buf_init(&out);
  /* At the limit: read, written, read back, in Lua and in JSON. */
  nested_text(&b, OGRH_MAX_DEPTH);
  ogrh_svfile *f = tu_parse(b.p);
  assert_int_equal(ogrh_svfile_write(f, &out), OGRH_OK);
  ogrh_svfile *g;
  assert_int_equal(ogrh_svfile_parse(out.p, out.n, "again", &g, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(var(f, "N"), var(g, "N")));
  ogrh_svfile_free(g);
  ogrh_buf_reset(&out);
  assert_int_equal(ogrh_json_write_svfile(f, 0, &out), OGRH_OK);
  assert_int_equal(ogrh_json_read_svfile(out.p, out.n, "again.json", &g, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(var(f, "N"), var(g, "N")));
  ogrh_svfile_free(g);
  /* One more table, built in memory: the reader refuses its text, so the writers refuse it. */
  ogrh_table *t = ogrh_table_new(f->arena, 1);
  ogrh_value k = ogrh_vint(1), deeper = ogrh_vtable(t);
  assert_int_equal(ogrh_table_set(f->arena, t, &k, var(f, "N")), OGRH_OK);
  assert_int_equal(ogrh_svfile_set(f, "N", &deeper), OGRH_OK);
  ogrh_buf_reset(&out);
  assert_int_equal(ogrh_svfile_write(f, &out), OGRH_EDEPTH);
  ogrh_buf_reset(&out);
  assert_int_equal(ogrh_value_write_inline(var(f, "N"), &out), OGRH_EDEPTH);
  ogrh_buf_reset(&out);
  assert_int_equal(ogrh_json_write_svfile(f, 0, &out), OGRH_EDEPTH);
  nested_text(&b, OGRH_MAX_DEPTH + 1);
  expect_error(b.p, OGRH_EDEPTH, "nested too deep");
  /* And the JSON reader refuses the same depth. */
  ogrh_buf_reset(&b);
  ogrh_buf_adds(&b, "{\"N\": ");
  for (int i = 0; i <= OGRH_MAX_DEPTH; i++)
    ogrh_buf_addc(&b, '[');
  ogrh_buf_addc(&b, '1');
  for (int i = 0; i <= OGRH_MAX_DEPTH; i++)
    ogrh_buf_addc(&b, ']');
  ogrh_buf_addc(&b, '}');
  assert_int_equal(ogrh_json_read_svfile(b.p, b.n, "deep.json", &g, NULL), OGRH_EDEPTH);
  /* A file saved at the limit loads again. */
  char path[] = "/tmp/ogrh-depth-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  ogrh_svfile_free(f);
  nested_text(&b, OGRH_MAX_DEPTH);
  f = tu_parse(b.p);
  assert_int_equal(ogrh_svfile_save(f, path, NULL), OGRH_OK);
  assert_int_equal(ogrh_svfile_load(path, &g, NULL), OGRH_OK);
  ogrh_svfile_free(g);
  unlink(path);
  ogrh_svfile_free(f);
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&out);
}

static void test_literal(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  ogrh_err err;
  assert_int_equal(ogrh_value_parse_literal(a, " {1, x = 'y'} ", 14, &v, &err), OGRH_OK);
  assert_int_equal(v.type, OGRH_TABLE);
  assert_int_equal(ogrh_value_parse_literal(a, "1 2", 3, &v, &err), OGRH_ESYNTAX);
  assert_non_null(strstr(err.msg, "expected end of value"));
  assert_int_equal(ogrh_value_parse_literal(a, "Tankadin", 8, &v, &err), OGRH_ESYNTAX);
  /* An empty table before any entry was ever pushed (found by fuzzing under UBSan). */
  assert_int_equal(ogrh_value_parse_literal(a, "{}", 2, &v, &err), OGRH_OK);
  assert_int_equal(v.type, OGRH_TABLE);
  assert_int_equal(v.u.t->n, 0);
  ogrh_arena_free(a);
}

/* The counting pass agrees with the writer, byte for byte, on every kind of value. */
static void check_size(const ogrh_svfile *f) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  size_t n = 0;
  assert_int_equal(ogrh_svfile_write(f, &b), OGRH_OK);
  assert_int_equal(ogrh_svfile_write_size(f, &n), OGRH_OK);
  assert_int_equal(n, b.n);
  for (size_t i = 0; i < f->n; i++) {
    for (int indent = 0; indent < 3; indent++) {
      ogrh_buf_reset(&b);
      assert_int_equal(ogrh_value_write(&f->vars[i].value, indent, &b), OGRH_OK);
      assert_int_equal(ogrh_value_write_size(&f->vars[i].value, indent, &n), OGRH_OK);
      assert_int_equal(n, b.n);
    }
  }
  ogrh_buf_deinit(&b);
}

static void test_write_size(void **state) {
  (void)state;
  ogrh_svfile *f;
  ogrh_err err;
  assert_int_equal(ogrh_svfile_load(tu_src("data/factory-defaults.lua"), &f, &err), OGRH_OK);
  check_size(f);
  ogrh_svfile_free(f);
  static const char odd[] =
      "A = {\"q\\\"b\\\\s\\n\\r\\t\\0\\1\\31\\127x\", [-7] = -9223372036854775808, "
      "[\"k\\\"ey\\n\"] = {1.5, -0.0, 1e300, 0.1, 12345678901234567890e5}, "
      "[10] = true, [11] = false, z = {{{}}}, [\"\\200\\255\"] = \"\\200\"}\nB = 0\nC = -1\n";
  assert_int_equal(ogrh_svfile_parse(odd, sizeof odd - 1, "odd", &f, &err), OGRH_OK);
  check_size(f);
  ogrh_value inf = ogrh_vdouble(INFINITY);
  size_t n = 1;
  assert_int_equal(ogrh_value_write_size(&inf, 0, &n), OGRH_ERANGE);
  assert_int_equal(n, 0);
  ogrh_svfile_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_factory_roundtrip_bytes),
      cmocka_unit_test(test_syntax_forms),
      cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_duplicates_like_lua),
      cmocka_unit_test(test_errors_with_positions),
      cmocka_unit_test(test_deep_nesting_is_an_error),
      cmocka_unit_test(test_truncations_never_crash),
      cmocka_unit_test(test_writer_keeps_every_byte_and_number),
      cmocka_unit_test(test_atomic_save),
      cmocka_unit_test(test_out_of_memory_everywhere),
      cmocka_unit_test(test_many_variables),
      cmocka_unit_test(test_depth_rule_shared_by_reader_and_writer),
      cmocka_unit_test(test_literal),
      cmocka_unit_test(test_write_size),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
