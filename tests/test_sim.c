/* The channel model (sim.c) and the OGAddonMsg transport model (simogam.c): research
** ogaddonmsg.md §7.3 behaviours 1-5 and the channel's own rules. */
#include "testutil.h"

#include "ogrh/sim.h"
#include "simogam.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a bare client that records what reaches it ---- */

typedef struct rec {
  uint64_t at_ms;
  int from;
  size_t n;
  uint8_t first;
} rec;

typedef struct bare {
  ogrh_sim *sim;
  int idx;
  rec *got;
  size_t ngot, cap;
  uint64_t frames;
  int events[8];
} bare;

static uint64_t bare_frame(void *ud, uint64_t now) {
  bare *b = ud;
  b->frames++;
  (void)now;
  return OGRH_SIM_IDLE;
}

static void bare_receive(void *ud, const char *sender, const char *prefix, const uint8_t *t,
                         size_t n, uint64_t now) {
  bare *b = ud;
  (void)prefix;
  if (b->ngot == b->cap) {
    b->cap = b->cap ? 2 * b->cap : 64;
    b->got = realloc(b->got, b->cap * sizeof *b->got);
  }
  rec r = {now, ogrh_sim_find(b->sim, sender), n, n ? t[0] : 0};
  b->got[b->ngot++] = r;
}

static void bare_event(void *ud, ogrh_sim_event ev, uint64_t now) {
  bare *b = ud;
  (void)now;
  b->events[ev]++;
}

static const ogrh_sim_client_if bare_if = {bare_frame, bare_receive, bare_event};

static int add_bare(ogrh_sim *s, bare *b, const char *name, double lat) {
  memset(b, 0, sizeof *b);
  b->sim = s;
  b->idx = ogrh_sim_add(s, name, 60, lat, true, true, &bare_if, b);
  assert_true(b->idx >= 0);
  return b->idx;
}

/* ---- the channel's rules ---- */

typedef struct sender_job {
  ogrh_sim *sim;
  int from;
  size_t n;
  uint8_t tag;
} sender_job;

static void send_job(void *ud, uint64_t now) {
  sender_job *j = ud;
  (void)now;
  uint8_t buf[300];
  memset(buf, 'x', sizeof buf);
  buf[0] = j->tag;
  assert_int_equal(ogrh_sim_send(j->sim, j->from, "TEST", buf, j->n), OGRH_OK);
}

static void test_channel_echo_fifo_ticks(void **state) {
  (void)state;
  ogrh_sim_params p;
  ogrh_sim_params_default(&p);
  p.seed = 5;
  ogrh_sim *s = ogrh_sim_new(&p);
  bare a, b, c;
  add_bare(s, &a, "Alice", 40);
  add_bare(s, &b, "Bob", 0);
  add_bare(s, &c, "Carol", 120);
  /* 100 messages from Alice, one every 7 ms: every member gets each one (Alice too), in order. */
  sender_job jobs[100];
  for (int i = 0; i < 100; i++) {
    jobs[i] = (sender_job){s, a.idx, 20, (uint8_t)(i + 1)};
    assert_int_equal(ogrh_sim_at(s, 1000 + (uint64_t)i * 7, send_job, &jobs[i]), OGRH_OK);
  }
  assert_int_equal(ogrh_sim_run_until(s, 5000), OGRH_OK);
  bare *all[3] = {&a, &b, &c};
  for (int k = 0; k < 3; k++) {
    assert_int_equal(all[k]->ngot, 100);
    for (size_t i = 0; i < 100; i++) {
      assert_int_equal(all[k]->got[i].first, (uint8_t)(i + 1)); /* FIFO per sender */
      assert_int_equal(all[k]->got[i].from, a.idx);
      /* Never before uplink + one server tick boundary + downlink. */
      assert_true(all[k]->got[i].at_ms >= 1000 + i * 7);
    }
  }
  /* Carol's link is three times slower than Alice's: she sees the first message later. */
  assert_true(c.got[0].at_ms > a.got[0].at_ms);
  const ogrh_sim_stats *st = ogrh_sim_stats_get(s);
  assert_int_equal(st->messages, 100);
  assert_int_equal(st->bytes, 100 * (4 + 20));
  assert_int_equal(st->copies, 300);
  /* Idle clients run almost no frames: one at start plus one per delivery at most. */
  assert_true(a.frames <= 101 && b.frames <= 101);
  ogrh_sim_free(s);
  free(a.got), free(b.got), free(c.got);
}

/* The server relays on its 50 ms ticks: with fixed latencies (no jitter) the arrival times
** at a receiver are tick + downlink, rounded up to the receiver's frame grid. */
static void test_channel_server_tick(void **state) {
  (void)state;
  ogrh_sim_params p;
  ogrh_sim_params_default(&p);
  p.jitter_sigma = 0;
  ogrh_sim *s = ogrh_sim_new(&p);
  bare a, b;
  add_bare(s, &a, "Alice", 10);
  add_bare(s, &b, "Bob", 10);
  sender_job j = {s, a.idx, 10, 1};
  ogrh_sim_at(s, 1003, send_job, &j); /* uplink 10 ms: at the server 1013, relayed 1050 */
  ogrh_sim_run_until(s, 2000);
  assert_int_equal(b.ngot, 1);
  /* 1050 + 10 = 1060 ms; Bob's next frame at 60 fps is frame 64 = 1066.67 ms. */
  assert_int_equal(b.got[0].at_ms, 1066);
  assert_true(fabs(ogrh_sim_latency(s, b.idx) - 10) < 1e-9);
  ogrh_sim_free(s);
  free(a.got), free(b.got);
}

static void zone_job(void *ud, uint64_t now) {
  sender_job *j = ud;
  (void)now;
  ogrh_sim_zone(j->sim, j->from, 5000);
}

static void test_channel_loading_and_violations(void **state) {
  (void)state;
  ogrh_sim_params p;
  ogrh_sim_params_default(&p);
  ogrh_sim *s = ogrh_sim_new(&p);
  bare a, b;
  add_bare(s, &a, "Alice", 50);
  add_bare(s, &b, "Bob", 50);
  /* Bob zones at 1 s for 5 s: Alice's messages at 2 s and 4 s are lost to him, 8 s is not. */
  sender_job z = {s, b.idx, 0, 0};
  sender_job m1 = {s, a.idx, 10, 1}, m2 = {s, a.idx, 10, 2}, m3 = {s, a.idx, 10, 3};
  ogrh_sim_at(s, 1000, zone_job, &z);
  ogrh_sim_at(s, 2000, send_job, &m1);
  ogrh_sim_at(s, 4000, send_job, &m2);
  ogrh_sim_at(s, 8000, send_job, &m3);
  ogrh_sim_run_until(s, 10000);
  assert_int_equal(b.ngot, 1);
  assert_int_equal(b.got[0].first, 3);
  assert_int_equal(b.events[OGRH_SIM_EV_LOADING], 1);
  assert_int_equal(b.events[OGRH_SIM_EV_ENTER_WORLD], 1);
  assert_int_equal(a.ngot, 3);
  assert_int_equal(ogrh_sim_stats_get(s)->dropped_loading, 2);
  /* 251 bytes of text with a 4-byte prefix is over 254: the server disconnects Alice. */
  sender_job big = {s, a.idx, 251, 9};
  ogrh_sim_at(s, 11000, send_job, &big);
  ogrh_sim_run_until(s, 12000);
  assert_int_equal(ogrh_sim_state_of(s, a.idx), OGRH_SIM_OFFLINE);
  assert_int_equal(a.events[OGRH_SIM_EV_DISCONNECT], 1);
  assert_int_equal(ogrh_sim_stats_get(s)->violations, 1);
  assert_int_equal(b.ngot, 1);
  /* While offline she neither sends nor receives; after reconnecting she does again. */
  ogrh_sim_reconnect(s, a.idx, 3000);
  sender_job m4 = {s, b.idx, 10, 4};
  ogrh_sim_at(s, 20000, send_job, &m4);
  ogrh_sim_run_until(s, 21000);
  assert_int_equal(a.ngot, 4);
  assert_int_equal(a.got[3].first, 4);
  ogrh_sim_free(s);
  free(a.got), free(b.got);
}

static void test_channel_flood_and_loss(void **state) {
  (void)state;
  ogrh_sim_params p;
  ogrh_sim_params_default(&p);
  p.flood_limit = true;
  p.flood_burst = 1000;
  p.flood_rate = 100;
  ogrh_sim *s = ogrh_sim_new(&p);
  bare a, b;
  add_bare(s, &a, "Alice", 50);
  add_bare(s, &b, "Bob", 50);
  sender_job jobs[10];
  for (int i = 0; i < 10; i++) {
    jobs[i] = (sender_job){s, a.idx, 200, (uint8_t)(i + 1)};
    ogrh_sim_at(s, 1000 + (uint64_t)i, send_job, &jobs[i]);
  }
  ogrh_sim_run_until(s, 3000);
  /* 1000 bytes of bucket: four 204-byte messages pass, the fifth disconnects her. */
  assert_int_equal(b.ngot, 4);
  assert_int_equal(ogrh_sim_state_of(s, a.idx), OGRH_SIM_OFFLINE);
  ogrh_sim_free(s);
  free(a.got), free(b.got);

  /* Loss: about the configured fraction of copies disappears. */
  ogrh_sim_params_default(&p);
  p.loss = 0.2;
  s = ogrh_sim_new(&p);
  add_bare(s, &a, "Alice", 50);
  add_bare(s, &b, "Bob", 50);
  static sender_job many[2000];
  for (int i = 0; i < 2000; i++) {
    many[i] = (sender_job){s, a.idx, 10, (uint8_t)(1 + i % 200)};
    ogrh_sim_at(s, 1000 + (uint64_t)i * 10, send_job, &many[i]);
  }
  ogrh_sim_run_until(s, 30000);
  double lost = 1.0 - (double)b.ngot / 2000.0;
  assert_true(lost > 0.17 && lost < 0.23);
  assert_int_equal(ogrh_sim_stats_get(s)->dropped_loss, 4000 - a.ngot - b.ngot);
  ogrh_sim_free(s);
  free(a.got), free(b.got);
}

/* ---- OGAddonMsg over the channel ---- */

typedef struct tog {
  ogrh_sim *sim;
  int idx;
  ogam *o;
  uint64_t *sent_at; /* times this client's texts left (after the throttle) */
  size_t nsent, cap;
  size_t *sent_len;
  char (*sent_kind)[2];
  int delivered;
  size_t delivered_bytes;
  char last_prefix[64];
  bool bugs;
  ogam_stats saved; /* the statistics of the last life */
} tog;

static const ogam_stats *tog_stats(const tog *c) {
  return c->o ? ogrh_ogam_stats(c->o) : &c->saved;
}

static void tog_out(void *ud, const uint8_t *t, size_t n, uint64_t now) {
  tog *c = ud;
  if (c->nsent == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 1024;
    c->sent_at = realloc(c->sent_at, c->cap * sizeof *c->sent_at);
    c->sent_len = realloc(c->sent_len, c->cap * sizeof *c->sent_len);
    c->sent_kind = realloc(c->sent_kind, c->cap * sizeof *c->sent_kind);
  }
  c->sent_at[c->nsent] = now;
  c->sent_len[c->nsent] = n;
  c->sent_kind[c->nsent][0] = (char)(n > 1 ? t[1] : '?');
  c->sent_kind[c->nsent][1] = (char)(n > 34 && t[1] == 'M' ? t[34] : '?'); /* 13th prefix byte */
  c->nsent++;
  ogrh_sim_send(c->sim, c->idx, "OGAM", t, n);
}

static void tog_dispatch(void *ud, const char *sender, const char *prefix, const uint8_t *d,
                         size_t n, uint64_t now) {
  tog *c = ud;
  (void)sender, (void)d, (void)now;
  c->delivered++;
  c->delivered_bytes += n;
  snprintf(c->last_prefix, sizeof c->last_prefix, "%s", prefix);
}

static uint64_t tog_frame(void *ud, uint64_t now) {
  return ogrh_ogam_frame(((tog *)ud)->o, now);
}
static void tog_receive(void *ud, const char *sender, const char *prefix, const uint8_t *t,
                        size_t n, uint64_t now) {
  ogrh_ogam_receive(((tog *)ud)->o, sender, prefix, t, n, now);
}
static void tog_new(tog *c, uint64_t now);
static void tog_event(void *ud, ogrh_sim_event ev, uint64_t now) {
  tog *c = ud;
  if (ev == OGRH_SIM_EV_RELOAD || ev == OGRH_SIM_EV_DISCONNECT) {
    c->saved = *ogrh_ogam_stats(c->o);
    ogrh_ogam_free(c->o, now); /* all Lua state is gone */
    c->o = NULL;
  }
  if (ev == OGRH_SIM_EV_ENTER_WORLD) {
    if (!c->o) tog_new(c, now); /* Init: a fresh CTL, hard throttling from now */
    ogrh_ogam_enter_world(c->o, now);
  }
  if (ev == OGRH_SIM_EV_FPS) ogrh_ogam_set_fps(c->o, ogrh_sim_fps(c->sim, c->idx));
}
static const ogrh_sim_client_if tog_if = {tog_frame, tog_receive, tog_event};

static void add_tog(ogrh_sim *s, tog *c, const char *name, double fps, bool bugs) {
  memset(c, 0, sizeof *c);
  c->sim = s;
  c->bugs = bugs;
  c->idx = ogrh_sim_add(s, name, fps, 50, true, true, &tog_if, c);
  assert_true(c->idx >= 0);
  tog_new(c, ogrh_sim_now_ms(s));
}

static void tog_new(tog *c, uint64_t now) {
  ogam_cfg cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.self = ogrh_sim_name(c->sim, c->idx);
  cfg.bugs = c->bugs;
  cfg.seed = (uint64_t)c->idx * 1000003u + now; /* a new sequence per life */
  cfg.out = tog_out;
  cfg.dispatch = tog_dispatch;
  cfg.ud = c;
  ogrh_ctl_profile("ctl", &cfg.ctl);
  c->o = ogrh_ogam_new(&cfg, now);
  assert_non_null(c->o);
  ogrh_ogam_set_fps(c->o, ogrh_sim_fps(c->sim, c->idx));
}

static void free_tog(tog *c) {
  ogrh_ogam_free(c->o, 0);
  free(c->sent_at);
  free(c->sent_len);
  free(c->sent_kind);
}

typedef struct big_job {
  tog *c;
  ogam_prio prio;
  const char *prefix;
  size_t n;
} big_job;

static void big_send(void *ud, uint64_t now) {
  big_job *j = ud;
  uint8_t *w = malloc(j->n + 2);
  w[0] = 'T', w[1] = ':';
  for (size_t i = 0; i < j->n; i++)
    w[2 + i] = (uint8_t)('a' + i % 26);
  assert_int_equal(ogrh_ogam_send(j->c->o, j->prio, j->prefix, w, j->n + 2, now), OGRH_OK);
  ogrh_sim_wake(j->c->sim, j->c->idx, now);
  free(w);
}

/* Behaviours 1 and 2: an idle sender, P = 25. */
static void test_behaviour_1_2_idle_sender(void **state) {
  (void)state;
  const char *P25 = "OGRH03_SYNC_CHECKSUM_POLL";
  assert_int_equal(strlen(P25), 25);
  struct {
    size_t n, chunks;
    double last_s, tol;
  } cases[] = {{98600, 726, 202.7, 0.4}, {5000, 37, 5.6, 0.15}, {2000, 15, 0.23, 0.03}};
  for (size_t k = 0; k < 3; k++) {
    ogrh_sim *s = ogrh_sim_new(NULL);
    tog a, b;
    add_tog(s, &a, "Admin", 60, true);
    add_tog(s, &b, "Bob", 60, true);
    big_job j = {&a, OGAM_NORMAL, P25, cases[k].n};
    ogrh_sim_at(s, 10000, big_send, &j); /* after 10 s the budget is full (4000) */
    ogrh_sim_run_until(s, 10000 + 400000);
    assert_int_equal(a.nsent, cases[k].chunks);
    double last = (double)(a.sent_at[a.nsent - 1] - 10000) / 1000.0;
    if (fabs(last - cases[k].last_s) > cases[k].tol)
      fail_msg("N=%zu: last chunk at %.3f s, research says %.2f", cases[k].n, last,
               cases[k].last_s);
    assert_int_equal(b.delivered, 1);
    assert_int_equal(b.delivered_bytes, cases[k].n + 2);
    assert_string_equal(b.last_prefix, P25);
    if (k == 0) {
      /* 18 chunks on the direct path, one per frame, within 0.3 s. */
      size_t early = 0;
      for (size_t i = 0; i < a.nsent; i++)
        early += a.sent_at[i] - 10000 <= 290;
      assert_int_equal(early, 18);
      for (size_t i = 1; i < 18; i++)
        assert_true(a.sent_at[i] - a.sent_at[i - 1] >= 16 && a.sent_at[i] - a.sent_at[i - 1] <= 17);
      /* Then one every 229/800 s on average, in 0.25/0.333 s steps at 60 fps. */
      double gap = (double)(a.sent_at[a.nsent - 1] - a.sent_at[30]) / (double)(a.nsent - 31);
      assert_true(fabs(gap - 286.25) < 1.5);
      for (size_t i = 31; i < a.nsent - 1; i++) {
        uint64_t g = a.sent_at[i] - a.sent_at[i - 1];
        assert_true(g >= 249 && g <= 334);
      }
      /* Full chunks are 184 bytes of text (23 + P + D). */
      assert_int_equal(a.sent_len[0], 184);
    }
    ogrh_sim_free(s);
    free_tog(&a);
    free_tog(&b);
  }
}

static void zone_tog(void *ud, uint64_t now) {
  tog *c = ud;
  (void)now;
  ogrh_sim_zone(c->sim, c->idx, 5000);
}

static void reload_tog(void *ud, uint64_t now) {
  tog *c = ud;
  (void)now;
  ogrh_sim_reload(c->sim, c->idx, 5000);
}

/*
** Behaviour 3: right after a login or /reload (CTL's Init, then PLAYER_ENTERING_WORLD), with
** chunks queued: 80 B/s until 229 bytes are there (~2.9 s), the second chunk at ~5.1 s, then
** 800 B/s. After a plain loading screen v14 does not restart its clock, so the time spent
** loading counts at the hard-throttle rate: the first chunk leaves at once.
*/
static void test_behaviour_3_after_loading(void **state) {
  (void)state;
  for (int zone = 0; zone <= 1; zone++) {
    ogrh_sim *s = ogrh_sim_new(NULL);
    tog a, b;
    add_tog(s, &a, "Admin", 60, true);
    add_tog(s, &b, "Bob", 60, true);
    big_job j0 = {&a, OGAM_NORMAL, "OGRH03_SYNC_DELTA", 300}; /* keeps CTL's clock running */
    ogrh_sim_at(s, 9975, big_send, &j0);                      /* one chunk leaves at 9983 ms */
    ogrh_sim_at(s, 10000, zone ? zone_tog : reload_tog, &a);  /* loading 10..15 s */
    big_job j = {&a, OGAM_NORMAL, "OGRH03_SYNC_CHECKSUM_POLL", 5000};
    ogrh_sim_at(s, 15001, big_send, &j);
    ogrh_sim_run_until(s, 60000);
    size_t k = 0;
    while (k < a.nsent && a.sent_at[k] < 15000)
      k++;
    assert_int_equal(a.nsent - k, zone ? 39 : 37);
    double first = (double)(a.sent_at[k] - 15000) / 1000.0;
    double second = (double)(a.sent_at[k + 1] - 15000) / 1000.0;
    double third = (double)(a.sent_at[k + 2] - 15000) / 1000.0;
    if (!zone && (fabs(first - 2.9) > 0.1 || fabs(second - 5.1) > 0.1))
      fail_msg("after reload: first %.3f s (want ~2.9), second %.3f s (want ~5.1)", first, second);
    /* After zoning: 400 bytes at once; the small message's two chunks (229 + 99) leave on the
       direct path, the next full chunk needs (229 - 72) / 80 B/s = 1.96 s more. */
    if (zone && (first > 0.02 || second > 0.04 || fabs(third - 2.0) > 0.1))
      fail_msg("after zoning: %.3f, %.3f, %.3f s (want 0, 0, ~2.0)", first, second, third);
    /* From 5 s on, 800 B/s: one full chunk every ~0.286 s. */
    size_t from = k;
    while (a.sent_at[from] < 20000)
      from++;
    double rest = (double)(a.sent_at[a.nsent - 2] - a.sent_at[from]) / 1000.0;
    assert_true(fabs(rest / (double)(a.nsent - 2 - from) - 0.286) < 0.02);
    /* The 300-byte message had one of its 3 chunks out before the loading screen: the rest
       follow after a zone, and are gone after a reload. */
    assert_int_equal(b.delivered, zone ? 2 : 1);
    ogrh_sim_free(s);
    free_tog(&a);
    free_tog(&b);
  }
}

/* Behaviour 4: low frame rate halves the rate; two busy priorities share it. */
static void test_behaviour_4_fps_and_priorities(void **state) {
  (void)state;
  const char *P = "OGRH03_SYNC_CHECKSUM_POLL";
  /* fps 15: 400 B/s, i.e. a full 229-byte chunk every 0.5725 s. */
  ogrh_sim *s = ogrh_sim_new(NULL);
  tog a, b;
  add_tog(s, &a, "Admin", 15, true);
  add_tog(s, &b, "Bob", 60, true);
  big_job j = {&a, OGAM_NORMAL, P, 20000};
  ogrh_sim_at(s, 10000, big_send, &j);
  ogrh_sim_run_until(s, 200000);
  double rate =
      229.0 * (double)(a.nsent - 21) / ((double)(a.sent_at[a.nsent - 1] - a.sent_at[20]) / 1000.0);
  if (fabs(rate - 400) > 12) fail_msg("fps 15: %.1f B/s, want 400", rate);
  ogrh_sim_free(s);
  free_tog(&a);
  free_tog(&b);

  /* Two priorities backlogged (HIGH -> CTL NORMAL, LOW -> CTL BULK): ~400 B/s each. */
  s = ogrh_sim_new(NULL);
  add_tog(s, &a, "Admin", 60, true);
  add_tog(s, &b, "Bob", 60, true);
  big_job hj = {&a, OGAM_HIGH, "OGRH03_SYNC_REPAIR_PACKET_ABCDEFGH", 20000};
  big_job lj = {&a, OGAM_LOW, "OGRH03_SYNC_CHECKSUM_POLL_ABCDEFGHI", 20000};
  ogrh_sim_at(s, 10000, big_send, &hj);
  ogrh_sim_at(s, 10000, big_send, &lj);
  ogrh_sim_run_until(s, 40000);
  /* Count each kind's chunks between 15 s and 40 s (after the burst). */
  size_t nh = 0, nl = 0;
  for (size_t i = 0; i < a.nsent; i++) {
    if (a.sent_at[i] < 15000 || a.sent_at[i] >= 40000) continue;
    nh += a.sent_kind[i][1] == 'R';
    nl += a.sent_kind[i][1] == 'C';
  }
  double rh = 229.0 * (double)nh / 25.0, rl = 229.0 * (double)nl / 25.0;
  if (fabs(rh - 400) > 25 || fabs(rl - 400) > 25)
    fail_msg("two priorities: HIGH %.1f B/s, LOW %.1f B/s, want 400 each", rh, rl);
  ogrh_sim_free(s);
  free_tog(&a);
  free_tog(&b);
}

typedef struct raw_job {
  tog *c;
  size_t n;
} raw_job;

/* Behaviour 5: HIGH after a large NORMAL waits behind what was already handed to CTL. */
static void test_behaviour_5_high_behind_normal(void **state) {
  (void)state;
  ogrh_sim *s = ogrh_sim_new(NULL);
  tog a, b;
  add_tog(s, &a, "Admin", 60, true);
  add_tog(s, &b, "Bob", 60, true);
  big_job nj = {&a, OGAM_NORMAL, "OGRH03_SYNC_CHECKSUM_POLL", 100 * 136};
  big_job hj = {&a, OGAM_HIGH, "OGRH03_SYNC_DELTA", 40}; /* one S message */
  ogrh_sim_at(s, 10000, big_send, &nj);
  ogrh_sim_at(s, 11000, big_send, &hj); /* 60 frames later: ~60 chunks handed to CTL */
  ogrh_sim_run_until(s, 60000);
  size_t pos = a.nsent;
  for (size_t i = 0; i < a.nsent; i++)
    if (a.sent_kind[i][0] == 'S') pos = i;
  assert_true(pos < a.nsent);
  /* It left after the ~60 NORMAL chunks handed over before it, not after all 101. */
  if (pos < 58 || pos > 63) fail_msg("HIGH message left as text %zu, want ~60", pos);
  ogrh_sim_free(s);
  free_tog(&a);
  free_tog(&b);
}

/* Behaviour 6 (partly): a receiver that zones mid-transfer asks for the missing chunks with
** one R frame; with the bugs, a long list goes over 254 bytes and the server disconnects it. */
static void test_retry_after_zone(void **state) {
  (void)state;
  for (int bugs = 1; bugs >= 0; bugs--) {
    ogrh_sim *s = ogrh_sim_new(NULL);
    tog a, b, c;
    add_tog(s, &a, "Admin", 60, bugs);
    add_tog(s, &b, "Bob", 60, bugs);
    add_tog(s, &c, "Carol", 60, bugs);
    big_job j = {&a, OGAM_NORMAL, "OGRH03_SYNC_CHECKSUM_POLL", 30000}; /* 221 chunks, 60 s */
    ogrh_sim_at(s, 10000, big_send, &j);
    ogrh_sim_at(s, 20000, zone_tog, &b); /* 20-25 s: misses ~18 chunks */
    ogrh_sim_run_until(s, 300000);
    assert_int_equal(c.delivered, 1);
    const ogam_stats *sb = tog_stats(&b);
    assert_true(sb->retry_requests >= 1);
    if (bugs) {
      /* The list of every missing index (most of the message) is far over 254 bytes. */
      assert_int_equal(sb->r_too_long, 1);
      assert_int_equal(ogrh_sim_state_of(s, b.idx), OGRH_SIM_OFFLINE);
      assert_int_equal(b.delivered, 0);
    } else {
      /* Split requests; the admin resends; Bob completes; Carol opens no orphan entry. */
      assert_int_equal(sb->r_too_long, 0);
      assert_int_equal(b.delivered, 1);
      assert_int_equal(ogrh_ogam_stats(c.o)->timeouts, 0);
      assert_true(ogrh_ogam_stats(a.o)->retries_honoured >= 1);
    }
    ogrh_sim_free(s);
    free_tog(&a);
    free_tog(&b);
    free_tog(&c);
  }
}

/* ---- the serializer ---- */

static void test_lua_serialization(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v =
      tu_lit(a, "{ [1] = 5, t = \"a|b\\nc\", [\"q\\\"\"] = true, n = { -3, 2.5, 1e15 } }");
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_lua_serialize(&v, &b), OGRH_OK);
  assert_string_equal(b.p, "{[1]=5,[\"n\"]={[1]=-3,[2]=2.5,[3]=1e+15},[\"q\\\"\"]=true,"
                           "[\"t\"]=\"a\\124b\\\nc\"}");
  ogrh_value back;
  assert_int_equal(ogrh_lua_parse(a, b.p, b.n, &back), OGRH_OK);
  assert_true(ogrh_value_equal(&v, &back));
  /* Strict: code, unbalanced braces and trailing bytes are refused. */
  const char *bad[] = {"os.exit()", "{[1]=2", "{[1]=2}}", "{1,2}", "{[\"a\"]=\"x}", "{[1]=\\q}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_not_equal(ogrh_lua_parse(a, bad[i], strlen(bad[i]), &back), OGRH_OK);
  /* The transport hash (research §3.10: H("T:{[\"msg\"]=...}") for 300 chars is 6371). */
  ogrh_buf w;
  ogrh_buf_init(&w);
  ogrh_buf_adds(&w, "T:{[\"msg\"]=\"");
  for (int i = 0; i < 30; i++)
    ogrh_buf_adds(&w, "abcdefghij");
  ogrh_buf_adds(&w, "\"}");
  assert_int_equal(w.n, 314);
  assert_int_equal(ogrh_ogam_hash((const uint8_t *)w.p, w.n), 0x6371);
  ogrh_buf_deinit(&w);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_channel_echo_fifo_ticks),
      cmocka_unit_test(test_channel_server_tick),
      cmocka_unit_test(test_channel_loading_and_violations),
      cmocka_unit_test(test_channel_flood_and_loss),
      cmocka_unit_test(test_behaviour_1_2_idle_sender),
      cmocka_unit_test(test_behaviour_3_after_loading),
      cmocka_unit_test(test_behaviour_4_fps_and_priorities),
      cmocka_unit_test(test_behaviour_5_high_behind_normal),
      cmocka_unit_test(test_retry_after_zone),
      cmocka_unit_test(test_lua_serialization),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
