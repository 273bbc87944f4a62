/*
** node_live.h
** The pieces of the live node (`ogrh node`), one file per concern:
**   node_log.c    events for people: one line each on stderr (text or JSON), and the feed
**                 the HTTP API streams as server-sent events;
**   node_mqtt.c   the team's channel over an MQTT broker (libmosquitto, driven by our poll loop);
**   node_file.c   the SavedVariables file: load, debounced atomic write-back, changes made
**                 from outside turned into operations;
**   node_state.c  the folder beside the file: lock, persisted state, status file;
**   node_http.c   the HTTP transport (libmicrohttpd, driven by our poll loop), token, SSE;
**   node_api.c    the HTTP API's endpoints;
**   node_web.c    the dashboard: the page's files, its statistics and digests;
**   node_sync.c   the bridge between these and the sync engine;
**   cmd_node.c    the command: options, the event loop, signals.
** Everything runs on one thread; nothing here is thread-safe.
*/
#ifndef OGRH_NODE_LIVE_H
#define OGRH_NODE_LIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ogrh/ogrh.h"

/* ---- clocks ---- */

/* Milliseconds of CLOCK_MONOTONIC: what the engine's timers run on. */
uint64_t live_now_ms(void);
/* Seconds since the epoch for backups and logs (OGRH_NOW overrides it, as in the CLI). */
int64_t live_wall(void);

/* ---- events and logging (node_log.c) ---- */

enum { LIVE_EVENT = 0, LIVE_VERBOSE = 1, LIVE_DEBUG = 2 };

/* Recent events kept for clients that connect later (the dashboard's event log). */
#define LIVE_RING 128

typedef void (*live_sink_fn)(void *ud, uint64_t id, const char *json, size_t n);

typedef struct live_log {
  FILE *out;
  bool json;     /* one JSON object per line instead of text */
  int verbosity; /* lines above it are not printed */
  char who[OGRH_NAME_MAX + 1];
  live_sink_fn sink;
  void *sink_ud;
  uint64_t next_id;
  char *ring[LIVE_RING];
  uint64_t ring_id[LIVE_RING];
  size_t ring_n, ring_head;
} live_log;

void live_log_init(live_log *l, FILE *out, bool json, int verbosity, const char *who);
void live_log_deinit(live_log *l);

/*
** An event: printed when level <= verbosity; events of level LIVE_EVENT also go to the sink
** (server-sent events) and the ring. data (a JSON object, may be NULL) is stolen: its fields
** join "time", "event", "level", "user" and "msg" in the JSON form.
*/
void live_log_event(live_log *l, int level, const char *event, json_t *data, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* An event for the sink only (periodic statistics for charts); data is stolen. */
void live_log_publish(live_log *l, const char *event, json_t *data);
/* JSON for a value (lossless mapping of json.h; NULL, absent, is null) and for a scope, as
** events and answers show them. */
json_t *live_value_json(const ogrh_value *v);
json_t *live_scope_json(const ogrh_scope *sc);
/* Calls fn for every event in the ring with an id above after, oldest first. */
void live_log_replay(const live_log *l, uint64_t after, live_sink_fn fn, void *ud);

/* ---- the MQTT channel (node_mqtt.c) ---- */

/*
** Topics (docs/PROTOCOL.md §10): every member publishes its frames on ogrh/<team>/from/<user>
** and reads ogrh/<team>/#; the roster is the retained message ogrh/<team>/roster. The
** broker's ACL makes the topic, so the sender, unforgeable.
*/
typedef struct live_mqtt_cfg {
  const char *host;
  int port;
  const char *team, *user, *password; /* password may be NULL */
  const char *tls_ca;                 /* CA file: TLS on; NULL: plain TCP */
  bool subscribe;                     /* false for a client that only publishes (ogrh roster) */
  int keepalive;                      /* seconds */
} live_mqtt_cfg;

typedef struct live_mqtt_cb {
  /* A frame from another member (prefix and text as a WoW client would hand them over). */
  void (*frame)(void *ud, const char *sender, const char *prefix, const uint8_t *text, size_t n);
  /* The retained roster message (n == 0: none, or cleared). */
  void (*roster)(void *ud, const char *payload, size_t n);
  /* Connected (true) or connection lost (false). */
  void (*state)(void *ud, bool connected);
  void *ud;
} live_mqtt_cb;

typedef struct live_mqtt_stats {
  uint64_t bytes_in, bytes_out, msgs_in, msgs_out, refused, reconnects, dropped, ignored;
} live_mqtt_stats;

typedef struct live_mqtt live_mqtt;

/* Starts connecting (the first attempt is made at once; failures are retried with backoff). */
int live_mqtt_new(const live_mqtt_cfg *cfg, const live_mqtt_cb *cb, live_log *log, live_mqtt **out,
                  ogrh_err *err);
/* Disconnects cleanly (waits up to timeout_ms for queued publications to leave). */
void live_mqtt_free(live_mqtt *m, int timeout_ms);

/* The socket to poll (-1 while disconnected) and the events to poll it for. */
int live_mqtt_fd(live_mqtt *m);
short live_mqtt_events(live_mqtt *m);
void live_mqtt_io(live_mqtt *m, short revents);
/* Keepalive, retries and reconnection; returns the time it next wants to run. */
uint64_t live_mqtt_tick(live_mqtt *m, uint64_t now);

bool live_mqtt_connected(const live_mqtt *m);
/* Why the broker refused the last connection attempt ("Not authorized"), or NULL. */
const char *live_mqtt_refusal(const live_mqtt *m);
const live_mqtt_stats *live_mqtt_stats_get(const live_mqtt *m);

/*
** Publishes one frame on our topic. While disconnected, frames wait in a bounded queue
** (LIVE_MQTT_QUEUE bytes; beyond it the oldest are dropped and counted: the sync protocol's
** NACKs and polls recover them).
*/
#define LIVE_MQTT_QUEUE (4u << 20)
int live_mqtt_publish_frame(live_mqtt *m, const char *prefix, const uint8_t *text, size_t n);
/* Frames waiting for the connection (0 when connected). */
size_t live_mqtt_queued(const live_mqtt *m);

/*
** Publishes the roster as the retained message (n == 0 clears it) and waits up to
** timeout_ms for the broker's answer: OGRH_EREFUSED when the broker refuses it (the ACL),
** OGRH_EAGAIN when there was no answer. For `ogrh roster`.
*/
int live_mqtt_publish_roster(live_mqtt *m, const char *payload, size_t n, int timeout_ms,
                             ogrh_err *err);
/* Publishes the roster as the retained message without waiting (a refusal is logged). */
int live_mqtt_put_roster(live_mqtt *m, const char *payload, size_t n);
/* Runs the client alone until fn(ud) is true or timeout_ms passes; false on timeout. */
bool live_mqtt_wait(live_mqtt *m, bool (*fn)(void *ud), void *ud, int timeout_ms);

/* Parses HOST[:PORT] ([::1]:PORT for IPv6); port 1883 (8883 with TLS) when absent. */
int live_parse_hostport(const char *s, int default_port, char *host, size_t hostcap, int *port);
/* Reads a password from the first line of a file. */
int live_read_password(const char *path, char *out, size_t cap, ogrh_err *err);

/* The connection options both `ogrh node` and `ogrh roster` take, checked and filled into
** cfg; host and password point into the strings given. */
typedef struct live_conn_opts {
  const char *broker, *team, *user, *password_file, *tls_ca;
  char host[256], password[256];
} live_conn_opts;
int live_conn_cfg(live_conn_opts *o, live_mqtt_cfg *cfg, ogrh_err *err);
/* The same from a command's options (--broker, --raid, --user, --password-file, --tls-ca):
** EXIT_OK, or the exit status after printing the error. */
struct cli_cmd;
struct cli_opt;
int live_conn_from_cli(const struct cli_cmd *cmd, const struct cli_opt *opts, int nopts,
                       live_conn_opts *co, live_mqtt_cfg *cfg);

/* ---- the folder beside the file (node_state.c) ---- */

/*
** For OG-RaidHelper.lua the folder OG-RaidHelper.lua.node/ holds: `lock` (one node per file),
** `state` (the sync engine's persisted bytes: revision, epoch, outbox, log), `base.lua` (the
** plan as the node last wrote or read it, to tell changes made from outside while it was not
** running), `status.json` (what `ogrh node --status` prints). Every write is atomic.
*/
typedef struct live_state live_state;

/* Creates the folder if needed and takes the lock: OGRH_ELOCKED when another node runs. */
int live_state_open(const char *svpath, live_state **out, ogrh_err *err);
void live_state_close(live_state *st);
/* The path of a file in the folder (valid until the next call). */
const char *live_state_path(live_state *st, const char *name);
/* The engine's bytes (empty when there are none yet). */
int live_state_load(live_state *st, ogrh_buf *out, ogrh_err *err);
int live_state_save(live_state *st, const void *p, size_t n, ogrh_err *err);
/* status.json: replaced atomically, not synced to disk (it is rewritten every few seconds). */
int live_state_write_status(live_state *st, json_t *status);
/* For --status: the status file of svpath's node; OGRH_ENOTFOUND when no node ever ran. */
int live_state_read_status(const char *svpath, ogrh_buf *out, ogrh_err *err);

/*
** The journal (FILE.node/journal): the plan's changes since base.lua was written, so that a
** state saved after them never meets a plan without them (a crash between the state and the
** debounced write of the file). docs/PROTOCOL.md §13.
**   note    records one change in memory (path NULL or empty: the whole schema root);
**   commit  appends what was noted and syncs it: call it before saving the state. It fails
**           after a note or append was lost, until the next reset;
**   reset   base.lua was written naming journal `id`: start that journal, empty;
**   replay  applies the journal of base.lua's `id` to doc (before anything else changes it)
**           and keeps appending to it; a journal of another id is replaced by an empty one.
*/
int live_journal_note(live_state *st, const ogrh_path *path, const ogrh_value *v);
int live_journal_commit(live_state *st, ogrh_err *err);
int live_journal_reset(live_state *st, uint64_t id);
int live_journal_replay(live_state *st, uint64_t id, ogrh_doc *doc, size_t *count, ogrh_err *err);
uint64_t live_journal_id(const live_state *st);

/* ---- the SavedVariables file (node_file.c) ---- */

/* One difference found in the file: the value now at path (nil: deleted). */
typedef struct live_op {
  ogrh_path path;
  ogrh_value value;
  ogrh_scope scope;
  char text[256]; /* the path as text, for messages */
} live_op;

/*
** Changes found in the file, for the engine to turn into this player's writes. The engine
** sets accepted[i] for every op it applied; the rest were refused (and the engine reported
** why). Parts of the file that are not synced were adopted already.
*/
typedef void (*live_outside_fn)(void *ud, const live_op *ops, size_t n, bool *accepted);

typedef struct live_file live_file;

/* The value at path p under root (NULL when absent). */
const ogrh_value *live_value_at(const ogrh_value *root, const ogrh_path *p);

/*
** Loads the file (or, if it does not exist yet, the factory defaults) and the copy in
** base.lua. Differences between the two are changes made while no node ran: they are kept
** and handed to the engine by live_file_start.
*/
int live_file_open(const char *path, live_state *st, live_log *log, live_file **out, ogrh_err *err);
void live_file_close(live_file *f);
ogrh_doc *live_file_doc(live_file *f);
void live_file_on_outside(live_file *f, live_outside_fn fn, void *ud);
/* Hands over the changes found at start and starts watching. */
void live_file_start(live_file *f, uint64_t now);
/* The document changed: write it back after a quiet moment. */
void live_file_touch(live_file *f, uint64_t now);
int live_file_fd(live_file *f);
void live_file_io(live_file *f, uint64_t now);
/* Debounced writes, polling where inotify is missing; returns the next time it wants to run. */
uint64_t live_file_tick(live_file *f, uint64_t now);
/* Reads the file now (SIGHUP). */
void live_file_reload(live_file *f, uint64_t now);
/* Writes now if anything is unwritten. */
int live_file_flush(live_file *f);
/* Takes over what src holds outside the plan (other variables, OGRH_SV's other keys). */
int live_file_adopt(live_file *f, ogrh_svfile *src);
/* The engine owns the document from now on: closing the file no longer frees or touches it. */
void live_file_give_doc(live_file *f);
/* Reads the document again from what the file held (after an engine refused to start with it
** and freed it). */
int live_file_reload_doc(live_file *f, ogrh_err *err);
/* Counts for the status. */
typedef struct live_file_stats {
  uint64_t writes, outside_changes, ops_accepted, ops_refused, unreadable;
  bool dirty, broken;
} live_file_stats;
const live_file_stats *live_file_stats_get(const live_file *f);

/* ---- the HTTP transport (node_http.c) ---- */

#define LIVE_HTTP_BODY_MAX (1u << 20)

typedef struct live_http_req {
  const char *method, *path; /* path without the query */
  const char *body;
  size_t body_len;
  void *conn; /* for live_http_query */
} live_http_req;

typedef struct live_http_resp {
  int status;
  const char *content_type; /* default application/json */
  const char *disposition;  /* Content-Disposition, or NULL */
  ogrh_buf body;
  bool stream; /* turn this request into a server-sent event stream */
  bool defer;  /* answer later with live_http_finish(rs->id) */
  uint64_t id; /* set by the transport: this request's id */
} live_http_resp;

typedef void (*live_http_fn)(void *ud, const live_http_req *rq, live_http_resp *rs);

typedef struct live_http live_http;

/*
** Listens on ADDR:PORT (port 0: any free one). Addresses other than loopback are refused
** unless allow_remote. Every request must carry the token (?token= or Authorization: Bearer),
** else 401.
*/
int live_http_start(const char *addrport, const char *token, bool allow_remote, live_http_fn fn,
                    void *ud, live_log *log, live_http **out, ogrh_err *err);
void live_http_stop(live_http *h);
/* "http://127.0.0.1:PORT" */
const char *live_http_url(const live_http *h);
const char *live_http_query(const live_http_req *rq, const char *key);
const char *live_http_header(const live_http_req *rq, const char *key);
int live_http_fd(live_http *h);
/* Runs what is ready; returns the next time it wants to run. */
uint64_t live_http_run(live_http *h, uint64_t now);
/* Answers a deferred request (status and the JSON text of o, stolen); unknown ids are ignored. */
void live_http_finish(live_http *h, uint64_t id, int status, json_t *o);
/* An event to every stream (id 0: not replayable). */
void live_http_broadcast(live_http *h, uint64_t id, const char *json, size_t n);
size_t live_http_streams(const live_http *h);

/* Appends {"error": msg, "status": code} and sets the status. */
void live_http_error(live_http_resp *rs, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Sets the body to the JSON text of o (stolen) and the status. */
void live_http_json(live_http_resp *rs, int status, json_t *o);

/* ---- channel statistics for the dashboard's charts (node_web.c) ---- */

/* One sample per status update (every LIVE_SAMPLE_MS), the last LIVE_SAMPLES kept: 5 minutes. */
#define LIVE_SAMPLE_MS 2000
#define LIVE_SAMPLES 150

typedef struct live_sample {
  uint64_t t_ms; /* since the node started */
  uint64_t bytes_in, bytes_out, queue;
} live_sample;

typedef struct live_samples {
  live_sample s[LIVE_SAMPLES];
  size_t n, head;
} live_samples;

/* ---- the node (cmd_node.c holds it; node_sync.c and node_api.c work on it) ---- */

typedef struct live_sync live_sync;

typedef struct live_node {
  const char *path; /* the SavedVariables file */
  char user[OGRH_NAME_MAX + 1], team[OGRH_NAME_MAX + 1];
  char broker[300];
  char profile[32];
  live_log log;
  live_state *state;
  live_file *file;
  live_mqtt *mqtt;
  live_http *http;
  live_sync *sync;
  ogrh_roster *roster;
  int64_t started; /* wall clock */
  uint64_t started_ms;
  char token[80];
  uint64_t connected_at; /* when the connection came (0: not connected) */
  bool roster_heard;     /* the broker sent a roster since */
  live_samples samples;  /* for the dashboard's charts */
} live_node;

/* ---- the bridge to the sync engine (node_sync.c) ---- */

int live_sync_new(live_node *n, live_sync **out, ogrh_err *err);
void live_sync_free(live_sync *s);
/* Events from the channel and the host. */
void live_sync_frame(live_sync *s, const char *sender, const char *prefix, const uint8_t *text,
                     size_t len, uint64_t now);
void live_sync_roster(live_sync *s, const ogrh_roster *r, uint64_t now);
void live_sync_connected(live_sync *s, bool connected, uint64_t now);
void live_sync_outside(void *ud, const live_op *ops, size_t n, bool *accepted);
/* Timers; returns the next time it wants to run. */
uint64_t live_sync_tick(live_sync *s, uint64_t now);
/* Persists everything now (before a clean stop). */
int live_sync_flush(live_sync *s);

/* What the HTTP API and --status show. */
json_t *live_sync_status(live_sync *s);
/* A write of this player: path relative to the schema root; value NULL or nil deletes.
** *record gets the change record or the refusal (a JSON object). */
int live_sync_set(live_sync *s, const char *path, const ogrh_value *value, ogrh_sync_level level,
                  json_t **record, ogrh_err *err);
int live_sync_grant(live_sync *s, const char *player, json_t **out, ogrh_err *err);
/* Validation against the admin runs in the background; done gets the HTTP status and the
** result (stolen) when it completes or gives up. */
typedef void (*live_done_fn)(void *ud, int status, json_t *result);
int live_sync_validate(live_sync *s, live_done_fn done, void *ud, ogrh_err *err);
int live_sync_repair(live_sync *s, const char *level, const char *unit, const char *source,
                     json_t **out, ogrh_err *err);
/* Restores a backup's contents (a safety backup first: *safety gets it). */
int live_sync_restore(live_sync *s, ogrh_svfile *snap, uint32_t id, ogrh_backup_info *safety,
                      ogrh_err *err);

/* ---- the HTTP API (node_api.c) ---- */

void live_api_handle(void *ud, const live_http_req *rq, live_http_resp *rs);

/* ---- the dashboard (node_web.c) ---- */

/* Takes a sample of the status (a live_sync_status object) and sends it to open pages. */
void live_web_sample(live_node *n, const json_t *status, uint64_t now);
/* What the API does not: the page's files, GET /api/stats and GET /api/digests; 404 else. */
void live_web_handle(live_node *n, const live_http_req *rq, live_http_resp *rs);

#endif
