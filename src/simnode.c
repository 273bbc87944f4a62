/*
** simnode.c
** The library's sync node (node.h) as a simulator client. The node is driven exactly as the
** live node drives it: every frame a tick (skipped while ogrh_node_next_tick says nothing is
** due), every copy from the channel to ogrh_node_receive, roster and conditions (combat,
** loading screen, in a raid) as the game reports them, the frame rate. A reload or disconnect
** frees the node; the next PLAYER_ENTERING_WORLD builds a new one from what it persisted and
** from the SavedVariables the game wrote at the reload (a copy of its document then).
**
** Forgeries come from an "evil twin": a second node under the forger's name that believes a
** forged roster (the forger as raid leader), whose frames go out through the forger's own
** connection. It speaks the protocol correctly, so what receivers must refuse is who sent it,
** not how it is written. A forged repair unit needs someone asking: a second twin, linked to the
** first privately, lacks the marker and asks for it.
*/
#include "simrun.h"

#include "ogrh/node.h"

#include <stdio.h>
#include <string.h>

typedef struct sn {
  run *R;
  int i;
  ogrh_node *n;
  uint8_t *state; /* the last state persisted (the "disk") */
  size_t state_len;
  bool combat, zoning;
  bool stale;       /* the node knew it differed from the admin, at the last look */
  uint64_t refused; /* refusals of former lives */
} sn;

/* ---- callbacks ---- */

static void sn_out(void *ud, const char *prefix, const uint8_t *t, size_t n, uint64_t now) {
  sn *s = ud;
  (void)now;
  ogrh_sim_send(s->R->sim, s->i, prefix, t, n);
}

static int sn_persist(void *ud, const uint8_t *state, size_t n, bool doc_changed, uint64_t now) {
  sn *s = ud;
  (void)doc_changed, (void)now;
  /* The disk is not the node's memory. */
  int old = s->R->ctx;
  s->R->ctx = -1;
  uint8_t *c = ogrh_malloc(n ? n : 1);
  if (c) {
    memcpy(c, state, n);
    ogrh_free(s->state, s->state_len ? s->state_len : 1);
    s->state = c;
    s->state_len = n;
  }
  s->R->ctx = old;
  return c ? OGRH_OK : OGRH_ENOMEM;
}

static void sn_event(void *ud, const ogrh_event *e) {
  sn *s = ud;
  if (e->kind == OGRH_EV_MISMATCH) ogrh__sr_mismatch(s->R, s->i, e->now_ms);
  if (e->kind == OGRH_EV_REFUSED) ogrh__sr_refused(s->R, s->i, e->who, ogrh_refusal_text(e->why));
}

static uint64_t refusals(const ogrh_node *n) {
  const ogrh_node_stats *st = ogrh_node_stats_get(n);
  uint64_t r = 0;
  for (int k = 1; k < OGRH_NWHY; k++)
    r += st->refused[k];
  return r;
}

/* ---- life ---- */

static void roster_of(run *R, int self, ogrh_member *m, size_t *n, bool forged) {
  *n = 0;
  for (int k = 0; k < R->np; k++) {
    if (!R->p[k].in_raid) continue;
    m[*n].name = R->p[k].name;
    m[*n].rank = forged ? (k == self ? 2 : 0) : R->p[k].rank;
    m[*n].online = ogrh_sim_state_of(R->sim, k) != OGRH_SIM_OFFLINE;
    (*n)++;
  }
}

static void tell_roster(sn *s, uint64_t now) {
  run *R = s->R;
  ogrh_member m[256];
  size_t n = 0;
  bool in = R->started && R->p[s->i].in_raid;
  if (in) roster_of(R, s->i, m, &n, false);
  ogrh_node_set_roster(s->n, m, n, now);
  ogrh_node_set_conditions(s->n, s->combat, s->zoning, in, now);
}

static void node_cfg(sn *s, ogrh_node_cfg *c, ogrh_doc *doc, uint64_t now) {
  ogrh_node_cfg_default(c);
  c->self = s->R->p[s->i].name;
  c->doc = doc;
  c->state = s->state;
  c->state_len = s->state_len;
  c->seed = ogrh_rng_next(&s->R->rng);
  c->now_ms = now;
  c->out = sn_out;
  c->persist = sn_persist;
  c->event = sn_event;
  c->ud = s;
}

static int start_node(sn *s, ogrh_doc *doc, uint64_t now) {
  run *R = s->R;
  ogrh_node_cfg c;
  node_cfg(s, &c, doc, now);
  int rc = ogrh_node_new(&c, &s->n);
  if (rc == OGRH_ECORRUPT) { /* a state that does not decode: start without it */
    return OGRH_ECORRUPT;
  }
  if (rc) return rc;
  R->p[s->i].doc_owned = true;
  ogrh_node_set_fps(s->n, ogrh_sim_fps(R->sim, s->i));
  ogrh_table *raid = ogrh_doc_raid(ogrh_node_doc(s->n), 1);
  size_t nl;
  if (raid) ogrh_node_set_context(s->n, ogrh_table_name(raid, &nl), NULL, now);
  tell_roster(s, now);
  return ogrh__sr_rebind(R, s->i, ogrh_node_doc(s->n));
}

/* What the game writes to SavedVariables at a reload: the document as it is. */
static int save_doc(sn *s, ogrh_doc **out) {
  ogrh_svfile *c;
  int rc = ogrh__sr_copy_svfile(ogrh_doc_svfile(ogrh_node_doc(s->n)), &c);
  return rc ? rc : ogrh_doc_from_svfile(c, out, NULL);
}

static void stop_node(sn *s) {
  run *R = s->R;
  ogrh_doc *saved = NULL;
  if (save_doc(s, &saved) == OGRH_OK) {
    ogrh__sr_rebind(R, s->i, saved); /* measure the saved file while no node runs */
    R->p[s->i].doc_owned = false;
  }
  s->refused += refusals(s->n);
  ogrh_node_free(s->n);
  s->n = NULL;
}

static int sn_make(run *R, int i) {
  sn *s = ogrh_malloc(sizeof *s);
  if (!s) return OGRH_ENOMEM;
  memset(s, 0, sizeof *s);
  s->R = R;
  s->i = i;
  R->p[i].client = s;
  if (ogrh_sim_state_of(R->sim, i) == OGRH_SIM_OFFLINE) return OGRH_OK; /* logs in later */
  return start_node(s, R->p[i].doc, ogrh_sim_now_ms(R->sim));
}

static void sn_destroy(run *R, int i) {
  sn *s = R->p[i].client;
  if (!s) return;
  ogrh_node_free(s->n); /* frees its document */
  ogrh_free(s->state, s->state_len ? s->state_len : 1);
  ogrh_free(s, sizeof *s);
  R->p[i].client = NULL;
}

/* "Mismatch known": the moment a node learns it differs (a poll's root digest), before any
** drill-down; the addon model's counterpart is the poll comparison. */
static void look(sn *s, uint64_t now) {
  ogrh_node_status st;
  ogrh_node_status_get(s->n, &st);
  if (st.stale && !s->stale) ogrh__sr_mismatch(s->R, s->i, now);
  s->stale = st.stale;
}

static uint64_t sn_frame(void *ud, uint64_t now) {
  sn *s = ud;
  if (!s->n) return OGRH_SIM_IDLE;
  ogrh_node_tick(s->n, now);
  look(s, now);
  return ogrh_node_next_tick(s->n, now);
}

static void sn_receive(void *ud, const char *sender, const char *prefix, const uint8_t *t, size_t n,
                       uint64_t now) {
  sn *s = ud;
  if (!s->n) return;
  ogrh_node_receive(s->n, sender, prefix, t, n, now);
  look(s, now);
}

static void sn_ev(void *ud, ogrh_sim_event ev, uint64_t now) {
  sn *s = ud;
  switch (ev) {
  case OGRH_SIM_EV_LOADING:
    s->zoning = true;
    if (s->n) tell_roster(s, now);
    break;
  case OGRH_SIM_EV_RELOAD:
  case OGRH_SIM_EV_DISCONNECT:
    if (s->n) stop_node(s);
    break;
  case OGRH_SIM_EV_ENTER_WORLD:
    s->zoning = false;
    if (!s->n) {
      int rc = start_node(s, s->R->p[s->i].doc, now);
      if (rc == OGRH_ECORRUPT) {
        /* Unreachable with an intact disk; without a state the outbox would be lost. */
        ogrh_free(s->state, s->state_len ? s->state_len : 1);
        s->state = NULL;
        s->state_len = 0;
        start_node(s, s->R->p[s->i].doc, now);
      }
    } else {
      tell_roster(s, now);
    }
    break;
  case OGRH_SIM_EV_FPS:
    if (s->n) ogrh_node_set_fps(s->n, ogrh_sim_fps(s->R->sim, s->i));
    break;
  }
}

static const ogrh_sim_client_if sn_if = {sn_frame, sn_receive, sn_ev};

static int sn_write(run *R, int i, const char *path, const ogrh_value *v, ogrh_sync_level lvl,
                    const char *ctype, uint64_t now) {
  sn *s = R->p[i].client;
  if (!s->n) return OGRH_EAGAIN;
  ogrh_sync_meta meta = {lvl, ctype, NULL};
  return ogrh_node_set(s->n, path, v, &meta, now, NULL);
}

static void sn_combat(run *R, int i, bool on, uint64_t now) {
  sn *s = R->p[i].client;
  s->combat = on;
  if (s->n) tell_roster(s, now);
}

static void sn_roster(run *R, int i, bool joined, uint64_t now) {
  (void)joined; /* the node sees the join in the roster it is given */
  sn *s = R->p[i].client;
  if (s->n) tell_roster(s, now);
}

static int sn_grant(run *R, int by, int to, uint64_t now) {
  sn *s = R->p[by].client;
  return s->n ? ogrh_node_grant_admin(s->n, R->p[to].name, now) : OGRH_EAGAIN;
}

/* ---- forgeries ---- */

typedef struct twin {
  run *R;
  int forger;
  ogrh_node *evil, *asker; /* asker: the second twin, linked privately */
  uint64_t until;
} twin;

static void twin_out(void *ud, const char *prefix, const uint8_t *t, size_t n, uint64_t now) {
  twin *w = ud;
  ogrh_sim_send(w->R->sim, w->forger, prefix, t, n);
  /* The asker hears the evil twin directly. */
  if (w->asker) ogrh_node_receive(w->asker, w->R->p[w->forger].name, prefix, t, n, now);
}

static void asker_out(void *ud, const char *prefix, const uint8_t *t, size_t n, uint64_t now) {
  twin *w = ud;
  char name[64];
  snprintf(name, sizeof name, "%s2", w->R->p[w->forger].name);
  ogrh_node_receive(w->evil, name, prefix, t, n, now);
}

static void twin_tick(void *ud, uint64_t now) {
  twin *w = ud;
  run *R = w->R;
  int old = R->ctx;
  R->ctx = w->forger;
  if (w->evil) ogrh_node_tick(w->evil, now);
  if (w->asker) ogrh_node_tick(w->asker, now);
  if (now < w->until && ogrh_sim_state_of(R->sim, w->forger) != OGRH_SIM_OFFLINE) {
    ogrh_sim_at(R->sim, now + 50, twin_tick, w);
  } else {
    ogrh_node_free(w->evil);
    ogrh_node_free(w->asker);
    ogrh_free(w, sizeof *w);
  }
  R->ctx = old;
}

static ogrh_node *make_twin(run *R, twin *w, const char *name, ogrh_node_out_fn out,
                            const ogrh_doc *from, const char *leader, uint64_t now) {
  ogrh_doc *d = NULL;
  ogrh_svfile *c;
  if (ogrh__sr_copy_svfile(ogrh_doc_svfile((ogrh_doc *)from), &c) ||
      ogrh_doc_from_svfile(c, &d, NULL))
    return NULL;
  ogrh_node_cfg cfg;
  ogrh_node_cfg_default(&cfg);
  cfg.self = name;
  cfg.doc = d;
  cfg.seed = ogrh_rng_next(&R->rng);
  cfg.now_ms = now;
  cfg.out = out;
  cfg.ud = w;
  ogrh_node *n;
  if (ogrh_node_new(&cfg, &n)) return NULL;
  /* The forged roster: the leader is whoever the twin says. */
  ogrh_member m[256];
  size_t k = 0;
  char twin2[64];
  snprintf(twin2, sizeof twin2, "%s2", R->p[w->forger].name);
  for (int i = 0; i < R->np && k < 250; i++)
    if (R->p[i].in_raid) {
      m[k].name = R->p[i].name;
      m[k].rank = !strcmp(R->p[i].name, leader) ? 2 : 0;
      m[k++].online = true;
    }
  m[k].name = twin2;
  m[k].rank = 0;
  m[k++].online = true;
  ogrh_node_set_roster(n, m, k, now);
  ogrh_node_set_conditions(n, false, false, true, now);
  ogrh_table *raid = ogrh_doc_raid(ogrh_node_doc(n), 1);
  size_t nl;
  if (raid) ogrh_node_set_context(n, ogrh_table_name(raid, &nl), NULL, now);
  return n;
}

static int sn_forge(run *R, int by, ogrh_forge_kind k, const char *path, const ogrh_value *marker,
                    uint64_t now) {
  sn *s = R->p[by].client;
  if (!s->n) return OGRH_EAGAIN;
  if (k == OGRH_FORGE_GARBAGE) {
    /* Frames under our prefix that are nothing the protocol knows. */
    uint8_t junk[120];
    for (size_t i = 0; i < sizeof junk; i++)
      junk[i] = (uint8_t)(1 + ogrh_rng_below(&R->rng, 255));
    for (int f = 0; f < 3; f++)
      ogrh_sim_send(R->sim, by, "OGRH", junk + f * 7, sizeof junk - (size_t)f * 20);
    return OGRH_OK;
  }
  twin *w = ogrh_malloc(sizeof *w);
  if (!w) return OGRH_ENOMEM;
  memset(w, 0, sizeof *w);
  w->R = R;
  w->forger = by;
  w->until = now + 30000;
  const char *me = R->p[by].name;
  w->evil = make_twin(R, w, me, twin_out, ogrh_node_doc(s->n), me, now);
  int rc = w->evil ? OGRH_OK : OGRH_ENOMEM;
  if (!rc && k == OGRH_FORGE_ADMIN_CLAIM) {
    rc = ogrh_node_grant_admin(w->evil, me, now); /* a takeover, next epoch */
  } else if (!rc && k == OGRH_FORGE_DELTA) {
    ogrh_sync_meta meta = {OGRH_SYNC_REALTIME, "settings", NULL};
    rc = ogrh_node_set(w->evil, path, marker, &meta, now, NULL);
  } else if (!rc && k == OGRH_FORGE_REPAIR) {
    /* The evil twin's plan carries the marker; the asker's does not and asks for it. */
    ogrh_doc_set_path(ogrh_node_doc(w->evil), path, marker, NULL, NULL);
    char twin2[64];
    snprintf(twin2, sizeof twin2, "%s2", me);
    w->asker = make_twin(R, w, twin2, asker_out, ogrh_node_doc(s->n), me, now);
    if (!w->asker) rc = OGRH_ENOMEM;
  }
  if (rc) {
    ogrh_node_free(w->evil);
    ogrh_node_free(w->asker);
    ogrh_free(w, sizeof *w);
    return rc;
  }
  return ogrh_sim_at(R->sim, now + 20, twin_tick, w);
}

static const char *sn_admin_of(run *R, int i) {
  sn *s = R->p[i].client;
  if (!s || !s->n) return NULL;
  ogrh_node_status st;
  ogrh_node_status_get(s->n, &st);
  return st.admin;
}

static uint64_t sn_refused(run *R, int i) {
  sn *s = R->p[i].client;
  return s ? s->refused + (s->n ? refusals(s->n) : 0) : 0;
}

static double sn_poll_bytes(run *R) {
  /* Body bytes of polls before compression: a lower bound of what they cost on the wire. */
  double b = 0;
  for (int i = 0; i < R->np; i++) {
    sn *s = R->p[i].client;
    if (s && s->n) b += (double)ogrh_node_stats_get(s->n)->sent_bytes[OGRH_MT_POLL];
  }
  return b;
}

static const model_ops node_ops = {sn_make,     sn_destroy, &sn_if,       sn_write,
                                   sn_combat,   sn_roster,  sn_grant,     sn_forge,
                                   sn_admin_of, sn_refused, sn_poll_bytes};

const model_ops *ogrh__sr_node_model(void) {
  return &node_ops;
}
