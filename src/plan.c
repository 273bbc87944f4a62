/*
** plan.c
** The plan as people read it (ogrh/plan.h): names for raids, encounters and roles; the plan
** views; announcement tags filled in as the addon's _Raid/Announce.lua fills them; where a
** player is, and replacing him by another.
*/
#include "ogrh/plan.h"
#include "ogrh/json.h"
#include "ogrh/schema.h"
#include "ogrh/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

/* Lua's truth: everything but nil and false. */
static bool pl_truthy(const ogrh_value *v) {
  return v && v->type != OGRH_NIL && !(v->type == OGRH_BOOL && !v->b);
}

/* A number with an integral value (Lua 5.0 has only doubles: 8.0 is the key 8). */
static bool pl_int(const ogrh_value *v, int64_t *out) {
  if (!v) return false;
  if (v->type == OGRH_INT) {
    *out = v->u.i;
    return true;
  }
  if (v->type == OGRH_DOUBLE && v->u.d > -9.0e18 && v->u.d < 9.0e18 &&
      v->u.d == (double)(int64_t)v->u.d) {
    *out = (int64_t)v->u.d;
    return true;
  }
  return false;
}

static bool pl_isnum(const ogrh_value *v) {
  return v && (v->type == OGRH_INT || v->type == OGRH_DOUBLE);
}

static double pl_dbl(const ogrh_value *v) {
  return v->type == OGRH_INT ? (double)v->u.i : v->u.d;
}

/* tostring() of a number in Lua 5.0 ("%.14g"). */
static void pl_put_num(ogrh_buf *b, const ogrh_value *v) {
  ogrh_buf_printf(b, "%.14g", pl_dbl(v));
}

/* The string at t[key], or NULL. */
static const ogrh_value *pl_strv(const ogrh_table *t, const char *key) {
  const ogrh_value *v = t ? ogrh_table_gets(t, key) : NULL;
  return v && v->type == OGRH_STRING ? v : NULL;
}

/* Entry i of a list (raids, encounters, roles) when it is one: an integer key, a table. */
static const ogrh_table *pl_entry(const ogrh_table *list, uint32_t i, int64_t *key) {
  const ogrh_entry *e = &list->e[i];
  if (!ogrh_is_item(e)) return NULL;
  *key = e->key.u.i;
  return e->val.u.t;
}

static const ogrh_table *pl_at(const ogrh_table *list, int64_t key) {
  const ogrh_value *v = list ? ogrh_table_geti(list, key) : NULL;
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

static bool pl_name_is(const ogrh_table *t, const char *key, const char *s, size_t n) {
  const ogrh_value *v = pl_strv(t, key);
  return v && v->len == n && memcmp(v->u.s, s, n) == 0;
}

const char *ogrh_mark_name(int64_t mark) {
  static const char *const names[8] = {"Star", "Circle", "Diamond", "Triangle",
                                       "Moon", "Square", "Cross",   "Skull"};
  return mark >= 1 && mark <= 8 ? names[mark - 1] : NULL;
}

/* ---- names ---- */

/* Past an index path's bracketed segment (`[3]`, `["a/b"]`) at p, or NULL if p starts none. */
static const char *pl_skip_bracket(const char *p) {
  const char *q = p + 1;
  while (*q == ' ')
    q++;
  if (*q == '"' || *q == '\'') {
    char quote = *q++;
    while (*q && *q != quote) {
      if (*q == '\\' && q[1]) q++;
      q++;
    }
    if (!*q) return NULL;
    q++;
  } else {
    if (*q == '-') q++;
    const char *digits = q;
    while (*q >= '0' && *q <= '9')
      q++;
    if (q == digits) return NULL;
  }
  while (*q == ' ')
    q++;
  return *q == ']' ? q + 1 : NULL;
}

bool ogrh_name_is_named(const char *spec) {
  const char *p = spec;
  while (*p) {
    if (*p == '\\' && p[1]) {
      p += 2;
    } else if (*p == '/' || *p == ':') {
      return true;
    } else if (*p == '[') {
      const char *q = pl_skip_bracket(p);
      p = q ? q : p + 1;
    } else {
      p++;
    }
  }
  return false;
}

int ogrh_name_split(const char *spec, ogrh_name_seg seg[3], int *nseg, const char **rest,
                    ogrh_err *err) {
  *nseg = 0;
  *rest = NULL;
  const char *start = spec, *p = spec;
  for (;;) {
    char c = *p;
    if (c == '\\') {
      if (!p[1]) return ogrh_err_set(err, OGRH_EPATH, "name '%s' ends with a lone '\\'", spec);
      p += 2;
      continue;
    }
    if (c != '/' && c != ':' && c != '\0') {
      p++;
      continue;
    }
    size_t n = (size_t)(p - start);
    if (n == 0) {
      /* One trailing '/' is allowed: "BWL/" and "BWL/:name" name the raid. */
      bool trailing = c != '/' && *nseg > 0 && start[-1] == '/';
      if (!trailing)
        return ogrh_err_set(err, OGRH_EPATH, "empty name at column %d of '%s'",
                            (int)(start - spec) + 1, spec);
    } else {
      if (*nseg == 3)
        return ogrh_err_set(err, OGRH_EPATH,
                            "'%s' names more than RAID/ENCOUNTER/ROLE; go below a unit with "
                            "':' (BWL/Razorgore/Main Tank:assignedPlayers.1)",
                            spec);
      seg[*nseg].s = start;
      seg[*nseg].n = n;
      (*nseg)++;
    }
    if (c == ':') {
      *rest = p + 1;
      break;
    }
    if (c == '\0') break;
    start = ++p;
  }
  return OGRH_OK;
}

int ogrh_name_escape(const char *s, size_t n, ogrh_buf *b) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '/' || c == ':' || c == '\\' || (c == '#' && i == 0)) ogrh_buf_addc(b, '\\');
    ogrh_buf_addc(b, c);
  }
  return ogrh_buf_error(b);
}

/*
** A raw segment is either `#N` (an index) or an escaped name, unescaped into b. Returns
** OGRH_EPATH for a '#' that is not followed by an integer.
*/
static int pl_seg_parse(ogrh_name_seg seg, ogrh_buf *b, bool *is_index, int64_t *index,
                        ogrh_err *err) {
  *is_index = false;
  if (seg.n && seg.s[0] == '#') {
    size_t i = 1;
    bool neg = i < seg.n && seg.s[i] == '-';
    if (neg) i++;
    size_t digits = seg.n - i;
    int64_t v = 0;
    bool ok = digits >= 1 && digits <= 18;
    for (; ok && i < seg.n; i++) {
      if (seg.s[i] < '0' || seg.s[i] > '9') ok = false;
      v = v * 10 + (seg.s[i] - '0');
    }
    if (!ok)
      return ogrh_err_set(err, OGRH_EPATH,
                          "'%.*s': '#' starts an index (#3); write '\\#' for a name that starts "
                          "with '#'",
                          (int)seg.n, seg.s);
    *is_index = true;
    *index = neg ? -v : v;
    return OGRH_OK;
  }
  for (size_t i = 0; i < seg.n; i++) {
    if (seg.s[i] == '\\' && i + 1 < seg.n) i++;
    ogrh_buf_addc(b, seg.s[i]);
  }
  return ogrh_buf_error(b);
}

/* Entries of list whose `key` string is exactly s[0..n). */
static size_t pl_count_named(const ogrh_table *list, const char *key, const char *s, size_t n) {
  size_t count = 0;
  int64_t k;
  for (uint32_t i = 0; list && i < list->n; i++) {
    const ogrh_table *t = pl_entry(list, i, &k);
    if (t && pl_name_is(t, key, s, n)) count++;
  }
  return count;
}

/* The segment that names entry `key` of list: its escaped name when that reaches it alone. */
static int pl_unit_seg(const ogrh_table *list, int64_t key, ogrh_buf *b) {
  const ogrh_table *t = pl_at(list, key);
  if (!t) return OGRH_ENOTFOUND;
  size_t n;
  const char *name = ogrh_table_name(t, &n);
  if (n && pl_count_named(list, "name", name, n) == 1) return ogrh_name_escape(name, n, b);
  return ogrh_buf_printf(b, "#%lld", (long long)key);
}

int ogrh_name_unit(ogrh_doc *d, int depth, int64_t raid, int64_t enc, int64_t role, ogrh_buf *b) {
  if (depth < 1 || depth > 3) return OGRH_EINVAL;
  const ogrh_table *raids = ogrh_doc_raids(d);
  int rc = pl_unit_seg(raids, raid, b);
  if (rc || depth == 1) return rc;
  const ogrh_table *encs = ogrh_raid_encounters(pl_at(raids, raid));
  ogrh_buf_addc(b, '/');
  if ((rc = pl_unit_seg(encs, enc, b)) || depth == 2) return rc;
  ogrh_buf_addc(b, '/');
  return pl_unit_seg(ogrh_table_child(pl_at(encs, enc), "roles"), role, b);
}

/* Appends the candidates of a level for an error message, cut to a reasonable length. */
static void pl_candidates(const ogrh_table *list, ogrh_buf *b) {
  size_t shown = 0, total = 0;
  int64_t k;
  for (uint32_t i = 0; list && i < list->n; i++) {
    const ogrh_table *t = pl_entry(list, i, &k);
    if (!t) continue;
    total++;
    if (b->n > 360) continue;
    if (shown++) ogrh_buf_adds(b, ", ");
    size_t n;
    const char *name = ogrh_table_name(t, &n);
    if (n)
      ogrh_name_escape(name, n, b);
    else
      ogrh_buf_printf(b, "#%lld", (long long)k);
  }
  if (total == 0) ogrh_buf_adds(b, "none");
  if (shown < total) ogrh_buf_printf(b, ", ... (%zu in all)", total);
}

/* Equal ignoring the case of ASCII letters. */
static bool pl_caseless_eq(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/* A name of list equal to s ignoring case, for "did you mean". */
static const ogrh_value *pl_caseless(const ogrh_table *list, const char *s, size_t n) {
  int64_t k;
  for (uint32_t i = 0; list && i < list->n; i++) {
    const ogrh_table *t = pl_entry(list, i, &k);
    const ogrh_value *v = t ? pl_strv(t, "name") : NULL;
    if (v && v->len == n && pl_caseless_eq(v->u.s, s, n)) return v;
  }
  return NULL;
}

/*
** Finds seg among the entries of list. what/whats name the level ("raid", "raids"); parent is
** the named form of the level above ("" for raids).
*/
static int pl_find(const ogrh_table *list, const char *what, const char *whats, const char *parent,
                   ogrh_name_seg seg, int64_t *out, ogrh_err *err) {
  ogrh_buf name, msg;
  ogrh_buf_init(&name);
  ogrh_buf_init(&msg);
  bool is_index;
  int64_t index = 0, k;
  int rc = pl_seg_parse(seg, &name, &is_index, &index, err);
  if (rc == OGRH_ENOMEM) ogrh_err_set(err, rc, "out of memory");
  if (rc) goto done;
  const char *in = *parent ? " in " : "";
  if (is_index) {
    if (pl_at(list, index)) {
      *out = index;
      goto done;
    }
    ogrh_buf_printf(&msg, "no %s #%lld%s%s (%s: ", what, (long long)index, in, parent, whats);
    pl_candidates(list, &msg);
    ogrh_buf_addc(&msg, ')');
    rc = OGRH_ENOTFOUND;
    goto report;
  }
  const char *s = name.p ? name.p : "";
  /* The `name` first; the `displayName` only when no name matches. */
  const char *key = "name";
  size_t count = pl_count_named(list, key, s, name.n);
  if (count == 0) {
    key = "displayName";
    count = pl_count_named(list, key, s, name.n);
  }
  if (count == 1) {
    for (uint32_t i = 0; i < list->n; i++) {
      const ogrh_table *t = pl_entry(list, i, &k);
      if (t && pl_name_is(t, key, s, name.n)) *out = k;
    }
    goto done;
  }
  if (count > 1) {
    ogrh_buf_printf(&msg, "'%s' is the name of %zu %s%s%s (", s, count, whats, in, parent);
    size_t listed = 0;
    int64_t first = 0;
    for (uint32_t i = 0; i < list->n; i++) {
      const ogrh_table *t = pl_entry(list, i, &k);
      if (!t || !pl_name_is(t, key, s, name.n)) continue;
      if (!listed) first = k;
      if (msg.n < 360) ogrh_buf_printf(&msg, "%s#%lld", listed ? ", " : "", (long long)k);
      listed++;
    }
    ogrh_buf_printf(&msg, "): pick one by index, as in %s%s#%lld", parent, *parent ? "/" : "",
                    (long long)first);
    rc = OGRH_EAMBIGUOUS;
    goto report;
  }
  ogrh_buf_printf(&msg, "no %s named '%s'%s%s", what, s, in, parent);
  const ogrh_value *near = pl_caseless(list, s, name.n);
  if (near) ogrh_buf_printf(&msg, "; did you mean '%.*s'?", (int)near->len, near->u.s);
  ogrh_buf_printf(&msg, " (%s: ", whats);
  pl_candidates(list, &msg);
  ogrh_buf_addc(&msg, ')');
  rc = OGRH_ENOTFOUND;
report:
  if (ogrh_buf_error(&msg))
    ogrh_err_set(err, rc, "%s", ogrh_strerror(rc));
  else
    ogrh_err_set(err, rc, "%s", msg.p);
done:
  if (!rc && ogrh_buf_error(&name)) rc = ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  ogrh_buf_deinit(&name);
  ogrh_buf_deinit(&msg);
  return rc;
}

static int pl_no_raids(ogrh_err *err) {
  return ogrh_err_set(err, OGRH_ESCHEMA,
                      "no raids: the file has no OGRH_SV encounterMgmt.raids table");
}

int ogrh_name_find_raid(ogrh_doc *d, ogrh_name_seg seg, int64_t *raid, ogrh_err *err) {
  const ogrh_table *raids = ogrh_doc_raids(d);
  if (!raids) return pl_no_raids(err);
  return pl_find(raids, "raid", "raids", "", seg, raid, err);
}

/* The level below an entry, and the named form of that entry for messages. */
static int pl_find_below(ogrh_doc *d, int depth, int64_t raid, int64_t enc, ogrh_name_seg seg,
                         int64_t *out, ogrh_err *err) {
  ogrh_buf parent;
  ogrh_buf_init(&parent);
  int rc = ogrh_name_unit(d, depth, raid, enc, 0, &parent);
  if (rc == OGRH_ENOTFOUND) {
    ogrh_buf_deinit(&parent);
    return ogrh_err_set(err, rc, "no %s #%lld", depth == 1 ? "raid" : "encounter",
                        (long long)(depth == 1 ? raid : enc));
  }
  if (rc) {
    ogrh_buf_deinit(&parent);
    return ogrh_err_set(err, rc, "%s", ogrh_strerror(rc));
  }
  const ogrh_table *t = depth == 1 ? ogrh_doc_raid(d, raid) : ogrh_doc_encounter(d, raid, enc);
  rc = depth == 1
           ? pl_find(ogrh_raid_encounters(t), "encounter", "encounters", parent.p, seg, out, err)
           : pl_find(ogrh_table_child(t, "roles"), "role", "roles", parent.p, seg, out, err);
  ogrh_buf_deinit(&parent);
  return rc;
}

int ogrh_name_find_encounter(ogrh_doc *d, int64_t raid, ogrh_name_seg seg, int64_t *enc,
                             ogrh_err *err) {
  return pl_find_below(d, 1, raid, 0, seg, enc, err);
}

int ogrh_name_find_role(ogrh_doc *d, int64_t raid, int64_t enc, ogrh_name_seg seg, int64_t *role,
                        ogrh_err *err) {
  return pl_find_below(d, 2, raid, enc, seg, role, err);
}

int ogrh_name_resolve(ogrh_doc *d, const char *spec, ogrh_name_ref *out, ogrh_err *err) {
  memset(out, 0, sizeof *out);
  ogrh_name_seg seg[3];
  int nseg;
  const char *rest;
  int rc = ogrh_name_split(spec, seg, &nseg, &rest, err);
  if (rc) return rc;
  if ((rc = ogrh_name_find_raid(d, seg[0], &out->raid, err))) return rc;
  if (nseg > 1 && (rc = ogrh_name_find_encounter(d, out->raid, seg[1], &out->encounter, err)))
    return rc;
  if (nseg > 2 && (rc = ogrh_name_find_role(d, out->raid, out->encounter, seg[2], &out->role, err)))
    return rc;
  out->depth = nseg;
  out->rest = rest;
  return OGRH_OK;
}

int ogrh_name_ref_path(const ogrh_name_ref *r, ogrh_buf *b) {
  ogrh_buf_printf(b, "encounterMgmt.raids.%lld", (long long)r->raid);
  if (r->depth > 1) ogrh_buf_printf(b, ".encounters.%lld", (long long)r->encounter);
  if (r->depth > 2) ogrh_buf_printf(b, ".roles.%lld", (long long)r->role);
  if (r->rest && *r->rest) {
    ogrh_buf_addc(b, '.');
    ogrh_buf_adds(b, r->rest);
  }
  return ogrh_buf_error(b);
}

int ogrh_name_path(ogrh_doc *d, const char *spec, ogrh_path *out, ogrh_err *err) {
  if (!ogrh_name_is_named(spec)) return ogrh_path_parse(spec, out, err);
  ogrh_name_ref r;
  int rc = ogrh_name_resolve(d, spec, &r, err);
  if (rc) return rc;
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = ogrh_name_ref_path(&r, &b);
  if (rc)
    rc = ogrh_err_set(err, rc, "%s", ogrh_strerror(rc));
  else
    rc = ogrh_path_parse(b.p, out, err);
  ogrh_buf_deinit(&b);
  return rc;
}

/* ---- announcements: the addon's tag replacement ---- */

/*
** How _Raid/Announce.lua reads an encounter (SendEncounterAnnouncement):
**  - roles by roleId (T, C and L tags): for positions 1..table.getn(roles), the last role
**    whose roleId is n;
**  - assignedPlayers, raidMarks and assignmentNumbers (P, PA, M, A tags) by position n.
** Lua 5.0's table.getn counts from 1 up to the first nil.
*/
typedef struct ann {
  const ogrh_table *roles;
  uint32_t n;
} ann;

static const ogrh_table *ann_by_pos(const ann *a, int64_t pos) {
  return pos >= 1 && pos <= (int64_t)a->n ? pl_at(a->roles, pos) : NULL;
}

static const ogrh_table *ann_by_id(const ann *a, int64_t id) {
  const ogrh_table *found = NULL;
  for (int64_t pos = 1; pos <= (int64_t)a->n; pos++) {
    const ogrh_table *r = pl_at(a->roles, pos);
    int64_t rid;
    if (r && pl_int(ogrh_table_gets(r, "roleId"), &rid) && rid == id) found = r;
  }
  return found;
}

/* The per-position slot table (assignedPlayers, raidMarks, assignmentNumbers) of role n. */
static const ogrh_table *ann_slots(const ann *a, int64_t pos, const char *key) {
  return ogrh_table_child(ann_by_pos(a, pos), key);
}

/* The player in a slot: a string (the addon would concatenate other values; we skip them). */
static const ogrh_value *ann_player(const ogrh_table *players, int64_t slot) {
  const ogrh_value *v = players ? ogrh_table_geti(players, slot) : NULL;
  return v && v->type == OGRH_STRING ? v : NULL;
}

typedef enum {
  TAG_T,   /* [Rn.T] */
  TAG_P,   /* [Rn.P] */
  TAG_PA,  /* [Rn.PA] */
  TAG_PK,  /* [Rn.Pk] */
  TAG_MK,  /* [Rn.Mk] */
  TAG_AK,  /* [Rn.Ak] */
  TAG_AEQ, /* [Rn.A=k] */
  TAG_CK,  /* [Rn.Ck] */
  TAG_LK,  /* [Rn.Lk] */
  TAG_L    /* [Rn.L] */
} tag_kind;

typedef struct tag {
  tag_kind kind;
  int64_t role, arg;
  const char *digits; /* n as written, for [Rn.L] expansion */
  size_t ndigits;
} tag;

/* Reads decimal digits like tonumber() (a huge number simply never matches anything). */
static bool ann_digits(const char *s, size_t n, size_t *i, int64_t *v) {
  size_t start = *i;
  *v = 0;
  while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
    if (*v < INT64_MAX / 10 - 10) *v = *v * 10 + (s[*i] - '0');
    (*i)++;
  }
  return *i > start;
}

/* Parses exactly one tag occupying s[0..n) (from '[' to ']'). */
static bool ann_parse_tag(const char *s, size_t n, tag *t) {
  if (n < 6 || s[0] != '[' || s[1] != 'R' || s[n - 1] != ']') return false;
  size_t i = 2;
  t->digits = s + 2;
  if (!ann_digits(s, n, &i, &t->role)) return false;
  t->ndigits = i - 2;
  if (i + 2 > n || s[i] != '.') return false;
  i++;
  char c = s[i++];
  size_t end = n - 1; /* index of ']' */
  t->arg = 0;
  if (i == end) {
    if (c == 'T' || c == 'P' || c == 'L') {
      t->kind = c == 'T' ? TAG_T : c == 'P' ? TAG_P : TAG_L;
      return true;
    }
    return false;
  }
  if (c == 'P' && s[i] == 'A' && i + 1 == end) {
    t->kind = TAG_PA;
    return true;
  }
  if (c == 'A' && s[i] == '=') {
    i++;
    t->kind = TAG_AEQ;
  } else if (c == 'P' || c == 'M' || c == 'A' || c == 'C' || c == 'L') {
    t->kind = c == 'P'   ? TAG_PK
              : c == 'M' ? TAG_MK
              : c == 'A' ? TAG_AK
              : c == 'C' ? TAG_CK
                         : TAG_LK;
  } else {
    return false;
  }
  return ann_digits(s, end, &i, &t->arg) && i == end;
}

/* Does any slot of the players table hold a player? */
static bool ann_any_player(const ogrh_table *players) {
  for (uint32_t i = 0; players && i < players->n; i++)
    if (players->e[i].key.type == OGRH_INT && players->e[i].val.type == OGRH_STRING) return true;
  return false;
}

static const ogrh_table *ann_text_role(const ann *a, int64_t id) {
  const ogrh_table *r = ann_by_id(a, id);
  return r && pl_truthy(ogrh_table_gets(r, "isTextField")) ? r : NULL;
}

/* textValues[k] when it is a non-empty string. */
static const ogrh_value *ann_text(const ogrh_table *role, int64_t k) {
  const ogrh_table *vals = ogrh_table_child(role, "textValues");
  const ogrh_value *v = vals ? ogrh_table_geti(vals, k) : NULL;
  return v && v->type == OGRH_STRING && v->len ? v : NULL;
}

/* IsTagValid: whether a tag has a value (decides conditional blocks). */
static bool ann_valid(const ann *a, const tag *t) {
  switch (t->kind) {
  case TAG_T:
    return ann_by_id(a, t->role) != NULL;
  case TAG_P:
  case TAG_PA:
    return ann_any_player(ann_slots(a, t->role, "assignedPlayers"));
  case TAG_PK:
    return ann_player(ann_slots(a, t->role, "assignedPlayers"), t->arg) != NULL;
  case TAG_MK:
  case TAG_AK: {
    const ogrh_table *s =
        ann_slots(a, t->role, t->kind == TAG_MK ? "raidMarks" : "assignmentNumbers");
    const ogrh_value *v = s ? ogrh_table_geti(s, t->arg) : NULL;
    return pl_isnum(v) && pl_dbl(v) != 0;
  }
  case TAG_AEQ: {
    const ogrh_table *p = ann_slots(a, t->role, "assignedPlayers");
    const ogrh_table *nums = ann_slots(a, t->role, "assignmentNumbers");
    for (uint32_t i = 0; p && nums && i < p->n; i++) {
      if (p->e[i].key.type != OGRH_INT || p->e[i].val.type != OGRH_STRING) continue;
      const ogrh_value *v = ogrh_table_geti(nums, p->e[i].key.u.i);
      if (pl_isnum(v) && pl_dbl(v) == (double)t->arg) return true;
    }
    return false;
  }
  case TAG_CK: {
    const ogrh_table *r = ann_by_id(a, t->role);
    if (!r || !pl_truthy(ogrh_table_gets(r, "isConsumeCheck"))) return false;
    const ogrh_table *c = pl_at(ogrh_table_child(r, "consumes"), t->arg);
    const ogrh_value *nm = pl_strv(c, "primaryName");
    return nm && nm->len;
  }
  case TAG_LK: {
    const ogrh_table *r = ann_text_role(a, t->role);
    return r && ann_text(r, t->arg);
  }
  case TAG_L: {
    const ogrh_table *r = ann_text_role(a, t->role);
    const ogrh_table *vals = ogrh_table_child(r, "textValues");
    uint32_t n = vals ? ogrh_table_seqlen(vals) : 0;
    for (uint32_t k = 1; k <= n; k++)
      if (ann_text(r, k)) return true;
    return false;
  }
  }
  return true;
}

/* One item of a consumable as the chat shows its link: "[Name]", or "Item 12345". */
static void ann_item(const ogrh_table *c, const char *id_key, const char *name_key, ogrh_buf *b) {
  const ogrh_value *nm = pl_strv(c, name_key);
  if (nm && nm->len) {
    ogrh_buf_addc(b, '[');
    ogrh_buf_add(b, nm->u.s, nm->len);
    ogrh_buf_addc(b, ']');
    return;
  }
  const ogrh_value *id = ogrh_table_gets(c, id_key);
  ogrh_buf_adds(b, "Item ");
  if (pl_isnum(id))
    pl_put_num(b, id);
  else if (id && id->type == OGRH_STRING)
    ogrh_buf_add(b, id->u.s, id->len);
}

/* The players of a role in slot order, separated by spaces; with_numbers adds " (n)". */
static void ann_players(const ann *a, int64_t pos, bool with_numbers, const int64_t *only_number,
                        ogrh_buf *b) {
  const ogrh_table *p = ann_slots(a, pos, "assignedPlayers");
  const ogrh_table *nums = ann_slots(a, pos, "assignmentNumbers");
  if (only_number && !nums) return;
  bool first = true;
  for (uint32_t i = 0; p && i < p->n; i++) {
    if (p->e[i].key.type != OGRH_INT || p->e[i].val.type != OGRH_STRING) continue;
    const ogrh_value *num = nums ? ogrh_table_geti(nums, p->e[i].key.u.i) : NULL;
    if (only_number && !(pl_isnum(num) && pl_dbl(num) == (double)*only_number)) continue;
    if (!first) ogrh_buf_addc(b, ' ');
    first = false;
    ogrh_buf_add(b, p->e[i].val.u.s, p->e[i].val.len);
    if (with_numbers && pl_isnum(num) && pl_dbl(num) != 0) {
      ogrh_buf_adds(b, " (");
      pl_put_num(b, num);
      ogrh_buf_addc(b, ')');
    }
  }
}

/* The text a tag is replaced with (possibly nothing). */
static void ann_replace(const ann *a, const tag *t, ogrh_buf *b) {
  switch (t->kind) {
  case TAG_T: {
    const ogrh_table *r = ann_by_id(a, t->role);
    const ogrh_value *nm = pl_strv(r, "name");
    if (r) ogrh_buf_add(b, nm ? nm->u.s : "Unknown", nm ? nm->len : 7);
    return;
  }
  case TAG_P:
    ann_players(a, t->role, false, NULL, b);
    return;
  case TAG_PA:
    ann_players(a, t->role, true, NULL, b);
    return;
  case TAG_AEQ:
    ann_players(a, t->role, false, &t->arg, b);
    return;
  case TAG_PK: {
    const ogrh_value *p = ann_player(ann_slots(a, t->role, "assignedPlayers"), t->arg);
    if (p) ogrh_buf_add(b, p->u.s, p->len);
    return;
  }
  case TAG_MK: {
    const ogrh_table *s = ann_slots(a, t->role, "raidMarks");
    int64_t m;
    const char *name = pl_int(s ? ogrh_table_geti(s, t->arg) : NULL, &m) ? ogrh_mark_name(m) : NULL;
    if (name) ogrh_buf_printf(b, "(%s)", name);
    return;
  }
  case TAG_AK: {
    const ogrh_table *s = ann_slots(a, t->role, "assignmentNumbers");
    const ogrh_value *v = s ? ogrh_table_geti(s, t->arg) : NULL;
    if (pl_isnum(v) && pl_dbl(v) != 0) pl_put_num(b, v);
    return;
  }
  case TAG_CK: {
    const ogrh_table *r = ann_by_id(a, t->role);
    if (!r || !pl_truthy(ogrh_table_gets(r, "isConsumeCheck"))) return;
    const ogrh_table *c = pl_at(ogrh_table_child(r, "consumes"), t->arg);
    if (!c) return;
    /* FormatConsumeItemLinks: the primary item, then the secondary when alternates are allowed. */
    bool primary = pl_truthy(ogrh_table_gets(c, "primaryId"));
    bool secondary = pl_truthy(ogrh_table_gets(c, "allowAlternate")) &&
                     pl_truthy(ogrh_table_gets(c, "secondaryId"));
    if (primary) ann_item(c, "primaryId", "primaryName", b);
    if (primary && secondary) ogrh_buf_adds(b, " / ");
    if (secondary) ann_item(c, "secondaryId", "secondaryName", b);
    return;
  }
  case TAG_LK: {
    const ogrh_table *r = ann_text_role(a, t->role);
    const ogrh_value *v = r ? ann_text(r, t->arg) : NULL;
    /* Padded with spaces, as the addon does for URL-detecting chat addons. */
    if (v) {
      ogrh_buf_addc(b, ' ');
      ogrh_buf_add(b, v->u.s, v->len);
      ogrh_buf_addc(b, ' ');
    }
    return;
  }
  case TAG_L: {
    const ogrh_table *r = ann_text_role(a, t->role);
    const ogrh_table *vals = ogrh_table_child(r, "textValues");
    uint32_t n = vals ? ogrh_table_seqlen(vals) : 0;
    bool first = true;
    for (uint32_t k = 1; k <= n; k++) {
      const ogrh_value *v = ann_text(r, k);
      if (!v) continue;
      if (!first) ogrh_buf_addc(b, '\n');
      first = false;
      ogrh_buf_addc(b, ' ');
      ogrh_buf_add(b, v->u.s, v->len);
      ogrh_buf_addc(b, ' ');
    }
    return;
  }
  }
}

/* "[R<digits>.<one of TPMACL>" at s[i]: what marks a conditional block and starts a tag. */
static bool ann_tag_start(const char *s, size_t n, size_t i) {
  if (i + 2 >= n || s[i] != '[' || s[i + 1] != 'R') return false;
  size_t j = i + 2;
  int64_t v;
  if (!ann_digits(s, n, &j, &v) || j + 1 >= n || s[j] != '.') return false;
  return strchr("TPMACL", s[j + 1]) != NULL && s[j + 1] != '\0';
}

typedef struct span {
  size_t start, end; /* [start, end] inclusive */
  bool valid;
} span;

/*
** ProcessConditionals, step by step as the addon does it: take the leftmost '[' whose
** matching ']' encloses a tag start; `[&...]` is shown only when every tag inside has a
** value, any other block when at least one has (its tags without a value are dropped);
** a block that is not shown disappears with its text. At most 100 blocks per line.
*/
static int ann_conditionals(const ann *a, ogrh_buf *line) {
  span *tags = NULL;
  size_t cap = 0;
  int rc = OGRH_OK;
  ogrh_buf out;
  ogrh_buf_init(&out);
  for (int iter = 0; iter < 100 && !rc; iter++) {
    const char *s = line->p ? line->p : "";
    size_t n = line->n, open = 0, close = 0;
    bool found = false;
    for (size_t pos = 0; pos < n && !found; pos++) {
      if (s[pos] != '[') continue;
      size_t nest = 0, c = pos + 1;
      for (; c < n; c++) {
        if (s[c] == '[') {
          nest++;
        } else if (s[c] == ']') {
          if (nest == 0) break;
          nest--;
        }
      }
      if (c >= n) continue;
      for (size_t i = pos + 1; i < c && !found; i++)
        found = ann_tag_start(s, c, i);
      if (found) open = pos, close = c;
    }
    if (!found) break;
    size_t cs = open + 1, ce = close; /* content [cs, ce) */
    bool and_block = cs < ce && s[cs] == '&';
    if (and_block) cs++;
    /* The tags inside: "[R<d>.<X>" up to the next ']' (which may enclose other brackets). */
    size_t ntags = 0;
    for (size_t i = cs; i < ce;) {
      if (!ann_tag_start(s, ce, i)) {
        i++;
        continue;
      }
      const char *rb = memchr(s + i, ']', ce - i);
      if (!rb) break;
      if ((rc = ogrh_grow(&tags, &cap, ntags + 1, sizeof *tags))) break;
      tag t;
      size_t e = (size_t)(rb - s);
      tags[ntags].start = i;
      tags[ntags].end = e;
      tags[ntags].valid = !ann_parse_tag(s + i, e - i + 1, &t) || ann_valid(a, &t);
      ntags++;
      i = e + 1;
    }
    if (rc) break;
    bool show = and_block;
    for (size_t k = 0; k < ntags; k++) {
      if (and_block && !tags[k].valid) show = false;
      if (!and_block && tags[k].valid) show = true;
    }
    ogrh_buf_reset(&out);
    ogrh_buf_add(&out, s, open);
    if (show) {
      size_t last = cs;
      for (size_t k = 0; k < ntags && !and_block; k++) {
        if (tags[k].valid) continue;
        ogrh_buf_add(&out, s + last, tags[k].start - last);
        last = tags[k].end + 1;
      }
      ogrh_buf_add(&out, s + last, ce - last);
    }
    ogrh_buf_add(&out, s + close + 1, n - close - 1);
    if ((rc = ogrh_buf_error(&out))) break;
    ogrh_buf_reset(line);
    ogrh_buf_add(line, out.p ? out.p : "", out.n);
    rc = ogrh_buf_error(line);
  }
  ogrh_free(tags, cap * sizeof *tags);
  ogrh_buf_deinit(&out);
  return rc;
}

/* Templates longer than this are cut (a chat line holds 255 bytes; this bounds the work). */
#define ANN_MAX_TEMPLATE 1024

static int ann_fill(const ann *a, const char *tmpl, size_t len, ogrh_buf *out) {
  if (len > ANN_MAX_TEMPLATE) len = ogrh_utf8_cut(tmpl, ANN_MAX_TEMPLATE);
  ogrh_buf line;
  ogrh_buf_init(&line);
  ogrh_buf_add(&line, tmpl, len);
  int rc = ogrh_buf_error(&line);
  if (!rc) rc = ann_conditionals(a, &line);
  const char *s = line.p ? line.p : "";
  for (size_t i = 0; !rc && i < line.n;) {
    tag t;
    const char *rb = s[i] == '[' ? memchr(s + i, ']', line.n - i) : NULL;
    if (rb && ann_parse_tag(s + i, (size_t)(rb - s) - i + 1, &t)) {
      ann_replace(a, &t, out);
      i = (size_t)(rb - s) + 1;
    } else {
      ogrh_buf_addc(out, s[i++]);
    }
  }
  ogrh_buf_deinit(&line);
  return rc ? rc : ogrh_buf_error(out);
}

static ann ann_of(const ogrh_table *encounter) {
  ann a;
  a.roles = ogrh_table_child(encounter, "roles");
  a.n = a.roles ? ogrh_table_seqlen(a.roles) : 0;
  return a;
}

int ogrh_announce_fill(const ogrh_table *encounter, const char *tmpl, size_t len, ogrh_buf *out) {
  ann a = ann_of(encounter);
  return ann_fill(&a, tmpl, len, out);
}

/* ---- building results in an arena ---- */

typedef struct pb {
  ogrh_doc *d;
  ogrh_arena *a;
  int err; /* the first error */
  ogrh_buf tmp;
  int64_t *slots; /* scratch for slot numbers */
  size_t slots_cap;
} pb;

/* A builder with a new arena, and the result's zeroed header of `size` bytes in it (NULL when
** out of memory, with nothing left allocated). */
static void *pb_begin(pb *b, ogrh_doc *d, size_t size) {
  memset(b, 0, sizeof *b);
  b->d = d;
  ogrh_buf_init(&b->tmp);
  b->a = ogrh_arena_new();
  void *p = b->a ? ogrh_arena_alloc(b->a, size) : NULL;
  if (!p) {
    ogrh_arena_free(b->a);
    return NULL;
  }
  memset(p, 0, size);
  return p;
}

static const char *pb_dup(pb *b, const char *s, size_t n) {
  char *p = ogrh_arena_memdup(b->a, s, n);
  if (!p) {
    if (!b->err) b->err = OGRH_ENOMEM;
    return "";
  }
  return p;
}

/* Copies the scratch buffer and empties it. */
static const char *pb_take(pb *b) {
  int e = ogrh_buf_error(&b->tmp);
  if (e && !b->err) b->err = e;
  const char *s = pb_dup(b, b->tmp.p ? b->tmp.p : "", b->tmp.n);
  ogrh_buf_reset(&b->tmp);
  return s;
}

static void *pb_array(pb *b, size_t n, size_t size) {
  if (n == 0) return NULL;
  if (n > SIZE_MAX / size) {
    if (!b->err) b->err = OGRH_ENOMEM;
    return NULL;
  }
  void *p = ogrh_arena_alloc(b->a, n * size);
  if (!p) {
    if (!b->err) b->err = OGRH_ENOMEM;
    return NULL;
  }
  memset(p, 0, n * size);
  return p;
}

static const char *pb_name(pb *b, const ogrh_table *t, const char *key) {
  const ogrh_value *v = pl_strv(t, key);
  return v ? pb_dup(b, v->u.s, v->len) : NULL;
}

static int cmp_i64(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, c = *(const int64_t *)y;
  return a < c ? -1 : a > c;
}

/* A role's `slots` beyond this count as this many (a raid has 40 players). */
#define PLAN_MAX_SLOTS 1000

/*
** The slot numbers of a role: 1..`slots`, and every slot past them that holds a player, a
** mark or a number. Sorted, in b->slots; returns how many.
*/
static size_t pb_role_slots(pb *b, const ogrh_table *role) {
  int64_t slots = 0;
  if (!pl_int(ogrh_table_gets(role, "slots"), &slots) || slots < 0) slots = 0;
  if (slots > PLAN_MAX_SLOTS) slots = PLAN_MAX_SLOTS;
  static const char *const keys[3] = {"assignedPlayers", "raidMarks", "assignmentNumbers"};
  size_t n = (size_t)slots, extra = 0;
  for (int k = 0; k < 3; k++) {
    const ogrh_table *t = ogrh_table_child(role, keys[k]);
    for (uint32_t i = 0; t && i < t->n; i++)
      if (t->e[i].key.type == OGRH_INT && t->e[i].key.u.i > slots) extra++;
  }
  if (n + extra == 0) return 0;
  if (ogrh_grow(&b->slots, &b->slots_cap, n + extra, sizeof *b->slots)) {
    if (!b->err) b->err = OGRH_ENOMEM;
    return 0;
  }
  for (size_t i = 0; i < n; i++)
    b->slots[i] = (int64_t)i + 1;
  for (int k = 0; k < 3; k++) {
    const ogrh_table *t = ogrh_table_child(role, keys[k]);
    for (uint32_t i = 0; t && i < t->n; i++)
      if (t->e[i].key.type == OGRH_INT && t->e[i].key.u.i > slots) b->slots[n++] = t->e[i].key.u.i;
  }
  qsort(b->slots, n, sizeof *b->slots, cmp_i64);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (u == 0 || b->slots[u - 1] != b->slots[i]) b->slots[u++] = b->slots[i];
  return u;
}

/* The player of a slot for the plan: a non-empty string. */
static const ogrh_value *pb_player(const ogrh_table *role, int64_t slot) {
  const ogrh_value *v = ann_player(ogrh_table_child(role, "assignedPlayers"), slot);
  return v && v->len ? v : NULL;
}

static void pb_slot(pb *b, const ogrh_table *role, int64_t slot, ogrh_plan_slot *s) {
  s->slot = slot;
  const ogrh_value *p = pb_player(role, slot);
  s->player = p ? pb_dup(b, p->u.s, p->len) : NULL;
  const ogrh_table *marks = ogrh_table_child(role, "raidMarks"),
                   *nums = ogrh_table_child(role, "assignmentNumbers");
  int64_t m = 0;
  if (!pl_int(marks ? ogrh_table_geti(marks, slot) : NULL, &m)) m = 0;
  s->mark = m;
  s->mark_name = ogrh_mark_name(m);
  const ogrh_value *num = nums ? ogrh_table_geti(nums, slot) : NULL;
  s->number = pl_isnum(num) && pl_dbl(num) != 0 ? *num : ogrh_vnil();
}

typedef struct named {
  const char *s;
  size_t n, pos;
} named;

static int cmp_named(const void *x, const void *y) {
  const named *a = x, *c = y;
  size_t m = a->n < c->n ? a->n : c->n;
  int r = memcmp(a->s, c->s, m);
  return r ? r : a->n < c->n ? -1 : a->n > c->n;
}

/*
** For each position of list, whether its name reaches it alone (a non-empty name no other
** entry has). Sorting keeps this O(n log n) for plans with thousands of raids.
*/
static bool *pb_unique(pb *b, const ogrh_table *list) {
  if (!list || !list->n) return NULL;
  bool *u = pb_array(b, list->n, sizeof *u);
  named *v = ogrh_malloc(list->n * sizeof *v);
  if (!u || !v) {
    ogrh_free(v, list->n * sizeof *v);
    if (!b->err) b->err = OGRH_ENOMEM;
    return NULL;
  }
  size_t n = 0;
  int64_t k;
  for (uint32_t i = 0; i < list->n; i++) {
    const ogrh_table *t = pl_entry(list, i, &k);
    const ogrh_value *nm = pl_strv(t, "name");
    if (t && nm && nm->len) v[n++] = (named){nm->u.s, nm->len, i};
  }
  qsort(v, n, sizeof *v, cmp_named);
  for (size_t i = 0; i < n; i++)
    u[v[i].pos] =
        (i == 0 || cmp_named(&v[i - 1], &v[i])) && (i + 1 == n || cmp_named(&v[i], &v[i + 1]));
  ogrh_free(v, list->n * sizeof *v);
  return u;
}

/* Appends parent "/" segment for the entry at position pos of list (key k). */
static const char *pb_unit(pb *b, const char *parent, const ogrh_table *list, const bool *unique,
                           uint32_t pos, int64_t k) {
  if (parent) {
    ogrh_buf_adds(&b->tmp, parent);
    ogrh_buf_addc(&b->tmp, '/');
  }
  size_t n;
  const char *name = ogrh_table_name(list->e[pos].val.u.t, &n);
  if (unique && unique[pos])
    ogrh_name_escape(name, n, &b->tmp);
  else
    ogrh_buf_printf(&b->tmp, "#%lld", (long long)k);
  return pb_take(b);
}

static void pb_texts(pb *b, const ogrh_table *role, ogrh_plan_role *r) {
  if (!pl_truthy(ogrh_table_gets(role, "isTextField"))) return;
  const ogrh_table *vals = ogrh_table_child(role, "textValues");
  uint32_t n = vals ? ogrh_table_seqlen(vals) : 0;
  r->texts = pb_array(b, n, sizeof *r->texts);
  if (!r->texts) return;
  r->ntexts = n;
  for (uint32_t k = 1; k <= n; k++) {
    const ogrh_value *v = ogrh_table_geti(vals, k);
    r->texts[k - 1] = v->type == OGRH_STRING ? pb_dup(b, v->u.s, v->len) : "";
  }
}

/* A role: counts always; slots and texts when full. */
static void pb_role(pb *b, const ogrh_table *role, ogrh_plan_role *r, bool full) {
  size_t n = pb_role_slots(b, role);
  r->slot_count = n;
  for (size_t i = 0; i < n; i++)
    if (pb_player(role, b->slots[i])) r->assigned_count++;
  if (!full) return;
  r->slots = pb_array(b, n, sizeof *r->slots);
  if (r->slots) {
    r->nslots = n;
    /* pb_slot does not touch b->slots, so the scratch numbers stay valid meanwhile. */
    for (size_t i = 0; i < n; i++)
      pb_slot(b, role, b->slots[i], &r->slots[i]);
  }
  pb_texts(b, role, r);
}

static void pb_lines(pb *b, const ogrh_table *enc, ogrh_plan_encounter *e) {
  const ogrh_table *ann_t = ogrh_table_child(enc, "announcements");
  uint32_t n = ann_t ? ogrh_table_seqlen(ann_t) : 0;
  ann a = ann_of(enc);
  /* [Rn.L] turns one template into one line per text value: count first, then fill. */
  size_t cap = 0, count = 0;
  ogrh_plan_line *lines = NULL;
  ogrh_buf exp;
  ogrh_buf_init(&exp);
  for (uint32_t k = 1; k <= n && !b->err; k++) {
    const ogrh_value *tv = ogrh_table_geti(ann_t, k);
    if (tv->type != OGRH_STRING || tv->len == 0) continue;
    const char *s = tv->u.s;
    size_t len = tv->len > ANN_MAX_TEMPLATE ? ogrh_utf8_cut(s, ANN_MAX_TEMPLATE) : tv->len;
    /* ExpandLTags: the first [Rn.L] of the line, by roleId. */
    size_t at = 0, end = 0;
    tag t = {TAG_T, 0, 0, NULL, 0};
    bool has_l = false;
    for (size_t i = 0; i < len && !has_l; i++) {
      const char *rb = s[i] == '[' ? memchr(s + i, ']', len - i) : NULL;
      if (rb && ann_parse_tag(s + i, (size_t)(rb - s) - i + 1, &t) && t.kind == TAG_L) {
        has_l = true;
        at = i;
        end = (size_t)(rb - s) + 1;
      }
    }
    const ogrh_table *tr = has_l ? ann_text_role(&a, t.role) : NULL;
    const ogrh_table *vals = ogrh_table_child(tr, "textValues");
    uint32_t nv = 1;
    if (has_l) nv = vals ? ogrh_table_seqlen(vals) : 0;
    for (uint32_t v = 1; v <= nv && !b->err; v++) {
      ogrh_buf_reset(&exp);
      if (has_l) {
        if (!ann_text(tr, v)) continue;
        ogrh_buf_add(&exp, s, at);
        ogrh_buf_printf(&exp, "[R%.*s.L%u]", (int)t.ndigits, t.digits, v);
        ogrh_buf_add(&exp, s + end, len - end);
      } else {
        ogrh_buf_add(&exp, s, len);
      }
      int rc = ogrh_buf_error(&exp);
      if (!rc) rc = ann_fill(&a, exp.p, exp.n, &b->tmp);
      if (!rc && b->tmp.n == 0) continue;
      if (!rc) rc = ogrh_grow(&lines, &cap, count + 1, sizeof *lines);
      if (rc) {
        b->err = rc;
        break;
      }
      lines[count].line = k;
      lines[count].text = pb_take(b);
      lines[count].template_text = pb_dup(b, tv->u.s, tv->len);
      count++;
    }
  }
  ogrh_buf_deinit(&exp);
  e->lines = pb_array(b, count, sizeof *e->lines);
  if (e->lines) {
    memcpy(e->lines, lines, count * sizeof *lines);
    e->nlines = count;
  }
  ogrh_free(lines, cap * sizeof *lines);
}

/* An encounter: counts always; roles from the raid view on; slots and lines when full. */
static void pb_encounter(pb *b, const ogrh_table *enc, ogrh_plan_encounter *e, int64_t index,
                         const char *unit, const char *path, ogrh_plan_view view) {
  e->index = index;
  e->name = pb_name(b, enc, "name");
  if (!e->name) e->name = "";
  e->display_name = pb_name(b, enc, "displayName");
  e->unit = unit;
  e->path = path;
  const ogrh_table *roles = ogrh_table_child(enc, "roles");
  size_t nroles = 0;
  int64_t k;
  for (uint32_t i = 0; roles && i < roles->n; i++)
    if (pl_entry(roles, i, &k)) nroles++;
  e->role_count = nroles;
  bool with_roles = view != OGRH_PLAN_RAIDS;
  if (with_roles) {
    e->roles = pb_array(b, nroles, sizeof *e->roles);
    if (!e->roles && nroles) return;
    e->nroles = nroles;
  }
  bool *unique = with_roles ? pb_unique(b, roles) : NULL;
  size_t r = 0;
  for (uint32_t i = 0; roles && i < roles->n && !b->err; i++) {
    const ogrh_table *rt = pl_entry(roles, i, &k);
    if (!rt) continue;
    ogrh_plan_role tmp, *pr = with_roles ? &e->roles[r++] : &tmp;
    memset(pr, 0, sizeof *pr);
    pb_role(b, rt, pr, view == OGRH_PLAN_ENCOUNTER);
    e->slot_count += pr->slot_count;
    e->assigned_count += pr->assigned_count;
    if (!with_roles) continue;
    pr->index = k;
    int64_t v;
    pr->role_id = pl_int(ogrh_table_gets(rt, "roleId"), &v) ? v : 0;
    pr->column = pl_int(ogrh_table_gets(rt, "column"), &v) ? v : 0;
    pr->name = pb_name(b, rt, "name");
    if (!pr->name) pr->name = "";
    pr->unit = pb_unit(b, unit, roles, unique, i, k);
    ogrh_buf_printf(&b->tmp, "%s.roles.%lld", path, (long long)k);
    pr->path = pb_take(b);
  }
  if (view == OGRH_PLAN_ENCOUNTER) pb_lines(b, enc, e);
}

static void pb_raid(pb *b, const ogrh_table *raid, ogrh_plan_raid *r, int64_t index,
                    const char *unit, ogrh_plan_view view, int64_t only_enc) {
  r->index = index;
  r->name = pb_name(b, raid, "name");
  if (!r->name) r->name = "";
  r->display_name = pb_name(b, raid, "displayName");
  r->unit = unit;
  ogrh_buf_printf(&b->tmp, "encounterMgmt.raids.%lld", (long long)index);
  r->path = pb_take(b);
  const ogrh_table *encs = ogrh_raid_encounters(raid);
  int64_t k;
  size_t nenc = 0;
  for (uint32_t i = 0; encs && i < encs->n; i++)
    if (pl_entry(encs, i, &k)) nenc++;
  r->encounter_count = nenc;
  size_t want = view == OGRH_PLAN_ENCOUNTER ? 1 : nenc;
  r->encounters = pb_array(b, want, sizeof *r->encounters);
  if (!r->encounters) return;
  bool *unique = view == OGRH_PLAN_ENCOUNTER ? NULL : pb_unique(b, encs);
  size_t e = 0;
  for (uint32_t i = 0; i < encs->n && !b->err; i++) {
    const ogrh_table *et = pl_entry(encs, i, &k);
    if (!et) continue;
    ogrh_plan_encounter tmp, *pe = &tmp;
    bool keep = view != OGRH_PLAN_ENCOUNTER || k == only_enc;
    if (keep) pe = &r->encounters[e++];
    memset(pe, 0, sizeof *pe);
    const char *eunit = "", *epath = "";
    if (keep) {
      if (view == OGRH_PLAN_ENCOUNTER) {
        ogrh_name_unit(b->d, 2, index, k, 0, &b->tmp);
        eunit = pb_take(b);
      } else {
        eunit = pb_unit(b, unit, encs, unique, i, k);
      }
      ogrh_buf_printf(&b->tmp, "%s.encounters.%lld", r->path, (long long)k);
      epath = pb_take(b);
    }
    pb_encounter(b, et, pe, k, eunit, epath, keep ? view : OGRH_PLAN_RAIDS);
    r->role_count += pe->role_count;
    r->slot_count += pe->slot_count;
    r->assigned_count += pe->assigned_count;
  }
  r->nencounters = e;
}

const char *ogrh_plan_view_name(ogrh_plan_view v) {
  return v == OGRH_PLAN_RAID ? "raid" : v == OGRH_PLAN_ENCOUNTER ? "encounter" : "raids";
}

void ogrh_plan_free(ogrh_plan *p) {
  if (!p) return;
  ogrh_arena *a = p->arena;
  ogrh_arena_free(a); /* p itself lives in the arena */
}

int ogrh_plan_build(ogrh_doc *d, const char *unit, ogrh_plan **out, ogrh_err *err) {
  *out = NULL;
  const ogrh_table *raids = ogrh_doc_raids(d);
  if (!raids) return pl_no_raids(err);
  ogrh_plan_view view = OGRH_PLAN_RAIDS;
  ogrh_name_ref ref;
  memset(&ref, 0, sizeof ref);
  if (unit && *unit) {
    int rc = ogrh_name_resolve(d, unit, &ref, err);
    if (rc) return rc;
    if (ref.depth > 2 || ref.rest)
      return ogrh_err_set(err, OGRH_EINVAL,
                          "'%s': the plan is shown for a raid or an encounter (RAID or "
                          "RAID/ENCOUNTER)",
                          unit);
    view = ref.depth == 1 ? OGRH_PLAN_RAID : OGRH_PLAN_ENCOUNTER;
  }
  pb b;
  ogrh_plan *p = pb_begin(&b, d, sizeof *p);
  if (!p) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  p->arena = b.a;
  p->view = view;
  int64_t k;
  if (view == OGRH_PLAN_RAIDS) {
    size_t n = 0;
    for (uint32_t i = 0; i < raids->n; i++)
      if (pl_entry(raids, i, &k)) n++;
    p->raids = pb_array(&b, n, sizeof *p->raids);
    bool *unique = pb_unique(&b, raids);
    for (uint32_t i = 0; p->raids && i < raids->n && !b.err; i++) {
      const ogrh_table *rt = pl_entry(raids, i, &k);
      if (!rt) continue;
      const char *ru = pb_unit(&b, NULL, raids, unique, i, k);
      pb_raid(&b, rt, &p->raids[p->nraids++], k, ru, view, 0);
    }
  } else {
    p->raids = pb_array(&b, 1, sizeof *p->raids);
    ogrh_name_unit(d, 1, ref.raid, 0, 0, &b.tmp);
    const char *ru = pb_take(&b);
    if (p->raids) {
      p->nraids = 1;
      pb_raid(&b, ogrh_doc_raid(d, ref.raid), &p->raids[0], ref.raid, ru, view, ref.encounter);
    }
  }
  ogrh_buf_deinit(&b.tmp);
  ogrh_free(b.slots, b.slots_cap * sizeof *b.slots);
  if (b.err) {
    ogrh_arena_free(b.a);
    return ogrh_err_set(err, b.err, "cannot build the plan: %s", ogrh_strerror(b.err));
  }
  *out = p;
  return OGRH_OK;
}

/* ---- the plan as JSON ---- */

/* Opens the object of a raid or an encounter with the fields both have. */
static void jw_item(ogrh_jw *w, int64_t index, const char *name, const char *display_name,
                    const char *unit, const char *path) {
  ogrh_jw_open(w, NULL, '{');
  ogrh_jw_int(w, "index", index);
  ogrh_jw_str(w, "name", name);
  ogrh_jw_str(w, "displayName", display_name);
  ogrh_jw_str(w, "unit", unit);
  ogrh_jw_str(w, "path", path);
}

static void jw_counts(ogrh_jw *w, size_t roles, size_t slots, size_t assigned) {
  ogrh_jw_int(w, "roleCount", (int64_t)roles);
  ogrh_jw_int(w, "slotCount", (int64_t)slots);
  ogrh_jw_int(w, "assignedCount", (int64_t)assigned);
}

/* A slot's mark (name and number, null when none) and assignment number. */
static void jw_mark(ogrh_jw *w, const char *mark_name, int64_t mark, const ogrh_value *number) {
  ogrh_jw_str(w, "mark", mark_name);
  if (mark)
    ogrh_jw_int(w, "markIndex", mark);
  else
    ogrh_jw_null(w, "markIndex");
  ogrh_jw_num(w, "number", number);
}

static void jw_role(ogrh_jw *w, const ogrh_plan_role *r, bool full) {
  ogrh_jw_open(w, NULL, '{');
  ogrh_jw_int(w, "index", r->index);
  if (r->role_id)
    ogrh_jw_int(w, "roleId", r->role_id);
  else
    ogrh_jw_null(w, "roleId");
  ogrh_jw_str(w, "name", r->name);
  ogrh_jw_str(w, "unit", r->unit);
  ogrh_jw_str(w, "path", r->path);
  if (r->column)
    ogrh_jw_int(w, "column", r->column);
  else
    ogrh_jw_null(w, "column");
  ogrh_jw_int(w, "slotCount", (int64_t)r->slot_count);
  ogrh_jw_int(w, "assignedCount", (int64_t)r->assigned_count);
  if (full) {
    ogrh_jw_open(w, "slots", '[');
    for (size_t i = 0; i < r->nslots; i++) {
      const ogrh_plan_slot *s = &r->slots[i];
      ogrh_jw_open(w, NULL, '{');
      ogrh_jw_int(w, "slot", s->slot);
      ogrh_jw_str(w, "player", s->player);
      jw_mark(w, s->mark_name, s->mark, &s->number);
      ogrh_jw_close(w, '}');
    }
    ogrh_jw_close(w, ']');
    ogrh_jw_open(w, "texts", '[');
    for (size_t i = 0; i < r->ntexts; i++)
      ogrh_jw_str(w, NULL, r->texts[i]);
    ogrh_jw_close(w, ']');
  }
  ogrh_jw_close(w, '}');
}

int ogrh_plan_json(const ogrh_plan *p, int indent, ogrh_buf *out) {
  ogrh_jw w;
  ogrh_jw_init(&w, out, indent);
  ogrh_jw_open(&w, NULL, '{');
  ogrh_jw_str(&w, "view", ogrh_plan_view_name(p->view));
  ogrh_jw_open(&w, "raids", '[');
  for (size_t i = 0; i < p->nraids; i++) {
    const ogrh_plan_raid *r = &p->raids[i];
    jw_item(&w, r->index, r->name, r->display_name, r->unit, r->path);
    ogrh_jw_int(&w, "encounterCount", (int64_t)r->encounter_count);
    jw_counts(&w, r->role_count, r->slot_count, r->assigned_count);
    ogrh_jw_open(&w, "encounters", '[');
    for (size_t j = 0; j < r->nencounters; j++) {
      const ogrh_plan_encounter *e = &r->encounters[j];
      jw_item(&w, e->index, e->name, e->display_name, e->unit, e->path);
      jw_counts(&w, e->role_count, e->slot_count, e->assigned_count);
      if (p->view != OGRH_PLAN_RAIDS) {
        ogrh_jw_open(&w, "roles", '[');
        for (size_t k = 0; k < e->nroles; k++)
          jw_role(&w, &e->roles[k], p->view == OGRH_PLAN_ENCOUNTER);
        ogrh_jw_close(&w, ']');
      }
      if (p->view == OGRH_PLAN_ENCOUNTER) {
        ogrh_jw_open(&w, "announcements", '[');
        for (size_t k = 0; k < e->nlines; k++) {
          ogrh_jw_open(&w, NULL, '{');
          ogrh_jw_int(&w, "line", e->lines[k].line);
          ogrh_jw_str(&w, "template", e->lines[k].template_text);
          ogrh_jw_str(&w, "text", e->lines[k].text);
          ogrh_jw_close(&w, '}');
        }
        ogrh_jw_close(&w, ']');
      }
      ogrh_jw_close(&w, '}');
    }
    ogrh_jw_close(&w, ']');
    ogrh_jw_close(&w, '}');
  }
  ogrh_jw_close(&w, ']');
  ogrh_jw_close(&w, '}');
  return ogrh_jw_error(&w);
}

/* ---- where a player is ---- */

void ogrh_slot_list_free(ogrh_slot_list *l) {
  if (l) ogrh_arena_free(l->arena);
}

/* Calls fn for every slot of raids (all, or one) whose player is exactly player. */
typedef void (*slot_fn)(void *ud, int64_t raid, int64_t enc, int64_t role, int64_t slot,
                        const ogrh_table *rt, const ogrh_table *et, const ogrh_table *ot);

static void pl_each_slot(const ogrh_table *raids, int64_t only, const char *player, size_t plen,
                         slot_fn fn, void *ud) {
  int64_t r, e, k;
  for (uint32_t i = 0; i < raids->n; i++) {
    const ogrh_table *rt = pl_entry(raids, i, &r);
    if (!rt || (only && r != only)) continue;
    const ogrh_table *encs = ogrh_raid_encounters(rt);
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      const ogrh_table *et = pl_entry(encs, j, &e);
      const ogrh_table *roles = et ? ogrh_table_child(et, "roles") : NULL;
      for (uint32_t m = 0; roles && m < roles->n; m++) {
        const ogrh_table *ot = pl_entry(roles, m, &k);
        const ogrh_table *ap = ot ? ogrh_table_child(ot, "assignedPlayers") : NULL;
        for (uint32_t s = 0; ap && s < ap->n; s++) {
          const ogrh_entry *en = &ap->e[s];
          if (en->key.type == OGRH_INT && en->val.type == OGRH_STRING && en->val.len == plen &&
              memcmp(en->val.u.s, player, plen) == 0)
            fn(ud, r, e, k, en->key.u.i, rt, et, ot);
        }
      }
    }
  }
}

static void count_slot(void *ud, int64_t raid, int64_t enc, int64_t role, int64_t slot,
                       const ogrh_table *rt, const ogrh_table *et, const ogrh_table *ot) {
  (void)raid, (void)enc, (void)role, (void)slot, (void)rt, (void)et, (void)ot;
  (*(size_t *)ud)++;
}

typedef struct fill_ctx {
  pb *b;
  ogrh_slot_list *l;
} fill_ctx;

static void fill_slot(void *ud, int64_t raid, int64_t enc, int64_t role, int64_t slot,
                      const ogrh_table *rt, const ogrh_table *et, const ogrh_table *ot) {
  fill_ctx *c = ud;
  pb *b = c->b;
  ogrh_slot_ref *s = &c->l->v[c->l->n++];
  s->raid = raid;
  s->encounter = enc;
  s->role = role;
  s->slot = slot;
  const char *nm;
  s->raid_name = (nm = pb_name(b, rt, "name")) ? nm : "";
  s->encounter_name = (nm = pb_name(b, et, "name")) ? nm : "";
  s->role_name = (nm = pb_name(b, ot, "name")) ? nm : "";
  ogrh_plan_slot ps;
  pb_slot(b, ot, slot, &ps);
  s->player = ps.player;
  s->mark = ps.mark;
  s->mark_name = ps.mark_name;
  s->number = ps.number;
  ogrh_name_unit(b->d, 3, raid, enc, role, &b->tmp);
  s->unit = pb_take(b);
  ogrh_buf_printf(&b->tmp,
                  "encounterMgmt.raids.%lld.encounters.%lld.roles.%lld.assignedPlayers.%lld",
                  (long long)raid, (long long)enc, (long long)role, (long long)slot);
  s->path = pb_take(b);
}

int ogrh_plan_where(ogrh_doc *d, const char *player, int64_t raid, ogrh_slot_list **out,
                    ogrh_err *err) {
  *out = NULL;
  if (!player || !*player) return ogrh_err_set(err, OGRH_EINVAL, "empty player name");
  const ogrh_table *raids = ogrh_doc_raids(d);
  if (!raids) return pl_no_raids(err);
  if (raid && !ogrh_doc_raid(d, raid))
    return ogrh_err_set(err, OGRH_ENOTFOUND, "no raid #%lld", (long long)raid);
  size_t plen = strlen(player), n = 0;
  pl_each_slot(raids, raid, player, plen, count_slot, &n);
  pb b;
  ogrh_slot_list *l = pb_begin(&b, d, sizeof *l);
  if (!l) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  l->arena = b.a;
  l->v = pb_array(&b, n, sizeof *l->v);
  if (l->v) {
    fill_ctx c = {&b, l};
    pl_each_slot(raids, raid, player, plen, fill_slot, &c);
  }
  ogrh_buf_deinit(&b.tmp);
  if (b.err) {
    ogrh_arena_free(b.a);
    return ogrh_err_set(err, b.err, "out of memory");
  }
  *out = l;
  return OGRH_OK;
}

bool ogrh_plan_similar_player(ogrh_doc *d, const char *player, ogrh_buf *out) {
  const ogrh_table *raids = ogrh_doc_raids(d);
  size_t plen = strlen(player);
  int64_t k;
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    const ogrh_table *encs = ogrh_raid_encounters(pl_entry(raids, i, &k));
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      const ogrh_table *roles = ogrh_table_child(pl_entry(encs, j, &k), "roles");
      for (uint32_t m = 0; roles && m < roles->n; m++) {
        const ogrh_table *ap = ogrh_table_child(pl_entry(roles, m, &k), "assignedPlayers");
        for (uint32_t s = 0; ap && s < ap->n; s++) {
          const ogrh_value *v = &ap->e[s].val;
          if (v->type == OGRH_STRING && v->len == plen && pl_caseless_eq(v->u.s, player, plen) &&
              memcmp(v->u.s, player, plen) != 0) {
            ogrh_buf_add(out, v->u.s, v->len);
            return true;
          }
        }
      }
    }
  }
  return false;
}

/* ---- replacing a player ---- */

int ogrh_plan_replace(ogrh_doc *d, const char *old_player, const char *new_player,
                      const ogrh_replace_opts *o, ogrh_slot_list **out, ogrh_err *err) {
  *out = NULL;
  if (!old_player || !*old_player || !new_player || !*new_player)
    return ogrh_err_set(err, OGRH_EINVAL, "replace needs two player names");
  if (strcmp(old_player, new_player) == 0)
    return ogrh_err_set(err, OGRH_EINVAL, "'%s' would replace itself", old_player);
  ogrh_slot_list *l;
  int rc = ogrh_plan_where(d, old_player, o ? o->raid : 0, &l, err);
  if (rc) return rc;
  if (o && o->dry_run) {
    *out = l;
    return OGRH_OK;
  }
  ogrh_value nv = ogrh_vcstr(new_player);
  const ogrh_sync_meta *meta = o ? o->meta : NULL;
  for (size_t i = 0; i < l->n; i++) {
    rc = ogrh_doc_set_path(d, l->v[i].path, &nv, meta, err);
    if (!rc) continue;
    /* Write the old player back where the new one went, newest first. */
    ogrh_value ov = ogrh_vcstr(old_player);
    while (i-- > 0)
      ogrh_doc_set_path(d, l->v[i].path, &ov, meta, NULL);
    ogrh_slot_list_free(l);
    return rc;
  }
  *out = l;
  return OGRH_OK;
}

/* ---- slot lists as JSON ---- */

static void jw_slots(ogrh_jw *w, const ogrh_slot_list *l) {
  ogrh_jw_int(w, "count", (int64_t)l->n);
  ogrh_jw_open(w, "slots", '[');
  for (size_t i = 0; i < l->n; i++) {
    const ogrh_slot_ref *s = &l->v[i];
    ogrh_jw_open(w, NULL, '{');
    ogrh_jw_str(w, "raid", s->raid_name);
    ogrh_jw_int(w, "raidIndex", s->raid);
    ogrh_jw_str(w, "encounter", s->encounter_name);
    ogrh_jw_int(w, "encounterIndex", s->encounter);
    ogrh_jw_str(w, "role", s->role_name);
    ogrh_jw_int(w, "roleIndex", s->role);
    ogrh_jw_int(w, "slot", s->slot);
    ogrh_jw_str(w, "unit", s->unit);
    ogrh_jw_str(w, "path", s->path);
    jw_mark(w, s->mark_name, s->mark, &s->number);
    ogrh_jw_close(w, '}');
  }
  ogrh_jw_close(w, ']');
}

int ogrh_slot_list_json(const ogrh_slot_list *l, const char *player, int indent, ogrh_buf *out) {
  ogrh_jw w;
  ogrh_jw_init(&w, out, indent);
  ogrh_jw_open(&w, NULL, '{');
  ogrh_jw_str(&w, "player", player);
  jw_slots(&w, l);
  ogrh_jw_close(&w, '}');
  return ogrh_jw_error(&w);
}

int ogrh_replace_json(const ogrh_slot_list *l, const char *old_player, const char *new_player,
                      bool dry_run, int indent, ogrh_buf *out) {
  ogrh_jw w;
  ogrh_jw_init(&w, out, indent);
  ogrh_jw_open(&w, NULL, '{');
  ogrh_jw_str(&w, "oldPlayer", old_player);
  ogrh_jw_str(&w, "newPlayer", new_player);
  ogrh_jw_bool(&w, "dryRun", dry_run);
  jw_slots(&w, l);
  ogrh_jw_close(&w, '}');
  return ogrh_jw_error(&w);
}
