/*
** backup_store.c
** The object store of a backup folder: objects named by the hash of their bytes, blobs packed
** into zstd segments, trees stored raw; the store file (docs/PROTOCOL.md §6) with a header at
** both ends and XOR parity over blocks of the body, so one damaged block is rebuilt on open;
** the lock; and the save, which builds the new file, parses it back, and only then replaces
** the old one atomically.
*/
#include "backup_store.h"
#include "alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define MAGIC_V2 "OGRHBK02"
#define MAGIC_V3 "OGRHBK03"
#define STORE_FILE "store.ogrhbk"
#define HDR 40 /* bytes of the header, and of its copy at the end */
#define ZSTD_LEVEL 3

unsigned bk_lock_wait_ms = OGRH_LOCK_WAIT_MS;

/* ---- zstd's allocator ---- */

/* zstd frees without a size: each block carries its own in front. */
static void *zstd_alloc(void *ud, size_t n) {
  (void)ud;
  if (n > SIZE_MAX - 16) return NULL;
  unsigned char *p = ogrh_malloc(n + 16);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  return p + 16;
}

static void zstd_free(void *ud, void *q) {
  (void)ud;
  if (!q) return;
  unsigned char *p = (unsigned char *)q - 16;
  size_t n;
  memcpy(&n, p, sizeof n);
  ogrh_free(p, n + 16);
}

const ZSTD_customMem bk_zstd_mem = {zstd_alloc, zstd_free, NULL};

uint64_t bk_expand_limit(uint64_t store_bytes) {
  uint64_t lim = store_bytes * BK_EXPAND_RATIO + BK_EXPAND_SLACK;
  return lim < BK_MAX_SNAPSHOT ? lim : BK_MAX_SNAPSHOT;
}

/* ---- the object index ---- */

static bk_obj *slot_of(bk_state *st, uint32_t id) {
  size_t mask = st->capobjs - 1, i = (size_t)id & mask;
  while (st->objs[i].data && st->objs[i].id != id)
    i = (i + 1) & mask;
  return &st->objs[i];
}

static bk_obj *find_obj(bk_state *st, uint32_t id) {
  if (!st->capobjs) return NULL;
  bk_obj *o = slot_of(st, id);
  return o->data ? o : NULL;
}

/* Room for one more object (the table stays at most three quarters full). */
static int grow_objs(bk_state *st) {
  if (st->capobjs && (st->nobjs + 1) * 4 < st->capobjs * 3) return OGRH_OK;
  size_t cap = st->capobjs ? st->capobjs * 2 : 256;
  if (cap > SIZE_MAX / sizeof *st->objs) return OGRH_ENOMEM;
  bk_obj *old = st->objs;
  size_t oldcap = st->capobjs;
  bk_obj *n = ogrh_malloc(cap * sizeof *n);
  if (!n) return OGRH_ENOMEM;
  memset(n, 0, cap * sizeof *n);
  st->objs = n;
  st->capobjs = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].data) *slot_of(st, old[i].id) = old[i];
  ogrh_free(old, oldcap * sizeof *old);
  return OGRH_OK;
}

/* Adds o to the index; OGRH_EEXIST when its id is taken. */
static int add_obj(bk_state *st, const bk_obj *o) {
  if (grow_objs(st)) return OGRH_ENOMEM;
  bk_obj *slot = slot_of(st, o->id);
  if (slot->data) return OGRH_EEXIST;
  *slot = *o;
  st->nobjs++;
  return OGRH_OK;
}

static int digmap_put(bk_digmap *m, uint64_t k, uint32_t v) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    if (cap > SIZE_MAX / sizeof *m->key) return OGRH_ENOMEM;
    uint64_t *nk = ogrh_malloc(cap * sizeof *nk);
    uint32_t *nv = ogrh_malloc(cap * sizeof *nv);
    if (!nk || !nv) {
      ogrh_free(nk, cap * sizeof *nk);
      ogrh_free(nv, cap * sizeof *nv);
      return OGRH_ENOMEM;
    }
    memset(nk, 0, cap * sizeof *nk);
    for (size_t i = 0; i < m->cap; i++)
      if (m->key[i]) {
        size_t j = (size_t)m->key[i] & (cap - 1);
        while (nk[j])
          j = (j + 1) & (cap - 1);
        nk[j] = m->key[i];
        nv[j] = m->val[i];
      }
    ogrh_free(m->key, m->cap * sizeof *m->key);
    ogrh_free(m->val, m->cap * sizeof *m->val);
    m->key = nk;
    m->val = nv;
    m->cap = cap;
  }
  if (!k) k = 1; /* 0 marks an empty slot */
  size_t j = (size_t)k & (m->cap - 1);
  while (m->key[j] && m->key[j] != k)
    j = (j + 1) & (m->cap - 1);
  if (!m->key[j]) m->n++;
  m->key[j] = k;
  m->val[j] = v;
  return OGRH_OK;
}

static bool digmap_get(const bk_digmap *m, uint64_t k, uint32_t *v) {
  if (!m->cap) return false;
  if (!k) k = 1;
  size_t j = (size_t)k & (m->cap - 1);
  while (m->key[j]) {
    if (m->key[j] == k) {
      *v = m->val[j];
      return true;
    }
    j = (j + 1) & (m->cap - 1);
  }
  return false;
}

static void digmap_free(bk_digmap *m) {
  ogrh_free(m->key, m->cap * sizeof *m->key);
  ogrh_free(m->val, m->cap * sizeof *m->val);
  memset(m, 0, sizeof *m);
}

/* Encounter and raid trees are indexed by the digest they were built from. */
static bool is_tree_with_digest(const uint8_t *p, size_t n) {
  return n >= 9 && (p[0] == 'E' || p[0] == 'R');
}

static bk_seg *find_seg(bk_state *st, uint32_t id) {
  for (size_t i = 0; i < st->nsegs; i++)
    if (st->segs[i].id == id) return &st->segs[i];
  return NULL;
}

static void drop_caches(bk_state *st) {
  for (size_t i = 0; i < st->nsegs; i++) {
    ogrh_free(st->segs[i].cache, (size_t)st->segs[i].raw_len + 1);
    st->segs[i].cache = NULL;
  }
}

void bk_state_free(bk_state *st) {
  drop_caches(st);
  ogrh_buf_deinit(&st->file);
  ogrh_free(st->objs, st->capobjs * sizeof *st->objs);
  digmap_free(&st->trees);
  ogrh_free(st->segs, st->capsegs * sizeof *st->segs);
  ogrh_free(st->segobj, st->capsegobj * sizeof *st->segobj);
  bk_cat_free(&st->cat);
  ogrh_arena_free(st->pending);
  ogrh_buf_deinit(&st->pblob);
  ogrh_free(st->pend, st->cappend * sizeof *st->pend);
  memset(st, 0, sizeof *st);
}

/* ---- reading objects ---- */

/* The decompressed bytes of a segment, verified once and kept. */
static int seg_bytes(ogrh_store *s, bk_seg *g, ogrh_err *err) {
  if (g->cache) return OGRH_OK;
  if (g->state == BK_BAD ||
      (g->state != BK_GOOD && XXH3_64bits(g->data, g->stored_len) != g->check) ||
      ZSTD_getFrameContentSize(g->data, g->stored_len) != g->raw_len) {
    g->state = BK_BAD;
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: segment %u is damaged", g->id);
  }
  g->cache = ogrh_malloc((size_t)g->raw_len + 1);
  if (!g->cache) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  size_t got = ZSTD_decompressDCtx(s->dctx, g->cache, g->raw_len, g->data, g->stored_len);
  if (ZSTD_isError(got) || got != g->raw_len) {
    ogrh_free(g->cache, (size_t)g->raw_len + 1);
    g->cache = NULL;
    if (ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation)
      return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
    g->state = BK_BAD;
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: segment %u does not decompress", g->id);
  }
  g->state = BK_GOOD;
  return OGRH_OK;
}

int bk_get(ogrh_store *s, uint32_t id, ogrh_arena *a, const uint8_t **out, size_t *n,
           ogrh_err *err) {
  bk_obj *o = find_obj(&s->st, id);
  if (!o) return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: object %08x is missing", id);
  const uint8_t *src = o->data;
  if (o->where == BK_SEG) {
    bk_seg *g = find_seg(&s->st, o->seg);
    if (!g) return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: segment %u is missing", o->seg);
    int rc = seg_bytes(s, g, err);
    if (rc) {
      if (rc == OGRH_ECORRUPT) o->state = BK_BAD;
      return rc;
    }
    src = g->cache + o->off;
  }
  if (o->state == BK_BAD ||
      (o->state != BK_GOOD && (uint32_t)(XXH3_64bits(src, o->raw_len) >> 32) != o->check)) {
    o->state = BK_BAD;
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup store: object %08x fails its checksum", id);
  }
  o->state = BK_GOOD;
  if (a) {
    uint8_t *raw = ogrh_arena_alloc(a, (size_t)o->raw_len + 1);
    if (!raw) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
    if (o->raw_len) memcpy(raw, src, o->raw_len);
    src = raw;
  }
  *out = src;
  *n = o->raw_len;
  return OGRH_OK;
}

int bk_peek(ogrh_store *s, uint32_t id, const uint8_t **p, size_t *n) {
  bk_obj *o = find_obj(&s->st, id);
  if (!o) return OGRH_ECORRUPT;
  *p = o->where == BK_SEG ? NULL : o->data;
  *n = o->raw_len;
  return OGRH_OK;
}

/* Whether an object's bytes are readable and match their checksum (checked once):
** OGRH_OK, OGRH_ECORRUPT, or OGRH_ENOMEM (nothing learnt). */
static int obj_check(ogrh_store *s, bk_obj *o) {
  if (o->where == BK_PENDING || o->state == BK_GOOD) return OGRH_OK;
  if (o->state == BK_BAD) return OGRH_ECORRUPT;
  const uint8_t *p;
  size_t n;
  return bk_get(s, o->id, NULL, &p, &n, NULL);
}

static bool obj_good(ogrh_store *s, bk_obj *o) {
  return obj_check(s, o) == OGRH_OK;
}

int bk_tree_each_child(const uint8_t *p, size_t n, int (*fn)(void *ud, uint32_t id), void *ud) {
  if (n == 0) return OGRH_ECORRUPT;
  bk_rd in = {p + 1, p + n};
  uint32_t x = 0;
  uint64_t cnt, k;
  int rc;
  switch (p[0]) {
  case 'B':
  case 'F':
    return OGRH_OK;
  case 'E':
    if (n != 9 + 4 * OGRH_NCOMPONENTS) return OGRH_ECORRUPT;
    in.p += 8;
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      bk_get_u32(&in, &x);
      if ((rc = fn(ud, x))) return rc;
    }
    return OGRH_OK;
  case 'R':
  case 'S':
    if (p[0] == 'R') {
      if (n < 9) return OGRH_ECORRUPT;
      in.p += 8;
    }
    if (bk_get_u32(&in, &x)) return OGRH_ECORRUPT;
    if ((rc = fn(ud, x))) return rc;
    if (p[0] == 'S' && (in.p >= in.end || *in.p++ > 1)) return OGRH_ECORRUPT;
    if (bk_get_varint(&in, &cnt) || cnt > (uint64_t)(in.end - in.p) / 5) return OGRH_ECORRUPT;
    for (uint64_t i = 0; i < cnt; i++) {
      if (bk_get_varint(&in, &k) || bk_get_u32(&in, &x)) return OGRH_ECORRUPT;
      if ((rc = fn(ud, x))) return rc;
    }
    return in.p == in.end ? OGRH_OK : OGRH_ECORRUPT;
  }
  return OGRH_ECORRUPT;
}

/* The bytes of an object that is not in a segment (trees are never in one). */
static const uint8_t *direct_bytes(const bk_obj *o) {
  return o->where == BK_SEG ? NULL : o->data;
}

/*
** Walks the tree under object id (a snapshot has depth 0, its raids 1, their encounters 2,
** blobs are leaves), setting walk on every object reached: 1 when it and everything under it
** is present and readable, 2 when something under it is missing or damaged, 3 when its own
** bytes are damaged (it is left out of the next save). Bytes are checked only in a store that
** is not trusted; in a trusted one every byte was verified on open.
*/
typedef struct walker {
  ogrh_store *s;
  int depth;
  bool complete;
  int *rc; /* OGRH_ENOMEM once a check could not be made */
} walker;

static uint8_t walk(ogrh_store *s, uint32_t id, int depth, int *rc);

static int walk_child(void *ud, uint32_t id) {
  walker *w = ud;
  if (walk(w->s, id, w->depth + 1, w->rc) != 1) w->complete = false;
  return OGRH_OK;
}

static uint8_t walk(ogrh_store *s, uint32_t id, int depth, int *rc) {
  bk_obj *o = find_obj(&s->st, id);
  if (!o || depth > 3) return 2;
  if (o->walk) return o->walk == 3 ? 2 : o->walk;
  o->walk = 2; /* while under way (a damaged store could hold a cycle) */
  int c = bk_trusted(s) ? OGRH_OK : obj_check(s, o);
  if (c == OGRH_ENOMEM) *rc = c;
  if (c) {
    o->walk = 3;
    return 2;
  }
  const uint8_t *p = direct_bytes(o);
  walker w = {s, depth, true, rc};
  if (p && bk_tree_each_child(p, o->raw_len, walk_child, &w)) w.complete = false;
  o->walk = w.complete ? 1 : 2;
  return o->walk;
}

static void walk_reset(bk_state *st) {
  for (size_t i = 0; i < st->capobjs; i++)
    st->objs[i].walk = 0;
}

/* Whether the tree under id is present and readable (no memo: trees reused are small). */
static bool whole(ogrh_store *s, uint32_t id, int depth);

typedef struct whole_ctx {
  ogrh_store *s;
  int depth;
} whole_ctx;

static int whole_child(void *ud, uint32_t id) {
  whole_ctx *c = ud;
  return whole(c->s, id, c->depth + 1) ? OGRH_OK : OGRH_ECORRUPT;
}

static bool whole(ogrh_store *s, uint32_t id, int depth) {
  bk_obj *o = find_obj(&s->st, id);
  if (!o || depth > 3 || (!bk_trusted(s) && !obj_good(s, o))) return false;
  const uint8_t *p = direct_bytes(o);
  whole_ctx c = {s, depth};
  return !p || bk_tree_each_child(p, o->raw_len, whole_child, &c) == OGRH_OK;
}

bool bk_tree_reuse(ogrh_store *s, uint64_t dig, uint32_t *id) {
  uint32_t v;
  /* Reuse only what is whole: a damaged store may hold a tree whose parts were lost. */
  if (!digmap_get(&s->st.trees, dig, &v) || !whole(s, v, 1)) return false;
  *id = v;
  return true;
}

bool bk_tree_known(const ogrh_store *s, uint64_t dig) {
  uint32_t v;
  return digmap_get(&s->st.trees, dig, &v);
}

/* ---- adding objects ---- */

static bool is_blob(const uint8_t *p, size_t n) {
  return n > 0 && (p[0] == 'B' || p[0] == 'F');
}

void bk_reserve_blobs(ogrh_store *s, size_t n) {
  bk_state *st = &s->st;
  /* The buffer never grows: objects point into it. */
  if (!st->pblob.cap && !st->npend) ogrh_buf_reserve(&st->pblob, n);
}

static uint8_t *pending_copy(bk_state *st, const void *raw, size_t n, uint32_t id) {
  if (ogrh_grow(&st->pend, &st->cappend, st->npend + 1, sizeof *st->pend)) return NULL;
  uint8_t *buf;
  ogrh_buf *pb = &st->pblob;
  if (is_blob(raw, n) && pb->p && !pb->err && n < pb->cap - pb->n) {
    buf = (uint8_t *)pb->p + pb->n;
    pb->n += n;
  } else {
    if (!st->pending && !(st->pending = ogrh_arena_new())) return NULL;
    if (!(buf = ogrh_arena_alloc(st->pending, n + 1))) return NULL;
  }
  if (n) memcpy(buf, raw, n);
  st->pend[st->npend++] = id;
  return buf;
}

/* Object identity: the low 32 bits of XXH3-64 of the raw bytes; the high 32 bits are the
** checksum verified on every read. A clash of low bits with other content probes onward. */
int bk_put(ogrh_store *s, const void *raw, size_t n, uint32_t *id) {
  if (n > UINT32_MAX) return OGRH_ETOOBIG;
  bk_state *st = &s->st;
  uint64_t h = XXH3_64bits(raw, n);
  uint32_t cand = (uint32_t)h, check = (uint32_t)(h >> 32);
  bk_obj *o;
  while ((o = find_obj(st, cand))) {
    if (o->check == check && o->raw_len == n) {
      if (!bk_trusted(s) && !obj_good(s, o)) {
        /* A damaged copy: the new bytes take its place. */
        uint8_t *buf = pending_copy(st, raw, n, cand);
        if (!buf) return OGRH_ENOMEM;
        o->where = BK_PENDING;
        o->data = buf;
        o->state = BK_GOOD;
        o->seg = o->off = 0;
      }
      *id = cand;
      return OGRH_OK;
    }
    cand++;
  }
  if (grow_objs(st)) return OGRH_ENOMEM;
  uint8_t *buf = pending_copy(st, raw, n, cand);
  if (!buf) return OGRH_ENOMEM;
  bk_obj no = {cand, check, (uint32_t)n, 0, 0, buf, 0, BK_PENDING, BK_GOOD, 0};
  if (is_tree_with_digest(buf, n)) no.dig = bk_le64(buf + 1);
  *slot_of(st, cand) = no;
  st->nobjs++;
  if (no.dig && digmap_put(&st->trees, no.dig, cand)) return OGRH_ENOMEM;
  *id = cand;
  return OGRH_OK;
}

/* ---- the container: header, body, parity, block checks, header again ---- */

typedef struct hdr {
  uint64_t body_len, body_hash;
  uint32_t block, nblocks;
} hdr;

static void hdr_put(uint8_t *p, const hdr *h) {
  memcpy(p, MAGIC_V3, 8);
  for (int i = 0; i < 8; i++)
    p[8 + i] = (uint8_t)(h->body_len >> (8 * i));
  for (int i = 0; i < 4; i++) {
    p[16 + i] = (uint8_t)(h->block >> (8 * i));
    p[20 + i] = (uint8_t)(h->nblocks >> (8 * i));
  }
  for (int i = 0; i < 8; i++)
    p[24 + i] = (uint8_t)(h->body_hash >> (8 * i));
  uint64_t hh = XXH3_64bits(p, 32);
  for (int i = 0; i < 8; i++)
    p[32 + i] = (uint8_t)(hh >> (8 * i));
}

static bool hdr_get(const uint8_t *p, hdr *h) {
  if (memcmp(p, MAGIC_V3, 8) != 0 || XXH3_64bits(p, 32) != bk_le64(p + 32)) return false;
  h->body_len = bk_le64(p + 8);
  h->block = (uint32_t)p[16] | (uint32_t)p[17] << 8 | (uint32_t)p[18] << 16 | (uint32_t)p[19] << 24;
  h->nblocks =
      (uint32_t)p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 | (uint32_t)p[23] << 24;
  h->body_hash = bk_le64(p + 24);
  return h->block >= 16 && h->nblocks == (h->body_len + h->block - 1) / h->block;
}

/* The block size that costs least: B bytes of parity plus 4 bytes per block is smallest at
** B = 2 sqrt(L). */
static uint32_t block_size(size_t len) {
  double b = ceil(2.0 * sqrt((double)len));
  if (b < 64) b = 64;
  if (b > (1 << 20)) b = 1 << 20;
  return ((uint32_t)b + 15) & ~15u;
}

/* dst ^= src, eight bytes at a time. */
static void xor_into(uint8_t *dst, const uint8_t *src, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t a, b;
    memcpy(&a, dst + i, 8);
    memcpy(&b, src + i, 8);
    a ^= b;
    memcpy(dst + i, &a, 8);
  }
  for (; i < n; i++)
    dst[i] ^= src[i];
}

static uint32_t block_check(const uint8_t *p, size_t n) {
  return (uint32_t)XXH3_64bits(p, n);
}

/*
** Rebuilds the one block of the body whose check fails from the parity and the other blocks.
** False when none or several fail (several cannot be rebuilt), or when the result does not
** match the body's hash: the body is then left as it was. OGRH_ENOMEM in *rc when the copy
** that allows that could not be made.
*/
static bool repair_block(uint8_t *body, const hdr *h, const uint8_t *parity, const uint8_t *checks,
                         size_t *bad_at, int *rc) {
  size_t bad = SIZE_MAX;
  for (uint32_t i = 0; i < h->nblocks; i++) {
    size_t at = (size_t)i * h->block,
           len = h->body_len - at < h->block ? h->body_len - at : h->block;
    bk_rd r = {checks + 4 * (size_t)i, checks + 4 * (size_t)i + 4};
    uint32_t want;
    bk_get_u32(&r, &want);
    if (block_check(body + at, len) == want) continue;
    if (bad != SIZE_MAX) return false;
    bad = i;
  }
  if (bad == SIZE_MAX) return false;
  size_t at = bad * h->block, len = h->body_len - at < h->block ? h->body_len - at : h->block;
  uint8_t *blk = body + at, *keep = ogrh_malloc(len);
  if (!keep) {
    *rc = OGRH_ENOMEM;
    return false;
  }
  memcpy(keep, blk, len);
  memcpy(blk, parity, len);
  for (uint32_t i = 0; i < h->nblocks; i++) {
    if (i == bad) continue;
    size_t o = (size_t)i * h->block, l = h->body_len - o < h->block ? h->body_len - o : h->block;
    xor_into(blk, body + o, l < len ? l : len);
  }
  bool ok = XXH3_64bits(body, h->body_len) == h->body_hash;
  if (!ok) memcpy(blk, keep, len); /* the parity was damaged too */
  ogrh_free(keep, len);
  *bad_at = at;
  return ok;
}

/* Whether the header copies, the parity and the block checks of a whole file agree with its
** body (verified already). OGRH_ENOMEM in *rc when the parity could not be recomputed. */
static bool redundancy_intact(const uint8_t *p, const hdr *h, int *rc) {
  const uint8_t *body = p + HDR, *parity = body + h->body_len, *checks = parity + h->block;
  const uint8_t *trailer = checks + 4 * (size_t)h->nblocks;
  if (memcmp(p, trailer, HDR) != 0) return false;
  uint8_t *x = ogrh_malloc(h->block);
  if (!x) {
    *rc = OGRH_ENOMEM;
    return false;
  }
  memset(x, 0, h->block);
  bool ok = true;
  for (uint32_t i = 0; i < h->nblocks && ok; i++) {
    size_t at = (size_t)i * h->block, l = h->body_len - at < h->block ? h->body_len - at : h->block;
    bk_rd r = {checks + 4 * (size_t)i, checks + 4 * (size_t)i + 4};
    uint32_t want;
    bk_get_u32(&r, &want);
    ok = block_check(body + at, l) == want;
    xor_into(x, body + at, l);
  }
  ok = ok && memcmp(x, parity, h->block) == 0;
  ogrh_free(x, h->block);
  return ok;
}

/* Wraps the body already in out (after HDR reserved bytes) into the container. */
static void container_close(ogrh_buf *out) {
  size_t len = out->n - HDR;
  hdr h = {len, 0, block_size(len), 0};
  h.nblocks = (uint32_t)((len + h.block - 1) / h.block);
  size_t pat = out->n;
  ogrh_buf_reserve(out, h.block + 4 * (size_t)h.nblocks + HDR);
  if (ogrh_buf_error(out)) return;
  memset(out->p + pat, 0, h.block);
  out->n += h.block;
  uint8_t *body = (uint8_t *)out->p + HDR, *parity = (uint8_t *)out->p + pat;
  h.body_hash = XXH3_64bits(body, len);
  for (uint32_t i = 0; i < h.nblocks; i++) {
    size_t at = (size_t)i * h.block, l = len - at < h.block ? len - at : h.block;
    xor_into(parity, body + at, l);
    bk_put_u32(out, block_check(body + at, l));
  }
  hdr_put((uint8_t *)out->p, &h);
  ogrh_buf_add(out, out->p, HDR);
}

/* ---- parsing a store file ---- */

static int add_seg(bk_state *st, const bk_seg *g) {
  if (ogrh_grow(&st->segs, &st->capsegs, st->nsegs + 1, sizeof *st->segs)) return OGRH_ENOMEM;
  st->segs[st->nsegs++] = *g;
  if (g->id >= st->next_seg) st->next_seg = g->id + 1;
  return OGRH_OK;
}

/* What parsing met: nothing, damage (parsing stops there), or no memory. */
enum { P_OK = 0, P_DAMAGE = 1, P_NOMEM = 2 };

static int parse_objects_raw(bk_state *st, bk_rd *in, uint32_t count) {
  for (uint32_t k = 0; k < count; k++) {
    bk_obj o;
    uint64_t raw;
    memset(&o, 0, sizeof o);
    if (bk_get_u32(in, &o.id) || bk_get_u32(in, &o.check) || bk_get_varint(in, &raw) ||
        raw > (uint64_t)(in->end - in->p))
      return P_DAMAGE;
    o.raw_len = (uint32_t)raw;
    o.data = in->p;
    o.where = BK_RAW;
    in->p += raw;
    if (is_tree_with_digest(o.data, o.raw_len)) o.dig = bk_le64(o.data + 1);
    int rc = add_obj(st, &o);
    if (rc) return rc == OGRH_ENOMEM ? P_NOMEM : P_DAMAGE;
    if (o.dig && digmap_put(&st->trees, o.dig, o.id)) return P_NOMEM;
  }
  return P_OK;
}

/* The body of a version 3 store; stops at the first damage, keeping what came before. */
static int parse_body_v3(bk_state *st, const uint8_t *body, size_t len, size_t *lost) {
  bk_rd in = {body, body + len};
  uint32_t n;
  if (bk_get_u32(&in, &st->next_id) || bk_get_u32(&in, &n)) return P_DAMAGE;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t l, check;
    if (bk_get_u32(&in, &l) || bk_get_u32(&in, &check) || l > (size_t)(in.end - in.p))
      return P_DAMAGE;
    const char *text = (const char *)in.p;
    in.p += l;
    ogrh_backup_info b;
    int d = block_check((const uint8_t *)text, l) != check ? OGRH_ECORRUPT
                                                           : bk_info_decode(text, l, &b);
    if (d == OGRH_ENOMEM) return P_NOMEM;
    if (d) {
      (*lost)++;
      continue;
    }
    int rc = bk_cat_add(&st->cat, &b);
    if (rc == OGRH_ENOMEM) return P_NOMEM;
    if (rc) (*lost)++;
  }
  if (bk_get_u32(&in, &n)) return P_DAMAGE;
  for (uint32_t i = 0; i < n; i++) {
    bk_seg g;
    uint64_t raw, stored, nobj;
    memset(&g, 0, sizeof g);
    if (bk_get_u32(&in, &g.id) || bk_get_u64(&in, &g.check) || bk_get_varint(&in, &raw) ||
        bk_get_varint(&in, &stored) || bk_get_varint(&in, &nobj) ||
        stored > (uint64_t)(in.end - in.p) || raw > UINT32_MAX ||
        raw > stored * BK_SEG_RATIO + BK_SEG_SLACK || nobj > (uint64_t)(in.end - in.p) / 9 ||
        find_seg(st, g.id))
      return P_DAMAGE;
    g.raw_len = (uint32_t)raw;
    g.stored_len = (uint32_t)stored;
    g.first = (uint32_t)st->nsegobj;
    g.nobj = (uint32_t)nobj;
    uint64_t off = 0;
    for (uint64_t k = 0; k < nobj; k++) {
      bk_obj o;
      uint64_t l;
      memset(&o, 0, sizeof o);
      if (bk_get_u32(&in, &o.id) || bk_get_u32(&in, &o.check) || bk_get_varint(&in, &l) ||
          l > raw - off)
        return P_DAMAGE;
      o.raw_len = (uint32_t)l;
      o.where = BK_SEG;
      o.seg = g.id;
      o.off = (uint32_t)off;
      o.data = body; /* not NULL: marks the slot used */
      off += l;
      int rc = add_obj(st, &o);
      if (rc) return rc == OGRH_ENOMEM ? P_NOMEM : P_DAMAGE;
      if (ogrh_grow(&st->segobj, &st->capsegobj, st->nsegobj + 1, sizeof *st->segobj))
        return P_NOMEM;
      st->segobj[st->nsegobj++] = o.id;
    }
    if (off != raw || stored > (uint64_t)(in.end - in.p)) return P_DAMAGE;
    g.data = in.p;
    in.p += stored;
    if (add_seg(st, &g)) return P_NOMEM;
  }
  if (bk_get_u32(&in, &n)) return P_DAMAGE;
  int rc = parse_objects_raw(st, &in, n);
  if (rc) return rc;
  return in.p == in.end ? P_OK : P_DAMAGE;
}

/* A version 2 store (before parity): catalog JSON, segments with explicit offsets. */
static int parse_body_v2(bk_state *st, const uint8_t *p, size_t len, size_t *lost) {
  bk_rd in = {p + 8, p + len};
  uint32_t clen;
  uint64_t ccheck;
  if (bk_get_u32(&in, &clen) || bk_get_u64(&in, &ccheck) || clen > (size_t)(in.end - in.p) ||
      XXH3_64bits(in.p, clen) != ccheck)
    return P_DAMAGE;
  json_error_t je;
  unsigned long before = ogrh__json_alloc_failures();
  json_t *cat = json_loadb((const char *)in.p, clen, 0, &je);
  in.p += clen;
  json_t *arr = json_object_get(cat, "backups");
  if (ogrh__json_alloc_failures() != before || !json_is_array(arr)) {
    json_decref(cat);
    return ogrh__json_alloc_failures() != before ? P_NOMEM : P_DAMAGE;
  }
  json_int_t next = json_integer_value(json_object_get(cat, "next"));
  st->next_id = next > 0 && next <= (json_int_t)UINT32_MAX ? (uint32_t)next : 0;
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    ogrh_backup_info b;
    int rc = bk_info_from_json(o, &b) ? OGRH_ECORRUPT : bk_cat_add(&st->cat, &b);
    if (rc == OGRH_ENOMEM) {
      json_decref(cat);
      return P_NOMEM;
    }
    if (rc) (*lost)++;
  }
  json_decref(cat);
  uint32_t n;
  if (bk_get_u32(&in, &n)) return P_DAMAGE;
  for (uint32_t k = 0; k < n; k++) {
    bk_seg g;
    uint64_t raw, stored;
    memset(&g, 0, sizeof g);
    if (bk_get_u32(&in, &g.id) || bk_get_varint(&in, &raw) || bk_get_varint(&in, &stored) ||
        bk_get_u64(&in, &g.check) || raw > UINT32_MAX || stored > (uint64_t)(in.end - in.p) ||
        find_seg(st, g.id))
      return P_DAMAGE;
    g.raw_len = (uint32_t)raw;
    g.stored_len = (uint32_t)stored;
    /* Written before the bound existed: a segment beyond it is left unread. */
    if (raw > stored * BK_SEG_RATIO + BK_SEG_SLACK) g.state = BK_BAD;
    g.data = in.p;
    in.p += stored;
    if (add_seg(st, &g)) return P_NOMEM;
  }
  if (bk_get_u32(&in, &n)) return P_DAMAGE;
  for (uint32_t k = 0; k < n; k++) {
    bk_obj ob;
    uint64_t raw, segid, off;
    memset(&ob, 0, sizeof ob);
    if (bk_get_u32(&in, &ob.id) || bk_get_u32(&in, &ob.check) || in.p >= in.end) return P_DAMAGE;
    uint8_t where = *in.p++;
    if (bk_get_varint(&in, &raw) || raw > UINT32_MAX) return P_DAMAGE;
    ob.raw_len = (uint32_t)raw;
    if (where == BK_RAW) {
      if (raw > (uint64_t)(in.end - in.p)) return P_DAMAGE;
      ob.data = in.p;
      ob.where = BK_RAW;
      in.p += raw;
      if (is_tree_with_digest(ob.data, ob.raw_len)) ob.dig = bk_le64(ob.data + 1);
    } else if (where == BK_SEG) {
      bk_seg *g;
      if (bk_get_varint(&in, &segid) || bk_get_varint(&in, &off) || segid > UINT32_MAX ||
          !(g = find_seg(st, (uint32_t)segid)) || off > g->raw_len || raw > g->raw_len - off)
        return P_DAMAGE;
      ob.where = BK_SEG;
      ob.seg = (uint32_t)segid;
      ob.off = (uint32_t)off;
      ob.data = p;
    } else {
      return P_DAMAGE;
    }
    int rc = add_obj(st, &ob);
    if (rc) return rc == OGRH_ENOMEM ? P_NOMEM : P_DAMAGE;
    if (ob.dig && digmap_put(&st->trees, ob.dig, ob.id)) return P_NOMEM;
  }
  return in.p == in.end ? P_OK : P_DAMAGE;
}

/* Forgets everything parsed (the file bytes stay). */
static void clear_parsed(bk_state *st) {
  ogrh_buf file = st->file;
  ogrh_buf_init(&st->file);
  bk_state_free(st);
  st->file = file;
}

int bk_state_load(bk_state *st, ogrh_buf *file, const char *name, ogrh_err *err) {
  st->file = *file;
  ogrh_buf_init(file);
  st->on_disk = true;
  uint8_t *p = (uint8_t *)st->file.p;
  size_t n = st->file.n, lost = 0;
  hdr h;
  /* The header at the front needs only the body after it (a file cut in its parity still reads
     when the body is whole); the copy at the end needs the whole layout before it. */
  bool primary = n >= HDR && hdr_get(p, &h) && h.body_len <= n - HDR;
  bool trailer = !primary && n >= 2 * HDR && hdr_get(p + n - HDR, &h) && h.body_len <= n - 2 * HDR;
  int r;
  st->health = OGRH_STORE_OK;
  st->note[0] = '\0';
  if (primary || trailer) {
    uint8_t *body = p + HDR;
    bool whole = n == 2 * HDR + h.body_len + h.block + 4 * (uint64_t)h.nblocks;
    int mem = OGRH_OK;
    if (XXH3_64bits(body, h.body_len) != h.body_hash) {
      size_t at = 0;
      if (whole &&
          repair_block(body, &h, body + h.body_len, body + h.body_len + h.block, &at, &mem)) {
        st->health = OGRH_STORE_REPAIRED;
        snprintf(st->note, sizeof st->note,
                 "%s: damaged bytes near offset %zu were rebuilt from the store's parity; the "
                 "store is rewritten at the next change",
                 name, at + HDR);
      } else if (mem) {
        return ogrh_err_set(err, mem, "out of memory");
      } else {
        st->health = OGRH_STORE_DAMAGED;
      }
    } else if (!whole || !redundancy_intact(p, &h, &mem)) {
      /* The body is sound but what would repair it is not: written back, it is again. */
      if (mem) return ogrh_err_set(err, mem, "out of memory");
      st->health = OGRH_STORE_REPAIRED;
      snprintf(st->note, sizeof st->note,
               "%s: its header, parity or block checks were damaged (its data is intact); the "
               "store is rewritten at the next change",
               name);
    }
    r = parse_body_v3(st, body, h.body_len, &lost);
  } else if (n >= 8 && memcmp(p, MAGIC_V2, 8) == 0) {
    st->health = OGRH_STORE_OLD_FORMAT;
    r = parse_body_v2(st, p, n, &lost);
  } else {
    st->health = OGRH_STORE_UNREADABLE;
    snprintf(st->note, sizeof st->note,
             "%s is not a backup store or is damaged beyond repair: no backup can be read from "
             "it (it is kept as %s.damaged-N when the next backup is written)",
             name, name);
    return OGRH_OK;
  }
  if (r == P_NOMEM) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  if (st->next_id == 0) st->next_id = 1;
  for (size_t i = 0; i < st->cat.n; i++)
    if (st->cat.v[i].id >= st->next_id) st->next_id = st->cat.v[i].id + 1;
  if (r == P_DAMAGE && st->health != OGRH_STORE_DAMAGED && st->health != OGRH_STORE_OLD_FORMAT) {
    /* Verified bytes that do not parse were written wrong (or by someone else): trust none. */
    clear_parsed(st);
    st->health = OGRH_STORE_UNREADABLE;
    st->next_id = 1;
    snprintf(st->note, sizeof st->note,
             "%s does not parse although its checksums match: no backup can be read from it "
             "(it is kept as %s.damaged-N when the next backup is written)",
             name, name);
    return OGRH_OK;
  }
  if (r == P_DAMAGE || lost || st->health == OGRH_STORE_DAMAGED) {
    st->health = OGRH_STORE_DAMAGED;
    snprintf(st->note, sizeof st->note,
             "%s is damaged beyond what its parity rebuilds: %zu backup entr%s unreadable%s; "
             "every object is checked before use, and the next change keeps the damaged file "
             "as %s.damaged-N",
             name, lost, lost == 1 ? "y is" : "ies are",
             r == P_DAMAGE ? ", and objects after the damage are lost" : "", name);
  } else if (st->health == OGRH_STORE_OLD_FORMAT) {
    snprintf(st->note, sizeof st->note,
             "%s is in the older format without parity; it is converted at the next change", name);
  }
  return OGRH_OK;
}

/* ---- saving ---- */

/* Appends one object's index entry and, for a raw one, its bytes. */
static void put_index(ogrh_buf *b, const bk_obj *o, const uint8_t *raw) {
  bk_put_u32(b, o->id);
  bk_put_u32(b, o->check);
  ogrh_varint_put(b, o->raw_len);
  if (raw) ogrh_buf_add(b, raw, o->raw_len);
}

/* Segments kept byte for byte: trusted, still at least half alive. */
static bool keep_seg(const ogrh_store *s, const bk_seg *g) {
  return g && bk_trusted(s) && g->live && g->live * 2 >= g->raw_len;
}

static bool kept(const bk_obj *o) {
  return o->data && (o->walk == 1 || o->walk == 2);
}

/* A kept object goes into the new segment: a new blob, or a live one of a repacked segment. */
static bool to_new_seg(ogrh_store *s, const bk_obj *o) {
  if (o->where == BK_PENDING) return is_blob(o->data, o->raw_len);
  return o->where == BK_SEG && !keep_seg(s, find_seg(&s->st, o->seg));
}

/*
** The blobs of the new segment, back to back: where they already lie so in the store's blob
** buffer (a new snapshot's, in the order they were added), that run itself; gathered into raw
** from the first blob that does not continue it.
*/
typedef struct newseg {
  ogrh_buf raw;       /* the blobs, when gathered */
  const uint8_t *run; /* else the run in the blob buffer */
  size_t nrun;        /* its length */
  bool gathered;      /* raw holds them */
  uint32_t *ids;      /* their ids in that order */
  size_t n, cap;
} newseg;

static int newseg_add(ogrh_store *s, newseg *ns, bk_obj *o, ogrh_err *err) {
  if (!kept(o) || !to_new_seg(s, o)) return OGRH_OK;
  const uint8_t *p;
  size_t len;
  int rc = bk_get(s, o->id, NULL, &p, &len, err);
  if (rc) return rc;
  if (ogrh_grow(&ns->ids, &ns->cap, ns->n + 1, sizeof *ns->ids)) return OGRH_ENOMEM;
  if (!ns->gathered && ns->run && p == ns->run + ns->nrun) {
    ns->nrun += len;
  } else {
    if (!ns->gathered) {
      ns->gathered = true;
      if ((rc = ogrh_buf_add(&ns->raw, ns->run, ns->nrun))) return rc;
    }
    if ((rc = ogrh_buf_add(&ns->raw, p, len))) return rc;
  }
  ns->ids[ns->n++] = o->id;
  return OGRH_OK;
}

/*
** The objects part of the new store file (segments, then raw objects) into out; *added gets
** the bytes that hold what this save adds (the new segment and the new raw objects).
*/
static int build_objects(ogrh_store *s, ogrh_buf *out, size_t *added, ogrh_err *err) {
  bk_state *st = &s->st;
  newseg ns;
  memset(&ns, 0, sizeof ns);
  ogrh_buf_init(&ns.raw);
  ns.run = (const uint8_t *)st->pblob.p;
  int rc = OGRH_OK;
  /* New blobs in the order they were added (an encounter's components side by side compress
     better), then the live blobs of segments being repacked, in their order. */
  for (size_t i = 0; i < st->npend && !rc; i++) {
    bk_obj *o = find_obj(st, st->pend[i]);
    if (o && o->where == BK_PENDING) rc = newseg_add(s, &ns, o, err);
  }
  for (size_t k = 0; k < st->nsegs && !rc; k++) {
    bk_seg *g = &st->segs[k];
    if (keep_seg(s, g)) continue;
    for (uint32_t j = 0; j < g->nobj && !rc; j++) {
      bk_obj *o = find_obj(st, st->segobj[g->first + j]);
      if (o && o->where == BK_SEG && o->seg == g->id) rc = newseg_add(s, &ns, o, err);
    }
    /* An older store lists no order: take its objects as the index holds them. */
    for (size_t i = 0; !g->nobj && i < st->capobjs && !rc; i++) {
      bk_obj *o = &st->objs[i];
      if (o->data && o->where == BK_SEG && o->seg == g->id) rc = newseg_add(s, &ns, o, err);
    }
  }
  const uint8_t *raw = ns.gathered ? (const uint8_t *)ns.raw.p : ns.run;
  size_t rawn = ns.gathered ? ns.raw.n : ns.nrun;
  size_t zcap = rawn ? ZSTD_compressBound(rawn) : 0;
  uint8_t *z = NULL;
  size_t zn = 0;
  if (!rc && zcap) {
    z = ogrh_malloc(zcap);
    zn = z ? ZSTD_compressCCtx(s->cctx, z, zcap, raw, rawn, ZSTD_LEVEL) : 0;
    if (!z || ZSTD_isError(zn)) rc = ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  if (rc) goto out;
  /* Blobs that compress beyond what a reader accepts are stored raw instead. */
  bool seg_raw = zn && rawn > (uint64_t)zn * BK_SEG_RATIO + BK_SEG_SLACK;
  uint32_t nseg = zn && !seg_raw;
  for (size_t k = 0; k < st->nsegs; k++)
    nseg += keep_seg(s, &st->segs[k]);
  bk_put_u32(out, nseg);
  for (size_t k = 0; k < st->nsegs; k++) {
    bk_seg *g = &st->segs[k];
    if (!keep_seg(s, g)) continue;
    /* Every object of a kept segment is listed, live or not: offsets follow from the order. */
    bk_put_u32(out, g->id);
    bk_put_u64(out, g->check);
    ogrh_varint_put(out, g->raw_len);
    ogrh_varint_put(out, g->stored_len);
    ogrh_varint_put(out, g->nobj);
    for (uint32_t j = 0; j < g->nobj; j++)
      put_index(out, find_obj(st, st->segobj[g->first + j]), NULL);
    ogrh_buf_add(out, g->data, g->stored_len);
  }
  size_t at = out->n;
  if (nseg && zn && !seg_raw) {
    bk_put_u32(out, st->next_seg);
    bk_put_u64(out, XXH3_64bits(z, zn));
    ogrh_varint_put(out, rawn);
    ogrh_varint_put(out, zn);
    ogrh_varint_put(out, ns.n);
    for (size_t j = 0; j < ns.n; j++)
      put_index(out, find_obj(st, ns.ids[j]), NULL);
    ogrh_buf_add(out, z, zn);
  }
  *added = out->n - at;
  /* Raw objects: trees, and blobs when the new segment would decompress beyond the bound. */
  uint32_t nraw = 0;
  for (size_t i = 0; i < st->capobjs; i++) {
    bk_obj *o = &st->objs[i];
    nraw += kept(o) && (to_new_seg(s, o) ? seg_raw : o->where != BK_SEG);
  }
  bk_put_u32(out, nraw);
  for (size_t i = 0; i < st->capobjs && !rc; i++) {
    bk_obj *o = &st->objs[i];
    if (!kept(o) || !(to_new_seg(s, o) ? seg_raw : o->where != BK_SEG)) continue;
    const uint8_t *p;
    size_t len;
    if ((rc = bk_get(s, o->id, NULL, &p, &len, err))) break;
    at = out->n;
    put_index(out, o, p);
    if (o->where == BK_PENDING) *added += out->n - at;
  }
out:
  ogrh_free(z, zcap);
  ogrh_buf_deinit(&ns.raw);
  ogrh_free(ns.ids, ns.cap * sizeof *ns.ids);
  if (!rc) rc = ogrh_buf_error(out);
  return rc;
}

/* The first free name FILE.damaged-N for a copy of a damaged store file. */
static int keep_damaged(ogrh_store *s, ogrh_err *err) {
  char path[4400];
  for (int i = 1; i < 10000; i++) {
    snprintf(path, sizeof path, "%s.damaged-%d", s->path, i);
    struct stat sb;
    if (lstat(path, &sb) == 0) continue;
    int rc = ogrh_write_file_atomic(path, s->st.file.p ? s->st.file.p : "", s->st.file.n);
    if (rc) return ogrh_err_set(err, rc, "%s: cannot keep a copy: %s", path, ogrh_strerror(rc));
    return OGRH_OK;
  }
  return ogrh_err_set(err, OGRH_EEXIST, "%s: too many damaged copies kept", s->path);
}

static int lock_wait(int fd, int op) {
  for (unsigned waited = 0;; waited += 10) {
    if (flock(fd, op | LOCK_NB) == 0) return OGRH_OK;
    if (errno != EWOULDBLOCK && errno != EINTR) return OGRH_EIO;
    if (waited >= bk_lock_wait_ms) return OGRH_ELOCKED;
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
}

static int take_lock(ogrh_store *s, bool create, int op, ogrh_err *err) {
  char lock[4400];
  snprintf(lock, sizeof lock, "%s/LOCK", s->dir);
  int fd = open(lock, create ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (!create && errno == ENOENT) return OGRH_OK; /* nothing was ever written here */
    return ogrh_err_set(err, OGRH_EIO, "%s: cannot open: %s", lock, strerror(errno));
  }
  int rc = lock_wait(fd, op);
  if (rc) {
    close(fd);
    if (rc == OGRH_ELOCKED)
      return ogrh_err_set(err, rc, "%s is locked: another ogrh process is still using it", s->dir);
    return ogrh_err_set(err, rc, "%s: cannot take the lock", s->dir);
  }
  s->lockfd = fd;
  return OGRH_OK;
}

/* The folder and its lock, made on the first write. */
static int ensure_dir(ogrh_store *s, ogrh_err *err) {
  if (s->lockfd >= 0) return OGRH_OK;
  if (mkdir(s->dir, 0755) == 0)
    s->made_dir = true;
  else if (errno != EEXIST)
    return ogrh_err_set(err, OGRH_EIO, "%s: cannot create: %s", s->dir, strerror(errno));
  int rc = take_lock(s, true, LOCK_EX, err);
  if (rc) return rc;
  /* Another process may have written the first store while this one had no lock to hold. */
  struct stat sb;
  if (!s->st.on_disk && stat(s->path, &sb) == 0)
    return ogrh_err_set(err, OGRH_EAGAIN,
                        "%s was created by another process meanwhile: nothing was written; run "
                        "the command again",
                        s->path);
  return OGRH_OK;
}

static void undo_dir(ogrh_store *s) {
  if (!s->made_dir) return;
  char lock[4400];
  snprintf(lock, sizeof lock, "%s/LOCK", s->dir);
  unlink(lock);
  if (rmdir(s->dir) == 0) {
    if (s->lockfd >= 0) close(s->lockfd);
    s->lockfd = -1;
    s->made_dir = false;
  }
}

int bk_save(ogrh_store *s, const ogrh_backup_info *cat, size_t n, uint32_t next_id,
            uint32_t fresh_id, uint64_t fresh_expanded, bk_state *old, ogrh_err *err) {
  if (s->readonly) return ogrh_err_set(err, OGRH_EINVAL, "%s: opened read-only", s->path);
  bk_state *st = &s->st;
  bk_cat nc;
  if (bk_cat_copy(&nc, cat, n)) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  /* Reach every object of every backup; a backup that cannot be reached whole is marked. */
  walk_reset(st);
  int rc = OGRH_OK;
  for (size_t i = 0; i < nc.n; i++)
    if (walk(s, nc.v[i].snapshot, 0, &rc) != 1) nc.v[i].damaged = true;
  if (rc) {
    walk_reset(st);
    bk_cat_free(&nc);
    return ogrh_err_set(err, rc, "out of memory");
  }
  for (size_t i = 0; i < st->nsegs; i++)
    st->segs[i].live = 0;
  for (size_t i = 0; i < st->capobjs; i++) {
    bk_obj *o = &st->objs[i];
    bk_seg *g = kept(o) && o->where == BK_SEG ? find_seg(st, o->seg) : NULL;
    if (g) g->live += o->raw_len;
  }
  ogrh_buf objs, out;
  ogrh_buf_init(&objs);
  ogrh_buf_init(&out);
  size_t added = 0;
  rc = build_objects(s, &objs, &added, err);
  ogrh_backup_info *fresh = fresh_id ? bk_cat_find(&nc, fresh_id) : NULL;
  if (fresh) fresh->stored_size = added;
  /* The body: next id, catalog entries (each with its own check), then the objects. */
  static const char zeros[HDR] = {0};
  ogrh_buf_reserve(&out, HDR + objs.n + 256 * (nc.n + 1));
  ogrh_buf_add(&out, zeros, HDR);
  bk_put_u32(&out, next_id);
  bk_put_u32(&out, (uint32_t)nc.n);
  ogrh_buf entry;
  ogrh_buf_init(&entry);
  for (size_t i = 0; i < nc.n && !rc; i++) {
    ogrh_buf_reset(&entry);
    if ((rc = bk_info_encode(&nc.v[i], JSON_COMPACT | JSON_PRESERVE_ORDER, &entry))) break;
    bk_put_u32(&out, (uint32_t)entry.n);
    bk_put_u32(&out, block_check((const uint8_t *)entry.p, entry.n));
    ogrh_buf_add(&out, entry.p, entry.n);
  }
  ogrh_buf_deinit(&entry);
  ogrh_buf_add(&out, objs.p, objs.n);
  ogrh_buf_deinit(&objs);
  if (!rc) {
    container_close(&out);
    rc = ogrh_buf_error(&out);
  }
  if (rc == OGRH_ENOMEM) ogrh_err_set(err, rc, "out of memory");
  if (!rc && fresh && fresh_expanded > bk_expand_limit(out.n))
    rc = ogrh_err_set(err, OGRH_ETOOBIG,
                      "the file repeats itself too much to be stored (%llu bytes from a %zu-byte "
                      "store): refused so that every backup stays readable",
                      (unsigned long long)fresh_expanded, out.n);
  /* Parse the new bytes back before they replace anything. */
  bk_state ns;
  memset(&ns, 0, sizeof ns);
  if (!rc) rc = bk_state_load(&ns, &out, s->path, err);
  if (!rc) {
    bool same = ns.health == OGRH_STORE_OK && ns.cat.n == nc.n;
    for (size_t i = 0; same && i < st->capobjs; i++) {
      bk_obj *o = &st->objs[i], *q;
      if (kept(o) && (!(q = find_obj(&ns, o->id)) || q->check != o->check)) same = false;
    }
    if (!same)
      rc = ogrh_err_set(err, OGRH_EVERIFY, "%s: the new store does not read back as written",
                        s->path);
  }
  /* A damaged file is kept aside before it is replaced: what it still holds is not lost. */
  if (!rc && st->on_disk &&
      (st->health == OGRH_STORE_DAMAGED || st->health == OGRH_STORE_UNREADABLE))
    rc = keep_damaged(s, err);
  if (!rc) rc = ensure_dir(s, err);
  if (!rc) {
    rc = ogrh_write_file_atomic(s->path, ns.file.p, ns.file.n);
    if (rc) {
      if (!st->on_disk) undo_dir(s);
      ogrh_err_set(err, rc, "%s: cannot write the backup store: %s", s->path, ogrh_strerror(rc));
    }
  }
  ogrh_buf_deinit(&out);
  bk_cat_free(&nc);
  if (rc) {
    bk_state_free(&ns);
    walk_reset(st);
    return rc;
  }
  if (old)
    *old = *st;
  else
    bk_state_free(st);
  *st = ns;
  return OGRH_OK;
}

int bk_undo_save(ogrh_store *s, bk_state *old, ogrh_err *err) {
  int rc;
  if (old->on_disk) {
    rc = ogrh_write_file_atomic(s->path, old->file.p ? old->file.p : "", old->file.n);
  } else {
    rc = unlink(s->path) == 0 ? OGRH_OK : OGRH_EIO;
    if (!rc) undo_dir(s);
  }
  if (rc) {
    bk_state_free(old);
    return ogrh_err_set(err, rc, "%s: cannot put the previous store back: %s", s->path,
                        ogrh_strerror(rc));
  }
  bk_state_free(&s->st);
  s->st = *old;
  memset(old, 0, sizeof *old);
  return OGRH_OK;
}

int bk_keep_file(ogrh_store *s, const char *prefix, int64_t now, const void *p, size_t n,
                 char *path, size_t cap, ogrh_err *err) {
  if (s->readonly) return ogrh_err_set(err, OGRH_EINVAL, "%s: opened read-only", s->path);
  int rc = ensure_dir(s, err);
  if (rc) return rc;
  for (int i = 1; i < 10000; i++) {
    if (i == 1)
      snprintf(path, cap, "%s/%s-%lld.lua", s->dir, prefix, (long long)now);
    else
      snprintf(path, cap, "%s/%s-%lld-%d.lua", s->dir, prefix, (long long)now, i);
    struct stat sb;
    if (lstat(path, &sb) == 0) continue;
    rc = ogrh_write_file_atomic(path, n ? p : "", n);
    if (rc) return ogrh_err_set(err, rc, "%s: cannot write: %s", path, ogrh_strerror(rc));
    return OGRH_OK;
  }
  return ogrh_err_set(err, OGRH_EEXIST, "%s: too many copies kept", s->dir);
}

int bk_store_from_bytes(const void *p, size_t n, ogrh_store **out) {
  *out = NULL;
  ogrh_store *s = ogrh_malloc(sizeof *s);
  if (!s) return OGRH_ENOMEM;
  memset(s, 0, sizeof *s);
  s->lockfd = -1;
  s->readonly = true;
  ogrh_buf file;
  ogrh_buf_init(&file);
  int rc =
      (s->dctx = ZSTD_createDCtx_advanced(bk_zstd_mem)) ? ogrh_buf_add(&file, p, n) : OGRH_ENOMEM;
  if (!rc) rc = bk_state_load(&s->st, &file, "store", NULL);
  ogrh_buf_deinit(&file);
  if (rc) {
    ogrh_store_close(s);
    return rc;
  }
  *out = s;
  return OGRH_OK;
}

int bk_object_range(const ogrh_store *s, uint32_t id, size_t *off, size_t *len) {
  bk_state *st = (bk_state *)&s->st;
  bk_obj *o = find_obj(st, id);
  if (!o || o->where == BK_PENDING) return OGRH_ENOTFOUND;
  const uint8_t *base = (const uint8_t *)st->file.p, *p = o->data;
  *len = o->raw_len;
  if (o->where == BK_SEG) {
    bk_seg *g = find_seg(st, o->seg);
    if (!g) return OGRH_ENOTFOUND;
    p = g->data;
    *len = g->stored_len;
  }
  *off = (size_t)(p - base);
  return OGRH_OK;
}

/* ---- opening ---- */

/* A crash during a write leaves store.ogrhbk.tmp.XXXXXX behind; holding the lock, we own them. */
static void remove_stale_temporaries(ogrh_store *s) {
  DIR *d = opendir(s->dir);
  if (!d) return;
  struct dirent *e;
  char path[4400];
  while ((e = readdir(d)))
    if (strncmp(e->d_name, STORE_FILE ".tmp.", sizeof STORE_FILE + 4) == 0) {
      snprintf(path, sizeof path, "%s/%s", s->dir, e->d_name);
      unlink(path);
    }
  closedir(d);
}

static int store_open(const char *svpath, bool ro, ogrh_store **out, ogrh_err *err) {
  *out = NULL;
  ogrh_store *s = ogrh_malloc(sizeof *s);
  if (!s) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  memset(s, 0, sizeof *s);
  s->lockfd = -1;
  s->readonly = ro;
  size_t n = strlen(svpath);
  s->dirlen = n + 9;
  s->pathlen = s->dirlen + sizeof STORE_FILE + 1;
  s->dir = ogrh_malloc(s->dirlen + 1);
  s->path = ogrh_malloc(s->pathlen);
  s->cctx = ro ? NULL : ZSTD_createCCtx_advanced(bk_zstd_mem);
  s->dctx = ZSTD_createDCtx_advanced(bk_zstd_mem);
  if (!s->dir || !s->path || (!ro && !s->cctx) || !s->dctx) {
    ogrh_store_close(s);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  snprintf(s->dir, s->dirlen + 1, "%s.backups", svpath);
  snprintf(s->path, s->pathlen, "%s/%s", s->dir, STORE_FILE);
  s->st.next_id = 1;
  struct stat sb;
  if (stat(s->dir, &sb) != 0) {
    if (errno == ENOENT) { /* no backups yet: nothing is created until the first one */
      *out = s;
      return OGRH_OK;
    }
    int e = errno;
    ogrh_store_close(s);
    return ogrh_err_set(err, OGRH_EIO, "%s: %s", s->dir, strerror(e));
  }
  int rc = S_ISDIR(sb.st_mode) ? take_lock(s, !ro, ro ? LOCK_SH : LOCK_EX, err)
                               : ogrh_err_set(err, OGRH_EIO, "%s.backups is not a folder", svpath);
  if (rc) {
    ogrh_store_close(s);
    return rc;
  }
  if (!ro) remove_stale_temporaries(s);
  ogrh_buf file;
  ogrh_buf_init(&file);
  rc = ogrh_read_file(s->path, &file);
  if (rc == OGRH_ENOTFOUND) {
    *out = s;
    return OGRH_OK;
  }
  if (rc)
    ogrh_err_set(err, rc, "%s: cannot read: %s", s->path, ogrh_strerror(rc));
  else
    rc = bk_state_load(&s->st, &file, s->path, err);
  ogrh_buf_deinit(&file);
  if (rc) {
    ogrh_store_close(s);
    return rc;
  }
  /* A block rebuilt from parity is written back at once by a process that may write: left on
     disk, a second damage elsewhere would no longer be repairable. A failure changes nothing. */
  if (!ro && s->st.health == OGRH_STORE_REPAIRED) {
    char note[sizeof s->st.note];
    memcpy(note, s->st.note, sizeof note);
    if (bk_save(s, s->st.cat.v, s->st.cat.n, s->st.next_id, 0, 0, NULL, NULL) == OGRH_OK) {
      s->st.health = OGRH_STORE_REPAIRED;
      char *tail = strstr(note, "; the store is rewritten at the next change");
      if (tail) *tail = '\0';
      snprintf(s->st.note, sizeof s->st.note, "%.360s; the store was written back whole", note);
    }
  }
  *out = s;
  return OGRH_OK;
}

int ogrh_store_open(const char *svpath, ogrh_store **out, ogrh_err *err) {
  return store_open(svpath, false, out, err);
}

int ogrh_store_open_readonly(const char *svpath, ogrh_store **out, ogrh_err *err) {
  return store_open(svpath, true, out, err);
}

void ogrh_store_close(ogrh_store *s) {
  if (!s) return;
  if (s->lockfd >= 0) close(s->lockfd); /* releases the lock */
  ogrh_free(s->dir, s->dirlen + 1);
  ogrh_free(s->path, s->pathlen);
  bk_state_free(&s->st);
  ZSTD_freeCCtx(s->cctx);
  ZSTD_freeDCtx(s->dctx);
  ogrh_free(s, sizeof *s);
}

ogrh_store_health ogrh_store_health_of(const ogrh_store *s, const char **note) {
  if (note) *note = s->st.note;
  return s->st.health;
}

size_t ogrh_store_count(const ogrh_store *s) {
  return s->st.cat.n;
}

const ogrh_backup_info *ogrh_store_at(const ogrh_store *s, size_t i) {
  return i < s->st.cat.n ? &s->st.cat.v[i] : NULL;
}

const ogrh_backup_info *ogrh_store_find(const ogrh_store *s, uint32_t id) {
  return bk_cat_find(&s->st.cat, id);
}

uint64_t ogrh_store_bytes(const ogrh_store *s) {
  return s->st.file.n;
}
