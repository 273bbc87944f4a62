/* libFuzzer: announcement templates and names come from other people's files and from the
** command line. Filling a template and resolving a name must never crash, never read past
** the input, and a resolved name must lead to an entry that exists. The input is a name, a
** newline, then a template. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ogrh_doc *doc;

/* The factory defaults with one encounter that holds every kind of tag's data. */
static void setup(void) {
  if (doc) return;
  if (ogrh_doc_defaults(&doc, NULL)) abort();
  const char *enc =
      "{name = \"Fuzz\", roles = {"
      "{roleId = 2, name = \"Tanks\", slots = 3, assignedPlayers = {\"Tankadin\", [3] = "
      "\"Warbob\"},"
      " raidMarks = {8, 0, 7.0}, assignmentNumbers = {1, 2, 2}},"
      "{roleId = 1, name = \"Rules\", isTextField = true, textValues = {\"a\", \"\", \"c\"}},"
      "{roleId = 3, isConsumeCheck = 1, consumes = {{primaryId = 1, primaryName = \"P\","
      " secondaryId = 2, allowAlternate = true}}}},"
      "announcements = {\"[R1.P1] [R2.L]\"}}";
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  if (!a || ogrh_value_parse_literal(a, enc, strlen(enc), &v, NULL) ||
      ogrh_doc_set_path(doc, "encounterMgmt.raids.2.encounters.14", &v, NULL, NULL))
    abort();
  ogrh_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  const uint8_t *nl = memchr(data, '\n', size);
  size_t nlen = nl ? (size_t)(nl - data) : size;
  char *name = malloc(nlen + 1);
  if (!name) return 0;
  memcpy(name, data, nlen);
  name[nlen] = '\0';
  ogrh_name_ref r;
  ogrh_path p;
  ogrh_err err;
  if (ogrh_name_resolve(doc, name, &r, &err) == OGRH_OK) {
    if (r.depth < 1 || r.depth > 3 || !ogrh_doc_raid(doc, r.raid)) abort();
    if (r.depth > 1 && !ogrh_doc_encounter(doc, r.raid, r.encounter)) abort();
  }
  ogrh_name_path(doc, name, &p, &err);
  (void)ogrh_name_is_named(name);
  ogrh_plan *plan;
  /* Plans of one encounter only: the view of every raid is slow for a fuzzer. */
  if (nlen < 64 && memchr(name, '/', nlen) && ogrh_plan_build(doc, name, &plan, &err) == OGRH_OK)
    ogrh_plan_free(plan);
  free(name);
  if (nl) {
    const char *t = (const char *)nl + 1;
    size_t tn = size - nlen - 1;
    ogrh_buf b;
    ogrh_buf_init(&b);
    if (ogrh_announce_fill(ogrh_doc_encounter(doc, 2, 14), t, tn, &b) == OGRH_OK &&
        b.n > 4 * tn + 4096)
      abort(); /* a filled line is bounded by its template and the plan's data */
    ogrh_buf_deinit(&b);
  }
  return 0;
}
