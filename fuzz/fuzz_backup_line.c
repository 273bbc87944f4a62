/* libFuzzer: an exported backup line comes from anyone (pasted into a chat); decoding it must
** never crash, nothing unverified may come out, and what it holds in memory at once stays
** within the bound of docs/PROTOCOL.md §6.3 (512 KiB + 2,400 bytes per byte of the line). */
#include "backup_store.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long long live, peak;

static void *counting(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    if (p) live -= (long long)osize;
    free(p);
    return NULL;
  }
  void *q = realloc(p, nsize);
  if (q) live += (long long)nsize - (long long)(p ? osize : 0);
  if (live > peak) peak = live;
  return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_svfile *f = NULL;
  ogrh_backup_info info;
  ogrh_err err;
  ogrh_set_allocator(counting, NULL);
  live = peak = 0;
  if (ogrh_backup_decode_line((const char *)data, size, &f, &info, &err) == OGRH_OK) {
    if (!f) abort();
    ogrh_svfile_free(f);
  }
  if (peak > BK_LINE_ALLOC_FIXED + BK_LINE_ALLOC_PER_BYTE * (long long)size) abort();
  ogrh_set_allocator(NULL, NULL);
  return 0;
}
