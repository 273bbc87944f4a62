/*
** roster.c
** The team roster: names and ranks, its JSON message, and the name rule that lets a name be
** one MQTT topic level.
*/
#include "ogrh/roster.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ogrh/json.h"
#include "ogrh/util.h"

static const char *const rank_names[] = {"member", "assistant", "leader"};

const char *ogrh_rank_name(int rank) {
  return rank >= 0 && rank <= 2 ? rank_names[rank] : NULL;
}

int ogrh_rank_parse(const char *s, int *out) {
  if (!s) return OGRH_EINVAL;
  for (int i = 0; i <= 2; i++)
    if (strcmp(s, rank_names[i]) == 0 || (s[0] == '0' + i && s[1] == '\0')) {
      *out = i;
      return OGRH_OK;
    }
  if (strcmp(s, "officer") == 0) {
    *out = OGRH_RANK_ASSISTANT;
    return OGRH_OK;
  }
  return OGRH_EINVAL;
}

bool ogrh_name_valid(const char *s, size_t n) {
  if (!s || n == 0 || n > OGRH_NAME_MAX || !ogrh_utf8_valid(s, n)) return false;
  if (s[0] == ' ' || s[n - 1] == ' ') return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '/' || c == '+' || c == '#') return false;
  }
  return true;
}

ogrh_roster *ogrh_roster_new(const char *team) {
  if (!team || !ogrh_name_valid(team, strlen(team))) return NULL;
  ogrh_roster *r = ogrh_malloc(sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  memcpy(r->team, team, strlen(team) + 1);
  return r;
}

void ogrh_roster_free(ogrh_roster *r) {
  if (!r) return;
  ogrh_free(r->e, r->cap * sizeof *r->e);
  ogrh_free(r, sizeof *r);
}

static ogrh_roster_entry *find(const ogrh_roster *r, const char *name) {
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->e[i].name, name) == 0) return &r->e[i];
  return NULL;
}

int ogrh_roster_set(ogrh_roster *r, const char *name, int rank) {
  if (!r || !name || !ogrh_name_valid(name, strlen(name)) || !ogrh_rank_name(rank))
    return OGRH_EINVAL;
  ogrh_roster_entry *e = find(r, name);
  if (e) {
    e->rank = rank;
    return OGRH_OK;
  }
  if (r->n >= OGRH_ROSTER_MAX) return OGRH_ETOOBIG;
  int rc = ogrh_grow(&r->e, &r->cap, r->n + 1, sizeof *r->e);
  if (rc) return rc;
  e = &r->e[r->n++];
  memcpy(e->name, name, strlen(name) + 1);
  e->rank = rank;
  return OGRH_OK;
}

int ogrh_roster_rank(const ogrh_roster *r, const char *name) {
  const ogrh_roster_entry *e = r && name ? find(r, name) : NULL;
  return e ? e->rank : -1;
}

const char *ogrh_roster_leader(const ogrh_roster *r) {
  for (size_t i = 0; r && i < r->n; i++)
    if (r->e[i].rank == OGRH_RANK_LEADER) return r->e[i].name;
  return NULL;
}

int ogrh_roster_check(const ogrh_roster *r, ogrh_err *err) {
  size_t leaders = 0;
  for (size_t i = 0; i < r->n; i++)
    leaders += r->e[i].rank == OGRH_RANK_LEADER;
  if (leaders != 1)
    return ogrh_err_set(err, OGRH_EINVAL, "a roster needs exactly one leader (it has %zu)",
                        leaders);
  return OGRH_OK;
}

int ogrh_roster_json(const ogrh_roster *r, ogrh_buf *out) {
  json_t *o = json_pack("{s:s, s:i, s:s, s:I}", "format", "ogrh-roster", "version", 1, "team",
                        r->team, "updated", (json_int_t)r->updated);
  json_t *players = json_array();
  int rc = o && players ? OGRH_OK : OGRH_ENOMEM;
  for (size_t i = 0; rc == OGRH_OK && i < r->n; i++) {
    json_t *p = json_pack("{s:s, s:s}", "name", r->e[i].name, "rank", rank_names[r->e[i].rank]);
    if (!p || json_array_append_new(players, p)) rc = OGRH_ENOMEM;
  }
  if (rc == OGRH_OK && json_object_set(o, "players", players)) rc = OGRH_ENOMEM;
  char *text = rc == OGRH_OK ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  if (rc == OGRH_OK && !text) rc = OGRH_ENOMEM;
  if (rc == OGRH_OK) rc = ogrh_buf_adds(out, text);
  ogrh_json_free(text);
  json_decref(players);
  json_decref(o);
  return rc;
}

/* One string member of o that must be a valid name; copied into dst. */
static int get_name(json_t *o, const char *key, char *dst, ogrh_err *err) {
  json_t *s = json_object_get(o, key);
  if (!json_is_string(s))
    return ogrh_err_set(err, OGRH_ESYNTAX, "roster: '%s' must be a string", key);
  size_t n = json_string_length(s);
  if (!ogrh_name_valid(json_string_value(s), n) || strlen(json_string_value(s)) != n)
    return ogrh_err_set(err, OGRH_ESYNTAX, "roster: '%s' is not a valid name", key);
  memcpy(dst, json_string_value(s), n + 1);
  return OGRH_OK;
}

static int from_json(json_t *root, ogrh_roster **out, ogrh_err *err) {
  json_t *format = json_object_get(root, "format"), *version = json_object_get(root, "version");
  if (!json_is_object(root) || !json_is_string(format) ||
      strcmp(json_string_value(format), "ogrh-roster") != 0)
    return ogrh_err_set(err, OGRH_ESYNTAX, "not a roster message");
  if (!json_is_integer(version) || json_integer_value(version) != 1)
    return ogrh_err_set(err, OGRH_ESYNTAX, "roster: unsupported version");
  char team[OGRH_NAME_MAX + 1];
  int rc = get_name(root, "team", team, err);
  if (rc) return rc;
  json_t *updated = json_object_get(root, "updated"), *players = json_object_get(root, "players");
  if (updated && !json_is_integer(updated))
    return ogrh_err_set(err, OGRH_ESYNTAX, "roster: 'updated' must be an integer");
  if (!json_is_array(players))
    return ogrh_err_set(err, OGRH_ESYNTAX, "roster: 'players' must be an array");
  if (json_array_size(players) > OGRH_ROSTER_MAX)
    return ogrh_err_set(err, OGRH_ETOOBIG, "roster: more than %d players", OGRH_ROSTER_MAX);
  ogrh_roster *r = ogrh_roster_new(team);
  if (!r) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  r->updated = updated ? (int64_t)json_integer_value(updated) : 0;
  for (size_t i = 0; rc == OGRH_OK && i < json_array_size(players); i++) {
    json_t *p = json_array_get(players, i);
    char name[OGRH_NAME_MAX + 1];
    int rank;
    json_t *rk = json_object_get(p, "rank");
    if (!json_is_object(p)) {
      rc = ogrh_err_set(err, OGRH_ESYNTAX, "roster: player %zu is not an object", i + 1);
    } else if ((rc = get_name(p, "name", name, err)) != OGRH_OK) {
    } else if (!json_is_string(rk) || ogrh_rank_parse(json_string_value(rk), &rank)) {
      rc = ogrh_err_set(err, OGRH_ESYNTAX, "roster: player '%s' has no valid rank", name);
    } else if (find(r, name)) {
      rc = ogrh_err_set(err, OGRH_ESYNTAX, "roster: player '%s' is listed twice", name);
    } else if ((rc = ogrh_roster_set(r, name, rank)) != OGRH_OK) {
      ogrh_err_set(err, rc, "roster: %s", ogrh_strerror(rc));
    }
  }
  if (rc == OGRH_OK) rc = ogrh_roster_check(r, err);
  if (rc) {
    ogrh_roster_free(r);
    return rc;
  }
  *out = r;
  return OGRH_OK;
}

int ogrh_roster_parse(const char *p, size_t n, ogrh_roster **out, ogrh_err *err) {
  *out = NULL;
  if (n > OGRH_ROSTER_BYTES)
    return ogrh_err_set(err, OGRH_ETOOBIG, "roster: message of %zu bytes is too large", n);
  json_error_t jerr;
  json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
  if (!root)
    return ogrh_err_set(err, OGRH_ESYNTAX, "roster: %d:%d: %s", jerr.line, jerr.column, jerr.text);
  int rc = from_json(root, out, err);
  json_decref(root);
  return rc;
}

int ogrh_roster_add_spec(ogrh_roster *r, const char *spec, ogrh_err *err) {
  const char *colon = strrchr(spec, ':');
  size_t nl = colon ? (size_t)(colon - spec) : strlen(spec);
  int rank = OGRH_RANK_MEMBER;
  if (colon && ogrh_rank_parse(colon + 1, &rank))
    return ogrh_err_set(err, OGRH_EINVAL, "'%s': rank must be leader, assistant or member", spec);
  char name[OGRH_NAME_MAX + 1];
  if (!ogrh_name_valid(spec, nl))
    return ogrh_err_set(err, OGRH_EINVAL, "'%.*s' is not a valid player name", (int)nl, spec);
  memcpy(name, spec, nl);
  name[nl] = '\0';
  int rc = ogrh_roster_set(r, name, rank);
  if (rc) return ogrh_err_set(err, rc, "%s: %s", name, ogrh_strerror(rc));
  return OGRH_OK;
}
