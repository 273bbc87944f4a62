/* libFuzzer: the canonical decoder (backups, exports and repair units are read back with it)
** must never crash, must hold at most 32 bytes per input byte plus 8 KiB whatever the counts in
** the input claim (docs/PROTOCOL.md §3), and whatever it accepts must encode back to exactly
** the same bytes. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t g_live, g_peak;

static void *counting(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    if (p) g_live -= osize;
    free(p);
    return NULL;
  }
  void *q = realloc(p, nsize);
  if (q) {
    g_live += nsize - (p ? osize : 0);
    if (g_live > g_peak) g_peak = g_live;
  }
  return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  g_live = g_peak = 0;
  ogrh_set_allocator(counting, NULL);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  size_t used;
  int rc = a ? ogrh_canon_decode(a, data, size, true, &v, &used) : OGRH_ENOMEM;
  if (g_peak > 32 * size + 8192) abort();
  if (rc == OGRH_OK) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    if (ogrh_canon_encode(&v, &b) || b.n != size || memcmp(b.p, data, size) != 0) abort();
    ogrh_buf_deinit(&b);
  }
  ogrh_arena_free(a);
  ogrh_set_allocator(NULL, NULL);
  return 0;
}
