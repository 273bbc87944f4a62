/* libFuzzer: path parsing, scope mapping, SetPath and compaction on a small document. A value
** that would break the depth rule is refused and changes nothing; whatever is written reads
** back, also after the document's values move (ogrh_doc_compact). */
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
  /* A value as deep as the first byte says: at most the depth rule's room is accepted. */
  ogrh_arena *a = ogrh_arena_new();
  int depth = size && data[0] % 64 == 0 ? OGRH_MAX_DEPTH - (int)p.n - 2 + data[0] / 64 % 3 : 1;
  ogrh_value v = ogrh_vint(7);
  for (int i = 0; i < depth && a; i++) {
    ogrh_table *t = ogrh_table_new(a, 1);
    if (!t) abort();
    ogrh_value k = ogrh_vint(1);
    if (ogrh_table_set(a, t, &k, &v)) abort();
    v = ogrh_vtable(t);
  }
  uint64_t rev = ogrh_doc_revision(d);
  int rc = ogrh_doc_set_parsed(d, &p, &v, NULL, &err);
  if (rc == OGRH_OK) {
    const ogrh_value *got;
    if (ogrh_doc_get_path(d, &p, &got) || !ogrh_value_equal(got, &v)) abort();
  }
  /* The dearer checks for one shallow input in four (writing a deep file costs the square of
     its depth in tabs; the files' own fuzz targets cover that). */
  if (rc == OGRH_OK && size && data[0] % 4 == 0 && depth == 1) {
    const ogrh_value *got;
    if (ogrh_doc_compact(d)) abort();
    if (ogrh_doc_get_path(d, &p, &got) || !ogrh_value_equal(got, &v)) abort();
    ogrh_buf out;
    ogrh_buf_init(&out);
    ogrh_svfile *back = NULL;
    if (ogrh_svfile_write(ogrh_doc_svfile(d), &out) ||
        ogrh_svfile_parse(out.p, out.n, "back", &back, &err))
      abort();
    ogrh_svfile_free(back);
    ogrh_buf_deinit(&out);
  }
  if (rc != OGRH_OK && ogrh_doc_revision(d) != rev) abort();
  ogrh_arena_free(a);
  ogrh_doc_free(d);
  return 0;
}
