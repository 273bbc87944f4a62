/* libFuzzer: an exported backup line comes from anyone (pasted into a chat); decoding it must
** never crash, and nothing unverified may come out. */
#include "ogrh/ogrh.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_svfile *f = NULL;
  ogrh_backup_info info;
  ogrh_err err;
  if (ogrh_backup_decode_line((const char *)data, size, &f, &info, &err) == OGRH_OK) {
    if (!f) abort();
    ogrh_svfile_free(f);
  }
  return 0;
}
