/* The router (router.h): endpoints on a lossy broadcast channel, roles, targets and versions,
** resends that NACKs ask for (bounded, with the clock starting at 0), and every allocation
** failure of send, receive and tick. */
#include "testutil.h"
#include "wire_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  ogrh_buf_reset(&g->last);
  ogrh_buf_add(&g->last, m->body, m->body_len);
  g->type = m->type;
  snprintf(g->target, sizeof g->target, "%s", m->target);
  snprintf(g->sender, sizeof g->sender, "%s", sender);
}

static void test_type_names(void **state) {
  (void)state;
  assert_string_equal(ogrh_mt_name(OGRH_MT_REPAIR), "repair");
  assert_string_equal(ogrh_mt_name(0x01), "delta");
  assert_null(ogrh_mt_name(0xee));
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
  /* A message of another protocol version (with a good checksum) is dropped and counted. */
  uint8_t raw[10] = {0x80, 0x50, 3 << 4, OGRH_MT_REPAIR, 'x', 'y'};
  uint32_t crc = ogrh__msg_crc(5, raw + 2, 4);
  for (int i = 0; i < 4; i++)
    raw[6 + i] = (uint8_t)(crc >> (8 * i));
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

/* ---- resends ---- */

/*
** One router on a channel that only records what it sends (with malloc, not the library's
** allocator: the recording must not be what fails in the allocation-failure tests).
*/
#define SOLO_MAX 512
typedef struct solo {
  ogrh_router *r;
  size_t frames;
  uint8_t (*text)[256];
  size_t len[SOLO_MAX];
} solo;

static void solo_out(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  (void)prefix, (void)now;
  solo *s = ud;
  assert_true(s->frames < SOLO_MAX && n <= 250);
  memcpy(s->text[s->frames], text, n);
  s->len[s->frames++] = n;
}

static void solo_free(solo *s, uint64_t now) {
  ogrh_router_free(s->r, now);
  free(s->text);
}

static ogrh_router *solo_new(solo *s, const char *self, uint64_t now) {
  memset(s, 0, sizeof *s);
  s->text = calloc(SOLO_MAX, sizeof *s->text);
  ogrh_router_cfg c;
  ogrh_router_cfg_default(&c);
  c.self = self;
  c.out = solo_out;
  c.ud = s;
  /* The channel is not what these tests are about: whatever is sent once a millisecond has
     passed leaves at once. */
  c.ctl.max_cps = 1e9;
  c.ctl.burst = 1e12;
  c.ctl.hard_seconds = 0;
  c.ctl.tick = 0;
  s->r = ogrh_router_new(&c, now);
  if (!s->r) free(s->text);
  return s->r;
}

/* A NACK as anyone could send it: owner, id, ranges as given (overlapping ones included). */
static size_t raw_nack(const char *owner, uint16_t id, const uint16_t *ranges, size_t nr,
                       uint8_t *text) {
  ogrh_buf raw, out;
  ogrh_buf_init(&raw);
  ogrh_buf_init(&out);
  uint8_t h[2] = {(uint8_t)(OGRH__K_CTRL << 6 | OGRH__CTRL_NACK), (uint8_t)strlen(owner)};
  ogrh_buf_add(&raw, h, 2);
  ogrh_buf_adds(&raw, owner);
  uint8_t idb[2] = {(uint8_t)(id >> 8), (uint8_t)id};
  ogrh_buf_add(&raw, idb, 2);
  ogrh_varint_put(&raw, nr);
  for (size_t i = 0; i < nr; i++) {
    ogrh_varint_put(&raw, ranges[2 * i]);
    ogrh_varint_put(&raw, ranges[2 * i + 1]);
  }
  uint32_t crc = ogrh__crc((const uint8_t *)raw.p, raw.n);
  for (int i = 0; i < 4; i++)
    ogrh_buf_addc(&raw, (char)(crc >> (8 * i)));
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  assert_int_equal(ogrh_safe_encode(&c, (const uint8_t *)raw.p, raw.n, &out), OGRH_OK);
  assert_true(out.n <= c.frame_text);
  memcpy(text, out.p, out.n);
  size_t n = out.n;
  ogrh_buf_deinit(&raw);
  ogrh_buf_deinit(&out);
  return n;
}

/* The frames the router makes of body: what its first message (id 1: seed 1) will be. */
static size_t frames_of(const uint8_t *body, size_t n) {
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  ogrh_frames f;
  ogrh_frames_init(&f);
  assert_int_equal(ogrh_wire_pack(&c, 1, OGRH_MT_REPAIR, NULL, body, n, true, &f), OGRH_OK);
  size_t k = f.n;
  ogrh_frames_deinit(&f);
  return k;
}

static void random_bytes(uint8_t *p, size_t n, uint64_t seed) {
  ogrh_rng rng;
  ogrh_rng_seed(&rng, seed);
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)ogrh_rng_next(&rng);
}

/*
** Issue 8, defect 2: with the clock at 0, one NACK of about 230 bytes with overlapping ranges
** made the router write 4,510 entries into a 4,095-entry array on its stack (a resend "at 0"
** counted as never). Each frame asked for is resent once.
*/
static void test_nack_cannot_overflow(void **state) {
  (void)state;
  solo s;
  assert_non_null(solo_new(&s, "Admin", 0));
  static uint8_t body[44 * 246];
  random_bytes(body, sizeof body, 3);
  size_t nframes = frames_of(body, sizeof body);
  assert_true(nframes >= 42);
  assert_int_equal(ogrh_router_send(s.r, OGRH_MT_REPAIR, body, sizeof body, OGRH_CTL_NORMAL, NULL,
                                    NULL, NULL, 0),
                   OGRH_OK);
  uint16_t ranges[2 * 120];
  for (int i = 0; i < 120; i++)
    ranges[2 * i] = 0, ranges[2 * i + 1] = 127;
  uint8_t text[256];
  size_t n = raw_nack("Admin", 1, ranges, 110, text);
  assert_true(n > 220);
  ogrh_router_receive(s.r, "Member", "OGRH", text, n, 0);
  ogrh_router_tick(s.r, 1);
  assert_int_equal(ogrh_router_stats_get(s.r)->resent_frames, nframes);
  assert_int_equal(s.frames, 2 * nframes);
  solo_free(&s, 1);
}

/* Resends with the clock at 0: once a second at most, a bounded number of times, and not
   after the message is forgotten. */
static void test_resends_from_time_zero(void **state) {
  (void)state;
  solo s;
  assert_non_null(solo_new(&s, "Admin", 0));
  uint8_t body[1000];
  random_bytes(body, sizeof body, 4);
  size_t nframes = frames_of(body, sizeof body);
  assert_int_equal(ogrh_router_send(s.r, OGRH_MT_REPAIR, body, sizeof body, OGRH_CTL_NORMAL, NULL,
                                    NULL, NULL, 0),
                   OGRH_OK);
  uint16_t one[2] = {1, 1};
  uint8_t text[256];
  size_t n = raw_nack("Admin", 1, one, 1, text);
  const ogrh_router_stats *st = ogrh_router_stats_get(s.r);
  /* Two listeners ask for frame 1 at t = 0 and t = 500: one resend. */
  ogrh_router_receive(s.r, "A", "OGRH", text, n, 0);
  ogrh_router_tick(s.r, 1);
  ogrh_router_receive(s.r, "B", "OGRH", text, n, 500);
  ogrh_router_tick(s.r, 500);
  assert_int_equal(st->resent_frames, 1);
  assert_int_equal(s.frames, nframes + 1);
  /* Asked every second: resent at most max_resends (8) times. */
  uint64_t t = 1000;
  for (int i = 0; i < 20; i++, t += 1000) {
    ogrh_router_receive(s.r, "A", "OGRH", text, n, t);
    ogrh_router_tick(s.r, t);
  }
  assert_int_equal(st->resent_frames, 8);
  assert_true(st->refused_resends > 0);
  /* Forgotten retain_ms (60 s) after the last frame left: later NACKs find nothing. */
  ogrh_router_tick(s.r, t + 60001);
  ogrh_router_receive(s.r, "A", "OGRH", text, n, t + 60002);
  assert_int_equal(st->expired_nacks, 1);
  solo_free(&s, t);
  /* A message sent at t = 0 is kept 60 s after its frames left (at 1), not for ever. */
  assert_non_null(solo_new(&s, "Admin", 0));
  ogrh_router_send(s.r, OGRH_MT_REPAIR, body, 10, OGRH_CTL_NORMAL, NULL, NULL, NULL, 0);
  ogrh_router_tick(s.r, 1);
  assert_int_equal(s.frames, 1);
  uint16_t zero[2] = {0, 1};
  n = raw_nack("Admin", 1, zero, 1, text);
  ogrh_router_tick(s.r, 60001);
  ogrh_router_receive(s.r, "A", "OGRH", text, n, 60001);
  assert_int_equal(ogrh_router_stats_get(s.r)->resent_frames, 1);
  ogrh_router_tick(s.r, 120002);
  ogrh_router_receive(s.r, "A", "OGRH", text, n, 120002);
  assert_int_equal(ogrh_router_stats_get(s.r)->expired_nacks, 1);
  solo_free(&s, 120002);
}

/* ---- allocation failures ---- */

typedef struct rfx {
  solo a; /* the sender, outside the failing allocator */
  uint8_t body[3000];
  got g;
} rfx;

static void rfx_handler(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  collect(ud, sender, m, now);
}

/* A send that fails leaves the router as it was: nothing out, the same id for the next. */
static int send_op(void *ud, long k) {
  (void)k;
  rfx *x = ud;
  solo s;
  if (!solo_new(&s, "Admin", 0)) return OGRH_ENOMEM;
  int rc =
      ogrh_router_send(s.r, OGRH_MT_REPAIR, x->body, sizeof x->body, -1, "Tank", NULL, NULL, 1);
  if (rc) {
    assert_int_equal(s.frames, 0);
    assert_int_equal(ogrh_router_stats_get(s.r)->sent_messages, 0);
    assert_int_equal(ogrh_sender_queued(ogrh_router_sender(s.r)), 0);
  } else {
    assert_int_equal(s.frames, x->a.frames);
    for (size_t i = 0; i < s.frames; i++) {
      assert_int_equal(s.len[i], x->a.len[i]);
      assert_memory_equal(s.text[i], x->a.text[i], s.len[i]);
    }
  }
  solo_free(&s, 0);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

/* Receiving: a frame refused for lack of memory is passed again; the message arrives once. */
static int receive_op(void *ud, long k) {
  (void)k;
  rfx *x = ud;
  solo s;
  if (!solo_new(&s, "Tank", 0)) return OGRH_ENOMEM;
  x->g.n = 0;
  int first = ogrh_router_register(s.r, OGRH_MT_REPAIR, "repair", rfx_handler, &x->g,
                                   OGRH_CTL_NORMAL, OGRH_ROLE_ANY);
  assert_int_equal(first, OGRH_OK);
  for (size_t i = 0; i < x->a.frames; i++) {
    int rc = ogrh_router_receive(s.r, "Admin", "OGRH", x->a.text[i], x->a.len[i], 0);
    if (tu_again(rc, &first))
      rc = ogrh_router_receive(s.r, "Admin", "OGRH", x->a.text[i], x->a.len[i], 0);
    assert_int_equal(rc, OGRH_OK);
  }
  assert_int_equal(x->g.n, 1);
  assert_int_equal(x->g.last.n, sizeof x->body);
  assert_memory_equal(x->g.last.p, x->body, sizeof x->body);
  solo_free(&s, 0);
  assert_int_equal(tu_alloc_live(), 0);
  return first;
}

/*
** Ticking: frames missing, the tick that should send a NACK fails for lack of memory; the
** next tick sends it. Then the NACK reaches the sender, whose resend fails the same way and
** works when the NACK is passed again.
*/
static int tick_op(void *ud, long k) {
  (void)k;
  rfx *x = ud;
  solo s, a;
  if (!solo_new(&s, "Tank", 0)) return OGRH_ENOMEM;
  if (!solo_new(&a, "Admin", 0)) {
    solo_free(&s, 0);
    return OGRH_ENOMEM;
  }
  int first =
      ogrh_router_send(a.r, OGRH_MT_REPAIR, x->body, sizeof x->body, -1, NULL, NULL, NULL, 1);
  for (size_t i = 1; i < a.frames && !first; i++)
    first = ogrh_router_receive(s.r, "Admin", "OGRH", a.text[i], a.len[i], 0);
  if (!first) {
    /* The NACK is due 1.5 to 2 s after the last frame. */
    int rc = ogrh_router_tick(s.r, 2000);
    if (tu_again(rc, &first)) {
      assert_int_equal(s.frames, 0);
      rc = ogrh_router_tick(s.r, 2010);
    }
    assert_int_equal(rc, OGRH_OK);
    assert_int_equal(s.frames, 1);
    size_t before = a.frames;
    rc = ogrh_router_receive(a.r, "Tank", "OGRH", s.text[0], s.len[0], 2100);
    if (tu_again(rc, &first)) {
      assert_int_equal(a.frames, before);
      rc = ogrh_router_receive(a.r, "Tank", "OGRH", s.text[0], s.len[0], 2100);
    }
    assert_int_equal(rc, OGRH_OK);
    ogrh_router_tick(a.r, 2100);
    assert_int_equal(a.frames, before + 1);
  }
  solo_free(&s, 3000);
  solo_free(&a, 3000);
  assert_int_equal(tu_alloc_live(), 0);
  return first;
}

static void test_allocation_failures(void **state) {
  (void)state;
  rfx *x = calloc(1, sizeof *x);
  ogrh_rng rng;
  ogrh_rng_seed(&rng, 12);
  for (size_t i = 0; i < sizeof x->body; i++)
    x->body[i] = (uint8_t)(ogrh_rng_below(&rng, 20) + 'a');
  ogrh_buf_init(&x->g.last);
  assert_int_equal(ogrh_buf_reserve(&x->g.last, sizeof x->body + 1), OGRH_OK);
  assert_non_null(solo_new(&x->a, "Admin", 0));
  assert_int_equal(
      ogrh_router_send(x->a.r, OGRH_MT_REPAIR, x->body, sizeof x->body, -1, "Tank", NULL, NULL, 1),
      OGRH_OK);
  assert_true(x->a.frames >= 2);
  assert_true(tu_alloc_fail_loop(send_op, x, 500) > 5);
  assert_true(tu_alloc_fail_loop(receive_op, x, 500) > 5);
  assert_true(tu_alloc_fail_loop(tick_op, x, 1000) > 10);
  solo_free(&x->a, 0);
  ogrh_buf_deinit(&x->g.last);
  free(x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_type_names),           cmocka_unit_test(test_loss_recovered_by_nacks),
      cmocka_unit_test(test_nack_cannot_overflow), cmocka_unit_test(test_resends_from_time_zero),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
