/*
** backup_catalog.c
** Catalog entries of the backup store: their JSON form, labels, reasons, and the retention
** rule (seed Phase 6.5.1: keep the last 10, delete those older than 7 days but keep at least
** 3, never a pinned one).
*/
#include "backup_catalog.h"
#include "alloc.h"
#include "ogrh/json.h"
#include "ogrh/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[OGRH_NREASONS] = {
#define OGRH__XX(name, text) text,
    OGRH_REASON_MAP(OGRH__XX)
#undef OGRH__XX
};

const char *ogrh_reason_name(ogrh_backup_reason r) {
  return (unsigned)r < OGRH_NREASONS ? reason_names[r] : "?";
}

int bk_reason_parse(const char *s) {
  for (int i = 0; i < OGRH_NREASONS; i++)
    if (strcmp(s, reason_names[i]) == 0) return i;
  return -1;
}

/* ---- the array ---- */

static int info_cmp(const ogrh_backup_info *x, const ogrh_backup_info *y) {
  if (x->timestamp != y->timestamp) return x->timestamp > y->timestamp ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id;
}

void bk_cat_free(bk_cat *c) {
  ogrh_free(c->v, c->cap * sizeof *c->v);
  memset(c, 0, sizeof *c);
}

int bk_cat_copy(bk_cat *c, const ogrh_backup_info *v, size_t n) {
  memset(c, 0, sizeof *c);
  if (ogrh_grow(&c->v, &c->cap, n + 1, sizeof *c->v)) return OGRH_ENOMEM;
  if (n) memcpy(c->v, v, n * sizeof *v);
  c->n = n;
  return OGRH_OK;
}

ogrh_backup_info *bk_cat_find(const bk_cat *c, uint32_t id) {
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i].id == id) return &c->v[i];
  return NULL;
}

int bk_cat_add(bk_cat *c, const ogrh_backup_info *b) {
  if (bk_cat_find(c, b->id)) return OGRH_EEXIST;
  if (ogrh_grow(&c->v, &c->cap, c->n + 1, sizeof *c->v)) return OGRH_ENOMEM;
  size_t i = c->n;
  while (i > 0 && info_cmp(b, &c->v[i - 1]) < 0) {
    c->v[i] = c->v[i - 1];
    i--;
  }
  c->v[i] = *b;
  c->n++;
  return OGRH_OK;
}

void bk_cat_remove(bk_cat *c, uint32_t id) {
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i].id == id) {
      memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof *c->v);
      c->n--;
      return;
    }
}

/* ---- labels ---- */

/* Bytes of the UTF-8 character that starts with byte c (1 for anything that cannot start one). */
static size_t char_len(unsigned char c) {
  return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

int bk_label_copy(char *dst, const char *text, size_t n, size_t max, bool repair) {
  if (max > OGRH_LABEL_MAX) max = OGRH_LABEL_MAX;
  if (!repair) {
    if (!ogrh_utf8_valid(text, n)) return OGRH_EINVAL;
    size_t k = ogrh_utf8_cut(text, n < max ? n : max);
    memcpy(dst, text, k);
    dst[k] = '\0';
    return OGRH_OK;
  }
  static const char replacement[] = "\xef\xbf\xbd";
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    size_t k = char_len((unsigned char)text[i]);
    const char *piece = text + i;
    if (i + k > n || !ogrh_utf8_valid(piece, k)) {
      piece = replacement;
      k = 1;
    }
    size_t w = piece == replacement ? 3 : k;
    if (o + w > max) break;
    memcpy(dst + o, piece, w);
    o += w;
    i += k;
  }
  dst[o] = '\0';
  return OGRH_OK;
}

/* ---- JSON ---- */

json_t *bk_info_json(const ogrh_backup_info *b) {
  json_t *o = json_object();
  if (!o) return NULL;
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", (unsigned long long)b->root);
  int bad = json_object_set_new(o, "id", json_integer(b->id));
  bad |= json_object_set_new(o, "time", json_integer(b->timestamp));
  bad |= json_object_set_new(o, "label", json_string(b->label));
  bad |= json_object_set_new(o, "reason", json_string(ogrh_reason_name(b->reason)));
  bad |= json_object_set_new(o, "raw", json_integer((json_int_t)b->raw_size));
  bad |= json_object_set_new(o, "stored", json_integer((json_int_t)b->stored_size));
  bad |= json_object_set_new(o, "pinned", json_boolean(b->pinned));
  bad |= json_object_set_new(o, "root", json_string(hex));
  bad |= json_object_set_new(o, "snapshot", json_integer(b->snapshot));
  bad |= json_object_set_new(o, "raids", json_integer(b->raids));
  bad |= json_object_set_new(o, "encounters", json_integer(b->encounters));
  if (b->file_hash) {
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)b->file_hash);
    bad |= json_object_set_new(o, "file", json_string(hex));
  }
  if (b->damaged) bad |= json_object_set_new(o, "damaged", json_true());
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* 16 hex digits, exactly. */
static bool parse_hex64(const char *s, uint64_t *out) {
  if (!s || strlen(s) != 16) return false;
  uint64_t v = 0;
  for (int i = 0; i < 16; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | (uint64_t)d;
  }
  *out = v;
  return true;
}

static uint64_t get_u64(json_t *o, const char *k) {
  json_int_t v = json_integer_value(json_object_get(o, k));
  return v > 0 ? (uint64_t)v : 0;
}

int bk_info_from_json(json_t *o, ogrh_backup_info *b) {
  memset(b, 0, sizeof *b);
  json_t *id = json_object_get(o, "id"), *snap = json_object_get(o, "snapshot");
  if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
      json_integer_value(id) > (json_int_t)UINT32_MAX || !json_is_integer(snap) ||
      json_integer_value(snap) < 0 || json_integer_value(snap) > (json_int_t)UINT32_MAX ||
      !parse_hex64(json_string_value(json_object_get(o, "root")), &b->root))
    return OGRH_ECORRUPT;
  b->id = (uint32_t)json_integer_value(id);
  b->snapshot = (uint32_t)json_integer_value(snap);
  b->timestamp = json_integer_value(json_object_get(o, "time"));
  json_t *lab = json_object_get(o, "label");
  if (json_is_string(lab))
    bk_label_copy(b->label, json_string_value(lab), json_string_length(lab), OGRH_LABEL_MAX, true);
  const char *rea = json_string_value(json_object_get(o, "reason"));
  int r = rea ? bk_reason_parse(rea) : -1;
  b->reason = r < 0 ? OGRH_REASON_MANUAL : (ogrh_backup_reason)r;
  b->raw_size = get_u64(o, "raw");
  b->stored_size = get_u64(o, "stored");
  b->pinned = json_is_true(json_object_get(o, "pinned"));
  b->damaged = json_is_true(json_object_get(o, "damaged"));
  uint64_t x = get_u64(o, "raids");
  b->raids = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
  x = get_u64(o, "encounters");
  b->encounters = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
  const char *file = json_string_value(json_object_get(o, "file"));
  if (file && !parse_hex64(file, &b->file_hash)) b->file_hash = 0;
  return OGRH_OK;
}

/* jansson allocates through the library's allocator and may swallow a failure: a call during
** which the failure count moved has failed (src/alloc.h). */
static int dump_checked(const ogrh_backup_info *b, size_t flags, ogrh_buf *out) {
  unsigned long before = ogrh__json_alloc_failures();
  json_t *o = bk_info_json(b);
  /* ogrh_json_dump appends whole or not at all. */
  int rc = o && ogrh__json_alloc_failures() == before ? ogrh_json_dump(o, flags, out) : OGRH_ENOMEM;
  json_decref(o);
  return rc;
}

int ogrh_backup_info_json(const ogrh_backup_info *b, ogrh_buf *out) {
  return dump_checked(b, JSON_INDENT(2) | JSON_PRESERVE_ORDER, out);
}

int bk_info_encode(const ogrh_backup_info *b, size_t flags, ogrh_buf *out) {
  return dump_checked(b, flags, out);
}

int bk_info_decode(const char *text, size_t n, ogrh_backup_info *b) {
  unsigned long before = ogrh__json_alloc_failures();
  json_error_t je;
  json_t *o = json_loadb(text, n, 0, &je);
  int rc = json_is_object(o) ? bk_info_from_json(o, b) : OGRH_ECORRUPT;
  json_decref(o);
  return ogrh__json_alloc_failures() != before ? OGRH_ENOMEM : rc;
}

/* ---- retention ---- */

size_t bk_retention(const ogrh_backup_info *cat, size_t n, int64_t now, uint32_t protect,
                    bool *del) {
  size_t unpinned = 0, count = 0;
  for (size_t i = 0; i < n; i++) {
    const ogrh_backup_info *b = &cat[i];
    del[i] = false;
    if (b->pinned) continue;
    unpinned++;
    /* The newest three stay whatever their age: walking from the newest, an age rule alone
       would delete the recent ones and keep the oldest. */
    if (i < OGRH_BACKUP_MIN || b->id == protect) continue;
    if (unpinned > OGRH_BACKUP_KEEP || now - b->timestamp > OGRH_BACKUP_MAX_AGE) {
      del[i] = true;
      count++;
    }
  }
  return count;
}
