/* Tests of the team roster: names, ranks, the JSON message and its parser's refusals. */
#include "testutil.h"

#include <string.h>

static void test_names(void **state) {
  (void)state;
  assert_true(ogrh_name_valid("Tankadin", 8));
  assert_true(ogrh_name_valid("Zoë", strlen("Zoë")));
  assert_true(ogrh_name_valid("Team Alpha", 10));
  assert_false(ogrh_name_valid("", 0));
  assert_false(ogrh_name_valid("a/b", 3));
  assert_false(ogrh_name_valid("a+b", 3));
  assert_false(ogrh_name_valid("a#", 2));
  assert_false(ogrh_name_valid(" a", 2));
  assert_false(ogrh_name_valid("a\tb", 3));
  assert_false(ogrh_name_valid("\xff", 1));
  char longname[OGRH_NAME_MAX + 2];
  memset(longname, 'x', sizeof longname);
  assert_true(ogrh_name_valid(longname, OGRH_NAME_MAX));
  assert_false(ogrh_name_valid(longname, OGRH_NAME_MAX + 1));
}

static void test_ranks(void **state) {
  (void)state;
  int r = -1;
  assert_int_equal(ogrh_rank_parse("leader", &r), OGRH_OK);
  assert_int_equal(r, OGRH_RANK_LEADER);
  assert_int_equal(ogrh_rank_parse("officer", &r), OGRH_OK);
  assert_int_equal(r, OGRH_RANK_ASSISTANT);
  assert_int_equal(ogrh_rank_parse("0", &r), OGRH_OK);
  assert_int_equal(r, OGRH_RANK_MEMBER);
  assert_int_equal(ogrh_rank_parse("3", &r), OGRH_EINVAL);
  assert_int_equal(ogrh_rank_parse("king", &r), OGRH_EINVAL);
  assert_string_equal(ogrh_rank_name(1), "assistant");
  assert_null(ogrh_rank_name(5));
}

static void test_round_trip(void **state) {
  (void)state;
  ogrh_roster *r = ogrh_roster_new("Onyxia Enjoyers");
  assert_non_null(r);
  ogrh_err err;
  assert_int_equal(ogrh_roster_add_spec(r, "Alice:leader", &err), OGRH_OK);
  assert_int_equal(ogrh_roster_add_spec(r, "Bob:officer", &err), OGRH_OK);
  assert_int_equal(ogrh_roster_add_spec(r, "Carol", &err), OGRH_OK);
  assert_int_equal(ogrh_roster_add_spec(r, "Dan:boss", &err), OGRH_EINVAL);
  assert_int_equal(ogrh_roster_add_spec(r, "a/b:member", &err), OGRH_EINVAL);
  /* Setting an existing player changes its rank, not the count. */
  assert_int_equal(ogrh_roster_set(r, "Carol", OGRH_RANK_MEMBER), OGRH_OK);
  assert_int_equal(r->n, 3);
  r->updated = 1769096700;
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_roster_json(r, &b), OGRH_OK);
  assert_non_null(strstr(b.p, "\"format\":\"ogrh-roster\""));
  assert_non_null(strstr(b.p, "{\"name\":\"Bob\",\"rank\":\"assistant\"}"));
  ogrh_roster *q;
  assert_int_equal(ogrh_roster_parse(b.p, b.n, &q, &err), OGRH_OK);
  assert_string_equal(q->team, "Onyxia Enjoyers");
  assert_int_equal(q->updated, 1769096700);
  assert_int_equal(q->n, 3);
  assert_int_equal(ogrh_roster_rank(q, "Alice"), OGRH_RANK_LEADER);
  assert_int_equal(ogrh_roster_rank(q, "Bob"), OGRH_RANK_ASSISTANT);
  assert_int_equal(ogrh_roster_rank(q, "Carol"), OGRH_RANK_MEMBER);
  assert_int_equal(ogrh_roster_rank(q, "Mallory"), -1);
  assert_string_equal(ogrh_roster_leader(q), "Alice");
  ogrh_roster_free(q);
  ogrh_roster_free(r);
  ogrh_buf_deinit(&b);
}

static void refused(const char *text, const char *why) {
  ogrh_roster *r = (ogrh_roster *)1;
  ogrh_err err;
  int rc = ogrh_roster_parse(text, strlen(text), &r, &err);
  assert_int_not_equal(rc, OGRH_OK);
  assert_null(r);
  if (!strstr(ogrh_err_msg(&err), why)) fail_msg("'%s' -> '%s'", text, ogrh_err_msg(&err));
}

static void test_refusals(void **state) {
  (void)state;
  refused("", "roster:");
  refused("[]", "not a roster");
  refused("{\"format\":\"x\",\"version\":1}", "not a roster");
  refused("{\"format\":\"ogrh-roster\",\"version\":2}", "unsupported version");
  refused("{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"a/b\",\"players\":[]}",
          "'team' is not a valid name");
  refused("{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"T\",\"players\":[]}",
          "exactly one leader");
  refused("{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"T\",\"players\":["
          "{\"name\":\"A\",\"rank\":\"leader\"},{\"name\":\"B\",\"rank\":\"leader\"}]}",
          "exactly one leader (it has 2)");
  refused("{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"T\",\"players\":["
          "{\"name\":\"A\",\"rank\":\"leader\"},{\"name\":\"A\",\"rank\":\"member\"}]}",
          "listed twice");
  refused("{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"T\",\"players\":["
          "{\"name\":\"A\",\"rank\":\"emperor\"}]}",
          "no valid rank");
  refused("{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"T\",\"players\":[7]}",
          "not an object");
  refused("{\"format\":\"ogrh-roster\",\"format\":\"ogrh-roster\"}", "duplicate");
  /* Too many players, and too many bytes, are refused before anything is built. */
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_buf_adds(&b, "{\"format\":\"ogrh-roster\",\"version\":1,\"team\":\"T\",\"players\":[");
  for (int i = 0; i <= OGRH_ROSTER_MAX; i++)
    ogrh_buf_printf(&b, "%s{\"name\":\"P%d\",\"rank\":\"%s\"}", i ? "," : "", i,
                    i ? "member" : "leader");
  ogrh_buf_adds(&b, "]}");
  refused(b.p, "more than 1000 players");
  while (b.n <= OGRH_ROSTER_BYTES)
    ogrh_buf_adds(&b, "                                ");
  refused(b.p, "too large");
  ogrh_buf_deinit(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_ranks),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
