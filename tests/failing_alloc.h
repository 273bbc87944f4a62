/*
** failing_alloc.h
** The allocator of the allocation-failure tests, shared by the unit tests (testutil.c) and the
** test build of the command-line tool (cli_hooks.c): it fails the allocation numbered fail_at
** (counted from 0; -1 fails none) and keeps the count, the bytes still held and the most bytes
** held at once (the fuzz targets' allocation bounds, fuzz/fuzz_peak.h, read that too).
*/
#ifndef OGRH_FAILING_ALLOC_H
#define OGRH_FAILING_ALLOC_H

#include <stdlib.h>

typedef struct failing_alloc_state {
  long fail_at, count;
  long long live; /* bytes allocated minus bytes freed */
  long long peak; /* the most of live so far */
} failing_alloc_state;

/* An ogrh_alloc_fn; ud is the failing_alloc_state. */
static void *failing_alloc(void *ud, void *p, size_t osize, size_t nsize) {
  failing_alloc_state *s = ud;
  if (nsize == 0) {
    if (p) s->live -= (long long)osize;
    free(p);
    return NULL;
  }
  if (s->count++ == s->fail_at) return NULL;
  void *q = realloc(p, nsize);
  if (q) s->live += (long long)nsize - (long long)(p ? osize : 0);
  if (s->live > s->peak) s->peak = s->live;
  return q;
}

#endif
