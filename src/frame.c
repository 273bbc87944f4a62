/*
** frame.c
** Messages and frames (docs/PROTOCOL.md §8): the message header and its checksum, splitting a
** message into frames of at most one channel message each, and the NACK control frame.
** Reassembly (reasm.c) uses the parsers declared in wire_int.h.
*/
#include "wire_int.h"

#include <string.h>
#include <zlib.h>

/* The first byte of a message: version, dictionary, targeted (PROTOCOL.md §8). */
#define MSG_VERSION_SHIFT 4
#define MSG_DICT_SHIFT 2
#define MSG_DICT_MASK 0x0c
#define MSG_RESERVED 0x02
#define MSG_TARGETED 0x01
#define MSG_TARGET_MAX 31

/* ---- frame containers ---- */

void ogrh_frames_init(ogrh_frames *f) {
  memset(f, 0, sizeof *f);
  ogrh_buf_init(&f->data);
}

void ogrh_frames_reset(ogrh_frames *f) {
  ogrh_buf_reset(&f->data);
  f->n = 0;
  f->payload_bytes = f->compressed_bytes = 0;
}

void ogrh_frames_deinit(ogrh_frames *f) {
  ogrh_buf_deinit(&f->data);
  ogrh_free(f->off, f->cap_off * sizeof *f->off);
  ogrh_free(f->len, f->cap_len * sizeof *f->len);
  memset(f, 0, sizeof *f);
}

/* Appends the transform of one raw frame; on failure f is as before. */
static int frames_add(ogrh_frames *f, const ogrh_wire_cfg *c, const uint8_t *raw, size_t n) {
  if ((f->n >= f->cap_off && ogrh_grow(&f->off, &f->cap_off, f->n + 1, sizeof *f->off)) ||
      (f->n >= f->cap_len && ogrh_grow(&f->len, &f->cap_len, f->n + 1, sizeof *f->len)))
    return OGRH_ENOMEM;
  size_t at = f->data.n;
  int rc = ogrh_safe_encode(c, raw, n, &f->data);
  if (rc) {
    f->data.n = at;
    f->data.err = OGRH_OK;
    return rc;
  }
  f->off[f->n] = at;
  f->len[f->n++] = f->data.n - at;
  return OGRH_OK;
}

size_t ogrh__raw_capacity(const ogrh_wire_cfg *c) {
  size_t r = c->frame_text;
  while (r > 0 && ogrh_safe_len(c, r) > c->frame_text)
    r--;
  return r;
}

/* ---- the message checksum ---- */

/* CRC-32 continued over p[0..n) (zlib takes lengths as uInt: large inputs go in pieces). */
static uLong crc_more(uLong crc, const uint8_t *p, size_t n) {
  while (n) {
    uInt k = n > 1u << 30 ? 1u << 30 : (uInt)n;
    crc = crc32(crc, p, k);
    p += k;
    n -= k;
  }
  return crc;
}

static uLong crc_start(uint16_t id) {
  uint8_t idb[2] = {(uint8_t)(id >> 8), (uint8_t)id};
  return crc32(crc32(0L, Z_NULL, 0), idb, 2);
}

uint32_t ogrh__msg_crc(uint16_t id, const uint8_t *p, size_t n) {
  return (uint32_t)crc_more(crc_start(id), p, n);
}

uint32_t ogrh__crc(const uint8_t *p, size_t n) {
  return (uint32_t)crc_more(crc32(0L, Z_NULL, 0), p, n);
}

static void put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- packing ---- */

/* A message as it is framed: header, body, checksum, without copying them together. */
typedef struct pieces {
  const uint8_t *p[3];
  size_t n[3];
} pieces;

/* Copies bytes [off, off + len) of the message into dst. */
static void gather(const pieces *m, size_t off, size_t len, uint8_t *dst) {
  for (int i = 0; i < 3 && len; i++) {
    if (off >= m->n[i]) {
      off -= m->n[i];
      continue;
    }
    size_t k = m->n[i] - off < len ? m->n[i] - off : len;
    memcpy(dst, m->p[i] + off, k);
    dst += k;
    len -= k;
    off = 0;
  }
}

/* Splits the message of n bytes of id into frames (out has room made). */
static int split(const ogrh_wire_cfg *c, uint16_t id, const pieces *m, size_t n, ogrh_frames *out) {
  size_t cap = ogrh__raw_capacity(c);
  uint8_t frame[OGRH_WIRE_LIMIT + 8];
  if (n + OGRH__SINGLE_HDR <= cap) {
    frame[0] = (uint8_t)(OGRH__K_SINGLE << 6 | (id >> 4));
    frame[1] = (uint8_t)((id & 0x0f) << 4);
    gather(m, 0, n, frame + OGRH__SINGLE_HDR);
    return frames_add(out, c, frame, n + OGRH__SINGLE_HDR);
  }
  size_t per = cap - OGRH__MULTI_HDR, total = (n + per - 1) / per;
  for (size_t i = 0; i < total; i++) {
    size_t field = i == 0 ? total : i, len = i + 1 < total ? per : n - i * per;
    frame[0] = (uint8_t)((i == 0 ? OGRH__K_FIRST : OGRH__K_CONT) << 6 | (id >> 4));
    frame[1] = (uint8_t)((unsigned)(id & 0x0f) << 4 | (unsigned)(field >> 8));
    frame[2] = (uint8_t)field;
    gather(m, i * per, len, frame + OGRH__MULTI_HDR);
    int rc = frames_add(out, c, frame, len + OGRH__MULTI_HDR);
    if (rc) return rc;
  }
  return OGRH_OK;
}

/* Frames a message of n bytes takes (0: too many). */
static size_t frame_count(const ogrh_wire_cfg *c, size_t n) {
  size_t cap = ogrh__raw_capacity(c);
  if (n + OGRH__SINGLE_HDR <= cap) return 1;
  size_t per = cap - OGRH__MULTI_HDR, total = (n + per - 1) / per;
  return total > OGRH_WIRE_MAX_FRAMES ? 0 : total;
}

int ogrh_wire_pack(const ogrh_wire_cfg *c, uint16_t id, uint8_t type, const char *target,
                   const uint8_t *body, size_t n, bool allow_compress, ogrh_frames *out) {
  id &= OGRH_WIRE_MAX_ID;
  size_t tl = target ? strlen(target) : 0;
  if (tl > MSG_TARGET_MAX || (!body && n)) return OGRH_EINVAL;
  ogrh_buf z;
  ogrh_buf_init(&z);
  int rc = OGRH_OK;
  bool compressed = false;
  if (allow_compress && n > 8) {
    rc = ogrh_deflate(body, n, &z);
    if (rc == OGRH_ENOMEM) goto done;
    /* Anything else (a body beyond zlib's sizes) is sent as it is. */
    compressed = !rc && z.n < n;
    rc = OGRH_OK;
  }
  uint8_t hdr[2 + 1 + MSG_TARGET_MAX], crc[OGRH__CRC_LEN];
  size_t hn = 0;
  hdr[hn++] =
      (uint8_t)(OGRH_WIRE_VERSION << MSG_VERSION_SHIFT |
                (compressed ? OGRH_DICT_ID << MSG_DICT_SHIFT : 0) | (tl ? MSG_TARGETED : 0));
  hdr[hn++] = type;
  if (tl) {
    hdr[hn++] = (uint8_t)tl;
    memcpy(hdr + hn, target, tl);
    hn += tl;
  }
  pieces m = {{hdr, compressed ? (const uint8_t *)z.p : body, crc},
              {hn, compressed ? z.n : n, OGRH__CRC_LEN}};
  put_le32(crc, (uint32_t)crc_more(crc_more(crc_start(id), m.p[0], m.n[0]), m.p[1], m.n[1]));
  size_t mn = m.n[0] + m.n[1] + m.n[2], total = frame_count(c, mn);
  if (!total) {
    rc = OGRH_ETOOBIG;
    goto done;
  }
  /*
  ** Room for every frame first, so that a failure leaves out as it was (the arrays may be
  ** larger); the frames are then appended.
  */
  size_t text = ogrh_safe_len(c, ogrh__raw_capacity(c));
  if (ogrh_grow(&out->off, &out->cap_off, out->n + total, sizeof *out->off) ||
      ogrh_grow(&out->len, &out->cap_len, out->n + total, sizeof *out->len) ||
      ogrh_buf_reserve(&out->data, total * text)) {
    out->data.err = OGRH_OK;
    rc = OGRH_ENOMEM;
    goto done;
  }
  size_t n0 = out->n, d0 = out->data.n;
  rc = split(c, id, &m, mn, out);
  if (rc) {
    out->n = n0;
    out->data.n = d0;
    out->data.err = OGRH_OK;
    if (out->data.p) out->data.p[d0] = '\0';
  } else {
    out->payload_bytes = hn + n + OGRH__CRC_LEN;
    out->compressed_bytes = mn;
  }
done:
  ogrh_buf_deinit(&z);
  return rc;
}

int ogrh__msg_parse(uint16_t id, const uint8_t *m, size_t n, ogrh_msg *out, const uint8_t **body,
                    size_t *body_len) {
  memset(out, 0, sizeof *out);
  out->id = id;
  *body = NULL;
  *body_len = 0;
  /* The checksum first: nothing of a message is believed before it. */
  if (n < 2 + OGRH__CRC_LEN) return OGRH_ECORRUPT;
  size_t end = n - OGRH__CRC_LEN;
  if (ogrh__msg_crc(id, m, end) != get_le32(m + end)) return OGRH_EVERIFY;
  out->version = (uint8_t)(m[0] >> MSG_VERSION_SHIFT);
  if (out->version != OGRH_WIRE_VERSION) return OGRH_OK;
  unsigned dict = (m[0] & MSG_DICT_MASK) >> MSG_DICT_SHIFT;
  if ((m[0] & MSG_RESERVED) || (dict != 0 && dict != OGRH_DICT_ID)) return OGRH_ECORRUPT;
  out->type = m[1];
  out->flags =
      (uint8_t)((dict ? OGRH_MSG_COMPRESSED : 0) | (m[0] & MSG_TARGETED ? OGRH_MSG_TARGETED : 0));
  size_t at = 2;
  if (m[0] & MSG_TARGETED) {
    size_t tl = at < end ? m[at] : 0;
    if (tl == 0 || tl > MSG_TARGET_MAX || end - at - 1 < tl || memchr(m + at + 1, '\0', tl))
      return OGRH_ECORRUPT;
    memcpy(out->target, m + at + 1, tl);
    out->target[tl] = '\0';
    at += 1 + tl;
  }
  *body = m + at;
  *body_len = end - at;
  return OGRH_OK;
}

/* ---- NACKs ---- */

int ogrh_wire_nack(const ogrh_wire_cfg *c, const char *owner, uint16_t id,
                   const uint16_t *ranges_in, size_t nranges, ogrh_buf *out) {
  size_t ol = strlen(owner);
  if (ol > OGRH__NAME_MAX || nranges == 0) return OGRH_EINVAL;
  for (size_t i = 0; i < nranges; i++)
    if (ranges_in[2 * i + 1] == 0 || ranges_in[2 * i] >= OGRH_WIRE_MAX_FRAMES ||
        ranges_in[2 * i + 1] > OGRH_WIRE_MAX_FRAMES - ranges_in[2 * i] ||
        (i && ranges_in[2 * i] < ranges_in[2 * i - 2] + ranges_in[2 * i - 1]))
      return OGRH_EINVAL;
  /* Ranges are sorted and disjoint, so there are at most OGRH_WIRE_MAX_FRAMES of them. */
  uint16_t ranges[2 * OGRH_WIRE_MAX_FRAMES];
  memcpy(ranges, ranges_in, nranges * 2 * sizeof *ranges);
  size_t cap = ogrh__raw_capacity(c);
  ogrh_buf raw;
  ogrh_buf_init(&raw);
  int rc = OGRH_OK;
  for (;;) {
    ogrh_buf_reset(&raw);
    uint8_t h[2] = {(uint8_t)(OGRH__K_CTRL << 6 | OGRH__CTRL_NACK), (uint8_t)ol};
    ogrh_buf_add(&raw, h, 2);
    ogrh_buf_add(&raw, owner, ol);
    uint8_t idb[2] = {(uint8_t)(id >> 8), (uint8_t)id};
    ogrh_buf_add(&raw, idb, 2);
    ogrh_varint_put(&raw, nranges);
    for (size_t i = 0; i < nranges; i++) {
      ogrh_varint_put(&raw, ranges[2 * i]);
      ogrh_varint_put(&raw, ranges[2 * i + 1]);
    }
    if ((rc = ogrh_buf_error(&raw))) break;
    if ((raw.n + OGRH__CRC_LEN <= cap && nranges <= OGRH__NACK_MAX_RANGES) || nranges == 1) break;
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
  if (!rc) {
    uint8_t crc[OGRH__CRC_LEN];
    put_le32(crc, ogrh__crc((const uint8_t *)raw.p, raw.n));
    rc = ogrh_buf_add(&raw, crc, sizeof crc);
  }
  if (!rc) {
    size_t at = out->n;
    rc = ogrh_safe_encode(c, (const uint8_t *)raw.p, raw.n, out);
    if (rc) {
      out->n = at;
      out->err = OGRH_OK;
      if (out->p) out->p[at] = '\0';
    }
  }
  ogrh_buf_deinit(&raw);
  return rc;
}

int ogrh__nack_parse(const uint8_t *f, size_t n, ogrh__nack *out) {
  if (n < 2 + 2 + 1 + OGRH__CRC_LEN) return OGRH_ECORRUPT;
  size_t end = n - OGRH__CRC_LEN;
  if (ogrh__crc(f, end) != get_le32(f + end)) return OGRH_EVERIFY;
  size_t ol = f[1];
  if (ol > OGRH__NAME_MAX || end < 2 + ol + 2 || memchr(f + 2, '\0', ol)) return OGRH_ECORRUPT;
  memcpy(out->owner, f + 2, ol);
  out->owner[ol] = '\0';
  out->id = (uint16_t)(f[2 + ol] << 8 | f[3 + ol]);
  if (out->id > OGRH_WIRE_MAX_ID) return OGRH_ECORRUPT;
  const uint8_t *q = f + 4 + ol, *e = f + end;
  uint64_t cnt;
  if (ogrh_varint_get(&q, e, &cnt) || cnt == 0 || cnt > OGRH__NACK_MAX_RANGES) return OGRH_ECORRUPT;
  for (uint64_t i = 0; i < cnt; i++) {
    uint64_t a, b;
    if (ogrh_varint_get(&q, e, &a) || ogrh_varint_get(&q, e, &b) || a >= OGRH_WIRE_MAX_FRAMES ||
        b == 0 || b > OGRH_WIRE_MAX_FRAMES - a)
      return OGRH_ECORRUPT;
    out->ranges[2 * i] = (uint16_t)a;
    out->ranges[2 * i + 1] = (uint16_t)b;
  }
  if (q != e) return OGRH_ECORRUPT;
  out->nranges = (size_t)cnt;
  return OGRH_OK;
}
