#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void roundtrip_file(ogrh_svfile *f) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_json_write_svfile(f, 2, &b), OGRH_OK);
  ogrh_svfile *g;
  ogrh_err err;
  int rc = ogrh_json_read_svfile(b.p, b.n, "x.json", &g, &err);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  assert_int_equal(rc, OGRH_OK);
  assert_int_equal(f->n, g->n);
  for (size_t i = 0; i < f->n; i++) {
    assert_string_equal(f->vars[i].name, g->vars[i].name);
    assert_true(ogrh_value_equal(&f->vars[i].value, &g->vars[i].value));
  }
  ogrh_svfile_free(g);
  ogrh_buf_deinit(&b);
}

static void test_tricky_values(void **state) {
  (void)state;
  ogrh_svfile *f = tu_parse(
      "A = { 1, 2.0, -0.5, 1e300, 'plain', '\\255\\000bin', { }, [15] = 'sparse', ['#1'] = 'hash',"
      " ['~x'] = 'tilde', ['\\200key'] = true, ['1'] = 'string one', [-3] = false,"
      " nested = { raidMarks = { [2] = 3, [3] = 5 } } }\nB = 9007199254740993\nC = ''\n");
  roundtrip_file(f);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_json_write_value(ogrh_svfile_get(f, "A"), 0, &b);
  assert_non_null(strstr(b.p, "\"#15\":\"sparse\""));
  assert_non_null(strstr(b.p, "\"~#1\":\"hash\""));
  assert_non_null(strstr(b.p, "\"1\":\"string one\""));
  assert_non_null(strstr(b.p, "2.0"));
  assert_non_null(strstr(b.p, "\"~bytes\""));
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
}

static void test_documents(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  roundtrip_file(ogrh_doc_svfile(d));
  ogrh_doc_free(d);
  d = tu_generated(5, 2);
  roundtrip_file(ogrh_doc_svfile(d));
  ogrh_doc_free(d);
}

static void test_bad_json(void **state) {
  (void)state;
  ogrh_svfile *f;
  ogrh_err err;
  assert_int_equal(ogrh_json_read_svfile("{\"A\": [1,", 9, "bad.json", &f, &err), OGRH_ESYNTAX);
  assert_non_null(strstr(err.msg, "bad.json:1:"));
  assert_int_equal(ogrh_json_read_svfile("[1]", 3, "bad.json", &f, &err), OGRH_ESCHEMA);
  assert_int_equal(ogrh_json_read_svfile("{\"A\": {\"#x\": 1}}", 16, "bad.json", &f, &err),
                   OGRH_ECORRUPT);
  assert_int_equal(ogrh_json_read_svfile("{\"A\": [null]}", 13, "bad.json", &f, &err),
                   OGRH_ECORRUPT);
  assert_int_equal(ogrh_json_read_svfile("{\"1A\": 1}", 9, "bad.json", &f, &err), OGRH_ESCHEMA);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_base64_decode("@@@@", 4, &b), OGRH_ECORRUPT);
  ogrh_buf_deinit(&b);
}

/* Each allocation failing in turn, jansson's own included: a clean error or the exact result. */
typedef struct json_case {
  const char *json;   /* the text read */
  ogrh_svfile *value; /* what it reads as, and what is written */
  const char *written;
} json_case;

static int json_read_op(void *ud, long k) {
  (void)k;
  json_case *c = ud;
  ogrh_svfile *f = NULL;
  ogrh_err err;
  int rc = ogrh_json_read_svfile(c->json, strlen(c->json), "oom.json", &f, &err);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_null(f);
    assert_non_null(strstr(err.msg, "out of memory"));
  } else {
    /* A success under failures must be the real thing, not text jansson cut short. */
    assert_int_equal(f->n, c->value->n);
    for (size_t i = 0; i < f->n; i++) {
      assert_string_equal(f->vars[i].name, c->value->vars[i].name);
      assert_true(ogrh_value_equal(&f->vars[i].value, &c->value->vars[i].value));
    }
  }
  ogrh_svfile_free(f);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static int json_write_op(void *ud, long k) {
  (void)k;
  json_case *c = ud;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_json_write_svfile(c->value, 2, &b);
  if (rc)
    assert_int_equal(rc, OGRH_ENOMEM);
  else
    assert_string_equal(b.p, c->written);
  ogrh_buf_deinit(&b);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  json_case c;
  c.json = "{\"OGRH_SV\": {\"assignedPlayers\": [\"Tankadin\", \"Healbot\"], \"#3\": 2.5, "
           "\"~~x\": {\"~bytes\": \"/wA=\"}, \"nested\": {\"raidMarks\": {\"#2\": 8}}}, "
           "\"Other\": true}";
  ogrh_svfile *f;
  assert_int_equal(ogrh_json_read_svfile(c.json, strlen(c.json), "ok.json", &f, NULL), OGRH_OK);
  ogrh_buf js;
  ogrh_buf_init(&js);
  assert_int_equal(ogrh_json_write_svfile(f, 2, &js), OGRH_OK);
  c.value = f;
  c.written = js.p;
  assert_true(tu_alloc_fail_loop(json_read_op, &c, 400) > 10);
  /* The writer allocates only as its buffer grows and for long keys: a few times. */
  assert_true(tu_alloc_fail_loop(json_write_op, &c, 400) >= 3);
  ogrh_svfile_free(f);
  ogrh_buf_deinit(&js);
}

static int value_op(void *ud, long k) {
  (void)k;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  ogrh_value v;
  ogrh_err err;
  int rc = ogrh_json_read_value(a, ud, strlen(ud), &v, &err);
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (!rc) rc = ogrh_json_write_value(&v, 0, &b);
  if (!rc) assert_string_equal(b.p, ud);
  if (rc) assert_int_equal(rc, OGRH_ENOMEM);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_value_allocation_failures(void **state) {
  (void)state;
  static char text[] = "{\"#1\":\"x\",\"k\":[1,2,{\"z\":false}]}";
  assert_true(tu_alloc_fail_loop(value_op, text, 300) > 5);
}

static void test_values_json_cannot_hold(void **state) {
  (void)state;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_value inf = ogrh_vdouble(INFINITY);
  assert_int_equal(ogrh_json_write_value(&inf, 0, &b), OGRH_ERANGE);
  ogrh_svfile *f;
  ogrh_err err;
  const char *big = "{\"A\": {\"#99999999999999999999\": 1}}";
  assert_int_equal(ogrh_json_read_svfile(big, strlen(big), "big.json", &f, &err), OGRH_ECORRUPT);
  assert_non_null(strstr(err.msg, "malformed key"));
  ogrh_buf_deinit(&b);
}

/* The report writer: indentation, nulls, embedded values and JSON text, and its errors. */
static void test_writer(void **state) {
  (void)state;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_jw w;
  ogrh_jw_init(&w, &b, 2);
  ogrh_jw_open(&w, NULL, '{');
  ogrh_jw_str(&w, "name", "BWL");
  ogrh_jw_str(&w, "none", NULL);
  ogrh_jw_open(&w, "list", '[');
  ogrh_jw_int(&w, NULL, -3);
  ogrh_jw_bool(&w, NULL, true);
  ogrh_jw_close(&w, ']');
  ogrh_jw_open(&w, "empty", '[');
  ogrh_jw_close(&w, ']');
  ogrh_value d = ogrh_vdouble(0.1);
  ogrh_jw_num(&w, "d", &d);
  static const char *const skip[] = {"level"};
  const char *text = "{\"valid\": true, \"level\": \"STRUCTURE\", \"x\": [1.5, null]}";
  assert_int_equal(ogrh_jw_json_members(&w, text, strlen(text), skip, 1), OGRH_OK);
  ogrh_jw_close(&w, '}');
  assert_int_equal(ogrh_jw_error(&w), OGRH_OK);
  assert_string_equal(b.p, "{\n  \"name\": \"BWL\",\n  \"none\": null,\n  \"list\": [\n    -3,\n"
                           "    true\n  ],\n  \"empty\": [],\n  \"d\": 0.1,\n  \"valid\": true,\n"
                           "  \"x\": [\n    1.5,\n    null\n  ]\n}");
  /* A value in the lossless mapping, compact, inside an object. */
  ogrh_buf_reset(&b);
  ogrh_jw_init(&w, &b, 0);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  assert_int_equal(
      ogrh_value_parse_literal(a, "{\"x\", [3] = \"\\255\", ['#k'] = 2.0}", 33, &v, NULL), OGRH_OK);
  ogrh_jw_open(&w, NULL, '{');
  assert_int_equal(ogrh_jw_value(&w, "v", &v), OGRH_OK);
  ogrh_jw_close(&w, '}');
  assert_string_equal(b.p, "{\"v\":{\"#1\":\"x\",\"#3\":{\"~bytes\":\"/w==\"},\"~#k\":2.0}}");
  /* Errors stay: a double JSON cannot hold, text that is no JSON object. */
  ogrh_value inf = ogrh_vdouble(INFINITY);
  ogrh_jw_num(&w, "inf", &inf);
  assert_int_equal(ogrh_jw_error(&w), OGRH_ERANGE);
  ogrh_jw_init(&w, &b, 0);
  assert_int_equal(ogrh_jw_json_members(&w, "[1]", 3, NULL, 0), OGRH_EINVAL);
  ogrh_arena_free(a);
  ogrh_buf_deinit(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_tricky_values),
                                     cmocka_unit_test(test_documents),
                                     cmocka_unit_test(test_bad_json),
                                     cmocka_unit_test(test_allocation_failures),
                                     cmocka_unit_test(test_value_allocation_failures),
                                     cmocka_unit_test(test_values_json_cannot_hold),
                                     cmocka_unit_test(test_writer)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
