/* libFuzzer: a store file is read from disk, where it may be damaged or replaced; opening it
** and reading every backup must never crash, and what loads must have passed every check. */
#include "backup_store.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_store *s;
  if (bk_store_from_bytes(data, size, &s)) return 0;
  for (size_t i = 0; i < ogrh_store_count(s); i++) {
    ogrh_svfile *f = NULL;
    ogrh_err err;
    if (ogrh_backup_load(s, ogrh_store_at(s, i)->id, &f, &err) == OGRH_OK) {
      if (!f) abort();
      ogrh_svfile_free(f);
    }
  }
  ogrh_store_close(s);
  return 0;
}
