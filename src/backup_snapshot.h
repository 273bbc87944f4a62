/*
** backup_snapshot.h (private)
** Snapshots: a whole SavedVariables file as a tree of objects in the backup store (the file's
** base, raids, encounters, the six components of each), and back; the variable-list encoding
** of a file that base objects and export lines share.
*/
#ifndef OGRH_BACKUP_SNAPSHOT_H
#define OGRH_BACKUP_SNAPSHOT_H

#include "backup_store.h"

typedef struct bk_snap {
  uint32_t id;       /* the snapshot object */
  ogrh_digest root;  /* root digest of the file's document */
  uint64_t expanded; /* bytes of blobs a read decodes, shared ones counted each time */
  uint32_t raids, encounters;
} bk_snap;

/* Stores f as a snapshot (objects are pending until the next save). */
int bk_snapshot_put(ogrh_store *s, const ogrh_svfile *f, bk_snap *out);
/* Reads snapshot id back into a new file, every object verified; at most
** bk_expand_limit(store size) bytes of blobs are decoded. */
int bk_snapshot_read(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err);

/* Root digest of a file's document (the digest of nil when it has none). */
int bk_file_root(const ogrh_svfile *f, ogrh_digest *root);

/*
** A file as a list of variables: varint count, then per variable varint name length, name,
** canonical encoding of the value (docs/PROTOCOL.md §3). No level of nesting is added, so
** whatever the reader accepted encodes and decodes. When swap_name is not NULL, the variable
** of that name is written as *swap_value.
*/
int bk_varlist_encode(const ogrh_svfile *f, const char *swap_name, const ogrh_value *swap_value,
                      ogrh_buf *out);
/* Decodes a variable list into f (values in f's arena); OGRH_ECORRUPT unless it is exactly
** one well-formed list. */
int bk_varlist_decode(const uint8_t *p, size_t n, ogrh_svfile *f);

#endif
