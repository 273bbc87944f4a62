/*
** simogam.c
** OGAddonMsg 1.2 over ChatThrottleLib v14, as research/ogaddonmsg.md §3 reads it from the Lua:
** the text serialization, the S/M/R message formats byte for byte, the one-chunk-per-frame
** queue, reassembly, retries and the duplicate filter. Lists are short in practice (a handful
** of messages in flight), so they are plain arrays searched linearly.
*/
#include "simogam.h"
#include "ogrh/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- serialization ---- */

static void lua_quote(const char *s, size_t n, ogrh_buf *b) {
  ogrh_buf_addc(b, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    const char *esc = NULL;
    switch (ch) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\n':
      esc = "\\\n"; /* %q keeps a raw LF after the backslash */
      break;
    case '\r':
      esc = "\\r";
      break;
    case 0:
      esc = "\\000";
      break;
    case '|':
      esc = "\\124"; /* OGAddonMsg's EscapePipe, v2.0.101 */
      break;
    default:
      break;
    }
    if (!esc) continue;
    ogrh_buf_add(b, s + run, i - run);
    ogrh_buf_adds(b, esc);
    run = i + 1;
  }
  ogrh_buf_add(b, s + run, n - run);
  ogrh_buf_addc(b, '"');
}

static void lua_number(double d, ogrh_buf *b) {
  ogrh_buf_printf(b, "%.14g", d);
}

/* tostring of an integer: its digits while %.14g would print them all (the common case, and
** much cheaper than formatting a double). */
static void lua_integer(int64_t i, ogrh_buf *b) {
  if (i > -100000000000000 && i < 100000000000000)
    ogrh_buf_printf(b, "%lld", (long long)i);
  else
    lua_number((double)i, b);
}

static void lua_ser(const ogrh_value *v, ogrh_buf *b) {
  switch (v->type) {
  case OGRH_BOOL:
    ogrh_buf_adds(b, v->b ? "true" : "false");
    break;
  case OGRH_INT:
    lua_integer(v->u.i, b);
    break;
  case OGRH_DOUBLE:
    lua_number(v->u.d, b);
    break;
  case OGRH_STRING:
    lua_quote(v->u.s, v->len, b);
    break;
  case OGRH_TABLE:
    ogrh_buf_addc(b, '{');
    for (uint32_t i = 0; i < v->u.t->n; i++) {
      const ogrh_entry *e = &v->u.t->e[i];
      if (i) ogrh_buf_addc(b, ',');
      ogrh_buf_addc(b, '[');
      if (e->key.type == OGRH_INT)
        lua_integer(e->key.u.i, b);
      else
        lua_quote(e->key.u.s, e->key.len, b);
      ogrh_buf_adds(b, "]=");
      lua_ser(&e->val, b);
    }
    ogrh_buf_addc(b, '}');
    break;
  default:
    ogrh_buf_adds(b, "nil");
  }
}

int ogrh_lua_serialize(const ogrh_value *v, ogrh_buf *b) {
  lua_ser(v, b);
  return ogrh_buf_error(b);
}

typedef struct lparse {
  ogrh_arena *a;
  const char *p, *end;
  int depth;
} lparse;

static int lp_string(lparse *L, ogrh_value *out) {
  const char *p = L->p + 1;
  /* The unescaped text is never longer than the quoted one. */
  char *buf = ogrh_arena_alloc(L->a, (size_t)(L->end - p) + 1);
  if (!buf) return OGRH_ENOMEM;
  size_t n = 0;
  while (p < L->end && *p != '"') {
    if (*p != '\\') {
      buf[n++] = *p++;
      continue;
    }
    if (++p >= L->end) return OGRH_ESYNTAX;
    char c = *p++;
    switch (c) {
    case 'n':
      buf[n++] = '\n';
      break;
    case 'r':
      buf[n++] = '\r';
      break;
    case 't':
      buf[n++] = '\t';
      break;
    case 'a':
      buf[n++] = '\a';
      break;
    case 'b':
      buf[n++] = '\b';
      break;
    case 'f':
      buf[n++] = '\f';
      break;
    case 'v':
      buf[n++] = '\v';
      break;
    case '\n':
    case '\\':
    case '"':
    case '\'':
      buf[n++] = c;
      break;
    default:
      if (c >= '0' && c <= '9') {
        int v = c - '0';
        for (int k = 0; k < 2 && p < L->end && *p >= '0' && *p <= '9'; k++)
          v = v * 10 + (*p++ - '0');
        if (v > 255) return OGRH_ESYNTAX;
        buf[n++] = (char)v;
      } else {
        return OGRH_ESYNTAX;
      }
    }
  }
  if (p >= L->end) return OGRH_ESYNTAX;
  L->p = p + 1;
  buf[n] = '\0';
  *out = ogrh_vstr(buf, n);
  return OGRH_OK;
}

static int lp_number(lparse *L, ogrh_value *out) {
  const char *s = L->p;
  size_t k = 0;
  char tmp[64];
  bool is_int = true;
  while (s + k < L->end && k < sizeof tmp - 1 &&
         strchr("0123456789+-.eEinfa", s[k]) != NULL) { /* digits, signs, "inf", "nan" */
    if (strchr(".eEna", s[k])) is_int = false;
    tmp[k] = s[k];
    k++;
  }
  if (!k) return OGRH_ESYNTAX;
  tmp[k] = '\0';
  char *endp;
  double d = strtod(tmp, &endp);
  if (*endp) return OGRH_ESYNTAX;
  L->p += k;
  if (is_int && d >= -9007199254740992.0 && d <= 9007199254740992.0)
    *out = ogrh_vint((int64_t)d);
  else
    *out = ogrh_vdouble(d);
  return OGRH_OK;
}

static int lp_value(lparse *L, ogrh_value *out);

static int lp_table(lparse *L, ogrh_value *out) {
  if (++L->depth > OGRH_MAX_DEPTH) return OGRH_EDEPTH;
  ogrh_table *t = ogrh_table_new(L->a, 0);
  if (!t) return OGRH_ENOMEM;
  L->p++;
  while (L->p < L->end && *L->p != '}') {
    if (*L->p != '[') return OGRH_ESYNTAX;
    L->p++;
    ogrh_value k, v;
    int rc = L->p < L->end && *L->p == '"' ? lp_string(L, &k) : lp_number(L, &k);
    if (rc) return rc;
    if (k.type == OGRH_DOUBLE && ogrh_key_normalize(&k)) return OGRH_ESYNTAX;
    if (L->end - L->p < 2 || L->p[0] != ']' || L->p[1] != '=') return OGRH_ESYNTAX;
    L->p += 2;
    if ((rc = lp_value(L, &v))) return rc;
    if (v.type != OGRH_NIL && (rc = ogrh_table_set(L->a, t, &k, &v))) return rc;
    if (L->p < L->end && *L->p == ',') L->p++;
  }
  if (L->p >= L->end) return OGRH_ESYNTAX;
  L->p++;
  L->depth--;
  *out = ogrh_vtable(t);
  return OGRH_OK;
}

static bool lp_word(lparse *L, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(L->end - L->p) < n || memcmp(L->p, w, n) != 0) return false;
  L->p += n;
  return true;
}

static int lp_value(lparse *L, ogrh_value *out) {
  if (L->p >= L->end) return OGRH_ESYNTAX;
  switch (*L->p) {
  case '{':
    return lp_table(L, out);
  case '"':
    return lp_string(L, out);
  default:
    break;
  }
  if (lp_word(L, "true")) {
    *out = ogrh_vbool(true);
    return OGRH_OK;
  }
  if (lp_word(L, "false")) {
    *out = ogrh_vbool(false);
    return OGRH_OK;
  }
  if (lp_word(L, "nil")) {
    *out = ogrh_vnil();
    return OGRH_OK;
  }
  return lp_number(L, out);
}

int ogrh_lua_parse(ogrh_arena *a, const char *p, size_t n, ogrh_value *out) {
  lparse L = {a, p, p + n, 0};
  int rc = lp_value(&L, out);
  if (!rc && L.p != L.end) rc = OGRH_ESYNTAX;
  return rc;
}

uint32_t ogrh_ogam_hash(const uint8_t *p, size_t n) {
  uint32_t h = 0;
  for (size_t i = 0; i < n; i++)
    h = (h + (uint32_t)p[i] * (uint32_t)((i + 1) & 0xffff)) % 65536u;
  return h;
}

size_t ogrh_ogam_chunk_data(size_t prefix_len) {
  return prefix_len < 160 ? 161 - prefix_len : 1;
}

/* ---- the transport ---- */

typedef struct item {
  struct item *next;
  char id[5];
  size_t n;
  uint8_t text[];
} item;

typedef struct fifo {
  item *head, *tail;
  size_t n;
} fifo;

/* A message being reassembled. */
typedef struct rentry {
  char key[40]; /* msgId, or sender:msgId without the bugs */
  char sender[32];
  char prefix[64];
  char hash[5];
  uint32_t total, count;
  ogrh_buf *chunks; /* total of them; an empty buffer is a missing chunk (data may be empty) */
  bool *have;
  uint64_t first, last;
} rentry;

/* A multi-chunk message kept for retransmission. */
typedef struct rbuf {
  char id[5];
  ogrh_buf *texts;
  size_t n;
  uint64_t expires;
} rbuf;

typedef struct seen {
  uint32_t key;
  uint64_t at;
} seen;

typedef struct done {
  char key[40];
  uint64_t at;
} done;

struct ogam {
  ogam_cfg cfg;
  char self[32];
  ogrh_rng rng;
  ogrh_sender *ctl;
  fifo q[4];
  rentry *re;
  size_t nre, capre;
  rbuf *rb;
  size_t nrb, caprb;
  seen *dd;
  size_t ndd, capdd;
  done *dn;
  size_t ndn, capdn;
  uint64_t ctl_busy_until;
  ogam_stats st;
};

static void ctl_out(void *ud, const char *prefix, const uint8_t *t, size_t n, uint64_t now) {
  (void)prefix;
  ogam *o = ud;
  o->cfg.out(o->cfg.ud, t, n, now);
}

ogam *ogrh_ogam_new(const ogam_cfg *c, uint64_t now) {
  if (!c || !c->self || strlen(c->self) >= 32 || !c->out || !c->dispatch) return NULL;
  ogam *o = ogrh_malloc(sizeof *o);
  if (!o) return NULL;
  memset(o, 0, sizeof *o);
  o->cfg = *c;
  memcpy(o->self, c->self, strlen(c->self) + 1);
  o->cfg.self = o->self;
  ogrh_rng_seed(&o->rng, c->seed);
  o->ctl = ogrh_sender_new(&c->ctl, ctl_out, o, now);
  if (!o->ctl) {
    ogrh_free(o, sizeof *o);
    return NULL;
  }
  return o;
}

static void rentry_free(rentry *e) {
  for (uint32_t i = 0; i < e->total; i++)
    ogrh_buf_deinit(&e->chunks[i]);
  ogrh_free(e->chunks, e->total * sizeof *e->chunks);
  ogrh_free(e->have, e->total * sizeof *e->have);
}

static void rbuf_free(rbuf *r) {
  for (size_t i = 0; i < r->n; i++)
    ogrh_buf_deinit(&r->texts[i]);
  ogrh_free(r->texts, r->n * sizeof *r->texts);
}

void ogrh_ogam_free(ogam *o, uint64_t now) {
  if (!o) return;
  for (int p = 0; p < 4; p++)
    while (o->q[p].head) {
      item *it = o->q[p].head;
      o->q[p].head = it->next;
      ogrh_free(it, sizeof *it + it->n);
    }
  for (size_t i = 0; i < o->nre; i++)
    rentry_free(&o->re[i]);
  for (size_t i = 0; i < o->nrb; i++)
    rbuf_free(&o->rb[i]);
  ogrh_free(o->re, o->capre * sizeof *o->re);
  ogrh_free(o->rb, o->caprb * sizeof *o->rb);
  ogrh_free(o->dd, o->capdd * sizeof *o->dd);
  ogrh_free(o->dn, o->capdn * sizeof *o->dn);
  ogrh_sender_free(o->ctl, now);
  ogrh_free(o, sizeof *o);
}

static int enqueue(ogam *o, ogam_prio p, const char *id, const uint8_t *text, size_t n) {
  item *it = ogrh_malloc(sizeof *it + n);
  if (!it) return OGRH_ENOMEM;
  it->next = NULL;
  memcpy(it->id, id, 5);
  it->n = n;
  memcpy(it->text, text, n);
  fifo *f = &o->q[p];
  if (f->tail)
    f->tail->next = it;
  else
    f->head = it;
  f->tail = it;
  f->n++;
  o->st.chunks_queued++;
  return OGRH_OK;
}

static void new_id(ogam *o, char id[5]) {
  static const char al[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (int i = 0; i < 4; i++)
    id[i] = al[ogrh_rng_below(&o->rng, 36)];
  id[4] = '\0';
}

int ogrh_ogam_send(ogam *o, ogam_prio prio, const char *prefix, const uint8_t *wire, size_t n,
                   uint64_t now) {
  size_t P = prefix ? strlen(prefix) : 0;
  if (!P || P > 60 || (int)prio < 0 || prio > OGAM_LOW) return OGRH_EINVAL;
  size_t D = ogrh_ogam_chunk_data(P);
  char id[5];
  new_id(o, id);
  char fh[5];
  snprintf(fh, sizeof fh, "%04x", ogrh_ogam_hash(wire, n));
  ogrh_buf t;
  ogrh_buf_init(&t);
  o->st.messages_sent++;
  if (n <= D) {
    ogrh_buf_printf(&t, "1S%s%s\t", id, prefix);
    ogrh_buf_add(&t, wire, n);
    int rc = ogrh_buf_error(&t);
    if (!rc) rc = enqueue(o, prio, id, (const uint8_t *)t.p, t.n);
    ogrh_buf_deinit(&t);
    return rc;
  }
  size_t C = (n + D - 1) / D;
  if (C > 9999) return OGRH_ETOOBIG;
  rbuf rb;
  memset(&rb, 0, sizeof rb);
  memcpy(rb.id, id, 5);
  rb.texts = ogrh_malloc(C * sizeof *rb.texts);
  if (!rb.texts) return OGRH_ENOMEM;
  rb.n = C;
  rb.expires = now + 60000;
  int rc = OGRH_OK;
  for (size_t i = 0; i < C; i++) {
    size_t off = i * D, len = n - off < D ? n - off : D;
    ogrh_buf_init(&rb.texts[i]);
    ogrh_buf *c = &rb.texts[i];
    ogrh_buf_printf(c, "1M%s%04zu%04zu%s%04x%s\t", id, i + 1, C, fh,
                    ogrh_ogam_hash(wire + off, len), prefix);
    ogrh_buf_add(c, wire + off, len);
    if (!rc) rc = ogrh_buf_error(c);
    if (!rc) rc = enqueue(o, prio, id, (const uint8_t *)c->p, c->n);
  }
  if (!rc && o->nrb == o->caprb) rc = ogrh_grow(&o->rb, &o->caprb, o->nrb + 1, sizeof *o->rb);
  if (rc) {
    rbuf_free(&rb);
    return rc;
  }
  o->rb[o->nrb++] = rb;
  return OGRH_OK;
}

/* ---- receiving ---- */

static void ctl_raw(ogam *o, const uint8_t *text, size_t n, uint64_t now) {
  /* CTL's hook charges a raw SendAddonMessage: text + chattype ("RAID") + prefix + 40. */
  ogrh_sender_bypass(o->ctl, n + 4 + 4 + 40, now);
  o->ctl_busy_until = now + 250;
  o->cfg.out(o->cfg.ud, text, n, now);
}

/* IsDuplicate: a 16-bit key over id, sender, prefix and the first 100 data bytes, 60 s. */
static bool is_duplicate(ogam *o, const char *id, const char *sender, const char *prefix,
                         const uint8_t *data, size_t n, uint64_t now) {
  ogrh_buf k;
  ogrh_buf_init(&k);
  ogrh_buf_printf(&k, "%s:%s:%s:", id, sender, prefix);
  ogrh_buf_add(&k, data, n < 100 ? n : 100);
  uint32_t key = ogrh_ogam_hash((const uint8_t *)k.p, k.n);
  ogrh_buf_deinit(&k);
  for (size_t i = 0; i < o->ndd; i++)
    if (o->dd[i].key == key) {
      if (now - o->dd[i].at < 60000) return true;
      o->dd[i].at = now;
      return false;
    }
  if (o->ndd == o->capdd && ogrh_grow(&o->dd, &o->capdd, o->ndd + 1, sizeof *o->dd)) return false;
  o->dd[o->ndd].key = key;
  o->dd[o->ndd].at = now;
  o->ndd++;
  return false;
}

static void entry_key(ogam *o, const char *sender, const char *id, char key[40]) {
  if (o->cfg.bugs)
    snprintf(key, 40, "%s", id);
  else
    snprintf(key, 40, "%.31s:%s", sender, id);
}

static void remove_entry(ogam *o, size_t i) {
  rentry_free(&o->re[i]);
  o->re[i] = o->re[--o->nre];
}

static void complete(ogam *o, size_t ei, uint64_t now) {
  rentry *e = &o->re[ei];
  for (uint32_t i = 0; i < e->total; i++)
    if (!e->have[i]) return; /* "Incomplete message": kept until it times out */
  ogrh_buf full;
  ogrh_buf_init(&full);
  for (uint32_t i = 0; i < e->total; i++)
    ogrh_buf_add(&full, e->chunks[i].p, e->chunks[i].n);
  char h[5];
  snprintf(h, sizeof h, "%04x", ogrh_ogam_hash((const uint8_t *)full.p, full.n));
  char sender[32], prefix[64], id[5];
  memcpy(sender, e->sender, sizeof sender);
  memcpy(prefix, e->prefix, sizeof prefix);
  memcpy(id, o->cfg.bugs ? e->key : strrchr(e->key, ':') + 1, 5);
  bool ok = strcmp(h, e->hash) == 0;
  /* Without the bugs, completed ids are remembered so late copies open no orphan entries. */
  if (!o->cfg.bugs &&
      (o->ndn < o->capdn || ogrh_grow(&o->dn, &o->capdn, o->ndn + 1, sizeof *o->dn) == OGRH_OK)) {
    memcpy(o->dn[o->ndn].key, e->key, sizeof e->key);
    o->dn[o->ndn++].at = now;
  }
  remove_entry(o, ei);
  if (!ok) {
    o->st.hash_failures++; /* no retry, by design */
  } else if (is_duplicate(o, id, sender, prefix, (const uint8_t *)full.p, full.n, now)) {
    o->st.dedup_dropped++;
  } else if (!ogrh_buf_error(&full)) {
    o->st.reassembled++;
    o->cfg.dispatch(o->cfg.ud, sender, prefix, (const uint8_t *)full.p, full.n, now);
  }
  ogrh_buf_deinit(&full);
}

static bool digits(const uint8_t *p, size_t n, uint32_t *out) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    v = v * 10 + (uint32_t)(p[i] - '0');
  }
  *out = v;
  return true;
}

static bool recently_done(ogam *o, const char *key, uint64_t now) {
  for (size_t i = 0; i < o->ndn; i++)
    if (strcmp(o->dn[i].key, key) == 0 && now - o->dn[i].at < 60000) return true;
  return false;
}

static void on_chunk(ogam *o, const char *sender, const uint8_t *t, size_t n, uint64_t now) {
  uint32_t k, total;
  if (n < 23 || !digits(t + 6, 4, &k) || !digits(t + 10, 4, &total) || total == 0) return;
  const uint8_t *tab = memchr(t + 22, '\t', n - 22);
  if (!tab || tab == t + 22 || (size_t)(tab - (t + 22)) >= 64) return;
  char id[5], key[40], prefix[64];
  memcpy(id, t + 2, 4);
  id[4] = '\0';
  memcpy(prefix, t + 22, (size_t)(tab - (t + 22)));
  prefix[tab - (t + 22)] = '\0';
  entry_key(o, sender, id, key);
  const uint8_t *data = tab + 1;
  size_t dn = n - (size_t)(data - t);
  size_t ei = o->nre;
  for (size_t i = 0; i < o->nre; i++)
    if (strcmp(o->re[i].key, key) == 0) ei = i;
  if (ei == o->nre) {
    if (!o->cfg.bugs && recently_done(o, key, now)) return; /* no orphan entries */
    if (o->nre == o->capre && ogrh_grow(&o->re, &o->capre, o->nre + 1, sizeof *o->re)) return;
    rentry *e = &o->re[o->nre];
    memset(e, 0, sizeof *e);
    e->chunks = ogrh_malloc(total * sizeof *e->chunks);
    e->have = ogrh_malloc(total * sizeof *e->have);
    if (!e->chunks || !e->have) {
      ogrh_free(e->chunks, total * sizeof *e->chunks);
      ogrh_free(e->have, total * sizeof *e->have);
      return;
    }
    for (uint32_t i = 0; i < total; i++) {
      ogrh_buf_init(&e->chunks[i]);
      e->have[i] = false;
    }
    memcpy(e->key, key, sizeof key);
    snprintf(e->sender, sizeof e->sender, "%s", sender);
    memcpy(e->prefix, prefix, sizeof prefix);
    memcpy(e->hash, t + 14, 4);
    e->hash[4] = '\0';
    e->total = total;
    e->first = e->last = now;
    o->nre++;
  }
  rentry *e = &o->re[ei];
  char ch[5];
  snprintf(ch, sizeof ch, "%04x", ogrh_ogam_hash(data, dn));
  if (memcmp(ch, t + 18, 4) != 0) o->st.hash_failures++; /* logged; the chunk is still kept */
  if (k < 1 || k > e->total) {
    /* Lua stores chunks[k] anyway and counts it; the message then never completes. */
    if (o->cfg.bugs) {
      e->count++;
      e->last = now;
    }
    return;
  }
  if (e->have[k - 1]) return;
  e->have[k - 1] = true;
  ogrh_buf_add(&e->chunks[k - 1], data, dn);
  e->count++;
  e->last = now;
  if (e->count == e->total) complete(o, ei, now);
}

static void on_retry(ogam *o, const uint8_t *t, size_t n, uint64_t now) {
  if (n < 6) return;
  char id[5];
  memcpy(id, t + 2, 4);
  id[4] = '\0';
  const uint8_t *tail = t + 6, *end = t + n;
  const uint8_t *colon = memchr(tail, ':', (size_t)(end - tail));
  if (colon) {
    size_t nl = (size_t)(colon - tail);
    if (nl != strlen(o->self) || memcmp(tail, o->self, nl) != 0) return;
    tail = colon + 1;
  }
  size_t ri = o->nrb;
  for (size_t i = 0; i < o->nrb; i++)
    if (memcmp(o->rb[i].id, id, 5) == 0) ri = i;
  if (ri == o->nrb || now >= o->rb[ri].expires) {
    o->st.retry_expired++; /* "Retry request for expired message" */
    return;
  }
  o->st.retries_honoured++;
  rbuf *r = &o->rb[ri];
  bool any = false;
  const uint8_t *p = tail;
  while (p < end) {
    if (*p < '0' || *p > '9') {
      p++;
      continue;
    }
    size_t k = 0;
    while (p < end && *p >= '0' && *p <= '9' && k < 100000)
      k = k * 10 + (size_t)(*p++ - '0');
    any = true;
    if (k >= 1 && k <= r->n)
      enqueue(o, OGAM_HIGH, r->id, (const uint8_t *)r->texts[k - 1].p, r->texts[k - 1].n);
  }
  if (!any)
    for (size_t k = 0; k < r->n; k++)
      enqueue(o, OGAM_HIGH, r->id, (const uint8_t *)r->texts[k].p, r->texts[k].n);
}

void ogrh_ogam_receive(ogam *o, const char *sender, const char *prefix, const uint8_t *t, size_t n,
                       uint64_t now) {
  if (strcmp(prefix, "OGAM") != 0 || strcmp(sender, o->self) == 0) return;
  o->st.received++;
  if (n < 2 || t[0] != '1') return;
  if (t[1] == 'M') {
    on_chunk(o, sender, t, n, now);
  } else if (t[1] == 'R') {
    on_retry(o, t, n, now);
  } else if (t[1] == 'S' && n >= 7) {
    for (int i = 2; i < 6; i++)
      if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'z') ||
            (t[i] >= 'A' && t[i] <= 'Z')))
        return;
    size_t e = 6;
    while (e < n && t[e] != '\t' && t[e] != ' ' && t[e] != '\n' && t[e] != '\r')
      e++;
    if (e == 6 || e >= n || t[e] != '\t' || e - 6 >= 64) return;
    char id[5], pfx[64];
    memcpy(id, t + 2, 4);
    id[4] = '\0';
    memcpy(pfx, t + 6, e - 6);
    pfx[e - 6] = '\0';
    if (is_duplicate(o, id, sender, pfx, t + e + 1, n - e - 1, now)) {
      o->st.dedup_dropped++;
      return;
    }
    o->cfg.dispatch(o->cfg.ud, sender, pfx, t + e + 1, n - e - 1, now);
  }
}

/* ---- frames ---- */

static void send_retry(ogam *o, const rentry *e, uint64_t now) {
  /* "1R" id owner ":" missing indexes; one frame with the bugs, else split to fit 254. */
  char id[5];
  memcpy(id, o->cfg.bugs ? e->key : strrchr(e->key, ':') + 1, 5);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_buf_printf(&b, "1R%s%s:", id, e->sender);
  size_t head = b.n;
  for (uint32_t i = 0; i < e->total; i++) {
    if (e->have[i]) continue;
    char num[12];
    int len = snprintf(num, sizeof num, "%s%u", b.n > head ? "," : "", i + 1);
    if (!o->cfg.bugs && 4 + b.n + (size_t)len > 254) {
      ctl_raw(o, (const uint8_t *)b.p, b.n, now);
      o->st.retry_requests++;
      b.n = head;
      len = snprintf(num, sizeof num, "%u", i + 1);
    }
    ogrh_buf_add(&b, num, (size_t)len);
  }
  if (b.n > head && !ogrh_buf_error(&b)) {
    if (4 + b.n > 254) o->st.r_too_long++;
    ctl_raw(o, (const uint8_t *)b.p, b.n, now);
    o->st.retry_requests++;
  }
  ogrh_buf_deinit(&b);
}

void ogrh_ogam_enter_world(ogam *o, uint64_t now) {
  ogrh_sender_loading_screen(o->ctl, now);
  for (size_t i = 0; i < o->nre; i++)
    if (o->re[i].count < o->re[i].total) send_retry(o, &o->re[i], now);
}

void ogrh_ogam_set_fps(ogam *o, double fps) {
  ogrh_sender_set_fps(o->ctl, fps);
}

uint64_t ogrh_ogam_frame(ogam *o, uint64_t now) {
  /* ProcessQueue: exactly one item, CRITICAL > HIGH > NORMAL > LOW. */
  static const ogrh_ctl_prio map[4] = {OGRH_CTL_ALERT, OGRH_CTL_NORMAL, OGRH_CTL_NORMAL,
                                       OGRH_CTL_BULK};
  for (int p = 0; p < 4; p++) {
    fifo *f = &o->q[p];
    if (!f->head) continue;
    item *it = f->head;
    f->head = it->next;
    if (!f->head) f->tail = NULL;
    f->n--;
    const uint8_t *texts[1] = {it->text};
    size_t lens[1] = {it->n};
    ogrh_sender_send(o->ctl, map[p], "OGAM", texts, lens, 1, NULL, NULL, now);
    if (!o->cfg.bugs)
      for (size_t i = 0; i < o->nrb; i++)
        if (memcmp(o->rb[i].id, it->id, 5) == 0) o->rb[i].expires = now + 60000;
    ogrh_free(it, sizeof *it + it->n);
    break;
  }
  /* Housekeeping: retry buffer, duplicate keys, reassembly timeouts. */
  for (size_t i = 0; i < o->nrb;)
    if (now >= o->rb[i].expires) {
      rbuf_free(&o->rb[i]);
      o->rb[i] = o->rb[--o->nrb];
    } else {
      i++;
    }
  for (size_t i = 0; i < o->ndd;)
    if (now - o->dd[i].at > 60000)
      o->dd[i] = o->dd[--o->ndd];
    else
      i++;
  for (size_t i = 0; i < o->ndn;)
    if (now - o->dn[i].at > 60000)
      o->dn[i] = o->dn[--o->ndn];
    else
      i++;
  for (size_t i = 0; i < o->nre;)
    if (now - o->re[i].last > 90000) {
      o->st.timeouts++; /* "Timeout failure" */
      remove_entry(o, i);
    } else {
      i++;
    }
  ogrh_sender_tick(o->ctl, now);
  if (ogrh_sender_queued(o->ctl)) o->ctl_busy_until = now + 250;
  if (ogrh_ogam_queue_depth(o) || now < o->ctl_busy_until) return now + 1;
  uint64_t wake = UINT64_MAX;
  for (size_t i = 0; i < o->nre; i++)
    if (o->re[i].last + 90001 < wake) wake = o->re[i].last + 90001;
  for (size_t i = 0; i < o->nrb; i++)
    if (o->rb[i].expires < wake) wake = o->rb[i].expires;
  return wake;
}

size_t ogrh_ogam_queue_depth(const ogam *o) {
  return o->q[0].n + o->q[1].n + o->q[2].n + o->q[3].n;
}

bool ogrh_ogam_ctl_queueing(const ogam *o) {
  return ogrh_sender_queued(o->ctl) > 0;
}

const ogam_stats *ogrh_ogam_stats(const ogam *o) {
  return &o->st;
}
