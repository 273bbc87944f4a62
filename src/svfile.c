/*
** svfile.c
** Reader and writer of WoW SavedVariables files. The reader is a hand-written recursive
** descent over Lua literal syntax; it never executes anything and never reads past the end
** of its (NUL-terminated copy of the) input. Strings without escapes point straight into that
** copy, which is why a parsed file costs little more than the file itself.
*/
#include "ogrh/svfile.h"
#include "alloc.h"
#include "ogrh/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct parser {
  const char *start, *p, *end;
  const char *name;
  ogrh_arena *a;
  ogrh_err *err;
  /* Scratch stack of the entries of the tables being built, innermost last. */
  ogrh_entry *stk;
  size_t sn, scap;
} parser;

/* Line and column (1-based, in bytes) of a position, computed only when an error is reported. */
static void position(const parser *ps, const char *at, int *line, int *col) {
  int l = 1;
  const char *ls = ps->start;
  for (const char *q = ps->start; q < at && q < ps->end; q++)
    if (*q == '\n') {
      l++;
      ls = q + 1;
    }
  *line = l;
  *col = (int)(at - ls) + 1;
}

/* A short description of what stands at `at`, for "got ..." in messages. */
static void describe(const parser *ps, const char *at, char *out, size_t cap) {
  if (at >= ps->end) {
    snprintf(out, cap, "end of file");
    return;
  }
  unsigned char c = (unsigned char)*at;
  if (c < 32 || c >= 127) {
    snprintf(out, cap, "byte 0x%02x", c);
    return;
  }
  size_t n = 0;
  char tok[24];
  if (isalnum(c) || c == '_') {
    while (at + n < ps->end && n < 20 &&
           (isalnum((unsigned char)at[n]) || at[n] == '_' || at[n] == '.'))
      n++;
  } else {
    n = 1;
  }
  memcpy(tok, at, n);
  tok[n] = '\0';
  snprintf(out, cap, "'%s'", tok);
}

static int fail(parser *ps, const char *at, int code, const char *what) {
  int line, col;
  char got[48];
  position(ps, at, &line, &col);
  describe(ps, at, got, sizeof got);
  return ogrh_err_set(ps->err, code, "%s:%d:%d: %s, got %s", ps->name, line, col, what, got);
}

static int fail_msg(parser *ps, const char *at, int code, const char *what) {
  int line, col;
  position(ps, at, &line, &col);
  return ogrh_err_set(ps->err, code, "%s:%d:%d: %s", ps->name, line, col, what);
}

/* Length of a long bracket opening `[==[` at p (its level via *level), or 0 if none. */
static size_t long_open(const parser *ps, const char *p, int *level) {
  if (p >= ps->end || *p != '[') return 0;
  const char *q = p + 1;
  while (q < ps->end && *q == '=')
    q++;
  if (q < ps->end && *q == '[') {
    *level = (int)(q - p - 1);
    return (size_t)(q - p + 1);
  }
  return 0;
}

/* Finds the closing `]==]` of the given level starting at p; NULL if unterminated. */
static const char *long_close(const parser *ps, const char *p, int level) {
  for (const char *q = p; q < ps->end; q++) {
    if (*q != ']') continue;
    const char *r = q + 1;
    int eq = 0;
    while (r < ps->end && *r == '=')
      r++, eq++;
    if (eq == level && r < ps->end && *r == ']') return q;
  }
  return NULL;
}

/* Whitespace by table: a third of a WoW file is tabs and newlines. */
static const unsigned char is_ws[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1, ['\v'] = 1};

/*
** Eight bytes at a time (SWAR), where the compiler tells the byte order: half of a WoW file is
** indentation, a newline and then one tab per level, and looking at those one byte at a time
** was a quarter of the reader's work. A byte of `x` is 0 where the text has the byte looked
** for; in little-endian order the first such byte is the lowest.
*/
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SV_SWAR 1
static const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);

static inline uint64_t load8(const char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

/* The high bit of each byte of w that is 0, exact for the lowest such byte. */
static inline uint64_t zero_bytes(uint64_t w) {
  return (w - ones) & ~w & highs;
}
#endif

/* Past the tabs at p. */
static inline const char *skip_tabs(const char *p, const char *end) {
#ifdef SV_SWAR
  while (end - p >= 8) {
    uint64_t x = load8(p) ^ (ones * '\t');
    if (x) return p + (__builtin_ctzll(x) >> 3);
    p += 8;
  }
#endif
  while (p < end && *p == '\t')
    p++;
  return p;
}

static int skip_space_slow(parser *ps) {
  for (;;) {
    const char *p = ps->p, *end = ps->end;
    while (p < end) {
      unsigned char c = (unsigned char)*p;
      if (c == '\n')
        p = skip_tabs(p + 1, end);
      else if (is_ws[c])
        p++;
      else
        break;
    }
    ps->p = p;
    if (p + 1 < ps->end && p[0] == '-' && p[1] == '-') {
      int level;
      size_t open = long_open(ps, p + 2, &level);
      if (open) {
        const char *close = long_close(ps, p + 2 + open, level);
        if (!close) return fail_msg(ps, p, OGRH_ESYNTAX, "unfinished long comment");
        ps->p = close + level + 2;
      } else {
        p += 2;
        while (p < ps->end && *p != '\n')
          p++;
        ps->p = p;
      }
      continue;
    }
    return OGRH_OK;
  }
}

/*
** Most calls find no space at all (after '[', before ']' ...) or the one space around '=':
** decide those inline.
*/
static inline int skip_space(parser *ps) {
  const char *p = ps->p;
  if (p < ps->end) {
    unsigned char c = (unsigned char)*p;
    if (!is_ws[c] && c != '-') return OGRH_OK;
    if (c == ' ' && p + 1 < ps->end && !is_ws[(unsigned char)p[1]] && p[1] != '-') {
      ps->p = p + 1;
      return OGRH_OK;
    }
  }
  return skip_space_slow(ps);
}

static int push(parser *ps, const ogrh_value *k, const ogrh_value *v) {
  if (ps->sn == ps->scap &&
      ogrh_grow(&ps->stk, &ps->scap, ps->sn < 256 ? 256 : ps->sn + 1, sizeof *ps->stk))
    return OGRH_ENOMEM;
  ps->stk[ps->sn].key = *k;
  ps->stk[ps->sn].val = *v;
  ps->sn++;
  return OGRH_OK;
}

static int is_ident_start(int c) {
  return isalpha(c) || c == '_';
}
static int is_ident(int c) {
  return isalnum(c) || c == '_';
}

/* The first quote q, backslash or line end at or after s (or end). */
static inline const char *scan_string(const char *s, const char *end, char q) {
#ifdef SV_SWAR
  const uint64_t mq = ones * (unsigned char)q, mb = ones * '\\', mn = ones * '\n', mr = ones * '\r';
  while (end - s >= 8) {
    uint64_t w = load8(s);
    uint64_t hit =
        zero_bytes(w ^ mq) | zero_bytes(w ^ mb) | zero_bytes(w ^ mn) | zero_bytes(w ^ mr);
    if (hit) return s + (__builtin_ctzll(hit) >> 3);
    s += 8;
  }
#endif
  while (s < end && *s != q && *s != '\\' && *s != '\n' && *s != '\r')
    s++;
  return s;
}

static int parse_string(parser *ps, ogrh_value *out) {
  const char *open = ps->p;
  char q = *ps->p++;
  const char *s = ps->p;
  /* Fast path: no escapes, point into the input. */
  const char *e = scan_string(s, ps->end, q);
  if (e < ps->end && *e == q) {
    if ((size_t)(e - s) > UINT32_MAX) return fail_msg(ps, open, OGRH_ETOOBIG, "string too long");
    *out = ogrh_vstr(s, (size_t)(e - s));
    ps->p = e + 1;
    return OGRH_OK;
  }
  /* Slow path: decode escapes into the arena. The result is never longer than the source. */
  const char *end = e;
  while (end < ps->end && *end != q) {
    if (*end == '\n' || *end == '\r') return fail_msg(ps, open, OGRH_ESYNTAX, "unfinished string");
    if (*end == '\\') end++;
    end++;
  }
  if (end >= ps->end) return fail_msg(ps, open, OGRH_ESYNTAX, "unfinished string");
  if ((size_t)(end - s) > UINT32_MAX) return fail_msg(ps, open, OGRH_ETOOBIG, "string too long");
  char *d = ogrh_arena_alloc(ps->a, (size_t)(end - s) + 1);
  if (!d) return OGRH_ENOMEM;
  size_t n = 0;
  const char *p = s;
  while (p < end) {
    if (*p != '\\') {
      d[n++] = *p++;
      continue;
    }
    const char *esc = p++;
    char c = *p;
    switch (c) {
    case 'a':
      d[n++] = '\a';
      p++;
      break;
    case 'b':
      d[n++] = '\b';
      p++;
      break;
    case 'f':
      d[n++] = '\f';
      p++;
      break;
    case 'n':
      d[n++] = '\n';
      p++;
      break;
    case 'r':
      d[n++] = '\r';
      p++;
      break;
    case 't':
      d[n++] = '\t';
      p++;
      break;
    case 'v':
      d[n++] = '\v';
      p++;
      break;
    case '\n':
    case '\r': {
      /* Backslash-newline is a newline in the string; \r\n counts as one. */
      char o = c;
      p++;
      if (p < end && (*p == '\n' || *p == '\r') && *p != o) p++;
      d[n++] = '\n';
      break;
    }
    default:
      if (isdigit((unsigned char)c)) {
        int v = 0, k = 0;
        while (k < 3 && p < end && isdigit((unsigned char)*p))
          v = v * 10 + (*p++ - '0'), k++;
        if (v > 255) return fail_msg(ps, esc, OGRH_ESYNTAX, "escape sequence too large");
        d[n++] = (char)v;
      } else {
        /* Lua 5.0/5.1 keep the character after an unknown escape (\\, \", \' included). */
        d[n++] = c;
        p++;
      }
    }
  }
  d[n] = '\0';
  *out = ogrh_vstr(d, n);
  ps->p = end + 1;
  return OGRH_OK;
}

static int parse_long_string(parser *ps, size_t open, int level, ogrh_value *out) {
  const char *start = ps->p;
  const char *s = ps->p + open;
  /* A newline right after the opening bracket is skipped. */
  if (s < ps->end && (*s == '\r' || *s == '\n')) {
    char o = *s++;
    if (s < ps->end && (*s == '\r' || *s == '\n') && *s != o) s++;
  }
  const char *close = long_close(ps, s, level);
  if (!close) return fail_msg(ps, start, OGRH_ESYNTAX, "unfinished long string");
  if ((size_t)(close - s) > UINT32_MAX) return fail_msg(ps, start, OGRH_ETOOBIG, "string too long");
  *out = ogrh_vstr(s, (size_t)(close - s));
  ps->p = close + level + 2;
  return OGRH_OK;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = tolower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static int parse_number(parser *ps, bool neg, ogrh_value *out) {
  const char *s = ps->p, *p = s;
  if (p + 1 < ps->end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    p += 2;
    uint64_t v = 0;
    const char *digits = p;
    while (p < ps->end && hexval((unsigned char)*p) >= 0) {
      if (v > (UINT64_MAX >> 4)) return fail_msg(ps, s, OGRH_ERANGE, "number too large");
      v = (v << 4) | (uint64_t)hexval((unsigned char)*p++);
    }
    if (p == digits || (p < ps->end && (is_ident(*p) || *p == '.')))
      return fail(ps, s, OGRH_ESYNTAX, "malformed number");
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
      return fail_msg(ps, s, OGRH_ERANGE, "number too large");
    *out = ogrh_vint(neg ? (int64_t)(0 - v) : (int64_t)v);
    ps->p = p;
    return OGRH_OK;
  }
  bool isint = true;
  uint64_t v = 0;
  bool overflow = false;
  size_t ndig = 0;
  while (p < ps->end && isdigit((unsigned char)*p)) {
    unsigned dgt = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - dgt) / 10)
      overflow = true;
    else
      v = v * 10 + dgt;
    p++, ndig++;
  }
  if (p < ps->end && *p == '.') {
    isint = false;
    p++;
    while (p < ps->end && isdigit((unsigned char)*p))
      p++, ndig++;
  }
  if (ndig == 0) return fail(ps, s, OGRH_ESYNTAX, "malformed number");
  if (p < ps->end && (*p == 'e' || *p == 'E')) {
    isint = false;
    p++;
    if (p < ps->end && (*p == '+' || *p == '-')) p++;
    const char *ed = p;
    while (p < ps->end && isdigit((unsigned char)*p))
      p++;
    if (p == ed) return fail(ps, s, OGRH_ESYNTAX, "malformed number");
  }
  if (p < ps->end && (is_ident(*p) || *p == '.'))
    return fail(ps, s, OGRH_ESYNTAX, "malformed number");
  if (isint) {
    if (overflow || v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
      return fail_msg(ps, s, OGRH_ERANGE, "integer too large (more than 64 bits)");
    *out = ogrh_vint(neg ? (int64_t)(0 - v) : (int64_t)v);
  } else {
    char tmp[128];
    size_t n = (size_t)(p - s);
    if (n >= sizeof tmp) return fail_msg(ps, s, OGRH_ERANGE, "number literal too long");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double d = strtod(tmp, NULL);
    if (!isfinite(d)) return fail_msg(ps, s, OGRH_ERANGE, "number too large for a double");
    *out = ogrh_vdouble(neg ? -d : d);
  }
  ps->p = p;
  return OGRH_OK;
}

static int parse_value(parser *ps, int depth, ogrh_value *out);

/*
** Orders the entries pushed since `base` canonically and resolves duplicate keys the way
** Lua's constructor does: positional items (marked in key.b) win, otherwise the last one.
*/
static int finish_table(parser *ps, size_t base, ogrh_value *out) {
  size_t n = ps->sn - base;
  ogrh_entry *e = n ? ps->stk + base : NULL; /* no stack yet before the first entry */
  bool sorted = true;
  for (size_t i = 0; i < n; i++) {
    if (e[i].val.type == OGRH_NIL) sorted = false;
    if (i && ogrh_key_cmp(&e[i - 1].key, &e[i].key) >= 0) sorted = false;
    if (!sorted) break;
  }
  size_t keep = n;
  if (sorted) {
    for (size_t i = 0; i < n; i++)
      e[i].key.b = 0;
  } else {
    /* Stable insertion-merge: sort indexes by (key, original position). */
    size_t *idx = ogrh_malloc(n * sizeof *idx);
    ogrh_entry *tmp = ogrh_malloc(n * sizeof *tmp);
    if (!idx || !tmp) {
      ogrh_free(idx, n * sizeof *idx);
      ogrh_free(tmp, n * sizeof *tmp);
      return OGRH_ENOMEM;
    }
    /* Bottom-up merge sort on idx. */
    size_t *aux = (size_t *)(void *)tmp; /* tmp is big enough to serve as scratch here */
    for (size_t i = 0; i < n; i++)
      idx[i] = i;
    for (size_t w = 1; w < n; w *= 2) {
      for (size_t lo = 0; lo < n; lo += 2 * w) {
        size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
        size_t i = lo, j = mid, k = lo;
        while (i < mid && j < hi)
          aux[k++] = ogrh_key_cmp(&e[idx[j]].key, &e[idx[i]].key) < 0 ? idx[j++] : idx[i++];
        while (i < mid)
          aux[k++] = idx[i++];
        while (j < hi)
          aux[k++] = idx[j++];
      }
      memcpy(idx, aux, n * sizeof *idx);
    }
    keep = 0;
    for (size_t i = 0; i < n;) {
      size_t j = i, win = idx[i];
      bool positional = false;
      while (j < n && ogrh_key_cmp(&e[idx[j]].key, &e[idx[i]].key) == 0) {
        ogrh_entry *c = &e[idx[j]];
        if (c->key.b) {
          win = idx[j];
          positional = true;
        } else if (!positional) {
          win = idx[j];
        }
        j++;
      }
      tmp[keep] = e[win];
      tmp[keep].key.b = 0;
      if (tmp[keep].val.type != OGRH_NIL) keep++;
      i = j;
    }
    memcpy(e, tmp, keep * sizeof *e);
    ogrh_free(idx, n * sizeof *idx);
    ogrh_free(tmp, n * sizeof *tmp);
  }
  if (keep > UINT32_MAX) return OGRH_ETOOBIG;
  ogrh_table *t = ogrh_table_new(ps->a, (uint32_t)keep);
  if (!t) return OGRH_ENOMEM;
  if (keep) memcpy(t->e, e, keep * sizeof *e);
  t->n = (uint32_t)keep;
  ps->sn = base;
  *out = ogrh_vtable(t);
  return OGRH_OK;
}

/*
** The one depth rule of reader and writer: a table may stand at nesting depth 0 (a variable's
** own value) to OGRH_MAX_DEPTH - 1, so the writer never writes what the reader refuses.
*/
static inline bool table_depth_ok(int depth) {
  return depth < OGRH_MAX_DEPTH;
}

static int parse_table(parser *ps, int depth, ogrh_value *out) {
  const char *open = ps->p;
  if (!table_depth_ok(depth)) {
    char msg[64];
    snprintf(msg, sizeof msg, "tables nested too deep (limit %d)", OGRH_MAX_DEPTH);
    return fail_msg(ps, open, OGRH_EDEPTH, msg);
  }
  ps->p++;
  size_t base = ps->sn;
  int64_t pos = 1;
  int rc;
  for (;;) {
    if ((rc = skip_space(ps))) return rc;
    if (ps->p >= ps->end) {
      int line, col;
      char what[96];
      position(ps, open, &line, &col);
      snprintf(what, sizeof what, "expected '}' to close '{' at line %d", line);
      return fail(ps, ps->p, OGRH_ESYNTAX, what);
    }
    if (*ps->p == '}') {
      ps->p++;
      break;
    }
    ogrh_value k, v;
    const char *item = ps->p;
    /* "[key] = value", unless the '[' opens a long string ("[[text]]" or "[==[text]==]"). */
    if (*ps->p == '[' && ps->p[1] != '[' && ps->p[1] != '=') {
      ps->p++;
      if ((rc = skip_space(ps))) return rc;
      const char *kat = ps->p;
      if ((rc = parse_value(ps, depth + 1, &k))) return rc;
      if (k.type == OGRH_NIL) return fail_msg(ps, kat, OGRH_ESYNTAX, "table index is nil");
      if (ogrh_key_normalize(&k))
        return fail_msg(ps, kat, OGRH_ETYPE, "table keys must be integers or strings");
      if ((rc = skip_space(ps))) return rc;
      if (ps->p >= ps->end || *ps->p != ']') return fail(ps, ps->p, OGRH_ESYNTAX, "expected ']'");
      ps->p++;
      if ((rc = skip_space(ps))) return rc;
      if (ps->p >= ps->end || *ps->p != '=') return fail(ps, ps->p, OGRH_ESYNTAX, "expected '='");
      ps->p++;
      if ((rc = skip_space(ps))) return rc;
      if ((rc = parse_value(ps, depth + 1, &v))) return rc;
    } else if (is_ident_start((unsigned char)*ps->p)) {
      const char *id = ps->p, *q = ps->p;
      while (q < ps->end && is_ident((unsigned char)*q))
        q++;
      const char *after = q;
      ps->p = q;
      if ((rc = skip_space(ps))) return rc;
      if (ps->p < ps->end && *ps->p == '=' && (ps->p + 1 >= ps->end || ps->p[1] != '=')) {
        k = ogrh_vstr(id, (size_t)(after - id));
        ps->p++;
        if ((rc = skip_space(ps))) return rc;
        if ((rc = parse_value(ps, depth + 1, &v))) return rc;
      } else {
        ps->p = item;
        if ((rc = parse_value(ps, depth + 1, &v))) return rc;
        k = ogrh_vint(pos++);
        k.b = 1;
      }
    } else {
      if ((rc = parse_value(ps, depth + 1, &v))) return rc;
      k = ogrh_vint(pos++);
      k.b = 1;
    }
    if ((rc = push(ps, &k, &v))) return rc;
    if ((rc = skip_space(ps))) return rc;
    if (ps->p < ps->end && (*ps->p == ',' || *ps->p == ';')) {
      ps->p++;
    } else if (ps->p >= ps->end || *ps->p != '}') {
      int line, col;
      char what[96];
      position(ps, open, &line, &col);
      snprintf(what, sizeof what, "expected ',' or '}' to close '{' at line %d", line);
      return fail(ps, ps->p, OGRH_ESYNTAX, what);
    }
  }
  return finish_table(ps, base, out);
}

static int parse_value(parser *ps, int depth, ogrh_value *out) {
  if (ps->p >= ps->end) return fail(ps, ps->p, OGRH_ESYNTAX, "expected a value");
  char c = *ps->p;
  int level;
  size_t open;
  if (c == '{') return parse_table(ps, depth, out);
  if (c == '"' || c == '\'') return parse_string(ps, out);
  if (isdigit((unsigned char)c)) return parse_number(ps, false, out);
  if (c == '[' && (open = long_open(ps, ps->p, &level)))
    return parse_long_string(ps, open, level, out);
  if (c == '-') {
    /* Unary minus (possibly repeated, with spaces) before a number. */
    bool neg = false;
    while (ps->p < ps->end && *ps->p == '-') {
      if (ps->p + 1 < ps->end && ps->p[1] == '-')
        return fail(ps, ps->p, OGRH_ESYNTAX, "expected a value");
      neg = !neg;
      ps->p++;
      while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
    }
    if (ps->p < ps->end && (isdigit((unsigned char)*ps->p) || *ps->p == '.'))
      return parse_number(ps, neg, out);
    return fail(ps, ps->p, OGRH_ESYNTAX, "expected a number after '-'");
  }
  if (isdigit((unsigned char)c) || c == '.') return parse_number(ps, false, out);
  if (is_ident_start((unsigned char)c)) {
    const char *q = ps->p;
    while (q < ps->end && is_ident((unsigned char)*q))
      q++;
    size_t n = (size_t)(q - ps->p);
    if (n == 4 && memcmp(ps->p, "true", 4) == 0) {
      *out = ogrh_vbool(true);
    } else if (n == 5 && memcmp(ps->p, "false", 5) == 0) {
      *out = ogrh_vbool(false);
    } else if (n == 3 && memcmp(ps->p, "nil", 3) == 0) {
      *out = ogrh_vnil();
    } else {
      return fail(ps, ps->p, OGRH_ESYNTAX, "expected a value (this reader executes no code)");
    }
    ps->p = q;
    return OGRH_OK;
  }
  return fail(ps, ps->p, OGRH_ESYNTAX, "expected a value");
}

/* buf must be NUL-terminated at len and live in the arena when `owned`; else it is copied. */
static int parser_init(parser *ps, const char *buf, size_t len, bool owned, const char *name,
                       ogrh_arena *a, ogrh_err *err) {
  memset(ps, 0, sizeof *ps);
  const char *copy = owned ? buf : ogrh_arena_memdup(a, buf, len);
  if (!copy) return OGRH_ENOMEM;
  ps->start = ps->p = copy;
  ps->end = copy + len;
  ps->name = name ? name : "input";
  ps->a = a;
  ps->err = err;
  return OGRH_OK;
}

static void parser_deinit(parser *ps) {
  ogrh_free(ps->stk, ps->scap * sizeof *ps->stk);
}

ogrh_svfile *ogrh_svfile_new(void) {
  ogrh_svfile *f = ogrh_malloc(sizeof *f);
  if (!f) return NULL;
  memset(f, 0, sizeof *f);
  f->arena = ogrh_arena_new();
  if (!f->arena) {
    ogrh_free(f, sizeof *f);
    return NULL;
  }
  return f;
}

void ogrh_svfile_free(ogrh_svfile *f) {
  if (!f) return;
  ogrh_free(f->vars, f->cap * sizeof *f->vars);
  ogrh_free(f->index, f->index_cap * sizeof *f->index);
  ogrh_arena_free(f->arena);
  ogrh_free(f, sizeof *f);
}

/*
** Variables by name. A file usually holds a handful of variables, found fastest by a scan; from
** INDEX_FROM on, an open-addressing hash table of positions + 1 (0 = empty slot), at most half
** full, keeps reading a file of many variables linear instead of quadratic.
*/
enum { INDEX_FROM = 16 };

static size_t name_hash(const char *s) {
  uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return (size_t)(h ^ (h >> 29));
}

static size_t *index_slot(const ogrh_svfile *f, const char *name) {
  size_t mask = f->index_cap - 1;
  for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask)
    if (!f->index[i] || strcmp(f->vars[f->index[i] - 1].name, name) == 0) return &f->index[i];
}

/* Makes the index ready for `need` variables (a new table when it would be over half full). */
static int index_reserve(ogrh_svfile *f, size_t need) {
  if (need < INDEX_FROM || need <= f->index_cap / 2) return OGRH_OK;
  size_t cap = f->index_cap ? f->index_cap : 64;
  while (cap / 2 < need) {
    if (cap > SIZE_MAX / 2 / sizeof *f->index) return OGRH_ENOMEM;
    cap *= 2;
  }
  size_t *idx = ogrh_malloc(cap * sizeof *idx);
  if (!idx) return OGRH_ENOMEM;
  memset(idx, 0, cap * sizeof *idx);
  ogrh_free(f->index, f->index_cap * sizeof *f->index);
  f->index = idx;
  f->index_cap = cap;
  for (size_t i = 0; i < f->n; i++)
    *index_slot(f, f->vars[i].name) = i + 1;
  return OGRH_OK;
}

ogrh_value *ogrh_svfile_get(ogrh_svfile *f, const char *name) {
  if (f->index_cap) {
    size_t at = *index_slot(f, name);
    return at ? &f->vars[at - 1].value : NULL;
  }
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->vars[i].name, name) == 0) return &f->vars[i].value;
  return NULL;
}

/* Assigns name = v; name is copied into the arena unless it already lives there. */
static int var_set(ogrh_svfile *f, const char *name, bool in_arena, const ogrh_value *v) {
  ogrh_value *cur = ogrh_svfile_get(f, name);
  if (cur) {
    *cur = *v;
    return OGRH_OK;
  }
  /* Everything that can fail first; then the variable is added in one step. */
  if (ogrh_grow(&f->vars, &f->cap, f->n + 1, sizeof *f->vars)) return OGRH_ENOMEM;
  if (index_reserve(f, f->n + 1)) return OGRH_ENOMEM;
  const char *nm = in_arena ? name : ogrh_arena_memdup(f->arena, name, strlen(name));
  if (!nm) return OGRH_ENOMEM;
  f->vars[f->n].name = nm;
  f->vars[f->n].value = *v;
  if (f->index_cap) *index_slot(f, nm) = f->n + 1;
  f->n++;
  return OGRH_OK;
}

int ogrh_svfile_set(ogrh_svfile *f, const char *name, const ogrh_value *v) {
  return var_set(f, name, false, v);
}

static int parse_file(ogrh_svfile *f, const char *buf, size_t len, bool owned, const char *name,
                      ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  if (err) err->msg[0] = '\0';
  parser ps;
  int rc = parser_init(&ps, buf, len, owned, name, f->arena, err);
  while (rc == OGRH_OK) {
    if ((rc = skip_space(&ps))) break;
    if (ps.p >= ps.end) break;
    if (*ps.p == ';') {
      ps.p++;
      continue;
    }
    if (!is_ident_start((unsigned char)*ps.p)) {
      rc = fail(&ps, ps.p, OGRH_ESYNTAX, "expected an assignment 'NAME = value'");
      break;
    }
    const char *id = ps.p;
    while (ps.p < ps.end && is_ident((unsigned char)*ps.p))
      ps.p++;
    char *nm = ogrh_arena_memdup(f->arena, id, (size_t)(ps.p - id));
    if (!nm) {
      rc = OGRH_ENOMEM;
      break;
    }
    if ((rc = skip_space(&ps))) break;
    if (ps.p >= ps.end || *ps.p != '=') {
      rc = fail(&ps, ps.p, OGRH_ESYNTAX, "expected '=' after a variable name");
      break;
    }
    ps.p++;
    if ((rc = skip_space(&ps))) break;
    ogrh_value v;
    if ((rc = parse_value(&ps, 0, &v))) break;
    if ((rc = var_set(f, nm, true, &v))) break;
  }
  parser_deinit(&ps);
  if (rc) {
    if (rc == OGRH_ENOMEM && (!err || !err->msg[0]))
      ogrh_err_set(err, rc, "%s: out of memory", name ? name : "input");
    ogrh_svfile_free(f);
    return rc;
  }
  *out = f;
  return OGRH_OK;
}

int ogrh_svfile_parse(const char *buf, size_t len, const char *name, ogrh_svfile **out,
                      ogrh_err *err) {
  *out = NULL;
  ogrh_svfile *f = ogrh_svfile_new();
  if (!f) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  return parse_file(f, buf, len, false, name, out, err);
}

int ogrh_svfile_load(const char *path, ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  int fd = STDIN_FILENO, rc = OGRH_OK;
  size_t size = 0;
  if (strcmp(path, "-") != 0 && (rc = ogrh__open_read(path, &fd, &size)))
    return ogrh_err_set(err, rc, "%s: cannot read: %s", path, ogrh_strerror(rc));
  if (size > 0) {
    /* A regular file is read straight into the arena: no second copy of its bytes. */
    ogrh_svfile *f = ogrh_svfile_new();
    char *p = f ? ogrh_arena_alloc(f->arena, size + 1) : NULL;
    rc = p ? ogrh__read_exact(fd, p, size) : OGRH_ENOMEM;
    close(fd);
    if (rc) {
      ogrh_svfile_free(f);
      return ogrh_err_set(err, rc, "%s: cannot read: %s", path, ogrh_strerror(rc));
    }
    p[size] = '\0';
    return parse_file(f, p, size, true, path, out, err);
  }
  /* Standard input, a pipe, a device or an empty file: read to the end. */
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = ogrh__read_fd(fd, &b);
  if (fd != STDIN_FILENO) close(fd);
  if (rc) {
    ogrh_buf_deinit(&b);
    return ogrh_err_set(err, rc, "%s: cannot read: %s", path, ogrh_strerror(rc));
  }
  rc = ogrh_svfile_parse(b.p ? b.p : "", b.n, path, out, err);
  ogrh_buf_deinit(&b);
  return rc;
}

int ogrh_value_parse_literal(ogrh_arena *a, const char *buf, size_t len, ogrh_value *out,
                             ogrh_err *err) {
  parser ps;
  if (err) err->msg[0] = '\0';
  int rc = parser_init(&ps, buf, len, false, "value", a, err);
  if (!rc) rc = skip_space(&ps);
  if (!rc) rc = parse_value(&ps, 0, out);
  if (!rc) rc = skip_space(&ps);
  if (!rc && ps.p < ps.end) rc = fail(&ps, ps.p, OGRH_ESYNTAX, "expected end of value");
  parser_deinit(&ps);
  return rc;
}

/* ---- writer ---- */

int ogrh_write_lua_string(const char *s, size_t n, ogrh_buf *b) {
  if (ogrh_buf_reserve(b, n + 2)) return OGRH_ENOMEM;
  ogrh_buf_addc(b, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char tmp[8];
    if (c == '"')
      esc = "\\\"";
    else if (c == '\\')
      esc = "\\\\";
    else if (c == '\n')
      esc = "\\n";
    else if (c == '\r')
      esc = "\\r";
    else if (c == '\t')
      esc = "\\t";
    else if (c < 32 || c == 127) {
      /* Always three digits, so a following digit cannot extend the escape. */
      snprintf(tmp, sizeof tmp, "\\%03u", (unsigned)c);
      esc = tmp;
    }
    if (esc) {
      if (run && ogrh_buf_add(b, s + i - run, run)) return OGRH_ENOMEM;
      run = 0;
      if (ogrh_buf_adds(b, esc)) return OGRH_ENOMEM;
    } else {
      run++;
    }
  }
  if (run && ogrh_buf_add(b, s + n - run, run)) return OGRH_ENOMEM;
  return ogrh_buf_addc(b, '"');
}

/* The shortest decimal text that reads back to d, with ".0" when it would read as an integer. */
static size_t double_text(double d, char tmp[40]) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(tmp, 40, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  if (!strpbrk(tmp, ".eEn")) strcat(tmp, ".0");
  return strlen(tmp);
}

int ogrh_write_double(double d, ogrh_buf *b) {
  if (!isfinite(d)) return OGRH_ERANGE;
  char tmp[40];
  size_t n = double_text(d, tmp);
  return ogrh_buf_add(b, tmp, n);
}

/* Integers are most of what a file holds besides strings: format them without printf. */
static int put_int(ogrh_buf *b, int64_t v) {
  char tmp[24];
  char *p = tmp + sizeof tmp;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  return ogrh_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

static int tabs(ogrh_buf *b, int n) {
  static const char t[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
  while (n > 0) {
    int k = n > 16 ? 16 : n;
    if (ogrh_buf_add(b, t, (size_t)k)) return OGRH_ENOMEM;
    n -= k;
  }
  return OGRH_OK;
}

static int write_value(const ogrh_value *v, int indent, int depth, ogrh_buf *b) {
  int rc = OGRH_OK;
  switch (v->type) {
  case OGRH_NIL:
    return ogrh_buf_adds(b, "nil");
  case OGRH_BOOL:
    return ogrh_buf_adds(b, v->b ? "true" : "false");
  case OGRH_INT:
    return put_int(b, v->u.i);
  case OGRH_DOUBLE:
    return ogrh_write_double(v->u.d, b);
  case OGRH_STRING:
    return ogrh_write_lua_string(v->u.s, v->len, b);
  case OGRH_TABLE: {
    if (!table_depth_ok(depth)) return OGRH_EDEPTH;
    const ogrh_table *t = v->u.t;
    if ((rc = ogrh_buf_add(b, "{\n", 2))) return rc;
    for (uint32_t i = 0; i < t->n; i++) {
      const ogrh_entry *e = &t->e[i];
      if ((rc = tabs(b, indent + 1))) return rc;
      if ((rc = ogrh_buf_addc(b, '['))) return rc;
      if (e->key.type == OGRH_INT)
        rc = put_int(b, e->key.u.i);
      else
        rc = ogrh_write_lua_string(e->key.u.s, e->key.len, b);
      if (rc || (rc = ogrh_buf_add(b, "] = ", 4))) return rc;
      if ((rc = write_value(&e->val, indent + 1, depth + 1, b))) return rc;
      if ((rc = ogrh_buf_add(b, ",\n", 2))) return rc;
    }
    if ((rc = tabs(b, indent))) return rc;
    return ogrh_buf_addc(b, '}');
  }
  }
  return OGRH_EINVAL;
}

int ogrh_value_write(const ogrh_value *v, int indent, ogrh_buf *b) {
  return write_value(v, indent, 0, b);
}

/*
** The counting pass: what write_value would append, in bytes, without writing it (`ogrh stats`
** reports formatted sizes; formatting a 4 MB file twice to learn them cost most of its time).
** Each case mirrors write_value; tests/test_svfile.c holds the two to the same count.
*/

/* Bytes a string byte takes inside a Lua string literal, less one: \" \\ \n \r \t, \ddd. */
static const unsigned char esc_extra[256] = {
    [0] = 3,  [1] = 3,  [2] = 3,    [3] = 3,    [4] = 3,   [5] = 3,    [6] = 3,
    [7] = 3,  [8] = 3,  ['\t'] = 1, ['\n'] = 1, [11] = 3,  [12] = 3,   ['\r'] = 1,
    [14] = 3, [15] = 3, [16] = 3,   [17] = 3,   [18] = 3,  [19] = 3,   [20] = 3,
    [21] = 3, [22] = 3, [23] = 3,   [24] = 3,   [25] = 3,  [26] = 3,   [27] = 3,
    [28] = 3, [29] = 3, [30] = 3,   [31] = 3,   ['"'] = 1, ['\\'] = 1, [127] = 3};

static size_t lua_string_size(const char *s, size_t n) {
  size_t extra = 0, i = 0;
#ifdef SV_SWAR
  /* Most text needs no escape: skip eight clean bytes at a time (no byte below 0x20, no '"',
     '\\' or 0x7f), and look at the bytes of the rest one by one. */
  for (; i + 8 <= n; i += 8) {
    uint64_t w = load8(s + i);
    uint64_t hit = ((w - ones * 0x20) & ~w & highs) | zero_bytes(w ^ (ones * '"')) |
                   zero_bytes(w ^ (ones * '\\')) | zero_bytes(w ^ (ones * 0x7f));
    if (hit)
      for (size_t j = i; j < i + 8; j++)
        extra += esc_extra[(unsigned char)s[j]];
  }
#endif
  for (; i < n; i++)
    extra += esc_extra[(unsigned char)s[i]];
  return n + 2 + extra;
}

static size_t int_size(int64_t v) {
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  size_t n = v < 0 ? 2 : 1;
  while (u >= 10) {
    u /= 10;
    n++;
  }
  return n;
}

static int value_size(const ogrh_value *v, int indent, int depth, size_t *n) {
  switch (v->type) {
  case OGRH_NIL:
    *n += 3;
    return OGRH_OK;
  case OGRH_BOOL:
    *n += v->b ? 4 : 5;
    return OGRH_OK;
  case OGRH_INT:
    *n += int_size(v->u.i);
    return OGRH_OK;
  case OGRH_DOUBLE: {
    if (!isfinite(v->u.d)) return OGRH_ERANGE;
    char tmp[40];
    *n += double_text(v->u.d, tmp);
    return OGRH_OK;
  }
  case OGRH_STRING:
    *n += lua_string_size(v->u.s, v->len);
    return OGRH_OK;
  case OGRH_TABLE: {
    if (!table_depth_ok(depth)) return OGRH_EDEPTH;
    const ogrh_table *t = v->u.t;
    /* "{\n", then per entry: tabs, "[", key, "] = ", value, ",\n"; then tabs and "}". */
    *n += 2 + (size_t)indent + 1 + (size_t)t->n * ((size_t)indent + 1 + 1 + 4 + 2);
    for (uint32_t i = 0; i < t->n; i++) {
      const ogrh_entry *e = &t->e[i];
      *n +=
          e->key.type == OGRH_INT ? int_size(e->key.u.i) : lua_string_size(e->key.u.s, e->key.len);
      int rc = value_size(&e->val, indent + 1, depth + 1, n);
      if (rc) return rc;
    }
    return OGRH_OK;
  }
  }
  return OGRH_EINVAL;
}

int ogrh_value_write_size(const ogrh_value *v, int indent, size_t *out) {
  size_t n = 0;
  int rc = value_size(v, indent, 0, &n);
  *out = rc ? 0 : n;
  return rc;
}

int ogrh_svfile_write_size(const ogrh_svfile *f, size_t *out) {
  size_t n = 1;
  int rc = OGRH_OK;
  for (size_t i = 0; i < f->n && !rc; i++) {
    n += strlen(f->vars[i].name) + 3 + 1;
    rc = value_size(&f->vars[i].value, 0, 0, &n);
  }
  *out = rc ? 0 : n;
  return rc;
}

static int write_inline(const ogrh_value *v, int depth, ogrh_buf *b) {
  if (v->type != OGRH_TABLE) return ogrh_value_write(v, 0, b);
  if (!table_depth_ok(depth)) return OGRH_EDEPTH;
  const ogrh_table *t = v->u.t;
  int rc = ogrh_buf_addc(b, '{');
  for (uint32_t i = 0; i < t->n && !rc; i++) {
    if (i) rc = ogrh_buf_adds(b, ", ");
    if (!rc) rc = ogrh_buf_addc(b, '[');
    if (!rc) rc = ogrh_value_write(&t->e[i].key, 0, b);
    if (!rc) rc = ogrh_buf_adds(b, "] = ");
    if (!rc) rc = write_inline(&t->e[i].val, depth + 1, b);
  }
  return rc ? rc : ogrh_buf_addc(b, '}');
}

int ogrh_value_write_inline(const ogrh_value *v, ogrh_buf *b) {
  return write_inline(v, 0, b);
}

int ogrh_svfile_write(const ogrh_svfile *f, ogrh_buf *b) {
  int rc = ogrh_buf_addc(b, '\n');
  for (size_t i = 0; i < f->n && !rc; i++) {
    if ((rc = ogrh_buf_printf(b, "%s = ", f->vars[i].name))) break;
    if ((rc = ogrh_value_write(&f->vars[i].value, 0, b))) break;
    rc = ogrh_buf_addc(b, '\n');
  }
  return rc;
}

int ogrh_svfile_save(const ogrh_svfile *f, const char *path, ogrh_err *err) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_svfile_write(f, &b);
  if (rc) {
    ogrh_buf_deinit(&b);
    return ogrh_err_set(err, rc, "%s: cannot encode: %s", path, ogrh_strerror(rc));
  }
  rc = ogrh_write_file_atomic(path, b.p, b.n);
  ogrh_buf_deinit(&b);
  if (rc) return ogrh_err_set(err, rc, "%s: cannot write: %s", path, ogrh_strerror(rc));
  return OGRH_OK;
}
