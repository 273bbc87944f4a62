/*
** node_msg.c
** The sync node's bytes: readers and writers for message bodies, coalescing sets of writes,
** revision entries, repair-unit records, and the persisted state (docs/PROTOCOL.md §10).
** Every decoder takes (p, n), never reads past n and checks counts against the bytes left.
*/
#include "node_int.h"

#include <string.h>
#include <xxhash.h>

/* ---- readers and writers ---- */

uint64_t nd_get_varint(nd_rd *r) {
  uint64_t v = 0;
  if (r->err || ogrh_varint_get(&r->p, r->end, &v)) {
    r->err = OGRH_ECORRUPT;
    return 0;
  }
  return v;
}

uint8_t nd_get_u8(nd_rd *r) {
  if (r->err || r->p >= r->end) {
    r->err = OGRH_ECORRUPT;
    return 0;
  }
  return *r->p++;
}

uint64_t nd_get_u64(nd_rd *r) {
  if (r->err || r->end - r->p < 8) {
    r->err = OGRH_ECORRUPT;
    return 0;
  }
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | r->p[i];
  r->p += 8;
  return v;
}

const char *nd_get_name(nd_rd *r, size_t max, uint32_t *len) {
  uint64_t n = nd_get_varint(r);
  *len = 0;
  if (r->err || n > max || n > (uint64_t)(r->end - r->p)) {
    r->err = OGRH_ECORRUPT;
    return "";
  }
  const char *s = (const char *)r->p;
  r->p += n;
  *len = (uint32_t)n;
  return s;
}

void nd_get_player(nd_rd *r, char out[ND_NAME]) {
  uint32_t n;
  const char *s = nd_get_name(r, ND_NAME - 1, &n);
  if (memchr(s, 0, n)) r->err = OGRH_ECORRUPT;
  memcpy(out, s, r->err ? 0 : n);
  out[r->err ? 0 : n] = 0;
}

nd_ident nd_get_ident(nd_rd *r) {
  nd_ident id;
  id.name = nd_get_name(r, 1024, &id.len);
  uint64_t occ = nd_get_varint(r);
  if (r->err || occ == 0 || occ > UINT32_MAX) r->err = OGRH_ECORRUPT;
  id.occ = r->err ? 1 : (uint32_t)occ;
  return id;
}

nd_ident nd_get_ident_digest(nd_rd *r, ogrh_digest *dg) {
  nd_ident id = nd_get_ident(r);
  *dg = nd_get_u64(r);
  return id;
}

void nd_put_u8(ogrh_buf *b, uint8_t v) {
  ogrh_buf_add(b, &v, 1);
}

void nd_put_u64(ogrh_buf *b, uint64_t v) {
  uint8_t x[8];
  for (int i = 0; i < 8; i++)
    x[i] = (uint8_t)(v >> (8 * i));
  ogrh_buf_add(b, x, 8);
}

void nd_put_name(ogrh_buf *b, const char *s, size_t n) {
  ogrh_varint_put(b, n);
  ogrh_buf_add(b, s, n);
}

void nd_put_cstr(ogrh_buf *b, const char *s) {
  nd_put_name(b, s ? s : "", s ? strlen(s) : 0);
}

/* ---- coalescing sets of writes ---- */

static void op_free(nd_op *o) {
  ogrh_free(o->path, o->plen + 1);
  ogrh_free(o->op, o->oplen);
}

void nd_opset_free(nd_opset *s) {
  for (size_t i = 0; i < s->n; i++)
    op_free(&s->v[i]);
  ogrh_free(s->v, s->cap * sizeof *s->v);
  memset(s, 0, sizeof *s);
}

/* Is a the path b, or an ancestor of it? Canonical texts make this a prefix test. */
static bool covers(const char *a, size_t an, const char *b, size_t bn) {
  return an <= bn && memcmp(a, b, an) == 0 && (an == bn || b[an] == '.');
}

int nd_opset_add(nd_opset *s, const char *path, size_t plen, const uint8_t *op, size_t oplen,
                 int level) {
  if (ogrh_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v)) return OGRH_ENOMEM;
  nd_op o = {ogrh_malloc(plen + 1), plen, ogrh_malloc(oplen ? oplen : 1), oplen, (uint8_t)level};
  if (!o.path || !o.op) {
    ogrh_free(o.path, plen + 1);
    ogrh_free(o.op, oplen ? oplen : 1);
    return OGRH_ENOMEM;
  }
  memcpy(o.path, path, plen);
  o.path[plen] = 0;
  memcpy(o.op, op, oplen);
  size_t k = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (covers(path, plen, s->v[i].path, s->v[i].plen)) {
      s->bytes -= s->v[i].oplen;
      op_free(&s->v[i]);
    } else {
      s->v[k++] = s->v[i];
    }
  }
  s->n = k;
  s->v[s->n++] = o;
  s->bytes += o.oplen;
  return OGRH_OK;
}

int nd_op_make(const ogrh_path *p, const ogrh_value *v, ogrh_buf *path, ogrh_buf *op) {
  ogrh_buf_reset(path);
  ogrh_buf_reset(op);
  ogrh_path_format(p, p->n, path);
  ogrh_op_encode(p, v, op);
  if (ogrh_buf_error(path)) return ogrh_buf_error(path);
  return ogrh_buf_error(op);
}

int nd_opset_add_encoded(nd_opset *s, const uint8_t *p, size_t n, int level) {
  nd_rd r = {p, p + n, 0};
  uint64_t count = nd_get_varint(&r);
  if (r.err || count > n) return OGRH_ECORRUPT;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_buf path;
  ogrh_buf_init(&path);
  int rc = a ? OGRH_OK : OGRH_ENOMEM;
  for (uint64_t i = 0; i < count && !rc; i++) {
    ogrh_op op;
    size_t used;
    rc = ogrh_op_decode(a, r.p, (size_t)(r.end - r.p), &op, &used);
    if (rc) break;
    ogrh_buf_reset(&path);
    ogrh_path_format(&op.path, op.path.n, &path);
    rc = ogrh_buf_error(&path);
    if (!rc) rc = nd_opset_add(s, path.p, path.n, r.p, used, level);
    r.p += used;
  }
  ogrh_buf_deinit(&path);
  ogrh_arena_free(a);
  return rc;
}

int nd_opset_encode(const nd_opset *s, ogrh_buf *b) {
  ogrh_varint_put(b, s->n);
  for (size_t i = 0; i < s->n; i++)
    ogrh_buf_add(b, s->v[i].op, s->v[i].oplen);
  return ogrh_buf_error(b);
}

bool nd_opset_pushable(const nd_opset *s) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i].level == OGRH_SYNC_REALTIME || s->v[i].level == OGRH_SYNC_BATCH) return true;
  return false;
}

/* ---- revision entries ---- */

static void entry_free(nd_entry *e) {
  ogrh_free(e->ops, e->len ? e->len : 1);
  if (e->acks) ogrh_free(e->acks, e->alen);
}

void nd_entries_free(nd_entries *e) {
  for (size_t i = 0; i < e->n; i++)
    entry_free(&e->v[i]);
  ogrh_free(e->v, e->cap * sizeof *e->v);
  memset(e, 0, sizeof *e);
}

int nd_entries_push(nd_entries *e, uint64_t from, uint64_t to, ogrh_digest root, const uint8_t *ops,
                    size_t len, bool big) {
  if (ogrh_grow(&e->v, &e->cap, e->n + 1, sizeof *e->v)) return OGRH_ENOMEM;
  uint8_t *c = ogrh_malloc(len ? len : 1);
  if (!c) return OGRH_ENOMEM;
  if (len) memcpy(c, ops, len);
  e->v[e->n++] = (nd_entry){from, to, root, c, len, big, NULL, 0};
  e->bytes += len;
  return OGRH_OK;
}

void nd_entries_drop_front(nd_entries *e, size_t k) {
  if (k > e->n) k = e->n;
  for (size_t i = 0; i < k; i++) {
    e->bytes -= e->v[i].len + e->v[i].alen;
    entry_free(&e->v[i]);
  }
  memmove(e->v, e->v + k, (e->n - k) * sizeof *e->v);
  e->n -= k;
}

void nd_entries_bound(nd_entries *e, size_t max_n, size_t max_bytes) {
  size_t k = 0, bytes = e->bytes;
  while (k < e->n && (e->n - k > max_n || bytes > max_bytes)) {
    bytes -= e->v[k].len + e->v[k].alen;
    k++;
  }
  nd_entries_drop_front(e, k);
}

/* ---- repair-unit records ---- */

/*
** varint raid occurrence, varint encounter occurrence, u64 unit digest, then the repair-unit
** body of PROTOCOL.md §7: the compact table {kind, raid name, encounter name, index, value}.
*/
int nd_unit_encode(ogrh_unit_kind kind, int index, const char *raid, size_t raid_len,
                   uint32_t raid_occ, const char *enc, size_t enc_len, uint32_t enc_occ,
                   ogrh_digest digest, const ogrh_value *value, ogrh_buf *b) {
  ogrh_varint_put(b, raid_occ);
  ogrh_varint_put(b, enc_occ);
  nd_put_u64(b, digest);
  ogrh_unit_body_encode((int)kind, raid, raid_len, enc, enc_len, index, value, b);
  return ogrh_buf_error(b);
}

int nd_unit_decode(ogrh_arena *a, nd_rd *r, nd_unit *u) {
  memset(u, 0, sizeof *u);
  uint64_t ro = nd_get_varint(r), eo = nd_get_varint(r);
  u->digest = nd_get_u64(r);
  if (r->err || ro > UINT32_MAX || eo > UINT32_MAX) return r->err = OGRH_ECORRUPT;
  ogrh_value t;
  size_t used;
  int rc = ogrh_compact_decode(a, r->p, (size_t)(r->end - r->p), &t, &used);
  if (rc) return r->err = rc;
  r->p += used;
  if (t.type != OGRH_TABLE || ogrh_table_seqlen(t.u.t) != t.u.t->n || t.u.t->n < 4 || t.u.t->n > 5)
    return r->err = OGRH_ECORRUPT;
  const ogrh_entry *e = t.u.t->e;
  if (e[0].val.type != OGRH_INT || e[0].val.u.i < 0 || e[0].val.u.i > OGRH_UNIT_GLOBAL ||
      e[1].val.type != OGRH_STRING || e[2].val.type != OGRH_STRING || e[3].val.type != OGRH_INT ||
      e[3].val.u.i < 0 || e[3].val.u.i >= OGRH_NCOMPONENTS)
    return r->err = OGRH_ECORRUPT;
  u->kind = (ogrh_unit_kind)e[0].val.u.i;
  u->index = (int)e[3].val.u.i;
  if (u->kind == OGRH_UNIT_GLOBAL && u->index >= OGRH_NGLOBALS) return r->err = OGRH_ECORRUPT;
  u->raid = (nd_ident){e[1].val.u.s, e[1].val.len, (uint32_t)ro};
  u->enc = (nd_ident){e[2].val.u.s, e[2].val.len, (uint32_t)eo};
  u->value = t.u.t->n == 5 ? e[4].val : ogrh_vnil();
  bool needs_raid =
      u->kind != OGRH_UNIT_FULL && u->kind != OGRH_UNIT_RAIDLIST && u->kind != OGRH_UNIT_GLOBAL;
  bool needs_enc = u->kind == OGRH_UNIT_ENCOUNTER || u->kind == OGRH_UNIT_COMPONENT;
  if ((needs_raid && ro == 0) || (needs_enc && eo == 0)) return r->err = OGRH_ECORRUPT;
  return OGRH_OK;
}

/* ---- deltas and polls ---- */

int nd_delta_decode(const uint8_t *p, size_t n, nd_delta *d) {
  nd_rd r = {p, p + n, 0};
  memset(d, 0, sizeof *d);
  d->epoch = nd_get_varint(&r);
  d->from = nd_get_varint(&r);
  uint64_t count = nd_get_varint(&r);
  d->to = d->from + count;
  d->root = nd_get_u64(&r);
  d->flags = nd_get_u8(&r);
  if (r.err || count == 0 || d->to < d->from || (d->flags & ~15)) return OGRH_ECORRUPT;
  if (d->flags & ND_DF_ACKS) {
    const uint8_t *start = r.p;
    uint64_t na = nd_get_varint(&r);
    if (na > n) return OGRH_ECORRUPT;
    for (uint64_t i = 0; i < na && !r.err; i++) {
      char name[ND_NAME];
      nd_get_player(&r, name);
      nd_get_varint(&r);
      nd_get_varint(&r);
    }
    d->acks = start;
    d->acks_len = (size_t)(r.p - start);
  }
  if (r.err) return OGRH_ECORRUPT;
  d->body = r.p;
  d->body_len = (size_t)(r.end - r.p);
  /* A catch-up that cannot be (NOLOG) and a change too large for a message (BIG) carry no
     writes; everything else does. */
  bool empty = (d->flags & (ND_DF_NOLOG | ND_DF_BIG)) != 0;
  if (empty != (d->body_len == 0)) return OGRH_ECORRUPT;
  return OGRH_OK;
}

int nd_poll_decode(const uint8_t *p, size_t n, nd_poll *o) {
  nd_rd r = {p, p + n, 0};
  memset(o, 0, sizeof *o);
  o->epoch = nd_get_varint(&r);
  o->flags = nd_get_u8(&r);
  o->rev = nd_get_varint(&r);
  o->root = nd_get_u64(&r);
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    o->global[g] = nd_get_u64(&r);
  o->raidlist = nd_get_u64(&r);
  if (o->flags & ND_PF_GRANTOR) nd_get_player(&r, o->grantor);
  if (o->flags & ND_PF_RAID) {
    o->raid.name = nd_get_name(&r, 1024, &o->raid.len);
    uint64_t occ = nd_get_varint(&r);
    o->raid.occ = occ > UINT32_MAX ? 0 : (uint32_t)occ;
    o->raid_digest = nd_get_u64(&r);
    if (!o->raid.occ) r.err = OGRH_ECORRUPT;
  }
  if (r.err || r.p != r.end || (o->flags & ~7)) return OGRH_ECORRUPT;
  return OGRH_OK;
}

/* ---- the persisted state ---- */

static const char state_magic[8] = {'O', 'G', 'R', 'H', 'N', 'D', '0', '1'};

/* Is a the path b, or an ancestor of it? */
static bool covers_text(const char *a, size_t an, const char *b, size_t bn) {
  return an <= bn && memcmp(a, b, an) == 0 && (an == bn || b[an] == '.');
}

/* A set as stored; with x aimed at it, as it will be once x is added. */
static void put_opset(ogrh_buf *b, const nd_opset *s, const nd_extra *x) {
  bool add = x && x->set == s;
  size_t count = 0;
  for (size_t i = 0; i < s->n; i++)
    count += !(add && covers_text(x->path, x->plen, s->v[i].path, s->v[i].plen));
  ogrh_varint_put(b, count + add);
  for (size_t i = 0; i < s->n; i++) {
    if (add && covers_text(x->path, x->plen, s->v[i].path, s->v[i].plen)) continue;
    nd_put_u8(b, s->v[i].level);
    nd_put_name(b, (const char *)s->v[i].op, s->v[i].oplen);
  }
  if (add) {
    nd_put_u8(b, x->level);
    nd_put_name(b, (const char *)x->op, x->oplen);
  }
}

int nd_state_encode(ogrh_node *n, const nd_extra *x, ogrh_buf *b) {
  ogrh_buf_add(b, state_magic, sizeof state_magic);
  nd_put_cstr(b, n->self);
  ogrh_varint_put(b, n->incarnation);
  ogrh_varint_put(b, n->next_seq);
  ogrh_varint_put(b, n->epoch);
  nd_put_cstr(b, n->grant_admin);
  nd_put_cstr(b, n->grantor);
  nd_put_u8(b, (uint8_t)((n->synced ? 1 : 0) | (n->paused ? 2 : 0) | (n->big_pending ? 4 : 0)));
  ogrh_varint_put(b, n->rev + (x ? x->rev_add : 0));
  ogrh_varint_put(b, n->published);
  nd_put_u64(b, nd_root(n));
  put_opset(b, &n->pending, x);
  ogrh_varint_put(b, n->npacks);
  for (size_t i = 0; i < n->npacks; i++) {
    nd_put_cstr(b, n->packs[i].name);
    ogrh_varint_put(b, n->packs[i].inc);
    ogrh_varint_put(b, n->packs[i].seq);
  }
  put_opset(b, &n->outbox, x);
  ogrh_varint_put(b, n->nprops);
  for (size_t i = 0; i < n->nprops; i++) {
    ogrh_varint_put(b, n->props[i].seq);
    ogrh_varint_put(b, n->props[i].base);
    nd_put_u8(b, n->props[i].level);
    put_opset(b, &n->props[i].ops, NULL);
  }
  ogrh_varint_put(b, n->log.n);
  for (size_t i = 0; i < n->log.n; i++) {
    const nd_entry *e = &n->log.v[i];
    ogrh_varint_put(b, e->from);
    ogrh_varint_put(b, e->to - e->from);
    nd_put_u64(b, e->root);
    nd_put_u8(b, e->big);
    nd_put_name(b, (const char *)e->ops, e->len);
    nd_put_name(b, (const char *)e->acks, e->alen);
  }
  size_t np = 0;
  for (size_t i = 0; i < ND_PROPOSERS; i++)
    np += n->proposers[i].name[0] != 0;
  ogrh_varint_put(b, np);
  for (size_t i = 0; i < ND_PROPOSERS; i++)
    if (n->proposers[i].name[0]) {
      nd_put_cstr(b, n->proposers[i].name);
      ogrh_varint_put(b, n->proposers[i].inc);
      ogrh_varint_put(b, n->proposers[i].seq);
    }
  if (ogrh_buf_error(b)) return ogrh_buf_error(b);
  nd_put_u64(b, XXH3_64bits(b->p, b->n));
  return ogrh_buf_error(b);
}

static int get_opset(nd_rd *r, nd_opset *s) {
  uint64_t count = nd_get_varint(r);
  if (r->err || count > (uint64_t)(r->end - r->p)) return OGRH_ECORRUPT;
  for (uint64_t i = 0; i < count; i++) {
    uint8_t level = nd_get_u8(r);
    uint32_t len;
    const char *op = nd_get_name(r, SIZE_MAX, &len);
    if (r->err || level > OGRH_SYNC_MANUAL) return OGRH_ECORRUPT;
    /* One op, checked by decoding it: nd_opset_add_encoded wants a count first. */
    ogrh_buf one;
    ogrh_buf_init(&one);
    ogrh_varint_put(&one, 1);
    ogrh_buf_add(&one, op, len);
    int rc = ogrh_buf_error(&one);
    if (!rc) rc = nd_opset_add_encoded(s, (const uint8_t *)one.p, one.n, level);
    ogrh_buf_deinit(&one);
    if (rc) return rc;
  }
  return OGRH_OK;
}

/*
** Restores into a freshly made node (its lists empty). On any error the caller frees the node:
** nothing half-restored is ever used.
*/
int nd_state_decode(ogrh_node *n, const uint8_t *p, size_t len) {
  if (len < sizeof state_magic + 8 || memcmp(p, state_magic, sizeof state_magic) != 0)
    return OGRH_ECORRUPT;
  nd_rd t = {p + len - 8, p + len, 0};
  if (nd_get_u64(&t) != XXH3_64bits(p, len - 8)) return OGRH_ECORRUPT;
  nd_rd r = {p + sizeof state_magic, p + len - 8, 0};
  char self[ND_NAME];
  nd_get_player(&r, self);
  if (r.err || strcmp(self, n->self) != 0) return OGRH_ECORRUPT;
  n->incarnation = nd_get_varint(&r);
  n->next_seq = nd_get_varint(&r);
  n->epoch = nd_get_varint(&r);
  nd_get_player(&r, n->grant_admin);
  nd_get_player(&r, n->grantor);
  uint8_t flags = nd_get_u8(&r);
  n->synced = flags & 1;
  n->paused = (flags & 2) != 0;
  n->big_pending = (flags & 4) != 0;
  n->rev = nd_get_varint(&r);
  n->published = nd_get_varint(&r);
  n->persisted_root = nd_get_u64(&r);
  int rc = r.err ? r.err : get_opset(&r, &n->pending);
  uint64_t na = rc ? 0 : nd_get_varint(&r);
  if (!rc && na > len) rc = OGRH_ECORRUPT;
  for (uint64_t i = 0; i < na && !rc && !r.err; i++) {
    if (ogrh_grow(&n->packs, &n->cappacks, n->npacks + 1, sizeof *n->packs)) {
      rc = OGRH_ENOMEM;
      break;
    }
    nd_ack *a = &n->packs[n->npacks++];
    nd_get_player(&r, a->name);
    a->inc = nd_get_varint(&r);
    a->seq = nd_get_varint(&r);
  }
  if (!rc) rc = r.err ? r.err : get_opset(&r, &n->outbox);
  uint64_t np = rc ? 0 : nd_get_varint(&r);
  if (!rc && np > len) rc = OGRH_ECORRUPT;
  for (uint64_t i = 0; i < np && !rc && !r.err; i++) {
    if (ogrh_grow(&n->props, &n->capprops, n->nprops + 1, sizeof *n->props)) {
      rc = OGRH_ENOMEM;
      break;
    }
    nd_prop *pr = &n->props[n->nprops++];
    memset(pr, 0, sizeof *pr);
    pr->seq = nd_get_varint(&r);
    pr->base = nd_get_varint(&r);
    pr->level = nd_get_u8(&r);
    rc = r.err ? r.err : get_opset(&r, &pr->ops);
  }
  uint64_t nl = rc ? 0 : nd_get_varint(&r);
  if (!rc && nl > len) rc = OGRH_ECORRUPT;
  for (uint64_t i = 0; i < nl && !rc && !r.err; i++) {
    uint64_t from = nd_get_varint(&r), count = nd_get_varint(&r);
    ogrh_digest root = nd_get_u64(&r);
    uint8_t big = nd_get_u8(&r);
    uint32_t l, al;
    const char *ops = nd_get_name(&r, SIZE_MAX, &l);
    const char *acks = nd_get_name(&r, SIZE_MAX, &al);
    if (r.err || from + count < from || big > 1) {
      rc = OGRH_ECORRUPT;
      break;
    }
    rc = nd_entries_push(&n->log, from, from + count, root, (const uint8_t *)ops, l, big);
    if (!rc && al) {
      nd_entry *e = &n->log.v[n->log.n - 1];
      if (!(e->acks = ogrh_malloc(al))) {
        rc = OGRH_ENOMEM;
      } else {
        memcpy(e->acks, acks, al);
        e->alen = al;
        n->log.bytes += al;
      }
    }
  }
  uint64_t nq = rc ? 0 : nd_get_varint(&r);
  for (uint64_t i = 0; i < nq && !rc && !r.err; i++) {
    nd_proposer *q = &n->proposers[i % ND_PROPOSERS];
    nd_get_player(&r, q->name);
    q->inc = nd_get_varint(&r);
    q->seq = nd_get_varint(&r);
  }
  if (!rc && (r.err || r.p != r.end)) rc = OGRH_ECORRUPT;
  return rc;
}
