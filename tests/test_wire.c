/* The wire format (wire.h): the channel-safe transform, DEFLATE with the dictionary, framing,
** the message checksum, reassembly and its bounds, NACKs, and every allocation failure. */
#include "testutil.h"
#include "wire_int.h"

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
  /* No limit is a limit too large to reach. */
  ogrh_buf_reset(&back);
  assert_int_equal(ogrh_inflate((const uint8_t *)z.p, z.n, SIZE_MAX, &back), OGRH_OK);
  assert_int_equal(back.n, body.n);
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
      /* Frame count: one frame while the 2-byte message header, the data and the 4-byte
         checksum fit beside a 2-byte single-frame header in 249 bytes, else 246 message
         bytes a frame. */
      size_t msglen = len + 2 + 4;
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

/* ---- the message checksum ---- */

typedef struct flips {
  int delivered;
} flips;

static void count_delivery(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  (void)sender, (void)m, (void)now;
  ((flips *)ud)->delivered++;
}

/*
** Feeds frames to a fresh reassembler with the clock at 0, with bit `bit` of frame `which`
** flipped, then lets every timeout pass. Nothing may be delivered, and the refusal must show
** in the statistics (corrupt, bad checksum, timed out or dropped).
*/
static void flipped_refused(const ogrh_wire_cfg *c, const ogrh_frames *f, size_t which,
                            size_t bit) {
  flips fl = {0};
  ogrh_reasm *r = ogrh_reasm_new(c, NULL, 1, count_delivery, NULL, NULL, &fl);
  uint8_t text[256];
  for (size_t i = 0; i < f->n; i++) {
    memcpy(text, f->data.p + f->off[i], f->len[i]);
    if (i == which) text[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    ogrh_reasm_frame(r, "Admin", text, f->len[i], 0);
  }
  ogrh_reasm_limits l;
  ogrh_reasm_limits_default(&l);
  ogrh_reasm_tick(r, l.timeout_ms + 1);
  const ogrh_reasm_stats *st = ogrh_reasm_stats_get(r);
  if (fl.delivered || st->corrupt + st->bad_checksum + st->timeouts + st->dropped_memory == 0) {
    fprintf(stderr, "frame %zu bit %zu: delivered %d\n", which, bit, fl.delivered);
    fail();
  }
  assert_int_equal(ogrh_reasm_held(r), 0);
  ogrh_reasm_free(r);
}

static void every_bit_refused(const ogrh_wire_cfg *c, const ogrh_frames *f) {
  for (size_t i = 0; i < f->n; i++)
    for (size_t bit = 0; bit < f->len[i] * 8; bit++)
      flipped_refused(c, f, i, bit);
}

/* Issue 8, defect 16: one flipped bit turned "Ouro" into "Ouio" and decoded without a word. */
static void test_every_flipped_bit_is_refused(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  ogrh_doc *d = tu_generated(1, 1);
  ogrh_buf body;
  ogrh_buf_init(&body);
  ogrh_table *raids = ogrh_doc_raids(d);
  /* A single-frame message (a component), a compressed one of 3 frames (an encounter), the
     same uncompressed, and a targeted one. */
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value pv;
  ogrh_component_project(a, ogrh_doc_encounter(d, 1, 1), 2, &pv);
  ogrh_unit_body_encode(OGRH_UNIT_COMPONENT, "BWL", 3, "Razorgore", 9, 2, &pv, &body);
  ogrh_frames f;
  ogrh_frames_init(&f);
  assert_int_equal(
      ogrh_wire_pack(&c, 5, OGRH_MT_REPAIR, NULL, (const uint8_t *)body.p, body.n, true, &f),
      OGRH_OK);
  assert_int_equal(f.n, 1);
  every_bit_refused(&c, &f);
  ogrh_buf_reset(&body);
  ogrh_value ev = ogrh_vtable(ogrh_doc_encounter(d, 1, 1));
  ogrh_unit_body_encode(OGRH_UNIT_ENCOUNTER, "BWL", 3, "Razorgore", 9, 0, &ev, &body);
  ogrh_frames_reset(&f);
  assert_int_equal(ogrh_wire_pack(&c, 6, OGRH_MT_REPAIR, NULL, (const uint8_t *)body.p,
                                  body.n > 600 ? 600 : body.n, false, &f),
                   OGRH_OK);
  assert_int_equal(f.n, 3);
  every_bit_refused(&c, &f);
  ogrh_buf_reset(&body);
  ogrh_unit_body_encode(OGRH_UNIT_RAID, "BWL", 3, NULL, 0, 0, &raids->e[1].val, &body);
  ogrh_frames_reset(&f);
  assert_int_equal(
      ogrh_wire_pack(&c, 7, OGRH_MT_REPAIR, "Tankadin", (const uint8_t *)body.p, body.n, true, &f),
      OGRH_OK);
  assert_true(f.n >= 2);
  every_bit_refused(&c, &f);
  /* The unflipped frames are delivered, of course. */
  flips fl = {0};
  ogrh_reasm *r = ogrh_reasm_new(&c, NULL, 1, count_delivery, NULL, NULL, &fl);
  for (size_t i = 0; i < f.n; i++)
    assert_int_equal(ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p + f.off[i], f.len[i], 0),
                     OGRH_OK);
  assert_int_equal(fl.delivered, 1);
  ogrh_reasm_free(r);
  /* NACKs carry a checksum too. */
  ogrh_buf nk;
  ogrh_buf_init(&nk);
  uint16_t ranges[4] = {1, 2, 7, 1};
  assert_int_equal(ogrh_wire_nack(&c, "Admin", 7, ranges, 2, &nk), OGRH_OK);
  for (size_t bit = 0; bit < nk.n * 8; bit++) {
    uint8_t text[256];
    memcpy(text, nk.p, nk.n);
    text[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    r = ogrh_reasm_new(&c, NULL, 1, count_delivery, NULL, NULL, &fl);
    assert_int_equal(ogrh_reasm_frame(r, "B", text, nk.n, 0), OGRH_ECORRUPT);
    ogrh_reasm_free(r);
  }
  ogrh_buf_deinit(&nk);
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&body);
  ogrh_arena_free(a);
  ogrh_doc_free(d);
}

/* ---- time: every path with the clock starting at 0 ---- */

typedef struct nacks {
  int n;
  uint64_t at[64];
  ogrh_buf last;
} nacks;

static int record_nack(void *ud, const uint8_t *text, size_t n, uint64_t now) {
  nacks *k = ud;
  if (k->n < 64) k->at[k->n] = now;
  k->n++;
  ogrh_buf_reset(&k->last);
  return ogrh_buf_add(&k->last, text, n);
}

static void noop_deliver(void *ud, const char *s, const ogrh_msg *m, uint64_t now) {
  (void)ud, (void)s, (void)m, (void)now;
}

/* A reassembler with the default limits but no jitter, whose NACKs go to k. */
static ogrh_reasm *nacking_reasm(const ogrh_wire_cfg *c, nacks *k, ogrh_reasm_limits *l) {
  ogrh_reasm_limits_default(l);
  l->nack_jitter_ms = 0;
  memset(k, 0, sizeof *k);
  ogrh_buf_init(&k->last);
  return ogrh_reasm_new(c, l, 1, noop_deliver, record_nack, NULL, k);
}

/* Issue 8, defect 2: a partial message started at t = 0 was kept for ever. */
static void test_clock_starting_at_zero(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  ogrh_reasm_limits l;
  nacks k;
  ogrh_reasm *r = nacking_reasm(&c, &k, &l);
  uint8_t data[1000];
  memset(data, 'x', sizeof data);
  ogrh_frames f;
  ogrh_frames_init(&f);
  assert_int_equal(ogrh_wire_pack(&c, 3, 0x21, NULL, data, sizeof data, false, &f), OGRH_OK);
  assert_true(f.n >= 3);
  /* The first frame at t = 0, the rest never. */
  assert_int_equal(ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p, f.len[0], 0), OGRH_OK);
  assert_true(ogrh_reasm_held(r) > 0);
  /* NACKs: after 1500 ms, then with doubling delays, at most 5. */
  for (uint64_t t = 0; t <= l.timeout_ms; t += 10)
    ogrh_reasm_tick(r, t);
  assert_int_equal(k.n, 4); /* the fifth would come at 46.5 s, after the timeout */
  assert_int_equal(k.at[0], 1500);
  assert_int_equal(k.at[1], 1500 + 3000);
  assert_int_equal(k.at[2], 4500 + 6000);
  assert_int_equal(k.at[3], 10500 + 12000);
  /* Timed out once timeout_ms have passed since t = 0. */
  assert_true(ogrh_reasm_held(r) > 0);
  ogrh_reasm_tick(r, l.timeout_ms + 1);
  assert_int_equal(ogrh_reasm_held(r), 0);
  assert_int_equal(ogrh_reasm_stats_get(r)->timeouts, 1);
  /* Completed ids are remembered remember_ms from t = 0, then forgotten. */
  ogrh_frames_reset(&f);
  ogrh_wire_pack(&c, 9, 0x21, NULL, data, 10, false, &f);
  ogrh_reasm_free(r);
  flips fl = {0};
  r = ogrh_reasm_new(&c, &l, 1, count_delivery, NULL, NULL, &fl);
  ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p, f.len[0], 0);
  ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p, f.len[0], l.remember_ms);
  assert_int_equal(fl.delivered, 1);
  ogrh_reasm_tick(r, l.remember_ms + 1);
  ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p, f.len[0], l.remember_ms + 1);
  assert_int_equal(fl.delivered, 2);
  /* A clock that steps back counts as no time passing. */
  ogrh_frames_reset(&f);
  ogrh_wire_pack(&c, 10, 0x21, NULL, data, sizeof data, false, &f);
  ogrh_reasm_frame(r, "A", (const uint8_t *)f.data.p, f.len[0], 5000);
  ogrh_reasm_tick(r, 10);
  assert_true(ogrh_reasm_held(r) > 0);
  ogrh_reasm_free(r);
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&k.last);
}

/* ---- what a sender can make us hold ---- */

/* The raw frame bytes, transformed: for frames no sender would make. */
static size_t raw_frame(const ogrh_wire_cfg *c, const uint8_t *raw, size_t n, uint8_t *text) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_safe_encode(c, raw, n, &b), OGRH_OK);
  memcpy(text, b.p, b.n);
  size_t len = b.n;
  ogrh_buf_deinit(&b);
  return len;
}

static void test_memory_bounds(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  ogrh_reasm_limits l;
  ogrh_reasm_limits_default(&l);
  flips fl = {0};
  /* A first frame claims 4095 frames, then only the last arrives: what we hold is charged,
     frame table included, and stays within the limit for every message a sender starts. */
  tu_alloc_begin(-1);
  ogrh_reasm *r = ogrh_reasm_new(&c, &l, 1, count_delivery, NULL, NULL, &fl);
  uint8_t raw[250], text[256];
  memset(raw, 0xaa, sizeof raw);
  for (unsigned id = 0; id < 40; id++) {
    raw[0] = (uint8_t)(OGRH__K_CONT << 6 | id >> 4);
    raw[1] = (uint8_t)((id & 15) << 4 | 4094 >> 8);
    raw[2] = (uint8_t)(4094 & 0xff);
    size_t n = raw_frame(&c, raw, 249, text);
    ogrh_reasm_frame(r, "Flooder", text, n, 0);
    raw[0] = (uint8_t)(OGRH__K_FIRST << 6 | id >> 4);
    raw[2] = (uint8_t)(4095 & 0xff);
    raw[1] = (uint8_t)((id & 15) << 4 | 4095 >> 8);
    n = raw_frame(&c, raw, 249, text);
    ogrh_reasm_frame(r, "Flooder", text, n, 0);
    assert_true(ogrh_reasm_held(r) <= l.max_bytes_per_sender);
    /* Everything the reassembler allocated, whatever it counts. */
    assert_true(tu_alloc_live() <= (long long)l.max_bytes_per_sender + 64 * 1024);
  }
  ogrh_reasm_free(r);
  tu_alloc_end();
  /* The largest message there is (4095 frames) still gets through with the default limits. */
  size_t big = OGRH_WIRE_MAX_FRAMES * 246 - 6;
  uint8_t *data = malloc(big + 1);
  ogrh_rng rng;
  ogrh_rng_seed(&rng, 8);
  for (size_t i = 0; i <= big; i++)
    data[i] = (uint8_t)ogrh_rng_next(&rng);
  ogrh_frames f;
  ogrh_frames_init(&f);
  assert_int_equal(ogrh_wire_pack(&c, 1, 0x21, NULL, data, big, false, &f), OGRH_OK);
  assert_int_equal(f.n, OGRH_WIRE_MAX_FRAMES);
  r = ogrh_reasm_new(&c, NULL, 1, count_delivery, NULL, NULL, &fl);
  for (size_t i = 0; i < f.n; i++)
    assert_int_equal(ogrh_reasm_frame(r, "Big", (const uint8_t *)f.data.p + f.off[i], f.len[i], 0),
                     OGRH_OK);
  assert_int_equal(fl.delivered, 1);
  ogrh_reasm_free(r);
  /* One more byte does not fit in 4095 frames. */
  ogrh_frames_reset(&f);
  assert_int_equal(ogrh_wire_pack(&c, 1, 0x21, NULL, data, big + 1, false, &f), OGRH_ETOOBIG);
  assert_int_equal(f.n, 0);
  /* A decompression bomb: 4 MiB of zeros deflate to 4 KiB; refused without inflating it. */
  size_t zeros = 4u << 20;
  uint8_t *z = calloc(zeros, 1);
  ogrh_frames_reset(&f);
  assert_int_equal(ogrh_wire_pack(&c, 2, 0x21, NULL, z, zeros, true, &f), OGRH_OK);
  assert_true(f.n < 40);
  fl.delivered = 0;
  tu_alloc_begin(-1);
  r = ogrh_reasm_new(&c, NULL, 1, count_delivery, NULL, NULL, &fl);
  int rc = OGRH_OK;
  for (size_t i = 0; i < f.n; i++)
    rc = ogrh_reasm_frame(r, "Bomber", (const uint8_t *)f.data.p + f.off[i], f.len[i], 0);
  assert_int_equal(rc, OGRH_ETOOBIG);
  assert_int_equal(fl.delivered, 0);
  assert_int_equal(ogrh_reasm_stats_get(r)->too_big, 1);
  /* At most the ratio's worth of output (twice, as the buffer doubles), zlib's state. */
  long long compressed = 0;
  for (size_t i = 0; i < f.n; i++)
    compressed += (long long)f.len[i];
  printf("# bomb: %zu frames, peak %lld bytes\n", f.n, tu_alloc_peak());
  assert_true(tu_alloc_peak() <
              2 * (long long)(l.inflate_ratio * (size_t)compressed + l.inflate_slack) + 256 * 1024);
  ogrh_reasm_free(r);
  tu_alloc_end();
  free(z);
  free(data);
  ogrh_frames_deinit(&f);
}

/* ---- NACKs ---- */

static void test_nacks(void **state) {
  (void)state;
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  /* A long list is merged until it fits in one frame and parses back. */
  uint16_t ranges[2 * 300];
  for (int i = 0; i < 300; i++)
    ranges[2 * i] = (uint16_t)(i * 10), ranges[2 * i + 1] = 3;
  ogrh_buf nk;
  ogrh_buf_init(&nk);
  assert_int_equal(ogrh_wire_nack(&c, "Admin", 9, ranges, 300, &nk), OGRH_OK);
  assert_true(nk.n <= c.frame_text);
  /* Unsorted or overlapping ranges are the caller's mistake. */
  uint16_t bad[4] = {5, 3, 6, 1};
  ogrh_buf_reset(&nk);
  assert_int_equal(ogrh_wire_nack(&c, "Admin", 9, bad, 2, &nk), OGRH_EINVAL);
  assert_int_equal(nk.n, 0);
  /* Suppression: hearing someone ask for everything we miss postpones our NACK. */
  ogrh_reasm_limits l;
  nacks k;
  ogrh_reasm *r = nacking_reasm(&c, &k, &l);
  uint8_t data[2000];
  memset(data, 7, sizeof data);
  ogrh_frames f;
  ogrh_frames_init(&f);
  ogrh_wire_pack(&c, 4, 0x21, NULL, data, sizeof data, false, &f);
  for (size_t i = 0; i < f.n; i++)
    if (i != 2 && i != 5)
      ogrh_reasm_frame(r, "Admin", (const uint8_t *)f.data.p + f.off[i], f.len[i], 0);
  uint16_t asked[4] = {2, 1, 5, 1};
  ogrh_buf_reset(&nk);
  ogrh_wire_nack(&c, "Admin", 4, asked, 2, &nk);
  ogrh_reasm_frame(r, "Other", (const uint8_t *)nk.p, nk.n, 1000);
  assert_int_equal(ogrh_reasm_stats_get(r)->nacks_suppressed, 1);
  ogrh_reasm_tick(r, 1500);
  assert_int_equal(k.n, 0);
  ogrh_reasm_tick(r, 2500);
  assert_int_equal(k.n, 1);
  /* Ours asks for exactly frames 2 and 5. */
  assert_int_equal(k.last.n, nk.n);
  assert_memory_equal(k.last.p, nk.p, nk.n);
  ogrh_reasm_free(r);
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&k.last);
  ogrh_buf_deinit(&nk);
}

/* ---- allocation failures ---- */

typedef struct afx {
  ogrh_wire_cfg c;
  ogrh_buf body;
  ogrh_frames ref; /* the frames packed without failures */
  got g;
} afx;

/* Packs after the frames already in out: a failure leaves them as they were. */
static int pack_op(void *ud, long k) {
  (void)k;
  afx *x = ud;
  ogrh_frames f;
  ogrh_frames_init(&f);
  int rc = ogrh_wire_pack(&x->c, 1, 0x21, NULL, (const uint8_t *)"hello", 5, false, &f);
  size_t n0 = f.n, d0 = f.data.n;
  if (!rc)
    rc = ogrh_wire_pack(&x->c, 2, 0x21, "Target", (const uint8_t *)x->body.p, x->body.n, true, &f);
  if (rc && n0) {
    assert_int_equal(f.n, n0);
    assert_int_equal(f.data.n, d0);
  }
  if (!rc) {
    assert_int_equal(f.n, n0 + x->ref.n);
    assert_memory_equal(f.data.p + d0, x->ref.data.p, x->ref.data.n);
  }
  ogrh_frames_deinit(&f);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

/*
** Feeds the frames (shuffled, one duplicated) to a new reassembler: a frame refused for lack
** of memory is passed again, and the message must come out exactly once, whole.
*/
static int reasm_op(void *ud, long k) {
  afx *x = ud;
  x->g.n = 0;
  ogrh_buf_reset(&x->g.last);
  ogrh_reasm *r = ogrh_reasm_new(&x->c, NULL, 1, collect, NULL, NULL, &x->g);
  if (!r) return OGRH_ENOMEM;
  /* Last frame first, then the others, then the first again. */
  size_t n = x->ref.n, order[64];
  order[0] = n - 1;
  for (size_t i = 1; i < n; i++)
    order[i] = i - 1;
  order[n] = 0;
  int first = OGRH_OK;
  for (size_t i = 0; i <= n; i++) {
    const uint8_t *t = (const uint8_t *)x->ref.data.p + x->ref.off[order[i]];
    int rc = ogrh_reasm_frame(r, "Admin", t, x->ref.len[order[i]], 0);
    if (tu_again(rc, &first)) rc = ogrh_reasm_frame(r, "Admin", t, x->ref.len[order[i]], 0);
    if (rc) fprintf(stderr, "run %ld, frame %zu: %s\n", k, order[i], ogrh_errname(rc));
    assert_int_equal(rc, OGRH_OK);
  }
  assert_int_equal(x->g.n, 1);
  assert_int_equal(x->g.last.n, x->body.n);
  assert_memory_equal(x->g.last.p, x->body.p, x->body.n);
  assert_int_equal(ogrh_reasm_held(r), 0);
  ogrh_reasm_free(r);
  assert_int_equal(tu_alloc_live(), 0);
  return first;
}

static int failing_nack_cb(void *ud, const uint8_t *text, size_t n, uint64_t now) {
  (void)ud, (void)text, (void)n, (void)now;
  return OGRH_OK;
}

/* NACK building inside a tick: on failure nothing counts as sent and the next tick asks. */
static int nack_op(void *ud, long k) {
  (void)k;
  afx *x = ud;
  ogrh_reasm_limits l;
  ogrh_reasm_limits_default(&l);
  l.nack_jitter_ms = 0;
  ogrh_reasm *r = ogrh_reasm_new(&x->c, &l, 1, collect, failing_nack_cb, NULL, &x->g);
  if (!r) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  for (size_t i = 1; i < x->ref.n && !rc; i++) {
    const uint8_t *t = (const uint8_t *)x->ref.data.p + x->ref.off[i];
    rc = ogrh_reasm_frame(r, "Admin", t, x->ref.len[i], 0);
  }
  if (!rc) {
    rc = ogrh_reasm_tick(r, 1500);
    if (rc) {
      assert_int_equal(ogrh_reasm_stats_get(r)->nacks_sent, 0);
      assert_int_equal(ogrh_reasm_tick(r, 1510), OGRH_OK);
    }
    assert_int_equal(ogrh_reasm_stats_get(r)->nacks_sent, 1);
  }
  ogrh_reasm_free(r);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static int inflate_op(void *ud, long k) {
  (void)k;
  afx *x = ud;
  ogrh_buf z, back;
  ogrh_buf_init(&z);
  ogrh_buf_init(&back);
  int rc = ogrh_deflate((const uint8_t *)x->body.p, x->body.n, &z);
  if (!rc) {
    rc = ogrh_buf_adds(&back, "ab");
    if (!rc) rc = ogrh_inflate((const uint8_t *)z.p, z.n, 1 << 20, &back);
    if (rc && back.p) {
      assert_int_equal(back.n, 2);
    } else if (!rc) {
      assert_int_equal(back.n, x->body.n + 2);
      assert_memory_equal(back.p + 2, x->body.p, x->body.n);
    }
  }
  ogrh_buf_deinit(&z);
  ogrh_buf_deinit(&back);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  afx *x = calloc(1, sizeof *x);
  ogrh_wire_cfg_default(&x->c);
  ogrh_buf_init(&x->body);
  ogrh_buf_init(&x->g.last);
  ogrh_doc *d = tu_generated(6, 1);
  ogrh_table *raids = ogrh_doc_raids(d);
  ogrh_unit_body_encode(OGRH_UNIT_RAID, "BWL", 3, NULL, 0, 0, &raids->e[1].val, &x->body);
  ogrh_doc_free(d);
  ogrh_frames_init(&x->ref);
  assert_int_equal(ogrh_wire_pack(&x->c, 2, 0x21, "Target", (const uint8_t *)x->body.p, x->body.n,
                                  true, &x->ref),
                   OGRH_OK);
  assert_true(x->ref.n >= 3 && x->ref.n < 64);
  /* The test's own copy of what is delivered must not be what fails. */
  assert_int_equal(ogrh_buf_reserve(&x->g.last, x->body.n + 1), OGRH_OK);
  assert_true(tu_alloc_fail_loop(pack_op, x, 500) > 5);
  assert_true(tu_alloc_fail_loop(reasm_op, x, 500) > 5);
  assert_true(tu_alloc_fail_loop(nack_op, x, 500) > 5);
  assert_true(tu_alloc_fail_loop(inflate_op, x, 500) > 3);
  ogrh_frames_deinit(&x->ref);
  ogrh_buf_deinit(&x->body);
  ogrh_buf_deinit(&x->g.last);
  free(x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_safe_transform),
      cmocka_unit_test(test_deflate_with_dictionary),
      cmocka_unit_test(test_framing_round_trips),
      cmocka_unit_test(test_reordering_duplicates_memory),
      cmocka_unit_test(test_every_flipped_bit_is_refused),
      cmocka_unit_test(test_clock_starting_at_zero),
      cmocka_unit_test(test_memory_bounds),
      cmocka_unit_test(test_nacks),
      cmocka_unit_test(test_allocation_failures),
  };
  if (getenv("TEST")) cmocka_set_test_filter(getenv("TEST"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
