/* libFuzzer: a store file is read from disk, where it may be damaged or replaced; opening it
** and reading every backup must never crash, what loads must have passed every check, and
** opening holds at most 24 bytes per byte of the file besides the file (docs/PROTOCOL.md §6.2). */
#include "backup_store.h"

#include "fuzz_peak.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_store *s;
  fuzz_peak_begin();
  int rc = bk_store_from_bytes(data, size, &s);
  /* The copy of the file, the store object and its zstd context come on top of the bound. */
  if (fuzz_state.peak > (long long)(BK_OPEN_ALLOC_PER_BYTE + 1) * (long long)size + (256 << 10))
    abort();
  if (rc == OGRH_OK) {
    for (size_t i = 0; i < ogrh_store_count(s); i++) {
      ogrh_svfile *f = NULL;
      ogrh_err err;
      if (ogrh_backup_load(s, ogrh_store_at(s, i)->id, &f, &err) == OGRH_OK) {
        if (!f) abort();
        ogrh_svfile_free(f);
      }
    }
    ogrh_store_close(s);
  }
  fuzz_peak_end();
  return 0;
}
