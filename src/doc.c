/*
** doc.c
** The OGRH document: schema-root lookup, paths and their scopes, and the SVM write API that
** produces change records for subscribers (the digest tree, the sync node).
*/
#include "ogrh/doc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char ogrh__factory_defaults[];
extern const unsigned long ogrh__factory_defaults_len;

typedef struct sub {
  int token;
  ogrh_change_fn fn;
  void *ud;
} sub;

struct ogrh_doc {
  ogrh_svfile *f;
  uint64_t revision;
  sub *subs;
  size_t nsubs, capsubs;
  int next_token;
};

/* ---- names ---- */

static const char *const sync_names[] = {
#define OGRH__XX(id, name) name,
    OGRH_SYNC_LEVEL_MAP(OGRH__XX)
#undef OGRH__XX
};
enum { NSYNC = (int)(sizeof sync_names / sizeof sync_names[0]) };

const char *ogrh_sync_level_name(ogrh_sync_level l) {
  return (int)l >= 0 && (int)l < NSYNC ? sync_names[l] : sync_names[OGRH_SYNC_NONE];
}

int ogrh_sync_level_parse(const char *s, ogrh_sync_level *out) {
  for (int i = 0; i < NSYNC; i++) {
    size_t n = strlen(sync_names[i]);
    if (strlen(s) != n) continue;
    size_t k = 0;
    while (k < n && toupper((unsigned char)s[k]) == sync_names[i][k])
      k++;
    if (k == n) {
      *out = (ogrh_sync_level)i;
      return OGRH_OK;
    }
  }
  return OGRH_EINVAL;
}

/* ---- paths ---- */

static bool is_int_text(const char *s, size_t n) {
  size_t i = 0;
  if (n && s[0] == '-') i = 1;
  if (i == n || n - i > 18) return false;
  for (; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return false;
  return true;
}

int ogrh_path_parse(const char *s, ogrh_path *out, ogrh_err *err) {
  out->n = 0;
  size_t tn = 0;
  const char *p = s;
  if (!*p) return ogrh_err_set(err, OGRH_EPATH, "empty path");
  for (;;) {
    if (out->n == OGRH_PATH_MAX)
      return ogrh_err_set(err, OGRH_EPATH, "path has more than %d segments", OGRH_PATH_MAX);
    ogrh_value *seg = &out->seg[out->n];
    if (*p == '[') {
      const char *open = p++;
      while (*p == ' ')
        p++;
      if (*p == '"' || *p == '\'') {
        char q = *p++;
        char *d = out->text + tn;
        size_t n = 0;
        while (*p && *p != q) {
          char c = *p++;
          if (c == '\\' && *p) {
            c = *p++;
            if (c == 'n')
              c = '\n';
            else if (c == 't')
              c = '\t';
            else if (c == 'r')
              c = '\r';
            else if (isdigit((unsigned char)c)) {
              int v = c - '0', k = 1;
              while (k < 3 && isdigit((unsigned char)*p))
                v = v * 10 + (*p++ - '0'), k++;
              if (v > 255) return ogrh_err_set(err, OGRH_EPATH, "path: escape too large");
              c = (char)v;
            }
          }
          if (tn + n + 1 >= sizeof out->text) return ogrh_err_set(err, OGRH_EPATH, "path too long");
          d[n++] = c;
        }
        if (*p != q)
          return ogrh_err_set(err, OGRH_EPATH, "path: unterminated string in segment at column %d",
                              (int)(open - s) + 1);
        p++;
        d[n] = '\0';
        *seg = ogrh_vstr(d, n);
        tn += n + 1;
      } else {
        const char *b = p;
        while (*p && *p != ']' && *p != ' ')
          p++;
        if (!is_int_text(b, (size_t)(p - b)))
          return ogrh_err_set(err, OGRH_EPATH,
                              "path: a bracketed segment at column %d must be an integer or a "
                              "quoted string",
                              (int)(open - s) + 1);
        *seg = ogrh_vint(strtoll(b, NULL, 10));
      }
      while (*p == ' ')
        p++;
      if (*p != ']')
        return ogrh_err_set(err, OGRH_EPATH, "path: expected ']' at column %d", (int)(p - s) + 1);
      p++;
    } else {
      const char *b = p;
      while (*p && *p != '.' && *p != '[')
        p++;
      size_t n = (size_t)(p - b);
      if (n == 0)
        return ogrh_err_set(err, OGRH_EPATH, "path: empty segment at column %d", (int)(b - s) + 1);
      if (is_int_text(b, n)) {
        *seg = ogrh_vint(strtoll(b, NULL, 10));
      } else {
        if (tn + n + 1 >= sizeof out->text) return ogrh_err_set(err, OGRH_EPATH, "path too long");
        memcpy(out->text + tn, b, n);
        out->text[tn + n] = '\0';
        *seg = ogrh_vstr(out->text + tn, n);
        tn += n + 1;
      }
    }
    out->n++;
    if (!*p) break;
    if (*p == '.') {
      p++;
      if (!*p) return ogrh_err_set(err, OGRH_EPATH, "path: ends with '.'");
    } else if (*p != '[') {
      return ogrh_err_set(err, OGRH_EPATH, "path: unexpected '%c' at column %d", *p,
                          (int)(p - s) + 1);
    }
  }
  return OGRH_OK;
}

static bool plain_segment(const ogrh_value *v) {
  if (v->len == 0 || is_int_text(v->u.s, v->len)) return false;
  for (uint32_t i = 0; i < v->len; i++) {
    unsigned char c = (unsigned char)v->u.s[i];
    if (c == '.' || c == '[' || c == ']' || c <= ' ' || c >= 127 || c == '"' || c == '\\')
      return false;
  }
  return true;
}

int ogrh_path_format(const ogrh_path *p, size_t n, ogrh_buf *b) {
  int rc = OGRH_OK;
  for (size_t i = 0; i < n && i < p->n && !rc; i++) {
    const ogrh_value *s = &p->seg[i];
    if (s->type == OGRH_INT) {
      rc = ogrh_buf_printf(b, "%s%lld", i ? "." : "", (long long)s->u.i);
    } else if (plain_segment(s)) {
      if (i) rc = ogrh_buf_addc(b, '.');
      if (!rc) rc = ogrh_buf_add(b, s->u.s, s->len);
    } else {
      rc = ogrh_buf_addc(b, '[');
      if (!rc) rc = ogrh_write_lua_string(s->u.s, s->len, b);
      if (!rc) rc = ogrh_buf_addc(b, ']');
    }
  }
  return rc;
}

static bool seg_is(const ogrh_value *v, const ogrh_value *key) {
  return v->type == OGRH_STRING && v->len == key->len && memcmp(v->u.s, key->u.s, key->len) == 0;
}

void ogrh_path_scope(const ogrh_path *p, ogrh_scope *o) {
  memset(o, 0, sizeof *o);
  o->kind = OGRH_SCOPE_OTHER;
  if (p->n == 0) {
    o->kind = OGRH_SCOPE_ALL;
    return;
  }
  const ogrh_value *s = p->seg;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (seg_is(&s[0], ogrh_global_keyv(g))) {
      o->kind = OGRH_SCOPE_GLOBAL;
      o->global = g;
      return;
    }
  if (!seg_is(&s[0], OGRH_KEY(MGMT))) return;
  if (p->n == 1 || (p->n == 2 && seg_is(&s[1], OGRH_KEY(RAIDS)))) {
    o->kind = OGRH_SCOPE_ALL;
    return;
  }
  if (!seg_is(&s[1], OGRH_KEY(RAIDS)) || s[2].type != OGRH_INT) return;
  o->raid = s[2].u.i;
  o->kind = OGRH_SCOPE_RAID;
  if (p->n == 3 || (p->n == 4 && seg_is(&s[3], OGRH_KEY(ENCOUNTERS)))) {
    o->raid_meta = o->raid_all = true;
    return;
  }
  if (!seg_is(&s[3], OGRH_KEY(ENCOUNTERS))) {
    o->raid_meta = true;
    return;
  }
  if (s[4].type != OGRH_INT) {
    /* A non-integer key in the encounter list is not an encounter; count it as the list. */
    o->raid_meta = true;
    return;
  }
  o->kind = OGRH_SCOPE_ENCOUNTER;
  o->encounter = s[4].u.i;
  o->components = ogrh_component_mask_at(s + 5, p->n - 5);
  /* A whole encounter, or its name, is also part of its raid's encounter list. */
  if (p->n == 5 || seg_is(&s[5], OGRH_KEY(NAME))) o->raid_meta = true;
}

int ogrh_scope_format(const ogrh_scope *s, ogrh_buf *b) {
  switch (s->kind) {
  case OGRH_SCOPE_OTHER:
    return ogrh_buf_adds(b, "unsynced data");
  case OGRH_SCOPE_ALL:
    return ogrh_buf_adds(b, "whole document");
  case OGRH_SCOPE_GLOBAL:
    return ogrh_buf_printf(b, "global component '%s'", ogrh_global_name(s->global));
  case OGRH_SCOPE_RAID:
    return ogrh_buf_printf(b, "raid %lld (%s)", (long long)s->raid,
                           s->raid_all ? "whole raid" : "raid metadata");
  case OGRH_SCOPE_ENCOUNTER: {
    int rc = ogrh_buf_printf(b, "raid %lld > encounter %lld >", (long long)s->raid,
                             (long long)s->encounter);
    const char *sep = " ";
    for (int i = 0; i < OGRH_NCOMPONENTS && !rc; i++)
      if (s->components & (1u << i)) {
        rc = ogrh_buf_printf(b, "%s%s", sep, ogrh_component_name(i));
        sep = ", ";
      }
    return rc;
  }
  }
  return OGRH_EINVAL;
}

/* ---- document ---- */

int ogrh_doc_from_svfile(ogrh_svfile *f, ogrh_doc **out, ogrh_err *err) {
  *out = NULL;
  ogrh_doc *d = ogrh_malloc(sizeof *d);
  if (!d) {
    ogrh_svfile_free(f);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  memset(d, 0, sizeof *d);
  d->f = f;
  d->next_token = 1;
  *out = d;
  return OGRH_OK;
}

int ogrh_doc_load(const char *path, ogrh_doc **out, ogrh_err *err) {
  ogrh_svfile *f;
  *out = NULL;
  int rc = ogrh_svfile_load(path, &f, err);
  if (rc) return rc;
  return ogrh_doc_from_svfile(f, out, err);
}

int ogrh_doc_defaults(ogrh_doc **out, ogrh_err *err) {
  ogrh_svfile *f;
  *out = NULL;
  int rc = ogrh_svfile_parse((const char *)ogrh__factory_defaults,
                             (size_t)ogrh__factory_defaults_len, "factory-defaults.lua", &f, err);
  if (rc) return rc;
  return ogrh_doc_from_svfile(f, out, err);
}

void ogrh_doc_free(ogrh_doc *d) {
  if (!d) return;
  ogrh_svfile_free(d->f);
  ogrh_free(d->subs, d->capsubs * sizeof *d->subs);
  ogrh_free(d, sizeof *d);
}

int ogrh_doc_save(const ogrh_doc *d, const char *path, ogrh_err *err) {
  return ogrh_svfile_save(d->f, path, err);
}

ogrh_svfile *ogrh_doc_svfile(ogrh_doc *d) {
  return d->f;
}
ogrh_arena *ogrh_doc_arena(ogrh_doc *d) {
  return d->f->arena;
}
uint64_t ogrh_doc_revision(const ogrh_doc *d) {
  return d->revision;
}

static ogrh_value *sv_root(ogrh_svfile *f) {
  ogrh_value *sv = ogrh_svfile_get(f, "OGRH_SV");
  return sv && sv->type == OGRH_TABLE ? sv : NULL;
}

bool ogrh_doc_is_v2(const ogrh_doc *d) {
  ogrh_value *sv = sv_root(d->f);
  if (!sv) return true;
  const ogrh_value *ver = ogrh_table_gets(sv->u.t, "schemaVersion");
  return ver && ver->type == OGRH_STRING && ver->len == 2 && memcmp(ver->u.s, "v2", 2) == 0;
}

ogrh_value *ogrh_svfile_schema_root(const ogrh_svfile *f) {
  ogrh_value *sv = sv_root((ogrh_svfile *)f);
  if (!sv) return NULL;
  const ogrh_value *ver = ogrh_table_gets(sv->u.t, "schemaVersion");
  if (!(ver && ver->type == OGRH_STRING && ver->len == 2 && memcmp(ver->u.s, "v2", 2) == 0))
    return sv;
  ogrh_value *v2 = ogrh_table_gets(sv->u.t, "v2");
  return v2 && v2->type == OGRH_TABLE ? v2 : NULL;
}

ogrh_value *ogrh_doc_root(ogrh_doc *d) {
  return ogrh_svfile_schema_root(d->f);
}

/* Creates OGRH_SV (v2) and OGRH_SV.v2 when missing, as GetActiveSchema does before a write. */
static int ensure_root(ogrh_doc *d, ogrh_value **out) {
  ogrh_arena *a = d->f->arena;
  ogrh_value *sv = ogrh_svfile_get(d->f, "OGRH_SV");
  if (!sv || sv->type != OGRH_TABLE) {
    if (sv && sv->type != OGRH_NIL) return OGRH_ENOTTABLE;
    ogrh_table *t = ogrh_table_new(a, 2);
    if (!t) return OGRH_ENOMEM;
    ogrh_value k = ogrh_vcstr("schemaVersion"), v = ogrh_vcstr("v2");
    if (ogrh_table_set(a, t, &k, &v)) return OGRH_ENOMEM;
    ogrh_value tv = ogrh_vtable(t);
    if (ogrh_svfile_set(d->f, "OGRH_SV", &tv)) return OGRH_ENOMEM;
    sv = ogrh_svfile_get(d->f, "OGRH_SV");
  }
  if (!ogrh_doc_is_v2(d)) {
    *out = sv;
    return OGRH_OK;
  }
  ogrh_value *v2 = ogrh_table_gets(sv->u.t, "v2");
  if (!v2 || v2->type != OGRH_TABLE) {
    if (v2 && v2->type != OGRH_NIL) return OGRH_ENOTTABLE;
    ogrh_table *t = ogrh_table_new(a, 8);
    if (!t) return OGRH_ENOMEM;
    ogrh_value k = ogrh_vcstr("v2"), tv = ogrh_vtable(t);
    if (ogrh_table_set(a, sv->u.t, &k, &tv)) return OGRH_ENOMEM;
    v2 = ogrh_table_gets(sv->u.t, "v2");
  }
  *out = v2;
  return OGRH_OK;
}

ogrh_table *ogrh_doc_raids(ogrh_doc *d) {
  return ogrh_schema_raids(ogrh_doc_root(d));
}

ogrh_table *ogrh_doc_raid(ogrh_doc *d, int64_t raid) {
  const ogrh_value *v = ogrh_table_geti(ogrh_doc_raids(d), raid);
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

ogrh_table *ogrh_doc_encounter(ogrh_doc *d, int64_t raid, int64_t enc) {
  const ogrh_value *v = ogrh_table_geti(ogrh_raid_encounters(ogrh_doc_raid(d, raid)), enc);
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

int ogrh_doc_get_path(ogrh_doc *d, const ogrh_path *p, const ogrh_value **out) {
  *out = NULL;
  const ogrh_value *cur = ogrh_doc_root(d);
  if (!cur) return OGRH_ENOTFOUND;
  for (size_t i = 0; i < p->n; i++) {
    if (cur->type != OGRH_TABLE) return OGRH_ENOTFOUND;
    cur = ogrh_table_get(cur->u.t, &p->seg[i]);
    if (!cur) return OGRH_ENOTFOUND;
  }
  *out = cur;
  return OGRH_OK;
}

int ogrh_doc_get(ogrh_doc *d, const char *path, const ogrh_value **out, ogrh_err *err) {
  ogrh_path p;
  *out = NULL;
  int rc = ogrh_path_parse(path, &p, err);
  if (rc) return rc;
  rc = ogrh_doc_get_path(d, &p, out);
  if (rc) return ogrh_err_set(err, rc, "%s: not found", path);
  return OGRH_OK;
}

/*
** scope_len is the number of leading segments that decide the scope: the whole path, or only
** up to the first table SetPath had to create (creating roles[3] to hold an assignment also
** adds a role).
*/
static void notify(ogrh_doc *d, const ogrh_path *p, size_t scope_len, const ogrh_value *old,
                   const ogrh_value *nv, const ogrh_sync_meta *meta) {
  if (!d->nsubs) return;
  ogrh_buf text;
  ogrh_buf_init(&text);
  ogrh_path_format(p, p->n, &text);
  ogrh_change c;
  c.path = p;
  c.path_text = text.p ? text.p : "";
  c.old_value = old;
  c.new_value = nv;
  c.meta = meta;
  c.revision = d->revision;
  ogrh_path sp = *p;
  sp.n = scope_len < p->n ? scope_len : p->n;
  ogrh_path_scope(&sp, &c.scope);
  for (size_t i = 0; i < d->nsubs; i++)
    d->subs[i].fn(d->subs[i].ud, &c);
  ogrh_buf_deinit(&text);
}

/* Copies a path segment key into the arena (string bytes must outlive the path). */
static int own_key(ogrh_arena *a, const ogrh_value *k, ogrh_value *out) {
  return ogrh_value_copy(a, k, out);
}

int ogrh_doc_set_parsed(ogrh_doc *d, const ogrh_path *p, const ogrh_value *v,
                        const ogrh_sync_meta *meta, ogrh_err *err) {
  if (p->n == 0) return ogrh_err_set(err, OGRH_EPATH, "empty path");
  ogrh_arena *a = d->f->arena;
  ogrh_value *root;
  /* Validate: walk as far as the path exists; every existing intermediate must be a table. */
  ogrh_value *cur = ogrh_doc_root(d);
  size_t k = 0; /* segments [0,k) exist as tables */
  if (cur) {
    for (; k + 1 < p->n; k++) {
      ogrh_value *next = ogrh_table_get(cur->u.t, &p->seg[k]);
      if (!next) break;
      if (next->type != OGRH_TABLE) {
        ogrh_buf b;
        ogrh_buf_init(&b);
        ogrh_path_format(p, k + 1, &b);
        int rc =
            ogrh_err_set(err, OGRH_ENOTTABLE, "cannot walk through '%s': it is a %s, not a table",
                         b.p ? b.p : "", ogrh_type_name(next->type));
        ogrh_buf_deinit(&b);
        return rc;
      }
      cur = next;
    }
  }
  /* Deleting something that does not exist changes nothing and creates nothing. */
  if (v->type == OGRH_NIL && (!cur || k + 1 < p->n)) return OGRH_OK;
  if (v->type == OGRH_NIL && !ogrh_table_get(cur->u.t, &p->seg[p->n - 1])) return OGRH_OK;
  if (!cur) {
    int rc = ensure_root(d, &root);
    if (rc)
      return ogrh_err_set(err, rc, "cannot create the OGRH_SV schema root: %s", ogrh_strerror(rc));
    cur = root;
    k = 0;
    for (; k + 1 < p->n; k++) {
      ogrh_value *next = ogrh_table_get(cur->u.t, &p->seg[k]);
      if (!next) break;
      cur = next;
    }
  }
  /* Old value, for subscribers, copied aside before anything changes. */
  ogrh_arena *scratch = NULL;
  ogrh_value old = ogrh_vnil();
  if (d->nsubs) {
    const ogrh_value *o = NULL;
    ogrh_doc_get_path(d, p, &o);
    scratch = ogrh_arena_new();
    if (!scratch || (o && ogrh_value_copy(scratch, o, &old))) {
      ogrh_arena_free(scratch);
      return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
    }
  }
  /* Build the new subtree aside, then attach it with one table update. */
  ogrh_value inner, key;
  int rc = ogrh_value_copy(a, v, &inner);
  for (size_t i = p->n - 1; !rc && i > k; i--) {
    ogrh_table *t = ogrh_table_new(a, 1);
    if (!t) {
      rc = OGRH_ENOMEM;
      break;
    }
    if ((rc = own_key(a, &p->seg[i], &key))) break;
    if ((rc = ogrh_table_set(a, t, &key, &inner))) break;
    inner = ogrh_vtable(t);
  }
  if (!rc) rc = own_key(a, &p->seg[k], &key);
  if (!rc) rc = ogrh_table_set(a, cur->u.t, &key, &inner);
  if (rc) {
    ogrh_arena_free(scratch);
    return ogrh_err_set(err, rc, "write failed: %s", ogrh_strerror(rc));
  }
  d->revision++;
  if (d->nsubs) {
    const ogrh_value *nv = NULL;
    ogrh_value nil = ogrh_vnil();
    ogrh_doc_get_path(d, p, &nv);
    notify(d, p, k + 1, &old, nv ? nv : &nil, meta);
  }
  ogrh_arena_free(scratch);
  return OGRH_OK;
}

int ogrh_doc_set_path(ogrh_doc *d, const char *path, const ogrh_value *v,
                      const ogrh_sync_meta *meta, ogrh_err *err) {
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  if (rc) return rc;
  return ogrh_doc_set_parsed(d, &p, v, meta, err);
}

int ogrh_doc_set(ogrh_doc *d, const char *key, const char *subkey, const ogrh_value *v,
                 const ogrh_sync_meta *meta, ogrh_err *err) {
  if (!key || !*key) return ogrh_err_set(err, OGRH_EINVAL, "Set needs a key");
  ogrh_path p;
  memset(&p, 0, sizeof p);
  size_t kl = strlen(key), sl = subkey ? strlen(subkey) : 0;
  if (kl + sl + 2 > sizeof p.text) return ogrh_err_set(err, OGRH_EINVAL, "key too long");
  memcpy(p.text, key, kl + 1);
  p.seg[0] = ogrh_vstr(p.text, kl);
  p.n = 1;
  if (subkey) {
    memcpy(p.text + kl + 1, subkey, sl + 1);
    p.seg[1] = is_int_text(subkey, sl) ? ogrh_vint(strtoll(subkey, NULL, 10))
                                       : ogrh_vstr(p.text + kl + 1, sl);
    p.n = 2;
  }
  return ogrh_doc_set_parsed(d, &p, v, meta, err);
}

int ogrh_doc_delete(ogrh_doc *d, const char *path, const ogrh_sync_meta *meta, ogrh_err *err) {
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  if (rc) return rc;
  const ogrh_value *cur;
  if (ogrh_doc_get_path(d, &p, &cur))
    return ogrh_err_set(err, OGRH_ENOTFOUND, "%s: not found", path);
  ogrh_value nil = ogrh_vnil();
  return ogrh_doc_set_parsed(d, &p, &nil, meta, err);
}

int ogrh_doc_replace_root(ogrh_doc *d, const ogrh_value *v, const ogrh_sync_meta *meta) {
  if (v->type != OGRH_TABLE) return OGRH_ETYPE;
  ogrh_value *root;
  int rc = ensure_root(d, &root);
  if (rc) return rc;
  ogrh_value copy;
  if ((rc = ogrh_value_copy(d->f->arena, v, &copy))) return rc;
  ogrh_value old = *root;
  *root = copy;
  d->revision++;
  ogrh_path empty;
  empty.n = 0;
  notify(d, &empty, 0, &old, root, meta);
  return OGRH_OK;
}

int ogrh_doc_subscribe(ogrh_doc *d, ogrh_change_fn fn, void *ud) {
  if (d->nsubs == d->capsubs) {
    size_t cap = d->capsubs ? d->capsubs * 2 : 4;
    sub *s = ogrh_realloc(d->subs, d->capsubs * sizeof *s, cap * sizeof *s);
    if (!s) return OGRH_ENOMEM;
    d->subs = s;
    d->capsubs = cap;
  }
  d->subs[d->nsubs].token = d->next_token;
  d->subs[d->nsubs].fn = fn;
  d->subs[d->nsubs].ud = ud;
  d->nsubs++;
  return d->next_token++;
}

void ogrh_doc_unsubscribe(ogrh_doc *d, int token) {
  for (size_t i = 0; i < d->nsubs; i++)
    if (d->subs[i].token == token) {
      memmove(&d->subs[i], &d->subs[i + 1], (d->nsubs - i - 1) * sizeof *d->subs);
      d->nsubs--;
      return;
    }
}

void ogrh_doc_stats_get(ogrh_doc *d, ogrh_doc_stats *st) {
  memset(st, 0, sizeof *st);
  ogrh_table *raids = ogrh_doc_raids(d);
  if (!raids) return;
  for (uint32_t r = 0; r < raids->n; r++) {
    if (!ogrh_is_item(&raids->e[r])) continue;
    st->raids++;
    ogrh_table *encs = ogrh_raid_encounters(raids->e[r].val.u.t);
    for (uint32_t e = 0; encs && e < encs->n; e++) {
      if (!ogrh_is_item(&encs->e[e])) continue;
      st->encounters++;
      ogrh_table *roles = ogrh_table_child(encs->e[e].val.u.t, "roles");
      for (uint32_t k = 0; roles && k < roles->n; k++) {
        if (roles->e[k].val.type != OGRH_TABLE) continue;
        st->roles++;
        const ogrh_value *slots = ogrh_table_gets(roles->e[k].val.u.t, "slots");
        if (slots && slots->type == OGRH_INT && slots->u.i > 0) st->slots += (size_t)slots->u.i;
        ogrh_table *ap = ogrh_table_child(roles->e[k].val.u.t, "assignedPlayers");
        if (ap) st->assigned += ap->n;
      }
    }
  }
}
