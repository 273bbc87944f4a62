/*
** backup_catalog.h (private)
** The catalog of a backup store: one entry of metadata per backup (its JSON form in the store
** file and in exports), labels kept as valid UTF-8, the reason names, and the retention rule.
** Pure functions over arrays; no I/O.
*/
#ifndef OGRH_BACKUP_CATALOG_H
#define OGRH_BACKUP_CATALOG_H

#include "ogrh/backup.h"

#include <jansson.h>

/* The catalog, newest first (time descending, then id descending). */
typedef struct bk_cat {
  ogrh_backup_info *v;
  size_t n, cap;
} bk_cat;

void bk_cat_free(bk_cat *c);
/* A copy of n entries. */
int bk_cat_copy(bk_cat *c, const ogrh_backup_info *v, size_t n);
/* Inserts b in order; OGRH_EEXIST when its id is already there. */
int bk_cat_add(bk_cat *c, const ogrh_backup_info *b);
void bk_cat_remove(bk_cat *c, uint32_t id);
ogrh_backup_info *bk_cat_find(const bk_cat *c, uint32_t id);

/* -1 for a name no reason has. */
int bk_reason_parse(const char *s);

/*
** Copies the label text[0..n) into dst (OGRH_LABEL_MAX + 1 bytes, NUL-terminated), cut between
** characters. Text that is not valid UTF-8 is OGRH_EINVAL, unless repair: then every byte
** that does not start a valid character becomes U+FFFD.
*/
int bk_label_copy(char *dst, const char *text, size_t n, size_t max, bool repair);

/* The JSON object of one entry (the catalog's field names); NULL when out of memory. */
json_t *bk_info_json(const ogrh_backup_info *b);
/*
** Reads an entry back. Tolerant where a field only informs (a missing or invalid label reads
** as "", an unknown reason as "manual"); OGRH_ECORRUPT without an id, a snapshot or a root.
*/
int bk_info_from_json(json_t *o, ogrh_backup_info *b);
/* The entry as JSON text (jansson's dump flags) appended to out, and back (OGRH_ENOMEM
** when jansson ran out of memory, OGRH_ECORRUPT when the text is no entry). */
int bk_info_encode(const ogrh_backup_info *b, size_t flags, ogrh_buf *out);
int bk_info_decode(const char *text, size_t n, ogrh_backup_info *b);

/*
** The retention rule over cat[0..n) (newest first): sets del[i] for every backup to delete and
** returns their count. Never deletes a pinned backup, one of the newest OGRH_BACKUP_MIN, or
** the one whose id is protect.
*/
size_t bk_retention(const ogrh_backup_info *cat, size_t n, int64_t now, uint32_t protect,
                    bool *del);

#endif
