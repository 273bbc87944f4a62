#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the channel-safe transform ---- */

static void test_safe_transform(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  assert_int_equal(c.base, 252);
  assert_int_equal(c.frame_text, 250);
  ogrh_rng r;
  ogrh_rng_seed(&r, 3);
  uint8_t in[400];
  for (size_t n = 0; n <= 351; n++) {
    for (size_t i = 0; i < n; i++)
      in[i] = (uint8_t)ogrh_rng_next(&r);
    if (n % 7 == 0 && n) memset(in, n % 14 ? 0xff : 0x00, n); /* extremes */
    ogrh_buf e, d;
    ogrh_buf_init(&e);
    ogrh_buf_init(&d);
    assert_int_equal(ogrh_safe_encode(&c, in, n, &e), OGRH_OK);
    assert_int_equal(e.n, n ? n + 1 : 0); /* one byte of overhead, whatever the data */
    for (size_t i = 0; i < e.n; i++)
      assert_false(c.forbidden[(uint8_t)e.p[i]]);
    assert_int_equal(ogrh_safe_decode(&c, (const uint8_t *)e.p, e.n, &d), OGRH_OK);
    assert_int_equal(d.n, n);
    if (n) assert_memory_equal(d.p, in, n);
    ogrh_buf_deinit(&e);
    ogrh_buf_deinit(&d);
  }
  /* A larger forbidden set costs more digits but still round-trips. */
  uint8_t bad[40];
  for (int i = 0; i < 40; i++)
    bad[i] = (uint8_t)(i * 6);
  assert_int_equal(ogrh_wire_cfg_forbid(&c, bad, 40), OGRH_OK);
  for (size_t n = 1; n < 300; n += 13) {
    for (size_t i = 0; i < n; i++)
      in[i] = (uint8_t)ogrh_rng_next(&r);
    ogrh_buf e, d;
    ogrh_buf_init(&e);
    ogrh_buf_init(&d);
    assert_int_equal(ogrh_safe_encode(&c, in, n, &e), OGRH_OK);
    for (size_t i = 0; i < e.n; i++)
      assert_false(c.forbidden[(uint8_t)e.p[i]]);
    assert_int_equal(ogrh_safe_decode(&c, (const uint8_t *)e.p, e.n, &d), OGRH_OK);
    assert_memory_equal(d.p, in, n);
    ogrh_buf_deinit(&e);
    ogrh_buf_deinit(&d);
  }
  /* Forbidden bytes and out-of-range numbers are refused. */
  ogrh_wire_cfg_default(&c);
  ogrh_buf d;
  ogrh_buf_init(&d);
  assert_int_equal(ogrh_safe_decode(&c, (const uint8_t *)"ab|c", 4, &d), OGRH_ECORRUPT);
  uint8_t top[3] = {0xff, 0xff, 0xff};
  assert_int_equal(ogrh_safe_decode(&c, top, 3, &d), OGRH_ECORRUPT); /* 252^3-1 > 256^2-1 */
  ogrh_buf_deinit(&d);
}

static void test_deflate_with_dictionary(void **state) {
  (void)state;
  assert_true(ogrh_dict_size() > 1000 && ogrh_dict_size() <= 32768);
  ogrh_doc *d = tu_generated(4, 1);
  ogrh_table *enc = ogrh_doc_encounter(d, 2, 1);
  ogrh_value v = ogrh_vtable(enc);
  ogrh_buf body, z, back;
  ogrh_buf_init(&body);
  ogrh_buf_init(&z);
  ogrh_buf_init(&back);
  assert_int_equal(ogrh_compact_encode(&v, &body), OGRH_OK);
  assert_int_equal(ogrh_deflate((const uint8_t *)body.p, body.n, &z), OGRH_OK);
  assert_true(z.n * 3 < body.n); /* the dictionary knows what encounters look like */
  assert_int_equal(ogrh_inflate((const uint8_t *)z.p, z.n, 1 << 20, &back), OGRH_OK);
  assert_int_equal(back.n, body.n);
  assert_memory_equal(back.p, body.p, body.n);
  /* Limits and garbage. */
  back.n = 0;
  assert_int_equal(ogrh_inflate((const uint8_t *)z.p, z.n, 10, &back), OGRH_ETOOBIG);
  back.n = 0;
  assert_true(ogrh_inflate((const uint8_t *)"garbage!", 8, 1000, &back) < 0);
  ogrh_buf_deinit(&body);
  ogrh_buf_deinit(&z);
  ogrh_buf_deinit(&back);
  ogrh_doc_free(d);
}

static void test_compact_codec(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(5, 1);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_buf b;
  ogrh_buf_init(&b);
  /* Every raid of a generated plan round-trips. */
  ogrh_table *raids = ogrh_doc_raids(d);
  for (uint32_t i = 0; i < raids->n; i++) {
    b.n = 0;
    assert_int_equal(ogrh_compact_encode(&raids->e[i].val, &b), OGRH_OK);
    ogrh_value v;
    size_t used;
    assert_int_equal(ogrh_compact_decode(a, (const uint8_t *)b.p, b.n, &v, &used), OGRH_OK);
    assert_int_equal(used, b.n);
    assert_true(ogrh_value_equal(&v, &raids->e[i].val));
  }
  ogrh_value odd = tu_lit(a, "{ -5, 1e300, -0.0, 'x', '', ['k'] = { [7] = true, [-1] = false }, "
                             "[100] = 64, [-9223372036854775807] = 63 }");
  b.n = 0;
  ogrh_compact_encode(&odd, &b);
  ogrh_value back;
  assert_int_equal(ogrh_compact_decode(a, (const uint8_t *)b.p, b.n, &back, NULL), OGRH_OK);
  assert_true(ogrh_value_equal(&odd, &back));
  /* Operations. */
  ogrh_path p;
  ogrh_path_parse("encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers.3", &p, NULL);
  ogrh_value name = ogrh_vcstr("Kazumor");
  b.n = 0;
  assert_int_equal(ogrh_op_encode(&p, &name, &b), OGRH_OK);
  assert_true(b.n < 70);
  ogrh_op op;
  assert_int_equal(ogrh_op_decode(a, (const uint8_t *)b.p, b.n, &op, NULL), OGRH_OK);
  assert_int_equal(op.path.n, 9);
  assert_true(ogrh_value_equal(&op.value, &name));
  ogrh_value nil = ogrh_vnil();
  b.n = 0;
  ogrh_op_encode(&p, &nil, &b);
  assert_int_equal(ogrh_op_decode(a, (const uint8_t *)b.p, b.n, &op, NULL), OGRH_OK);
  assert_int_equal(op.value.type, OGRH_NIL);
  /* Malformed input never reads past its end. */
  const uint8_t bad1[] = {0x06, 0xff, 0xff, 0xff, 0x0f};
  const uint8_t bad2[] = {0x07, 0x00};
  const uint8_t bad3[] = {0x05, 0x10, 'a'};
  ogrh_value x;
  assert_int_equal(ogrh_compact_decode(a, bad1, sizeof bad1, &x, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_compact_decode(a, bad2, sizeof bad2, &x, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_compact_decode(a, bad3, sizeof bad3, &x, NULL), OGRH_ECORRUPT);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
  ogrh_doc_free(d);
}

/* ---- framing and reassembly ---- */

typedef struct got {
  int n;
  ogrh_buf last;
  uint8_t type;
  char target[32];
  char sender[49];
} got;

static void collect(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  (void)now;
  got *g = ud;
  g->n++;
  g->last.n = 0;
  ogrh_buf_add(&g->last, m->body, m->body_len);
  g->type = m->type;
  snprintf(g->target, sizeof g->target, "%s", m->target);
  snprintf(g->sender, sizeof g->sender, "%s", sender);
}

static void test_framing_round_trips(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  got g = {0};
  ogrh_buf_init(&g.last);
  ogrh_reasm *r = ogrh_reasm_new(&c, NULL, 1, collect, NULL, NULL, &g);
  ogrh_rng rng;
  ogrh_rng_seed(&rng, 9);
  size_t max = 100 * 1024;
  uint8_t *data = malloc(max);
  for (size_t i = 0; i < max; i++)
    data[i] = (uint8_t)ogrh_rng_next(&rng);
  /* Every size up to 4 KiB, every frame boundary (and its neighbours) up to 100 KiB, and a
     stride in between. */
  size_t checked = 0;
  uint16_t id = 0;
  for (size_t n = 0; n <= max; n = n < 4096 ? n + 1 : n + 997) {
    for (int variant = 0; variant < 3; variant++) {
      size_t len = n;
      if (n >= 4096) {
        size_t k = n / 246;
        len = variant == 0 ? n : k * 246 + (size_t)variant - 2 + 247;
        if (len > max) continue;
      } else if (variant) {
        continue;
      }
      ogrh_frames f;
      ogrh_frames_init(&f);
      id = (uint16_t)((id + 1) & 0x3ff);
      assert_int_equal(ogrh_wire_pack(&c, id, 0x21, NULL, data, len, false, &f), OGRH_OK);
      for (size_t i = 0; i < f.n; i++) {
        assert_true(f.len[i] <= c.frame_text);
        for (size_t k = 0; k < f.len[i]; k++)
          assert_false(c.forbidden[(uint8_t)f.data.p[f.off[i] + k]]);
        /* After the first frame: a 3-byte header and one byte of the transform. */
        if (i > 0 && i + 1 < f.n) assert_int_equal(f.len[i], 250);
      }
      /* Frame count: one frame while the 3-byte message header and the data fit beside a
         2-byte single-frame header in 249 bytes, else 246 message bytes a frame. */
      size_t msglen = len + 3;
      assert_int_equal(f.n, msglen + 2 <= 249 ? 1 : (msglen + 245) / 246);
      int before = g.n;
      for (size_t i = 0; i < f.n; i++)
        assert_int_equal(
            ogrh_reasm_frame(r, "Admin", (const uint8_t *)f.data.p + f.off[i], f.len[i], 1000),
            OGRH_OK);
      assert_int_equal(g.n, before + 1);
      assert_int_equal(g.last.n, len);
      if (len) assert_memory_equal(g.last.p, data, len);
      ogrh_frames_deinit(&f);
      checked++;
    }
  }
  assert_true(checked > 4300);
  assert_int_equal(ogrh_reasm_held(r), 0);
  ogrh_reasm_free(r);
  free(data);
  ogrh_buf_deinit(&g.last);
}

/*
** Every size from 0 to 100 KiB, with the transform set to identity (no forbidden bytes): the
** transform itself is checked at every frame length above, so this covers framing and
** reassembly at every size in seconds rather than minutes.
*/
static void test_framing_every_size(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  assert_int_equal(ogrh_wire_cfg_forbid(&c, NULL, 0), OGRH_OK);
  assert_int_equal(c.base, 256);
  got g = {0};
  ogrh_buf_init(&g.last);
  ogrh_reasm *r = ogrh_reasm_new(&c, NULL, 1, collect, NULL, NULL, &g);
  size_t max = 100 * 1024;
  uint8_t *data = malloc(max);
  ogrh_rng rng;
  ogrh_rng_seed(&rng, 5);
  for (size_t i = 0; i < max; i++)
    data[i] = (uint8_t)ogrh_rng_next(&rng);
  ogrh_frames f;
  ogrh_frames_init(&f);
  for (size_t n = 0; n <= max; n++) {
    f.data.n = 0;
    f.n = 0;
    assert_int_equal(ogrh_wire_pack(&c, (uint16_t)(n & 0x3ff), 0x21, NULL, data, n, false, &f),
                     OGRH_OK);
    int before = g.n;
    for (size_t i = 0; i < f.n; i++) {
      if (f.len[i] > c.frame_text) fail();
      ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p + f.off[i], f.len[i], (uint64_t)n * 1000);
    }
    if (g.n != before + 1 || g.last.n != n || (n && memcmp(g.last.p, data, n) != 0)) {
      fprintf(stderr, "size %zu failed\n", n);
      fail();
    }
  }
  assert_int_equal(ogrh_reasm_held(r), 0);
  ogrh_frames_deinit(&f);
  ogrh_reasm_free(r);
  free(data);
  ogrh_buf_deinit(&g.last);
}

static void test_reordering_duplicates_memory(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  got g = {0};
  ogrh_buf_init(&g.last);
  ogrh_reasm_limits lim;
  ogrh_reasm_limits_default(&lim);
  lim.max_bytes_per_sender = 20000;
  ogrh_reasm *r = ogrh_reasm_new(&c, &lim, 1, collect, NULL, NULL, &g);
  ogrh_rng rng;
  ogrh_rng_seed(&rng, 2);
  uint8_t data[9000];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)ogrh_rng_next(&rng);
  ogrh_frames f;
  ogrh_frames_init(&f);
  assert_int_equal(ogrh_wire_pack(&c, 7, 0x21, "Tankadin", data, sizeof data, true, &f), OGRH_OK);
  /* Shuffled, every frame twice. */
  size_t order[200], n = 0;
  for (size_t i = 0; i < f.n; i++)
    order[n++] = i, order[n++] = i;
  for (size_t i = n; i > 1; i--) {
    size_t j = ogrh_rng_below(&rng, i), t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
  for (size_t i = 0; i < n; i++)
    ogrh_reasm_frame(r, "Admin", (const uint8_t *)f.data.p + f.off[order[i]], f.len[order[i]],
                     1000 + i);
  assert_int_equal(g.n, 1);
  assert_string_equal(g.target, "Tankadin");
  assert_memory_equal(g.last.p, data, sizeof data);
  assert_int_equal(ogrh_reasm_stats_get(r)->duplicates, f.n);
  /* Late copies of a completed message are dropped, not reopened. */
  ogrh_reasm_frame(r, "Admin", (const uint8_t *)f.data.p + f.off[1], f.len[1], 5000);
  assert_int_equal(ogrh_reasm_held(r), 0);
  ogrh_frames_deinit(&f);
  /* A sender cannot make us hold more than the limit: start many messages, finish none. */
  for (uint16_t id = 100; id < 140; id++) {
    ogrh_frames h;
    ogrh_frames_init(&h);
    ogrh_wire_pack(&c, id, 0x21, NULL, data, 4000, false, &h);
    for (size_t i = 0; i + 1 < h.n; i++)
      ogrh_reasm_frame(r, "Flooder", (const uint8_t *)h.data.p + h.off[i], h.len[i], 2000);
    ogrh_frames_deinit(&h);
    assert_true(ogrh_reasm_held(r) <= lim.max_bytes_per_sender);
  }
  assert_true(ogrh_reasm_stats_get(r)->dropped_memory > 0);
  /* Incomplete messages time out. */
  ogrh_reasm_tick(r, 2000 + lim.timeout_ms + 1);
  assert_int_equal(ogrh_reasm_held(r), 0);
  assert_true(ogrh_reasm_stats_get(r)->timeouts > 0);
  /* Garbage frames are counted, not crashed on. */
  assert_int_equal(ogrh_reasm_frame(r, "X", (const uint8_t *)"|||", 3, 9999), OGRH_ECORRUPT);
  ogrh_reasm_free(r);
  ogrh_buf_deinit(&g.last);
}

/* ---- the throttle, against schedules computed by hand ---- */

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

static void test_throttle_burst_then_rate(void **state) {
  (void)state;
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  sent_log *l = calloc(1, sizeof *l);
  ogrh_sender *s = ogrh_sender_new(&p, log_out, l, 0);
  run_ticks(s, 0, 10000, 20); /* idle for 10 s: the budget is full (4000) */
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
  ogrh_sender_free(s, 20000);
  free(l);
}

static void test_throttle_post_login_and_fps(void **state) {
  (void)state;
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  sent_log *l = calloc(1, sizeof *l);
  ogrh_sender *s = ogrh_sender_new(&p, log_out, l, 0);
  /* Straight after login the budget is 0 and refills at 80 B/s (6.4 per 80 ms tick): the
     first 229-byte frame leaves when 6.4k > 229, k = 36: at 2.880 s. */
  send_frames(s, OGRH_CTL_NORMAL, 'a', 5, 184, 0);
  assert_int_equal(l->n, 0);
  run_ticks(s, 20, 6000, 20);
  assert_int_equal(l->t[0], 2880);
  /* Then 1.4 left; +6.4 a tick until 5 s (25 ticks to 4.880, 26 at 4.960: 167.8), the hard
     throttle ends and 5.040 adds 64: 231.8 > 229 -> second frame at 5.040. */
  assert_int_equal(l->t[1], 5040);
  ogrh_sender_free(s, 7000);
  /* Below 20 fps: half the rate, 400 B/s, i.e. a 229-byte frame every 0.57 s. */
  memset(l, 0, sizeof *l);
  s = ogrh_sender_new(&p, log_out, l, 0);
  ogrh_sender_set_fps(s, 15);
  run_ticks(s, 0, 10000, 66);
  send_frames(s, OGRH_CTL_NORMAL, 'a', 200, 184, 10000);
  size_t burst = l->n;
  assert_int_equal(burst, 3); /* the budget is capped at 800 below 20 fps: 800/229 -> 3 */
  run_ticks(s, 10066, 30000, 66);
  double rate = (double)(l->n - burst) * 229.0 / 20.0;
  assert_true(rate > 360 && rate < 420);
  ogrh_sender_free(s, 40000);
  free(l);
}

static void test_throttle_priorities_share(void **state) {
  (void)state;
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  sent_log *l = calloc(1, sizeof *l);
  ogrh_sender *s = ogrh_sender_new(&p, log_out, l, 0);
  run_ticks(s, 0, 10000, 20);
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
  ogrh_sender_free(s, 80000);
  free(l);
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
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  sent_log *l = calloc(1, sizeof *l);
  ogrh_sender *s = ogrh_sender_new(&p, log_out, l, 0);
  run_ticks(s, 0, 10000, 20);
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

/* ---- endpoints on a lossy broadcast channel ---- */

#define NEP 6
typedef struct net {
  ogrh_router *ep[NEP];
  char names[NEP][16];
  got g[NEP];
  ogrh_rng rng;
  double loss;
  struct {
    int from;
    uint8_t text[256];
    size_t n;
  } q[8192];
  size_t nq;
} net;

static net *the_net;

static void net_out(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  (void)prefix;
  (void)now;
  net *nt = the_net;
  int from = (int)(intptr_t)ud;
  assert_true(n <= 250);
  assert_true(nt->nq < 8192);
  nt->q[nt->nq].from = from;
  memcpy(nt->q[nt->nq].text, text, n);
  nt->q[nt->nq++].n = n;
}

static void on_msg(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  collect(ud, sender, m, now);
}

static unsigned roles(void *ud, const char *player) {
  (void)ud;
  return strcmp(player, "Admin") == 0 ? OGRH_ROLE_ADMIN : OGRH_ROLE_MEMBER;
}

static void net_step(net *nt, uint64_t now) {
  size_t n = nt->nq;
  nt->nq = 0;
  for (size_t i = 0; i < n; i++)
    for (int j = 0; j < NEP; j++) {
      if (ogrh_rng_unit(&nt->rng) < nt->loss && j != nt->q[i].from) continue;
      ogrh_router_receive(nt->ep[j], nt->names[nt->q[i].from], "OGRH", nt->q[i].text, nt->q[i].n,
                          now);
    }
  for (int j = 0; j < NEP; j++)
    ogrh_router_tick(nt->ep[j], now);
}

static void test_loss_recovered_by_nacks(void **state) {
  (void)state;
  net *nt = calloc(1, sizeof *nt);
  the_net = nt;
  ogrh_rng_seed(&nt->rng, 11);
  nt->loss = 0.2;
  for (int i = 0; i < NEP; i++) {
    snprintf(nt->names[i], sizeof nt->names[i], i == 0 ? "Admin" : "Player%d", i);
    ogrh_router_cfg c;
    ogrh_router_cfg_default(&c);
    c.self = nt->names[i];
    c.out = net_out;
    c.ud = (void *)(intptr_t)i;
    c.role = roles;
    c.seed = (uint64_t)i + 1;
    nt->ep[i] = ogrh_router_new(&c, 0);
    assert_non_null(nt->ep[i]);
    ogrh_buf_init(&nt->g[i].last);
    ogrh_router_register(nt->ep[i], OGRH_MT_REPAIR, "repair", on_msg, &nt->g[i], OGRH_CTL_NORMAL,
                         OGRH_ROLE_ADMIN);
  }
  uint8_t body[20000];
  ogrh_rng r2;
  ogrh_rng_seed(&r2, 4);
  for (size_t i = 0; i < sizeof body; i++)
    body[i] = (uint8_t)ogrh_rng_next(&r2);
  uint64_t now = 10000;
  assert_int_equal(
      ogrh_router_send(nt->ep[0], OGRH_MT_REPAIR, body, sizeof body, -1, NULL, NULL, NULL, now),
      OGRH_OK);
  for (; now < 200000; now += 20) {
    net_step(nt, now);
    int done = 0;
    for (int j = 1; j < NEP; j++)
      done += nt->g[j].n;
    if (done == NEP - 1) break;
  }
  for (int j = 1; j < NEP; j++) {
    assert_int_equal(nt->g[j].n, 1);
    assert_memory_equal(nt->g[j].last.p, body, sizeof body);
  }
  assert_int_equal(nt->g[0].n, 0); /* own echoes are dropped */
  assert_true(ogrh_router_stats_get(nt->ep[0])->own_echoes > 0);
  assert_true(ogrh_router_stats_get(nt->ep[0])->resent_frames > 0);
  /* Members may not send repairs; targets are honoured. */
  ogrh_router_send(nt->ep[1], OGRH_MT_REPAIR, body, 10, -1, NULL, NULL, NULL, now);
  ogrh_router_send(nt->ep[0], OGRH_MT_REPAIR, body, 10, -1, "Player2", NULL, NULL, now);
  nt->loss = 0;
  for (int k = 0; k < 2000 && nt->g[2].n < 2; k++)
    net_step(nt, now += 20);
  for (int k = 0; k < 50; k++)
    net_step(nt, now += 20);
  assert_true(ogrh_router_stats_get(nt->ep[2])->refused_role >= 1);
  assert_int_equal(nt->g[2].n, 2);
  assert_int_equal(nt->g[3].n, 1);
  assert_true(ogrh_router_stats_get(nt->ep[3])->not_for_us >= 1);
  /* A message of another protocol version is dropped and counted. */
  uint8_t raw[6] = {0x80, 0x50, 2, OGRH_MT_REPAIR, 0, 'x'};
  ogrh_wire_cfg wc;
  ogrh_wire_cfg_default(&wc);
  ogrh_buf t;
  ogrh_buf_init(&t);
  assert_int_equal(ogrh_safe_encode(&wc, raw, sizeof raw, &t), OGRH_OK);
  uint64_t before = ogrh_router_stats_get(nt->ep[3])->bad_version;
  ogrh_router_receive(nt->ep[3], "Admin", "OGRH", (const uint8_t *)t.p, t.n, now);
  assert_int_equal(ogrh_router_stats_get(nt->ep[3])->bad_version, before + 1);
  assert_int_equal(nt->g[3].n, 1);
  ogrh_buf_deinit(&t);
  for (int i = 0; i < NEP; i++) {
    ogrh_router_free(nt->ep[i], now);
    ogrh_buf_deinit(&nt->g[i].last);
  }
  free(nt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_safe_transform),
      cmocka_unit_test(test_deflate_with_dictionary),
      cmocka_unit_test(test_compact_codec),
      cmocka_unit_test(test_framing_round_trips),
      cmocka_unit_test(test_framing_every_size),
      cmocka_unit_test(test_reordering_duplicates_memory),
      cmocka_unit_test(test_throttle_burst_then_rate),
      cmocka_unit_test(test_throttle_post_login_and_fps),
      cmocka_unit_test(test_throttle_priorities_share),
      cmocka_unit_test(test_supersede_and_callbacks),
      cmocka_unit_test(test_loss_recovered_by_nacks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
