/*
** value.c
** The value tree: constructors, canonical key order, table lookup and update, deep compare
** and deep copy.
*/
#include "ogrh/value.h"
#include "ogrh/error.h"

#include <math.h>
#include <string.h>

ogrh_value ogrh_vnil(void) {
  ogrh_value v;
  memset(&v, 0, sizeof v);
  return v;
}

ogrh_value ogrh_vbool(bool b) {
  ogrh_value v = ogrh_vnil();
  v.type = OGRH_BOOL;
  v.b = b ? 1 : 0;
  return v;
}

ogrh_value ogrh_vint(int64_t i) {
  ogrh_value v = ogrh_vnil();
  v.type = OGRH_INT;
  v.u.i = i;
  return v;
}

ogrh_value ogrh_vdouble(double d) {
  ogrh_value v = ogrh_vnil();
  v.type = OGRH_DOUBLE;
  v.u.d = d;
  return v;
}

ogrh_value ogrh_vstr(const char *s, size_t n) {
  ogrh_value v = ogrh_vnil();
  v.type = OGRH_STRING;
  v.len = (uint32_t)n;
  v.u.s = s;
  return v;
}

ogrh_value ogrh_vcstr(const char *s) {
  return ogrh_vstr(s, strlen(s));
}

ogrh_value ogrh_vtable(ogrh_table *t) {
  ogrh_value v = ogrh_vnil();
  v.type = OGRH_TABLE;
  v.u.t = t;
  return v;
}

ogrh_table *ogrh_table_new(ogrh_arena *a, uint32_t cap) {
  ogrh_table *t = ogrh_arena_alloc(a, sizeof *t);
  if (!t) return NULL;
  t->n = 0;
  t->cap = cap;
  t->e = NULL;
  if (cap) {
    t->e = ogrh_arena_alloc(a, (size_t)cap * sizeof(ogrh_entry));
    if (!t->e) return NULL;
  }
  return t;
}

static inline int key_cmp(const ogrh_value *a, const ogrh_value *b) {
  if (a->type != b->type) return a->type == OGRH_INT ? -1 : 1;
  if (a->type == OGRH_INT) return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
  /* Most string keys differ in their first byte: settle those without calling memcmp. */
  if (a->len && b->len && a->u.s[0] != b->u.s[0])
    return (unsigned char)a->u.s[0] < (unsigned char)b->u.s[0] ? -1 : 1;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = n ? memcmp(a->u.s, b->u.s, n) : 0;
  if (c) return c < 0 ? -1 : 1;
  return a->len < b->len ? -1 : a->len > b->len;
}

int ogrh_key_cmp(const ogrh_value *a, const ogrh_value *b) {
  return key_cmp(a, b);
}

bool ogrh_key_valid(const ogrh_value *k) {
  return k->type == OGRH_INT || k->type == OGRH_STRING;
}

int ogrh_key_normalize(ogrh_value *k) {
  if (k->type == OGRH_DOUBLE) {
    double d = k->u.d;
    if (isfinite(d) && d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
      *k = ogrh_vint((int64_t)d);
      return OGRH_OK;
    }
  }
  return ogrh_key_valid(k) ? OGRH_OK : OGRH_ETYPE;
}

/*
** String keys sort after every integer key; a search for one compares bytes only, without the
** type dispatch of key_cmp. This is the lookup the digest tree does for every role.
*/
static int64_t find_str(const ogrh_table *t, const char *s, uint32_t len) {
  int64_t lo = 0, hi = (int64_t)t->n - 1;
  unsigned char c0 = len ? (unsigned char)s[0] : 0;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    const ogrh_value *k = &t->e[mid].key;
    int c;
    if (k->type != OGRH_STRING) {
      c = -1;
    } else if (k->len && len && (unsigned char)k->u.s[0] != c0) {
      c = (unsigned char)k->u.s[0] < c0 ? -1 : 1;
    } else {
      uint32_t n = k->len < len ? k->len : len;
      c = n ? memcmp(k->u.s, s, n) : 0;
      if (!c) c = k->len < len ? -1 : k->len > len;
    }
    if (c == 0) return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -lo - 1;
}

/* Index of key, or -(insertion point) - 1. */
static int64_t find(const ogrh_table *t, const ogrh_value *key) {
  if (key->type == OGRH_STRING) return find_str(t, key->u.s, key->len);
  int64_t lo = 0, hi = (int64_t)t->n - 1;
  /* Dense arrays are the common case: try the direct slot first. */
  if (key->type == OGRH_INT && key->u.i >= 1 && (uint64_t)key->u.i <= t->n) {
    const ogrh_value *k = &t->e[key->u.i - 1].key;
    if (k->type == OGRH_INT && k->u.i == key->u.i) return key->u.i - 1;
  }
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    int c = key_cmp(&t->e[mid].key, key);
    if (c == 0) return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -lo - 1;
}

ogrh_value *ogrh_table_get(const ogrh_table *t, const ogrh_value *key) {
  if (!t || !ogrh_key_valid(key)) return NULL;
  int64_t i = find(t, key);
  return i >= 0 ? &t->e[i].val : NULL;
}

ogrh_value *ogrh_table_gets(const ogrh_table *t, const char *key) {
  ogrh_value k = ogrh_vcstr(key);
  return ogrh_table_get(t, &k);
}

ogrh_value *ogrh_table_geti(const ogrh_table *t, int64_t key) {
  ogrh_value k = ogrh_vint(key);
  return ogrh_table_get(t, &k);
}

int ogrh_table_set(ogrh_arena *a, ogrh_table *t, const ogrh_value *key, const ogrh_value *val) {
  if (!t || !ogrh_key_valid(key)) return OGRH_EINVAL;
  int64_t i = find(t, key);
  if (i >= 0) {
    if (val->type == OGRH_NIL) {
      memmove(&t->e[i], &t->e[i + 1], (size_t)(t->n - (uint32_t)i - 1) * sizeof(ogrh_entry));
      t->n--;
    } else {
      t->e[i].val = *val;
    }
    return OGRH_OK;
  }
  if (val->type == OGRH_NIL) return OGRH_OK;
  size_t pos = (size_t)(-i - 1);
  if (t->n == t->cap) {
    if (t->cap > UINT32_MAX / 2) return OGRH_ENOMEM;
    uint32_t cap = t->cap ? t->cap * 2 : 4;
    ogrh_entry *e = ogrh_arena_alloc(a, (size_t)cap * sizeof(ogrh_entry));
    if (!e) return OGRH_ENOMEM;
    if (t->n) memcpy(e, t->e, (size_t)t->n * sizeof(ogrh_entry));
    t->e = e;
    t->cap = cap;
  }
  memmove(&t->e[pos + 1], &t->e[pos], (t->n - pos) * sizeof(ogrh_entry));
  t->e[pos].key = *key;
  t->e[pos].val = *val;
  t->n++;
  return OGRH_OK;
}

ogrh_table *ogrh_table_child(const ogrh_table *t, const char *key) {
  const ogrh_value *v = t ? ogrh_table_gets(t, key) : NULL;
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

uint32_t ogrh_table_seqlen(const ogrh_table *t) {
  uint32_t n = 0;
  while (n < t->n && t->e[n].key.type == OGRH_INT && t->e[n].key.u.i == (int64_t)n + 1)
    n++;
  return n;
}

bool ogrh_value_equal(const ogrh_value *a, const ogrh_value *b) {
  if (a->type != b->type) return false;
  switch (a->type) {
  case OGRH_NIL:
    return true;
  case OGRH_BOOL:
    return a->b == b->b;
  case OGRH_INT:
    return a->u.i == b->u.i;
  case OGRH_DOUBLE:
    return memcmp(&a->u.d, &b->u.d, sizeof(double)) == 0;
  case OGRH_STRING:
    return a->len == b->len && (a->len == 0 || memcmp(a->u.s, b->u.s, a->len) == 0);
  case OGRH_TABLE: {
    const ogrh_table *x = a->u.t, *y = b->u.t;
    if (x == y) return true;
    if (x->n != y->n) return false;
    for (uint32_t i = 0; i < x->n; i++) {
      if (ogrh_key_cmp(&x->e[i].key, &y->e[i].key) != 0) return false;
      if (!ogrh_value_equal(&x->e[i].val, &y->e[i].val)) return false;
    }
    return true;
  }
  }
  return false;
}

int ogrh_value_copy(ogrh_arena *a, const ogrh_value *src, ogrh_value *dst) {
  *dst = *src;
  if (src->type == OGRH_STRING) {
    char *s = ogrh_arena_memdup(a, src->u.s, src->len);
    if (!s) return OGRH_ENOMEM;
    dst->u.s = s;
  } else if (src->type == OGRH_TABLE) {
    const ogrh_table *st = src->u.t;
    ogrh_table *t = ogrh_table_new(a, st->n);
    if (!t) return OGRH_ENOMEM;
    for (uint32_t i = 0; i < st->n; i++) {
      int rc = ogrh_value_copy(a, &st->e[i].key, &t->e[i].key);
      if (!rc) rc = ogrh_value_copy(a, &st->e[i].val, &t->e[i].val);
      if (rc) return rc;
    }
    t->n = st->n;
    dst->u.t = t;
  }
  return OGRH_OK;
}

bool ogrh_value_depth_within(const ogrh_value *v, size_t limit) {
  if (v->type != OGRH_TABLE) return true;
  if (limit == 0) return false;
  const ogrh_table *t = v->u.t;
  for (uint32_t i = 0; i < t->n; i++)
    if (t->e[i].val.type == OGRH_TABLE && !ogrh_value_depth_within(&t->e[i].val, limit - 1))
      return false;
  return true;
}

static void stats_rec(const ogrh_value *v, ogrh_value_stats *st, size_t depth) {
  if (depth > st->max_depth) st->max_depth = depth;
  if (v->type == OGRH_STRING) {
    st->strings++;
    st->string_bytes += v->len;
  } else if (v->type == OGRH_TABLE) {
    st->tables++;
    st->entries += v->u.t->n;
    for (uint32_t i = 0; i < v->u.t->n; i++) {
      stats_rec(&v->u.t->e[i].key, st, depth + 1);
      stats_rec(&v->u.t->e[i].val, st, depth + 1);
    }
  }
}

void ogrh_value_stats_add(const ogrh_value *v, ogrh_value_stats *st) {
  stats_rec(v, st, 0);
}

const char *ogrh_type_name(int type) {
  static const char *const names[] = {
#define OGRH__XX(id, name) name,
      OGRH_TYPE_MAP(OGRH__XX)
#undef OGRH__XX
  };
  return type >= 0 && type < (int)(sizeof names / sizeof names[0]) ? names[type] : "?";
}
