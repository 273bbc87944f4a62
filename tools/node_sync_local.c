/*
** node_sync_local.c
** The bridge between the live node's I/O (channel, file, HTTP) and the sync engine, for a
** build without the sync node (include/ogrh/node.h, issue 10): node_sync.c is the real one and
** is compiled instead as soon as that header exists.
**
** This stand-in it applies this player's writes to the local plan with the permissions of
** DESIGN.md (the roster's leader is admin with epoch 0; an assistant may change assignments,
** raid marks and numbers; a member only reads), reports every refusal, keeps a revision
** counter in the persisted state, and counts the frames it hears without acting on them.
** Everything the engine will own goes through the functions below, so integrating the node
** replaces the inside of this file and nothing else.
*/
#if !defined(__has_include) || !__has_include("ogrh/node.h")
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct live_sync {
  live_node *n;
  ogrh_dtree *tree;
  uint64_t revision;
  uint64_t frames_in;
  bool connected;
  bool persist_due;
};

/* ---- persistence: {"revision": N} until the engine brings its own bytes ---- */

static int persist(live_sync *s) {
  json_t *o = json_pack("{s:s, s:I}", "engine", "local", "revision", (json_int_t)s->revision);
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!text) return OGRH_ENOMEM;
  ogrh_err err;
  int rc = live_state_save(s->n->state, text, strlen(text), &err);
  ogrh_json_free(text);
  if (rc) live_log_event(&s->n->log, LIVE_EVENT, "error", NULL, "%s", ogrh_err_msg(&err));
  s->persist_due = false;
  return rc;
}

static void restore(live_sync *s) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_err err;
  if (live_state_load(s->n->state, &b, &err)) {
    live_log_event(&s->n->log, LIVE_EVENT, "error", NULL, "%s: starting from revision 0",
                   ogrh_err_msg(&err));
  } else if (b.n) {
    json_t *o = json_loadb(b.p, b.n, 0, NULL);
    json_t *rev = json_object_get(o, "revision");
    if (json_is_integer(rev)) s->revision = (uint64_t)json_integer_value(rev);
    json_decref(o);
  }
  ogrh_buf_deinit(&b);
}

int live_sync_new(live_node *n, live_sync **out, ogrh_err *err) {
  *out = NULL;
  live_sync *s = calloc(1, sizeof *s);
  if (!s) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  s->n = n;
  ogrh_doc *d = live_file_doc(n->file);
  int rc = ogrh_dtree_build(d, &s->tree);
  if (!rc) rc = ogrh_dtree_attach(s->tree, d);
  if (rc) {
    live_sync_free(s);
    return ogrh_err_set(err, rc, "cannot compute the plan's digests: %s", ogrh_strerror(rc));
  }
  restore(s);
  *out = s;
  return OGRH_OK;
}

void live_sync_free(live_sync *s) {
  if (!s) return;
  if (s->tree) {
    ogrh_dtree_detach(s->tree);
    ogrh_dtree_free(s->tree);
  }
  free(s);
}

void live_sync_frame(live_sync *s, const char *sender, const char *prefix, const uint8_t *text,
                     size_t len, uint64_t now) {
  (void)now, (void)text;
  s->frames_in++;
  live_log_event(&s->n->log, LIVE_DEBUG, "frame", NULL, "frame of %zu bytes from %s (%s)", len,
                 sender, prefix);
}

void live_sync_roster(live_sync *s, const ogrh_roster *r, uint64_t now) {
  (void)s, (void)r, (void)now;
}

void live_sync_connected(live_sync *s, bool connected, uint64_t now) {
  (void)now;
  s->connected = connected;
}

uint64_t live_sync_tick(live_sync *s, uint64_t now) {
  if (s->persist_due) persist(s);
  return now + 1000;
}

int live_sync_flush(live_sync *s) {
  return persist(s);
}

/* ---- who may do what ---- */

static const char *admin_of(const live_sync *s) {
  return s->n->roster ? ogrh_roster_leader(s->n->roster) : NULL;
}

/* NULL when the player may make the write, else why not. */
static const char *refusal(const live_sync *s, const ogrh_scope *scope) {
  if (scope->kind == OGRH_SCOPE_OTHER) return NULL; /* the player's own data */
  const char *admin = admin_of(s);
  if (admin && strcmp(admin, s->n->user) == 0) return NULL;
  int rank = ogrh_roster_rank(s->n->roster, s->n->user);
  if (rank < 0) return "not on the team's roster";
  unsigned assign = OGRH_C_ASSIGNMENTS | OGRH_C_MARKS | OGRH_C_NUMBERS;
  if (rank >= OGRH_RANK_ASSISTANT) {
    if (scope->kind == OGRH_SCOPE_ENCOUNTER && (scope->components & ~assign) == 0) return NULL;
    return "an officer may change assignments, raid marks and numbers, not structure or "
           "settings";
  }
  return "a member may not change the synced plan";
}

typedef struct captured {
  json_t *record;
} captured;

static void capture(void *ud, const ogrh_change *c) {
  captured *cap = ud;
  json_decref(cap->record);
  cap->record = json_pack("{s:s, s:o, s:o, s:o, s:I}", "path", c->path_text, "old",
                          live_value_json(c->old_value), "new", live_value_json(c->new_value),
                          "scope", live_scope_json(&c->scope), "revision", (json_int_t)0);
}

/* Applies one write of this player after the permission check; *record describes the result. */
static int apply(live_sync *s, const ogrh_path *p, const ogrh_value *v, ogrh_sync_level level,
                 const char *origin, json_t **record, ogrh_err *err) {
  ogrh_scope scope;
  ogrh_path_scope(p, &scope);
  ogrh_buf text;
  ogrh_buf_init(&text);
  ogrh_path_format(p, p->n, &text);
  const char *path = text.p ? text.p : "";
  if (!s->n->roster && scope.kind != OGRH_SCOPE_OTHER) {
    ogrh_buf_deinit(&text);
    return ogrh_err_set(err, OGRH_EAGAIN,
                        "the team's roster is not known yet (is the broker reachable, and has "
                        "the leader published it with 'ogrh roster'?)");
  }
  const char *why = refusal(s, &scope);
  if (why) {
    *record = json_pack("{s:s, s:b, s:s, s:o, s:s}", "path", path, "refused", 1, "reason", why,
                        "scope", live_scope_json(&scope), "origin", origin);
    live_log_event(&s->n->log, LIVE_EVENT, "refused",
                   json_pack("{s:s, s:s, s:s, s:s}", "who", s->n->user, "path", path, "reason", why,
                             "origin", origin),
                   "refused %s's change of %s (%s): %s", s->n->user, path, origin, why);
    ogrh_buf_deinit(&text);
    return ogrh_err_set(err, OGRH_EREFUSED, "%s", why);
  }
  ogrh_doc *d = live_file_doc(s->n->file);
  captured cap = {NULL};
  int tok = ogrh_doc_subscribe(d, capture, &cap);
  ogrh_sync_meta meta = {level, NULL, NULL};
  int rc = tok < 0 ? OGRH_ENOMEM
           : p->n  ? ogrh_doc_set_parsed(d, p, v, &meta, err)
                   : (v->type == OGRH_TABLE ? ogrh_doc_replace_root(d, v, &meta) : OGRH_ETYPE);
  if (tok > 0) ogrh_doc_unsubscribe(d, tok);
  if (rc) {
    json_decref(cap.record);
    ogrh_buf_deinit(&text);
    if (!err || !err->msg[0]) ogrh_err_set(err, rc, "%s: %s", path, ogrh_strerror(rc));
    return rc;
  }
  if (!cap.record) {
    *record = json_pack("{s:s, s:b}", "path", path, "unchanged", 1);
    ogrh_buf_deinit(&text);
    return OGRH_OK;
  }
  if (scope.kind != OGRH_SCOPE_OTHER) s->revision++;
  json_object_set_new(cap.record, "revision", json_integer((json_int_t)s->revision));
  json_object_set_new(cap.record, "syncLevel", json_string(ogrh_sync_level_name(level)));
  json_object_set_new(cap.record, "origin", json_string(origin));
  s->persist_due = true;
  live_log_event(&s->n->log, scope.kind == OGRH_SCOPE_OTHER ? LIVE_VERBOSE : LIVE_EVENT, "changed",
                 json_deep_copy(cap.record), "%s changed %s (%s)", s->n->user, path, origin);
  *record = cap.record;
  ogrh_buf_deinit(&text);
  return OGRH_OK;
}

int live_sync_set(live_sync *s, const char *path, const ogrh_value *value, ogrh_sync_level level,
                  json_t **record, ogrh_err *err) {
  *record = NULL;
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  if (rc) return rc;
  ogrh_value nil = ogrh_vnil();
  return apply(s, &p, value ? value : &nil, level, "api", record, err);
}

void live_sync_outside(void *ud, const live_op *ops, size_t n, bool *accepted) {
  live_sync *s = ud;
  for (size_t i = 0; i < n; i++) {
    json_t *rec = NULL;
    ogrh_err err;
    accepted[i] =
        apply(s, &ops[i].path, &ops[i].value, OGRH_SYNC_BATCH, "file", &rec, &err) == OGRH_OK;
    json_decref(rec);
  }
}

int live_sync_grant(live_sync *s, const char *player, json_t **out, ogrh_err *err) {
  (void)s, (void)player;
  *out = NULL;
  return ogrh_err_set(err, OGRH_EAGAIN,
                      "admin grants need the sync node (issue 10), which is "
                      "not integrated yet");
}

int live_sync_validate(live_sync *s, live_done_fn done, void *ud, ogrh_err *err) {
  (void)s, (void)done, (void)ud;
  return ogrh_err_set(err, OGRH_EAGAIN,
                      "validation against the admin needs the sync node "
                      "(issue 10), which is not integrated yet");
}

int live_sync_repair(live_sync *s, const char *level, const char *unit, const char *source,
                     json_t **out, ogrh_err *err) {
  (void)s, (void)level, (void)unit, (void)source;
  *out = NULL;
  return ogrh_err_set(err, OGRH_EAGAIN,
                      "repair from the admin needs the sync node (issue 10), "
                      "which is not integrated yet");
}

int live_sync_restore(live_sync *s, ogrh_svfile *snap, uint32_t id, ogrh_backup_info *safety,
                      ogrh_err *err) {
  ogrh_store *st;
  int rc = ogrh_store_open(s->n->path, &st, err);
  if (rc) return rc;
  rc = ogrh_backup_create(st, ogrh_doc_svfile(live_file_doc(s->n->file)), "",
                          OGRH_REASON_BEFORE_RESTORE, false, live_wall(), 0, safety, err);
  ogrh_store_close(st);
  if (!rc) rc = live_file_replace(s->n->file, snap, err);
  if (rc) return rc;
  s->revision++;
  s->persist_due = true;
  live_log_event(&s->n->log, LIVE_EVENT, "restored", json_pack("{s:i}", "id", (int)id),
                 "backup %u restored (a safety backup %u was taken first)", id, safety->id);
  return OGRH_OK;
}

json_t *live_sync_status(live_sync *s) {
  live_node *n = s->n;
  char digest[24];
  ogrh_digest root = 0;
  if (ogrh_dtree_update(s->tree) == OGRH_OK && ogrh_dtree_root(s->tree, &root) == OGRH_OK)
    snprintf(digest, sizeof digest, "%016" PRIx64, root);
  else
    snprintf(digest, sizeof digest, "unknown");
  const live_mqtt_stats *ms = n->mqtt ? live_mqtt_stats_get(n->mqtt) : NULL;
  const live_file_stats *fs = live_file_stats_get(n->file);
  const char *admin = admin_of(s);
  int rank = n->roster ? ogrh_roster_rank(n->roster, n->user) : -1;
  json_t *o = json_pack(
      "{s:s, s:s, s:s, s:s, s:b, s:s, s:s?, s:s?, s:i, s:I, s:s, s:n, s:I, s:I, s:I, s:I, s:I, "
      "s:I, s:I, s:I, s:i, s:s}",
      "user", n->user, "team", n->team, "file", n->path, "broker", n->broker, "connected",
      n->mqtt && live_mqtt_connected(n->mqtt), "engine", "local", "rank",
      rank >= 0 ? ogrh_rank_name(rank) : NULL, "admin", admin, "epoch", 0, "revision",
      (json_int_t)s->revision, "digest", digest, "stale", "queue",
      (json_int_t)(n->mqtt ? live_mqtt_queued(n->mqtt) : 0), "bytesIn",
      (json_int_t)(ms ? ms->bytes_in : 0), "bytesOut", (json_int_t)(ms ? ms->bytes_out : 0),
      "messagesIn", (json_int_t)(ms ? ms->msgs_in : 0), "messagesOut",
      (json_int_t)(ms ? ms->msgs_out : 0), "refusedByBroker", (json_int_t)(ms ? ms->refused : 0),
      "reconnects", (json_int_t)(ms ? ms->reconnects : 0), "framesIn", (json_int_t)s->frames_in,
      "pid", (int)getpid(), "profile", n->profile);
  json_object_set_new(o, "players", json_integer(n->roster ? (json_int_t)n->roster->n : 0));
  json_object_set_new(o, "fileState",
                      json_pack("{s:I, s:I, s:I, s:I, s:b, s:b}", "writes", (json_int_t)fs->writes,
                                "outsideChanges", (json_int_t)fs->outside_changes, "acceptedEdits",
                                (json_int_t)fs->ops_accepted, "refusedEdits",
                                (json_int_t)fs->ops_refused, "unwritten", fs->dirty, "unreadable",
                                fs->broken));
  return o;
}

#else
/* The sync node is there: node_sync.c is the bridge. */
typedef int live_sync_local_unused;
#endif
