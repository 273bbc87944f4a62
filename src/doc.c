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
  /* The view of a v1 root (ogrh_doc_view), valid for this revision and generation. */
  ogrh_arena *view_arena;
  ogrh_value view;
  uint64_t view_rev, view_gen;
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

/* A path into the raid list: under encounterMgmt.raids (or that list itself). */
static bool in_plan(const ogrh_path *p) {
  return p->n >= 2 && seg_is(&p->seg[0], OGRH_KEY(MGMT)) && seg_is(&p->seg[1], OGRH_KEY(RAIDS));
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
  ogrh_arena_free(d->view_arena);
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
  const ogrh_value *v;
  return ogrh_doc_view(d, &v) ? NULL : ogrh_schema_raids(v);
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
  /* The raid list of a v1 file is read in its view (the v2 shape). */
  if (in_plan(p) && ogrh_schema_layout(cur) == OGRH_LAYOUT_V1 && ogrh_doc_view(d, &cur))
    return OGRH_ENOMEM;
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
** The scope is sc when the caller worked it out (v1 places, a change of layout); else that of
** the path's first scope_len segments: the whole path, or only up to the first table SetPath
** had to create (creating roles[3] to hold an assignment also adds a role).
*/
static void notify(ogrh_doc *d, const ogrh_path *p, const ogrh_scope *sc, size_t scope_len,
                   const notice *nt, const ogrh_value *nv, const ogrh_sync_meta *meta) {
  if (!d->nsubs) return;
  ogrh_change c;
  c.path = p;
  c.path_text = nt->text.p;
  c.old_value = &nt->old;
  c.new_value = nv;
  c.meta = meta;
  c.revision = d->revision;
  if (sc) {
    c.scope = *sc;
  } else {
    ogrh_path sp = *p;
    sp.n = scope_len < p->n ? scope_len : p->n;
    ogrh_path_scope(&sp, &c.scope);
  }
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

/* ---- the two layouts ---- */

ogrh_layout ogrh_doc_layout(ogrh_doc *d) {
  return ogrh_schema_layout(ogrh_doc_root(d));
}

int ogrh_doc_view(ogrh_doc *d, const ogrh_value **out) {
  const ogrh_value *root = ogrh_doc_root(d);
  *out = root;
  if (!root || ogrh_schema_layout(root) != OGRH_LAYOUT_V1) return OGRH_OK;
  if (d->view_arena && d->view_rev == d->revision && d->view_gen == d->generation) {
    *out = &d->view;
    return OGRH_OK;
  }
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  if (!a || ogrh_schema_view(a, root, &v)) {
    ogrh_arena_free(a);
    *out = NULL;
    return OGRH_ENOMEM;
  }
  ogrh_arena_free(d->view_arena);
  d->view_arena = a;
  d->view = v;
  d->view_rev = d->revision;
  d->view_gen = d->generation;
  *out = &d->view;
  return OGRH_OK;
}

/*
** The OGRH_SV table of a file that holds both layouts (a v2 file whose OGRH_SV still holds the
** v1 places, as `ogrh migrate --keep-v1` and the addon until its purge leave it), or NULL.
*/
static ogrh_table *dual_v1(ogrh_doc *d) {
  if (!ogrh_doc_is_v2(d) || !ogrh_doc_root(d)) return NULL;
  ogrh_value *sv = sv_root(d->f);
  return sv && ogrh_schema_layout(sv) == OGRH_LAYOUT_V1 ? sv->u.t : NULL;
}

/*
** Which writes to a file of both layouts are mirrored to the v1 side: the raid list through
** the v1 mapping (PLAN), the keys both layouts keep alike at the same path (SAME), nothing for
** what only v2 has (migrationMeta, encounterMgmt's other keys) or what is only v1's (its places).
*/
typedef enum { MIRROR_NONE, MIRROR_PLAN, MIRROR_SAME } mirror_kind;

static mirror_kind mirror_of(const ogrh_path *p) {
  if (p->n == 0 || in_plan(p) || (p->n == 1 && seg_is(&p->seg[0], OGRH_KEY(MGMT))))
    return MIRROR_PLAN;
  static const ogrh_value meta = {OGRH_STRING, 0, 13, {.s = "migrationMeta"}};
  if (seg_is(&p->seg[0], OGRH_KEY(MGMT)) || seg_is(&p->seg[0], &meta) ||
      ogrh_schema_is_v1_key(&p->seg[0]))
    return MIRROR_NONE;
  return MIRROR_SAME;
}

/* The raid list of a v2 root, or nil. */
static const ogrh_value *raids_of(const ogrh_value *root) {
  static const ogrh_value nil = {0};
  const ogrh_value *m =
      root && root->type == OGRH_TABLE ? ogrh_table_get(root->u.t, OGRH_KEY(MGMT)) : NULL;
  const ogrh_value *raids =
      m && m->type == OGRH_TABLE ? ogrh_table_get(m->u.t, OGRH_KEY(RAIDS)) : NULL;
  return raids ? raids : &nil;
}

/*
** Stores the v2 raid list of root into the v1 side sv (a file of both layouts). old (may be
** NULL) is the image of the raid list before the change: the encounters the change leaves
** equal keep their v1 places as they are, even where those do not agree with v2 (a file the
** addon migrated keeps its v1 data as it was).
*/
static int mirror_plan(ogrh_doc *d, ogrh_table *sv, const ogrh_value *root, const ogrh_value *old,
                       ogrh_err *err) {
  ogrh_value img;
  ogrh_buf why;
  ogrh_buf_init(&why);
  int rc = ogrh_v1_image(d->f->arena, raids_of(root), sv, &img);
  if (!rc) rc = ogrh_v1_store(d->f->arena, sv, &img, old, &why);
  if (rc == OGRH_ECORRUPT)
    ogrh_err_set(err, rc, "the v1 side of this file cannot hold the change: %s",
                 why.p ? why.p : "");
  else if (rc)
    ogrh_err_set(err, rc, "mirroring to the v1 layout failed: %s", ogrh_strerror(rc));
  ogrh_buf_deinit(&why);
  return rc;
}

/* How a write to the raid list of a file of both layouts reaches its v1 side. */
typedef enum { TR_SKIP, TR_PATH, TR_STORE } translation;

static const ogrh_value *name_of(const ogrh_value *t) {
  const ogrh_value *n = t && t->type == OGRH_TABLE ? ogrh_table_get(t->u.t, OGRH_KEY(NAME)) : NULL;
  return n && n->type == OGRH_STRING ? n : NULL;
}

static void add_seg(ogrh_path *p, const ogrh_value *v) {
  if (p->n < OGRH_PATH_MAX) p->seg[p->n++] = *v;
}

static const ogrh_value k_roleid = {OGRH_STRING, 0, 6, {.s = "roleId"}};
static const ogrh_value k_column = {OGRH_STRING, 0, 6, {.s = "column"}};
static const ogrh_value k_cols[2] = {{OGRH_STRING, 0, 7, {.s = "column1"}},
                                     {OGRH_STRING, 0, 7, {.s = "column2"}}};

/* The roleId of a role as a key of the v1 per-role tables. */
static bool role_id(const ogrh_value *role, ogrh_value *k) {
  const ogrh_value *id =
      role && role->type == OGRH_TABLE ? ogrh_table_get(role->u.t, &k_roleid) : NULL;
  if (!id) return false;
  *k = *id;
  return ogrh_key_normalize(k) == OGRH_OK;
}

/*
** The v1 path that a write at p (a path of the v2 side, under the raid list) is mirrored to
** (TR_PATH) when the write stays inside one component of one encounter and leaves names,
** roleIds and columns alone:
**   ...encounters.J.roles.K.<per-slot field>...  -> <its v1 table>[raid][enc][role K's roleId]...
**   ...encounters.J.roles.K.<other field>...     -> encounterMgmt.roles[raid][enc].columnC.N...
**                                                   (the one v1 role with that roleId)
**   ...encounters.J.announcements...             -> encounterAnnouncements[raid][enc]...
**   ...encounters.J.<metadata key>...            -> the v1 encounter of the same identity
** So exactly what was written is mirrored, and the v1 data the write does not reach stays as
** it is. TR_SKIP: the encounter has no v1 counterpart (the addon's Active Raid and Admin
** encounters). TR_STORE: anything else; the changed encounters are stored (ogrh_v1_store).
*/
static translation v1_translate(const ogrh_value *root, ogrh_table *sv, const ogrh_path *p,
                                ogrh_path *out) {
  const ogrh_value *s = p->seg;
  if (!in_plan(p) || p->n < 6 || s[2].type != OGRH_INT || !seg_is(&s[3], OGRH_KEY(ENCOUNTERS)) ||
      s[4].type != OGRH_INT || s[5].type != OGRH_STRING || seg_is(&s[5], OGRH_KEY(NAME)))
    return TR_STORE;
  const ogrh_value *rv = raids_of(root);
  const ogrh_table *raids = rv->type == OGRH_TABLE ? rv->u.t : NULL;
  ogrh_entry *re = NULL, *ee = NULL;
  for (uint32_t i = 0; raids && i < raids->n && !re; i++)
    if (ogrh_is_item(&raids->e[i]) && ogrh_key_cmp(&raids->e[i].key, &s[2]) == 0) re = &raids->e[i];
  const ogrh_table *encs = re ? ogrh_raid_encounters(re->val.u.t) : NULL;
  for (uint32_t i = 0; encs && i < encs->n && !ee; i++)
    if (ogrh_is_item(&encs->e[i]) && ogrh_key_cmp(&encs->e[i].key, &s[4]) == 0) ee = &encs->e[i];
  const ogrh_value *rn = re ? name_of(&re->val) : NULL, *en = ee ? name_of(&ee->val) : NULL;
  if (!rn || !en) return TR_STORE;
  /* The v1 raid and encounter of the same identity (name and occurrence). */
  ogrh_value svv = ogrh_vtable(sv);
  ogrh_entry *vr =
      ogrh_item_find(ogrh_schema_raids(&svv), rn->u.s, rn->len, ogrh_item_occ(raids, re));
  ogrh_entry *ve = vr ? ogrh_item_find(ogrh_raid_encounters(vr->val.u.t), en->u.s, en->len,
                                       ogrh_item_occ(encs, ee))
                      : NULL;
  if (!ve) return TR_SKIP;
  out->n = 0;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *def = &ogrh_components[c];
    if (def->part == OGRH_PART_KEY && seg_is(&s[5], &def->key)) {
      add_seg(out, &def->v1key);
      add_seg(out, rn);
      add_seg(out, en);
      for (size_t i = 6; i < p->n; i++)
        add_seg(out, &s[i]);
      return TR_PATH;
    }
    if (def->part != OGRH_PART_ROLES || !seg_is(&s[5], &def->key)) continue;
    /* Inside one role: its per-slot data, or a field of its definition. */
    if (p->n < 8 || s[6].type != OGRH_INT || s[7].type != OGRH_STRING || seg_is(&s[7], &k_roleid) ||
        seg_is(&s[7], &k_column))
      return TR_STORE;
    const ogrh_value *roles = ogrh_table_get(ee->val.u.t, &def->key);
    const ogrh_value *role =
        roles && roles->type == OGRH_TABLE ? ogrh_table_get(roles->u.t, &s[6]) : NULL;
    ogrh_value rid;
    if (!role_id(role, &rid)) return TR_STORE;
    for (int k = 0; k < OGRH_NCOMPONENTS; k++)
      if (ogrh_components[k].part == OGRH_PART_SLOT && seg_is(&s[7], &ogrh_components[k].key)) {
        add_seg(out, &ogrh_components[k].v1key);
        add_seg(out, rn);
        add_seg(out, en);
        add_seg(out, &rid);
        for (size_t i = 8; i < p->n; i++)
          add_seg(out, &s[i]);
        return TR_PATH;
      }
    /* The one v1 role of that roleId, in its column. */
    const ogrh_value *place = ogrh_v1_place_get(sv, c, rn, en);
    const ogrh_value *col = NULL, *at = NULL;
    size_t found = 0;
    for (int k = 0; k < 2 && place && place->type == OGRH_TABLE; k++) {
      const ogrh_value *cv = ogrh_table_get(place->u.t, &k_cols[k]);
      for (uint32_t i = 0; cv && cv->type == OGRH_TABLE && i < cv->u.t->n; i++) {
        ogrh_value xk;
        if (role_id(&cv->u.t->e[i].val, &xk) && ogrh_key_cmp(&xk, &rid) == 0 && !found++) {
          col = &k_cols[k];
          at = &cv->u.t->e[i].key;
        }
      }
    }
    if (found != 1) return TR_STORE;
    add_seg(out, OGRH_KEY(MGMT));
    add_seg(out, &def->v1key);
    add_seg(out, rn);
    add_seg(out, en);
    add_seg(out, col);
    add_seg(out, at);
    for (size_t i = 7; i < p->n; i++)
      add_seg(out, &s[i]);
    return TR_PATH;
  }
  /* A key of the encounter's metadata. */
  add_seg(out, OGRH_KEY(MGMT));
  add_seg(out, OGRH_KEY(RAIDS));
  add_seg(out, &vr->key);
  add_seg(out, OGRH_KEY(ENCOUNTERS));
  add_seg(out, &ve->key);
  for (size_t i = 5; i < p->n; i++)
    add_seg(out, &s[i]);
  return TR_PATH;
}

/*
** The scope of a write at p in a v1 file. The v1 places are keyed by names: the encounter
** they belong to is found by name (and is the one the view assembles them into). A place of
** no encounter changes nothing synced; one shared by several encounters changes their raid,
** or everything.
*/
static void v1_scope(ogrh_doc *d, const ogrh_path *p, ogrh_scope *o) {
  ogrh_path_scope(p, o);
  int comp = -1;
  size_t at = 0;
  for (int c = 0; c < OGRH_NCOMPONENTS && comp < 0; c++) {
    const ogrh_component_def *def = &ogrh_components[c];
    if (def->v1 == OGRH_V1_COLUMNS && p->n >= 2 && seg_is(&p->seg[0], OGRH_KEY(MGMT)) &&
        seg_is(&p->seg[1], &def->v1key))
      comp = c, at = 2;
    else if ((def->v1 == OGRH_V1_BY_ROLE || def->v1 == OGRH_V1_BY_NAME) &&
             seg_is(&p->seg[0], &def->v1key))
      comp = c, at = 1;
  }
  if (comp < 0) return;
  memset(o, 0, sizeof *o);
  o->kind = OGRH_SCOPE_ALL;
  if (p->n < at + 2) return;
  const ogrh_value *rn = &p->seg[at], *en = &p->seg[at + 1];
  ogrh_table *raids = ogrh_schema_raids(ogrh_doc_root(d));
  size_t found = 0;
  int64_t raid = 0, enc = 0;
  bool one_raid = true;
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    if (!ogrh_is_item(&raids->e[i])) continue;
    const ogrh_value *nm = ogrh_table_get(raids->e[i].val.u.t, OGRH_KEY(NAME));
    if (!nm || nm->type != OGRH_STRING || ogrh_key_cmp(nm, rn) != 0) continue;
    ogrh_table *encs = ogrh_raid_encounters(raids->e[i].val.u.t);
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      if (!ogrh_is_item(&encs->e[j])) continue;
      const ogrh_value *en2 = ogrh_table_get(encs->e[j].val.u.t, OGRH_KEY(NAME));
      if (!en2 || en2->type != OGRH_STRING || ogrh_key_cmp(en2, en) != 0) continue;
      if (found++ && raids->e[i].key.u.i != raid) one_raid = false;
      raid = raids->e[i].key.u.i;
      enc = encs->e[j].key.u.i;
    }
  }
  if (found == 0) {
    o->kind = OGRH_SCOPE_OTHER;
  } else if (found == 1) {
    o->kind = OGRH_SCOPE_ENCOUNTER;
    o->raid = raid;
    o->encounter = enc;
    o->components = 1u << comp;
    /* The roles also decide which role each per-role table belongs to. */
    if (ogrh_components[comp].v1 == OGRH_V1_COLUMNS)
      for (int c = 0; c < OGRH_NCOMPONENTS; c++)
        if (ogrh_components[c].v1 == OGRH_V1_BY_ROLE) o->components |= 1u << c;
  } else if (one_raid) {
    o->kind = OGRH_SCOPE_RAID;
    o->raid = raid;
    o->raid_all = true;
  }
}

/*
** SetPath with a copy-on-write walk: a new value of the table at base with v at seg[0..n),
** every table on the way copied (or created), everything else shared. The values SetPath
** creates and copies live in a. OGRH_ENOTTABLE names the segment index in *bad.
*/
static int pset(ogrh_arena *a, const ogrh_value *base, const ogrh_value *seg, size_t n,
                const ogrh_value *v, ogrh_value *out, size_t *bad, size_t depth) {
  if (n == 0) {
    *out = *v;
    return OGRH_OK;
  }
  if (base && base->type != OGRH_TABLE && base->type != OGRH_NIL) {
    *bad = depth;
    return OGRH_ENOTTABLE;
  }
  const ogrh_table *t = base && base->type == OGRH_TABLE ? base->u.t : NULL;
  ogrh_table *c = ogrh_table_new(a, (t ? t->n : 0) + 1);
  if (!c) return OGRH_ENOMEM;
  if (t && t->n) memcpy(c->e, t->e, t->n * sizeof *t->e);
  c->n = t ? t->n : 0;
  const ogrh_value *below = t ? ogrh_table_get(t, &seg[0]) : NULL;
  ogrh_value nv, key;
  int rc = pset(a, below, seg + 1, n - 1, v, &nv, bad, depth + 1);
  if (!rc) rc = ogrh_value_copy(a, &seg[0], &key);
  if (!rc) rc = ogrh_table_set(a, c, &key, &nv);
  if (rc) return rc;
  *out = ogrh_vtable(c);
  return OGRH_OK;
}

/* Appends the path up to segment n and the type of what blocks it, for ENOTTABLE messages. */
static int walk_error(ogrh_doc *d, const ogrh_value *base, const ogrh_path *p, size_t bad,
                      ogrh_err *err) {
  (void)d;
  const ogrh_value *cur = base;
  for (size_t i = 0; i < bad && cur && cur->type == OGRH_TABLE; i++)
    cur = ogrh_table_get(cur->u.t, &p->seg[i]);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_path_format(p, bad, &b);
  int rc = ogrh_err_set(err, OGRH_ENOTTABLE, "cannot walk through '%s': it is a %s, not a table",
                        b.p ? b.p : "", cur ? ogrh_type_name(cur->type) : "nil");
  ogrh_buf_deinit(&b);
  return rc;
}

/* The value at seg[0..n) below v, or NULL. */
static const ogrh_value *value_at(const ogrh_value *v, const ogrh_value *seg, size_t n) {
  for (size_t i = 0; i < n && v; i++)
    v = v->type == OGRH_TABLE ? ogrh_table_get(v->u.t, &seg[i]) : NULL;
  return v;
}

/*
** A write into the raid list of a v1 file: the path is read in the view (the v2 shape), the
** write is applied to a copy of the view's raid list, and ogrh_v1_store puts the result into
** the v1 places. The write is the one change store makes (it swaps the root at its end).
*/
static int set_v1_plan(ogrh_doc *d, const ogrh_path *p, const ogrh_value *v,
                       const ogrh_sync_meta *meta, ogrh_err *err) {
  ogrh_arena *a = d->f->arena;
  const ogrh_value *view;
  if (ogrh_doc_view(d, &view)) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  const ogrh_value *old = value_at(view, p->seg, p->n);
  if (v->type == OGRH_NIL && !old) return OGRH_OK;
  int rc = check_depth(v, root_depth(d) + p->n - 1, err);
  if (rc) return rc;
  const ogrh_value *raids = value_at(view, p->seg, 2);
  /* The segments that exist decide the scope, as for any SetPath. */
  size_t k = 0;
  for (const ogrh_value *x = view; k + 1 < p->n; k++) {
    x = x && x->type == OGRH_TABLE ? ogrh_table_get(x->u.t, &p->seg[k]) : NULL;
    if (!x || x->type != OGRH_TABLE) break;
  }
  notice nt;
  ogrh_value copy, nraids = ogrh_vnil();
  size_t bad = 0;
  ogrh_buf why;
  ogrh_buf_init(&why);
  rc = notice_prepare(d, p, old, &nt);
  if (!rc) rc = ogrh_value_copy(a, v, &copy);
  if (!rc) rc = pset(a, raids, p->seg + 2, p->n - 2, &copy, &nraids, &bad, 2);
  if (!rc) rc = ogrh_v1_store(a, ogrh_doc_root(d)->u.t, &nraids, raids, &why);
  if (rc) {
    notice_done(&nt);
    if (rc == OGRH_ENOTTABLE)
      walk_error(d, view, p, bad, err);
    else if (rc == OGRH_ECORRUPT)
      ogrh_err_set(err, rc, "the v1 layout cannot hold this write: %s", why.p ? why.p : "");
    else
      ogrh_err_set(err, rc, "write failed: %s", ogrh_strerror(rc));
    ogrh_buf_deinit(&why);
    return rc;
  }
  ogrh_buf_deinit(&why);
  d->revision++;
  d->generation++; /* the view's tables are replaced */
  if (d->nsubs) {
    static const ogrh_value nil = {0};
    const ogrh_value *nv = value_at(&nraids, p->seg + 2, p->n - 2);
    notify(d, p, NULL, k + 1, &nt, nv ? nv : &nil, meta);
  }
  notice_done(&nt);
  maybe_compact(d);
  return OGRH_OK;
}

/* The SAME mirror: v (nil deletes) at the same path under sv, copied on write. */
static int mirror_same(ogrh_doc *d, ogrh_table *sv, const ogrh_path *p, const ogrh_value *v,
                       ogrh_err *err) {
  ogrh_arena *a = d->f->arena;
  ogrh_value svv = ogrh_vtable(sv), copy, nsv;
  if (v->type == OGRH_NIL && !value_at(&svv, p->seg, p->n)) return OGRH_OK;
  size_t bad = 0;
  int rc = ogrh_value_copy(a, v, &copy);
  if (!rc) rc = pset(a, &svv, p->seg, p->n, &copy, &nsv, &bad, 0);
  if (rc == OGRH_ENOTTABLE) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_path_format(p, bad, &b);
    ogrh_err_set(err, rc, "cannot mirror the write to the v1 layout: '%s' is no table there",
                 b.p ? b.p : "");
    ogrh_buf_deinit(&b);
    return rc;
  }
  if (rc) return ogrh_err_set(err, rc, "write failed: %s", ogrh_strerror(rc));
  *sv = *nsv.u.t;
  return OGRH_OK;
}

/*
** How a write at p to a file of both layouts will be mirrored, worked out before the write:
** the kind, the v1 path of a translated write, and for a stored one the image of the raid list
** as it is (a copy: the write changes tables in place).
*/
typedef struct mirror_prep {
  mirror_kind kind;
  translation tr;
  ogrh_path v1path;
  ogrh_arena *scratch;
  ogrh_value old;
} mirror_prep;

static int mirror_prepare(ogrh_doc *d, ogrh_table *sv, const ogrh_path *p, mirror_prep *mp) {
  mp->kind = sv ? mirror_of(p) : MIRROR_NONE;
  mp->tr = TR_STORE;
  mp->scratch = NULL;
  mp->old = ogrh_vnil();
  if (mp->kind != MIRROR_PLAN) return OGRH_OK;
  mp->tr = v1_translate(ogrh_doc_root(d), sv, p, &mp->v1path);
  if (mp->tr != TR_STORE) return OGRH_OK;
  ogrh_value img;
  if (!(mp->scratch = ogrh_arena_new()) ||
      ogrh_v1_image(mp->scratch, raids_of(ogrh_doc_root(d)), sv, &img) ||
      ogrh_value_copy(mp->scratch, &img, &mp->old))
    return OGRH_ENOMEM;
  return OGRH_OK;
}

static void mirror_done(mirror_prep *mp) {
  ogrh_arena_free(mp->scratch);
  mp->scratch = NULL;
}

/*
** The mirror of a write at p (already made on the v2 side) to the v1 side sv of a file of
** both layouts. On failure sv is as it was.
*/
static int mirror(ogrh_doc *d, ogrh_table *sv, const ogrh_path *p, const mirror_prep *mp,
                  ogrh_err *err) {
  static const ogrh_value nil = {0};
  const ogrh_value *root = ogrh_doc_root(d);
  const ogrh_value *nv = value_at(root, p->seg, p->n);
  switch (mp->kind) {
  case MIRROR_NONE:
    return OGRH_OK;
  case MIRROR_SAME:
    return mirror_same(d, sv, p, nv ? nv : &nil, err);
  case MIRROR_PLAN:
    if (mp->tr == TR_SKIP) return OGRH_OK;
    if (mp->tr == TR_PATH) return mirror_same(d, sv, &mp->v1path, nv ? nv : &nil, err);
    return mirror_plan(d, sv, root, &mp->old, err);
  }
  return OGRH_OK;
}

int ogrh_doc_set_parsed(ogrh_doc *d, const ogrh_path *p, const ogrh_value *v,
                        const ogrh_sync_meta *meta, ogrh_err *err) {
  if (p->n == 0) return ogrh_err_set(err, OGRH_EPATH, "empty path");
  ogrh_layout was = ogrh_doc_layout(d);
  if (was == OGRH_LAYOUT_V1 && in_plan(p)) return set_v1_plan(d, p, v, meta, err);
  ogrh_arena *a = d->f->arena;
  /* Validate: walk as far as the path exists; every existing intermediate must be a table. */
  ogrh_value *cur = ogrh_doc_root(d);
  size_t k = 0; /* segments [0,k) exist as tables */
  if (cur) {
    for (; k + 1 < p->n; k++) {
      ogrh_value *next = ogrh_table_get(cur->u.t, &p->seg[k]);
      if (!next) break;
      if (next->type != OGRH_TABLE) return walk_error(d, ogrh_doc_root(d), p, k + 1, err);
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
  ogrh_table *sv = missing ? NULL : dual_v1(d);
  /* Everything that allocates, before anything changes. */
  notice nt;
  mirror_prep mp;
  mp.scratch = NULL;
  rc = notice_prepare(d, p, old, &nt);
  if (!rc) rc = mirror_prepare(d, sv, p, &mp);
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
  static const ogrh_value nil = {0};
  ogrh_value oldv = old ? *old : nil;
  if (!rc) rc = missing ? attach_root(d, root) : ogrh_table_set(a, cur->u.t, &key, &inner);
  /*
  ** A file of both layouts: the v1 side follows. Should it fail, the write is taken back
  ** (putting the old entry back never allocates: the table has room for what it held).
  */
  if (!rc && sv && (rc = mirror(d, sv, p, &mp, err))) ogrh_table_set(a, cur->u.t, &key, &oldv);
  mirror_done(&mp);
  if (rc) {
    notice_done(&nt);
    if (sv && err && err->code == rc) return rc;
    return ogrh_err_set(err, rc, "write failed: %s", ogrh_strerror(rc));
  }
  d->revision++;
  if (d->nsubs) {
    const ogrh_value *nv = NULL;
    ogrh_doc_get_path(d, p, &nv);
    ogrh_layout now = ogrh_doc_layout(d);
    ogrh_scope sc, *scp = NULL;
    if (was != now) {
      /* The file changed layout: what the plan is made of changed everywhere. */
      memset(&sc, 0, sizeof sc);
      sc.kind = OGRH_SCOPE_ALL;
      scp = &sc;
    } else if (now == OGRH_LAYOUT_V1) {
      v1_scope(d, p, &sc);
      scp = &sc;
    }
    notify(d, p, scp, k + 1, &nt, nv ? nv : &nil, meta);
  }
  /* In a v1 file the view's tables are replaced: whoever keeps pointers must look again. */
  if (was == OGRH_LAYOUT_V1 || ogrh_doc_layout(d) == OGRH_LAYOUT_V1) d->generation++;
  notice_done(&nt);
  maybe_compact(d);
  return OGRH_OK;
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
  ogrh_table *sv = missing ? NULL : dual_v1(d);
  rc = notice_prepare(d, &empty, ogrh_doc_root(d), &nt);
  if (!rc) rc = ogrh_value_copy(d->f->arena, v, &copy);
  if (!rc && missing) rc = attach_root(d, copy.u.t);
  if (rc) {
    notice_done(&nt);
    return rc;
  }
  ogrh_value *root = ogrh_doc_root(d);
  ogrh_value was = *root;
  if (!missing) *root = copy;
  if (sv) {
    /* A file of both layouts: the plan and the global components follow on the v1 side. */
    ogrh_table keep = *sv;
    ogrh_value old;
    rc = ogrh_v1_image(d->f->arena, raids_of(&was), sv, &old);
    if (!rc) rc = mirror_plan(d, sv, root, &old, NULL);
    for (int g = 0; g < OGRH_NGLOBALS && !rc; g++) {
      static const ogrh_value nil = {0};
      ogrh_path gp;
      gp.n = 1;
      gp.seg[0] = *ogrh_global_keyv(g);
      const ogrh_value *gv = ogrh_global_get(root, g);
      rc = mirror_same(d, sv, &gp, gv ? gv : &nil, NULL);
    }
    if (rc) {
      *sv = keep;
      *root = was;
      notice_done(&nt);
      return rc;
    }
  }
  d->revision++;
  if (ogrh_schema_layout(&was) == OGRH_LAYOUT_V1 || ogrh_schema_layout(root) == OGRH_LAYOUT_V1)
    d->generation++;
  notify(d, &empty, NULL, 0, &nt, root, meta);
  notice_done(&nt);
  maybe_compact(d);
  return OGRH_OK;
}

int ogrh_doc_replace_plan(ogrh_doc *d, const ogrh_value *src, const ogrh_sync_meta *meta,
                          ogrh_err *err) {
  static const ogrh_value nil = {0};
  if (!src || src->type != OGRH_TABLE)
    return ogrh_err_set(err, OGRH_ETYPE, "the new plan is not a table");
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  const ogrh_value *root = ogrh_doc_root(d);
  ogrh_table *nr = ogrh_table_new(a, (root && root->type == OGRH_TABLE ? root->u.t->n : 0) + 4);
  int rc = nr ? OGRH_OK : OGRH_ENOMEM;
  if (!rc && root && root->type == OGRH_TABLE) {
    memcpy(nr->e, root->u.t->e, root->u.t->n * sizeof *nr->e);
    nr->n = root->u.t->n;
  }
  ogrh_buf why;
  ogrh_buf_init(&why);
  if (!rc && ogrh_schema_layout(root) == OGRH_LAYOUT_V1) {
    /* The plan goes to the v1 places, the global components to their keys. */
    const ogrh_value *raids =
        value_at(src, (const ogrh_value[]){*OGRH_KEY(MGMT), *OGRH_KEY(RAIDS)}, 2);
    rc = ogrh_v1_store(a, nr, raids ? raids : &nil, NULL, &why);
    for (int g = 0; g < OGRH_NGLOBALS && !rc; g++) {
      const ogrh_value *gv = ogrh_global_get(src, g);
      rc = ogrh_table_set(a, nr, ogrh_global_keyv(g), gv ? gv : &nil);
    }
  } else if (!rc) {
    rc = ogrh_schema_replace_synced(a, nr, src);
  }
  ogrh_value nv = ogrh_vtable(nr);
  if (!rc) rc = ogrh_doc_replace_root(d, &nv, meta);
  if (rc == OGRH_ECORRUPT && why.n)
    ogrh_err_set(err, rc, "the v1 layout cannot hold the new plan: %s", why.p);
  else if (rc)
    ogrh_err_set(err, rc, "replacing the plan failed: %s", ogrh_strerror(rc));
  ogrh_buf_deinit(&why);
  ogrh_arena_free(a);
  return rc;
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
