/*
** util.c
** The bottom layer's helpers (ogrh/util.h): array growth, varints, base64, UTF-8 and the
** random generator.
*/
#include "ogrh/util.h"
#include "ogrh/error.h"

#include <string.h>

int ogrh_grow(void *pp, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return OGRH_OK;
  if (size == 0) return OGRH_EINVAL;
  size_t ncap = *cap < 8 ? 8 : *cap;
  while (ncap < need)
    ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
  if (ncap > SIZE_MAX / size) return OGRH_ENOMEM;
  void **p = pp;
  void *q = ogrh_realloc(*p, *cap * size, ncap * size);
  if (!q) return OGRH_ENOMEM;
  *p = q;
  *cap = ncap;
  return OGRH_OK;
}

int ogrh_varint_put(ogrh_buf *b, uint64_t v) {
  char tmp[10];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = (char)(v | 0x80);
    v >>= 7;
  }
  tmp[n++] = (char)v;
  return ogrh_buf_add(b, tmp, n);
}

int ogrh_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t x = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return OGRH_ECORRUPT;
    uint8_t c = *(*p)++;
    x |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *v = x;
      return OGRH_OK;
    }
  }
  return OGRH_ECORRUPT;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ogrh_base64_encode(const void *p, size_t n, ogrh_buf *out) {
  const unsigned char *s = p;
  if (ogrh_buf_reserve(out, (n + 2) / 3 * 4)) return OGRH_ENOMEM;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)s[i] << 16;
    if (i + 1 < n) v |= (uint32_t)s[i + 1] << 8;
    if (i + 2 < n) v |= s[i + 2];
    char q[4] = {b64[v >> 18], b64[(v >> 12) & 63], i + 1 < n ? b64[(v >> 6) & 63] : '=',
                 i + 2 < n ? b64[v & 63] : '='};
    ogrh_buf_add(out, q, 4);
  }
  if (n == 0) ogrh_buf_add(out, "", 0);
  return ogrh_buf_error(out);
}

int ogrh_base64_decode(const char *s, size_t n, ogrh_buf *out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  if (ogrh_buf_reserve(out, n / 4 * 3 + 3)) return OGRH_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '=') {
      pad++;
      continue;
    }
    const char *q = c ? strchr(b64, c) : NULL;
    if (!q || pad) return OGRH_ECORRUPT;
    acc = (acc << 6) | (uint32_t)(q - b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      ogrh_buf_addc(out, (char)((acc >> bits) & 0xff));
    }
  }
  if (pad > 2 || (n % 4) != 0) return OGRH_ECORRUPT;
  if (n == 0) ogrh_buf_add(out, "", 0);
  return ogrh_buf_error(out);
}

bool ogrh_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t k;
    uint32_t cp;
    if (c == 0) return false; /* jansson strings cannot hold NUL portably */
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      k = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      k = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      k = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t j = 1; j <= k; j++) {
      if (i + j >= n || (s[i + j] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + j] & 0x3f);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += k + 1;
  }
  return true;
}

size_t ogrh_utf8_cut(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  /* Step back over continuation bytes to the start of the last character; keep it only if
     all its bytes are there. */
  size_t i = n, back = 0;
  while (i > 0 && back < 4 && (s[i - 1] & 0xc0) == 0x80) {
    i--;
    back++;
  }
  if (i == 0) return n;
  unsigned c = s[i - 1];
  size_t want = c < 0x80             ? 1
                : (c & 0xe0) == 0xc0 ? 2
                : (c & 0xf0) == 0xe0 ? 3
                : (c & 0xf8) == 0xf0 ? 4
                                     : 1;
  return back + 1 >= want ? n : i - 1;
}

void ogrh_rng_seed(ogrh_rng *r, uint64_t seed) {
  r->s = seed;
}

uint64_t ogrh_rng_next(ogrh_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t ogrh_rng_below(ogrh_rng *r, uint64_t n) {
  return n ? ogrh_rng_next(r) % n : 0;
}

double ogrh_rng_unit(ogrh_rng *r) {
  return (double)(ogrh_rng_next(r) >> 11) / 9007199254740992.0;
}
