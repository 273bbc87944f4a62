/*
** Polls, drill-down and repair over an in-memory channel: the poll's size, component,
** encounter, raid and global repairs of every component with everything else byte-identical,
** missing and extra raids and encounters, one answer for many askers, staged application
** under allocation failures, manual validation and repair (levels, an officer as source,
** progress), writes during a repair, priorities, backups.
*/
#include "chan.h"
#include "node_int.h"

#define RZ "encounterMgmt.raids.2.encounters.1" /* BWL > Razorgore */
#define VL "encounterMgmt.raids.2.encounters.2" /* BWL > Vael */

static void raid(tc_chan *ch, int members) {
  tc_init(ch);
  tc_add(ch, "Lead", 2);
  tc_add(ch, "Assist", 1);
  for (int i = 0; i < members; i++) {
    char name[16];
    snprintf(name, sizeof name, "M%02d", i);
    tc_add(ch, name, 0);
  }
  tc_roster(ch);
  tc_run(ch, 6000);
}

/* Drift: a write straight into a node's document, behind the node's back. */
static void drift(tc_node *t, const char *path, const char *lit) {
  tu_set(ogrh_node_doc(t->n), path, lit);
}

static void drift_delete(tc_node *t, const char *path) {
  assert_int_equal(ogrh_doc_delete(ogrh_node_doc(t->n), path, NULL, NULL), OGRH_OK);
}

/* The whole file of a and b, byte for byte. */
static void assert_same_file(tc_node *a, tc_node *b) {
  size_t la, lb;
  char *x = tc_doc_text(ogrh_node_doc(a->n), &la), *y = tc_doc_text(ogrh_node_doc(b->n), &lb);
  if (la != lb || memcmp(x, y, la)) {
    FILE *f = fopen("/tmp/nd/a.lua", "w");
    fwrite(x, 1, la, f);
    fclose(f);
    f = fopen("/tmp/nd/b.lua", "w");
    fwrite(y, 1, lb, f);
    fclose(f);
  }
  assert_int_equal(la, lb);
  assert_memory_equal(x, y, la);
  free(x);
  free(y);
}

static void run_until_repaired(tc_chan *ch, tc_node *t, uint64_t limit) {
  uint64_t t0 = ch->now;
  size_t done0 = tc_count(t, OGRH_EV_REPAIR_DONE);
  while (ch->now - t0 < limit && tc_count(t, OGRH_EV_REPAIR_DONE) == done0)
    tc_run(ch, 200);
  tc_run(ch, 500);
}

/* ---- the poll ---- */

typedef struct tap_state {
  ogrh_reasm *r;
  size_t polls, poll_bytes_max;
  size_t last_bytes;
} tap_state;

static void on_poll_msg(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  tap_state *t = ud;
  (void)sender;
  (void)now;
  if (m->type == OGRH_MT_POLL) {
    t->polls++;
    if (t->last_bytes > t->poll_bytes_max) t->poll_bytes_max = t->last_bytes;
  }
}

static void poll_tap(void *ud, int from, const char *prefix, const uint8_t *text, size_t n) {
  tap_state *t = ud;
  if (from != 0) return;
  t->last_bytes = strlen(prefix) + n; /* a poll is one frame */
  ogrh_reasm_frame(t->r, "Lead", text, n, 0);
}

static void test_poll_at_most_100_bytes(void **state) {
  (void)state;
  tc_chan ch;
  tc_init(&ch);
  tap_state ts;
  memset(&ts, 0, sizeof ts);
  ogrh_reasm_limits l;
  ogrh_reasm_limits_default(&l);
  ts.r = ogrh_reasm_new(&ch.base.wire, &l, 1, on_poll_msg, NULL, NULL, &ts);
  ch.tap = poll_tap;
  ch.tap_ud = &ts;
  tc_add(&ch, "Lead", 2);
  tc_add(&ch, "Assist", 1);
  tc_roster(&ch);
  /* The admin runs BWL; a grant makes the poll carry its grantor too. */
  assert_int_equal(ogrh_node_set_context(ch.nodes[0].n, "BWL", "Razorgore", ch.now), OGRH_OK);
  tc_run(&ch, 6000);
  assert_int_equal(ogrh_node_grant_admin(ch.nodes[1].n, "Lead", ch.now), OGRH_OK);
  tc_run(&ch, 95000);
  assert_true(ts.polls >= 3); /* on join, then every 30 s */
  assert_true(ts.poll_bytes_max <= 100);
  assert_true(ts.poll_bytes_max >= 60); /* it carries the raid's digest and the grantor */
  ogrh_reasm_free(ts.r);
  tc_free(&ch);
}

/* ---- one component, each of the six ---- */

static const struct {
  const char *path, *value, *name;
} drifts[OGRH_NCOMPONENTS] = {
    {RZ ".advancedSettings.bigwigs.enabled", "0", "encounterMetadata"},
    {RZ ".roles.1.name", "\"Renamed\"", "roles"},
    {RZ ".roles.1.assignedPlayers.1", "\"Drifted\"", "playerAssignments"},
    {RZ ".roles.1.raidMarks.1", "7", "raidMarks"},
    {RZ ".roles.1.assignmentNumbers.1", "9", "assignmentNumbers"},
    {RZ ".announcements.1", "\"Drifted\"", "announcements"},
};

static void test_component_repair_each(void **state) {
  (void)state;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    tc_chan ch;
    raid(&ch, 1);
    tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
    ogrh_node_set_context(m->n, "BWL", "Razorgore", ch.now);
    drift(m, drifts[c].path, drifts[c].value);
    uint64_t units = tc_stats(a)->units_sent;
    run_until_repaired(&ch, m, 45000);
    char line[160];
    snprintf(line, sizeof line, "Structure mismatch detected: BWL > Razorgore > %s",
             drifts[c].name);
    assert_non_null(tc_find(m, OGRH_EV_MISMATCH, line));
    assert_int_equal(tc_count(m, OGRH_EV_MISMATCH), 1);
    assert_non_null(tc_find(m, OGRH_EV_REPAIR_REQUESTED, "Requesting repair from raid admin..."));
    assert_non_null(tc_find(m, OGRH_EV_REPAIR_DONE, "Repair completed successfully"));
    snprintf(line, sizeof line, "Repairing BWL > Razorgore > %s", drifts[c].name);
    assert_non_null(tc_find(m, OGRH_EV_REPAIR_PROGRESS, line));
    assert_int_equal(tc_stats(a)->units_sent, units + 1);
    /* The CHANGED event names the one component. */
    char scope[96];
    snprintf(scope, sizeof scope, "raid 2 > encounter 1 > %s", drifts[c].name);
    const tc_event *e = NULL;
    for (size_t i = 0; i < m->nev; i++)
      if (m->ev[i].kind == OGRH_EV_CHANGED && m->ev[i].at > 6000) e = &m->ev[i];
    assert_non_null(e);
    assert_string_equal(e->text, scope);
    assert_same_file(a, m);
    assert_true(tc_status(m).synced);
    tc_free(&ch);
  }
}

/*
** Three components of one encounter: one encounter unit, not three (the seed's rule; ours
** adds "unless the encounter costs more than the three": metadata, roles and announcements
** are most of Razorgore, so the encounter is the cheaper unit here).
*/
/*
** Quick repair: the admin's poll names BWL, BWL differs here: one request carrying our digests,
** answered with the unit at once (no drill-down), the finding reported as the drill-down
** would, and the copy byte-identical. A stale copy in two raids falls back to the drill-down
** for the raid the poll does not name.
*/
static void test_quick_repair_one_round_trip(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 2);
  tc_node *a = &ch.nodes[0], *m = &ch.nodes[2], *o = &ch.nodes[3];
  assert_int_equal(ogrh_node_set_context(a->n, "BWL", NULL, ch.now), OGRH_OK);
  drift(m, RZ ".roles.1.assignedPlayers.1", "\"Quick\"");
  drift(o, RZ ".roles.1.assignedPlayers.1", "\"Quick\"");
  drift(o, "encounterMgmt.raids.1.encounters.1.roles.1.assignedPlayers.1", "\"Other\"");
  uint64_t units = tc_stats(a)->units_sent;
  run_until_repaired(&ch, m, 45000);
  assert_int_equal(tc_stats(m)->drill_requests, 0);
  assert_true(tc_stats(m)->repair_requests + tc_stats(m)->repair_suppressed >= 1);
  assert_true(tc_stats(m)->repair_requests + tc_stats(o)->repair_requests <= 2);
  assert_non_null(tc_find(m, OGRH_EV_MISMATCH,
                          "Structure mismatch detected: BWL > Razorgore > playerAssignments"));
  const tc_event *req =
      tc_find(m, OGRH_EV_REPAIR_REQUESTED, "Requesting repair from raid admin...");
  const tc_event *done = tc_find(m, OGRH_EV_REPAIR_DONE, "Repair completed successfully");
  assert_non_null(req);
  assert_non_null(done);
  /* One round trip: two channel latencies and a few frames, simulated. */
  assert_true(done->at - req->at <= 2 * ch.latency + 10 * ch.step);
  assert_int_equal(tc_stats(a)->units_sent, units + 1);
  assert_same_file(a, m);
  /* The other copy also differs in MC: after the quick unit its root still differs, and the
     drill-down finds MC. */
  run_until_repaired(&ch, o, 45000);
  assert_true(tc_stats(o)->drill_requests >= 1);
  assert_same_file(a, o);
  tc_free(&ch);
}

/* An empty copy (no raid at all): no drill-down, one request for everything, answered at once. */
static void test_empty_copy_full_at_once(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
  drift(m, "encounterMgmt.raids", "{}");
  run_until_repaired(&ch, m, 45000);
  assert_int_equal(tc_stats(m)->drill_requests, 0);
  assert_int_equal(tc_stats(m)->repair_requests, 1);
  const tc_event *req =
      tc_find(m, OGRH_EV_REPAIR_REQUESTED, "Requesting repair from raid admin...");
  assert_non_null(req);
  assert_non_null(tc_find(m, OGRH_EV_REPAIR_DONE, "Repair completed successfully"));
  assert_same_file(a, m);
  tc_free(&ch);
}

static void test_three_components_one_encounter(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
  drift(m, drifts[0].path, drifts[0].value);
  drift(m, drifts[1].path, drifts[1].value);
  drift(m, drifts[5].path, drifts[5].value);
  uint64_t units = tc_stats(a)->units_sent;
  run_until_repaired(&ch, m, 45000);
  assert_int_equal(tc_count(m, OGRH_EV_MISMATCH), 3);
  assert_int_equal(tc_stats(a)->units_sent, units + 1);
  const tc_event *p = tc_find(m, OGRH_EV_REPAIR_PROGRESS, NULL);
  assert_non_null(p);
  assert_string_equal(p->what, "BWL > Razorgore");
  assert_same_file(a, m);
  tc_free(&ch);
}

/* A global component, raid metadata, a missing encounter, a missing raid, an extra raid. */
static void test_global_raid_meta_missing_extra(void **state) {
  (void)state;
  struct {
    const char *path, *value; /* NULL value: delete */
    const char *line;
  } cases[] = {
      {"consumes.drifted", "1", "Structure mismatch detected: Global component 'consumes'"},
      {"encounterMgmt.raids.2.advancedSettings.drifted", "1",
       "Structure mismatch detected: BWL (raid metadata)"},
      {"encounterMgmt.raids.2.encounters.3", NULL, "encounter missing locally"},
      {"encounterMgmt.raids.6", NULL, "Structure mismatch detected: ES (raid missing locally)"},
      /* Naxx is larger than limits.unit_bytes: a stub, then its metadata, then 20 encounters. */
      {"encounterMgmt.raids.4", NULL, "Structure mismatch detected: Naxx (raid missing locally)"},
      {"encounterMgmt.raids.7", "{name = \"Extra\"}", "extra raid locally"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tc_chan ch;
    raid(&ch, 1);
    tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
    if (cases[i].value)
      drift(m, cases[i].path, cases[i].value);
    else
      drift_delete(m, cases[i].path);
    run_until_repaired(&ch, m, 60000);
    if (!tc_find(m, OGRH_EV_MISMATCH, cases[i].line)) {
      for (size_t k = 0; k < m->nev; k++)
        fprintf(stderr, "  %s: %s\n", ogrh_event_name(m->ev[k].kind), m->ev[k].text);
      fail_msg("case %zu: no '%s'", i, cases[i].line);
    }
    assert_non_null(tc_find(m, OGRH_EV_REPAIR_DONE, NULL));
    tc_run(&ch, 35000); /* and the next poll agrees */
    assert_same_file(a, m);
    assert_true(tc_status(m).synced);
    tc_free(&ch);
  }
}

/* ---- many askers, one answer ---- */

static void many(int members) {
  tc_chan ch;
  raid(&ch, members);
  tc_node *a = &ch.nodes[0];
  for (int i = 0; i < members; i++)
    drift(&ch.nodes[2 + i], drifts[2].path, drifts[2].value);
  uint64_t drills = tc_stats(a)->drill_answers, units = tc_stats(a)->units_sent;
  tc_run(&ch, 45000);
  uint64_t asked = 0, quiet = 0;
  for (int i = 0; i < members; i++) {
    tc_node *m = &ch.nodes[2 + i];
    assert_non_null(tc_find(m, OGRH_EV_REPAIR_DONE, NULL));
    assert_same_file(a, m);
    asked += tc_stats(m)->drill_requests + tc_stats(m)->repair_requests;
    quiet += tc_stats(m)->drill_suppressed + tc_stats(m)->repair_suppressed;
  }
  /* One answer per drill-down step (top, raid, encounters) and one unit. */
  assert_true(tc_stats(a)->drill_answers - drills <= 3);
  assert_int_equal(tc_stats(a)->units_sent - units, 1);
  assert_true(quiet > 0 || members == 1);
  fprintf(stderr, "%d stale nodes: %llu requests sent, %llu kept quiet, %llu answers, %llu unit\n",
          members, (unsigned long long)asked, (unsigned long long)quiet,
          (unsigned long long)(tc_stats(a)->drill_answers - drills),
          (unsigned long long)(tc_stats(a)->units_sent - units));
  tc_free(&ch);
}

static void test_many_askers_one_answer(void **state) {
  (void)state;
  many(5);
  many(20);
  many(38); /* 40 players: the admin, an assistant and 38 stale members */
}

/* ---- staged, verified application ---- */

typedef struct apply_case {
  tc_node *m;
  nd_unit u;
} apply_case;

static int apply_op(void *ud, long k) {
  apply_case *c = ud;
  (void)k;
  ogrh_digest before = nd_digest(c->m->n);
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  bool changed = false;
  int rc = nd_apply_unit(c->m->n, a, &c->u, &changed);
  ogrh_arena_free(a);
  if (rc) {
    /* Nothing changed: all or nothing. */
    assert_false(changed);
    assert_int_equal(nd_digest(c->m->n), before);
  }
  return rc;
}

static void test_atomic_encounter_under_failures(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    drift(m, drifts[c].path, drifts[c].value);
  /* The admin's Razorgore as an encounter unit. */
  ogrh_arena *ar = ogrh_arena_new();
  const ogrh_value *enc;
  assert_int_equal(ogrh_doc_get(ogrh_node_doc(a->n), RZ, &enc, NULL), OGRH_OK);
  const ogrh_dt_raid *r = nd_tree_find_raid(ogrh_node_dtree(a->n), "BWL", 3, 1);
  const ogrh_dt_enc *e = nd_t_enc(r, "Razorgore", 9, 1);
  apply_case c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.u.kind = OGRH_UNIT_ENCOUNTER;
  c.u.raid = (nd_ident){"BWL", 3, 1};
  c.u.enc = (nd_ident){"Razorgore", 9, 1};
  c.u.digest = e->digest;
  assert_int_equal(ogrh_value_copy(ar, enc, &c.u.value), OGRH_OK);
  /* A unit that does not verify changes nothing. */
  ogrh_digest before = nd_digest(m->n);
  c.u.digest ^= 1;
  ogrh_arena *x = ogrh_arena_new();
  bool changed;
  assert_int_equal(nd_apply_unit(m->n, x, &c.u, &changed), OGRH_EVERIFY);
  assert_int_equal(nd_digest(m->n), before);
  /* A unit for an encounter or a raid this copy does not have: nothing changes. */
  c.u.digest ^= 1;
  c.u.enc.occ = 2;
  assert_int_equal(nd_apply_unit(m->n, x, &c.u, &changed), OGRH_ENOTFOUND);
  c.u.enc.occ = 1;
  c.u.raid = (nd_ident){"Nowhere", 7, 1};
  assert_int_equal(nd_apply_unit(m->n, x, &c.u, &changed), OGRH_ENOTFOUND);
  c.u.raid = (nd_ident){"BWL", 3, 1};
  assert_int_equal(nd_digest(m->n), before);
  ogrh_arena_free(x);
  /* Every allocation failing in turn: each run either applies whole or changes nothing. */
  long runs = tu_alloc_fail_loop(apply_op, &c, 400);
  assert_true(runs > 3);
  tc_run(&ch, 100);
  assert_same_file(a, m);
  ogrh_arena_free(ar);
  tc_free(&ch);
}

/* ---- manual validation and repair ---- */

static void test_manual_validate_and_levels(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *a = &ch.nodes[0], *o = &ch.nodes[1], *m = &ch.nodes[2];
  /* Nothing differs: PASSED. */
  assert_int_equal(ogrh_node_validate(m->n, NULL, ch.now), OGRH_OK);
  tc_run(&ch, 8000);
  assert_non_null(tc_find(m, OGRH_EV_VALIDATED, "Structure validation: PASSED"));
  assert_int_equal(ogrh_node_validate(m->n, "M00", ch.now), OGRH_EREFUSED); /* not an officer */
  assert_int_equal(ogrh_node_validate(a->n, NULL, ch.now), OGRH_EREFUSED);  /* the admin itself */
  /* Validation finds, but does not repair. */
  drift(m, drifts[2].path, drifts[2].value);
  drift(m, VL ".roles.1.raidMarks.1", "5");
  assert_int_equal(ogrh_node_validate(m->n, NULL, ch.now), OGRH_OK);
  tc_run(&ch, 10000);
  assert_non_null(tc_find(m, OGRH_EV_MISMATCH, "BWL > Razorgore > playerAssignments"));
  assert_non_null(tc_find(m, OGRH_EV_MISMATCH, "BWL > Vael > raidMarks"));
  const ogrh_node_diff *d;
  assert_int_equal(ogrh_node_diffs(m->n, &d), 2);
  assert_int_equal(tc_count(m, OGRH_EV_REPAIR_REQUESTED), 0);
  assert_string_equal(tc_get(m, drifts[2].path), drifts[2].value);
  /* Repair at encounter level: whole encounters, with progress. */
  tc_clear_events(&ch);
  ogrh_node_repair_req req = {OGRH_REPAIR_ENCOUNTER, NULL, NULL, NULL};
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  run_until_repaired(&ch, m, 30000);
  const tc_event *p = tc_find(m, OGRH_EV_REPAIR_PROGRESS, NULL);
  assert_non_null(p);
  assert_null(strchr(p->what + strlen("BWL > "), '>')); /* an encounter, not a component */
  assert_int_equal(tc_count(m, OGRH_EV_REPAIR_PROGRESS), 2);
  assert_same_file(a, m);
  /* Raid level: the whole raid in one unit, with a backup first. */
  drift(m, drifts[4].path, drifts[4].value);
  int backups = m->backups;
  tc_clear_events(&ch);
  req.level = OGRH_REPAIR_RAID;
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  run_until_repaired(&ch, m, 30000);
  p = tc_find(m, OGRH_EV_REPAIR_PROGRESS, NULL);
  assert_non_null(p);
  assert_string_equal(p->what, "BWL");
  assert_int_equal(tc_count(m, OGRH_EV_REPAIR_PROGRESS), 1);
  assert_int_equal(m->backups, backups + 1);
  /* A raid larger than limits.unit_bytes goes as its metadata, then one unit per encounter
     (Naxx: 20), with one backup. */
  drift(m, "encounterMgmt.raids.4.encounters.3.announcements.1", "\"x\"");
  backups = m->backups;
  tc_clear_events(&ch);
  req.raid = "Naxx";
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  run_until_repaired(&ch, m, 60000);
  p = tc_find(m, OGRH_EV_REPAIR_PROGRESS, NULL);
  assert_non_null(p);
  assert_string_equal(p->what, "Naxx (raid metadata and encounter list)");
  assert_int_equal(tc_count(m, OGRH_EV_REPAIR_PROGRESS), 21);
  assert_int_equal(m->backups, backups + 1);
  assert_same_file(a, m);
  req.raid = NULL;
  assert_same_file(a, m);
  /* Full: the whole synced plan, never the player's own keys. */
  drift(m, "ui.window", "\"mine\"");
  drift(m, "consumes.x", "1");
  tc_clear_events(&ch);
  req.level = OGRH_REPAIR_FULL;
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  run_until_repaired(&ch, m, 60000);
  assert_string_equal(tc_get(m, "ui.window"), "\"mine\"");
  assert_string_equal(tc_get(m, "consumes.x"), "nil");
  assert_true(tc_converged(&ch));
  drift_delete(m, "ui"); /* the player's own, compared no further */
  /* From an officer instead of the admin. */
  drift(m, drifts[3].path, drifts[3].value);
  tc_clear_events(&ch);
  req = (ogrh_node_repair_req){OGRH_REPAIR_AUTO, "Assist", NULL, NULL};
  uint64_t osent = tc_stats(o)->units_sent, asent = tc_stats(a)->units_sent;
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  run_until_repaired(&ch, m, 30000);
  assert_non_null(tc_find(m, OGRH_EV_REPAIR_REQUESTED, "Requesting repair from Assist..."));
  assert_int_equal(tc_stats(o)->units_sent, osent + 1);
  assert_int_equal(tc_stats(a)->units_sent, asent);
  assert_same_file(o, m);
  tc_free(&ch);
}

/* The end of a manual validation is one event whatever the result (the last of a validate-only
** session), and every finding carries both digests compared. */
static const tc_event *last_event(const tc_node *t) {
  return t->nev ? &t->ev[t->nev - 1] : NULL;
}

static ogrh_digest comp_digest(tc_node *t, const char *raid, const char *enc, int c) {
  const ogrh_dt_raid *r;
  const ogrh_dt_enc *e;
  assert_int_equal(ogrh_dtree_find_raid(ogrh_node_dtree(t->n), raid, strlen(raid), 1, &r), OGRH_OK);
  assert_int_equal(ogrh_dtree_find_enc(r, enc, strlen(enc), 1, &e), OGRH_OK);
  return e->comp[c];
}

static void test_validation_done_and_digests(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
  /* Passed. */
  tc_clear_events(&ch);
  assert_int_equal(ogrh_node_validate(m->n, NULL, ch.now), OGRH_OK);
  tc_run(&ch, 8000);
  assert_int_equal(tc_count(m, OGRH_EV_VALIDATION_DONE), 1);
  assert_int_equal(last_event(m)->kind, OGRH_EV_VALIDATION_DONE);
  assert_string_equal(last_event(m)->what, "passed");
  assert_string_equal(last_event(m)->text, "Structure validation: PASSED");
  /* Differences: one finding, with this node's and the admin's digests of that component. */
  drift(m, drifts[2].path, drifts[2].value);
  tc_clear_events(&ch);
  assert_int_equal(ogrh_node_validate(m->n, NULL, ch.now), OGRH_OK);
  tc_run(&ch, 10000);
  assert_int_equal(tc_count(m, OGRH_EV_VALIDATION_DONE), 1);
  assert_int_equal(last_event(m)->kind, OGRH_EV_VALIDATION_DONE);
  assert_string_equal(last_event(m)->what, "differences");
  assert_string_equal(last_event(m)->text, "Structure validation: FAILED (1 difference)");
  const ogrh_node_diff *d;
  assert_int_equal(ogrh_node_diffs(m->n, &d), 1);
  assert_int_equal(d[0].kind, OGRH_UNIT_COMPONENT);
  assert_int_equal(d[0].local, comp_digest(m, "BWL", "Razorgore", OGRH_COMP_ASSIGNMENTS));
  assert_int_equal(d[0].admin, comp_digest(a, "BWL", "Razorgore", OGRH_COMP_ASSIGNMENTS));
  assert_true(d[0].local != d[0].admin);
  /* A manual repair tells the end of its comparison, then repairs. */
  tc_clear_events(&ch);
  ogrh_node_repair_req req = {OGRH_REPAIR_AUTO, NULL, NULL, NULL};
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  run_until_repaired(&ch, m, 30000);
  assert_int_equal(tc_count(m, OGRH_EV_VALIDATION_DONE), 1);
  const tc_event *vd = tc_find(m, OGRH_EV_VALIDATION_DONE, NULL);
  assert_true(vd < tc_find(m, OGRH_EV_REPAIR_DONE, NULL));
  /* Cancelled. */
  tc_clear_events(&ch);
  assert_int_equal(ogrh_node_validate(m->n, NULL, ch.now), OGRH_OK);
  ogrh_node_repair_cancel(m->n, ch.now);
  assert_int_equal(tc_count(m, OGRH_EV_VALIDATION_DONE), 1);
  assert_string_equal(last_event(m)->what, "incomplete");
  assert_int_equal(last_event(m)->why, OGRH_WHY_NONE);
  /* Nobody answers: incomplete, no admin. */
  a->deaf = true;
  tc_clear_events(&ch);
  assert_int_equal(ogrh_node_validate(m->n, NULL, ch.now), OGRH_OK);
  tc_run(&ch, 120000);
  assert_int_equal(tc_count(m, OGRH_EV_VALIDATION_DONE), 1);
  assert_string_equal(last_event(m)->what, "incomplete");
  assert_int_equal(last_event(m)->why, OGRH_WHY_NO_ADMIN);
  tc_free(&ch);
}

/* A raid repair whose backup fails is not applied. */
static void test_backup_failure_blocks_raid_repair(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *m = &ch.nodes[2];
  drift(m, drifts[2].path, drifts[2].value);
  m->backup_fail = OGRH_EIO;
  ogrh_node_repair_req req = {OGRH_REPAIR_RAID, NULL, "BWL", NULL};
  assert_int_equal(ogrh_node_repair(m->n, &req, ch.now), OGRH_OK);
  tc_run(&ch, 20000);
  assert_non_null(tc_find(m, OGRH_EV_REPAIR_FAILED, "backup"));
  assert_string_equal(tc_get(m, drifts[2].path), drifts[2].value);
  tc_free(&ch);
}

/* ---- writes during a repair ---- */

static void test_writes_during_repair(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 2);
  tc_node *a = &ch.nodes[0], *o = &ch.nodes[1], *m = &ch.nodes[2];
  /* The member lost a whole raid: a large repair follows the next poll. */
  drift_delete(m, "encounterMgmt.raids.4");
  tc_run(&ch, 31000);
  /* Meanwhile the admin and the officer keep editing, in that raid and elsewhere. */
  for (int i = 1; i <= 6; i++) {
    char p[128];
    snprintf(p, sizeof p, "encounterMgmt.raids.4.encounters.1.roles.1.assignedPlayers.%d", i);
    assert_int_equal(tc_set(a, p, "\"During\"", 0), OGRH_OK);
    snprintf(p, sizeof p, RZ ".roles.2.raidMarks.%d", i);
    assert_int_equal(tc_set(o, p, "3", 0), OGRH_OK);
    tc_run(&ch, 700);
  }
  tc_run(&ch, 40000);
  for (size_t i = 0; i < ch.n; i++) {
    assert_string_equal(
        tc_get(&ch.nodes[i], "encounterMgmt.raids.4.encounters.1.roles.1.assignedPlayers.6"),
        "\"During\"");
    assert_string_equal(tc_get(&ch.nodes[i], RZ ".roles.2.raidMarks.6"), "3");
  }
  assert_true(tc_converged(&ch));
  assert_same_file(a, m);
  tc_free(&ch);
}

/* A repair request lost on the way, while the admin keeps busy with deltas: the asker asks
** again after answer_ms, it does not wait as long as the admin talks (the simulator's chaos
** seed 1 waited 70 s that way). */
static void test_lost_request_busy_admin(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *a = &ch.nodes[0], *m = &ch.nodes[2];
  drift(m, drifts[2].path, drifts[2].value);
  uint64_t t0 = ch.now;
  while (tc_stats(m)->repair_requests == 0 && ch.now - t0 < 60000)
    tc_run(&ch, 20);
  assert_true(tc_stats(m)->repair_requests == 1);
  a->deaf = true; /* the request is lost */
  tc_run(&ch, 300);
  a->deaf = false;
  uint64_t t1 = ch.now;
  for (int i = 0; i < 40 && !tc_find(m, OGRH_EV_REPAIR_DONE, NULL); i++) {
    char p[128];
    snprintf(p, sizeof p, VL ".roles.1.assignedPlayers.%d", 1 + i % 5);
    assert_int_equal(tc_set(a, p, i % 2 ? "\"Busy\"" : "\"Bee\"", 0), OGRH_OK);
    tc_run(&ch, 500);
  }
  assert_non_null(tc_find(m, OGRH_EV_REPAIR_DONE, NULL));
  assert_true(ch.now - t1 < 15000);
  assert_true(tc_stats(m)->repair_requests >= 2);
  tc_run(&ch, 2000);
  assert_true(tc_converged(&ch));
  tc_free(&ch);
}

/* The encounter the player looks at is repaired first. */
static void test_priority_follows_context(void **state) {
  (void)state;
  tc_chan ch;
  raid(&ch, 1);
  tc_node *m = &ch.nodes[2];
  ogrh_node_set_context(m->n, "BWL", "Vael", ch.now);
  drift(m, "consumes.x", "1");                                             /* LOW */
  drift(m, "encounterMgmt.raids.1.encounters.1.announcements.1", "\"x\""); /* NORMAL */
  drift(m, RZ ".announcements.1", "\"x\"");                                /* HIGH */
  drift(m, VL ".announcements.1", "\"x\"");                                /* CRITICAL */
  run_until_repaired(&ch, m, 60000);
  const char *order[] = {"BWL > Vael > announcements", "BWL > Razorgore > announcements",
                         "Molten Core > ", "global 'consumes'"};
  size_t k = 0;
  for (size_t i = 0; i < m->nev && k < 4; i++)
    if (m->ev[i].kind == OGRH_EV_REPAIR_PROGRESS) {
      assert_non_null(strstr(m->ev[i].what, order[k]));
      k++;
    }
  assert_int_equal(k, 4);
  tc_free(&ch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_poll_at_most_100_bytes),
      cmocka_unit_test(test_component_repair_each),
      cmocka_unit_test(test_quick_repair_one_round_trip),
      cmocka_unit_test(test_empty_copy_full_at_once),
      cmocka_unit_test(test_three_components_one_encounter),
      cmocka_unit_test(test_global_raid_meta_missing_extra),
      cmocka_unit_test(test_many_askers_one_answer),
      cmocka_unit_test(test_atomic_encounter_under_failures),
      cmocka_unit_test(test_manual_validate_and_levels),
      cmocka_unit_test(test_validation_done_and_digests),
      cmocka_unit_test(test_backup_failure_blocks_raid_repair),
      cmocka_unit_test(test_writes_during_repair),
      cmocka_unit_test(test_lost_request_busy_admin),
      cmocka_unit_test(test_priority_follows_context),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
