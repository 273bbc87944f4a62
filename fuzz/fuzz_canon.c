/* libFuzzer: the canonical decoder (backups and exports are read back with it) must never
** crash, and whatever it accepts must encode back to exactly the same bytes. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  size_t used;
  if (ogrh_canon_decode(a, data, size, true, &v, &used) == OGRH_OK) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    if (ogrh_canon_encode(&v, &b) || b.n != size || memcmp(b.p, data, size) != 0) abort();
    ogrh_buf_deinit(&b);
  }
  ogrh_arena_free(a);
  return 0;
}
