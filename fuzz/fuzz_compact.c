/* libFuzzer: the compact decoder and the decoders built on it (operations, repair-unit bodies)
** read what peers send: they must never crash, what the compact decoder accepts must encode
** back to the same value, and -malloc_limit_mb in scripts/fuzz.sh catches any allocation out
** of proportion to the input. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  size_t used;
  if (ogrh_compact_decode(a, data, size, &v, &used) == OGRH_OK) {
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_arena *a2 = ogrh_arena_new();
    ogrh_value w;
    if (ogrh_compact_encode(&v, &b) ||
        ogrh_compact_decode(a2, (const uint8_t *)b.p, b.n, &w, NULL) || !ogrh_value_equal(&v, &w))
      abort();
    ogrh_arena_free(a2);
    ogrh_buf_deinit(&b);
  }
  /* What one decode may allocate (codec.h), the arena's chunks included. */
  if (ogrh_arena_size(a) > OGRH_COMPACT_ALLOC_PER_BYTE * size + OGRH_COMPACT_ALLOC_SLACK) abort();
  ogrh_op op;
  (void)ogrh_op_decode(a, data, size, &op, &used);
  ogrh_unit_body u;
  (void)ogrh_unit_body_decode(a, data, size, &u);
  ogrh_arena_free(a);
  return 0;
}
