/* libFuzzer: JSON import must never crash; accepted input must export and import equal, and
** write as a SavedVariables file (one depth rule for both formats). */
#include "ogrh/ogrh.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_svfile *f;
  ogrh_err err;
  if (ogrh_json_read_svfile((const char *)data, size, "fuzz", &f, &err)) return 0;
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (ogrh_json_write_svfile(f, 0, &b) == OGRH_OK) {
    ogrh_svfile *g;
    if (ogrh_json_read_svfile(b.p, b.n, "again", &g, &err)) abort();
    for (size_t i = 0; i < f->n; i++)
      if (!ogrh_value_equal(&f->vars[i].value, &g->vars[i].value)) abort();
    ogrh_svfile_free(g);
  } else {
    abort();
  }
  ogrh_buf_reset(&b);
  if (ogrh_svfile_write(f, &b) != OGRH_OK) abort();
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  return 0;
}
