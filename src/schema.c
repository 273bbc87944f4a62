/*
** schema.c
** The OGRH v2 layout (ogrh/schema.h): the table of encounter components and global
** components, projections, the canonical encoding and decoding, setting a component back into
** an encounter, the synced part of a schema root, and identities of raids and encounters.
*/
#include "ogrh/schema.h"
#include "ogrh/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
#define OGRH__XX(id, name, part, key, v1, v1key) {name, part, KEYV(key), v1, KEYV(v1key)},
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

#define COUNT_REST(id, name, part, key, v1, v1key) ONLY_REST_##part(+1)
#define COUNT_ROLES(id, name, part, key, v1, v1key) ONLY_ROLES_##part(+1)
#define COUNT_SLOT(id, name, part, key, v1, v1key) ONLY_SLOT_##part(+1)
#define COUNT_CLAIM(id, name, part, key, v1, v1key) ONLY_CLAIM_##part(+1)
enum {
  NREST = 0 OGRH_COMPONENT_MAP(COUNT_REST),
  NROLES = 0 OGRH_COMPONENT_MAP(COUNT_ROLES),
  NSLOTS = 0 OGRH_COMPONENT_MAP(COUNT_SLOT),
  NCLAIMED = 0 OGRH_COMPONENT_MAP(COUNT_CLAIM)
};
/* The table's own rules. */
#define V1_MATCHES(id, name, part, key, v1, v1key)                                                 \
  _Static_assert(((part) == OGRH_PART_REST) == ((v1) == OGRH_V1_ENCOUNTER) &&                      \
                     ((part) == OGRH_PART_ROLES) == ((v1) == OGRH_V1_COLUMNS) &&                   \
                     ((part) == OGRH_PART_SLOT) == ((v1) == OGRH_V1_BY_ROLE),                      \
                 "a v1 place holds what its part holds in v2");
OGRH_COMPONENT_MAP(V1_MATCHES)
_Static_assert(NREST == 1, "exactly one REST component");
_Static_assert(NROLES <= 1, "at most one ROLES component");
_Static_assert(NSLOTS == 0 || NROLES == 1, "per-slot components need the ROLES component");

#define REST_INDEX(id, name, part, key, v1, v1key) ONLY_REST_##part(+OGRH_COMP_##id)
#define ROLES_INDEX(id, name, part, key, v1, v1key) ONLY_ROLES_##part(+1 + OGRH_COMP_##id)
#define SLOT_INDEX(id, name, part, key, v1, v1key) ONLY_SLOT_##part(OGRH_COMP_##id, )
#define SLOT_KEY(id, name, part, key, v1, v1key) ONLY_SLOT_##part(KEYV(key), )
#define CLAIM_KEY(id, name, part, key, v1, v1key) ONLY_CLAIM_##part(KEYV(key), )

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
#define SLOT_LEN_BIT(id, name, part, key, v1, v1key)                                               \
  ONLY_SLOT_##part(| (UINT64_C(1) << (sizeof(key) - 1)))
#define SLOT_LEN_OK(id, name, part, key, v1, v1key)                                                \
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
  ogrh_value view;
  if (ogrh_schema_view(a, root, &view)) return OGRH_ENOMEM;
  const ogrh_table *r = view.type == OGRH_TABLE ? view.u.t : NULL;
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
  /* The v1 places of a v1 root are its plan, not the player's own data. */
  bool v1 = ogrh_schema_layout(a) == OGRH_LAYOUT_V1 || ogrh_schema_layout(b) == OGRH_LAYOUT_V1;
  while (i < xn || j < yn) {
    int c = i >= xn ? 1 : j >= yn ? -1 : ogrh_key_cmp(&x->e[i].key, &y->e[j].key);
    const ogrh_value *k = c <= 0 ? &x->e[i].key : &y->e[j].key;
    const ogrh_value *va = c <= 0 ? &x->e[i].val : &nil, *vb = c >= 0 ? &y->e[j].val : &nil;
    if (!ogrh_schema_is_synced(k) && !(v1 && ogrh_schema_is_v1_key(k)) && !ogrh_value_equal(va, vb))
      n++;
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

#define ROLE_BIT(id, name, part, key, v1, v1key)                                                   \
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

/* ---- the v1 layout ----
** A v1 root keeps each component of an encounter at a place found by the names of the raid
** and the encounter (the v1 column of OGRH_COMPONENT_MAP). The view assembles v2 encounters
** from those places; the store is its inverse. Both follow the table's rows, so a new row
** needs no code here unless it brings a new kind of place.
*/

static const ogrh_value k_column = KEYV("column"), k_roleid = KEYV("roleId");
static const ogrh_value k_version = KEYV("schemaVersion");
static const ogrh_value k_columns[2] = {KEYV("column1"), KEYV("column2")};

/* The `name` of a raid or encounter when it is a string (what v1 places are keyed by). */
static const ogrh_value *name_key(const ogrh_table *t) {
  const ogrh_value *v = t ? ogrh_table_get(t, OGRH_KEY(NAME)) : NULL;
  return v && v->type == OGRH_STRING ? v : NULL;
}

/* The table holding component c's places (R.encounterMgmt.roles, R.encounterAssignments...). */
static ogrh_table *place_table(const ogrh_table *root, const ogrh_component_def *d) {
  if (d->v1 == OGRH_V1_ENCOUNTER) return NULL;
  if (d->v1 == OGRH_V1_COLUMNS) return child(child(root, OGRH_KEY(MGMT)), &d->v1key);
  return child(root, &d->v1key);
}

const ogrh_value *ogrh_v1_place_get(const ogrh_table *root, int c, const ogrh_value *raid,
                                    const ogrh_value *enc) {
  if (c < 0 || c >= OGRH_NCOMPONENTS || !raid || !enc) return NULL;
  const ogrh_table *t = child(place_table(root, &ogrh_components[c]), raid);
  return t ? ogrh_table_get(t, enc) : NULL;
}

ogrh_layout ogrh_schema_layout(const ogrh_value *root) {
  if (!root || root->type != OGRH_TABLE) return OGRH_LAYOUT_V2;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    if (place_table(root->u.t, &ogrh_components[c])) return OGRH_LAYOUT_V1;
  return OGRH_LAYOUT_V2;
}

bool ogrh_schema_is_v1_key(const ogrh_value *key) {
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    if ((d->v1 == OGRH_V1_BY_ROLE || d->v1 == OGRH_V1_BY_NAME) && same_key(key, &d->v1key))
      return true;
  }
  return false;
}

/* The key a role's roleId stands for in a per-role table, or false when it has none. */
static bool role_key(const ogrh_value *role, ogrh_value *k) {
  const ogrh_value *id = role->type == OGRH_TABLE ? ogrh_table_get(role->u.t, &k_roleid) : NULL;
  if (!id || (id->type != OGRH_INT && id->type != OGRH_STRING && id->type != OGRH_DOUBLE))
    return false;
  *k = *id;
  return ogrh_key_normalize(k) == OGRH_OK && ogrh_key_valid(k);
}

static bool skip_role_key(const layout *l, const ogrh_value *k) {
  return slot_of(l, k) >= 0 || same_key(k, &k_column);
}

/*
** The roles of the view from a roles place T: the table entries of column1, then of column2,
** each in key order, numbered from 1; each a new table without per-slot fields, with its
** column. A per-slot field kept inside a v1 role is not where v1 keeps that data: it is left
** out (and reported by the migration).
*/
static int view_roles(ogrh_arena *a, const layout *l, const ogrh_table *t, ogrh_table **out) {
  uint32_t n = 0;
  for (int c = 0; c < 2; c++) {
    const ogrh_table *col = child(t, &k_columns[c]);
    for (uint32_t i = 0; col && i < col->n; i++)
      n += col->e[i].val.type == OGRH_TABLE;
  }
  ogrh_table *roles = ogrh_table_new(a, n);
  if (!roles) return OGRH_ENOMEM;
  for (int c = 0; c < 2; c++) {
    const ogrh_table *col = child(t, &k_columns[c]);
    for (uint32_t i = 0; col && i < col->n; i++) {
      if (col->e[i].val.type != OGRH_TABLE) continue;
      ogrh_value rv, cv = ogrh_vint(c + 1);
      if (project_without(a, col->e[i].val.u.t, skip_role_key, l, &rv) ||
          ogrh_table_set(a, rv.u.t, &k_column, &cv))
        return OGRH_ENOMEM;
      roles->e[roles->n].key = ogrh_vint((int64_t)roles->n + 1);
      roles->e[roles->n++].val = rv;
    }
  }
  *out = roles;
  return OGRH_OK;
}

/* Gives each role of roles (fresh tables) its per-slot value from the per-role table p. */
static int fill_slot(ogrh_arena *a, ogrh_table *roles, const ogrh_table *p,
                     const ogrh_value *field) {
  for (uint32_t i = 0; i < roles->n; i++) {
    ogrh_value k;
    if (!role_key(&roles->e[i].val, &k)) continue;
    const ogrh_value *v = ogrh_table_get(p, &k);
    if (v && ogrh_table_set(a, roles->e[i].val.u.t, field, v)) return OGRH_ENOMEM;
  }
  return OGRH_OK;
}

int ogrh_v1_encounter(ogrh_arena *a, const ogrh_table *root, const ogrh_table *raid,
                      const ogrh_table *enc, ogrh_table **out) {
  const layout *l = lay();
  *out = NULL;
  ogrh_value v;
  if (project_without(a, enc, claimed, l, &v)) return OGRH_ENOMEM;
  ogrh_table *e = v.u.t, *roles = NULL;
  const ogrh_value *rn = name_key(raid), *en = name_key(enc);
  for (int c = 0; c < OGRH_NCOMPONENTS && rn && en; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    const ogrh_value *p = ogrh_v1_place_get(root, c, rn, en);
    if (!p) continue;
    int rc = OGRH_OK;
    switch (d->v1) {
    case OGRH_V1_ENCOUNTER:
      break;
    case OGRH_V1_COLUMNS:
      if (p->type != OGRH_TABLE) break;
      if ((rc = view_roles(a, l, p->u.t, &roles))) return rc;
      v = ogrh_vtable(roles);
      rc = ogrh_table_set(a, e, &d->key, &v);
      break;
    case OGRH_V1_BY_ROLE:
      if (roles && p->type == OGRH_TABLE) rc = fill_slot(a, roles, p->u.t, &d->key);
      break;
    case OGRH_V1_BY_NAME:
      rc = ogrh_table_set(a, e, &d->key, p);
      break;
    }
    if (rc) return rc;
  }
  *out = e;
  return OGRH_OK;
}

/* A copy of t (values shared) with room for extra more entries. */
static ogrh_table *table_dup(ogrh_arena *a, const ogrh_table *t, uint32_t extra) {
  uint32_t n = t ? t->n : 0;
  if (n > UINT32_MAX - extra) return NULL;
  ogrh_table *c = ogrh_table_new(a, n + extra);
  if (!c) return NULL;
  if (n) memcpy(c->e, t->e, n * sizeof *t->e);
  c->n = n;
  return c;
}

/* The view of a raid list of root: every raid copied, every encounter assembled. */
static int view_raids(ogrh_arena *a, const ogrh_table *root, const ogrh_table *raids,
                      ogrh_table **out) {
  ogrh_table *list = table_dup(a, raids, 0);
  if (!list) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < list->n; i++) {
    if (!ogrh_is_item(&list->e[i])) continue;
    const ogrh_table *raid = list->e[i].val.u.t;
    const ogrh_table *encs = ogrh_raid_encounters(raid);
    if (!encs) continue;
    ogrh_table *r = table_dup(a, raid, 0), *el = table_dup(a, encs, 0);
    if (!r || !el) return OGRH_ENOMEM;
    for (uint32_t j = 0; j < el->n; j++) {
      if (!ogrh_is_item(&el->e[j])) continue;
      ogrh_table *e;
      int rc = ogrh_v1_encounter(a, root, raid, el->e[j].val.u.t, &e);
      if (rc) return rc;
      el->e[j].val = ogrh_vtable(e);
    }
    ogrh_value ev = ogrh_vtable(el);
    if (ogrh_table_set(a, r, OGRH_KEY(ENCOUNTERS), &ev)) return OGRH_ENOMEM;
    list->e[i].val = ogrh_vtable(r);
  }
  *out = list;
  return OGRH_OK;
}

int ogrh_schema_view(ogrh_arena *a, const ogrh_value *root, ogrh_value *out) {
  if (!root || ogrh_schema_layout(root) != OGRH_LAYOUT_V1) {
    *out = root ? *root : nil_value;
    return OGRH_OK;
  }
  const ogrh_table *r = root->u.t;
  ogrh_table *t = ogrh_table_new(a, r->n);
  if (!t) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < r->n; i++) {
    ogrh_entry e = r->e[i];
    if (ogrh_schema_is_v1_key(&e.key)) continue;
    if (same_key(&e.key, OGRH_KEY(MGMT)) && e.val.type == OGRH_TABLE) {
      /* As the migration writes it: the raids and schemaVersion 2, or nothing without raids. */
      const ogrh_value *rv = ogrh_table_get(e.val.u.t, OGRH_KEY(RAIDS));
      if (!rv) continue;
      ogrh_table *nm = ogrh_table_new(a, 2), *list;
      if (!nm) return OGRH_ENOMEM;
      ogrh_value lv = *rv, two = ogrh_vint(2);
      if (rv->type == OGRH_TABLE) {
        int rc = view_raids(a, r, rv->u.t, &list);
        if (rc) return rc;
        lv = ogrh_vtable(list);
      }
      if (ogrh_table_set(a, nm, OGRH_KEY(RAIDS), &lv) || ogrh_table_set(a, nm, &k_version, &two))
        return OGRH_ENOMEM;
      e.val = ogrh_vtable(nm);
    }
    t->e[t->n++] = e;
  }
  *out = ogrh_vtable(t);
  return OGRH_OK;
}

/* ---- storing a plan into the v1 places ----
** Everything is built aside: tables made during one store are `fresh` and may be written in
** place; every other table is copied before it changes. The old root is swapped for the new
** one at the very end.
*/

typedef struct v1store {
  ogrh_arena *a;       /* the new tables */
  ogrh_arena *scratch; /* what is built only to compare */
  const layout *l;
  ogrh_table *root;
  ogrh_table **fresh;
  size_t nfresh, capfresh;
  ogrh_buf *why;
} v1store;

/* One encounter the plan holds (or held), by the names its v1 places are keyed by. */
typedef struct v1pair {
  const ogrh_value *rn, *en;
  const ogrh_table *enc; /* NULL for the pairs of the old root */
  bool unchanged;        /* the same table as in the old view: its places already agree */
  uint32_t order;
} v1pair;

static void name_text(ogrh_buf *b, const ogrh_value *rn, const ogrh_value *en) {
  ogrh_buf_add(b, rn->u.s, rn->len);
  ogrh_buf_adds(b, " > ");
  ogrh_buf_add(b, en->u.s, en->len);
}

/* OGRH_ECORRUPT, with the reason (printf-style) after the encounter's names in s->why. */
static int v1_refuse(v1store *s, const ogrh_value *rn, const ogrh_value *en, const char *fmt, ...) {
  if (s->why) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (rn && en) {
      name_text(s->why, rn, en);
      ogrh_buf_adds(s->why, ": ");
    }
    ogrh_buf_adds(s->why, msg);
  }
  return OGRH_ECORRUPT;
}

static ogrh_table *fresh_dup(v1store *s, const ogrh_table *t) {
  ogrh_table *c = table_dup(s->a, t, 1);
  if (!c || ogrh_grow(&s->fresh, &s->capfresh, s->nfresh + 1, sizeof *s->fresh)) return NULL;
  s->fresh[s->nfresh++] = c;
  return c;
}

static bool is_fresh(const v1store *s, const ogrh_table *t) {
  for (size_t i = s->nfresh; i-- > 0;)
    if (s->fresh[i] == t) return true;
  return false;
}

/* parent[k] (parent fresh) as a fresh table, copied or created; ECORRUPT for a non-table. */
static int writable(v1store *s, ogrh_table *parent, const ogrh_value *k, ogrh_table **out) {
  ogrh_value *v = ogrh_table_get(parent, k);
  if (v && v->type != OGRH_TABLE) return OGRH_ECORRUPT;
  if (v && is_fresh(s, v->u.t)) {
    *out = v->u.t;
    return OGRH_OK;
  }
  ogrh_table *c = fresh_dup(s, v ? v->u.t : NULL);
  ogrh_value cv = ogrh_vtable(c);
  if (!c || ogrh_table_set(s->a, parent, k, &cv)) return OGRH_ENOMEM;
  *out = c;
  return OGRH_OK;
}

/* Sets component c's place for (rn, en) to v, or removes it (v NULL). */
static int place_put(v1store *s, int c, const ogrh_value *rn, const ogrh_value *en,
                     const ogrh_value *v) {
  const ogrh_component_def *d = &ogrh_components[c];
  if (!v && !ogrh_v1_place_get(s->root, c, rn, en)) return OGRH_OK;
  ogrh_table *t = s->root;
  int rc = OGRH_OK;
  if (d->v1 == OGRH_V1_COLUMNS) rc = writable(s, t, OGRH_KEY(MGMT), &t);
  if (!rc) rc = writable(s, t, &d->v1key, &t);
  if (!rc) rc = writable(s, t, rn, &t);
  if (rc == OGRH_ECORRUPT)
    return v1_refuse(s, rn, en, "the v1 table holding its %s is not a table", d->name);
  if (rc) return rc;
  return ogrh_table_set(s->a, t, en, v ? v : &nil_value);
}

static bool skip_column(const layout *l, const ogrh_value *k) {
  (void)l;
  return same_key(k, &k_column);
}

/* The roles place from want (a roles projection): column1 and column2 again. */
static int store_roles(v1store *s, const ogrh_value *rn, const ogrh_value *en, int c,
                       const ogrh_value *want) {
  const ogrh_value *cur = ogrh_v1_place_get(s->root, c, rn, en);
  ogrh_value curv = nil_value;
  if (cur && cur->type == OGRH_TABLE) {
    ogrh_table *r;
    if (view_roles(s->scratch, s->l, cur->u.t, &r)) return OGRH_ENOMEM;
    curv = ogrh_vtable(r);
  }
  if (ogrh_value_equal(&curv, want)) return OGRH_OK;
  if (want->type == OGRH_NIL) return place_put(s, c, rn, en, NULL);
  if (want->type != OGRH_TABLE) return v1_refuse(s, rn, en, "its roles are not a table");
  const ogrh_table *w = want->u.t;
  ogrh_table *cols[2] = {ogrh_table_new(s->a, w->n), ogrh_table_new(s->a, w->n)};
  if (!cols[0] || !cols[1]) return OGRH_ENOMEM;
  int64_t last = 1;
  for (uint32_t i = 0; i < w->n; i++) {
    const ogrh_entry *e = &w->e[i];
    if (e->key.type != OGRH_INT || e->key.u.i != (int64_t)i + 1)
      return v1_refuse(s, rn, en, "v1 numbers the roles 1, 2, 3... without gaps");
    if (e->val.type != OGRH_TABLE)
      return v1_refuse(s, rn, en, "role %u is not a table", (unsigned)(i + 1));
    const ogrh_value *col = ogrh_table_get(e->val.u.t, &k_column);
    if (!col || col->type != OGRH_INT || col->u.i < 1 || col->u.i > 2)
      return v1_refuse(s, rn, en, "role %u has no column 1 or 2", (unsigned)(i + 1));
    if (col->u.i < last)
      return v1_refuse(s, rn, en, "role %u of column 1 comes after a role of column 2",
                       (unsigned)(i + 1));
    last = col->u.i;
    ogrh_table *t = cols[last - 1];
    ogrh_value rv;
    if (project_without(s->a, e->val.u.t, skip_column, s->l, &rv)) return OGRH_ENOMEM;
    t->e[t->n].key = ogrh_vint((int64_t)t->n + 1);
    t->e[t->n++].val = rv;
  }
  ogrh_table *nt = fresh_dup(s, cur && cur->type == OGRH_TABLE ? cur->u.t : NULL);
  if (!nt) return OGRH_ENOMEM;
  for (int k = 0; k < 2; k++) {
    ogrh_value cv = ogrh_vtable(cols[k]);
    if (ogrh_table_set(s->a, nt, &k_columns[k], &cv)) return OGRH_ENOMEM;
  }
  ogrh_value nv = ogrh_vtable(nt);
  return place_put(s, c, rn, en, &nv);
}

/*
** A per-role place from want (a per-slot projection), keyed by the roleIds of the roles rv
** (the encounter's new roles): the entries of the place for those roleIds are set or removed,
** every other entry (data of a roleId no role has) is kept as it is.
*/
static int store_slot(v1store *s, const ogrh_value *rn, const ogrh_value *en, int c,
                      const ogrh_value *rv, const ogrh_value *want) {
  const ogrh_component_def *d = &ogrh_components[c];
  const ogrh_value *cur = ogrh_v1_place_get(s->root, c, rn, en);
  const ogrh_table *p = cur && cur->type == OGRH_TABLE ? cur->u.t : NULL;
  const ogrh_table *rt = rv && rv->type == OGRH_TABLE ? rv->u.t : NULL;
  if (!rt) return OGRH_OK; /* no roles: nothing reads the place (want is nil) */
  const ogrh_table *w = want->type == OGRH_TABLE ? want->u.t : NULL;
  /* What the place means now, under the new roles. */
  bool same = true;
  for (uint32_t i = 0; i < rt->n && same; i++) {
    if (rt->e[i].val.type != OGRH_TABLE) continue;
    ogrh_value k;
    const ogrh_value *x = p && role_key(&rt->e[i].val, &k) ? ogrh_table_get(p, &k) : NULL;
    const ogrh_value *y = w ? ogrh_table_get(w, &rt->e[i].key) : NULL;
    same = x ? y && ogrh_value_equal(x, y) : !y;
  }
  if (same) return OGRH_OK;
  ogrh_table *np = fresh_dup(s, p);
  if (!np) return OGRH_ENOMEM;
  for (uint32_t i = 0; i < rt->n; i++) {
    if (rt->e[i].val.type != OGRH_TABLE) continue;
    const ogrh_value *y = w ? ogrh_table_get(w, &rt->e[i].key) : NULL;
    ogrh_value k;
    if (!role_key(&rt->e[i].val, &k)) {
      if (y)
        return v1_refuse(s, rn, en, "role %lld has %s but no roleId (v1 keys them by roleId)",
                         (long long)rt->e[i].key.u.i, d->name);
      continue;
    }
    /* Roles sharing a roleId share one v1 table: they must agree. */
    for (uint32_t j = 0; j < i; j++) {
      ogrh_value k2;
      if (rt->e[j].val.type != OGRH_TABLE || !role_key(&rt->e[j].val, &k2) ||
          ogrh_key_cmp(&k, &k2) != 0)
        continue;
      const ogrh_value *y2 = w ? ogrh_table_get(w, &rt->e[j].key) : NULL;
      if (y ? !y2 || !ogrh_value_equal(y, y2) : y2 != NULL)
        return v1_refuse(s, rn, en, "roles %lld and %lld share a roleId but not their %s",
                         (long long)rt->e[j].key.u.i, (long long)rt->e[i].key.u.i, d->name);
    }
    if (ogrh_table_set(s->a, np, &k, y ? y : &nil_value)) return OGRH_ENOMEM;
  }
  if (!p && np->n == 0) return OGRH_OK;
  ogrh_value nv = ogrh_vtable(np);
  return place_put(s, c, rn, en, &nv);
}

/* Every place of one encounter from its new v2 table. */
static int store_places(v1store *s, const v1pair *pr) {
  const ogrh_value *rv = roles_of(s->l, pr->enc);
  const ogrh_value *had = ogrh_v1_place_get(s->root, s->l->roles, pr->rn, pr->en);
  bool had_roles = had && had->type == OGRH_TABLE;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    ogrh_value want;
    int rc = OGRH_OK;
    if (d->v1 == OGRH_V1_ENCOUNTER) continue;
    if ((rc = ogrh_component_project(s->scratch, pr->enc, c, &want))) return rc;
    switch (d->v1) {
    case OGRH_V1_ENCOUNTER:
      break;
    case OGRH_V1_COLUMNS:
      rc = store_roles(s, pr->rn, pr->en, c, &want);
      break;
    case OGRH_V1_BY_ROLE:
      /* Roles taken away take their per-role tables along (nothing could read them); per-role
         tables nothing read before are left as they are. */
      if (rv && rv->type == OGRH_TABLE)
        rc = store_slot(s, pr->rn, pr->en, c, rv, &want);
      else if (had_roles)
        rc = place_put(s, c, pr->rn, pr->en, NULL);
      break;
    case OGRH_V1_BY_NAME: {
      const ogrh_value *cur = ogrh_v1_place_get(s->root, c, pr->rn, pr->en);
      bool same = cur ? ogrh_value_equal(cur, &want) : want.type == OGRH_NIL;
      if (!same) rc = place_put(s, c, pr->rn, pr->en, want.type == OGRH_NIL ? NULL : &want);
      break;
    }
    }
    if (rc) return rc;
  }
  return OGRH_OK;
}

/* Two tables equal but for the keys skip leaves out. */
static bool same_without(const ogrh_table *x, const ogrh_table *y,
                         bool (*skip)(const layout *, const ogrh_value *), const layout *l) {
  if (x == y) return true;
  uint32_t i = 0, j = 0;
  for (;;) {
    while (i < x->n && skip(l, &x->e[i].key))
      i++;
    while (j < y->n && skip(l, &y->e[j].key))
      j++;
    if (i == x->n || j == y->n) return i == x->n && j == y->n;
    if (ogrh_key_cmp(&x->e[i].key, &y->e[j].key) != 0 ||
        !ogrh_value_equal(&x->e[i].val, &y->e[j].val))
      return false;
    i++;
    j++;
  }
}

static bool same_value(const ogrh_value *a, const ogrh_value *b) {
  return a->type == b->type && (a->type == OGRH_TABLE ? a->u.t == b->u.t : ogrh_value_equal(a, b));
}

/* A raid of the v1 list from the view-shaped want, reusing old (the v1 raid there) if equal. */
static int store_raid(v1store *s, const ogrh_table *old, const ogrh_table *want, ogrh_value *out) {
  const layout *l = s->l;
  const ogrh_value *wv = ogrh_table_get(want, OGRH_KEY(ENCOUNTERS));
  const ogrh_value *ov = old ? ogrh_table_get(old, OGRH_KEY(ENCOUNTERS)) : NULL;
  ogrh_value encs = wv ? *wv : nil_value;
  if (wv && wv->type == OGRH_TABLE) {
    const ogrh_table *w = wv->u.t, *o = ov && ov->type == OGRH_TABLE ? ov->u.t : NULL;
    ogrh_table *list = ogrh_table_new(s->a, w->n);
    if (!list) return OGRH_ENOMEM;
    bool same = o && o->n == w->n;
    for (uint32_t j = 0; j < w->n; j++) {
      ogrh_entry e = w->e[j];
      const ogrh_value *oe = o ? ogrh_table_get(o, &e.key) : NULL;
      if (ogrh_is_item(&e)) {
        if (oe && oe->type == OGRH_TABLE && same_without(oe->u.t, e.val.u.t, claimed, l))
          e.val = *oe;
        else if (project_without(s->a, e.val.u.t, claimed, l, &e.val))
          return OGRH_ENOMEM;
      }
      same = same && oe && same_value(oe, &e.val);
      list->e[list->n++] = e;
    }
    encs = same ? *ov : ogrh_vtable(list);
  }
  bool keep = old && same_without(old, want, skip_encounters, l) &&
              (ov ? wv && same_value(ov, &encs) : !wv);
  if (keep) {
    *out = ogrh_vtable((ogrh_table *)old);
    return OGRH_OK;
  }
  ogrh_value r;
  if (project_without(s->a, want, skip_encounters, l, &r)) return OGRH_ENOMEM;
  if (wv && ogrh_table_set(s->a, r.u.t, OGRH_KEY(ENCOUNTERS), &encs)) return OGRH_ENOMEM;
  *out = r;
  return OGRH_OK;
}

static int pair_cmp(const void *pa, const void *pb) {
  const v1pair *a = pa, *b = pb;
  int c = ogrh_key_cmp(a->rn, b->rn);
  if (!c) c = ogrh_key_cmp(a->en, b->en);
  if (!c) c = a->order < b->order ? -1 : a->order > b->order;
  return c;
}

/* True when an encounter table holds anything the v1 layout keeps in places. */
static bool has_places(const ogrh_table *enc) {
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    if ((d->part == OGRH_PART_KEY || d->part == OGRH_PART_ROLES) && ogrh_table_get(enc, &d->key))
      return true;
  }
  return false;
}

/*
** The encounters of a raid list as pairs of names. want: the new (view-shaped) list, checked
** for encounters v1 cannot name; else the old raw list. old_view (may be NULL) marks the
** encounters whose table is the one the old view held at the same place.
*/
static int collect_pairs(v1store *s, const ogrh_table *list, bool want, const ogrh_table *old_view,
                         v1pair **out, size_t *n, size_t *cap) {
  *n = 0;
  for (uint32_t i = 0; list && i < list->n; i++) {
    if (!ogrh_is_item(&list->e[i])) continue;
    const ogrh_table *raid = list->e[i].val.u.t, *encs = ogrh_raid_encounters(raid);
    const ogrh_value *ov = old_view ? ogrh_table_get(old_view, &list->e[i].key) : NULL;
    const ogrh_table *oraid = ov && ov->type == OGRH_TABLE ? ov->u.t : NULL;
    /* The old view's encounters count as the same only under a raid of the same name. */
    const ogrh_value *orn = name_key(oraid), *rn0 = name_key(raid);
    const ogrh_table *oencs =
        orn && rn0 && ogrh_key_cmp(orn, rn0) == 0 ? ogrh_raid_encounters(oraid) : NULL;
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      if (!ogrh_is_item(&encs->e[j])) continue;
      const ogrh_table *enc = encs->e[j].val.u.t;
      const ogrh_value *rn = name_key(raid), *en = name_key(enc);
      if (!rn || !en) {
        if (want && has_places(enc))
          return v1_refuse(s, NULL, NULL,
                           "an encounter or raid without a name holds roles or announcements: "
                           "v1 finds them by name");
        continue;
      }
      if (ogrh_grow(out, cap, *n + 1, sizeof **out)) return OGRH_ENOMEM;
      const ogrh_value *oe = oencs ? ogrh_table_get(oencs, &encs->e[j].key) : NULL;
      v1pair *p = &(*out)[(*n)++];
      p->rn = rn;
      p->en = en;
      p->enc = want ? enc : NULL;
      p->unchanged =
          oe && oe->type == OGRH_TABLE &&
          ogrh_value_equal(oe, &(const ogrh_value){.type = OGRH_TABLE, .u.t = (ogrh_table *)enc});
      p->order = (uint32_t)*n;
    }
  }
  if (*n > 1) qsort(*out, *n, sizeof **out, pair_cmp);
  return OGRH_OK;
}

static bool pair_same_names(const v1pair *a, const v1pair *b) {
  return ogrh_key_cmp(a->rn, b->rn) == 0 && ogrh_key_cmp(a->en, b->en) == 0;
}

/* The places of every encounter of the new list; same-named encounters must agree. */
static int store_pairs(v1store *s, const v1pair *np, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t k = i + 1;
    bool changed = !np[i].unchanged;
    while (k < n && pair_same_names(&np[i], &np[k]))
      changed |= !np[k++].unchanged;
    if (changed) {
      int rc = store_places(s, &np[i]);
      if (rc) return rc;
      for (size_t j = i + 1; j < k; j++)
        for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
          if (ogrh_components[c].v1 == OGRH_V1_ENCOUNTER) continue;
          ogrh_value x, y;
          if (ogrh_component_project(s->scratch, np[i].enc, c, &x) ||
              ogrh_component_project(s->scratch, np[j].enc, c, &y))
            return OGRH_ENOMEM;
          if (!ogrh_value_equal(&x, &y))
            return v1_refuse(s, np[i].rn, np[i].en,
                             "two encounters of this name hold different %s (v1 keeps one per "
                             "name)",
                             ogrh_components[c].name);
        }
    }
    i = k;
  }
  return OGRH_OK;
}

/* Removes the places of the encounters the old list held and the new one does not. */
static int drop_vanished(v1store *s, const v1pair *op, size_t on, const v1pair *np, size_t nn) {
  size_t j = 0;
  for (size_t i = 0; i < on; i++) {
    if (i && pair_same_names(&op[i - 1], &op[i])) continue;
    while (j < nn && pair_cmp(&np[j], &op[i]) < 0 && !pair_same_names(&np[j], &op[i]))
      j++;
    if (j < nn && pair_same_names(&np[j], &op[i])) continue;
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      if (ogrh_components[c].v1 == OGRH_V1_ENCOUNTER) continue;
      int rc = place_put(s, c, op[i].rn, op[i].en, NULL);
      if (rc) return rc;
    }
  }
  return OGRH_OK;
}

int ogrh_v1_store(ogrh_arena *a, ogrh_table *root, const ogrh_value *raids,
                  const ogrh_value *old_view, ogrh_buf *why) {
  v1store s = {a, ogrh_arena_new(), lay(), NULL, NULL, 0, 0, why};
  v1pair *np = NULL, *op = NULL;
  size_t nn = 0, on = 0, capn = 0, capo = 0;
  int rc = s.scratch ? OGRH_OK : OGRH_ENOMEM;
  if (!rc && !(s.root = fresh_dup(&s, root))) rc = OGRH_ENOMEM;
  const ogrh_value *mv = ogrh_table_get(root, OGRH_KEY(MGMT));
  const ogrh_table *old_raids = child(child(root, OGRH_KEY(MGMT)), OGRH_KEY(RAIDS));
  const ogrh_table *want = raids && raids->type == OGRH_TABLE ? raids->u.t : NULL;
  const ogrh_table *ov = old_view && old_view->type == OGRH_TABLE ? old_view->u.t : NULL;
  /* The raid list first: metadata and the lists of encounters. */
  if (!rc) {
    ogrh_value list = raids ? *raids : nil_value;
    if (want) {
      ogrh_table *t = ogrh_table_new(a, want->n);
      bool same = old_raids && old_raids->n == want->n;
      if (!t) rc = OGRH_ENOMEM;
      for (uint32_t i = 0; !rc && i < want->n; i++) {
        ogrh_entry e = want->e[i];
        const ogrh_value *oe = old_raids ? ogrh_table_get(old_raids, &e.key) : NULL;
        if (ogrh_is_item(&e))
          rc = store_raid(&s, oe && oe->type == OGRH_TABLE ? oe->u.t : NULL, e.val.u.t, &e.val);
        same = same && oe && same_value(oe, &e.val);
        t->e[t->n++] = e;
      }
      list = same ? ogrh_vtable((ogrh_table *)old_raids) : ogrh_vtable(t);
    }
    const ogrh_value *cur =
        mv && mv->type == OGRH_TABLE ? ogrh_table_get(mv->u.t, OGRH_KEY(RAIDS)) : NULL;
    bool same = cur ? same_value(cur, &list) : list.type == OGRH_NIL;
    ogrh_table *m;
    if (!rc && !same && (rc = writable(&s, s.root, OGRH_KEY(MGMT), &m)) == OGRH_ECORRUPT)
      rc = v1_refuse(&s, NULL, NULL, "encounterMgmt is not a table");
    if (!rc && !same) rc = ogrh_table_set(a, m, OGRH_KEY(RAIDS), &list);
  }
  /* Then the places of every encounter, and of those that went away. */
  if (!rc) rc = collect_pairs(&s, want, true, ov, &np, &nn, &capn);
  if (!rc) rc = collect_pairs(&s, old_raids, false, NULL, &op, &on, &capo);
  if (!rc) rc = store_pairs(&s, np, nn);
  if (!rc) rc = drop_vanished(&s, op, on, np, nn);
  if (!rc) *root = *s.root;
  ogrh_free(np, capn * sizeof *np);
  ogrh_free(op, capo * sizeof *op);
  ogrh_free(s.fresh, s.capfresh * sizeof *s.fresh);
  ogrh_arena_free(s.scratch);
  return rc;
}

/* A copy of t without the entry at integer key `key`, the integer keys above it one lower. */
static ogrh_table *drop_key(ogrh_arena *a, const ogrh_table *t, int64_t key) {
  ogrh_table *c = ogrh_table_new(a, t->n);
  if (!c) return NULL;
  for (uint32_t i = 0; i < t->n; i++) {
    ogrh_entry e = t->e[i];
    if (e.key.type == OGRH_INT && e.key.u.i == key) continue;
    if (e.key.type == OGRH_INT && e.key.u.i > key) e.key.u.i--;
    c->e[c->n++] = e;
  }
  return c;
}

static bool str_is(const ogrh_value *v, const char *s) {
  return v && v->type == OGRH_STRING && v->len == strlen(s) && memcmp(v->u.s, s, v->len) == 0;
}

/* True when the encounter list's entry 1 is an encounter named "Admin". */
static bool admin_first(const ogrh_table *encs) {
  const ogrh_value *e = encs ? ogrh_table_geti(encs, 1) : NULL;
  return e && e->type == OGRH_TABLE &&
         str_is(ogrh_table_get(e->u.t, OGRH_KEY(NAME)), OGRH_ADMIN_ENCOUNTER);
}

int ogrh_v1_image(ogrh_arena *a, const ogrh_value *raids, const ogrh_table *v1root,
                  ogrh_value *out) {
  *out = *raids;
  if (raids->type != OGRH_TABLE) return OGRH_OK;
  const ogrh_table *list = raids->u.t;
  static const ogrh_value k_id = KEYV("id");
  for (uint32_t i = 0; i < list->n; i++)
    if (ogrh_is_item(&list->e[i]) &&
        str_is(ogrh_table_get(list->e[i].val.u.t, &k_id), OGRH_ACTIVE_RAID_ID)) {
      if (!(list = drop_key(a, list, list->e[i].key.u.i))) return OGRH_ENOMEM;
      break;
    }
  const ogrh_table *v1raids = child(child(v1root, OGRH_KEY(MGMT)), OGRH_KEY(RAIDS));
  ogrh_table *copy = NULL;
  for (uint32_t i = 0; i < list->n; i++) {
    if (!ogrh_is_item(&list->e[i])) continue;
    const ogrh_table *encs = ogrh_raid_encounters(list->e[i].val.u.t);
    if (!admin_first(encs)) continue;
    const ogrh_value *v1r = v1raids ? ogrh_table_get(v1raids, &list->e[i].key) : NULL;
    if (v1r && v1r->type == OGRH_TABLE && admin_first(ogrh_raid_encounters(v1r->u.t))) continue;
    if (!copy && !(copy = table_dup(a, list, 0))) return OGRH_ENOMEM;
    ogrh_table *r = table_dup(a, list->e[i].val.u.t, 0), *el = drop_key(a, encs, 1);
    ogrh_value ev = ogrh_vtable(el);
    if (!r || !el || ogrh_table_set(a, r, OGRH_KEY(ENCOUNTERS), &ev)) return OGRH_ENOMEM;
    copy->e[i].val = ogrh_vtable(r);
  }
  if (copy) list = copy;
  *out = ogrh_vtable((ogrh_table *)list);
  return OGRH_OK;
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
