/*
** digest.c
** The digest tree: canonical encoding, component projections, full builds, incremental
** updates driven by the document's change records, the scrub, and the addon-compatible
** 31-bit hash.
*/
#include "ogrh/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Inlined: the tree hashes many short inputs, where call and dispatch overhead dominate. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* Seeds separate the levels, so equal bytes at different levels never give equal digests. */
#define SEED_COMP UINT64_C(0x6f67726843000000) /* + component index */
#define SEED_ENC UINT64_C(0x6f67726845000000)
#define SEED_META UINT64_C(0x6f6772684d000000)
#define SEED_LIST UINT64_C(0x6f6772684c000000)
#define SEED_OWN UINT64_C(0x6f6772684f000000)
#define SEED_RAID UINT64_C(0x6f67726852000000)
#define SEED_GLOBAL UINT64_C(0x6f67726847000000) /* + global index */
#define SEED_RAIDS UINT64_C(0x6f67726853000000)
#define SEED_ROOT UINT64_C(0x6f67726844000000)

enum { T_NIL = 0, T_FALSE = 1, T_TRUE = 2, T_INT = 3, T_DOUBLE = 4, T_STRING = 5, T_TABLE = 6 };

typedef struct dirty_item {
  int64_t raid, enc;
  unsigned comps;
  bool raid_meta, raid_all;
} dirty_item;

struct ogrh_dtree_priv {
  ogrh_doc *doc;          /* attached document, or NULL */
  const ogrh_value *root; /* for trees built from a value */
  int token;
  ogrh_arena *names;
  ogrh_buf scratch;
  ogrh_buf slot[3]; /* per-slot component streams of a one-pass encounter build */
  bool all_dirty, raidlist_dirty;
  unsigned globals_dirty;
  dirty_item *dirty;
  size_t ndirty, capdirty;
};

/* ---- canonical encoding ----
** The encoder writes straight into the buffer after one capacity check per value: this is
** the innermost loop of every full build, and going through ogrh_buf_add for each byte group
** cost more than the hashing itself. Buffers stay NUL-terminated only at the end.
*/

static inline int room(ogrh_buf *b, size_t n) {
  return b->cap - b->n > n + 1 ? OGRH_OK : ogrh_buf_reserve(b, n + 1);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OGRH_LE 1
#else
#define OGRH_LE 0
#endif

static inline void raw_u32(ogrh_buf *b, uint32_t v) {
  unsigned char *p = (unsigned char *)b->p + b->n;
  if (OGRH_LE) {
    memcpy(p, &v, 4);
  } else {
    for (int i = 0; i < 4; i++)
      p[i] = (unsigned char)(v >> (8 * i));
  }
  b->n += 4;
}

static inline void raw_u64(ogrh_buf *b, uint64_t v) {
  unsigned char *p = (unsigned char *)b->p + b->n;
  if (OGRH_LE) {
    memcpy(p, &v, 8);
  } else {
    for (int i = 0; i < 8; i++)
      p[i] = (unsigned char)(v >> (8 * i));
  }
  b->n += 8;
}

/*
** Copies a string's bytes. Names are short; two overlapping fixed-size copies replace a call
** to memcpy for up to 16 bytes.
*/
static inline void raw_bytes(ogrh_buf *b, const char *s, uint32_t n) {
  char *d = b->p + b->n;
  if (n >= 8 && n <= 16) {
    memcpy(d, s, 8);
    memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    memcpy(d, s, 4);
    memcpy(d + n - 4, s + n - 4, 4);
  } else if (n < 4) {
    for (uint32_t i = 0; i < n; i++)
      d[i] = s[i];
  } else {
    memcpy(d, s, n);
  }
  b->n += n;
}

static int put_tag(ogrh_buf *b, int tag) {
  if (room(b, 1)) return OGRH_ENOMEM;
  b->p[b->n++] = (char)tag;
  return OGRH_OK;
}

/* Writes a table header with a count to be patched later; returns the count's offset. */
static int open_table(ogrh_buf *b, size_t *at) {
  if (room(b, 5)) return OGRH_ENOMEM;
  b->p[b->n++] = T_TABLE;
  *at = b->n;
  raw_u32(b, 0);
  return OGRH_OK;
}

static void close_table(ogrh_buf *b, size_t at, uint32_t n) {
  size_t save = b->n;
  b->n = at;
  raw_u32(b, n);
  b->n = save;
}

static int enc_value(const ogrh_value *v, ogrh_buf *b);

/* Scalars are written inline; only tables recurse. */
static inline int enc_scalar(const ogrh_value *v, ogrh_buf *b) {
  switch (v->type) {
  case OGRH_INT:
    if (room(b, 9)) return OGRH_ENOMEM;
    b->p[b->n++] = T_INT;
    raw_u64(b, (uint64_t)v->u.i);
    return OGRH_OK;
  case OGRH_STRING:
    if (room(b, 5 + (size_t)v->len)) return OGRH_ENOMEM;
    b->p[b->n++] = T_STRING;
    raw_u32(b, v->len);
    raw_bytes(b, v->u.s, v->len);
    return OGRH_OK;
  case OGRH_NIL:
    return put_tag(b, T_NIL);
  case OGRH_BOOL:
    return put_tag(b, v->b ? T_TRUE : T_FALSE);
  case OGRH_DOUBLE: {
    uint64_t bits;
    memcpy(&bits, &v->u.d, 8);
    if (room(b, 9)) return OGRH_ENOMEM;
    b->p[b->n++] = T_DOUBLE;
    raw_u64(b, bits);
    return OGRH_OK;
  }
  default:
    return enc_value(v, b);
  }
}

static int enc_value(const ogrh_value *v, ogrh_buf *b) {
  if (v->type != OGRH_TABLE) return enc_scalar(v, b);
  const ogrh_table *t = v->u.t;
  if (room(b, 5)) return OGRH_ENOMEM;
  b->p[b->n++] = T_TABLE;
  raw_u32(b, t->n);
  for (uint32_t i = 0; i < t->n; i++) {
    const ogrh_entry *e = &t->e[i];
    /* The commonest entry of all, [slot] = "Name": one capacity check, straight writes. */
    if (e->key.type == OGRH_INT && e->val.type == OGRH_STRING) {
      if (room(b, 14 + (size_t)e->val.len)) return OGRH_ENOMEM;
      b->p[b->n++] = T_INT;
      raw_u64(b, (uint64_t)e->key.u.i);
      b->p[b->n++] = T_STRING;
      raw_u32(b, e->val.len);
      raw_bytes(b, e->val.u.s, e->val.len);
      continue;
    }
    int rc = enc_scalar(&e->key, b);
    if (!rc) rc = e->val.type == OGRH_TABLE ? enc_value(&e->val, b) : enc_scalar(&e->val, b);
    if (rc) return rc;
  }
  return OGRH_OK;
}

static void terminate(ogrh_buf *b) {
  if (b->p) b->p[b->n] = '\0';
}

int ogrh_canon_encode(const ogrh_value *v, ogrh_buf *b) {
  int rc = enc_value(v, b);
  terminate(b);
  return rc;
}

/* ---- canonical decoding ---- */

typedef struct cdec {
  ogrh_arena *a;
  const uint8_t *p, *end;
} cdec;

static int dec_u32(cdec *d, uint32_t *v) {
  if (d->end - d->p < 4) return OGRH_ECORRUPT;
  *v = (uint32_t)d->p[0] | (uint32_t)d->p[1] << 8 | (uint32_t)d->p[2] << 16 |
       (uint32_t)d->p[3] << 24;
  d->p += 4;
  return OGRH_OK;
}

static int dec_u64(cdec *d, uint64_t *v) {
  if (d->end - d->p < 8) return OGRH_ECORRUPT;
  uint64_t x = 0;
  for (int i = 7; i >= 0; i--)
    x = (x << 8) | d->p[i];
  d->p += 8;
  *v = x;
  return OGRH_OK;
}

static int dec_value(cdec *d, int depth, ogrh_value *out) {
  if (d->p >= d->end) return OGRH_ECORRUPT;
  int tag = *d->p++;
  uint64_t u;
  uint32_t n;
  switch (tag) {
  case T_NIL:
    *out = ogrh_vnil();
    return OGRH_OK;
  case T_FALSE:
  case T_TRUE:
    *out = ogrh_vbool(tag == T_TRUE);
    return OGRH_OK;
  case T_INT:
    if (dec_u64(d, &u)) return OGRH_ECORRUPT;
    *out = ogrh_vint((int64_t)u);
    return OGRH_OK;
  case T_DOUBLE: {
    if (dec_u64(d, &u)) return OGRH_ECORRUPT;
    double x;
    memcpy(&x, &u, 8);
    if (x != x) return OGRH_ECORRUPT; /* NaN never occurs in a valid tree */
    *out = ogrh_vdouble(x);
    return OGRH_OK;
  }
  case T_STRING: {
    if (dec_u32(d, &n) || (size_t)(d->end - d->p) < n) return OGRH_ECORRUPT;
    char *s = ogrh_arena_memdup(d->a, d->p, n);
    if (!s) return OGRH_ENOMEM;
    d->p += n;
    *out = ogrh_vstr(s, n);
    return OGRH_OK;
  }
  case T_TABLE: {
    if (depth >= OGRH_MAX_DEPTH) return OGRH_EDEPTH;
    /* Every entry takes at least two bytes: a count beyond that is a lie. */
    if (dec_u32(d, &n) || (size_t)(d->end - d->p) / 2 < n) return OGRH_ECORRUPT;
    ogrh_table *t = ogrh_table_new(d->a, n);
    if (!t) return OGRH_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
      ogrh_value k, v;
      int rc = dec_value(d, depth + 1, &k);
      if (!rc) rc = dec_value(d, depth + 1, &v);
      if (rc) return rc;
      if (!ogrh_key_valid(&k) || v.type == OGRH_NIL) return OGRH_ECORRUPT;
      if (i && ogrh_key_cmp(&t->e[i - 1].key, &k) >= 0) return OGRH_ECORRUPT;
      t->e[i].key = k;
      t->e[i].val = v;
      t->n = i + 1;
    }
    *out = ogrh_vtable(t);
    return OGRH_OK;
  }
  }
  return OGRH_ECORRUPT;
}

int ogrh_canon_decode(ogrh_arena *a, const uint8_t *p, size_t n, bool exact, ogrh_value *out,
                      size_t *used) {
  cdec d = {a, p, p + n};
  int rc = dec_value(&d, 0, out);
  if (!rc && exact && d.p != d.end) rc = OGRH_ECORRUPT;
  if (used) *used = (size_t)(d.p - p);
  return rc;
}

typedef struct keyset {
  const char *const *keys;
  const uint32_t *lens;
  int n;
} keyset;

static bool key_in(const ogrh_value *k, const keyset *ks) {
  if (k->type != OGRH_STRING) return false;
  for (int i = 0; i < ks->n; i++)
    if (k->len == ks->lens[i] && memcmp(k->u.s, ks->keys[i], k->len) == 0) return true;
  return false;
}

/* A table minus some string keys, encoded as if those keys were absent. */
static int canon_without(const ogrh_table *t, const keyset *ks, ogrh_buf *b) {
  size_t at;
  uint32_t n = 0;
  int rc = open_table(b, &at);
  for (uint32_t i = 0; i < t->n && !rc; i++) {
    if (key_in(&t->e[i].key, ks)) continue;
    rc = enc_value(&t->e[i].key, b);
    if (!rc) rc = enc_value(&t->e[i].val, b);
    n++;
  }
  if (!rc) close_table(b, at, n);
  return rc;
}

static const char *const enc_excl_k[] = {"roles", "announcements"};
static const uint32_t enc_excl_l[] = {5, 13};
static const keyset enc_excl = {enc_excl_k, enc_excl_l, 2};
static const char *const slot_fields[] = {"assignedPlayers", "raidMarks", "assignmentNumbers"};
static const uint32_t slot_lens[] = {15, 9, 17};
static const keyset slot_excl = {slot_fields, slot_lens, 3};
static const char *const raid_excl_k[] = {"encounters"};
static const uint32_t raid_excl_l[] = {10};
static const keyset raid_excl = {raid_excl_k, raid_excl_l, 1};

static const ogrh_value *tget(const ogrh_table *t, const char *k) {
  return t ? ogrh_table_gets(t, k) : NULL;
}

/*
** A key of a small table (a role's per-slot table, an encounter's roles). These tables hold
** about ten keys, so a scan that compares lengths first beats a binary search; these lookups
** were most of an incremental update.
*/
static const ogrh_value *slot_field(const ogrh_table *role, const ogrh_value *f) {
  unsigned char f0 = (unsigned char)f->u.s[0];
  for (uint32_t j = 0; j < role->n; j++) {
    const ogrh_value *k = &role->e[j].key;
    if (k->type != OGRH_STRING) continue;
    /* Keys are sorted: past the first byte of f, f is not there. */
    if (k->len && (unsigned char)k->u.s[0] > f0) break;
    if (k->len == f->len && memcmp(k->u.s, f->u.s, f->len) == 0) return &role->e[j].val;
  }
  return NULL;
}

int ogrh_component_encode(const ogrh_table *enc, int c, ogrh_buf *b) {
  static const ogrh_value nil = {0};
  int rc = OGRH_OK;
  if (!enc) {
    rc = enc_value(&nil, b);
    terminate(b);
    return rc;
  }
  static const ogrh_value roles_key = {OGRH_STRING, 0, 5, {.s = "roles"}};
  static const ogrh_value ann_key = {OGRH_STRING, 0, 13, {.s = "announcements"}};
  const ogrh_value *roles = c >= 1 && c <= 4 ? slot_field(enc, &roles_key) : NULL;
  switch (c) {
  case 0:
    rc = canon_without(enc, &enc_excl, b);
    break;
  case 5: {
    const ogrh_value *a = slot_field(enc, &ann_key);
    rc = enc_value(a ? a : &nil, b);
    break;
  }
  case 1:
    if (!roles || roles->type != OGRH_TABLE) {
      rc = enc_value(roles ? roles : &nil, b);
      break;
    }
    if (room(b, 5)) return OGRH_ENOMEM;
    b->p[b->n++] = T_TABLE;
    raw_u32(b, roles->u.t->n);
    for (uint32_t i = 0; i < roles->u.t->n && !rc; i++) {
      const ogrh_entry *e = &roles->u.t->e[i];
      rc = enc_value(&e->key, b);
      if (!rc)
        rc = e->val.type == OGRH_TABLE ? canon_without(e->val.u.t, &slot_excl, b)
                                       : enc_value(&e->val, b);
    }
    break;
  case 2:
  case 3:
  case 4: {
    if (!roles || roles->type != OGRH_TABLE) {
      rc = enc_value(&nil, b);
      break;
    }
    ogrh_value f = ogrh_vstr(slot_fields[c - 2], slot_lens[c - 2]);
    uint32_t n = 0;
    size_t at;
    rc = open_table(b, &at);
    for (uint32_t i = 0; i < roles->u.t->n && !rc; i++) {
      const ogrh_entry *e = &roles->u.t->e[i];
      const ogrh_value *x = e->val.type == OGRH_TABLE ? slot_field(e->val.u.t, &f) : NULL;
      if (!x) continue;
      rc = enc_value(&e->key, b);
      if (!rc) rc = enc_value(x, b);
      n++;
    }
    if (!rc) close_table(b, at, n);
    break;
  }
  default:
    return OGRH_EINVAL;
  }
  terminate(b);
  return rc;
}

static int project_without(ogrh_arena *a, const ogrh_table *t, const keyset *ks, ogrh_value *out) {
  ogrh_table *n = ogrh_table_new(a, t->n);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < t->n; i++)
    if (!key_in(&t->e[i].key, ks)) n->e[n->n++] = t->e[i];
  *out = ogrh_vtable(n);
  return OGRH_OK;
}

int ogrh_component_project(ogrh_arena *a, const ogrh_table *enc, int c, ogrh_value *out) {
  *out = ogrh_vnil();
  if (!enc) return OGRH_OK;
  const ogrh_value *roles = tget(enc, "roles");
  if (c == 0) return project_without(a, enc, &enc_excl, out);
  if (c == 5) {
    const ogrh_value *x = tget(enc, "announcements");
    if (x) *out = *x;
    return OGRH_OK;
  }
  if (c < 0 || c > 5) return OGRH_EINVAL;
  if (!roles || roles->type != OGRH_TABLE) {
    if (c == 1 && roles) *out = *roles;
    return OGRH_OK;
  }
  ogrh_table *n = ogrh_table_new(a, roles->u.t->n);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < roles->u.t->n; i++) {
    const ogrh_entry *e = &roles->u.t->e[i];
    if (c == 1) {
      ogrh_value v = e->val;
      if (v.type == OGRH_TABLE && project_without(a, v.u.t, &slot_excl, &v)) return OGRH_ENOMEM;
      n->e[n->n].key = e->key;
      n->e[n->n++].val = v;
    } else {
      const ogrh_value *x =
          e->val.type == OGRH_TABLE ? ogrh_table_gets(e->val.u.t, slot_fields[c - 2]) : NULL;
      if (!x) continue;
      n->e[n->n].key = e->key;
      n->e[n->n++].val = *x;
    }
  }
  *out = ogrh_vtable(n);
  return OGRH_OK;
}

static ogrh_digest hash_buf(const ogrh_buf *b, uint64_t seed) {
  return (ogrh_digest)XXH3_64bits_withSeed(b->p ? b->p : "", b->n, (XXH64_hash_t)seed);
}

ogrh_digest ogrh_component_digest(const ogrh_table *enc, int c, ogrh_buf *scratch) {
  scratch->n = 0;
  if (ogrh_component_encode(enc, c, scratch)) return 0;
  return hash_buf(scratch, SEED_COMP + (uint64_t)c);
}

/* Hashes a run of digests (little-endian bytes) without touching the heap when it is short. */
static ogrh_digest hash_digests(uint64_t seed, const ogrh_digest *first, size_t nfirst,
                                const ogrh_digest *rest, size_t stride, size_t nrest,
                                ogrh_buf *scratch) {
  unsigned char stack[48 * 8];
  size_t total = (nfirst + nrest) * 8;
  unsigned char *p = stack;
  if (total > sizeof stack) {
    scratch->n = 0;
    if (room(scratch, total)) return 0;
    p = (unsigned char *)scratch->p;
  }
  unsigned char *q = p;
  if (OGRH_LE) {
    memcpy(q, first, nfirst * 8);
    q += nfirst * 8;
    const char *r = (const char *)rest;
    for (size_t i = 0; i < nrest; i++, q += 8, r += stride)
      memcpy(q, r, 8);
  } else {
    for (size_t i = 0; i < nfirst + nrest; i++, q += 8) {
      uint64_t v;
      if (i < nfirst)
        v = first[i];
      else
        memcpy(&v, (const char *)rest + (i - nfirst) * stride, 8);
      for (int k = 0; k < 8; k++)
        q[k] = (unsigned char)(v >> (8 * k));
    }
  }
  return (ogrh_digest)XXH3_64bits_withSeed(p, total, (XXH64_hash_t)seed);
}

/* ---- building ---- */

static const ogrh_table *child_table(const ogrh_table *t, const char *k) {
  const ogrh_value *v = tget(t, k);
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

static void name_of(const ogrh_table *t, const char **s, uint32_t *n) {
  const ogrh_value *v = tget(t, "name");
  if (v && v->type == OGRH_STRING) {
    *s = v->u.s;
    *n = v->len;
  } else {
    *s = "";
    *n = 0;
  }
}

/* The names (or, for non-table entries, the values) of a list, in key order. */
static int canon_names(const ogrh_table *list, ogrh_buf *b) {
  static const ogrh_value nil = {0};
  if (!list) return enc_value(&nil, b);
  int rc;
  if (room(b, 5)) return OGRH_ENOMEM;
  b->p[b->n++] = T_TABLE;
  raw_u32(b, list->n);
  for (uint32_t i = 0; i < list->n; i++) {
    const ogrh_entry *e = &list->e[i];
    if ((rc = enc_value(&e->key, b))) return rc;
    if (e->val.type == OGRH_TABLE) {
      const ogrh_value *nm = ogrh_table_gets(e->val.u.t, "name");
      rc = enc_value(nm ? nm : &nil, b);
    } else {
      /* A stray non-table entry is still part of what must agree; tag it apart. */
      if (!(rc = put_tag(b, 0x7f))) rc = enc_value(&e->val, b);
    }
    if (rc) return rc;
  }
  return OGRH_OK;
}

static const char *copy_name(ogrh_dtree *t, const char *s, uint32_t n) {
  char *c = ogrh_arena_memdup(t->priv->names, s, n);
  return c ? c : "";
}

static void assign_occ_encs(ogrh_dt_raid *r) {
  for (size_t i = 0; i < r->nencs; i++) {
    uint32_t occ = 1;
    for (size_t j = 0; j < i; j++)
      occ += r->encs[j].name_len == r->encs[i].name_len &&
             memcmp(r->encs[j].name, r->encs[i].name, r->encs[i].name_len) == 0;
    r->encs[i].occ = occ;
  }
}

static void assign_occ_raids(ogrh_dtree *t) {
  for (size_t i = 0; i < t->nraids; i++) {
    uint32_t occ = 1;
    for (size_t j = 0; j < i; j++)
      occ += t->raids[j].name_len == t->raids[i].name_len &&
             memcmp(t->raids[j].name, t->raids[i].name, t->raids[i].name_len) == 0;
    t->raids[i].occ = occ;
  }
}

static void enc_digest(ogrh_dt_enc *e, ogrh_buf *scratch) {
  if (OGRH_LE)
    e->digest = (ogrh_digest)XXH3_64bits_withSeed(e->comp, sizeof e->comp, (XXH64_hash_t)SEED_ENC);
  else
    e->digest = hash_digests(SEED_ENC, e->comp, OGRH_NCOMPONENTS, NULL, 0, 0, scratch);
}

/*
** All four role-based components in one pass over the roles: each role table is scanned once,
** its three per-slot tables picked up on the way, instead of once plus three lookups. Gives
** the same bytes as ogrh_component_encode (test_digest checks it).
*/
static int encode_role_components(ogrh_dtree *t, const ogrh_value *roles, ogrh_digest out[4]) {
  ogrh_buf *rb = &t->priv->scratch, *sb = t->priv->slot;
  size_t at[3];
  uint32_t cnt[3] = {0, 0, 0};
  int rc = OGRH_OK;
  rb->n = 0;
  if (room(rb, 5)) return OGRH_ENOMEM;
  rb->p[rb->n++] = T_TABLE;
  raw_u32(rb, roles->u.t->n);
  for (int f = 0; f < 3; f++) {
    sb[f].n = 0;
    if ((rc = open_table(&sb[f], &at[f]))) return rc;
  }
  for (uint32_t i = 0; i < roles->u.t->n && !rc; i++) {
    const ogrh_entry *e = &roles->u.t->e[i];
    if ((rc = enc_scalar(&e->key, rb))) break;
    if (e->val.type != OGRH_TABLE) {
      rc = enc_value(&e->val, rb);
      continue;
    }
    const ogrh_table *role = e->val.u.t;
    const ogrh_value *found[3] = {NULL, NULL, NULL};
    size_t hat;
    uint32_t n = 0;
    if ((rc = open_table(rb, &hat))) break;
    for (uint32_t j = 0; j < role->n && !rc; j++) {
      const ogrh_value *k = &role->e[j].key;
      int f = -1;
      if (k->type == OGRH_STRING)
        for (int x = 0; x < 3; x++)
          if (k->len == slot_lens[x] && memcmp(k->u.s, slot_fields[x], k->len) == 0) f = x;
      if (f >= 0) {
        found[f] = &role->e[j].val;
        continue;
      }
      rc = enc_scalar(k, rb);
      if (!rc) rc = enc_value(&role->e[j].val, rb);
      n++;
    }
    if (rc) break;
    close_table(rb, hat, n);
    for (int f = 0; f < 3 && !rc; f++)
      if (found[f]) {
        rc = enc_scalar(&e->key, &sb[f]);
        if (!rc) rc = enc_value(found[f], &sb[f]);
        cnt[f]++;
      }
  }
  if (rc) return rc;
  out[0] = hash_buf(rb, SEED_COMP + 1);
  for (int f = 0; f < 3; f++) {
    close_table(&sb[f], at[f], cnt[f]);
    out[1 + f] = hash_buf(&sb[f], SEED_COMP + 2 + (uint64_t)f);
  }
  return OGRH_OK;
}

static int compute_enc(ogrh_dtree *t, const ogrh_table *enc, unsigned comps, ogrh_dt_enc *e) {
  const unsigned role_comps = OGRH_C_ROLES | OGRH_C_ASSIGNMENTS | OGRH_C_MARKS | OGRH_C_NUMBERS;
  const ogrh_value *roles = (comps & role_comps) == role_comps ? tget(enc, "roles") : NULL;
  if (roles && roles->type == OGRH_TABLE) {
    int rc = encode_role_components(t, roles, &e->comp[1]);
    if (rc) return rc;
    comps &= ~role_comps;
  }
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    if (comps & (1u << c)) {
      t->priv->scratch.n = 0;
      int rc = ogrh_component_encode(enc, c, &t->priv->scratch);
      if (rc) return rc;
      e->comp[c] = hash_buf(&t->priv->scratch, SEED_COMP + (uint64_t)c);
    }
  enc_digest(e, &t->priv->scratch);
  return OGRH_OK;
}

static int raid_own(ogrh_dtree *t, const ogrh_table *raid, ogrh_dt_raid *r) {
  ogrh_buf *s = &t->priv->scratch;
  s->n = 0;
  int rc = canon_without(raid, &raid_excl, s);
  if (rc) return rc;
  r->meta = hash_buf(s, SEED_META);
  s->n = 0;
  if ((rc = canon_names(child_table(raid, "encounters"), s))) return rc;
  r->list = hash_buf(s, SEED_LIST);
  ogrh_digest two[2] = {r->meta, r->list};
  r->own = hash_digests(SEED_OWN, two, 2, NULL, 0, 0, s);
  return OGRH_OK;
}

/*
** The raid digest hashes its own digest and every encounter digest. On little-endian hosts the
** packed array r->dig already holds exactly those bytes, kept current as digests change, so an
** update hashes it in place instead of gathering the digests again.
*/
static void raid_digest(ogrh_dtree *t, ogrh_dt_raid *r) {
  if (OGRH_LE && r->dig) {
    r->digest =
        (ogrh_digest)XXH3_64bits_withSeed(r->dig, (r->nencs + 1) * 8, (XXH64_hash_t)SEED_RAID);
    return;
  }
  r->digest = hash_digests(SEED_RAID, &r->own, 1, r->encs ? &r->encs[0].digest : NULL,
                           sizeof(ogrh_dt_enc), r->nencs, &t->priv->scratch);
}

/* Refills r->dig from own and the encounter digests (after a build of the raid). */
static int pack_raid(ogrh_dt_raid *r) {
  if (r->nencs + 1 > r->capdig) {
    ogrh_digest *d = ogrh_realloc(r->dig, r->capdig * sizeof *d, (r->nencs + 1) * sizeof *d);
    if (!d) return OGRH_ENOMEM;
    r->dig = d;
    r->capdig = r->nencs + 1;
  }
  r->dig[0] = r->own;
  for (size_t i = 0; i < r->nencs; i++)
    r->dig[1 + i] = r->encs[i].digest;
  return OGRH_OK;
}

static int build_raid(ogrh_dtree *t, const ogrh_table *raid, int64_t index, ogrh_dt_raid *r) {
  const char *nm;
  uint32_t nl;
  name_of(raid, &nm, &nl);
  r->name = copy_name(t, nm, nl);
  r->name_len = nl;
  r->index = index;
  r->tbl = raid;
  r->partial = false;
  r->nencs = 0;
  const ogrh_table *encs = child_table(raid, "encounters");
  size_t need = 0;
  for (uint32_t i = 0; encs && i < encs->n; i++)
    need += encs->e[i].key.type == OGRH_INT && encs->e[i].val.type == OGRH_TABLE;
  if (need > r->capencs) {
    ogrh_dt_enc *e = ogrh_realloc(r->encs, r->capencs * sizeof *e, need * sizeof *e);
    if (!e) return OGRH_ENOMEM;
    r->encs = e;
    r->capencs = need;
  }
  for (uint32_t i = 0; encs && i < encs->n; i++) {
    if (encs->e[i].key.type != OGRH_INT || encs->e[i].val.type != OGRH_TABLE) continue;
    const ogrh_table *enc = encs->e[i].val.u.t;
    ogrh_dt_enc *e = &r->encs[r->nencs++];
    memset(e, 0, sizeof *e);
    e->index = encs->e[i].key.u.i;
    e->tbl = enc;
    name_of(enc, &nm, &nl);
    e->name = copy_name(t, nm, nl);
    e->name_len = nl;
    int rc = compute_enc(t, enc, OGRH_C_ALL, e);
    if (rc) return rc;
  }
  assign_occ_encs(r);
  int rc = raid_own(t, raid, r);
  if (!rc) rc = pack_raid(r);
  if (rc) return rc;
  raid_digest(t, r);
  return OGRH_OK;
}

static const ogrh_value *tree_root(ogrh_dtree *t) {
  return t->priv->doc ? ogrh_doc_root(t->priv->doc) : t->priv->root;
}

static int compute_raidlist(ogrh_dtree *t, const ogrh_table *raids) {
  ogrh_buf *s = &t->priv->scratch;
  s->n = 0;
  int rc = canon_names(raids, s);
  if (rc) return rc;
  t->raidlist = hash_buf(s, SEED_RAIDS);
  return OGRH_OK;
}

static int compute_global(ogrh_dtree *t, const ogrh_table *root, int g) {
  static const ogrh_value nil = {0};
  const ogrh_value *v = tget(root, ogrh_global_key(g));
  ogrh_buf *s = &t->priv->scratch;
  s->n = 0;
  int rc = enc_value(v ? v : &nil, s);
  if (rc) return rc;
  t->global[g] = hash_buf(s, SEED_GLOBAL + (uint64_t)g);
  return OGRH_OK;
}

/* Root input, packed: globals, raid list, raid count, then every raid digest. */
static int pack_root(ogrh_dtree *t) {
  size_t need = OGRH_NGLOBALS + 2 + t->nraids;
  if (need > t->caprdig) {
    ogrh_digest *d = ogrh_realloc(t->rdig, t->caprdig * sizeof *d, need * sizeof *d);
    if (!d) return OGRH_ENOMEM;
    t->rdig = d;
    t->caprdig = need;
  }
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    t->rdig[g] = t->global[g];
  t->rdig[OGRH_NGLOBALS] = t->raidlist;
  t->rdig[OGRH_NGLOBALS + 1] = (ogrh_digest)t->nraids;
  for (size_t i = 0; i < t->nraids; i++)
    t->rdig[OGRH_NGLOBALS + 2 + i] = t->raids[i].digest;
  return OGRH_OK;
}

static void compute_root(ogrh_dtree *t) {
  if (OGRH_LE && t->rdig) {
    t->root = (ogrh_digest)XXH3_64bits_withSeed(t->rdig, (OGRH_NGLOBALS + 2 + t->nraids) * 8,
                                                (XXH64_hash_t)SEED_ROOT);
    return;
  }
  ogrh_digest head[OGRH_NGLOBALS + 2];
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    head[g] = t->global[g];
  head[OGRH_NGLOBALS] = t->raidlist;
  head[OGRH_NGLOBALS + 1] = (ogrh_digest)t->nraids;
  t->root = hash_digests(SEED_ROOT, head, OGRH_NGLOBALS + 2, t->raids ? &t->raids[0].digest : NULL,
                         sizeof(ogrh_dt_raid), t->nraids, &t->priv->scratch);
}

static void free_raids(ogrh_dtree *t) {
  for (size_t i = 0; i < t->nraids; i++) {
    ogrh_free(t->raids[i].encs, t->raids[i].capencs * sizeof(ogrh_dt_enc));
    ogrh_free(t->raids[i].dig, t->raids[i].capdig * sizeof(ogrh_digest));
  }
  ogrh_free(t->raids, t->capraids * sizeof *t->raids);
  t->raids = NULL;
  t->nraids = t->capraids = 0;
}

static int build_all(ogrh_dtree *t) {
  const ogrh_value *rootv = tree_root(t);
  const ogrh_table *root = rootv && rootv->type == OGRH_TABLE ? rootv->u.t : NULL;
  free_raids(t);
  /* Names of a full rebuild replace all earlier ones. */
  ogrh_arena *names = ogrh_arena_new();
  if (!names) return OGRH_ENOMEM;
  ogrh_arena_free(t->priv->names);
  t->priv->names = names;
  int rc;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if ((rc = compute_global(t, root, g))) return rc;
  const ogrh_table *raids = child_table(child_table(root, "encounterMgmt"), "raids");
  if ((rc = compute_raidlist(t, raids))) return rc;
  size_t need = 0;
  for (uint32_t i = 0; raids && i < raids->n; i++)
    need += raids->e[i].key.type == OGRH_INT && raids->e[i].val.type == OGRH_TABLE;
  if (need) {
    t->raids = ogrh_malloc(need * sizeof *t->raids);
    if (!t->raids) return OGRH_ENOMEM;
    memset(t->raids, 0, need * sizeof *t->raids);
    t->capraids = need;
  }
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    if (raids->e[i].key.type != OGRH_INT || raids->e[i].val.type != OGRH_TABLE) continue;
    ogrh_dt_raid *r = &t->raids[t->nraids++];
    if ((rc = build_raid(t, raids->e[i].val.u.t, raids->e[i].key.u.i, r))) return rc;
  }
  assign_occ_raids(t);
  if ((rc = pack_root(t))) return rc;
  compute_root(t);
  t->partial = false;
  t->priv->all_dirty = t->priv->raidlist_dirty = false;
  t->priv->globals_dirty = 0;
  t->priv->ndirty = 0;
  return OGRH_OK;
}

static ogrh_dtree *tree_new(void) {
  ogrh_dtree *t = ogrh_malloc(sizeof *t);
  if (!t) return NULL;
  memset(t, 0, sizeof *t);
  t->priv = ogrh_malloc(sizeof *t->priv);
  if (!t->priv) {
    ogrh_free(t, sizeof *t);
    return NULL;
  }
  memset(t->priv, 0, sizeof *t->priv);
  ogrh_buf_init(&t->priv->scratch);
  for (int f = 0; f < 3; f++)
    ogrh_buf_init(&t->priv->slot[f]);
  t->priv->names = ogrh_arena_new();
  if (!t->priv->names) {
    ogrh_dtree_free(t);
    return NULL;
  }
  return t;
}

void ogrh_dtree_free(ogrh_dtree *t) {
  if (!t) return;
  ogrh_dtree_detach(t);
  free_raids(t);
  ogrh_arena_free(t->priv->names);
  ogrh_buf_deinit(&t->priv->scratch);
  for (int f = 0; f < 3; f++)
    ogrh_buf_deinit(&t->priv->slot[f]);
  ogrh_free(t->priv->dirty, t->priv->capdirty * sizeof *t->priv->dirty);
  ogrh_free(t->rdig, t->caprdig * sizeof *t->rdig);
  ogrh_free(t->priv, sizeof *t->priv);
  ogrh_free(t, sizeof *t);
}

int ogrh_dtree_build_root(const ogrh_value *root, ogrh_dtree **out) {
  *out = NULL;
  ogrh_dtree *t = tree_new();
  if (!t) return OGRH_ENOMEM;
  t->priv->root = root;
  int rc = build_all(t);
  t->priv->root = NULL;
  if (rc) {
    ogrh_dtree_free(t);
    return rc;
  }
  *out = t;
  return OGRH_OK;
}

int ogrh_dtree_build(ogrh_doc *d, ogrh_dtree **out) {
  return ogrh_dtree_build_root(ogrh_doc_root(d), out);
}

/* ---- incremental updates ---- */

static void on_change(void *ud, const ogrh_change *c) {
  ogrh_dtree *t = ud;
  struct ogrh_dtree_priv *p = t->priv;
  const ogrh_scope *s = &c->scope;
  switch (s->kind) {
  case OGRH_SCOPE_OTHER:
    return;
  case OGRH_SCOPE_ALL:
    p->all_dirty = true;
    return;
  case OGRH_SCOPE_GLOBAL:
    p->globals_dirty |= 1u << s->global;
    return;
  case OGRH_SCOPE_RAID:
  case OGRH_SCOPE_ENCOUNTER:
    break;
  }
  if (p->all_dirty) return;
  if (p->ndirty == p->capdirty) {
    size_t cap = p->capdirty ? p->capdirty * 2 : 16;
    dirty_item *d = ogrh_realloc(p->dirty, p->capdirty * sizeof *d, cap * sizeof *d);
    if (!d) {
      /* Cannot remember the detail: fall back to a full rebuild. */
      p->all_dirty = true;
      return;
    }
    p->dirty = d;
    p->capdirty = cap;
  }
  dirty_item *it = &p->dirty[p->ndirty++];
  memset(it, 0, sizeof *it);
  it->raid = s->raid;
  if (s->kind == OGRH_SCOPE_RAID) {
    it->enc = -1;
    it->raid_meta = s->raid_meta;
    it->raid_all = s->raid_all;
    p->raidlist_dirty = true;
  } else {
    it->enc = s->encounter;
    it->comps = s->components;
    it->raid_meta = s->raid_meta;
    /* A whole encounter written (or removed), or an encounter renamed: rescan the raid. */
    it->raid_all = s->raid_meta;
  }
}

int ogrh_dtree_attach(ogrh_dtree *t, ogrh_doc *d) {
  ogrh_dtree_detach(t);
  int tok = ogrh_doc_subscribe(d, on_change, t);
  if (tok < 0) return tok;
  t->priv->doc = d;
  t->priv->token = tok;
  return OGRH_OK;
}

void ogrh_dtree_detach(ogrh_dtree *t) {
  if (t && t->priv->doc) {
    ogrh_doc_unsubscribe(t->priv->doc, t->priv->token);
    t->priv->doc = NULL;
    t->priv->token = 0;
  }
}

static ogrh_dt_raid *find_raid_index(ogrh_dtree *t, int64_t index) {
  size_t lo = 0, hi = t->nraids;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t->raids[mid].index == index) return &t->raids[mid];
    if (t->raids[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static ogrh_dt_enc *find_enc_index(ogrh_dt_raid *r, int64_t index) {
  size_t lo = 0, hi = r->nencs;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r->encs[mid].index == index) return &r->encs[mid];
    if (r->encs[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

int ogrh_dtree_update(ogrh_dtree *t) {
  struct ogrh_dtree_priv *p = t->priv;
  if (!p->doc) return OGRH_OK;
  if (p->all_dirty) return build_all(t);
  if (!p->ndirty && !p->globals_dirty && !p->raidlist_dirty) return OGRH_OK;
  /* The schema root is looked up only when something above the raids needs it. */
  const ogrh_table *root = NULL;
  bool need = p->globals_dirty || p->raidlist_dirty;
  for (size_t i = 0; i < p->ndirty && !need; i++)
    need = p->dirty[i].raid_all;
  if (need) {
    ogrh_value *rootv = ogrh_doc_root(p->doc);
    root = rootv && rootv->type == OGRH_TABLE ? rootv->u.t : NULL;
  }
  int rc;
  for (int g = 0; p->globals_dirty && g < OGRH_NGLOBALS; g++)
    if (p->globals_dirty & (1u << g)) {
      if ((rc = compute_global(t, root, g))) return rc;
      t->rdig[g] = t->global[g];
      p->globals_dirty &= ~(1u << g);
    }
  const ogrh_table *raids = NULL;
  for (size_t i = 0; i < p->ndirty; i++) {
    dirty_item *it = &p->dirty[i];
    ogrh_dt_raid *r = find_raid_index(t, it->raid);
    /*
    ** Writes inside a raid or encounter update its table in place, and any write that
    ** replaces a raid or encounter table is a structural change (raid_all or ALL), so the
    ** table pointers cached at the last build are still the live ones here.
    */
    const ogrh_table *raid = r ? r->tbl : NULL;
    if (it->raid_all) {
      if (!raids) raids = child_table(child_table(root, "encounterMgmt"), "raids");
      const ogrh_value *rv = raids ? ogrh_table_geti(raids, it->raid) : NULL;
      raid = rv && rv->type == OGRH_TABLE ? rv->u.t : NULL;
    }
    /* A raid that appeared or vanished changes the raid list: rebuild everything. */
    if (!r || !raid) return build_all(t);
    if (it->raid_all) {
      if ((rc = build_raid(t, raid, it->raid, r))) return rc;
      t->rdig[OGRH_NGLOBALS + 2 + (size_t)(r - t->raids)] = r->digest;
      continue;
    }
    if (it->raid_meta) {
      if ((rc = raid_own(t, raid, r))) return rc;
      r->dig[0] = r->own;
    }
    if (it->enc >= 0) {
      ogrh_dt_enc *e = find_enc_index(r, it->enc);
      const ogrh_table *enc = e ? e->tbl : NULL;
      if (!e || !enc) {
        if ((rc = build_raid(t, raid, it->raid, r))) return rc;
        t->rdig[OGRH_NGLOBALS + 2 + (size_t)(r - t->raids)] = r->digest;
        continue;
      }
      if ((rc = compute_enc(t, enc, it->comps, e))) return rc;
      r->dig[1 + (size_t)(e - r->encs)] = e->digest;
    }
    raid_digest(t, r);
    t->rdig[OGRH_NGLOBALS + 2 + (size_t)(r - t->raids)] = r->digest;
  }
  p->ndirty = 0;
  if (p->raidlist_dirty) {
    if (!raids) raids = child_table(child_table(root, "encounterMgmt"), "raids");
    if ((rc = compute_raidlist(t, raids))) return rc;
    t->rdig[OGRH_NGLOBALS] = t->raidlist;
    for (size_t i = 0; i < t->nraids; i++) {
      const ogrh_table *raid = ogrh_doc_raid(p->doc, t->raids[i].index);
      const char *nm;
      uint32_t nl;
      name_of(raid, &nm, &nl);
      if (nl != t->raids[i].name_len || memcmp(nm, t->raids[i].name, nl) != 0) {
        t->raids[i].name = copy_name(t, nm, nl);
        t->raids[i].name_len = nl;
      }
    }
    assign_occ_raids(t);
    p->raidlist_dirty = false;
  }
  compute_root(t);
  return OGRH_OK;
}

/* ---- comparing trees ---- */

bool ogrh_dtree_equal(const ogrh_dtree *a, const ogrh_dtree *b) {
  if (a->root != b->root || a->raidlist != b->raidlist || a->nraids != b->nraids) return false;
  if (memcmp(a->global, b->global, sizeof a->global) != 0) return false;
  for (size_t i = 0; i < a->nraids; i++) {
    const ogrh_dt_raid *x = &a->raids[i], *y = &b->raids[i];
    if (x->index != y->index || x->digest != y->digest || x->own != y->own || x->meta != y->meta ||
        x->list != y->list || x->nencs != y->nencs || x->occ != y->occ ||
        x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) != 0)
      return false;
    for (size_t j = 0; j < x->nencs; j++) {
      const ogrh_dt_enc *e = &x->encs[j], *f = &y->encs[j];
      if (e->index != f->index || e->digest != f->digest || e->occ != f->occ ||
          memcmp(e->comp, f->comp, sizeof e->comp) != 0 || e->name_len != f->name_len ||
          memcmp(e->name, f->name, e->name_len) != 0)
        return false;
    }
  }
  return true;
}

static void hex(ogrh_buf *b, const char *label, ogrh_digest x, ogrh_digest y) {
  ogrh_buf_printf(b, "%s: tree %016llx, data %016llx\n", label, (unsigned long long)x,
                  (unsigned long long)y);
}

int ogrh_dtree_verify(ogrh_dtree *t, ogrh_buf *report) {
  int rc = ogrh_dtree_update(t);
  if (rc) return rc;
  ogrh_dtree *fresh;
  const ogrh_value *root = tree_root(t);
  if ((rc = ogrh_dtree_build_root(root, &fresh))) return rc;
  if (ogrh_dtree_equal(t, fresh)) {
    ogrh_dtree_free(fresh);
    return OGRH_OK;
  }
  if (report) {
    if (t->root != fresh->root) hex(report, "root", t->root, fresh->root);
    for (int g = 0; g < OGRH_NGLOBALS; g++)
      if (t->global[g] != fresh->global[g])
        hex(report, ogrh_global_name(g), t->global[g], fresh->global[g]);
    if (t->nraids != fresh->nraids)
      ogrh_buf_printf(report, "raid count: tree %zu, data %zu\n", t->nraids, fresh->nraids);
    for (size_t i = 0; i < t->nraids && i < fresh->nraids; i++) {
      const ogrh_dt_raid *x = &t->raids[i], *y = &fresh->raids[i];
      char label[160];
      snprintf(label, sizeof label, "raid %lld (%.*s)", (long long)y->index,
               (int)(y->name_len > 64 ? 64 : y->name_len), y->name);
      if (x->digest != y->digest) hex(report, label, x->digest, y->digest);
      for (size_t j = 0; j < x->nencs && j < y->nencs; j++)
        for (int c = 0; c < OGRH_NCOMPONENTS; c++)
          if (x->encs[j].comp[c] != y->encs[j].comp[c]) {
            char l2[256];
            snprintf(l2, sizeof l2, "%s > encounter %lld > %s", label, (long long)y->encs[j].index,
                     ogrh_component_name(c));
            hex(report, l2, x->encs[j].comp[c], y->encs[j].comp[c]);
          }
    }
  }
  ogrh_dtree_free(fresh);
  return OGRH_EVERIFY;
}

int ogrh_dtree_poll_copy(const ogrh_dtree *t, ogrh_dtree **out) {
  *out = NULL;
  ogrh_dtree *c = tree_new();
  if (!c) return OGRH_ENOMEM;
  c->root = t->root;
  memcpy(c->global, t->global, sizeof c->global);
  c->raidlist = t->raidlist;
  c->partial = true;
  if (t->nraids) {
    c->raids = ogrh_malloc(t->nraids * sizeof *c->raids);
    if (!c->raids) {
      ogrh_dtree_free(c);
      return OGRH_ENOMEM;
    }
    c->capraids = t->nraids;
  }
  for (size_t i = 0; i < t->nraids; i++) {
    ogrh_dt_raid *r = &c->raids[c->nraids++];
    *r = t->raids[i];
    r->name = copy_name(c, t->raids[i].name, t->raids[i].name_len);
    r->encs = NULL;
    r->nencs = r->capencs = 0;
    r->dig = NULL;
    r->capdig = 0;
    r->partial = true;
  }
  *out = c;
  return OGRH_OK;
}

const ogrh_dt_raid *ogrh_dtree_find_raid(const ogrh_dtree *t, const char *name, size_t len,
                                         uint32_t occ) {
  for (size_t i = 0; i < t->nraids; i++)
    if (t->raids[i].name_len == len && t->raids[i].occ == occ &&
        memcmp(t->raids[i].name, name, len) == 0)
      return &t->raids[i];
  return NULL;
}

const ogrh_dt_enc *ogrh_dtree_find_enc(const ogrh_dt_raid *r, const char *name, size_t len,
                                       uint32_t occ) {
  for (size_t i = 0; i < r->nencs; i++)
    if (r->encs[i].name_len == len && r->encs[i].occ == occ &&
        memcmp(r->encs[i].name, name, len) == 0)
      return &r->encs[i];
  return NULL;
}

/* ---- the addon's own hash (compatibility) ---- */

uint32_t ogrh_compat_hash(const char *s, size_t n) {
  uint64_t h = 0;
  for (size_t i = 0; i < n; i++)
    h = (h * 31 + (unsigned char)s[i]) % 2147483647u;
  return (uint32_t)h;
}

void ogrh_compat_hash_text(const char *s, size_t n, char out[16]) {
  if (n == 0)
    snprintf(out, 16, "0");
  else
    snprintf(out, 16, "%u", ogrh_compat_hash(s, n));
}

/* Lua 5.0's tostring: numbers with "%.14g" (all numbers are doubles there). */
static int lua_tostring(const ogrh_value *v, ogrh_buf *b) {
  switch (v->type) {
  case OGRH_NIL:
    return ogrh_buf_adds(b, "nil");
  case OGRH_BOOL:
    return ogrh_buf_adds(b, v->b ? "true" : "false");
  case OGRH_INT:
    return ogrh_buf_printf(b, "%.14g", (double)v->u.i);
  case OGRH_DOUBLE:
    return ogrh_buf_printf(b, "%.14g", v->u.d);
  case OGRH_STRING:
    return ogrh_buf_add(b, v->u.s, v->len);
  case OGRH_TABLE:
    return ogrh_buf_printf(b, "table: %p", (void *)v->u.t);
  }
  return OGRH_EINVAL;
}

typedef struct ckey {
  ogrh_buf text;
  const ogrh_value *val;
} ckey;

static int ckey_cmp(const void *a, const void *b) {
  const ckey *x = a, *y = b;
  size_t n = x->text.n < y->text.n ? x->text.n : y->text.n;
  int c = n ? memcmp(x->text.p, y->text.p, n) : 0;
  if (c) return c;
  return x->text.n < y->text.n ? -1 : x->text.n > y->text.n;
}

static int compat_ser(const ogrh_value *v, int depth, ogrh_buf *b) {
  if (depth > 10) return ogrh_buf_adds(b, "...");
  if (v->type != OGRH_TABLE) return lua_tostring(v, b);
  const ogrh_table *t = v->u.t;
  ckey *keys = t->n ? ogrh_malloc(t->n * sizeof *keys) : NULL;
  if (t->n && !keys) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  for (uint32_t i = 0; i < t->n; i++) {
    ogrh_buf_init(&keys[i].text);
    keys[i].val = &t->e[i].val;
    if (!rc) rc = lua_tostring(&t->e[i].key, &keys[i].text);
  }
  if (!rc && t->n) qsort(keys, t->n, sizeof *keys, ckey_cmp);
  for (uint32_t i = 0; i < t->n && !rc; i++) {
    rc = ogrh_buf_add(b, keys[i].text.p, keys[i].text.n);
    if (!rc) rc = ogrh_buf_addc(b, '=');
    if (!rc)
      rc = keys[i].val->type == OGRH_TABLE ? compat_ser(keys[i].val, depth + 1, b)
                                           : lua_tostring(keys[i].val, b);
    if (!rc) rc = ogrh_buf_addc(b, ';');
  }
  for (uint32_t i = 0; i < t->n; i++)
    ogrh_buf_deinit(&keys[i].text);
  ogrh_free(keys, t->n * sizeof *keys);
  return rc;
}

int ogrh_compat_serialize(const ogrh_value *v, ogrh_buf *b) {
  return compat_ser(v, 0, b);
}
