#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

static ogrh_name_seg seg_of(const char *s) {
  ogrh_name_seg g = {s, strlen(s)};
  return g;
}

/* Resolves spec and returns its index path text (static buffer), or NULL with *rc set. */
static const char *resolve(ogrh_doc *d, const char *spec, int *rc, ogrh_err *err) {
  static char text[512];
  ogrh_name_ref r;
  *rc = ogrh_name_resolve(d, spec, &r, err);
  if (*rc) return NULL;
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_name_ref_path(&r, &b), OGRH_OK);
  snprintf(text, sizeof text, "%s", b.p);
  ogrh_buf_deinit(&b);
  return text;
}

/* The string at path, copied (document strings are not NUL-terminated in general). */
static const char *get_str(ogrh_doc *d, const char *path) {
  static char buf[4][256];
  static int next;
  const ogrh_value *v;
  if (ogrh_doc_get(d, path, &v, NULL) || v->type != OGRH_STRING) return NULL;
  char *b = buf[next++ % 4];
  snprintf(b, sizeof buf[0], "%.*s", (int)v->len, v->u.s);
  return b;
}

/* The announcement lines of an encounter, joined with '|'. */
static void lines_of(ogrh_doc *d, const char *unit, char *out, size_t cap) {
  ogrh_plan *p;
  ogrh_err err;
  int rc = ogrh_plan_build(d, unit, &p, &err);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  assert_int_equal(rc, OGRH_OK);
  assert_int_equal(p->view, OGRH_PLAN_ENCOUNTER);
  const ogrh_plan_encounter *e = &p->raids[0].encounters[0];
  out[0] = '\0';
  for (size_t i = 0; i < e->nlines; i++) {
    if (i) strncat(out, "|", cap - strlen(out) - 1);
    strncat(out, e->lines[i].text, cap - strlen(out) - 1);
  }
  ogrh_plan_free(p);
}

/* Writes a Lua literal at prefix + rest. */
static void set_at(ogrh_doc *d, const char *prefix, const char *rest, const char *lit) {
  char path[300];
  snprintf(path, sizeof path, "%s%s", prefix, rest);
  tu_set(d, path, lit);
}

static int change_count;
static void count_changes(void *ud, const ogrh_change *c) {
  (void)ud;
  assert_int_equal(c->scope.kind, OGRH_SCOPE_ENCOUNTER);
  assert_int_equal(c->scope.components, OGRH_C_ASSIGNMENTS);
  change_count++;
}

static void doc_text(ogrh_doc *d, ogrh_buf *b) {
  ogrh_buf_init(b);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d), b), OGRH_OK);
}

/* ---- names ---- */

static void test_named_form_detection(void **state) {
  (void)state;
  assert_true(ogrh_name_is_named("BWL/Razorgore"));
  assert_true(ogrh_name_is_named("BWL/"));
  assert_true(ogrh_name_is_named("BWL:"));
  assert_true(ogrh_name_is_named("BWL/Razorgore/Main Tank:assignedPlayers.1"));
  assert_true(ogrh_name_is_named("[ACTIVE RAID]/Razorgore")); /* not an index bracket */
  assert_false(ogrh_name_is_named("BWL"));
  assert_false(ogrh_name_is_named("encounterMgmt.raids.2.encounters.1"));
  assert_false(ogrh_name_is_named("ui[\"a/b:c\"].x")); /* inside a quoted index segment */
  assert_false(ogrh_name_is_named("a[3].b"));
  assert_false(ogrh_name_is_named("4HM Tank\\/Heal")); /* escaped */

  ogrh_name_seg seg[3];
  int n;
  const char *rest;
  ogrh_err err;
  assert_int_equal(ogrh_name_split("Naxx/4HM Tank\\/Heal/Thane:raidMarks.1", seg, &n, &rest, &err),
                   OGRH_OK);
  assert_int_equal(n, 3);
  assert_int_equal(seg[1].n, strlen("4HM Tank\\/Heal"));
  assert_string_equal(rest, "raidMarks.1");
  assert_int_equal(ogrh_name_split("BWL/", seg, &n, &rest, &err), OGRH_OK);
  assert_int_equal(n, 1);
  assert_null(rest);
  assert_int_equal(ogrh_name_split("BWL//Vael", seg, &n, &rest, &err), OGRH_EPATH);
  assert_non_null(strstr(err.msg, "empty name at column 5"));
  assert_int_equal(ogrh_name_split("/BWL", seg, &n, &rest, &err), OGRH_EPATH);
  assert_int_equal(ogrh_name_split("a/b/c/d", seg, &n, &rest, &err), OGRH_EPATH);
  assert_non_null(strstr(err.msg, "more than RAID/ENCOUNTER/ROLE"));
  assert_int_equal(ogrh_name_split("a\\", seg, &n, &rest, &err), OGRH_EPATH);

  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_name_escape("#1 a/b:c\\", 9, &b), OGRH_OK);
  assert_string_equal(b.p, "\\#1 a\\/b\\:c\\\\");
  ogrh_buf_deinit(&b);
}

static void test_resolve_defaults(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  int rc;
  ogrh_err err;
  assert_string_equal(resolve(d, "BWL", &rc, &err), "encounterMgmt.raids.2");
  assert_string_equal(resolve(d, "BWL/Razorgore", &rc, &err), "encounterMgmt.raids.2.encounters.1");
  assert_string_equal(resolve(d, "BWL/Razorgore/Orb", &rc, &err),
                      "encounterMgmt.raids.2.encounters.1.roles.4");
  assert_string_equal(resolve(d, "#2/#1/#4:assignedPlayers.1", &rc, &err),
                      "encounterMgmt.raids.2.encounters.1.roles.4.assignedPlayers.1");
  assert_string_equal(resolve(d, "BWL/Razorgore:announcements", &rc, &err),
                      "encounterMgmt.raids.2.encounters.1.announcements");
  assert_string_equal(resolve(d, "BWL:", &rc, &err), "encounterMgmt.raids.2");
  /* A name with a '/' in it, escaped. */
  const char *p = resolve(d, "Naxx/4HM Tank\\/Heal", &rc, &err);
  assert_non_null(p);
  char name_path[600];
  snprintf(name_path, sizeof name_path, "%s.name", p);
  assert_string_equal(get_str(d, name_path), "4HM Tank/Heal");

  /* The index form of a path keeps working, and both forms reach the same value. */
  ogrh_path a, b;
  assert_int_equal(ogrh_name_path(d, "encounterMgmt.raids.2.encounters.1.name", &a, &err), OGRH_OK);
  assert_int_equal(ogrh_name_path(d, "BWL/Razorgore:name", &b, &err), OGRH_OK);
  const ogrh_value *va, *vb;
  assert_int_equal(ogrh_doc_get_path(d, &a, &va), OGRH_OK);
  assert_int_equal(ogrh_doc_get_path(d, &b, &vb), OGRH_OK);
  assert_ptr_equal(va, vb);
  assert_int_equal(ogrh_name_path(d, "BWL/Razorgore:", &b, &err), OGRH_OK);
  assert_int_equal(b.n, 5);

  /* Missing names list the candidates; a case slip gets a suggestion. */
  assert_null(resolve(d, "Blackwing", &rc, &err));
  assert_int_equal(rc, OGRH_ENOTFOUND);
  assert_string_equal(err.msg, "no raid named 'Blackwing' (raids: Molten Core, BWL, AQ40, Naxx, "
                               "K40, ES)");
  assert_null(resolve(d, "bwl", &rc, &err));
  assert_non_null(strstr(err.msg, "did you mean 'BWL'?"));
  assert_null(resolve(d, "BWL/Razor", &rc, &err));
  assert_int_equal(rc, OGRH_ENOTFOUND);
  assert_non_null(
      strstr(err.msg, "no encounter named 'Razor' in BWL (encounters: Razorgore, Vael,"));
  assert_null(resolve(d, "BWL/Razorgore/Tanks", &rc, &err));
  assert_non_null(strstr(err.msg, "in BWL/Razorgore (roles: Razorgore, Near Side Tanks"));
  assert_null(resolve(d, "#9", &rc, &err));
  assert_int_equal(rc, OGRH_ENOTFOUND);
  assert_non_null(strstr(err.msg, "no raid #9 (raids: Molten Core,"));
  assert_null(resolve(d, "#x", &rc, &err));
  assert_int_equal(rc, OGRH_EPATH);

  /* The factory data has two roles named Ebonroc in one encounter. */
  assert_null(resolve(d, "BWL/Ebonroc/Ebonroc", &rc, &err));
  assert_int_equal(rc, OGRH_EAMBIGUOUS);
  assert_string_equal(err.msg, "'Ebonroc' is the name of 2 roles in BWL/Ebonroc (#1, #2): pick "
                               "one by index, as in BWL/Ebonroc/#1");
  assert_string_equal(resolve(d, "BWL/Ebonroc/#2", &rc, &err),
                      "encounterMgmt.raids.2.encounters.10.roles.2");

  /* The finds one level at a time, for specs whose later parts mean something else. */
  int64_t raid, enc, role;
  assert_int_equal(ogrh_name_find_raid(d, seg_of("Naxx"), &raid, &err), OGRH_OK);
  assert_int_equal(raid, 4);
  assert_int_equal(ogrh_name_find_encounter(d, 2, seg_of("Vael"), &enc, &err), OGRH_OK);
  assert_int_equal(enc, 2);
  assert_int_equal(ogrh_name_find_role(d, 2, 1, seg_of("Far Healers"), &role, &err), OGRH_OK);
  assert_int_equal(role, 6);
  assert_int_equal(ogrh_name_find_encounter(d, 42, seg_of("Vael"), &enc, &err), OGRH_ENOTFOUND);
  assert_string_equal(err.msg, "no raid #42");

  /* The shortest unique form of each entry. */
  ogrh_buf u;
  ogrh_buf_init(&u);
  assert_int_equal(ogrh_name_unit(d, 3, 2, 10, 2, &u), OGRH_OK);
  assert_string_equal(u.p, "BWL/Ebonroc/#2");
  ogrh_buf_reset(&u);
  assert_int_equal(ogrh_name_unit(d, 2, 4, 0, 0, &u), OGRH_ENOTFOUND);
  ogrh_buf_deinit(&u);
  ogrh_doc_free(d);
}

static void test_repeated_and_display_names(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  int rc;
  ogrh_err err;
  /* A second Razorgore encounter makes the name ambiguous; '#N' and the unit pick one. */
  tu_set(d, "encounterMgmt.raids.2.encounters.3.name", "\"Razorgore\"");
  assert_null(resolve(d, "BWL/Razorgore", &rc, &err));
  assert_int_equal(rc, OGRH_EAMBIGUOUS);
  assert_non_null(strstr(err.msg, "2 encounters in BWL (#1, #3)"));
  assert_string_equal(resolve(d, "BWL/#3", &rc, &err), "encounterMgmt.raids.2.encounters.3");
  ogrh_buf u;
  ogrh_buf_init(&u);
  assert_int_equal(ogrh_name_unit(d, 2, 2, 3, 0, &u), OGRH_OK);
  assert_string_equal(u.p, "BWL/#3");
  ogrh_buf_deinit(&u);

  /* displayName is tried when no name matches; a name wins over a displayName. */
  tu_set(d, "encounterMgmt.raids.2.displayName", "\"Blackwing Lair\"");
  tu_set(d, "encounterMgmt.raids.3.displayName", "\"BWL\"");
  assert_string_equal(resolve(d, "Blackwing Lair", &rc, &err), "encounterMgmt.raids.2");
  assert_string_equal(resolve(d, "BWL", &rc, &err), "encounterMgmt.raids.2");

  /* Names with the separators in them round-trip through the escaped form. */
  tu_set(d, "encounterMgmt.raids.5.name", "\"#1 a/b:c\\\\\"");
  ogrh_buf_init(&u);
  assert_int_equal(ogrh_name_unit(d, 1, 5, 0, 0, &u), OGRH_OK);
  assert_string_equal(u.p, "\\#1 a\\/b\\:c\\\\");
  assert_string_equal(resolve(d, u.p, &rc, &err), "encounterMgmt.raids.5");
  ogrh_buf_deinit(&u);
  ogrh_doc_free(d);
}

/* ---- marks and announcements ---- */

static void test_mark_names(void **state) {
  (void)state;
  const char *want[] = {"Star", "Circle", "Diamond", "Triangle",
                        "Moon", "Square", "Cross",   "Skull"};
  for (int i = 1; i <= 8; i++)
    assert_string_equal(ogrh_mark_name(i), want[i - 1]);
  assert_null(ogrh_mark_name(0));
  assert_null(ogrh_mark_name(9));
}

static void fill_one(const ogrh_table *enc, const char *tmpl, const char *want) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_announce_fill(enc, tmpl, strlen(tmpl), &b), OGRH_OK);
  if (strcmp(b.p ? b.p : "", want) != 0)
    fail_msg("'%s' filled as '%s', want '%s'", tmpl, b.p ? b.p : "", want);
  ogrh_buf_deinit(&b);
}

static void test_tags_as_the_addon_fills_them(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  /* BWL Techies: position 1 is Spellbinder (roleId 3), 2 Tanks (roleId 1), 3 Techie Snack
  ** (roleId 2). T tags go by roleId, P/M/A tags by position, as the addon does. */
  const char *r = "encounterMgmt.raids.2.encounters.5.roles.";
  set_at(d, r, "1.assignedPlayers", "{\"Tankadin\", [3] = \"Warbob\"}");
  set_at(d, r, "1.raidMarks", "{8, 7, 6}");
  set_at(d, r, "1.assignmentNumbers", "{2, 0, 1.0}");
  set_at(d, r, "2.assignedPlayers", "{[2] = \"Holybob\"}");
  const ogrh_table *enc = ogrh_doc_encounter(d, 2, 5);
  assert_non_null(enc);
  fill_one(enc, "[R1.T] [R3.T] [R9.T]", "Tanks Spellbinder ");
  fill_one(enc, "[R1.P1] [R1.P2] [R1.P3] [R2.P1]", "Tankadin  Warbob ");
  fill_one(enc, "[R1.P] / [R2.P] / [R3.P]", "Tankadin Warbob / Holybob / ");
  fill_one(enc, "[R1.PA]", "Tankadin (2) Warbob (1)");
  fill_one(enc, "[R1.M1][R1.M2][R1.M3][R1.M4]", "(Skull)(Cross)(Square)");
  fill_one(enc, "[R1.A1]-[R1.A2]-[R1.A3]", "2--1");
  fill_one(enc, "[R1.A=1] and [R1.A=2]", "Warbob and Tankadin");
  /* Conditional blocks: shown when any tag has a value, its empty tags dropped. */
  fill_one(enc, "Tanks[: [R1.P1] [R1.P2]]!", "Tanks: Tankadin !");
  fill_one(enc, "Tanks[: [R2.P1] [R2.P3]]!", "Tanks!");
  /* [& ...] only when every tag has one. */
  fill_one(enc, "x[& and [R1.P1] with [R1.M1]]", "x and Tankadin with (Skull)");
  fill_one(enc, "x[& and [R1.P1] with [R1.M4]]", "x");
  /* Not tags, left as they are. */
  fill_one(enc, "[R1.X] [x] [R1.P1 ", "[R1.X] [x] [R1.P1 ");
  /* Nested blocks: the outer one decides first. */
  fill_one(enc, "[a [b [R2.P1]] [R1.P1]]", "a [b ] Tankadin");
  ogrh_doc_free(d);
}

static void test_consume_and_text_tags(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  tu_set(d, "encounterMgmt.raids.1.encounters.1",
         "{name = \"Admin\", roles = {"
         "{roleId = 1, name = \"Loot Rules\", isTextField = true, textValues = {\"SR +1\", \"\", "
         "\"MS > OS\"}},"
         "{roleId = 2, name = \"Consumes\", isConsumeCheck = true, consumes = {"
         "{primaryId = 13457, primaryName = \"Greater Fire Protection Potion\", secondaryId = 6049,"
         " secondaryName = \"Fire Protection Potion\", allowAlternate = true},"
         "{primaryId = 13461, primaryName = \"Greater Arcane Protection Potion\"}}}},"
         "announcements = {\"Rules: [R1.L]\", \"\", \"Bring [R2.C1] and [R2.C2][, [R2.C3]]\","
         " \"Rule 3:[R1.L3]\", \"[R1.P1]\"}}");
  char got[1024];
  lines_of(d, "Molten Core/Admin", got, sizeof got);
  assert_string_equal(got,
                      "Rules:  SR +1 |Rules:  MS > OS |Bring [Greater Fire Protection Potion] /"
                      " [Fire Protection Potion] and [Greater Arcane Protection Potion]|"
                      "Rule 3: MS > OS ");
  ogrh_plan *p;
  assert_int_equal(ogrh_plan_build(d, "Molten Core/Admin", &p, NULL), OGRH_OK);
  const ogrh_plan_encounter *e = &p->raids[0].encounters[0];
  assert_int_equal(e->nlines, 4);
  assert_int_equal(e->lines[0].line, 1);
  assert_int_equal(e->lines[1].line, 1); /* [R1.L] made two lines of template 1 */
  assert_int_equal(e->lines[2].line, 3);
  assert_string_equal(e->lines[2].template_text, "Bring [R2.C1] and [R2.C2][, [R2.C3]]");
  assert_int_equal(e->roles[0].ntexts, 3);
  assert_string_equal(e->roles[0].texts[2], "MS > OS");
  ogrh_plan_free(p);
  ogrh_doc_free(d);
}

/* ---- the plan views ---- */

static void test_plan_views_on_defaults(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  ogrh_plan *p;
  ogrh_err err;
  assert_int_equal(ogrh_plan_build(d, NULL, &p, &err), OGRH_OK);
  assert_int_equal(p->view, OGRH_PLAN_RAIDS);
  assert_int_equal(p->nraids, 6);
  size_t encs = 0, roles = 0, assigned = 0;
  for (size_t i = 0; i < p->nraids; i++) {
    encs += p->raids[i].nencounters;
    roles += p->raids[i].role_count;
    assigned += p->raids[i].assigned_count;
    assert_null(p->raids[i].encounters[0].roles); /* roles only from the raid view on */
  }
  /* research/ogrh-sync.md §1.6: 61 encounters, 165 roles in the factory data. */
  assert_int_equal(encs, 61);
  assert_int_equal(roles, 165);
  assert_int_equal(assigned, 0);
  assert_string_equal(p->raids[1].name, "BWL");
  assert_string_equal(p->raids[1].unit, "BWL");
  assert_string_equal(p->raids[1].path, "encounterMgmt.raids.2");
  assert_string_equal(p->raids[1].encounters[0].unit, "BWL/Razorgore");
  assert_int_equal(p->raids[1].encounters[0].slot_count, 22);
  ogrh_plan_free(p);

  assert_int_equal(ogrh_plan_build(d, "BWL", &p, &err), OGRH_OK);
  assert_int_equal(p->view, OGRH_PLAN_RAID);
  assert_int_equal(p->nraids, 1);
  assert_int_equal(p->raids[0].nencounters, 13);
  const ogrh_plan_encounter *eb = &p->raids[0].encounters[9];
  assert_string_equal(eb->name, "Ebonroc");
  assert_int_equal(eb->nroles, 2);
  assert_string_equal(eb->roles[1].unit, "BWL/Ebonroc/#2");
  assert_null(eb->roles[0].slots); /* slots only in the encounter view */
  ogrh_plan_free(p);

  assert_int_equal(ogrh_plan_build(d, "BWL/Razorgore/Orb", &p, &err), OGRH_EINVAL);
  assert_null(p);
  assert_int_equal(ogrh_plan_build(d, "BWL/Razorgore:name", &p, &err), OGRH_EINVAL);
  assert_int_equal(ogrh_plan_build(d, "Onyxia", &p, &err), OGRH_ENOTFOUND);
  ogrh_doc_free(d);

  /* A file without OGRH data says so. */
  ogrh_doc *empty;
  assert_int_equal(ogrh_doc_from_svfile(tu_parse("X = 1\n"), &empty, NULL), OGRH_OK);
  assert_int_equal(ogrh_plan_build(empty, NULL, &p, &err), OGRH_ESCHEMA);
  ogrh_doc_free(empty);
}

static void test_plan_encounter_view(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  const char *r = "encounterMgmt.raids.2.encounters.1.roles.";
  set_at(d, r, "1.assignedPlayers.1", "\"Tankadin\"");
  set_at(d, r, "1.raidMarks.1", "8");
  set_at(d, r, "2.assignedPlayers", "{\"Warbob\", \"\"}");   /* an empty name is an empty slot */
  set_at(d, r, "2.assignmentNumbers", "{[2] = 3, [5] = 1}"); /* a number past the role's 2 slots */
  ogrh_plan *p;
  ogrh_err err;
  assert_int_equal(ogrh_plan_build(d, "BWL/Razorgore", &p, &err), OGRH_OK);
  assert_int_equal(p->view, OGRH_PLAN_ENCOUNTER);
  const ogrh_plan_encounter *e = &p->raids[0].encounters[0];
  assert_int_equal(p->raids[0].encounter_count, 13);
  assert_int_equal(p->raids[0].nencounters, 1);
  assert_int_equal(e->nroles, 6);
  const ogrh_plan_role *r1 = &e->roles[0], *r2 = &e->roles[1];
  assert_string_equal(r1->slots[0].player, "Tankadin");
  assert_int_equal(r1->slots[0].mark, 8);
  assert_string_equal(r1->slots[0].mark_name, "Skull");
  assert_int_equal(r1->slots[0].number.type, OGRH_NIL); /* assignmentNumbers[1] = 0 is none */
  assert_int_equal(r2->nslots, 3);
  assert_int_equal(r2->slot_count, 3);
  assert_int_equal(r2->assigned_count, 1);
  assert_null(r2->slots[1].player);
  assert_int_equal(r2->slots[1].number.u.i, 3);
  assert_int_equal(r2->slots[2].slot, 5);
  assert_int_equal(e->assigned_count, 2);
  assert_string_equal(e->lines[0].text, "Tankadin tanks Razorgore");

  /* The JSON holds the same, with stable names and nulls for what is absent. */
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_plan_json(p, 2, &b), OGRH_OK);
  json_error_t je;
  json_t *j = json_loads(b.p, 0, &je);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "view")), "encounter");
  json_t *je1 = json_array_get(
      json_object_get(json_array_get(json_object_get(j, "raids"), 0), "encounters"), 0);
  assert_string_equal(json_string_value(json_object_get(je1, "unit")), "BWL/Razorgore");
  json_t *slot =
      json_array_get(json_object_get(json_array_get(json_object_get(je1, "roles"), 0), "slots"), 0);
  assert_string_equal(json_string_value(json_object_get(slot, "player")), "Tankadin");
  assert_string_equal(json_string_value(json_object_get(slot, "mark")), "Skull");
  assert_int_equal(json_integer_value(json_object_get(slot, "markIndex")), 8);
  assert_true(json_is_null(json_object_get(slot, "number")));
  json_t *line = json_array_get(json_object_get(je1, "announcements"), 0);
  assert_int_equal(json_integer_value(json_object_get(line, "line")), 1);
  assert_string_equal(json_string_value(json_object_get(line, "text")), "Tankadin tanks Razorgore");
  json_decref(j);
  /* Compact is the same document without the spaces. */
  ogrh_buf c;
  ogrh_buf_init(&c);
  assert_int_equal(ogrh_plan_json(p, 0, &c), OGRH_OK);
  assert_null(strchr(c.p, '\n'));
  assert_true(c.n < b.n);
  ogrh_buf_deinit(&c);
  ogrh_buf_deinit(&b);
  ogrh_plan_free(p);
  ogrh_doc_free(d);
}

static void test_json_strings(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  /* Quotes, control bytes and a byte that is not UTF-8 in a name. */
  tu_set(d, "encounterMgmt.raids.6.name", "\"E\\\"S\\t\\1\\255\"");
  ogrh_plan *p;
  assert_int_equal(ogrh_plan_build(d, NULL, &p, NULL), OGRH_OK);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_plan_json(p, 0, &b), OGRH_OK);
  assert_non_null(strstr(b.p, "\"name\":\"E\\\"S\\t\\u0001\xEF\xBF\xBD\""));
  json_t *j = json_loads(b.p, 0, NULL);
  assert_non_null(j);
  json_decref(j);
  ogrh_buf_deinit(&b);
  ogrh_plan_free(p);
  ogrh_doc_free(d);
}

/* ---- where and replace ---- */

/* Counts the slots holding player by walking the document directly. */
static size_t count_holds(ogrh_doc *d, const char *player, int64_t only_raid) {
  size_t n = 0;
  ogrh_table *raids = ogrh_doc_raids(d);
  for (uint32_t i = 0; i < raids->n; i++) {
    if (only_raid && raids->e[i].key.u.i != only_raid) continue;
    const ogrh_value *encs = ogrh_table_gets(raids->e[i].val.u.t, "encounters");
    for (uint32_t j = 0; encs && j < encs->u.t->n; j++) {
      const ogrh_value *roles = ogrh_table_gets(encs->u.t->e[j].val.u.t, "roles");
      for (uint32_t k = 0; roles && k < roles->u.t->n; k++) {
        const ogrh_value *ap = ogrh_table_gets(roles->u.t->e[k].val.u.t, "assignedPlayers");
        for (uint32_t s = 0; ap && s < ap->u.t->n; s++)
          if (ap->u.t->e[s].val.type == OGRH_STRING && strcmp(ap->u.t->e[s].val.u.s, player) == 0)
            n++;
      }
    }
  }
  return n;
}

static void test_where(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(3, 1);
  const char *who = get_str(d, "encounterMgmt.raids.2.encounters.1.roles.6.assignedPlayers.1");
  assert_non_null(who);
  char player[64];
  snprintf(player, sizeof player, "%s", who);
  ogrh_slot_list *l;
  ogrh_err err;
  assert_int_equal(ogrh_plan_where(d, player, 0, &l, &err), OGRH_OK);
  size_t all = count_holds(d, player, 0);
  assert_true(all > 5);
  assert_int_equal(l->n, all);
  bool seen = false;
  for (size_t i = 0; i < l->n; i++) {
    const ogrh_slot_ref *s = &l->v[i];
    assert_string_equal(s->player, player);
    assert_string_equal(get_str(d, s->path), player);
    if (i) assert_true(s->raid > l->v[i - 1].raid || s->encounter >= l->v[i - 1].encounter);
    if (s->raid == 2 && s->encounter == 1 && s->role == 6 && s->slot == 1) {
      seen = true;
      assert_string_equal(s->unit, "BWL/Razorgore/Far Healers");
      assert_string_equal(s->raid_name, "BWL");
      assert_string_equal(s->role_name, "Far Healers");
    }
  }
  assert_true(seen);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_slot_list_json(l, player, 0, &b), OGRH_OK);
  json_t *j = json_loads(b.p, 0, NULL);
  assert_int_equal(json_integer_value(json_object_get(j, "count")), (json_int_t)all);
  assert_int_equal(json_array_size(json_object_get(j, "slots")), all);
  json_decref(j);
  ogrh_buf_deinit(&b);
  ogrh_slot_list_free(l);

  assert_int_equal(ogrh_plan_where(d, player, 2, &l, &err), OGRH_OK);
  assert_int_equal(l->n, count_holds(d, player, 2));
  assert_true(l->n < all);
  ogrh_slot_list_free(l);

  assert_int_equal(ogrh_plan_where(d, "Nobody", 0, &l, &err), OGRH_OK);
  assert_int_equal(l->n, 0);
  ogrh_slot_list_free(l);
  assert_int_equal(ogrh_plan_where(d, player, 99, &l, &err), OGRH_ENOTFOUND);
  assert_int_equal(ogrh_plan_where(d, "", 0, &l, &err), OGRH_EINVAL);

  /* A case slip finds the real name for a hint. */
  char lower[64];
  snprintf(lower, sizeof lower, "%s", player);
  for (char *c = lower; *c; c++)
    if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
  ogrh_buf near;
  ogrh_buf_init(&near);
  assert_true(ogrh_plan_similar_player(d, lower, &near));
  assert_string_equal(near.p, player);
  ogrh_buf_reset(&near);
  assert_false(ogrh_plan_similar_player(d, "Nobody", &near));
  assert_false(ogrh_plan_similar_player(d, player, &near)); /* the same name is no suggestion */
  assert_int_equal(near.n, 0);
  ogrh_buf_deinit(&near);
  ogrh_doc_free(d);
}

static void test_replace(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(3, 1);
  char old[64], nw[] = "Standin";
  snprintf(old, sizeof old, "%s",
           get_str(d, "encounterMgmt.raids.2.encounters.1.roles.6.assignedPlayers.1"));
  size_t all = count_holds(d, old, 0), in_bwl = count_holds(d, old, 2);
  assert_true(in_bwl > 0 && in_bwl < all);
  ogrh_err err;
  ogrh_slot_list *l;

  /* A dry run changes nothing at all. */
  ogrh_buf before, after;
  doc_text(d, &before);
  uint64_t rev = ogrh_doc_revision(d);
  change_count = 0;
  int token = ogrh_doc_subscribe(d, count_changes, NULL);
  ogrh_replace_opts o = {2, true, NULL};
  assert_int_equal(ogrh_plan_replace(d, old, nw, &o, &l, &err), OGRH_OK);
  assert_int_equal(l->n, in_bwl);
  ogrh_slot_list_free(l);
  doc_text(d, &after);
  assert_string_equal(before.p, after.p);
  ogrh_buf_deinit(&after);
  assert_int_equal(ogrh_doc_revision(d), rev);
  assert_int_equal(change_count, 0);

  /* Within one raid: one SVM write, one change record per slot. */
  o.dry_run = false;
  assert_int_equal(ogrh_plan_replace(d, old, nw, &o, &l, &err), OGRH_OK);
  assert_int_equal(l->n, in_bwl);
  assert_int_equal(change_count, (int)in_bwl);
  assert_int_equal(ogrh_doc_revision(d), rev + in_bwl);
  for (size_t i = 0; i < l->n; i++)
    assert_string_equal(get_str(d, l->v[i].path), nw);
  ogrh_slot_list_free(l);
  assert_int_equal(count_holds(d, old, 2), 0);
  assert_int_equal(count_holds(d, old, 0), all - in_bwl);
  assert_int_equal(count_holds(d, nw, 2), in_bwl);

  /* Everywhere. */
  o.raid = 0;
  assert_int_equal(ogrh_plan_replace(d, old, nw, &o, &l, &err), OGRH_OK);
  assert_int_equal(l->n, all - in_bwl);
  ogrh_slot_list_free(l);
  assert_int_equal(count_holds(d, old, 0), 0);
  assert_int_equal(count_holds(d, nw, 0), all);
  assert_int_equal(change_count, (int)all);

  /* Nothing to replace is no write; bad arguments are refused. */
  assert_int_equal(ogrh_plan_replace(d, old, nw, &o, &l, &err), OGRH_OK);
  assert_int_equal(l->n, 0);
  ogrh_slot_list_free(l);
  assert_int_equal(ogrh_plan_replace(d, nw, nw, &o, &l, &err), OGRH_EINVAL);
  assert_int_equal(ogrh_plan_replace(d, "", nw, &o, &l, &err), OGRH_EINVAL);
  assert_int_equal(change_count, (int)all);
  ogrh_doc_unsubscribe(d, token);
  ogrh_buf b;
  ogrh_buf_init(&b);
  o.raid = 2;
  assert_int_equal(ogrh_plan_replace(d, nw, old, &o, &l, &err), OGRH_OK);
  assert_int_equal(ogrh_replace_json(l, nw, old, false, 0, &b), OGRH_OK);
  assert_non_null(strstr(b.p, "{\"oldPlayer\":\"Standin\",\"newPlayer\":"));
  assert_non_null(strstr(b.p, "\"dryRun\":false,\"count\":"));
  ogrh_buf_deinit(&b);
  ogrh_slot_list_free(l);
  ogrh_buf_deinit(&before);
  ogrh_doc_free(d);
}

/* ---- out of memory ---- */

static int build_all_views(void *ud, long k) {
  (void)k;
  ogrh_doc *d = ud;
  const char *units[] = {NULL, "BWL", "BWL/Razorgore", "BWL/Ebonroc"};
  int rc = OGRH_OK;
  for (int i = 0; i < 4 && !rc; i++) {
    ogrh_plan *p = NULL;
    rc = ogrh_plan_build(d, units[i], &p, NULL);
    if (rc) {
      assert_null(p);
      break;
    }
    ogrh_buf b;
    ogrh_buf_init(&b);
    rc = ogrh_plan_json(p, 2, &b);
    ogrh_buf_deinit(&b);
    ogrh_plan_free(p);
  }
  return rc;
}

static int replace_twice(void *ud, long k) {
  (void)k;
  ogrh_doc *d = ud;
  const char *old = "Oldname", *nw = "Newname";
  size_t holds = count_holds(d, old, 0);
  ogrh_slot_list *l = NULL;
  ogrh_replace_opts o = {0, false, NULL};
  int rc = ogrh_plan_replace(d, old, nw, &o, &l, NULL);
  if (rc) {
    /* Failed: the writes made were taken back. */
    assert_null(l);
    assert_int_equal(count_holds(d, old, 0), holds);
    return rc;
  }
  assert_int_equal(count_holds(d, old, 0), 0);
  ogrh_slot_list_free(l);
  /* Put things back for the next run (outside the failure injection's interest). */
  rc = ogrh_plan_replace(d, nw, old, &o, &l, NULL);
  ogrh_slot_list_free(l);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(5, 1);
  assert_true(tu_alloc_fail_loop(build_all_views, d, 5000) > 10);
  tu_set(d, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers", "{\"Oldname\"}");
  tu_set(d, "encounterMgmt.raids.3.encounters.2.roles.1.assignedPlayers.2", "\"Oldname\"");
  assert_true(tu_alloc_fail_loop(replace_twice, d, 5000) > 2);
  ogrh_doc_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_named_form_detection),
                                     cmocka_unit_test(test_resolve_defaults),
                                     cmocka_unit_test(test_repeated_and_display_names),
                                     cmocka_unit_test(test_mark_names),
                                     cmocka_unit_test(test_tags_as_the_addon_fills_them),
                                     cmocka_unit_test(test_consume_and_text_tags),
                                     cmocka_unit_test(test_plan_views_on_defaults),
                                     cmocka_unit_test(test_plan_encounter_view),
                                     cmocka_unit_test(test_json_strings),
                                     cmocka_unit_test(test_where),
                                     cmocka_unit_test(test_replace),
                                     cmocka_unit_test(test_allocation_failures)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
