/*
** backup.c
** The backup store: content-addressed, zstd-compressed objects in one store file, rewritten
** atomically on every change; snapshots as trees of objects (raids > encounters > the six
** components), so unchanged parts are shared between backups; retention, restore, export.
*/
#include "ogrh/backup.h"
#include "ogrh/util.h"
#include "ogrh/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#define STORE_MAGIC "OGRHBK02"
#define STORE_FILE "store.ogrhbk"
#define EXPORT_TAG "OGRHBK1"
/* Larger inputs are refused on import: no backup of a raid plan comes near this. */
#define MAX_SNAPSHOT (256u << 20)

/*
** Tree objects start with their kind and the 8-byte digest of the encounter or raid they
** hold (docs/PROTOCOL.md §6), and are stored uncompressed (they are mostly random ids), so
** opening a store can index them without decompressing anything.
*/

static const char *const reason_names[OGRH_NREASONS] = {
    "manual",         "before repair", "before restore", "before import", "before load defaults",
    "admin transfer", "imported"};

const char *ogrh_reason_name(ogrh_backup_reason r) {
  return r < OGRH_NREASONS ? reason_names[r] : "?";
}

static int reason_parse(const char *s) {
  for (int i = 0; i < OGRH_NREASONS; i++)
    if (strcmp(s, reason_names[i]) == 0) return i;
  return -1;
}

enum { OBJ_PENDING = 0, OBJ_RAW = 1, OBJ_SEG = 2 };

typedef struct obj {
  uint32_t id, check, raw_len;
  uint8_t where;       /* OBJ_PENDING (new, raw in the arena), OBJ_RAW, OBJ_SEG */
  uint32_t seg, off;   /* OBJ_SEG: which segment, where in its decompressed bytes */
  const uint8_t *data; /* OBJ_PENDING / OBJ_RAW: the raw bytes */
  bool mark;
  uint64_t dig; /* encounter / raid trees: the digest of what they hold (else 0) */
} obj;

/*
** A segment is one zstd frame holding the blobs added by one save, back to back. Compressing
** them together costs about what compressing the file once does, where one frame per small
** object cost several times more; objects keep their own checksums inside.
*/
typedef struct seg {
  uint32_t id, raw_len, stored_len;
  uint64_t check;      /* XXH3-64 of the stored bytes */
  const uint8_t *data; /* stored bytes, in the loaded file */
  uint8_t *cache;      /* decompressed bytes once needed (raw_len + 1) */
  uint64_t live;       /* live raw bytes, counted by a save */
} seg;

/* Digest -> object id, for reusing the trees of unchanged raids and encounters. */
typedef struct digmap {
  uint64_t *key;
  uint32_t *val;
  size_t n, cap;
} digmap;

struct ogrh_store {
  char *dir, *path;
  size_t dirlen, pathlen;
  int lockfd;
  ogrh_buf file; /* the store file as loaded: objects point into it */
  ogrh_arena *arena;
  obj *objs; /* open addressing on id */
  size_t nobjs, capobjs;
  digmap trees; /* encounter and raid tree objects by the digest they were built from */
  seg *segs;
  size_t nsegs, capsegs;
  uint32_t next_seg;
  ogrh_backup_info *infos; /* newest first */
  size_t ninfo, capinfo;
  uint32_t next_id;
  uint64_t bytes;
  ZSTD_CCtx *cctx;
  ZSTD_DCtx *dctx;
};

/* ---- objects ---- */

static obj *slot_of(ogrh_store *s, uint32_t id) {
  size_t mask = s->capobjs - 1, i = (size_t)id & mask;
  while (s->objs[i].data && s->objs[i].id != id)
    i = (i + 1) & mask;
  return &s->objs[i];
}

static obj *find_obj(ogrh_store *s, uint32_t id) {
  if (!s->capobjs) return NULL;
  obj *o = slot_of(s, id);
  return o->data ? o : NULL;
}

static int grow_objs(ogrh_store *s) {
  if (s->capobjs && (s->nobjs + 1) * 4 < s->capobjs * 3) return OGRH_OK;
  size_t cap = s->capobjs ? s->capobjs * 2 : 1024;
  obj *old = s->objs;
  size_t oldcap = s->capobjs;
  s->objs = ogrh_malloc(cap * sizeof *s->objs);
  if (!s->objs) {
    s->objs = old;
    return OGRH_ENOMEM;
  }
  memset(s->objs, 0, cap * sizeof *s->objs);
  s->capobjs = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].data) *slot_of(s, old[i].id) = old[i];
  ogrh_free(old, oldcap * sizeof *old);
  return OGRH_OK;
}

static int digmap_put(digmap *m, uint64_t k, uint32_t v) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    uint64_t *nk = ogrh_malloc(cap * sizeof *nk);
    uint32_t *nv = ogrh_malloc(cap * sizeof *nv);
    if (!nk || !nv) {
      ogrh_free(nk, cap * sizeof *nk);
      ogrh_free(nv, cap * sizeof *nv);
      return OGRH_ENOMEM;
    }
    memset(nk, 0, cap * sizeof *nk);
    for (size_t i = 0; i < m->cap; i++)
      if (m->key[i]) {
        size_t j = (size_t)m->key[i] & (cap - 1);
        while (nk[j])
          j = (j + 1) & (cap - 1);
        nk[j] = m->key[i];
        nv[j] = m->val[i];
      }
    ogrh_free(m->key, m->cap * sizeof *m->key);
    ogrh_free(m->val, m->cap * sizeof *m->val);
    m->key = nk;
    m->val = nv;
    m->cap = cap;
  }
  if (!k) k = 1; /* 0 marks an empty slot */
  size_t j = (size_t)k & (m->cap - 1);
  while (m->key[j] && m->key[j] != k)
    j = (j + 1) & (m->cap - 1);
  if (!m->key[j]) m->n++;
  m->key[j] = k;
  m->val[j] = v;
  return OGRH_OK;
}

static bool digmap_get(const digmap *m, uint64_t k, uint32_t *v) {
  if (!m->cap) return false;
  if (!k) k = 1;
  size_t j = (size_t)k & (m->cap - 1);
  while (m->key[j]) {
    if (m->key[j] == k) {
      *v = m->val[j];
      return true;
    }
    j = (j + 1) & (m->cap - 1);
  }
  return false;
}

static void digmap_free(digmap *m) {
  ogrh_free(m->key, m->cap * sizeof *m->key);
  ogrh_free(m->val, m->cap * sizeof *m->val);
  memset(m, 0, sizeof *m);
}

static uint64_t read_le64(const uint8_t *p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; i--)
    x = (x << 8) | p[i];
  return x;
}

/* Object identity: the low 32 bits of XXH3-64 of the raw bytes; the high 32 bits are the
** checksum verified on every read. A clash of low bits with other content probes onward.
** New objects stay raw in the arena until the next save packs them. */
static int put_obj(ogrh_store *s, const void *raw, size_t n, uint32_t *id) {
  if (n > UINT32_MAX) return OGRH_ETOOBIG;
  uint64_t h = XXH3_64bits(raw, n);
  uint32_t cand = (uint32_t)h, check = (uint32_t)(h >> 32);
  for (;;) {
    obj *o = find_obj(s, cand);
    if (!o) break;
    if (o->check == check && o->raw_len == n) {
      *id = cand;
      return OGRH_OK;
    }
    cand++;
  }
  int rc = grow_objs(s);
  if (rc) return rc;
  uint8_t *buf = ogrh_arena_alloc(s->arena, n + 1);
  if (!buf) return OGRH_ENOMEM;
  if (n) memcpy(buf, raw, n);
  obj o = {cand, check, (uint32_t)n, OBJ_PENDING, 0, 0, buf, false, 0};
  const uint8_t *r8 = raw;
  if (n >= 9 && (r8[0] == 'E' || r8[0] == 'R')) {
    o.dig = read_le64(r8 + 1);
    if ((rc = digmap_put(&s->trees, o.dig, cand))) return rc;
  }
  *slot_of(s, cand) = o;
  s->nobjs++;
  *id = cand;
  return OGRH_OK;
}

static seg *find_seg(ogrh_store *s, uint32_t id) {
  for (size_t i = 0; i < s->nsegs; i++)
    if (s->segs[i].id == id) return &s->segs[i];
  return NULL;
}

/* The decompressed bytes of a segment, verified once and kept. */
static int seg_bytes(ogrh_store *s, seg *g, ogrh_err *err) {
  if (g->cache) return OGRH_OK;
  if (XXH3_64bits(g->data, g->stored_len) != g->check)
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: segment %u fails its checksum", g->id);
  g->cache = ogrh_malloc((size_t)g->raw_len + 1);
  if (!g->cache) return OGRH_ENOMEM;
  size_t got = ZSTD_decompressDCtx(s->dctx, g->cache, g->raw_len, g->data, g->stored_len);
  if (ZSTD_isError(got) || got != g->raw_len) {
    ogrh_free(g->cache, (size_t)g->raw_len + 1);
    g->cache = NULL;
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: segment %u does not decompress", g->id);
  }
  return OGRH_OK;
}

static void drop_caches(ogrh_store *s) {
  for (size_t i = 0; i < s->nsegs; i++) {
    ogrh_free(s->segs[i].cache, (size_t)s->segs[i].raw_len + 1);
    s->segs[i].cache = NULL;
  }
}

/* The raw bytes of an object, verified; they live in the arena a. */
static int get_obj(ogrh_store *s, uint32_t id, ogrh_arena *a, const uint8_t **out, size_t *n,
                   ogrh_err *err) {
  obj *o = find_obj(s, id);
  if (!o) return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: object %08x is missing", id);
  const uint8_t *src = o->data;
  if (o->where == OBJ_SEG) {
    seg *g = find_seg(s, o->seg);
    if (!g) return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: segment %u is missing", o->seg);
    int rc = seg_bytes(s, g, err);
    if (rc) return rc;
    src = g->cache + o->off;
  }
  if ((uint32_t)(XXH3_64bits(src, o->raw_len) >> 32) != o->check)
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: object %08x fails its checksum", id);
  if (a) {
    uint8_t *raw = ogrh_arena_alloc(a, (size_t)o->raw_len + 1);
    if (!raw) return OGRH_ENOMEM;
    memcpy(raw, src, o->raw_len);
    src = raw;
  }
  *out = src;
  *n = o->raw_len;
  return OGRH_OK;
}

/* ---- small binary helpers for tree objects ---- */

static void put_u32le(ogrh_buf *b, uint32_t v) {
  unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  ogrh_buf_add(b, x, 4);
}

static void put_u64le(ogrh_buf *b, uint64_t v) {
  for (int i = 0; i < 8; i++)
    ogrh_buf_addc(b, (char)(v >> (8 * i)));
}

typedef struct rd {
  const uint8_t *p, *end;
} rd;

/* LEB128 varints are the codec's (ogrh/codec.h). */
static int get_varint(rd *r, uint64_t *v) {
  return ogrh_varint_get(&r->p, r->end, v);
}

static int get_u32le(rd *r, uint32_t *v) {
  if (r->end - r->p < 4) return OGRH_ECORRUPT;
  *v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
       (uint32_t)r->p[3] << 24;
  r->p += 4;
  return OGRH_OK;
}

/* ---- snapshot <-> objects ---- */

static ogrh_table *subtable(const ogrh_table *t, const char *k) {
  const ogrh_value *v = t ? ogrh_table_gets(t, k) : NULL;
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

static bool is_item(const ogrh_entry *e) {
  return e->key.type == OGRH_INT && e->val.type == OGRH_TABLE;
}

/* A shallow copy of list without its raid/encounter entries (integer key, table value). */
static ogrh_table *without_items(ogrh_arena *a, const ogrh_table *list) {
  ogrh_table *n = ogrh_table_new(a, list->n);
  if (!n) return NULL;
  for (uint32_t i = 0; i < list->n; i++)
    if (!is_item(&list->e[i])) n->e[n->n++] = list->e[i];
  return n;
}

static ogrh_table *shallow(ogrh_arena *a, const ogrh_table *t) {
  ogrh_table *n = ogrh_table_new(a, t->n + 1);
  if (!n) return NULL;
  if (t->n) memcpy(n->e, t->e, t->n * sizeof *t->e);
  n->n = t->n;
  return n;
}

typedef struct builder {
  ogrh_store *s;
  ogrh_arena *a;
  ogrh_buf enc, tmp;
} builder;

static int put_blob(builder *b, const ogrh_value *v, uint32_t *id) {
  b->enc.n = 0;
  ogrh_buf_addc(&b->enc, 'B');
  int rc = ogrh_canon_encode(v, &b->enc);
  if (rc) return rc;
  return put_obj(b->s, b->enc.p, b->enc.n, id);
}

static int put_encounter(builder *b, const ogrh_table *enc, ogrh_digest dig, uint32_t *id) {
  if (digmap_get(&b->s->trees, dig, id) && find_obj(b->s, *id)) return OGRH_OK;
  uint32_t ids[OGRH_NCOMPONENTS];
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    /* The component's canonical encoding is its projection's: no tables need building. */
    b->enc.n = 0;
    ogrh_buf_addc(&b->enc, 'B');
    int rc = ogrh_component_encode(enc, c, &b->enc);
    if (!rc) rc = put_obj(b->s, b->enc.p, b->enc.n, &ids[c]);
    if (rc) return rc;
  }
  b->tmp.n = 0;
  ogrh_buf_addc(&b->tmp, 'E');
  put_u64le(&b->tmp, dig);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    put_u32le(&b->tmp, ids[c]);
  return put_obj(b->s, b->tmp.p, b->tmp.n, id);
}

static int put_raid(builder *b, const ogrh_table *raid, const ogrh_dt_raid *dr, uint32_t *id) {
  if (digmap_get(&b->s->trees, dr->digest, id) && find_obj(b->s, *id)) return OGRH_OK;
  const ogrh_value *ev = ogrh_table_gets(raid, "encounters");
  const ogrh_table *encs = ev && ev->type == OGRH_TABLE ? ev->u.t : NULL;
  ogrh_table *meta = raid->n ? shallow(b->a, raid) : ogrh_table_new(b->a, 1);
  if (!meta) return OGRH_ENOMEM;
  if (encs) {
    ogrh_table *rest = without_items(b->a, encs);
    ogrh_value k = ogrh_vcstr("encounters"), v = ogrh_vtable(rest);
    if (!rest || ogrh_table_set(b->a, meta, &k, &v)) return OGRH_ENOMEM;
  }
  uint32_t meta_id, n = 0;
  ogrh_value mv = ogrh_vtable(meta);
  int rc = put_blob(b, &mv, &meta_id);
  if (rc) return rc;
  for (uint32_t i = 0; encs && i < encs->n; i++)
    n += is_item(&encs->e[i]);
  uint32_t *eids = n ? ogrh_arena_alloc(b->a, n * sizeof *eids) : NULL;
  if (n && !eids) return OGRH_ENOMEM;
  if (n != dr->nencs) return OGRH_EINVAL;
  for (uint32_t i = 0, j = 0; encs && i < encs->n; i++)
    if (is_item(&encs->e[i])) {
      if ((rc = put_encounter(b, encs->e[i].val.u.t, dr->encs[j].digest, &eids[j]))) return rc;
      j++;
    }
  b->tmp.n = 0;
  ogrh_buf_addc(&b->tmp, 'R');
  put_u64le(&b->tmp, dr->digest);
  put_u32le(&b->tmp, meta_id);
  ogrh_varint_put(&b->tmp, n);
  for (uint32_t i = 0, j = 0; encs && i < encs->n; i++)
    if (is_item(&encs->e[i])) {
      ogrh_varint_put(&b->tmp, ogrh_zigzag(encs->e[i].key.u.i));
      put_u32le(&b->tmp, eids[j++]);
    }
  return put_obj(b->s, b->tmp.p, b->tmp.n, id);
}

/* The path to the raids list inside a file, as the chain of tables leading to it. */
typedef struct raids_loc {
  ogrh_table *sv, *v2, *em, *raids;
  bool v2_used;
} raids_loc;

static void locate(const ogrh_svfile *f, raids_loc *l) {
  memset(l, 0, sizeof *l);
  ogrh_value *sv = ogrh_svfile_get((ogrh_svfile *)f, "OGRH_SV");
  if (!sv || sv->type != OGRH_TABLE) return;
  l->sv = sv->u.t;
  ogrh_value *root = ogrh_svfile_schema_root(f);
  if (!root) return;
  l->v2_used = root != sv;
  if (l->v2_used) l->v2 = root->u.t;
  l->em = subtable(root->u.t, "encounterMgmt");
  l->raids = subtable(l->em, "raids");
}

/* The file as a list of {name, value} pairs, with its raids list emptied of raids. */
static int base_value(builder *b, const ogrh_svfile *f, const raids_loc *l, ogrh_value *out) {
  ogrh_table *pairs = ogrh_table_new(b->a, (uint32_t)f->n);
  if (!pairs) return OGRH_ENOMEM;
  for (size_t i = 0; i < f->n; i++) {
    ogrh_value v = f->vars[i].value;
    if (l->raids && strcmp(f->vars[i].name, "OGRH_SV") == 0) {
      /* Rebuild the chain OGRH_SV > [v2 >] encounterMgmt > raids with shallow copies. */
      ogrh_table *sv = shallow(b->a, l->sv), *em = shallow(b->a, l->em);
      ogrh_table *raids = without_items(b->a, l->raids);
      ogrh_table *v2 = l->v2_used ? shallow(b->a, l->v2) : NULL;
      if (!sv || !em || !raids || (l->v2_used && !v2)) return OGRH_ENOMEM;
      ogrh_value k = ogrh_vcstr("raids"), x = ogrh_vtable(raids);
      if (ogrh_table_set(b->a, em, &k, &x)) return OGRH_ENOMEM;
      k = ogrh_vcstr("encounterMgmt");
      x = ogrh_vtable(em);
      if (ogrh_table_set(b->a, v2 ? v2 : sv, &k, &x)) return OGRH_ENOMEM;
      if (v2) {
        k = ogrh_vcstr("v2");
        x = ogrh_vtable(v2);
        if (ogrh_table_set(b->a, sv, &k, &x)) return OGRH_ENOMEM;
      }
      v = ogrh_vtable(sv);
    }
    ogrh_table *pair = ogrh_table_new(b->a, 2);
    if (!pair) return OGRH_ENOMEM;
    pair->e[0].key = ogrh_vint(1);
    pair->e[0].val = ogrh_vcstr(f->vars[i].name);
    pair->e[1].key = ogrh_vint(2);
    pair->e[1].val = v;
    pair->n = 2;
    pairs->e[pairs->n].key = ogrh_vint((int64_t)i + 1);
    pairs->e[pairs->n++].val = ogrh_vtable(pair);
  }
  *out = ogrh_vtable(pairs);
  return OGRH_OK;
}

static int put_snapshot(builder *b, const ogrh_svfile *f, const ogrh_dtree *t, uint32_t *id) {
  raids_loc l;
  locate(f, &l);
  ogrh_value base;
  uint32_t base_id, n = 0;
  int rc = base_value(b, f, &l, &base);
  if (!rc) rc = put_blob(b, &base, &base_id);
  if (rc) return rc;
  for (uint32_t i = 0; l.raids && i < l.raids->n; i++)
    n += is_item(&l.raids->e[i]);
  uint32_t *rids = n ? ogrh_arena_alloc(b->a, n * sizeof *rids) : NULL;
  if (n && !rids) return OGRH_ENOMEM;
  ogrh_dt_top top;
  if (ogrh_dtree_top(t, &top) || n != top.nraids) return OGRH_EINVAL;
  for (uint32_t i = 0, j = 0; l.raids && i < l.raids->n; i++)
    if (is_item(&l.raids->e[i])) {
      const ogrh_dt_raid *dr;
      if ((rc = ogrh_dtree_raid(t, j, &dr)) ||
          (rc = put_raid(b, l.raids->e[i].val.u.t, dr, &rids[j])))
        return rc;
      j++;
    }
  b->tmp.n = 0;
  ogrh_buf_addc(&b->tmp, 'S');
  put_u32le(&b->tmp, base_id);
  ogrh_buf_addc(&b->tmp, l.raids ? 1 : 0);
  ogrh_varint_put(&b->tmp, n);
  for (uint32_t i = 0, j = 0; l.raids && i < l.raids->n; i++)
    if (is_item(&l.raids->e[i])) {
      ogrh_varint_put(&b->tmp, ogrh_zigzag(l.raids->e[i].key.u.i));
      put_u32le(&b->tmp, rids[j++]);
    }
  return put_obj(b->s, b->tmp.p, b->tmp.n, id);
}

/* Reading: objects back into values, every step checked. */
typedef struct reader {
  ogrh_store *s;
  ogrh_arena *a;
  ogrh_err *err;
} reader;

static int read_blob(reader *r, uint32_t id, ogrh_value *out) {
  const uint8_t *p;
  size_t n;
  int rc = get_obj(r->s, id, r->a, &p, &n, r->err);
  if (rc) return rc;
  if (n < 1 || p[0] != 'B' || ogrh_canon_decode(r->a, p + 1, n - 1, true, out, NULL))
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: object %08x is not a valid blob", id);
  return OGRH_OK;
}

static int set_key(ogrh_arena *a, ogrh_table *t, const char *k, const ogrh_value *v) {
  ogrh_value key = ogrh_vcstr(k);
  return ogrh_table_set(a, t, &key, v);
}

static int read_encounter(reader *r, uint32_t id, ogrh_value *out) {
  const uint8_t *p;
  size_t n;
  int rc = get_obj(r->s, id, r->a, &p, &n, r->err);
  if (rc) return rc;
  if (n != 9 + 4 * OGRH_NCOMPONENTS || p[0] != 'E')
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: object %08x is not an encounter", id);
  rd in = {p + 9, p + n};
  ogrh_value comp[OGRH_NCOMPONENTS];
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    uint32_t cid = 0;
    get_u32le(&in, &cid);
    if ((rc = read_blob(r, cid, &comp[c]))) return rc;
  }
  if (comp[0].type != OGRH_TABLE)
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: encounter %08x has no metadata", id);
  ogrh_table *enc = shallow(r->a, comp[0].u.t);
  if (!enc) return OGRH_ENOMEM;
  static const char *const slots[] = {"assignedPlayers", "raidMarks", "assignmentNumbers"};
  if (comp[1].type == OGRH_TABLE) {
    ogrh_table *roles = comp[1].u.t;
    for (uint32_t i = 0; i < roles->n; i++) {
      if (roles->e[i].val.type != OGRH_TABLE) continue;
      for (int f = 0; f < 3; f++) {
        const ogrh_value *x = comp[2 + f].type == OGRH_TABLE
                                  ? ogrh_table_get(comp[2 + f].u.t, &roles->e[i].key)
                                  : NULL;
        if (x && set_key(r->a, roles->e[i].val.u.t, slots[f], x)) return OGRH_ENOMEM;
      }
    }
  }
  if (comp[1].type != OGRH_NIL && set_key(r->a, enc, "roles", &comp[1])) return OGRH_ENOMEM;
  if (comp[5].type != OGRH_NIL && set_key(r->a, enc, "announcements", &comp[5])) return OGRH_ENOMEM;
  *out = ogrh_vtable(enc);
  return OGRH_OK;
}

/* Reads a list of (zigzag key, id) pairs into tab, each id through fn. */
static int read_items(reader *r, rd *in, ogrh_table *tab,
                      int (*fn)(reader *, uint32_t, ogrh_value *)) {
  uint64_t n;
  if (get_varint(in, &n) || n > (uint64_t)(in->end - in->p) / 5)
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: bad item list");
  for (uint64_t i = 0; i < n; i++) {
    uint64_t zk;
    uint32_t id;
    ogrh_value v;
    if (get_varint(in, &zk) || get_u32le(in, &id))
      return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: truncated item list");
    int rc = fn(r, id, &v);
    if (rc) return rc;
    ogrh_value k = ogrh_vint(ogrh_unzigzag(zk));
    if (ogrh_table_set(r->a, tab, &k, &v)) return OGRH_ENOMEM;
  }
  return OGRH_OK;
}

static int read_raid(reader *r, uint32_t id, ogrh_value *out) {
  const uint8_t *p;
  size_t n;
  int rc = get_obj(r->s, id, r->a, &p, &n, r->err);
  if (rc) return rc;
  if (n < 14 || p[0] != 'R')
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: object %08x is not a raid", id);
  rd in = {p + 9, p + n};
  uint32_t meta_id = 0;
  ogrh_value meta;
  get_u32le(&in, &meta_id);
  if ((rc = read_blob(r, meta_id, &meta))) return rc;
  if (meta.type != OGRH_TABLE)
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: raid %08x metadata is not a table",
                        id);
  ogrh_table *raid = shallow(r->a, meta.u.t);
  if (!raid) return OGRH_ENOMEM;
  ogrh_value *ev = ogrh_table_gets(raid, "encounters");
  ogrh_table *encs = NULL;
  if (ev && ev->type == OGRH_TABLE) {
    encs = shallow(r->a, ev->u.t);
    ogrh_value x = ogrh_vtable(encs);
    if (!encs || set_key(r->a, raid, "encounters", &x)) return OGRH_ENOMEM;
  }
  if (!encs) {
    uint64_t cnt;
    rd probe = in;
    if (get_varint(&probe, &cnt) || cnt)
      return ogrh_err_set(r->err, OGRH_ECORRUPT,
                          "backup store: raid %08x lists encounters without a list", id);
    *out = ogrh_vtable(raid);
    return OGRH_OK;
  }
  if ((rc = read_items(r, &in, encs, read_encounter))) return rc;
  *out = ogrh_vtable(raid);
  return OGRH_OK;
}

static int read_snapshot(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  ogrh_svfile *f = ogrh_svfile_new();
  if (!f) return OGRH_ENOMEM;
  reader r = {s, f->arena, err};
  const uint8_t *p;
  size_t n;
  int rc = get_obj(s, id, f->arena, &p, &n, err);
  if (!rc && (n < 7 || p[0] != 'S'))
    rc = ogrh_err_set(err, OGRH_ECORRUPT, "backup store: object %08x is not a snapshot", id);
  ogrh_value base;
  rd in = {p + 1, p + n};
  uint32_t base_id = 0;
  if (!rc) {
    get_u32le(&in, &base_id);
    rc = read_blob(&r, base_id, &base);
  }
  if (!rc && base.type != OGRH_TABLE)
    rc = ogrh_err_set(err, OGRH_ECORRUPT, "backup store: snapshot %08x has no file", id);
  for (uint32_t i = 0; !rc && i < base.u.t->n; i++) {
    const ogrh_value *pv = &base.u.t->e[i].val;
    const ogrh_value *nm = pv->type == OGRH_TABLE ? ogrh_table_geti(pv->u.t, 1) : NULL;
    const ogrh_value *vv = pv->type == OGRH_TABLE ? ogrh_table_geti(pv->u.t, 2) : NULL;
    if (!nm || nm->type != OGRH_STRING || !vv || memchr(nm->u.s, 0, nm->len)) {
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "backup store: snapshot %08x has a bad variable", id);
      break;
    }
    rc = ogrh_svfile_set(f, nm->u.s, vv);
  }
  bool present = !rc && in.p < in.end && *in.p++ == 1;
  if (!rc && present) {
    raids_loc l;
    locate(f, &l);
    if (!l.raids) {
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "backup store: snapshot %08x lost its raids list", id);
    } else {
      /* The base holds shallow copies made for this read: fill the raids list in place. */
      rc = read_items(&r, &in, l.raids, read_raid);
    }
  }
  if (rc) {
    ogrh_svfile_free(f);
    return rc;
  }
  *out = f;
  return OGRH_OK;
}

/* ---- the catalog ---- */

static int info_cmp(const void *a, const void *b) {
  const ogrh_backup_info *x = a, *y = b;
  if (x->timestamp != y->timestamp) return x->timestamp > y->timestamp ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id;
}

/* The JSON object of one backup's metadata: the catalog, exports and `backup list --json`. */
static json_t *info_json(const ogrh_backup_info *b) {
  json_t *o = json_object();
  char root_hex[17];
  snprintf(root_hex, sizeof root_hex, "%016llx", (unsigned long long)b->root);
  json_object_set_new(o, "id", json_integer(b->id));
  json_object_set_new(o, "time", json_integer(b->timestamp));
  json_object_set_new(o, "label", json_string(b->label));
  json_object_set_new(o, "reason", json_string(ogrh_reason_name(b->reason)));
  json_object_set_new(o, "raw", json_integer((json_int_t)b->raw_size));
  json_object_set_new(o, "stored", json_integer((json_int_t)b->stored_size));
  json_object_set_new(o, "pinned", json_boolean(b->pinned));
  json_object_set_new(o, "root", json_string(root_hex));
  json_object_set_new(o, "snapshot", json_integer(b->snapshot));
  json_object_set_new(o, "raids", json_integer(b->raids));
  json_object_set_new(o, "encounters", json_integer(b->encounters));
  return o;
}

int ogrh_backup_info_json(const ogrh_backup_info *b, ogrh_buf *out) {
  json_t *o = info_json(b);
  char *t = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  if (!t) return OGRH_ENOMEM;
  int rc = ogrh_buf_adds(out, t);
  ogrh_json_free(t);
  return rc;
}

static json_t *catalog_json(const ogrh_store *s) {
  json_t *root = json_object(), *arr = json_array();
  json_object_set_new(root, "format", json_integer(1));
  json_object_set_new(root, "next", json_integer(s->next_id));
  for (size_t i = 0; i < s->ninfo; i++)
    json_array_append_new(arr, info_json(&s->infos[i]));
  json_object_set_new(root, "backups", arr);
  return root;
}

static int info_from_json(json_t *o, ogrh_backup_info *b) {
  memset(b, 0, sizeof *b);
  json_t *x;
  const char *lab = json_string_value(json_object_get(o, "label"));
  const char *rea = json_string_value(json_object_get(o, "reason"));
  const char *root = json_string_value(json_object_get(o, "root"));
  if (!json_is_integer(x = json_object_get(o, "id")) || !lab || !rea || !root) return OGRH_ECORRUPT;
  b->id = (uint32_t)json_integer_value(x);
  b->timestamp = json_integer_value(json_object_get(o, "time"));
  snprintf(b->label, sizeof b->label, "%s", lab);
  int r = reason_parse(rea);
  if (r < 0) return OGRH_ECORRUPT;
  b->reason = (ogrh_backup_reason)r;
  b->raw_size = (uint64_t)json_integer_value(json_object_get(o, "raw"));
  b->stored_size = (uint64_t)json_integer_value(json_object_get(o, "stored"));
  b->pinned = json_is_true(json_object_get(o, "pinned"));
  b->root = strtoull(root, NULL, 16);
  b->snapshot = (uint32_t)json_integer_value(json_object_get(o, "snapshot"));
  b->raids = (uint32_t)json_integer_value(json_object_get(o, "raids"));
  b->encounters = (uint32_t)json_integer_value(json_object_get(o, "encounters"));
  return OGRH_OK;
}

static int add_info(ogrh_store *s, const ogrh_backup_info *b) {
  if (s->ninfo == s->capinfo) {
    size_t cap = s->capinfo ? s->capinfo * 2 : 16;
    ogrh_backup_info *n = ogrh_realloc(s->infos, s->capinfo * sizeof *n, cap * sizeof *n);
    if (!n) return OGRH_ENOMEM;
    s->infos = n;
    s->capinfo = cap;
  }
  s->infos[s->ninfo++] = *b;
  qsort(s->infos, s->ninfo, sizeof *s->infos, info_cmp);
  return OGRH_OK;
}

/* ---- the store file ---- */

static int parse_store(ogrh_store *s, ogrh_err *err) {
  const uint8_t *p = (const uint8_t *)s->file.p, *end = p + s->file.n;
  if (s->file.n < 24 || memcmp(p, STORE_MAGIC, 8) != 0)
    return ogrh_err_set(err, OGRH_ECORRUPT, "%s: not an ogrh backup store", s->path);
  rd in = {p + 8, end};
  uint32_t clen = 0;
  get_u32le(&in, &clen);
  uint64_t ccheck = 0;
  for (int i = 0; i < 8; i++)
    ccheck |= (uint64_t)in.p[i] << (8 * i);
  in.p += 8;
  if ((size_t)(end - in.p) < clen || XXH3_64bits(in.p, clen) != ccheck)
    return ogrh_err_set(err, OGRH_ECORRUPT, "%s: the backup catalog is damaged", s->path);
  json_error_t je;
  json_t *cat = json_loadb((const char *)in.p, clen, 0, &je);
  in.p += clen;
  json_t *arr = cat ? json_object_get(cat, "backups") : NULL;
  if (!json_is_array(arr)) {
    json_decref(cat);
    return ogrh_err_set(err, OGRH_ECORRUPT, "%s: the backup catalog is unreadable", s->path);
  }
  s->next_id = (uint32_t)json_integer_value(json_object_get(cat, "next"));
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    ogrh_backup_info b;
    if (info_from_json(o, &b) || add_info(s, &b)) {
      json_decref(cat);
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: backup entry %zu is damaged", s->path, i);
    }
  }
  json_decref(cat);
  uint32_t nseg = 0;
  if (get_u32le(&in, &nseg)) return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated", s->path);
  for (uint32_t k = 0; k < nseg; k++) {
    seg g;
    uint64_t raw, stored;
    memset(&g, 0, sizeof g);
    if (get_u32le(&in, &g.id) || get_varint(&in, &raw) || get_varint(&in, &stored) ||
        raw > UINT32_MAX || end - in.p < 8)
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated at segment %u", s->path, k);
    g.check = read_le64(in.p);
    in.p += 8;
    if (stored > (uint64_t)(end - in.p))
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated at segment %u", s->path, k);
    g.raw_len = (uint32_t)raw;
    g.stored_len = (uint32_t)stored;
    g.data = in.p;
    in.p += stored;
    if (find_seg(s, g.id))
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: segment %u stored twice", s->path, g.id);
    if (s->nsegs == s->capsegs) {
      size_t cap = s->capsegs ? s->capsegs * 2 : 8;
      seg *ns = ogrh_realloc(s->segs, s->capsegs * sizeof *ns, cap * sizeof *ns);
      if (!ns) return OGRH_ENOMEM;
      s->segs = ns;
      s->capsegs = cap;
    }
    s->segs[s->nsegs++] = g;
    if (g.id >= s->next_seg) s->next_seg = g.id + 1;
  }
  uint32_t nobj = 0;
  if (get_u32le(&in, &nobj)) return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated", s->path);
  for (uint32_t k = 0; k < nobj; k++) {
    obj o2;
    uint64_t raw, segid, off;
    memset(&o2, 0, sizeof o2);
    if (get_u32le(&in, &o2.id) || get_u32le(&in, &o2.check) || in.p >= end)
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated at object %u", s->path, k);
    o2.where = *in.p++;
    if (get_varint(&in, &raw) || raw > UINT32_MAX)
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated at object %u", s->path, k);
    o2.raw_len = (uint32_t)raw;
    if (o2.where == OBJ_RAW) {
      if (raw > (uint64_t)(end - in.p))
        return ogrh_err_set(err, OGRH_ECORRUPT, "%s: truncated at object %u", s->path, k);
      o2.data = in.p;
      in.p += raw;
      if (o2.raw_len >= 9 && (o2.data[0] == 'E' || o2.data[0] == 'R')) {
        o2.dig = read_le64(o2.data + 1);
        if (digmap_put(&s->trees, o2.dig, o2.id)) return OGRH_ENOMEM;
      }
    } else if (o2.where == OBJ_SEG) {
      seg *g;
      if (get_varint(&in, &segid) || get_varint(&in, &off) || segid > UINT32_MAX ||
          !(g = find_seg(s, (uint32_t)segid)) || off > g->raw_len || raw > g->raw_len - off)
        return ogrh_err_set(err, OGRH_ECORRUPT, "%s: object %u points outside its segment", s->path,
                            k);
      o2.seg = (uint32_t)segid;
      o2.off = (uint32_t)off;
      o2.data = g->data; /* not NULL: marks the slot used */
    } else {
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: object %u has an unknown kind", s->path, k);
    }
    if (grow_objs(s)) return OGRH_ENOMEM;
    obj *slot = slot_of(s, o2.id);
    if (slot->data)
      return ogrh_err_set(err, OGRH_ECORRUPT, "%s: object %08x stored twice", s->path, o2.id);
    *slot = o2;
    s->nobjs++;
  }
  return OGRH_OK;
}

/* Marks every object reachable from the backups (trees are read; blobs only marked). */
static int mark_tree(ogrh_store *s, uint32_t id, ogrh_arena *a) {
  obj *o = find_obj(s, id);
  if (!o) return OGRH_ECORRUPT;
  /* Backups share most of their trees: a marked tree has its whole subtree marked. */
  if (o->mark) return OGRH_OK;
  o->mark = true;
  const uint8_t *p;
  size_t n;
  int rc = get_obj(s, id, a, &p, &n, NULL);
  if (rc || n == 0) return rc ? rc : OGRH_ECORRUPT;
  rd in = {p + 1, p + n};
  uint32_t x;
  uint64_t cnt, k;
  if ((p[0] == 'E' || p[0] == 'R') && n >= 9) in.p += 8;
  switch (p[0]) {
  case 'B':
    return OGRH_OK;
  case 'E':
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      if (get_u32le(&in, &x) || !find_obj(s, x)) return OGRH_ECORRUPT;
      find_obj(s, x)->mark = true;
    }
    return OGRH_OK;
  case 'R':
  case 'S':
    if (get_u32le(&in, &x) || !find_obj(s, x)) return OGRH_ECORRUPT;
    find_obj(s, x)->mark = true;
    if (p[0] == 'S') in.p++;
    if (get_varint(&in, &cnt)) return OGRH_ECORRUPT;
    for (uint64_t i = 0; i < cnt; i++) {
      if (get_varint(&in, &k) || get_u32le(&in, &x)) return OGRH_ECORRUPT;
      if ((rc = mark_tree(s, x, a))) return rc;
    }
    return OGRH_OK;
  }
  return OGRH_ECORRUPT;
}

/* Writes the store (live objects only) atomically. New blobs, and the live blobs of segments
** now mostly dead, go into one new segment. */
static int save(ogrh_store *s, ogrh_err *err) {
  for (size_t i = 0; i < s->capobjs; i++)
    s->objs[i].mark = false;
  for (size_t i = 0; i < s->nsegs; i++)
    s->segs[i].live = 0;
  ogrh_arena *tmp = ogrh_arena_new();
  if (!tmp) return OGRH_ENOMEM;
  for (size_t i = 0; i < s->ninfo; i++)
    if (mark_tree(s, s->infos[i].snapshot, tmp)) {
      /* A damaged backup keeps whatever of it still exists: never collect its objects. */
      for (size_t j = 0; j < s->capobjs; j++)
        s->objs[j].mark |= s->objs[j].data != NULL;
      break;
    }
  ogrh_arena_free(tmp);
  for (size_t i = 0; i < s->capobjs; i++) {
    obj *o = &s->objs[i];
    seg *g = o->data && o->mark && o->where == OBJ_SEG ? find_seg(s, o->seg) : NULL;
    if (g) g->live += o->raw_len;
  }
  /* The new segment: pending blobs, and what is live in segments at most half alive. */
  ogrh_buf nraw;
  ogrh_buf_init(&nraw);
  uint32_t nid = s->next_seg;
  int rc = OGRH_OK;
  for (size_t i = 0; i < s->capobjs && !rc; i++) {
    obj *o = &s->objs[i];
    if (!o->data || !o->mark) continue;
    bool blob = false;
    if (o->where == OBJ_PENDING) {
      blob = o->raw_len && o->data[0] == 'B';
    } else if (o->where == OBJ_SEG) {
      seg *g = find_seg(s, o->seg);
      blob = g && g->live * 2 < g->raw_len;
      if (blob && (rc = seg_bytes(s, g, err))) break;
    }
    if (!blob) continue;
    const uint8_t *src = o->where == OBJ_SEG ? find_seg(s, o->seg)->cache + o->off : o->data;
    o->off = (uint32_t)nraw.n;
    rc = ogrh_buf_add(&nraw, src, o->raw_len);
    o->seg = nid;
    o->where = OBJ_SEG;
  }
  size_t zcap = nraw.n ? ZSTD_compressBound(nraw.n) : 0;
  uint8_t *z = zcap ? ogrh_malloc(zcap) : NULL;
  size_t zn = 0;
  if (!rc && zcap) {
    zn = z ? ZSTD_compressCCtx(s->cctx, z, zcap, nraw.p, nraw.n, 3) : 0;
    if (!z || ZSTD_isError(zn)) rc = OGRH_ENOMEM;
  }
  /* What this save adds is what the new backup costs. */
  size_t added = zn ? zn + 20 : 0;
  for (size_t i = 0; i < s->capobjs; i++)
    if (s->objs[i].data && s->objs[i].mark && s->objs[i].where == OBJ_PENDING)
      added += 12 + s->objs[i].raw_len;
  for (size_t i = 0; i < s->capobjs; i++)
    if (s->objs[i].data && s->objs[i].mark && s->objs[i].where == OBJ_SEG && s->objs[i].seg == nid)
      added += 14;
  for (size_t i = 0; i < s->ninfo; i++)
    if (s->infos[i].stored_size == UINT64_MAX) s->infos[i].stored_size = added;
  ogrh_buf b;
  ogrh_buf_init(&b);
  json_t *cat = rc ? NULL : catalog_json(s);
  char *ctext = cat ? json_dumps(cat, JSON_COMPACT) : NULL;
  json_decref(cat);
  if (!rc && !ctext) rc = OGRH_ENOMEM;
  size_t nsegs_out = 0;
  if (!rc) {
    size_t clen = strlen(ctext);
    ogrh_buf_add(&b, STORE_MAGIC, 8);
    put_u32le(&b, (uint32_t)clen);
    put_u64le(&b, XXH3_64bits(ctext, clen));
    ogrh_buf_add(&b, ctext, clen);
    for (size_t i = 0; i < s->nsegs; i++)
      nsegs_out += s->segs[i].live * 2 >= s->segs[i].raw_len && s->segs[i].live;
    put_u32le(&b, (uint32_t)(nsegs_out + (zn ? 1 : 0)));
    for (size_t i = 0; i < s->nsegs; i++) {
      seg *g = &s->segs[i];
      if (!(g->live && g->live * 2 >= g->raw_len)) continue;
      put_u32le(&b, g->id);
      ogrh_varint_put(&b, g->raw_len);
      ogrh_varint_put(&b, g->stored_len);
      put_u64le(&b, g->check);
      ogrh_buf_add(&b, g->data, g->stored_len);
    }
    if (zn) {
      put_u32le(&b, nid);
      ogrh_varint_put(&b, nraw.n);
      ogrh_varint_put(&b, zn);
      put_u64le(&b, XXH3_64bits(z, zn));
      ogrh_buf_add(&b, z, zn);
    }
    uint32_t live = 0;
    for (size_t i = 0; i < s->capobjs; i++)
      live += s->objs[i].data && s->objs[i].mark;
    put_u32le(&b, live);
    for (size_t i = 0; i < s->capobjs; i++) {
      obj *o = &s->objs[i];
      if (!o->data || !o->mark) continue;
      put_u32le(&b, o->id);
      put_u32le(&b, o->check);
      ogrh_buf_addc(&b, o->where == OBJ_SEG ? OBJ_SEG : OBJ_RAW);
      ogrh_varint_put(&b, o->raw_len);
      if (o->where == OBJ_SEG) {
        ogrh_varint_put(&b, o->seg);
        ogrh_varint_put(&b, o->off);
      } else {
        ogrh_buf_add(&b, o->data, o->raw_len);
      }
    }
    if (!b.p) rc = OGRH_ENOMEM;
  }
  ogrh_json_free(ctext);
  ogrh_free(z, zcap);
  ogrh_buf_deinit(&nraw);
  if (!rc) rc = ogrh_write_file_atomic(s->path, b.p, b.n);
  /*
  ** Reload the in-memory state from the bytes now on disk (the new store, or the old one if
  ** the write failed), so segment ids and pointers match the file exactly. After a successful
  ** write those bytes are still in b: no need to read them back.
  */
  drop_caches(s);
  ogrh_buf_deinit(&s->file);
  ogrh_free(s->objs, s->capobjs * sizeof *s->objs);
  s->objs = NULL;
  s->capobjs = s->nobjs = 0;
  digmap_free(&s->trees);
  s->nsegs = 0;
  s->ninfo = 0;
  ogrh_arena_free(s->arena);
  s->arena = ogrh_arena_new();
  int rc2 = OGRH_OK;
  if (!s->arena) {
    rc2 = OGRH_ENOMEM;
  } else if (!rc) {
    s->file = b;
    ogrh_buf_init(&b);
  } else {
    rc2 = ogrh_read_file(s->path, &s->file);
  }
  ogrh_buf_deinit(&b);
  if (!rc2) rc2 = parse_store(s, err);
  s->bytes = s->file.n;
  if (rc)
    return ogrh_err_set(err, rc, "%s: cannot write the backup store: %s", s->path,
                        ogrh_strerror(rc));
  return rc2;
}

/* A crash during a write leaves store.ogrhbk.tmp.XXXXXX behind; holding the lock, we own them. */
static void remove_stale_temporaries(ogrh_store *s) {
  DIR *d = opendir(s->dir);
  if (!d) return;
  struct dirent *e;
  char path[4400];
  while ((e = readdir(d)))
    if (strncmp(e->d_name, STORE_FILE ".tmp.", sizeof STORE_FILE + 4) == 0) {
      snprintf(path, sizeof path, "%s/%s", s->dir, e->d_name);
      unlink(path);
    }
  closedir(d);
}

int ogrh_store_open(const char *svpath, ogrh_store **out, ogrh_err *err) {
  *out = NULL;
  ogrh_store *s = ogrh_malloc(sizeof *s);
  if (!s) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  memset(s, 0, sizeof *s);
  s->lockfd = -1;
  size_t n = strlen(svpath);
  s->dirlen = n + 9;
  s->dir = ogrh_malloc(s->dirlen + 1);
  s->pathlen = s->dirlen + sizeof STORE_FILE + 2;
  s->path = ogrh_malloc(s->pathlen);
  s->arena = ogrh_arena_new();
  s->cctx = ZSTD_createCCtx();
  s->dctx = ZSTD_createDCtx();
  if (!s->dir || !s->path || !s->arena || !s->cctx || !s->dctx) {
    ogrh_store_close(s);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  snprintf(s->dir, s->dirlen + 1, "%s.backups", svpath);
  snprintf(s->path, s->pathlen, "%s/%s", s->dir, STORE_FILE);
  if (mkdir(s->dir, 0755) != 0 && errno != EEXIST) {
    int e = errno;
    ogrh_store_close(s);
    return ogrh_err_set(err, OGRH_EIO, "%s.backups: cannot create: %s", svpath, strerror(e));
  }
  char lock[4096];
  snprintf(lock, sizeof lock, "%s/LOCK", s->dir);
  s->lockfd = open(lock, O_RDWR | O_CREAT, 0644);
  if (s->lockfd < 0 || flock(s->lockfd, LOCK_EX | LOCK_NB) != 0) {
    bool busy = s->lockfd >= 0 && errno == EWOULDBLOCK;
    ogrh_store_close(s);
    if (busy)
      return ogrh_err_set(err, OGRH_ELOCKED,
                          "%s.backups is locked: another ogrh process is using it", svpath);
    return ogrh_err_set(err, OGRH_EIO, "%s.backups: cannot take the lock", svpath);
  }
  remove_stale_temporaries(s);
  int rc = ogrh_read_file(s->path, &s->file);
  if (rc == OGRH_ENOTFOUND) {
    s->next_id = 1;
    *out = s;
    return OGRH_OK;
  }
  if (!rc)
    rc = parse_store(s, err);
  else
    ogrh_err_set(err, rc, "%s: cannot read: %s", s->path, ogrh_strerror(rc));
  if (rc) {
    ogrh_store_close(s);
    return rc;
  }
  if (s->next_id == 0) s->next_id = 1;
  s->bytes = s->file.n;
  *out = s;
  return OGRH_OK;
}

void ogrh_store_close(ogrh_store *s) {
  if (!s) return;
  if (s->lockfd >= 0) close(s->lockfd); /* releases the lock */
  ogrh_free(s->dir, s->dirlen + 1);
  ogrh_free(s->path, s->pathlen);
  ogrh_buf_deinit(&s->file);
  ogrh_arena_free(s->arena);
  ogrh_free(s->objs, s->capobjs * sizeof *s->objs);
  ogrh_free(s->infos, s->capinfo * sizeof *s->infos);
  digmap_free(&s->trees);
  drop_caches(s);
  ogrh_free(s->segs, s->capsegs * sizeof *s->segs);
  ZSTD_freeCCtx(s->cctx);
  ZSTD_freeDCtx(s->dctx);
  ogrh_free(s, sizeof *s);
}

size_t ogrh_store_count(const ogrh_store *s) {
  return s->ninfo;
}
const ogrh_backup_info *ogrh_store_at(const ogrh_store *s, size_t i) {
  return i < s->ninfo ? &s->infos[i] : NULL;
}
const ogrh_backup_info *ogrh_store_find(const ogrh_store *s, uint32_t id) {
  for (size_t i = 0; i < s->ninfo; i++)
    if (s->infos[i].id == id) return &s->infos[i];
  return NULL;
}
uint64_t ogrh_store_bytes(const ogrh_store *s) {
  return s->bytes;
}

/* ---- operations ---- */

static void count_doc(const ogrh_svfile *f, uint32_t *raids, uint32_t *encs) {
  raids_loc l;
  locate(f, &l);
  *raids = *encs = 0;
  for (uint32_t i = 0; l.raids && i < l.raids->n; i++) {
    if (!is_item(&l.raids->e[i])) continue;
    (*raids)++;
    ogrh_table *e = subtable(l.raids->e[i].val.u.t, "encounters");
    for (uint32_t j = 0; e && j < e->n; j++)
      *encs += is_item(&e->e[j]);
  }
}

static int root_digest(const ogrh_svfile *f, ogrh_digest *out) {
  ogrh_dtree *t;
  static const ogrh_value nil = {0};
  const ogrh_value *root = ogrh_svfile_schema_root(f);
  int rc = ogrh_dtree_build_root(root ? root : &nil, &t);
  if (rc) return rc;
  rc = ogrh_dtree_root(t, out);
  ogrh_dtree_free(t);
  return rc;
}

static int add_backup(ogrh_store *s, const ogrh_svfile *f, const char *label,
                      ogrh_backup_reason reason, bool pin, int64_t now, uint64_t raw_size,
                      ogrh_backup_info *info, ogrh_err *err) {
  builder b = {s, ogrh_arena_new(), {0}, {0}};
  if (!b.a) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  ogrh_buf_init(&b.enc);
  ogrh_buf_init(&b.tmp);
  ogrh_backup_info bi;
  memset(&bi, 0, sizeof bi);
  /* The digest tree names every raid and encounter by content: unchanged ones are reused. */
  static const ogrh_value nil = {0};
  const ogrh_value *root = ogrh_svfile_schema_root(f);
  ogrh_dtree *t = NULL;
  int rc = ogrh_dtree_build_root(root ? root : &nil, &t);
  if (!rc) rc = put_snapshot(&b, f, t, &bi.snapshot);
  if (!rc) rc = ogrh_dtree_root(t, &bi.root);
  ogrh_dtree_free(t);
  if (!rc && !raw_size) {
    ogrh_buf text;
    ogrh_buf_init(&text);
    rc = ogrh_svfile_write(f, &text);
    raw_size = text.n;
    ogrh_buf_deinit(&text);
  }
  ogrh_buf_deinit(&b.enc);
  ogrh_buf_deinit(&b.tmp);
  ogrh_arena_free(b.a);
  if (rc) return ogrh_err_set(err, rc, "cannot snapshot the file: %s", ogrh_strerror(rc));
  bi.id = s->next_id++;
  bi.timestamp = now;
  snprintf(bi.label, sizeof bi.label, "%s", label ? label : "");
  bi.reason = reason;
  bi.raw_size = raw_size;
  bi.stored_size = UINT64_MAX; /* known at the next save */
  bi.pinned = pin || reason == OGRH_REASON_MANUAL;
  count_doc(f, &bi.raids, &bi.encounters);
  if ((rc = add_info(s, &bi))) return rc;
  if (info) *info = bi;
  return OGRH_OK;
}

static void remove_info(ogrh_store *s, uint32_t id) {
  for (size_t i = 0; i < s->ninfo; i++)
    if (s->infos[i].id == id) {
      memmove(&s->infos[i], &s->infos[i + 1], (s->ninfo - i - 1) * sizeof *s->infos);
      s->ninfo--;
      return;
    }
}

/* The retention policy on the catalog only; the caller saves. protect is never removed. */
static size_t prune_catalog(ogrh_store *s, int64_t now, uint32_t protect) {
  size_t deleted = 0, unpinned = 0;
  for (size_t i = 0; i < s->ninfo;) {
    ogrh_backup_info *b = &s->infos[i];
    if (b->pinned || b->id == protect) {
      unpinned += !b->pinned;
      i++;
      continue;
    }
    unpinned++;
    bool too_many = unpinned > OGRH_BACKUP_KEEP;
    bool too_old = now - b->timestamp > OGRH_BACKUP_MAX_AGE && s->ninfo > OGRH_BACKUP_MIN;
    if (too_many || too_old) {
      remove_info(s, b->id);
      unpinned--;
      deleted++;
      continue;
    }
    i++;
  }
  return deleted;
}

int ogrh_backup_create(ogrh_store *s, const ogrh_svfile *f, const char *label,
                       ogrh_backup_reason reason, bool pin, int64_t now, uint64_t raw_size,
                       ogrh_backup_info *info, ogrh_err *err) {
  if (reason >= OGRH_NREASONS) return ogrh_err_set(err, OGRH_EINVAL, "unknown backup reason");
  ogrh_backup_info bi;
  int rc = add_backup(s, f, label, reason, pin, now, raw_size, &bi, err);
  if (rc) return rc;
  prune_catalog(s, now, bi.id);
  if ((rc = save(s, err))) return rc;
  if (info) *info = *ogrh_store_find(s, bi.id);
  return OGRH_OK;
}

int ogrh_backup_load(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  const ogrh_backup_info *bi = ogrh_store_find(s, id);
  if (!bi) return ogrh_err_set(err, OGRH_ENOTFOUND, "no backup with id %u", id);
  ogrh_svfile *f;
  int rc = read_snapshot(s, bi->snapshot, &f, err);
  if (rc) return rc;
  ogrh_digest root;
  if ((rc = root_digest(f, &root))) {
    ogrh_svfile_free(f);
    return ogrh_err_set(err, rc, "backup %u: cannot verify: %s", id, ogrh_strerror(rc));
  }
  if (root != bi->root) {
    ogrh_svfile_free(f);
    return ogrh_err_set(err, OGRH_ECORRUPT,
                        "backup %u is damaged: its data does not match its recorded digest", id);
  }
  *out = f;
  return OGRH_OK;
}

/* Keeps the raw bytes of a file that cannot be parsed (and so cannot be snapshotted). */
static int keep_raw_copy(ogrh_store *s, const char *svpath, const char *why, int64_t now,
                         ogrh_err *err) {
  ogrh_buf raw;
  ogrh_buf_init(&raw);
  int rc = ogrh_read_file(svpath, &raw);
  if (rc == OGRH_ENOTFOUND) {
    ogrh_buf_deinit(&raw);
    return OGRH_OK;
  }
  char path[4200];
  snprintf(path, sizeof path, "%s/unparsable-%s-%lld.lua", s->dir, why, (long long)now);
  if (!rc) rc = ogrh_write_file_atomic(path, raw.p ? raw.p : "", raw.n);
  ogrh_buf_deinit(&raw);
  if (rc) return ogrh_err_set(err, rc, "%s: cannot keep a copy: %s", path, ogrh_strerror(rc));
  return OGRH_OK;
}

/* Snapshot of what is on disk now, before a destructive change. */
static int safety_backup(ogrh_store *s, const char *svpath, ogrh_backup_reason reason,
                         const char *label, int64_t now, ogrh_backup_info *info, ogrh_err *err) {
  ogrh_svfile *cur;
  ogrh_err perr;
  struct stat st;
  if (info) memset(info, 0, sizeof *info);
  if (stat(svpath, &st) != 0) return OGRH_OK; /* nothing to lose */
  if (ogrh_svfile_load(svpath, &cur, &perr))
    return keep_raw_copy(s, svpath, "before-change", now, err);
  ogrh_backup_info bi;
  int rc = add_backup(s, cur, label, reason, false, now, (uint64_t)st.st_size, &bi, err);
  ogrh_svfile_free(cur);
  if (rc) return rc;
  prune_catalog(s, now, bi.id);
  if ((rc = save(s, err))) return rc;
  if (info) *info = *ogrh_store_find(s, bi.id);
  return OGRH_OK;
}

int ogrh_backup_restore(ogrh_store *s, const char *svpath, uint32_t id, int64_t now,
                        ogrh_backup_info *safety, ogrh_err *err) {
  /* Verify first: a damaged snapshot must not even cost a safety backup. */
  ogrh_svfile *f;
  int rc = ogrh_backup_load(s, id, &f, err);
  if (rc) return rc;
  char label[64];
  snprintf(label, sizeof label, "before restoring backup %u", id);
  if ((rc = safety_backup(s, svpath, OGRH_REASON_BEFORE_RESTORE, label, now, safety, err))) {
    ogrh_svfile_free(f);
    return rc;
  }
  rc = ogrh_svfile_save(f, svpath, err);
  ogrh_svfile_free(f);
  return rc;
}

int ogrh_backup_delete(ogrh_store *s, uint32_t id, bool confirmed, ogrh_err *err) {
  const ogrh_backup_info *bi = ogrh_store_find(s, id);
  if (!bi) return ogrh_err_set(err, OGRH_ENOTFOUND, "no backup with id %u", id);
  if (s->ninfo <= OGRH_BACKUP_MIN)
    return ogrh_err_set(err, OGRH_EREFUSED, "Cannot delete - minimum %d backups required",
                        OGRH_BACKUP_MIN);
  if ((bi->reason == OGRH_REASON_MANUAL || bi->pinned) && !confirmed)
    return ogrh_err_set(err, OGRH_EREFUSED,
                        "backup %u is a %s backup: confirm the deletion (--yes)", id,
                        bi->reason == OGRH_REASON_MANUAL ? "manual" : "pinned");
  remove_info(s, id);
  return save(s, err);
}

int ogrh_backup_pin(ogrh_store *s, uint32_t id, bool pin, ogrh_err *err) {
  for (size_t i = 0; i < s->ninfo; i++)
    if (s->infos[i].id == id) {
      s->infos[i].pinned = pin;
      return save(s, err);
    }
  return ogrh_err_set(err, OGRH_ENOTFOUND, "no backup with id %u", id);
}

int ogrh_backup_prune(ogrh_store *s, int64_t now, size_t *deleted, ogrh_err *err) {
  size_t d = prune_catalog(s, now, 0);
  if (deleted) *deleted = d;
  return d ? save(s, err) : OGRH_OK;
}

int ogrh_backup_before(const char *svpath, ogrh_backup_reason reason, const char *label,
                       int64_t now, ogrh_backup_info *info, ogrh_err *err) {
  ogrh_store *s;
  int rc = ogrh_store_open(svpath, &s, err);
  if (rc) return rc;
  rc = safety_backup(s, svpath, reason, label, now, info, err);
  ogrh_store_close(s);
  return rc;
}

/* ---- export / import ---- */

static int pairs_value(ogrh_arena *a, const ogrh_svfile *f, ogrh_value *out) {
  ogrh_table *pairs = ogrh_table_new(a, (uint32_t)f->n);
  if (!pairs) return OGRH_ENOMEM;
  for (size_t i = 0; i < f->n; i++) {
    ogrh_table *pair = ogrh_table_new(a, 2);
    if (!pair) return OGRH_ENOMEM;
    pair->e[0].key = ogrh_vint(1);
    pair->e[0].val = ogrh_vcstr(f->vars[i].name);
    pair->e[1].key = ogrh_vint(2);
    pair->e[1].val = f->vars[i].value;
    pair->n = 2;
    pairs->e[pairs->n].key = ogrh_vint((int64_t)i + 1);
    pairs->e[pairs->n++].val = ogrh_vtable(pair);
  }
  *out = ogrh_vtable(pairs);
  return OGRH_OK;
}

int ogrh_backup_export(ogrh_store *s, uint32_t id, ogrh_buf *line, ogrh_err *err) {
  ogrh_svfile *f;
  int rc = ogrh_backup_load(s, id, &f, err);
  if (rc) return rc;
  const ogrh_backup_info *bi = ogrh_store_find(s, id);
  ogrh_value pv;
  ogrh_buf enc, meta;
  ogrh_buf_init(&enc);
  ogrh_buf_init(&meta);
  rc = pairs_value(f->arena, f, &pv);
  if (!rc) rc = ogrh_canon_encode(&pv, &enc);
  size_t bound = ZSTD_compressBound(enc.n);
  uint8_t *z = rc ? NULL : ogrh_malloc(bound);
  size_t zn = z ? ZSTD_compressCCtx(s->cctx, z, bound, enc.p, enc.n, 19) : 0;
  if (!rc && (!z || ZSTD_isError(zn))) rc = OGRH_ENOMEM;
  if (!rc) {
    json_t *o = info_json(bi);
    char *m = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    uint64_t check = XXH3_64bits(z, zn);
    ogrh_buf_adds(line, EXPORT_TAG " ");
    ogrh_base64_encode(m, strlen(m), line);
    ogrh_json_free(m);
    ogrh_buf_addc(line, ' ');
    ogrh_base64_encode(z, zn, line);
    ogrh_buf_printf(line, " %016llx\n", (unsigned long long)check);
  }
  ogrh_free(z, bound);
  ogrh_buf_deinit(&enc);
  ogrh_buf_deinit(&meta);
  ogrh_svfile_free(f);
  if (rc) return ogrh_err_set(err, rc, "cannot export backup %u: %s", id, ogrh_strerror(rc));
  return OGRH_OK;
}

int ogrh_backup_decode_line(const char *text, size_t n, ogrh_svfile **out, ogrh_backup_info *info,
                            ogrh_err *err) {
  *out = NULL;
  while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
    n--;
  while (n && (*text == ' ' || *text == '\n'))
    text++, n--;
  const char *f[4];
  size_t fl[4], k = 0;
  const char *p = text, *end = text + n;
  while (k < 4 && p < end) {
    const char *q = memchr(p, ' ', (size_t)(end - p));
    if (!q) q = end;
    f[k] = p;
    fl[k++] = (size_t)(q - p);
    p = q < end ? q + 1 : end;
  }
  if (k != 4 || p != end || fl[0] != strlen(EXPORT_TAG) || memcmp(f[0], EXPORT_TAG, fl[0]) != 0)
    return ogrh_err_set(err, OGRH_ESYNTAX,
                        "not an exported backup (expected: " EXPORT_TAG " META DATA CHECKSUM)");
  ogrh_buf meta, z, raw;
  ogrh_buf_init(&meta);
  ogrh_buf_init(&z);
  ogrh_buf_init(&raw);
  ogrh_svfile *sf = NULL;
  int rc = OGRH_OK;
  char hex[17];
  if (fl[3] != 16) rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad checksum field");
  if (!rc && (ogrh_base64_decode(f[1], fl[1], &meta) || ogrh_base64_decode(f[2], fl[2], &z)))
    rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad base64 (was the line cut?)");
  if (!rc) {
    memcpy(hex, f[3], 16);
    hex[16] = '\0';
    if (strtoull(hex, NULL, 16) != XXH3_64bits(z.p ? z.p : "", z.n))
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: checksum mismatch (damaged text)");
  }
  unsigned long long size = 0;
  if (!rc) {
    size = ZSTD_getFrameContentSize(z.p, z.n);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > MAX_SNAPSHOT)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad compressed data");
  }
  if (!rc && ogrh_buf_reserve(&raw, (size_t)size + 1)) rc = OGRH_ENOMEM;
  if (!rc) {
    size_t got = ZSTD_decompress(raw.p, (size_t)size + 1, z.p, z.n);
    if (ZSTD_isError(got) || got != size)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: data does not decompress");
    raw.n = got;
  }
  json_t *m = NULL;
  if (!rc) {
    json_error_t je;
    m = json_loadb(meta.p, meta.n, 0, &je);
    ogrh_backup_info bi;
    memset(&bi, 0, sizeof bi);
    const char *root = m ? json_string_value(json_object_get(m, "root")) : NULL;
    const char *lab = m ? json_string_value(json_object_get(m, "label")) : NULL;
    const char *rea = m ? json_string_value(json_object_get(m, "reason")) : NULL;
    if (!root || !lab) {
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad metadata");
    } else {
      bi.root = strtoull(root, NULL, 16);
      bi.timestamp = json_integer_value(json_object_get(m, "time"));
      bi.id = (uint32_t)json_integer_value(json_object_get(m, "id"));
      snprintf(bi.label, sizeof bi.label, "%s", lab);
      int r = rea ? reason_parse(rea) : -1;
      bi.reason = r < 0 ? OGRH_REASON_IMPORTED : (ogrh_backup_reason)r;
      if (info) *info = bi;
    }
  }
  json_decref(m);
  if (!rc) {
    sf = ogrh_svfile_new();
    ogrh_value pv;
    if (!sf)
      rc = OGRH_ENOMEM;
    else if (ogrh_canon_decode(sf->arena, (const uint8_t *)raw.p, raw.n, true, &pv, NULL) ||
             pv.type != OGRH_TABLE)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad snapshot encoding");
    for (uint32_t i = 0; !rc && i < pv.u.t->n; i++) {
      const ogrh_value *pair = &pv.u.t->e[i].val;
      const ogrh_value *nm = pair->type == OGRH_TABLE ? ogrh_table_geti(pair->u.t, 1) : NULL;
      const ogrh_value *vv = pair->type == OGRH_TABLE ? ogrh_table_geti(pair->u.t, 2) : NULL;
      if (!nm || nm->type != OGRH_STRING || !vv || memchr(nm->u.s, 0, nm->len))
        rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad variable");
      else
        rc = ogrh_svfile_set(sf, nm->u.s, vv);
    }
  }
  if (!rc && info) {
    ogrh_digest root;
    if ((rc = root_digest(sf, &root)) == OGRH_OK && root != info->root)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: data does not match its digest");
  }
  ogrh_buf_deinit(&meta);
  ogrh_buf_deinit(&z);
  ogrh_buf_deinit(&raw);
  if (rc) {
    ogrh_svfile_free(sf);
    return rc;
  }
  *out = sf;
  return OGRH_OK;
}

int ogrh_backup_import(ogrh_store *s, const char *text, size_t n, int64_t now,
                       ogrh_backup_info *info, ogrh_err *err) {
  ogrh_svfile *f;
  ogrh_backup_info orig;
  int rc = ogrh_backup_decode_line(text, n, &f, &orig, err);
  if (rc) return rc;
  char label[128];
  snprintf(label, sizeof label, "%.100s (imported)", orig.label);
  rc = ogrh_backup_create(s, f, label, OGRH_REASON_IMPORTED, true, now, 0, info, err);
  ogrh_svfile_free(f);
  return rc;
}
