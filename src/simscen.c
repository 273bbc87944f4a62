/*
** simscen.c
** Reading scenarios: strict JSON (unknown fields are errors, so a typo never silently changes
** a scenario), every number checked against its range, errors that name the field.
*/
#include "simscen.h"
#include "ogrh/json.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const ogrh_sc_kind_names[SE_NKINDS] = {"write",      "drift",       "zone",   "reload",
                                                   "disconnect", "reconnect",   "combat", "join",
                                                   "leave",      "grant_admin", "forge",  "fps"};

/* The built-in scenarios, compiled in by cmake/embed_scenarios.cmake. */
typedef struct ogrh_builtin_scenario {
  const char *name;
  const char *text;
  size_t len;
} ogrh_builtin_scenario;
extern const ogrh_builtin_scenario ogrh__scenarios[];
extern const size_t ogrh__nscenarios;

size_t ogrh_sim_builtin_count(void) {
  return ogrh__nscenarios;
}
const char *ogrh_sim_builtin_name(size_t i) {
  return i < ogrh__nscenarios ? ogrh__scenarios[i].name : NULL;
}
const char *ogrh_sim_builtin_text(size_t i, size_t *n) {
  if (i >= ogrh__nscenarios) return NULL;
  *n = ogrh__scenarios[i].len;
  return ogrh__scenarios[i].text;
}

const char *ogrh_sim_model_name(ogrh_sim_model m) {
  return m == OGRH_SIM_MODEL_OGRH ? "ogrh" : m == OGRH_SIM_MODEL_ADDON ? "addon" : "?";
}

/* ---- helpers ---- */

typedef struct ctx {
  ogrh_err *err;
  ogrh_scenario *sc;
} ctx;

static int fail(ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int fail(ctx *c, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ogrh_err_set(c->err, OGRH_ESYNTAX, "scenario %s: %s", c->sc->name[0] ? c->sc->name : "?",
                      msg);
}

/* Every key of o must be in allowed (a NULL-terminated list). */
static int only(ctx *c, json_t *o, const char *where, const char *const *allowed) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    bool ok = false;
    for (const char *const *a = allowed; *a; a++)
      ok |= strcmp(*a, k) == 0;
    if (!ok) return fail(c, "%s: unknown field '%s'", where, k);
  }
  return OGRH_OK;
}

static int num(ctx *c, json_t *o, const char *k, const char *where, double lo, double hi,
               double *out) {
  json_t *v = json_object_get(o, k);
  if (!v) return OGRH_OK;
  if (!json_is_number(v)) return fail(c, "%s.%s: expected a number", where, k);
  double d = json_number_value(v);
  if (!(d >= lo && d <= hi)) return fail(c, "%s.%s: %g is outside [%g, %g]", where, k, d, lo, hi);
  *out = d;
  return OGRH_OK;
}

static int inum(ctx *c, json_t *o, const char *k, const char *where, double lo, double hi,
                int *out) {
  double d = *out;
  int rc = num(c, o, k, where, lo, hi, &d);
  if (rc) return rc;
  if (d != (double)(int)d) return fail(c, "%s.%s: expected a whole number", where, k);
  *out = (int)d;
  return OGRH_OK;
}

static int str(ctx *c, json_t *o, const char *k, const char *where, char *out, size_t cap) {
  json_t *v = json_object_get(o, k);
  if (!v) return OGRH_OK;
  if (!json_is_string(v)) return fail(c, "%s.%s: expected a string", where, k);
  if (json_string_length(v) >= cap)
    return fail(c, "%s.%s: longer than %zu bytes", where, k, cap - 1);
  memcpy(out, json_string_value(v), json_string_length(v) + 1);
  return OGRH_OK;
}

static int boolean(ctx *c, json_t *o, const char *k, const char *where, int *out) {
  json_t *v = json_object_get(o, k);
  if (!v) return OGRH_OK;
  if (!json_is_boolean(v)) return fail(c, "%s.%s: expected true or false", where, k);
  *out = json_is_true(v);
  return OGRH_OK;
}

static int value(ctx *c, json_t *v, const char *where, ogrh_value *out) {
  char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  if (!text) return ogrh_err_set(c->err, OGRH_ENOMEM, "out of memory");
  ogrh_err e;
  int rc = ogrh_json_read_value(c->sc->arena, text, strlen(text), out, &e);
  json_malloc_t jm;
  json_free_t jf;
  json_get_alloc_funcs(&jm, &jf); /* jansson's memory goes back through jansson */
  jf(text);
  if (rc) return fail(c, "%s.value: %s", where, ogrh_err_msg(&e));
  return OGRH_OK;
}

static int rank_parse(ctx *c, json_t *v, const char *where, int *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 2) {
    *out = (int)json_integer_value(v);
    return OGRH_OK;
  }
  const char *s = json_is_string(v) ? json_string_value(v) : "";
  if (!strcmp(s, "leader"))
    *out = 2;
  else if (!strcmp(s, "assistant") || !strcmp(s, "officer"))
    *out = 1;
  else if (!strcmp(s, "member"))
    *out = 0;
  else
    return fail(c, "%s.rank: expected leader, assistant, member or 0-2", where);
  return OGRH_OK;
}

/* ---- parts ---- */

static int parse_plan(ctx *c, json_t *p) {
  ogrh_scenario *sc = c->sc;
  if (json_is_string(p)) {
    if (strcmp(json_string_value(p), "defaults") != 0)
      return fail(c, "plan: expected \"defaults\" or an object");
    sc->plan = PLAN_DEFAULTS;
    return OGRH_OK;
  }
  if (!json_is_object(p)) return fail(c, "plan: expected \"defaults\" or an object");
  static const char *const keys[] = {"generate", "file", "defaults", "active_raid", NULL};
  int rc = only(c, p, "plan", keys);
  if (!rc) rc = str(c, p, "active_raid", "plan", sc->active_raid, sizeof sc->active_raid);
  if (!rc) rc = str(c, p, "file", "plan", sc->plan_file, sizeof sc->plan_file);
  if (rc) return rc;
  json_t *g = json_object_get(p, "generate");
  if (sc->plan_file[0] && g) return fail(c, "plan: give either file or generate");
  if (sc->plan_file[0]) sc->plan = PLAN_FILE;
  if (g) {
    if (!json_is_object(g)) return fail(c, "plan.generate: expected an object");
    static const char *const gk[] = {"seed", "scale", "players", "fill", NULL};
    sc->plan = PLAN_GENERATE;
    double seed = 1;
    if ((rc = only(c, g, "plan.generate", gk)) ||
        (rc = num(c, g, "seed", "plan.generate", 0, 9007199254740992.0, &seed)) ||
        (rc = inum(c, g, "scale", "plan.generate", 1, 100, &sc->gen.scale)) ||
        (rc = inum(c, g, "players", "plan.generate", 1, 250, &sc->gen.players)) ||
        (rc = num(c, g, "fill", "plan.generate", 0, 1, &sc->gen.fill)))
      return rc;
    sc->gen.seed = (uint64_t)seed;
  }
  return OGRH_OK;
}

static int parse_players(ctx *c, json_t *p, const char *base_dir) {
  ogrh_scenario *sc = c->sc;
  if (!json_is_object(p)) return fail(c, "players: expected an object");
  static const char *const keys[] = {"count", "fps", "latency_ms", "officers", "list", NULL};
  int rc = only(c, p, "players", keys);
  if (!rc) rc = inum(c, p, "count", "players", 1, 200, &sc->count);
  if (!rc) rc = num(c, p, "latency_ms", "players", 0, 5000, &sc->latency_ms);
  if (!rc) rc = inum(c, p, "officers", "players", 0, 199, &sc->officers);
  if (rc) return rc;
  json_t *f = json_object_get(p, "fps");
  if (json_is_array(f) && json_array_size(f) == 2 && json_is_number(json_array_get(f, 0)) &&
      json_is_number(json_array_get(f, 1))) {
    sc->fps_lo = json_number_value(json_array_get(f, 0));
    sc->fps_hi = json_number_value(json_array_get(f, 1));
  } else if (f && json_is_number(f)) {
    sc->fps_lo = sc->fps_hi = json_number_value(f);
  } else if (f) {
    return fail(c, "players.fps: expected a number or [low, high]");
  }
  if (!(sc->fps_lo >= 1 && sc->fps_hi <= 1000 && sc->fps_lo <= sc->fps_hi))
    return fail(c, "players.fps: frame rates must be within 1..1000");
  json_t *l = json_object_get(p, "list");
  if (!l) return OGRH_OK;
  if (!json_is_array(l)) return fail(c, "players.list: expected an array");
  sc->nplayers = json_array_size(l);
  sc->players = ogrh_arena_alloc(sc->arena, (sc->nplayers + 1) * sizeof *sc->players);
  if (!sc->players) return ogrh_err_set(c->err, OGRH_ENOMEM, "out of memory");
  static const char *const pk[] = {"player", "name",    "rank", "fps", "latency_ms",
                                   "online", "in_raid", "plan", NULL};
  for (size_t i = 0; i < sc->nplayers; i++) {
    json_t *e = json_array_get(l, i);
    sc_player *pl = &sc->players[i];
    memset(pl, 0, sizeof *pl);
    pl->rank = pl->online = pl->in_raid = -1;
    char where[48], plan[512] = "";
    snprintf(where, sizeof where, "players.list[%zu]", i);
    if (!json_is_object(e)) return fail(c, "%s: expected an object", where);
    if ((rc = only(c, e, where, pk)) ||
        (rc = str(c, e, "player", where, pl->ref, sizeof pl->ref)) ||
        (rc = str(c, e, "name", where, pl->name, sizeof pl->name)) ||
        (rc = num(c, e, "fps", where, 1, 1000, &pl->fps)) ||
        (rc = num(c, e, "latency_ms", where, 0, 5000, &pl->latency_ms)) ||
        (rc = boolean(c, e, "online", where, &pl->online)) ||
        (rc = boolean(c, e, "in_raid", where, &pl->in_raid)) ||
        (rc = str(c, e, "plan", where, plan, sizeof plan)))
      return rc;
    if (!pl->ref[0] && !pl->name[0]) return fail(c, "%s: needs player or name", where);
    json_t *r = json_object_get(e, "rank");
    if (r && (rc = rank_parse(c, r, where, &pl->rank))) return rc;
    pl->empty_plan = !strcmp(plan, "empty");
    if (plan[0] && !pl->empty_plan) {
      int n = base_dir && plan[0] != '/'
                  ? snprintf(pl->plan_file, sizeof pl->plan_file, "%s/%s", base_dir, plan)
                  : snprintf(pl->plan_file, sizeof pl->plan_file, "%s", plan);
      if (n < 0 || (size_t)n >= sizeof pl->plan_file)
        return fail(c, "%s.plan: path too long", where);
    }
  }
  return OGRH_OK;
}

static int parse_drift(ctx *c, json_t *d, const char *where, sc_drift *out) {
  memset(out, 0, sizeof *out);
  out->component = out->global = -1;
  if (!json_is_object(d)) return fail(c, "%s: expected an object", where);
  static const char *const keys[] = {"player", "players", "kind",  "encounter", "component",
                                     "global", "path",    "value", NULL};
  char kind[16] = "", comp[32] = "", glob[32] = "";
  double enc = 0;
  int rc;
  if ((rc = only(c, d, where, keys)) || (rc = str(c, d, "player", where, out->player, SC_NAME)) ||
      (rc = inum(c, d, "players", where, 1, 200, &out->count)) ||
      (rc = str(c, d, "kind", where, kind, sizeof kind)) ||
      (rc = num(c, d, "encounter", where, 1, 1e6, &enc)) ||
      (rc = str(c, d, "component", where, comp, sizeof comp)) ||
      (rc = str(c, d, "global", where, glob, sizeof glob)) ||
      (rc = str(c, d, "path", where, out->path, SC_PATH)))
    return rc;
  out->encounter = (int64_t)enc;
  if (!out->player[0] && !out->count) return fail(c, "%s: needs player or players", where);
  static const char *const kinds[] = {"path", "component", "encounter", "raid", "empty", "global"};
  if (!kind[0]) snprintf(kind, sizeof kind, "%s", out->path[0] ? "path" : "component");
  int k = -1;
  for (int i = 0; i < 6; i++)
    if (!strcmp(kind, kinds[i])) k = i;
  if (k < 0) return fail(c, "%s.kind: unknown drift '%s'", where, kind);
  out->kind = (sc_drift_kind)k;
  if (comp[0] && (out->component = ogrh_component_index(comp)) < 0)
    return fail(c, "%s.component: unknown component '%s'", where, comp);
  if (glob[0] && (out->global = ogrh_global_index(glob)) < 0)
    return fail(c, "%s.global: unknown global component '%s'", where, glob);
  if (out->kind == DR_PATH) {
    json_t *v = json_object_get(d, "value");
    if (!out->path[0] || !v) return fail(c, "%s: a path drift needs path and value", where);
    if ((rc = value(c, v, where, &out->value))) return rc;
    ogrh_path p;
    ogrh_err e;
    if (ogrh_path_parse(out->path, &p, &e)) return fail(c, "%s.path: %s", where, ogrh_err_msg(&e));
  }
  return OGRH_OK;
}

static int parse_event(ctx *c, json_t *e, size_t i, sc_event *ev) {
  char where[48];
  snprintf(where, sizeof where, "timeline[%zu]", i);
  memset(ev, 0, sizeof *ev);
  ev->level = OGRH_SYNC_REALTIME;
  if (!json_is_object(e)) return fail(c, "%s: expected an object", where);
  static const char *const keys[] = {"at",    "type",  "player",         "to",        "path",
                                     "value", "level", "component_type", "loading_s", "fps",
                                     "on",    "forge", "drift",          NULL};
  int rc = only(c, e, where, keys);
  char type[24] = "", level[16] = "", forge[16] = "";
  int on = 1;
  if (rc || (rc = num(c, e, "at", where, 0, 1e7, &ev->at)) ||
      (rc = str(c, e, "type", where, type, sizeof type)) ||
      (rc = str(c, e, "player", where, ev->player, SC_NAME)) ||
      (rc = str(c, e, "to", where, ev->to, SC_NAME)) ||
      (rc = str(c, e, "path", where, ev->path, SC_PATH)) ||
      (rc = str(c, e, "level", where, level, sizeof level)) ||
      (rc = str(c, e, "component_type", where, ev->ctype, sizeof ev->ctype)) ||
      (rc = num(c, e, "loading_s", where, 0, 600, &ev->seconds)) ||
      (rc = num(c, e, "fps", where, 1, 1000, &ev->fps)) || (rc = boolean(c, e, "on", where, &on)) ||
      (rc = str(c, e, "forge", where, forge, sizeof forge)))
    return rc;
  if (!json_object_get(e, "at")) return fail(c, "%s: needs at", where);
  int k = -1;
  for (int j = 0; j < SE_NKINDS; j++)
    if (!strcmp(type, ogrh_sc_kind_names[j])) k = j;
  if (k < 0) return fail(c, "%s.type: unknown event '%s'", where, type);
  ev->kind = (sc_ev_kind)k;
  ev->on = on;
  if (!ev->player[0]) snprintf(ev->player, SC_NAME, "%s", ev->kind == SE_COMBAT ? "all" : "");
  if (ev->kind != SE_DRIFT && ev->kind != SE_COMBAT && !ev->player[0])
    return fail(c, "%s: needs player", where);
  if (level[0] && ogrh_sync_level_parse(level, &ev->level))
    return fail(c, "%s.level: unknown sync level '%s'", where, level);
  json_t *v = json_object_get(e, "value");
  if (ev->kind == SE_WRITE && ev->path[0]) {
    if (!v) return fail(c, "%s: a write with a path needs a value", where);
    if ((rc = value(c, v, where, &ev->value))) return rc;
    ogrh_path p;
    ogrh_err pe;
    if (ogrh_path_parse(ev->path, &p, &pe)) return fail(c, "%s.path: %s", where, ogrh_err_msg(&pe));
  }
  if (ev->kind == SE_GRANT && !ev->to[0]) return fail(c, "%s: grant_admin needs to", where);
  if (ev->kind == SE_FORGE && ogrh_forge_parse(forge, &ev->forge))
    return fail(c, "%s.forge: expected admin_claim, delta, repair or garbage", where);
  if (ev->kind == SE_FPS && !ev->fps) return fail(c, "%s: fps needs fps", where);
  if (ev->kind == SE_DRIFT) {
    json_t *d = json_object_get(e, "drift");
    if (!d) return fail(c, "%s: drift needs drift", where);
    char dw[64];
    snprintf(dw, sizeof dw, "%s.drift", where);
    if ((rc = parse_drift(c, d, dw, &ev->drift))) return rc;
  }
  if (!ev->seconds) ev->seconds = ev->kind == SE_RELOAD ? 8 : ev->kind == SE_RECONNECT ? 10 : 5;
  return OGRH_OK;
}

static int parse_random(ctx *c, json_t *r) {
  sc_random *R = &c->sc->rnd;
  if (!json_is_object(r)) return fail(c, "random: expected an object");
  static const char *const keys[] = {
      "from_s",           "to_s",       "writes", "drifts",    "zones",   "reloads",
      "disconnects",      "combats",    "forges", "handovers", "rejoins", "batch_fraction",
      "officer_fraction", "encounters", "burst",  NULL};
  R->set = true;
  R->to = c->sc->duration;
  int rc;
  if ((rc = only(c, r, "random", keys)) || (rc = num(c, r, "from_s", "random", 0, 1e7, &R->from)) ||
      (rc = num(c, r, "to_s", "random", 0, 1e7, &R->to)) ||
      (rc = inum(c, r, "writes", "random", 0, 100000, &R->writes)) ||
      (rc = inum(c, r, "drifts", "random", 0, 10000, &R->drifts)) ||
      (rc = inum(c, r, "zones", "random", 0, 10000, &R->zones)) ||
      (rc = inum(c, r, "reloads", "random", 0, 10000, &R->reloads)) ||
      (rc = inum(c, r, "disconnects", "random", 0, 10000, &R->disconnects)) ||
      (rc = inum(c, r, "combats", "random", 0, 10000, &R->combats)) ||
      (rc = inum(c, r, "forges", "random", 0, 10000, &R->forges)) ||
      (rc = inum(c, r, "handovers", "random", 0, 1000, &R->handovers)) ||
      (rc = inum(c, r, "rejoins", "random", 0, 10000, &R->rejoins)) ||
      (rc = num(c, r, "batch_fraction", "random", 0, 1, &R->batch_fraction)) ||
      (rc = num(c, r, "officer_fraction", "random", 0, 1, &R->officer_fraction)) ||
      (rc = inum(c, r, "encounters", "random", 0, 1000, &R->encounters)) ||
      (rc = inum(c, r, "burst", "random", 0, 1000, &R->burst)))
    return rc;
  if (R->to < R->from) return fail(c, "random: to_s before from_s");
  return OGRH_OK;
}

static int parse_expect(ctx *c, json_t *e, const char *where, sc_expect *x) {
  x->set = true;
  if (!json_is_object(e)) return fail(c, "%s: expected an object", where);
  static const char *const keys[] = {
      "converged",    "lost_writes",      "accepted_forgeries", "converge_s_max",
      "repair_s_max", "overhead_p99_max", "messages_max",       NULL};
  double lw = -1, af = -1, mm = -1;
  int rc;
  if ((rc = only(c, e, where, keys)) || (rc = boolean(c, e, "converged", where, &x->converged)) ||
      (rc = num(c, e, "lost_writes", where, 0, 1e15, &lw)) ||
      (rc = num(c, e, "accepted_forgeries", where, 0, 1e15, &af)) ||
      (rc = num(c, e, "converge_s_max", where, 0, 1e7, &x->converge_s_max)) ||
      (rc = num(c, e, "repair_s_max", where, 0, 1e7, &x->repair_s_max)) ||
      (rc = num(c, e, "overhead_p99_max", where, 0, 1e7, &x->overhead_p99_max)) ||
      (rc = num(c, e, "messages_max", where, 0, 1e15, &mm)))
    return rc;
  x->lost_writes = (int64_t)lw;
  x->accepted_forgeries = (int64_t)af;
  x->messages_max = (int64_t)mm;
  return OGRH_OK;
}

static void expect_init(sc_expect *x) {
  memset(x, 0, sizeof *x);
  x->converged = -1;
  x->lost_writes = x->accepted_forgeries = x->messages_max = -1;
  x->converge_s_max = x->repair_s_max = x->overhead_p99_max = -1;
}

int ogrh_scenario_parse(const char *text, size_t n, const char *base_dir, ogrh_scenario **out,
                        ogrh_err *err) {
  *out = NULL;
  json_error_t je;
  json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return ogrh_err_set(err, OGRH_ESYNTAX, "scenario: line %d, column %d: %s", je.line, je.column,
                        je.text);
  ogrh_scenario *sc = ogrh_malloc(sizeof *sc);
  if (!sc) {
    json_decref(root);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  memset(sc, 0, sizeof *sc);
  sc->arena = ogrh_arena_new();
  ctx c = {err, sc};
  int rc = sc->arena ? OGRH_OK : OGRH_ENOMEM;
  ogrh_gen_opts_default(&sc->gen);
  sc->seed = 1;
  sc->duration = 120;
  sc->count = 40;
  sc->fps_lo = sc->fps_hi = 60;
  sc->officers = 2;
  sc->formation_from = sc->formation_to = -1;
  snprintf(sc->admin, sizeof sc->admin, "#1");
  expect_init(&sc->expect);
  expect_init(&sc->expect_addon);
  expect_init(&sc->goal);
  static const char *const keys[] = {
      "name",   "description", "seed",   "duration_s",   "loss",  "flood_limit",
      "plan",   "players",     "admin",  "formation",    "drift", "timeline",
      "random", "measure",     "expect", "expect_addon", "goal",  NULL};
  if (!rc && !json_is_object(root)) rc = fail(&c, "expected a JSON object");
  if (!rc) rc = only(&c, root, "scenario", keys);
  if (!rc) rc = str(&c, root, "name", "scenario", sc->name, sizeof sc->name);
  if (!rc && !sc->name[0]) rc = fail(&c, "needs a name");
  double seed = 1;
  int flood = 0;
  if (!rc) rc = num(&c, root, "seed", "scenario", 0, 9007199254740992.0, &seed);
  sc->seed = (uint64_t)seed;
  if (!rc) rc = num(&c, root, "duration_s", "scenario", 1, 1e6, &sc->duration);
  if (!rc) rc = num(&c, root, "loss", "scenario", 0, 0.9, &sc->loss);
  if (!rc) rc = boolean(&c, root, "flood_limit", "scenario", &flood);
  sc->flood_limit = flood;
  if (!rc) rc = str(&c, root, "admin", "scenario", sc->admin, sizeof sc->admin);
  json_t *d = json_object_get(root, "description");
  if (!rc && d) {
    if (!json_is_string(d))
      rc = fail(&c, "description: expected a string");
    else if (!(sc->description =
                   ogrh_arena_memdup(sc->arena, json_string_value(d), json_string_length(d))))
      rc = OGRH_ENOMEM;
  }
  json_t *p = json_object_get(root, "plan");
  if (!rc && p) rc = parse_plan(&c, p);
  if (!rc && sc->plan == PLAN_FILE && base_dir && sc->plan_file[0] != '/') {
    char full[1024];
    if ((size_t)snprintf(full, sizeof full, "%s/%s", base_dir, sc->plan_file) >= sizeof full)
      rc = fail(&c, "plan.file: path too long");
    else
      memcpy(sc->plan_file, full, sizeof full);
  }
  if (!rc && (p = json_object_get(root, "players"))) rc = parse_players(&c, p, base_dir);
  if (!rc && (p = json_object_get(root, "formation"))) {
    static const char *const fk[] = {"from_s", "to_s", NULL};
    sc->formation_from = 0;
    sc->formation_to = 60;
    if (!json_is_object(p)) rc = fail(&c, "formation: expected an object");
    if (!rc) rc = only(&c, p, "formation", fk);
    if (!rc) rc = num(&c, p, "from_s", "formation", 0, 1e6, &sc->formation_from);
    if (!rc) rc = num(&c, p, "to_s", "formation", 0, 1e6, &sc->formation_to);
  }
  if (!rc && (p = json_object_get(root, "drift"))) {
    if (!json_is_array(p)) {
      rc = fail(&c, "drift: expected an array");
    } else {
      sc->ndrifts = json_array_size(p);
      sc->drifts = ogrh_arena_alloc(sc->arena, (sc->ndrifts + 1) * sizeof *sc->drifts);
      if (!sc->drifts) rc = OGRH_ENOMEM;
      for (size_t i = 0; !rc && i < sc->ndrifts; i++) {
        char where[32];
        snprintf(where, sizeof where, "drift[%zu]", i);
        rc = parse_drift(&c, json_array_get(p, i), where, &sc->drifts[i]);
      }
    }
  }
  if (!rc && (p = json_object_get(root, "timeline"))) {
    if (!json_is_array(p)) {
      rc = fail(&c, "timeline: expected an array");
    } else {
      sc->nevents = json_array_size(p);
      sc->events = ogrh_arena_alloc(sc->arena, (sc->nevents + 1) * sizeof *sc->events);
      if (!sc->events) rc = OGRH_ENOMEM;
      for (size_t i = 0; !rc && i < sc->nevents; i++) {
        rc = parse_event(&c, json_array_get(p, i), i, &sc->events[i]);
        if (!rc && sc->events[i].at > sc->duration)
          rc = fail(&c, "timeline[%zu]: at %g is after the end (%g s)", i, sc->events[i].at,
                    sc->duration);
      }
    }
  }
  if (!rc && (p = json_object_get(root, "random"))) rc = parse_random(&c, p);
  if (!rc && (p = json_object_get(root, "measure"))) {
    static const char *const mk[] = {"repair", NULL};
    if (!json_is_object(p)) rc = fail(&c, "measure: expected an object");
    if (!rc) rc = only(&c, p, "measure", mk);
    if (!rc) rc = str(&c, p, "repair", "measure", sc->measure_repair, sizeof sc->measure_repair);
  }
  if (!rc && (p = json_object_get(root, "expect"))) rc = parse_expect(&c, p, "expect", &sc->expect);
  if (!rc && (p = json_object_get(root, "expect_addon")))
    rc = parse_expect(&c, p, "expect_addon", &sc->expect_addon);
  if (!rc && (p = json_object_get(root, "goal"))) rc = parse_expect(&c, p, "goal", &sc->goal);
  if (!rc && sc->officers >= sc->count) rc = fail(&c, "players.officers: more than the raid");
  json_decref(root);
  if (rc) {
    if (rc == OGRH_ENOMEM) ogrh_err_set(err, rc, "out of memory");
    ogrh_scenario_free(sc);
    return rc;
  }
  *out = sc;
  return OGRH_OK;
}

int ogrh_scenario_builtin(const char *name, ogrh_scenario **out, ogrh_err *err) {
  for (size_t i = 0; i < ogrh__nscenarios; i++)
    if (!strcmp(ogrh__scenarios[i].name, name))
      return ogrh_scenario_parse(ogrh__scenarios[i].text, ogrh__scenarios[i].len, NULL, out, err);
  *out = NULL;
  return ogrh_err_set(err, OGRH_ENOTFOUND, "no built-in scenario '%s' (see 'ogrh sim list')", name);
}

void ogrh_scenario_free(ogrh_scenario *sc) {
  if (!sc) return;
  ogrh_arena_free(sc->arena);
  ogrh_free(sc, sizeof *sc);
}

const char *ogrh_scenario_name(const ogrh_scenario *sc) {
  return sc->name;
}
const char *ogrh_scenario_description(const ogrh_scenario *sc) {
  return sc->description ? sc->description : "";
}
uint64_t ogrh_scenario_seed(const ogrh_scenario *sc) {
  return sc->seed;
}
