/*
** codec.c
** Compact binary encoding of values and of set/delete operations.
**
** Type byte:
**   00 nil, 01 false, 02 true, 03 integer (zigzag varint), 04 double (8 bytes LE),
**   05 string (varint length, bytes), 06 table (varint n array values for keys 1..n, then
**   varint m and m key/value pairs), 07 string back-reference (varint index),
**   40..7f integer 0..63, 80..9f string of length 0..31 (bytes follow).
** Strings of 3 bytes or more enter a table in the order they first appear; a repeat is sent
** as a back-reference to its index. Decoding allocates what the input holds, never what it
** claims (the bound is in codec.h and docs/PROTOCOL.md §7).
*/
#include "ogrh/codec.h"

#include "ogrh/validate.h"

#include <string.h>

enum {
  C_NIL = 0,
  C_FALSE = 1,
  C_TRUE = 2,
  C_INT = 3,
  C_DOUBLE = 4,
  C_STRING = 5,
  C_TABLE = 6,
  C_REF = 7,
  C_SMALLINT = 0x40,
  C_SHORTSTR = 0x80
};

#define MIN_REF_LEN 3
#define MAX_STRINGS 4096

/* The string table of one encoding: a small open hash of (pointer, length) -> index. */
typedef struct strslot {
  const char *s; /* NULL: free */
  uint32_t len, idx;
} strslot;

typedef struct strtab {
  strslot *slot;
  size_t cap, n; /* cap is a power of two */
} strtab;

static uint32_t str_hash(const char *s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static strslot *strtab_slot(strslot *slot, size_t cap, const char *s, uint32_t n) {
  size_t j = str_hash(s, n) & (cap - 1);
  while (slot[j].s && !(slot[j].len == n && memcmp(slot[j].s, s, n) == 0))
    j = (j + 1) & (cap - 1);
  return &slot[j];
}

/* The index of s if it was seen (*found), else adds it (*found = -1). */
static int strtab_find_or_add(strtab *t, const char *s, uint32_t n, int64_t *found) {
  *found = -1;
  if (t->n >= MAX_STRINGS) return OGRH_OK;
  if ((t->n + 1) * 2 > t->cap) {
    /* Rehashed into a table twice as large, at most half full. */
    size_t cap = t->cap ? t->cap * 2 : 64;
    strslot *ns = ogrh_malloc(cap * sizeof *ns);
    if (!ns) return OGRH_ENOMEM;
    memset(ns, 0, cap * sizeof *ns);
    for (size_t i = 0; i < t->cap; i++)
      if (t->slot[i].s) *strtab_slot(ns, cap, t->slot[i].s, t->slot[i].len) = t->slot[i];
    ogrh_free(t->slot, t->cap * sizeof *t->slot);
    t->slot = ns;
    t->cap = cap;
  }
  strslot *x = strtab_slot(t->slot, t->cap, s, n);
  if (x->s) {
    *found = x->idx;
    return OGRH_OK;
  }
  x->s = s;
  x->len = n;
  x->idx = (uint32_t)t->n++;
  return OGRH_OK;
}

static void strtab_free(strtab *t) {
  ogrh_free(t->slot, t->cap * sizeof *t->slot);
}

static int enc(const ogrh_value *v, strtab *st, ogrh_buf *b) {
  int rc;
  switch (v->type) {
  case OGRH_NIL:
    return ogrh_buf_addc(b, C_NIL);
  case OGRH_BOOL:
    return ogrh_buf_addc(b, v->b ? C_TRUE : C_FALSE);
  case OGRH_INT:
    if (v->u.i >= 0 && v->u.i < 64) return ogrh_buf_addc(b, (char)(C_SMALLINT | v->u.i));
    if ((rc = ogrh_buf_addc(b, C_INT))) return rc;
    return ogrh_varint_put(b, ogrh_zigzag(v->u.i));
  case OGRH_DOUBLE: {
    unsigned char x[9];
    uint64_t bits;
    memcpy(&bits, &v->u.d, 8);
    x[0] = C_DOUBLE;
    for (int i = 0; i < 8; i++)
      x[1 + i] = (unsigned char)(bits >> (8 * i));
    return ogrh_buf_add(b, x, 9);
  }
  case OGRH_STRING: {
    if (v->len >= MIN_REF_LEN) {
      int64_t idx;
      if ((rc = strtab_find_or_add(st, v->u.s, v->len, &idx))) return rc;
      if (idx >= 0) {
        if ((rc = ogrh_buf_addc(b, C_REF))) return rc;
        return ogrh_varint_put(b, (uint64_t)idx);
      }
    }
    if (v->len < 32) {
      rc = ogrh_buf_addc(b, (char)(C_SHORTSTR | v->len));
    } else {
      rc = ogrh_buf_addc(b, C_STRING);
      if (!rc) rc = ogrh_varint_put(b, v->len);
    }
    return rc ? rc : ogrh_buf_add(b, v->u.s, v->len);
  }
  case OGRH_TABLE: {
    const ogrh_table *t = v->u.t;
    /* The array part is the run of keys 1, 2, 3...; keys below 1 sort before it. */
    uint32_t s0 = 0, seq = 0;
    while (s0 < t->n && t->e[s0].key.type == OGRH_INT && t->e[s0].key.u.i < 1)
      s0++;
    while (s0 + seq < t->n && t->e[s0 + seq].key.type == OGRH_INT &&
           t->e[s0 + seq].key.u.i == (int64_t)seq + 1)
      seq++;
    if ((rc = ogrh_buf_addc(b, C_TABLE)) || (rc = ogrh_varint_put(b, seq))) return rc;
    for (uint32_t i = s0; i < s0 + seq; i++)
      if ((rc = enc(&t->e[i].val, st, b))) return rc;
    if ((rc = ogrh_varint_put(b, t->n - seq))) return rc;
    for (uint32_t i = 0; i < t->n; i++) {
      if (i == s0) i += seq;
      if (i >= t->n) break;
      if ((rc = enc(&t->e[i].key, st, b)) || (rc = enc(&t->e[i].val, st, b))) return rc;
    }
    return OGRH_OK;
  }
  }
  return OGRH_EINVAL;
}

/* Takes back what a failed encoding appended: out is as it was. */
static int undo(ogrh_buf *out, size_t n0, int err0, int rc) {
  if (rc && !err0) {
    out->n = n0;
    out->err = OGRH_OK;
    if (out->p) out->p[n0] = '\0';
  }
  return rc;
}

int ogrh_compact_encode(const ogrh_value *v, ogrh_buf *out) {
  size_t n0 = out->n;
  int err0 = out->err;
  strtab st = {NULL, 0, 0};
  int rc = enc(v, &st, out);
  strtab_free(&st);
  return undo(out, n0, err0, rc);
}

/*
** Decoding. Every claim of the input is checked against what is left of it before anything
** is allocated for it: a value takes at least one byte, a key/value pair two, and `need`
** counts the bytes the values already promised by the open tables will take. A table's
** entries are then allocated exactly as claimed: the entries allocated for all tables
** together never exceed the input length. String bytes produced (back-references count
** each time) are bounded too, so that a decoded value cannot be much larger than its input
** when something copies or prints it.
*/
typedef struct dec {
  ogrh_arena *a;
  const uint8_t *p, *end;
  size_t need;                   /* bytes promised to the values of open tables */
  size_t expanded, max_expanded; /* string bytes produced, and their limit */
  ogrh_value *strs;              /* strings seen, for back-references */
  size_t nstrs, cap_strs;
} dec;

/* Bytes no promised value needs (0 once the input is known to be too short). */
static size_t left(const dec *d) {
  size_t rest = (size_t)(d->end - d->p);
  return rest > d->need ? rest - d->need : 0;
}

static int remember(dec *d, const ogrh_value *s) {
  if (s->len < MIN_REF_LEN || d->nstrs >= MAX_STRINGS) return OGRH_OK;
  if (ogrh_grow(&d->strs, &d->cap_strs, d->nstrs + 1, sizeof *d->strs)) return OGRH_ENOMEM;
  d->strs[d->nstrs++] = *s;
  return OGRH_OK;
}

static int produced(dec *d, uint64_t n) {
  if (n > d->max_expanded - d->expanded) return OGRH_ETOOBIG;
  d->expanded += (size_t)n;
  return OGRH_OK;
}

static int dec_str(dec *d, uint64_t n, ogrh_value *out) {
  if (n > left(d)) return OGRH_ECORRUPT;
  int rc = produced(d, n);
  if (rc) return rc;
  const char *s = "";
  if (n && !(s = ogrh_arena_memdup(d->a, d->p, (size_t)n))) return OGRH_ENOMEM;
  d->p += n;
  *out = ogrh_vstr(s, (size_t)n);
  return remember(d, out);
}

/* Reverses e[0..n). */
static void reverse(ogrh_entry *e, size_t n) {
  for (size_t i = 0; i < n / 2; i++) {
    ogrh_entry t = e[i];
    e[i] = e[n - 1 - i];
    e[n - 1 - i] = t;
  }
}

static int dec_value(dec *d, int depth, ogrh_value *out);

static int dec_table(dec *d, int depth, ogrh_value *out) {
  if (depth >= OGRH_MAX_DEPTH) return OGRH_EDEPTH;
  uint64_t seq, m;
  if (ogrh_varint_get(&d->p, d->end, &seq) || seq > left(d) || seq > UINT32_MAX / 2)
    return OGRH_ECORRUPT;
  ogrh_table *tab = ogrh_table_new(d->a, (uint32_t)seq);
  if (!tab) return OGRH_ENOMEM;
  d->need += (size_t)seq;
  for (uint64_t i = 0; i < seq; i++) {
    ogrh_value v;
    d->need--;
    int rc = dec_value(d, depth + 1, &v);
    if (rc) return rc;
    if (v.type == OGRH_NIL) return OGRH_ECORRUPT;
    tab->e[i].key = ogrh_vint((int64_t)i + 1);
    tab->e[i].val = v;
    tab->n = (uint32_t)i + 1;
  }
  if (ogrh_varint_get(&d->p, d->end, &m) || m > left(d) / 2 || m > UINT32_MAX / 2)
    return OGRH_ECORRUPT;
  if (m) {
    /* The map part: one exact array for both parts (the array part's first one is left). */
    ogrh_entry *e = ogrh_arena_alloc(d->a, (size_t)(seq + m) * sizeof *e);
    if (!e) return OGRH_ENOMEM;
    if (seq) memcpy(e, tab->e, (size_t)seq * sizeof *e);
    tab->e = e;
    tab->cap = (uint32_t)(seq + m);
  }
  d->need += 2 * (size_t)m;
  /*
  ** Pairs come in canonical order, integer keys below 1 first: those go before the array
  ** part, the rest after it. They are appended, then the ones below 1 are rotated to the
  ** front.
  */
  size_t below = 0;
  const ogrh_value *prev = NULL;
  for (uint64_t i = 0; i < m; i++) {
    ogrh_value k, v;
    d->need--;
    int rc = dec_value(d, depth + 1, &k);
    d->need--;
    if (!rc) rc = dec_value(d, depth + 1, &v);
    if (rc) return rc;
    if (!ogrh_key_valid(&k) || v.type == OGRH_NIL) return OGRH_ECORRUPT;
    /* Canonical only: the array part is 1..seq, the rest sorted after it. */
    if (k.type == OGRH_INT && k.u.i >= 1 && (uint64_t)k.u.i <= seq + 1) return OGRH_ECORRUPT;
    if (prev && ogrh_key_cmp(prev, &k) >= 0) return OGRH_ECORRUPT;
    below += k.type == OGRH_INT && k.u.i < 1;
    tab->e[tab->n].key = k;
    tab->e[tab->n].val = v;
    prev = &tab->e[tab->n++].key;
  }
  if (below && seq) {
    /* [array | below | rest] -> [below | array | rest] */
    reverse(tab->e, (size_t)seq);
    reverse(tab->e + seq, below);
    reverse(tab->e, (size_t)seq + below);
  }
  *out = ogrh_vtable(tab);
  return OGRH_OK;
}

static int dec_value(dec *d, int depth, ogrh_value *out) {
  if (d->p >= d->end) return OGRH_ECORRUPT;
  uint8_t t = *d->p++;
  uint64_t u;
  if (t >= C_SHORTSTR && t < C_SHORTSTR + 32) return dec_str(d, t & 31, out);
  if (t >= C_SMALLINT && t < C_SMALLINT + 64) {
    *out = ogrh_vint(t & 63);
    return OGRH_OK;
  }
  switch (t) {
  case C_NIL:
    *out = ogrh_vnil();
    return OGRH_OK;
  case C_FALSE:
  case C_TRUE:
    *out = ogrh_vbool(t == C_TRUE);
    return OGRH_OK;
  case C_INT:
    if (ogrh_varint_get(&d->p, d->end, &u)) return OGRH_ECORRUPT;
    *out = ogrh_vint(ogrh_unzigzag(u));
    return OGRH_OK;
  case C_DOUBLE: {
    if (left(d) < 8) return OGRH_ECORRUPT;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
      bits = (bits << 8) | d->p[i];
    d->p += 8;
    double x;
    memcpy(&x, &bits, 8);
    if (x != x) return OGRH_ECORRUPT;
    *out = ogrh_vdouble(x);
    return OGRH_OK;
  }
  case C_STRING:
    if (ogrh_varint_get(&d->p, d->end, &u)) return OGRH_ECORRUPT;
    return dec_str(d, u, out);
  case C_REF: {
    if (ogrh_varint_get(&d->p, d->end, &u) || u >= d->nstrs) return OGRH_ECORRUPT;
    int rc = produced(d, d->strs[u].len);
    if (rc) return rc;
    *out = d->strs[u];
    return OGRH_OK;
  }
  case C_TABLE:
    return dec_table(d, depth, out);
  }
  return OGRH_ECORRUPT;
}

int ogrh_compact_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_value *out, size_t *used) {
  dec d;
  memset(&d, 0, sizeof d);
  d.a = a;
  d.p = p;
  d.end = p + n;
  d.max_expanded = n <= (SIZE_MAX - OGRH_COMPACT_EXPAND_SLACK) / OGRH_COMPACT_EXPAND_RATIO
                       ? n * OGRH_COMPACT_EXPAND_RATIO + OGRH_COMPACT_EXPAND_SLACK
                       : SIZE_MAX;
  int rc = dec_value(&d, 0, out);
  if (used) *used = (size_t)(d.p - p);
  ogrh_free(d.strs, d.cap_strs * sizeof *d.strs);
  return rc;
}

/* An operation: varint segment count, each segment as a value (integer or string), the value. */
int ogrh_op_encode(const ogrh_path *path, const ogrh_value *v, ogrh_buf *out) {
  if (path->n == 0 || path->n > OGRH_PATH_MAX) return OGRH_EINVAL;
  size_t n0 = out->n;
  int err0 = out->err;
  ogrh_table segs = {NULL, 0, 0};
  ogrh_entry e[OGRH_PATH_MAX + 1];
  /* The path and the value share one string table: encode them as one array. */
  for (size_t i = 0; i < path->n; i++) {
    e[i].key = ogrh_vint((int64_t)i + 1);
    e[i].val = path->seg[i];
  }
  e[path->n].key = ogrh_vint((int64_t)path->n + 1);
  e[path->n].val = *v;
  segs.e = e;
  segs.n = segs.cap = (uint32_t)path->n + (v->type == OGRH_NIL ? 0 : 1);
  int rc = ogrh_varint_put(out, path->n);
  ogrh_value t = ogrh_vtable(&segs);
  if (!rc) rc = ogrh_compact_encode(&t, out);
  return undo(out, n0, err0, rc);
}

/* The array {v1, ..., vn} of a decoded table, or NULL when it is anything else. */
static const ogrh_table *array_of(const ogrh_value *t) {
  if (t->type != OGRH_TABLE || ogrh_table_seqlen(t->u.t) != t->u.t->n) return NULL;
  return t->u.t;
}

int ogrh_op_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_op *out, size_t *used) {
  const uint8_t *q = p, *end = p + n;
  uint64_t nseg;
  if (ogrh_varint_get(&q, end, &nseg) || nseg == 0 || nseg > OGRH_PATH_MAX) return OGRH_ECORRUPT;
  ogrh_value t;
  size_t u;
  int rc = ogrh_compact_decode(a, q, (size_t)(end - q), &t, &u);
  if (rc) return rc;
  const ogrh_table *arr = array_of(&t);
  if (!arr || (arr->n != nseg && arr->n != nseg + 1)) return OGRH_ECORRUPT;
  for (size_t i = 0; i < nseg; i++)
    if (!ogrh_key_valid(&arr->e[i].val)) return OGRH_ECORRUPT;
  out->path.n = (size_t)nseg;
  for (size_t i = 0; i < nseg; i++)
    out->path.seg[i] = arr->e[i].val;
  out->path.text[0] = '\0';
  out->value = arr->n > nseg ? arr->e[nseg].val : ogrh_vnil();
  if (used) *used = (size_t)(q - p) + u;
  return OGRH_OK;
}

int ogrh_unit_body_encode(int kind, const char *raid, size_t raid_len, const char *enc,
                          size_t enc_len, int index, const ogrh_value *value, ogrh_buf *out) {
  ogrh_entry e[5];
  ogrh_table t = {e, 5, 5};
  for (int i = 0; i < 5; i++)
    e[i].key = ogrh_vint(i + 1);
  e[0].val = ogrh_vint(kind);
  e[1].val = ogrh_vstr(raid ? raid : "", raid ? raid_len : 0);
  e[2].val = ogrh_vstr(enc ? enc : "", enc ? enc_len : 0);
  e[3].val = ogrh_vint(index);
  e[4].val = *value;
  if (value->type == OGRH_NIL) t.n = 4;
  ogrh_value v = ogrh_vtable(&t);
  return ogrh_compact_encode(&v, out);
}

int ogrh_unit_body_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_unit_body *out) {
  ogrh_value t;
  size_t used;
  int rc = ogrh_compact_decode(a, p, n, &t, &used);
  if (rc) return rc;
  const ogrh_table *arr = array_of(&t);
  if (used != n || !arr || arr->n < 4 || arr->n > 5) return OGRH_ECORRUPT;
  const ogrh_value *k = &arr->e[0].val, *r = &arr->e[1].val, *e = &arr->e[2].val,
                   *ix = &arr->e[3].val;
  if (k->type != OGRH_INT || k->u.i < OGRH_UNIT_FULL || k->u.i > OGRH_UNIT_GLOBAL ||
      r->type != OGRH_STRING || e->type != OGRH_STRING || ix->type != OGRH_INT || ix->u.i < 0 ||
      ix->u.i >= (k->u.i == OGRH_UNIT_COMPONENT ? OGRH_NCOMPONENTS
                  : k->u.i == OGRH_UNIT_GLOBAL  ? OGRH_NGLOBALS
                                                : 1))
    return OGRH_ECORRUPT;
  out->kind = (int)k->u.i;
  out->raid = r->u.s;
  out->raid_len = r->len;
  out->enc = e->u.s;
  out->enc_len = e->len;
  out->index = (int)ix->u.i;
  out->value = arr->n == 5 ? arr->e[4].val : ogrh_vnil();
  return OGRH_OK;
}
