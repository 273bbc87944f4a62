/*
** json.c
** Lossless JSON export and import on top of jansson: integer keys, integer/double types and
** arbitrary string bytes all survive a round trip.
*/
#include "ogrh/json.h"
#include "alloc.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int to_json(const ogrh_value *v, int depth, json_t **out);

/*
** Tables nest as deep in JSON as in a SavedVariables file and no deeper (the rule of svfile.c:
** a table at depth 0 .. OGRH_MAX_DEPTH - 1), so whatever one format holds the other can.
*/
static bool table_depth_ok(int depth) {
  return depth < OGRH_MAX_DEPTH;
}

static int bytes_object(const char *s, size_t n, json_t **out) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_base64_encode(s, n, &b);
  json_t *o = rc ? NULL : json_object();
  /* json_object_set_new takes the string even when it fails. */
  if (!rc && (!o || json_object_set_new(o, "~bytes", json_stringn(b.p ? b.p : "", b.n)))) {
    json_decref(o);
    rc = OGRH_ENOMEM;
  }
  ogrh_buf_deinit(&b);
  *out = rc ? NULL : o;
  return rc;
}

static int key_text(const ogrh_value *k, ogrh_buf *b) {
  if (k->type == OGRH_INT) return ogrh_buf_printf(b, "#%lld", (long long)k->u.i);
  if (!ogrh_utf8_valid(k->u.s, k->len)) {
    ogrh_buf_adds(b, "~b:");
    return ogrh_base64_encode(k->u.s, k->len, b);
  }
  if (k->len && (k->u.s[0] == '#' || k->u.s[0] == '~')) ogrh_buf_addc(b, '~');
  return ogrh_buf_add(b, k->u.s, k->len);
}

static int table_to_json(const ogrh_table *t, int depth, json_t **out) {
  int rc = OGRH_OK;
  if (t->n && ogrh_table_seqlen(t) == t->n) {
    json_t *arr = json_array();
    if (!arr) return OGRH_ENOMEM;
    for (uint32_t i = 0; i < t->n && !rc; i++) {
      json_t *c;
      if (!(rc = to_json(&t->e[i].val, depth + 1, &c)) && json_array_append_new(arr, c))
        rc = OGRH_ENOMEM;
    }
    if (rc) json_decref(arr);
    *out = rc ? NULL : arr;
    return rc;
  }
  json_t *obj = json_object();
  if (!obj) return OGRH_ENOMEM;
  ogrh_buf kb;
  ogrh_buf_init(&kb);
  for (uint32_t i = 0; i < t->n && !rc; i++) {
    ogrh_buf_reset(&kb);
    json_t *c;
    if ((rc = to_json(&t->e[i].val, depth + 1, &c))) break;
    if ((rc = key_text(&t->e[i].key, &kb))) {
      json_decref(c);
      break;
    }
    if (json_object_setn_new(obj, kb.p, kb.n, c)) rc = OGRH_ENOMEM;
  }
  ogrh_buf_deinit(&kb);
  if (rc) json_decref(obj);
  *out = rc ? NULL : obj;
  return rc;
}

static int to_json(const ogrh_value *v, int depth, json_t **out) {
  *out = NULL;
  switch (v->type) {
  case OGRH_NIL:
    *out = json_null();
    break;
  case OGRH_BOOL:
    *out = json_boolean(v->b);
    break;
  case OGRH_INT:
    *out = json_integer((json_int_t)v->u.i);
    break;
  case OGRH_DOUBLE:
    if (!isfinite(v->u.d)) return OGRH_ERANGE;
    *out = json_real(v->u.d);
    break;
  case OGRH_STRING:
    if (!ogrh_utf8_valid(v->u.s, v->len)) return bytes_object(v->u.s, v->len, out);
    *out = json_stringn(v->u.s, v->len);
    break;
  case OGRH_TABLE:
    if (!table_depth_ok(depth)) return OGRH_EDEPTH;
    return table_to_json(v->u.t, depth, out);
  default:
    return OGRH_EINVAL;
  }
  return *out ? OGRH_OK : OGRH_ENOMEM;
}

static int dump_into_buf(const char *p, size_t n, void *ud) {
  return ogrh_buf_add(ud, p, n) ? -1 : 0;
}

int ogrh_json_dump(const json_t *j, size_t flags, ogrh_buf *out) {
  if (json_dump_callback(j, dump_into_buf, out, flags) == 0) return OGRH_OK;
  return ogrh_buf_error(out) ? ogrh_buf_error(out) : OGRH_ENOMEM;
}

void ogrh_json_free(void *p) {
  json_malloc_t alloc_fn;
  json_free_t free_fn;
  json_get_alloc_funcs(&alloc_fn, &free_fn);
  free_fn(p);
}

static int dump(json_t *j, int indent, ogrh_buf *out) {
  size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY;
  if (indent)
    flags |= JSON_INDENT(indent);
  else
    flags |= JSON_COMPACT;
  return ogrh_json_dump(j, flags, out);
}

/* A jansson failure it did not report (see alloc.c) turns a success into OGRH_ENOMEM. */
static int jansson_checked(int rc, unsigned long failures_before) {
  return rc == OGRH_OK && ogrh__json_alloc_failures() != failures_before ? OGRH_ENOMEM : rc;
}

int ogrh_json_write_value(const ogrh_value *v, int indent, ogrh_buf *out) {
  unsigned long before = ogrh__json_alloc_failures();
  json_t *j;
  int rc = to_json(v, 0, &j);
  if (!rc) rc = dump(j, indent, out);
  json_decref(j);
  return jansson_checked(rc, before);
}

int ogrh_json_write_svfile(const ogrh_svfile *f, int indent, ogrh_buf *out) {
  unsigned long before = ogrh__json_alloc_failures();
  json_t *o = json_object();
  int rc = o ? OGRH_OK : OGRH_ENOMEM;
  for (size_t i = 0; i < f->n && !rc; i++) {
    json_t *c;
    if (!(rc = to_json(&f->vars[i].value, 0, &c)) && json_object_set_new(o, f->vars[i].name, c))
      rc = OGRH_ENOMEM;
  }
  if (!rc) rc = dump(o, indent, out);
  json_decref(o);
  return jansson_checked(rc, before);
}

typedef struct jctx {
  ogrh_arena *a;
  ogrh_err *err;
} jctx;

static int from_json(jctx *c, json_t *j, ogrh_value *out, int depth);

static int decode_key(jctx *c, const char *k, size_t n, ogrh_value *out) {
  if (n && k[0] == '#') {
    char tmp[32];
    if (n - 1 == 0 || n - 1 >= sizeof tmp) goto bad;
    memcpy(tmp, k + 1, n - 1);
    tmp[n - 1] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end || errno) goto bad;
    *out = ogrh_vint(v);
    return OGRH_OK;
  }
  if (n >= 3 && memcmp(k, "~b:", 3) == 0) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    int rc = ogrh_base64_decode(k + 3, n - 3, &b);
    if (rc) {
      ogrh_buf_deinit(&b);
      if (rc == OGRH_ENOMEM) return rc;
      goto bad;
    }
    char *s = ogrh_arena_memdup(c->a, b.p ? b.p : "", b.n);
    size_t bn = b.n;
    ogrh_buf_deinit(&b);
    if (!s) return OGRH_ENOMEM;
    *out = ogrh_vstr(s, bn);
    return OGRH_OK;
  }
  if (n && k[0] == '~') {
    if (n < 2 || (k[1] != '~' && k[1] != '#')) goto bad;
    k++, n--;
  }
  char *s = ogrh_arena_memdup(c->a, k, n);
  if (!s) return OGRH_ENOMEM;
  *out = ogrh_vstr(s, n);
  return OGRH_OK;
bad:
  return ogrh_err_set(c->err, OGRH_ECORRUPT, "JSON: malformed key \"%.*s\"", (int)(n > 40 ? 40 : n),
                      k);
}

static int from_json(jctx *c, json_t *j, ogrh_value *out, int depth) {
  if ((json_is_array(j) || json_is_object(j)) && !table_depth_ok(depth) &&
      !(json_is_object(j) && json_object_size(j) == 1 && json_object_get(j, "~bytes")))
    return ogrh_err_set(c->err, OGRH_EDEPTH, "JSON: tables nested too deep (limit %d)",
                        OGRH_MAX_DEPTH);
  switch (json_typeof(j)) {
  case JSON_NULL:
    *out = ogrh_vnil();
    return OGRH_OK;
  case JSON_TRUE:
  case JSON_FALSE:
    *out = ogrh_vbool(json_is_true(j));
    return OGRH_OK;
  case JSON_INTEGER:
    *out = ogrh_vint((int64_t)json_integer_value(j));
    return OGRH_OK;
  case JSON_REAL:
    *out = ogrh_vdouble(json_real_value(j));
    return OGRH_OK;
  case JSON_STRING: {
    size_t n = json_string_length(j);
    char *s = ogrh_arena_memdup(c->a, json_string_value(j), n);
    if (!s) return OGRH_ENOMEM;
    *out = ogrh_vstr(s, n);
    return OGRH_OK;
  }
  case JSON_ARRAY: {
    size_t n = json_array_size(j);
    ogrh_table *t = ogrh_table_new(c->a, (uint32_t)n);
    if (!t) return OGRH_ENOMEM;
    for (size_t i = 0; i < n; i++) {
      ogrh_value v, k = ogrh_vint((int64_t)i + 1);
      int rc = from_json(c, json_array_get(j, i), &v, depth + 1);
      if (rc) return rc;
      if (v.type == OGRH_NIL)
        return ogrh_err_set(c->err, OGRH_ECORRUPT, "JSON: null inside an array");
      if ((rc = ogrh_table_set(c->a, t, &k, &v))) return rc;
    }
    *out = ogrh_vtable(t);
    return OGRH_OK;
  }
  case JSON_OBJECT: {
    json_t *bytes = json_object_get(j, "~bytes");
    if (bytes && json_object_size(j) == 1 && json_is_string(bytes)) {
      ogrh_buf b;
      ogrh_buf_init(&b);
      int rc = ogrh_base64_decode(json_string_value(bytes), json_string_length(bytes), &b);
      if (rc) {
        ogrh_buf_deinit(&b);
        if (rc == OGRH_ENOMEM) return rc;
        return ogrh_err_set(c->err, OGRH_ECORRUPT, "JSON: bad base64 in ~bytes");
      }
      char *s = ogrh_arena_memdup(c->a, b.p ? b.p : "", b.n);
      size_t bn = b.n;
      ogrh_buf_deinit(&b);
      if (!s) return OGRH_ENOMEM;
      *out = ogrh_vstr(s, bn);
      return OGRH_OK;
    }
    ogrh_table *t = ogrh_table_new(c->a, (uint32_t)json_object_size(j));
    if (!t) return OGRH_ENOMEM;
    const char *key;
    size_t klen;
    json_t *val;
    json_object_keylen_foreach(j, key, klen, val) {
      ogrh_value k, v;
      int rc = decode_key(c, key, klen, &k);
      if (!rc) rc = from_json(c, val, &v, depth + 1);
      if (!rc && v.type == OGRH_NIL)
        rc = ogrh_err_set(c->err, OGRH_ECORRUPT, "JSON: null value for key \"%s\"", key);
      if (!rc) rc = ogrh_table_set(c->a, t, &k, &v);
      if (rc) return rc;
    }
    *out = ogrh_vtable(t);
    return OGRH_OK;
  }
  }
  return OGRH_EINVAL;
}

static int load(const char *text, size_t len, const char *name, json_t **out, ogrh_err *err) {
  json_error_t je;
  unsigned long before = ogrh__json_alloc_failures();
  json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  *out = NULL;
  if (ogrh__json_alloc_failures() != before) {
    json_decref(j);
    return ogrh_err_set(err, OGRH_ENOMEM, "%s: out of memory", name ? name : "json");
  }
  if (!j)
    return ogrh_err_set(err, OGRH_ESYNTAX, "%s:%d:%d: %s", name ? name : "json", je.line, je.column,
                        je.text);
  *out = j;
  return OGRH_OK;
}

int ogrh_json_read_value(ogrh_arena *a, const char *text, size_t len, ogrh_value *out,
                         ogrh_err *err) {
  json_t *j;
  int rc = load(text, len, "json", &j, err);
  if (rc) return rc;
  jctx c = {a, err};
  rc = from_json(&c, j, out, 0);
  json_decref(j);
  if (rc == OGRH_ENOMEM) ogrh_err_set(err, rc, "json: out of memory");
  return rc;
}

int ogrh_json_read_svfile(const char *text, size_t len, const char *name, ogrh_svfile **out,
                          ogrh_err *err) {
  *out = NULL;
  if (!name) name = "json";
  json_t *j;
  int rc = load(text, len, name, &j, err);
  if (rc) return rc;
  if (!json_is_object(j)) {
    json_decref(j);
    return ogrh_err_set(err, OGRH_ESCHEMA, "%s: expected a JSON object of variables", name);
  }
  ogrh_svfile *f = ogrh_svfile_new();
  if (!f) rc = ogrh_err_set(err, OGRH_ENOMEM, "%s: out of memory", name);
  const char *key;
  json_t *val;
  json_object_foreach(j, key, val) {
    if (rc) break;
    bool ok = key[0] && !(key[0] >= '0' && key[0] <= '9');
    for (const char *q = key; *q && ok; q++)
      ok = (*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
            (*q >= '0' && *q <= '9'));
    if (!ok) {
      rc = ogrh_err_set(err, OGRH_ESCHEMA, "%s: \"%s\" is not a valid variable name", name, key);
      break;
    }
    jctx c = {f->arena, err};
    ogrh_value v;
    rc = from_json(&c, val, &v, 0);
    if (!rc) rc = ogrh_svfile_set(f, key, &v);
  }
  json_decref(j);
  if (rc) {
    if (rc == OGRH_ENOMEM) ogrh_err_set(err, rc, "%s: out of memory", name);
    ogrh_svfile_free(f);
    return rc;
  }
  *out = f;
  return OGRH_OK;
}
