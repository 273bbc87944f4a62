/* The sync node over an in-memory channel (tests/chan.h). */
#include "chan.h"

#define SLOT(r, e, k, f) "encounterMgmt.raids." #r ".encounters." #e ".roles." #k "." f

static void three(tc_chan *ch) {
  tc_init(ch);
  tc_add(ch, "Lead", 2);
  tc_add(ch, "Assist", 1);
  tc_add(ch, "Member", 0);
  tc_roster(ch);
  tc_run(ch, 2000);
}

static void test_smoke(void **state) {
  (void)state;
  tc_chan ch;
  three(&ch);
  tc_node *a = &ch.nodes[0], *b = &ch.nodes[1], *c = &ch.nodes[2];
  ogrh_node_status st;
  ogrh_node_status_get(a->n, &st);
  assert_true(st.is_admin);
  ogrh_node_status_get(c->n, &st);
  assert_string_equal(st.admin, "Lead");
  assert_int_equal(tc_set(a, SLOT(2, 1, 1, "assignedPlayers.1"), "\"Tanky\"", 0), OGRH_OK);
  tc_run(&ch, 1000);
  assert_string_equal(tc_get(b, SLOT(2, 1, 1, "assignedPlayers.1")), "\"Tanky\"");
  assert_string_equal(tc_get(c, SLOT(2, 1, 1, "assignedPlayers.1")), "\"Tanky\"");
  assert_true(tc_converged(&ch));
  ogrh_node_status_get(c->n, &st);
  assert_true(st.synced);
  assert_int_equal(st.revision, 1);
  /* An officer's edit goes through the admin. */
  assert_int_equal(tc_set(b, SLOT(2, 1, 2, "assignedPlayers.1"), "\"Offy\"", 0), OGRH_OK);
  tc_run(&ch, 1000);
  assert_string_equal(tc_get(a, SLOT(2, 1, 2, "assignedPlayers.1")), "\"Offy\"");
  assert_string_equal(tc_get(c, SLOT(2, 1, 2, "assignedPlayers.1")), "\"Offy\"");
  assert_true(tc_converged(&ch));
  ogrh_node_status_get(b->n, &st);
  assert_int_equal(st.proposals, 0);
  /* A member may not. */
  assert_int_equal(tc_set(c, SLOT(2, 1, 2, "assignedPlayers.1"), "\"Nope\"", 0), OGRH_EREFUSED);
  tc_free(&ch);
}

static void dump(tc_node *t) {
  const ogrh_node_stats *s = ogrh_node_stats_get(t->n);
  ogrh_node_status st;
  ogrh_node_status_get(t->n, &st);
  fprintf(stderr,
          "%s: rev %llu synced %d stale %d out %llu B/%llu fr, polls %llu/%llu drill %llu/%llu "
          "rep %llu units %llu/%llu applied %llu failed %llu done %llu\n",
          t->name, (unsigned long long)st.revision, st.synced, st.stale,
          (unsigned long long)s->bytes_out, (unsigned long long)s->frames_out,
          (unsigned long long)s->polls_sent, (unsigned long long)s->polls_heard,
          (unsigned long long)s->drill_requests, (unsigned long long)s->drill_answers,
          (unsigned long long)s->repair_requests, (unsigned long long)s->units_sent,
          (unsigned long long)s->units_applied, (unsigned long long)s->units_failed,
          (unsigned long long)s->units_failed, (unsigned long long)s->repairs_done);
  for (size_t i = 0; i < t->nev; i++)
    fprintf(stderr, "  %6llu %-16s %s\n", (unsigned long long)t->ev[i].at,
            ogrh_event_name(t->ev[i].kind), t->ev[i].text);
}

static void test_repair_component(void **state) {
  (void)state;
  tc_chan ch;
  three(&ch);
  tc_node *c = &ch.nodes[2];
  tu_set(ogrh_node_doc(c->n), SLOT(2, 1, 1, "assignedPlayers.1"), "\"Corrupt\"");
  assert_false(tc_converged(&ch));
  tc_run(&ch, 45000);
  dump(&ch.nodes[0]);
  dump(c);
  assert_true(tc_converged(&ch));
  assert_non_null(tc_find(c, OGRH_EV_MISMATCH,
                          "Structure mismatch detected: BWL > Razorgore > playerAssignments"));
  assert_non_null(tc_find(c, OGRH_EV_REPAIR_DONE, "Repair completed successfully"));
  tc_free(&ch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_smoke),
      cmocka_unit_test(test_repair_component),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
