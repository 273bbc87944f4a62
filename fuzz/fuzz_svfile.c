/* libFuzzer: the SavedVariables reader must never crash, and whatever it accepts must
** write (unless it holds a number no literal can: inf, nan) and read back to an equal tree;
** reader and writer keep one depth rule. */
#include "ogrh/ogrh.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_svfile *f;
  ogrh_err err;
  if (ogrh_svfile_parse((const char *)data, size, "fuzz", &f, &err)) return 0;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_svfile_write(f, &b);
  if (rc != OGRH_OK && rc != OGRH_ERANGE) abort();
  if (rc == OGRH_OK) {
    ogrh_svfile *g;
    if (ogrh_svfile_parse(b.p, b.n, "again", &g, &err)) abort();
    if (g->n != f->n) abort();
    for (size_t i = 0; i < f->n; i++)
      if (!ogrh_value_equal(&f->vars[i].value, &g->vars[i].value)) abort();
    ogrh_svfile_free(g);
  }
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  return 0;
}
