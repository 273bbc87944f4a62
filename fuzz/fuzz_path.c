/* libFuzzer: path parsing, scope mapping and SetPath on a small document. */
#include "ogrh/ogrh.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char s[512];
  if (size >= sizeof s) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  ogrh_path p;
  ogrh_err err;
  if (ogrh_path_parse(s, &p, &err)) return 0;
  ogrh_scope sc;
  ogrh_path_scope(&p, &sc);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_path_format(&p, p.n, &b);
  ogrh_path q;
  if (ogrh_path_parse(b.p, &q, &err) || q.n != p.n) abort();
  for (size_t i = 0; i < p.n; i++)
    if (!ogrh_value_equal(&p.seg[i], &q.seg[i])) abort();
  ogrh_buf_deinit(&b);
  static const char doc[] = "OGRH_SV = { schemaVersion = 'v2', v2 = { encounterMgmt = { raids = "
                            "{ { name = 'MC', encounters = { { name = 'Rag' } } } } } } }";
  ogrh_svfile *f;
  if (ogrh_svfile_parse(doc, sizeof doc - 1, "doc", &f, &err)) abort();
  ogrh_doc *d;
  if (ogrh_doc_from_svfile(f, &d, &err)) abort();
  ogrh_value v = ogrh_vint(7);
  if (ogrh_doc_set_parsed(d, &p, &v, NULL, &err) == OGRH_OK) {
    const ogrh_value *got;
    if (ogrh_doc_get_path(d, &p, &got) || !ogrh_value_equal(got, &v)) abort();
  }
  ogrh_doc_free(d);
  return 0;
}
