/*
** doc.c
** The OGRH document: schema-root lookup, paths and their scopes, and the SVM write API that
** produces change records for subscribers (the digest tree, the sync node).
*/
#include "ogrh/doc.h"
#include "ogrh/util.h"

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
  uint64_t generation; /* bumped when values move (compaction) */
  size_t live;         /* the arena's size after the load or the last compaction */
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
  d->live = ogrh_arena_size(f->arena);
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
uint64_t ogrh_doc_generation(const ogrh_doc *d) {
  return d->generation;
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

/*
** Writing when the file has no schema root yet: GetActiveSchema creates OGRH_SV (v2) and
** OGRH_SV.v2 before a write. root_missing says whether that is needed and whether it is
** possible (an OGRH_SV or v2 that is something else than a table blocks it); attach_root then
** hangs a new root table in with one change, once everything else is ready.
*/
static int root_missing(ogrh_doc *d, bool *missing) {
  *missing = false;
  if (ogrh_doc_root(d)) return OGRH_OK;
  ogrh_value *sv = ogrh_svfile_get(d->f, "OGRH_SV");
  if (sv && sv->type != OGRH_TABLE && sv->type != OGRH_NIL) return OGRH_ENOTTABLE;
  if (sv && sv->type == OGRH_TABLE) {
    const ogrh_value *v2 = ogrh_table_gets(sv->u.t, "v2");
    if (v2 && v2->type != OGRH_TABLE) return OGRH_ENOTTABLE;
  }
  *missing = true;
  return OGRH_OK;
}

static int attach_root(ogrh_doc *d, ogrh_table *root) {
  ogrh_arena *a = d->f->arena;
  ogrh_value rv = ogrh_vtable(root), k = ogrh_vcstr("v2");
  ogrh_value *sv = ogrh_svfile_get(d->f, "OGRH_SV");
  if (sv && sv->type == OGRH_TABLE) return ogrh_table_set(a, sv->u.t, &k, &rv);
  ogrh_table *t = ogrh_table_new(a, 2);
  if (!t) return OGRH_ENOMEM;
  ogrh_value vk = ogrh_vcstr("schemaVersion"), vv = ogrh_vcstr("v2");
  if (ogrh_table_set(a, t, &vk, &vv) || ogrh_table_set(a, t, &k, &rv)) return OGRH_ENOMEM;
  ogrh_value tv = ogrh_vtable(t);
  return ogrh_svfile_set(d->f, "OGRH_SV", &tv);
}

/* How many tables enclose the schema root's values: OGRH_SV and v2, or OGRH_SV alone (v1). */
static size_t root_depth(const ogrh_doc *d) {
  return ogrh_doc_is_v2(d) ? 2 : 1;
}

/*
** The depth rule (ogrh/value.h) for a value about to be written under `containers` tables:
** checked before anything changes, so no write can make a file that no reader accepts.
*/
static int check_depth(const ogrh_value *v, size_t containers, ogrh_err *err) {
  if (containers <= OGRH_MAX_DEPTH && ogrh_value_depth_within(v, OGRH_MAX_DEPTH - containers))
    return OGRH_OK;
  return ogrh_err_set(err, OGRH_EDEPTH,
                      "the value would nest tables deeper than the limit of %d (it sits inside "
                      "%zu tables of the file)",
                      OGRH_MAX_DEPTH, containers);
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
** What subscribers are told, prepared before the write so that telling them cannot fail:
** the path's text and a copy of the old value. Nothing is prepared when no one listens.
*/
typedef struct notice {
  ogrh_buf text;
  ogrh_arena *scratch;
  ogrh_value old;
} notice;

static int notice_prepare(ogrh_doc *d, const ogrh_path *p, const ogrh_value *old, notice *nt) {
  ogrh_buf_init(&nt->text);
  nt->scratch = NULL;
  nt->old = ogrh_vnil();
  if (!d->nsubs) return OGRH_OK;
  ogrh_path_format(p, p->n, &nt->text);
  ogrh_buf_addc(&nt->text, '\0');
  if (ogrh_buf_error(&nt->text)) return OGRH_ENOMEM;
  nt->scratch = ogrh_arena_new();
  if (!nt->scratch || (old && ogrh_value_copy(nt->scratch, old, &nt->old))) return OGRH_ENOMEM;
  return OGRH_OK;
}

static void notice_done(notice *nt) {
  ogrh_buf_deinit(&nt->text);
  ogrh_arena_free(nt->scratch);
}

/*
** scope_len is the number of leading segments that decide the scope: the whole path, or only
** up to the first table SetPath had to create (creating roles[3] to hold an assignment also
** adds a role).
*/
static void notify(ogrh_doc *d, const ogrh_path *p, size_t scope_len, const notice *nt,
                   const ogrh_value *nv, const ogrh_sync_meta *meta) {
  if (!d->nsubs) return;
  ogrh_change c;
  c.path = p;
  c.path_text = nt->text.p;
  c.old_value = &nt->old;
  c.new_value = nv;
  c.meta = meta;
  c.revision = d->revision;
  ogrh_path sp = *p;
  sp.n = scope_len < p->n ? scope_len : p->n;
  ogrh_path_scope(&sp, &c.scope);
  for (size_t i = 0; i < d->nsubs; i++)
    d->subs[i].fn(d->subs[i].ud, &c);
}

/*
** Compaction. Every write copies its value into the file's arena and nothing there is ever
** freed, so a document written to for hours would grow without end. When the arena holds more
** than 1.5 times what the last compaction (or the load) left in it, plus some slack, every
** value is copied into a fresh arena and the old one is freed: memory stays proportional to
** the live data, and the copying costs O(1) per byte written. The copy goes into one block of
** exactly the size it needs (the arena's chunks would otherwise leave up to half of the last
** one unused), and writes after it start again from small chunks. Values move, so the
** generation changes (ogrh_doc_generation). A compaction that runs out of memory is skipped:
** nothing changes.
*/
#define DOC_SLACK (32 * 1024)

static size_t round8(size_t n) {
  return (n + 7u) & ~(size_t)7u;
}

/* Bytes a copy of v takes in a bump block (the arena's 8-byte alignment). */
static size_t copy_size(const ogrh_value *v) {
  if (v->type == OGRH_STRING) return round8((size_t)v->len + 1);
  if (v->type != OGRH_TABLE) return 0;
  const ogrh_table *t = v->u.t;
  size_t n = round8(sizeof *t) + round8((size_t)t->n * sizeof *t->e);
  for (uint32_t i = 0; i < t->n; i++)
    n += copy_size(&t->e[i].key) + copy_size(&t->e[i].val);
  return n;
}

static void *bump(char **p, size_t n) {
  void *q = *p;
  *p += round8(n);
  return q;
}

/* Deep copy of src carved from *p (sized by copy_size: it cannot run out). */
static void copy_bump(char **p, const ogrh_value *src, ogrh_value *dst) {
  *dst = *src;
  if (src->type == OGRH_STRING) {
    char *s = bump(p, (size_t)src->len + 1);
    if (src->len) memcpy(s, src->u.s, src->len);
    s[src->len] = '\0';
    dst->u.s = s;
  } else if (src->type == OGRH_TABLE) {
    const ogrh_table *st = src->u.t;
    ogrh_table *t = bump(p, sizeof *t);
    t->n = t->cap = st->n;
    t->e = st->n ? bump(p, (size_t)st->n * sizeof *t->e) : NULL;
    for (uint32_t i = 0; i < st->n; i++) {
      copy_bump(p, &st->e[i].key, &t->e[i].key);
      copy_bump(p, &st->e[i].val, &t->e[i].val);
    }
    dst->u.t = t;
  }
}

static int compact(ogrh_doc *d) {
  ogrh_svfile *f = d->f;
  size_t total = 0;
  for (size_t i = 0; i < f->n; i++)
    total += round8(strlen(f->vars[i].name) + 1) + copy_size(&f->vars[i].value);
  ogrh_arena *a = ogrh_arena_new();
  char *block = a && total ? ogrh_arena_alloc(a, total) : NULL;
  if (!a || (total && !block)) {
    ogrh_arena_free(a);
    return OGRH_ENOMEM;
  }
  for (size_t i = 0; i < f->n; i++) {
    size_t n = strlen(f->vars[i].name);
    char *name = bump(&block, n + 1);
    memcpy(name, f->vars[i].name, n + 1);
    f->vars[i].name = name;
    ogrh_value v = f->vars[i].value;
    copy_bump(&block, &v, &f->vars[i].value);
  }
  ogrh_arena_free(f->arena);
  f->arena = a;
  d->live = ogrh_arena_size(a);
  d->generation++;
  return OGRH_OK;
}

static void maybe_compact(ogrh_doc *d) {
  size_t size = ogrh_arena_size(d->f->arena);
  if (size > d->live + d->live / 2 + DOC_SLACK) compact(d);
}

int ogrh_doc_compact(ogrh_doc *d) {
  return compact(d);
}

int ogrh_doc_set_parsed(ogrh_doc *d, const ogrh_path *p, const ogrh_value *v,
                        const ogrh_sync_meta *meta, ogrh_err *err) {
  if (p->n == 0) return ogrh_err_set(err, OGRH_EPATH, "empty path");
  ogrh_arena *a = d->f->arena;
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
  const ogrh_value *old = cur && k + 1 == p->n ? ogrh_table_get(cur->u.t, &p->seg[k]) : NULL;
  if (v->type == OGRH_NIL && !old) return OGRH_OK;
  bool missing;
  int rc = root_missing(d, &missing);
  if (rc)
    return ogrh_err_set(err, rc, "cannot create the OGRH_SV schema root: %s", ogrh_strerror(rc));
  if ((rc = check_depth(v, root_depth(d) + p->n - 1, err))) return rc;
  /* Everything that allocates, before anything changes. */
  notice nt;
  rc = notice_prepare(d, p, old, &nt);
  ogrh_value inner, key;
  if (!rc) rc = ogrh_value_copy(a, v, &inner);
  /* The tables SetPath must create, innermost first; with no root, the root itself too. */
  for (size_t i = p->n - 1; !rc && i > k; i--) {
    ogrh_table *t = ogrh_table_new(a, 1);
    if (!t) {
      rc = OGRH_ENOMEM;
      break;
    }
    if ((rc = ogrh_value_copy(a, &p->seg[i], &key))) break;
    if ((rc = ogrh_table_set(a, t, &key, &inner))) break;
    inner = ogrh_vtable(t);
  }
  if (!rc) rc = ogrh_value_copy(a, &p->seg[k], &key);
  ogrh_table *root = NULL;
  if (!rc && missing) {
    root = ogrh_table_new(a, 8);
    rc = root ? ogrh_table_set(a, root, &key, &inner) : OGRH_ENOMEM;
  }
  /* The one change: a table update (atomic in ogrh_table_set), or hanging the new root in. */
  if (!rc) rc = missing ? attach_root(d, root) : ogrh_table_set(a, cur->u.t, &key, &inner);
  if (rc) {
    notice_done(&nt);
    return ogrh_err_set(err, rc, "write failed: %s", ogrh_strerror(rc));
  }
  d->revision++;
  if (d->nsubs) {
    const ogrh_value *nv = NULL;
    ogrh_value nil = ogrh_vnil();
    ogrh_doc_get_path(d, p, &nv);
    notify(d, p, k + 1, &nt, nv ? nv : &nil, meta);
  }
  notice_done(&nt);
  maybe_compact(d);
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
  bool missing;
  int rc = root_missing(d, &missing);
  if (rc) return rc;
  /* The new root sits where the old one does: inside OGRH_SV (and v2). */
  if ((rc = check_depth(v, root_depth(d) - 1, NULL))) return rc;
  ogrh_path empty;
  empty.n = 0;
  notice nt;
  ogrh_value copy;
  rc = notice_prepare(d, &empty, ogrh_doc_root(d), &nt);
  if (!rc) rc = ogrh_value_copy(d->f->arena, v, &copy);
  if (!rc && missing) rc = attach_root(d, copy.u.t);
  if (rc) {
    notice_done(&nt);
    return rc;
  }
  ogrh_value *root = ogrh_doc_root(d);
  if (!missing) *root = copy;
  d->revision++;
  notify(d, &empty, 0, &nt, root, meta);
  notice_done(&nt);
  maybe_compact(d);
  return OGRH_OK;
}

int ogrh_doc_subscribe(ogrh_doc *d, ogrh_change_fn fn, void *ud) {
  int rc = ogrh_grow(&d->subs, &d->capsubs, d->nsubs + 1, sizeof *d->subs);
  if (rc) return rc;
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
