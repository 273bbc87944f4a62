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

/*
** Tables nest as deep in JSON as in a SavedVariables file and no deeper (the rule of svfile.c:
** a table at depth 0 .. OGRH_MAX_DEPTH - 1), so whatever one format holds the other can.
*/
static bool table_depth_ok(int depth) {
  return depth < OGRH_MAX_DEPTH;
}

/* ---- the writer ---- */

void ogrh_jw_init(ogrh_jw *w, ogrh_buf *b, int indent) {
  w->b = b;
  w->indent = indent;
  w->depth = 0;
  w->first = true;
  w->err = OGRH_OK;
}

int ogrh_jw_error(const ogrh_jw *w) {
  return w->err ? w->err : ogrh_buf_error(w->b);
}

static void jw_fail(ogrh_jw *w, int rc) {
  if (!w->err) w->err = rc;
}

/* A JSON string of bytes that are UTF-8 (anything else becomes U+FFFD). */
static void jw_string(ogrh_buf *b, const char *s, size_t n) {
  ogrh_buf_addc(b, '"');
  size_t i = 0, run = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    bool plain = len == 1 ? c >= 0x20 && c != '"' && c != '\\'
                          : len > 1 && len <= n - i && ogrh_utf8_valid(s + i, len);
    if (plain) {
      run += len;
      i += len;
      continue;
    }
    if (run) ogrh_buf_add(b, s + i - run, run);
    run = 0;
    if (c == '"' || c == '\\') {
      ogrh_buf_addc(b, '\\');
      ogrh_buf_addc(b, (char)c);
    } else if (c == '\n') {
      ogrh_buf_adds(b, "\\n");
    } else if (c == '\t') {
      ogrh_buf_adds(b, "\\t");
    } else if (c == '\r') {
      ogrh_buf_adds(b, "\\r");
    } else if (c < 0x20) {
      ogrh_buf_printf(b, "\\u%04x", c);
    } else {
      ogrh_buf_adds(b, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
    }
    i++;
  }
  if (run) ogrh_buf_add(b, s + n - run, run);
  ogrh_buf_addc(b, '"');
}

/* The separator before an item, and its key inside an object. */
static void jw_sepn(ogrh_jw *w, const char *key, size_t klen) {
  if (w->depth > 0) {
    if (!w->first) ogrh_buf_addc(w->b, ',');
    if (w->indent) {
      ogrh_buf_addc(w->b, '\n');
      for (int i = 0; i < w->depth * w->indent; i++)
        ogrh_buf_addc(w->b, ' ');
    }
  }
  w->first = false;
  if (key) {
    jw_string(w->b, key, klen);
    ogrh_buf_adds(w->b, w->indent ? ": " : ":");
  }
}

static void jw_sep(ogrh_jw *w, const char *key) {
  jw_sepn(w, key, key ? strlen(key) : 0);
}

void ogrh_jw_open(ogrh_jw *w, const char *key, char c) {
  jw_sep(w, key);
  ogrh_buf_addc(w->b, c);
  w->depth++;
  w->first = true;
}

void ogrh_jw_close(ogrh_jw *w, char c) {
  w->depth--;
  if (!w->first && w->indent) {
    ogrh_buf_addc(w->b, '\n');
    for (int i = 0; i < w->depth * w->indent; i++)
      ogrh_buf_addc(w->b, ' ');
  }
  ogrh_buf_addc(w->b, c);
  w->first = false;
}

void ogrh_jw_strn(ogrh_jw *w, const char *key, const char *s, size_t n) {
  jw_sep(w, key);
  if (s)
    jw_string(w->b, s, n);
  else
    ogrh_buf_adds(w->b, "null");
}

void ogrh_jw_str(ogrh_jw *w, const char *key, const char *s) {
  ogrh_jw_strn(w, key, s, s ? strlen(s) : 0);
}

void ogrh_jw_int(ogrh_jw *w, const char *key, int64_t v) {
  jw_sep(w, key);
  ogrh_buf_printf(w->b, "%lld", (long long)v);
}

void ogrh_jw_bool(ogrh_jw *w, const char *key, bool v) {
  jw_sep(w, key);
  ogrh_buf_adds(w->b, v ? "true" : "false");
}

void ogrh_jw_null(ogrh_jw *w, const char *key) {
  jw_sep(w, key);
  ogrh_buf_adds(w->b, "null");
}

/* The shortest text that reads back to d, always with '.' or an exponent: a JSON real. */
static void jw_double(ogrh_jw *w, double d) {
  if (!isfinite(d)) {
    jw_fail(w, OGRH_ERANGE);
    ogrh_buf_adds(w->b, "null");
    return;
  }
  ogrh_write_double(d, w->b);
}

void ogrh_jw_num(ogrh_jw *w, const char *key, const ogrh_value *v) {
  jw_sep(w, key);
  if (v && v->type == OGRH_INT)
    ogrh_buf_printf(w->b, "%lld", (long long)v->u.i);
  else if (v && v->type == OGRH_DOUBLE)
    jw_double(w, v->u.d);
  else
    ogrh_buf_adds(w->b, "null");
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

/* One value in the lossless mapping (json.h); kb is scratch for object keys. */
static void jw_value(ogrh_jw *w, const char *key, size_t klen, const ogrh_value *v, int depth,
                     ogrh_buf *kb) {
  switch (v->type) {
  case OGRH_NIL:
    jw_sepn(w, key, klen);
    ogrh_buf_adds(w->b, "null");
    return;
  case OGRH_BOOL:
    jw_sepn(w, key, klen);
    ogrh_buf_adds(w->b, v->b ? "true" : "false");
    return;
  case OGRH_INT:
    jw_sepn(w, key, klen);
    ogrh_buf_printf(w->b, "%lld", (long long)v->u.i);
    return;
  case OGRH_DOUBLE:
    jw_sepn(w, key, klen);
    jw_double(w, v->u.d);
    return;
  case OGRH_STRING:
    jw_sepn(w, key, klen);
    if (ogrh_utf8_valid(v->u.s, v->len)) {
      jw_string(w->b, v->u.s, v->len);
    } else {
      ogrh_buf_adds(w->b, w->indent ? "{\"~bytes\": \"" : "{\"~bytes\":\"");
      ogrh_base64_encode(v->u.s, v->len, w->b);
      ogrh_buf_adds(w->b, "\"}");
    }
    return;
  case OGRH_TABLE:
    break;
  default:
    jw_fail(w, OGRH_EINVAL);
    return;
  }
  if (!table_depth_ok(depth)) {
    jw_fail(w, OGRH_EDEPTH);
    return;
  }
  const ogrh_table *t = v->u.t;
  bool array = t->n && ogrh_table_seqlen(t) == t->n;
  jw_sepn(w, key, klen);
  ogrh_buf_addc(w->b, array ? '[' : '{');
  w->depth++;
  w->first = true;
  for (uint32_t i = 0; i < t->n && !ogrh_jw_error(w); i++) {
    if (array) {
      jw_value(w, NULL, 0, &t->e[i].val, depth + 1, kb);
      continue;
    }
    /* The key is made before the value is written: kb is reused below. */
    ogrh_buf_reset(kb);
    if (key_text(&t->e[i].key, kb)) {
      jw_fail(w, ogrh_buf_error(kb) ? ogrh_buf_error(kb) : OGRH_ENOMEM);
      return;
    }
    size_t n = kb->n;
    char small[64], *k = n < sizeof small ? small : ogrh_malloc(n + 1);
    if (!k) {
      jw_fail(w, OGRH_ENOMEM);
      return;
    }
    memcpy(k, kb->p, n);
    k[n] = '\0';
    jw_value(w, k, n, &t->e[i].val, depth + 1, kb);
    if (k != small) ogrh_free(k, n + 1);
  }
  ogrh_jw_close(w, array ? ']' : '}');
}

int ogrh_jw_value(ogrh_jw *w, const char *key, const ogrh_value *v) {
  ogrh_buf kb;
  ogrh_buf_init(&kb);
  jw_value(w, key, key ? strlen(key) : 0, v, 0, &kb);
  ogrh_buf_deinit(&kb);
  return ogrh_jw_error(w);
}

/* A JSON value jansson has read, written again by the writer (its indentation, its reals). */
static void jw_json(ogrh_jw *w, const char *key, size_t klen, json_t *j) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    jw_sepn(w, key, klen);
    ogrh_buf_addc(w->b, '{');
    w->depth++;
    w->first = true;
    const char *k;
    size_t kl;
    json_t *v;
    json_object_keylen_foreach(j, k, kl, v) jw_json(w, k, kl, v);
    ogrh_jw_close(w, '}');
    return;
  }
  case JSON_ARRAY: {
    jw_sepn(w, key, klen);
    ogrh_buf_addc(w->b, '[');
    w->depth++;
    w->first = true;
    for (size_t i = 0; i < json_array_size(j); i++)
      jw_json(w, NULL, 0, json_array_get(j, i));
    ogrh_jw_close(w, ']');
    return;
  }
  case JSON_STRING:
    jw_sepn(w, key, klen);
    jw_string(w->b, json_string_value(j), json_string_length(j));
    return;
  case JSON_INTEGER:
    jw_sepn(w, key, klen);
    ogrh_buf_printf(w->b, "%lld", (long long)json_integer_value(j));
    return;
  case JSON_REAL:
    jw_sepn(w, key, klen);
    jw_double(w, json_real_value(j));
    return;
  case JSON_TRUE:
  case JSON_FALSE:
    jw_sepn(w, key, klen);
    ogrh_buf_adds(w->b, json_is_true(j) ? "true" : "false");
    return;
  case JSON_NULL:
    jw_sepn(w, key, klen);
    ogrh_buf_adds(w->b, "null");
    return;
  }
}

int ogrh_json_write_value(const ogrh_value *v, int indent, ogrh_buf *out) {
  ogrh_jw w;
  ogrh_jw_init(&w, out, indent);
  return ogrh_jw_value(&w, NULL, v);
}

int ogrh_json_write_svfile(const ogrh_svfile *f, int indent, ogrh_buf *out) {
  ogrh_jw w;
  ogrh_jw_init(&w, out, indent);
  ogrh_jw_open(&w, NULL, '{');
  ogrh_buf kb;
  ogrh_buf_init(&kb);
  for (size_t i = 0; i < f->n && !ogrh_jw_error(&w); i++)
    jw_value(&w, f->vars[i].name, strlen(f->vars[i].name), &f->vars[i].value, 0, &kb);
  ogrh_buf_deinit(&kb);
  ogrh_jw_close(&w, '}');
  return ogrh_jw_error(&w);
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

static int load(const char *text, size_t len, const char *name, json_t **out, ogrh_err *err);

int ogrh_jw_json_members(ogrh_jw *w, const char *text, size_t n, const char *const *skip,
                         size_t nskip) {
  json_t *j;
  int rc = load(text, n, "json", &j, NULL);
  if (!rc && !json_is_object(j)) rc = OGRH_EINVAL;
  if (rc) {
    json_decref(j);
    jw_fail(w, rc);
    return rc;
  }
  const char *k;
  size_t kl;
  json_t *v;
  json_object_keylen_foreach(j, k, kl, v) {
    bool skipped = false;
    for (size_t i = 0; i < nskip && !skipped; i++)
      skipped = strlen(skip[i]) == kl && memcmp(skip[i], k, kl) == 0;
    if (!skipped) jw_json(w, k, kl, v);
  }
  json_decref(j);
  return ogrh_jw_error(w);
}

int ogrh_jw_json_text(ogrh_jw *w, const char *key, const char *text, size_t n) {
  json_t *j;
  int rc = load(text, n, "json", &j, NULL);
  if (rc) {
    jw_fail(w, rc);
    return rc;
  }
  jw_json(w, key, key ? strlen(key) : 0, j);
  json_decref(j);
  return ogrh_jw_error(w);
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
