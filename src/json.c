/*
** json.c
** Lossless JSON export and import on top of jansson: integer keys, integer/double types and
** arbitrary string bytes all survive a round trip.
*/
#include "ogrh/json.h"

#include <jansson.h>
#include <string.h>

static json_t *to_json(const ogrh_value *v, int depth);

static json_t *bytes_object(const char *s, size_t n) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (ogrh_base64_encode(s, n, &b)) return NULL;
  json_t *o = json_object();
  json_t *str = json_stringn(b.p, b.n);
  if (!o || !str || json_object_set_new(o, "~bytes", str)) {
    json_decref(o);
    ogrh_buf_deinit(&b);
    return NULL;
  }
  ogrh_buf_deinit(&b);
  return o;
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

static json_t *to_json(const ogrh_value *v, int depth) {
  if (depth > OGRH_MAX_DEPTH + 8) return NULL;
  switch (v->type) {
  case OGRH_NIL:
    return json_null();
  case OGRH_BOOL:
    return json_boolean(v->b);
  case OGRH_INT:
    return json_integer((json_int_t)v->u.i);
  case OGRH_DOUBLE:
    return json_real(v->u.d);
  case OGRH_STRING:
    if (ogrh_utf8_valid(v->u.s, v->len)) return json_stringn(v->u.s, v->len);
    return bytes_object(v->u.s, v->len);
  case OGRH_TABLE: {
    const ogrh_table *t = v->u.t;
    if (t->n && ogrh_table_seqlen(t) == t->n) {
      json_t *arr = json_array();
      for (uint32_t i = 0; arr && i < t->n; i++) {
        json_t *c = to_json(&t->e[i].val, depth + 1);
        if (!c || json_array_append_new(arr, c)) {
          json_decref(arr);
          return NULL;
        }
      }
      return arr;
    }
    json_t *obj = json_object();
    ogrh_buf kb;
    ogrh_buf_init(&kb);
    for (uint32_t i = 0; obj && i < t->n; i++) {
      kb.n = 0;
      json_t *c = to_json(&t->e[i].val, depth + 1);
      if (!c || key_text(&t->e[i].key, &kb) || json_object_setn_new(obj, kb.p, kb.n, c)) {
        json_decref(obj);
        obj = NULL;
      }
    }
    ogrh_buf_deinit(&kb);
    return obj;
  }
  }
  return NULL;
}

static int dump(json_t *j, int indent, ogrh_buf *out) {
  size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY;
  if (indent)
    flags |= JSON_INDENT(indent);
  else
    flags |= JSON_COMPACT;
  char *s = json_dumps(j, flags);
  if (!s) return OGRH_ENOMEM;
  int rc = ogrh_buf_adds(out, s);
  free(s);
  return rc;
}

int ogrh_json_write_value(const ogrh_value *v, int indent, ogrh_buf *out) {
  json_t *j = to_json(v, 0);
  if (!j) return OGRH_ENOMEM;
  int rc = dump(j, indent, out);
  json_decref(j);
  return rc;
}

int ogrh_json_write_svfile(const ogrh_svfile *f, int indent, ogrh_buf *out) {
  json_t *o = json_object();
  int rc = o ? OGRH_OK : OGRH_ENOMEM;
  for (size_t i = 0; i < f->n && !rc; i++) {
    json_t *c = to_json(&f->vars[i].value, 0);
    if (!c || json_object_set_new(o, f->vars[i].name, c)) rc = OGRH_ENOMEM;
  }
  if (!rc) rc = dump(o, indent, out);
  json_decref(o);
  return rc;
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
    long long v = strtoll(tmp, &end, 10);
    if (*end) goto bad;
    *out = ogrh_vint(v);
    return OGRH_OK;
  }
  if (n >= 3 && memcmp(k, "~b:", 3) == 0) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    if (ogrh_base64_decode(k + 3, n - 3, &b)) {
      ogrh_buf_deinit(&b);
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
  if (depth > OGRH_MAX_DEPTH)
    return ogrh_err_set(c->err, OGRH_EDEPTH, "JSON: nested too deep (limit %d)", OGRH_MAX_DEPTH);
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
      if (ogrh_base64_decode(json_string_value(bytes), json_string_length(bytes), &b)) {
        ogrh_buf_deinit(&b);
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

static json_t *load(const char *text, size_t len, const char *name, ogrh_err *err) {
  json_error_t je;
  json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if (!j)
    ogrh_err_set(err, OGRH_ESYNTAX, "%s:%d:%d: %s", name ? name : "json", je.line, je.column,
                 je.text);
  return j;
}

int ogrh_json_read_value(ogrh_arena *a, const char *text, size_t len, ogrh_value *out,
                         ogrh_err *err) {
  json_t *j = load(text, len, "json", err);
  if (!j) return OGRH_ESYNTAX;
  jctx c = {a, err};
  int rc = from_json(&c, j, out, 0);
  json_decref(j);
  return rc;
}

int ogrh_json_read_svfile(const char *text, size_t len, const char *name, ogrh_svfile **out,
                          ogrh_err *err) {
  *out = NULL;
  json_t *j = load(text, len, name, err);
  if (!j) return OGRH_ESYNTAX;
  if (!json_is_object(j)) {
    json_decref(j);
    return ogrh_err_set(err, OGRH_ESCHEMA, "%s: expected a JSON object of variables", name);
  }
  ogrh_svfile *f = ogrh_svfile_new();
  int rc = f ? OGRH_OK : OGRH_ENOMEM;
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
    ogrh_svfile_free(f);
    return rc;
  }
  *out = f;
  return OGRH_OK;
}
