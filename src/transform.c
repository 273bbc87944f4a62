/*
** transform.c
** The channel configuration (prefix, forbidden bytes, the alphabet derived from them) and the
** channel-safe transform: a raw frame read as one big number and written in base N with the
** N allowed bytes as digits (docs/PROTOCOL.md §8).
*/
#include "ogrh/wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
