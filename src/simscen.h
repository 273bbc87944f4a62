/*
** simscen.h (private)
** A parsed scenario, as the runner (simrun.c) reads it. docs/SIMULATOR.md documents the JSON.
*/
#ifndef OGRH_SIMSCEN_H
#define OGRH_SIMSCEN_H

#include "ogrh/doc.h"
#include "ogrh/gen.h"
#include "ogrh/sim.h"
#include "simaddon.h"

#define SC_NAME 32
#define SC_PATH 256

typedef enum { PLAN_DEFAULTS = 0, PLAN_GENERATE, PLAN_FILE } sc_plan_src;

typedef struct sc_player {
  char ref[SC_NAME];  /* which player this entry describes: "#N" or a name */
  char name[SC_NAME]; /* its name ("" = from the plan's roster) */
  int rank;           /* -1: by position (the first is leader, then `officers` assistants) */
  double fps, latency_ms;
  int online, in_raid; /* -1: default (yes) */
  bool empty_plan;     /* starts from an empty OGRH_SV */
  char plan_file[512]; /* starts from this file instead of the scenario's plan ("" = no) */
} sc_player;

typedef enum {
  DR_PATH = 0,  /* path = value */
  DR_COMPONENT, /* one component of one encounter of the active raid */
  DR_ENCOUNTER, /* three components of one encounter */
  DR_RAID,      /* every encounter of the active raid */
  DR_EMPTY,     /* the whole plan gone */
  DR_GLOBAL     /* one global component */
} sc_drift_kind;

typedef struct sc_drift {
  char player[SC_NAME]; /* reference; "" with count > 0: that many random non-admin players */
  int count;
  sc_drift_kind kind;
  int64_t encounter; /* 0: random */
  int component;     /* -1: random */
  int global;        /* -1: random */
  char path[SC_PATH];
  ogrh_value value;
} sc_drift;

typedef enum {
  SE_WRITE = 0,
  SE_DRIFT,
  SE_ZONE,
  SE_RELOAD,
  SE_DISCONNECT,
  SE_RECONNECT,
  SE_COMBAT,
  SE_JOIN,
  SE_LEAVE,
  SE_GRANT,
  SE_FORGE,
  SE_FPS,
  SE_NKINDS
} sc_ev_kind;

extern const char *const ogrh_sc_kind_names[SE_NKINDS];

typedef struct sc_event {
  double at;
  sc_ev_kind kind;
  char player[SC_NAME]; /* who; "all" for combat; "random" */
  char to[SC_NAME];     /* grant_admin: the new admin */
  char path[SC_PATH];   /* write: "" for a random assignment edit */
  ogrh_value value;
  ogrh_sync_level level;
  char ctype[16];
  double seconds; /* loading screens */
  double fps;
  bool on; /* combat */
  ogrh_forge_kind forge;
  sc_drift drift;
} sc_event;

typedef struct sc_random {
  bool set;
  double from, to;
  int writes, drifts, zones, reloads, disconnects, combats, forges, handovers, rejoins;
  double batch_fraction, officer_fraction;
  int burst;      /* > 1: writes come in bursts of this many within 2 s */
  int encounters; /* > 0: a raid night: writes before each pull, combat for each encounter */
} sc_random;

typedef struct sc_expect {
  bool set;
  int converged;       /* -1: not checked */
  int64_t lost_writes; /* -1: not checked */
  int64_t accepted_forgeries;
  double converge_s_max; /* < 0: not checked */
  double repair_s_max;
  double overhead_p99_max;
  int64_t messages_max;
} sc_expect;

struct ogrh_scenario {
  char name[64];
  char *description;
  uint64_t seed;
  double duration;
  double loss;
  bool flood_limit;
  sc_plan_src plan;
  char plan_file[1024];
  ogrh_gen_opts gen;
  char active_raid[64]; /* "" = none */
  int count;
  double fps_lo, fps_hi, latency_ms;
  int officers;
  sc_player *players;
  size_t nplayers;
  char admin[SC_NAME];
  double formation_from, formation_to; /* < 0: everyone in the raid at the start */
  sc_drift *drifts;
  size_t ndrifts;
  sc_event *events;
  size_t nevents;
  sc_random rnd;
  char measure_repair[16];
  sc_expect expect, expect_addon; /* failing one fails the run (exit 1) */
  sc_expect goal;                 /* the figures' goals for ogrh: reported, never failing */
  ogrh_arena *arena;
};

#endif
