/*
** node_repair.c
** Anti-entropy: the admin's polls; on a mismatch, drill-down from raid to encounter to
** component, asking for exactly what differs; the admin's coalesced answers and repair units,
** chosen by the repair planner (validate.h); each unit applied staged and verified against the
** admin's digest. Requests and answers are broadcast: a node waits a random moment before it
** asks and stays quiet when it hears the same question, so one answer serves every stale node.
*/
#include "node_int.h"

#include <stdio.h>
#include <string.h>

/* ---- small helpers ---- */

static bool ident_eq(const char *a, size_t al, uint32_t ao, const char *b, size_t bl, uint32_t bo) {
  return al == bl && ao == bo && memcmp(a, b, al) == 0;
}

static char *adup(ogrh_arena *a, const char *s, size_t n) {
  return ogrh_arena_memdup(a, s, n);
}

static char *hdup(const char *s, size_t n) {
  char *c = ogrh_malloc(n + 1);
  if (c) {
    memcpy(c, s, n);
    c[n] = 0;
  }
  return c;
}

static void hfree(char *s, size_t n) {
  if (s) ogrh_free(s, n + 1);
}

static uint64_t jitter(ogrh_node *n) {
  return ogrh_rng_below(&n->rng, n->cfg.timers.jitter_ms + 1);
}

/* The path encounterMgmt.raids[r] (.encounters[e]). */
static void raid_path(ogrh_path *p, int64_t r, int64_t e) {
  memset(p, 0, sizeof *p);
  p->seg[0] = ogrh_vcstr("encounterMgmt");
  p->seg[1] = ogrh_vcstr("raids");
  p->n = 2;
  if (r) p->seg[p->n++] = ogrh_vint(r);
  if (r && e) {
    p->seg[p->n++] = ogrh_vcstr("encounters");
    p->seg[p->n++] = ogrh_vint(e);
  }
}

/* ---- the admin's poll ---- */

void nd_poll_now(ogrh_node *n) {
  nd_top t;
  nd_tree_top(nd_tree(n), &t);
  ogrh_buf b;
  ogrh_buf_init(&b);
  bool grantor = n->grant_admin[0] && strcmp(n->grant_admin, n->self) == 0 && n->grantor[0];
  const ogrh_dt_raid *raid = n->ctx_raid ? nd_t_raid(n, n->ctx_raid, strlen(n->ctx_raid), 1) : NULL;
  for (int attempt = 0; attempt < 2; attempt++) {
    ogrh_buf_reset(&b);
    uint8_t flags = (uint8_t)((grantor ? ND_PF_GRANTOR : 0) | (raid ? ND_PF_RAID : 0));
    ogrh_varint_put(&b, n->epoch);
    nd_put_u8(&b, flags);
    ogrh_varint_put(&b, n->published);
    nd_put_u64(&b, t.root);
    for (int g = 0; g < OGRH_NGLOBALS; g++)
      nd_put_u64(&b, t.global[g]);
    nd_put_u64(&b, t.raidlist);
    if (grantor) nd_put_cstr(&b, n->grantor);
    if (raid) {
      nd_put_name(&b, raid->name, raid->name_len);
      ogrh_varint_put(&b, raid->occ);
      nd_put_u64(&b, raid->digest);
    }
    /* At most 100 bytes on the wire: 10 of them are prefix, transform and headers. */
    if (b.n <= 90 || !raid) break;
    raid = NULL;
  }
  if (nd_send(n, OGRH_MT_POLL, &b, OGRH_CTL_NORMAL, NULL) == OGRH_OK) n->st.polls_sent++;
  ogrh_buf_deinit(&b);
  n->last_poll = n->now;
  n->next_poll = n->now + n->cfg.timers.poll_interval_ms;
  n->settle_armed = n->join_armed = false;
}

static void poll_tick(ogrh_node *n) {
  if (!nd_is_admin(n) || !nd_can_send(n) || n->paused) return;
  if (n->pending.n || n->big_pending || n->batch_open) return; /* a burst has not settled */
  if (!n->next_poll) n->next_poll = n->now + n->cfg.timers.poll_interval_ms;
  bool due = n->now >= n->next_poll || (n->settle_armed && n->now >= n->settle_poll) ||
             (n->join_armed && n->now >= n->join_poll);
  if (due && n->now >= n->last_poll + n->cfg.timers.poll_join_ms) nd_poll_now(n);
}

/* ---- the session's findings ---- */

static int add_diff(ogrh_node *n, ogrh_unit_kind kind, int g, const char *raid, size_t rl,
                    uint32_t ro, const char *enc, size_t el, uint32_t eo, unsigned comps) {
  nd_sess *s = &n->sess;
  for (size_t i = 0; i < s->ndiffs; i++) {
    ogrh_node_diff *d = &s->diffs[i];
    if (d->kind != kind || d->global != g) continue;
    if (!ident_eq(d->raid, strlen(d->raid), d->raid_occ, raid ? raid : "", rl, ro)) continue;
    if (!ident_eq(d->encounter, strlen(d->encounter), d->enc_occ, enc ? enc : "", el, eo)) continue;
    d->components |= comps;
    return OGRH_OK;
  }
  if (s->ndiffs == s->capdiffs) {
    size_t cap = s->capdiffs ? s->capdiffs * 2 : 16;
    ogrh_node_diff *v = ogrh_arena_alloc(s->a, cap * sizeof *v);
    if (!v) return OGRH_ENOMEM;
    if (s->ndiffs) memcpy(v, s->diffs, s->ndiffs * sizeof *v);
    s->diffs = v;
    s->capdiffs = cap;
  }
  ogrh_node_diff *d = &s->diffs[s->ndiffs];
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->global = g;
  d->raid = adup(s->a, raid ? raid : "", rl);
  d->raid_occ = ro;
  d->encounter = adup(s->a, enc ? enc : "", el);
  d->enc_occ = eo;
  d->components = comps;
  if (!d->raid || !d->encounter) return OGRH_ENOMEM;
  s->ndiffs++;
  return OGRH_OK;
}

static bool in_filter(const nd_sess *s, const char *raid, size_t rl, const char *enc, size_t el) {
  if (!s->f_raid) return true;
  if (!raid || strlen(s->f_raid) != rl || memcmp(s->f_raid, raid, rl) != 0) return false;
  if (!s->f_enc || !enc) return true;
  return strlen(s->f_enc) == el && memcmp(s->f_enc, enc, el) == 0;
}

static nd_rraid *rraid_get(ogrh_node *n, const char *name, size_t len, uint32_t occ, bool make) {
  nd_sess *s = &n->sess;
  for (size_t i = 0; i < s->nraids; i++)
    if (ident_eq(s->raids[i].id.name, s->raids[i].id.len, s->raids[i].id.occ, name, len, occ))
      return &s->raids[i];
  if (!make) return NULL;
  if (s->nraids == s->capraids) {
    size_t cap = s->capraids ? s->capraids * 2 : 8;
    nd_rraid *v = ogrh_arena_alloc(s->a, cap * sizeof *v);
    if (!v) return NULL;
    if (s->nraids) memcpy(v, s->raids, s->nraids * sizeof *v);
    s->raids = v;
    s->capraids = cap;
  }
  nd_rraid *r = &s->raids[s->nraids];
  memset(r, 0, sizeof *r);
  r->id.name = adup(s->a, name, len);
  r->id.len = (uint32_t)len;
  r->id.occ = occ;
  if (!r->id.name) return NULL;
  s->nraids++;
  return r;
}

static nd_renc *renc_get(ogrh_node *n, nd_rraid *r, const char *name, size_t len, uint32_t occ) {
  for (size_t i = 0; i < r->nencs; i++)
    if (ident_eq(r->encs[i].id.name, r->encs[i].id.len, r->encs[i].id.occ, name, len, occ))
      return &r->encs[i];
  if (r->nencs == r->capencs) {
    size_t cap = r->capencs ? r->capencs * 2 : 8;
    nd_renc *v = ogrh_arena_alloc(n->sess.a, cap * sizeof *v);
    if (!v) return NULL;
    if (r->nencs) memcpy(v, r->encs, r->nencs * sizeof *v);
    r->encs = v;
    r->capencs = cap;
  }
  nd_renc *e = &r->encs[r->nencs];
  memset(e, 0, sizeof *e);
  e->id.name = adup(n->sess.a, name, len);
  e->id.len = (uint32_t)len;
  e->id.occ = occ;
  if (!e->id.name) return NULL;
  r->nencs++;
  return e;
}

/* Is anything still to be asked or answered? */
static bool outstanding(const nd_sess *s) {
  if (s->want_top && !s->have_top) return true;
  for (size_t i = 0; i < s->nraids; i++) {
    const nd_rraid *r = &s->raids[i];
    if (r->want && !r->have_encs) return true;
    for (size_t j = 0; j < r->nencs; j++)
      if (r->encs[j].want && !r->encs[j].have_comps) return true;
  }
  return false;
}

/* ---- sessions ---- */

static void dq_clear(ogrh_node *n) {
  for (size_t i = 0; i < n->ndq; i++) {
    nd_dscope *d = &n->dq[i];
    hfree(d->raid, d->raid_len);
    for (size_t j = 0; j < d->nencs; j++)
      hfree(d->encs[j], d->enc_len[j]);
    ogrh_free(d->encs, d->nencs * sizeof *d->encs);
    ogrh_free(d->enc_len, d->nencs * sizeof *d->enc_len);
    ogrh_free(d->enc_occ, d->nencs * sizeof *d->enc_occ);
  }
  ogrh_free(n->dq, n->capdq * sizeof *n->dq);
  n->dq = NULL;
  n->ndq = n->capdq = 0;
  n->dq_open = false;
}

static void qunit_free(nd_qunit *u);

void nd_repair_free(ogrh_node *n) {
  ogrh_arena_free(n->sess.a);
  memset(&n->sess, 0, sizeof n->sess);
  dq_clear(n);
  for (size_t i = 0; i < n->nuq; i++)
    qunit_free(&n->uq[i]);
  ogrh_free(n->uq, n->capuq * sizeof *n->uq);
  n->uq = NULL;
  n->nuq = n->capuq = 0;
  for (int i = 0; i < 5; i++) {
    ogrh_validation_free(n->rq_val[i]);
    n->rq_val[i] = NULL;
  }
  n->rq_open = false;
  if (n->rq_ctx_raid) ogrh_free(n->rq_ctx_raid, strlen(n->rq_ctx_raid) + 1);
  if (n->rq_ctx_enc) ogrh_free(n->rq_ctx_enc, strlen(n->rq_ctx_enc) + 1);
  n->rq_ctx_raid = n->rq_ctx_enc = NULL;
}

void nd_repair_reset_admin(ogrh_node *n) {
  /* Anything in progress with the old admin is void; the new one is asked afresh. */
  ogrh_repair_state keep = n->sess.phase;
  bool diffs = n->sess.ndiffs > 0;
  nd_repair_free(n);
  n->sess.phase = keep == OGRH_RS_DONE || keep == OGRH_RS_FAILED ? keep : OGRH_RS_IDLE;
  (void)diffs;
  n->sess_backoff = 0;
  n->sess_next_auto = n->now;
  n->cu_want = false;
}

void nd_sess_end(ogrh_node *n, ogrh_repair_state st) {
  nd_sess *s = &n->sess;
  s->active = false;
  s->phase = st;
  if (st == OGRH_RS_DONE) {
    n->sess_backoff = 0;
  } else if (st == OGRH_RS_FAILED) {
    n->st.repairs_failed++;
    n->sess_backoff = n->sess_backoff ? n->sess_backoff * 2 : n->cfg.timers.poll_interval_ms;
    if (n->sess_backoff > 600000) n->sess_backoff = 600000;
    n->sess_next_auto = n->now + n->sess_backoff;
  }
}

static void sess_fail(ogrh_node *n, ogrh_refusal why, const char *text) {
  nd_eventf(n, OGRH_EV_REPAIR_FAILED, n->sess.source[0] ? n->sess.source : n->admin, "", why,
            "Repair failed: %s", text);
  nd_sess_end(n, OGRH_RS_FAILED);
}

int nd_sess_begin(ogrh_node *n, bool manual, bool validate_only, const char *source,
                  ogrh_repair_level level, const char *raid, const char *enc) {
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  char *fr = raid ? ogrh_arena_memdup(a, raid, strlen(raid)) : NULL;
  char *fe = enc ? ogrh_arena_memdup(a, enc, strlen(enc)) : NULL;
  if ((raid && !fr) || (enc && !fe)) {
    ogrh_arena_free(a);
    return OGRH_ENOMEM;
  }
  ogrh_arena_free(n->sess.a);
  nd_sess *s = &n->sess;
  memset(s, 0, sizeof *s);
  s->a = a;
  s->active = true;
  s->manual = manual;
  s->validate_only = validate_only;
  s->level = level;
  snprintf(s->source, sizeof s->source, "%s", source ? source : "");
  s->f_raid = fr;
  s->f_enc = fe;
  s->phase = OGRH_RS_WAITING;
  s->want_top = true;
  s->started_at = n->now;
  s->send_at = manual ? n->now : n->now + jitter(n);
  return OGRH_OK;
}

static const char *source_name(const ogrh_node *n) {
  return n->sess.source[0] ? n->sess.source : n->admin;
}

/*
** Compares what a poll says with this document: differing globals are findings already; the
** raid the admin runs, when it differs, is drilled at once beside the list of every raid.
*/
static void seed_from_poll(ogrh_node *n, const nd_poll *poll) {
  nd_sess *s = &n->sess;
  nd_top top;
  nd_tree_top(nd_tree(n), &top);
  s->top_root = poll->root;
  s->rev_at = poll->rev;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (top.global[g] != poll->global[g])
      add_diff(n, OGRH_UNIT_GLOBAL, g, NULL, 0, 0, NULL, 0, 0, 0);
  if (poll->flags & ND_PF_RAID) {
    const ogrh_dt_raid *lr = nd_t_raid(n, poll->raid.name, poll->raid.len, poll->raid.occ);
    if (lr && lr->digest != poll->raid_digest) {
      nd_rraid *r = rraid_get(n, poll->raid.name, poll->raid.len, poll->raid.occ, true);
      if (r) {
        r->digest = poll->raid_digest;
        r->want = true;
      }
    }
  }
  s->want_top = true;
}

void nd_sess_start_auto(ogrh_node *n, const nd_poll *poll, const char *why) {
  (void)why;
  if (n->sess.active || nd_is_admin(n) || n->paused || !n->admin[0]) return;
  if (n->now < n->sess_next_auto) return;
  if (nd_sess_begin(n, false, false, NULL, OGRH_REPAIR_AUTO, NULL, NULL)) return;
  if (poll) seed_from_poll(n, poll);
}

/* ---- building and sending requests ---- */

static bool heard_recently(const ogrh_node *n, bool heard, uint64_t at) {
  return heard && n->now - at < n->cfg.timers.answer_ms;
}

static void send_drill(ogrh_node *n) {
  nd_sess *s = &n->sess;
  ogrh_buf b;
  ogrh_buf_init(&b);
  size_t count = 0;
  ogrh_buf scopes;
  ogrh_buf_init(&scopes);
  if (s->want_top && !s->have_top && !heard_recently(n, s->top_heard, s->top_heard_at)) {
    nd_put_u8(&scopes, ND_DS_TOP);
    count++;
  }
  for (size_t i = 0; i < s->nraids; i++) {
    nd_rraid *r = &s->raids[i];
    if (r->want && !r->have_encs && !heard_recently(n, r->heard, r->heard_at)) {
      nd_put_u8(&scopes, ND_DS_RAID);
      nd_put_name(&scopes, r->id.name, r->id.len);
      ogrh_varint_put(&scopes, r->id.occ);
      count++;
    }
    size_t m = 0;
    for (size_t j = 0; j < r->nencs; j++)
      m += r->encs[j].want && !r->encs[j].have_comps &&
           !heard_recently(n, r->encs[j].heard, r->encs[j].heard_at);
    if (!m) continue;
    nd_put_u8(&scopes, ND_DS_ENCS);
    nd_put_name(&scopes, r->id.name, r->id.len);
    ogrh_varint_put(&scopes, r->id.occ);
    ogrh_varint_put(&scopes, m);
    for (size_t j = 0; j < r->nencs; j++) {
      nd_renc *e = &r->encs[j];
      if (!e->want || e->have_comps || heard_recently(n, e->heard, e->heard_at)) continue;
      nd_put_name(&scopes, e->id.name, e->id.len);
      ogrh_varint_put(&scopes, e->id.occ);
    }
    count++;
  }
  if (count) {
    ogrh_varint_put(&b, n->epoch);
    nd_put_cstr(&b, s->source);
    ogrh_varint_put(&b, count);
    ogrh_buf_add(&b, scopes.p, scopes.n);
    if (nd_send(n, OGRH_MT_DRILL_REQ, &b, OGRH_CTL_NORMAL, NULL) == OGRH_OK) n->st.drill_requests++;
  } else {
    n->st.drill_suppressed++;
  }
  ogrh_buf_deinit(&scopes);
  ogrh_buf_deinit(&b);
}

/* The findings as a validation (validate.h): for the report lines, and on the admin's side for
** the repair planner. */
typedef struct valbuild {
  ogrh_validation *v;
  size_t capraids;
  size_t *capencs; /* per raid */
  size_t capcapencs;
} valbuild;

static int vb_new(valbuild *vb) {
  memset(vb, 0, sizeof *vb);
  vb->v = ogrh_malloc(sizeof *vb->v);
  if (!vb->v) return OGRH_ENOMEM;
  memset(vb->v, 0, sizeof *vb->v);
  vb->v->arena = ogrh_arena_new();
  if (!vb->v->arena) {
    ogrh_free(vb->v, sizeof *vb->v);
    vb->v = NULL;
    return OGRH_ENOMEM;
  }
  return OGRH_OK;
}

static void vb_done(valbuild *vb) {
  ogrh_free(vb->capencs, vb->capcapencs * sizeof *vb->capencs);
  vb->capencs = NULL;
}

static void deepen(ogrh_validation *v, ogrh_level l) {
  v->valid = false;
  if (l > v->level) v->level = l;
}

static ogrh_vr_raid *vb_raid(valbuild *vb, const char *name, size_t len, uint32_t occ) {
  ogrh_validation *v = vb->v;
  for (size_t i = 0; i < v->nraids; i++)
    if (ident_eq(v->raids[i].name, v->raids[i].name_len, v->raids[i].occ, name, len, occ))
      return &v->raids[i];
  if (v->nraids == vb->capraids) {
    size_t cap = vb->capraids ? vb->capraids * 2 : 8;
    ogrh_vr_raid *r = ogrh_arena_alloc(v->arena, cap * sizeof *r);
    if (!r) return NULL;
    if (v->nraids) memcpy(r, v->raids, v->nraids * sizeof *r);
    v->raids = r;
    if (ogrh_grow(&vb->capencs, &vb->capcapencs, cap, sizeof *vb->capencs)) return NULL;
    vb->capraids = cap;
  }
  ogrh_vr_raid *r = &v->raids[v->nraids];
  memset(r, 0, sizeof *r);
  r->name = adup(v->arena, name, len);
  r->name_len = (uint32_t)len;
  r->occ = occ;
  if (!r->name) return NULL;
  vb->capencs[v->nraids] = 0;
  v->nraids++;
  return r;
}

static ogrh_vr_enc *vb_enc(valbuild *vb, ogrh_vr_raid *r, const char *name, size_t len,
                           uint32_t occ) {
  for (size_t i = 0; i < r->nencs; i++)
    if (ident_eq(r->encs[i].name, r->encs[i].name_len, r->encs[i].occ, name, len, occ))
      return &r->encs[i];
  size_t ri = (size_t)(r - vb->v->raids);
  size_t *cap = &vb->capencs[ri];
  if (r->nencs == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    ogrh_vr_enc *e = ogrh_arena_alloc(vb->v->arena, nc * sizeof *e);
    if (!e) return NULL;
    if (r->nencs) memcpy(e, r->encs, r->nencs * sizeof *e);
    r->encs = e;
    *cap = nc;
  }
  ogrh_vr_enc *e = &r->encs[r->nencs];
  memset(e, 0, sizeof *e);
  e->name = adup(vb->v->arena, name, len);
  e->name_len = (uint32_t)len;
  e->occ = occ;
  if (!e->name) return NULL;
  r->nencs++;
  return e;
}

/* The session's findings as a validation (indexes unknown: they are the admin's business). */
static int diffs_validation(ogrh_node *n, ogrh_validation **out) {
  valbuild vb;
  int rc = vb_new(&vb);
  if (rc) return rc;
  ogrh_validation *v = vb.v;
  v->valid = true;
  for (size_t i = 0; i < n->sess.ndiffs && !rc; i++) {
    const ogrh_node_diff *d = &n->sess.diffs[i];
    if (d->kind == OGRH_UNIT_GLOBAL) {
      v->globals |= 1u << d->global;
      deepen(v, OGRH_LEVEL_GLOBAL);
      continue;
    }
    if (d->kind == OGRH_UNIT_RAIDLIST && !d->raid[0]) {
      v->raid_list = true;
      deepen(v, OGRH_LEVEL_RAID);
      continue;
    }
    ogrh_vr_raid *r = vb_raid(&vb, d->raid, strlen(d->raid), d->raid_occ);
    if (!r) {
      rc = OGRH_ENOMEM;
      break;
    }
    deepen(v, OGRH_LEVEL_RAID);
    if (d->kind == OGRH_UNIT_RAIDLIST) {
      r->extra_local = true;
      continue;
    }
    if (d->kind == OGRH_UNIT_RAID) {
      r->missing_local = true;
      continue;
    }
    if (d->kind == OGRH_UNIT_RAID_META && !d->encounter[0]) {
      r->meta_differs = true;
      continue;
    }
    ogrh_vr_enc *e = vb_enc(&vb, r, d->encounter, strlen(d->encounter), d->enc_occ);
    if (!e) {
      rc = OGRH_ENOMEM;
      break;
    }
    if (d->kind == OGRH_UNIT_RAID_META) {
      e->extra_local = true;
      deepen(v, OGRH_LEVEL_ENCOUNTER);
    } else if (d->kind == OGRH_UNIT_ENCOUNTER) {
      e->missing_local = true;
      deepen(v, OGRH_LEVEL_ENCOUNTER);
    } else {
      e->components |= d->components;
      deepen(v, OGRH_LEVEL_COMPONENT);
    }
  }
  vb_done(&vb);
  if (rc) {
    ogrh_validation_free(v);
    return rc;
  }
  *out = v;
  return OGRH_OK;
}

static void report(ogrh_node *n) {
  ogrh_validation *v;
  if (diffs_validation(n, &v)) return;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_validation_report(v, &b);
  static const char pre[] = "Structure mismatch detected: ";
  for (char *line = b.p, *e; line && *line; line = e + 1) {
    e = strchr(line, '\n');
    if (!e) break;
    *e = 0;
    ogrh_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = v->valid ? OGRH_EV_VALIDATED : OGRH_EV_MISMATCH;
    ev.text = line;
    ev.what = strncmp(line, pre, sizeof pre - 1) == 0 ? line + sizeof pre - 1 : line;
    ev.who = source_name(n);
    nd_event(n, &ev);
  }
  ogrh_buf_deinit(&b);
  ogrh_validation_free(v);
}

static void put_ident(ogrh_buf *b, const char *name, uint32_t occ) {
  nd_put_name(b, name, strlen(name));
  ogrh_varint_put(b, occ);
}

/* The request's items: what differs, at the granularity the chosen level asks for. */
static size_t build_items(ogrh_node *n, ogrh_buf *b, bool only_unheard) {
  nd_sess *s = &n->sess;
  size_t count = 0;
  if (s->level == OGRH_REPAIR_FULL) {
    nd_put_u8(b, ND_IT_FULL);
    return 1;
  }
  for (size_t i = 0; i < s->ndiffs; i++) {
    ogrh_node_diff *d = &s->diffs[i];
    if (d->repaired || (only_unheard && d->repaired)) continue;
    switch (d->kind) {
    case OGRH_UNIT_GLOBAL:
      nd_put_u8(b, ND_IT_GLOBAL);
      nd_put_u8(b, (uint8_t)d->global);
      break;
    case OGRH_UNIT_RAIDLIST:
      nd_put_u8(b, ND_IT_RAIDLIST);
      break;
    case OGRH_UNIT_RAID:
      nd_put_u8(b, ND_IT_RAID_MISSING);
      put_ident(b, d->raid, d->raid_occ);
      break;
    case OGRH_UNIT_RAID_META:
      nd_put_u8(b, s->level == OGRH_REPAIR_RAID ? ND_IT_RAID : ND_IT_RAID_META);
      put_ident(b, d->raid, d->raid_occ);
      break;
    case OGRH_UNIT_ENCOUNTER:
      nd_put_u8(b, s->level == OGRH_REPAIR_RAID ? ND_IT_RAID : ND_IT_ENC_MISSING);
      put_ident(b, d->raid, d->raid_occ);
      if (s->level != OGRH_REPAIR_RAID) put_ident(b, d->encounter, d->enc_occ);
      break;
    default:
      if (s->level == OGRH_REPAIR_RAID) {
        nd_put_u8(b, ND_IT_RAID);
        put_ident(b, d->raid, d->raid_occ);
      } else if (s->level == OGRH_REPAIR_ENCOUNTER) {
        nd_put_u8(b, ND_IT_ENCOUNTER);
        put_ident(b, d->raid, d->raid_occ);
        put_ident(b, d->encounter, d->enc_occ);
      } else {
        nd_put_u8(b, ND_IT_COMPONENT);
        put_ident(b, d->raid, d->raid_occ);
        put_ident(b, d->encounter, d->enc_occ);
        nd_put_u8(b, (uint8_t)d->components);
      }
      break;
    }
    count++;
  }
  return count;
}

static void send_repair_req(ogrh_node *n) {
  nd_sess *s = &n->sess;
  ogrh_buf items, b;
  ogrh_buf_init(&items);
  ogrh_buf_init(&b);
  size_t count = build_items(n, &items, true);
  if (count && !(s->req_heard && s->tries == 0)) {
    ogrh_varint_put(&b, n->epoch);
    nd_put_cstr(&b, s->source);
    nd_put_u8(&b, (uint8_t)s->level);
    nd_put_cstr(&b, n->ctx_raid);
    nd_put_cstr(&b, n->ctx_enc);
    ogrh_varint_put(&b, count);
    ogrh_buf_add(&b, items.p, items.n);
    if (nd_send(n, OGRH_MT_REPAIR_REQ, &b, OGRH_CTL_NORMAL, NULL) == OGRH_OK)
      n->st.repair_requests++;
  } else {
    n->st.repair_suppressed++;
  }
  ogrh_buf_deinit(&items);
  ogrh_buf_deinit(&b);
  if (!s->requested) {
    s->requested = true;
    s->recv_started_at = n->now;
    if (s->source[0])
      nd_eventf(n, OGRH_EV_REPAIR_REQUESTED, s->source, "", OGRH_WHY_NONE,
                "Requesting repair from %s...", s->source);
    else
      nd_eventf(n, OGRH_EV_REPAIR_REQUESTED, n->admin, "", OGRH_WHY_NONE,
                "Requesting repair from raid admin...");
  }
}

static bool all_repaired(const nd_sess *s) {
  for (size_t i = 0; i < s->ndiffs; i++)
    if (!s->diffs[i].repaired) return false;
  return true;
}

static void complete(ogrh_node *n) {
  nd_sess *s = &n->sess;
  ogrh_event e;
  memset(&e, 0, sizeof e);
  e.kind = OGRH_EV_REPAIR_DONE;
  e.text = "Repair completed successfully";
  e.who = source_name(n);
  e.units_done = s->units_done;
  e.units_total = s->units_total > s->units_done ? s->units_total : s->units_done;
  e.bytes_done = s->bytes_done;
  e.bytes_total = s->bytes_total > s->bytes_done ? s->bytes_total : s->bytes_done;
  nd_event(n, &e);
  n->st.repairs_done++;
  n->stale = false;
  n->check_root = true;
  nd_sess_end(n, OGRH_RS_DONE);
}

/* After each answer: ask for the next level down, or report and request the units. */
static void step(ogrh_node *n) {
  nd_sess *s = &n->sess;
  if (!s->active) return;
  if (s->phase == OGRH_RS_WAITING || s->phase == OGRH_RS_DRILLING) {
    if (outstanding(s)) {
      if (s->phase == OGRH_RS_DRILLING) {
        s->phase = OGRH_RS_WAITING;
        s->send_at = n->now + (s->manual ? 0 : jitter(n));
      }
      return;
    }
    if (!s->reported) {
      s->reported = true;
      report(n);
    }
    if (!s->ndiffs && s->level != OGRH_REPAIR_FULL) {
      if (!s->manual) n->stale = false;
      nd_sess_end(n, OGRH_RS_DONE);
      return;
    }
    if (s->validate_only) {
      nd_sess_end(n, OGRH_RS_DONE);
      return;
    }
    s->phase = OGRH_RS_RECEIVING;
    s->requested = false;
    s->send_at = n->now + (s->manual ? 0 : jitter(n));
    s->deadline = 0;
    s->tries = 0;
    return;
  }
  /* Done when every finding is repaired and every unit the plans announced for it came (a
     full repair: every unit). */
  if (s->phase == OGRH_RS_RECEIVING && s->requested && all_repaired(s) &&
      s->units_done >= s->units_total && (s->level != OGRH_REPAIR_FULL || s->units_total))
    complete(n);
}

static void sess_tick(ogrh_node *n) {
  nd_sess *s = &n->sess;
  if (!s->active) return;
  if (nd_is_admin(n) && !s->source[0]) {
    nd_sess_end(n, OGRH_RS_IDLE);
    return;
  }
  if (n->paused && !s->manual) return;
  /* Progress from the source keeps the deadline away. */
  uint64_t last = s->source[0] ? s->deadline : n->last_from_admin + n->cfg.timers.answer_ms;
  if (s->deadline && last > s->deadline) s->deadline = last;
  /* Findings complete without asking (a poll can tell everything): straight to the request. */
  if (s->phase == OGRH_RS_WAITING && !outstanding(s)) {
    step(n);
    if (!s->active) return;
  }
  bool asking = s->phase == OGRH_RS_WAITING || (s->phase == OGRH_RS_RECEIVING && !s->requested);
  if (asking && n->now >= s->send_at && nd_can_send(n)) {
    if (s->phase == OGRH_RS_WAITING) {
      send_drill(n);
      s->phase = OGRH_RS_DRILLING;
    } else {
      send_repair_req(n);
    }
    s->deadline = n->now + (n->cfg.timers.answer_ms << (s->tries < 4 ? s->tries : 4));
    return;
  }
  if (!asking && s->deadline && n->now >= s->deadline) {
    if (++s->tries >= n->cfg.timers.tries) {
      sess_fail(n, OGRH_WHY_NO_ADMIN, "no answer from the admin");
      return;
    }
    /* Ask again, whoever else asked. */
    for (size_t i = 0; i < s->nraids; i++) {
      s->raids[i].heard = false;
      for (size_t j = 0; j < s->raids[i].nencs; j++)
        s->raids[i].encs[j].heard = false;
    }
    s->top_heard = s->req_heard = false;
    if (s->phase == OGRH_RS_DRILLING) s->phase = OGRH_RS_WAITING;
    if (s->phase == OGRH_RS_RECEIVING) s->requested = false;
    s->send_at = n->now;
  }
}

/* ---- polls (receiving) ---- */

void nd_on_poll(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_poll poll;
  if (nd_poll_decode(p, len, &poll)) {
    nd_refuse(n, sender, OGRH_MT_POLL, OGRH_WHY_MALFORMED);
    return;
  }
  ogrh_refusal why =
      nd_check_admin(n, sender, poll.epoch, poll.flags & ND_PF_GRANTOR ? poll.grantor : NULL);
  if (why) {
    nd_refuse(n, sender, OGRH_MT_POLL, why);
    return;
  }
  if (nd_is_admin(n)) return;
  n->st.polls_heard++;
  bool paused = (poll.flags & ND_PF_PAUSED) != 0;
  if (paused != n->paused) {
    n->paused = paused;
    nd_mark_state(n);
  }
  /* Writes that are not pushed reach the admin with the next poll. */
  nd_flush(n, true);
  if (nd_tentative(n)) return; /* our own proposals make us differ: judge later */
  if (n->sess.active && n->sess.phase != OGRH_RS_WAITING) return;
  if (nd_root(n) == poll.root) {
    if (n->rev != poll.rev || !n->synced) nd_mark_state(n);
    n->rev = poll.rev;
    n->synced = true;
    n->stale = false;
    n->cu_want = false;
    if (n->sess.active && !n->sess.manual) nd_sess_end(n, OGRH_RS_DONE);
    return;
  }
  if (n->synced && poll.rev > n->rev) {
    nd_want_catchup(n); /* behind: the log brings us up to date */
    return;
  }
  n->synced = false;
  n->stale = true;
  if (n->sess.active && !n->sess.manual && n->sess.phase == OGRH_RS_WAITING) {
    seed_from_poll(n, &poll);
    return;
  }
  nd_sess_start_auto(n, &poll, "poll");
}

/* ---- drill-down requests (answered by the admin, or by an officer chosen as source) ---- */

static bool i_am_source(ogrh_node *n, const char *source) {
  if (source[0]) return strcmp(source, n->self) == 0 && nd_rank(n, n->self) >= 1;
  return nd_is_admin(n);
}

static nd_dscope *dq_find(ogrh_node *n, int kind, const char *raid, size_t rl, uint32_t ro) {
  for (size_t i = 0; i < n->ndq; i++) {
    nd_dscope *d = &n->dq[i];
    if (d->kind != kind) continue;
    if (kind == ND_DS_TOP || ident_eq(d->raid, d->raid_len, d->raid_occ, raid, rl, ro)) return d;
  }
  return NULL;
}

static nd_dscope *dq_add(ogrh_node *n, int kind, const char *raid, size_t rl, uint32_t ro) {
  nd_dscope *d = dq_find(n, kind, raid, rl, ro);
  if (d) return d;
  if (n->ndq >= 256 || ogrh_grow(&n->dq, &n->capdq, n->ndq + 1, sizeof *n->dq)) return NULL;
  d = &n->dq[n->ndq];
  memset(d, 0, sizeof *d);
  d->kind = kind;
  if (kind != ND_DS_TOP) {
    d->raid = hdup(raid, rl);
    if (!d->raid) return NULL;
    d->raid_len = (uint32_t)rl;
    d->raid_occ = ro;
  }
  n->ndq++;
  return d;
}

static int dq_add_enc(nd_dscope *d, const char *name, size_t len, uint32_t occ) {
  for (size_t i = 0; i < d->nencs; i++)
    if (ident_eq(d->encs[i], d->enc_len[i], d->enc_occ[i], name, len, occ)) return OGRH_OK;
  if (d->nencs >= 512) return OGRH_ETOOBIG;
  size_t nn = d->nencs + 1;
  char **e = ogrh_realloc(d->encs, d->nencs * sizeof *e, nn * sizeof *e);
  if (!e) return OGRH_ENOMEM;
  d->encs = e;
  uint32_t *l = ogrh_realloc(d->enc_len, d->nencs * sizeof *l, nn * sizeof *l);
  if (!l) return OGRH_ENOMEM;
  d->enc_len = l;
  uint32_t *o = ogrh_realloc(d->enc_occ, d->nencs * sizeof *o, nn * sizeof *o);
  if (!o) return OGRH_ENOMEM;
  d->enc_occ = o;
  if (!(d->encs[d->nencs] = hdup(name, len))) return OGRH_ENOMEM;
  d->enc_len[d->nencs] = (uint32_t)len;
  d->enc_occ[d->nencs] = occ;
  d->nencs++;
  return OGRH_OK;
}

/* Someone else's request: mark what it asks, so that we stay quiet about it. */
static void heard_drill(ogrh_node *n, nd_rd *r, uint64_t count) {
  nd_sess *s = &n->sess;
  for (uint64_t i = 0; i < count && !r->err; i++) {
    uint8_t kind = nd_get_u8(r);
    if (kind == ND_DS_TOP) {
      s->top_heard = true;
      s->top_heard_at = n->now;
      continue;
    }
    nd_ident rid = nd_get_ident(r);
    nd_rraid *rr = r->err ? NULL : rraid_get(n, rid.name, rid.len, rid.occ, false);
    if (kind == ND_DS_RAID) {
      if (rr) {
        rr->heard = true;
        rr->heard_at = n->now;
      }
      continue;
    }
    uint64_t m = nd_get_varint(r);
    for (uint64_t j = 0; j < m && !r->err; j++) {
      nd_ident eid = nd_get_ident(r);
      for (size_t k = 0; rr && k < rr->nencs; k++)
        if (ident_eq(rr->encs[k].id.name, rr->encs[k].id.len, rr->encs[k].id.occ, eid.name, eid.len,
                     eid.occ)) {
          rr->encs[k].heard = true;
          rr->encs[k].heard_at = n->now;
        }
    }
  }
}

void nd_on_drill_req(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  char source[ND_NAME];
  nd_get_player(&r, source);
  uint64_t count = nd_get_varint(&r);
  if (r.err || count == 0 || count > 256) {
    nd_refuse(n, sender, OGRH_MT_DRILL_REQ, OGRH_WHY_MALFORMED);
    return;
  }
  if (nd_rank(n, sender) < 0) {
    nd_refuse(n, sender, OGRH_MT_DRILL_REQ, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  if (epoch != n->epoch) return;
  if (!i_am_source(n, source)) {
    if (n->sess.active && strcmp(source, n->sess.source) == 0) heard_drill(n, &r, count);
    return;
  }
  if (n->paused) return;
  for (uint64_t i = 0; i < count && !r.err; i++) {
    uint8_t kind = nd_get_u8(&r);
    if (kind > ND_DS_ENCS) {
      r.err = OGRH_ECORRUPT;
      break;
    }
    nd_ident rid = {"", 0, 0};
    if (kind != ND_DS_TOP) rid = nd_get_ident(&r);
    if (r.err) break;
    nd_dscope *d = dq_add(n, kind, rid.name, rid.len, rid.occ);
    if (kind != ND_DS_ENCS) continue;
    uint64_t m = nd_get_varint(&r);
    if (m > 512) r.err = OGRH_ECORRUPT;
    for (uint64_t j = 0; j < m && !r.err; j++) {
      nd_ident eid = nd_get_ident(&r);
      if (!r.err && d) dq_add_enc(d, eid.name, eid.len, eid.occ);
    }
  }
  if (r.err || r.p != r.end) {
    nd_refuse(n, sender, OGRH_MT_DRILL_REQ, OGRH_WHY_MALFORMED);
    return;
  }
  if (!n->dq_open && n->ndq) {
    n->dq_open = true;
    n->dq_at = n->now + n->cfg.timers.buffer_ms;
  }
}

static void drill_header(ogrh_node *n, ogrh_buf *b, const ogrh_dtree *t) {
  nd_top top;
  nd_tree_top(t, &top);
  ogrh_varint_put(b, n->epoch);
  ogrh_varint_put(b, nd_is_admin(n) ? n->published : n->rev);
  nd_put_u64(b, top.root);
}

static void drill_answer(ogrh_node *n, const nd_dscope *d, const ogrh_dtree *t, ogrh_buf *a) {
  nd_put_u8(a, (uint8_t)d->kind);
  if (d->kind == ND_DS_TOP) {
    nd_top top;
    nd_tree_top(t, &top);
    nd_put_u64(a, top.raidlist);
    for (int g = 0; g < OGRH_NGLOBALS; g++)
      nd_put_u64(a, top.global[g]);
    ogrh_varint_put(a, top.nraids);
    const ogrh_dt_raid *r;
    for (size_t i = 0; (r = nd_tree_raid(t, i)); i++) {
      nd_put_name(a, r->name, r->name_len);
      ogrh_varint_put(a, r->occ);
      nd_put_u64(a, r->digest);
    }
    return;
  }
  nd_put_name(a, d->raid, d->raid_len);
  ogrh_varint_put(a, d->raid_occ);
  const ogrh_dt_raid *r = nd_t_raid(n, d->raid, d->raid_len, d->raid_occ);
  if (d->kind == ND_DS_RAID) {
    nd_put_u8(a, r != NULL);
    if (!r) return;
    nd_put_u64(a, r->meta);
    nd_put_u64(a, r->list);
    ogrh_varint_put(a, r->nencs);
    for (size_t i = 0; i < r->nencs; i++) {
      nd_put_name(a, r->encs[i].name, r->encs[i].name_len);
      ogrh_varint_put(a, r->encs[i].occ);
      nd_put_u64(a, r->encs[i].digest);
    }
    return;
  }
  ogrh_varint_put(a, d->nencs);
  for (size_t i = 0; i < d->nencs; i++) {
    nd_put_name(a, d->encs[i], d->enc_len[i]);
    ogrh_varint_put(a, d->enc_occ[i]);
    const ogrh_dt_enc *e = nd_t_enc(r, d->encs[i], d->enc_len[i], d->enc_occ[i]);
    nd_put_u8(a, e != NULL);
    for (int c = 0; e && c < OGRH_NCOMPONENTS; c++)
      nd_put_u64(a, e->comp[c]);
  }
}

static void answer_drills(ogrh_node *n) {
  const ogrh_dtree *t = nd_tree(n);
  ogrh_buf b, answers;
  ogrh_buf_init(&b);
  ogrh_buf_init(&answers);
  size_t count = 0;
  for (size_t i = 0; i <= n->ndq; i++) {
    ogrh_buf one;
    ogrh_buf_init(&one);
    if (i < n->ndq) drill_answer(n, &n->dq[i], t, &one);
    /* Several answers per message, split when a message would grow too large. */
    if (count && (i == n->ndq || answers.n + one.n > n->cfg.limits.message_bytes)) {
      ogrh_buf_reset(&b);
      drill_header(n, &b, t);
      ogrh_varint_put(&b, count);
      ogrh_buf_add(&b, answers.p, answers.n);
      if (nd_send(n, OGRH_MT_DRILL_RESP, &b, OGRH_CTL_NORMAL, NULL) == OGRH_OK)
        n->st.drill_answers++;
      ogrh_buf_reset(&answers);
      count = 0;
    }
    if (i < n->ndq) {
      ogrh_buf_add(&answers, one.p, one.n);
      count++;
    }
    ogrh_buf_deinit(&one);
  }
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&answers);
  dq_clear(n);
}

/* ---- drill-down answers (client) ---- */

static bool from_source(ogrh_node *n, const char *sender, uint64_t epoch, uint8_t type) {
  if (n->sess.active && n->sess.source[0]) {
    if (strcmp(sender, n->sess.source) != 0) {
      n->st.refused[OGRH_WHY_NOT_SOURCE]++;
      return false;
    }
    if (nd_rank(n, sender) < 1 && strcmp(sender, n->admin) != 0) {
      nd_refuse(n, sender, type, OGRH_WHY_RANK);
      return false;
    }
    n->sess.deadline = n->now + n->cfg.timers.answer_ms;
    return true;
  }
  ogrh_refusal why = nd_check_admin(n, sender, epoch, NULL);
  if (why == OGRH_WHY_NOT_ADMIN && nd_rank(n, sender) >= 1) {
    /* An officer answering someone who chose it as source: not for us. */
    n->st.refused[OGRH_WHY_NOT_SOURCE]++;
    return false;
  }
  if (why) {
    nd_refuse(n, sender, type, why);
    return false;
  }
  return true;
}

/* Is this identity among ids[0..n)? */
static bool ids_have(const nd_ident *ids, uint64_t n, const char *name, size_t len, uint32_t occ) {
  for (uint64_t k = 0; ids && k < n; k++)
    if (ident_eq(ids[k].name, ids[k].len, ids[k].occ, name, len, occ)) return true;
  return false;
}

static void take_top(ogrh_node *n, nd_rd *r) {
  nd_sess *s = &n->sess;
  const ogrh_dtree *t = nd_tree(n);
  nd_top top;
  nd_tree_top(t, &top);
  ogrh_digest raidlist = nd_get_u64(r), global[OGRH_NGLOBALS];
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    global[g] = nd_get_u64(r);
  uint64_t count = nd_get_varint(r);
  if (r->err || count > (uint64_t)(r->end - r->p)) {
    r->err = OGRH_ECORRUPT;
    return;
  }
  bool want = s->active && s->want_top && !s->have_top;
  /* The admin's raids, by identity, to find ours it does not have. */
  nd_ident *ids = want && count ? ogrh_arena_alloc(s->a, (size_t)count * sizeof *ids) : NULL;
  for (uint64_t i = 0; i < count && !r->err; i++) {
    ogrh_digest dg;
    nd_ident id = nd_get_ident_digest(r, &dg);
    if (r->err) return;
    const char *name = id.name;
    uint32_t len = id.len, occ = id.occ;
    if (ids) ids[i] = id;
    if (!want || !in_filter(s, name, len, NULL, 0)) continue;
    const ogrh_dt_raid *lr = nd_tree_find_raid(t, name, len, (uint32_t)occ);
    if (!lr) {
      add_diff(n, OGRH_UNIT_RAID, 0, name, len, (uint32_t)occ, NULL, 0, 0, 0);
      add_diff(n, OGRH_UNIT_RAIDLIST, 0, NULL, 0, 0, NULL, 0, 0, 0);
    } else if (lr->digest != dg) {
      nd_rraid *rr = rraid_get(n, name, len, (uint32_t)occ, true);
      if (rr && !rr->have_encs) {
        rr->digest = dg;
        rr->want = true;
      }
    }
  }
  if (!want || r->err) return;
  s->have_top = true;
  s->top_raidlist = raidlist;
  memcpy(s->top_global, global, sizeof global);
  if (s->f_raid) return;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (top.global[g] != global[g]) add_diff(n, OGRH_UNIT_GLOBAL, g, NULL, 0, 0, NULL, 0, 0, 0);
  bool extra = false;
  const ogrh_dt_raid *lr;
  for (size_t i = 0; (lr = nd_tree_raid(t, i)); i++) {
    if (!ids_have(ids, count, lr->name, lr->name_len, lr->occ)) {
      /* Ours only: the raid list unit takes it away. */
      add_diff(n, OGRH_UNIT_RAIDLIST, 0, lr->name, lr->name_len, lr->occ, NULL, 0, 0, 0);
      extra = true;
    }
  }
  if (top.raidlist != raidlist && !extra)
    add_diff(n, OGRH_UNIT_RAIDLIST, 0, NULL, 0, 0, NULL, 0, 0, 0);
}

static void take_raid(ogrh_node *n, nd_rd *r) {
  nd_sess *s = &n->sess;
  nd_ident rid = nd_get_ident(r);
  const char *raid = rid.name;
  uint32_t rl = rid.len, ro = rid.occ;
  uint8_t present = nd_get_u8(r);
  if (r->err || present > 1) {
    r->err = OGRH_ECORRUPT;
    return;
  }
  if (!present) return;
  ogrh_digest meta = nd_get_u64(r), list = nd_get_u64(r);
  uint64_t count = nd_get_varint(r);
  if (r->err || count > (uint64_t)(r->end - r->p)) {
    r->err = OGRH_ECORRUPT;
    return;
  }
  nd_rraid *rr = s->active ? rraid_get(n, raid, rl, (uint32_t)ro, false) : NULL;
  bool want = rr && rr->want && !rr->have_encs;
  const ogrh_dt_raid *lr = want ? nd_t_raid(n, raid, rl, (uint32_t)ro) : NULL;
  nd_ident *ids = lr && count ? ogrh_arena_alloc(s->a, (size_t)count * sizeof *ids) : NULL;
  for (uint64_t i = 0; i < count && !r->err; i++) {
    ogrh_digest dg;
    nd_ident id = nd_get_ident_digest(r, &dg);
    if (r->err) return;
    const char *enc = id.name;
    uint32_t el = id.len, eo = id.occ;
    if (ids) ids[i] = id;
    if (!lr || !in_filter(s, raid, rl, enc, el)) continue;
    const ogrh_dt_enc *le = nd_t_enc(lr, enc, el, (uint32_t)eo);
    if (!le) {
      /* Theirs only: the raid metadata unit brings it whole. */
      add_diff(n, OGRH_UNIT_ENCOUNTER, 0, raid, rl, (uint32_t)ro, enc, el, (uint32_t)eo, 0);
      continue;
    }
    if (le->digest == dg) continue;
    nd_renc *re = renc_get(n, rr, enc, el, (uint32_t)eo);
    if (re) {
      re->digest = dg;
      re->want = true;
    }
  }
  if (!want || r->err) return;
  rr->have_encs = true;
  rr->meta = meta;
  rr->list = list;
  if (!lr || s->f_enc) return;
  bool extra = false;
  for (size_t i = 0; i < lr->nencs; i++) {
    const ogrh_dt_enc *le = &lr->encs[i];
    if (!ids_have(ids, count, le->name, le->name_len, le->occ)) {
      /* Ours only: the raid metadata unit takes it away. */
      add_diff(n, OGRH_UNIT_RAID_META, 0, raid, rl, (uint32_t)ro, le->name, le->name_len, le->occ,
               0);
      extra = true;
    }
  }
  if (lr->meta != meta || (lr->list != list && !extra))
    add_diff(n, OGRH_UNIT_RAID_META, 0, raid, rl, (uint32_t)ro, NULL, 0, 0, 0);
}

static void take_encs(ogrh_node *n, nd_rd *r) {
  nd_sess *s = &n->sess;
  nd_ident rid = nd_get_ident(r);
  const char *raid = rid.name;
  uint32_t rl = rid.len, ro = rid.occ;
  uint64_t count = nd_get_varint(r);
  if (r->err || count > (uint64_t)(r->end - r->p)) {
    r->err = OGRH_ECORRUPT;
    return;
  }
  nd_rraid *rr = s->active ? rraid_get(n, raid, rl, (uint32_t)ro, false) : NULL;
  const ogrh_dt_raid *lr = rr ? nd_t_raid(n, raid, rl, (uint32_t)ro) : NULL;
  for (uint64_t i = 0; i < count && !r->err; i++) {
    nd_ident eid = nd_get_ident(r);
    const char *enc = eid.name;
    uint32_t el = eid.len, eo = eid.occ;
    uint8_t present = nd_get_u8(r);
    ogrh_digest comp[OGRH_NCOMPONENTS] = {0};
    if (present > 1) r->err = OGRH_ECORRUPT;
    for (int c = 0; present == 1 && c < OGRH_NCOMPONENTS; c++)
      comp[c] = nd_get_u64(r);
    if (r->err || !rr || !present) continue;
    nd_renc *re = NULL;
    for (size_t k = 0; k < rr->nencs; k++)
      if (ident_eq(rr->encs[k].id.name, rr->encs[k].id.len, rr->encs[k].id.occ, enc, el,
                   (uint32_t)eo))
        re = &rr->encs[k];
    if (!re || !re->want || re->have_comps) continue;
    re->have_comps = true;
    memcpy(re->comp, comp, sizeof comp);
    const ogrh_dt_enc *le = nd_t_enc(lr, enc, el, (uint32_t)eo);
    unsigned mask = 0;
    for (int c = 0; le && c < OGRH_NCOMPONENTS; c++)
      if (le->comp[c] != comp[c]) mask |= 1u << c;
    /* One finding per component: each is repaired (and reported) on its own. */
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      if (mask & (1u << c))
        add_diff(n, OGRH_UNIT_COMPONENT, c, raid, rl, (uint32_t)ro, enc, el, (uint32_t)eo, 1u << c);
  }
}

void nd_on_drill_resp(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  nd_get_varint(&r); /* revision the digests describe */
  nd_get_u64(&r);    /* root */
  uint64_t count = nd_get_varint(&r);
  if (r.err || count > len) {
    nd_refuse(n, sender, OGRH_MT_DRILL_RESP, OGRH_WHY_MALFORMED);
    return;
  }
  if (!from_source(n, sender, epoch, OGRH_MT_DRILL_RESP)) return;
  if (nd_is_admin(n)) return;
  for (uint64_t i = 0; i < count && !r.err; i++) {
    uint8_t kind = nd_get_u8(&r);
    if (kind == ND_DS_TOP)
      take_top(n, &r);
    else if (kind == ND_DS_RAID)
      take_raid(n, &r);
    else if (kind == ND_DS_ENCS)
      take_encs(n, &r);
    else
      r.err = OGRH_ECORRUPT;
  }
  if (r.err || r.p != r.end) {
    nd_refuse(n, sender, OGRH_MT_DRILL_RESP, OGRH_WHY_MALFORMED);
    return;
  }
  step(n);
}

/* ---- repair requests (admin side: collect, plan, queue units) ---- */

static int val_item(ogrh_node *n, valbuild *vb, nd_rd *r, uint8_t kind, bool *full) {
  ogrh_validation *v = vb->v;
  if (kind == ND_IT_GLOBAL) {
    uint8_t g = nd_get_u8(r);
    if (r->err || g >= OGRH_NGLOBALS) return OGRH_ECORRUPT;
    v->globals |= 1u << g;
    deepen(v, OGRH_LEVEL_GLOBAL);
    return OGRH_OK;
  }
  if (kind == ND_IT_RAIDLIST) {
    v->raid_list = true;
    deepen(v, OGRH_LEVEL_RAID);
    return OGRH_OK;
  }
  if (kind == ND_IT_FULL) {
    *full = true;
    deepen(v, OGRH_LEVEL_RAID);
    return OGRH_OK;
  }
  if (kind > ND_IT_ENCOUNTER) return OGRH_ECORRUPT;
  nd_ident rid = nd_get_ident(r), eid = {NULL, 0, 0};
  if (kind == ND_IT_ENC_MISSING || kind == ND_IT_COMPONENT || kind == ND_IT_ENCOUNTER)
    eid = nd_get_ident(r);
  uint8_t mask = kind == ND_IT_COMPONENT ? nd_get_u8(r) : 0;
  if (r->err || mask > OGRH_C_ALL) return OGRH_ECORRUPT;
  const char *raid = rid.name, *enc = eid.name;
  uint32_t rl = rid.len, ro = rid.occ, el = eid.len, eo = eid.occ;
  const ogrh_dt_raid *tr = nd_t_raid(n, raid, rl, (uint32_t)ro);
  if (!tr) {
    /* The asker has a raid we do not: the raid list unit removes it. */
    v->raid_list = true;
    deepen(v, OGRH_LEVEL_RAID);
    return OGRH_OK;
  }
  ogrh_vr_raid *vr = vb_raid(vb, raid, rl, (uint32_t)ro);
  if (!vr) return OGRH_ENOMEM;
  vr->remote_index = vr->local_index = tr->index;
  deepen(v, OGRH_LEVEL_RAID);
  switch (kind) {
  case ND_IT_RAID_MISSING:
    vr->missing_local = true;
    v->raid_list = true;
    return OGRH_OK;
  case ND_IT_RAID_META:
    vr->meta_differs = vr->list_differs = true;
    return OGRH_OK;
  case ND_IT_RAID:
    vr->meta_differs = true;
    return OGRH_OK;
  default:
    break;
  }
  const ogrh_dt_enc *te = nd_t_enc(tr, enc, el, (uint32_t)eo);
  if (!te) {
    vr->list_differs = true; /* the asker has an encounter we do not */
    return OGRH_OK;
  }
  ogrh_vr_enc *ve = vb_enc(vb, vr, enc, el, (uint32_t)eo);
  if (!ve) return OGRH_ENOMEM;
  ve->remote_index = ve->local_index = te->index;
  if (kind == ND_IT_ENC_MISSING) {
    ve->missing_local = true;
    vr->list_differs = true;
    deepen(v, OGRH_LEVEL_ENCOUNTER);
  } else {
    ve->components |= kind == ND_IT_ENCOUNTER ? OGRH_C_ALL : mask;
    deepen(v, OGRH_LEVEL_COMPONENT);
  }
  return OGRH_OK;
}

/* Merges a request's validation into the one being collected for its level. */
static int val_merge(ogrh_validation **into, ogrh_validation *v) {
  if (!*into) {
    *into = v;
    return OGRH_OK;
  }
  valbuild vb = {*into, 0, NULL, 0};
  ogrh_validation *t = *into;
  /* Rebuild the target's capacities: every array is exactly full. */
  vb.capraids = t->nraids;
  if (ogrh_grow(&vb.capencs, &vb.capcapencs, t->nraids ? t->nraids : 1, sizeof *vb.capencs)) {
    ogrh_validation_free(v);
    return OGRH_ENOMEM;
  }
  for (size_t i = 0; i < t->nraids; i++)
    vb.capencs[i] = t->raids[i].nencs;
  t->globals |= v->globals;
  t->raid_list |= v->raid_list;
  if (v->level > t->level) t->level = v->level;
  t->valid = t->valid && v->valid;
  int rc = OGRH_OK;
  for (size_t i = 0; i < v->nraids && !rc; i++) {
    const ogrh_vr_raid *s = &v->raids[i];
    ogrh_vr_raid *d = vb_raid(&vb, s->name, s->name_len, s->occ);
    if (!d) {
      rc = OGRH_ENOMEM;
      break;
    }
    d->remote_index = s->remote_index;
    d->local_index = s->local_index;
    d->missing_local |= s->missing_local;
    d->meta_differs |= s->meta_differs;
    d->list_differs |= s->list_differs;
    for (size_t j = 0; j < s->nencs && !rc; j++) {
      const ogrh_vr_enc *se = &s->encs[j];
      ogrh_vr_enc *de = vb_enc(&vb, d, se->name, se->name_len, se->occ);
      if (!de) {
        rc = OGRH_ENOMEM;
        break;
      }
      de->remote_index = se->remote_index;
      de->local_index = se->local_index;
      de->components |= se->components;
      de->missing_local |= se->missing_local;
    }
  }
  vb_done(&vb);
  ogrh_validation_free(v);
  return rc;
}

static void heard_repair_req(ogrh_node *n, nd_rd *r, uint64_t count) {
  /* Someone asked for units: if it covers everything we found, we stay quiet. */
  nd_sess *s = &n->sess;
  size_t covered = 0;
  ogrh_buf mine;
  ogrh_buf_init(&mine);
  size_t ours = build_items(n, &mine, false);
  /* Items are compared as bytes: the same findings give the same items. */
  const uint8_t *start = r->p;
  (void)count;
  nd_rd m = {(const uint8_t *)mine.p, (const uint8_t *)mine.p + mine.n, 0};
  const uint8_t *theirs = start;
  size_t tl = (size_t)(r->end - start);
  for (size_t i = 0; i < ours; i++) {
    const uint8_t *item = m.p;
    uint8_t kind = nd_get_u8(&m);
    if (kind == ND_IT_GLOBAL)
      nd_get_u8(&m);
    else if (kind != ND_IT_RAIDLIST && kind != ND_IT_FULL) {
      uint32_t l;
      nd_get_name(&m, 1024, &l);
      nd_get_varint(&m);
      if (kind == ND_IT_ENC_MISSING || kind == ND_IT_COMPONENT || kind == ND_IT_ENCOUNTER) {
        nd_get_name(&m, 1024, &l);
        nd_get_varint(&m);
      }
      if (kind == ND_IT_COMPONENT) nd_get_u8(&m);
    }
    size_t il = (size_t)(m.p - item);
    for (size_t k = 0; k + il <= tl; k++)
      if (memcmp(theirs + k, item, il) == 0) {
        covered++;
        break;
      }
  }
  ogrh_buf_deinit(&mine);
  if (ours && covered == ours) {
    s->req_heard = true;
    s->requested = true;
    s->recv_started_at = n->now;
    s->deadline = n->now + n->cfg.timers.answer_ms;
    n->st.repair_suppressed++;
    nd_eventf(n, OGRH_EV_REPAIR_REQUESTED, n->admin, "", OGRH_WHY_NONE,
              "Requesting repair from raid admin...");
  }
}

void nd_on_repair_req(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  char source[ND_NAME];
  nd_get_player(&r, source);
  uint8_t level = nd_get_u8(&r);
  uint32_t crl, cel;
  const char *cr = nd_get_name(&r, 1024, &crl);
  const char *ce = nd_get_name(&r, 1024, &cel);
  uint64_t count = nd_get_varint(&r);
  if (r.err || level > OGRH_REPAIR_FULL || count == 0 || count > len) {
    nd_refuse(n, sender, OGRH_MT_REPAIR_REQ, OGRH_WHY_MALFORMED);
    return;
  }
  if (nd_rank(n, sender) < 0) {
    nd_refuse(n, sender, OGRH_MT_REPAIR_REQ, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  if (epoch != n->epoch) return;
  if (!i_am_source(n, source)) {
    nd_sess *s = &n->sess;
    if (s->active && s->phase == OGRH_RS_RECEIVING && !s->requested &&
        strcmp(source, s->source) == 0)
      heard_repair_req(n, &r, count);
    return;
  }
  if (n->paused) return;
  valbuild vb;
  if (vb_new(&vb)) return;
  vb.v->valid = true;
  bool full = false;
  int rc = OGRH_OK;
  for (uint64_t i = 0; i < count && !rc; i++)
    rc = val_item(n, &vb, &r, nd_get_u8(&r), &full);
  vb_done(&vb);
  if (rc || r.err || r.p != r.end) {
    ogrh_validation_free(vb.v);
    {
      nd_refuse(n, sender, OGRH_MT_REPAIR_REQ, OGRH_WHY_MALFORMED);
      return;
    }
  }
  if (full) level = OGRH_REPAIR_FULL;
  if (!n->rq_open) {
    n->rq_open = true;
    n->rq_at = n->now + n->cfg.timers.buffer_ms;
    if (crl) n->rq_ctx_raid = hdup(cr, crl);
    if (cel) n->rq_ctx_enc = hdup(ce, cel);
  }
  val_merge(&n->rq_val[level], vb.v);
}

/* ---- the unit queue (admin) ---- */

static void qunit_free(nd_qunit *u) {
  hfree(u->raid, u->raid_len);
  hfree(u->enc, u->enc_len);
}

/* Does a (queued) cover b (new)? */
static bool unit_covers(const nd_qunit *a, const nd_qunit *b) {
  if (a->kind == OGRH_UNIT_GLOBAL || b->kind == OGRH_UNIT_GLOBAL)
    return a->kind == b->kind && a->index == b->index;
  if (a->kind == OGRH_UNIT_RAIDLIST || b->kind == OGRH_UNIT_RAIDLIST) return false;
  if (!ident_eq(a->raid, a->raid_len, a->raid_occ, b->raid, b->raid_len, b->raid_occ)) return false;
  if (a->kind == OGRH_UNIT_RAID) return true;
  if (a->kind == OGRH_UNIT_RAID_META) return b->kind == OGRH_UNIT_RAID_META;
  if (b->kind == OGRH_UNIT_RAID || b->kind == OGRH_UNIT_RAID_META) return false;
  if (!ident_eq(a->enc, a->enc_len, a->enc_occ, b->enc, b->enc_len, b->enc_occ)) return false;
  if (a->kind == OGRH_UNIT_ENCOUNTER) return true;
  return b->kind == OGRH_UNIT_COMPONENT && a->index == b->index;
}

static nd_qunit *enqueue(ogrh_node *n, const ogrh_repair_unit *pu, bool *added) {
  *added = false;
  nd_qunit u;
  memset(&u, 0, sizeof u);
  u.kind = pu->kind;
  u.prio = pu->priority;
  u.index = pu->index;
  u.raid_occ = pu->raid_occ;
  u.enc_occ = pu->enc_occ;
  u.raid_len = pu->raid_len;
  u.enc_len = pu->enc_len;
  u.bytes = pu->bytes;
  u.raid = (char *)pu->raid;
  u.enc = (char *)pu->enc;
  for (size_t i = 0; i < n->nuq; i++)
    if (unit_covers(&n->uq[i], &u) ||
        (u.kind == OGRH_UNIT_RAIDLIST && n->uq[i].kind == OGRH_UNIT_RAIDLIST))
      return &n->uq[i];
  /* A bigger unit replaces queued smaller ones it covers. */
  size_t k = 0;
  for (size_t i = 0; i < n->nuq; i++) {
    if (unit_covers(&u, &n->uq[i]))
      qunit_free(&n->uq[i]);
    else
      n->uq[k++] = n->uq[i];
  }
  n->nuq = k;
  if (ogrh_grow(&n->uq, &n->capuq, n->nuq + 1, sizeof *n->uq)) return NULL;
  u.raid = hdup(pu->raid, pu->raid_len);
  u.enc = hdup(pu->enc, pu->enc_len);
  if (!u.raid || !u.enc) {
    hfree(u.raid, u.raid_len);
    hfree(u.enc, u.enc_len);
    return NULL;
  }
  /* Keep the queue in priority order (stable). */
  size_t at = n->nuq;
  while (at > 0 && n->uq[at - 1].prio > u.prio)
    at--;
  memmove(&n->uq[at + 1], &n->uq[at], (n->nuq - at) * sizeof *n->uq);
  n->uq[at] = u;
  n->uq[at].fresh = true;
  n->nuq++;
  *added = true;
  return &n->uq[at];
}

/*
** Queues a planned unit. List units carry only the names of what they list (stubs); what an
** asker lacks follows in units of its own, right after (same priority, so the queue keeps
** them behind their list): a raid it lacks as a raid unit, an encounter as an encounter
** unit. A raid unit larger than limits.unit_bytes (or any, in a full repair) goes as its
** metadata and one unit per encounter, so that no call encodes or applies much at once.
*/
static void queue_unit(ogrh_node *n, const ogrh_repair_unit *pu, const ogrh_validation *v,
                       bool split) {
  bool added;
  if (pu->kind == OGRH_UNIT_RAID && (split || pu->bytes > n->cfg.limits.unit_bytes)) {
    const ogrh_dt_raid *r = nd_t_raid(n, pu->raid, pu->raid_len, pu->raid_occ);
    if (r) {
      ogrh_repair_unit m = *pu;
      m.kind = OGRH_UNIT_RAID_META;
      m.bytes = pu->bytes / (r->nencs + 1) + OGRH_UNIT_OVERHEAD;
      enqueue(n, &m, &added);
      for (size_t i = 0; i < r->nencs; i++) {
        ogrh_repair_unit e = m;
        e.kind = OGRH_UNIT_ENCOUNTER;
        e.enc = r->encs[i].name;
        e.enc_len = r->encs[i].name_len;
        e.enc_occ = r->encs[i].occ;
        enqueue(n, &e, &added);
      }
      return;
    }
  }
  enqueue(n, pu, &added);
  if (!v) return;
  for (size_t j = 0; j < v->nraids; j++) {
    const ogrh_vr_raid *vr = &v->raids[j];
    if (pu->kind == OGRH_UNIT_RAIDLIST && vr->missing_local) {
      ogrh_repair_unit r = *pu;
      r.kind = OGRH_UNIT_RAID;
      r.raid = vr->name;
      r.raid_len = vr->name_len;
      r.raid_occ = vr->occ;
      queue_unit(n, &r, NULL, true);
    }
    if (pu->kind == OGRH_UNIT_RAID_META &&
        ident_eq(vr->name, vr->name_len, vr->occ, pu->raid, pu->raid_len, pu->raid_occ))
      for (size_t e = 0; e < vr->nencs; e++)
        if (vr->encs[e].missing_local) {
          ogrh_repair_unit eu = *pu;
          eu.kind = OGRH_UNIT_ENCOUNTER;
          eu.enc = vr->encs[e].name;
          eu.enc_len = vr->encs[e].name_len;
          eu.enc_occ = vr->encs[e].occ;
          enqueue(n, &eu, &added);
        }
  }
}

/* A full repair: the raid list, every raid and the globals (the synced plan only). */
static ogrh_repair_unit *plan_full(ogrh_node *n, size_t *count) {
  const ogrh_dtree *t = nd_tree(n);
  nd_top top;
  nd_tree_top(t, &top);
  size_t need = 1 + top.nraids + OGRH_NGLOBALS;
  ogrh_repair_unit *u = ogrh_malloc(need * sizeof *u);
  if (!u) return NULL;
  memset(u, 0, need * sizeof *u);
  size_t k = 0;
  u[k].kind = OGRH_UNIT_RAIDLIST;
  u[k].raid = u[k].enc = "";
  u[k++].priority = OGRH_PRIO_NORMAL;
  const ogrh_dt_raid *r;
  const ogrh_table *raids = ogrh_schema_raids(ogrh_doc_root(n->doc));
  ogrh_buf scratch;
  ogrh_buf_init(&scratch);
  for (size_t i = 0; (r = nd_tree_raid(t, i)); i++, k++) {
    u[k].kind = OGRH_UNIT_RAID;
    u[k].raid = r->name;
    u[k].raid_len = r->name_len;
    u[k].raid_occ = r->occ;
    u[k].enc = "";
    /* Its size decides whether it goes whole or split (queue_unit). */
    const ogrh_entry *e = ogrh_item_find(raids, r->name, r->name_len, r->occ);
    ogrh_buf_reset(&scratch);
    if (e) ogrh_canon_encode(&e->val, &scratch);
    u[k].bytes = scratch.n + OGRH_UNIT_OVERHEAD;
    bool cur = n->rq_ctx_raid && strlen(n->rq_ctx_raid) == r->name_len &&
               memcmp(n->rq_ctx_raid, r->name, r->name_len) == 0;
    u[k].priority = cur ? OGRH_PRIO_HIGH : OGRH_PRIO_NORMAL;
  }
  ogrh_buf_deinit(&scratch);
  for (int g = 0; g < OGRH_NGLOBALS; g++, k++) {
    u[k].kind = OGRH_UNIT_GLOBAL;
    u[k].index = g;
    u[k].raid = u[k].enc = "";
    u[k].priority = OGRH_PRIO_LOW;
  }
  *count = k;
  return u;
}

static void send_plan(ogrh_node *n, const nd_qunit *const *units, size_t count) {
  if (!count) return;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  ogrh_varint_put(&b, n->rev);
  ogrh_varint_put(&b, count);
  for (size_t i = 0; i < count; i++) {
    const nd_qunit *u = units[i];
    nd_put_u8(&b, (uint8_t)u->kind);
    nd_put_u8(&b, (uint8_t)u->prio);
    nd_put_u8(&b, (uint8_t)u->index);
    nd_put_name(&b, u->raid, u->raid_len);
    ogrh_varint_put(&b, u->raid_occ);
    nd_put_name(&b, u->enc, u->enc_len);
    ogrh_varint_put(&b, u->enc_occ);
    ogrh_varint_put(&b, u->bytes);
  }
  nd_send(n, OGRH_MT_REPAIR_PLAN, &b, OGRH_CTL_NORMAL, NULL);
  ogrh_buf_deinit(&b);
}

static void plan_requests(ogrh_node *n) {
  n->rq_open = false;
  ogrh_repair_opts opts = {OGRH_REPAIR_AUTO, n->rq_ctx_raid, n->rq_ctx_enc};
  const ogrh_value *root = ogrh_doc_root(n->doc);
  for (int level = 0; level < 5; level++) {
    ogrh_validation *v = n->rq_val[level];
    if (!v) continue;
    n->rq_val[level] = NULL;
    opts.level = (ogrh_repair_level)level;
    ogrh_repair_plan *plan = NULL;
    ogrh_value empty = ogrh_vnil();
    const ogrh_repair_unit *units = NULL;
    ogrh_repair_unit *full = NULL;
    size_t nunits = 0;
    int rc = OGRH_OK;
    if (level == OGRH_REPAIR_FULL) {
      full = plan_full(n, &nunits);
      units = full;
      if (!full) rc = OGRH_ENOMEM;
    } else {
      rc = ogrh_repair_plan_make(v, root ? root : &empty, &opts, &plan);
      if (!rc) {
        units = plan->units;
        nunits = plan->n;
      }
    }
    for (size_t i = 0; !rc && i < nunits; i++)
      if (units[i].kind != OGRH_UNIT_FULL) queue_unit(n, &units[i], v, false);
    ogrh_repair_plan_free(plan);
    if (full) ogrh_free(full, nunits * sizeof *full);
    ogrh_validation_free(v);
  }
  /* Announce what this round queued. */
  const nd_qunit **list = ogrh_malloc((n->nuq ? n->nuq : 1) * sizeof *list);
  size_t count = 0;
  for (size_t i = 0; i < n->nuq; i++) {
    if (list && n->uq[i].fresh) list[count++] = &n->uq[i];
    n->uq[i].fresh = false;
  }
  if (list) send_plan(n, list, count);
  ogrh_free(list, (n->nuq ? n->nuq : 1) * sizeof *list);
  if (n->rq_ctx_raid) ogrh_free(n->rq_ctx_raid, strlen(n->rq_ctx_raid) + 1);
  if (n->rq_ctx_enc) ogrh_free(n->rq_ctx_enc, strlen(n->rq_ctx_enc) + 1);
  n->rq_ctx_raid = n->rq_ctx_enc = NULL;
}

/* A list (raids or encounters) as list units carry it: every item as a stub {name = ...};
** receivers keep the items they have by identity and create the others as stubs, which the
** units that follow fill. */
static int list_value(ogrh_arena *a, const ogrh_table *list, ogrh_value *out) {
  ogrh_table *t = ogrh_table_new(a, list ? list->n : 0);
  if (!t) return OGRH_ENOMEM;
  for (uint32_t i = 0; list && i < list->n; i++) {
    const ogrh_entry *e = &list->e[i];
    ogrh_value v = e->val;
    if (ogrh_is_item(e)) {
      ogrh_table *stub = ogrh_table_new(a, 1);
      if (!stub) return OGRH_ENOMEM;
      const ogrh_value *name = ogrh_table_gets(e->val.u.t, "name");
      if (name && ogrh_table_set(a, stub, OGRH_KEY(NAME), name)) return OGRH_ENOMEM;
      v = ogrh_vtable(stub);
    }
    if (ogrh_table_set(a, t, &e->key, &v)) return OGRH_ENOMEM;
  }
  *out = ogrh_vtable(t);
  return OGRH_OK;
}

/* Builds a unit's value and digest from the document as it is now. */
static int unit_value(ogrh_node *n, ogrh_arena *a, const nd_qunit *u, ogrh_value *v,
                      ogrh_digest *dg) {
  nd_top top;
  nd_tree_top(nd_tree(n), &top);
  const ogrh_value *root = ogrh_doc_root(n->doc);
  *v = ogrh_vnil();
  if (u->kind == OGRH_UNIT_GLOBAL) {
    const ogrh_value *g = ogrh_global_get(root, u->index);
    if (g) *v = *g;
    *dg = top.global[u->index];
    return OGRH_OK;
  }
  const ogrh_table *raids = ogrh_schema_raids(root);
  if (u->kind == OGRH_UNIT_RAIDLIST) {
    *dg = top.raidlist;
    return list_value(a, raids, v);
  }
  const ogrh_dt_raid *tr = nd_t_raid(n, u->raid, u->raid_len, u->raid_occ);
  const ogrh_entry *re = ogrh_item_find(raids, u->raid, u->raid_len, u->raid_occ);
  if (!tr || !re) return OGRH_ENOTFOUND;
  if (u->kind == OGRH_UNIT_RAID) {
    *v = re->val;
    *dg = tr->digest;
    return OGRH_OK;
  }
  if (u->kind == OGRH_UNIT_RAID_META) {
    const ogrh_table *src = re->val.u.t;
    ogrh_table *m = ogrh_table_new(a, src->n);
    if (!m) return OGRH_ENOMEM;
    for (uint32_t i = 0; i < src->n; i++) {
      const ogrh_entry *e = &src->e[i];
      ogrh_value val = e->val;
      if (e->key.type == OGRH_STRING && e->key.len == 10 &&
          memcmp(e->key.u.s, "encounters", 10) == 0 && e->val.type == OGRH_TABLE) {
        int rc = list_value(a, e->val.u.t, &val);
        if (rc) return rc;
      }
      if (ogrh_table_set(a, m, &e->key, &val)) return OGRH_ENOMEM;
    }
    *v = ogrh_vtable(m);
    *dg = tr->own;
    return OGRH_OK;
  }
  const ogrh_dt_enc *te = nd_t_enc(tr, u->enc, u->enc_len, u->enc_occ);
  const ogrh_entry *ee =
      ogrh_item_find(ogrh_raid_encounters(re->val.u.t), u->enc, u->enc_len, u->enc_occ);
  if (!te || !ee) return OGRH_ENOTFOUND;
  if (u->kind == OGRH_UNIT_ENCOUNTER) {
    *v = ee->val;
    *dg = te->digest;
    return OGRH_OK;
  }
  *dg = te->comp[u->index];
  return ogrh_component_project(a, ee->val.u.t, u->index, v);
}

/*
** The repair units that cover every scope a set of writes touched (a catch-up answer may send
** them instead of the writes when they are smaller): out gets varint n, then n unit records.
** OGRH_ENOTFOUND when some write touched what no unit short of a full repair covers.
*/
int nd_catchup_units(ogrh_node *n, const nd_opset *set, ogrh_buf *out) {
  const ogrh_dtree *t = nd_tree(n);
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  nd_qunit *us = NULL;
  size_t nus = 0, capus = 0;
  int rc = OGRH_OK;
  for (size_t i = 0; i < set->n && !rc; i++) {
    ogrh_op op;
    size_t used;
    if ((rc = ogrh_op_decode(a, set->v[i].op, set->v[i].oplen, &op, &used))) break;
    ogrh_scope sc;
    ogrh_path_scope(&op.path, &sc);
    nd_qunit u;
    memset(&u, 0, sizeof u);
    u.raid = u.enc = (char *)"";
    const ogrh_dt_raid *r = NULL;
    if (sc.kind == OGRH_SCOPE_RAID || sc.kind == OGRH_SCOPE_ENCOUNTER)
      for (size_t k = 0; (r = nd_tree_raid(t, k)); k++)
        if (r->index == sc.raid) break;
    unsigned comps = 1;
    if (sc.kind == OGRH_SCOPE_GLOBAL) {
      u.kind = OGRH_UNIT_GLOBAL;
      u.index = sc.global;
    } else if (sc.kind == OGRH_SCOPE_RAID && r) {
      u.kind = sc.raid_all ? OGRH_UNIT_RAID : OGRH_UNIT_RAID_META;
    } else if (sc.kind == OGRH_SCOPE_ENCOUNTER && r && !sc.raid_meta) {
      const ogrh_dt_enc *e = NULL;
      for (size_t k = 0; k < r->nencs && !e; k++)
        if (r->encs[k].index == sc.encounter) e = &r->encs[k];
      if (!e) {
        rc = OGRH_ENOTFOUND;
        break;
      }
      u.kind = OGRH_UNIT_COMPONENT;
      u.enc = (char *)e->name;
      u.enc_len = e->name_len;
      u.enc_occ = e->occ;
      comps = sc.components;
    } else {
      rc = OGRH_ENOTFOUND;
      break;
    }
    if (r) {
      u.raid = (char *)r->name;
      u.raid_len = r->name_len;
      u.raid_occ = r->occ;
    }
    for (int c = 0; c < OGRH_NCOMPONENTS && !rc; c++) {
      if (!(comps & (1u << c))) continue;
      if (u.kind == OGRH_UNIT_COMPONENT) u.index = c;
      bool have = false;
      for (size_t k = 0; k < nus && !have; k++)
        have = unit_covers(&us[k], &u);
      if (have) continue;
      if (ogrh_grow(&us, &capus, nus + 1, sizeof *us))
        rc = OGRH_ENOMEM;
      else
        us[nus++] = u;
      if (u.kind != OGRH_UNIT_COMPONENT) break;
    }
  }
  if (!rc) ogrh_varint_put(out, nus);
  for (size_t i = 0; i < nus && !rc; i++) {
    ogrh_value v;
    ogrh_digest dg;
    rc = unit_value(n, a, &us[i], &v, &dg);
    if (!rc)
      rc = nd_unit_encode(us[i].kind, us[i].index, us[i].raid, us[i].raid_len, us[i].raid_occ,
                          us[i].enc, us[i].enc_len, us[i].enc_occ, dg, &v, out);
  }
  ogrh_free(us, capus * sizeof *us);
  ogrh_arena_free(a);
  return rc ? rc : ogrh_buf_error(out);
}

static void send_next_unit(ogrh_node *n) {
  if (!n->nuq) return;
  if (ogrh_sender_queued(ogrh_router_sender(n->router)) >= n->cfg.limits.unit_queue_frames) return;
  nd_qunit u = n->uq[0];
  memmove(&n->uq[0], &n->uq[1], (n->nuq - 1) * sizeof *n->uq);
  n->nuq--;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  ogrh_digest dg = 0;
  int rc = a ? unit_value(n, a, &u, &v, &dg) : OGRH_ENOMEM;
  if (!rc) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_varint_put(&b, n->epoch);
    ogrh_varint_put(&b, n->rev);
    nd_put_u64(&b, nd_root(n));
    nd_unit_encode(u.kind, u.index, u.raid, u.raid_len, u.raid_occ, u.enc, u.enc_len, u.enc_occ, dg,
                   &v, &b);
    if (nd_send(n, OGRH_MT_REPAIR, &b, OGRH_CTL_BULK, NULL) == OGRH_OK) n->st.units_sent++;
    ogrh_buf_deinit(&b);
  }
  ogrh_arena_free(a);
  qunit_free(&u);
}

/* ---- repair plans and units (client) ---- */

/* Does unit u (kind, identity, index) take care of finding d? */
static bool unit_fixes(const nd_unit *u, const ogrh_node_diff *d) {
  size_t drl = strlen(d->raid), del = strlen(d->encounter);
  switch (u->kind) {
  case OGRH_UNIT_FULL:
    return true;
  case OGRH_UNIT_GLOBAL:
    return d->kind == OGRH_UNIT_GLOBAL && d->global == u->index;
  case OGRH_UNIT_RAIDLIST:
    return d->kind == OGRH_UNIT_RAIDLIST;
  default:
    break;
  }
  if (d->kind == OGRH_UNIT_GLOBAL || d->kind == OGRH_UNIT_RAIDLIST ||
      !ident_eq(u->raid.name, u->raid.len, u->raid.occ, d->raid, drl, d->raid_occ))
    return false;
  if (u->kind == OGRH_UNIT_RAID) return true;
  if (u->kind == OGRH_UNIT_RAID_META)
    return d->kind == OGRH_UNIT_RAID_META || d->kind == OGRH_UNIT_RAID;
  if (d->kind == OGRH_UNIT_RAID || d->kind == OGRH_UNIT_RAID_META ||
      !ident_eq(u->enc.name, u->enc.len, u->enc.occ, d->encounter, del, d->enc_occ))
    return false;
  return u->kind == OGRH_UNIT_ENCOUNTER || (d->components & ~(1u << u->index)) == 0;
}

/*
** Is a unit part of this session's repair? It fixes a finding, or it fills a raid we lacked
** (a raid we lack arrives as a stub first, then its metadata and encounters), or the session
** replaces everything.
*/
static bool unit_relevant(const nd_sess *s, const nd_unit *u) {
  if (!s->active) return false;
  if (s->level == OGRH_REPAIR_FULL) return true;
  for (size_t k = 0; k < s->ndiffs; k++) {
    const ogrh_node_diff *d = &s->diffs[k];
    if (unit_fixes(u, d)) return true;
    /* A raid we lack, or a raid repaired at raid level: every unit of that raid. */
    if ((d->kind == OGRH_UNIT_RAID || s->level == OGRH_REPAIR_RAID) &&
        u->kind != OGRH_UNIT_GLOBAL && u->kind != OGRH_UNIT_RAIDLIST &&
        ident_eq(u->raid.name, u->raid.len, u->raid.occ, d->raid, strlen(d->raid), d->raid_occ))
      return true;
  }
  return false;
}

void nd_on_repair_plan(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  nd_get_varint(&r);
  uint64_t count = nd_get_varint(&r);
  if (r.err || count > len) {
    nd_refuse(n, sender, OGRH_MT_REPAIR_PLAN, OGRH_WHY_MALFORMED);
    return;
  }
  if (!from_source(n, sender, epoch, OGRH_MT_REPAIR_PLAN)) return;
  nd_sess *s = &n->sess;
  size_t units = 0;
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < count && !r.err; i++) {
    nd_unit u;
    memset(&u, 0, sizeof u);
    uint8_t kind = nd_get_u8(&r), prio = nd_get_u8(&r), index = nd_get_u8(&r);
    u.kind = (ogrh_unit_kind)kind;
    u.index = index;
    u.raid.name = nd_get_name(&r, 1024, &u.raid.len);
    u.raid.occ = (uint32_t)nd_get_varint(&r);
    u.enc.name = nd_get_name(&r, 1024, &u.enc.len);
    u.enc.occ = (uint32_t)nd_get_varint(&r);
    uint64_t b = nd_get_varint(&r);
    if (kind > OGRH_UNIT_GLOBAL || prio > OGRH_PRIO_LOW || index >= OGRH_NCOMPONENTS)
      r.err = OGRH_ECORRUPT;
    if (!r.err && unit_relevant(s, &u)) {
      units++;
      bytes += b;
    }
  }
  if (r.err || r.p != r.end) {
    nd_refuse(n, sender, OGRH_MT_REPAIR_PLAN, OGRH_WHY_MALFORMED);
    return;
  }
  if (!s->active || s->phase != OGRH_RS_RECEIVING || !units) return;
  if (!s->requested) {
    /* Someone else's request brings what we need: no need to ask. */
    s->requested = s->req_heard = true;
    s->recv_started_at = n->now;
    nd_eventf(n, OGRH_EV_REPAIR_REQUESTED, n->admin, "", OGRH_WHY_NONE,
              "Requesting repair from raid admin...");
  }
  s->units_total += units;
  s->bytes_total += bytes;
  s->deadline = n->now + n->cfg.timers.answer_ms;
}

/* {key = v}, or {[1] = v} when key is NULL. */
static int wrap(ogrh_arena *a, const char *key, ogrh_value *v) {
  ogrh_table *t = ogrh_table_new(a, 1);
  ogrh_value k = key ? ogrh_vcstr(key) : ogrh_vint(1);
  if (!t || ogrh_table_set(a, t, &k, v)) return OGRH_ENOMEM;
  *v = ogrh_vtable(t);
  return OGRH_OK;
}

/*
** A root holding only v, where a unit of kind k puts it, to digest it alone:
** {key = v} for a global, {encounterMgmt = {raids = v}} for the raid list,
** {encounterMgmt = {raids = {[1] = v}}} for a raid, and for an encounter
** {encounterMgmt = {raids = {[1] = {encounters = {[1] = v}}}}}.
*/
static int skeleton(ogrh_arena *a, ogrh_unit_kind k, int index, const ogrh_value *v,
                    ogrh_value *out) {
  *out = *v;
  if (k == OGRH_UNIT_GLOBAL) return wrap(a, ogrh_global_key(index), out);
  int rc = OGRH_OK;
  if (k == OGRH_UNIT_ENCOUNTER) {
    rc = wrap(a, NULL, out);
    if (!rc) rc = wrap(a, "encounters", out);
  }
  if (!rc && k != OGRH_UNIT_RAIDLIST) rc = wrap(a, NULL, out);
  if (!rc) rc = wrap(a, "raids", out);
  if (!rc) rc = wrap(a, "encounterMgmt", out);
  return rc;
}

/* The digest a unit's staged value has where it goes. */
static int staged_digest(ogrh_arena *a, ogrh_unit_kind k, int index, const ogrh_value *v,
                         ogrh_digest *out) {
  ogrh_value root;
  int rc = skeleton(a, k, index, v, &root);
  ogrh_dtree *t = NULL;
  if (!rc) rc = ogrh_dtree_build_root(&root, &t);
  if (rc) return rc;
  nd_top top;
  nd_tree_top(t, &top);
  const ogrh_dt_raid *r = top.nraids == 1 ? nd_tree_raid(t, 0) : NULL;
  switch (k) {
  case OGRH_UNIT_GLOBAL:
    *out = top.global[index];
    break;
  case OGRH_UNIT_RAIDLIST:
    *out = top.raidlist;
    break;
  case OGRH_UNIT_RAID:
  case OGRH_UNIT_RAID_META:
    if (!r)
      rc = OGRH_EVERIFY;
    else
      *out = k == OGRH_UNIT_RAID ? r->digest : r->own;
    break;
  case OGRH_UNIT_ENCOUNTER:
    if (!r || r->nencs != 1)
      rc = OGRH_EVERIFY;
    else
      *out = r->encs[0].digest;
    break;
  default:
    rc = OGRH_EINVAL;
  }
  ogrh_dtree_free(t);
  return rc;
}

/* A list rebuilt in the sender's order: entries we hold by identity stay ours. */
static int rebuild(ogrh_arena *a, const ogrh_table *mine, const ogrh_value *theirs,
                   ogrh_value *out) {
  if (theirs->type != OGRH_TABLE) {
    *out = *theirs;
    return OGRH_OK;
  }
  const ogrh_table *src = theirs->u.t;
  ogrh_table *t = ogrh_table_new(a, src->n);
  if (!t) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < src->n; i++) {
    const ogrh_entry *e = &src->e[i];
    ogrh_value v = e->val;
    if (ogrh_is_item(e)) {
      size_t nl;
      const char *nm = ogrh_table_name(e->val.u.t, &nl);
      const ogrh_entry *own = ogrh_item_find(mine, nm, nl, ogrh_item_occ(src, e));
      if (own) v = own->val;
    }
    if (ogrh_table_set(a, t, &e->key, &v)) return OGRH_ENOMEM;
  }
  *out = ogrh_vtable(t);
  return OGRH_OK;
}

/*
** Applies one unit, staged and verified: the replacement is built aside (in a), its digest
** must equal the one the admin announced, and only then is it written into the document with
** one write (the digest tree follows incrementally). Nothing changes when it does not verify.
*/
int nd_apply_unit(ogrh_node *n, ogrh_arena *a, const nd_unit *u, bool *changed) {
  *changed = false;
  nd_top top, *t = &top;
  nd_tree_top(nd_tree(n), &top);
  const ogrh_table *raids = ogrh_schema_raids(ogrh_doc_root(n->doc));
  ogrh_path path;
  ogrh_value v;
  ogrh_digest got = 0;
  int rc = OGRH_OK;
  switch (u->kind) {
  case OGRH_UNIT_GLOBAL:
    if (t->global[u->index] == u->digest) return OGRH_OK;
    v = u->value;
    rc = staged_digest(a, u->kind, u->index, &v, &got);
    memset(&path, 0, sizeof path);
    path.seg[0] = ogrh_vcstr(ogrh_global_key(u->index));
    path.n = 1;
    break;
  case OGRH_UNIT_RAIDLIST:
    if (t->raidlist == u->digest) return OGRH_OK;
    rc = rebuild(a, raids, &u->value, &v);
    if (!rc) rc = staged_digest(a, u->kind, 0, &v, &got);
    raid_path(&path, 0, 0);
    break;
  case OGRH_UNIT_RAID:
  case OGRH_UNIT_RAID_META: {
    const ogrh_dt_raid *lr = nd_t_raid(n, u->raid.name, u->raid.len, u->raid.occ);
    const ogrh_entry *re = ogrh_item_find(raids, u->raid.name, u->raid.len, u->raid.occ);
    if (!lr || !re) return OGRH_ENOTFOUND;
    if ((u->kind == OGRH_UNIT_RAID ? lr->digest : lr->own) == u->digest) return OGRH_OK;
    if (u->value.type != OGRH_TABLE) return OGRH_EVERIFY;
    if (u->kind == OGRH_UNIT_RAID) {
      v = u->value;
    } else {
      /* Metadata from the unit, encounters rebuilt keeping ours by identity. */
      const ogrh_table *src = u->value.u.t;
      ogrh_table *m = ogrh_table_new(a, src->n);
      if (!m) return OGRH_ENOMEM;
      for (uint32_t i = 0; i < src->n && !rc; i++) {
        ogrh_value val = src->e[i].val;
        const ogrh_value *k = &src->e[i].key;
        if (k->type == OGRH_STRING && k->len == 10 && memcmp(k->u.s, "encounters", 10) == 0)
          rc = rebuild(a, ogrh_raid_encounters(re->val.u.t), &src->e[i].val, &val);
        if (!rc && ogrh_table_set(a, m, k, &val)) rc = OGRH_ENOMEM;
      }
      v = ogrh_vtable(m);
    }
    if (!rc) rc = staged_digest(a, u->kind, 0, &v, &got);
    raid_path(&path, re->key.u.i, 0);
    break;
  }
  case OGRH_UNIT_ENCOUNTER:
  case OGRH_UNIT_COMPONENT: {
    const ogrh_dt_raid *lr = nd_t_raid(n, u->raid.name, u->raid.len, u->raid.occ);
    const ogrh_dt_enc *le = nd_t_enc(lr, u->enc.name, u->enc.len, u->enc.occ);
    const ogrh_entry *re = ogrh_item_find(raids, u->raid.name, u->raid.len, u->raid.occ);
    const ogrh_entry *ee =
        re ? ogrh_item_find(ogrh_raid_encounters(re->val.u.t), u->enc.name, u->enc.len, u->enc.occ)
           : NULL;
    if (!le || !ee) return OGRH_ENOTFOUND;
    if ((u->kind == OGRH_UNIT_ENCOUNTER ? le->digest : le->comp[u->index]) == u->digest)
      return OGRH_OK;
    if (u->kind == OGRH_UNIT_ENCOUNTER) {
      if (u->value.type != OGRH_TABLE) return OGRH_EVERIFY;
      v = u->value;
      rc = staged_digest(a, u->kind, 0, &v, &got);
    } else {
      /* Our encounter, copied aside, with the unit's component set into it. */
      rc = ogrh_value_copy(a, &ee->val, &v);
      if (!rc) rc = ogrh_component_set(a, v.u.t, u->index, &u->value);
      if (rc == OGRH_ECORRUPT) rc = OGRH_EVERIFY;
      ogrh_buf scratch;
      ogrh_buf_init(&scratch);
      if (!rc) rc = nd_comp_digest(v.u.t, u->index, &scratch, &got);
      ogrh_buf_deinit(&scratch);
    }
    raid_path(&path, re->key.u.i, ee->key.u.i);
    break;
  }
  default:
    return OGRH_EINVAL;
  }
  if (rc) return rc;
  if (got != u->digest) return OGRH_EVERIFY;
  ogrh_sync_meta meta = {OGRH_SYNC_MANUAL, "repair", NULL};
  ogrh_scope sc;
  ogrh_path_scope(&path, &sc);
  if (u->kind == OGRH_UNIT_COMPONENT) sc.components = 1u << u->index;
  n->scope_override = &sc;
  rc = ogrh_doc_set_parsed(n->doc, &path, &v, &meta, NULL);
  n->scope_override = NULL;
  if (!rc) *changed = true;
  return rc;
}

void nd_on_repair(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r), rev_at = nd_get_varint(&r);
  ogrh_digest root = nd_get_u64(&r);
  if (r.err) {
    nd_refuse(n, sender, OGRH_MT_REPAIR, OGRH_WHY_MALFORMED);
    return;
  }
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return;
  nd_unit u;
  if (nd_unit_decode(a, &r, &u) || r.p != r.end || u.kind == OGRH_UNIT_FULL) {
    ogrh_arena_free(a);
    {
      nd_refuse(n, sender, OGRH_MT_REPAIR, OGRH_WHY_MALFORMED);
      return;
    }
  }
  if (!from_source(n, sender, epoch, OGRH_MT_REPAIR) || nd_is_admin(n)) {
    ogrh_arena_free(a);
    return;
  }
  nd_sess *s = &n->sess;
  bool mine = s->active && s->phase == OGRH_RS_RECEIVING;
  bool useful = mine && unit_relevant(s, &u);
  /* Units others asked for fix us too where we differ, unless our own proposals explain it. */
  if (!useful && (nd_tentative(n) || (s->active && s->manual))) {
    ogrh_arena_free(a);
    return;
  }
  int rc = OGRH_OK;
  /* A backup first before anything large: a raid-level or full repair, or a unit that
     replaces a raid, the raid list or a raid's encounter list. */
  bool large = u.kind == OGRH_UNIT_RAID || u.kind == OGRH_UNIT_RAIDLIST ||
               u.kind == OGRH_UNIT_RAID_META ||
               (useful && (s->level == OGRH_REPAIR_RAID || s->level == OGRH_REPAIR_FULL));
  if (large && !(useful && s->backup_taken)) {
    nd_backup(n, OGRH_REASON_BEFORE_REPAIR, "before repair", &rc);
    if (!rc && useful) s->backup_taken = true;
  }
  bool changed = false;
  if (rc) {
    if (useful) sess_fail(n, OGRH_WHY_NONE, "the backup before the repair failed");
    ogrh_arena_free(a);
    return;
  }
  rc = nd_apply_unit(n, a, &u, &changed);
  if (rc == OGRH_EVERIFY) {
    n->st.units_failed++;
    nd_refuse(n, sender, OGRH_MT_REPAIR, OGRH_WHY_VERIFY);
  } else if (rc && rc != OGRH_ENOTFOUND) {
    n->st.units_failed++;
  }
  if (rc) {
    ogrh_arena_free(a);
    return;
  }
  if (changed) {
    n->st.units_applied++;
    nd_mark_state(n);
    /* Deltas newer than the unit go on top again. */
    if (n->rev > rev_at) nd_ring_reapply(n, rev_at);
  }
  if (!nd_tentative(n) && nd_root(n) == root && n->rev <= rev_at) {
    n->rev = rev_at;
    n->synced = true;
    n->stale = false;
  }
  if (!useful) {
    ogrh_arena_free(a);
    return;
  }
  uint64_t bytes = 0;
  for (size_t k = 0; k < s->ndiffs; k++)
    if (!s->diffs[k].repaired && unit_fixes(&u, &s->diffs[k])) s->diffs[k].repaired = true;
  s->units_done++;
  bytes = len;
  s->bytes_done += bytes;
  if (s->bytes_total < s->bytes_done) s->bytes_total = s->bytes_done;
  if (s->units_total < s->units_done) s->units_total = s->units_done;
  s->deadline = n->now + n->cfg.timers.answer_ms;
  ogrh_buf label;
  ogrh_buf_init(&label);
  ogrh_repair_unit ru;
  memset(&ru, 0, sizeof ru);
  ru.kind = u.kind;
  ru.index = u.index;
  ru.raid = u.raid.name;
  ru.raid_len = u.raid.len;
  ru.raid_occ = u.raid.occ;
  ru.enc = u.enc.name;
  ru.enc_len = u.enc.len;
  ru.enc_occ = u.enc.occ;
  ogrh_repair_unit_label(&ru, &label);
  ogrh_node_status st;
  ogrh_node_status_get(n, &st);
  ogrh_event e;
  memset(&e, 0, sizeof e);
  char text[600];
  snprintf(text, sizeof text, "Repairing %s: %zu of %zu units", label.p ? label.p : "",
           s->units_done, s->units_total);
  e.kind = OGRH_EV_REPAIR_PROGRESS;
  e.text = text;
  e.what = label.p ? label.p : "";
  e.who = sender;
  e.units_done = s->units_done;
  e.units_total = s->units_total;
  e.bytes_done = s->bytes_done;
  e.bytes_total = s->bytes_total;
  e.eta_ms = st.eta_ms;
  nd_event(n, &e);
  ogrh_buf_deinit(&label);
  ogrh_arena_free(a);
  step(n);
}

/* ---- timers ---- */

void nd_repair_tick(ogrh_node *n) {
  poll_tick(n);
  bool source = nd_is_admin(n) || (n->ndq || n->rq_open || n->nuq);
  if (source && nd_can_send(n) && !n->paused) {
    if (n->dq_open && n->now >= n->dq_at) {
      n->dq_open = false;
      answer_drills(n);
    }
    if (n->rq_open && n->now >= n->rq_at) plan_requests(n);
    send_next_unit(n);
  }
  sess_tick(n);
}
