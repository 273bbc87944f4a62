/*
** chan.h
** An in-memory raid channel for node tests: several ogrh_node instances, a deterministic clock
** starting at 0, a broadcast medium with latency, and injected loss, reordering and loading
** screens. Each node's events, persisted state and saved document are kept for assertions;
** a node can be killed at any persist point and restarted from what it persisted.
** Header-only (static functions) so that every test file can include it.
*/
#ifndef OGRH_TEST_CHAN_H
#define OGRH_TEST_CHAN_H

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TC_MAX_NODES 40
#define TC_MAX_EVENTS 4096

typedef struct tc_event {
  ogrh_event_kind kind;
  ogrh_refusal why;
  char text[256], who[49], what[160];
  uint64_t at;
} tc_event;

typedef struct tc_frame {
  uint64_t at; /* delivery time */
  uint64_t seq;
  int from, to;
  char prefix[17];
  uint8_t text[256];
  size_t n;
} tc_frame;

struct tc_chan;

typedef struct tc_node {
  struct tc_chan *ch;
  int idx;
  ogrh_node *n;
  char name[49];
  int rank;
  bool online;
  tc_event *ev;
  size_t nev;
  /* durable storage: the last state persisted, and the document saved beside it */
  uint8_t *state;
  size_t state_len;
  char *doc_text;
  size_t doc_len;
  long persists;
  int fail_persist; /* > 0: the next persists fail with this code's negation */
  long kill_at;     /* persist number after which the node "dies" (-1: never) */
  bool killed;      /* set when kill_at was reached; the host restarts it */
  bool zoning;      /* inbound frames are dropped (loading screen) */
  bool deaf;        /* receives nothing (left the channel) */
  int backups, backup_fail;
  long frames_out;
} tc_node;

typedef struct tc_chan {
  tc_node nodes[TC_MAX_NODES];
  size_t n;
  uint64_t now;
  tc_frame *q;
  size_t nq, capq;
  uint64_t seq;
  ogrh_rng rng;
  double loss;         /* probability a frame is lost for one receiver */
  uint64_t latency;    /* ms */
  uint64_t reorder_ms; /* extra random delay 0..reorder_ms (reorders frames of a sender) */
  uint64_t step;       /* ms per client frame */
  ogrh_node_cfg base;  /* config template */
  /* optional: sees every frame a node sends */
  void (*tap)(void *ud, int from, const char *prefix, const uint8_t *text, size_t n);
  void *tap_ud;
  int doc_seed; /* 0: factory defaults; else ogrh_gen seed */
} tc_chan;

/* The root digest of a node's plan. */
static inline ogrh_digest nd_digest(ogrh_node *n) {
  ogrh_digest d = 0;
  assert_int_equal(ogrh_dtree_root(ogrh_node_dtree(n), &d), OGRH_OK);
  return d;
}

static inline void tc_on_event(void *ud, const ogrh_event *e) {
  tc_node *t = ud;
  if (t->nev == TC_MAX_EVENTS) return;
  tc_event *x = &t->ev[t->nev++];
  x->kind = e->kind;
  x->why = e->why;
  x->at = e->now_ms;
  snprintf(x->text, sizeof x->text, "%s", e->text);
  snprintf(x->who, sizeof x->who, "%s", e->who);
  snprintf(x->what, sizeof x->what, "%s", e->what);
}

static inline void tc_out(void *ud, const char *prefix, const uint8_t *text, size_t n,
                          uint64_t now) {
  tc_node *t = ud;
  tc_chan *ch = t->ch;
  if (t->killed) return; /* the process died at its last persist: nothing more leaves */
  t->frames_out++;
  if (ch->tap) ch->tap(ch->tap_ud, t->idx, prefix, text, n);
  assert_true(strlen(prefix) + n <= 254);
  for (size_t i = 0; i < ch->n; i++) {
    /* The channel echoes to the sender too, as WoW does. */
    if (ch->nq == ch->capq) {
      ch->capq = ch->capq ? ch->capq * 2 : 256;
      ch->q = realloc(ch->q, ch->capq * sizeof *ch->q);
      assert_non_null(ch->q);
    }
    if ((int)i != t->idx && ch->loss > 0 && ogrh_rng_unit(&ch->rng) < ch->loss) continue;
    tc_frame *f = &ch->q[ch->nq++];
    f->at = now + ch->latency + (ch->reorder_ms ? ogrh_rng_below(&ch->rng, ch->reorder_ms + 1) : 0);
    f->seq = ch->seq++;
    f->from = t->idx;
    f->to = (int)i;
    snprintf(f->prefix, sizeof f->prefix, "%s", prefix);
    memcpy(f->text, text, n);
    f->n = n;
  }
}

/* The document as its canonical text (SavedVariables), for saving and comparing. */
static inline char *tc_doc_text(ogrh_doc *d, size_t *len) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d), &b), OGRH_OK);
  *len = b.n;
  char *s = malloc(b.n + 1);
  memcpy(s, b.p, b.n + 1);
  ogrh_buf_deinit(&b);
  return s;
}

static inline int tc_persist(void *ud, const uint8_t *state, size_t n, bool doc_changed,
                             uint64_t now) {
  tc_node *t = ud;
  (void)now;
  if (t->fail_persist) return -t->fail_persist;
  free(t->state);
  t->state = malloc(n ? n : 1);
  memcpy(t->state, state, n);
  t->state_len = n;
  /* The host saves the document too (state first, then the document). */
  if (doc_changed || !t->doc_text) {
    free(t->doc_text);
    t->doc_text = tc_doc_text(ogrh_node_doc(t->n), &t->doc_len);
  }
  t->persists++;
  if (t->kill_at >= 0 && t->persists >= t->kill_at) t->killed = true;
  return 0;
}

static inline int tc_backup(void *ud, ogrh_backup_reason reason, const char *label, uint64_t now) {
  tc_node *t = ud;
  (void)reason;
  (void)label;
  (void)now;
  if (t->backup_fail) return -t->backup_fail;
  t->backups++;
  return 0;
}

static inline ogrh_doc *tc_make_doc(tc_chan *ch) {
  return ch->doc_seed ? tu_generated((uint64_t)ch->doc_seed, 1) : tu_defaults();
}

static inline void tc_init(tc_chan *ch) {
  memset(ch, 0, sizeof *ch);
  ogrh_rng_seed(&ch->rng, 42);
  ch->latency = 60;
  ch->step = 20;
  ogrh_node_cfg_default(&ch->base);
}

/* Starts (or restarts, from what it persisted) node i. */
static inline void tc_start(tc_chan *ch, size_t i, bool restore) {
  tc_node *t = &ch->nodes[i];
  ogrh_node_cfg c = ch->base;
  c.self = t->name;
  c.seed = 1000 + i * 7919 + (uint64_t)t->persists;
  c.now_ms = ch->now;
  c.out = tc_out;
  c.persist = tc_persist;
  c.backup = tc_backup;
  c.event = tc_on_event;
  c.ud = t;
  if (restore && t->doc_text) {
    ogrh_svfile *f = tu_parse(t->doc_text);
    assert_int_equal(ogrh_doc_from_svfile(f, &c.doc, NULL), OGRH_OK);
  } else {
    c.doc = tc_make_doc(ch);
  }
  if (restore && t->state) {
    c.state = t->state;
    c.state_len = t->state_len;
  }
  assert_int_equal(ogrh_node_new(&c, &t->n), OGRH_OK);
  t->killed = false;
}

static inline tc_node *tc_add(tc_chan *ch, const char *name, int rank) {
  assert_true(ch->n < TC_MAX_NODES);
  tc_node *t = &ch->nodes[ch->n];
  memset(t, 0, sizeof *t);
  t->ch = ch;
  t->idx = (int)ch->n;
  snprintf(t->name, sizeof t->name, "%s", name);
  t->rank = rank;
  t->online = true;
  t->kill_at = -1;
  t->ev = calloc(TC_MAX_EVENTS, sizeof *t->ev);
  ch->n++;
  tc_start(ch, ch->n - 1, false);
  return t;
}

/* Everyone's roster: every node of the channel (online ones), with its rank. */
static inline void tc_roster(tc_chan *ch) {
  ogrh_member m[TC_MAX_NODES];
  for (size_t i = 0; i < ch->n; i++) {
    m[i].name = ch->nodes[i].name;
    m[i].rank = ch->nodes[i].rank;
    m[i].online = ch->nodes[i].online;
  }
  for (size_t i = 0; i < ch->n; i++) {
    if (!ch->nodes[i].n) continue;
    assert_int_equal(ogrh_node_set_roster(ch->nodes[i].n, m, ch->n, ch->now), OGRH_OK);
    ogrh_node_set_conditions(ch->nodes[i].n, false, false, true, ch->now);
  }
}

static inline void tc_kill(tc_chan *ch, size_t i) {
  ogrh_node_free(ch->nodes[i].n);
  ch->nodes[i].n = NULL;
}

static inline void tc_restart(tc_chan *ch, size_t i) {
  tc_kill(ch, i);
  tc_start(ch, i, true);
  ogrh_member m[TC_MAX_NODES];
  for (size_t k = 0; k < ch->n; k++) {
    m[k].name = ch->nodes[k].name;
    m[k].rank = ch->nodes[k].rank;
    m[k].online = ch->nodes[k].online;
  }
  assert_int_equal(ogrh_node_set_roster(ch->nodes[i].n, m, ch->n, ch->now), OGRH_OK);
  ogrh_node_set_conditions(ch->nodes[i].n, false, false, true, ch->now);
}

static inline int tc_frame_cmp(const void *a, const void *b) {
  const tc_frame *x = a, *y = b;
  if (x->at != y->at) return x->at < y->at ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Runs the channel for ms milliseconds: frames delivered when due, every node ticked. */
static inline void tc_run(tc_chan *ch, uint64_t ms) {
  uint64_t until = ch->now + ms;
  while (ch->now < until) {
    ch->now += ch->step;
    if (ch->nq) qsort(ch->q, ch->nq, sizeof *ch->q, tc_frame_cmp);
    size_t k = 0;
    while (k < ch->nq && ch->q[k].at <= ch->now)
      k++;
    /* Deliver a copy: receiving may queue new frames. */
    tc_frame *due = NULL;
    if (k) {
      due = malloc(k * sizeof *due);
      memcpy(due, ch->q, k * sizeof *due);
      memmove(ch->q, ch->q + k, (ch->nq - k) * sizeof *ch->q);
      ch->nq -= k;
    }
    for (size_t i = 0; i < k; i++) {
      tc_node *t = &ch->nodes[due[i].to];
      if (!t->n || t->zoning || t->deaf) continue;
      ogrh_node_receive(t->n, ch->nodes[due[i].from].name, due[i].prefix, due[i].text, due[i].n,
                        ch->now);
    }
    free(due);
    for (size_t i = 0; i < ch->n; i++)
      if (ch->nodes[i].n) ogrh_node_tick(ch->nodes[i].n, ch->now);
    /* A node killed at a persist point comes back from what it persisted. */
    for (size_t i = 0; i < ch->n; i++)
      if (ch->nodes[i].killed) {
        ch->nodes[i].kill_at = -1;
        tc_restart(ch, i);
      }
  }
}

/* Delivers a message from any sender name (forged or not) to node i, through the wire. */
static inline void tc_inject(tc_chan *ch, size_t i, const char *sender, uint8_t type,
                             const ogrh_buf *body, const char *target) {
  static uint16_t id = 900;
  ogrh_frames f;
  ogrh_frames_init(&f);
  assert_int_equal(ogrh_wire_pack(&ch->base.wire, id++ & 0x3ff, type, target,
                                  (const uint8_t *)body->p, body->n, true, &f),
                   OGRH_OK);
  for (size_t k = 0; k < f.n; k++)
    ogrh_node_receive(ch->nodes[i].n, sender, ch->base.wire.prefix,
                      (const uint8_t *)f.data.p + f.off[k], f.len[k], ch->now);
  ogrh_frames_deinit(&f);
}

static inline void tc_free(tc_chan *ch) {
  for (size_t i = 0; i < ch->n; i++) {
    ogrh_node_free(ch->nodes[i].n);
    free(ch->nodes[i].ev);
    free(ch->nodes[i].state);
    free(ch->nodes[i].doc_text);
  }
  free(ch->q);
}

static inline size_t tc_count(const tc_node *t, ogrh_event_kind k) {
  size_t c = 0;
  for (size_t i = 0; i < t->nev; i++)
    c += t->ev[i].kind == k;
  return c;
}

static inline const tc_event *tc_find(const tc_node *t, ogrh_event_kind k, const char *text) {
  for (size_t i = 0; i < t->nev; i++)
    if (t->ev[i].kind == k && (!text || strstr(t->ev[i].text, text))) return &t->ev[i];
  return NULL;
}

static inline void tc_clear_events(tc_chan *ch) {
  for (size_t i = 0; i < ch->n; i++)
    ch->nodes[i].nev = 0;
}

static inline ogrh_node_status tc_status(tc_node *t) {
  ogrh_node_status st;
  ogrh_node_status_get(t->n, &st);
  return st;
}

static inline const ogrh_node_stats *tc_stats(tc_node *t) {
  return ogrh_node_stats_get(t->n);
}

static inline ogrh_digest tc_root(tc_node *t) {
  ogrh_node_status st;
  ogrh_node_status_get(t->n, &st);
  return st.root;
}

/* Every live node holds the same synced plan. */
static inline bool tc_converged(tc_chan *ch) {
  ogrh_digest r = 0;
  bool first = true;
  for (size_t i = 0; i < ch->n; i++) {
    if (!ch->nodes[i].n || ch->nodes[i].deaf) continue;
    ogrh_digest x = nd_digest(ch->nodes[i].n);
    if (!first && x != r) return false;
    r = x;
    first = false;
  }
  return true;
}

/* Writes a Lua literal through node t. */
static inline int tc_set(tc_node *t, const char *path, const char *lit, ogrh_sync_level level) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = tu_lit(a, lit);
  ogrh_sync_meta m = {level, NULL, NULL};
  ogrh_err err;
  int rc = ogrh_node_set(t->n, path, &v, level ? &m : NULL, t->ch->now, &err);
  ogrh_arena_free(a);
  return rc;
}

/* The value at path of node t, as an inline Lua literal (or "nil"). */
static inline const char *tc_get(tc_node *t, const char *path) {
  static char out[1024];
  const ogrh_value *v;
  if (ogrh_doc_get(ogrh_node_doc(t->n), path, &v, NULL)) return "nil";
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_value_write_inline(v, &b);
  snprintf(out, sizeof out, "%s", b.p ? b.p : "");
  ogrh_buf_deinit(&b);
  return out;
}

#endif
