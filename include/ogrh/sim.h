/*
** ogrh/sim.h
** The raid simulator.
**
** 1. The channel (research/ogaddonmsg.md §7.1-7.2): a deterministic discrete-event model of a
**    WoW 1.12 raid channel. Clients run frames at their frame rate; what a client sends goes up
**    its link (one-way latency, lognormal around the client's median, FIFO), the server checks
**    it (more than 254 bytes or a NUL byte disconnects the sender; an optional per-sender flood
**    limit does too) and relays it on its next 50 ms tick to every member of the group with a
**    session, the sender included; each copy comes down the receiver's link (FIFO) and is
**    handed over at the receiver's next frame. Loading screens drop everything inbound, reloads
**    and disconnects wipe a client's memory (the client is told and wipes itself), frame rates
**    change, copies may be lost at random. Time is simulated (microseconds inside, milliseconds
**    at the interface); the same seed gives the same run, byte for byte.
**    The channel does not throttle: every client brings its own ChatThrottleLib (throttle.h),
**    as in the game, where all of a client's addons share one.
** 2. Scenarios (docs/SIMULATOR.md): JSON files describing the raid, the plans, the drift and
**    a timeline; run against the library's sync node or a model of the original addon.
**
** Not thread-safe: one simulation, one thread.
*/
#ifndef OGRH_SIM_H
#define OGRH_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ogrh/alloc.h"
#include "ogrh/error.h"

/* ==== the channel ==== */

typedef struct ogrh_sim_params {
  double server_tick_ms;    /* the server relays on ticks of this length (50) */
  double latency_median_ms; /* median one-way latency of a client when none is given (50) */
  double latency_sigma;     /* lognormal spread of clients' medians (0.6: 5-95% ~ 19-134 ms) */
  double jitter_sigma;      /* lognormal spread of one message around its client's median (0.12) */
  double loss;              /* probability that one delivered copy is lost (0) */
  bool flood_limit;         /* a per-sender token bucket at the server; overflow disconnects */
  double flood_rate;        /* bytes per second (2000) */
  double flood_burst;       /* bucket size in bytes (32768) */
  size_t max_text;          /* prefix + text above this disconnects the sender (254) */
  uint64_t seed;
} ogrh_sim_params;

void ogrh_sim_params_default(ogrh_sim_params *p);

/* A client's life as the channel sees it. */
typedef enum {
  OGRH_SIM_ONLINE = 0, /* frames run, inbound messages are handed over */
  OGRH_SIM_LOADING,    /* loading screen: no frames, everything inbound is dropped */
  OGRH_SIM_OFFLINE     /* no session: not relayed to, its messages go nowhere */
} ogrh_sim_state;

/* What the channel tells a client about its own life. */
typedef enum {
  OGRH_SIM_EV_LOADING = 1, /* a loading screen begins */
  OGRH_SIM_EV_ENTER_WORLD, /* PLAYER_ENTERING_WORLD: after a loading screen, reload or login */
  OGRH_SIM_EV_RELOAD,      /* /reload: memory is wiped now (a loading screen follows) */
  OGRH_SIM_EV_DISCONNECT,  /* the session ended: memory is wiped */
  OGRH_SIM_EV_FPS          /* the frame rate changed (ogrh_sim_fps) */
} ogrh_sim_event;

/* No frame wanted until something arrives. */
#define OGRH_SIM_IDLE UINT64_MAX

/*
** A client. frame() runs once per frame, after the messages that arrived since the last frame
** were handed to receive(); it returns the earliest time (ms) at which it needs another frame,
** or OGRH_SIM_IDLE. The channel skips the frames nobody needs but keeps the frame grid, so a
** client that asks for now_ms + 1 gets exactly its next frame. Any function may send with
** ogrh_sim_send.
*/
typedef struct ogrh_sim_client_if {
  uint64_t (*frame)(void *ud, uint64_t now_ms);
  void (*receive)(void *ud, const char *sender, const char *prefix, const uint8_t *text, size_t n,
                  uint64_t now_ms);
  void (*event)(void *ud, ogrh_sim_event ev, uint64_t now_ms);
} ogrh_sim_client_if;

/* Trace records: what went on the channel and what happened to every copy. */
typedef enum {
  OGRH_SIM_TR_SEND = 1,  /* a client sent a message (receiver -1) */
  OGRH_SIM_TR_DELIVER,   /* a copy was handed to receiver */
  OGRH_SIM_TR_DROP_LOAD, /* receiver was on a loading screen */
  OGRH_SIM_TR_DROP_LOSS, /* random loss */
  OGRH_SIM_TR_DROP_GONE, /* the sender's session ended before the server had it */
  OGRH_SIM_TR_VIOLATION  /* the server disconnected the sender (size, NUL or flood) */
} ogrh_sim_trace_kind;

typedef struct ogrh_sim_trace {
  ogrh_sim_trace_kind kind;
  uint64_t at_us;
  int sender, receiver;
  const char *prefix;
  const uint8_t *text;
  size_t n;
} ogrh_sim_trace;

typedef void (*ogrh_sim_trace_fn)(void *ud, const ogrh_sim_trace *t);

typedef struct ogrh_sim_stats {
  uint64_t messages, bytes; /* accepted by the server (prefix + text bytes) */
  uint64_t copies, dropped_loading, dropped_loss, dropped_gone, violations;
  uint64_t frames, events;
} ogrh_sim_stats;

typedef struct ogrh_sim ogrh_sim;

ogrh_sim *ogrh_sim_new(const ogrh_sim_params *p);
void ogrh_sim_free(ogrh_sim *s);

/*
** Adds a client: name (at most 31 bytes), frame rate, median latency (<= 0: drawn), whether it
** is logged in and whether it is in the group. Returns its index (>= 0) or a negative status.
** The client's first frame runs at once when it is online.
*/
int ogrh_sim_add(ogrh_sim *s, const char *name, double fps, double latency_ms, bool online,
                 bool in_group, const ogrh_sim_client_if *ifc, void *ud);
int ogrh_sim_count(const ogrh_sim *s);
const char *ogrh_sim_name(const ogrh_sim *s, int client);
int ogrh_sim_find(const ogrh_sim *s, const char *name); /* -1 if unknown */
ogrh_sim_state ogrh_sim_state_of(const ogrh_sim *s, int client);
bool ogrh_sim_in_group(const ogrh_sim *s, int client);
double ogrh_sim_fps(const ogrh_sim *s, int client);
double ogrh_sim_latency(const ogrh_sim *s, int client);

/* A client sends one message (prefix up to 16 bytes; text as it goes on the wire). */
int ogrh_sim_send(ogrh_sim *s, int client, const char *prefix, const uint8_t *text, size_t n);
/* The client wants a frame at or after at_ms (sooner than it said in its last frame). */
void ogrh_sim_wake(ogrh_sim *s, int client, uint64_t at_ms);

/* Life events. Each is ignored when it does not apply (a zone while offline, ...). */
void ogrh_sim_zone(ogrh_sim *s, int client, uint64_t loading_ms);
void ogrh_sim_reload(ogrh_sim *s, int client, uint64_t loading_ms);
void ogrh_sim_disconnect(ogrh_sim *s, int client);
void ogrh_sim_reconnect(ogrh_sim *s, int client, uint64_t loading_ms);
void ogrh_sim_set_group(ogrh_sim *s, int client, bool in_group);
void ogrh_sim_set_fps(ogrh_sim *s, int client, double fps);

/* A callback at a simulated time (ms; not before now), in scheduling order among equals. */
typedef void (*ogrh_sim_timer_fn)(void *ud, uint64_t now_ms);
int ogrh_sim_at(ogrh_sim *s, uint64_t at_ms, ogrh_sim_timer_fn fn, void *ud);

/* Runs every event up to and including t_ms; the clock then reads t_ms. */
int ogrh_sim_run_until(ogrh_sim *s, uint64_t t_ms);
uint64_t ogrh_sim_now_ms(const ogrh_sim *s);
uint64_t ogrh_sim_now_us(const ogrh_sim *s);

/*
** The channel delay of the copy being handed over right now (its send time to now, in ms:
** sender's link, server tick, receiver's link, wait for the frame), or -1 outside receive().
*/
double ogrh_sim_delivery_delay_ms(const ogrh_sim *s);
/* The sender of that copy, or -1 outside receive(). */
int ogrh_sim_delivery_sender(const ogrh_sim *s);

void ogrh_sim_set_trace(ogrh_sim *s, ogrh_sim_trace_fn fn, void *ud);
const ogrh_sim_stats *ogrh_sim_stats_get(const ogrh_sim *s);
/* A digest of every copy handed over (time, receiver, sender, prefix, text), in order. */
uint64_t ogrh_sim_digest(const ogrh_sim *s);
/* Bytes accepted by the server in each whole second since the start; *n seconds. */
const uint32_t *ogrh_sim_bytes_per_second(const ogrh_sim *s, size_t *n);

/* Draws from the simulation's generator (for the scenario and the clients it hosts). */
uint64_t ogrh_sim_random(ogrh_sim *s);

/* ==== scenarios ==== */

/*
** A scenario (docs/SIMULATOR.md): the players, the plan they start from, the drift applied
** before the start, a timeline of events, random events, what to measure and what to expect.
*/
typedef struct ogrh_scenario ogrh_scenario;

/* Parses a scenario; plan files are found relative to base_dir (NULL: the current folder).
** Errors name the JSON line and column, or the field. */
int ogrh_scenario_parse(const char *json, size_t n, const char *base_dir, ogrh_scenario **out,
                        ogrh_err *err);
/* One of the built-in scenarios (data/scenarios/NAME.json, compiled in). */
int ogrh_scenario_builtin(const char *name, ogrh_scenario **out, ogrh_err *err);
void ogrh_scenario_free(ogrh_scenario *sc);
const char *ogrh_scenario_name(const ogrh_scenario *sc);
const char *ogrh_scenario_description(const ogrh_scenario *sc);
uint64_t ogrh_scenario_seed(const ogrh_scenario *sc);

size_t ogrh_sim_builtin_count(void);
const char *ogrh_sim_builtin_name(size_t i);
const char *ogrh_sim_builtin_text(size_t i, size_t *n);

typedef enum { OGRH_SIM_MODEL_OGRH = 1, OGRH_SIM_MODEL_ADDON = 2 } ogrh_sim_model;
const char *ogrh_sim_model_name(ogrh_sim_model m);

/* One line of the run's log (the --trace CSV): time, what, who, to whom, bytes, detail. */
typedef void (*ogrh_sim_log_fn)(void *ud, double t_s, const char *kind, const char *who,
                                const char *to, size_t bytes, const char *detail);

typedef struct ogrh_sim_run_opts {
  uint64_t seed; /* 0: the scenario's */
  ogrh_sim_model model;
  bool addon_fixed; /* the addon model without its documented bugs */
  ogrh_sim_log_fn log;
  void *log_ud;
} ogrh_sim_run_opts;

typedef struct ogrh_sim_pct {
  double p50, p99, max; /* seconds; -1 when there is no sample */
  size_t n;
} ogrh_sim_pct;

typedef struct ogrh_sim_mark {
  double t;
  char label[40];
} ogrh_sim_mark;

typedef struct ogrh_sim_result {
  ogrh_sim_model model;
  bool addon_fixed; /* the addon model ran without its bugs: reported as "addon-fixed" */
  uint64_t seed;
  double duration_s;
  bool converged;    /* every online node's synced data equals the admin's at the end */
  double converge_s; /* from the last timeline event to convergence; -1: not converged */
  uint64_t lost_writes, refused, accepted_forgeries;
  uint64_t messages, bytes; /* accepted by the server; bytes = prefix + text */
  ogrh_sim_pct delta_visible_s, delta_overhead_s;
  ogrh_sim_pct overhead_admin_s, overhead_officer_s; /* delta_overhead_s by who wrote */
  char repair_kind[16]; /* what the scenario measures ("" if nothing) */
  double repair_s;      /* mismatch known until the last stale node verified; -1: never */
  size_t peak_node_memory;
  double wall_s; /* filled by whoever timed the run */
  double cpu_s;  /* likewise: processor time (wall time counts other processes' load too) */
  uint64_t writes, violations, digest;
  double poll_bytes_per_30s; /* -1 when the model does not say */
  /* For plots: per second, bytes on the channel and players whose data differ. */
  uint32_t *bytes_per_s;
  uint16_t *stale;
  size_t nseries;
  ogrh_sim_mark *marks;
  size_t nmarks;
  bool passed; /* against the scenario's expectations for this model */
  char failure[256];
  char goals_missed[256]; /* the scenario's goals (figures) this run did not reach, "" if none */
} ogrh_sim_result;

/*
** Runs a scenario with one model. OGRH_ENOTFOUND when the model is not available (the sync
** node is not built in yet). The result owns its series; free with ogrh_sim_result_free.
*/
int ogrh_sim_run(const ogrh_scenario *sc, const ogrh_sim_run_opts *o, ogrh_sim_result *out,
                 ogrh_err *err);
void ogrh_sim_result_free(ogrh_sim_result *r);

/* The JSON report of one scenario run with n models (the `ogrh sim --json` format). */
int ogrh_sim_result_json(const char *scenario, const ogrh_sim_result *r, size_t n, ogrh_buf *out);
/* An SVG: bytes per second and stale players over time, one line per model, events marked. */
int ogrh_sim_plot_svg(const char *scenario, const ogrh_sim_result *r, size_t n, ogrh_buf *out);

#endif
