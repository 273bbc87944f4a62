/* libFuzzer: an exported backup line comes from anyone (pasted into a chat); decoding it must
** never crash, nothing unverified may come out, and what it holds in memory at once stays
** within the bound of docs/PROTOCOL.md §6.3 (512 KiB + 2,400 bytes per byte of the line). */
#include "backup_store.h"

#include "fuzz_peak.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_svfile *f = NULL;
  ogrh_backup_info info;
  ogrh_err err;
  fuzz_peak_begin();
  if (ogrh_backup_decode_line((const char *)data, size, &f, &info, &err) == OGRH_OK) {
    if (!f) abort();
    ogrh_svfile_free(f);
  }
  if (fuzz_state.peak > BK_LINE_ALLOC_FIXED + BK_LINE_ALLOC_PER_BYTE * (long long)size) abort();
  fuzz_peak_end();
  return 0;
}
