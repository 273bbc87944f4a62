/*
** node_write.c
** Sync at write time: permissions on the sending side, sync levels and the BATCH debounce, the
** durable outbox, officers' proposals and the admin's sequencing into revisions, the bounded
** revision log, sequenced deltas on the receiving side (duplicates, gaps, held deltas), and
** catch-up from the log.
*/
#include "node_int.h"

#include <string.h>

/* ---- what a path is ---- */

nd_pclass nd_path_class(const ogrh_path *p) {
  ogrh_scope s;
  ogrh_path_scope(p, &s);
  if (s.kind == OGRH_SCOPE_OTHER) return ND_P_UNSYNCED;
  unsigned slots = OGRH_C_ASSIGNMENTS | OGRH_C_MARKS | OGRH_C_NUMBERS;
  if (s.kind == OGRH_SCOPE_ENCOUNTER && p->n >= 8 && s.components && !(s.components & ~slots))
    return ND_P_ASSIGNMENT;
  return ND_P_STRUCTURE;
}

/* Does the role a slot path writes into exist? (Creating it would be a structure change.) */
static bool role_exists(ogrh_node *n, const ogrh_path *p) {
  ogrh_path q = *p;
  q.n = 7;
  const ogrh_value *v;
  return ogrh_doc_get_path(n->doc, &q, &v) == OGRH_OK && v->type == OGRH_TABLE;
}

ogrh_refusal nd_may_write(ogrh_node *n, const char *who, const ogrh_path *p) {
  nd_pclass c = nd_path_class(p);
  if (c == ND_P_UNSYNCED) return OGRH_WHY_MALFORMED; /* never travels */
  if (n->admin[0] && strcmp(who, n->admin) == 0) return OGRH_WHY_NONE;
  int rank = nd_rank(n, who);
  if (rank < 0) return OGRH_WHY_NOT_IN_RAID;
  if (rank < 1) return OGRH_WHY_MEMBER;
  if (c == ND_P_STRUCTURE || !role_exists(n, p)) return OGRH_WHY_OFFICER_STRUCTURE;
  return OGRH_WHY_NONE;
}

/* The same walk ogrh_doc_set_parsed does before it changes anything. */
static int check_walk(ogrh_node *n, const ogrh_path *p, ogrh_err *err) {
  ogrh_value *cur = ogrh_doc_root(n->doc);
  for (size_t k = 0; cur && k + 1 < p->n; k++) {
    ogrh_value *next = ogrh_table_get(cur->u.t, &p->seg[k]);
    if (!next) break;
    if (next->type != OGRH_TABLE)
      return ogrh_err_set(err, OGRH_ENOTTABLE, "cannot walk through a %s",
                          ogrh_type_name(next->type));
    cur = next;
  }
  return OGRH_OK;
}

bool nd_tentative(const ogrh_node *n) {
  return !nd_is_admin(n) && (n->outbox.n || n->nprops);
}

/* ---- applying ---- */

/*
** Applies an encoded op list without sync (receiving side, replays). With check, every op is
** decoded and checked first (the synced plan only: a player's own keys never travel), and
** OGRH_EREFUSED applies nothing.
*/
static int nd_apply_ops_checked(ogrh_node *n, const uint8_t *p, size_t len, bool check,
                                size_t *applied) {
  nd_rd r = {p, p + len, 0};
  uint64_t count = nd_get_varint(&r);
  *applied = 0;
  if (r.err || count > len) return OGRH_ECORRUPT;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_op *ops = a && count ? ogrh_arena_alloc(a, (size_t)count * sizeof *ops) : NULL;
  if (!a || (count && !ops)) {
    ogrh_arena_free(a);
    return OGRH_ENOMEM;
  }
  int rc = OGRH_OK;
  for (uint64_t i = 0; i < count && !rc; i++) {
    size_t used;
    rc = ogrh_op_decode(a, r.p, (size_t)(r.end - r.p), &ops[i], &used);
    r.p += used;
    if (!rc && check && nd_path_class(&ops[i].path) == ND_P_UNSYNCED) rc = OGRH_EREFUSED;
  }
  if (!rc && check && (r.p != r.end || count == 0)) rc = OGRH_ECORRUPT;
  ogrh_sync_meta meta = {OGRH_SYNC_NONE, "sync", NULL};
  /* An op that does not apply here (our copy differs) is skipped: the root digest the delta
     carries then tells, and a repair follows. */
  for (uint64_t i = 0; i < count && !rc; i++)
    if (ogrh_doc_set_parsed(n->doc, &ops[i].path, &ops[i].value, &meta, NULL) == OGRH_OK)
      (*applied)++;
  ogrh_arena_free(a);
  n->st.applied_ops += *applied;
  return rc;
}

int nd_apply_ops(ogrh_node *n, const uint8_t *p, size_t len, size_t *applied) {
  return nd_apply_ops_checked(n, p, len, false, applied);
}

/* Every op of an encoded list touches the synced plan only (for deltas held before applying). */
static bool ops_synced_only(const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t count = nd_get_varint(&r);
  if (r.err || count > len || count == 0) return false;
  ogrh_arena *a = ogrh_arena_new();
  bool ok = a != NULL;
  for (uint64_t i = 0; i < count && ok; i++) {
    ogrh_op op;
    size_t used;
    ok = ogrh_op_decode(a, r.p, (size_t)(r.end - r.p), &op, &used) == OGRH_OK &&
         nd_path_class(&op.path) != ND_P_UNSYNCED;
    r.p += used;
  }
  ok = ok && r.p == r.end;
  ogrh_arena_free(a);
  return ok;
}

int nd_replay_outbox(ogrh_node *n) {
  size_t applied;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = OGRH_OK;
  for (size_t i = 0; i < n->nprops && !rc; i++) {
    ogrh_buf_reset(&b);
    rc = nd_opset_encode(&n->props[i].ops, &b);
    if (!rc) rc = nd_apply_ops(n, (const uint8_t *)b.p, b.n, &applied);
  }
  const nd_opset *sets[2] = {&n->pending, &n->outbox};
  for (int s = 0; s < 2 && !rc; s++) {
    if (!sets[s]->n) continue;
    ogrh_buf_reset(&b);
    rc = nd_opset_encode(sets[s], &b);
    if (!rc) rc = nd_apply_ops(n, (const uint8_t *)b.p, b.n, &applied);
  }
  ogrh_buf_deinit(&b);
  n->st.applied_ops -= 0;
  return rc;
}

/* ---- the admin: sequencing, the log, publishing ---- */

static void open_batch(ogrh_node *n) {
  if (!n->batch_open) {
    n->batch_open = true;
    n->batch_first = n->now;
  }
  n->batch_last = n->now;
}

static int add_ack(ogrh_node *n, const char *name, uint64_t inc, uint64_t seq) {
  for (size_t i = 0; i < n->npacks; i++)
    if (strcmp(n->packs[i].name, name) == 0) {
      n->packs[i].inc = inc;
      n->packs[i].seq = seq;
      return OGRH_OK;
    }
  if (ogrh_grow(&n->packs, &n->cappacks, n->npacks + 1, sizeof *n->packs)) return OGRH_ENOMEM;
  nd_ack *a = &n->packs[n->npacks++];
  memset(a, 0, sizeof *a);
  memcpy(a->name, name, strnlen(name, ND_NAME - 1));
  a->inc = inc;
  a->seq = seq;
  return OGRH_OK;
}

static void put_acks(ogrh_buf *b, const nd_ack *a, size_t n) {
  ogrh_varint_put(b, n);
  for (size_t i = 0; i < n; i++) {
    nd_put_cstr(b, a[i].name);
    ogrh_varint_put(b, a[i].inc);
    ogrh_varint_put(b, a[i].seq);
  }
}

/* A delta body: epoch, from, count, root, flags, then payload ([acks] and ops). */
static int delta_body(ogrh_node *n, ogrh_buf *b, uint64_t from, uint64_t to, ogrh_digest root,
                      uint8_t flags, const uint8_t *payload, size_t len) {
  ogrh_varint_put(b, n->epoch);
  ogrh_varint_put(b, from);
  ogrh_varint_put(b, to - from);
  nd_put_u64(b, root);
  nd_put_u8(b, flags);
  ogrh_buf_add(b, payload, len);
  return ogrh_buf_error(b);
}

/*
** Publishes the pending writes as one log entry (one revision range) and, when they hold a
** pushable write and the node may send, broadcasts it. A change too large for one message is
** logged as "big": the receivers learn the new revision and repair the difference instead.
*/
static void publish(ogrh_node *n) {
  if (!n->pending.n && !n->big_pending && !n->npacks) return;
  if (n->rev == n->published) n->rev++; /* acks alone still make a revision */
  bool push = nd_opset_pushable(&n->pending) && nd_can_send(n) && !n->paused;
  bool realtime = false;
  for (size_t i = 0; i < n->pending.n; i++)
    realtime |= n->pending.v[i].level == OGRH_SYNC_REALTIME;
  ogrh_buf acks, ops, body;
  ogrh_buf_init(&acks);
  ogrh_buf_init(&ops);
  ogrh_buf_init(&body);
  if (n->npacks) put_acks(&acks, n->packs, n->npacks);
  nd_opset_encode(&n->pending, &ops);
  bool big = n->big_pending || acks.n + ops.n > n->cfg.limits.message_bytes;
  if (big) ogrh_buf_reset(&ops);
  ogrh_digest root = nd_root(n);
  int rc = ogrh_buf_error(&acks) ? ogrh_buf_error(&acks) : ogrh_buf_error(&ops);
  if (!rc)
    rc = nd_entries_push(&n->log, n->published, n->rev, root, (const uint8_t *)ops.p, ops.n, big);
  if (!rc && acks.n) {
    nd_entry *e = &n->log.v[n->log.n - 1];
    e->acks = ogrh_malloc(acks.n);
    if (!e->acks) {
      rc = OGRH_ENOMEM;
      n->log.bytes -= e->len;
      ogrh_free(e->ops, e->len ? e->len : 1);
      n->log.n--;
    } else {
      memcpy(e->acks, acks.p, acks.n);
      e->alen = acks.n;
      n->log.bytes += acks.n;
    }
  }
  if (!rc && (push || big)) {
    uint8_t flags = (uint8_t)((n->npacks ? ND_DF_ACKS : 0) | (big ? ND_DF_BIG : 0));
    ogrh_varint_put(&body, n->epoch);
    ogrh_varint_put(&body, n->published);
    ogrh_varint_put(&body, n->rev - n->published);
    nd_put_u64(&body, root);
    nd_put_u8(&body, flags);
    ogrh_buf_add(&body, acks.p, acks.n);
    ogrh_buf_add(&body, ops.p, ops.n);
    /* A big change only says that the revision moved: receivers find it by drill-down. */
    nd_send(n, realtime && !big ? OGRH_MT_DELTA : OGRH_MT_BATCH, &body,
            realtime && !big ? OGRH_CTL_ALERT : OGRH_CTL_NORMAL, NULL);
  }
  if (!rc) {
    nd_entries_bound(&n->log, n->cfg.limits.log_entries, n->cfg.limits.log_bytes);
    n->published = n->rev;
    nd_opset_free(&n->pending);
    n->npacks = 0;
    n->big_pending = false;
    n->batch_open = false;
    if (push) {
      /* A burst of pushed changes: poll once it has settled. */
      n->settle_armed = true;
      n->settle_poll = n->now + n->cfg.timers.poll_settle_ms;
    }
    nd_mark_state(n);
  }
  /* Out of memory: everything stays pending and the next tick tries again. */
  ogrh_buf_deinit(&acks);
  ogrh_buf_deinit(&ops);
  ogrh_buf_deinit(&body);
}

/* ---- the officer: proposals ---- */

static void send_proposal(ogrh_node *n, nd_prop *p) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  ogrh_varint_put(&b, p->base);
  ogrh_varint_put(&b, n->incarnation);
  ogrh_varint_put(&b, p->seq);
  /* The oldest proposal still waiting: an admin that has not heard from us knows where our
     numbers start, and one that lost a proposal of ours notices the gap. */
  ogrh_varint_put(&b, n->nprops ? n->props[0].seq : p->seq);
  nd_put_u8(&b, p->level);
  nd_opset_encode(&p->ops, &b);
  if (nd_send(n, OGRH_MT_PROPOSAL, &b, OGRH_CTL_ALERT, n->admin) == OGRH_OK) {
    if (p->tries)
      n->st.proposals_resent++;
    else
      n->st.proposals_sent++;
  }
  uint64_t wait = n->cfg.timers.proposal_ms << (p->tries < 7 ? p->tries : 7);
  if (wait > 600000) wait = 600000;
  p->next_at = n->now + wait;
  p->tries++;
  ogrh_buf_deinit(&b);
}

/*
** Writes made out of a raid were queued unchecked; in a raid the node checks them as the admin
** will: what this player may not write is refused here (reported, not sent), and the admin's
** copy puts the tentative values right at the next check.
*/
static void drop_refused(ogrh_node *n) {
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return;
  size_t k = 0;
  for (size_t i = 0; i < n->outbox.n; i++) {
    nd_op *o = &n->outbox.v[i];
    ogrh_op op;
    size_t used;
    ogrh_refusal why = ogrh_op_decode(a, o->op, o->oplen, &op, &used) == OGRH_OK
                           ? nd_may_write(n, n->self, &op.path)
                           : OGRH_WHY_MALFORMED;
    if (why) {
      nd_eventf(n, OGRH_EV_WRITE_REFUSED, "", o->path, why, "%s: not sent: %s", o->path,
                ogrh_refusal_text(why));
      n->outbox.bytes -= o->oplen;
      ogrh_free(o->path, o->plen + 1);
      ogrh_free(o->op, o->oplen);
      n->stale = true;
      n->synced = false;
      n->check_root = true;
    } else {
      n->outbox.v[k++] = *o;
    }
  }
  if (k != n->outbox.n) nd_mark_state(n);
  n->outbox.n = k;
  ogrh_arena_free(a);
}

static void propose(ogrh_node *n) {
  drop_refused(n);
  if (!n->outbox.n) return;
  if (ogrh_grow(&n->props, &n->capprops, n->nprops + 1, sizeof *n->props)) return;
  nd_prop *p = &n->props[n->nprops++];
  memset(p, 0, sizeof *p);
  p->seq = n->next_seq++;
  p->base = n->rev;
  p->ops = n->outbox;
  p->level = nd_opset_pushable(&n->outbox) ? OGRH_SYNC_REALTIME : OGRH_SYNC_MANUAL;
  for (size_t i = 0; i < p->ops.n; i++)
    if (p->ops.v[i].level == OGRH_SYNC_BATCH) p->level = OGRH_SYNC_BATCH;
  for (size_t i = 0; i < p->ops.n; i++)
    if (p->ops.v[i].level == OGRH_SYNC_REALTIME) p->level = OGRH_SYNC_REALTIME;
  memset(&n->outbox, 0, sizeof n->outbox);
  n->batch_open = false;
  send_proposal(n, p);
  nd_mark_state(n);
}

static void confirm(ogrh_node *n, uint64_t inc, uint64_t seq) {
  if (inc != n->incarnation) return;
  size_t k = 0;
  for (size_t i = 0; i < n->nprops; i++) {
    if (n->props[i].seq <= seq) {
      nd_opset_free(&n->props[i].ops);
    } else {
      n->props[k++] = n->props[i];
    }
  }
  if (k != n->nprops) {
    n->nprops = k;
    nd_mark_state(n);
    if (!nd_tentative(n)) n->check_root = true;
  }
}

static void process_acks(ogrh_node *n, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t na = nd_get_varint(&r);
  for (uint64_t i = 0; i < na && !r.err; i++) {
    char name[ND_NAME];
    nd_get_player(&r, name);
    uint64_t inc = nd_get_varint(&r), seq = nd_get_varint(&r);
    if (!r.err && strcmp(name, n->self) == 0) confirm(n, inc, seq);
  }
}

/* ---- flushing ---- */

static bool batch_due(const ogrh_node *n) {
  return n->batch_open && (n->now >= n->batch_last + n->cfg.timers.batch_quiet_ms ||
                           n->now >= n->batch_first + n->cfg.timers.batch_cap_ms);
}

static bool has_level(const nd_opset *s, int level) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].level == level) return true;
  return false;
}

void nd_flush(ogrh_node *n, bool force) {
  if (nd_is_admin(n)) {
    if (!n->pending.n && !n->big_pending && !n->npacks) return;
    if (n->handover) return; /* nothing is published on a copy still catching up */
    bool pushable = nd_opset_pushable(&n->pending) || n->big_pending;
    /* Writes that are not pushed are published at once (log only); pushable ones wait for a
       moment when they can be sent. */
    if (!pushable) {
      publish(n);
      return;
    }
    if (!nd_can_send(n) || n->paused) return;
    if (force || has_level(&n->pending, OGRH_SYNC_REALTIME) || batch_due(n) || n->big_pending ||
        !n->batch_open)
      publish(n);
    return;
  }
  if (!n->outbox.n || !nd_can_send(n) || n->paused || !n->admin[0]) return;
  if (force || has_level(&n->outbox, OGRH_SYNC_REALTIME) || batch_due(n))
    propose(n);
  else if (!n->batch_open && nd_opset_pushable(&n->outbox))
    propose(n);
}

/* ---- writes ---- */

static ogrh_sync_level pick_level(const ogrh_sync_meta *meta, nd_pclass c) {
  if (meta && meta->level > OGRH_SYNC_NONE && meta->level <= OGRH_SYNC_MANUAL) return meta->level;
  return c == ND_P_ASSIGNMENT ? OGRH_SYNC_REALTIME : OGRH_SYNC_BATCH;
}

static bool set_has(const nd_opset *s, const char *path, size_t plen) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].plen == plen && memcmp(s->v[i].path, path, plen) == 0) return true;
  return false;
}

int nd_write(ogrh_node *n, const ogrh_path *p, const ogrh_value *v, const ogrh_sync_meta *meta,
             ogrh_err *err) {
  n->st.writes++;
  if (p->n == 0) return ogrh_err_set(err, OGRH_EPATH, "empty path");
  nd_pclass cls = nd_path_class(p);
  if (cls == ND_P_UNSYNCED) return ogrh_doc_set_parsed(n->doc, p, v, meta, err); /* local */
  bool admin = nd_is_admin(n);
  if (n->nroster && !admin) {
    /* The sender's own check spares the channel; the admin checks again on receive. */
    int rank = nd_rank(n, n->self);
    const char *why = NULL;
    if (rank < 1)
      why = "members may not change the plan";
    else if (cls == ND_P_STRUCTURE || !role_exists(n, p))
      why = "officers may change assignments only (the raid admin changes the rest)";
    if (why) {
      n->st.writes_refused++;
      return ogrh_err_set(err, OGRH_EREFUSED, "refused: %s", why);
    }
  }
  int rc = check_walk(n, p, err);
  if (rc) return rc;
  ogrh_sync_level level = pick_level(meta, cls);
  nd_opset *set = admin ? &n->pending : &n->outbox;
  ogrh_buf path, op;
  ogrh_buf_init(&path);
  ogrh_buf_init(&op);
  rc = nd_op_make(p, v, &path, &op);
  if (!rc && set->n >= n->cfg.limits.outbox_ops && !set_has(set, path.p, path.n))
    rc = ogrh_err_set(err, OGRH_ETOOBIG, "the outbox holds %zu writes already", set->n);
  /* Durable first: the state as it will be after this write is persisted before anything
     changes, so a refused persist leaves everything as it was. */
  if (!rc && n->cfg.persist) {
    nd_extra x = {set,  path.p,         path.n,         (const uint8_t *)op.p,
                  op.n, (uint8_t)level, admin ? 1u : 0u};
    rc = nd_persist_extra(n, &x);
    if (rc) ogrh_err_set(err, rc, "the write could not be made durable: %s", ogrh_strerror(rc));
  }
  if (!rc) {
    rc = ogrh_doc_set_parsed(n->doc, p, v, meta, err);
    if (!rc) rc = nd_opset_add(set, path.p, path.n, (const uint8_t *)op.p, op.n, (int)level);
    if (rc) {
      /* Out of memory after the state was stored: the admin's copy settles what holds. */
      n->synced = false;
      n->stale = true;
      nd_mark_state(n);
    } else {
      if (admin) n->rev++;
      if (level == OGRH_SYNC_BATCH) open_batch(n);
    }
  }
  ogrh_buf_deinit(&path);
  ogrh_buf_deinit(&op);
  if (rc) return rc;
  nd_flush(n, false);
  return OGRH_OK;
}

/* ---- set_root: differences become writes ---- */

typedef struct differ {
  ogrh_node *n;
  ogrh_path path;
  nd_opset *ops;
  ogrh_buf pt, op;
  int rc;
} differ;

static void diff_emit(differ *d, const ogrh_value *b) {
  static const ogrh_value nil = {0};
  if (d->rc) return;
  d->rc = nd_op_make(&d->path, b ? b : &nil, &d->pt, &d->op);
  if (!d->rc)
    d->rc = nd_opset_add(d->ops, d->pt.p, d->pt.n, (const uint8_t *)d->op.p, d->op.n,
                         OGRH_SYNC_REALTIME);
}

/* Writes that turn a into b, as deep as paths go. */
static void diff_values(differ *d, const ogrh_value *a, const ogrh_value *b) {
  if (d->rc) return;
  if (a && b && ogrh_value_equal(a, b)) return;
  if (!a || !b || a->type != OGRH_TABLE || b->type != OGRH_TABLE ||
      d->path.n + 1 >= OGRH_PATH_MAX) {
    if (d->path.n) diff_emit(d, b);
    return;
  }
  const ogrh_table *ta = a->u.t, *tb = b->u.t;
  uint32_t i = 0, j = 0;
  while ((i < ta->n || j < tb->n) && !d->rc) {
    int c = i == ta->n ? 1 : j == tb->n ? -1 : ogrh_key_cmp(&ta->e[i].key, &tb->e[j].key);
    const ogrh_value *key = c <= 0 ? &ta->e[i].key : &tb->e[j].key;
    d->path.seg[d->path.n++] = *key;
    diff_values(d, c <= 0 ? &ta->e[i].val : NULL, c >= 0 ? &tb->e[j].val : NULL);
    d->path.n--;
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
}

int nd_set_root(ogrh_node *n, const ogrh_value *root, const ogrh_sync_meta *meta, ogrh_err *err) {
  nd_opset ops = {0};
  differ d;
  memset(&d, 0, sizeof d);
  d.n = n;
  d.ops = &ops;
  ogrh_buf_init(&d.pt);
  ogrh_buf_init(&d.op);
  const ogrh_value *cur = ogrh_doc_root(n->doc);
  ogrh_value empty = ogrh_vnil();
  diff_values(&d, cur ? cur : &empty, root);
  ogrh_buf_deinit(&d.pt);
  ogrh_buf_deinit(&d.op);
  int rc = d.rc;
  bool restore = meta && meta->component_type && strcmp(meta->component_type, "restore") == 0;
  bool admin = nd_is_admin(n);
  ogrh_arena *a = rc ? NULL : ogrh_arena_new();
  if (!rc && !a) rc = OGRH_ENOMEM;
  ogrh_sync_level level = meta && meta->level ? meta->level : OGRH_SYNC_REALTIME;
  size_t refused = 0, synced = 0;
  for (size_t i = 0; i < ops.n && !rc; i++) {
    ogrh_op op;
    size_t used;
    rc = ogrh_op_decode(a, ops.v[i].op, ops.v[i].oplen, &op, &used);
    if (rc) break;
    nd_pclass cls = nd_path_class(&op.path);
    if (cls == ND_P_UNSYNCED || (!admin && restore)) {
      /* The player's own keys, and a restore on anyone but the admin: local. */
      if (ogrh_doc_set_parsed(n->doc, &op.path, &op.value, meta, NULL) == OGRH_OK &&
          cls != ND_P_UNSYNCED)
        n->stale = true;
      continue;
    }
    if (admin) {
      if (ogrh_doc_set_parsed(n->doc, &op.path, &op.value, meta, NULL) == OGRH_OK) {
        rc = nd_opset_add(&n->pending, ops.v[i].path, ops.v[i].plen, ops.v[i].op, ops.v[i].oplen,
                          (int)level);
        synced++;
      }
      continue;
    }
    ogrh_sync_meta m = {level, meta ? meta->component_type : NULL, NULL};
    ogrh_err e;
    if (nd_write(n, &op.path, &op.value, &m, &e)) {
      refused++;
      nd_eventf(n, OGRH_EV_WRITE_REFUSED, "", ops.v[i].path, OGRH_WHY_OFFICER_STRUCTURE, "%s: %s",
                ops.v[i].path, e.msg);
    }
  }
  if (!rc && admin && synced) {
    n->rev++;
    if (n->pending.bytes > n->cfg.limits.message_bytes) n->big_pending = true;
    nd_flush(n, level == OGRH_SYNC_REALTIME);
  }
  if (!rc && !admin && restore) {
    n->synced = false;
    n->stale = true;
  }
  nd_mark_state(n);
  ogrh_arena_free(a);
  nd_opset_free(&ops);
  if (rc) return ogrh_err_set(err, rc, "set_root failed: %s", ogrh_strerror(rc));
  (void)refused;
  return OGRH_OK;
}

/* ---- becoming or ceasing to be admin ---- */

void nd_became_admin(ogrh_node *n) {
  /* Our own unconfirmed proposals and outbox become sequenced writes (idempotent if the old
     admin applied them already). */
  bool moved = n->nprops || n->outbox.n;
  for (size_t i = 0; i < n->nprops; i++) {
    for (size_t j = 0; j < n->props[i].ops.n; j++) {
      nd_op *o = &n->props[i].ops.v[j];
      nd_opset_add(&n->pending, o->path, o->plen, o->op, o->oplen, o->level);
    }
    nd_opset_free(&n->props[i].ops);
  }
  n->nprops = 0;
  for (size_t j = 0; j < n->outbox.n; j++) {
    nd_op *o = &n->outbox.v[j];
    nd_opset_add(&n->pending, o->path, o->plen, o->op, o->oplen, o->level);
  }
  nd_opset_free(&n->outbox);
  if (n->stale) {
    /* Our document is not the one our state describes (restored from a state and a document
       that do not belong together): a fresh log, past every revision we know, so that nodes
       behind ask and are repaired rather than patched. */
    nd_entries_free(&n->log);
    n->rev++;
    n->published = n->rev;
  } else if (!n->log.n && !n->pending.n && !n->big_pending) {
    /* Admin from now on (a grant, or the leader by default): we publish from where we are. */
    n->published = n->rev;
  }
  /* Otherwise our own state as admin, restored: the log and what was pending carry on. */
  if (moved && n->pending.n) n->rev++;
  n->synced = true;
  n->stale = false;
  n->join_armed = true;
  n->join_poll = n->now + n->cfg.timers.poll_join_ms;
  n->next_poll = n->now + n->cfg.timers.poll_interval_ms;
  nd_flush(n, true);
  nd_mark_state(n);
}

void nd_write_reset_admin(ogrh_node *n) {
  /* Unpublished writes of an admin that is admin no more: assignments are proposed to the new
     admin; anything else cannot be, and the player is told. */
  for (size_t i = 0; i < n->pending.n; i++) {
    nd_op *o = &n->pending.v[i];
    bool assignment = false;
    ogrh_arena *a = ogrh_arena_new();
    ogrh_op op;
    size_t used;
    if (a && ogrh_op_decode(a, o->op, o->oplen, &op, &used) == OGRH_OK)
      assignment = nd_path_class(&op.path) == ND_P_ASSIGNMENT;
    ogrh_arena_free(a);
    if (assignment)
      nd_opset_add(&n->outbox, o->path, o->plen, o->op, o->oplen, o->level);
    else
      nd_eventf(n, OGRH_EV_WRITE_REFUSED, "", o->path, OGRH_WHY_NOT_ADMIN,
                "%s: not sent (no longer the raid admin)", o->path);
  }
  nd_opset_free(&n->pending);
  n->npacks = 0;
  n->big_pending = false;
  n->batch_open = n->outbox.n > 0;
  nd_entries_free(&n->log);
  memset(n->proposers, 0, sizeof n->proposers);
  n->synced = false;
  nd_mark_state(n);
}

/* ---- receiving proposals (admin) ---- */

static nd_proposer *proposer(ogrh_node *n, const char *name) {
  nd_proposer *free_slot = NULL;
  for (size_t i = 0; i < ND_PROPOSERS; i++) {
    if (strcmp(n->proposers[i].name, name) == 0) return &n->proposers[i];
    if (!free_slot && !n->proposers[i].name[0]) free_slot = &n->proposers[i];
  }
  if (!free_slot) free_slot = &n->proposers[ogrh_rng_below(&n->rng, ND_PROPOSERS)];
  memset(free_slot, 0, sizeof *free_slot);
  memcpy(free_slot->name, name, strnlen(name, ND_NAME - 1));
  return free_slot;
}

/* status 0: applied up to seq; 1: send again from seq + 1; else the refusal (ogrh_refusal + 16). */
static void answer_proposal(ogrh_node *n, const char *to, uint64_t inc, uint64_t seq,
                            unsigned status) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  ogrh_varint_put(&b, inc);
  ogrh_varint_put(&b, seq);
  nd_put_u8(&b, (uint8_t)status);
  nd_send(n, OGRH_MT_REFUSE, &b, OGRH_CTL_NORMAL, to);
  ogrh_buf_deinit(&b);
}

void nd_on_proposal(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  nd_get_varint(&r); /* base revision: informative */
  uint64_t inc = nd_get_varint(&r), seq = nd_get_varint(&r), oldest = nd_get_varint(&r);
  uint8_t level = nd_get_u8(&r);
  if (r.err || level < OGRH_SYNC_REALTIME || level > OGRH_SYNC_MANUAL || seq == 0 || oldest == 0 ||
      oldest > seq) {
    nd_refuse(n, sender, OGRH_MT_PROPOSAL, OGRH_WHY_MALFORMED);
    return;
  }
  const uint8_t *ops = r.p;
  size_t opslen = (size_t)(r.end - r.p);
  nd_heard_epoch(n, epoch);
  if (!nd_is_admin(n)) {
    nd_refuse(n, sender, OGRH_MT_PROPOSAL, OGRH_WHY_NOT_ADMIN);
    return;
  }
  if (epoch != n->epoch) {
    nd_refuse(n, sender, OGRH_MT_PROPOSAL, OGRH_WHY_STALE_EPOCH);
    {
      answer_proposal(n, sender, inc, seq, 16 + OGRH_WHY_STALE_EPOCH);
      return;
    }
  }
  int rank = nd_rank(n, sender);
  if (rank < 0) {
    nd_refuse(n, sender, OGRH_MT_PROPOSAL, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  if (rank < 1) {
    nd_refuse(n, sender, OGRH_MT_PROPOSAL, OGRH_WHY_MEMBER);
    {
      answer_proposal(n, sender, inc, seq, 16 + OGRH_WHY_MEMBER);
      return;
    }
  }
  nd_proposer *q = proposer(n, sender);
  /* A proposer (or an incarnation) we have not heard from, or one whose earlier proposals
     another admin ordered: its numbers go on from just before the oldest it still holds. */
  if (q->inc != inc || q->seq + 1 < oldest) {
    q->inc = inc;
    q->seq = oldest - 1;
  }
  if (seq <= q->seq) {
    answer_proposal(n, sender, inc, q->seq, 0);
    return;
  }
  if (seq > q->seq + 1) {
    answer_proposal(n, sender, inc, q->seq, 1);
    return;
  }
  /* Check every op first: all or nothing. */
  nd_rd o = {ops, ops + opslen, 0};
  uint64_t count = nd_get_varint(&o);
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return;
  ogrh_refusal why = o.err || count == 0 || count > opslen ? OGRH_WHY_MALFORMED : OGRH_WHY_NONE;
  for (uint64_t i = 0; i < count && !why; i++) {
    ogrh_op op;
    size_t used;
    if (ogrh_op_decode(a, o.p, (size_t)(o.end - o.p), &op, &used)) {
      why = OGRH_WHY_MALFORMED;
      break;
    }
    o.p += used;
    why = nd_may_write(n, sender, &op.path);
  }
  if (!why && o.p != o.end) why = OGRH_WHY_MALFORMED;
  if (why) {
    ogrh_arena_free(a);
    nd_refuse(n, sender, OGRH_MT_PROPOSAL, why);
    /* A refused proposal still counts as handled: the proposer stops resending it. */
    q->inc = inc;
    q->seq = seq;
    {
      answer_proposal(n, sender, inc, seq, 16 + why);
      return;
    }
  }
  o = (nd_rd){ops, ops + opslen, 0};
  nd_get_varint(&o);
  ogrh_buf path;
  ogrh_buf_init(&path);
  size_t done = 0;
  ogrh_sync_meta meta = {(ogrh_sync_level)level, "proposal", NULL};
  for (uint64_t i = 0; i < count; i++) {
    ogrh_op op;
    size_t used;
    ogrh_op_decode(a, o.p, (size_t)(o.end - o.p), &op, &used);
    ogrh_buf_reset(&path);
    ogrh_path_format(&op.path, op.path.n, &path);
    if (!ogrh_buf_error(&path) &&
        ogrh_doc_set_parsed(n->doc, &op.path, &op.value, &meta, NULL) == OGRH_OK &&
        nd_opset_add(&n->pending, path.p, path.n, o.p, used, level) == OGRH_OK)
      done++;
    o.p += used;
  }
  ogrh_buf_deinit(&path);
  ogrh_arena_free(a);
  q->inc = inc;
  q->seq = seq;
  add_ack(n, sender, inc, seq);
  n->rev++;
  if (level == OGRH_SYNC_BATCH) open_batch(n);
  nd_mark_state(n);
  nd_flush(n, false);
  (void)done;
}

void nd_on_refuse(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r), inc = nd_get_varint(&r), seq = nd_get_varint(&r);
  uint8_t status = nd_get_u8(&r);
  if (r.err || r.p != r.end) {
    nd_refuse(n, sender, OGRH_MT_REFUSE, OGRH_WHY_MALFORMED);
    return;
  }
  ogrh_refusal why = nd_check_admin(n, sender, epoch, NULL);
  if (why == OGRH_WHY_STALE_EPOCH && epoch < n->epoch) return; /* an old admin's late answer */
  if (why) {
    nd_refuse(n, sender, OGRH_MT_REFUSE, why);
    return;
  }
  if (inc != n->incarnation) return;
  if (status == 0) {
    confirm(n, inc, seq);
    return;
  }
  if (status == 1) {
    /* The admin missed some: send everything after seq again, now, in order. */
    confirm(n, inc, seq);
    for (size_t i = 0; i < n->nprops; i++)
      send_proposal(n, &n->props[i]);
    return;
  }
  ogrh_refusal w =
      status >= 16 && status - 16 < OGRH_NWHY ? (ogrh_refusal)(status - 16) : OGRH_WHY_MALFORMED;
  for (size_t i = 0; i < n->nprops; i++)
    if (n->props[i].seq == seq)
      for (size_t j = 0; j < n->props[i].ops.n; j++)
        nd_eventf(n, OGRH_EV_WRITE_REFUSED, sender, n->props[i].ops.v[j].path, w,
                  "%s refused %s: %s", sender, n->props[i].ops.v[j].path, ogrh_refusal_text(w));
  if (w == OGRH_WHY_STALE_EPOCH) {
    /* We proposed to an admin of another epoch: ask who is admin, keep the proposal. */
    n->hello_grant = true;
    return;
  }
  confirm(n, inc, seq);
  /* Our tentative copy holds what was refused: the admin's copy puts it right. */
  n->stale = true;
  n->synced = false;
  n->check_root = true;
}

/* ---- receiving deltas ---- */

void nd_want_catchup(ogrh_node *n) {
  if (n->cu_want) return;
  n->cu_want = true;
  n->cu_tries = 0;
  n->cu_at = n->now + ogrh_rng_below(&n->rng, n->cfg.timers.jitter_ms + 1);
}

void nd_ring_reapply(ogrh_node *n, uint64_t after) {
  if (n->rev <= after) return;
  size_t i = 0;
  while (i < n->ring.n && n->ring.v[i].to <= after)
    i++;
  if (i == n->ring.n || n->ring.v[i].from > after) {
    n->synced = false; /* the ring does not reach back: a later check settles it */
    return;
  }
  for (; i < n->ring.n; i++) {
    size_t applied;
    nd_apply_ops(n, n->ring.v[i].ops, n->ring.v[i].len, &applied);
  }
}

static void after_apply(ogrh_node *n, ogrh_digest want) {
  if (nd_tentative(n)) {
    n->check_root = true;
    return;
  }
  if (nd_root(n) == want) {
    bool was = n->synced;
    n->synced = true;
    n->stale = false;
    n->check_root = false;
    if (!was && n->sess.active && !n->sess.manual) nd_sess_end(n, OGRH_RS_DONE);
  } else {
    n->synced = false;
    n->stale = true;
    nd_sess_start_auto(n, NULL, "delta");
  }
}

/*
** Applies one delta-shaped entry (ops or inline units) and moves the revision to its end. With
** check, ops outside the synced plan refuse the whole entry (OGRH_EREFUSED, nothing applied).
*/
static int apply_entry(ogrh_node *n, const nd_delta *d, const uint8_t *ops, size_t len,
                       bool check) {
  if (d->flags & (ND_DF_BIG | ND_DF_NOLOG)) {
    /* The change is too large for a delta (or the log does not reach us): find it by digests. */
    n->rev = d->to;
    n->synced = false;
    n->stale = true;
    nd_sess_start_auto(n, NULL, "catch-up");
    return OGRH_OK;
  }
  if (d->flags & ND_DF_UNITS) {
    nd_rd r = {ops, ops + len, 0};
    uint64_t count = nd_get_varint(&r);
    ogrh_arena *a = ogrh_arena_new();
    for (uint64_t i = 0; a && i < count && !r.err; i++) {
      nd_unit u;
      if (nd_unit_decode(a, &r, &u)) break;
      bool changed;
      if (nd_apply_unit(n, a, &u, &changed) == OGRH_OK && changed) n->st.units_applied++;
    }
    ogrh_arena_free(a);
  } else {
    size_t applied;
    if (nd_apply_ops_checked(n, ops, len, check, &applied) == OGRH_EREFUSED) return OGRH_EREFUSED;
    nd_entries_push(&n->ring, d->from, d->to, d->root, ops, len, false);
    nd_entries_bound(&n->ring, n->cfg.limits.ring_entries, n->cfg.limits.ring_bytes);
  }
  n->st.applied_deltas++;
  n->rev = d->to;
  nd_mark_state(n);
  after_apply(n, d->root);
  return OGRH_OK;
}

static void apply_held(ogrh_node *n) {
  for (;;) {
    size_t k = n->held.n;
    for (size_t i = 0; i < n->held.n; i++)
      if (n->held.v[i].from <= n->rev && n->held.v[i].to > n->rev) {
        k = i;
        break;
      }
    if (k == n->held.n) break;
    nd_entry e = n->held.v[k];
    nd_delta d;
    memset(&d, 0, sizeof d);
    d.from = e.from;
    d.to = e.to;
    d.root = e.root;
    apply_entry(n, &d, e.ops, e.len, false);
    /* Drop it (and anything now behind us). */
    size_t j = 0;
    for (size_t i = 0; i < n->held.n; i++) {
      if (i == k || n->held.v[i].to <= n->rev) {
        n->held.bytes -= n->held.v[i].len;
        ogrh_free(n->held.v[i].ops, n->held.v[i].len ? n->held.v[i].len : 1);
      } else {
        n->held.v[j++] = n->held.v[i];
      }
    }
    n->held.n = j;
  }
}

void nd_on_delta(ogrh_node *n, const char *sender, uint8_t type, const uint8_t *p, size_t len) {
  nd_delta d;
  if (nd_delta_decode(p, len, &d)) {
    nd_refuse(n, sender, type, OGRH_WHY_MALFORMED);
    return;
  }
  ogrh_refusal why = nd_check_admin(n, sender, d.epoch, NULL);
  if (why) {
    nd_refuse(n, sender, type, why);
    return;
  }
  if (nd_is_admin(n)) return;
  bool plain = !(d.flags & (ND_DF_UNITS | ND_DF_NOLOG | ND_DF_BIG));
  bool gap = n->synced && d.from > n->rev && d.to > n->rev;
  if (plain && gap && !ops_synced_only(d.body, d.body_len)) {
    nd_refuse(n, sender, type, OGRH_WHY_MALFORMED);
    return;
  }
  if (d.acks) process_acks(n, d.acks, d.acks_len);
  if (d.flags & ND_DF_NOLOG) {
    /* A catch-up answer saying the log does not reach back to us. */
    n->cu_want = false;
    if (!n->synced || n->rev < d.to) {
      n->synced = false;
      n->stale = true;
      nd_sess_start_auto(n, NULL, "catch-up");
    }
    return;
  }
  if (n->synced && d.to <= n->rev) {
    n->st.duplicates++;
    if (d.to == n->rev && !nd_tentative(n) && nd_root(n) != d.root) {
      n->synced = false;
      n->stale = true;
      nd_sess_start_auto(n, NULL, "delta");
    }
    return;
  }
  if (n->synced && d.from > n->rev) {
    /* A gap: hold it (bounded) and ask for what is missing. */
    n->st.gaps++;
    bool have = false;
    for (size_t i = 0; i < n->held.n && !have; i++)
      have = n->held.v[i].from == d.from && n->held.v[i].to == d.to;
    if (!have && !(d.flags & (ND_DF_BIG | ND_DF_UNITS))) {
      if (nd_entries_push(&n->held, d.from, d.to, d.root, d.body, d.body_len, false) == OGRH_OK) {
        size_t before = n->held.n;
        nd_entries_bound(&n->held, n->cfg.limits.held_entries, n->cfg.limits.held_bytes);
        n->st.held_dropped += before - n->held.n;
      }
    }
    nd_want_catchup(n);
    return;
  }
  if (apply_entry(n, &d, d.body, d.body_len, true) == OGRH_EREFUSED) {
    nd_refuse(n, sender, type, OGRH_WHY_MALFORMED);
    return;
  }
  if (type == OGRH_MT_CATCHUP) n->cu_want = false;
  apply_held(n);
}

/* ---- catch-up (admin) ---- */

void nd_on_catchup_req(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r), rev = nd_get_varint(&r);
  if (r.err || r.p != r.end) {
    nd_refuse(n, sender, OGRH_MT_CATCHUP_REQ, OGRH_WHY_MALFORMED);
    return;
  }
  if (nd_rank(n, sender) < 0) {
    nd_refuse(n, sender, OGRH_MT_CATCHUP_REQ, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  nd_heard_epoch(n, epoch);
  if (!nd_is_admin(n)) {
    /* Someone else asked: if they are no further than we are, the answer serves us too. */
    if (n->cu_want && rev <= n->rev && epoch == n->epoch)
      n->cu_at = n->now + n->cfg.timers.answer_ms;
    return;
  }
  if (epoch != n->epoch) return;
  if (!n->cq_open || rev < n->cq_min) n->cq_min = rev;
  if (!n->cq_open) {
    n->cq_open = true;
    n->cq_at = n->now + n->cfg.timers.buffer_ms;
  }
}

/* Answers everyone behind from the lowest revision asked for: one message serves them all. */
static void answer_catchup(ogrh_node *n) {
  n->cq_open = false;
  uint64_t from = n->cq_min;
  if (from >= n->published) return;
  size_t first = 0;
  while (first < n->log.n && n->log.v[first].to <= from)
    first++;
  bool reach = first < n->log.n && n->log.v[first].from <= from;
  for (size_t i = first; reach && i < n->log.n; i++)
    reach = !n->log.v[i].big;
  ogrh_buf body;
  ogrh_buf_init(&body);
  ogrh_digest root = n->log.n ? n->log.v[n->log.n - 1].root : nd_root(n);
  if (reach) {
    nd_opset set = {0};
    nd_ack *acks = NULL;
    size_t nacks = 0, capacks = 0;
    int rc = OGRH_OK;
    for (size_t i = first; i < n->log.n && !rc; i++) {
      const nd_entry *e = &n->log.v[i];
      rc = nd_opset_add_encoded(&set, e->ops, e->len, OGRH_SYNC_REALTIME);
      /* Acks: the latest of each proposer. */
      nd_rd ar = {e->acks, e->acks + e->alen, 0};
      uint64_t na = e->alen ? nd_get_varint(&ar) : 0;
      for (uint64_t k = 0; k < na && !ar.err && !rc; k++) {
        nd_ack a;
        memset(&a, 0, sizeof a);
        nd_get_player(&ar, a.name);
        a.inc = nd_get_varint(&ar);
        a.seq = nd_get_varint(&ar);
        size_t j = 0;
        while (j < nacks && strcmp(acks[j].name, a.name) != 0)
          j++;
        if (j == nacks && ogrh_grow(&acks, &capacks, nacks + 1, sizeof *acks)) rc = OGRH_ENOMEM;
        if (!rc) {
          acks[j] = a;
          if (j == nacks) nacks++;
        }
      }
    }
    ogrh_buf payload, units;
    ogrh_buf_init(&payload);
    ogrh_buf_init(&units);
    if (nacks) put_acks(&payload, acks, nacks);
    size_t acklen = payload.n;
    if (!rc) rc = nd_opset_encode(&set, &payload);
    uint8_t flags = nacks ? ND_DF_ACKS : 0;
    /* The units covering what changed, when they are smaller than the writes (many writes to
       one component); only while nothing is pending, so that they show the logged state. */
    if (!rc && !n->pending.n && !n->big_pending && set.n > 1 &&
        nd_catchup_units(n, &set, &units) == OGRH_OK && units.n < payload.n - acklen) {
      payload.n = acklen;
      ogrh_buf_add(&payload, units.p, units.n);
      flags |= ND_DF_UNITS;
      rc = ogrh_buf_error(&payload);
    }
    ogrh_buf_deinit(&units);
    if (!rc && payload.n <= n->cfg.limits.message_bytes) {
      delta_body(n, &body, n->log.v[first].from, n->published, root, flags,
                 (const uint8_t *)payload.p, payload.n);
      nd_send(n, OGRH_MT_CATCHUP, &body, OGRH_CTL_NORMAL, NULL);
      n->st.catchup_answers++;
    } else {
      reach = false;
    }
    ogrh_buf_deinit(&payload);
    nd_opset_free(&set);
    ogrh_free(acks, capacks * sizeof *acks);
  }
  if (!reach) {
    ogrh_buf_reset(&body);
    ogrh_varint_put(&body, n->epoch);
    ogrh_varint_put(&body, from);
    ogrh_varint_put(&body, n->published - from);
    nd_put_u64(&body, root);
    nd_put_u8(&body, ND_DF_NOLOG);
    nd_send(n, OGRH_MT_CATCHUP, &body, OGRH_CTL_NORMAL, NULL);
    n->st.catchup_answers++;
  }
  ogrh_buf_deinit(&body);
}

/* ---- timers ---- */

static void proposals_tick(ogrh_node *n) {
  if (!nd_can_send(n) || n->paused || !n->admin[0] || nd_is_admin(n)) return;
  for (size_t i = 0; i < n->nprops; i++) {
    nd_prop *p = &n->props[i];
    if (n->now < p->next_at) continue;
    /* Past the first few tries (each wait twice the last, at most 10 minutes), resend only
       while the admin is heard from. */
    if (p->tries >= n->cfg.timers.tries &&
        n->now - n->last_from_admin > n->cfg.timers.poll_interval_ms * 2)
      continue;
    send_proposal(n, p);
  }
}

static void catchup_tick(ogrh_node *n) {
  if (!n->cu_want || n->now < n->cu_at || !nd_can_send(n) || nd_is_admin(n)) return;
  if (n->cu_tries >= n->cfg.timers.tries) {
    /* Nobody answers: drop it; the next poll decides again. */
    n->cu_want = false;
    n->synced = false;
    n->stale = true;
    return;
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  ogrh_varint_put(&b, n->rev);
  if (nd_send(n, OGRH_MT_CATCHUP_REQ, &b, OGRH_CTL_NORMAL, NULL) == OGRH_OK)
    n->st.catchup_requests++;
  ogrh_buf_deinit(&b);
  n->cu_at = n->now + (n->cfg.timers.answer_ms << n->cu_tries);
  n->cu_tries++;
}

void nd_write_tick(ogrh_node *n) {
  if (n->batch_open && batch_due(n)) nd_flush(n, true);
  if (nd_is_admin(n)) {
    if (n->cq_open && n->now >= n->cq_at && nd_can_send(n) && !n->paused && !n->handover)
      answer_catchup(n);
    if (n->pending.n && !n->batch_open) nd_flush(n, false);
  } else {
    if (n->outbox.n && !n->batch_open) nd_flush(n, false);
    proposals_tick(n);
    catchup_tick(n);
  }
}
