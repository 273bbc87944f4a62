/*
** simaddon.c
** The original addon's sync, modelled on research/ogrh-sync.md (section numbers below refer
** to it). A client has a persistent part (its SavedVariables document, its statistics) and a
** `life`: everything Lua keeps in memory, wiped by a reload or a disconnect and rebuilt at the
** next PLAYER_ENTERING_WORLD. Timers are deadlines in the life, checked once per frame, the way
** the addon's OnUpdate-driven timers fire. Messages are real Lua text over the OGAddonMsg model,
** so every byte counted is a byte the addon would send.
*/
#include "simaddon.h"
#include "ogrh/digest.h"
#include "ogrh/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT64_MAX
#define VERSION "2.1.15"

/* ---- small helpers on values ---- */

static ogrh_value *tget(const ogrh_value *t, const char *k) {
  return t && t->type == OGRH_TABLE ? ogrh_table_gets(t->u.t, k) : NULL;
}
static ogrh_value *tgeti(const ogrh_value *t, int64_t k) {
  return t && t->type == OGRH_TABLE ? ogrh_table_geti(t->u.t, k) : NULL;
}
static const char *tstr(const ogrh_value *t, const char *k) {
  ogrh_value *v = tget(t, k);
  return v && v->type == OGRH_STRING ? v->u.s : NULL; /* arena strings are NUL-terminated */
}
static bool tbool(const ogrh_value *t, const char *k) {
  ogrh_value *v = tget(t, k);
  return v && !(v->type == OGRH_BOOL && !v->b) && v->type != OGRH_NIL;
}
static int64_t tint(const ogrh_value *t, const char *k, int64_t def) {
  ogrh_value *v = tget(t, k);
  if (v && v->type == OGRH_INT) return v->u.i;
  if (v && v->type == OGRH_DOUBLE) return (int64_t)v->u.d;
  return def;
}

/* A table being built in a scratch arena. */
typedef struct tb {
  ogrh_arena *a;
  ogrh_table *t;
  int err;
} tb;

static tb tb_new(ogrh_arena *a) {
  tb b = {a, ogrh_table_new(a, 4), OGRH_OK};
  if (!b.t) b.err = OGRH_ENOMEM;
  return b;
}
static void tb_set(tb *b, ogrh_value k, ogrh_value v) {
  if (!b->err && v.type != OGRH_NIL) b->err = ogrh_table_set(b->a, b->t, &k, &v);
}
static void tb_sets(tb *b, const char *k, ogrh_value v) {
  tb_set(b, ogrh_vcstr(k), v);
}
static void tb_str(tb *b, const char *k, const char *s) {
  char *c = ogrh_arena_memdup(b->a, s, strlen(s));
  if (!c) {
    b->err = OGRH_ENOMEM;
    return;
  }
  tb_sets(b, k, ogrh_vstr(c, strlen(s)));
}
static void tb_copy(tb *b, const char *k, const ogrh_value *v) {
  if (v) tb_sets(b, k, *v);
}
static ogrh_value tb_val(tb *b) {
  return ogrh_vtable(b->t);
}

/* ---- the active raid's checksums (§3.3) ---- */

typedef struct enc_cs {
  int64_t key;
  uint32_t l2;
  size_t nroles;
  int64_t *rkey;
  uint32_t *l3, *l4;
} enc_cs;

typedef struct csums {
  bool valid; /* raids[1] exists */
  uint64_t rev;
  uint32_t l1, rolesui;
  enc_cs *e;
  size_t ne;
} csums;

static void csums_clear(csums *c) {
  for (size_t i = 0; i < c->ne; i++) {
    ogrh_free(c->e[i].rkey, c->e[i].nroles * sizeof *c->e[i].rkey);
    ogrh_free(c->e[i].l3, c->e[i].nroles * sizeof *c->e[i].l3);
    ogrh_free(c->e[i].l4, c->e[i].nroles * sizeof *c->e[i].l4);
  }
  ogrh_free(c->e, c->ne * sizeof *c->e);
  memset(c, 0, sizeof *c);
}

/* HashString(SimpleSerialize(v)). */
static uint32_t hash_of(const ogrh_value *v, ogrh_buf *scratch) {
  ogrh_buf_reset(scratch);
  ogrh_compat_serialize(v, scratch);
  return scratch->n ? ogrh_compat_hash(scratch->p, scratch->n) : 0;
}

static int csums_compute(ogrh_doc *d, csums *c) {
  csums_clear(c);
  c->rev = ogrh_doc_revision(d);
  ogrh_value *root = ogrh_doc_root(d);
  ogrh_table *raid = ogrh_doc_raid(d, 1);
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  ogrh_buf s;
  ogrh_buf_init(&s);
  int rc = OGRH_OK;
  /* RolesUI: sorted "player=ROLE" joined by "|". */
  ogrh_value *ru = tget(root, "roles");
  ogrh_buf j;
  ogrh_buf_init(&j);
  for (uint32_t i = 0; ru && ru->type == OGRH_TABLE && i < ru->u.t->n; i++) {
    const ogrh_entry *e = &ru->u.t->e[i];
    if (e->key.type != OGRH_STRING || e->val.type != OGRH_STRING) continue;
    if (j.n) ogrh_buf_addc(&j, '|');
    ogrh_buf_printf(&j, "%.*s=%.*s", (int)e->key.len, e->key.u.s, (int)e->val.len, e->val.u.s);
  }
  c->rolesui = j.n ? ogrh_compat_hash(j.p, j.n) : 0;
  ogrh_buf_deinit(&j);
  if (raid) {
    ogrh_value rv = ogrh_vtable(raid);
    c->valid = true;
    ogrh_value *encs = tget(&rv, "encounters");
    tb l1 = tb_new(a);
    static const char *const l1keys[] = {"name", "displayName", "enabled", "autoRank",
                                         "advancedSettings"};
    for (int k = 0; k < 5; k++)
      tb_copy(&l1, l1keys[k], tget(&rv, l1keys[k]));
    tb_sets(&l1, "encounterCount",
            ogrh_vint(encs && encs->type == OGRH_TABLE ? ogrh_table_seqlen(encs->u.t) : 0));
    ogrh_value l1v = tb_val(&l1);
    c->l1 = hash_of(&l1v, &s);
    rc = l1.err;
    size_t ne = encs && encs->type == OGRH_TABLE ? encs->u.t->n : 0;
    if (!rc && ne) {
      c->e = ogrh_malloc(ne * sizeof *c->e);
      if (!c->e) rc = OGRH_ENOMEM;
      if (c->e) memset(c->e, 0, ne * sizeof *c->e);
    }
    for (size_t i = 0; !rc && i < ne; i++) {
      const ogrh_entry *ee = &encs->u.t->e[i];
      if (ee->key.type != OGRH_INT || ee->val.type != OGRH_TABLE) continue;
      enc_cs *ec = &c->e[c->ne++];
      ec->key = ee->key.u.i;
      const ogrh_value *ev = &ee->val;
      ogrh_value *roles = tget(ev, "roles");
      size_t nr = roles && roles->type == OGRH_TABLE ? roles->u.t->n : 0;
      if (nr) {
        ec->rkey = ogrh_malloc(nr * sizeof *ec->rkey);
        ec->l3 = ogrh_malloc(nr * sizeof *ec->l3);
        ec->l4 = ogrh_malloc(nr * sizeof *ec->l4);
        if (!ec->rkey || !ec->l3 || !ec->l4) {
          ogrh_free(ec->rkey, nr * sizeof *ec->rkey);
          ogrh_free(ec->l3, nr * sizeof *ec->l3);
          ogrh_free(ec->l4, nr * sizeof *ec->l4);
          ec->rkey = NULL, ec->l3 = ec->l4 = NULL;
          rc = OGRH_ENOMEM;
          break;
        }
      }
      /* L2: the encounter with every role minus assignedPlayers. */
      tb l2 = tb_new(a), rc2 = tb_new(a);
      static const char *const l2keys[] = {"name", "displayName", "announcements",
                                           "advancedSettings"};
      for (int k = 0; k < 4; k++)
        tb_copy(&l2, l2keys[k], tget(ev, l2keys[k]));
      for (size_t r = 0; r < nr; r++) {
        const ogrh_entry *re = &roles->u.t->e[r];
        if (re->val.type != OGRH_TABLE) continue;
        tb copy = tb_new(a);
        for (uint32_t f = 0; f < re->val.u.t->n; f++) {
          const ogrh_entry *fe = &re->val.u.t->e[f];
          if (fe->key.type == OGRH_STRING && fe->key.len == 15 &&
              memcmp(fe->key.u.s, "assignedPlayers", 15) == 0)
            continue;
          tb_set(&copy, fe->key, fe->val);
        }
        tb_set(&rc2, re->key, tb_val(&copy));
        if (copy.err) rc = copy.err;
        /* L3: name and the number of assigned players; L4: the three per-slot tables. */
        ogrh_value *ap = tget(&re->val, "assignedPlayers");
        tb l3 = tb_new(a), l4 = tb_new(a);
        tb_copy(&l3, "name", tget(&re->val, "name"));
        tb_sets(&l3, "slotCount",
                ogrh_vint(ap && ap->type == OGRH_TABLE ? ogrh_table_seqlen(ap->u.t) : 0));
        static const char *const l4keys[] = {"assignedPlayers", "raidMarks", "assignmentNumbers"};
        for (int k = 0; k < 3; k++) {
          ogrh_value *x = tget(&re->val, l4keys[k]);
          tb empty = tb_new(a);
          tb_set(&l4, ogrh_vint(k + 1), x ? *x : tb_val(&empty));
        }
        ogrh_value l3v = tb_val(&l3), l4v = tb_val(&l4);
        ec->rkey[ec->nroles] = re->key.type == OGRH_INT ? re->key.u.i : (int64_t)r + 1;
        ec->l3[ec->nroles] = hash_of(&l3v, &s);
        ec->l4[ec->nroles] = hash_of(&l4v, &s);
        ec->nroles++;
        if (l3.err || l4.err) rc = OGRH_ENOMEM;
      }
      tb_sets(&l2, "roles", tb_val(&rc2));
      ogrh_value l2v = tb_val(&l2);
      ec->l2 = hash_of(&l2v, &s);
      if (l2.err || rc2.err) rc = OGRH_ENOMEM;
    }
  }
  if (!rc) rc = ogrh_buf_error(&s);
  ogrh_buf_deinit(&s);
  ogrh_arena_free(a);
  if (rc) csums_clear(c);
  return rc;
}

static ogrh_value hstr(ogrh_arena *a, uint32_t h) {
  char t[16];
  ogrh_compat_hash_text(NULL, 0, t);
  if (h) snprintf(t, sizeof t, "%u", h);
  size_t n = strlen(t);
  return ogrh_vstr(ogrh_arena_memdup(a, t, n), n);
}

/* ---- the client ---- */

/* A write waiting in the SVM's batch or offline queue; the value kept as Lua text. */
typedef struct pend {
  char path[256];
  char ctype[16];
  ogrh_sync_level level;
  bool has_value;
  ogrh_buf val;
  uint64_t at;
} pend;

typedef struct req {
  char component[16];
  int64_t enc;
  char who[8][32];
  size_t nwho;
} req;

typedef enum { PK_STRUCTURE, PK_ROLESUI, PK_ENCOUNTER } pk_kind;

typedef struct packet {
  pk_kind kind;
  int64_t enc;
} packet;

enum { S_IDLE = 0, S_START, S_SENDING, S_DRAIN, S_VALIDATE, S_RETRY };

typedef struct session {
  int state;
  char token[32];
  packet *pk;
  size_t npk, next, cappk;
  char (*part)[32];
  bool *answered;
  size_t npart;
  int64_t *failed; /* encounters that did not validate (without the bugs) */
  size_t nfailed, capfailed;
  int retries;
  uint64_t at, drain_until, vtimeout;
} session;

typedef struct life {
  ogam *o;
  char admin[32];
  pend *batch, *off;
  size_t nbatch, capbatch, noff, capoff;
  uint64_t batch_at;
  /* integrity (admin) */
  bool checks, first_poll;
  uint64_t check_at, poll_at, enc_at, last_mod;
  /* repair (client) */
  bool requested, waiting, skip_next, completed;
  char token[32], waiting_token[32];
  uint64_t skip_until, completed_at, last_delta;
  bool have_delta;
  /* repair (admin) */
  req *reqs;
  size_t nreq, capreq;
  uint64_t buffer_at;
  session s;
  /* admin discovery */
  uint64_t disc_query_at, disc_resolve_at;
  size_t disc_responses;
  bool checksum_request; /* without the bugs: ask for a poll once the admin is known */
  uint64_t forced_poll_at;
  csums cs;
} life;

struct ogrh_addon {
  ogrh_addon_cfg cfg;
  char name[32];
  ogrh_addon_host host;
  bool combat;
  life *L;
  uint64_t lives;
  ogrh_addon_stats st;
};

static const char *self(const ogrh_addon *a) {
  return a->name;
}
static int rank_of(ogrh_addon *a, const char *who) {
  return a->host.rank_of ? a->host.rank_of(a->host.ud, who) : 0;
}
static bool in_raid(ogrh_addon *a) {
  return rank_of(a, self(a)) >= 0;
}
static bool is_admin(ogrh_addon *a, const char *who) {
  return a->L && a->L->admin[0] && strcmp(a->L->admin, who) == 0;
}
static bool can_assign(ogrh_addon *a, const char *who) {
  return is_admin(a, who) || rank_of(a, who) >= 1;
}
static void refused(ogrh_addon *a, const char *sender, const char *what) {
  a->st.refused++;
  if (a->host.refused) a->host.refused(a->host.ud, a->cfg.idx, sender, what);
}
static double get_time(uint64_t now) {
  return 86400.0 + (double)now / 1000.0; /* GetTime(): seconds of client uptime */
}
static void wake(ogrh_addon *a, uint64_t at) {
  ogrh_sim_wake(a->cfg.sim, a->cfg.idx, at);
}

const char *ogrh_addon_component_type(const char *path) {
  /* SyncRouter.Route's componentType for a path (§2.3). */
  if (strstr(path, ".assignedPlayers")) return "assignments";
  if (strstr(path, ".raidMarks")) return "marks";
  if (strstr(path, ".assignmentNumbers")) return "numbers";
  if (strstr(path, ".roles")) return "roles";
  if (strstr(path, "advancedSettings") || strstr(path, "announcements")) return "settings";
  if (strstr(path, ".encounters.") && (strstr(path, ".name") || strstr(path, ".displayName")))
    return "metadata";
  if (strncmp(path, "encounterMgmt", 13) == 0) return "structure";
  if (strncmp(path, "consumes", 8) == 0) return "consumes";
  if (strncmp(path, "tradeItems", 10) == 0) return "tradeItems";
  if (strncmp(path, "roles", 5) == 0) return "roles";
  return "settings";
}

/* ---- sending ---- */

static void ogam_out(void *ud, const uint8_t *t, size_t n, uint64_t now) {
  ogrh_addon *a = ud;
  (void)now;
  ogrh_sim_send(a->cfg.sim, a->cfg.idx, "OGAM", t, n);
}

/* MessageRouter.Broadcast: "OGRH" + SYNC_VERSION + the rest of the type, then OGAddonMsg. */
static size_t send_value(ogrh_addon *a, const char *type, const ogrh_value *v, ogam_prio prio,
                         uint64_t now) {
  if (!a->L) return 0;
  char prefix[64];
  snprintf(prefix, sizeof prefix, "OGRH03%s", type + 4);
  ogrh_buf w;
  ogrh_buf_init(&w);
  if (v->type == OGRH_STRING) {
    ogrh_buf_adds(&w, "S:");
    ogrh_buf_add(&w, v->u.s, v->len);
  } else {
    ogrh_buf_adds(&w, "T:");
    ogrh_lua_serialize(v, &w);
  }
  size_t n = 0;
  if (!ogrh_buf_error(&w) &&
      ogrh_ogam_send(a->L->o, prio, prefix, (const uint8_t *)w.p, w.n, now) == OGRH_OK) {
    size_t D = ogrh_ogam_chunk_data(strlen(prefix));
    size_t P = strlen(prefix);
    n = w.n <= D ? 4 + 7 + P + w.n : 4 + w.n + ((w.n + D - 1) / D) * (23 + P);
    wake(a, now);
  }
  ogrh_buf_deinit(&w);
  return n;
}

/* ---- the SVM write path (§2) ---- */

static void pend_free(pend *p) {
  ogrh_buf_deinit(&p->val);
}

static int pend_add(pend **arr, size_t *n, size_t *cap, const char *path, const ogrh_value *v,
                    ogrh_sync_level lvl, const char *ctype, uint64_t now) {
  if (*n == *cap && ogrh_grow(arr, cap, *n + 1, sizeof **arr)) return OGRH_ENOMEM;
  pend *p = &(*arr)[*n];
  memset(p, 0, sizeof *p);
  snprintf(p->path, sizeof p->path, "%s", path);
  snprintf(p->ctype, sizeof p->ctype, "%s", ctype);
  p->level = lvl;
  p->at = now;
  ogrh_buf_init(&p->val);
  if (v && v->type != OGRH_NIL) {
    p->has_value = true;
    ogrh_lua_serialize(v, &p->val);
    if (ogrh_buf_error(&p->val)) {
      pend_free(p);
      return OGRH_ENOMEM;
    }
  }
  (*n)++;
  return OGRH_OK;
}

static bool pend_value(ogrh_arena *ar, const pend *p, ogrh_value *out) {
  *out = ogrh_vnil();
  return !p->has_value || ogrh_lua_parse(ar, p->val.p, p->val.n, out) == OGRH_OK;
}

static bool is_active_path(const char *path) {
  return strncmp(path, "encounterMgmt.raids.1.", 22) == 0 ||
         strcmp(path, "encounterMgmt.raids.1") == 0;
}

static void queue_offline(ogrh_addon *a, const char *path, const ogrh_value *v, ogrh_sync_level lvl,
                          const char *ctype, uint64_t now) {
  life *L = a->L;
  pend_add(&L->off, &L->noff, &L->capoff, path, v, lvl, ctype, now);
}

static void realtime_update(ogrh_addon *a, const char *path, const ogrh_value *v, const char *ctype,
                            uint64_t now) {
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  tb m = tb_new(ar), scope = tb_new(ar);
  tb_str(&m, "type", "REALTIME_UPDATE");
  tb_str(&m, "path", path);
  if (v) tb_sets(&m, "value", *v);
  tb_str(&m, "componentType", ctype);
  tb_sets(&scope, "isActiveRaid", ogrh_vbool(is_active_path(path)));
  tb_sets(&scope, "raidIdx", ogrh_vint(1));
  tb_sets(&m, "scope", tb_val(&scope));
  tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
  tb_str(&m, "author", self(a));
  ogrh_value mv = tb_val(&m);
  if (!m.err && !scope.err) send_value(a, "OGRH_SYNC_DELTA", &mv, OGAM_HIGH, now);
  ogrh_arena_free(ar);
}

/* HandleSync: permission gates, CanSyncNow, then REALTIME or BATCH. */
static void handle_sync(ogrh_addon *a, const char *path, const ogrh_value *v, ogrh_sync_level lvl,
                        const char *ctype, uint64_t now) {
  if (lvl != OGRH_SYNC_REALTIME && lvl != OGRH_SYNC_BATCH) return;
  life *L = a->L;
  bool strict = in_raid(a) && is_active_path(path);
  if (strict) {
    bool structural = !strcmp(ctype, "structure") || !strcmp(ctype, "metadata");
    bool assign = !strcmp(ctype, "assignments") || !strcmp(ctype, "roles") ||
                  !strcmp(ctype, "marks") || !strcmp(ctype, "numbers");
    if ((structural && !is_admin(a, self(a))) || (assign && !can_assign(a, self(a)))) {
      queue_offline(a, path, v, lvl, ctype, now); /* silently */
      return;
    }
  }
  if (a->combat || !in_raid(a)) { /* CanSyncNow */
    queue_offline(a, path, v, lvl, ctype, now);
    return;
  }
  if (lvl == OGRH_SYNC_REALTIME) {
    realtime_update(a, path, v, ctype, now);
  } else {
    pend_add(&L->batch, &L->nbatch, &L->capbatch, path, v, lvl, ctype, now);
    /* ScheduleBatchFlush: a fixed 2 s window opened by the first write, not a debounce. */
    if (L->batch_at == NONE) L->batch_at = now + 2000;
    wake(a, L->batch_at);
  }
}

static void flush_batch(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  L->batch_at = NONE;
  if (!L->nbatch) return;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  if (!can_assign(a, self(a))) {
    /* MessageRouter.Send's ASSIGN gate: HandlePermissionDenied broadcasts, the batch is gone. */
    tb m = tb_new(ar);
    tb_str(&m, "player", self(a));
    tb_str(&m, "operation", "OGRH_ASSIGN_DELTA_BATCH");
    tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
    tb_str(&m, "level", "MEMBER");
    ogrh_value mv = tb_val(&m);
    send_value(a, "OGRH_ADMIN_PERMISSION_DENIED", &mv, OGAM_LOW, now);
  } else {
    tb m = tb_new(ar), ups = tb_new(ar);
    for (size_t i = 0; i < L->nbatch; i++) {
      pend *p = &L->batch[i];
      tb u = tb_new(ar), meta = tb_new(ar);
      ogrh_value v;
      tb_str(&u, "path", p->path);
      if (pend_value(ar, p, &v)) tb_sets(&u, "value", v);
      tb_str(&meta, "syncLevel", "BATCH");
      tb_str(&meta, "componentType", p->ctype);
      tb_sets(&u, "metadata", tb_val(&meta));
      tb_sets(&u, "timestamp", ogrh_vdouble(get_time(p->at)));
      tb_str(&u, "author", self(a));
      tb_set(&ups, ogrh_vint((int64_t)i + 1), tb_val(&u));
    }
    tb_str(&m, "type", "BATCH_UPDATE");
    tb_sets(&m, "updates", tb_val(&ups));
    tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
    tb_str(&m, "author", self(a));
    ogrh_value mv = tb_val(&m);
    send_value(a, "OGRH_ASSIGN_DELTA_BATCH", &mv, OGAM_NORMAL, now);
  }
  ogrh_arena_free(ar);
  /* FlushBatch clears pendingBatch unconditionally. */
  for (size_t i = 0; i < L->nbatch; i++)
    pend_free(&L->batch[i]);
  L->nbatch = 0;
}

static void flush_offline(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  if (!L->noff) return;
  pend *items = L->off;
  size_t n = L->noff, cap = L->capoff;
  L->off = NULL;
  L->noff = L->capoff = 0;
  ogrh_arena *ar = ogrh_arena_new();
  for (size_t i = 0; ar && i < n; i++) {
    ogrh_value v;
    if (pend_value(ar, &items[i], &v))
      handle_sync(a, items[i].path, v.type == OGRH_NIL ? NULL : &v, items[i].level, items[i].ctype,
                  now);
  }
  ogrh_arena_free(ar);
  for (size_t i = 0; i < n; i++)
    pend_free(&items[i]);
  ogrh_free(items, cap * sizeof *items);
  if (a->cfg.bugs) {
    /* BUG(code) §2.5: what HandleSync queued again went into the table that `offlineQueue = {}`
       then replaces: it is lost. */
    a->st.offline_lost += L->noff;
    for (size_t i = 0; i < L->noff; i++)
      pend_free(&L->off[i]);
    L->noff = 0;
  }
}

static bool svm_locked(ogrh_addon *a) {
  return a->L && a->L->s.state != S_IDLE;
}

static int doc_set(ogrh_addon *a, const char *path, const ogrh_value *v) {
  ogrh_value nil = ogrh_vnil();
  return ogrh_doc_set_path(a->cfg.doc, path, v ? v : &nil, NULL, NULL);
}

int ogrh_addon_write(ogrh_addon *a, const char *path, const ogrh_value *v, ogrh_sync_level lvl,
                     const char *ctype, uint64_t now) {
  if (!a->L) return OGRH_EAGAIN;           /* not in the world */
  if (svm_locked(a)) return OGRH_EREFUSED; /* "Cannot modify data - sync repair in progress" */
  if (!ctype) ctype = ogrh_addon_component_type(path);
  int rc = doc_set(a, path, v);
  if (rc) return rc;
  if (is_admin(a, self(a))) a->L->last_mod = now;
  handle_sync(a, path, v && v->type != OGRH_NIL ? v : NULL, lvl, ctype, now);
  return OGRH_OK;
}

/* ---- polls (§4.1) ---- */

/* Layers 2-4 as tables: {[e] = l2}, {[e] = {[r] = l3}}, {[e] = {[r] = l4}}. */
static void layer_tables(ogrh_arena *ar, const csums *c, tb *e2, tb *e3, tb *e4) {
  for (size_t i = 0; i < c->ne; i++) {
    const enc_cs *ec = &c->e[i];
    tb r3 = tb_new(ar), r4 = tb_new(ar);
    for (size_t r = 0; r < ec->nroles; r++) {
      tb_set(&r3, ogrh_vint(ec->rkey[r]), hstr(ar, ec->l3[r]));
      tb_set(&r4, ogrh_vint(ec->rkey[r]), hstr(ar, ec->l4[r]));
    }
    tb_set(e2, ogrh_vint(ec->key), hstr(ar, ec->l2));
    tb_set(e3, ogrh_vint(ec->key), tb_val(&r3));
    tb_set(e4, ogrh_vint(ec->key), tb_val(&r4));
    if (r3.err || r4.err) e2->err = OGRH_ENOMEM;
  }
}

static ogrh_value poll_payload(ogrh_addon *a, ogrh_arena *ar, uint64_t now) {
  csums *c = &a->L->cs;
  ogrh_table *raid = ogrh_doc_raid(a->cfg.doc, 1);
  tb m = tb_new(ar), e2 = tb_new(ar), e3 = tb_new(ar), e4 = tb_new(ar);
  size_t nl;
  const char *rn = raid ? ogrh_table_name(raid, &nl) : "";
  tb_str(&m, "activeRaidName", rn);
  tb_sets(&m, "structureChecksum", hstr(ar, c->l1));
  layer_tables(ar, c, &e2, &e3, &e4);
  tb_sets(&m, "encountersChecksums", tb_val(&e2));
  tb_sets(&m, "rolesChecksums", tb_val(&e3));
  tb_sets(&m, "apRoleChecksums", tb_val(&e4));
  tb_sets(&m, "rolesUIChecksum", hstr(ar, c->rolesui));
  tb_sets(&m, "activeEncounterIdx", ogrh_vint(2));
  tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
  tb_str(&m, "version", VERSION);
  return tb_val(&m);
}

static int ensure_csums(ogrh_addon *a) {
  csums *c = &a->L->cs;
  if (c->rev && c->rev == ogrh_doc_revision(a->cfg.doc) + 1) return OGRH_OK;
  int rc = csums_compute(a->cfg.doc, c);
  c->rev = ogrh_doc_revision(a->cfg.doc) + 1; /* +1: revision 0 is a valid cache key */
  return rc;
}

static void broadcast_checksums(ogrh_addon *a, bool force, uint64_t now) {
  life *L = a->L;
  if (!a->cfg.bugs && L->s.state != S_IDLE) return; /* repairModeActive, when it works */
  if (!in_raid(a) || ogrh_ogam_queue_depth(L->o) > 10 || a->combat) return;
  if (!force && !a->cfg.bugs && L->last_mod && now - L->last_mod < 10000) return;
  if (!ogrh_doc_raid(a->cfg.doc, 1) || ensure_csums(a)) return;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  ogrh_value v = poll_payload(a, ar, now);
  size_t n = send_value(a, "OGRH_SYNC_CHECKSUM_POLL", &v, OGAM_LOW, now);
  a->st.polls_sent++;
  a->st.poll_bytes += n;
  ogrh_arena_free(ar);
}

static const char *hget(const ogrh_value *t, int64_t k) {
  ogrh_value *v = tgeti(t, k);
  return v && v->type == OGRH_STRING ? v->u.s : NULL;
}

static bool differs(const char *remote, uint32_t local) {
  char t[16];
  if (local)
    snprintf(t, sizeof t, "%u", local);
  else
    snprintf(t, sizeof t, "0");
  return !remote || strcmp(remote, t) != 0;
}

static void send_repair_request(ogrh_addon *a, const char *type, const char *component, int64_t enc,
                                uint64_t now) {
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  tb m = tb_new(ar);
  tb_str(&m, "type", type);
  tb_str(&m, "component", component);
  if (enc) tb_sets(&m, "encounterIdx", ogrh_vint(enc));
  ogrh_value v = tb_val(&m);
  send_value(a, "OGRH_SYNC_REPAIR_REQUEST", &v, OGAM_LOW, now);
  a->st.repair_requests++;
  ogrh_arena_free(ar);
}

static const enc_cs *find_enc(const csums *c, int64_t key) {
  for (size_t i = 0; i < c->ne; i++)
    if (c->e[i].key == key) return &c->e[i];
  return NULL;
}

static const uint32_t *find_role(const enc_cs *e, int64_t key, bool l4) {
  for (size_t r = 0; e && r < e->nroles; r++)
    if (e->rkey[r] == key) return l4 ? &e->l4[r] : &e->l3[r];
  return NULL;
}

static void on_poll(ogrh_addon *a, const char *sender, const ogrh_value *d, uint64_t now) {
  life *L = a->L;
  if (L->token[0]) return;
  if (L->skip_next) {
    L->skip_next = false;
    return;
  }
  if (L->completed && now - L->completed_at < 30000) return;
  if (L->have_delta && now - L->last_delta < 15000) return;
  if (!is_admin(a, sender)) return;
  const ogrh_value *e2 = tget(d, "encountersChecksums"), *e3 = tget(d, "rolesChecksums"),
                   *e4 = tget(d, "apRoleChecksums");
  const char *l1 = tstr(d, "structureChecksum"), *ru = tstr(d, "rolesUIChecksum");
  if (!l1 || !ru || !e2 || !e3 || !e4) return; /* "Invalid checksum format received" */
  if (ensure_csums(a)) return;
  const csums *c = &L->cs;
  size_t found = 0;
  if (!c->valid || differs(l1, c->l1)) {
    send_repair_request(a, "STRUCTURE", "structure", 0, now);
    found++;
  }
  for (uint32_t i = 0; e2->type == OGRH_TABLE && i < e2->u.t->n; i++) {
    const ogrh_entry *x = &e2->u.t->e[i];
    if (x->key.type != OGRH_INT || x->val.type != OGRH_STRING) continue;
    int64_t e = x->key.u.i;
    const enc_cs *le = find_enc(c, e);
    bool bad = !le || differs(x->val.u.s, le->l2);
    for (int layer = 3; !bad && layer <= 4; layer++) {
      const ogrh_value *roles = tgeti(layer == 3 ? e3 : e4, e);
      for (uint32_t r = 0; roles && roles->type == OGRH_TABLE && r < roles->u.t->n && !bad; r++) {
        const ogrh_entry *re = &roles->u.t->e[r];
        const uint32_t *lh =
            re->key.type == OGRH_INT ? find_role(le, re->key.u.i, layer == 4) : NULL;
        bad = re->val.type != OGRH_STRING || !lh || differs(re->val.u.s, *lh);
      }
    }
    if (bad) {
      send_repair_request(a, "ENCOUNTER", "encounter", e, now);
      found++;
    }
  }
  if (differs(ru, c->rolesui)) {
    send_repair_request(a, "ROLES_UI", "rolesui", 0, now);
    found++;
  }
  if (found) {
    L->requested = true;
    if (a->host.mismatch) a->host.mismatch(a->host.ud, a->cfg.idx, now);
  }
}

/* ---- repair sessions, admin side (§5.3) ---- */

static void on_repair_request(ogrh_addon *a, const char *sender, const ogrh_value *d,
                              uint64_t now) {
  life *L = a->L;
  if (!is_admin(a, self(a))) return;
  const char *comp = tstr(d, "component");
  if (!comp) return;
  int64_t enc = tint(d, "encounterIdx", 0);
  req *r = NULL;
  for (size_t i = 0; i < L->nreq; i++)
    if (!strcmp(L->reqs[i].component, comp) && L->reqs[i].enc == enc) r = &L->reqs[i];
  if (!r) {
    if (L->nreq == L->capreq && ogrh_grow(&L->reqs, &L->capreq, L->nreq + 1, sizeof *L->reqs))
      return;
    r = &L->reqs[L->nreq++];
    memset(r, 0, sizeof *r);
    snprintf(r->component, sizeof r->component, "%s", comp);
    r->enc = enc;
  }
  bool known = false;
  for (size_t i = 0; i < r->nwho; i++)
    known |= !strcmp(r->who[i], sender);
  if (!known && r->nwho < 8) snprintf(r->who[r->nwho++], 32, "%s", sender);
  L->buffer_at = now + 1000; /* the timer restarts: a debounce */
  wake(a, L->buffer_at);
}

static void session_clear(session *s) {
  ogrh_free(s->pk, s->cappk * sizeof *s->pk);
  ogrh_free(s->part, s->npart * sizeof *s->part);
  ogrh_free(s->answered, s->npart * sizeof *s->answered);
  ogrh_free(s->failed, s->capfailed * sizeof *s->failed);
  memset(s, 0, sizeof *s);
}

static void add_packet(session *s, pk_kind k, int64_t enc) {
  for (size_t i = 0; i < s->npk; i++)
    if (s->pk[i].kind == k && s->pk[i].enc == enc) return;
  if (s->npk == s->cappk && ogrh_grow(&s->pk, &s->cappk, s->npk + 1, sizeof *s->pk)) return;
  s->pk[s->npk].kind = k;
  s->pk[s->npk++].enc = enc;
}

static int cmp_pk(const void *x, const void *y) {
  const packet *p = x, *q = y;
  if (p->kind != q->kind) return (int)p->kind - (int)q->kind;
  /* DetermineRepairPriority: the selected encounter (always 1) first, then ascending. */
  if ((p->enc == 1) != (q->enc == 1)) return p->enc == 1 ? -1 : 1;
  return p->enc < q->enc ? -1 : p->enc > q->enc;
}

static void send_start(ogrh_addon *a, uint64_t now) {
  session *s = &a->L->s;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  tb m = tb_new(ar), prio = tb_new(ar);
  size_t k = 0;
  for (size_t i = 0; i < s->npk; i++)
    if (s->pk[i].kind == PK_ENCOUNTER)
      tb_set(&prio, ogrh_vint((int64_t)++k), ogrh_vint(s->pk[i].enc));
  ogrh_table *raid = ogrh_doc_raid(a->cfg.doc, 1);
  size_t nl;
  tb_str(&m, "token", s->token);
  tb_str(&m, "raidName", raid ? ogrh_table_name(raid, &nl) : "");
  tb_sets(&m, "priority", tb_val(&prio));
  tb_sets(&m, "totalLayers", ogrh_vint((int64_t)s->npk));
  ogrh_value v = tb_val(&m);
  send_value(a, "OGRH_SYNC_REPAIR_START", &v, OGAM_HIGH, now);
  ogrh_arena_free(ar);
}

static void flush_repair_buffer(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  L->buffer_at = NONE;
  if (!L->nreq) return;
  if (L->s.state != S_IDLE) {
    if (a->cfg.bugs) {
      /* InitiateRepair: StartSession fails while a session exists; the requests are gone. */
      a->st.sessions_lost++;
      L->nreq = 0;
    } else {
      L->buffer_at = now + 1000; /* merged into the next session */
    }
    return;
  }
  session *s = &L->s;
  session_clear(s);
  for (size_t i = 0; i < L->nreq; i++) {
    req *r = &L->reqs[i];
    if (!strcmp(r->component, "structure"))
      add_packet(s, PK_STRUCTURE, 0);
    else if (!strcmp(r->component, "rolesui"))
      add_packet(s, PK_ROLESUI, 0);
    else if (r->enc > 0)
      add_packet(s, PK_ENCOUNTER, r->enc);
    for (size_t w = 0; w < r->nwho; w++) {
      bool known = false;
      for (size_t p = 0; p < s->npart; p++)
        known |= !strcmp(s->part[p], r->who[w]);
      if (known) continue;
      char(*np)[32] =
          ogrh_realloc(s->part, s->npart * sizeof *s->part, (s->npart + 1) * sizeof *s->part);
      bool *na = ogrh_realloc(s->answered, s->npart * sizeof *s->answered,
                              (s->npart + 1) * sizeof *s->answered);
      if (np) s->part = np;
      if (na) s->answered = na;
      if (!np || !na) break;
      snprintf(s->part[s->npart], 32, "%s", r->who[w]);
      s->answered[s->npart++] = false;
    }
  }
  L->nreq = 0;
  if (s->npk == 0) {
    session_clear(s);
    return;
  }
  qsort(s->pk, s->npk, sizeof *s->pk, cmp_pk);
  snprintf(s->token, sizeof s->token, "%.2f_%06u", get_time(now),
           (unsigned)(100000 + ogrh_sim_random(a->cfg.sim) % 900000));
  s->state = S_START;
  s->next = 0;
  s->at = now + 500; /* the first packet 0.5 s after START */
  a->st.sessions++;
  send_start(a, now);
  wake(a, s->at);
}

static ogrh_value encounter_data(ogrh_addon *a, ogrh_arena *ar, int64_t e) {
  ogrh_table *enc = ogrh_doc_encounter(a->cfg.doc, 1, e);
  ogrh_value ev = enc ? ogrh_vtable(enc) : ogrh_vnil();
  tb d = tb_new(ar);
  tb_sets(&d, "index", ogrh_vint(e));
  static const char *const keys[] = {"name", "displayName", "announcements", "advancedSettings",
                                     "roles"};
  for (int k = 0; k < 5; k++)
    tb_copy(&d, keys[k], tget(&ev, keys[k]));
  return tb_val(&d);
}

static void send_packet(ogrh_addon *a, const packet *p, uint64_t now) {
  session *s = &a->L->s;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  tb m = tb_new(ar), d = tb_new(ar);
  const char *type;
  ogrh_table *raid = ogrh_doc_raid(a->cfg.doc, 1);
  ogrh_value rv = raid ? ogrh_vtable(raid) : ogrh_vnil();
  if (p->kind == PK_STRUCTURE) {
    type = "OGRH_SYNC_REPAIR_PACKET_STRUCTURE";
    tb_str(&m, "type", "STRUCTURE");
    tb_sets(&m, "layer", ogrh_vint(1));
    static const char *const keys[] = {"name", "displayName", "enabled", "autoRank",
                                       "advancedSettings"};
    for (int k = 0; k < 5; k++)
      tb_copy(&d, keys[k], tget(&rv, keys[k]));
    ogrh_value *encs = tget(&rv, "encounters");
    tb_sets(&d, "encounterCount",
            ogrh_vint(encs && encs->type == OGRH_TABLE ? ogrh_table_seqlen(encs->u.t) : 0));
    tb_sets(&m, "data", tb_val(&d));
  } else if (p->kind == PK_ROLESUI) {
    type = "OGRH_SYNC_REPAIR_PACKET_ROLESUI";
    tb_str(&m, "type", "ROLESUI");
    tb_str(&m, "layer", "1b");
    tb_copy(&d, "roles", tget(ogrh_doc_root(a->cfg.doc), "roles"));
    tb_sets(&m, "data", tb_val(&d));
  } else {
    type = "OGRH_SYNC_REPAIR_PACKET_ENCOUNTER";
    tb_str(&m, "type", "ENCOUNTER");
    tb_sets(&m, "layer", ogrh_vint(2));
    tb_sets(&m, "encounterIndex", ogrh_vint(p->enc));
    tb_sets(&m, "data", encounter_data(a, ar, p->enc));
  }
  tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
  tb_str(&m, "token", s->token);
  ogrh_value v = tb_val(&m);
  send_value(a, type, &v, OGAM_HIGH, now);
  a->st.packets_sent++;
  ogrh_arena_free(ar);
}

/* Adaptive pacing by OGAddonMsg's own queue depth. */
static uint64_t pacing(size_t depth) {
  return depth <= 5 ? 50 : depth <= 15 ? 100 : depth <= 30 ? 200 : depth <= 50 ? 500 : 1000;
}

static void request_validation(ogrh_addon *a, uint64_t now) {
  session *s = &a->L->s;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  tb m = tb_new(ar);
  tb_str(&m, "token", s->token);
  tb_sets(&m, "request", ogrh_vbool(true));
  ogrh_value v = tb_val(&m);
  send_value(a, "OGRH_SYNC_REPAIR_VALIDATION", &v, OGAM_HIGH, now);
  ogrh_arena_free(ar);
  s->state = S_VALIDATE;
  s->vtimeout = now + 45000;
  for (size_t i = 0; i < s->npart; i++)
    s->answered[i] = false;
  s->nfailed = 0;
  wake(a, s->vtimeout);
}

static void complete_repair(ogrh_addon *a, uint64_t now) {
  session *s = &a->L->s;
  ogrh_arena *ar = ogrh_arena_new();
  if (ar) {
    tb m = tb_new(ar);
    tb_str(&m, "token", s->token);
    ogrh_value v = tb_val(&m);
    send_value(a, "OGRH_SYNC_REPAIR_COMPLETE", &v, OGAM_HIGH, now);
    ogrh_arena_free(ar);
  }
  session_clear(s); /* ExitRepairMode: the SVM unlocks */
  if (a->L->nreq) {
    a->L->buffer_at = now + 1000;
    wake(a, a->L->buffer_at);
  }
}

static void check_validation(ogrh_addon *a, uint64_t now) {
  session *s = &a->L->s;
  if (a->cfg.bugs || s->nfailed == 0 || s->retries >= 2) {
    if (s->nfailed) a->st.validations_failed++;
    complete_repair(a, now);
    return;
  }
  /* Re-send only the encounters that failed, after 2 s, and validate again. */
  s->retries++;
  s->npk = 0;
  for (size_t i = 0; i < s->nfailed; i++)
    add_packet(s, PK_ENCOUNTER, s->failed[i]);
  s->next = 0;
  s->state = S_RETRY;
  s->at = now + 2000;
  wake(a, s->at);
}

static void session_step(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  session *s = &L->s;
  switch (s->state) {
  case S_START:
  case S_SENDING:
  case S_RETRY:
    if (now < s->at) return;
    s->state = S_SENDING;
    if (s->next < s->npk) {
      send_packet(a, &s->pk[s->next++], now);
      s->at = now + pacing(ogrh_ogam_queue_depth(L->o));
    } else {
      /* WaitForCTLDrain: poll bQueueing every second, at most 120 s, then 1.5 s more. */
      s->state = S_DRAIN;
      s->drain_until = now + 120000;
      s->at = now + 1000;
    }
    break;
  case S_DRAIN:
    if (now < s->at) return;
    if ((ogrh_ogam_queue_depth(L->o) || ogrh_ogam_ctl_queueing(L->o)) && now < s->drain_until) {
      s->at = now + 1000;
    } else if (s->drain_until != NONE) {
      s->drain_until = NONE;
      s->at = now + 1500;
    } else {
      request_validation(a, now);
    }
    break;
  case S_VALIDATE:
    if (now >= s->vtimeout) check_validation(a, now); /* "Some clients didn't respond" */
    break;
  default:
    break;
  }
}

/* ---- repair, client side ---- */

static void on_repair_start(ogrh_addon *a, const char *sender, const ogrh_value *d) {
  life *L = a->L;
  const char *tok = tstr(d, "token");
  if (!tok || !is_admin(a, sender)) return;
  if (!L->requested) {
    L->waiting = true; /* the waiting panel; packets of this session are ignored */
    snprintf(L->waiting_token, sizeof L->waiting_token, "%s", tok);
  } else {
    L->requested = false;
    snprintf(L->token, sizeof L->token, "%s", tok);
  }
}

static void make_stub(ogrh_arena *ar, ogrh_value *out) {
  tb s = tb_new(ar), e1 = tb_new(ar), e2 = tb_new(ar), e3 = tb_new(ar);
  tb_str(&s, "name", "");
  tb_str(&s, "displayName", "");
  tb_sets(&s, "announcements", tb_val(&e1));
  tb_sets(&s, "advancedSettings", tb_val(&e2));
  tb_sets(&s, "roles", tb_val(&e3));
  *out = tb_val(&s);
}

static void apply_structure(ogrh_addon *a, const ogrh_value *data) {
  ogrh_doc *doc = a->cfg.doc;
  ogrh_table *raid = ogrh_doc_raid(doc, 1);
  if (!raid) return;
  static const char *const keys[] = {"displayName", "enabled", "autoRank", "advancedSettings"};
  char path[128];
  for (int k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "encounterMgmt.raids.1.%s", keys[k]);
    doc_set(a, path, tget(data, keys[k]));
  }
  int64_t count = tint(data, "encounterCount", 0);
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  ogrh_value stub;
  make_stub(ar, &stub);
  if (a->cfg.bugs) {
    /* BUG(code) §5.3: raid.encounters becomes encounterCount empty stubs. */
    tb list = tb_new(ar);
    for (int64_t e = 1; e <= count; e++)
      tb_set(&list, ogrh_vint(e), stub);
    ogrh_value lv = tb_val(&list);
    doc_set(a, "encounterMgmt.raids.1.encounters", &lv);
  } else {
    ogrh_value rv = ogrh_vtable(raid);
    ogrh_value *encs = tget(&rv, "encounters");
    int64_t have = encs && encs->type == OGRH_TABLE ? ogrh_table_seqlen(encs->u.t) : 0;
    for (int64_t e = have + 1; e <= count; e++) {
      snprintf(path, sizeof path, "encounterMgmt.raids.1.encounters.%lld", (long long)e);
      doc_set(a, path, &stub);
    }
    for (int64_t e = count + 1; e <= have; e++) {
      snprintf(path, sizeof path, "encounterMgmt.raids.1.encounters.%lld", (long long)e);
      doc_set(a, path, NULL);
    }
  }
  ogrh_arena_free(ar);
}

static void apply_encounter(ogrh_addon *a, int64_t e, const ogrh_value *data) {
  if (!ogrh_doc_encounter(a->cfg.doc, 1, e)) return; /* must exist already */
  static const char *const keys[] = {"name", "displayName", "announcements", "advancedSettings",
                                     "roles"};
  char path[128];
  for (int k = 0; k < 5; k++) {
    snprintf(path, sizeof path, "encounterMgmt.raids.1.encounters.%lld.%s", (long long)e, keys[k]);
    doc_set(a, path, tget(data, keys[k]));
  }
}

static void on_repair_packet(ogrh_addon *a, const char *sender, const ogrh_value *d, int kind) {
  life *L = a->L;
  const char *tok = tstr(d, "token");
  if (!is_admin(a, sender)) {
    refused(a, sender, "repair packet from a non-admin");
    return;
  }
  if (!tok || !L->token[0] || strcmp(tok, L->token) != 0) return;
  const ogrh_value *data = tget(d, "data");
  if (kind == PK_STRUCTURE)
    apply_structure(a, data);
  else if (kind == PK_ROLESUI)
    doc_set(a, "roles", tget(data, "roles"));
  else
    apply_encounter(a, tint(d, "encounterIndex", 0), data);
}

static ogrh_value validation_checksums(ogrh_addon *a, ogrh_arena *ar) {
  csums *c = &a->L->cs;
  tb m = tb_new(ar), e2 = tb_new(ar), e3 = tb_new(ar), e4 = tb_new(ar);
  tb_sets(&m, "structure", hstr(ar, c->l1));
  /* BUG(code) §5.3: the layer 2-4 lookups use displayName and find nothing. */
  if (!a->cfg.bugs) layer_tables(ar, c, &e2, &e3, &e4);
  tb_sets(&m, "encounters", tb_val(&e2));
  tb_sets(&m, "roles", tb_val(&e3));
  tb_sets(&m, "assignments", tb_val(&e4));
  return tb_val(&m);
}

static void add_failed(session *s, int64_t e) {
  for (size_t i = 0; i < s->nfailed; i++)
    if (s->failed[i] == e) return;
  if (s->nfailed == s->capfailed &&
      ogrh_grow(&s->failed, &s->capfailed, s->nfailed + 1, sizeof *s->failed))
    return;
  s->failed[s->nfailed++] = e;
}

static void on_validation(ogrh_addon *a, const char *sender, const ogrh_value *d, uint64_t now) {
  life *L = a->L;
  const char *tok = tstr(d, "token");
  if (!tok) return;
  if (tbool(d, "request")) {
    /* A client: answer with what it has now. */
    if (!is_admin(a, sender) || !L->token[0] || strcmp(tok, L->token) != 0) return;
    if (ensure_csums(a)) return;
    ogrh_arena *ar = ogrh_arena_new();
    if (!ar) return;
    tb m = tb_new(ar);
    tb_str(&m, "token", tok);
    tb_sets(&m, "checksums", validation_checksums(a, ar));
    tb_str(&m, "status", "complete");
    ogrh_value v = tb_val(&m);
    send_value(a, "OGRH_SYNC_REPAIR_VALIDATION", &v, OGAM_HIGH, now);
    ogrh_arena_free(ar);
    return;
  }
  session *s = &L->s;
  if (s->state != S_VALIDATE || strcmp(tok, s->token) != 0) return;
  size_t who = s->npart;
  for (size_t i = 0; i < s->npart; i++)
    if (!strcmp(s->part[i], sender)) who = i;
  if (who < s->npart) s->answered[who] = true;
  if (!a->cfg.bugs && !ensure_csums(a)) {
    const ogrh_value *cs = tget(d, "checksums");
    const ogrh_value *e2 = tget(cs, "encounters"), *e4 = tget(cs, "assignments");
    for (size_t i = 0; i < s->npk; i++) {
      if (s->pk[i].kind != PK_ENCOUNTER) continue;
      const enc_cs *le = find_enc(&L->cs, s->pk[i].enc);
      bool bad = !le || differs(hget(e2, s->pk[i].enc), le->l2);
      const ogrh_value *r4 = tgeti(e4, s->pk[i].enc);
      for (size_t r = 0; !bad && le && r < le->nroles; r++)
        bad = differs(hget(r4, le->rkey[r]), le->l4[r]);
      if (bad) add_failed(s, s->pk[i].enc);
    }
  }
  bool all = s->npart > 0;
  for (size_t i = 0; i < s->npart; i++)
    all &= s->answered[i];
  if (all || s->npart == 0) check_validation(a, now);
}

static void on_repair_complete(ogrh_addon *a, const char *sender, const ogrh_value *d,
                               uint64_t now) {
  life *L = a->L;
  const char *tok = tstr(d, "token");
  if (!tok || !is_admin(a, sender)) return;
  if (L->waiting && !strcmp(L->waiting_token, tok)) {
    L->skip_next = true;
    L->skip_until = now + 20000;
    L->waiting = false;
  }
  L->completed = true;
  L->completed_at = now;
  L->token[0] = '\0';
}

/* ---- deltas (§8) ---- */

static bool assign_type(const char *ct) {
  return !strcmp(ct, "assignments") || !strcmp(ct, "roles") || !strcmp(ct, "marks") ||
         !strcmp(ct, "numbers");
}

static bool delta_allowed(ogrh_addon *a, const char *sender, const char *ct) {
  if (!strcmp(ct, "structure") || !strcmp(ct, "metadata")) return is_admin(a, sender);
  if (assign_type(ct)) return can_assign(a, sender);
  return a->cfg.bugs || is_admin(a, sender); /* BUG(code) §6: anything else from anyone */
}

static void apply_delta(ogrh_addon *a, const char *path, const ogrh_value *v) {
  if (svm_locked(a)) {
    a->st.deltas_locked++; /* the admin's SetPath refuses during a session */
    return;
  }
  if (doc_set(a, path, v) == OGRH_OK) a->st.deltas_applied++;
}

static void on_delta(ogrh_addon *a, const char *sender, const ogrh_value *d, uint64_t now) {
  const char *path = tstr(d, "path");
  if (!path) return;
  const char *ct = tstr(d, "componentType");
  if (!delta_allowed(a, sender, ct ? ct : "")) {
    refused(a, sender, "delta");
    return;
  }
  apply_delta(a, path, tget(d, "value"));
  a->L->last_delta = now;
  a->L->have_delta = true;
}

static void on_batch(ogrh_addon *a, const char *sender, const ogrh_value *d) {
  /* BUG(code) §8: only the admin's batches; an officer's are ignored. */
  if (a->cfg.bugs ? !is_admin(a, sender) : !can_assign(a, sender)) {
    refused(a, sender, "batch");
    return;
  }
  const ogrh_value *ups = tget(d, "updates");
  for (uint32_t i = 0; ups && ups->type == OGRH_TABLE && i < ups->u.t->n; i++) {
    const ogrh_value *u = &ups->u.t->e[i].val;
    const char *path = tstr(u, "path");
    const ogrh_value *v = tget(u, "value");
    if (!path || !v) continue; /* nil values are skipped: a batch cannot clear a key */
    const char *ct = tstr(tget(u, "metadata"), "componentType");
    if (!a->cfg.bugs && !delta_allowed(a, sender, ct ? ct : "")) continue;
    apply_delta(a, path, v);
  }
}

/* ---- admin selection (§6) ---- */

static void set_admin(ogrh_addon *a, const char *who, uint64_t now) {
  life *L = a->L;
  if (!strcmp(L->admin, who)) return;
  snprintf(L->admin, sizeof L->admin, "%s", who);
  L->disc_query_at = L->disc_resolve_at = NONE;
  if (strcmp(who, self(a)) != 0) {
    L->checks = false; /* StopIntegrityChecks */
    L->poll_at = L->enc_at = NONE;
  }
  if (!a->cfg.bugs && L->checksum_request && strcmp(who, self(a)) != 0) {
    /* RequestChecksums on join (never called at HEAD). */
    L->checksum_request = false;
    ogrh_arena *ar = ogrh_arena_new();
    if (ar) {
      tb m = tb_new(ar);
      tb_str(&m, "requestType", "checksums");
      ogrh_value v = tb_val(&m);
      send_value(a, "OGRH_ADMIN_QUERY", &v, OGAM_HIGH, now);
      ogrh_arena_free(ar);
    }
  }
}

static void admin_response(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  tb m = tb_new(ar);
  tb_str(&m, "purpose", "discovery");
  tb_str(&m, "playerName", self(a));
  tb_sets(&m, "rank", ogrh_vint(rank_of(a, self(a)) < 0 ? 0 : rank_of(a, self(a))));
  tb_sets(&m, "isCurrentAdmin", ogrh_vbool(is_admin(a, self(a))));
  if (L->admin[0]) tb_str(&m, "knownAdmin", L->admin);
  tb_str(&m, "version", VERSION);
  ogrh_value v = tb_val(&m);
  send_value(a, "OGRH_ADMIN_RESPONSE", &v, OGAM_HIGH, now);
  ogrh_arena_free(ar);
}

static void on_admin_query(ogrh_addon *a, const ogrh_value *d, uint64_t now) {
  const char *rt = tstr(d, "requestType");
  if (rt && !strcmp(rt, "checksums")) {
    if (is_admin(a, self(a))) a->L->forced_poll_at = now + 100;
    if (a->L->forced_poll_at != NONE) wake(a, a->L->forced_poll_at);
    return;
  }
  admin_response(a, now);
}

static void on_admin_response(ogrh_addon *a, const ogrh_value *d, uint64_t now) {
  life *L = a->L;
  if (L->disc_resolve_at != NONE) L->disc_responses++;
  const char *who = tstr(d, "playerName"), *known = tstr(d, "knownAdmin");
  /* Any answer naming an admin short-circuits discovery; nobody checks who says so. */
  if (tbool(d, "isCurrentAdmin") && who)
    set_admin(a, who, now);
  else if (known && !L->admin[0])
    set_admin(a, known, now);
}

static void on_admin_claim(ogrh_addon *a, const char *sender, const char *newadmin, uint64_t now) {
  /* BUG(code) §6: TAKEOVER / ASSIGN / CHANGE_LEAD are accepted from any sender. */
  if (!a->cfg.bugs && rank_of(a, sender) < 1 && !is_admin(a, sender)) {
    refused(a, sender, "admin claim");
    return;
  }
  if (newadmin) set_admin(a, newadmin, now);
}

/* ---- dispatch ---- */

static void dispatch(void *ud, const char *sender, const char *prefix, const uint8_t *data,
                     size_t n, uint64_t now) {
  ogrh_addon *a = ud;
  if (!a->L || strncmp(prefix, "OGRH", 4) != 0) return;
  if (strncmp(prefix + 4, "03", 2) != 0) return; /* another SYNC_VERSION: dropped */
  char type[64];
  snprintf(type, sizeof type, "OGRH%s", prefix + 6);
  char *at = strchr(type, '@');
  if (at) {
    if (strcmp(at + 1, self(a)) != 0) return;
    *at = '\0';
  }
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return;
  ogrh_value v = ogrh_vnil();
  if (n >= 2 && data[0] == 'T' && data[1] == ':') {
    if (ogrh_lua_parse(ar, (const char *)data + 2, n - 2, &v)) {
      refused(a, sender, "unreadable"); /* loadstring fails under pcall: dropped */
      ogrh_arena_free(ar);
      return;
    }
  } else if (n >= 2 && data[0] == 'S' && data[1] == ':') {
    char *s = ogrh_arena_memdup(ar, data + 2, n - 2);
    v = s ? ogrh_vstr(s, n - 2) : ogrh_vnil();
  }
  const char *t = type + 5; /* after "OGRH_" */
  if (!strcmp(t, "SYNC_DELTA"))
    on_delta(a, sender, &v, now);
  else if (!strcmp(t, "ASSIGN_DELTA_BATCH"))
    on_batch(a, sender, &v);
  else if (!strcmp(t, "SYNC_CHECKSUM_POLL"))
    on_poll(a, sender, &v, now);
  else if (!strcmp(t, "SYNC_REPAIR_REQUEST"))
    on_repair_request(a, sender, &v, now);
  else if (!strcmp(t, "SYNC_REPAIR_START"))
    on_repair_start(a, sender, &v);
  else if (!strcmp(t, "SYNC_REPAIR_PACKET_STRUCTURE"))
    on_repair_packet(a, sender, &v, PK_STRUCTURE);
  else if (!strcmp(t, "SYNC_REPAIR_PACKET_ROLESUI"))
    on_repair_packet(a, sender, &v, PK_ROLESUI);
  else if (!strcmp(t, "SYNC_REPAIR_PACKET_ENCOUNTER"))
    on_repair_packet(a, sender, &v, PK_ENCOUNTER);
  else if (!strcmp(t, "SYNC_REPAIR_VALIDATION"))
    on_validation(a, sender, &v, now);
  else if (!strcmp(t, "SYNC_REPAIR_COMPLETE"))
    on_repair_complete(a, sender, &v, now);
  else if (!strcmp(t, "ADMIN_QUERY"))
    on_admin_query(a, &v, now);
  else if (!strcmp(t, "ADMIN_RESPONSE"))
    on_admin_response(a, &v, now);
  else if (!strcmp(t, "ADMIN_TAKEOVER"))
    on_admin_claim(a, sender, sender, now);
  else if (!strcmp(t, "ADMIN_ASSIGN"))
    on_admin_claim(a, sender, tstr(&v, "newAdmin"), now);
  else if (!strcmp(t, "STATE_CHANGE_LEAD"))
    on_admin_claim(a, sender, tstr(&v, "adminName"), now);
  ogrh_arena_free(ar);
}

/* ---- life ---- */

static void life_free(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  if (!L) return;
  a->st.ogam.messages_sent += ogrh_ogam_stats(L->o)->messages_sent;
  const ogam_stats *os = ogrh_ogam_stats(L->o);
  a->st.ogam.chunks_queued += os->chunks_queued;
  a->st.ogam.received += os->received;
  a->st.ogam.reassembled += os->reassembled;
  a->st.ogam.timeouts += os->timeouts;
  a->st.ogam.hash_failures += os->hash_failures;
  a->st.ogam.dedup_dropped += os->dedup_dropped;
  a->st.ogam.retry_requests += os->retry_requests;
  a->st.ogam.retries_honoured += os->retries_honoured;
  a->st.ogam.retry_expired += os->retry_expired;
  a->st.ogam.r_too_long += os->r_too_long;
  ogrh_ogam_free(L->o, now);
  for (size_t i = 0; i < L->nbatch; i++)
    pend_free(&L->batch[i]);
  for (size_t i = 0; i < L->noff; i++)
    pend_free(&L->off[i]);
  ogrh_free(L->batch, L->capbatch * sizeof *L->batch);
  ogrh_free(L->off, L->capoff * sizeof *L->off);
  ogrh_free(L->reqs, L->capreq * sizeof *L->reqs);
  session_clear(&L->s);
  csums_clear(&L->cs);
  ogrh_free(L, sizeof *L);
  a->L = NULL;
}

static int life_new(ogrh_addon *a, uint64_t now) {
  life *L = ogrh_malloc(sizeof *L);
  if (!L) return OGRH_ENOMEM;
  memset(L, 0, sizeof *L);
  ogam_cfg oc;
  memset(&oc, 0, sizeof oc);
  oc.self = self(a);
  oc.bugs = a->cfg.bugs;
  oc.seed = a->cfg.seed * 1000003u + a->lives;
  ogrh_ctl_profile("ctl", &oc.ctl);
  oc.out = ogam_out;
  oc.dispatch = dispatch;
  oc.ud = a;
  L->o = ogrh_ogam_new(&oc, now);
  if (!L->o) {
    ogrh_free(L, sizeof *L);
    return OGRH_ENOMEM;
  }
  ogrh_ogam_set_fps(L->o, ogrh_sim_fps(a->cfg.sim, a->cfg.idx));
  L->batch_at = L->poll_at = L->enc_at = L->buffer_at = NONE;
  L->disc_query_at = L->disc_resolve_at = L->forced_poll_at = NONE;
  /* CheckAdminStatus every 5 s, at a phase of its own. */
  L->check_at = now + 1 + ogrh_sim_random(a->cfg.sim) % 5000;
  a->L = L;
  a->lives++;
  return OGRH_OK;
}

ogrh_addon *ogrh_addon_new(const ogrh_addon_cfg *c, uint64_t now) {
  if (!c || !c->sim || !c->doc || !c->host) return NULL;
  ogrh_addon *a = ogrh_malloc(sizeof *a);
  if (!a) return NULL;
  memset(a, 0, sizeof *a);
  a->cfg = *c;
  a->host = *c->host;
  snprintf(a->name, sizeof a->name, "%s", ogrh_sim_name(c->sim, c->idx));
  if (ogrh_sim_state_of(c->sim, c->idx) != OGRH_SIM_OFFLINE) {
    if (life_new(a, now)) {
      ogrh_free(a, sizeof *a);
      return NULL;
    }
    if (c->admin) snprintf(a->L->admin, sizeof a->L->admin, "%s", c->admin);
  }
  return a;
}

void ogrh_addon_free(ogrh_addon *a) {
  if (!a) return;
  life_free(a, 0);
  ogrh_free(a, sizeof *a);
}

static void start_discovery(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  L->admin[0] = '\0'; /* currentAdmin is cleared on load and when joining */
  L->checks = false;
  L->poll_at = L->enc_at = NONE;
  L->disc_query_at = now + 5000; /* 5 s of passive listening */
  L->checksum_request = true;
  wake(a, L->disc_query_at);
}

static void run_timers(ogrh_addon *a, uint64_t now) {
  life *L = a->L;
  if (L->batch_at != NONE && now >= L->batch_at) flush_batch(a, now);
  if (now >= L->check_at) {
    L->check_at = now + 5000;
    if (is_admin(a, self(a)) && in_raid(a) && !L->checks) {
      L->checks = true; /* StartIntegrityChecks: a forced poll after 5 s, then every 30 s */
      L->first_poll = true;
      L->poll_at = now + 5000;
      L->enc_at = now + 15000;
    }
  }
  if (L->poll_at != NONE && now >= L->poll_at) {
    broadcast_checksums(a, L->first_poll, now);
    L->first_poll = false;
    L->poll_at = now + 30000;
  }
  if (L->forced_poll_at != NONE && now >= L->forced_poll_at) {
    L->forced_poll_at = NONE;
    broadcast_checksums(a, true, now);
  }
  if (L->enc_at != NONE && now >= L->enc_at) {
    L->enc_at = now + 15000;
    if (in_raid(a)) {
      ogrh_arena *ar = ogrh_arena_new();
      if (ar) {
        tb m = tb_new(ar);
        tb_sets(&m, "raidIndex", ogrh_vint(1));
        tb_sets(&m, "encounterIndex", ogrh_vint(2));
        ogrh_value v = tb_val(&m);
        send_value(a, "OGRH_STATE_CHANGE_ENCOUNTER", &v, OGAM_LOW, now);
        ogrh_arena_free(ar);
      }
    }
  }
  if (L->buffer_at != NONE && now >= L->buffer_at) flush_repair_buffer(a, now);
  if (L->s.state != S_IDLE) session_step(a, now);
  if (L->skip_next && now >= L->skip_until) L->skip_next = false;
  if (L->disc_query_at != NONE && now >= L->disc_query_at) {
    L->disc_query_at = NONE;
    if (!L->admin[0]) {
      ogrh_value q = ogrh_vcstr("");
      send_value(a, "OGRH_ADMIN_QUERY", &q, OGAM_HIGH, now);
      L->disc_resolve_at = now + 5000;
      L->disc_responses = 0;
    }
  }
  if (L->disc_resolve_at != NONE && now >= L->disc_resolve_at) {
    L->disc_resolve_at = NONE;
    /* Nobody answered: the sole user self-assigns when it is the leader. */
    if (!L->admin[0] && L->disc_responses == 0 && rank_of(a, self(a)) == 2)
      set_admin(a, self(a), now);
  }
}

static uint64_t next_deadline(const life *L) {
  uint64_t t = L->check_at;
  const uint64_t c[] = {
      L->batch_at,      L->poll_at,         L->enc_at,         L->buffer_at,
      L->disc_query_at, L->disc_resolve_at, L->forced_poll_at, L->skip_next ? L->skip_until : NONE};
  for (size_t i = 0; i < sizeof c / sizeof *c; i++)
    if (c[i] < t) t = c[i];
  if (L->s.state != S_IDLE) {
    uint64_t s = L->s.state == S_VALIDATE ? L->s.vtimeout : L->s.at;
    if (s < t) t = s;
  }
  return t;
}

static uint64_t cb_frame(void *ud, uint64_t now) {
  ogrh_addon *a = ud;
  if (!a->L) return OGRH_SIM_IDLE;
  if (a->host.enter) a->host.enter(a->host.ud, a->cfg.idx);
  uint64_t w = ogrh_ogam_frame(a->L->o, now);
  run_timers(a, now);
  uint64_t t = next_deadline(a->L);
  if (ogrh_ogam_queue_depth(a->L->o)) t = now + 1;
  if (a->host.leave) a->host.leave(a->host.ud, a->cfg.idx);
  return w < t ? w : t;
}

static void cb_receive(void *ud, const char *sender, const char *prefix, const uint8_t *t, size_t n,
                       uint64_t now) {
  ogrh_addon *a = ud;
  if (!a->L) return;
  if (a->host.enter) a->host.enter(a->host.ud, a->cfg.idx);
  ogrh_ogam_receive(a->L->o, sender, prefix, t, n, now);
  if (a->host.leave) a->host.leave(a->host.ud, a->cfg.idx);
}

static void cb_event(void *ud, ogrh_sim_event ev, uint64_t now) {
  ogrh_addon *a = ud;
  if (a->host.enter) a->host.enter(a->host.ud, a->cfg.idx);
  switch (ev) {
  case OGRH_SIM_EV_RELOAD:
  case OGRH_SIM_EV_DISCONNECT:
    if (a->L) a->st.offline_lost += a->L->noff; /* the offline queue lives in memory only */
    life_free(a, now);
    break;
  case OGRH_SIM_EV_ENTER_WORLD: {
    bool fresh = !a->L;
    if (fresh && life_new(a, now)) break;
    ogrh_ogam_enter_world(a->L->o, now);
    if (fresh && in_raid(a)) start_discovery(a, now); /* AdminDiscovery on /reload in a raid */
    flush_offline(a, now);                            /* PLAYER_ENTERING_WORLD flushes */
    break;
  }
  case OGRH_SIM_EV_FPS:
    if (a->L) ogrh_ogam_set_fps(a->L->o, ogrh_sim_fps(a->cfg.sim, a->cfg.idx));
    break;
  default:
    break;
  }
  if (a->host.leave) a->host.leave(a->host.ud, a->cfg.idx);
}

const ogrh_sim_client_if ogrh_addon_client_if = {cb_frame, cb_receive, cb_event};

void ogrh_addon_combat(ogrh_addon *a, bool on, uint64_t now) {
  bool was = a->combat;
  a->combat = on;
  if (was && !on && a->L) flush_offline(a, now); /* PLAYER_REGEN_ENABLED */
}

void ogrh_addon_roster(ogrh_addon *a, bool joined, uint64_t now) {
  if (!a->L) return;
  if (joined) start_discovery(a, now);
  if (in_raid(a)) flush_offline(a, now);
}

int ogrh_addon_grant_admin(ogrh_addon *a, const char *target, uint64_t now) {
  if (!a->L) return OGRH_EAGAIN;
  /* AssignAdminRole: you are admin or L/A, and the target is L/A. */
  if (!(is_admin(a, self(a)) || rank_of(a, self(a)) >= 1) || rank_of(a, target) < 1)
    return OGRH_EREFUSED;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return OGRH_ENOMEM;
  tb m = tb_new(ar);
  tb_str(&m, "newAdmin", target);
  tb_str(&m, "assignedBy", self(a));
  tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
  ogrh_value v = tb_val(&m);
  send_value(a, "OGRH_ADMIN_ASSIGN", &v, OGAM_HIGH, now);
  ogrh_arena_free(ar);
  set_admin(a, target, now);
  return OGRH_OK;
}

int ogrh_forge_parse(const char *s, ogrh_forge_kind *out) {
  static const char *const names[] = {"admin_claim", "delta", "repair", "garbage"};
  for (int i = 0; i < 4; i++)
    if (!strcmp(s, names[i])) {
      *out = (ogrh_forge_kind)(i + 1);
      return OGRH_OK;
    }
  return OGRH_EINVAL;
}

const char *ogrh_forge_name(ogrh_forge_kind k) {
  static const char *const names[] = {"?", "admin_claim", "delta", "repair", "garbage"};
  return (int)k >= 1 && k <= OGRH_FORGE_GARBAGE ? names[k] : "?";
}

int ogrh_addon_forge(ogrh_addon *a, ogrh_forge_kind k, const char *path, const ogrh_value *marker,
                     uint64_t now) {
  if (!a->L) return OGRH_EAGAIN;
  ogrh_arena *ar = ogrh_arena_new();
  if (!ar) return OGRH_ENOMEM;
  tb m = tb_new(ar);
  int rc = OGRH_OK;
  switch (k) {
  case OGRH_FORGE_ADMIN_CLAIM: {
    tb_str(&m, "newAdmin", self(a));
    tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
    ogrh_value v = tb_val(&m);
    send_value(a, "OGRH_ADMIN_TAKEOVER", &v, OGAM_HIGH, now);
    break;
  }
  case OGRH_FORGE_DELTA: {
    tb_str(&m, "type", "REALTIME_UPDATE");
    tb_str(&m, "path", path);
    tb_sets(&m, "value", *marker);
    tb_str(&m, "componentType", "settings");
    tb_sets(&m, "timestamp", ogrh_vdouble(get_time(now)));
    tb_str(&m, "author", self(a));
    ogrh_value v = tb_val(&m);
    send_value(a, "OGRH_SYNC_DELTA", &v, OGAM_HIGH, now);
    break;
  }
  case OGRH_FORGE_REPAIR: {
    /* An ENCOUNTER packet for the encounter the path names, its announcement replaced. */
    long long e = 2;
    sscanf(path, "encounterMgmt.raids.1.encounters.%lld", &e);
    ogrh_value data = encounter_data(a, ar, e);
    tb ann = tb_new(ar);
    tb_set(&ann, ogrh_vint(1), *marker);
    if (!data.u.t ||
        ogrh_table_set(ar, data.u.t, &(ogrh_value){OGRH_STRING, 0, 13, {.s = "announcements"}},
                       &(ogrh_value){OGRH_TABLE, 0, 0, {.t = ann.t}}))
      rc = OGRH_ENOMEM;
    tb_str(&m, "type", "ENCOUNTER");
    tb_sets(&m, "layer", ogrh_vint(2));
    tb_sets(&m, "encounterIndex", ogrh_vint(e));
    tb_sets(&m, "data", data);
    tb_str(&m, "token", a->L->token[0] ? a->L->token : a->L->waiting_token);
    ogrh_value v = tb_val(&m);
    if (!rc) send_value(a, "OGRH_SYNC_REPAIR_PACKET_ENCOUNTER", &v, OGAM_HIGH, now);
    break;
  }
  case OGRH_FORGE_GARBAGE: {
    ogrh_value v = ogrh_vcstr("{[\"path\"]=os.exit(), garbage ]]");
    ogrh_buf w;
    ogrh_buf_init(&w);
    ogrh_buf_adds(&w, "T:");
    ogrh_buf_add(&w, v.u.s, v.len);
    if (!ogrh_buf_error(&w))
      ogrh_ogam_send(a->L->o, OGAM_HIGH, "OGRH03_SYNC_DELTA", (const uint8_t *)w.p, w.n, now);
    ogrh_buf_deinit(&w);
    wake(a, now);
    break;
  }
  default:
    rc = OGRH_EINVAL;
  }
  if (!rc) rc = m.err;
  ogrh_arena_free(ar);
  return rc;
}

const char *ogrh_addon_admin(const ogrh_addon *a) {
  return a->L ? a->L->admin : "";
}

const ogrh_addon_stats *ogrh_addon_stats_get(const ogrh_addon *a) {
  return &a->st;
}
