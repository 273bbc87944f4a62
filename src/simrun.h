/*
** simrun.h (private)
** The runner's state, shared with the model adapters: a model is a table of operations
** (model_ops) that create a player's client, pass it writes, combat, roster changes, admin
** grants and forgeries, and say who it takes for admin and what it refused.
*/
#ifndef OGRH_SIMRUN_H
#define OGRH_SIMRUN_H

#include "ogrh/digest.h"
#include "simscen.h"

#define WARM_MS 12000u /* before the start: throttles fill, nobody is in the raid yet */
#define SAMPLE_MS 100u
#define TRACK_US 300000000u /* writes are followed this long at most */

typedef struct run run;

typedef struct player {
  run *R;
  int i;
  char name[32];
  int rank;
  bool in_raid, online0, in_raid0, empty_plan;
  const char *plan_file; /* its own plan, or NULL */
  double fps, latency;
  int idx; /* in the simulation (= i) */
  ogrh_doc *doc;
  ogrh_dtree *dt;
  int sub;
  void *client;   /* the model's client */
  void *model;    /* anything else the model keeps for this player across lives */
  bool doc_owned; /* the client owns doc (and frees it) */
  long long mem, peak;
  bool dirty;
  uint64_t last_change_us;
  bool stale0; /* differed from the admin after the drift */
  bool equal;
} player;

/* A write being followed to every node. */
typedef struct tw {
  uint64_t t_us;
  int writer;
  char path[SC_PATH];
  ogrh_path p;
  ogrh_value v;
  bool accepted, superseded, tracking, lost_checked, writer_admin;
  size_t waiting; /* receivers that do not show it yet */
  double *vis;    /* per player: seconds after the write it showed (-1 not yet) */
  double *delay;  /* the channel delay of the copy that showed it (ms) */
  int *via;       /* who sent that copy (-1: local) */
  bool *recv;     /* players that should show it (online in the raid at the time) */
} tw;

typedef struct forgery {
  int by;
  ogrh_forge_kind kind;
  char path[SC_PATH];
  ogrh_value marker;
  bool *hit;
} forgery;

/* A scheduled event and the run it belongs to. */
typedef struct rev {
  run *R;
  sc_event e;
} rev;

typedef struct model_ops {
  int (*make)(run *R, int i);
  void (*destroy)(run *R, int i);
  const ogrh_sim_client_if *ifc;
  int (*write)(run *R, int i, const char *path, const ogrh_value *v, ogrh_sync_level lvl,
               const char *ctype, uint64_t now);
  void (*combat)(run *R, int i, bool on, uint64_t now);
  void (*roster)(run *R, int i, bool joined, uint64_t now);
  int (*grant)(run *R, int by, int to, uint64_t now);
  int (*forge)(run *R, int by, ogrh_forge_kind k, const char *path, const ogrh_value *m,
               uint64_t now);
  const char *(*admin_of)(run *R, int i);
  uint64_t (*refused)(run *R, int i);
  double (*poll_bytes)(run *R);
} model_ops;

struct run {
  const ogrh_scenario *sc;
  ogrh_sim_run_opts o;
  const model_ops *m;
  ogrh_sim *sim;
  ogrh_rng rng;
  player *p;
  int np;
  int admin;
  bool started;
  ogrh_arena *arena;
  rev *ev;
  size_t nev;
  tw **w; /* each in the arena: an ogrh_path points into itself and cannot move */
  size_t nw, capw, track_from;
  forgery *f;
  size_t nf, capf;
  int ctx;
  /* convergence */
  bool all_equal;
  uint64_t t_conv_us, t_split_us, changed_max_us, membership_us;
  bool membership_dirty, any_dirty;
  double last_event_s;
  /* repair measurement */
  bool measuring, known, repaired;
  uint64_t mismatch_us; /* the last mismatch any node reported */
  uint64_t drift_us, known_us, repaired_us;
  /* series */
  uint16_t *stale;
  size_t nstale, capstale, stale_max; /* stale_max: the most seen since the last second */
  ogrh_sim_mark *marks;
  size_t nmarks, capmarks;
  uint64_t base_messages, base_bytes;
  char failure[256];
  int err;
  ogrh_err *errp;
};

/* The library's sync node as a model (simnode.c); NULL when it is not built in. */
const model_ops *ogrh__sr_node_model(void);

/* For the model adapters. */
int ogrh__sr_copy_svfile(const ogrh_svfile *f, ogrh_svfile **out); /* a deep copy */
int ogrh__sr_rank_of(void *run_ud, const char *name); /* -1: not in the raid (or not started) */
void ogrh__sr_mismatch(void *run_ud, int client, uint64_t now_ms); /* a node found a difference */
void ogrh__sr_refused(void *run_ud, int client, const char *sender, const char *what);
/* The player's document is now d (a node rebuilt after a reload): measure that one. */
int ogrh__sr_rebind(run *R, int i, ogrh_doc *d);

#endif
