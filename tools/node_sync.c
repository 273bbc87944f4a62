/*
** node_sync.c
** The bridge between the live node's I/O and the sync node (ogrh/node.h): frames from the
** broker go to ogrh_node_receive and frames from the node to the broker; the roster and the
** connection become ogrh_node_set_roster and set_conditions; this player's writes (the HTTP
** API, edits found in the file) go through the node's SVM write API with its permissions; the
** node's state is persisted beside the file and its document written back; its events become
** log lines and server-sent events.
*/
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ogrh/node.h"

/* A manual validation gives up after this long without completing. */
#define VALIDATE_MS 15000

struct live_sync {
  live_node *n;
  ogrh_node *node;
  bool connected;
  bool persist_failing; /* reported once until it works again */
  json_t *refusals;     /* during live_sync_outside: path -> why, from WRITE_REFUSED events */
  /* the validation an HTTP request waits for */
  live_done_fn done;
  void *done_ud;
  uint64_t done_deadline;
  json_t *lines; /* MISMATCH lines heard meanwhile */
  /* the node's VALIDATION_DONE: its .what, .why and text */
  char outcome[16];
  ogrh_refusal outcome_why;
  char outcome_text[160];
};

/* ---- callbacks of the node ---- */

static void out_frame(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  (void)now;
  live_sync *s = ud;
  if (s->n->mqtt) live_mqtt_publish_frame(s->n->mqtt, prefix, text, n);
}

/*
** The state is durable before this returns, and never ahead of the plan: the plan's changes
** noted since the last call go to the journal first (node_state.c), then the state is saved.
** The file itself is written a moment later (debounced); after a crash the journal brings
** base.lua up to the state.
*/
static int persist(void *ud, const uint8_t *state, size_t n, bool doc_changed, uint64_t now) {
  live_sync *s = ud;
  ogrh_err err;
  int rc = live_journal_commit(s->n->state, &err);
  if (!rc) rc = live_state_save(s->n->state, state, n, &err);
  if (rc && !s->persist_failing)
    live_log_event(&s->n->log, LIVE_EVENT, "error", NULL, "%s", ogrh_err_msg(&err));
  s->persist_failing = rc != OGRH_OK;
  if (doc_changed) live_file_touch(s->n->file, now);
  return rc;
}

static int take_backup(void *ud, ogrh_backup_reason reason, const char *label, uint64_t now) {
  (void)now;
  live_sync *s = ud;
  ogrh_store *st;
  ogrh_err err;
  int rc = ogrh_store_open(s->n->path, &st, &err);
  ogrh_backup_info info;
  if (!rc) {
    rc = ogrh_backup_create(st, ogrh_doc_svfile(ogrh_node_doc(s->node)), label ? label : "", reason,
                            false, live_wall(), 0, &info, &err);
    ogrh_store_close(st);
  }
  if (rc)
    live_log_event(&s->n->log, LIVE_EVENT, "error", NULL, "cannot take a backup (%s): %s",
                   ogrh_reason_name(reason), ogrh_err_msg(&err));
  else
    live_log_event(&s->n->log, LIVE_EVENT, "backup",
                   json_pack("{s:i, s:s, s:s}", "id", (int)info.id, "label", info.label, "reason",
                             ogrh_reason_name(reason)),
                   "backup %u taken (%s)", info.id, ogrh_reason_name(reason));
  return rc;
}

static void on_event(void *ud, const ogrh_event *e) {
  live_sync *s = ud;
  json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:I}", "who", e->who, "by", e->by, "what", e->what,
                        "epoch", (json_int_t)e->epoch, "revision", (json_int_t)e->revision);
  if (e->why != OGRH_WHY_NONE)
    json_object_set_new(d, "why", json_string(ogrh_refusal_text(e->why)));
  if (e->kind == OGRH_EV_REFUSED)
    json_object_set_new(d, "count", json_integer((json_int_t)e->count));
  if (e->kind == OGRH_EV_CHANGED) json_object_set_new(d, "scope", live_scope_json(&e->scope));
  if (e->kind == OGRH_EV_REPAIR_PROGRESS || e->kind == OGRH_EV_REPAIR_DONE) {
    json_object_set_new(d, "unitsDone", json_integer((json_int_t)e->units_done));
    json_object_set_new(d, "unitsTotal", json_integer((json_int_t)e->units_total));
    json_object_set_new(d, "bytesDone", json_integer((json_int_t)e->bytes_done));
    json_object_set_new(d, "bytesTotal", json_integer((json_int_t)e->bytes_total));
    json_object_set_new(d, "etaMs", json_integer((json_int_t)e->eta_ms));
  }
  /* Changes that only touch this player's own settings are not news to anyone. */
  int level = e->kind == OGRH_EV_CHANGED && e->scope.kind == OGRH_SCOPE_OTHER ? LIVE_VERBOSE
              : e->kind == OGRH_EV_REPAIR_PROGRESS                            ? LIVE_VERBOSE
                                                                              : LIVE_EVENT;
  if (s->refusals && e->kind == OGRH_EV_WRITE_REFUSED && !e->who[0]) {
    /* Edits from the file: live_sync_outside reports each one with this reason. */
    const char *why = e->text;
    size_t wl = strlen(e->what);
    if (strncmp(why, e->what, wl) == 0 && strncmp(why + wl, ": ", 2) == 0) why += wl + 2;
    if (strncmp(why, "refused: ", 9) == 0) why += 9;
    json_object_set_new(s->refusals, e->what, json_string(why));
    level = LIVE_VERBOSE;
  }
  live_log_event(&s->n->log, level, ogrh_event_name(e->kind), d, "%s", e->text);
  if (s->done && e->kind == OGRH_EV_MISMATCH) json_array_append_new(s->lines, json_string(e->text));
  if (s->done && e->kind == OGRH_EV_VALIDATION_DONE && !s->outcome[0]) {
    snprintf(s->outcome, sizeof s->outcome, "%s", e->what);
    snprintf(s->outcome_text, sizeof s->outcome_text, "%s", e->text);
    s->outcome_why = e->why;
  }
}

/* ---- life cycle ---- */

static uint64_t seed(void) {
  uint64_t v = live_now_ms() ^ ((uint64_t)getpid() << 40);
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    uint64_t r;
    if (read(fd, &r, sizeof r) == (ssize_t)sizeof r) v ^= r;
    close(fd);
  }
  return v;
}

int live_sync_new(live_node *n, live_sync **out, ogrh_err *err) {
  *out = NULL;
  live_sync *s = calloc(1, sizeof *s);
  if (!s) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  s->n = n;
  ogrh_buf state;
  ogrh_buf_init(&state);
  int rc = live_state_load(n->state, &state, err);
  if (rc) {
    live_log_event(&n->log, LIVE_EVENT, "error", NULL,
                   "%s: starting without it (writes that were waiting are lost)",
                   ogrh_err_msg(err));
    ogrh_buf_reset(&state);
  }
  ogrh_node_cfg cfg;
  ogrh_node_cfg_default(&cfg);
  cfg.self = n->user;
  cfg.seed = seed();
  cfg.now_ms = live_now_ms();
  cfg.out = out_frame;
  cfg.persist = persist;
  cfg.backup = take_backup;
  cfg.event = on_event;
  cfg.ud = s;
  ogrh_ctl_profile(n->profile, &cfg.ctl);
  for (int attempt = 0; attempt < 2; attempt++) {
    cfg.doc = live_file_doc(n->file);
    cfg.state = state.n ? (const uint8_t *)state.p : NULL;
    cfg.state_len = state.n;
    /* The node owns the document from here on, also when it fails to start. */
    live_file_give_doc(n->file);
    rc = ogrh_node_new(&cfg, &s->node);
    if (rc != OGRH_ECORRUPT || !state.n) break;
    live_log_event(&n->log, LIVE_EVENT, "error", NULL,
                   "the saved sync state does not fit: starting without it (writes that were "
                   "waiting are lost)");
    ogrh_buf_reset(&state);
    if ((rc = live_file_reload_doc(n->file, err)) != OGRH_OK) break;
  }
  ogrh_buf_deinit(&state);
  if (rc) {
    free(s);
    if (!err || !err->msg[0])
      ogrh_err_set(err, rc, "cannot start the sync node: %s", ogrh_strerror(rc));
    return rc;
  }
  /* Not connected yet: writes wait in the outbox. */
  ogrh_node_set_conditions(s->node, false, true, false, live_now_ms());
  *out = s;
  return OGRH_OK;
}

void live_sync_free(live_sync *s) {
  if (!s) return;
  if (s->done)
    s->done(s->done_ud, 503,
            json_pack("{s:s, s:i}", "error", "the node is stopping", "status", 503));
  json_decref(s->lines);
  ogrh_node_free(s->node);
  free(s);
}

/* ---- the channel and the host ---- */

void live_sync_frame(live_sync *s, const char *sender, const char *prefix, const uint8_t *text,
                     size_t len, uint64_t now) {
  ogrh_node_receive(s->node, sender, prefix, text, len, now);
}

static bool in_roster(const live_sync *s) {
  return s->n->roster && ogrh_roster_rank(s->n->roster, s->n->user) >= 0;
}

static void conditions(live_sync *s, uint64_t now) {
  /* Without the broker the node may not send: its writes wait in the durable outbox. */
  ogrh_node_set_conditions(s->node, false, !s->connected, in_roster(s), now);
}

void live_sync_roster(live_sync *s, const ogrh_roster *r, uint64_t now) {
  size_t count = r ? r->n : 0;
  ogrh_member *m = calloc(count ? count : 1, sizeof *m);
  if (!m) return;
  for (size_t i = 0; i < count; i++)
    m[i] = (ogrh_member){r->e[i].name, r->e[i].rank, true};
  int rc = ogrh_node_set_roster(s->node, m, count, now);
  free(m);
  if (rc)
    live_log_event(&s->n->log, LIVE_EVENT, "error", NULL, "the sync node refused the roster: %s",
                   ogrh_strerror(rc));
  conditions(s, now);
}

void live_sync_connected(live_sync *s, bool connected, uint64_t now) {
  s->connected = connected;
  conditions(s, now);
}

/* A unit's digest as the API writes digests (16 hex digits), or nothing where it is absent. */
static void set_digest(json_t *o, const char *key, ogrh_digest d) {
  char hex[24];
  if (!d) return;
  snprintf(hex, sizeof hex, "%016" PRIx64, d);
  json_object_set_new(o, key, json_string(hex));
}

/* The answer to POST /api/validate, once the node has told the end of the validation (its
** VALIDATION_DONE event), or 504 when it has not in VALIDATE_MS. */
static void finish_validation(live_sync *s, uint64_t now) {
  if (!s->outcome[0] && now < s->done_deadline) return;
  ogrh_node_status st;
  ogrh_node_status_get(s->node, &st);
  json_t *o;
  int status = 200;
  if (!s->outcome[0] || strcmp(s->outcome, "incomplete") == 0) {
    status = !s->outcome[0] ? 504 : s->outcome_why == OGRH_WHY_NO_ADMIN ? 503 : 409;
    o = json_pack("{s:s, s:i}", "error",
                  status == 504   ? "the admin did not answer in time"
                  : status == 503 ? "No admin online"
                                  : s->outcome_text,
                  "status", status);
  } else {
    const ogrh_node_diff *d;
    size_t nd = ogrh_node_diffs(s->node, &d);
    json_t *diffs = json_array();
    for (size_t i = 0; i < nd; i++) {
      json_t *c = json_array();
      for (int k = 0; k < OGRH_NCOMPONENTS; k++)
        if (d[i].components & (1u << k))
          json_array_append_new(c, json_string(ogrh_component_name(k)));
      json_t *one =
          json_pack("{s:s, s:s, s:s, s:o, s:s?, s:b}", "kind", ogrh_unit_kind_name(d[i].kind),
                    "raid", d[i].raid, "encounter", d[i].encounter, "components", c, "global",
                    d[i].kind == OGRH_UNIT_GLOBAL ? ogrh_global_name(d[i].global) : NULL,
                    "repaired", d[i].repaired);
      /* The two digests compared, for the dashboard's tree (absent for a side that lacks it). */
      set_digest(one, "localDigest", d[i].local);
      set_digest(one, "adminDigest", d[i].admin);
      json_array_append_new(diffs, one);
    }
    json_array_append_new(s->lines, json_string(s->outcome_text));
    char root[24];
    snprintf(root, sizeof root, "%016" PRIx64, st.root);
    o = json_pack("{s:b, s:O, s:o, s:s, s:I, s:I, s:s}", "valid", strcmp(s->outcome, "passed") == 0,
                  "lines", s->lines, "differences", diffs, "admin", st.admin, "epoch",
                  (json_int_t)st.epoch, "revision", (json_int_t)st.revision, "digest", root);
  }
  live_done_fn done = s->done;
  void *ud = s->done_ud;
  s->done = NULL;
  json_decref(s->lines);
  s->lines = NULL;
  done(ud, status, o);
}

uint64_t live_sync_tick(live_sync *s, uint64_t now) {
  ogrh_node_tick(s->node, now);
  if (s->done) finish_validation(s, now);
  uint64_t next = ogrh_node_next_tick(s->node, now);
  if (s->done && next > now + 100) next = now + 100;
  return next;
}

int live_sync_flush(live_sync *s) {
  /* The node persists at every change; a last tick lets it finish what is due. */
  ogrh_node_tick(s->node, live_now_ms());
  return OGRH_OK;
}

/* ---- this player's actions ---- */

typedef struct captured {
  json_t *record;
} captured;

static void capture(void *ud, const ogrh_change *c) {
  captured *cap = ud;
  if (cap->record) return; /* the first change is the write itself */
  cap->record =
      json_pack("{s:s, s:o, s:o, s:o}", "path", c->path_text, "old", live_value_json(c->old_value),
                "new", live_value_json(c->new_value), "scope", live_scope_json(&c->scope));
}

/* One write of this player through the node; *record tells what happened. */
static int player_write(live_sync *s, const ogrh_path *p, const ogrh_value *v,
                        ogrh_sync_level level, const char *origin, json_t **record, ogrh_err *err) {
  ogrh_buf text;
  ogrh_buf_init(&text);
  ogrh_path_format(p, p->n, &text);
  const char *path = text.p ? text.p : "";
  ogrh_doc *d = ogrh_node_doc(s->node);
  captured cap = {NULL};
  int tok = ogrh_doc_subscribe(d, capture, &cap);
  ogrh_sync_meta meta = {level, NULL, NULL};
  uint64_t now = live_now_ms();
  int rc = tok < 0 ? OGRH_ENOMEM : ogrh_node_set_parsed(s->node, p, v, &meta, now, err);
  if (tok > 0) ogrh_doc_unsubscribe(d, tok);
  if (rc == OGRH_EREFUSED) {
    ogrh_scope scope;
    ogrh_path_scope(p, &scope);
    *record = json_pack("{s:s, s:b, s:s, s:o, s:s}", "path", path, "refused", 1, "reason",
                        ogrh_err_msg(err), "scope", live_scope_json(&scope), "origin", origin);
    live_log_event(&s->n->log, LIVE_EVENT, "refused",
                   json_pack("{s:s, s:s, s:s, s:s}", "who", s->n->user, "path", path, "reason",
                             ogrh_err_msg(err), "origin", origin),
                   "refused %s's change of %s (%s): %s", s->n->user, path, origin,
                   ogrh_err_msg(err));
  } else if (!rc) {
    ogrh_node_status st;
    ogrh_node_status_get(s->node, &st);
    if (!cap.record) cap.record = json_pack("{s:s, s:b}", "path", path, "unchanged", 1);
    json_object_set_new(cap.record, "revision", json_integer((json_int_t)st.revision));
    json_object_set_new(cap.record, "syncLevel", json_string(ogrh_sync_level_name(level)));
    json_object_set_new(cap.record, "origin", json_string(origin));
    json_object_set_new(cap.record, "queued", json_boolean(!st.can_send));
    /* The node's own CHANGED events name scopes; this one names the path and the values. */
    if (json_object_get(cap.record, "new") || json_object_get(cap.record, "old"))
      live_log_event(&s->n->log, LIVE_EVENT, "changed", json_deep_copy(cap.record), "%s changed %s",
                     s->n->user, path);
    *record = cap.record;
    cap.record = NULL;
  }
  json_decref(cap.record);
  ogrh_buf_deinit(&text);
  return rc;
}

int live_sync_set(live_sync *s, const char *path, const ogrh_value *value, ogrh_sync_level level,
                  json_t **record, ogrh_err *err) {
  *record = NULL;
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  if (rc) return rc;
  ogrh_value nil = ogrh_vnil();
  return player_write(s, &p, value ? value : &nil, level, "api", record, err);
}

/* Puts a copy of v (nil: removes) at p under root, creating tables on the way as SetPath. */
static int put_path(ogrh_arena *a, ogrh_value *root, const ogrh_path *p, const ogrh_value *v) {
  if (p->n == 0) return ogrh_value_copy(a, v, root);
  ogrh_value *cur = root;
  for (size_t i = 0; i < p->n; i++) {
    if (cur->type != OGRH_TABLE) return OGRH_ENOTTABLE;
    ogrh_value key, val;
    int rc = ogrh_value_copy(a, &p->seg[i], &key);
    if (rc) return rc;
    if (i + 1 == p->n) {
      rc = ogrh_value_copy(a, v, &val);
      return rc ? rc : ogrh_table_set(a, cur->u.t, &key, &val);
    }
    ogrh_value *next = ogrh_table_get(cur->u.t, &key);
    if (!next) {
      if (v->type == OGRH_NIL) return OGRH_OK; /* nothing there to delete */
      ogrh_table *t = ogrh_table_new(a, 1);
      if (!t) return OGRH_ENOMEM;
      val = ogrh_vtable(t);
      if ((rc = ogrh_table_set(a, cur->u.t, &key, &val)) != OGRH_OK) return rc;
      next = ogrh_table_get(cur->u.t, &key);
    }
    cur = next;
  }
  return OGRH_OK;
}

/* Whether path text a is b or below it, or b below a. */
static bool related(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), l = la < lb ? la : lb;
  return strncmp(a, b, l) == 0 && (la == lb || (la < lb ? b[l] : a[l]) == '.');
}

/*
** Edits found in the file become this player's writes in one call: the node's plan with the
** edits applied goes to ogrh_node_set_root, which applies what this player may write (on the
** admin as one revision, sent at once; an officer's assignments as proposals; the player's
** own keys locally) and refuses the rest with WRITE_REFUSED events. What the plan holds
** afterwards says which edits were taken; each refused one is reported with its reason, and
** node_file.c keeps the edited file as a backup and writes the plan back over it.
*/
void live_sync_outside(void *ud, const live_op *ops, size_t n, bool *accepted) {
  live_sync *s = ud;
  ogrh_doc *d = ogrh_node_doc(s->node);
  ogrh_arena *a = ogrh_arena_new();
  json_t *olds = json_array();
  ogrh_value root;
  ogrh_err err;
  err.msg[0] = '\0';
  const ogrh_value *cur = ogrh_doc_root(d);
  int rc = !a || !olds ? OGRH_ENOMEM : OGRH_OK;
  if (!rc && cur) {
    rc = ogrh_value_copy(a, cur, &root);
  } else if (!rc) {
    ogrh_table *t = ogrh_table_new(a, 1);
    rc = t ? OGRH_OK : OGRH_ENOMEM;
    if (t) root = ogrh_vtable(t);
  }
  for (size_t i = 0; i < n; i++) {
    accepted[i] = false;
    json_array_append_new(olds, live_value_json(cur ? live_value_at(cur, &ops[i].path) : NULL));
    int prc = rc ? rc : put_path(a, &root, &ops[i].path, &ops[i].value);
    if (prc && !rc)
      ogrh_err_set(&err, prc, "cannot apply the change of %s: %s", ops[i].text, ogrh_strerror(prc));
    if (!rc) rc = prc;
  }
  if (!rc) {
    s->refusals = json_object();
    rc = ogrh_node_set_root(s->node, &root, NULL, live_now_ms(), &err);
  }
  const ogrh_value *now_root = ogrh_doc_root(d);
  ogrh_value nil = ogrh_vnil();
  size_t taken = 0;
  for (size_t i = 0; i < n; i++) {
    const ogrh_value *v = now_root ? live_value_at(now_root, &ops[i].path) : NULL;
    accepted[i] = ogrh_value_equal(v ? v : &nil, &ops[i].value);
    if (accepted[i]) {
      if (ops[i].scope.kind == OGRH_SCOPE_OTHER) continue;
      if (++taken > 16) continue; /* a long list is summed up below */
      live_log_event(&s->n->log, LIVE_EVENT, "changed",
                     json_pack("{s:s, s:O, s:o, s:o, s:s}", "path", ops[i].text, "old",
                               json_array_get(olds, i), "new", live_value_json(&ops[i].value),
                               "scope", live_scope_json(&ops[i].scope), "origin", "file"),
                     "%s changed %s (in the file)", s->n->user, ops[i].text);
      continue;
    }
    const char *why = NULL;
    const char *k;
    json_t *r;
    json_object_foreach(s->refusals, k, r) {
      if (related(k, ops[i].text)) why = json_string_value(r);
    }
    if (!why) why = rc ? ogrh_err_msg(&err) : "not taken by the sync node";
    live_log_event(&s->n->log, LIVE_EVENT, "refused",
                   json_pack("{s:s, s:s, s:s, s:s, s:o}", "who", s->n->user, "path", ops[i].text,
                             "reason", why, "origin", "file", "scope",
                             live_scope_json(&ops[i].scope)),
                   "refused %s's change of %s (file): %s", s->n->user, ops[i].text, why);
  }
  if (taken > 16)
    live_log_event(&s->n->log, LIVE_EVENT, "changed",
                   json_pack("{s:I, s:s}", "count", (json_int_t)taken, "origin", "file"),
                   "%s changed %zu places of the plan in the file (the first 16 are listed above)",
                   s->n->user, taken);
  json_decref(s->refusals);
  s->refusals = NULL;
  json_decref(olds);
  ogrh_arena_free(a);
}

int live_sync_grant(live_sync *s, const char *player, json_t **out, ogrh_err *err) {
  *out = NULL;
  int rc = ogrh_node_grant_admin(s->node, player, live_now_ms());
  if (rc == OGRH_EREFUSED)
    return ogrh_err_set(err, rc, "only the raid leader or an assistant may grant admin");
  if (rc == OGRH_ENOTFOUND) return ogrh_err_set(err, rc, "%s is not on the roster", player);
  if (rc) return ogrh_err_set(err, rc, "cannot grant admin: %s", ogrh_strerror(rc));
  ogrh_node_status st;
  ogrh_node_status_get(s->node, &st);
  *out = json_pack("{s:s, s:I, s:s}", "admin", player, "epoch", (json_int_t)st.epoch, "by",
                   s->n->user);
  return OGRH_OK;
}

int live_sync_validate(live_sync *s, live_done_fn done, void *ud, ogrh_err *err) {
  if (s->done) return ogrh_err_set(err, OGRH_EAGAIN, "a validation is already running");
  uint64_t now = live_now_ms();
  if (!(s->lines = json_array())) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  /* Ready before the call: the node may tell its events during it. */
  s->done = done;
  s->done_ud = ud;
  s->done_deadline = now + VALIDATE_MS;
  s->outcome[0] = '\0';
  int rc = ogrh_node_validate(s->node, NULL, now);
  if (rc) {
    s->done = NULL;
    json_decref(s->lines);
    s->lines = NULL;
  }
  if (rc == OGRH_ENOTFOUND) return ogrh_err_set(err, OGRH_EAGAIN, "No admin online");
  if (rc == OGRH_EAGAIN) return ogrh_err_set(err, rc, "a repair is running");
  if (rc) return ogrh_err_set(err, rc, "cannot validate: %s", ogrh_strerror(rc));
  return OGRH_OK;
}

int live_sync_repair(live_sync *s, const char *level, const char *unit, const char *source,
                     json_t **out, ogrh_err *err) {
  *out = NULL;
  ogrh_node_repair_req req;
  memset(&req, 0, sizeof req);
  if (ogrh_repair_level_parse(level, &req.level))
    return ogrh_err_set(err, OGRH_EINVAL, "level must be component, encounter, raid or full");
  char raid[256] = "", enc[256] = "";
  if (unit && *unit) {
    const char *slash = strchr(unit, '/');
    snprintf(raid, sizeof raid, "%.*s", (int)(slash ? (size_t)(slash - unit) : strlen(unit)), unit);
    if (slash) snprintf(enc, sizeof enc, "%s", slash + 1);
    req.raid = raid;
    req.encounter = slash ? enc : NULL;
  }
  req.source = source;
  int rc = ogrh_node_repair(s->node, &req, live_now_ms());
  if (rc == OGRH_ENOTFOUND) return ogrh_err_set(err, OGRH_EAGAIN, "No admin online");
  if (rc == OGRH_EREFUSED)
    return ogrh_err_set(err, rc, "%s is not an officer: repairs come from the admin or an officer",
                        source ? source : "the source");
  if (rc) return ogrh_err_set(err, rc, "cannot repair: %s", ogrh_strerror(rc));
  *out = json_pack("{s:s, s:s, s:s?, s:s?}", "state", "running", "level", level, "unit", unit,
                   "source", source);
  return OGRH_OK;
}

int live_sync_restore(live_sync *s, ogrh_svfile *snap, uint32_t id, ogrh_backup_info *safety,
                      ogrh_err *err) {
  const ogrh_value *root = ogrh_svfile_schema_root(snap);
  if (!root) return ogrh_err_set(err, OGRH_ESCHEMA, "backup %u holds no OGRH plan", id);
  /* The node takes the safety backup through take_backup; its id is the newest one after. */
  int rc = ogrh_node_restore(s->node, root, live_now_ms(), err);
  if (!rc) rc = live_file_adopt(s->n->file, snap);
  if (rc) return rc;
  ogrh_store *st;
  memset(safety, 0, sizeof *safety);
  if (ogrh_store_open(s->n->path, &st, NULL) == OGRH_OK) {
    for (size_t i = 0; i < ogrh_store_count(st); i++)
      if (ogrh_store_at(st, i)->reason == OGRH_REASON_BEFORE_RESTORE) {
        *safety = *ogrh_store_at(st, i);
        break;
      }
    ogrh_store_close(st);
  }
  live_file_touch(s->n->file, live_now_ms());
  return OGRH_OK;
}

json_t *live_sync_status(live_sync *s) {
  live_node *n = s->n;
  ogrh_node_status st;
  ogrh_node_status_get(s->node, &st);
  const ogrh_node_stats *ns = ogrh_node_stats_get(s->node);
  char digest[24];
  snprintf(digest, sizeof digest, "%016" PRIx64, st.root);
  const live_mqtt_stats *ms = n->mqtt ? live_mqtt_stats_get(n->mqtt) : NULL;
  const live_file_stats *fs = live_file_stats_get(n->file);
  static const char *const repair[] = {"idle",      "waiting", "drilling",
                                       "receiving", "done",    "failed"};
  json_t *o = json_pack(
      "{s:s, s:s, s:s, s:s, s:b, s:s, s:s?, s:s?, s:I, s:I, s:s, s:b, s:b, s:I, s:I, s:I, s:I, "
      "s:I, s:I, s:I, s:I, s:I, s:i, s:s}",
      "user", n->user, "team", n->team, "file", n->path, "broker", n->broker, "connected",
      n->mqtt && live_mqtt_connected(n->mqtt), "engine", "node", "rank",
      st.rank >= 0 ? ogrh_rank_name(st.rank) : NULL, "admin", *st.admin ? st.admin : NULL, "epoch",
      (json_int_t)st.epoch, "revision", (json_int_t)st.revision, "digest", digest, "stale",
      st.stale, "synced", st.synced, "queue",
      (json_int_t)(st.outbox + st.queued_frames + (n->mqtt ? live_mqtt_queued(n->mqtt) : 0)),
      "bytesIn", (json_int_t)(ms ? ms->bytes_in : 0), "bytesOut",
      (json_int_t)(ms ? ms->bytes_out : 0), "messagesIn", (json_int_t)(ms ? ms->msgs_in : 0),
      "messagesOut", (json_int_t)(ms ? ms->msgs_out : 0), "refusedByBroker",
      (json_int_t)(ms ? ms->refused : 0), "reconnects", (json_int_t)(ms ? ms->reconnects : 0),
      "framesIn", (json_int_t)ns->frames_in, "outbox", (json_int_t)st.outbox, "pid", (int)getpid(),
      "profile", n->profile);
  json_object_set_new(o, "players", json_integer(n->roster ? (json_int_t)n->roster->n : 0));
  json_object_set_new(o, "paused", json_boolean(st.paused));
  json_object_set_new(o, "noAdmin", json_boolean(st.no_admin));
  json_object_set_new(o, "repair",
                      json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "state", repair[st.repair],
                                "unitsDone", (json_int_t)st.units_done, "unitsTotal",
                                (json_int_t)st.units_total, "bytesDone", (json_int_t)st.bytes_done,
                                "bytesTotal", (json_int_t)st.bytes_total, "etaMs",
                                (json_int_t)st.eta_ms));
  json_object_set_new(o, "fileState",
                      json_pack("{s:I, s:I, s:I, s:I, s:b, s:b}", "writes", (json_int_t)fs->writes,
                                "outsideChanges", (json_int_t)fs->outside_changes, "acceptedEdits",
                                (json_int_t)fs->ops_accepted, "refusedEdits",
                                (json_int_t)fs->ops_refused, "unwritten", fs->dirty, "unreadable",
                                fs->broken));
  return o;
}
