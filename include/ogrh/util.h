/*
** ogrh/util.h
** The bottom layer's small helpers that several modules need: growable arrays with overflow
** checks, LEB128 varints and zigzag, base64, UTF-8 validation, and the deterministic random
** generator. Nothing here allocates except through ogrh/alloc.h; nothing is thread-unsafe
** beyond the objects passed in.
*/
#ifndef OGRH_UTIL_H
#define OGRH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ogrh/alloc.h"

/* ---- growable arrays ---- */

/*
** Makes room for `need` elements of `size` bytes in the array *pp of capacity *cap (doubling,
** at least 8). Checks every multiplication for overflow. On failure (OGRH_ENOMEM) *pp and *cap
** are unchanged, so the array stays valid.
*/
int ogrh_grow(void *pp, size_t *cap, size_t need, size_t size);

/* ---- varints ---- */

/* LEB128: 7 bits per byte, least significant first, at most 10 bytes. */
int ogrh_varint_put(ogrh_buf *b, uint64_t v);
/* Reads one varint from *p (advanced past it), never past end; OGRH_ECORRUPT when cut or
** longer than 10 bytes. */
int ogrh_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v);
/* Zigzag: small negative and positive numbers both become small unsigned ones. */
static inline uint64_t ogrh_zigzag(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}
static inline int64_t ogrh_unzigzag(uint64_t v) {
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- text ---- */

/* Base64 (standard alphabet, padded). Decoding refuses anything that is not canonical
** base64 with OGRH_ECORRUPT. */
int ogrh_base64_encode(const void *p, size_t n, ogrh_buf *out);
int ogrh_base64_decode(const char *s, size_t n, ogrh_buf *out);
/* Well-formed UTF-8 without NUL bytes, overlong forms or surrogates. */
bool ogrh_utf8_valid(const char *s, size_t n);
/* The length of the longest prefix of s[0..n) that does not end inside a UTF-8 sequence
** (for cutting text at a byte limit without splitting a character). */
size_t ogrh_utf8_cut(const char *s, size_t n);

/* ---- random numbers ---- */

/* A small deterministic PRNG (splitmix64): the same seed gives the same sequence anywhere. */
typedef struct ogrh_rng {
  uint64_t s;
} ogrh_rng;
void ogrh_rng_seed(ogrh_rng *r, uint64_t seed);
uint64_t ogrh_rng_next(ogrh_rng *r);
/* Uniform in [0, n) (0 when n is 0). */
uint64_t ogrh_rng_below(ogrh_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double ogrh_rng_unit(ogrh_rng *r);

#endif
