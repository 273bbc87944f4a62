/*
** node.c
** The sync node (ogrh/node.h): its life cycle, the roster and who is admin, the checks every
** received message passes first, dispatch to the other node modules, events for people, and
** persistence through the host's callback.
*/
#include "node_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- names ---- */

const char *ogrh_event_name(ogrh_event_kind k) {
  static const char *const n[] = {"?",
                                  "changed",
                                  "mismatch",
                                  "validated",
                                  "repair requested",
                                  "repair progress",
                                  "repair done",
                                  "repair failed",
                                  "no admin",
                                  "admin changed",
                                  "refused",
                                  "write refused",
                                  "paused",
                                  "resumed",
                                  "restored",
                                  "validation done"};
  return (unsigned)k < sizeof n / sizeof *n ? n[k] : "?";
}

const char *ogrh_refusal_text(ogrh_refusal why) {
  static const char *const t[] = {
#define OGRH__XX(name, text) text,
      OGRH_REFUSAL_MAP(OGRH__XX)
#undef OGRH__XX
  };
  return (unsigned)why < OGRH_NWHY ? t[why] : "?";
}

const char *nd_type_name(uint8_t type) {
  const char *name = ogrh_mt_name(type);
  return name ? name : "message";
}

/* ---- configuration ---- */

void ogrh_node_cfg_default(ogrh_node_cfg *c) {
  memset(c, 0, sizeof *c);
  ogrh_wire_cfg_default(&c->wire);
  ogrh_ctl_profile("ctl", &c->ctl);
  ogrh_reasm_limits_default(&c->reasm);
  c->retain_ms = 60000;
  c->seed = 1;
  ogrh_node_timers *t = &c->timers;
  t->batch_quiet_ms = 2000;
  t->batch_cap_ms = 10000;
  t->poll_interval_ms = 30000;
  t->poll_settle_ms = 3000;
  t->poll_join_ms = 1000;
  t->jitter_ms = 1500;
  t->buffer_ms = 500;
  t->answer_ms = 8000;
  t->tries = 3;
  t->listen_ms = 5000;
  t->proposal_ms = 5000;
  t->refusal_event_ms = 10000;
  t->quick_jitter_ms = 150;
  ogrh_node_limits *l = &c->limits;
  l->log_entries = 256;
  l->log_bytes = 65536;
  l->ring_entries = 64;
  l->ring_bytes = 32768;
  l->held_entries = 64;
  l->held_bytes = 65536;
  l->outbox_ops = 4096;
  l->message_bytes = 16384;
  l->unit_queue_frames = 4;
  l->unit_bytes = 32768;
}

/* ---- small helpers ---- */

bool nd_can_send(const ogrh_node *n) {
  return n->in_raid && !n->in_combat && !n->zoning && n->nroster > 0;
}

bool nd_is_admin(const ogrh_node *n) {
  return n->admin[0] && strcmp(n->admin, n->self) == 0;
}

const nd_member *nd_member_find(const ogrh_node *n, const char *name) {
  for (size_t i = 0; i < n->nroster; i++)
    if (strcmp(n->roster[i].name, name) == 0) return &n->roster[i];
  return NULL;
}

int nd_rank(const ogrh_node *n, const char *name) {
  const nd_member *m = nd_member_find(n, name);
  return m ? m->rank : -1;
}

/* ---- the digest tree, through one layer ---- */

const ogrh_dtree *nd_tree(ogrh_node *n) {
  ogrh_dtree_update(n->tree);
  return n->tree;
}

void nd_tree_top(const ogrh_dtree *t, nd_top *out) {
  ogrh_dt_top top;
  /* A tree that cannot be read (its update failed for lack of memory) reads as empty: every
     comparison then finds a difference, which a later update settles. */
  if (ogrh_dtree_top(t, &top)) memset(&top, 0, sizeof top);
  out->root = top.root;
  memcpy(out->global, top.global, sizeof out->global);
  out->raidlist = top.raidlist;
  out->nraids = top.nraids;
}

const ogrh_dt_raid *nd_tree_raid(const ogrh_dtree *t, size_t i) {
  const ogrh_dt_raid *r;
  return ogrh_dtree_raid(t, i, &r) ? NULL : r;
}

const ogrh_dt_raid *nd_tree_find_raid(const ogrh_dtree *t, const char *name, size_t len,
                                      uint32_t occ) {
  const ogrh_dt_raid *r;
  return ogrh_dtree_find_raid(t, name, len, occ, &r) ? NULL : r;
}

const ogrh_dt_enc *nd_t_enc(const ogrh_dt_raid *r, const char *name, size_t len, uint32_t occ) {
  const ogrh_dt_enc *e;
  return r && !ogrh_dtree_find_enc(r, name, len, occ, &e) ? e : NULL;
}

const ogrh_dt_raid *nd_t_raid(ogrh_node *n, const char *name, size_t len, uint32_t occ) {
  return nd_tree_find_raid(nd_tree(n), name, len, occ);
}

int nd_comp_digest(const ogrh_table *enc, int c, ogrh_buf *scratch, ogrh_digest *out) {
  return ogrh_component_digest(enc, c, scratch, out);
}

ogrh_digest nd_root(ogrh_node *n) {
  nd_top top;
  nd_tree_top(nd_tree(n), &top);
  return n->root_cache = top.root;
}

void nd_mark_state(ogrh_node *n) {
  n->dirty_state = true;
}

static void copy_name(char dst[ND_NAME], const char *src) {
  snprintf(dst, ND_NAME, "%s", src ? src : "");
}

/* ---- events ---- */

void nd_event(ogrh_node *n, ogrh_event *e) {
  e->now_ms = n->now;
  e->epoch = n->epoch;
  e->revision = n->rev;
  if (!e->text) e->text = "";
  if (!e->who) e->who = "";
  if (!e->by) e->by = "";
  if (!e->what) e->what = "";
  if (n->cfg.event) n->cfg.event(n->cfg.ud, e);
}

void nd_eventf(ogrh_node *n, ogrh_event_kind k, const char *who, const char *what, ogrh_refusal why,
               const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  ogrh_event e;
  memset(&e, 0, sizeof e);
  e.kind = k;
  e.text = text;
  e.who = who;
  e.what = what;
  e.why = why;
  nd_event(n, &e);
}

void nd_refuse(ogrh_node *n, const char *who, uint8_t type, ogrh_refusal why) {
  if ((unsigned)why < OGRH_NWHY) n->st.refused[why]++;
  /* Count every refusal; report one per sender and reason per interval (a flood of forged
     messages must not flood the player's chat frame). */
  nd_refusal_seen *slot = NULL, *oldest = &n->seen[0];
  for (size_t i = 0; i < ND_REFUSAL_SLOTS; i++) {
    nd_refusal_seen *s = &n->seen[i];
    if (s->used && s->why == why && strcmp(s->who, who) == 0) {
      slot = s;
      break;
    }
    if (!s->used || s->at < oldest->at) oldest = s;
  }
  bool report = true;
  if (slot) {
    slot->count++;
    report = n->now - slot->at >= n->cfg.timers.refusal_event_ms;
  } else {
    slot = oldest;
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    copy_name(slot->who, who);
    slot->why = why;
    slot->count = 1;
  }
  if (!report) return;
  slot->at = n->now;
  ogrh_event e;
  memset(&e, 0, sizeof e);
  char text[256];
  snprintf(text, sizeof text, "Refused %s from %s: %s", nd_type_name(type), who,
           ogrh_refusal_text(why));
  e.kind = OGRH_EV_REFUSED;
  e.text = text;
  e.who = who;
  e.what = nd_type_name(type);
  e.why = why;
  e.count = slot->count;
  nd_event(n, &e);
}

/* Scopes the document reports changed are collected and reported once each per call. */
static bool scope_same(const ogrh_scope *a, const ogrh_scope *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case OGRH_SCOPE_GLOBAL:
    return a->global == b->global;
  case OGRH_SCOPE_RAID:
    return a->raid == b->raid;
  case OGRH_SCOPE_ENCOUNTER:
    return a->raid == b->raid && a->encounter == b->encounter;
  default:
    return true;
  }
}

static void on_doc_change(void *ud, const ogrh_change *c) {
  ogrh_node *n = ud;
  const ogrh_scope *sc = n->scope_override ? n->scope_override : &c->scope;
  n->dirty_doc = true;
  if (sc->kind == OGRH_SCOPE_OTHER) return;
  for (size_t i = 0; i < n->nscopes; i++)
    if (scope_same(&n->scopes[i], sc)) {
      n->scopes[i].components |= sc->components;
      n->scopes[i].raid_meta |= sc->raid_meta;
      n->scopes[i].raid_all |= sc->raid_all;
      return;
    }
  if (n->nscopes == ND_SCOPES) {
    n->scopes_overflow = true;
    return;
  }
  n->scopes[n->nscopes++] = *sc;
}

static void emit_scopes(ogrh_node *n) {
  if (n->scopes_overflow) {
    n->nscopes = 1;
    memset(&n->scopes[0], 0, sizeof n->scopes[0]);
    n->scopes[0].kind = OGRH_SCOPE_ALL;
  }
  size_t k = n->nscopes;
  n->nscopes = 0;
  n->scopes_overflow = false;
  for (size_t i = 0; i < k; i++) {
    ogrh_scope s = n->scopes[i];
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_scope_format(&s, &b);
    ogrh_event e;
    memset(&e, 0, sizeof e);
    e.kind = OGRH_EV_CHANGED;
    e.text = b.p ? b.p : "";
    e.what = e.text;
    e.scope = s;
    n->st.invalidations++;
    nd_event(n, &e);
    ogrh_buf_deinit(&b);
  }
}

/* ---- persistence ---- */

static int persist(ogrh_node *n, const nd_extra *x) {
  if (!n->cfg.persist) {
    n->dirty_state = n->dirty_doc = false;
    return OGRH_OK;
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = nd_state_encode(n, x, &b);
  if (!rc) rc = n->cfg.persist(n->cfg.ud, (const uint8_t *)b.p, b.n, n->dirty_doc, n->now);
  ogrh_buf_deinit(&b);
  if (rc && x) {
    /* A write that could not be made durable is refused; nothing else changed. */
    n->st.persist_failures++;
    return rc < 0 ? rc : OGRH_EIO;
  }
  if (rc) {
    n->st.persist_failures++;
    n->persist_backoff = n->persist_backoff ? n->persist_backoff * 2 : 1000;
    if (n->persist_backoff > 30000) n->persist_backoff = 30000;
    n->persist_retry_at = n->now + n->persist_backoff;
    n->dirty_state = true;
    return rc < 0 ? rc : OGRH_EIO;
  }
  n->st.persists++;
  n->persist_backoff = 0;
  n->persist_retry_at = n->now;
  n->dirty_state = n->dirty_doc = false;
  n->persisted_root = n->root_cache;
  return OGRH_OK;
}

int nd_persist_now(ogrh_node *n) {
  return persist(n, NULL);
}

int nd_persist_extra(ogrh_node *n, const nd_extra *x) {
  int rc = persist(n, x);
  /* The document changes right after: it is still dirty. */
  if (!rc) n->dirty_doc = true;
  return rc;
}

void nd_backup(ogrh_node *n, ogrh_backup_reason reason, const char *label, int *rc) {
  *rc = OGRH_OK;
  if (!n->cfg.backup) return;
  *rc = n->cfg.backup(n->cfg.ud, reason, label, n->now);
  if (*rc) {
    n->st.backup_failures++;
    if (*rc > 0) *rc = OGRH_EIO;
  } else {
    n->st.backups++;
  }
}

/* Every public call that changes the node starts with begin and ends with end. */
static bool begin(ogrh_node *n, uint64_t now) {
  if (n->busy) return false;
  n->busy = 1;
  if (now > n->now) n->now = now;
  return true;
}

static void end(ogrh_node *n) {
  emit_scopes(n);
  if ((n->dirty_state || n->dirty_doc) && n->now >= n->persist_retry_at) nd_persist_now(n);
  n->root_cache = nd_root(n);
  n->busy = 0;
}

/* ---- the channel ---- */

static void out_frame(void *ud, const char *prefix, const uint8_t *text, size_t len, uint64_t now) {
  ogrh_node *n = ud;
  n->st.frames_out++;
  n->st.bytes_out += strlen(prefix) + len;
  n->cfg.out(n->cfg.ud, prefix, text, len, now);
}

int nd_send(ogrh_node *n, uint8_t type, const ogrh_buf *body, int prio, const char *target) {
  if (ogrh_buf_error(body)) return ogrh_buf_error(body);
  if (!nd_can_send(n)) return OGRH_EAGAIN;
  int rc = ogrh_router_send(n->router, type, (const uint8_t *)body->p, body->n, prio, target, NULL,
                            NULL, n->now);
  if (!rc) {
    n->st.sent[type]++;
    n->st.sent_bytes[type] += body->n;
  }
  return rc;
}

/* ---- who is admin ---- */

static const char *leader(const ogrh_node *n) {
  for (size_t i = 0; i < n->nroster; i++)
    if (n->roster[i].rank == 2 && n->roster[i].online) return n->roster[i].name;
  return "";
}

static void start_discovery(ogrh_node *n) {
  n->admin_heard = false;
  if (nd_is_admin(n) || !n->nroster) {
    n->disc = 0;
    return;
  }
  n->disc = 1;
  n->disc_at = n->now + n->cfg.timers.listen_ms;
  n->disc_tries = 0;
  n->no_admin_reported = false;
}

/*
** The effective admin follows from the roster and the grant in force: the granted player while
** online in the roster, else the raid leader. Every node computes the same from the same input.
*/
static void recompute_admin(ogrh_node *n) {
  const char *adm = leader(n);
  const nd_member *g = n->grant_admin[0] ? nd_member_find(n, n->grant_admin) : NULL;
  if (g && g->online) adm = g->name;
  if (strcmp(adm, n->admin) == 0) return;
  bool was = nd_is_admin(n), had = n->admin[0] != 0;
  char prev[ND_NAME];
  copy_name(prev, n->admin);
  if (had && adm[0]) {
    int rc;
    nd_backup(n, OGRH_REASON_ADMIN_TRANSFER, "admin transfer", &rc);
  }
  copy_name(n->admin, adm);
  n->synced = false; /* the new admin's order has to be checked first */
  nd_mark_state(n);
  const char *by = n->grant_admin[0] && g && g->online ? n->grantor : "";
  ogrh_event e;
  memset(&e, 0, sizeof e);
  char text[160];
  if (adm[0])
    snprintf(text, sizeof text, "Raid admin: %s (epoch %llu)", adm, (unsigned long long)n->epoch);
  else
    snprintf(text, sizeof text, "No raid admin");
  e.kind = OGRH_EV_ADMIN_CHANGED;
  e.text = text;
  e.who = adm;
  e.by = by;
  nd_event(n, &e);
  /*
  ** A new admin whose copy may be behind catches up first (§10.1): from the grantor of a grant
  ** that shows it behind; else, admin again without a new grant (the granted player back
  ** online, or just started with the grant in force), from whoever served meanwhile (the admin
  ** before, or the leader), if that copy turns out to be ahead. Decided before anything of
  ** ours is published.
  */
  const nd_member *src = NULL;
  uint64_t src_rev = 0;
  if (!was && nd_is_admin(n)) {
    const char *s = n->grant_src[0] ? n->grant_src : had ? prev : leader(n);
    src = s[0] && strcmp(s, n->self) != 0 ? nd_member_find(n, s) : NULL;
    if (src && (!src->online || src->rank < 1)) src = NULL;
    src_rev = n->grant_src[0] ? n->grant_rev : 0;
    /* The admin before is gone (the leader takes over): an assistant online may have what it
       ordered last; its copy is taken only if it is ahead. */
    for (size_t i = 0; !src && i < n->nroster; i++)
      if (n->roster[i].online && n->roster[i].rank >= 1 && strcmp(n->roster[i].name, n->self) != 0)
        src = &n->roster[i];
  }
  n->grant_src[0] = 0;
  n->handover = src != NULL; /* holds the publishing below */
  if (was && !nd_is_admin(n)) nd_write_reset_admin(n);
  if (!was && nd_is_admin(n)) nd_became_admin(n);
  nd_repair_reset_admin(n);
  start_discovery(n);
  if (src) nd_handover_begin(n, src->name, src_rev);
}

static void adopt_grant(ogrh_node *n, uint64_t epoch, const char *admin, const char *grantor) {
  n->epoch = epoch;
  copy_name(n->grant_admin, admin);
  copy_name(n->grantor, grantor);
  nd_mark_state(n);
  recompute_admin(n);
}

void nd_heard_admin(ogrh_node *n) {
  n->last_from_admin = n->now;
  if (n->admin_heard) return;
  n->admin_heard = true;
  if (n->disc == 3 || n->no_admin_reported)
    nd_eventf(n, OGRH_EV_ADMIN_CHANGED, n->admin, "", OGRH_WHY_NONE, "Raid admin online: %s",
              n->admin);
  n->disc = 0;
  n->no_admin_reported = false;
}

void nd_heard_epoch(ogrh_node *n, uint64_t epoch) {
  if (epoch < n->epoch && n->grant_admin[0] && strcmp(n->grantor, n->self) == 0)
    n->hello_grant = true;
}

static void send_hello(ogrh_node *n) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  nd_put_u8(&b, 1);
  ogrh_varint_put(&b, n->rev);
  nd_send(n, OGRH_MT_HELLO, &b, OGRH_CTL_NORMAL, NULL);
  ogrh_buf_deinit(&b);
}

ogrh_refusal nd_check_admin(ogrh_node *n, const char *sender, uint64_t epoch, const char *grantor) {
  const nd_member *m = nd_member_find(n, sender);
  if (!m) return OGRH_WHY_NOT_IN_RAID;
  if (epoch < n->epoch) return OGRH_WHY_STALE_EPOCH;
  if (epoch > n->epoch) {
    /* A newer epoch we did not see granted. A leader or an assistant may take over at any time,
       so their claim is as good as a takeover; a member's claim needs the grantor's own word:
       ask, and the grantor announces its grant again. */
    if (m->rank < 1) {
      n->hello_grant = true;
      return OGRH_WHY_RANK;
    }
    const char *by = grantor && grantor[0] && nd_rank(n, grantor) >= 1 ? grantor : sender;
    adopt_grant(n, epoch, sender, by);
  }
  if (strcmp(sender, n->admin) != 0) return OGRH_WHY_NOT_ADMIN;
  nd_heard_admin(n);
  return OGRH_WHY_NONE;
}

static void on_grant(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  char who[ND_NAME];
  nd_get_player(&r, who);
  bool has_copy = r.p < r.end;
  uint64_t rev = has_copy ? nd_get_varint(&r) : 0;
  ogrh_digest root = has_copy ? nd_get_u64(&r) : 0;
  if (r.err || r.p != r.end || epoch == 0 || !who[0]) {
    nd_refuse(n, sender, OGRH_MT_GRANT, OGRH_WHY_MALFORMED);
    return;
  }
  int rank = nd_rank(n, sender);
  if (rank < 0) {
    nd_refuse(n, sender, OGRH_MT_GRANT, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  if (rank < 1) {
    nd_refuse(n, sender, OGRH_MT_GRANT, OGRH_WHY_RANK);
    return;
  }
  if (!nd_member_find(n, who)) {
    nd_refuse(n, sender, OGRH_MT_GRANT, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  if (epoch < n->epoch) {
    nd_refuse(n, sender, OGRH_MT_GRANT, OGRH_WHY_STALE_EPOCH);
    return;
  }
  if (epoch == n->epoch) {
    if (strcmp(who, n->grant_admin) == 0 && strcmp(sender, n->grantor) == 0) return; /* again */
    /* Two grants of one epoch: every node keeps the same one, the smaller (grantor, admin). */
    int c = strcmp(sender, n->grantor);
    if (n->grant_admin[0] && (c > 0 || (c == 0 && strcmp(who, n->grant_admin) >= 0))) {
      nd_refuse(n, sender, OGRH_MT_GRANT, OGRH_WHY_STALE_EPOCH);
      return;
    }
  }
  /* Made admin with a copy behind the grantor's: catch up from it before serving. */
  if (strcmp(who, n->self) == 0 && has_copy &&
      (rev > n->rev || (rev == n->rev && root != nd_root(n)))) {
    copy_name(n->grant_src, sender);
    n->grant_rev = rev;
  }
  adopt_grant(n, epoch, who, sender);
  n->grant_src[0] = 0;
}

static void on_pause(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  uint64_t epoch = nd_get_varint(&r);
  uint8_t paused = nd_get_u8(&r);
  nd_get_varint(&r);
  if (r.err || r.p != r.end || paused > 1) {
    nd_refuse(n, sender, OGRH_MT_PAUSE, OGRH_WHY_MALFORMED);
    return;
  }
  ogrh_refusal why = nd_check_admin(n, sender, epoch, NULL);
  if (why) {
    nd_refuse(n, sender, OGRH_MT_PAUSE, why);
    return;
  }
  if ((bool)paused == n->paused) return;
  n->paused = paused;
  nd_mark_state(n);
  nd_eventf(n, paused ? OGRH_EV_PAUSED : OGRH_EV_RESUMED, sender, "", OGRH_WHY_NONE,
            "Sync %s by %s", paused ? "paused" : "resumed", sender);
  if (!paused) nd_flush(n, true);
}

static void on_hello(ogrh_node *n, const char *sender, const uint8_t *p, size_t len) {
  nd_rd r = {p, p + len, 0};
  nd_get_varint(&r);
  uint8_t flags = nd_get_u8(&r);
  nd_get_varint(&r);
  if (r.err || r.p != r.end) {
    nd_refuse(n, sender, OGRH_MT_HELLO, OGRH_WHY_MALFORMED);
    return;
  }
  if (nd_rank(n, sender) < 0) {
    nd_refuse(n, sender, OGRH_MT_HELLO, OGRH_WHY_NOT_IN_RAID);
    return;
  }
  if (!(flags & 1)) return;
  if (nd_is_admin(n)) {
    if (!n->join_armed || n->join_poll > n->now + n->cfg.timers.poll_join_ms) {
      n->join_armed = true;
      n->join_poll = n->now + n->cfg.timers.poll_join_ms;
    }
  } else if (n->disc == 1 || n->disc == 2) {
    /* Someone else asked: the admin's answer serves us too. */
    uint64_t wait = n->now + n->cfg.timers.answer_ms;
    if (n->disc_at < wait) n->disc_at = wait;
  }
  if (n->grant_admin[0] && strcmp(n->grantor, n->self) == 0) n->hello_grant = true;
}

static void send_grant(ogrh_node *n) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_varint_put(&b, n->epoch);
  nd_put_cstr(&b, n->grant_admin);
  /* The grantor's copy, when it is the admin's (it was the admin, or is in step with it): a
     new admin behind it catches up from the grantor first. */
  if ((n->synced && !n->stale) || n->published) {
    ogrh_varint_put(&b, n->rev);
    nd_put_u64(&b, nd_root(n));
  }
  nd_send(n, OGRH_MT_GRANT, &b, OGRH_CTL_ALERT, NULL);
  ogrh_buf_deinit(&b);
}

static void discovery_tick(ogrh_node *n) {
  /* Asked for by others (a hello, a member's claim): at most once per answer_ms, so that
     nobody can make every node talk by talking. */
  if (n->hello_grant && nd_can_send(n) && n->now >= n->hello_at + n->cfg.timers.answer_ms) {
    n->hello_grant = false;
    n->hello_at = n->now;
    if (n->grant_admin[0] && strcmp(n->grantor, n->self) == 0)
      send_grant(n);
    else if (!nd_is_admin(n) && n->disc == 0 && n->admin_heard)
      ; /* nothing to ask */
    else if (!nd_is_admin(n))
      send_hello(n);
  }
  if (!n->disc || n->disc == 3 || n->now < n->disc_at || !nd_can_send(n)) return;
  if (n->admin_heard) {
    n->disc = 0;
    return;
  }
  if (n->disc_tries >= n->cfg.timers.tries) {
    n->disc = 3;
    if (!n->no_admin_reported) {
      n->no_admin_reported = true;
      nd_eventf(n, OGRH_EV_NO_ADMIN, "", "", OGRH_WHY_NO_ADMIN, "No admin online");
    }
    return;
  }
  send_hello(n);
  n->disc = 2;
  n->disc_at = n->now + (n->cfg.timers.answer_ms << n->disc_tries);
  n->disc_tries++;
}

/* ---- receiving ---- */

static void on_message(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  ogrh_node *n = ud;
  (void)now;
  n->st.received[m->type]++;
  if (n->admin[0] && strcmp(sender, n->admin) == 0) n->last_from_admin = n->now;
  const uint8_t *p = m->body;
  size_t len = m->body_len;
  switch (m->type) {
  case OGRH_MT_DELTA:
  case OGRH_MT_BATCH:
  case OGRH_MT_CATCHUP:
    nd_on_delta(n, sender, m->type, p, len);
    break;
  case OGRH_MT_PROPOSAL:
    nd_on_proposal(n, sender, p, len);
    break;
  case OGRH_MT_REFUSE:
    nd_on_refuse(n, sender, p, len);
    break;
  case OGRH_MT_POLL:
    nd_on_poll(n, sender, p, len);
    break;
  case OGRH_MT_DRILL_REQ:
    nd_on_drill_req(n, sender, p, len);
    break;
  case OGRH_MT_DRILL_RESP:
    nd_on_drill_resp(n, sender, p, len);
    break;
  case OGRH_MT_CATCHUP_REQ:
    nd_on_catchup_req(n, sender, p, len);
    break;
  case OGRH_MT_REPAIR_REQ:
    nd_on_repair_req(n, sender, p, len);
    break;
  case OGRH_MT_REPAIR:
    nd_on_repair(n, sender, p, len);
    break;
  case OGRH_MT_REPAIR_PLAN:
    nd_on_repair_plan(n, sender, p, len);
    break;
  case OGRH_MT_HELLO:
    on_hello(n, sender, p, len);
    break;
  case OGRH_MT_GRANT:
    on_grant(n, sender, p, len);
    break;
  case OGRH_MT_PAUSE:
    on_pause(n, sender, p, len);
    break;
  default:
    break;
  }
}

static const struct {
  uint8_t type;
  ogrh_ctl_prio prio;
} types[] = {{OGRH_MT_DELTA, OGRH_CTL_ALERT},        {OGRH_MT_BATCH, OGRH_CTL_NORMAL},
             {OGRH_MT_CATCHUP, OGRH_CTL_NORMAL},     {OGRH_MT_PROPOSAL, OGRH_CTL_ALERT},
             {OGRH_MT_REFUSE, OGRH_CTL_NORMAL},      {OGRH_MT_POLL, OGRH_CTL_BULK},
             {OGRH_MT_DRILL_REQ, OGRH_CTL_NORMAL},   {OGRH_MT_DRILL_RESP, OGRH_CTL_NORMAL},
             {OGRH_MT_CATCHUP_REQ, OGRH_CTL_NORMAL}, {OGRH_MT_REPAIR_REQ, OGRH_CTL_NORMAL},
             {OGRH_MT_REPAIR, OGRH_CTL_BULK},        {OGRH_MT_REPAIR_PLAN, OGRH_CTL_NORMAL},
             {OGRH_MT_HELLO, OGRH_CTL_NORMAL},       {OGRH_MT_GRANT, OGRH_CTL_ALERT},
             {OGRH_MT_PAUSE, OGRH_CTL_ALERT}};

/* ---- life cycle ---- */

static void node_free_parts(ogrh_node *n) {
  if (n->router) ogrh_router_free(n->router, n->now);
  nd_repair_free(n);
  if (n->doc && n->doc_token > 0) ogrh_doc_unsubscribe(n->doc, n->doc_token);
  ogrh_dtree_free(n->tree);
  ogrh_doc_free(n->doc);
  ogrh_free(n->roster, n->caproster * sizeof *n->roster);
  if (n->ctx_raid) ogrh_free(n->ctx_raid, strlen(n->ctx_raid) + 1);
  if (n->ctx_enc) ogrh_free(n->ctx_enc, strlen(n->ctx_enc) + 1);
  nd_opset_free(&n->pending);
  nd_opset_free(&n->outbox);
  ogrh_free(n->packs, n->cappacks * sizeof *n->packs);
  for (size_t i = 0; i < n->nprops; i++)
    nd_opset_free(&n->props[i].ops);
  ogrh_free(n->props, n->capprops * sizeof *n->props);
  nd_entries_free(&n->log);
  nd_entries_free(&n->held);
  nd_entries_free(&n->ring);
}

static bool cfg_valid(const ogrh_node_cfg *c) {
  const ogrh_node_timers *t = &c->timers;
  const ogrh_node_limits *l = &c->limits;
  return c->self && c->self[0] && strlen(c->self) < ND_NAME && c->out && t->tries > 0 &&
         t->tries < 16 && t->answer_ms > 0 && t->poll_interval_ms > 0 && l->log_entries > 0 &&
         l->message_bytes >= 256 && l->outbox_ops > 0 && l->unit_queue_frames > 0;
}

int ogrh_node_new(const ogrh_node_cfg *cfg, ogrh_node **out) {
  *out = NULL;
  ogrh_doc *doc = cfg->doc;
  if (!cfg_valid(cfg)) {
    ogrh_doc_free(doc);
    return OGRH_EINVAL;
  }
  if (!doc) {
    int rc = ogrh_doc_defaults(&doc, NULL);
    if (rc) return rc;
  }
  ogrh_node *n = ogrh_malloc(sizeof *n);
  if (!n) {
    ogrh_doc_free(doc);
    return OGRH_ENOMEM;
  }
  memset(n, 0, sizeof *n);
  n->cfg = *cfg;
  n->cfg.doc = NULL;
  n->cfg.state = NULL;
  copy_name(n->self, cfg->self);
  n->cfg.self = n->self;
  n->doc = doc;
  n->now = cfg->now_ms;
  n->persist_retry_at = cfg->now_ms;
  ogrh_rng_seed(&n->rng, cfg->seed);
  n->incarnation = ogrh_rng_next(&n->rng) >> 12 | 1;
  n->next_seq = 1;
  int rc = ogrh_dtree_build(doc, &n->tree);
  if (!rc) rc = ogrh_dtree_attach(n->tree, doc);
  if (!rc) {
    n->doc_token = ogrh_doc_subscribe(doc, on_doc_change, n);
    if (n->doc_token < 0) rc = n->doc_token;
  }
  if (!rc) {
    ogrh_router_cfg rc_cfg;
    ogrh_router_cfg_default(&rc_cfg);
    rc_cfg.self = n->self;
    rc_cfg.wire = cfg->wire;
    rc_cfg.ctl = cfg->ctl;
    rc_cfg.limits = cfg->reasm;
    rc_cfg.retain_ms = cfg->retain_ms;
    rc_cfg.seed = cfg->seed ^ 0x9e3779b97f4a7c15ull;
    rc_cfg.out = out_frame;
    rc_cfg.ud = n;
    n->router = ogrh_router_new(&rc_cfg, n->now);
    if (!n->router) rc = OGRH_ENOMEM;
  }
  for (size_t i = 0; !rc && i < sizeof types / sizeof *types; i++)
    rc = ogrh_router_register(n->router, types[i].type, nd_type_name(types[i].type), on_message, n,
                              types[i].prio, OGRH_ROLE_ANY);
  if (!rc && cfg->state) {
    rc = nd_state_decode(n, cfg->state, cfg->state_len);
    if (!rc) rc = nd_replay_outbox(n);
    if (!rc && nd_root(n) != n->persisted_root) {
      /* The document is not the one this state was written with: check it with the admin. */
      n->synced = false;
      n->stale = true;
    }
  }
  if (rc) {
    node_free_parts(n);
    ogrh_free(n, sizeof *n);
    return rc == OGRH_ECORRUPT || rc == OGRH_ENOMEM ? rc : OGRH_ECORRUPT;
  }
  n->root_cache = nd_root(n);
  n->persisted_root = n->cfg.persist ? n->persisted_root : n->root_cache;
  *out = n;
  return OGRH_OK;
}

void ogrh_node_free(ogrh_node *n) {
  if (!n) return;
  node_free_parts(n);
  ogrh_free(n, sizeof *n);
}

void ogrh_node_tick(ogrh_node *n, uint64_t now) {
  if (!n || !begin(n, now)) return;
  ogrh_router_tick(n->router, n->now);
  discovery_tick(n);
  nd_write_tick(n);
  nd_repair_tick(n);
  end(n);
}

static void due_by(uint64_t *t, uint64_t when) {
  if (when < *t) *t = when;
}

/*
** The earliest moment a timer of this node falls due (at most a second away): every wait the
** protocol names (jitter before a request, the coalescing buffer, deadlines, polls, the batch
** debounce) ends at its own time, not at the next whole second. Timers that wait for a
** condition (sending allowed, not paused) are left out while it does not hold.
*/
uint64_t ogrh_node_next_tick(const ogrh_node *n, uint64_t now) {
  if (ogrh_sender_queued(ogrh_router_sender(n->router))) return now + 80;
  uint64_t t = now + 1000;
  const ogrh_node_timers *tm = &n->cfg.timers;
  if ((n->dirty_state || n->dirty_doc) && n->persist_retry_at) due_by(&t, n->persist_retry_at);
  if (!nd_can_send(n)) return t > now ? t : now + 1;
  bool admin = nd_is_admin(n), hold = n->paused || n->handover;
  /* Writes leave when they may (the same conditions as nd_flush and the proposals' resend). */
  if (n->batch_open && !hold && (admin || n->admin[0])) {
    due_by(&t, n->batch_last + tm->batch_quiet_ms);
    due_by(&t, n->batch_first + tm->batch_cap_ms);
  }
  if (n->hello_grant) due_by(&t, n->hello_at + tm->answer_ms);
  if (n->disc && n->disc != 3) due_by(&t, n->disc_at);
  if (admin && !hold) {
    if (n->pending.n && !n->batch_open) due_by(&t, now);
    if (!n->pending.n && !n->big_pending && !n->batch_open) {
      uint64_t p = n->next_poll ? n->next_poll : now + tm->poll_interval_ms;
      if (n->settle_armed) due_by(&p, n->settle_poll);
      if (n->join_armed) due_by(&p, n->join_poll);
      if (p < n->last_poll + tm->poll_join_ms) p = n->last_poll + tm->poll_join_ms;
      due_by(&t, p);
    }
    if (n->cq_open) due_by(&t, n->cq_at);
  }
  if (!n->paused) {
    if (n->dq_open) due_by(&t, n->dq_at);
    if (n->rq_open) due_by(&t, n->rq_at);
    if (n->nuq) due_by(&t, now);
  }
  if (!admin && n->admin[0] && !n->paused) {
    if (n->cu_want) due_by(&t, n->cu_at);
    if (n->outbox.n && !n->batch_open) due_by(&t, now);
    bool heard = now - n->last_from_admin <= tm->poll_interval_ms * 2;
    for (size_t i = 0; i < n->nprops; i++)
      if (n->props[i].tries < tm->tries || heard) due_by(&t, n->props[i].next_at);
  }
  const nd_sess *s = &n->sess;
  if (s->active && (!n->paused || s->manual)) {
    bool asking = s->phase == OGRH_RS_WAITING || (s->phase == OGRH_RS_RECEIVING && !s->requested);
    if (asking) due_by(&t, s->send_at);
    if (!asking && s->deadline) due_by(&t, s->deadline);
  }
  /* Due now: the next frame. */
  return t > now ? t : now + 1;
}

int ogrh_node_receive(ogrh_node *n, const char *sender, const char *prefix, const uint8_t *text,
                      size_t len, uint64_t now) {
  if (!n || !sender || !prefix || (!text && len)) return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  if (strcmp(prefix, n->cfg.wire.prefix) == 0 && strcmp(sender, n->self) != 0) {
    n->st.frames_in++;
    n->st.bytes_in += strlen(prefix) + len;
  }
  ogrh_router_receive(n->router, sender, prefix, text, len, n->now);
  end(n);
  return OGRH_OK;
}

/* ---- writes ---- */

int ogrh_node_set_parsed(ogrh_node *n, const ogrh_path *path, const ogrh_value *value,
                         const ogrh_sync_meta *meta, uint64_t now, ogrh_err *err) {
  if (!n || !path || !value) return ogrh_err_set(err, OGRH_EINVAL, "invalid argument");
  if (!begin(n, now)) return ogrh_err_set(err, OGRH_EAGAIN, "called from a node callback");
  int rc = nd_write(n, path, value, meta, err);
  end(n);
  return rc;
}

int ogrh_node_set(ogrh_node *n, const char *path, const ogrh_value *value,
                  const ogrh_sync_meta *meta, uint64_t now, ogrh_err *err) {
  if (!n || !path || !value) return ogrh_err_set(err, OGRH_EINVAL, "invalid argument");
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  return rc ? rc : ogrh_node_set_parsed(n, &p, value, meta, now, err);
}

int ogrh_node_delete(ogrh_node *n, const char *path, const ogrh_sync_meta *meta, uint64_t now,
                     ogrh_err *err) {
  if (!n || !path) return ogrh_err_set(err, OGRH_EINVAL, "invalid argument");
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  if (rc) return rc;
  const ogrh_value *cur;
  if (ogrh_doc_get_path(n->doc, &p, &cur))
    return ogrh_err_set(err, OGRH_ENOTFOUND, "%s: not found", path);
  ogrh_value nil = ogrh_vnil();
  return ogrh_node_set_parsed(n, &p, &nil, meta, now, err);
}

int ogrh_node_set_root(ogrh_node *n, const ogrh_value *root, const ogrh_sync_meta *meta,
                       uint64_t now, ogrh_err *err) {
  if (!n || !root || root->type != OGRH_TABLE)
    return ogrh_err_set(err, OGRH_EINVAL, "the root must be a table");
  if (!begin(n, now)) return ogrh_err_set(err, OGRH_EAGAIN, "called from a node callback");
  int rc = nd_set_root(n, root, meta, err);
  end(n);
  return rc;
}

int ogrh_node_restore(ogrh_node *n, const ogrh_value *root, uint64_t now, ogrh_err *err) {
  if (!n || !root || root->type != OGRH_TABLE)
    return ogrh_err_set(err, OGRH_EINVAL, "the root must be a table");
  if (!begin(n, now)) return ogrh_err_set(err, OGRH_EAGAIN, "called from a node callback");
  int rc;
  nd_backup(n, OGRH_REASON_BEFORE_RESTORE, "before restore", &rc);
  if (rc) {
    ogrh_err_set(err, rc, "the safety backup failed: %s", ogrh_strerror(rc));
  } else {
    ogrh_sync_meta meta = {OGRH_SYNC_REALTIME, "restore", NULL};
    rc = nd_set_root(n, root, &meta, err);
    if (!rc)
      nd_eventf(n, OGRH_EV_RESTORED, n->self, "", OGRH_WHY_NONE, "%s",
                nd_is_admin(n) ? "Backup restored and sent to the raid"
                               : "Backup restored here only: the admin's plan returns at the "
                                 "next check");
  }
  end(n);
  return rc;
}

/* ---- what the host tells the node ---- */

int ogrh_node_set_roster(ogrh_node *n, const ogrh_member *members, size_t count, uint64_t now) {
  if (!n || (!members && count)) return OGRH_EINVAL;
  for (size_t i = 0; i < count; i++)
    if (!members[i].name || !members[i].name[0] || strlen(members[i].name) >= ND_NAME ||
        members[i].rank < 0 || members[i].rank > 2)
      return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  nd_member *m = NULL;
  size_t cap = 0;
  if (count && ogrh_grow(&m, &cap, count, sizeof *m)) {
    n->busy = 0;
    return OGRH_ENOMEM;
  }
  bool joined = false;
  for (size_t i = 0; i < count; i++) {
    copy_name(m[i].name, members[i].name);
    m[i].rank = members[i].rank;
    m[i].online = members[i].online;
    if (!nd_member_find(n, m[i].name)) joined = true;
  }
  bool was_empty = n->nroster == 0;
  ogrh_free(n->roster, n->caproster * sizeof *n->roster);
  n->roster = m;
  n->nroster = count;
  n->caproster = cap;
  recompute_admin(n);
  if (was_empty && count) start_discovery(n);
  if (joined && nd_is_admin(n) && !was_empty) {
    n->join_armed = true;
    n->join_poll = n->now + n->cfg.timers.poll_join_ms;
  }
  end(n);
  return OGRH_OK;
}

void ogrh_node_set_conditions(ogrh_node *n, bool in_combat, bool zoning, bool in_raid,
                              uint64_t now) {
  if (!n || !begin(n, now)) return;
  bool could = nd_can_send(n);
  if (n->zoning && !zoning) {
    ogrh_sender_loading_screen(ogrh_router_sender(n->router), n->now);
    /* Everything sent to us during the loading screen was dropped: unless the admin is heard
       within listen_ms (a delta shows a gap at once), say hello, and its poll tells us where
       we stand (as on joining; "No admin online" is not said again). */
    if (!nd_is_admin(n) && n->admin[0] && n->disc != 3) {
      n->admin_heard = false;
      n->disc = 1;
      n->disc_at = n->now + n->cfg.timers.listen_ms;
      n->disc_tries = 0;
    }
  }
  n->in_combat = in_combat;
  n->zoning = zoning;
  n->in_raid = in_raid;
  if (!could && nd_can_send(n)) nd_flush(n, false);
  end(n);
}

static int set_str(char **dst, const char *s) {
  char *c = NULL;
  if (s && !(c = ogrh_strdup(s))) return OGRH_ENOMEM;
  if (*dst) ogrh_free(*dst, strlen(*dst) + 1);
  *dst = c;
  return OGRH_OK;
}

int ogrh_node_set_context(ogrh_node *n, const char *raid, const char *encounter, uint64_t now) {
  if (!n) return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  int rc = set_str(&n->ctx_raid, raid);
  if (!rc) rc = set_str(&n->ctx_enc, raid ? encounter : NULL);
  end(n);
  return rc;
}

void ogrh_node_set_fps(ogrh_node *n, double fps) {
  if (n) ogrh_sender_set_fps(ogrh_router_sender(n->router), fps);
}

void ogrh_node_bypass(ogrh_node *n, size_t bytes, uint64_t now) {
  if (n) ogrh_sender_bypass(ogrh_router_sender(n->router), bytes, now);
}

/* ---- admin actions ---- */

int ogrh_node_grant_admin(ogrh_node *n, const char *player, uint64_t now) {
  if (!n || !player || !player[0]) return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  int rc = OGRH_OK;
  if (nd_rank(n, n->self) < 1)
    rc = OGRH_EREFUSED;
  else if (!nd_member_find(n, player))
    rc = OGRH_ENOTFOUND;
  else if (!nd_can_send(n))
    rc = OGRH_EAGAIN;
  if (!rc) {
    adopt_grant(n, n->epoch + 1, player, n->self);
    send_grant(n);
  }
  end(n);
  return rc;
}

int ogrh_node_pause(ogrh_node *n, bool paused, uint64_t now) {
  if (!n) return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  int rc = nd_is_admin(n) ? OGRH_OK : OGRH_EREFUSED;
  if (!rc && n->paused != paused) {
    n->paused = paused;
    nd_mark_state(n);
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_varint_put(&b, n->epoch);
    nd_put_u8(&b, paused);
    ogrh_varint_put(&b, n->rev);
    nd_send(n, OGRH_MT_PAUSE, &b, OGRH_CTL_ALERT, NULL);
    ogrh_buf_deinit(&b);
    nd_eventf(n, paused ? OGRH_EV_PAUSED : OGRH_EV_RESUMED, n->self, "", OGRH_WHY_NONE,
              "Sync %s by %s", paused ? "paused" : "resumed", n->self);
    if (!paused) nd_flush(n, true);
  }
  end(n);
  return rc;
}

/* ---- manual validation and repair ---- */

static int check_source(ogrh_node *n, const char *source) {
  if (n->sess.active && n->sess.phase != OGRH_RS_DONE && n->sess.phase != OGRH_RS_FAILED &&
      n->sess.manual)
    return OGRH_EAGAIN;
  if (source && source[0]) {
    if (nd_rank(n, source) < 1 && strcmp(source, n->admin) != 0) return OGRH_EREFUSED;
  } else if (!n->admin[0]) {
    return OGRH_ENOTFOUND;
  }
  if (nd_is_admin(n) && (!source || !source[0])) return OGRH_EREFUSED; /* the admin is the source */
  return OGRH_OK;
}

int ogrh_node_validate(ogrh_node *n, const char *source, uint64_t now) {
  if (!n) return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  int rc = check_source(n, source);
  if (!rc) rc = nd_sess_begin(n, true, true, source, OGRH_REPAIR_AUTO, NULL, NULL);
  end(n);
  return rc;
}

int ogrh_node_repair(ogrh_node *n, const ogrh_node_repair_req *req, uint64_t now) {
  if (!n || !req) return OGRH_EINVAL;
  if (!begin(n, now)) return OGRH_EAGAIN;
  int rc = check_source(n, req->source);
  if (!rc)
    rc = nd_sess_begin(n, true, false, req->source, req->level, req->raid,
                       req->raid ? req->encounter : NULL);
  end(n);
  return rc;
}

void ogrh_node_repair_cancel(ogrh_node *n, uint64_t now) {
  if (!n || !begin(n, now)) return;
  if (n->sess.active) nd_sess_end(n, OGRH_RS_IDLE);
  end(n);
}

/* ---- what the node tells the host ---- */

void ogrh_node_status_get(const ogrh_node *n, ogrh_node_status *o) {
  memset(o, 0, sizeof *o);
  o->self = n->self;
  o->admin = n->admin;
  o->grantor = n->grant_admin[0] && strcmp(n->admin, n->grant_admin) == 0 ? n->grantor : "";
  o->epoch = n->epoch;
  o->rank = nd_rank(n, n->self);
  o->is_admin = nd_is_admin(n);
  o->in_raid = n->in_raid;
  o->can_send = nd_can_send(n);
  o->paused = n->paused;
  o->no_admin = !n->admin[0] || n->disc == 3;
  o->revision = n->rev;
  o->synced = n->synced || o->is_admin;
  o->stale = n->stale && !o->is_admin;
  o->root = n->root_cache;
  o->outbox = n->outbox.n + n->pending.n;
  o->proposals = n->nprops;
  o->log_entries = n->log.n;
  o->log_first = n->log.n ? n->log.v[0].from : n->published;
  o->queued_frames = ogrh_sender_queued(ogrh_router_sender(n->router));
  o->repair = n->sess.active ? n->sess.phase : n->sess.phase;
  o->units_done = n->sess.units_done;
  o->units_total = n->sess.units_total;
  o->bytes_done = n->sess.bytes_done;
  o->bytes_total = n->sess.bytes_total;
  if (n->sess.bytes_total > n->sess.bytes_done && n->sess.phase == OGRH_RS_RECEIVING) {
    uint64_t elapsed = n->now - n->sess.recv_started_at;
    uint64_t left = n->sess.bytes_total - n->sess.bytes_done;
    /* The observed rate once something arrived, else the channel's (about 680 B/s). */
    o->eta_ms =
        n->sess.bytes_done && elapsed ? left * elapsed / n->sess.bytes_done : left * 1000 / 680;
  }
}

const ogrh_node_stats *ogrh_node_stats_get(const ogrh_node *n) {
  return &n->st;
}

size_t ogrh_node_diffs(const ogrh_node *n, const ogrh_node_diff **out) {
  *out = n->sess.diffs;
  return n->sess.ndiffs;
}

ogrh_doc *ogrh_node_doc(ogrh_node *n) {
  return n->doc;
}

const ogrh_dtree *ogrh_node_dtree(ogrh_node *n) {
  return nd_tree(n);
}
