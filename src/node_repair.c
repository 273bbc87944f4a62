/*
** node_repair.c
** Anti-entropy, the asking side: a poll or a delta that does not match starts a drill-down
** from raid to encounter to component, asking for exactly what differs; the findings become
** a repair request, and each unit that comes is applied staged and verified against the
** digest the source announced. Requests are broadcast: a node waits a random moment before it
** asks and stays quiet when it hears the same question, so one answer serves every stale node.
** The answering side is node_serve.c.
*/
#include "node_int.h"

#include <stdio.h>
#include <string.h>

/* ---- small helpers ---- */

static char *adup(ogrh_arena *a, const char *s, size_t n) {
  return ogrh_arena_memdup(a, s, n);
}

static uint64_t jitter(ogrh_node *n) {
  return ogrh_rng_below(&n->rng, n->cfg.timers.jitter_ms + 1);
}

/* The path encounterMgmt.raids[r] (.encounters[e]). */
static void raid_path(ogrh_path *p, int64_t r, int64_t e) {
  memset(p, 0, sizeof *p);
  p->seg[0] = *OGRH_KEY(MGMT);
  p->seg[1] = *OGRH_KEY(RAIDS);
  p->n = 2;
  if (r) p->seg[p->n++] = ogrh_vint(r);
  if (r && e) {
    p->seg[p->n++] = *OGRH_KEY(ENCOUNTERS);
    p->seg[p->n++] = ogrh_vint(e);
  }
}

/* ---- the session's findings ---- */

static int add_diff(ogrh_node *n, ogrh_unit_kind kind, int g, const char *raid, size_t rl,
                    uint32_t ro, const char *enc, size_t el, uint32_t eo, unsigned comps,
                    ogrh_digest local, ogrh_digest admin) {
  nd_sess *s = &n->sess;
  for (size_t i = 0; i < s->ndiffs; i++) {
    ogrh_node_diff *d = &s->diffs[i];
    if (d->kind != kind || d->global != g) continue;
    if (!nd_ident_eq(d->raid, strlen(d->raid), d->raid_occ, raid ? raid : "", rl, ro)) continue;
    if (!nd_ident_eq(d->encounter, strlen(d->encounter), d->enc_occ, enc ? enc : "", el, eo))
      continue;
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
  d->local = local;
  d->admin = admin;
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
    if (nd_ident_eq(s->raids[i].id.name, s->raids[i].id.len, s->raids[i].id.occ, name, len, occ))
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
    if (nd_ident_eq(r->encs[i].id.name, r->encs[i].id.len, r->encs[i].id.occ, name, len, occ))
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

void nd_repair_free(ogrh_node *n) {
  ogrh_arena_free(n->sess.a);
  memset(&n->sess, 0, sizeof n->sess);
  nd_serve_free(n);
}

/*
** The end of a manual validation, told once per session whatever its result: after the
** comparison (passed, or the differences found), or when the session ends before it did.
*/
static void validation_done(ogrh_node *n) {
  nd_sess *s = &n->sess;
  if (!s->active || !s->manual || s->told) return;
  s->told = true;
  ogrh_event e;
  memset(&e, 0, sizeof e);
  char text[160];
  e.kind = OGRH_EV_VALIDATION_DONE;
  e.who = s->source[0] ? s->source : n->admin;
  e.count = s->ndiffs;
  if (!s->reported) {
    e.what = "incomplete";
    e.why = s->end_why;
    snprintf(text, sizeof text, "Structure validation: not completed (%s)",
             s->end_reason ? s->end_reason : "cancelled");
  } else if (s->ndiffs) {
    e.what = "differences";
    snprintf(text, sizeof text, "Structure validation: FAILED (%zu difference%s)", s->ndiffs,
             s->ndiffs == 1 ? "" : "s");
  } else {
    e.what = "passed";
    snprintf(text, sizeof text, "Structure validation: PASSED");
  }
  e.text = text;
  nd_event(n, &e);
}

void nd_repair_reset_admin(ogrh_node *n) {
  n->handover = false;
  /* Anything in progress with the old admin is void; the new one is asked afresh. */
  n->sess.end_reason = "the raid admin changed";
  validation_done(n);
  ogrh_repair_state keep = n->sess.phase;
  bool diffs = n->sess.ndiffs > 0;
  nd_repair_free(n);
  n->sess.phase = keep == OGRH_RS_DONE || keep == OGRH_RS_FAILED ? keep : OGRH_RS_IDLE;
  (void)diffs;
  n->sess_backoff = 0;
  n->sess_next_auto = n->now;
  n->cu_want = false;
}

/*
** A new admin behind its grantor: it counts its revision on from the grantor's, holds what it
** would publish, and repairs from the grantor (a leader or an assistant, so a valid source);
** when that ends, however it ends, it serves.
*/
void nd_handover_begin(ogrh_node *n, const char *source, uint64_t rev) {
  if (nd_sess_begin(n, false, false, source, OGRH_REPAIR_AUTO, NULL, NULL)) return;
  n->handover = true;
  /* A grant's copy is taken when it is not behind ours; an admin found by the roster's rule
     takes the other's copy only when it is ahead. */
  n->handover_need = rev ? rev : n->published + 1;
  n->handover_rev = rev;
  n->sess.send_at = n->now;
  nd_mark_state(n);
}

static void handover_end(ogrh_node *n) {
  if (!n->handover) return;
  n->handover = false;
  if (!nd_is_admin(n)) return;
  /* Our revisions go on from the source's: nodes that follow it must not take ours for
     repeats. */
  if (n->handover_rev > n->published) {
    uint64_t up = n->handover_rev - n->published;
    n->published += up;
    n->rev += up;
  }
  /* Our own writes go on top of what the grantor's copy brought. */
  if (n->pending.n) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    size_t applied;
    if (nd_opset_encode(&n->pending, &b) == OGRH_OK)
      nd_apply_ops(n, (const uint8_t *)b.p, b.n, &applied);
    ogrh_buf_deinit(&b);
  }
  n->join_armed = true;
  n->join_poll = n->now + n->cfg.timers.poll_join_ms;
  nd_flush(n, true);
  nd_mark_state(n);
}

void nd_sess_end(ogrh_node *n, ogrh_repair_state st) {
  nd_sess *s = &n->sess;
  validation_done(n);
  s->active = false;
  s->phase = st;
  handover_end(n);
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
  n->sess.end_why = why;
  n->sess.end_reason = text;
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
      add_diff(n, OGRH_UNIT_GLOBAL, g, NULL, 0, 0, NULL, 0, 0, 0, top.global[g], poll->global[g]);
  if (poll->flags & ND_PF_RAID) {
    const ogrh_dt_raid *lr = nd_t_raid(n, poll->raid.name, poll->raid.len, poll->raid.occ);
    if (lr && lr->digest != poll->raid_digest) {
      nd_rraid *r = rraid_get(n, poll->raid.name, poll->raid.len, poll->raid.occ, true);
      if (r) {
        r->digest = poll->raid_digest;
        r->want = true;
        /* The same raids, one of them differing: ask for its units with our digests at once
           (one round trip); the drill-down remains for whatever that leaves. */
        if (!s->manual && top.raidlist == poll->raidlist && s->phase == OGRH_RS_WAITING) {
          s->quick = true;
          s->quick_raid = r->id;
          s->send_at = n->now + ogrh_rng_below(&n->rng, n->cfg.timers.quick_jitter_ms + 1);
        }
      }
    }
  }
  s->want_top = true;
  /* An empty copy (no raid at all) and the admin has raids: nothing to drill, everything to
     ask for (a full repair), at once. */
  if (!s->manual && !top.nraids && top.raidlist != poll->raidlist && s->phase == OGRH_RS_WAITING) {
    s->level = OGRH_REPAIR_FULL;
    s->want_top = false;
    add_diff(n, OGRH_UNIT_RAIDLIST, 0, NULL, 0, 0, NULL, 0, 0, 0, top.raidlist, poll->raidlist);
  }
}

/* The quick request brought no answer, or not all: find the rest by drill-down. */
static void quick_fallback(ogrh_node *n) {
  nd_sess *s = &n->sess;
  s->quick = false;
  s->phase = OGRH_RS_WAITING;
  s->requested = s->req_heard = false;
  s->deadline = 0;
  s->tries = 0;
  s->units_total = s->units_done;
  s->send_at = n->now + jitter(n);
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

int nd_vb_new(nd_valbuild *vb) {
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

void nd_vb_done(nd_valbuild *vb) {
  ogrh_free(vb->capencs, vb->capcapencs * sizeof *vb->capencs);
  vb->capencs = NULL;
}

void nd_deepen(ogrh_validation *v, ogrh_level l) {
  v->valid = false;
  if (l > v->level) v->level = l;
}

ogrh_vr_raid *nd_vb_raid(nd_valbuild *vb, const char *name, size_t len, uint32_t occ) {
  ogrh_validation *v = vb->v;
  for (size_t i = 0; i < v->nraids; i++)
    if (nd_ident_eq(v->raids[i].name, v->raids[i].name_len, v->raids[i].occ, name, len, occ))
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

ogrh_vr_enc *nd_vb_enc(nd_valbuild *vb, ogrh_vr_raid *r, const char *name, size_t len,
                       uint32_t occ) {
  for (size_t i = 0; i < r->nencs; i++)
    if (nd_ident_eq(r->encs[i].name, r->encs[i].name_len, r->encs[i].occ, name, len, occ))
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
static int diffs_validation(ogrh_node *n, size_t from, ogrh_validation **out) {
  nd_valbuild vb;
  int rc = nd_vb_new(&vb);
  if (rc) return rc;
  ogrh_validation *v = vb.v;
  v->valid = true;
  for (size_t i = from; i < n->sess.ndiffs && !rc; i++) {
    const ogrh_node_diff *d = &n->sess.diffs[i];
    if (d->kind == OGRH_UNIT_GLOBAL) {
      v->globals |= 1u << d->global;
      nd_deepen(v, OGRH_LEVEL_GLOBAL);
      continue;
    }
    if (d->kind == OGRH_UNIT_RAIDLIST && !d->raid[0]) {
      v->raid_list = true;
      nd_deepen(v, OGRH_LEVEL_RAID);
      continue;
    }
    ogrh_vr_raid *r = nd_vb_raid(&vb, d->raid, strlen(d->raid), d->raid_occ);
    if (!r) {
      rc = OGRH_ENOMEM;
      break;
    }
    nd_deepen(v, OGRH_LEVEL_RAID);
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
    ogrh_vr_enc *e = nd_vb_enc(&vb, r, d->encounter, strlen(d->encounter), d->enc_occ);
    if (!e) {
      rc = OGRH_ENOMEM;
      break;
    }
    if (d->kind == OGRH_UNIT_RAID_META) {
      e->extra_local = true;
      nd_deepen(v, OGRH_LEVEL_ENCOUNTER);
    } else if (d->kind == OGRH_UNIT_ENCOUNTER) {
      e->missing_local = true;
      nd_deepen(v, OGRH_LEVEL_ENCOUNTER);
    } else {
      e->components |= d->components;
      nd_deepen(v, OGRH_LEVEL_COMPONENT);
    }
  }
  nd_vb_done(&vb);
  if (rc) {
    ogrh_validation_free(v);
    return rc;
  }
  *out = v;
  return OGRH_OK;
}

/* Reports the findings from the from-th on ("Structure mismatch detected: ..."). */
static void report_from(ogrh_node *n, size_t from) {
  ogrh_validation *v;
  if (diffs_validation(n, from, &v)) return;
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

static void report(ogrh_node *n) {
  report_from(n, 0);
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
  if (s->quick) {
    /* The raid the poll named, as we have it: 16 bits of every component digest. */
    const ogrh_dt_raid *lr = nd_t_raid(n, s->quick_raid.name, s->quick_raid.len, s->quick_raid.occ);
    if (lr && lr->nencs <= 512) {
      nd_put_u8(b, ND_IT_DIGESTS);
      nd_put_name(b, lr->name, lr->name_len);
      ogrh_varint_put(b, lr->occ);
      nd_put_u64(b, lr->meta);
      nd_put_u64(b, lr->list);
      ogrh_varint_put(b, lr->nencs);
      for (size_t i = 0; i < lr->nencs; i++)
        for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
          nd_put_u8(b, (uint8_t)lr->encs[i].comp[c]);
          nd_put_u8(b, (uint8_t)(lr->encs[i].comp[c] >> 8));
        }
      count++;
    }
  }
  for (size_t i = 0; i < s->ndiffs; i++) {
    ogrh_node_diff *d = &s->diffs[i];
    if (d->repaired || (only_unheard && d->repaired)) continue;
    if (s->quick && d->kind != OGRH_UNIT_GLOBAL) continue;
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
        s->send_at = n->now + (s->manual || n->handover ? 0 : jitter(n));
      }
      return;
    }
    if (!s->reported) {
      s->reported = true;
      report(n);
      validation_done(n);
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
    /* An automatic full repair comes straight from a poll (an empty copy): ask as quickly as
       a quick repair does. */
    s->send_at = n->now + (s->manual || n->handover ? 0
                           : s->level == OGRH_REPAIR_FULL
                               ? ogrh_rng_below(&n->rng, n->cfg.timers.quick_jitter_ms + 1)
                               : jitter(n));
    s->deadline = 0;
    s->tries = 0;
    return;
  }
  /* Quick: done when the copy matches the admin's (a unit's root); every announced unit
     came and it still differs: the drill-down finds the rest. */
  if (s->phase == OGRH_RS_RECEIVING && s->quick) {
    if (s->requested && n->synced && !n->stale && !nd_tentative(n))
      complete(n);
    else if (s->units_total && s->units_done >= s->units_total)
      quick_fallback(n);
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
    s->end_reason = "this player is the raid admin now";
    nd_sess_end(n, OGRH_RS_IDLE);
    return;
  }
  if (n->paused && !s->manual) return;
  /* Units someone else asked for made this copy the admin's: nothing left to ask. */
  if (!s->manual && !s->source[0] && s->phase == OGRH_RS_WAITING && n->synced && !n->stale) {
    nd_sess_end(n, OGRH_RS_DONE);
    return;
  }
  /* Only progress on this repair keeps the deadline away (an answer of the source, a plan or
     a unit for us: see where deadline is set), not the admin's other traffic: a busy admin
     must not keep a node waiting for ever. */
  /* Findings complete without asking (a poll can tell everything): straight to the request. */
  if (s->phase == OGRH_RS_WAITING && !outstanding(s)) {
    step(n);
    if (!s->active) return;
  }
  bool asking = s->phase == OGRH_RS_WAITING || (s->phase == OGRH_RS_RECEIVING && !s->requested);
  if (asking && n->now >= s->send_at && nd_can_send(n)) {
    if (s->phase == OGRH_RS_WAITING && s->quick) {
      s->phase = OGRH_RS_RECEIVING;
      s->requested = false;
      send_repair_req(n);
    } else if (s->phase == OGRH_RS_WAITING) {
      send_drill(n);
      s->phase = OGRH_RS_DRILLING;
    } else {
      send_repair_req(n);
    }
    s->deadline = n->now + (n->cfg.timers.answer_ms << (s->tries < 4 ? s->tries : 4));
    return;
  }
  if (!asking && s->deadline && n->now >= s->deadline) {
    if (s->quick) {
      quick_fallback(n);
      return;
    }
    if (n->handover) {
      /* The source went quiet: a new admin does not wait for it longer than this. */
      nd_sess_end(n, OGRH_RS_IDLE);
      return;
    }
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

/* Someone else's request: mark what it asks, so that we stay quiet about it. */
void nd_heard_drill(ogrh_node *n, nd_rd *r, uint64_t count) {
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
        if (nd_ident_eq(rr->encs[k].id.name, rr->encs[k].id.len, rr->encs[k].id.occ, eid.name,
                        eid.len, eid.occ)) {
          rr->encs[k].heard = true;
          rr->encs[k].heard_at = n->now;
        }
    }
  }
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
    return true;
  }
  /* Answers to requests made at a newer epoch are someone else's (a grantor answering its new
     admin): they say nothing about who is admin, so they are not taken as a takeover. */
  if (epoch > n->epoch) {
    n->st.refused[OGRH_WHY_NOT_SOURCE]++;
    return false;
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
    if (nd_ident_eq(ids[k].name, ids[k].len, ids[k].occ, name, len, occ)) return true;
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
      add_diff(n, OGRH_UNIT_RAID, 0, name, len, (uint32_t)occ, NULL, 0, 0, 0, 0, dg);
      add_diff(n, OGRH_UNIT_RAIDLIST, 0, NULL, 0, 0, NULL, 0, 0, 0, top.raidlist, raidlist);
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
    if (top.global[g] != global[g])
      add_diff(n, OGRH_UNIT_GLOBAL, g, NULL, 0, 0, NULL, 0, 0, 0, top.global[g], global[g]);
  bool extra = false;
  const ogrh_dt_raid *lr;
  for (size_t i = 0; (lr = nd_tree_raid(t, i)); i++) {
    if (!ids_have(ids, count, lr->name, lr->name_len, lr->occ)) {
      /* Ours only: the raid list unit takes it away. */
      add_diff(n, OGRH_UNIT_RAIDLIST, 0, lr->name, lr->name_len, lr->occ, NULL, 0, 0, 0, lr->digest,
               0);
      extra = true;
    }
  }
  if (top.raidlist != raidlist && !extra)
    add_diff(n, OGRH_UNIT_RAIDLIST, 0, NULL, 0, 0, NULL, 0, 0, 0, top.raidlist, raidlist);
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
      add_diff(n, OGRH_UNIT_ENCOUNTER, 0, raid, rl, (uint32_t)ro, enc, el, (uint32_t)eo, 0, 0, dg);
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
               0, le->digest, 0);
      extra = true;
    }
  }
  if (lr->meta != meta || (lr->list != list && !extra))
    add_diff(n, OGRH_UNIT_RAID_META, 0, raid, rl, (uint32_t)ro, NULL, 0, 0, 0,
             lr->meta != meta ? lr->meta : lr->list, lr->meta != meta ? meta : list);
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
      if (nd_ident_eq(rr->encs[k].id.name, rr->encs[k].id.len, rr->encs[k].id.occ, enc, el,
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
        add_diff(n, OGRH_UNIT_COMPONENT, c, raid, rl, (uint32_t)ro, enc, el, (uint32_t)eo, 1u << c,
                 le->comp[c], comp[c]);
  }
}

void nd_on_drill_resp(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  uint64_t rev = nd_get_varint(&r); /* revision the digests describe */
  ogrh_digest root = nd_get_u64(&r);
  uint64_t count = nd_get_varint(&r);
  if (r.err || count > len) {
    nd_refuse(n, sender, OGRH_MT_DRILL_RESP, OGRH_WHY_MALFORMED);
    return;
  }
  if (!from_source(n, sender, epoch, OGRH_MT_DRILL_RESP)) return;
  if (nd_is_admin(n) && !n->handover) return;
  if (n->handover && n->sess.active) {
    /* A new admin catching up: the source's copy is not newer, or is ours: serve as we are. */
    if (rev < n->handover_need || root == nd_root(n)) {
      if (root == nd_root(n) && rev > n->handover_rev) n->handover_rev = rev;
      nd_sess_end(n, OGRH_RS_DONE);
      return;
    }
    if (rev > n->handover_rev) n->handover_rev = rev;
  }
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
  if (n->sess.active) n->sess.deadline = n->now + n->cfg.timers.answer_ms;
  step(n);
}

void nd_heard_repair_req(ogrh_node *n, nd_rd *r, uint64_t count) {
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
    else if (kind == ND_IT_DIGESTS) {
      uint32_t l;
      nd_get_name(&m, 1024, &l);
      nd_get_varint(&m);
      nd_get_u64(&m);
      nd_get_u64(&m);
      uint64_t k = nd_get_varint(&m);
      if (k <= 512 && k * 2 * OGRH_NCOMPONENTS <= (uint64_t)(m.end - m.p))
        m.p += k * 2 * OGRH_NCOMPONENTS;
    } else if (kind != ND_IT_RAIDLIST && kind != ND_IT_FULL) {
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
    if (s->quick && s->phase == OGRH_RS_WAITING) s->phase = OGRH_RS_RECEIVING;
    s->req_heard = true;
    s->requested = true;
    s->recv_started_at = n->now;
    s->deadline = n->now + n->cfg.timers.answer_ms;
    n->st.repair_suppressed++;
    nd_eventf(n, OGRH_EV_REPAIR_REQUESTED, n->admin, "", OGRH_WHY_NONE,
              "Requesting repair from raid admin...");
  }
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
      !nd_ident_eq(u->raid.name, u->raid.len, u->raid.occ, d->raid, drl, d->raid_occ))
    return false;
  if (u->kind == OGRH_UNIT_RAID) return true;
  if (u->kind == OGRH_UNIT_RAID_META)
    return d->kind == OGRH_UNIT_RAID_META || d->kind == OGRH_UNIT_RAID;
  if (d->kind == OGRH_UNIT_RAID || d->kind == OGRH_UNIT_RAID_META ||
      !nd_ident_eq(u->enc.name, u->enc.len, u->enc.occ, d->encounter, del, d->enc_occ))
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
  if (s->quick && u->kind != OGRH_UNIT_GLOBAL && u->kind != OGRH_UNIT_RAIDLIST &&
      nd_ident_eq(u->raid.name, u->raid.len, u->raid.occ, s->quick_raid.name, s->quick_raid.len,
                  s->quick_raid.occ))
    return true;
  for (size_t k = 0; k < s->ndiffs; k++) {
    const ogrh_node_diff *d = &s->diffs[k];
    if (unit_fixes(u, d)) return true;
    /* A raid we lack, or a raid repaired at raid level: every unit of that raid. */
    if ((d->kind == OGRH_UNIT_RAID || s->level == OGRH_REPAIR_RAID) &&
        u->kind != OGRH_UNIT_GLOBAL && u->kind != OGRH_UNIT_RAIDLIST &&
        nd_ident_eq(u->raid.name, u->raid.len, u->raid.occ, d->raid, strlen(d->raid), d->raid_occ))
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
  if (s->active && s->quick && s->phase == OGRH_RS_RECEIVING && s->requested && !count) {
    quick_fallback(n); /* the source found nothing differing in our digests */
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
  /* Our units are queued: wait for them as long as they take on the channel (about 680 B/s),
     beyond the usual. */
  s->deadline = n->now + n->cfg.timers.answer_ms + bytes * 1000 / 680;
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

/*
** Quick repairs learn what differed from the units themselves: the digests of the unit's
** scope before it is applied, compared after, give the findings a drill-down would have
** reported (each reported as it is found, and repaired at once).
*/
typedef struct quick_snap {
  ogrh_digest own, global;
  nd_ident *encs; /* the raid's encounters (names in the arena) */
  ogrh_digest (*comp)[OGRH_NCOMPONENTS];
  size_t nencs;
} quick_snap;

static void quick_before(ogrh_node *n, ogrh_arena *a, const nd_unit *u, quick_snap *q) {
  memset(q, 0, sizeof *q);
  nd_top top;
  nd_tree_top(nd_tree(n), &top);
  if (u->kind == OGRH_UNIT_GLOBAL) {
    q->global = top.global[u->index];
    return;
  }
  const ogrh_dt_raid *lr = nd_t_raid(n, u->raid.name, u->raid.len, u->raid.occ);
  if (!lr) return;
  q->own = lr->own;
  q->encs = lr->nencs ? ogrh_arena_alloc(a, lr->nencs * sizeof *q->encs) : NULL;
  q->comp = lr->nencs ? ogrh_arena_alloc(a, lr->nencs * sizeof *q->comp) : NULL;
  if (!q->encs || !q->comp) return;
  for (size_t i = 0; i < lr->nencs; i++) {
    const ogrh_dt_enc *e = &lr->encs[i];
    q->encs[i].name = adup(a, e->name, e->name_len);
    if (!q->encs[i].name) return;
    q->encs[i].len = e->name_len;
    q->encs[i].occ = e->occ;
    memcpy(q->comp[i], e->comp, sizeof q->comp[i]);
    q->nencs = i + 1;
  }
}

static void quick_after(ogrh_node *n, const nd_unit *u, const quick_snap *q) {
  nd_sess *s = &n->sess;
  size_t from = s->ndiffs;
  if (u->kind == OGRH_UNIT_GLOBAL) {
    add_diff(n, OGRH_UNIT_GLOBAL, u->index, NULL, 0, 0, NULL, 0, 0, 0, q->global, u->digest);
  } else {
    const ogrh_dt_raid *lr = nd_t_raid(n, u->raid.name, u->raid.len, u->raid.occ);
    if (lr && lr->own != q->own)
      add_diff(n, OGRH_UNIT_RAID_META, 0, u->raid.name, u->raid.len, u->raid.occ, NULL, 0, 0, 0,
               q->own, lr->own);
    for (size_t i = 0; lr && i < q->nencs; i++) {
      const ogrh_dt_enc *e = nd_t_enc(lr, q->encs[i].name, q->encs[i].len, q->encs[i].occ);
      for (int c = 0; e && c < OGRH_NCOMPONENTS; c++)
        if (e->comp[c] != q->comp[i][c])
          add_diff(n, OGRH_UNIT_COMPONENT, c, u->raid.name, u->raid.len, u->raid.occ,
                   q->encs[i].name, q->encs[i].len, q->encs[i].occ, 1u << c, q->comp[i][c],
                   e->comp[c]);
    }
  }
  if (s->ndiffs > from) report_from(n, from);
  for (size_t k = from; k < s->ndiffs; k++)
    s->diffs[k].repaired = true;
}

/* One unit of a REPAIR message, applied staged and verified; progress when it is ours. */
static void take_unit(ogrh_node *n, const char *sender, ogrh_arena *a, const nd_unit *pu,
                      uint64_t rev_at, ogrh_digest root, size_t len) {
  nd_unit u = *pu;
  nd_sess *s = &n->sess;
  bool mine = s->active && s->phase == OGRH_RS_RECEIVING;
  bool useful = mine && unit_relevant(s, &u);
  /* Units others asked for fix us too where we differ, unless our own proposals explain it. */
  if (!useful && (nd_tentative(n) || (s->active && s->manual))) {
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
    return;
  }
  quick_snap snap;
  bool quick = useful && s->quick;
  if (quick) quick_before(n, a, &u, &snap);
  rc = nd_apply_unit(n, a, &u, &changed);
  if (!rc && changed && quick) quick_after(n, &u, &snap);
  if (rc == OGRH_EVERIFY) {
    n->st.units_failed++;
    nd_refuse(n, sender, OGRH_MT_REPAIR, OGRH_WHY_VERIFY);
  } else if (rc && rc != OGRH_ENOTFOUND) {
    n->st.units_failed++;
  }
  if (rc) {
    return;
  }
  if (changed) {
    n->st.units_applied++;
    nd_mark_state(n);
    /* Deltas newer than the unit go on top again. */
    if (n->rev > rev_at) nd_ring_reapply(n, rev_at);
  }
  if (!nd_is_admin(n) && !nd_tentative(n) && nd_root(n) == root && n->rev <= rev_at) {
    n->rev = rev_at;
    n->synced = true;
    n->stale = false;
  }
  if (!useful) {
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
  step(n);
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
  /* One or more unit records (a split raid's encounters travel several to a message): all
     are decoded before any is applied. */
  nd_unit *us = NULL;
  size_t nus = 0, capus = 0;
  bool bad = false;
  while (!bad && r.p < r.end) {
    if (nus == capus) {
      size_t cap = capus ? capus * 2 : 4;
      nd_unit *v = ogrh_arena_alloc(a, cap * sizeof *v);
      if (!v) {
        ogrh_arena_free(a);
        return;
      }
      if (nus) memcpy(v, us, nus * sizeof *v);
      us = v;
      capus = cap;
    }
    bad = nd_unit_decode(a, &r, &us[nus]) != OGRH_OK || us[nus].kind == OGRH_UNIT_FULL;
    nus++;
  }
  if (bad || !nus || r.p != r.end) {
    ogrh_arena_free(a);
    nd_refuse(n, sender, OGRH_MT_REPAIR, OGRH_WHY_MALFORMED);
    return;
  }
  if (!from_source(n, sender, epoch, OGRH_MT_REPAIR) || (nd_is_admin(n) && !n->handover)) {
    ogrh_arena_free(a);
    return;
  }
  if (n->handover && rev_at > n->handover_rev) n->handover_rev = rev_at;
  for (size_t i = 0; i < nus; i++)
    take_unit(n, sender, a, &us[i], rev_at, root, len / nus);
  ogrh_arena_free(a);
}

/* ---- timers ---- */

void nd_repair_tick(ogrh_node *n) {
  nd_serve_tick(n);
  sess_tick(n);
}
