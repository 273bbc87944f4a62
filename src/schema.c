/*
** schema.c
** The OGRH v2 layout (ogrh/schema.h): the table of encounter components and global
** components, projections, the canonical encoding and decoding, setting a component back into
** an encounter, the synced part of a schema root, and identities of raids and encounters.
*/
#include "ogrh/schema.h"
#include "ogrh/util.h"

#include <string.h>

#define KEYV(text)                                                                                 \
  {                                                                                                \
    OGRH_STRING, 0, (uint32_t)(sizeof(text) - 1), {                                                \
      .s = text                                                                                    \
    }                                                                                              \
  }

const ogrh_value ogrh_schema_keys[OGRH_NKEYS] = {
#define OGRH__XX(id, text) KEYV(text),
    OGRH_SCHEMA_KEY_MAP(OGRH__XX)
#undef OGRH__XX
};

const ogrh_component_def ogrh_components[OGRH_NCOMPONENTS] = {
#define OGRH__XX(id, name, part, key) {name, part, KEYV(key)},
    OGRH_COMPONENT_MAP(OGRH__XX)
#undef OGRH__XX
};

/*
** The rows by kind, worked out at compile time: ONLY_<what>_<part>(x) keeps x for the rows of
** that kind and drops it for the others.
*/
#define ONLY_REST_OGRH_PART_REST(...) __VA_ARGS__
#define ONLY_REST_OGRH_PART_KEY(...)
#define ONLY_REST_OGRH_PART_ROLES(...)
#define ONLY_REST_OGRH_PART_SLOT(...)
#define ONLY_ROLES_OGRH_PART_REST(...)
#define ONLY_ROLES_OGRH_PART_KEY(...)
#define ONLY_ROLES_OGRH_PART_ROLES(...) __VA_ARGS__
#define ONLY_ROLES_OGRH_PART_SLOT(...)
#define ONLY_SLOT_OGRH_PART_REST(...)
#define ONLY_SLOT_OGRH_PART_KEY(...)
#define ONLY_SLOT_OGRH_PART_ROLES(...)
#define ONLY_SLOT_OGRH_PART_SLOT(...) __VA_ARGS__
/* REST leaves out the keys of the KEY and ROLES rows. */
#define ONLY_CLAIM_OGRH_PART_REST(...)
#define ONLY_CLAIM_OGRH_PART_KEY(...) __VA_ARGS__
#define ONLY_CLAIM_OGRH_PART_ROLES(...) __VA_ARGS__
#define ONLY_CLAIM_OGRH_PART_SLOT(...)

#define COUNT_REST(id, name, part, key) ONLY_REST_##part(+1)
#define COUNT_ROLES(id, name, part, key) ONLY_ROLES_##part(+1)
#define COUNT_SLOT(id, name, part, key) ONLY_SLOT_##part(+1)
#define COUNT_CLAIM(id, name, part, key) ONLY_CLAIM_##part(+1)
enum {
  NREST = 0 OGRH_COMPONENT_MAP(COUNT_REST),
  NROLES = 0 OGRH_COMPONENT_MAP(COUNT_ROLES),
  NSLOTS = 0 OGRH_COMPONENT_MAP(COUNT_SLOT),
  NCLAIMED = 0 OGRH_COMPONENT_MAP(COUNT_CLAIM)
};
/* The table's own rules. */
_Static_assert(NREST == 1, "exactly one REST component");
_Static_assert(NROLES <= 1, "at most one ROLES component");
_Static_assert(NSLOTS == 0 || NROLES == 1, "per-slot components need the ROLES component");

#define REST_INDEX(id, name, part, key) ONLY_REST_##part(+OGRH_COMP_##id)
#define ROLES_INDEX(id, name, part, key) ONLY_ROLES_##part(+1 + OGRH_COMP_##id)
#define SLOT_INDEX(id, name, part, key) ONLY_SLOT_##part(OGRH_COMP_##id, )
#define SLOT_KEY(id, name, part, key) ONLY_SLOT_##part(KEYV(key), )
#define CLAIM_KEY(id, name, part, key) ONLY_CLAIM_##part(KEYV(key), )

typedef struct layout {
  int rest, roles;                 /* component indexes (roles -1 when there is none) */
  int slot[NSLOTS + 1];            /* the SLOT components in table order */
  ogrh_value slot_key[NSLOTS + 1]; /* and their role fields */
  int nslot;
  ogrh_value claimed[NCLAIMED + 1]; /* encounter keys REST leaves out */
  int nclaimed;
} layout;

static const layout g_layout = {0 OGRH_COMPONENT_MAP(REST_INDEX),
                                -1 OGRH_COMPONENT_MAP(ROLES_INDEX),
                                {OGRH_COMPONENT_MAP(SLOT_INDEX)},
                                {OGRH_COMPONENT_MAP(SLOT_KEY)},
                                NSLOTS,
                                {OGRH_COMPONENT_MAP(CLAIM_KEY)},
                                NCLAIMED};

static inline const layout *lay(void) {
  return &g_layout;
}

/*
** The lengths of the per-slot field names, as bits: most keys of a role ("name", "slots",
** "column" ...) have another length, and one test sets them aside before any byte compare.
** This is the innermost test of a digest build (every key of every role).
*/
#define SLOT_LEN_BIT(id, name, part, key) ONLY_SLOT_##part(| (UINT64_C(1) << (sizeof(key) - 1)))
#define SLOT_LEN_OK(id, name, part, key)                                                           \
  ONLY_SLOT_##part(_Static_assert(sizeof(key) - 1 < 64, "a per-slot field name is too long");)
OGRH_COMPONENT_MAP(SLOT_LEN_OK)
static const uint64_t slot_lens = 0 OGRH_COMPONENT_MAP(SLOT_LEN_BIT);

static inline bool maybe_slot(const ogrh_value *k) {
  return k->len < 64 && ((slot_lens >> k->len) & 1u);
}

const char *ogrh_component_name(int c) {
  return c >= 0 && c < OGRH_NCOMPONENTS ? ogrh_components[c].name : "?";
}

int ogrh_component_index(const char *name) {
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    if (strcmp(ogrh_components[c].name, name) == 0) return c;
  return -1;
}

static inline bool same_key(const ogrh_value *k, const ogrh_value *s) {
  return k->type == OGRH_STRING && k->len == s->len && memcmp(k->u.s, s->u.s, s->len) == 0;
}

static bool claimed(const layout *l, const ogrh_value *k) {
  if (k->type != OGRH_STRING) return false;
  for (int i = 0; i < NCLAIMED; i++)
    if (k->len == l->claimed[i].len && memcmp(k->u.s, l->claimed[i].u.s, k->len) == 0) return true;
  return false;
}

/* The SLOT component whose field is k, or -1. */
static int slot_of(const layout *l, const ogrh_value *k) {
  if (k->type != OGRH_STRING || !maybe_slot(k)) return -1;
  for (int i = 0; i < l->nslot; i++)
    if (same_key(k, &l->slot_key[i])) return l->slot[i];
  return -1;
}

unsigned ogrh_component_mask_at(const ogrh_value *seg, size_t n) {
  const layout *l = lay();
  if (n == 0) return OGRH_C_ALL;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    if (d->part == OGRH_PART_KEY && same_key(&seg[0], &d->key)) return 1u << c;
  }
  if (l->roles >= 0 && same_key(&seg[0], &ogrh_components[l->roles].key)) {
    unsigned all = 1u << l->roles;
    for (int i = 0; i < l->nslot; i++)
      all |= 1u << l->slot[i];
    /* The roles table or one whole role: the definitions and every per-slot field. */
    if (n <= 2) return all;
    int s = slot_of(l, &seg[2]);
    return s >= 0 ? 1u << s : 1u << l->roles;
  }
  return 1u << l->rest;
}

/* ---- global components ---- */

static const char *const global_names[OGRH_NGLOBALS] = {
#define OGRH__XX(id, name, key) name,
    OGRH_GLOBAL_MAP(OGRH__XX)
#undef OGRH__XX
};
static const ogrh_value global_keys[OGRH_NGLOBALS] = {
#define OGRH__XX(id, name, key) KEYV(key),
    OGRH_GLOBAL_MAP(OGRH__XX)
#undef OGRH__XX
};

const char *ogrh_global_name(int g) {
  return g >= 0 && g < OGRH_NGLOBALS ? global_names[g] : "?";
}

const char *ogrh_global_key(int g) {
  return g >= 0 && g < OGRH_NGLOBALS ? global_keys[g].u.s : "?";
}

const ogrh_value *ogrh_global_keyv(int g) {
  return g >= 0 && g < OGRH_NGLOBALS ? &global_keys[g] : NULL;
}

int ogrh_global_index(const char *name) {
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (strcmp(global_names[g], name) == 0 || strcmp(global_keys[g].u.s, name) == 0) return g;
  return -1;
}

const ogrh_value *ogrh_global_get(const ogrh_value *root, int g) {
  if (!root || root->type != OGRH_TABLE || g < 0 || g >= OGRH_NGLOBALS) return NULL;
  return ogrh_table_get(root->u.t, &global_keys[g]);
}

/* ---- raids and encounters ---- */

static ogrh_table *child(const ogrh_table *t, const ogrh_value *k) {
  const ogrh_value *v = t ? ogrh_table_get(t, k) : NULL;
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

ogrh_table *ogrh_schema_raids(const ogrh_value *root) {
  if (!root || root->type != OGRH_TABLE) return NULL;
  return child(child(root->u.t, OGRH_KEY(MGMT)), OGRH_KEY(RAIDS));
}

ogrh_table *ogrh_raid_encounters(const ogrh_table *raid) {
  return child(raid, OGRH_KEY(ENCOUNTERS));
}

bool ogrh_is_item(const ogrh_entry *e) {
  return e->key.type == OGRH_INT && e->val.type == OGRH_TABLE;
}

const char *ogrh_table_name(const ogrh_table *t, size_t *len) {
  const ogrh_value *v = t ? ogrh_table_get(t, OGRH_KEY(NAME)) : NULL;
  if (v && v->type == OGRH_STRING) {
    if (len) *len = v->len;
    return v->u.s;
  }
  if (len) *len = 0;
  return "";
}

static bool has_name(const ogrh_table *t, const char *name, size_t len) {
  size_t n;
  const char *s = ogrh_table_name(t, &n);
  return n == len && (len == 0 || memcmp(s, name, len) == 0);
}

ogrh_entry *ogrh_item_find(const ogrh_table *list, const char *name, size_t len, uint32_t occ) {
  uint32_t seen = 0;
  for (uint32_t i = 0; list && i < list->n; i++) {
    ogrh_entry *e = &list->e[i];
    if (ogrh_is_item(e) && has_name(e->val.u.t, name, len) && ++seen == occ) return e;
  }
  return NULL;
}

uint32_t ogrh_item_occ(const ogrh_table *list, const ogrh_entry *e) {
  size_t n;
  const char *name = ogrh_table_name(e->val.u.t, &n);
  uint32_t occ = 0;
  for (const ogrh_entry *x = list->e; x <= e; x++)
    if (ogrh_is_item(x) && has_name(x->val.u.t, name, n)) occ++;
  return occ;
}

/* ---- the synced plan ---- */

bool ogrh_schema_is_synced(const ogrh_value *key) {
  if (same_key(key, OGRH_KEY(MGMT))) return true;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (same_key(key, &global_keys[g])) return true;
  return false;
}

int ogrh_schema_synced(ogrh_arena *a, const ogrh_value *root, ogrh_value *out) {
  const ogrh_table *r = root && root->type == OGRH_TABLE ? root->u.t : NULL;
  ogrh_table *t = ogrh_table_new(a, 1 + OGRH_NGLOBALS);
  if (!t) return OGRH_ENOMEM;
  for (uint32_t i = 0; r && i < r->n; i++)
    if (ogrh_schema_is_synced(&r->e[i].key)) t->e[t->n++] = r->e[i];
  *out = ogrh_vtable(t);
  return OGRH_OK;
}

int ogrh_schema_replace_synced(ogrh_arena *a, ogrh_table *root, const ogrh_value *src) {
  const ogrh_table *s = src && src->type == OGRH_TABLE ? src->u.t : NULL;
  /* Built aside in key order, then swapped in: on failure root is untouched. */
  ogrh_table *n = ogrh_table_new(a, root->n + 1 + OGRH_NGLOBALS);
  if (!n) return OGRH_ENOMEM;
  uint32_t i = 0, j = 0;
  while (i < root->n || (s && j < s->n)) {
    if (s && j < s->n && !ogrh_schema_is_synced(&s->e[j].key)) {
      j++;
      continue;
    }
    if (i < root->n && ogrh_schema_is_synced(&root->e[i].key)) {
      i++;
      continue;
    }
    int c = i >= root->n ? 1 : !s || j >= s->n ? -1 : ogrh_key_cmp(&root->e[i].key, &s->e[j].key);
    n->e[n->n++] = c < 0 ? root->e[i++] : s->e[j++];
  }
  *root = *n;
  return OGRH_OK;
}

size_t ogrh_schema_unsynced_differences(const ogrh_value *a, const ogrh_value *b) {
  static const ogrh_value nil = {0};
  const ogrh_table *x = a && a->type == OGRH_TABLE ? a->u.t : NULL;
  const ogrh_table *y = b && b->type == OGRH_TABLE ? b->u.t : NULL;
  size_t n = 0;
  uint32_t i = 0, j = 0, xn = x ? x->n : 0, yn = y ? y->n : 0;
  while (i < xn || j < yn) {
    int c = i >= xn ? 1 : j >= yn ? -1 : ogrh_key_cmp(&x->e[i].key, &y->e[j].key);
    const ogrh_value *k = c <= 0 ? &x->e[i].key : &y->e[j].key;
    const ogrh_value *va = c <= 0 ? &x->e[i].val : &nil, *vb = c >= 0 ? &y->e[j].val : &nil;
    if (!ogrh_schema_is_synced(k) && !ogrh_value_equal(va, vb)) n++;
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
  return n;
}

/* ---- canonical encoding ----
** The encoder writes straight into the buffer after one capacity check per value: this is
** the innermost loop of every full digest build, and going through ogrh_buf_add for each byte
** group cost more than the hashing itself. Buffers are NUL-terminated only at the end.
*/

enum { T_NIL = 0, T_FALSE = 1, T_TRUE = 2, T_INT = 3, T_DOUBLE = 4, T_STRING = 5, T_TABLE = 6 };

/* The encoders check a buffer's remembered error once, on entry; room() is the hot path. */
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
  int rc = room(b, 1);
  if (rc) return rc;
  b->p[b->n++] = (char)tag;
  return OGRH_OK;
}

/* Writes a table header with a count to be patched later; *at gets the count's offset. */
static int open_table(ogrh_buf *b, size_t *at) {
  int rc = room(b, 5);
  if (rc) return rc;
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
  int rc;
  switch (v->type) {
  case OGRH_INT:
    if ((rc = room(b, 9))) return rc;
    b->p[b->n++] = T_INT;
    raw_u64(b, (uint64_t)v->u.i);
    return OGRH_OK;
  case OGRH_STRING:
    if ((rc = room(b, 5 + (size_t)v->len))) return rc;
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
    if ((rc = room(b, 9))) return rc;
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
  int rc = room(b, 5);
  if (rc) return rc;
  b->p[b->n++] = T_TABLE;
  raw_u32(b, t->n);
  for (uint32_t i = 0; i < t->n; i++) {
    const ogrh_entry *e = &t->e[i];
    /* The commonest entry of all, [slot] = "Name": one capacity check, straight writes. */
    if (e->key.type == OGRH_INT && e->val.type == OGRH_STRING) {
      if ((rc = room(b, 14 + (size_t)e->val.len))) return rc;
      b->p[b->n++] = T_INT;
      raw_u64(b, (uint64_t)e->key.u.i);
      b->p[b->n++] = T_STRING;
      raw_u32(b, e->val.len);
      raw_bytes(b, e->val.u.s, e->val.len);
      continue;
    }
    rc = enc_scalar(&e->key, b);
    if (!rc) rc = e->val.type == OGRH_TABLE ? enc_value(&e->val, b) : enc_scalar(&e->val, b);
    if (rc) return rc;
  }
  return OGRH_OK;
}

/* Ends an encoding: the buffer is NUL-terminated again (room() kept a byte for it). */
static int finish(ogrh_buf *b, int rc) {
  if (b->p && b->n < b->cap) b->p[b->n] = '\0';
  return rc;
}

int ogrh_canon_encode(const ogrh_value *v, ogrh_buf *b) {
  if (b->err) return b->err;
  return finish(b, enc_value(v, b));
}

/* ---- projections ---- */

static const ogrh_value nil_value = {0};

/*
** A key of a small table (a role, an encounter). These tables hold about ten keys, so a scan
** that compares lengths first beats a binary search; these lookups were most of an
** incremental digest update.
*/
static const ogrh_value *small_get(const ogrh_table *t, const ogrh_value *f) {
  unsigned char f0 = (unsigned char)f->u.s[0];
  for (uint32_t j = 0; j < t->n; j++) {
    const ogrh_value *k = &t->e[j].key;
    if (k->type != OGRH_STRING) continue;
    /* Keys are sorted: past the first byte of f, f is not there. */
    if (k->len && (unsigned char)k->u.s[0] > f0) break;
    if (k->len == f->len && memcmp(k->u.s, f->u.s, f->len) == 0) return &t->e[j].val;
  }
  return NULL;
}

/* The encounter's roles value (NULL when there is no ROLES component or no roles). */
static const ogrh_value *roles_of(const layout *l, const ogrh_table *enc) {
  return l->roles >= 0 ? small_get(enc, &ogrh_components[l->roles].key) : NULL;
}

/* A table minus the keys `skip` says to leave out, encoded as if they were absent. */
static int enc_without(const ogrh_table *t, bool (*skip)(const layout *, const ogrh_value *),
                       const layout *l, ogrh_buf *b) {
  size_t at;
  uint32_t n = 0;
  int rc = open_table(b, &at);
  for (uint32_t i = 0; i < t->n && !rc; i++) {
    if (skip(l, &t->e[i].key)) continue;
    rc = enc_scalar(&t->e[i].key, b);
    if (!rc) rc = enc_value(&t->e[i].val, b);
    n++;
  }
  if (!rc) close_table(b, at, n);
  return rc;
}

static bool skip_slot(const layout *l, const ogrh_value *k) {
  return slot_of(l, k) >= 0;
}

static int encode_one(const layout *l, const ogrh_table *enc, int c, ogrh_buf *b) {
  if (!enc) return enc_value(&nil_value, b);
  const ogrh_component_def *d = &ogrh_components[c];
  switch (d->part) {
  case OGRH_PART_REST:
    return enc_without(enc, claimed, l, b);
  case OGRH_PART_KEY: {
    const ogrh_value *x = small_get(enc, &d->key);
    return enc_value(x ? x : &nil_value, b);
  }
  case OGRH_PART_ROLES: {
    const ogrh_value *roles = roles_of(l, enc);
    if (!roles || roles->type != OGRH_TABLE) return enc_value(roles ? roles : &nil_value, b);
    const ogrh_table *rt = roles->u.t;
    int rc = room(b, 5);
    if (rc) return rc;
    b->p[b->n++] = T_TABLE;
    raw_u32(b, rt->n);
    for (uint32_t i = 0; i < rt->n && !rc; i++) {
      const ogrh_entry *e = &rt->e[i];
      rc = enc_scalar(&e->key, b);
      if (!rc)
        rc = e->val.type == OGRH_TABLE ? enc_without(e->val.u.t, skip_slot, l, b)
                                       : enc_value(&e->val, b);
    }
    return rc;
  }
  case OGRH_PART_SLOT: {
    const ogrh_value *roles = roles_of(l, enc);
    if (!roles || roles->type != OGRH_TABLE) return enc_value(&nil_value, b);
    const ogrh_table *rt = roles->u.t;
    uint32_t n = 0;
    size_t at;
    int rc = open_table(b, &at);
    for (uint32_t i = 0; i < rt->n && !rc; i++) {
      const ogrh_entry *e = &rt->e[i];
      const ogrh_value *x = e->val.type == OGRH_TABLE ? small_get(e->val.u.t, &d->key) : NULL;
      if (!x) continue;
      rc = enc_scalar(&e->key, b);
      if (!rc) rc = enc_value(x, b);
      n++;
    }
    if (!rc) close_table(b, at, n);
    return rc;
  }
  }
  return OGRH_EINVAL;
}

int ogrh_component_encode(const ogrh_table *enc, int c, ogrh_buf *b) {
  if (c < 0 || c >= OGRH_NCOMPONENTS) return OGRH_EINVAL;
  if (b->err) return b->err;
  return finish(b, encode_one(lay(), enc, c, b));
}

/*
** The role-based components asked in mask, in one pass over the roles: each role table is
** scanned once, its per-slot fields picked up on the way, instead of once for the definitions
** plus a lookup per field.
*/
static int encode_roles_pass(const layout *l, const ogrh_table *rt, unsigned mask,
                             ogrh_buf out[OGRH_NCOMPONENTS]) {
  ogrh_buf *rb = l->roles >= 0 && (mask & (1u << l->roles)) ? &out[l->roles] : NULL;
  size_t at[NSLOTS + 1];
  uint32_t cnt[NSLOTS + 1] = {0};
  bool want[NSLOTS + 1] = {false};
  int rc = OGRH_OK;
  if (rb) {
    if ((rc = room(rb, 5))) return rc;
    rb->p[rb->n++] = T_TABLE;
    raw_u32(rb, rt->n);
  }
  for (int s = 0; s < l->nslot; s++)
    if ((want[s] = (mask & (1u << l->slot[s])) != 0))
      if ((rc = open_table(&out[l->slot[s]], &at[s]))) return rc;
  for (uint32_t i = 0; i < rt->n && !rc; i++) {
    const ogrh_entry *e = &rt->e[i];
    if (e->val.type != OGRH_TABLE) {
      if (rb && !(rc = enc_scalar(&e->key, rb))) rc = enc_value(&e->val, rb);
      continue;
    }
    const ogrh_table *role = e->val.u.t;
    const ogrh_value *found[NSLOTS + 1] = {NULL};
    size_t hat = 0;
    uint32_t n = 0;
    if (rb && ((rc = enc_scalar(&e->key, rb)) || (rc = open_table(rb, &hat)))) break;
    for (uint32_t j = 0; j < role->n && !rc; j++) {
      const ogrh_value *k = &role->e[j].key;
      int f = -1;
      if (k->type == OGRH_STRING && maybe_slot(k))
        for (int s = 0; s < NSLOTS; s++)
          if (k->len == l->slot_key[s].len && memcmp(k->u.s, l->slot_key[s].u.s, k->len) == 0) {
            f = s;
            break;
          }
      if (f >= 0) {
        found[f] = &role->e[j].val;
        continue;
      }
      if (!rb) continue;
      rc = enc_scalar(k, rb);
      if (!rc) rc = enc_value(&role->e[j].val, rb);
      n++;
    }
    if (rc) break;
    if (rb) close_table(rb, hat, n);
    for (int s = 0; s < l->nslot && !rc; s++)
      if (want[s] && found[s]) {
        ogrh_buf *sb = &out[l->slot[s]];
        rc = enc_scalar(&e->key, sb);
        if (!rc) rc = enc_value(found[s], sb);
        cnt[s]++;
      }
  }
  if (rc) return rc;
  for (int s = 0; s < l->nslot; s++)
    if (want[s]) close_table(&out[l->slot[s]], at[s], cnt[s]);
  return OGRH_OK;
}

#define ROLE_BIT(id, name, part, key)                                                              \
  ONLY_ROLES_##part(| OGRH_C_##id) ONLY_SLOT_##part(| OGRH_C_##id)
enum { ROLE_MASK = 0 OGRH_COMPONENT_MAP(ROLE_BIT) };

/* Empties a buffer and forgets its error (ogrh_buf_reset, without the call). */
static inline void empty(ogrh_buf *b) {
  b->n = 0;
  b->err = OGRH_OK;
}

int ogrh_components_encode(const ogrh_table *enc, unsigned mask, ogrh_buf out[OGRH_NCOMPONENTS]) {
  const layout *l = lay();
  int rc = OGRH_OK;
  unsigned asked = mask & ROLE_MASK;
  /* One pass over the roles pays only when it serves two components or more. */
  const ogrh_value *roles = enc && (asked & (asked - 1)) ? roles_of(l, enc) : NULL;
  if (roles && roles->type == OGRH_TABLE) {
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      if (asked & (1u << c)) empty(&out[c]);
    rc = encode_roles_pass(l, roles->u.t, asked, out);
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      if (asked & (1u << c)) finish(&out[c], rc);
    if (rc) return rc;
    mask &= ~asked;
  }
  for (int c = 0; mask && !rc; c++, mask >>= 1)
    if (mask & 1u) {
      empty(&out[c]);
      rc = finish(&out[c], encode_one(l, enc, c, &out[c]));
    }
  return rc;
}

/* A copy of t's entries without the keys `skip` leaves out (values shared). */
static int project_without(ogrh_arena *a, const ogrh_table *t,
                           bool (*skip)(const layout *, const ogrh_value *), const layout *l,
                           ogrh_value *out) {
  ogrh_table *n = ogrh_table_new(a, t->n);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < t->n; i++)
    if (!skip(l, &t->e[i].key)) n->e[n->n++] = t->e[i];
  *out = ogrh_vtable(n);
  return OGRH_OK;
}

int ogrh_component_project(ogrh_arena *a, const ogrh_table *enc, int c, ogrh_value *out) {
  const layout *l = lay();
  *out = ogrh_vnil();
  if (c < 0 || c >= OGRH_NCOMPONENTS) return OGRH_EINVAL;
  if (!enc) return OGRH_OK;
  const ogrh_component_def *d = &ogrh_components[c];
  if (d->part == OGRH_PART_REST) return project_without(a, enc, claimed, l, out);
  if (d->part == OGRH_PART_KEY) {
    const ogrh_value *x = ogrh_table_get(enc, &d->key);
    if (x) *out = *x;
    return OGRH_OK;
  }
  const ogrh_value *roles = roles_of(l, enc);
  if (!roles || roles->type != OGRH_TABLE) {
    if (d->part == OGRH_PART_ROLES && roles) *out = *roles;
    return OGRH_OK;
  }
  const ogrh_table *rt = roles->u.t;
  ogrh_table *n = ogrh_table_new(a, rt->n);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < rt->n; i++) {
    const ogrh_entry *e = &rt->e[i];
    if (d->part == OGRH_PART_ROLES) {
      ogrh_value v = e->val;
      if (v.type == OGRH_TABLE && project_without(a, v.u.t, skip_slot, l, &v)) return OGRH_ENOMEM;
      n->e[n->n].key = e->key;
      n->e[n->n++].val = v;
    } else {
      const ogrh_value *x = e->val.type == OGRH_TABLE ? ogrh_table_get(e->val.u.t, &d->key) : NULL;
      if (!x) continue;
      n->e[n->n].key = e->key;
      n->e[n->n++].val = *x;
    }
  }
  *out = ogrh_vtable(n);
  return OGRH_OK;
}

/* ---- setting a component ---- */

static bool holds_slot(const layout *l, const ogrh_table *t) {
  for (uint32_t i = 0; i < t->n; i++)
    if (slot_of(l, &t->e[i].key) >= 0) return true;
  return false;
}

/* A new role table: the definition def (without per-slot fields) plus old's per-slot fields. */
static int role_merge(ogrh_arena *a, const layout *l, const ogrh_table *def, const ogrh_value *old,
                      ogrh_value *out) {
  const ogrh_table *ot = old && old->type == OGRH_TABLE ? old->u.t : NULL;
  ogrh_table *n = ogrh_table_new(a, def->n + (uint32_t)l->nslot);
  if (!n) return OGRH_ENOMEM;
  if (def->n) memcpy(n->e, def->e, def->n * sizeof *def->e);
  n->n = def->n;
  for (uint32_t i = 0; ot && i < ot->n; i++)
    if (slot_of(l, &ot->e[i].key) >= 0 && ogrh_table_set(a, n, &ot->e[i].key, &ot->e[i].val))
      return OGRH_ENOMEM;
  *out = ogrh_vtable(n);
  return OGRH_OK;
}

static int set_rest(ogrh_arena *a, const layout *l, ogrh_table *enc, const ogrh_value *v) {
  if (v->type != OGRH_TABLE) return OGRH_ECORRUPT;
  const ogrh_table *m = v->u.t;
  for (uint32_t i = 0; i < m->n; i++)
    if (claimed(l, &m->e[i].key)) return OGRH_ECORRUPT;
  ogrh_table *n = ogrh_table_new(a, m->n + (uint32_t)l->nclaimed);
  if (!n) return OGRH_ENOMEM;
  /* Both tables are sorted and their keys disjoint: merge them. */
  uint32_t i = 0, j = 0;
  while (i < m->n || j < enc->n) {
    if (j < enc->n && !claimed(l, &enc->e[j].key)) {
      j++;
      continue;
    }
    int c = i >= m->n ? 1 : j >= enc->n ? -1 : ogrh_key_cmp(&m->e[i].key, &enc->e[j].key);
    n->e[n->n++] = c < 0 ? m->e[i++] : enc->e[j++];
  }
  *enc = *n;
  return OGRH_OK;
}

static int set_roles(ogrh_arena *a, const layout *l, ogrh_table *enc, const ogrh_value *key,
                     const ogrh_value *v) {
  if (v->type != OGRH_TABLE) return ogrh_table_set(a, enc, key, v);
  const ogrh_table *src = v->u.t;
  for (uint32_t i = 0; i < src->n; i++)
    if (src->e[i].val.type == OGRH_TABLE && holds_slot(l, src->e[i].val.u.t)) return OGRH_ECORRUPT;
  const ogrh_value *old = ogrh_table_get(enc, key);
  const ogrh_table *ot = old && old->type == OGRH_TABLE ? old->u.t : NULL;
  ogrh_table *n = ogrh_table_new(a, src->n);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < src->n; i++) {
    ogrh_entry e = src->e[i];
    if (e.val.type == OGRH_TABLE &&
        role_merge(a, l, e.val.u.t, ot ? ogrh_table_get(ot, &e.key) : NULL, &e.val))
      return OGRH_ENOMEM;
    n->e[n->n++] = e;
  }
  ogrh_value nv = ogrh_vtable(n);
  return ogrh_table_set(a, enc, key, &nv);
}

static int set_slot(ogrh_arena *a, const layout *l, ogrh_table *enc, const ogrh_value *field,
                    const ogrh_value *v) {
  if (v->type != OGRH_NIL && v->type != OGRH_TABLE) return OGRH_ECORRUPT;
  const ogrh_value *rkey = &ogrh_components[l->roles].key;
  const ogrh_value *roles = ogrh_table_get(enc, rkey);
  const ogrh_table *src = v->type == OGRH_TABLE ? v->u.t : NULL;
  const ogrh_table *rt = roles && roles->type == OGRH_TABLE ? roles->u.t : NULL;
  /* Every value must have a role table to go into. */
  for (uint32_t i = 0; src && i < src->n; i++) {
    const ogrh_value *r = rt ? ogrh_table_get(rt, &src->e[i].key) : NULL;
    if (!r || r->type != OGRH_TABLE) return OGRH_ECORRUPT;
  }
  if (!rt) return OGRH_OK;
  ogrh_table *n = ogrh_table_new(a, rt->n);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < rt->n; i++) {
    ogrh_entry e = rt->e[i];
    if (e.val.type == OGRH_TABLE) {
      const ogrh_value *x = src ? ogrh_table_get(src, &e.key) : NULL;
      const ogrh_value *had = ogrh_table_get(e.val.u.t, field);
      if (x || had) {
        ogrh_table *role = ogrh_table_new(a, e.val.u.t->n + 1);
        if (!role) return OGRH_ENOMEM;
        if (e.val.u.t->n) memcpy(role->e, e.val.u.t->e, e.val.u.t->n * sizeof *role->e);
        role->n = e.val.u.t->n;
        if (ogrh_table_set(a, role, field, x ? x : &nil_value)) return OGRH_ENOMEM;
        e.val = ogrh_vtable(role);
      }
    }
    n->e[n->n++] = e;
  }
  ogrh_value nv = ogrh_vtable(n);
  return ogrh_table_set(a, enc, rkey, &nv);
}

int ogrh_component_set(ogrh_arena *a, ogrh_table *enc, int c, const ogrh_value *v) {
  if (c < 0 || c >= OGRH_NCOMPONENTS || !enc) return OGRH_EINVAL;
  const layout *l = lay();
  const ogrh_component_def *d = &ogrh_components[c];
  switch (d->part) {
  case OGRH_PART_REST:
    return set_rest(a, l, enc, v);
  case OGRH_PART_KEY:
    return ogrh_table_set(a, enc, &d->key, v);
  case OGRH_PART_ROLES:
    return set_roles(a, l, enc, &d->key, v);
  case OGRH_PART_SLOT:
    return set_slot(a, l, enc, &d->key, v);
  }
  return OGRH_EINVAL;
}

int ogrh_encounter_assemble(ogrh_arena *a, const ogrh_value comp[OGRH_NCOMPONENTS],
                            ogrh_table **out) {
  const layout *l = lay();
  *out = NULL;
  ogrh_table *enc = ogrh_table_new(a, 0);
  if (!enc) return OGRH_ENOMEM;
  /* Metadata first, the roles before their per-slot fields, the keyed components after. */
  int rc = set_rest(a, l, enc, &comp[l->rest]);
  if (!rc && l->roles >= 0) rc = ogrh_component_set(a, enc, l->roles, &comp[l->roles]);
  for (int c = 0; c < OGRH_NCOMPONENTS && !rc; c++)
    if (c != l->rest && c != l->roles) rc = ogrh_component_set(a, enc, c, &comp[c]);
  if (rc) return rc;
  *out = enc;
  return OGRH_OK;
}

void ogrh_component_locate(int c, const ogrh_value *k, ogrh_value seg[3], size_t *n) {
  const layout *l = lay();
  *n = 0;
  if (c < 0 || c >= OGRH_NCOMPONENTS) return;
  const ogrh_component_def *d = &ogrh_components[c];
  switch (d->part) {
  case OGRH_PART_REST:
    break;
  case OGRH_PART_KEY:
  case OGRH_PART_ROLES:
    seg[(*n)++] = d->key;
    break;
  case OGRH_PART_SLOT:
    seg[(*n)++] = ogrh_components[l->roles].key;
    if (k) {
      seg[(*n)++] = *k;
      seg[(*n)++] = d->key;
    }
    return;
  }
  if (k) seg[(*n)++] = *k;
}

/* ---- raid level ---- */

static bool skip_encounters(const layout *l, const ogrh_value *k) {
  (void)l;
  return same_key(k, OGRH_KEY(ENCOUNTERS));
}

int ogrh_raid_meta_encode(const ogrh_table *raid, ogrh_buf *b) {
  if (b->err) return b->err;
  return finish(b, enc_without(raid, skip_encounters, lay(), b));
}

int ogrh_list_names_encode(const ogrh_table *list, ogrh_buf *b) {
  if (b->err) return b->err;
  if (!list) return finish(b, enc_value(&nil_value, b));
  int rc = room(b, 5);
  if (rc) return finish(b, rc);
  b->p[b->n++] = T_TABLE;
  raw_u32(b, list->n);
  for (uint32_t i = 0; i < list->n && !rc; i++) {
    const ogrh_entry *e = &list->e[i];
    if ((rc = enc_scalar(&e->key, b))) break;
    if (e->val.type == OGRH_TABLE) {
      const ogrh_value *nm = ogrh_table_get(e->val.u.t, OGRH_KEY(NAME));
      rc = enc_value(nm ? nm : &nil_value, b);
    } else if (!(rc = put_tag(b, 0x7f))) {
      /* A stray non-table entry is still part of what must agree; tag it apart. */
      rc = enc_value(&e->val, b);
    }
  }
  return finish(b, rc);
}

/* ---- canonical decoding ----
** Entries are gathered on one scratch stack shared by every open table and copied into the
** arena, exactly sized, when their table ends: nothing is reserved for entries that a count
** promises but the bytes never deliver. The arena then gets 16 bytes per table, 32 per entry
** and at most len + 8 per string, and each of those costs at least 5, 6 and len + 5 input
** bytes (docs/PROTOCOL.md §3 states the bound).
*/

typedef struct cdec {
  ogrh_arena *a;
  const uint8_t *p, *end;
  size_t max_depth;
  ogrh_entry *stack;
  size_t top, cap;
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

static int dec_value(cdec *d, size_t depth, ogrh_value *out) {
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
    if (depth >= d->max_depth) return OGRH_EDEPTH;
    /* Every entry takes at least six bytes (a key of five, a value of one). */
    if (dec_u32(d, &n) || (size_t)(d->end - d->p) / 6 < n) return OGRH_ECORRUPT;
    size_t base = d->top;
    for (uint32_t i = 0; i < n; i++) {
      ogrh_value k, v;
      /* Only integers and strings are keys: refuse anything else before decoding it. */
      if (d->p >= d->end || (*d->p != T_INT && *d->p != T_STRING)) return OGRH_ECORRUPT;
      int rc = dec_value(d, depth + 1, &k);
      if (rc) return rc;
      if (i && ogrh_key_cmp(&d->stack[d->top - 1].key, &k) >= 0) return OGRH_ECORRUPT;
      if ((rc = dec_value(d, depth + 1, &v))) return rc;
      if (v.type == OGRH_NIL) return OGRH_ECORRUPT;
      if ((rc = ogrh_grow(&d->stack, &d->cap, d->top + 1, sizeof *d->stack))) return rc;
      d->stack[d->top].key = k;
      d->stack[d->top++].val = v;
    }
    ogrh_table *t = ogrh_table_new(d->a, n);
    if (!t) return OGRH_ENOMEM;
    if (n) memcpy(t->e, d->stack + base, n * sizeof *t->e);
    t->n = n;
    d->top = base;
    *out = ogrh_vtable(t);
    return OGRH_OK;
  }
  }
  return OGRH_ECORRUPT;
}

int ogrh_canon_decode_depth(ogrh_arena *a, const uint8_t *p, size_t n, bool exact, size_t max_depth,
                            ogrh_value *out, size_t *used) {
  cdec d = {a, p, p + n, max_depth, NULL, 0, 0};
  *out = ogrh_vnil();
  int rc = dec_value(&d, 0, out);
  if (!rc && exact && d.p != d.end) rc = OGRH_ECORRUPT;
  if (rc) *out = ogrh_vnil();
  if (used) *used = (size_t)(d.p - p);
  ogrh_free(d.stack, d.cap * sizeof *d.stack);
  return rc;
}

int ogrh_canon_decode(ogrh_arena *a, const uint8_t *p, size_t n, bool exact, ogrh_value *out,
                      size_t *used) {
  return ogrh_canon_decode_depth(a, p, n, exact, OGRH_MAX_DEPTH, out, used);
}
