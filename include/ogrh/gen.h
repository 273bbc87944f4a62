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
#include "ogrh/util.h"

typedef struct ogrh_gen_opts {
  uint64_t seed;
  int scale;   /* copies of the factory raids (>= 1) */
  int players; /* roster size, default 40 */
  double fill; /* fraction of slots assigned, default 0.85 */
} ogrh_gen_opts;

void ogrh_gen_opts_default(ogrh_gen_opts *o);
int ogrh_gen(const ogrh_gen_opts *o, ogrh_svfile **out, ogrh_err *err);

#endif
