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
** as a back-reference to its index.
*/
#include "ogrh/codec.h"

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
typedef struct strtab {
  const char **s;
  uint32_t *len, *idx;
  size_t cap, n;
} strtab;

static uint32_t str_hash(const char *s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static int strtab_find_or_add(strtab *t, const char *s, uint32_t n, int64_t *found) {
  *found = -1;
  if (t->n >= MAX_STRINGS) return OGRH_OK;
  if ((t->n + 1) * 2 > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    const char **ns = ogrh_malloc(cap * sizeof *ns);
    uint32_t *nl = ogrh_malloc(cap * sizeof *nl), *ni = ogrh_malloc(cap * sizeof *ni);
    if (!ns || !nl || !ni) {
      ogrh_free(ns, cap * sizeof *ns);
      ogrh_free(nl, cap * sizeof *nl);
      ogrh_free(ni, cap * sizeof *ni);
      return OGRH_ENOMEM;
    }
    memset(ns, 0, cap * sizeof *ns);
    for (size_t i = 0; i < t->cap; i++)
      if (t->s[i]) {
        size_t j = str_hash(t->s[i], t->len[i]) & (cap - 1);
        while (ns[j])
          j = (j + 1) & (cap - 1);
        ns[j] = t->s[i];
        nl[j] = t->len[i];
        ni[j] = t->idx[i];
      }
    ogrh_free(t->s, t->cap * sizeof *t->s);
    ogrh_free(t->len, t->cap * sizeof *t->len);
    ogrh_free(t->idx, t->cap * sizeof *t->idx);
    t->s = ns;
    t->len = nl;
    t->idx = ni;
    t->cap = cap;
  }
  size_t j = str_hash(s, n) & (t->cap - 1);
  while (t->s[j]) {
    if (t->len[j] == n && memcmp(t->s[j], s, n) == 0) {
      *found = t->idx[j];
      return OGRH_OK;
    }
    j = (j + 1) & (t->cap - 1);
  }
  t->s[j] = s;
  t->len[j] = n;
  t->idx[j] = (uint32_t)t->n++;
  return OGRH_OK;
}

static void strtab_free(strtab *t) {
  ogrh_free(t->s, t->cap * sizeof *t->s);
  ogrh_free(t->len, t->cap * sizeof *t->len);
  ogrh_free(t->idx, t->cap * sizeof *t->idx);
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

int ogrh_compact_encode(const ogrh_value *v, ogrh_buf *out) {
  strtab st = {0};
  int rc = enc(v, &st, out);
  strtab_free(&st);
  return rc;
}

typedef struct dec {
  ogrh_arena *a;
  const uint8_t *p, *end;
  ogrh_value *strs; /* strings seen, for back-references */
  size_t nstrs, capstrs;
} dec;

static int remember(dec *d, const ogrh_value *s) {
  if (s->len < MIN_REF_LEN || d->nstrs >= MAX_STRINGS) return OGRH_OK;
  if (d->nstrs == d->capstrs) {
    size_t cap = d->capstrs ? d->capstrs * 2 : 64;
    ogrh_value *n = ogrh_realloc(d->strs, d->capstrs * sizeof *n, cap * sizeof *n);
    if (!n) return OGRH_ENOMEM;
    d->strs = n;
    d->capstrs = cap;
  }
  d->strs[d->nstrs++] = *s;
  return OGRH_OK;
}

static int dec_str(dec *d, uint64_t n, ogrh_value *out) {
  if (n > (uint64_t)(d->end - d->p)) return OGRH_ECORRUPT;
  char *s = ogrh_arena_memdup(d->a, d->p, (size_t)n);
  if (!s) return OGRH_ENOMEM;
  d->p += n;
  *out = ogrh_vstr(s, (size_t)n);
  return remember(d, out);
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
    if (d->end - d->p < 8) return OGRH_ECORRUPT;
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
  case C_REF:
    if (ogrh_varint_get(&d->p, d->end, &u) || u >= d->nstrs) return OGRH_ECORRUPT;
    *out = d->strs[u];
    return OGRH_OK;
  case C_TABLE: {
    if (depth >= OGRH_MAX_DEPTH) return OGRH_EDEPTH;
    uint64_t seq, m;
    /* Every value takes at least one byte, every pair two: counts beyond that are lies. */
    if (ogrh_varint_get(&d->p, d->end, &seq) || seq > (uint64_t)(d->end - d->p))
      return OGRH_ECORRUPT;
    ogrh_table *tab = ogrh_table_new(d->a, (uint32_t)seq);
    if (!tab) return OGRH_ENOMEM;
    for (uint64_t i = 0; i < seq; i++) {
      ogrh_value v;
      int rc = dec_value(d, depth + 1, &v);
      if (rc) return rc;
      if (v.type == OGRH_NIL) return OGRH_ECORRUPT;
      tab->e[i].key = ogrh_vint((int64_t)i + 1);
      tab->e[i].val = v;
      tab->n = (uint32_t)i + 1;
    }
    if (ogrh_varint_get(&d->p, d->end, &m) || m > (uint64_t)(d->end - d->p) / 2)
      return OGRH_ECORRUPT;
    ogrh_value prev = ogrh_vnil();
    for (uint64_t i = 0; i < m; i++) {
      ogrh_value k, v;
      int rc = dec_value(d, depth + 1, &k);
      if (!rc) rc = dec_value(d, depth + 1, &v);
      if (rc) return rc;
      if (!ogrh_key_valid(&k) || v.type == OGRH_NIL) return OGRH_ECORRUPT;
      /* Canonical only: the array part is 1..seq, the rest sorted after it. */
      if (k.type == OGRH_INT && k.u.i >= 1 && (uint64_t)k.u.i <= seq + 1) return OGRH_ECORRUPT;
      if (i && ogrh_key_cmp(&prev, &k) >= 0) return OGRH_ECORRUPT;
      prev = k;
      if (ogrh_table_set(d->a, tab, &k, &v)) return OGRH_ENOMEM;
    }
    *out = ogrh_vtable(tab);
    return OGRH_OK;
  }
  }
  return OGRH_ECORRUPT;
}

int ogrh_compact_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_value *out, size_t *used) {
  dec d = {a, p, p + n, NULL, 0, 0};
  int rc = dec_value(&d, 0, out);
  if (used) *used = (size_t)(d.p - p);
  ogrh_free(d.strs, d.capstrs * sizeof *d.strs);
  return rc;
}

/* An operation: varint segment count, each segment as a value (integer or string), the value. */
int ogrh_op_encode(const ogrh_path *path, const ogrh_value *v, ogrh_buf *out) {
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
  return rc;
}

int ogrh_op_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_op *out, size_t *used) {
  const uint8_t *q = p, *end = p + n;
  uint64_t nseg;
  if (ogrh_varint_get(&q, end, &nseg) || nseg == 0 || nseg > OGRH_PATH_MAX) return OGRH_ECORRUPT;
  ogrh_value t;
  size_t u;
  int rc = ogrh_compact_decode(a, q, (size_t)(end - q), &t, &u);
  if (rc) return rc;
  if (t.type != OGRH_TABLE || ogrh_table_seqlen(t.u.t) != t.u.t->n ||
      (t.u.t->n != nseg && t.u.t->n != nseg + 1))
    return OGRH_ECORRUPT;
  out->path.n = (size_t)nseg;
  for (size_t i = 0; i < nseg; i++) {
    const ogrh_value *s = &t.u.t->e[i].val;
    if (!ogrh_key_valid(s)) return OGRH_ECORRUPT;
    out->path.seg[i] = *s;
  }
  out->value = t.u.t->n > nseg ? t.u.t->e[nseg].val : ogrh_vnil();
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
