/* libFuzzer: v1 files come from other people's games, with every quirk a real file has. Their
** view must never crash, storing a view back into its own file must change nothing, and the
** fixed migration of any file it accepts must have the digests of the v1 file. The input is a
** SavedVariables file. */
#include "ogrh/ogrh.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ogrh_svfile *f;
  if (ogrh_svfile_parse((const char *)data, size, "fuzz", &f, NULL)) return 0;
  ogrh_value *sv = ogrh_svfile_get(f, "OGRH_SV");
  ogrh_arena *a = ogrh_arena_new();
  if (!a) abort();
  if (sv && sv->type == OGRH_TABLE) {
    ogrh_value view, before, raw;
    if (ogrh_schema_view(a, sv, &view) || ogrh_value_copy(a, sv, &before)) abort();
    ogrh_dtree *t;
    if (ogrh_dtree_build_root(sv, &t)) abort();
    ogrh_dtree_free(t);
    /* Its own view, stored back, changes nothing. */
    if (ogrh_schema_layout(sv) == OGRH_LAYOUT_V1) {
      const ogrh_table *em = ogrh_table_child(view.u.t, "encounterMgmt");
      const ogrh_value *raids = em ? ogrh_table_gets(em, "raids") : NULL;
      ogrh_value nil = ogrh_vnil();
      if (ogrh_value_copy(a, sv, &raw)) abort();
      ogrh_buf why;
      ogrh_buf_init(&why);
      if (ogrh_v1_store(a, raw.u.t, raids ? raids : &nil, NULL, &why)) {
        fprintf(stderr, "store of its own view: %s\n", why.p ? why.p : "");
        abort();
      }
      ogrh_buf_deinit(&why);
      if (!ogrh_value_equal(&raw, &before)) abort();
    }
  }
  /* The fixed migration's plan has the v1 plan's digests. */
  ogrh_migrate_opts o = {false, false, false, 1};
  ogrh_svfile *out;
  if (ogrh_migrate(f, &o, &out, NULL, NULL) == OGRH_OK) {
    if (ogrh_migrate_check(f, out, NULL)) abort();
    ogrh_svfile_free(out);
  }
  o.faithful = true;
  if (ogrh_migrate(f, &o, &out, NULL, NULL) == OGRH_OK) ogrh_svfile_free(out);
  ogrh_arena_free(a);
  ogrh_svfile_free(f);
  return 0;
}
