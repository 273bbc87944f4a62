/* Tests of the plan as a player reads it: tag filling as the addon does it, raid marks by name,
** units by name, and the JSON shapes. */
#include "testutil.h"

#include <string.h>

/* One encounter with three roles; role 3 has roleId 7 so that [R7...] reaches it. */
static const char *const ENC =
    "E = { name = \"Razorgore\", roles = {"
    " { roleId = 1, name = \"Tanks\", slots = 2, assignedPlayers = {\"Tankadin\", \"Warbob\"},"
    "   raidMarks = {8, 7}, assignmentNumbers = {1, 2} },"
    " { roleId = 2, name = \"Healers\", slots = 6, assignedPlayers = {[1] = \"Holybob\", [5] = "
    "\"Priesty\"}, assignmentNumbers = {[1] = 1, [5] = 1} },"
    " { roleId = 7, name = \"Consumes\", isConsumeCheck = true, consumes = { { primaryName = "
    "\"Greater Fire Protection Potion\", secondaryName = \"Fire Protection Potion\", "
    "allowAlternate = true } } } } }";

static ogrh_svfile *enc_file;

static const ogrh_table *enc(void) {
  if (!enc_file) enc_file = tu_parse(ENC);
  return ogrh_svfile_get(enc_file, "E")->u.t;
}

static void fills(const char *tmpl, const char *want) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_announce_fill(enc(), tmpl, strlen(tmpl), &b), OGRH_OK);
  if (strcmp(b.p, want) != 0) fail_msg("'%s' -> '%s', want '%s'", tmpl, b.p, want);
  ogrh_buf_deinit(&b);
}

static void test_tags(void **state) {
  (void)state;
  fills("[R1.T]: [R1.P1] [R1.P2]", "Tanks: Tankadin Warbob");
  fills("[R1.M1] [R1.P1], [R1.M2] [R1.P2]", "(Skull) Tankadin, (Cross) Warbob");
  fills("Heals: [R2.P]", "Heals: Holybob Priesty");
  fills("[R2.PA]", "Holybob (1) Priesty (1)");
  fills("[R1.PA]", "Tankadin (1) Warbob (2)");
  fills("[R1.A2] goes second", "2 goes second");
  fills("Group one: [R2.A=1]", "Group one: Holybob Priesty");
  fills("Take [R7.C1]", "Take Greater Fire Protection Potion / Fire Protection Potion");
  /* A tag without a value becomes empty; an unknown role too. */
  fills("[R2.P3] and [R9.T] and [R2.M1].", " and  and .");
  fills("plain [text] stays", "plain [text] stays");
  fills("", "");
}

static void test_conditional_blocks(void **state) {
  (void)state;
  /* OR (the default): shown when any tag has a value, the empty ones dropped. */
  fills("[[R2.P5] [R2.P6]  on raid heals.]", "Priesty   on raid heals.");
  fills("[[R2.P3] [R2.P4] on raid heals.]", "");
  /* AND: shown only when every tag has a value. */
  fills("[&[R1.M1] [R1.P1] healed by [R2.P1]]", "(Skull) Tankadin healed by Holybob");
  fills("[&[R1.M3] [R1.P3] healed by [R2.P3]]", "");
  fills("a [&[R1.P1] x [R2.P2]] b", "a  b");
  /* Nested: the outer block is decided first over all the tags inside it, as the addon does;
  ** the inner brackets, left without a tag, stay as text. */
  fills("[Tanks [R1.P1] [then [R2.P4]]]", "Tanks Tankadin [then ]");
}

static void test_marks(void **state) {
  (void)state;
  assert_string_equal(ogrh_mark_name(1), "Star");
  assert_string_equal(ogrh_mark_name(8), "Skull");
  assert_null(ogrh_mark_name(0));
  assert_null(ogrh_mark_name(9));
}

static void test_find_and_json(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  int64_t r, e;
  ogrh_err err;
  assert_int_equal(ogrh_plan_find(d, "BWL/Razorgore", &r, &e, &err), OGRH_OK);
  assert_int_equal(r, 2);
  assert_int_equal(e, 1);
  assert_int_equal(ogrh_plan_find(d, "BWL", &r, &e, &err), OGRH_OK);
  assert_int_equal(e, 0);
  assert_int_equal(ogrh_plan_find(d, "2/1", &r, &e, &err), OGRH_OK);
  assert_int_equal(ogrh_plan_find(d, "BWL/Nobody", &r, &e, &err), OGRH_ENOTFOUND);
  assert_non_null(strstr(err.msg, "'Razorgore'"));
  assert_int_equal(ogrh_plan_find(d, "Onyxia", &r, &e, &err), OGRH_ENOTFOUND);
  assert_non_null(strstr(err.msg, "'Molten Core'"));

  tu_set(d, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "\"Tankadin\"");
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_plan_json(d, NULL, 0, &b, &err), OGRH_OK);
  /* Without a unit: raids and how full each encounter is, no roles. */
  assert_non_null(strstr(b.p, "\"name\":\"Razorgore\",\"slots\":22,\"assigned\":1}"));
  assert_null(strstr(b.p, "\"roles\""));
  ogrh_buf_reset(&b);
  assert_int_equal(ogrh_plan_json(d, "Molten Core/Tanks and Heals", 0, &b, &err), OGRH_OK);
  assert_non_null(strstr(b.p, "{\"slot\":1,\"player\":null,\"mark\":8,\"markName\":\"Skull\"}"));
  assert_non_null(strstr(b.p, "\"template\":\"[R1.M1] [R1.P1] healed by [R2.P1]\","
                              "\"text\":\"(Skull)  healed by \""));
  assert_null(strstr(b.p, "\"Razorgore\""));
  ogrh_buf_deinit(&b);
  ogrh_doc_free(d);
}

static int teardown(void **state) {
  (void)state;
  ogrh_svfile_free(enc_file);
  enc_file = NULL;
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tags),
      cmocka_unit_test(test_conditional_blocks),
      cmocka_unit_test(test_marks),
      cmocka_unit_test(test_find_and_json),
  };
  return cmocka_run_group_tests(tests, NULL, teardown);
}
