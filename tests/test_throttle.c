/* The sender (throttle.h): ChatThrottleLib v14's schedule against figures computed by hand and
** against the behaviours research/ogaddonmsg.md §7.3 lists for a sender alone, in simulated
** time starting at 0; all-or-nothing sends under allocation failures. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sent_log {
  uint64_t t[4096];
  int who[4096];
  size_t n;
} sent_log;

static void log_out(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  (void)prefix;
  sent_log *l = ud;
  l->t[l->n] = now;
  l->who[l->n] = text[0];
  l->n++;
  (void)n;
}

static void send_frames(ogrh_sender *s, ogrh_ctl_prio p, int tag, size_t count, size_t len,
                        uint64_t now) {
  static uint8_t buf[4096][250];
  const uint8_t *texts[4096];
  size_t lens[4096];
  for (size_t i = 0; i < count; i++) {
    memset(buf[i], tag, len);
    texts[i] = buf[i];
    lens[i] = len;
  }
  assert_int_equal(ogrh_sender_send(s, p, "OGAM", texts, lens, count, NULL, NULL, now), OGRH_OK);
}

static void run_ticks(ogrh_sender *s, uint64_t from, uint64_t to, uint64_t step) {
  for (uint64_t t = from; t <= to; t += step)
    ogrh_sender_tick(s, t);
}

/*
** A client with the ctl profile whose frames go to a log, ticking every `step` ms (0: at 60
** frames a second, every 1000/60 ms in whole milliseconds), idle from 0 to `idle` ms.
*/
typedef struct client {
  ogrh_ctl_params p;
  sent_log *l;
  ogrh_sender *s;
  uint64_t step, k, now;
} client;

static void client_run(client *c, uint64_t to) {
  while (c->now < to) {
    c->k++;
    c->now = c->step ? c->k * c->step : c->k * 1000 / 60;
    ogrh_sender_tick(c->s, c->now);
  }
}

static void client_start(client *c, uint64_t idle, uint64_t step) {
  memset(c, 0, sizeof *c);
  ogrh_ctl_profile("ctl", &c->p);
  c->l = calloc(1, sizeof *c->l);
  c->s = ogrh_sender_new(&c->p, log_out, c->l, 0);
  c->step = step;
  client_run(c, idle);
}

static void client_end(client *c) {
  ogrh_sender_free(c->s, c->now);
  free(c->l);
}

static void test_throttle_burst_then_rate(void **state) {
  (void)state;
  client c;
  client_start(&c, 10000, 20); /* idle for 10 s: the budget is full (4000) */
  ogrh_sender *s = c.s;
  sent_log *l = c.l;
  /* Frames of 184 bytes cost 4 + 1 + 184 + 40 = 229. 4000 / 229: 17 leave at once
     (4000 - 17*229 = 107 < 229), the 18th is queued. */
  send_frames(s, OGRH_CTL_NORMAL, 'a', 30, 184, 10000);
  assert_int_equal(l->n, 17);
  for (size_t i = 0; i < 17; i++)
    assert_int_equal(l->t[i], 10000);
  /* Then ticks every 80 ms add 64 bytes: the priority holds 107 + 64 = 171 at 10.080 (not
     > 229), 235 at 10.160 -> frame 18 at 10.160, leaving 6; then 6 + 64k > 229 at k = 4:
     frame 19 at 10.480, leaving 33; 33 + 64*4 = 289 > 229: frame 20 at 10.800. */
  run_ticks(s, 10020, 11000, 20);
  assert_int_equal(l->n, 20);
  assert_int_equal(l->t[17], 10160);
  assert_int_equal(l->t[18], 10480);
  assert_int_equal(l->t[19], 10800);
  /* Steady state: 800 B/s / 229 B = 3.49 frames a second. */
  run_ticks(s, 11020, 13000, 20);
  assert_int_equal(l->n, 27);
  client_end(&c);
}

static void test_throttle_post_login_and_fps(void **state) {
  (void)state;
  client c;
  client_start(&c, 0, 20);
  ogrh_sender *s = c.s;
  sent_log *l = c.l;
  /* Straight after login the budget is 0 and refills at 80 B/s (6.4 per 80 ms tick): the
     first 229-byte frame leaves when 6.4k > 229, k = 36: at 2.880 s. */
  send_frames(s, OGRH_CTL_NORMAL, 'a', 5, 184, 0);
  assert_int_equal(l->n, 0);
  run_ticks(s, 20, 6000, 20);
  assert_int_equal(l->t[0], 2880);
  /* Then 1.4 left; +6.4 a tick until 5 s (25 ticks to 4.880, 26 at 4.960: 167.8), the hard
     throttle ends and 5.040 adds 64: 231.8 > 229 -> second frame at 5.040. */
  assert_int_equal(l->t[1], 5040);
  client_end(&c);
  /* Below 20 fps: half the rate, 400 B/s, i.e. a 229-byte frame every 0.57 s. */
  client_start(&c, 0, 66);
  s = c.s;
  l = c.l;
  ogrh_sender_set_fps(s, 15);
  run_ticks(s, 0, 10000, 66);
  send_frames(s, OGRH_CTL_NORMAL, 'a', 200, 184, 10000);
  size_t burst = l->n;
  assert_int_equal(burst, 3); /* the budget is capped at 800 below 20 fps: 800/229 -> 3 */
  run_ticks(s, 10066, 30000, 66);
  double rate = (double)(l->n - burst) * 229.0 / 20.0;
  assert_true(rate > 360 && rate < 420);
  client_end(&c);
}

static void test_throttle_priorities_share(void **state) {
  (void)state;
  client c;
  client_start(&c, 10000, 20);
  ogrh_sender *s = c.s;
  sent_log *l = c.l;
  /* Use up the burst, then three priorities with plenty queued share the budget equally. */
  send_frames(s, OGRH_CTL_BULK, 'b', 400, 184, 10000);
  send_frames(s, OGRH_CTL_NORMAL, 'n', 400, 184, 10000);
  send_frames(s, OGRH_CTL_ALERT, 'a', 400, 184, 10000);
  size_t start = l->n;
  run_ticks(s, 10020, 70000, 20);
  size_t cnt[3] = {0, 0, 0};
  for (size_t i = start; i < l->n; i++)
    cnt[l->who[i] == 'a' ? 0 : l->who[i] == 'n' ? 1 : 2]++;
  size_t total = cnt[0] + cnt[1] + cnt[2];
  assert_true(total > 180 && total < 215); /* 60 s at 800 B/s / 229 B = 209.6 */
  for (int i = 0; i < 3; i++)
    assert_true(cnt[i] * 3 >= total - 6 && cnt[i] * 3 <= total + 6);
  client_end(&c);
}

typedef struct cbs {
  int progress, sent, failed, why;
} cbs;
static void cb_progress(void *ud, size_t a, size_t b, uint64_t t) {
  (void)a, (void)b, (void)t;
  ((cbs *)ud)->progress++;
}
static void cb_sent(void *ud, uint64_t t) {
  (void)t;
  ((cbs *)ud)->sent++;
}
static void cb_failed(void *ud, ogrh_send_failure w, uint64_t t) {
  (void)t;
  ((cbs *)ud)->failed++;
  ((cbs *)ud)->why = (int)w;
}

static void test_supersede_and_callbacks(void **state) {
  (void)state;
  client cl;
  client_start(&cl, 10000, 20);
  ogrh_sender *s = cl.s;
  sent_log *l = cl.l;
  send_frames(s, OGRH_CTL_NORMAL, 'x', 20, 184, 10000); /* the burst goes, the rest queues */
  cbs a = {0}, b = {0};
  ogrh_send_cb ca = {cb_progress, cb_sent, cb_failed, &a},
               cbb = {cb_progress, cb_sent, cb_failed, &b};
  uint8_t t1[100], t2[100];
  memset(t1, 'P', sizeof t1);
  memset(t2, 'Q', sizeof t2);
  const uint8_t *x1 = t1, *x2 = t2;
  size_t len = 100;
  assert_int_equal(ogrh_sender_send(s, OGRH_CTL_BULK, "OGAM", &x1, &len, 1, "poll", &ca, 10000),
                   OGRH_OK);
  assert_int_equal(ogrh_sender_send(s, OGRH_CTL_BULK, "OGAM", &x2, &len, 1, "poll", &cbb, 10000),
                   OGRH_OK);
  assert_int_equal(a.failed, 1);
  assert_int_equal(a.why, OGRH_SEND_SUPERSEDED);
  run_ticks(s, 10020, 20000, 20);
  for (size_t i = 0; i < l->n; i++)
    assert_int_not_equal(l->who[i], 'P');
  assert_int_equal(a.sent, 0);
  assert_int_equal(b.sent, 1);
  assert_int_equal(b.progress, 1);
  /* A queued message still waiting when the sender goes away fails as cancelled. */
  send_frames(s, OGRH_CTL_NORMAL, 'y', 30, 184, 20000);
  cbs c = {0};
  ogrh_send_cb cc = {cb_progress, cb_sent, cb_failed, &c};
  ogrh_sender_send(s, OGRH_CTL_BULK, "OGAM", &x1, &len, 1, NULL, &cc, 20000);
  ogrh_sender_free(s, 20001);
  assert_int_equal(c.failed, 1);
  assert_int_equal(c.why, OGRH_SEND_CANCELLED);
  free(l);
}

/* ---- research/ogaddonmsg.md §7.3, the behaviours of a sender alone ---- */

/* Seconds from t0 to the i-th frame sent. */
static double at(const client *c, size_t i, uint64_t t0) {
  return (double)(c->l->t[i] - t0) / 1000.0;
}

/* Frames of OGAddonMsg's chunking with its inner prefix P = 25: 23 + 25 header bytes and
   161 - 25 data bytes, 184 bytes of text, 229 of cost. */
#define CHUNK_TEXT 184

static void test_research_idle_sender(void **state) {
  (void)state;
  client c;
  client_start(&c, 10000, 0);
  uint64_t t0 = c.now;
  /* Behaviour 1: N = 98,600 bytes -> 726 chunks; the last at about 202.7 s, a chunk every
     0.286 s on average. Here all chunks are handed over at once (OGAddonMsg hands one per
     frame, which only changes the first 0.28 s): 17 leave within the burst. */
  send_frames(c.s, OGRH_CTL_NORMAL, 'a', 726, CHUNK_TEXT, t0);
  assert_int_equal(c.l->n, 17);
  client_run(&c, t0 + 300000);
  assert_int_equal(c.l->n, 726);
  double last = at(&c, 725, t0), gap = (at(&c, 725, t0) - at(&c, 17, t0)) / (726 - 18);
  printf("# 726 chunks: last after %.2f s, mean gap %.3f s\n", last, gap);
  assert_true(last > 202.2 && last < 203.2);
  assert_true(gap > 0.281 && gap < 0.291);
  client_end(&c);
  /* Behaviour 2: N = 5,000 -> 37 chunks in about 5.6 s; N = 2,000 (15 chunks) fits in the
     burst and leaves at once. */
  client_start(&c, 10000, 0);
  t0 = c.now;
  send_frames(c.s, OGRH_CTL_NORMAL, 'a', 37, CHUNK_TEXT, t0);
  client_run(&c, t0 + 20000);
  assert_int_equal(c.l->n, 37);
  assert_true(at(&c, 36, t0) > 5.3 && at(&c, 36, t0) < 5.9);
  client_run(&c, t0 + 40000);
  size_t before = c.l->n;
  send_frames(c.s, OGRH_CTL_NORMAL, 'a', 15, CHUNK_TEXT, c.now);
  assert_int_equal(c.l->n, before + 15);
  client_end(&c);
}

static void test_research_loading_screen(void **state) {
  (void)state;
  client c;
  client_start(&c, 20000, 0);
  uint64_t t0 = c.now;
  /* Behaviour 3: right after a loading screen, with chunks queued, the first leaves at
     about 2.9 s (80 B/s until it passes 229), the second at about 5.1 s (171 bytes at 5 s,
     then 800 B/s), then 800 B/s. */
  send_frames(c.s, OGRH_CTL_NORMAL, 'a', 40, CHUNK_TEXT, t0);
  size_t burst = c.l->n;
  assert_int_equal(burst, 17);
  ogrh_sender_loading_screen(c.s, t0);
  client_run(&c, t0 + 15000);
  double first = at(&c, burst, t0), second = at(&c, burst + 1, t0);
  printf("# after a loading screen: %.2f s, %.2f s\n", first, second);
  assert_true(first > 2.8 && first < 3.0);
  /* (5.0 here: at 60 frames a second the tick that ends the hard throttling adds 66 bytes.) */
  assert_true(second > 4.95 && second < 5.15);
  /* Then 800 B/s: 229-byte chunks every 0.286 s on average. */
  double gap = (at(&c, c.l->n - 1, t0) - at(&c, burst + 2, t0)) / (double)(c.l->n - burst - 3);
  assert_true(gap > 0.27 && gap < 0.30);
  client_end(&c);
}

static void test_research_shares_and_bypass(void **state) {
  (void)state;
  client c;
  client_start(&c, 10000, 0);
  uint64_t t0 = c.now;
  /* Behaviour 4: two priorities backlogged get 400 B/s each. */
  send_frames(c.s, OGRH_CTL_NORMAL, 'n', 300, CHUNK_TEXT, t0);
  send_frames(c.s, OGRH_CTL_BULK, 'b', 300, CHUNK_TEXT, t0);
  size_t start = c.l->n;
  client_run(&c, t0 + 60000);
  size_t cnt[2] = {0, 0};
  for (size_t i = start; i < c.l->n; i++)
    cnt[c.l->who[i] == 'b']++;
  double rn = (double)cnt[0] * 229 / 60, rb = (double)cnt[1] * 229 / 60;
  printf("# two priorities: %.0f and %.0f B/s\n", rn, rb);
  assert_true(rn > 370 && rn < 420 && rb > 370 && rb < 420);
  client_end(&c);
  /* Raw sends (other addons, bypassing the sender) drive the budget below 0, never below the
     floor of -1600: the next chunk waits until 800 B/s have paid it back. */
  client_start(&c, 10000, 0);
  t0 = c.now;
  ogrh_sender_bypass(c.s, 20000, t0);
  assert_true(ogrh_sender_avail(c.s) < 0);
  client_run(&c, t0 + 100);
  assert_true(ogrh_sender_avail(c.s) >= c.p.floor);
  send_frames(c.s, OGRH_CTL_NORMAL, 'a', 1, CHUNK_TEXT, c.now);
  assert_int_equal(c.l->n, 0);
  client_run(&c, t0 + 10000);
  assert_int_equal(c.l->n, 1);
  /* From about -1600 to above 229 at 800 B/s: about 2.3 s. */
  assert_true(at(&c, 0, t0) > 2.1 && at(&c, 0, t0) < 2.6);
  client_end(&c);
}

static void test_research_fifo_within_a_priority(void **state) {
  (void)state;
  client c;
  client_start(&c, 10000, 0);
  uint64_t t0 = c.now;
  /* Behaviour 5: what comes later at the same priority waits behind every chunk already
     queued there (OGAddonMsg's HIGH and NORMAL share CTL's NORMAL); another priority gets its
     share at once. */
  send_frames(c.s, OGRH_CTL_NORMAL, 'a', 60, CHUNK_TEXT, t0);
  send_frames(c.s, OGRH_CTL_NORMAL, 'h', 1, CHUNK_TEXT, t0 + 20);
  send_frames(c.s, OGRH_CTL_ALERT, 'x', 1, CHUNK_TEXT, t0 + 20);
  client_run(&c, t0 + 60000);
  assert_int_equal(c.l->n, 62);
  size_t at_h = 0, at_x = 0;
  for (size_t i = 0; i < c.l->n; i++) {
    if (c.l->who[i] == 'h') at_h = i;
    if (c.l->who[i] == 'x') at_x = i;
  }
  assert_int_equal(at_h, 61);
  assert_true(at_x < 20);
  client_end(&c);
}

static void test_names_and_profiles(void **state) {
  (void)state;
  assert_string_equal(ogrh_ctl_prio_name(OGRH_CTL_BULK), "bulk");
  assert_string_equal(ogrh_ctl_prio_name(7), "?");
  assert_string_equal(ogrh_send_failure_name(OGRH_SEND_SUPERSEDED), "superseded");
  assert_string_equal(ogrh_send_failure_name(0), "?");
  ogrh_ctl_params p;
  assert_int_equal(ogrh_ctl_profile("retail", &p), OGRH_OK);
  assert_true(p.max_cps == 255 && p.burst == 2550 && p.msg_overhead == 0);
  assert_int_equal(ogrh_ctl_profile(NULL, &p), OGRH_OK);
  assert_true(p.max_cps == 800 && p.burst == 4000 && p.msg_overhead == 40);
  assert_int_equal(ogrh_ctl_profile("fast", &p), OGRH_EINVAL);
}

/* ---- time ---- */

static void test_clock_steps_back(void **state) {
  (void)state;
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  sent_log *l = calloc(1, sizeof *l);
  ogrh_sender *s = ogrh_sender_new(&p, log_out, l, 100000);
  /* A clock that goes back must not look like a long wait (a full budget at once). */
  run_ticks(s, 100000, 106000, 20);
  send_frames(s, OGRH_CTL_NORMAL, 'a', 30, CHUNK_TEXT, 106000);
  size_t after = l->n;
  run_ticks(s, 50, 500, 20);
  assert_int_equal(l->n, after);
  assert_true(ogrh_sender_avail(s) < 300);
  ogrh_sender_free(s, 500);
  free(l);
}

/* ---- allocation failures ---- */

typedef struct sfx {
  sent_log *l;
  cbs a, b;
} sfx;

/*
** A send that is partly direct and partly queued, superseding a queued message: a failure
** must leave no frame sent, none queued, and the old message still queued; afterwards the
** sender works (the same send succeeds and everything leaves).
*/
static int send_op(void *ud, long k) {
  (void)k;
  sfx *x = ud;
  memset(x->l, 0, sizeof *x->l);
  memset(&x->a, 0, sizeof x->a);
  memset(&x->b, 0, sizeof x->b);
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  ogrh_sender *s = ogrh_sender_new(&p, log_out, x->l, 0);
  if (!s) return OGRH_ENOMEM;
  run_ticks(s, 0, 10000, 20);
  static uint8_t text[20][200];
  const uint8_t *texts[20];
  size_t lens[20];
  for (int i = 0; i < 20; i++) {
    memset(text[i], 'a' + (i % 26), sizeof text[i]);
    texts[i] = text[i];
    lens[i] = 180;
  }
  ogrh_send_cb ca = {cb_progress, cb_sent, cb_failed, &x->a},
               cbb = {cb_progress, cb_sent, cb_failed, &x->b};
  int rc = ogrh_sender_send(s, OGRH_CTL_NORMAL, "OGRH", texts, lens, 20, NULL, NULL, 10000);
  if (!rc) rc = ogrh_sender_send(s, OGRH_CTL_BULK, "OGRH", texts, lens, 2, "poll", &ca, 10000);
  size_t sent = x->l->n, queued = ogrh_sender_queued(s);
  if (!rc) {
    rc = ogrh_sender_send(s, OGRH_CTL_BULK, "OGRH", texts, lens, 3, "poll", &cbb, 10000);
    if (rc) {
      /* Nothing happened: the first poll is still queued, nothing more left. */
      assert_int_equal(x->l->n, sent);
      assert_int_equal(ogrh_sender_queued(s), queued);
      assert_int_equal(x->a.failed, 0);
    } else {
      assert_int_equal(x->a.failed, 1);
      assert_int_equal(ogrh_sender_queued(s), queued - 2 + 3);
    }
    run_ticks(s, 10020, 60000, 20);
    assert_int_equal(ogrh_sender_queued(s), 0);
    assert_int_equal(x->b.sent, rc ? 0 : 1);
    assert_int_equal(x->a.sent, rc ? 1 : 0);
  }
  ogrh_sender_free(s, 60000);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  sfx x;
  memset(&x, 0, sizeof x);
  x.l = calloc(1, sizeof *x.l);
  assert_true(tu_alloc_fail_loop(send_op, &x, 200) > 10);
  free(x.l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_throttle_burst_then_rate),
      cmocka_unit_test(test_throttle_post_login_and_fps),
      cmocka_unit_test(test_throttle_priorities_share),
      cmocka_unit_test(test_supersede_and_callbacks),
      cmocka_unit_test(test_research_idle_sender),
      cmocka_unit_test(test_research_loading_screen),
      cmocka_unit_test(test_research_shares_and_bypass),
      cmocka_unit_test(test_research_fifo_within_a_priority),
      cmocka_unit_test(test_names_and_profiles),
      cmocka_unit_test(test_clock_steps_back),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
