/*
** simrun.c
** Running a scenario: building the raid (plans, ranks, drift), driving one model of the sync
** (the addon model here; the library's node through the same operations) on the channel, and
** measuring what the issue asks for: convergence, lost writes, forgeries, bytes, how long a
** write takes to show at every other node and how much of that the protocol adds, how long
** repairs take, and the memory each node holds.
**
** Measuring. Every player's document has a digest tree attached (incremental), so comparing a
** node with the admin is comparing two 64-bit roots; docs are compared at most every 100 ms of
** simulated time, and only when something changed, but a change is timed when it happens: the
** moment two documents became equal is the time of the last change that made them so. Delta
** visibility is checked on each document change against the writes still being followed.
** Memory: the library's allocator is replaced for the run by one that charges every byte to
** the player whose code is running.
*/
#include "simrun.h"
#include "ogrh/gen.h"
#include "ogrh/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- time ---- */

static uint64_t sim_ms(double s) {
  return WARM_MS + (uint64_t)llround(s * 1000.0);
}
static double scen_s(run *R) {
  return ((double)ogrh_sim_now_us(R->sim) - WARM_MS * 1000.0) / 1e6;
}
static uint64_t now_ms(run *R) {
  return ogrh_sim_now_ms(R->sim);
}

static void logline(run *R, const char *kind, const char *who, const char *to, size_t bytes,
                    const char *detail) {
  if (R->o.log) R->o.log(R->o.log_ud, scen_s(R), kind, who ? who : "", to ? to : "", bytes, detail);
}

static void mark(run *R, const char *fmt, const char *a, const char *b) {
  if (R->nmarks >= 4000) return;
  if (R->nmarks == R->capmarks &&
      ogrh_grow(&R->marks, &R->capmarks, R->nmarks + 1, sizeof *R->marks))
    return;
  ogrh_sim_mark *m = &R->marks[R->nmarks++];
  m->t = scen_s(R);
  snprintf(m->label, sizeof m->label, fmt, a, b);
}

/* ---- memory accounting ---- */

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  run *R = ud;
  if (nsize == 0) {
    free(ptr);
    if (R->ctx >= 0) R->p[R->ctx].mem -= (long long)osize;
    return NULL;
  }
  void *q = realloc(ptr, nsize);
  if (!q) return NULL;
  if (R->ctx >= 0) {
    player *p = &R->p[R->ctx];
    p->mem += (long long)nsize - (long long)osize;
    if (p->mem > p->peak) p->peak = p->mem;
  }
  return q;
}

static int enter(run *R, int i) {
  int old = R->ctx;
  R->ctx = i;
  return old;
}

/* ---- players ---- */

static int find_player(run *R, const char *ref) {
  if (!ref || !*ref) return -1;
  if (ref[0] == '#') {
    int k = atoi(ref + 1);
    return k >= 1 && k <= R->np ? k - 1 : -1;
  }
  if (!strcmp(ref, "admin")) return R->admin;
  for (int i = 0; i < R->np; i++)
    if (!strcmp(R->p[i].name, ref)) return i;
  return -1;
}

static bool present(run *R, int i) {
  return R->p[i].in_raid && ogrh_sim_state_of(R->sim, i) != OGRH_SIM_OFFLINE;
}

/* A random player in the raid and online, not the admin, of a rank in [lo, hi]. */
static int random_player(run *R, int lo, int hi) {
  int cand[256], n = 0;
  for (int i = 0; i < R->np && n < 256; i++)
    if (i != R->admin && present(R, i) && R->p[i].rank >= lo && R->p[i].rank <= hi) cand[n++] = i;
  return n ? cand[ogrh_rng_below(&R->rng, (uint64_t)n)] : -1;
}

static int resolve(run *R, const char *ref) {
  if (!strcmp(ref, "random")) return random_player(R, 0, 2);
  if (!strcmp(ref, "random_member")) return random_player(R, 0, 0);
  if (!strcmp(ref, "random_officer")) return random_player(R, 1, 2);
  return find_player(R, ref);
}

int ogrh__sr_rank_of(void *ud, const char *name) {
  run *R = ud;
  if (!R->started) return -1;
  int i = find_player(R, name);
  return i >= 0 && R->p[i].in_raid ? R->p[i].rank : -1;
}

/* ---- the digest of a node's synced data ---- */

static ogrh_digest root_of(player *p) {
  ogrh_digest d = 0;
  ogrh_dtree_update(p->dt);
  ogrh_dtree_root(p->dt, &d);
  return d;
}

/* ---- the addon model ---- */

void ogrh__sr_refused(void *ud, int client, const char *sender, const char *what) {
  run *R = ud;
  (void)sender;
  if (R->o.log) logline(R, "refused", R->p[client].name, sender, 0, what);
}

static ogrh_addon_host addon_host;

static int addon_make(run *R, int i) {
  addon_host.ud = R;
  addon_host.rank_of = ogrh__sr_rank_of;
  addon_host.mismatch = ogrh__sr_mismatch;
  addon_host.refused = ogrh__sr_refused;
  ogrh_addon_cfg c;
  memset(&c, 0, sizeof c);
  c.sim = R->sim;
  c.idx = i;
  c.doc = R->p[i].doc;
  c.bugs = !R->o.addon_fixed;
  c.seed = ogrh_rng_next(&R->rng);
  c.admin = R->p[R->admin].name;
  c.host = &addon_host;
  R->p[i].client = ogrh_addon_new(&c, now_ms(R));
  return R->p[i].client ? OGRH_OK : OGRH_ENOMEM;
}
static void addon_destroy(run *R, int i) {
  ogrh_addon_free(R->p[i].client);
  R->p[i].client = NULL;
}
static int addon_write(run *R, int i, const char *path, const ogrh_value *v, ogrh_sync_level lvl,
                       const char *ctype, uint64_t now) {
  return ogrh_addon_write(R->p[i].client, path, v, lvl, ctype, now);
}
static void addon_combat(run *R, int i, bool on, uint64_t now) {
  ogrh_addon_combat(R->p[i].client, on, now);
}
static void addon_roster(run *R, int i, bool joined, uint64_t now) {
  ogrh_addon_roster(R->p[i].client, joined, now);
}
static int addon_grant(run *R, int by, int to, uint64_t now) {
  return ogrh_addon_grant_admin(R->p[by].client, R->p[to].name, now);
}
static int addon_forge(run *R, int by, ogrh_forge_kind k, const char *path, const ogrh_value *m,
                       uint64_t now) {
  return ogrh_addon_forge(R->p[by].client, k, path, m, now);
}
static const char *addon_admin_of(run *R, int i) {
  return ogrh_addon_admin(R->p[i].client);
}
static uint64_t addon_refused(run *R, int i) {
  return ogrh_addon_stats_get(R->p[i].client)->refused;
}
static double addon_poll_bytes(run *R) {
  double b = 0;
  for (int i = 0; i < R->np; i++)
    b += (double)ogrh_addon_stats_get(R->p[i].client)->poll_bytes;
  return b;
}

static const model_ops addon_ops = {
    addon_make,  addon_destroy, &ogrh_addon_client_if, addon_write,   addon_combat,    addon_roster,
    addon_grant, addon_forge,   addon_admin_of,        addon_refused, addon_poll_bytes};

/* ---- channel callbacks: charge the player, then the model ---- */

static uint64_t rc_frame(void *ud, uint64_t now) {
  player *p = ud;
  int old = enter(p->R, p->i);
  uint64_t w = p->R->m->ifc->frame(p->client, now);
  p->R->ctx = old;
  return w;
}
static void rc_receive(void *ud, const char *sender, const char *prefix, const uint8_t *t, size_t n,
                       uint64_t now) {
  player *p = ud;
  int old = enter(p->R, p->i);
  p->R->m->ifc->receive(p->client, sender, prefix, t, n, now);
  p->R->ctx = old;
}
static void rc_event(void *ud, ogrh_sim_event ev, uint64_t now) {
  player *p = ud;
  if (!p->client) return;
  int old = enter(p->R, p->i);
  p->R->m->ifc->event(p->client, ev, now);
  p->R->ctx = old;
  if (ev == OGRH_SIM_EV_DISCONNECT || ev == OGRH_SIM_EV_ENTER_WORLD) {
    p->R->membership_dirty = true;
    p->R->membership_us = ogrh_sim_now_us(p->R->sim);
  }
}
static const ogrh_sim_client_if run_if = {rc_frame, rc_receive, rc_event};

/* ---- plans ---- */

int ogrh__sr_copy_svfile(const ogrh_svfile *f, ogrh_svfile **out) {
  ogrh_svfile *n = ogrh_svfile_new();
  if (!n) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  for (size_t i = 0; i < f->n && !rc; i++) {
    ogrh_value v;
    rc = ogrh_value_copy(n->arena, &f->vars[i].value, &v);
    if (!rc) rc = ogrh_svfile_set(n, f->vars[i].name, &v);
  }
  if (rc) {
    ogrh_svfile_free(n);
    return rc;
  }
  *out = n;
  return OGRH_OK;
}

/* raids[1] becomes "[ACTIVE RAID]", a copy of the named raid; the others move up by one. */
static int make_active_raid(ogrh_doc *d, const char *name, ogrh_err *err) {
  ogrh_table *raids = ogrh_doc_raids(d);
  ogrh_arena *a = ogrh_doc_arena(d);
  if (!raids) return ogrh_err_set(err, OGRH_ESCHEMA, "plan: no raids for active_raid");
  int64_t src = 0;
  for (uint32_t i = 0; i < raids->n; i++) {
    size_t n;
    if (raids->e[i].val.type != OGRH_TABLE || raids->e[i].key.type != OGRH_INT) continue;
    const char *rn = ogrh_table_name(raids->e[i].val.u.t, &n);
    if (n == strlen(name) && memcmp(rn, name, n) == 0) src = raids->e[i].key.u.i;
  }
  if (!src) return ogrh_err_set(err, OGRH_ENOTFOUND, "plan: no raid named '%s'", name);
  ogrh_value copy;
  ogrh_value from = ogrh_vtable(ogrh_doc_raid(d, src));
  if (ogrh_value_copy(a, &from, &copy)) return OGRH_ENOMEM;
  char dn[96];
  snprintf(dn, sizeof dn, "[AR] %s", name);
  struct {
    const char *k;
    ogrh_value v;
  } set[] = {{"id", ogrh_vcstr("__active__")},
             {"name", ogrh_vcstr("[ACTIVE RAID]")},
             {"displayName", ogrh_vstr(ogrh_arena_memdup(a, dn, strlen(dn)), strlen(dn))},
             {"sortOrder", ogrh_vint(0)},
             {"sourceRaidId", ogrh_vstr(ogrh_arena_memdup(a, name, strlen(name)), strlen(name))}};
  for (size_t k = 0; k < sizeof set / sizeof *set; k++) {
    ogrh_value key = ogrh_vcstr(set[k].k);
    if ((set[k].v.type == OGRH_STRING && !set[k].v.u.s) ||
        ogrh_table_set(a, copy.u.t, &key, &set[k].v))
      return OGRH_ENOMEM;
  }
  ogrh_table *nr = ogrh_table_new(a, raids->n + 1);
  if (!nr) return OGRH_ENOMEM;
  ogrh_value one = ogrh_vint(1);
  if (ogrh_table_set(a, nr, &one, &copy)) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < raids->n; i++) {
    ogrh_value k = raids->e[i].key;
    if (k.type == OGRH_INT) k.u.i++;
    if (ogrh_table_set(a, nr, &k, &raids->e[i].val)) return OGRH_ENOMEM;
  }
  *raids = *nr; /* the raids table keeps its identity inside encounterMgmt */
  return OGRH_OK;
}

static int base_plan(run *R, ogrh_svfile **out, ogrh_err *err) {
  const ogrh_scenario *sc = R->sc;
  ogrh_doc *d = NULL;
  int rc;
  if (sc->plan == PLAN_GENERATE) {
    ogrh_svfile *f;
    if ((rc = ogrh_gen(&sc->gen, &f, err))) return rc;
    rc = ogrh_doc_from_svfile(f, &d, err);
  } else if (sc->plan == PLAN_FILE) {
    rc = ogrh_doc_load(sc->plan_file, &d, err);
  } else {
    rc = ogrh_doc_defaults(&d, err);
  }
  if (rc) return rc;
  if (sc->active_raid[0] && (rc = make_active_raid(d, sc->active_raid, err))) {
    ogrh_doc_free(d);
    return rc;
  }
  rc = ogrh__sr_copy_svfile(ogrh_doc_svfile(d), out);
  ogrh_doc_free(d);
  return rc;
}

static int empty_plan(ogrh_svfile **out) {
  static const char text[] = "OGRH_SV = { [\"schemaVersion\"] = \"v2\", [\"v2\"] = {} }\n";
  return ogrh_svfile_parse(text, sizeof text - 1, "empty", out, NULL);
}

/* ---- drift ---- */

static ogrh_value name_value(run *R, int k) {
  return ogrh_vstr(R->p[k].name, strlen(R->p[k].name));
}

/* Encounters of the active raid that have roles; a random one when e is 0. */
static int64_t pick_encounter(run *R, ogrh_doc *d, int64_t e) {
  if (e) return ogrh_doc_encounter(d, 1, e) ? e : 0;
  ogrh_table *raid = ogrh_doc_raid(d, 1);
  ogrh_value *encs = raid ? ogrh_table_gets(raid, "encounters") : NULL;
  if (!encs || encs->type != OGRH_TABLE || !encs->u.t->n) return 0;
  for (int tries = 0; tries < 64; tries++) {
    const ogrh_entry *x = &encs->u.t->e[ogrh_rng_below(&R->rng, encs->u.t->n)];
    ogrh_value *roles = x->val.type == OGRH_TABLE ? ogrh_table_gets(x->val.u.t, "roles") : NULL;
    if (x->key.type == OGRH_INT && roles && roles->type == OGRH_TABLE && roles->u.t->n)
      return x->key.u.i;
  }
  return 0;
}

static int64_t pick_role(run *R, ogrh_doc *d, int64_t e, int64_t *slots) {
  ogrh_table *enc = ogrh_doc_encounter(d, 1, e);
  ogrh_value *roles = enc ? ogrh_table_gets(enc, "roles") : NULL;
  if (!roles || roles->type != OGRH_TABLE || !roles->u.t->n) return 0;
  const ogrh_entry *x = &roles->u.t->e[ogrh_rng_below(&R->rng, roles->u.t->n)];
  ogrh_value *s = x->val.type == OGRH_TABLE ? ogrh_table_gets(x->val.u.t, "slots") : NULL;
  *slots = s && s->type == OGRH_INT && s->u.i > 0 ? (s->u.i > 40 ? 40 : s->u.i) : 1;
  return x->key.type == OGRH_INT ? x->key.u.i : 0;
}

static int set(ogrh_doc *d, const char *path, const ogrh_value *v) {
  return ogrh_doc_set_path(d, path, v, NULL, NULL);
}

/* Changes component c of encounter e so that it surely differs. */
static int perturb(run *R, ogrh_doc *d, int64_t e, int c) {
  char path[SC_PATH], base[64];
  snprintf(base, sizeof base, "encounterMgmt.raids.1.encounters.%lld", (long long)e);
  int64_t slots = 1, r = pick_role(R, d, e, &slots);
  int64_t s = 1 + (int64_t)ogrh_rng_below(&R->rng, (uint64_t)slots);
  const ogrh_value *old = NULL;
  ogrh_value v;
  switch (c) {
  case 0: /* encounterMetadata */
    snprintf(path, sizeof path, "%s.displayName", base);
    v = ogrh_vcstr("Drifted encounter");
    break;
  case 1: /* roles */
    if (!r) return OGRH_OK;
    snprintf(path, sizeof path, "%s.roles.%lld.slots", base, (long long)r);
    v = ogrh_vint(slots + 1);
    break;
  case 2: { /* playerAssignments */
    if (!r) return OGRH_OK;
    snprintf(path, sizeof path, "%s.roles.%lld.assignedPlayers.%lld", base, (long long)r,
             (long long)s);
    ogrh_doc_get(d, path, &old, NULL);
    int k = (int)ogrh_rng_below(&R->rng, (uint64_t)R->np);
    v = name_value(R, k);
    if (old && ogrh_value_equal(old, &v)) v = name_value(R, (k + 1) % R->np);
    break;
  }
  case 3: /* raidMarks */
  case 4: /* assignmentNumbers */
    if (!r) return OGRH_OK;
    snprintf(path, sizeof path, "%s.roles.%lld.%s.%lld", base, (long long)r,
             c == 3 ? "raidMarks" : "assignmentNumbers", (long long)s);
    ogrh_doc_get(d, path, &old, NULL);
    v = ogrh_vint(old && old->type == OGRH_INT ? (old->u.i % 8) + 1 : 1 + (c == 4));
    break;
  default: /* announcements */
    snprintf(path, sizeof path, "%s.announcements.1", base);
    v = ogrh_vcstr("Drifted announcement line");
  }
  return set(d, path, &v);
}

static int perturb_global(run *R, ogrh_doc *d, int g) {
  if (g < 0) g = (int)ogrh_rng_below(&R->rng, OGRH_NGLOBALS);
  char path[SC_PATH];
  ogrh_value v;
  if (g == OGRH_G_ROLESUI) {
    snprintf(path, sizeof path, "roles.%s", R->p[ogrh_rng_below(&R->rng, (uint64_t)R->np)].name);
    v = ogrh_vcstr("DRIFTED");
  } else {
    snprintf(path, sizeof path, "%s.1.simDrift", ogrh_global_key(g));
    v = ogrh_vint(1 + (int64_t)ogrh_rng_below(&R->rng, 1000));
  }
  return set(d, path, &v);
}

static int apply_drift(run *R, int i, const sc_drift *dr) {
  ogrh_doc *d = R->p[i].doc;
  int64_t e;
  int rc = OGRH_OK;
  switch (dr->kind) {
  case DR_PATH:
    return set(d, dr->path, &dr->value);
  case DR_COMPONENT:
    if (!(e = pick_encounter(R, d, dr->encounter))) return OGRH_OK;
    return perturb(R, d, e,
                   dr->component >= 0 ? dr->component
                                      : (int)ogrh_rng_below(&R->rng, OGRH_NCOMPONENTS));
  case DR_ENCOUNTER:
    if (!(e = pick_encounter(R, d, dr->encounter))) return OGRH_OK;
    for (int c = 2; c <= 5 && !rc; c++)
      if (c != 4) rc = perturb(R, d, e, c);
    return rc;
  case DR_RAID: {
    ogrh_table *raid = ogrh_doc_raid(d, 1);
    ogrh_value *encs = raid ? ogrh_table_gets(raid, "encounters") : NULL;
    size_t n = encs && encs->type == OGRH_TABLE ? encs->u.t->n : 0;
    for (size_t k = 0; k < n && !rc; k++)
      if (encs->u.t->e[k].key.type == OGRH_INT) {
        int64_t key = encs->u.t->e[k].key.u.i;
        rc = perturb(R, d, key, 2);
        if (!rc) rc = perturb(R, d, key, 3);
        encs = ogrh_table_gets(ogrh_doc_raid(d, 1), "encounters"); /* may have moved */
      }
    return rc;
  }
  case DR_EMPTY: {
    ogrh_table *t = ogrh_table_new(ogrh_doc_arena(d), 0);
    if (!t) return OGRH_ENOMEM;
    ogrh_value v = ogrh_vtable(t);
    return ogrh_doc_replace_root(d, &v, NULL);
  }
  case DR_GLOBAL:
    return perturb_global(R, d, dr->global);
  }
  return OGRH_OK;
}

static void on_change(void *ud, const ogrh_change *c);

int ogrh__sr_rebind(run *R, int i, ogrh_doc *d) {
  player *p = &R->p[i];
  if (p->doc == d) return OGRH_OK;
  int old = enter(R, -1);
  if (p->sub > 0) ogrh_doc_unsubscribe(p->doc, p->sub);
  ogrh_dtree_free(p->dt);
  p->dt = NULL;
  p->sub = 0;
  p->doc = d;
  int rc = ogrh_dtree_build(d, &p->dt);
  if (!rc) rc = ogrh_dtree_attach(p->dt, d);
  if (!rc && (p->sub = ogrh_doc_subscribe(d, on_change, p)) <= 0) rc = OGRH_ENOMEM;
  p->dirty = R->any_dirty = true;
  p->last_change_us = ogrh_sim_now_us(R->sim);
  R->ctx = old;
  return rc;
}

/* ---- following writes ---- */

static bool related(const ogrh_path *a, const ogrh_path *b) {
  size_t n = a->n < b->n ? a->n : b->n;
  for (size_t k = 0; k < n; k++)
    if (a->seg[k].type != b->seg[k].type || ogrh_key_cmp(&a->seg[k], &b->seg[k]) != 0) return false;
  return true;
}

static bool shows(player *p, const tw *w) {
  const ogrh_value *v;
  int rc = ogrh_doc_get_path(p->doc, &w->p, &v);
  if (w->v.type == OGRH_NIL) return rc == OGRH_ENOTFOUND;
  return rc == OGRH_OK && ogrh_value_equal(v, &w->v);
}

static void on_change(void *ud, const ogrh_change *c) {
  player *p = ud;
  run *R = p->R;
  uint64_t now = ogrh_sim_now_us(R->sim);
  p->dirty = true;
  R->any_dirty = true;
  p->last_change_us = now;
  if (now > R->changed_max_us) R->changed_max_us = now;
  /* Writes are followed until every receiver shows them, or for TRACK_US. */
  while (R->track_from < R->nw &&
         (!R->w[R->track_from]->tracking || now > R->w[R->track_from]->t_us + TRACK_US))
    R->w[R->track_from++]->tracking = false;
  for (size_t k = R->track_from; k < R->nw; k++) {
    tw *w = R->w[k];
    if (!w->tracking || w->superseded || !w->recv[p->i] || w->vis[p->i] >= 0) continue;
    if (c->path && c->path->n && !related(c->path, &w->p)) continue;
    if (!shows(p, w)) continue;
    w->vis[p->i] = (double)(now - w->t_us) / 1e6;
    w->delay[p->i] = ogrh_sim_delivery_delay_ms(R->sim);
    w->via[p->i] = ogrh_sim_delivery_sender(R->sim);
    if (--w->waiting == 0) w->tracking = false;
  }
}

static void supersede(run *R, const char *path) {
  ogrh_path p;
  if (ogrh_path_parse(path, &p, NULL)) return;
  for (size_t k = 0; k < R->nw; k++)
    if (!R->w[k]->superseded && related(&R->w[k]->p, &p)) R->w[k]->superseded = true;
}

static bool permitted(run *R, int i, const char *ctype) {
  if (i == R->admin) return true;
  bool assign =
      !strcmp(ctype, "assignments") || !strcmp(ctype, "marks") || !strcmp(ctype, "numbers");
  return assign && R->p[i].rank >= 1;
}

static int track(run *R, int writer, const char *path, const ogrh_value *v, bool accepted) {
  if (R->nw == R->capw && ogrh_grow(&R->w, &R->capw, R->nw + 1, sizeof *R->w)) return OGRH_ENOMEM;
  tw *w = ogrh_arena_alloc(R->arena, sizeof *w);
  if (!w) return OGRH_ENOMEM;
  memset(w, 0, sizeof *w);
  w->t_us = ogrh_sim_now_us(R->sim);
  w->writer = writer;
  snprintf(w->path, sizeof w->path, "%s", path);
  if (ogrh_path_parse(path, &w->p, NULL)) return OGRH_OK;
  supersede(R, path);
  if (ogrh_value_copy(R->arena, v, &w->v)) return OGRH_ENOMEM;
  size_t np = (size_t)R->np;
  w->vis = ogrh_arena_alloc(R->arena, np * sizeof *w->vis);
  w->delay = ogrh_arena_alloc(R->arena, np * sizeof *w->delay);
  w->via = ogrh_arena_alloc(R->arena, np * sizeof *w->via);
  w->recv = ogrh_arena_alloc(R->arena, np * sizeof *w->recv);
  if (!w->vis || !w->delay || !w->via || !w->recv) return OGRH_ENOMEM;
  for (size_t k = 0; k < np; k++) {
    w->vis[k] = -1;
    w->delay[k] = 0;
    w->via[k] = -1;
    w->recv[k] = (int)k != writer && present(R, (int)k);
    w->waiting += w->recv[k];
  }
  w->accepted = accepted;
  w->writer_admin = writer == R->admin;
  w->tracking = w->waiting > 0;
  R->w[R->nw++] = w;
  return OGRH_OK;
}

/* ---- scenario events ---- */

/* A random assignment edit in the active raid (as the admin's document has it). */
static bool random_edit(run *R, char *path, ogrh_value *v, const char **ctype) {
  ogrh_doc *d = R->p[R->admin].doc;
  int64_t e = pick_encounter(R, d, 0), slots = 1;
  if (!e) return false;
  int64_t r = pick_role(R, d, e, &slots);
  if (!r) return false;
  int64_t s = 1 + (int64_t)ogrh_rng_below(&R->rng, (uint64_t)slots);
  uint64_t kind = ogrh_rng_below(&R->rng, 100);
  const char *field = kind < 60 ? "assignedPlayers" : kind < 85 ? "raidMarks" : "assignmentNumbers";
  snprintf(path, SC_PATH, "encounterMgmt.raids.1.encounters.%lld.roles.%lld.%s.%lld", (long long)e,
           (long long)r, field, (long long)s);
  if (kind < 60) {
    *v = name_value(R, (int)ogrh_rng_below(&R->rng, (uint64_t)R->np));
    *ctype = "assignments";
  } else if (kind < 85) {
    *v = ogrh_vint(1 + (int64_t)ogrh_rng_below(&R->rng, 8));
    *ctype = "marks";
  } else {
    *v = ogrh_vint((int64_t)ogrh_rng_below(&R->rng, 10));
    *ctype = "numbers";
  }
  return true;
}

/* RAID_ROSTER_UPDATE at everyone in the raid (and at i, who joined or left). */
static void roster_changed(run *R, int i, bool joined) {
  uint64_t now = now_ms(R);
  for (int k = 0; k < R->np; k++) {
    if (!R->p[k].in_raid && k != i) continue;
    int old = enter(R, k);
    R->m->roster(R, k, k == i && joined, now);
    R->ctx = old;
  }
}

static void set_in_raid(run *R, int i, bool in, bool joined) {
  R->p[i].in_raid = in;
  ogrh_sim_set_group(R->sim, i, in);
  R->membership_dirty = true;
  R->membership_us = ogrh_sim_now_us(R->sim);
  roster_changed(R, i, joined);
}

static void do_event(void *ud, uint64_t now) {
  rev *ev = ud;
  run *R = ev->R;
  sc_event *e = &ev->e;
  int who = e->kind == SE_COMBAT ? -1 : resolve(R, e->player);
  if (e->kind != SE_COMBAT && e->kind != SE_DRIFT && who < 0) return;
  const char *wn = who >= 0 ? R->p[who].name : e->player;
  R->last_event_s = scen_s(R);
  char detail[SC_PATH + 32] = "";
  switch (e->kind) {
  case SE_WRITE: {
    if (ogrh_sim_state_of(R->sim, who) != OGRH_SIM_ONLINE) return;
    char path[SC_PATH];
    ogrh_value v = e->value;
    const char *ctype = e->ctype[0] ? e->ctype : NULL;
    if (e->path[0]) {
      snprintf(path, sizeof path, "%s", e->path);
    } else if (!random_edit(R, path, &v, &ctype)) {
      return;
    }
    if (!ctype) ctype = ogrh_addon_component_type(path);
    int old = enter(R, who);
    int rc = R->m->write(R, who, path, &v, e->level, ctype, now);
    R->ctx = old;
    if (rc == OGRH_OK) track(R, who, path, &v, permitted(R, who, ctype));
    snprintf(detail, sizeof detail, "%s %s%s", ogrh_sync_level_name(e->level), path,
             rc ? " (refused)" : "");
    break;
  }
  case SE_DRIFT: {
    int n = e->drift.count ? e->drift.count : 1;
    for (int k = 0; k < n; k++) {
      int t = e->drift.player[0] ? resolve(R, e->drift.player) : random_player(R, 0, 2);
      if (t < 0) continue;
      int old = enter(R, t);
      apply_drift(R, t, &e->drift);
      R->ctx = old;
      if (e->drift.kind == DR_PATH) supersede(R, e->drift.path);
      wn = R->p[t].name;
    }
    R->drift_us = ogrh_sim_now_us(R->sim);
    break;
  }
  case SE_ZONE:
    ogrh_sim_zone(R->sim, who, (uint64_t)(e->seconds * 1000));
    break;
  case SE_RELOAD:
    ogrh_sim_reload(R->sim, who, (uint64_t)(e->seconds * 1000));
    break;
  case SE_DISCONNECT:
    ogrh_sim_disconnect(R->sim, who);
    R->membership_dirty = true;
    R->membership_us = ogrh_sim_now_us(R->sim);
    roster_changed(R, -1, false); /* the roster shows the player offline */
    break;
  case SE_RECONNECT:
    ogrh_sim_reconnect(R->sim, who, (uint64_t)(e->seconds * 1000));
    roster_changed(R, -1, false);
    break;
  case SE_COMBAT:
    for (int k = 0; k < R->np; k++) {
      if (strcmp(e->player, "all") != 0 && k != resolve(R, e->player)) continue;
      int old = enter(R, k);
      R->m->combat(R, k, e->on, now);
      R->ctx = old;
    }
    snprintf(detail, sizeof detail, "%s", e->on ? "on" : "off");
    break;
  case SE_JOIN:
    if (ogrh_sim_state_of(R->sim, who) == OGRH_SIM_OFFLINE)
      ogrh_sim_reconnect(R->sim, who, (uint64_t)(e->seconds * 1000));
    if (!R->p[who].in_raid) set_in_raid(R, who, true, true);
    break;
  case SE_LEAVE:
    if (R->p[who].in_raid && who != R->admin) set_in_raid(R, who, false, false);
    break;
  case SE_GRANT: {
    int to = resolve(R, e->to);
    if (to < 0 || R->p[who].rank < 1 || R->p[to].rank < 1) return;
    int old = enter(R, who);
    int rc = R->m->grant(R, who, to, now);
    R->ctx = old;
    if (rc == OGRH_OK) {
      R->admin = to;
      R->membership_dirty = true;
      R->membership_us = ogrh_sim_now_us(R->sim);
    }
    snprintf(detail, sizeof detail, "to %s", R->p[to].name);
    break;
  }
  case SE_FORGE: {
    if (R->nf == R->capf && ogrh_grow(&R->f, &R->capf, R->nf + 1, sizeof *R->f)) return;
    forgery *f = &R->f[R->nf];
    memset(f, 0, sizeof *f);
    f->by = who;
    f->kind = e->forge;
    int64_t enc = pick_encounter(R, R->p[R->admin].doc, 0);
    snprintf(f->path, sizeof f->path, "encounterMgmt.raids.1.encounters.%lld.announcements.1",
             (long long)(enc ? enc : 1));
    char m[48];
    snprintf(m, sizeof m, "FORGED-%zu", R->nf + 1);
    char *ms = ogrh_arena_memdup(R->arena, m, strlen(m));
    f->hit = ogrh_arena_alloc(R->arena, (size_t)R->np * sizeof *f->hit);
    if (!ms || !f->hit) return;
    memset(f->hit, 0, (size_t)R->np * sizeof *f->hit);
    f->marker = ogrh_vstr(ms, strlen(m));
    R->nf++;
    int old = enter(R, who);
    R->m->forge(R, who, f->kind, f->path, &f->marker, now);
    R->ctx = old;
    snprintf(detail, sizeof detail, "%s", ogrh_forge_name(f->kind));
    break;
  }
  case SE_FPS:
    ogrh_sim_set_fps(R->sim, who, e->fps);
    break;
  default:
    break;
  }
  logline(R, ogrh_sc_kind_names[e->kind], wn, "", 0, detail);
  mark(R, "%s %s", ogrh_sc_kind_names[e->kind], wn);
}

/* ---- random events ---- */

static sc_event *new_event(run *R, double at, sc_ev_kind k, const char *who) {
  if (R->nev % 64 == 0) {
    rev *n = ogrh_arena_alloc(R->arena, (R->nev + 64) * sizeof *n);
    if (!n) return NULL;
    if (R->nev) memcpy(n, R->ev, R->nev * sizeof *n);
    R->ev = n;
  }
  R->ev[R->nev].R = R;
  sc_event *e = &R->ev[R->nev++].e;
  memset(e, 0, sizeof *e);
  e->at = at;
  e->kind = k;
  e->level = OGRH_SYNC_REALTIME;
  snprintf(e->player, SC_NAME, "%s", who);
  return e;
}

static double uni(run *R, double lo, double hi) {
  return lo + (hi - lo) * ogrh_rng_unit(&R->rng);
}

/* The admin, or (officer_fraction of the time) one of the officers, named for good. */
static const char *writer_ref(run *R, char *buf) {
  const sc_random *x = &R->sc->rnd;
  int off[256], n = 0;
  for (int i = 0; i < R->np && n < 256; i++)
    if (R->p[i].rank == 1 && i != R->admin) off[n++] = i;
  if (!n || ogrh_rng_unit(&R->rng) >= x->officer_fraction) return "admin";
  snprintf(buf, SC_NAME, "#%d", off[ogrh_rng_below(&R->rng, (uint64_t)n)] + 1);
  return buf;
}

/* An event for one player (not #1) at a random time in [a, b], and its counterpart for the
** same player lo..hi s later (a disconnect and its reconnect). Returns the counterpart. */
static sc_event *pair(run *R, double a, double b, sc_ev_kind first, sc_ev_kind then, double lo,
                      double hi) {
  char ref[SC_NAME];
  snprintf(ref, sizeof ref, "#%d", 2 + (int)ogrh_rng_below(&R->rng, (uint64_t)(R->np - 1)));
  double t = uni(R, a, b);
  if (!new_event(R, t, first, ref)) return NULL;
  return new_event(R, fmin(b, t + uni(R, lo, hi)), then, ref);
}

static int generate(run *R) {
  const sc_random *x = &R->sc->rnd;
  double a = x->from, b = x->to;
  sc_event *e;
  char wbuf[SC_NAME];
#define NEW(at, k, who)                                                                            \
  if (!(e = new_event(R, (at), (k), (who)))) return OGRH_ENOMEM
  if (x->encounters > 0) {
    /* A raid night: before each pull a burst of edits, then the fight. */
    double slot = (b - a) / x->encounters;
    for (int k = 0; k < x->encounters; k++) {
      double pull = a + slot * (k + 0.6);
      int edits = x->writes / x->encounters;
      for (int j = 0; j < edits; j++) {
        NEW(uni(R, pull - 0.5 * slot, pull - 5), SE_WRITE, writer_ref(R, wbuf));
        if (ogrh_rng_unit(&R->rng) < x->batch_fraction) e->level = OGRH_SYNC_BATCH;
      }
      NEW(pull, SE_COMBAT, "all");
      e->on = true;
      NEW(pull + uni(R, 0.15, 0.35) * slot, SE_COMBAT, "all");
      e->on = false;
    }
  } else {
    int burst = x->burst > 1 ? x->burst : 1;
    for (int k = 0; k < x->writes; k += burst) {
      double t = uni(R, a, b);
      const char *who = writer_ref(R, wbuf);
      for (int j = 0; j < burst && k + j < x->writes; j++) {
        /* A burst is one person's edits, within 2 s. */
        NEW(burst > 1 ? t + uni(R, 0, 2) : t, SE_WRITE, who);
        if (ogrh_rng_unit(&R->rng) < x->batch_fraction) e->level = OGRH_SYNC_BATCH;
      }
    }
    for (int k = 0; k < x->combats; k++) {
      double t = uni(R, a, b);
      NEW(t, SE_COMBAT, "all");
      e->on = true;
      NEW(fmin(b, t + uni(R, 20, 120)), SE_COMBAT, "all");
      e->on = false;
    }
  }
  for (int k = 0; k < x->drifts; k++) {
    NEW(uni(R, a, b), SE_DRIFT, "");
    e->drift.kind = DR_COMPONENT;
    e->drift.component = e->drift.global = -1;
    e->drift.count = 1;
  }
  for (int k = 0; k < x->zones; k++) {
    NEW(uni(R, a, b), SE_ZONE, "random");
    e->seconds = uni(R, 2, 30);
  }
  for (int k = 0; k < x->reloads; k++) {
    NEW(uni(R, a, b), SE_RELOAD, "random");
    e->seconds = uni(R, 3, 20);
  }
  for (int k = 0; k < x->disconnects; k++)
    if (!(e = pair(R, a, b, SE_DISCONNECT, SE_RECONNECT, 5, 60)))
      return OGRH_ENOMEM;
    else
      e->seconds = 10;
  for (int k = 0; k < x->rejoins; k++)
    if (!pair(R, a, b, SE_LEAVE, SE_JOIN, 10, 60)) return OGRH_ENOMEM;
  for (int k = 0; k < x->forges; k++) {
    NEW(uni(R, a, b), SE_FORGE, "random_member");
    e->forge = (ogrh_forge_kind)(1 + ogrh_rng_below(&R->rng, 4));
  }
  for (int k = 0; k < x->handovers; k++) {
    NEW(uni(R, a, b), SE_GRANT, "#1");
    snprintf(e->to, SC_NAME, "%s", "random_officer");
  }
#undef NEW
  return OGRH_OK;
}

/* ---- sampling ---- */

static void check_forgeries(run *R) {
  for (size_t k = 0; k < R->nf; k++) {
    forgery *f = &R->f[k];
    for (int i = 0; i < R->np; i++) {
      if (f->hit[i] || i == f->by) continue;
      bool hit;
      if (f->kind == OGRH_FORGE_ADMIN_CLAIM) {
        const char *a = R->m->admin_of(R, i);
        hit = a && !strcmp(a, R->p[f->by].name);
      } else {
        const ogrh_value *v;
        hit = ogrh_doc_get(R->p[i].doc, f->path, &v, NULL) == OGRH_OK &&
              ogrh_value_equal(v, &f->marker);
      }
      if (hit) {
        f->hit[i] = true;
        logline(R, "forgery_accepted", R->p[i].name, R->p[f->by].name, 0, ogrh_forge_name(f->kind));
      }
    }
  }
}

static void compare(run *R) {
  bool dirty = R->any_dirty || R->membership_dirty;
  if (dirty) {
    int old = enter(R, -1);
    ogrh_digest ar = root_of(&R->p[R->admin]);
    size_t stale = 0;
    bool all = true;
    for (int i = 0; i < R->np; i++) {
      player *p = &R->p[i];
      p->dirty = false;
      if (!present(R, i) || i == R->admin) continue;
      p->equal = root_of(p) == ar;
      all &= p->equal;
      stale += !p->equal;
    }
    R->ctx = old;
    if (all && !R->all_equal) {
      uint64_t t = R->changed_max_us;
      if (R->membership_dirty && R->membership_us > t) t = R->membership_us;
      R->t_conv_us = t;
      /* Marked on plots when the difference lasted (not every delta on its way). */
      if (t > R->t_split_us + 2000000) mark(R, "%s%s", "converged", "");
    }
    if (!all && R->all_equal) R->t_split_us = ogrh_sim_now_us(R->sim);
    R->all_equal = all;
    if (stale > R->stale_max) R->stale_max = stale;
    /* The repair being measured is done when every node that was stale matches. */
    if (R->measuring && R->known && !R->repaired) {
      bool done = true;
      uint64_t last = R->known_us;
      for (int i = 0; i < R->np; i++)
        if (R->p[i].stale0 && present(R, i)) {
          done &= R->p[i].equal || i == R->admin;
          if (R->p[i].last_change_us > last) last = R->p[i].last_change_us;
        }
      if (done) {
        R->repaired = true;
        R->repaired_us = last;
        mark(R, "%s%s", "repair verified", "");
        logline(R, "repaired", "", "", 0, R->sc->measure_repair);
      }
    }
    R->any_dirty = R->membership_dirty = false;
    R->changed_max_us = 0;
  }
}

static void sample(void *ud, uint64_t now) {
  run *R = ud;
  compare(R);
  /* Once a second: the most stale players seen in the second that ends now, and forgeries. */
  if (now > WARM_MS && (now - WARM_MS) % 1000 == 0) {
    size_t stale = 0;
    for (int i = 0; i < R->np; i++)
      stale += present(R, i) && i != R->admin && !R->p[i].equal;
    if (R->stale_max > stale) stale = R->stale_max;
    R->stale_max = 0;
    if (R->nstale == R->capstale)
      ogrh_grow(&R->stale, &R->capstale, R->nstale + 1, sizeof *R->stale);
    if (R->nstale < R->capstale) R->stale[R->nstale++] = (uint16_t)stale;
    check_forgeries(R);
  }
  uint64_t next = now + SAMPLE_MS;
  if (next <= sim_ms(R->sc->duration)) ogrh_sim_at(R->sim, next, sample, R);
}

void ogrh__sr_mismatch(void *ud, int client, uint64_t now) {
  run *R = ud;
  (void)now;
  if (R->measuring && !R->known && ogrh_sim_now_us(R->sim) >= R->drift_us) {
    R->known = true;
    R->known_us = ogrh_sim_now_us(R->sim);
  }
  /* On plots: the first mismatch found after a quiet moment. */
  if (ogrh_sim_now_us(R->sim) > R->mismatch_us + 5000000) mark(R, "%s%s", "mismatch known", "");
  R->mismatch_us = ogrh_sim_now_us(R->sim);
  logline(R, "mismatch", R->p[client].name, "", 0, "");
}

/* ---- the trace ---- */

static void on_trace(void *ud, const ogrh_sim_trace *t) {
  run *R = ud;
  static const char *const kinds[] = {"",          "send",      "deliver",  "drop_loading",
                                      "drop_loss", "drop_gone", "violation"};
  char detail[64] = "";
  size_t n = t->n < 40 ? t->n : 40;
  for (size_t k = 0; k < n; k++)
    detail[k] = t->text[k] >= 32 && t->text[k] < 127 && t->text[k] != ',' ? (char)t->text[k] : '.';
  detail[n] = '\0';
  R->o.log(R->o.log_ud, ((double)t->at_us - WARM_MS * 1000.0) / 1e6, kinds[t->kind],
           ogrh_sim_name(R->sim, t->sender),
           t->receiver >= 0 ? ogrh_sim_name(R->sim, t->receiver) : "", strlen(t->prefix) + t->n,
           detail);
}

/* ---- results ---- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void percentiles(double *v, size_t n, ogrh_sim_pct *out) {
  out->n = n;
  if (!n) {
    out->p50 = out->p99 = out->max = -1;
    return;
  }
  qsort(v, n, sizeof *v, cmp_double);
  out->p50 = v[(n - 1) / 2];
  out->p99 = v[(size_t)ceil(0.99 * (double)n) - 1];
  out->max = v[n - 1];
}

static void delta_figures(run *R, ogrh_sim_result *res) {
  size_t cap = (size_t)R->np * R->nw + 1;
  double *vis = malloc(cap * sizeof *vis), *over = malloc(cap * sizeof *over);
  double *oa = malloc(cap * sizeof *oa), *oo = malloc(cap * sizeof *oo);
  size_t n = 0, na = 0, no = 0;
  for (size_t k = 0; vis && over && oa && oo && k < R->nw; k++) {
    tw *w = R->w[k];
    if (!w->accepted) continue;
    for (int i = 0; i < R->np; i++) {
      if (!w->recv[i] || w->vis[i] < 0) continue;
      double d = w->vis[i] - w->delay[i] / 1000.0;
      /* Relayed (an officer's edit through the admin): the first hop's channel time too. */
      int via = w->via[i];
      if (via >= 0 && via != w->writer && via < R->np && w->vis[via] >= 0)
        d -= w->delay[via] / 1000.0;
      if (d < 0) d = 0;
      vis[n] = w->vis[i];
      over[n++] = d;
      if (w->writer_admin)
        oa[na++] = d;
      else
        oo[no++] = d;
    }
  }
  percentiles(vis, n, &res->delta_visible_s);
  percentiles(over, n, &res->delta_overhead_s);
  percentiles(oa, na, &res->overhead_admin_s);
  percentiles(oo, no, &res->overhead_officer_s);
  free(vis);
  free(over);
  free(oa);
  free(oo);
}

/* Writes whose value is missing somewhere at the end. Writes to the same path that were
** concurrent (the earlier one had not shown at the later one's writer when it wrote) count as
** one: the protocol may let any of them win. */
static bool concurrent(const tw *x, const tw *w) {
  if (x == w) return true;
  const tw *a = x->t_us <= w->t_us ? x : w, *b = a == x ? w : x;
  if (a->writer == b->writer) return false;
  double seen = a->vis[b->writer];
  return seen < 0 || a->t_us + (uint64_t)(seen * 1e6) > b->t_us;
}

static uint64_t lost_writes(run *R) {
  uint64_t lost = 0;
  for (size_t k = R->nw; k-- > 0;) {
    tw *w = R->w[k];
    if (!w->accepted || w->superseded) continue;
    int missing = -1, nmissing = 0;
    for (int i = 0; i < R->np; i++) {
      if (!present(R, i)) continue;
      bool any = false;
      for (size_t j = 0; j < R->nw && !any; j++) {
        tw *x = R->w[j];
        if (!x->accepted || strcmp(x->path, w->path) != 0 || !concurrent(x, w)) continue;
        any = shows(&R->p[i], x);
      }
      if (!any) {
        nmissing++;
        if (missing < 0) missing = i;
      }
    }
    if (nmissing) {
      lost++;
      char detail[SC_PATH + 128];
      snprintf(detail, sizeof detail, "%s (missing at %d nodes, first %s)", w->path, nmissing,
               R->p[missing].name);
      logline(R, "lost_write", R->p[w->writer].name, "", 0, detail);
    }
  }
  return lost;
}

/* Appends what r misses of x to out; true when nothing is missed. */
static bool check(const sc_expect *x, const ogrh_sim_result *r, char *out, size_t cap) {
  bool ok = true;
  out[0] = '\0';
#define MISS(...)                                                                                  \
  do {                                                                                             \
    ok = false;                                                                                    \
    size_t used = strlen(out);                                                                     \
    snprintf(out + used, cap - used, __VA_ARGS__);                                                 \
  } while (0)
  if (!x->set) return true;
  if (x->converged >= 0 && r->converged != (x->converged != 0))
    MISS("converged %s; ", r->converged ? "true" : "false");
  if (x->lost_writes >= 0 && r->lost_writes > (uint64_t)x->lost_writes)
    MISS("lost_writes %llu; ", (unsigned long long)r->lost_writes);
  if (x->accepted_forgeries >= 0 && r->accepted_forgeries > (uint64_t)x->accepted_forgeries)
    MISS("accepted_forgeries %llu; ", (unsigned long long)r->accepted_forgeries);
  if (x->converge_s_max >= 0 && (r->converge_s < 0 || r->converge_s > x->converge_s_max))
    MISS("converge_s %.2f > %.2f; ", r->converge_s, x->converge_s_max);
  if (x->repair_s_max >= 0 && (r->repair_s < 0 || r->repair_s > x->repair_s_max))
    MISS("repair_s %.2f > %.2f; ", r->repair_s, x->repair_s_max);
  if (x->overhead_p99_max >= 0 && r->delta_overhead_s.p99 > x->overhead_p99_max)
    MISS("delta_overhead_s.p99 %.3f > %.3f; ", r->delta_overhead_s.p99, x->overhead_p99_max);
  if (x->messages_max >= 0 && r->messages > (uint64_t)x->messages_max)
    MISS("messages %llu > %lld; ", (unsigned long long)r->messages, (long long)x->messages_max);
#undef MISS
  return ok;
}

static void check_expect(run *R, ogrh_sim_result *r) {
  bool ogrh = r->model == OGRH_SIM_MODEL_OGRH;
  r->passed = check(ogrh ? &R->sc->expect : &R->sc->expect_addon, r, r->failure, sizeof r->failure);
  r->goals_missed[0] = '\0';
  if (ogrh) check(&R->sc->goal, r, r->goals_missed, sizeof r->goals_missed);
}

static void finish(run *R, ogrh_sim_result *res) {
  compare(R); /* a last look, whatever changed in the final moment */
  check_forgeries(R);
  const ogrh_sim_stats *st = ogrh_sim_stats_get(R->sim);
  res->duration_s = R->sc->duration;
  res->converged = R->all_equal;
  double tc = ((double)R->t_conv_us - WARM_MS * 1000.0) / 1e6;
  res->converge_s = !R->all_equal ? -1 : tc > R->last_event_s ? tc - R->last_event_s : 0;
  res->lost_writes = lost_writes(R);
  for (int i = 0; i < R->np; i++)
    res->refused += R->m->refused(R, i);
  for (size_t k = 0; k < R->nf; k++)
    for (int i = 0; i < R->np; i++)
      res->accepted_forgeries += R->f[k].hit[i];
  res->messages = st->messages - R->base_messages;
  res->bytes = st->bytes - R->base_bytes;
  res->violations = st->violations;
  res->digest = ogrh_sim_digest(R->sim);
  delta_figures(R, res);
  snprintf(res->repair_kind, sizeof res->repair_kind, "%s", R->sc->measure_repair);
  res->repair_s = R->repaired ? (double)(R->repaired_us - R->known_us) / 1e6 : -1;
  for (int i = 0; i < R->np; i++)
    if ((size_t)R->p[i].peak > res->peak_node_memory) res->peak_node_memory = (size_t)R->p[i].peak;
  for (size_t k = 0; k < R->nw; k++)
    res->writes += R->w[k]->accepted;
  double pb = R->m->poll_bytes ? R->m->poll_bytes(R) : -1;
  res->poll_bytes_per_30s = pb < 0 ? -1 : pb / (R->sc->duration / 30.0);
  size_t nb;
  const uint32_t *bps = ogrh_sim_bytes_per_second(R->sim, &nb);
  size_t first = WARM_MS / 1000, n = R->nstale;
  res->bytes_per_s = ogrh_malloc((n + 1) * sizeof *res->bytes_per_s);
  res->stale = ogrh_malloc((n + 1) * sizeof *res->stale);
  res->marks = ogrh_malloc((R->nmarks + 1) * sizeof *res->marks);
  if (res->bytes_per_s && res->stale && res->marks) {
    for (size_t k = 0; k < n; k++)
      res->bytes_per_s[k] = first + k < nb ? bps[first + k] : 0;
    if (n) memcpy(res->stale, R->stale, n * sizeof *res->stale);
    res->nseries = n;
    if (R->nmarks) memcpy(res->marks, R->marks, R->nmarks * sizeof *res->marks);
    res->nmarks = R->nmarks;
  } else {
    ogrh_free(res->bytes_per_s, (n + 1) * sizeof *res->bytes_per_s);
    ogrh_free(res->stale, (n + 1) * sizeof *res->stale);
    ogrh_free(res->marks, (R->nmarks + 1) * sizeof *res->marks);
    res->bytes_per_s = NULL, res->stale = NULL, res->marks = NULL;
  }
  check_expect(R, res);
}

/* ---- the run ---- */

static void start(void *ud, uint64_t now) {
  run *R = ud;
  R->started = true;
  R->base_messages = ogrh_sim_stats_get(R->sim)->messages;
  R->base_bytes = ogrh_sim_stats_get(R->sim)->bytes;
  for (int i = 0; i < R->np; i++) {
    if (!R->p[i].in_raid) continue;
    int old = enter(R, i);
    R->m->roster(R, i, false, now);
    R->ctx = old;
  }
  R->membership_dirty = true;
  R->membership_us = ogrh_sim_now_us(R->sim);
  sample(R, now);
}

static int setup_players(run *R, ogrh_err *err) {
  const ogrh_scenario *sc = R->sc;
  R->np = sc->count;
  R->p = ogrh_malloc((size_t)R->np * sizeof *R->p);
  if (!R->p) return OGRH_ENOMEM;
  memset(R->p, 0, (size_t)R->np * sizeof *R->p);
  ogrh_svfile *base;
  int rc = base_plan(R, &base, err);
  if (rc) return rc;
  /* Names: the plan's RolesUI roster, in its order, then Player41, Player42... */
  ogrh_value *root = ogrh_svfile_schema_root(base);
  ogrh_value *roles = root && root->type == OGRH_TABLE ? ogrh_table_gets(root->u.t, "roles") : NULL;
  uint32_t nr = roles && roles->type == OGRH_TABLE ? roles->u.t->n : 0;
  for (int i = 0; i < R->np; i++) {
    player *p = &R->p[i];
    p->R = R;
    p->i = i;
    if ((uint32_t)i < nr && roles->u.t->e[i].key.type == OGRH_STRING &&
        roles->u.t->e[i].key.len < sizeof p->name)
      snprintf(p->name, sizeof p->name, "%.*s", (int)roles->u.t->e[i].key.len,
               roles->u.t->e[i].key.u.s);
    else
      snprintf(p->name, sizeof p->name, "Player%d", i + 1);
    p->rank = i == 0 ? 2 : i <= sc->officers ? 1 : 0;
    p->fps = sc->fps_lo == sc->fps_hi ? sc->fps_lo : uni(R, sc->fps_lo, sc->fps_hi);
    p->latency = sc->latency_ms;
    p->online0 = p->in_raid0 = true;
  }
  for (size_t k = 0; k < sc->nplayers; k++) {
    const sc_player *s = &sc->players[k];
    int i = s->ref[0] ? find_player(R, s->ref) : -1;
    if (i < 0 && s->name[0]) i = find_player(R, s->name);
    if (i < 0) {
      ogrh_svfile_free(base);
      return ogrh_err_set(err, OGRH_EINVAL, "scenario %s: players.list[%zu]: no such player",
                          sc->name, k);
    }
    player *p = &R->p[i];
    if (s->name[0]) snprintf(p->name, sizeof p->name, "%s", s->name);
    if (s->rank >= 0) p->rank = s->rank;
    if (s->fps > 0) p->fps = s->fps;
    if (s->latency_ms > 0) p->latency = s->latency_ms;
    if (s->online >= 0) p->online0 = s->online;
    if (s->in_raid >= 0) p->in_raid0 = s->in_raid;
    p->empty_plan = s->empty_plan;
    p->plan_file = s->plan_file[0] ? s->plan_file : NULL;
  }
  R->admin = find_player(R, sc->admin);
  if (R->admin < 0) {
    ogrh_svfile_free(base);
    return ogrh_err_set(err, OGRH_EINVAL, "scenario %s: no admin '%s'", sc->name, sc->admin);
  }
  if (sc->formation_from >= 0)
    for (int i = 0; i < R->np; i++)
      if (i != R->admin) R->p[i].in_raid0 = false;
  for (int i = 0; i < R->np && !rc; i++) {
    player *p = &R->p[i];
    p->in_raid = p->in_raid0;
    int old = enter(R, i);
    ogrh_svfile *f = NULL;
    if (p->plan_file)
      rc = ogrh_doc_load(p->plan_file, &p->doc, err);
    else if (!(rc = p->empty_plan ? empty_plan(&f) : ogrh__sr_copy_svfile(base, &f)))
      rc = ogrh_doc_from_svfile(f, &p->doc, err);
    R->ctx = old;
    if (!rc) {
      int idx =
          ogrh_sim_add(R->sim, p->name, p->fps, p->latency, p->online0, p->in_raid0, &run_if, p);
      rc = idx < 0 ? idx : OGRH_OK;
      p->idx = idx;
    }
  }
  ogrh_svfile_free(base);
  return rc;
}

static int setup(run *R, ogrh_err *err) {
  const ogrh_scenario *sc = R->sc;
  int rc = setup_players(R, err);
  if (rc) return rc;
  /* Drift before the start. */
  for (size_t k = 0; k < sc->ndrifts && !rc; k++) {
    const sc_drift *d = &sc->drifts[k];
    int n = d->count ? d->count : 1;
    for (int j = 0; j < n && !rc; j++) {
      int t;
      if (d->player[0]) {
        t = find_player(R, d->player);
      } else {
        t = -1;
        for (int tries = 0; tries < 1000 && t < 0; tries++) {
          int c = 1 + (int)ogrh_rng_below(&R->rng, (uint64_t)(R->np - 1));
          if (c != R->admin && !R->p[c].stale0) t = c;
        }
      }
      if (t < 0)
        return ogrh_err_set(err, OGRH_EINVAL, "scenario %s: drift[%zu]: no player", sc->name, k);
      int old = enter(R, t);
      rc = apply_drift(R, t, d);
      R->ctx = old;
      R->p[t].stale0 = true;
    }
  }
  R->measuring = sc->measure_repair[0] != '\0';
  R->drift_us = WARM_MS * 1000;
  for (int i = 0; i < R->np && !rc; i++) {
    player *p = &R->p[i];
    if ((rc = ogrh_dtree_build(p->doc, &p->dt)) || (rc = ogrh_dtree_attach(p->dt, p->doc))) break;
    p->sub = ogrh_doc_subscribe(p->doc, on_change, p);
    if (p->sub <= 0) rc = OGRH_ENOMEM;
  }
  for (int i = 0; i < R->np && !rc; i++) {
    if (root_of(&R->p[i]) != root_of(&R->p[R->admin]))
      R->p[i].stale0 = true;
    else
      R->p[i].stale0 = false;
  }
  for (int i = 0; i < R->np && !rc; i++) {
    int old = enter(R, i);
    rc = R->m->make(R, i);
    R->ctx = old;
  }
  if (rc) return rc;
  /* Timeline and random events. */
  for (size_t k = 0; k < sc->nevents; k++) {
    sc_event *e = new_event(R, sc->events[k].at, sc->events[k].kind, "");
    if (!e) return OGRH_ENOMEM;
    *e = sc->events[k];
  }
  if (sc->rnd.set && (rc = generate(R))) return rc;
  if (sc->formation_from >= 0)
    for (int i = 0; i < R->np; i++) {
      if (i == R->admin) continue;
      char ref[SC_NAME];
      snprintf(ref, sizeof ref, "#%d", i + 1);
      if (!new_event(R, uni(R, sc->formation_from, sc->formation_to), SE_JOIN, ref))
        return OGRH_ENOMEM;
    }
  for (size_t k = 0; k < R->nev && !rc; k++)
    rc = ogrh_sim_at(R->sim, sim_ms(R->ev[k].e.at), do_event, &R->ev[k]);
  if (rc) return rc;
  return ogrh_sim_at(R->sim, WARM_MS, start, R);
}

static void teardown(run *R) {
  for (int i = 0; R->p && i < R->np; i++) {
    player *p = &R->p[i];
    if (p->sub > 0) ogrh_doc_unsubscribe(p->doc, p->sub);
    ogrh_dtree_free(p->dt);
    int old = enter(R, i);
    if (p->client) R->m->destroy(R, i);
    if (!p->doc_owned) ogrh_doc_free(p->doc);
    R->ctx = old;
  }
  ogrh_free(R->p, (size_t)R->np * sizeof *R->p);
  ogrh_sim_free(R->sim);
  ogrh_free(R->w, R->capw * sizeof *R->w);
  ogrh_free(R->f, R->capf * sizeof *R->f);
  ogrh_free(R->stale, R->capstale * sizeof *R->stale);
  ogrh_free(R->marks, R->capmarks * sizeof *R->marks);
  ogrh_arena_free(R->arena);
}

int ogrh_sim_run(const ogrh_scenario *sc, const ogrh_sim_run_opts *o, ogrh_sim_result *res,
                 ogrh_err *err) {
  memset(res, 0, sizeof *res);
  if (!sc || !o) return ogrh_err_set(err, OGRH_EINVAL, "no scenario");
  const model_ops *m = o->model == OGRH_SIM_MODEL_ADDON  ? &addon_ops
                       : o->model == OGRH_SIM_MODEL_OGRH ? ogrh__sr_node_model()
                                                         : NULL;
  if (!m) return ogrh_err_set(err, OGRH_EINVAL, "unknown model %d", (int)o->model);
  run *R = calloc(1, sizeof *R);
  if (!R) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  R->sc = sc;
  R->o = *o;
  R->m = m;
  R->ctx = -1;
  R->all_equal = true; /* until a comparison says otherwise */
  R->t_split_us = WARM_MS * 1000;
  R->errp = err;
  res->model = o->model;
  res->addon_fixed = o->model == OGRH_SIM_MODEL_ADDON && o->addon_fixed;
  res->seed = o->seed ? o->seed : sc->seed;
  ogrh_rng_seed(&R->rng, res->seed ^ 0x5eed5eed5eed5eedull);
  ogrh_set_allocator(count_alloc, R);
  ogrh_sim_params sp;
  ogrh_sim_params_default(&sp);
  sp.seed = res->seed;
  sp.loss = sc->loss;
  sp.flood_limit = sc->flood_limit;
  R->sim = ogrh_sim_new(&sp);
  R->arena = ogrh_arena_new();
  int rc = R->sim && R->arena ? OGRH_OK : OGRH_ENOMEM;
  if (!rc && o->log) ogrh_sim_set_trace(R->sim, on_trace, R);
  if (!rc) rc = setup(R, err);
  if (!rc) rc = ogrh_sim_run_until(R->sim, sim_ms(sc->duration));
  if (!rc) finish(R, res);
  teardown(R);
  ogrh_set_allocator(NULL, NULL);
  free(R);
  if (rc && err && !err->msg[0]) ogrh_err_set(err, rc, "simulation failed: %s", ogrh_strerror(rc));
  return rc;
}

void ogrh_sim_result_free(ogrh_sim_result *r) {
  if (!r) return;
  ogrh_free(r->bytes_per_s, (r->nseries + 1) * sizeof *r->bytes_per_s);
  ogrh_free(r->stale, (r->nseries + 1) * sizeof *r->stale);
  ogrh_free(r->marks, (r->nmarks + 1) * sizeof *r->marks);
  r->bytes_per_s = NULL;
  r->stale = NULL;
  r->marks = NULL;
}
