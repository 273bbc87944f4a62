/* libFuzzer: raw DEFLATE with the dictionary from anyone: inflation must never crash, never
** give more than its limit, and leave the output buffer as it was when it fails. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_buf out;
  ogrh_buf_init(&out);
  ogrh_buf_adds(&out, "xy");
  size_t limit = size * 32 + 65536;
  int rc = ogrh_inflate(data, size, limit, &out);
  if (rc && (out.n != 2 || memcmp(out.p, "xy", 2) != 0)) abort();
  if (!rc && out.n - 2 > limit) abort();
  ogrh_buf_deinit(&out);
  return 0;
}
