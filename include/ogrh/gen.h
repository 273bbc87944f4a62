/*
** ogrh/gen.h
** Realistic generated documents: the factory raids (times --scale, varied), a 40-player
** roster with classes, assignments filled from the roster, sparse raid marks and numbers,
** announcement lines with tags. Deterministic for a given seed.
*/
#ifndef OGRH_GEN_H
#define OGRH_GEN_H

#include "ogrh/error.h"
#include "ogrh/svfile.h"

typedef struct ogrh_gen_opts {
  uint64_t seed;
  int scale;          /* copies of the factory raids (>= 1) */
  int players;        /* roster size, default 40 */
  double fill;        /* fraction of slots assigned, default 0.85 */
} ogrh_gen_opts;

void ogrh_gen_opts_default(ogrh_gen_opts *o);
int ogrh_gen(const ogrh_gen_opts *o, ogrh_svfile **out, ogrh_err *err);

/* A small deterministic PRNG (splitmix64), also used by tests and benchmarks. */
typedef struct ogrh_rng {
  uint64_t s;
} ogrh_rng;
void ogrh_rng_seed(ogrh_rng *r, uint64_t seed);
uint64_t ogrh_rng_next(ogrh_rng *r);
/* Uniform in [0, n). */
uint64_t ogrh_rng_below(ogrh_rng *r, uint64_t n);
double ogrh_rng_unit(ogrh_rng *r);

#endif
