/*
** Who is admin, and permissions on receive: every message type from every rank, grants and
** epochs, takeovers, stale admins, the backup before an admin change, discovery and "No admin
** online".
*/
#include "chan.h"
#include "node_int.h"

#define RZ "encounterMgmt.raids.2.encounters.1"
#define SLOT1 RZ ".roles.1.assignedPlayers.1"

/* Lead (leader), Assist (assistant), Member, and Victim (a member whose copy we attack). */
static void four(tc_chan *ch) {
  tc_init(ch);
  tc_add(ch, "Lead", 2);
  tc_add(ch, "Assist", 1);
  tc_add(ch, "Member", 0);
  tc_add(ch, "Victim", 0);
  tc_roster(ch);
  tc_run(ch, 6000);
}

/* ---- message bodies, as the protocol has them ---- */

static void op_list(ogrh_buf *b, const char *path, const char *value) {
  ogrh_path p;
  assert_int_equal(ogrh_path_parse(path, &p, NULL), OGRH_OK);
  ogrh_value v = ogrh_vcstr(value);
  ogrh_varint_put(b, 1);
  assert_int_equal(ogrh_op_encode(&p, &v, b), OGRH_OK);
}

static void delta_body(ogrh_buf *b, uint64_t epoch, uint64_t from, const char *path,
                       const char *value) {
  ogrh_varint_put(b, epoch);
  ogrh_varint_put(b, from);
  ogrh_varint_put(b, 1);
  nd_put_u64(b, 0x1234);
  nd_put_u8(b, 0);
  op_list(b, path, value);
}

static void poll_body(ogrh_buf *b, uint64_t epoch, uint64_t rev) {
  ogrh_varint_put(b, epoch);
  nd_put_u8(b, 0);
  ogrh_varint_put(b, rev);
  for (int i = 0; i < 5; i++)
    nd_put_u64(b, 0x77);
}

static void proposal_body(ogrh_buf *b, uint64_t epoch, uint64_t seq, uint64_t oldest,
                          const char *path) {
  ogrh_varint_put(b, epoch);
  ogrh_varint_put(b, 0);
  ogrh_varint_put(b, 99);
  ogrh_varint_put(b, seq);
  ogrh_varint_put(b, oldest);
  nd_put_u8(b, OGRH_SYNC_REALTIME);
  op_list(b, path, "Forged");
}

static void unit_body(ogrh_buf *b, uint64_t epoch) {
  ogrh_varint_put(b, epoch);
  ogrh_varint_put(b, 0);
  nd_put_u64(b, 0);
  ogrh_value v = ogrh_vcstr("Forged");
  ogrh_arena *a = ogrh_arena_new();
  ogrh_table *t = ogrh_table_new(a, 1);
  ogrh_value k = ogrh_vint(1), tv = ogrh_vtable(t);
  ogrh_table_set(a, t, &k, &v);
  assert_int_equal(nd_unit_encode(OGRH_UNIT_GLOBAL, 1, "", 0, 0, "", 0, 0, 0x55, &tv, b), OGRH_OK);
  ogrh_arena_free(a);
}

static void grant_body(ogrh_buf *b, uint64_t epoch, const char *who) {
  ogrh_varint_put(b, epoch);
  nd_put_cstr(b, who);
}

/*
** Injects a message from sender into Victim; checks the reason counted, the document unchanged,
** and (when report is true) a REFUSED event naming sender and reason.
*/
static void expect_refused(tc_chan *ch, const char *sender, uint8_t type, const ogrh_buf *body,
                           ogrh_refusal why, bool report) {
  tc_node *v = &ch->nodes[3];
  ogrh_digest before = nd_digest(v->n);
  uint64_t n0 = tc_stats(v)->refused[why];
  size_t ev0 = v->nev;
  ch->now += ch->base.timers.refusal_event_ms; /* past the report rate limit */
  tc_inject(ch, 3, sender, type, body, NULL);
  if (tc_stats(v)->refused[why] != n0 + 1)
    fail_msg("%s from %s: expected refusal '%s'", nd_type_name(type), sender,
             ogrh_refusal_text(why));
  assert_int_equal(nd_digest(v->n), before);
  bool seen = false;
  for (size_t i = ev0; i < v->nev; i++)
    seen |= v->ev[i].kind == OGRH_EV_REFUSED && v->ev[i].why == why &&
            strcmp(v->ev[i].who, sender) == 0;
  if (report) assert_true(seen);
}

static void test_permissions_every_type(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *v = &ch.nodes[3];
  uint64_t rev = tc_status(v).revision;
  ogrh_buf b;
  ogrh_buf_init(&b);
  /* Sequenced changes: only the admin. A member, an officer, an outsider: refused. */
  const uint8_t seq_types[] = {OGRH_MT_DELTA, OGRH_MT_BATCH, OGRH_MT_CATCHUP};
  for (size_t t = 0; t < 3; t++) {
    const char *who[] = {"Member", "Assist", "Stranger"};
    ogrh_refusal why[] = {OGRH_WHY_NOT_ADMIN, OGRH_WHY_NOT_ADMIN, OGRH_WHY_NOT_IN_RAID};
    for (int w = 0; w < 3; w++) {
      ogrh_buf_reset(&b);
      delta_body(&b, 0, rev, SLOT1, "Forged");
      expect_refused(&ch, who[w], seq_types[t], &b, why[w], true);
    }
    /* A settings change ("settings" deltas were accepted from anyone in the original). */
    ogrh_buf_reset(&b);
    delta_body(&b, 0, rev, RZ ".advancedSettings.x", "Forged");
    expect_refused(&ch, "Member", seq_types[t], &b, OGRH_WHY_NOT_ADMIN, true);
    /* The admin's own sequenced change may not touch a player's own keys. */
    ogrh_buf_reset(&b);
    delta_body(&b, 0, rev, "ui.window", "Forged");
    expect_refused(&ch, "Lead", seq_types[t], &b, OGRH_WHY_MALFORMED, true);
    /* Garbage. */
    ogrh_buf_reset(&b);
    ogrh_buf_add(&b, "\x01\x02", 2);
    expect_refused(&ch, "Lead", seq_types[t], &b, OGRH_WHY_MALFORMED, true);
  }
  /* Polls: a member's admin claim is refused whatever epoch it names; an assistant's claim of
     a newer epoch is a takeover (tested below), of the current one refused. */
  ogrh_buf_reset(&b);
  poll_body(&b, 0, rev);
  expect_refused(&ch, "Member", OGRH_MT_POLL, &b, OGRH_WHY_NOT_ADMIN, true);
  ogrh_buf_reset(&b);
  poll_body(&b, 7, rev);
  expect_refused(&ch, "Member", OGRH_MT_POLL, &b, OGRH_WHY_RANK, true);
  assert_string_equal(tc_status(v).admin, "Lead");
  ogrh_buf_reset(&b);
  poll_body(&b, 0, rev);
  expect_refused(&ch, "Assist", OGRH_MT_POLL, &b, OGRH_WHY_NOT_ADMIN, true);
  /* Answers only the admin (or a chosen source) gives. */
  const uint8_t answers[] = {OGRH_MT_DRILL_RESP, OGRH_MT_REPAIR_PLAN, OGRH_MT_REPAIR,
                             OGRH_MT_REFUSE, OGRH_MT_PAUSE};
  for (size_t t = 0; t < sizeof answers; t++) {
    ogrh_buf_reset(&b);
    switch (answers[t]) {
    case OGRH_MT_REPAIR:
      unit_body(&b, 0);
      break;
    case OGRH_MT_DRILL_RESP:
    case OGRH_MT_REPAIR_PLAN:
      ogrh_varint_put(&b, 0);
      ogrh_varint_put(&b, rev);
      if (answers[t] == OGRH_MT_DRILL_RESP) nd_put_u64(&b, 0);
      ogrh_varint_put(&b, 0);
      break;
    case OGRH_MT_REFUSE:
      ogrh_varint_put(&b, 0);
      ogrh_varint_put(&b, tc_status(v).revision);
      ogrh_varint_put(&b, 1);
      nd_put_u8(&b, 0);
      break;
    default:
      ogrh_varint_put(&b, 0);
      nd_put_u8(&b, 1);
      ogrh_varint_put(&b, rev);
    }
    expect_refused(&ch, "Member", answers[t], &b, OGRH_WHY_NOT_ADMIN, true);
    expect_refused(&ch, "Stranger", answers[t], &b, OGRH_WHY_NOT_IN_RAID, true);
  }
  assert_false(tc_status(v).paused);
  /* Grants: a member may not grant; a stale epoch is refused; the grantee must be in the raid. */
  ogrh_buf_reset(&b);
  grant_body(&b, 1, "Member");
  expect_refused(&ch, "Member", OGRH_MT_GRANT, &b, OGRH_WHY_RANK, true);
  expect_refused(&ch, "Stranger", OGRH_MT_GRANT, &b, OGRH_WHY_NOT_IN_RAID, true);
  ogrh_buf_reset(&b);
  grant_body(&b, 0, "Member");
  expect_refused(&ch, "Assist", OGRH_MT_GRANT, &b, OGRH_WHY_MALFORMED, true);
  ogrh_buf_reset(&b);
  grant_body(&b, 1, "Nobody");
  expect_refused(&ch, "Assist", OGRH_MT_GRANT, &b, OGRH_WHY_NOT_IN_RAID, true);
  assert_string_equal(tc_status(v).admin, "Lead");
  /* Requests come from the raid only. */
  const uint8_t reqs[] = {OGRH_MT_DRILL_REQ, OGRH_MT_REPAIR_REQ, OGRH_MT_CATCHUP_REQ,
                          OGRH_MT_HELLO};
  for (size_t t = 0; t < sizeof reqs; t++) {
    ogrh_buf_reset(&b);
    ogrh_varint_put(&b, 0);
    if (reqs[t] == OGRH_MT_DRILL_REQ || reqs[t] == OGRH_MT_REPAIR_REQ) {
      nd_put_cstr(&b, "");
      if (reqs[t] == OGRH_MT_REPAIR_REQ) {
        nd_put_u8(&b, 0);
        nd_put_cstr(&b, "");
        nd_put_cstr(&b, "");
      }
      ogrh_varint_put(&b, 1);
      nd_put_u8(&b, reqs[t] == OGRH_MT_DRILL_REQ ? ND_DS_TOP : ND_IT_RAIDLIST);
    } else if (reqs[t] == OGRH_MT_HELLO) {
      nd_put_u8(&b, 1);
      ogrh_varint_put(&b, 0);
    } else {
      ogrh_varint_put(&b, 0);
    }
    expect_refused(&ch, "Stranger", reqs[t], &b, OGRH_WHY_NOT_IN_RAID, true);
  }
  /* Proposals reach the admin: checked there. */
  tc_node *a = &ch.nodes[0];
  struct {
    const char *who, *path;
    ogrh_refusal why;
  } props[] = {{"Member", SLOT1, OGRH_WHY_MEMBER},
               {"Stranger", SLOT1, OGRH_WHY_NOT_IN_RAID},
               {"Assist", RZ ".roles.1.name", OGRH_WHY_OFFICER_STRUCTURE},
               {"Assist", RZ ".advancedSettings.x", OGRH_WHY_OFFICER_STRUCTURE},
               {"Assist", RZ ".roles.42.assignedPlayers.1", OGRH_WHY_OFFICER_STRUCTURE},
               {"Assist", "ui.x", OGRH_WHY_MALFORMED}};
  for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
    ogrh_digest before = nd_digest(a->n);
    uint64_t n0 = tc_stats(a)->refused[props[i].why];
    ogrh_buf_reset(&b);
    proposal_body(&b, 0, 1 + i, 1 + i, props[i].path);
    tc_inject(&ch, 0, props[i].who, OGRH_MT_PROPOSAL, &b, "Lead");
    assert_int_equal(tc_stats(a)->refused[props[i].why], n0 + 1);
    assert_int_equal(nd_digest(a->n), before);
  }
  /* Positive control: an officer's assignment is accepted and sequenced, in order: a proposal
     past a gap in the proposer's numbers (it still holds 8 and up, the admin has seen up to 6)
     is not applied, the admin asks for the missing; then 8 is. */
  uint64_t arev = tc_status(a).revision;
  ogrh_buf_reset(&b);
  proposal_body(&b, 0, 50, 8, SLOT1);
  tc_inject(&ch, 0, "Assist", OGRH_MT_PROPOSAL, &b, "Lead");
  assert_int_equal(tc_status(a).revision, arev);
  ogrh_buf_reset(&b);
  proposal_body(&b, 0, 8, 8, SLOT1); /* Assist's were 3..6, refused but handled */
  tc_inject(&ch, 0, "Assist", OGRH_MT_PROPOSAL, &b, "Lead");
  assert_int_equal(tc_status(a).revision, arev + 1);
  assert_string_equal(tc_get(a, SLOT1), "\"Forged\"");
  tc_run(&ch, 2000);
  assert_string_equal(tc_get(v, SLOT1), "\"Forged\"");
  assert_true(tc_converged(&ch));
  /* Reports are rate-limited per sender and reason, counts are not. */
  uint64_t c0 = tc_stats(v)->refused[OGRH_WHY_NOT_ADMIN];
  size_t e0 = tc_count(v, OGRH_EV_REFUSED);
  for (int i = 0; i < 20; i++) {
    ogrh_buf_reset(&b);
    delta_body(&b, 0, tc_status(v).revision, SLOT1, "Flood");
    tc_inject(&ch, 3, "Member", OGRH_MT_DELTA, &b, NULL);
  }
  assert_int_equal(tc_stats(v)->refused[OGRH_WHY_NOT_ADMIN], c0 + 20);
  assert_true(tc_count(v, OGRH_EV_REFUSED) <= e0 + 1);
  ogrh_buf_deinit(&b);
  tc_free(&ch);
}

/* Nobody makes the raid talk by talking: forged claims and repeated requests are answered at
** a bounded rate. */
static void test_no_amplification(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *a = &ch.nodes[0], *v = &ch.nodes[3];
  ogrh_buf b;
  ogrh_buf_init(&b);
  /* A member claims a newer epoch fifty times in five seconds: at most one hello each 8 s. */
  uint64_t hellos = tc_stats(v)->sent[OGRH_MT_HELLO];
  for (int i = 0; i < 50; i++) {
    ogrh_buf_reset(&b);
    poll_body(&b, 9, 0);
    tc_inject(&ch, 3, "Member", OGRH_MT_POLL, &b, NULL);
    tc_run(&ch, 100);
  }
  assert_true(tc_stats(v)->sent[OGRH_MT_HELLO] - hellos <= 1);
  assert_string_equal(tc_status(v).admin, "Lead");
  /* A member asks for a full repair twenty times in four seconds: the plan goes out once. */
  uint64_t units = tc_stats(a)->units_sent;
  for (int i = 0; i < 20; i++) {
    ogrh_buf_reset(&b);
    ogrh_varint_put(&b, 0);
    nd_put_cstr(&b, "");
    nd_put_u8(&b, OGRH_REPAIR_FULL);
    nd_put_cstr(&b, "");
    nd_put_cstr(&b, "");
    ogrh_varint_put(&b, 1);
    nd_put_u8(&b, ND_IT_FULL);
    tc_inject(&ch, 0, "Member", OGRH_MT_REPAIR_REQ, &b, NULL);
    tc_run(&ch, 200);
  }
  tc_run(&ch, 30000);
  /* One full plan is 30 units here: the raid list, 5 raids whole, Naxx as its metadata and 20
     encounters (it is larger than limits.unit_bytes), 3 globals. */
  assert_int_equal(tc_stats(a)->units_sent - units, 1 + 5 + 1 + 20 + OGRH_NGLOBALS);
  ogrh_buf_deinit(&b);
  tc_free(&ch);
}

/* ---- grants, epochs, takeovers ---- */

static void test_grants_and_epochs(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *l = &ch.nodes[0], *as = &ch.nodes[1], *m = &ch.nodes[2], *v = &ch.nodes[3];
  /* A member may not grant; the leader and assistants may. */
  assert_int_equal(ogrh_node_grant_admin(m->n, "Member", ch.now), OGRH_EREFUSED);
  assert_int_equal(ogrh_node_grant_admin(as->n, "Nobody", ch.now), OGRH_ENOTFOUND);
  int backups[4];
  for (int i = 0; i < 4; i++)
    backups[i] = ch.nodes[i].backups;
  assert_int_equal(ogrh_node_grant_admin(as->n, "Member", ch.now), OGRH_OK);
  tc_run(&ch, 2000);
  for (int i = 0; i < 4; i++) {
    assert_string_equal(tc_status(&ch.nodes[i]).admin, "Member");
    assert_int_equal(tc_status(&ch.nodes[i]).epoch, 1);
    assert_int_equal(ch.nodes[i].backups, backups[i] + 1); /* "admin transfer" */
    assert_non_null(tc_find(&ch.nodes[i], OGRH_EV_ADMIN_CHANGED, "Raid admin: Member"));
  }
  assert_string_equal(tc_status(v).grantor, "Assist");
  /* The new admin sequences; the old one's writes are no longer sequenced. */
  assert_int_equal(tc_set(m, SLOT1, "\"ByMember\"", 0), OGRH_OK);
  tc_run(&ch, 2000);
  assert_string_equal(tc_get(v, SLOT1), "\"ByMember\"");
  assert_int_equal(tc_set(l, RZ ".advancedSettings.x", "1", 0), OGRH_EREFUSED);
  /* A late message of the old admin's epoch is refused. */
  ogrh_buf b;
  ogrh_buf_init(&b);
  delta_body(&b, 0, tc_status(v).revision, SLOT1, "Stale");
  uint64_t st0 = tc_stats(v)->refused[OGRH_WHY_STALE_EPOCH];
  tc_inject(&ch, 3, "Lead", OGRH_MT_DELTA, &b, NULL);
  assert_int_equal(tc_stats(v)->refused[OGRH_WHY_STALE_EPOCH], st0 + 1);
  assert_string_equal(tc_get(v, SLOT1), "\"ByMember\"");
  /* A grant of an older epoch too. */
  ogrh_buf_reset(&b);
  grant_body(&b, 1, "Assist");
  tc_inject(&ch, 3, "Lead", OGRH_MT_GRANT, &b, NULL);
  assert_string_equal(tc_status(v).admin, "Member");
  /* Takeover: the leader grants itself the next epoch. */
  assert_int_equal(ogrh_node_grant_admin(l->n, "Lead", ch.now), OGRH_OK);
  tc_run(&ch, 2000);
  for (int i = 0; i < 4; i++) {
    assert_string_equal(tc_status(&ch.nodes[i]).admin, "Lead");
    assert_int_equal(tc_status(&ch.nodes[i]).epoch, 2);
  }
  /* Two grants of one epoch: every node keeps the same one. */
  assert_int_equal(ogrh_node_grant_admin(as->n, "Victim", ch.now), OGRH_OK);
  assert_int_equal(ogrh_node_grant_admin(l->n, "Member", ch.now), OGRH_OK);
  tc_run(&ch, 3000);
  const char *adm = tc_status(l).admin;
  for (int i = 1; i < 4; i++) {
    assert_string_equal(tc_status(&ch.nodes[i]).admin, adm);
    assert_int_equal(tc_status(&ch.nodes[i]).epoch, 3);
  }
  /* The chosen admin works; everyone converges. */
  size_t ai = strcmp(adm, "Victim") == 0 ? 3 : 2;
  assert_int_equal(tc_set(&ch.nodes[ai], SLOT1, "\"Settled\"", 0), OGRH_OK);
  tc_run(&ch, 3000);
  for (int i = 0; i < 4; i++)
    assert_string_equal(tc_get(&ch.nodes[i], SLOT1), "\"Settled\"");
  assert_true(tc_converged(&ch));
  ogrh_buf_deinit(&b);
  tc_free(&ch);
}

/* An assistant's newer epoch seen first in a poll is a takeover: accepted. */
static void test_officer_claim_is_takeover(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *v = &ch.nodes[3];
  ogrh_buf b;
  ogrh_buf_init(&b);
  poll_body(&b, 4, 0);
  tc_inject(&ch, 3, "Assist", OGRH_MT_POLL, &b, NULL);
  assert_string_equal(tc_status(v).admin, "Assist");
  assert_int_equal(tc_status(v).epoch, 4);
  ogrh_buf_deinit(&b);
  tc_free(&ch);
}

/* The granted admin leaves: every node falls back to the leader, at the same epoch. */
static void test_admin_leaves_falls_back_to_leader(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  assert_int_equal(ogrh_node_grant_admin(ch.nodes[0].n, "Member", ch.now), OGRH_OK);
  tc_run(&ch, 2000);
  assert_string_equal(tc_status(&ch.nodes[3]).admin, "Member");
  ch.nodes[2].online = false;
  tc_roster(&ch);
  tc_run(&ch, 2000);
  for (int i = 0; i < 4; i++) {
    if (i == 2) continue;
    assert_string_equal(tc_status(&ch.nodes[i]).admin, "Lead");
    assert_int_equal(tc_status(&ch.nodes[i]).epoch, 1);
  }
  assert_int_equal(tc_set(&ch.nodes[0], SLOT1, "\"Back\"", 0), OGRH_OK);
  tc_run(&ch, 2000);
  assert_string_equal(tc_get(&ch.nodes[3], SLOT1), "\"Back\"");
  tc_free(&ch);
}

/* Every node holds `first` at SLOT1 and `second` at SLOT2, and all copies are equal. */
#define SLOT2 RZ ".roles.1.assignedPlayers.2"
static void assert_both_everywhere(tc_chan *ch, const char *first, const char *second);

/* The new admin writes `second` at SLOT2; 40 s later both writes are everywhere. */
static void new_admin_writes(tc_chan *ch, tc_node *as, const char *first, const char *second) {
  assert_int_equal(tc_set(as, SLOT2, second, OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(ch, 40000);
  assert_both_everywhere(ch, first, second);
}

static void assert_both_everywhere(tc_chan *ch, const char *first, const char *second) {
  for (size_t i = 0; i < ch->n; i++) {
    assert_string_equal(tc_get(&ch->nodes[i], SLOT1), first);
    assert_string_equal(tc_get(&ch->nodes[i], SLOT2), second);
  }
  assert_true(tc_converged(ch));
}

/*
** The admin writes, the delta is lost on its way to Assist, and the admin at once makes Assist
** admin: the new admin's copy is behind. It catches up from its grantor before it publishes
** or polls, so that the write survives everywhere (the new admin's stale copy used to be
** repaired onto every node, the write lost with it).
*/
static void test_handover_to_a_stale_admin(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *l = &ch.nodes[0], *as = &ch.nodes[1];
  as->deaf = true;
  assert_int_equal(tc_set(l, SLOT1, "\"Kept\"", OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(&ch, 500);
  as->deaf = false;
  assert_string_not_equal(tc_get(as, SLOT1), "\"Kept\"");
  assert_int_equal(ogrh_node_grant_admin(l->n, "Assist", ch.now), OGRH_OK);
  tc_run(&ch, 200);
  assert_string_equal(tc_status(as).admin, "Assist");
  /* The new admin's own write while it catches up is kept too, on top. */
  new_admin_writes(&ch, as, "\"Kept\"", "\"Mine\"");
  tc_free(&ch);
}

/*
** The granted admin drops out; the leader serves meanwhile and orders a write; the granted
** admin comes back and is admin again (same epoch, no new grant). It catches up from the
** leader before it serves: the interim write survives, and its next write is ordered after
** the leader's revisions (not taken for a repeat).
*/
static void test_admin_returns_after_interim(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *l = &ch.nodes[0], *as = &ch.nodes[1];
  assert_int_equal(ogrh_node_grant_admin(l->n, "Assist", ch.now), OGRH_OK);
  tc_run(&ch, 2000);
  assert_string_equal(tc_status(&ch.nodes[3]).admin, "Assist");
  as->online = false;
  as->deaf = true;
  tc_roster(&ch);
  tc_run(&ch, 2000);
  assert_string_equal(tc_status(&ch.nodes[3]).admin, "Lead");
  assert_int_equal(tc_set(l, SLOT1, "\"Interim\"", OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(&ch, 2000);
  assert_string_equal(tc_get(&ch.nodes[3], SLOT1), "\"Interim\"");
  as->online = true;
  as->deaf = false;
  tc_roster(&ch);
  tc_run(&ch, 200);
  assert_string_equal(tc_status(&ch.nodes[3]).admin, "Assist");
  new_admin_writes(&ch, as, "\"Interim\"", "\"After\"");
  tc_free(&ch);
}

/*
** The grant itself is lost on its way to the new admin, whose copy is behind too: it goes on
** proposing to the old admin at the old epoch; the grantor, hearing that, says its grant again,
** and the new admin catches up before it publishes anything (its own proposal included).
*/
static void test_lost_grant_said_again(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *l = &ch.nodes[0], *as = &ch.nodes[1];
  as->deaf = true;
  assert_int_equal(tc_set(l, SLOT1, "\"Kept\"", OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(&ch, 300);
  assert_int_equal(ogrh_node_grant_admin(l->n, "Assist", ch.now), OGRH_OK);
  tc_run(&ch, 300);
  as->deaf = false;
  assert_string_equal(tc_status(as).admin, "Lead");
  assert_int_equal(tc_set(as, SLOT2, "\"Mine\"", OGRH_SYNC_REALTIME), OGRH_OK);
  /* Its proposal at the old epoch makes the grantor say the grant again, at once. */
  tc_run(&ch, 3000);
  assert_string_equal(tc_status(as).admin, "Assist");
  tc_run(&ch, 60000);
  assert_both_everywhere(&ch, "\"Kept\"", "\"Mine\"");
  tc_free(&ch);
}

/*
** The granted admin orders a write the leader misses (a loading screen), then drops out: the
** leader falls back to admin with a copy behind. With the admin before gone, it catches up
** from an assistant online that is ahead before it serves: the write survives.
*/
static void test_leader_falls_back_behind(void **state) {
  (void)state;
  tc_chan ch;
  tc_init(&ch);
  tc_add(&ch, "Lead", 2);
  tc_add(&ch, "Assist", 1);
  tc_add(&ch, "Member", 0);
  tc_add(&ch, "Victim", 0);
  tc_add(&ch, "Second", 1);
  tc_roster(&ch);
  tc_run(&ch, 6000);
  tc_node *l = &ch.nodes[0], *as = &ch.nodes[1];
  assert_int_equal(ogrh_node_grant_admin(l->n, "Assist", ch.now), OGRH_OK);
  tc_run(&ch, 2000);
  l->deaf = true;
  assert_int_equal(tc_set(as, SLOT1, "\"Ordered\"", OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(&ch, 1000);
  as->online = false;
  as->deaf = true;
  l->deaf = false;
  tc_roster(&ch);
  tc_run(&ch, 200);
  assert_string_equal(tc_status(&ch.nodes[3]).admin, "Lead");
  assert_int_equal(tc_set(l, SLOT2, "\"Later\"", OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(&ch, 40000);
  for (size_t i = 0; i < ch.n; i++) {
    if (i == 1) continue; /* gone */
    assert_string_equal(tc_get(&ch.nodes[i], SLOT1), "\"Ordered\"");
    assert_string_equal(tc_get(&ch.nodes[i], SLOT2), "\"Later\"");
  }
  tc_free(&ch);
}

/* ---- discovery ---- */

/*
** A loading screen drops a delta and the admin's poll 3 s after it, and nothing follows (no
** gap to notice): after listen_ms without the admin the node says hello, and the admin's poll
** brings it up to date, long before the next 30 s poll.
*/
static void test_after_loading_screen(void **state) {
  (void)state;
  tc_chan ch;
  four(&ch);
  tc_node *l = &ch.nodes[0], *v = &ch.nodes[3];
  ogrh_node_set_conditions(v->n, false, true, true, ch.now);
  v->zoning = true;
  assert_int_equal(tc_set(l, SLOT1, "\"Zoned\"", OGRH_SYNC_REALTIME), OGRH_OK);
  tc_run(&ch, 4000);
  v->zoning = false;
  ogrh_node_set_conditions(v->n, false, false, true, ch.now);
  uint64_t hellos = tc_stats(v)->sent[OGRH_MT_HELLO];
  tc_run(&ch, ch.base.timers.listen_ms + 3000);
  assert_int_equal(tc_stats(v)->sent[OGRH_MT_HELLO], hellos + 1);
  assert_string_equal(tc_get(v, SLOT1), "\"Zoned\"");
  assert_true(ch.now < 20000); /* before the admin's next periodic poll */
  tc_free(&ch);
}

/* No admin online: "No admin online" once, bounded retries, then quiet; an admin appears and
** the nodes resume by themselves. */
static void test_no_admin_online(void **state) {
  (void)state;
  tc_chan ch;
  tc_init(&ch);
  tc_add(&ch, "Lead", 2);
  tc_add(&ch, "Assist", 1);
  tc_add(&ch, "Member", 0);
  ch.nodes[0].online = false; /* the leader is offline: nobody is admin */
  ch.nodes[0].deaf = true;
  tc_roster(&ch);
  tc_run(&ch, 120000);
  for (int i = 1; i < 3; i++) {
    assert_int_equal(tc_count(&ch.nodes[i], OGRH_EV_NO_ADMIN), 1);
    assert_non_null(tc_find(&ch.nodes[i], OGRH_EV_NO_ADMIN, "No admin online"));
    assert_true(tc_status(&ch.nodes[i]).no_admin);
  }
  /* Quiet afterwards: no infinite retry. */
  long f1 = ch.nodes[1].frames_out, f2 = ch.nodes[2].frames_out;
  assert_true(f1 <= 4 && f2 <= 4);
  tc_run(&ch, 600000);
  assert_int_equal(ch.nodes[1].frames_out, f1);
  assert_int_equal(ch.nodes[2].frames_out, f2);
  assert_int_equal(tc_count(&ch.nodes[1], OGRH_EV_NO_ADMIN), 1);
  /* The leader comes online: its poll reaches everyone, who resume. */
  ch.nodes[0].online = true;
  ch.nodes[0].deaf = false;
  tc_roster(&ch);
  tc_run(&ch, 5000);
  for (int i = 1; i < 3; i++) {
    assert_false(tc_status(&ch.nodes[i]).no_admin);
    assert_true(tc_status(&ch.nodes[i]).synced);
  }
  assert_int_equal(tc_set(&ch.nodes[1], SLOT1, "\"Resumed\"", 0), OGRH_OK);
  tc_run(&ch, 3000);
  assert_string_equal(tc_get(&ch.nodes[0], SLOT1), "\"Resumed\"");
  tc_free(&ch);
}

/* A node joining a raid learns the admin and epoch within one poll. */
static void test_join_learns_admin(void **state) {
  (void)state;
  tc_chan ch;
  tc_init(&ch);
  tc_add(&ch, "Lead", 2);
  tc_add(&ch, "Assist", 1);
  tc_roster(&ch);
  tc_run(&ch, 6000);
  assert_int_equal(ogrh_node_grant_admin(ch.nodes[1].n, "Assist", ch.now), OGRH_OK);
  assert_int_equal(tc_set(&ch.nodes[1], SLOT1, "\"Before\"", 0), OGRH_OK);
  tc_run(&ch, 3000);
  tc_node *j = tc_add(&ch, "Joiner", 0);
  tc_roster(&ch);
  uint64_t t0 = ch.now;
  while (ch.now - t0 < 10000 && strcmp(tc_status(j).admin, "Assist") != 0)
    tc_run(&ch, 100);
  /* The admin polls when someone joins: one poll tells the joiner. */
  assert_true(ch.now - t0 <= 2000);
  assert_int_equal(tc_status(j).epoch, 1);
  tc_run(&ch, 15000);
  assert_true(tc_status(j).synced);
  assert_string_equal(tc_get(j, SLOT1), "\"Before\"");
  assert_true(tc_converged(&ch));
  tc_free(&ch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_permissions_every_type),
      cmocka_unit_test(test_no_amplification),
      cmocka_unit_test(test_grants_and_epochs),
      cmocka_unit_test(test_officer_claim_is_takeover),
      cmocka_unit_test(test_admin_leaves_falls_back_to_leader),
      cmocka_unit_test(test_handover_to_a_stale_admin),
      cmocka_unit_test(test_admin_returns_after_interim),
      cmocka_unit_test(test_lost_grant_said_again),
      cmocka_unit_test(test_leader_falls_back_behind),
      cmocka_unit_test(test_after_loading_screen),
      cmocka_unit_test(test_no_admin_online),
      cmocka_unit_test(test_join_learns_admin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
