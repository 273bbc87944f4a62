/*
** wire.c
** Channel format: the channel-safe base-N transform, DEFLATE with the preset dictionary,
** framing, reassembly, NACKs.
*/
#include "ogrh/wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

extern const unsigned char ogrh__wire_dict[];
extern const unsigned long ogrh__wire_dict_len;

/* ---- configuration ---- */

void ogrh_wire_cfg_default(ogrh_wire_cfg *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->prefix, sizeof c->prefix, "OGRH");
  c->forbidden[0] = c->forbidden['\n'] = c->forbidden['\r'] = c->forbidden['|'] = 1;
  ogrh_wire_cfg_update(c);
}

int ogrh_wire_cfg_forbid(ogrh_wire_cfg *c, const uint8_t *bytes, size_t n) {
  if (n > 64) return OGRH_EINVAL;
  memset(c->forbidden, 0, sizeof c->forbidden);
  for (size_t i = 0; i < n; i++)
    c->forbidden[bytes[i]] = 1;
  return ogrh_wire_cfg_update(c);
}

int ogrh_wire_cfg_set_prefix(ogrh_wire_cfg *c, const char *prefix) {
  size_t n = strlen(prefix);
  if (n < 1 || n > 16 || strchr(prefix, '\t')) return OGRH_EINVAL;
  memcpy(c->prefix, prefix, n + 1);
  return ogrh_wire_cfg_update(c);
}

int ogrh_wire_cfg_update(ogrh_wire_cfg *c) {
  int n = 0;
  for (int b = 0; b < 256; b++) {
    c->digit[b] = -1;
    if (!c->forbidden[b]) {
      c->alphabet[n] = (uint8_t)b;
      c->digit[b] = (int16_t)n++;
    }
  }
  if (n < 192) return OGRH_EINVAL;
  c->base = n;
  size_t pl = strlen(c->prefix);
  if (pl < 1 || pl > 16) return OGRH_EINVAL;
  c->frame_text = OGRH_WIRE_LIMIT - pl;
  return OGRH_OK;
}

/* ---- the channel-safe transform ---- */

/*
** Digits needed for n bytes: the smallest d with N^d >= 256^n. log2(N) is irrational for
** every N that is not a power of two, so the ceiling below is never at a tie.
*/
size_t ogrh_safe_len(const ogrh_wire_cfg *c, size_t n) {
  if (c->base == 256 || n == 0) return n;
  return (size_t)ceil((double)n * 8.0 / log2((double)c->base) - 1e-9);
}

/*
** The high 64 bits of a 64x64-bit product. C11 has no 128-bit integer: compilers that offer
** one as an extension get the single multiplication, any other gets four 32-bit ones.
*/
static uint64_t wire_mulhi(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
  __extension__ typedef unsigned __int128 u128;
  return (uint64_t)(((u128)a * b) >> 64);
#else
  uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
  uint64_t lo = al * bl, m1 = al * bh, m2 = ah * bl;
  uint64_t mid = (lo >> 32) + (uint32_t)m1 + (uint32_t)m2;
  return ah * bh + (m1 >> 32) + (m2 >> 32) + (mid >> 32);
#endif
}

/* Digits per 32-bit group and N^k. */
static void group(const ogrh_wire_cfg *c, int *k, uint32_t *pow) {
  uint64_t p = 1;
  int g = 0;
  while (p * (uint64_t)c->base <= UINT32_MAX)
    p *= (uint64_t)c->base, g++;
  *k = g;
  *pow = (uint32_t)p;
}

int ogrh_safe_encode(const ogrh_wire_cfg *c, const uint8_t *p, size_t n, ogrh_buf *out) {
  size_t d = ogrh_safe_len(c, n);
  if (ogrh_buf_reserve(out, d)) return OGRH_ENOMEM;
  if (c->base == 256) return ogrh_buf_add(out, p, n);
  /* The bytes as one big-endian number in 32-bit limbs (most significant first). */
  size_t nl = (n + 3) / 4;
  uint32_t limbs_small[80], *limbs = nl <= 80 ? limbs_small : ogrh_malloc(nl * sizeof *limbs);
  if (!limbs) return OGRH_ENOMEM;
  memset(limbs, 0, nl * sizeof *limbs);
  for (size_t i = 0; i < n; i++) {
    size_t bit = (n - 1 - i) * 8; /* position of byte i from the least significant end */
    limbs[nl - 1 - bit / 32] |= (uint32_t)p[i] << (bit % 32);
  }
  int k;
  uint32_t pw;
  group(c, &k, &pw);
  uint8_t *digits = (uint8_t *)out->p + out->n; /* filled from the end */
  size_t produced = 0, top = 0;
  /*
  ** Division by pw through a precomputed reciprocal: a hardware division per limb was most of
  ** the cost of framing. The estimate is at most a little low; the loop corrects it.
  */
  uint64_t recip = UINT64_MAX / pw;
  while (produced < d) {
    uint64_t rem = 0;
    for (size_t i = top; i < nl; i++) {
      uint64_t cur = (rem << 32) | limbs[i];
      uint64_t q = wire_mulhi(cur, recip);
      uint64_t r = cur - q * pw;
      while (r >= pw)
        q++, r -= pw;
      limbs[i] = (uint32_t)q;
      rem = r;
    }
    while (top < nl && limbs[top] == 0)
      top++;
    for (int j = 0; j < k && produced < d; j++) {
      digits[d - 1 - produced++] = c->alphabet[rem % (uint32_t)c->base];
      rem /= (uint32_t)c->base;
    }
  }
  bool left = top < nl;
  if (limbs != limbs_small) ogrh_free(limbs, nl * sizeof *limbs);
  if (left) return OGRH_EINVAL; /* d too small: cannot happen */
  out->n += d;
  out->p[out->n] = '\0';
  return OGRH_OK;
}

int ogrh_safe_decode(const ogrh_wire_cfg *c, const uint8_t *p, size_t d, ogrh_buf *out) {
  if (c->base == 256) return ogrh_buf_add(out, p, d);
  /* The byte count is the largest n whose encoding takes d digits. */
  size_t n = d;
  while (n > 0 && ogrh_safe_len(c, n) > d)
    n--;
  if (ogrh_safe_len(c, n) != d) return OGRH_ECORRUPT;
  size_t nl = (n + 3) / 4 + 1;
  uint32_t limbs_small[80], *limbs = nl <= 80 ? limbs_small : ogrh_malloc(nl * sizeof *limbs);
  if (!limbs) return OGRH_ENOMEM;
  memset(limbs, 0, nl * sizeof *limbs);
  int k;
  uint32_t pw;
  group(c, &k, &pw);
  /* Horner over groups of up to k digits, most significant first. */
  size_t first = d % (size_t)k ? d % (size_t)k : (size_t)k;
  int rc = OGRH_OK;
  for (size_t i = 0; i < d && !rc;) {
    size_t g = i == 0 ? first : (size_t)k;
    uint64_t mul = 1, add = 0;
    for (size_t j = 0; j < g; j++, i++) {
      int v = c->digit[p[i]];
      if (v < 0) {
        rc = OGRH_ECORRUPT;
        break;
      }
      add = add * (uint64_t)c->base + (uint64_t)v;
      mul *= (uint64_t)c->base;
    }
    uint64_t carry = add;
    for (size_t l = nl; l-- > 0;) {
      uint64_t cur = (uint64_t)limbs[l] * mul + carry;
      limbs[l] = (uint32_t)cur;
      carry = cur >> 32;
    }
    if (carry) rc = OGRH_ECORRUPT;
  }
  if (!rc) {
    /* The number must fit in n bytes. */
    size_t bits_extra = nl * 32 - n * 8;
    for (size_t b = 0; b < bits_extra && !rc; b++) {
      size_t bit = nl * 32 - 1 - b;
      if (limbs[nl - 1 - bit / 32] >> (bit % 32) & 1) rc = OGRH_ECORRUPT;
    }
  }
  if (!rc && !ogrh_buf_reserve(out, n)) {
    uint8_t *o = (uint8_t *)out->p + out->n;
    for (size_t i = 0; i < n; i++) {
      size_t bit = (n - 1 - i) * 8;
      o[i] = (uint8_t)(limbs[nl - 1 - bit / 32] >> (bit % 32));
    }
    out->n += n;
    out->p[out->n] = '\0';
  } else if (!rc) {
    rc = OGRH_ENOMEM;
  }
  if (limbs != limbs_small) ogrh_free(limbs, nl * sizeof *limbs);
  return rc;
}

/* ---- compression ---- */

size_t ogrh_dict_size(void) {
  return (size_t)ogrh__wire_dict_len;
}
const uint8_t *ogrh_dict_bytes(void) {
  return ogrh__wire_dict;
}

int ogrh_deflate(const uint8_t *p, size_t n, ogrh_buf *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  if (ogrh_dict_size() &&
      deflateSetDictionary(&z, ogrh_dict_bytes(), (uInt)ogrh_dict_size()) != Z_OK)
    rc = OGRH_EINVAL;
  size_t bound = deflateBound(&z, (uLong)n) + 16;
  if (!rc && ogrh_buf_reserve(out, bound)) rc = OGRH_ENOMEM;
  if (!rc) {
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->p + out->n;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
      rc = OGRH_EIO;
    else
      out->n += bound - z.avail_out;
  }
  deflateEnd(&z);
  return rc;
}

int ogrh_inflate(const uint8_t *p, size_t n, size_t max_out, ogrh_buf *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, -15) != Z_OK) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  if (ogrh_dict_size() &&
      inflateSetDictionary(&z, ogrh_dict_bytes(), (uInt)ogrh_dict_size()) != Z_OK)
    rc = OGRH_EINVAL;
  z.next_in = (Bytef *)(uintptr_t)p;
  z.avail_in = (uInt)n;
  size_t start = out->n;
  while (!rc) {
    if (ogrh_buf_reserve(out, 4096)) {
      rc = OGRH_ENOMEM;
      break;
    }
    size_t room = out->cap - out->n - 1;
    z.next_out = (Bytef *)out->p + out->n;
    z.avail_out = (uInt)room;
    int zr = inflate(&z, Z_NO_FLUSH);
    out->n += room - z.avail_out;
    if (out->n - start > max_out)
      rc = OGRH_ETOOBIG;
    else if (zr == Z_STREAM_END)
      break;
    else if (zr != Z_OK || (z.avail_in == 0 && z.avail_out != 0))
      rc = OGRH_ECORRUPT;
  }
  if (!rc && z.avail_in != 0) rc = OGRH_ECORRUPT; /* trailing garbage */
  inflateEnd(&z);
  if (out->p) out->p[out->n] = '\0';
  return rc;
}

/* ---- frames ---- */

enum { K_CONT = 0, K_FIRST = 1, K_SINGLE = 2, K_CTRL = 3 };
enum { CTRL_NACK = 1 };

void ogrh_frames_init(ogrh_frames *f) {
  memset(f, 0, sizeof *f);
  ogrh_buf_init(&f->data);
}

void ogrh_frames_deinit(ogrh_frames *f) {
  ogrh_buf_deinit(&f->data);
  ogrh_free(f->off, f->cap * sizeof *f->off);
  ogrh_free(f->len, f->cap * sizeof *f->len);
  memset(f, 0, sizeof *f);
}

static int frames_add(ogrh_frames *f, const ogrh_wire_cfg *c, const uint8_t *raw, size_t n) {
  if (f->n == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 8;
    size_t *o = ogrh_realloc(f->off, f->cap * sizeof *o, cap * sizeof *o);
    if (!o) return OGRH_ENOMEM;
    f->off = o;
    size_t *l = ogrh_realloc(f->len, f->cap * sizeof *l, cap * sizeof *l);
    if (!l) return OGRH_ENOMEM;
    f->len = l;
    f->cap = cap;
  }
  size_t at = f->data.n;
  int rc = ogrh_safe_encode(c, raw, n, &f->data);
  if (rc) return rc;
  f->off[f->n] = at;
  f->len[f->n++] = f->data.n - at;
  return OGRH_OK;
}

/* Raw bytes a frame can carry (before the transform), headers included. */
static size_t raw_capacity(const ogrh_wire_cfg *c) {
  size_t r = c->frame_text;
  while (r > 0 && ogrh_safe_len(c, r) > c->frame_text)
    r--;
  return r;
}

int ogrh_wire_pack(const ogrh_wire_cfg *c, uint16_t id, uint8_t type, const char *target,
                   const uint8_t *body, size_t n, bool allow_compress, ogrh_frames *out) {
  id &= 0x3ff;
  size_t tl = target ? strlen(target) : 0;
  if (tl > 31) return OGRH_EINVAL;
  ogrh_buf msg, z;
  ogrh_buf_init(&msg);
  ogrh_buf_init(&z);
  int rc = OGRH_OK;
  bool compressed = false;
  if (allow_compress && n > 8) {
    rc = ogrh_deflate(body, n, &z);
    compressed = !rc && z.n + 1 < n;
    rc = OGRH_OK;
  }
  uint8_t hdr[4 + 32];
  size_t hn = 0;
  hdr[hn++] = OGRH_WIRE_VERSION;
  hdr[hn++] = type;
  hdr[hn++] = (uint8_t)((compressed ? OGRH_MSG_COMPRESSED : 0) | (tl ? OGRH_MSG_TARGETED : 0));
  if (compressed) hdr[hn++] = OGRH_DICT_ID;
  if (tl) {
    hdr[hn++] = (uint8_t)tl;
    memcpy(hdr + hn, target, tl);
    hn += tl;
  }
  rc = ogrh_buf_add(&msg, hdr, hn);
  if (!rc) rc = compressed ? ogrh_buf_add(&msg, z.p, z.n) : ogrh_buf_add(&msg, body, n);
  out->payload_bytes = hn + n;
  out->compressed_bytes = msg.n;
  size_t cap = raw_capacity(c);
  uint8_t frame[OGRH_WIRE_LIMIT + 8];
  if (!rc && msg.n + 2 <= cap) {
    frame[0] = (uint8_t)(K_SINGLE << 6 | (id >> 4));
    frame[1] = (uint8_t)((id & 0x0f) << 4);
    memcpy(frame + 2, msg.p, msg.n);
    rc = frames_add(out, c, frame, msg.n + 2);
  } else if (!rc) {
    size_t per = cap - 3, total = (msg.n + per - 1) / per;
    if (total > OGRH_WIRE_MAX_FRAMES) rc = OGRH_ETOOBIG;
    for (size_t i = 0; i < total && !rc; i++) {
      size_t field = i == 0 ? total : i, len = i + 1 < total ? per : msg.n - i * per;
      frame[0] = (uint8_t)((i == 0 ? K_FIRST : K_CONT) << 6 | (id >> 4));
      frame[1] = (uint8_t)((unsigned)(id & 0x0f) << 4 | (unsigned)(field >> 8));
      frame[2] = (uint8_t)field;
      memcpy(frame + 3, msg.p + i * per, len);
      rc = frames_add(out, c, frame, len + 3);
    }
  }
  ogrh_buf_deinit(&msg);
  ogrh_buf_deinit(&z);
  return rc;
}

int ogrh_wire_nack(const ogrh_wire_cfg *c, const char *owner, uint16_t id,
                   const uint16_t *ranges_in, size_t nranges, ogrh_buf *out) {
  size_t ol = strlen(owner);
  if (ol > 48 || nranges == 0) return OGRH_EINVAL;
  uint16_t ranges[2 * OGRH_WIRE_MAX_FRAMES];
  if (nranges > OGRH_WIRE_MAX_FRAMES) nranges = OGRH_WIRE_MAX_FRAMES;
  memcpy(ranges, ranges_in, nranges * 2 * sizeof *ranges);
  size_t cap = raw_capacity(c);
  ogrh_buf raw;
  ogrh_buf_init(&raw);
  int rc = OGRH_OK;
  for (;;) {
    raw.n = 0;
    uint8_t h[3] = {(uint8_t)(K_CTRL << 6 | CTRL_NACK), (uint8_t)ol, 0};
    ogrh_buf_add(&raw, h, 2);
    ogrh_buf_add(&raw, owner, ol);
    uint8_t idb[2] = {(uint8_t)(id >> 8), (uint8_t)id};
    ogrh_buf_add(&raw, idb, 2);
    ogrh_varint_put(&raw, nranges);
    for (size_t i = 0; i < nranges; i++) {
      ogrh_varint_put(&raw, ranges[2 * i]);
      ogrh_varint_put(&raw, ranges[2 * i + 1]);
    }
    if (!raw.p) {
      rc = OGRH_ENOMEM;
      break;
    }
    if (raw.n <= cap || nranges == 1) break;
    /* Too long: merge the two neighbouring ranges with the smallest gap between them. */
    size_t best = 0;
    unsigned gap = UINT32_MAX;
    for (size_t i = 0; i + 1 < nranges; i++) {
      unsigned g = (unsigned)ranges[2 * i + 2] - (ranges[2 * i] + ranges[2 * i + 1]);
      if (g < gap) gap = g, best = i;
    }
    ranges[2 * best + 1] =
        (uint16_t)(ranges[2 * best + 2] + ranges[2 * best + 3] - ranges[2 * best]);
    memmove(&ranges[2 * best + 2], &ranges[2 * best + 4],
            (nranges - best - 2) * 2 * sizeof *ranges);
    nranges--;
  }
  if (!rc) rc = ogrh_safe_encode(c, (const uint8_t *)raw.p, raw.n, out);
  ogrh_buf_deinit(&raw);
  return rc;
}

/* ---- reassembly ---- */

void ogrh_reasm_limits_default(ogrh_reasm_limits *l) {
  l->max_bytes_per_sender = 1u << 20;
  l->max_messages_per_sender = 16;
  l->max_message_bytes = 16u << 20;
  l->timeout_ms = 30000;
  l->nack_after_ms = 1500;
  l->nack_jitter_ms = 500;
  l->nack_tries = 5;
  l->remember_ms = 60000;
}

typedef struct partial {
  uint16_t id;
  uint16_t total; /* 0 until the first frame arrives */
  uint16_t have, maxseen;
  uint8_t *got;     /* per frame: received */
  ogrh_buf *chunks; /* per frame */
  size_t cap;       /* frames allocated */
  size_t bytes;
  uint64_t last, nack_due;
  unsigned tries;
  uint32_t first; /* hash of the first frame */
} partial;

/* A completed message: its id and a hash of its first frame, so that a new message that
** reuses the id (ids are 10 bits) is not mistaken for a late copy of the old one. */
typedef struct done_id {
  uint16_t id;
  uint64_t at;
  uint32_t first;
} done_id;

typedef struct peer {
  char name[49];
  partial *parts;
  size_t nparts, capparts;
  done_id *done;
  size_t ndone, capdone;
  size_t held;
} peer;

struct ogrh_reasm {
  ogrh_wire_cfg cfg;
  ogrh_reasm_limits lim;
  ogrh_rng rng;
  ogrh_deliver_fn deliver;
  ogrh_nack_fn nack;
  ogrh_nack_heard_fn heard;
  void *ud;
  peer *peers;
  size_t npeers, cappeers;
  ogrh_reasm_stats st;
  ogrh_buf scratch, body;
  size_t per; /* message bytes a continuation frame carries */
};

ogrh_reasm *ogrh_reasm_new(const ogrh_wire_cfg *c, const ogrh_reasm_limits *l, uint64_t seed,
                           ogrh_deliver_fn deliver, ogrh_nack_fn nack, ogrh_nack_heard_fn heard,
                           void *ud) {
  ogrh_reasm *r = ogrh_malloc(sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  r->cfg = *c;
  if (l)
    r->lim = *l;
  else
    ogrh_reasm_limits_default(&r->lim);
  ogrh_rng_seed(&r->rng, seed);
  r->deliver = deliver;
  r->nack = nack;
  r->heard = heard;
  r->ud = ud;
  ogrh_buf_init(&r->scratch);
  ogrh_buf_init(&r->body);
  r->per = raw_capacity(&r->cfg) - 3;
  return r;
}

static void part_free(partial *p) {
  for (size_t i = 0; i < p->cap; i++)
    ogrh_buf_deinit(&p->chunks[i]);
  ogrh_free(p->chunks, p->cap * sizeof *p->chunks);
  ogrh_free(p->got, p->cap);
}

void ogrh_reasm_free(ogrh_reasm *r) {
  if (!r) return;
  for (size_t i = 0; i < r->npeers; i++) {
    for (size_t j = 0; j < r->peers[i].nparts; j++)
      part_free(&r->peers[i].parts[j]);
    ogrh_free(r->peers[i].parts, r->peers[i].capparts * sizeof(partial));
    ogrh_free(r->peers[i].done, r->peers[i].capdone * sizeof(done_id));
  }
  ogrh_free(r->peers, r->cappeers * sizeof *r->peers);
  ogrh_buf_deinit(&r->scratch);
  ogrh_buf_deinit(&r->body);
  ogrh_free(r, sizeof *r);
}

const ogrh_reasm_stats *ogrh_reasm_stats_get(const ogrh_reasm *r) {
  return &r->st;
}

size_t ogrh_reasm_held(const ogrh_reasm *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->npeers; i++)
    n += r->peers[i].held;
  return n;
}

static peer *get_peer(ogrh_reasm *r, const char *name) {
  for (size_t i = 0; i < r->npeers; i++)
    if (strcmp(r->peers[i].name, name) == 0) return &r->peers[i];
  if (strlen(name) >= sizeof r->peers[0].name) return NULL;
  if (r->npeers == r->cappeers) {
    size_t cap = r->cappeers ? r->cappeers * 2 : 8;
    peer *p = ogrh_realloc(r->peers, r->cappeers * sizeof *p, cap * sizeof *p);
    if (!p) return NULL;
    r->peers = p;
    r->cappeers = cap;
  }
  peer *p = &r->peers[r->npeers++];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  return p;
}

static uint32_t frame_hash(const uint8_t *f, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ f[i]) * 16777619u;
  return h;
}

/*
** Was id completed lately? A first or single frame (first != 0) with another hash starts a
** new message under a reused id: the old record goes.
*/
static bool recently_done(peer *p, uint16_t id, uint32_t first, uint64_t now, uint64_t keep) {
  bool hit = false;
  size_t w = 0;
  for (size_t i = 0; i < p->ndone; i++) {
    if (now - p->done[i].at > keep) continue;
    if (p->done[i].id == id) {
      if (first && p->done[i].first != first) continue;
      hit = true;
    }
    p->done[w++] = p->done[i];
  }
  p->ndone = w;
  return hit;
}

static void mark_done(peer *p, uint16_t id, uint32_t first, uint64_t now) {
  if (p->ndone == p->capdone) {
    size_t cap = p->capdone ? p->capdone * 2 : 16;
    done_id *d = ogrh_realloc(p->done, p->capdone * sizeof *d, cap * sizeof *d);
    if (!d) return;
    p->done = d;
    p->capdone = cap;
  }
  p->done[p->ndone].id = id;
  p->done[p->ndone].first = first;
  p->done[p->ndone++].at = now;
}

static void drop_part(peer *p, size_t i) {
  p->held -= p->parts[i].bytes;
  part_free(&p->parts[i]);
  memmove(&p->parts[i], &p->parts[i + 1], (p->nparts - i - 1) * sizeof *p->parts);
  p->nparts--;
}

static uint64_t jitter(ogrh_reasm *r) {
  return r->lim.nack_jitter_ms ? ogrh_rng_below(&r->rng, r->lim.nack_jitter_ms + 1) : 0;
}

/* Parses a reassembled message and hands it over. */
static void deliver(ogrh_reasm *r, peer *p, uint16_t id, uint32_t first, const uint8_t *m, size_t n,
                    uint64_t now) {
  mark_done(p, id, first, now);
  ogrh_msg msg;
  memset(&msg, 0, sizeof msg);
  msg.id = id;
  if (n < 3) goto bad;
  msg.version = m[0];
  msg.type = m[1];
  msg.flags = m[2];
  size_t at = 3;
  if (msg.version != OGRH_WIRE_VERSION) {
    /* Another protocol version: the router counts and drops it; no further parsing. */
    r->deliver(r->ud, p->name, &msg, now);
    r->st.messages++;
    return;
  }
  if (msg.flags & OGRH_MSG_COMPRESSED) {
    if (at >= n || m[at] != OGRH_DICT_ID) goto bad;
    at++;
  }
  if (msg.flags & OGRH_MSG_TARGETED) {
    if (at >= n || m[at] > 31 || n - at - 1 < m[at]) goto bad;
    memcpy(msg.target, m + at + 1, m[at]);
    msg.target[m[at]] = '\0';
    at += 1 + (size_t)m[at];
  }
  if (msg.flags & OGRH_MSG_COMPRESSED) {
    r->body.n = 0;
    if (ogrh_inflate(m + at, n - at, r->lim.max_message_bytes, &r->body)) goto bad;
    msg.body = (const uint8_t *)r->body.p;
    msg.body_len = r->body.n;
  } else {
    msg.body = m + at;
    msg.body_len = n - at;
  }
  r->st.messages++;
  r->deliver(r->ud, p->name, &msg, now);
  return;
bad:
  r->st.corrupt++;
}

static int part_room(partial *pt, size_t need) {
  if (need <= pt->cap) return OGRH_OK;
  size_t cap = pt->cap ? pt->cap : 4;
  while (cap < need)
    cap *= 2;
  if (cap > OGRH_WIRE_MAX_FRAMES + 1) cap = OGRH_WIRE_MAX_FRAMES + 1;
  if (cap < need) return OGRH_ETOOBIG;
  ogrh_buf *c = ogrh_realloc(pt->chunks, pt->cap * sizeof *c, cap * sizeof *c);
  if (!c) return OGRH_ENOMEM;
  pt->chunks = c;
  uint8_t *g = ogrh_realloc(pt->got, pt->cap, cap);
  if (!g) return OGRH_ENOMEM;
  pt->got = g;
  for (size_t i = pt->cap; i < cap; i++) {
    ogrh_buf_init(&pt->chunks[i]);
    pt->got[i] = 0;
  }
  pt->cap = cap;
  return OGRH_OK;
}

static void heard_nack(ogrh_reasm *r, const char *from, const uint8_t *f, size_t n, uint64_t now) {
  if (n < 2) goto bad;
  size_t ol = f[1];
  if (n < 2 + ol + 2 || ol > 48) goto bad;
  char owner[49];
  memcpy(owner, f + 2, ol);
  owner[ol] = '\0';
  uint16_t id = (uint16_t)(f[2 + ol] << 8 | f[3 + ol]);
  const uint8_t *q = f + 4 + ol, *end = f + n;
  uint64_t cnt;
  uint16_t ranges[2 * 128];
  if (ogrh_varint_get(&q, end, &cnt) || cnt == 0 || cnt > 128) goto bad;
  for (uint64_t i = 0; i < cnt; i++) {
    uint64_t a, b;
    if (ogrh_varint_get(&q, end, &a) || ogrh_varint_get(&q, end, &b) || a > OGRH_WIRE_MAX_FRAMES ||
        b > OGRH_WIRE_MAX_FRAMES + 1 || b == 0)
      goto bad;
    ranges[2 * i] = (uint16_t)a;
    ranges[2 * i + 1] = (uint16_t)b;
  }
  /* Someone else asked for what we miss: wait instead of asking again (SRM suppression). */
  for (size_t i = 0; i < r->npeers; i++) {
    peer *p = &r->peers[i];
    if (strcmp(p->name, owner) != 0) continue;
    for (size_t j = 0; j < p->nparts; j++) {
      partial *pt = &p->parts[j];
      if (pt->id != id) continue;
      bool covered = true;
      size_t total = pt->total ? pt->total : (size_t)pt->maxseen + 1;
      for (size_t k = 0; k < total && covered; k++) {
        if (k < pt->cap && pt->got[k]) continue;
        bool in = false;
        for (uint64_t x = 0; x < cnt && !in; x++)
          in = k >= ranges[2 * x] && k < (size_t)ranges[2 * x] + ranges[2 * x + 1];
        covered = in;
      }
      if (covered) {
        pt->nack_due = now + r->lim.nack_after_ms + jitter(r);
        r->st.nacks_suppressed++;
      }
    }
  }
  if (r->heard) r->heard(r->ud, from, owner, id, ranges, (size_t)cnt, now);
  return;
bad:
  r->st.corrupt++;
}

int ogrh_reasm_frame(ogrh_reasm *r, const char *sender, const uint8_t *text, size_t n,
                     uint64_t now) {
  r->st.frames++;
  r->scratch.n = 0;
  if (n == 0 || n > r->cfg.frame_text || ogrh_safe_decode(&r->cfg, text, n, &r->scratch) ||
      r->scratch.n < 2) {
    r->st.corrupt++;
    return OGRH_ECORRUPT;
  }
  const uint8_t *f = (const uint8_t *)r->scratch.p;
  size_t fn = r->scratch.n;
  int kind = f[0] >> 6;
  if (kind == K_CTRL) {
    if ((f[0] & 0x3f) == CTRL_NACK)
      heard_nack(r, sender, f, fn, now);
    else
      r->st.corrupt++;
    return OGRH_OK;
  }
  uint16_t id = (uint16_t)((f[0] & 0x3f) << 4 | f[1] >> 4);
  peer *p = get_peer(r, sender);
  if (!p) return OGRH_ENOMEM;
  uint32_t fh = kind == K_CONT ? 0 : frame_hash(f, fn) | 1;
  if (recently_done(p, id, fh, now, r->lim.remember_ms)) {
    r->st.duplicates++;
    return OGRH_OK;
  }
  if (kind == K_SINGLE) {
    if (f[1] & 0x0f) {
      r->st.corrupt++;
      return OGRH_ECORRUPT;
    }
    deliver(r, p, id, fh, f + 2, fn - 2, now);
    return OGRH_OK;
  }
  if (fn < 3) {
    r->st.corrupt++;
    return OGRH_ECORRUPT;
  }
  size_t field = (size_t)(f[1] & 0x0f) << 8 | f[2];
  size_t index = kind == K_FIRST ? 0 : field;
  if ((kind == K_FIRST && field < 2) || (kind == K_CONT && field == 0)) {
    r->st.corrupt++;
    return OGRH_ECORRUPT;
  }
  partial *pt = NULL;
  for (size_t i = 0; i < p->nparts; i++)
    if (p->parts[i].id == id) pt = &p->parts[i];
  if (!pt) {
    /* Bound what one sender can make us hold: the oldest incomplete message goes first. */
    while (p->nparts && (p->nparts >= r->lim.max_messages_per_sender ||
                         p->held + fn > r->lim.max_bytes_per_sender)) {
      drop_part(p, 0);
      r->st.dropped_memory++;
    }
    if (p->nparts == p->capparts) {
      size_t cap = p->capparts ? p->capparts * 2 : 4;
      partial *np = ogrh_realloc(p->parts, p->capparts * sizeof *np, cap * sizeof *np);
      if (!np) return OGRH_ENOMEM;
      p->parts = np;
      p->capparts = cap;
    }
    pt = &p->parts[p->nparts++];
    memset(pt, 0, sizeof *pt);
    pt->id = id;
    pt->nack_due = now + r->lim.nack_after_ms + jitter(r);
  }
  if (kind == K_FIRST) {
    if (pt->total && pt->total != field) {
      r->st.corrupt++;
      return OGRH_ECORRUPT;
    }
    if (field * r->per > r->lim.max_bytes_per_sender + r->per ||
        (pt->maxseen && pt->maxseen >= field)) {
      r->st.dropped_memory++;
      drop_part(p, (size_t)(pt - p->parts));
      return OGRH_ETOOBIG;
    }
    pt->total = (uint16_t)field;
    pt->first = fh;
  } else if (pt->total && index >= pt->total) {
    r->st.corrupt++;
    return OGRH_ECORRUPT;
  }
  if (part_room(pt, index + 1)) {
    r->st.dropped_memory++;
    drop_part(p, (size_t)(pt - p->parts));
    return OGRH_ENOMEM;
  }
  if (pt->got[index]) {
    r->st.duplicates++;
    return OGRH_OK;
  }
  if (p->held + fn - 3 > r->lim.max_bytes_per_sender) {
    r->st.dropped_memory++;
    drop_part(p, (size_t)(pt - p->parts));
    return OGRH_ETOOBIG;
  }
  if (ogrh_buf_add(&pt->chunks[index], f + 3, fn - 3)) return OGRH_ENOMEM;
  pt->got[index] = 1;
  pt->have++;
  pt->bytes += fn - 3;
  p->held += fn - 3;
  if (index > pt->maxseen) pt->maxseen = (uint16_t)index;
  pt->last = now;
  pt->tries = 0;
  pt->nack_due = now + r->lim.nack_after_ms + jitter(r);
  if (pt->total && pt->have == pt->total) {
    ogrh_buf all;
    ogrh_buf_init(&all);
    int rc = ogrh_buf_reserve(&all, pt->bytes);
    for (size_t i = 0; i < pt->total && !rc; i++)
      rc = ogrh_buf_add(&all, pt->chunks[i].p, pt->chunks[i].n);
    if (!rc) {
      uint32_t first = pt->first;
      drop_part(p, (size_t)(pt - p->parts));
      deliver(r, p, id, first, (const uint8_t *)all.p, all.n, now);
    }
    ogrh_buf_deinit(&all);
    return rc;
  }
  return OGRH_OK;
}

/* The missing frames of a partial message, as (first, count) ranges. */
static size_t missing_ranges(const partial *pt, uint16_t *ranges, size_t max) {
  size_t total = pt->total ? pt->total : (size_t)pt->maxseen + 1, n = 0;
  for (size_t k = 0; k < total && n < max;) {
    if (k < pt->cap && pt->got[k]) {
      k++;
      continue;
    }
    size_t s = k;
    while (k < total && !(k < pt->cap && pt->got[k]))
      k++;
    ranges[2 * n] = (uint16_t)s;
    ranges[2 * n + 1] = (uint16_t)(k - s);
    n++;
  }
  return n;
}

void ogrh_reasm_tick(ogrh_reasm *r, uint64_t now) {
  for (size_t i = 0; i < r->npeers; i++) {
    peer *p = &r->peers[i];
    for (size_t j = 0; j < p->nparts;) {
      partial *pt = &p->parts[j];
      if (now - pt->last > r->lim.timeout_ms && pt->last) {
        drop_part(p, j);
        r->st.timeouts++;
        continue;
      }
      if (now >= pt->nack_due && pt->tries < r->lim.nack_tries && r->nack) {
        uint16_t ranges[2 * 512];
        size_t nr = missing_ranges(pt, ranges, 512);
        ogrh_buf out;
        ogrh_buf_init(&out);
        if (nr && ogrh_wire_nack(&r->cfg, p->name, pt->id, ranges, nr, &out) == OGRH_OK) {
          r->nack(r->ud, (const uint8_t *)out.p, out.n, now);
          r->st.nacks_sent++;
        }
        ogrh_buf_deinit(&out);
        pt->tries++;
        pt->nack_due = now + (r->lim.nack_after_ms << pt->tries) + jitter(r);
      }
      j++;
    }
  }
}
