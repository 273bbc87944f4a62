/*
** backup_export.c
** A backup as one line of text that can be pasted anywhere, and back (docs/PROTOCOL.md §6):
** "OGRHBK2 <base64 metadata JSON> <base64 zstd variable list> <checksum>". Lines come from
** other people: decoding checks the checksum, bounds what it decompresses by the line's
** length, decodes strictly, and compares the root digest before anything is added.
*/
#include "backup_snapshot.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TAG_V1 "OGRHBK1"
#define TAG_V2 "OGRHBK2"
#define TAG_LEN 7
#define EXPORT_LEVEL 19
/* Import labels keep room for " (imported)". */
#define IMPORT_LABEL_MAX 100

/* The checksum field: XXH3-64 of the compressed bytes, seeded with that of the metadata
** (OGRHBK1 lines cover the compressed bytes only). */
static uint64_t line_check(bool v2, const ogrh_buf *meta, const ogrh_buf *z) {
  uint64_t seed = v2 ? XXH3_64bits(meta->p ? meta->p : "", meta->n) : 0;
  return XXH3_64bits_withSeed(z->p ? z->p : "", z->n, seed);
}

/* The file of a backup as a list of {name, value} pairs (the OGRHBK1 payload), which wraps
** every value in two more tables (the depth rule of ogrh/value.h). */
static int read_pairs(ogrh_svfile *sf, const ogrh_buf *raw) {
  ogrh_value pv;
  int rc = ogrh_canon_decode_depth(sf->arena, (const uint8_t *)raw->p, raw->n, true,
                                   OGRH_MAX_DEPTH + 2, &pv, NULL);
  if (rc) return rc == OGRH_ENOMEM ? rc : OGRH_ECORRUPT;
  if (pv.type != OGRH_TABLE) return OGRH_ECORRUPT;
  for (uint32_t i = 0; i < pv.u.t->n; i++) {
    const ogrh_value *pair = &pv.u.t->e[i].val;
    const ogrh_value *nm = pair->type == OGRH_TABLE ? ogrh_table_geti(pair->u.t, 1) : NULL;
    const ogrh_value *vv = pair->type == OGRH_TABLE ? ogrh_table_geti(pair->u.t, 2) : NULL;
    if (!nm || nm->type != OGRH_STRING || !vv || memchr(nm->u.s, 0, nm->len)) return OGRH_ECORRUPT;
    char *name = ogrh_arena_memdup(sf->arena, nm->u.s, nm->len);
    if (!name || ogrh_svfile_set(sf, name, vv)) return OGRH_ENOMEM;
  }
  return OGRH_OK;
}

int ogrh_backup_export(ogrh_store *s, uint32_t id, ogrh_buf *line, ogrh_err *err) {
  ogrh_svfile *f;
  int rc = ogrh_backup_load(s, id, &f, err);
  if (rc) return rc;
  const ogrh_backup_info *bi = ogrh_store_find(s, id);
  ogrh_buf enc, meta, z;
  ogrh_buf_init(&enc);
  ogrh_buf_init(&meta);
  ogrh_buf_init(&z);
  ZSTD_CCtx *cctx = ZSTD_createCCtx_advanced(bk_zstd_mem);
  rc = cctx ? bk_varlist_encode(f, NULL, NULL, &enc) : OGRH_ENOMEM;
  size_t bound = ZSTD_compressBound(enc.n), zn = 0;
  if (!rc && !ogrh_buf_reserve(&z, bound)) {
    zn = ZSTD_compressCCtx(cctx, z.p, bound, enc.p, enc.n, EXPORT_LEVEL);
    rc = ZSTD_isError(zn) ? OGRH_ENOMEM : OGRH_OK;
    z.n = rc ? 0 : zn;
  } else if (!rc) {
    rc = OGRH_ENOMEM;
  }
  if (!rc) rc = bk_info_encode(bi, JSON_COMPACT | JSON_SORT_KEYS, &meta);
  size_t at = line->n;
  if (!rc) {
    ogrh_buf_adds(line, TAG_V2 " ");
    ogrh_base64_encode(meta.p, meta.n, line);
    ogrh_buf_addc(line, ' ');
    ogrh_base64_encode(z.p, z.n, line);
    ogrh_buf_printf(line, " %016llx\n", (unsigned long long)line_check(true, &meta, &z));
    rc = ogrh_buf_error(line);
  }
  /* A reader refuses a line that decompresses beyond its bound: such a line is not made. */
  if (!rc && enc.n > (uint64_t)(line->n - at) * BK_EXPORT_RATIO) {
    line->n = at;
    rc = ogrh_err_set(err, OGRH_ETOOBIG,
                      "cannot export backup %u: it compresses more than %u:1, beyond what an "
                      "import accepts",
                      id, BK_EXPORT_RATIO);
  } else if (rc) {
    ogrh_err_set(err, rc, "cannot export backup %u: %s", id, ogrh_strerror(rc));
  }
  ZSTD_freeCCtx(cctx);
  ogrh_buf_deinit(&enc);
  ogrh_buf_deinit(&meta);
  ogrh_buf_deinit(&z);
  ogrh_svfile_free(f);
  return rc;
}

/* Splits the line into its four fields; false unless there are exactly four. */
static bool split_fields(const char *text, size_t n, const char *f[4], size_t fl[4]) {
  size_t k = 0;
  const char *p = text, *end = text + n;
  while (k < 4 && p < end) {
    const char *q = memchr(p, ' ', (size_t)(end - p));
    if (!q) q = end;
    f[k] = p;
    fl[k++] = (size_t)(q - p);
    p = q < end ? q + 1 : end;
  }
  return k == 4 && p == end;
}

/* The metadata of a line: root, time, id, label (made valid UTF-8), reason. */
static int read_meta(const ogrh_buf *meta, ogrh_backup_info *bi) {
  json_error_t je;
  unsigned long before = ogrh__json_alloc_failures();
  json_t *m = json_loadb(meta->p ? meta->p : "", meta->n, 0, &je);
  const char *root = json_string_value(json_object_get(m, "root"));
  json_t *lab = json_object_get(m, "label");
  const char *rea = json_string_value(json_object_get(m, "reason"));
  int rc = OGRH_OK;
  memset(bi, 0, sizeof *bi);
  char *end = NULL;
  if (!root || strlen(root) != 16 || !json_is_string(lab)) {
    rc = OGRH_ECORRUPT;
  } else {
    bi->root = strtoull(root, &end, 16);
    if (*end) rc = OGRH_ECORRUPT;
    bi->timestamp = json_integer_value(json_object_get(m, "time"));
    json_int_t id = json_integer_value(json_object_get(m, "id"));
    bi->id = id > 0 && id <= (json_int_t)UINT32_MAX ? (uint32_t)id : 0;
    bk_label_copy(bi->label, json_string_value(lab), json_string_length(lab), OGRH_LABEL_MAX, true);
    int r = rea ? bk_reason_parse(rea) : -1;
    bi->reason = r < 0 ? OGRH_REASON_IMPORTED : (ogrh_backup_reason)r;
  }
  json_decref(m);
  return ogrh__json_alloc_failures() != before ? OGRH_ENOMEM : rc;
}

int ogrh_backup_decode_line(const char *text, size_t n, ogrh_svfile **out, ogrh_backup_info *info,
                            ogrh_err *err) {
  *out = NULL;
  while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
    n--;
  while (n && (*text == ' ' || *text == '\n' || *text == '\r'))
    text++, n--;
  const char *f[4];
  size_t fl[4];
  if (!split_fields(text, n, f, fl) || fl[0] != TAG_LEN ||
      (memcmp(f[0], TAG_V1, TAG_LEN) != 0 && memcmp(f[0], TAG_V2, TAG_LEN) != 0))
    return ogrh_err_set(err, OGRH_ESYNTAX,
                        "not an exported backup (expected: " TAG_V2 " META DATA CHECKSUM)");
  bool v2 = memcmp(f[0], TAG_V2, TAG_LEN) == 0;
  ogrh_buf meta, z, raw;
  ogrh_buf_init(&meta);
  ogrh_buf_init(&z);
  ogrh_buf_init(&raw);
  ogrh_svfile *sf = NULL;
  ZSTD_DCtx *dctx = NULL;
  ogrh_backup_info bi;
  unsigned long long size = 0;
  uint64_t check = 0;
  char hex[17], *end = NULL;
  int rc = OGRH_OK;
  if (fl[3] != 16) rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad checksum field");
  if (!rc) {
    memcpy(hex, f[3], 16);
    hex[16] = '\0';
    check = strtoull(hex, &end, 16);
    if (*end) rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad checksum field");
  }
  if (!rc) {
    rc = ogrh_base64_decode(f[1], fl[1], &meta);
    if (!rc) rc = ogrh_base64_decode(f[2], fl[2], &z);
    if (rc == OGRH_ENOMEM)
      ogrh_err_set(err, rc, "out of memory");
    else if (rc)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad base64 (was the line cut?)");
  }
  if (!rc && check != line_check(v2, &meta, &z))
    rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: checksum mismatch (damaged text)");
  /* The bound comes before any allocation the data asks for (docs/PROTOCOL.md §6). */
  if (!rc) {
    size = ZSTD_getFrameContentSize(z.p ? z.p : "", z.n);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad compressed data");
    else if (size > (uint64_t)n * BK_EXPORT_RATIO || size > BK_MAX_SNAPSHOT)
      rc = ogrh_err_set(err, OGRH_ECORRUPT,
                        "exported backup: claims %llu bytes from a %zu-byte line (more than "
                        "%u per byte is refused)",
                        size, n, BK_EXPORT_RATIO);
  }
  if (!rc &&
      (ogrh_buf_reserve(&raw, (size_t)size + 1) || !(dctx = ZSTD_createDCtx_advanced(bk_zstd_mem))))
    rc = ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  if (!rc) {
    size_t got = ZSTD_decompressDCtx(dctx, raw.p, (size_t)size + 1, z.p, z.n);
    if (ZSTD_isError(got) && ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation)
      rc = ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
    else if (ZSTD_isError(got) || got != size)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: data does not decompress");
    raw.n = rc ? 0 : got;
  }
  if (!rc && (rc = read_meta(&meta, &bi)))
    rc = rc == OGRH_ENOMEM ? ogrh_err_set(err, rc, "out of memory")
                           : ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad metadata");
  if (!rc && !(sf = ogrh_svfile_new())) rc = ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  if (!rc) {
    rc = v2 ? bk_varlist_decode((const uint8_t *)raw.p, raw.n, sf) : read_pairs(sf, &raw);
    if (rc == OGRH_ENOMEM)
      ogrh_err_set(err, rc, "out of memory");
    else if (rc)
      rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: bad snapshot encoding");
  }
  ogrh_digest root;
  if (!rc && (rc = bk_file_root(sf, &root)))
    ogrh_err_set(err, rc, "exported backup: cannot verify: %s", ogrh_strerror(rc));
  if (!rc && root != bi.root)
    rc = ogrh_err_set(err, OGRH_ECORRUPT, "exported backup: data does not match its digest");
  ZSTD_freeDCtx(dctx);
  ogrh_buf_deinit(&meta);
  ogrh_buf_deinit(&z);
  ogrh_buf_deinit(&raw);
  if (rc) {
    ogrh_svfile_free(sf);
    return rc;
  }
  if (info) *info = bi;
  *out = sf;
  return OGRH_OK;
}

int ogrh_backup_import(ogrh_store *s, const char *text, size_t n, int64_t now,
                       ogrh_backup_info *info, ogrh_err *err) {
  ogrh_svfile *f;
  ogrh_backup_info orig;
  int rc = ogrh_backup_decode_line(text, n, &f, &orig, err);
  if (rc) return rc;
  char label[OGRH_LABEL_MAX + 1];
  bk_label_copy(label, orig.label, strlen(orig.label), IMPORT_LABEL_MAX, true);
  strcat(label, " (imported)");
  rc = ogrh_backup_create(s, f, label, OGRH_REASON_IMPORTED, true, now, 0, info, err);
  ogrh_svfile_free(f);
  return rc;
}
