#include "testutil.h"

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

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_tricky_values),
                                     cmocka_unit_test(test_documents),
                                     cmocka_unit_test(test_bad_json)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
