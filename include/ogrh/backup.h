/*
** ogrh/backup.h
** The backup store beside a SavedVariables file (for X.lua, the folder X.lua.backups/):
** snapshots of the whole file with metadata, compressed with zstd and deduplicated (a
** snapshot is a tree of objects, one per encounter component, raid metadata and the rest of
** the file; unchanged parts are stored once), every object checksummed and verified on read.
** One writer at a time (a lock file); every change rewrites the store file atomically, so a
** crash at any moment leaves the previous or the next state, both readable.
** Functions take the current time as an argument; the store reads no clock.
*/
#ifndef OGRH_BACKUP_H
#define OGRH_BACKUP_H

#include "ogrh/digest.h"

typedef enum {
  OGRH_REASON_MANUAL = 0,
  OGRH_REASON_BEFORE_REPAIR,
  OGRH_REASON_BEFORE_RESTORE,
  OGRH_REASON_BEFORE_IMPORT,
  OGRH_REASON_BEFORE_DEFAULTS,
  OGRH_REASON_ADMIN_TRANSFER,
  OGRH_REASON_IMPORTED,
  OGRH_REASON_BEFORE_MIGRATE,
  OGRH_NREASONS
} ogrh_backup_reason;

/* "manual", "before repair", "before restore", "before import", "before load defaults",
** "admin transfer", "imported", "before migrate". */
const char *ogrh_reason_name(ogrh_backup_reason r);

typedef struct ogrh_backup_info {
  uint32_t id;
  int64_t timestamp; /* seconds since the epoch */
  char label[128];
  ogrh_backup_reason reason;
  uint64_t raw_size;    /* bytes of the file in WoW format */
  uint64_t stored_size; /* compressed bytes of the objects this backup added to the store */
  bool pinned;
  ogrh_digest root;  /* root digest of the snapshot's document */
  uint32_t snapshot; /* id of the snapshot object */
  uint32_t raids, encounters;
} ogrh_backup_info;

/* Retention: keep the newest 10 unpinned; delete those older than 7 days while at least 3
** backups remain; never delete a pinned one. Deleting below 3 backups is refused. */
#define OGRH_BACKUP_KEEP 10
#define OGRH_BACKUP_MIN 3
#define OGRH_BACKUP_MAX_AGE (7 * 24 * 3600)

typedef struct ogrh_store ogrh_store;

/*
** Opens (creating the folder on first write) the store of the SavedVariables file at svpath
** and takes its lock: OGRH_ELOCKED if another process holds it. A damaged store file is
** OGRH_ECORRUPT with a message; a missing one is an empty store.
*/
int ogrh_store_open(const char *svpath, ogrh_store **out, ogrh_err *err);
void ogrh_store_close(ogrh_store *s);

/* Backups, newest first. The pointers stay valid until the next change to the store. */
size_t ogrh_store_count(const ogrh_store *s);
const ogrh_backup_info *ogrh_store_at(const ogrh_store *s, size_t i);
const ogrh_backup_info *ogrh_store_find(const ogrh_store *s, uint32_t id);
/* Appends one backup's metadata as a JSON object (the catalog's own field names). */
int ogrh_backup_info_json(const ogrh_backup_info *b, ogrh_buf *out);

/* Size of the store file in bytes (what the backups cost on disk). */
uint64_t ogrh_store_bytes(const ogrh_store *s);

/*
** Snapshots f. A manual backup is pinned. Prunes afterwards (the new backup is never
** pruned). raw_size is the file's size in WoW format if the caller knows it (0: computed).
** info (if not NULL) receives the new backup's metadata.
*/
int ogrh_backup_create(ogrh_store *s, const ogrh_svfile *f, const char *label,
                       ogrh_backup_reason reason, bool pin, int64_t now, uint64_t raw_size,
                       ogrh_backup_info *info, ogrh_err *err);

/* Reads a snapshot back, verifying every object's checksum and the root digest. */
int ogrh_backup_load(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err);

/*
** Restores backup id into the file at svpath: takes a safety backup ("before restore") of the
** file first, verifies the snapshot, then replaces the file atomically. A damaged snapshot is
** refused and the file is left exactly as it was.
*/
int ogrh_backup_restore(ogrh_store *s, const char *svpath, uint32_t id, int64_t now,
                        ogrh_backup_info *safety, ogrh_err *err);

/* Deletes a backup. A manual one needs confirmed; fewer than 3 left is refused. */
int ogrh_backup_delete(ogrh_store *s, uint32_t id, bool confirmed, ogrh_err *err);
int ogrh_backup_pin(ogrh_store *s, uint32_t id, bool pin, ogrh_err *err);
/* Applies the retention policy; *deleted gets the count (may be NULL). */
int ogrh_backup_prune(ogrh_store *s, int64_t now, size_t *deleted, ogrh_err *err);

/*
** One line of text: "OGRHBK1 <base64 metadata JSON> <base64 zstd snapshot> <checksum>".
** Import verifies the checksum, the encoding and the root digest before adding it.
*/
int ogrh_backup_export(ogrh_store *s, uint32_t id, ogrh_buf *line, ogrh_err *err);
int ogrh_backup_import(ogrh_store *s, const char *text, size_t n, int64_t now,
                       ogrh_backup_info *info, ogrh_err *err);
/* Decodes an export line into a file without a store (for `import --restore`). */
int ogrh_backup_decode_line(const char *text, size_t n, ogrh_svfile **out, ogrh_backup_info *info,
                            ogrh_err *err);

/*
** The automatic backup other operations take before anything destructive: opens the store of
** svpath, snapshots the file as it is on disk (if it exists), closes the store.
*/
int ogrh_backup_before(const char *svpath, ogrh_backup_reason reason, const char *label,
                       int64_t now, ogrh_backup_info *info, ogrh_err *err);

#endif
