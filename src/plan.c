/*
** plan.c
** The plan as a player reads it: roles with their slots, raid marks by name, and announcement
** lines with their tags filled in the way the addon's ReplaceTags does.
*/
#include "ogrh/plan.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const marks[] = {"Star", "Circle", "Diamond", "Triangle",
                                    "Moon", "Square", "Cross",   "Skull"};

const char *ogrh_mark_name(int64_t mark) {
  return mark >= 1 && mark <= 8 ? marks[mark - 1] : NULL;
}

/* ---- reading the encounter ---- */

static const ogrh_table *sub_table(const ogrh_table *t, const char *key) {
  const ogrh_value *v = t ? ogrh_table_gets(t, key) : NULL;
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

static const ogrh_value *at(const ogrh_table *t, int64_t i) {
  return t ? ogrh_table_geti(t, i) : NULL;
}

static bool int_of(const ogrh_value *v, int64_t *out) {
  if (v && v->type == OGRH_INT) {
    *out = v->u.i;
    return true;
  }
  if (v && v->type == OGRH_DOUBLE && v->u.d == (double)(int64_t)v->u.d) {
    *out = (int64_t)v->u.d;
    return true;
  }
  return false;
}

/* Role n of the tags: the role whose roleId is n, else the n-th one. */
static const ogrh_table *tag_role(const ogrh_table *enc, int64_t n) {
  const ogrh_table *roles = sub_table(enc, "roles");
  for (uint32_t i = 0; roles && i < roles->n; i++) {
    int64_t id;
    if (roles->e[i].val.type == OGRH_TABLE &&
        int_of(ogrh_table_gets(roles->e[i].val.u.t, "roleId"), &id) && id == n)
      return roles->e[i].val.u.t;
  }
  const ogrh_value *r = at(roles, n);
  return r && r->type == OGRH_TABLE ? r->u.t : NULL;
}

static const ogrh_value *player_at(const ogrh_table *role, int64_t slot) {
  const ogrh_value *p = at(sub_table(role, "assignedPlayers"), slot);
  return p && p->type == OGRH_STRING && p->len ? p : NULL;
}

static int64_t number_at(const ogrh_table *t, const char *key, int64_t slot) {
  int64_t v;
  return int_of(at(sub_table(t, key), slot), &v) ? v : 0;
}

/* ---- tags ---- */

typedef enum {
  T_TITLE,
  T_ALL,
  T_ALL_NUM,
  T_PLAYER,
  T_MARK,
  T_NUMBER,
  T_WITH_NUMBER,
  T_CONSUME
} kind;

typedef struct tag {
  kind k;
  int64_t role, arg;
  size_t len; /* bytes of the tag text */
} tag;

static size_t digits(const char *s, size_t n, int64_t *v) {
  size_t i = 0;
  *v = 0;
  while (i < n && i < 9 && s[i] >= '0' && s[i] <= '9')
    *v = *v * 10 + (s[i++] - '0');
  return i;
}

/* Recognises a tag at s ("[R1.P2]"); false when s does not start one. */
static bool parse_tag(const char *s, size_t n, tag *t) {
  if (n < 6 || s[0] != '[' || s[1] != 'R') return false;
  size_t i = 2, k = digits(s + i, n - i, &t->role);
  if (!k || (i += k) >= n || s[i++] != '.' || i >= n) return false;
  char c = s[i++];
  t->arg = 0;
  if (c == 'T') {
    t->k = T_TITLE;
  } else if (c == 'P' && i < n && s[i] == 'A') {
    t->k = T_ALL_NUM;
    i++;
  } else if (c == 'P' || c == 'M' || c == 'A' || c == 'C') {
    bool eq = c == 'A' && i < n && s[i] == '=';
    if (eq) i++;
    k = digits(s + i, n - i, &t->arg);
    if (!k && (c != 'P' || eq)) return false;
    i += k;
    t->k = c == 'P'   ? (k ? T_PLAYER : T_ALL)
           : c == 'M' ? T_MARK
           : c == 'C' ? T_CONSUME
           : eq       ? T_WITH_NUMBER
                      : T_NUMBER;
  } else {
    return false;
  }
  if (i >= n || s[i] != ']') return false;
  t->len = i + 1;
  return true;
}

/* The value of a tag (appended to out when not NULL); false when it has none. */
static bool resolve(const ogrh_table *enc, const tag *t, ogrh_buf *out) {
  const ogrh_table *role = tag_role(enc, t->role);
  if (!role) return false;
  const ogrh_table *players = sub_table(role, "assignedPlayers");
  bool any = false;
  switch (t->k) {
  case T_TITLE: {
    const ogrh_value *nm = ogrh_table_gets(role, "name");
    if (out) {
      if (nm && nm->type == OGRH_STRING)
        ogrh_buf_add(out, nm->u.s, nm->len);
      else
        ogrh_buf_adds(out, "Unknown");
    }
    return true;
  }
  case T_ALL:
  case T_ALL_NUM:
  case T_WITH_NUMBER:
    for (uint32_t i = 0; players && i < players->n; i++) {
      const ogrh_entry *e = &players->e[i];
      if (e->key.type != OGRH_INT || e->val.type != OGRH_STRING || !e->val.len) continue;
      int64_t num = number_at(role, "assignmentNumbers", e->key.u.i);
      if (t->k == T_WITH_NUMBER && num != t->arg) continue;
      if (out) {
        if (any) ogrh_buf_addc(out, ' ');
        ogrh_buf_add(out, e->val.u.s, e->val.len);
        if (t->k == T_ALL_NUM && num) ogrh_buf_printf(out, " (%lld)", (long long)num);
      }
      any = true;
    }
    return any;
  case T_PLAYER: {
    const ogrh_value *p = player_at(role, t->arg);
    if (p && out) ogrh_buf_add(out, p->u.s, p->len);
    return p != NULL;
  }
  case T_MARK: {
    const char *m = ogrh_mark_name(number_at(role, "raidMarks", t->arg));
    if (m && out) ogrh_buf_printf(out, "(%s)", m);
    return m != NULL;
  }
  case T_NUMBER: {
    int64_t num = number_at(role, "assignmentNumbers", t->arg);
    if (num && out) ogrh_buf_printf(out, "%lld", (long long)num);
    return num != 0;
  }
  case T_CONSUME: {
    const ogrh_value *check = ogrh_table_gets(role, "isConsumeCheck");
    const ogrh_value *c = at(sub_table(role, "consumes"), t->arg);
    if (!check || (check->type == OGRH_BOOL && !check->b) || !c || c->type != OGRH_TABLE)
      return false;
    const ogrh_value *pn = ogrh_table_gets(c->u.t, "primaryName");
    const ogrh_value *sn = ogrh_table_gets(c->u.t, "secondaryName");
    const ogrh_value *alt = ogrh_table_gets(c->u.t, "allowAlternate");
    if (!pn || pn->type != OGRH_STRING || !pn->len) return false;
    if (out) {
      ogrh_buf_add(out, pn->u.s, pn->len);
      if (alt && !(alt->type == OGRH_BOOL && !alt->b) && sn && sn->type == OGRH_STRING && sn->len) {
        ogrh_buf_adds(out, " / ");
        ogrh_buf_add(out, sn->u.s, sn->len);
      }
    }
    return true;
  }
  }
  return false;
}

/* The first bracketed block (matching brackets, left to right) whose text holds a tag. */
static bool find_block(const char *s, size_t n, size_t *start, size_t *end) {
  for (size_t open = 0; open < n; open++) {
    if (s[open] != '[') continue;
    size_t depth = 0, close = open + 1;
    for (; close < n; close++) {
      if (s[close] == '[')
        depth++;
      else if (s[close] == ']' && depth-- == 0)
        break;
    }
    if (close >= n) continue;
    tag t;
    for (size_t k = open + 1; k < close; k++)
      if (parse_tag(s + k, close - k, &t)) {
        *start = open;
        *end = close;
        return true;
      }
  }
  return false;
}

/* One pass of the addon's ProcessConditionals: rewrites the first block into out. */
static void one_block(const ogrh_table *enc, const char *s, size_t n, size_t start, size_t end,
                      ogrh_buf *out) {
  const char *c = s + start + 1;
  size_t cn = end - start - 1;
  bool all = cn && c[0] == '&';
  if (all) c++, cn--;
  bool show = all;
  for (size_t k = 0; k < cn; k++) {
    tag t;
    if (!parse_tag(c + k, cn - k, &t)) continue;
    bool valid = resolve(enc, &t, NULL);
    if (all && !valid) show = false;
    if (!all && valid) show = true;
    k += t.len - 1;
  }
  ogrh_buf_add(out, s, start);
  for (size_t k = 0; show && k < cn; k++) {
    tag t;
    if (!all && parse_tag(c + k, cn - k, &t)) {
      /* An OR block keeps its valid tags and drops the others. */
      if (resolve(enc, &t, NULL)) ogrh_buf_add(out, c + k, t.len);
      k += t.len - 1;
      continue;
    }
    ogrh_buf_addc(out, c[k]);
  }
  ogrh_buf_add(out, s + end + 1, n - end - 1);
}

int ogrh_announce_fill(const ogrh_table *enc, const char *line, size_t n, ogrh_buf *out) {
  ogrh_buf cur, next;
  ogrh_buf_init(&cur);
  ogrh_buf_init(&next);
  ogrh_buf_add(&cur, line, n);
  /* The addon gives up after 100 blocks; so do we. */
  size_t start, end;
  for (int i = 0; i < 100 && !ogrh_buf_error(&cur) && find_block(cur.p, cur.n, &start, &end); i++) {
    ogrh_buf_reset(&next);
    one_block(enc, cur.p, cur.n, start, end, &next);
    ogrh_buf tmp = cur;
    cur = next;
    next = tmp;
  }
  for (size_t k = 0; k < cur.n && !ogrh_buf_error(&cur); k++) {
    tag t;
    if (parse_tag(cur.p + k, cur.n - k, &t)) {
      resolve(enc, &t, out);
      k += t.len - 1;
    } else {
      ogrh_buf_addc(out, cur.p[k]);
    }
  }
  int rc = ogrh_buf_error(&cur) ? ogrh_buf_error(&cur) : ogrh_buf_error(&next);
  ogrh_buf_deinit(&cur);
  ogrh_buf_deinit(&next);
  if (!out->p && !rc) rc = ogrh_buf_adds(out, "");
  return rc ? rc : ogrh_buf_error(out);
}

/* ---- finding units by name ---- */

static json_t *str_json(const ogrh_value *v) {
  if (!v || v->type != OGRH_STRING) return json_null();
  json_t *s = json_stringn(v->u.s, v->len);
  return s ? s : json_null();
}

static bool name_is(const ogrh_table *t, const char *name, size_t n, const char *key) {
  const ogrh_value *v = ogrh_table_gets(t, key);
  return v && v->type == OGRH_STRING && v->len == n && memcmp(v->u.s, name, n) == 0;
}

/* The 1-based index of the entry of list whose name (else displayName, else index) is name. */
static int find_in(const ogrh_table *list, const char *what, const char *name, size_t n,
                   int64_t *out, ogrh_err *err) {
  static const char *const keys[] = {"name", "displayName"};
  for (int k = 0; k < 2; k++) {
    int64_t found = 0, count = 0;
    for (uint32_t i = 0; list && i < list->n; i++)
      if (list->e[i].key.type == OGRH_INT && list->e[i].val.type == OGRH_TABLE &&
          name_is(list->e[i].val.u.t, name, n, keys[k])) {
        found = list->e[i].key.u.i;
        count++;
      }
    if (count == 1) {
      *out = found;
      return OGRH_OK;
    }
    if (count > 1)
      return ogrh_err_set(err, OGRH_ENOTFOUND, "%zu %ss are named '%.*s': use the index",
                          (size_t)count, what, (int)n, name);
  }
  int64_t idx;
  char *end;
  char num[24];
  if (n < sizeof num) {
    memcpy(num, name, n);
    num[n] = '\0';
    idx = strtoll(num, &end, 10);
    if (n && *end == '\0' && at(list, idx) && at(list, idx)->type == OGRH_TABLE) {
      *out = idx;
      return OGRH_OK;
    }
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  for (uint32_t i = 0; list && i < list->n && b.n < 300; i++) {
    const ogrh_value *nm =
        list->e[i].val.type == OGRH_TABLE ? ogrh_table_gets(list->e[i].val.u.t, "name") : NULL;
    if (nm && nm->type == OGRH_STRING)
      ogrh_buf_printf(&b, "%s'%.*s'", b.n ? ", " : "", (int)nm->len, nm->u.s);
  }
  int rc = ogrh_err_set(err, OGRH_ENOTFOUND, "no %s named '%.*s' (there are: %s)", what, (int)n,
                        name, b.p ? b.p : "none");
  ogrh_buf_deinit(&b);
  return rc;
}

int ogrh_plan_find(ogrh_doc *d, const char *unit, int64_t *raid, int64_t *enc, ogrh_err *err) {
  *raid = *enc = 0;
  const char *slash = strchr(unit, '/');
  size_t rl = slash ? (size_t)(slash - unit) : strlen(unit);
  int rc = find_in(ogrh_doc_raids(d), "raid", unit, rl, raid, err);
  if (rc || !slash) return rc;
  return find_in(sub_table(ogrh_doc_raid(d, *raid), "encounters"), "encounter", slash + 1,
                 strlen(slash + 1), enc, err);
}

/* ---- JSON ---- */

typedef struct fill {
  int64_t slots, assigned;
} fill;

static json_t *role_json(const ogrh_table *role, int64_t index, fill *f) {
  json_t *o = json_object();
  int64_t id, nslots = 0, column;
  json_object_set_new(o, "index", json_integer(index));
  if (int_of(ogrh_table_gets(role, "roleId"), &id))
    json_object_set_new(o, "roleId", json_integer(id));
  json_object_set_new(o, "name", str_json(ogrh_table_gets(role, "name")));
  if (int_of(ogrh_table_gets(role, "column"), &column))
    json_object_set_new(o, "column", json_integer(column));
  int_of(ogrh_table_gets(role, "slots"), &nslots);
  /* Slots beyond the declared count that hold something are shown too. */
  static const char *const per_slot[] = {"assignedPlayers", "raidMarks", "assignmentNumbers"};
  for (int k = 0; k < 3; k++) {
    const ogrh_table *t = sub_table(role, per_slot[k]);
    for (uint32_t i = 0; t && i < t->n; i++)
      if (t->e[i].key.type == OGRH_INT && t->e[i].key.u.i > nslots && t->e[i].key.u.i <= 1000)
        nslots = t->e[i].key.u.i;
  }
  json_t *slots = json_array();
  for (int64_t s = 1; s <= nslots && nslots <= 1000; s++) {
    const ogrh_value *p = player_at(role, s);
    int64_t mark = number_at(role, "raidMarks", s), num = number_at(role, "assignmentNumbers", s);
    json_t *so = json_pack("{s:I, s:o}", "slot", (json_int_t)s, "player", str_json(p));
    if (mark) {
      json_object_set_new(so, "mark", json_integer(mark));
      if (ogrh_mark_name(mark))
        json_object_set_new(so, "markName", json_string(ogrh_mark_name(mark)));
    }
    if (num) json_object_set_new(so, "number", json_integer(num));
    json_array_append_new(slots, so);
    f->slots++;
    if (p) f->assigned++;
  }
  json_object_set_new(o, "slots", slots);
  return o;
}

static json_t *encounter_json(const ogrh_table *enc, int64_t index, bool detail) {
  json_t *o = json_object();
  json_object_set_new(o, "index", json_integer(index));
  json_object_set_new(o, "name", str_json(ogrh_table_gets(enc, "name")));
  const ogrh_value *dn = ogrh_table_gets(enc, "displayName");
  if (dn && dn->type == OGRH_STRING) json_object_set_new(o, "displayName", str_json(dn));
  fill f = {0, 0};
  json_t *roles = json_array();
  const ogrh_table *rt = sub_table(enc, "roles");
  for (uint32_t i = 0; rt && i < rt->n; i++)
    if (rt->e[i].key.type == OGRH_INT && rt->e[i].val.type == OGRH_TABLE)
      json_array_append_new(roles, role_json(rt->e[i].val.u.t, rt->e[i].key.u.i, &f));
  json_object_set_new(o, "slots", json_integer(f.slots));
  json_object_set_new(o, "assigned", json_integer(f.assigned));
  if (!detail) {
    json_decref(roles);
    return o;
  }
  json_object_set_new(o, "roles", roles);
  json_t *ann = json_array();
  const ogrh_table *at_ = sub_table(enc, "announcements");
  ogrh_buf b;
  ogrh_buf_init(&b);
  for (uint32_t i = 0; at_ && i < at_->n; i++) {
    const ogrh_value *line = &at_->e[i].val;
    if (at_->e[i].key.type != OGRH_INT || line->type != OGRH_STRING) continue;
    ogrh_buf_reset(&b);
    ogrh_announce_fill(enc, line->u.s, line->len, &b);
    json_array_append_new(ann, json_pack("{s:I, s:o, s:s%}", "line", (json_int_t)at_->e[i].key.u.i,
                                         "template", str_json(line), "text", b.p ? b.p : "", b.n));
  }
  ogrh_buf_deinit(&b);
  json_object_set_new(o, "announcements", ann);
  return o;
}

static json_t *raid_json(const ogrh_table *raid, int64_t index, int64_t only_enc, bool detail) {
  json_t *o = json_object();
  json_object_set_new(o, "index", json_integer(index));
  json_object_set_new(o, "name", str_json(ogrh_table_gets(raid, "name")));
  const ogrh_value *dn = ogrh_table_gets(raid, "displayName");
  if (dn && dn->type == OGRH_STRING) json_object_set_new(o, "displayName", str_json(dn));
  json_t *encs = json_array();
  const ogrh_table *et = sub_table(raid, "encounters");
  for (uint32_t i = 0; et && i < et->n; i++) {
    const ogrh_entry *e = &et->e[i];
    if (e->key.type != OGRH_INT || e->val.type != OGRH_TABLE) continue;
    if (only_enc && e->key.u.i != only_enc) continue;
    json_array_append_new(encs, encounter_json(e->val.u.t, e->key.u.i, detail));
  }
  json_object_set_new(o, "encounters", encs);
  return o;
}

int ogrh_plan_json(ogrh_doc *d, const char *unit, int indent, ogrh_buf *out, ogrh_err *err) {
  int64_t raid = 0, enc = 0;
  if (unit && *unit) {
    int rc = ogrh_plan_find(d, unit, &raid, &enc, err);
    if (rc) return rc;
  }
  json_t *root = json_object(), *raids = json_array();
  const ogrh_table *rt = ogrh_doc_raids(d);
  for (uint32_t i = 0; rt && i < rt->n; i++) {
    const ogrh_entry *e = &rt->e[i];
    if (e->key.type != OGRH_INT || e->val.type != OGRH_TABLE) continue;
    if (raid && e->key.u.i != raid) continue;
    json_array_append_new(raids, raid_json(e->val.u.t, e->key.u.i, enc, raid != 0));
  }
  json_object_set_new(root, "unit", unit && *unit ? json_string(unit) : json_null());
  json_object_set_new(root, "raids", raids);
  size_t flags = JSON_PRESERVE_ORDER | (indent ? JSON_INDENT(indent) : JSON_COMPACT);
  char *text = json_dumps(root, flags);
  json_decref(root);
  if (!text) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  int rc = ogrh_buf_adds(out, text);
  free(text);
  return rc;
}
