/*
** node_log.c
** Events for people. Each is one line on stderr, as text ("15:45:01 Alice: connected to ...")
** or as a JSON object, and the same JSON object goes to the HTTP API's event stream and to a
** ring of recent events that late subscribers receive first.
*/
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

uint64_t live_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t live_wall(void) {
  const char *fixed = getenv("OGRH_NOW");
  if (fixed && *fixed) {
    char *end;
    long long v = strtoll(fixed, &end, 10);
    if (*end == '\0') return v;
  }
  return (int64_t)time(NULL);
}

void live_log_init(live_log *l, FILE *out, bool json, int verbosity, const char *who) {
  memset(l, 0, sizeof *l);
  l->out = out;
  l->json = json;
  l->verbosity = verbosity;
  l->next_id = 1;
  snprintf(l->who, sizeof l->who, "%s", who ? who : "");
}

void live_log_deinit(live_log *l) {
  for (size_t i = 0; i < LIVE_RING; i++)
    ogrh_json_free(l->ring[i]);
  memset(l->ring, 0, sizeof l->ring);
  l->ring_n = 0;
}

static void stamp(char *iso, size_t isocap, char *local, size_t localcap) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  size_t k = strftime(iso, isocap, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(iso + k, isocap - k, ".%03dZ", (int)(tv.tv_usec / 1000));
  localtime_r(&tv.tv_sec, &tm);
  strftime(local, localcap, "%H:%M:%S", &tm);
}

static const char *level_name(int level) {
  return level == LIVE_EVENT ? "event" : level == LIVE_VERBOSE ? "verbose" : "debug";
}

/* Hands a finished event object to the sink and the ring; takes the object. */
static void deliver(live_log *l, json_t *o) {
  char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!text) return;
  uint64_t id = l->next_id++;
  if (l->sink) l->sink(l->sink_ud, id, text, strlen(text));
  size_t slot = (l->ring_head + l->ring_n) % LIVE_RING;
  if (l->ring_n == LIVE_RING) {
    slot = l->ring_head;
    l->ring_head = (l->ring_head + 1) % LIVE_RING;
  } else {
    l->ring_n++;
  }
  ogrh_json_free(l->ring[slot]);
  l->ring[slot] = text;
  l->ring_id[slot] = id;
}

static json_t *event_object(const live_log *l, const char *event, int level, const char *msg,
                            json_t *data) {
  char iso[40], local[16];
  stamp(iso, sizeof iso, local, sizeof local);
  json_t *o = json_object();
  if (!o) {
    json_decref(data);
    return NULL;
  }
  json_object_set_new(o, "time", json_string(iso));
  json_object_set_new(o, "event", json_string(event));
  json_object_set_new(o, "level", json_string(level_name(level)));
  json_object_set_new(o, "user", json_string(l->who));
  if (msg) json_object_set_new(o, "msg", json_string(msg));
  if (json_is_object(data)) json_object_update(o, data);
  json_decref(data);
  return o;
}

void live_log_event(live_log *l, int level, const char *event, json_t *data, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bool print = level <= l->verbosity && l->out;
  if (!print && level != LIVE_EVENT) {
    json_decref(data);
    return;
  }
  json_t *o = event_object(l, event, level, msg, data);
  if (!o) return;
  if (print) {
    if (l->json) {
      char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
      if (text) fprintf(l->out, "%s\n", text);
      ogrh_json_free(text);
    } else {
      char iso[40], local[16];
      stamp(iso, sizeof iso, local, sizeof local);
      fprintf(l->out, "%s %s: %s\n", local, l->who, msg);
    }
    fflush(l->out);
  }
  if (level == LIVE_EVENT)
    deliver(l, o);
  else
    json_decref(o);
}

void live_log_publish(live_log *l, const char *event, json_t *data) {
  json_t *o = event_object(l, event, LIVE_EVENT, NULL, data);
  if (!o) return;
  /* Statistics are not kept in the ring: only their newest value matters. */
  char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (text && l->sink) l->sink(l->sink_ud, 0, text, strlen(text));
  ogrh_json_free(text);
}

void live_log_replay(const live_log *l, uint64_t after, live_sink_fn fn, void *ud) {
  for (size_t k = 0; k < l->ring_n; k++) {
    size_t slot = (l->ring_head + k) % LIVE_RING;
    if (l->ring_id[slot] > after) fn(ud, l->ring_id[slot], l->ring[slot], strlen(l->ring[slot]));
  }
}

json_t *live_value_json(const ogrh_value *v) {
  if (!v) return json_null(); /* absent */
  ogrh_buf b;
  ogrh_buf_init(&b);
  json_t *o = NULL;
  if (ogrh_json_write_value(v, 0, &b) == OGRH_OK) o = json_loadb(b.p, b.n, JSON_DECODE_ANY, NULL);
  ogrh_buf_deinit(&b);
  return o ? o : json_null();
}

json_t *live_scope_json(const ogrh_scope *sc) {
  static const char *const kinds[] = {"other", "all", "global", "raid", "encounter"};
  json_t *o = json_pack("{s:s}", "kind", kinds[sc->kind]);
  if (sc->kind == OGRH_SCOPE_GLOBAL)
    json_object_set_new(o, "global", json_string(ogrh_global_name(sc->global)));
  if (sc->kind == OGRH_SCOPE_RAID || sc->kind == OGRH_SCOPE_ENCOUNTER)
    json_object_set_new(o, "raid", json_integer(sc->raid));
  if (sc->kind == OGRH_SCOPE_ENCOUNTER) {
    json_object_set_new(o, "encounter", json_integer(sc->encounter));
    json_t *c = json_array();
    for (int i = 0; i < OGRH_NCOMPONENTS; i++)
      if (sc->components & (1u << i)) json_array_append_new(c, json_string(ogrh_component_name(i)));
    json_object_set_new(o, "components", c);
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (ogrh_scope_format(sc, &b) == OGRH_OK) json_object_set_new(o, "text", json_string(b.p));
  ogrh_buf_deinit(&b);
  return o;
}
