/* Small helpers shared by the benchmarks: a monotonic clock and a heap-counting allocator. */
#ifndef OGRH_BENCH_H
#define OGRH_BENCH_H
#include <stdlib.h>
#include <time.h>

#include "ogrh/ogrh.h"

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Counts live and peak heap bytes of everything the library allocates. */
static size_t bench_live, bench_peak;
static inline void *bench_alloc(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  if (p) bench_live -= osize;
  if (nsize == 0) {
    free(p);
    return NULL;
  }
  void *q = realloc(p, nsize);
  if (!q) {
    if (p) bench_live += osize;
    return NULL;
  }
  bench_live += nsize;
  if (bench_live > bench_peak) bench_peak = bench_live;
  return q;
}
static inline void bench_count_heap(void) {
  ogrh_set_allocator(bench_alloc, NULL);
}
static inline void bench_reset_peak(void) {
  bench_peak = bench_live;
}

static int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
/* Median of n samples (sorts them). */
static inline double bench_median(double *s, int n) {
  qsort(s, (size_t)n, sizeof *s, bench_cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
#endif
