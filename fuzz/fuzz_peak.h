/*
** fuzz_peak.h
** The allocator of the backup fuzz targets: the failing allocator of the tests, failing
** nothing, which keeps the most bytes held at once, so that a target can check a decoder's
** allocation bound on every input.
*/
#ifndef OGRH_FUZZ_PEAK_H
#define OGRH_FUZZ_PEAK_H

#include "../tests/failing_alloc.h"
#include "ogrh/alloc.h"

static failing_alloc_state fuzz_state = {-1, 0, 0, 0};

/* Starts counting (call first in LLVMFuzzerTestOneInput); fuzz_state.peak is then the most bytes
** held at once so far. */
static void fuzz_peak_begin(void) {
  fuzz_state.live = fuzz_state.peak = 0;
  ogrh_set_allocator(failing_alloc, &fuzz_state);
}

static void fuzz_peak_end(void) {
  ogrh_set_allocator(NULL, NULL);
}

#endif
