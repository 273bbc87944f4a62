/*
** node_serve.c
** Anti-entropy, the answering side (the admin, or an officer chosen as repair source): polls;
** drill-down answers, collected for a moment so that one answer serves every asker; repair
** requests turned into a validation and planned by the repair planner (validate.h); the unit
** queue, each unit encoded from the document as it is when the sender has room for it.
*/
#include "node_int.h"

#include <stdio.h>
#include <string.h>
#include <xxhash.h>

/* ---- small helpers ---- */

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
  if (!nd_is_admin(n) || !nd_can_send(n) || n->paused || n->handover) return;
  if (n->pending.n || n->big_pending || n->batch_open) return; /* a burst has not settled */
  if (!n->next_poll) n->next_poll = n->now + n->cfg.timers.poll_interval_ms;
  bool due = n->now >= n->next_poll || (n->settle_armed && n->now >= n->settle_poll) ||
             (n->join_armed && n->now >= n->join_poll);
  if (due && n->now >= n->last_poll + n->cfg.timers.poll_join_ms) nd_poll_now(n);
}

/* ---- drill-down requests (answered by the admin, or by an officer chosen as source) ---- */

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

static bool i_am_source(ogrh_node *n, const char *source) {
  if (source[0]) return strcmp(source, n->self) == 0 && nd_rank(n, n->self) >= 1;
  return nd_is_admin(n) && !n->handover;
}

static nd_dscope *dq_find(ogrh_node *n, int kind, const char *raid, size_t rl, uint32_t ro) {
  for (size_t i = 0; i < n->ndq; i++) {
    nd_dscope *d = &n->dq[i];
    if (d->kind != kind) continue;
    if (kind == ND_DS_TOP || nd_ident_eq(d->raid, d->raid_len, d->raid_occ, raid, rl, ro)) return d;
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
    if (nd_ident_eq(d->encs[i], d->enc_len[i], d->enc_occ[i], name, len, occ)) return OGRH_OK;
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
  nd_heard_epoch(n, epoch);
  if (epoch != n->epoch) return;
  if (!i_am_source(n, source)) {
    if (n->sess.active && strcmp(source, n->sess.source) == 0) nd_heard_drill(n, &r, count);
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

/* ---- repair requests: collect, validate, plan ---- */

/*
** A raid as the asker has it (ND_IT_DIGESTS): its metadata and list digests and, in its order,
** 16 bits of each encounter's six component digests. With the same list the encounters pair
** by position and each differing component is found here at once; a different list asks for
** the raid's metadata unit (the asker drills for the rest). A digest that agrees by chance in
** its 16 bits leaves a difference the asker's root check still sees.
*/
static int val_digests(ogrh_node *n, nd_valbuild *vb, nd_rd *r) {
  ogrh_validation *v = vb->v;
  nd_ident rid = nd_get_ident(r);
  ogrh_digest meta = nd_get_u64(r), list = nd_get_u64(r);
  uint64_t m = nd_get_varint(r);
  if (r->err || m > 512 || m * 2 * OGRH_NCOMPONENTS > (uint64_t)(r->end - r->p))
    return OGRH_ECORRUPT;
  const uint8_t *dg = r->p;
  r->p += m * 2 * OGRH_NCOMPONENTS;
  const ogrh_dt_raid *tr = nd_t_raid(n, rid.name, rid.len, rid.occ);
  if (!tr) {
    v->raid_list = true; /* the asker has a raid we do not */
    nd_deepen(v, OGRH_LEVEL_RAID);
    return OGRH_OK;
  }
  bool list_d = tr->list != list || m != tr->nencs, meta_d = tr->meta != meta;
  ogrh_vr_raid *vr = NULL;
  if (meta_d || list_d) {
    if (!(vr = nd_vb_raid(vb, rid.name, rid.len, rid.occ))) return OGRH_ENOMEM;
    vr->remote_index = vr->local_index = tr->index;
    vr->meta_differs = true;
    vr->list_differs = list_d;
    nd_deepen(v, OGRH_LEVEL_RAID);
  }
  for (size_t i = 0; !list_d && i < tr->nencs; i++) {
    const ogrh_dt_enc *te = &tr->encs[i];
    unsigned mask = 0;
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      const uint8_t *q = dg + (i * OGRH_NCOMPONENTS + (size_t)c) * 2;
      if ((uint16_t)(q[0] | q[1] << 8) != (uint16_t)te->comp[c]) mask |= 1u << c;
    }
    if (!mask) continue;
    if (!vr && !(vr = nd_vb_raid(vb, rid.name, rid.len, rid.occ))) return OGRH_ENOMEM;
    vr->remote_index = vr->local_index = tr->index;
    ogrh_vr_enc *ve = nd_vb_enc(vb, vr, te->name, te->name_len, te->occ);
    if (!ve) return OGRH_ENOMEM;
    ve->remote_index = ve->local_index = te->index;
    ve->components |= mask;
    nd_deepen(v, OGRH_LEVEL_RAID);
    nd_deepen(v, OGRH_LEVEL_COMPONENT);
  }
  return OGRH_OK;
}

static int val_item(ogrh_node *n, nd_valbuild *vb, nd_rd *r, uint8_t kind, bool *full) {
  ogrh_validation *v = vb->v;
  if (kind == ND_IT_DIGESTS) return val_digests(n, vb, r);
  if (kind == ND_IT_GLOBAL) {
    uint8_t g = nd_get_u8(r);
    if (r->err || g >= OGRH_NGLOBALS) return OGRH_ECORRUPT;
    v->globals |= 1u << g;
    nd_deepen(v, OGRH_LEVEL_GLOBAL);
    return OGRH_OK;
  }
  if (kind == ND_IT_RAIDLIST) {
    v->raid_list = true;
    nd_deepen(v, OGRH_LEVEL_RAID);
    return OGRH_OK;
  }
  if (kind == ND_IT_FULL) {
    *full = true;
    nd_deepen(v, OGRH_LEVEL_RAID);
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
    nd_deepen(v, OGRH_LEVEL_RAID);
    return OGRH_OK;
  }
  ogrh_vr_raid *vr = nd_vb_raid(vb, raid, rl, (uint32_t)ro);
  if (!vr) return OGRH_ENOMEM;
  vr->remote_index = vr->local_index = tr->index;
  nd_deepen(v, OGRH_LEVEL_RAID);
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
  ogrh_vr_enc *ve = nd_vb_enc(vb, vr, enc, el, (uint32_t)eo);
  if (!ve) return OGRH_ENOMEM;
  ve->remote_index = ve->local_index = te->index;
  if (kind == ND_IT_ENC_MISSING) {
    ve->missing_local = true;
    vr->list_differs = true;
    nd_deepen(v, OGRH_LEVEL_ENCOUNTER);
  } else {
    ve->components |= kind == ND_IT_ENCOUNTER ? OGRH_C_ALL : mask;
    nd_deepen(v, OGRH_LEVEL_COMPONENT);
  }
  return OGRH_OK;
}

/* Merges a request's validation into the one being collected for its level. */
static int val_merge(ogrh_validation **into, ogrh_validation *v) {
  if (!*into) {
    *into = v;
    return OGRH_OK;
  }
  nd_valbuild vb = {*into, 0, NULL, 0};
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
    ogrh_vr_raid *d = nd_vb_raid(&vb, s->name, s->name_len, s->occ);
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
      ogrh_vr_enc *de = nd_vb_enc(&vb, d, se->name, se->name_len, se->occ);
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
  nd_vb_done(&vb);
  ogrh_validation_free(v);
  return rc;
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
  /* The context names are kept as C strings (a node sends its own, which are): a NUL inside
     is malformed. */
  if (r.err || level > OGRH_REPAIR_FULL || count == 0 || count > len || memchr(cr, 0, crl) ||
      memchr(ce, 0, cel)) {
    nd_refuse(n, sender, OGRH_MT_REPAIR_REQ, OGRH_WHY_MALFORMED);
    return;
  }
  if (nd_rank(n, sender) < 0) {
    nd_refuse(n, sender, OGRH_MT_REPAIR_REQ, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  nd_heard_epoch(n, epoch);
  if (epoch != n->epoch) return;
  if (!i_am_source(n, source)) {
    nd_sess *s = &n->sess;
    if (s->active && strcmp(source, s->source) == 0 &&
        ((s->phase == OGRH_RS_RECEIVING && !s->requested) ||
         (s->quick && s->phase == OGRH_RS_WAITING)))
      nd_heard_repair_req(n, &r, count);
    return;
  }
  if (n->paused) return;
  nd_valbuild vb;
  if (nd_vb_new(&vb)) return;
  vb.v->valid = true;
  bool full = false, digests = false;
  int rc = OGRH_OK;
  for (uint64_t i = 0; i < count && !rc; i++) {
    uint8_t kind = nd_get_u8(&r);
    digests |= kind == ND_IT_DIGESTS;
    rc = val_item(n, &vb, &r, kind, &full);
  }
  nd_vb_done(&vb);
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
    /* Kept as C strings (freed as strlen + 1 bytes): a name with a NUL was refused above. */
    if (crl) n->rq_ctx_raid = hdup(cr, crl);
    if (cel) n->rq_ctx_enc = hdup(ce, cel);
  }
  if (digests || full) {
    /* The asker sent its digests, or asks for everything: all is known, planned and sent at
       once (others who differ the same way hear the units too); nothing differing is said as
       an empty plan. */
    n->rq_at = n->now;
    if (digests && vb.v->valid) n->rq_nothing = true;
  }
  val_merge(&n->rq_val[level], vb.v);
}

/* ---- the unit queue ---- */

static void qunit_free(nd_qunit *u) {
  hfree(u->raid, u->raid_len);
  hfree(u->enc, u->enc_len);
}

/* Does a (queued) cover b (new)? */
static bool unit_covers(const nd_qunit *a, const nd_qunit *b) {
  if (a->kind == OGRH_UNIT_GLOBAL || b->kind == OGRH_UNIT_GLOBAL)
    return a->kind == b->kind && a->index == b->index;
  if (a->kind == OGRH_UNIT_RAIDLIST || b->kind == OGRH_UNIT_RAIDLIST) return false;
  if (!nd_ident_eq(a->raid, a->raid_len, a->raid_occ, b->raid, b->raid_len, b->raid_occ))
    return false;
  if (a->kind == OGRH_UNIT_RAID) return true;
  if (a->kind == OGRH_UNIT_RAID_META) return b->kind == OGRH_UNIT_RAID_META;
  if (b->kind == OGRH_UNIT_RAID || b->kind == OGRH_UNIT_RAID_META) return false;
  if (!nd_ident_eq(a->enc, a->enc_len, a->enc_occ, b->enc, b->enc_len, b->enc_occ)) return false;
  if (a->kind == OGRH_UNIT_ENCOUNTER) return true;
  return b->kind == OGRH_UNIT_COMPONENT && a->index == b->index;
}

/* A unit's identity as one number, for remembering what was sent lately. */
static uint64_t unit_key(ogrh_unit_kind kind, int index, const char *raid, size_t rl, uint32_t ro,
                         const char *enc, size_t el, uint32_t eo) {
  uint64_t h = XXH3_64bits_withSeed(raid, rl, (uint64_t)kind << 32 | (uint64_t)(unsigned)index);
  return XXH3_64bits_withSeed(enc, el, h ^ ((uint64_t)ro << 32 | eo));
}

static bool sent_lately(ogrh_node *n, uint64_t key) {
  for (size_t i = 0; i < sizeof n->sent_units / sizeof *n->sent_units; i++)
    if (n->sent_units[i].used && n->sent_units[i].key == key &&
        n->now - n->sent_units[i].at < n->cfg.timers.answer_ms / 2)
      return true;
  return false;
}

static nd_qunit *enqueue(ogrh_node *n, const ogrh_repair_unit *pu, bool *added) {
  *added = false;
  /* Sent a moment ago: whoever asks again missed nothing yet (askers wait answer_ms before
     asking again), and a node that asks over and over cannot keep the channel busy with it. */
  if (sent_lately(n, unit_key(pu->kind, pu->index, pu->raid, pu->raid_len, pu->raid_occ, pu->enc,
                              pu->enc_len, pu->enc_occ)))
    return NULL;
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
        nd_ident_eq(vr->name, vr->name_len, vr->occ, pu->raid, pu->raid_len, pu->raid_occ))
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
  if (!count && !n->rq_nothing) return;
  n->rq_nothing = false;
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
  n->rq_nothing = false;
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

static void remember_sent(ogrh_node *n, const nd_qunit *u) {
  size_t slot = 0;
  for (size_t i = 0; i < sizeof n->sent_units / sizeof *n->sent_units; i++)
    if (!n->sent_units[i].used || n->sent_units[i].at < n->sent_units[slot].at) {
      slot = i;
      if (!n->sent_units[i].used) break;
    }
  n->sent_units[slot].key = unit_key(u->kind, u->index, u->raid, u->raid_len, u->raid_occ, u->enc,
                                     u->enc_len, u->enc_occ);
  n->sent_units[slot].at = n->now;
  n->sent_units[slot].used = true;
}

/* Appends unit u's record (its value from the document as it is now). */
static int put_unit(ogrh_node *n, ogrh_arena *a, const nd_qunit *u, ogrh_buf *b) {
  ogrh_value v;
  ogrh_digest dg = 0;
  int rc = unit_value(n, a, u, &v, &dg);
  if (!rc)
    rc = nd_unit_encode(u->kind, u->index, u->raid, u->raid_len, u->raid_occ, u->enc, u->enc_len,
                        u->enc_occ, dg, &v, b);
  return rc;
}

/*
** Sends the next queued unit when the sender has room. Encounter and component units of one
** raid that follow each other in the queue (a raid sent split, or the components of several
** encounters) go several to a message, up to limits.unit_bytes of them, so that they compress
** together as the whole raid would, while no call packs more than that.
*/
static void send_next_unit(ogrh_node *n) {
  if (!n->nuq) return;
  if (ogrh_sender_queued(ogrh_router_sender(n->router)) >= n->cfg.limits.unit_queue_frames) return;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  ogrh_varint_put(&b, n->rev);
  nd_put_u64(&b, nd_root(n));
  nd_qunit taken[64];
  size_t nt = 0, bytes = 0;
  while (n->nuq && nt < sizeof taken / sizeof *taken) {
    nd_qunit *h = &n->uq[0];
    bool small = h->kind == OGRH_UNIT_ENCOUNTER || h->kind == OGRH_UNIT_COMPONENT;
    bool first = taken[0].kind == OGRH_UNIT_ENCOUNTER || taken[0].kind == OGRH_UNIT_COMPONENT;
    if (nt && (!small || !first ||
               !nd_ident_eq(h->raid, h->raid_len, h->raid_occ, taken[0].raid, taken[0].raid_len,
                            taken[0].raid_occ) ||
               bytes + h->bytes > n->cfg.limits.unit_bytes))
      break;
    size_t before = b.n;
    if (put_unit(n, a, h, &b) != OGRH_OK) {
      b.n = before; /* gone from the document meanwhile: dropped */
      qunit_free(h);
    } else {
      taken[nt++] = *h;
      bytes += h->bytes;
    }
    memmove(&n->uq[0], &n->uq[1], (n->nuq - 1) * sizeof *n->uq);
    n->nuq--;
  }
  if (nt && !ogrh_buf_error(&b) && nd_send(n, OGRH_MT_REPAIR, &b, OGRH_CTL_BULK, NULL) == OGRH_OK)
    for (size_t i = 0; i < nt; i++) {
      n->st.units_sent++;
      remember_sent(n, &taken[i]);
    }
  for (size_t i = 0; i < nt; i++)
    qunit_free(&taken[i]);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
}

/* ---- timers and freeing ---- */

void nd_serve_tick(ogrh_node *n) {
  poll_tick(n);
  bool source = nd_is_admin(n) || (n->ndq || n->rq_open || n->nuq);
  if (!source || !nd_can_send(n) || n->paused) return;
  if (n->dq_open && n->now >= n->dq_at) {
    n->dq_open = false;
    answer_drills(n);
  }
  if (n->rq_open && n->now >= n->rq_at) plan_requests(n);
  send_next_unit(n);
}

void nd_serve_free(ogrh_node *n) {
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
  n->rq_open = n->rq_nothing = false;
  if (n->rq_ctx_raid) ogrh_free(n->rq_ctx_raid, strlen(n->rq_ctx_raid) + 1);
  if (n->rq_ctx_enc) ogrh_free(n->rq_ctx_enc, strlen(n->rq_ctx_enc) + 1);
  n->rq_ctx_raid = n->rq_ctx_enc = NULL;
}
