/*
** node_api.c
** The live node's HTTP API (README "ogrh node"; shapes in docs/PROTOCOL.md): status, the plan,
** writes, admin grants, validation and repair, backups, and the event stream. Every answer is
** JSON (an export is text); every error is {"error": ..., "status": ...} with a 4xx or 5xx code.
*/
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The HTTP status for a library status code. */
static int http_status(int rc) {
  switch (rc) {
  case OGRH_EINVAL:
  case OGRH_ESYNTAX:
  case OGRH_EPATH:
  case OGRH_ETYPE:
  case OGRH_ENOTTABLE:
  case OGRH_ERANGE:
  case OGRH_EDEPTH:
    return 400;
  case OGRH_EREFUSED:
    return 403;
  case OGRH_ENOTFOUND:
    return 404;
  case OGRH_ELOCKED:
  case OGRH_EEXIST:
    return 409;
  case OGRH_ETOOBIG:
    return 413;
  case OGRH_ECORRUPT:
  case OGRH_EVERIFY:
    return 422;
  case OGRH_EAGAIN:
    return 503;
  default:
    return 500;
  }
}

static void fail(live_http_resp *rs, int rc, const ogrh_err *err) {
  live_http_error(rs, http_status(rc), "%s", ogrh_err_msg(err));
}

/* The request body as a JSON object; answers 400 itself when it is not one. */
static json_t *body_object(const live_http_req *rq, live_http_resp *rs) {
  json_error_t je;
  json_t *o = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
  if (!o) {
    live_http_error(rs, 400, "the body is not JSON: %d:%d: %s", je.line, je.column, je.text);
    return NULL;
  }
  if (!json_is_object(o)) {
    json_decref(o);
    live_http_error(rs, 400, "the body must be a JSON object");
    return NULL;
  }
  return o;
}

static bool method_is(const live_http_req *rq, live_http_resp *rs, const char *m) {
  if (strcmp(rq->method, m) == 0) return true;
  live_http_error(rs, 405, "%s %s: use %s", rq->method, rq->path, m);
  return false;
}

/* ---- status, plan, roster ---- */

static void get_status(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "GET")) return;
  json_t *o = live_sync_status(n->sync);
  json_object_set_new(o, "eventStreams", json_integer((json_int_t)live_http_streams(n->http)));
  live_http_json(rs, 200, o);
}

static void get_plan(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "GET")) return;
  ogrh_err err;
  ogrh_plan *plan;
  int rc = ogrh_plan_build(live_file_doc(n->file), live_http_query(rq, "unit"), &plan, &err);
  if (rc) {
    fail(rs, rc, &err);
    return;
  }
  ogrh_buf_reset(&rs->body);
  rc = ogrh_plan_json(plan, 0, &rs->body);
  ogrh_plan_free(plan);
  if (rc) {
    live_http_error(rs, 500, "cannot write the plan: %s", ogrh_strerror(rc));
    return;
  }
  ogrh_buf_addc(&rs->body, '\n');
  rs->status = 200;
}

static void get_roster(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "GET")) return;
  if (!n->roster) {
    live_http_error(rs, 404, "no roster has been published for team %s", n->team);
    return;
  }
  ogrh_buf_reset(&rs->body);
  ogrh_roster_json(n->roster, &rs->body);
  ogrh_buf_addc(&rs->body, '\n');
  rs->status = 200;
}

/* ---- writes ---- */

static void post_set(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "POST")) return;
  json_t *o = body_object(rq, rs);
  if (!o) return;
  const char *path = json_string_value(json_object_get(o, "path"));
  json_t *value = json_object_get(o, "value"), *lua = json_object_get(o, "lua");
  json_t *lvl = json_object_get(o, "syncLevel");
  bool del = json_is_true(json_object_get(o, "delete"));
  ogrh_sync_level level = OGRH_SYNC_REALTIME;
  ogrh_err err;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = ogrh_vnil();
  int rc = OGRH_OK;
  if (!path) {
    live_http_error(rs, 400, "'path' (a string) is required");
  } else if (lvl &&
             (!json_is_string(lvl) || ogrh_sync_level_parse(json_string_value(lvl), &level))) {
    live_http_error(rs, 400, "'syncLevel' must be REALTIME, BATCH, GRANULAR or MANUAL");
  } else if (!del && !value && !lua) {
    live_http_error(rs, 400, "give 'value' (JSON), 'lua' (a Lua literal) or \"delete\": true");
  } else if (lua && !json_is_string(lua)) {
    live_http_error(rs, 400, "'lua' must be a string holding a Lua literal");
  } else if (!a) {
    live_http_error(rs, 500, "out of memory");
  } else {
    if (lua) {
      rc = ogrh_value_parse_literal(a, json_string_value(lua), json_string_length(lua), &v, &err);
    } else if (value && !del) {
      char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
      rc = text ? ogrh_json_read_value(a, text, strlen(text), &v, &err)
                : ogrh_err_set(&err, OGRH_ENOMEM, "out of memory");
      ogrh_json_free(text);
    }
    json_t *record = NULL;
    if (rc) {
      live_http_error(rs, 400, "the value is not valid: %s", ogrh_err_msg(&err));
    } else if ((rc = live_sync_set(n->sync, path, del ? NULL : &v, level, &record, &err)) != 0 &&
               !record) {
      fail(rs, rc, &err);
    } else {
      live_http_json(rs, rc ? http_status(rc) : 200, record);
    }
  }
  ogrh_arena_free(a);
  json_decref(o);
}

static void post_admin(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "POST")) return;
  json_t *o = body_object(rq, rs);
  if (!o) return;
  const char *player = json_string_value(json_object_get(o, "player"));
  json_t *res = NULL;
  ogrh_err err;
  int rc;
  if (!player || !ogrh_name_valid(player, strlen(player)))
    live_http_error(rs, 400, "'player' (a player name) is required");
  else if ((rc = live_sync_grant(n->sync, player, &res, &err)) != OGRH_OK)
    fail(rs, rc, &err);
  else
    live_http_json(rs, 200, res);
  json_decref(o);
}

typedef struct later {
  live_node *n;
  uint64_t id;
} later;

static void validated(void *ud, int status, json_t *result) {
  later *l = ud;
  live_http_finish(l->n->http, l->id, status, result);
  free(l);
}

/* The answer comes when the validation completes: the request waits for it. */
static void post_validate(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "POST")) return;
  later *l = malloc(sizeof *l);
  if (!l) {
    live_http_error(rs, 500, "out of memory");
    return;
  }
  *l = (later){n, rs->id};
  ogrh_err err;
  int rc = live_sync_validate(n->sync, validated, l, &err);
  if (rc) {
    free(l);
    fail(rs, rc, &err);
    return;
  }
  rs->defer = true;
}

static void post_repair(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "POST")) return;
  json_t *o = body_object(rq, rs);
  if (!o) return;
  const char *level = json_string_value(json_object_get(o, "level"));
  json_t *unit = json_object_get(o, "unit"), *source = json_object_get(o, "source");
  ogrh_repair_level lv;
  json_t *res = NULL;
  ogrh_err err;
  int rc;
  if (!level || ogrh_repair_level_parse(level, &lv))
    live_http_error(rs, 400, "'level' must be component, encounter, raid or full");
  else if ((unit && !json_is_string(unit)) || (source && !json_is_string(source)))
    live_http_error(rs, 400, "'unit' and 'source' must be strings");
  else if ((rc = live_sync_repair(n->sync, level, json_string_value(unit),
                                  json_string_value(source), &res, &err)) != OGRH_OK)
    fail(rs, rc, &err);
  else
    live_http_json(rs, 200, res);
  json_decref(o);
}

/* ---- backups ---- */

static json_t *backup_json(const ogrh_backup_info *b) {
  char iso[32], digest[24];
  time_t t = (time_t)b->timestamp;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(digest, sizeof digest, "%016llx", (unsigned long long)b->root);
  return json_pack("{s:i, s:s, s:I, s:s, s:s, s:b, s:b, s:I, s:I, s:i, s:i, s:s}", "id", (int)b->id,
                   "time", iso, "timestamp", (json_int_t)b->timestamp, "label", b->label, "reason",
                   ogrh_reason_name(b->reason), "manual", b->reason == OGRH_REASON_MANUAL, "pinned",
                   b->pinned, "size", (json_int_t)b->raw_size, "storedSize",
                   (json_int_t)b->stored_size, "raids", (int)b->raids, "encounters",
                   (int)b->encounters, "digest", digest);
}

static int open_store(live_node *n, ogrh_store **s, live_http_resp *rs) {
  ogrh_err err;
  int rc = ogrh_store_open(n->path, s, &err);
  if (rc == OGRH_ELOCKED)
    live_http_error(rs, 409, "the backup store is in use by another program; try again");
  else if (rc)
    fail(rs, rc, &err);
  return rc;
}

/* The size of the plan in WoW format: what a backup of it now would hold. */
static size_t current_size(live_node *n) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_svfile_write(ogrh_doc_svfile(live_file_doc(n->file)), &b);
  size_t sz = b.n;
  ogrh_buf_deinit(&b);
  return sz;
}

static void list_backups(live_node *n, live_http_resp *rs) {
  ogrh_store *s;
  if (open_store(n, &s, rs)) return;
  json_t *arr = json_array();
  for (size_t i = 0; i < ogrh_store_count(s); i++)
    json_array_append_new(arr, backup_json(ogrh_store_at(s, i)));
  live_http_json(rs, 200,
                 json_pack("{s:o, s:I, s:I, s:i, s:i}", "backups", arr, "currentSize",
                           (json_int_t)current_size(n), "storeBytes",
                           (json_int_t)ogrh_store_bytes(s), "minimum", OGRH_BACKUP_MIN, "keep",
                           OGRH_BACKUP_KEEP));
  ogrh_store_close(s);
}

static void create_backup(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  json_t *o = rq->body_len ? body_object(rq, rs) : json_object();
  if (!o) return;
  json_t *label = json_object_get(o, "label");
  if (label && !json_is_string(label)) {
    live_http_error(rs, 400, "'label' must be a string");
  } else if (label && json_string_length(label) >= sizeof((ogrh_backup_info *)0)->label) {
    live_http_error(rs, 400, "'label' is longer than %zu bytes",
                    sizeof((ogrh_backup_info *)0)->label - 1);
  } else {
    ogrh_store *s;
    if (!open_store(n, &s, rs)) {
      ogrh_backup_info info;
      ogrh_err err;
      int rc = ogrh_backup_create(s, ogrh_doc_svfile(live_file_doc(n->file)),
                                  label ? json_string_value(label) : "", OGRH_REASON_MANUAL, true,
                                  live_wall(), 0, &info, &err);
      if (rc) {
        fail(rs, rc, &err);
      } else {
        live_log_event(&n->log, LIVE_EVENT, "backup",
                       json_pack("{s:i, s:s}", "id", (int)info.id, "label", info.label),
                       "backup %u created (%s)", info.id, info.label);
        live_http_json(rs, 201, backup_json(&info));
      }
      ogrh_store_close(s);
    }
  }
  json_decref(o);
}

static void restore_backup(live_node *n, uint32_t id, live_http_resp *rs) {
  ogrh_store *s;
  if (open_store(n, &s, rs)) return;
  ogrh_err err;
  ogrh_svfile *snap = NULL;
  ogrh_backup_info safety;
  int rc =
      ogrh_store_find(s, id) ? OGRH_OK : ogrh_err_set(&err, OGRH_ENOTFOUND, "no backup %u", id);
  /* Verified whole before anything changes: a damaged snapshot changes nothing. */
  if (!rc) rc = ogrh_backup_load(s, id, &snap, &err);
  ogrh_store_close(s);
  if (!rc) rc = live_sync_restore(n->sync, snap, id, &safety, &err);
  ogrh_svfile_free(snap);
  if (rc) {
    fail(rs, rc, &err);
    return;
  }
  live_http_json(
      rs, 200, json_pack("{s:i, s:o}", "restored", (int)id, "safetyBackup", backup_json(&safety)));
}

static void backup_action(live_node *n, const live_http_req *rq, live_http_resp *rs,
                          const char *rest) {
  char *end;
  unsigned long id = strtoul(rest, &end, 10);
  if (end == rest || id == 0 || id > UINT32_MAX || (*end && *end != '/')) {
    live_http_error(rs, 404, "no such path: %s", rq->path);
    return;
  }
  const char *action = *end ? end + 1 : "";
  if (strcmp(action, "restore") == 0) {
    if (method_is(rq, rs, "POST")) restore_backup(n, (uint32_t)id, rs);
    return;
  }
  if (strcmp(action, "export") == 0) {
    if (!method_is(rq, rs, "GET")) return;
    ogrh_store *s;
    if (open_store(n, &s, rs)) return;
    ogrh_err err;
    ogrh_buf_reset(&rs->body);
    int rc = ogrh_backup_export(s, (uint32_t)id, &rs->body, &err);
    ogrh_store_close(s);
    if (rc) {
      fail(rs, rc, &err);
      return;
    }
    ogrh_buf_addc(&rs->body, '\n');
    rs->status = 200;
    rs->content_type = "text/plain; charset=utf-8";
    rs->disposition = "attachment; filename=\"ogrh-backup.txt\"";
    return;
  }
  bool pin = strcmp(action, "pin") == 0, unpin = strcmp(action, "unpin") == 0;
  if (!pin && !unpin && *action) {
    live_http_error(rs, 404, "no such path: %s", rq->path);
    return;
  }
  if ((pin || unpin) && !method_is(rq, rs, "POST")) return;
  if (!pin && !unpin && !method_is(rq, rs, "DELETE")) return;
  ogrh_store *s;
  if (open_store(n, &s, rs)) return;
  ogrh_err err;
  int rc;
  if (pin || unpin) {
    rc = ogrh_backup_pin(s, (uint32_t)id, pin, &err);
  } else {
    const char *c = live_http_query(rq, "confirm");
    rc = ogrh_backup_delete(s, (uint32_t)id, c && strcmp(c, "0") != 0, &err);
  }
  const ogrh_backup_info *b = rc ? NULL : ogrh_store_find(s, (uint32_t)id);
  if (rc)
    fail(rs, rc == OGRH_EREFUSED ? OGRH_EEXIST : rc, &err);
  else if (b)
    live_http_json(rs, 200, backup_json(b));
  else
    live_http_json(rs, 200, json_pack("{s:i}", "deleted", (int)id));
  ogrh_store_close(s);
}

static void import_backup(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  const char *text = rq->body;
  size_t len = rq->body_len;
  json_t *o = NULL;
  /* The export line itself, or {"text": line}. */
  if (len && rq->body[0] == '{') {
    if (!(o = body_object(rq, rs))) return;
    json_t *t = json_object_get(o, "text");
    if (!json_is_string(t)) {
      live_http_error(rs, 400, "'text' must hold an exported backup line");
      json_decref(o);
      return;
    }
    text = json_string_value(t);
    len = json_string_length(t);
  }
  while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
    len--;
  ogrh_store *s;
  if (!open_store(n, &s, rs)) {
    ogrh_backup_info info;
    ogrh_err err;
    int rc = ogrh_backup_import(s, text, len, live_wall(), &info, &err);
    if (rc) {
      fail(rs, rc == OGRH_ECORRUPT || rc == OGRH_ESYNTAX ? OGRH_EINVAL : rc, &err);
    } else {
      live_log_event(&n->log, LIVE_EVENT, "backup", json_pack("{s:i}", "id", (int)info.id),
                     "backup %u imported (%s)", info.id, info.label);
      live_http_json(rs, 201, backup_json(&info));
    }
    ogrh_store_close(s);
  }
  json_decref(o);
}

static void backups(live_node *n, const live_http_req *rq, live_http_resp *rs, const char *rest) {
  if (*rest == '\0') {
    if (strcmp(rq->method, "GET") == 0)
      list_backups(n, rs);
    else if (method_is(rq, rs, "POST"))
      create_backup(n, rq, rs);
    return;
  }
  if (strcmp(rest, "/import") == 0) {
    if (method_is(rq, rs, "POST")) import_backup(n, rq, rs);
    return;
  }
  if (rest[0] != '/') {
    live_http_error(rs, 404, "no such path: %s", rq->path);
    return;
  }
  backup_action(n, rq, rs, rest + 1);
}

/* ---- events ---- */

static void add_event(void *ud, uint64_t id, const char *json, size_t n) {
  ogrh_buf *b = ud;
  ogrh_buf_printf(b, "id: %llu\ndata: ", (unsigned long long)id);
  ogrh_buf_add(b, json, n);
  ogrh_buf_adds(b, "\n\n");
}

static void get_events(live_node *n, const live_http_req *rq, live_http_resp *rs) {
  if (!method_is(rq, rs, "GET")) return;
  /* A reconnecting EventSource says where it stopped; a new one gets the recent events. */
  const char *last = live_http_header(rq, "Last-Event-ID");
  if (!last) last = live_http_query(rq, "after");
  uint64_t after = last ? strtoull(last, NULL, 10) : 0;
  ogrh_buf_reset(&rs->body);
  live_log_replay(&n->log, after, add_event, &rs->body);
  rs->status = 200;
  rs->stream = true;
}

/* ---- routing ---- */

void live_api_handle(void *ud, const live_http_req *rq, live_http_resp *rs) {
  live_node *n = ud;
  const char *p = rq->path;
  if (strcmp(p, "/api/status") == 0)
    get_status(n, rq, rs);
  else if (strcmp(p, "/api/plan") == 0)
    get_plan(n, rq, rs);
  else if (strcmp(p, "/api/roster") == 0)
    get_roster(n, rq, rs);
  else if (strcmp(p, "/api/set") == 0)
    post_set(n, rq, rs);
  else if (strcmp(p, "/api/admin") == 0)
    post_admin(n, rq, rs);
  else if (strcmp(p, "/api/validate") == 0)
    post_validate(n, rq, rs);
  else if (strcmp(p, "/api/repair") == 0)
    post_repair(n, rq, rs);
  else if (strncmp(p, "/api/backups", 12) == 0)
    backups(n, rq, rs, p + 12);
  else if (strcmp(p, "/api/events") == 0)
    get_events(n, rq, rs);
  else
    live_web_handle(n, rq, rs);
}
