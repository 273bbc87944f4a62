/*
** ogrh/backup.h
** The backup store beside a SavedVariables file (for X.lua, the folder X.lua.backups/):
** snapshots of the whole file with metadata, compressed with zstd and deduplicated (a
** snapshot is a tree of objects, one per encounter component, raid metadata and the rest of
** the file; unchanged parts are stored once), every object checksummed and verified on read.
** The store file carries parity, so one damaged block of it (any single flipped byte) is
** rebuilt on open; beyond that a damaged store loses only the backups whose objects were hit,
** and a new backup never reuses an object that fails its checksum.
** One writer at a time (a lock file, waited for briefly); every change rewrites the store
** file atomically after parsing the new bytes, so a crash or a failed write at any moment
** leaves the previous or the next state, both readable.
** Functions take the current time as an argument; the store reads no clock. Not thread-safe:
** one store object is used by one thread at a time.
*/
#ifndef OGRH_BACKUP_H
#define OGRH_BACKUP_H

#include "ogrh/digest.h"

/* Why a backup was taken: the enum, and the names stored in the catalog and printed. */
#define OGRH_REASON_MAP(XX)                                                                        \
  XX(MANUAL, "manual")                                                                             \
  XX(BEFORE_REPAIR, "before repair")                                                               \
  XX(BEFORE_RESTORE, "before restore")                                                             \
  XX(BEFORE_IMPORT, "before import")                                                               \
  XX(BEFORE_DEFAULTS, "before load defaults")                                                      \
  XX(ADMIN_TRANSFER, "admin transfer")                                                             \
  XX(IMPORTED, "imported")                                                                         \
  XX(BEFORE_MIGRATE, "before migrate")

typedef enum {
#define OGRH__XX(name, text) OGRH_REASON_##name,
  OGRH_REASON_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_NREASONS
} ogrh_backup_reason;

/* The reason's name ("manual", "before repair", ...); "?" for an unknown value. */
const char *ogrh_reason_name(ogrh_backup_reason r);

/* Labels are valid UTF-8 of at most OGRH_LABEL_MAX bytes (longer ones are cut between
** characters). */
#define OGRH_LABEL_MAX 127

typedef struct ogrh_backup_info {
  uint32_t id;
  int64_t timestamp; /* seconds since the epoch */
  char label[OGRH_LABEL_MAX + 1];
  ogrh_backup_reason reason;
  uint64_t raw_size;    /* bytes of the file in WoW format */
  uint64_t stored_size; /* compressed bytes of the objects this backup added to the store */
  bool pinned;
  bool damaged;      /* some of its objects were lost to damage: it cannot be restored */
  ogrh_digest root;  /* root digest of the snapshot's document */
  uint32_t snapshot; /* id of the snapshot object */
  uint32_t raids, encounters;
  uint64_t file_hash; /* XXH3-64 of the file bytes it was taken from (0: not known) */
} ogrh_backup_info;

/*
** Retention (docs/PROTOCOL.md §6): pinned backups are never deleted; the newest 3 backups are
** always kept, whatever their age; of the others, an unpinned backup is deleted when it is
** older than 7 days or when 10 newer unpinned backups exist. Deleting by hand below 3
** backups is refused.
*/
#define OGRH_BACKUP_KEEP 10
#define OGRH_BACKUP_MIN 3
#define OGRH_BACKUP_MAX_AGE (7 * 24 * 3600)

typedef struct ogrh_store ogrh_store;

/*
** Opens the store of the SavedVariables file at svpath for reading and writing, waiting a
** few seconds for another process's lock before giving up with OGRH_ELOCKED. Nothing is
** created until the first change (a missing store is an empty one). A damaged store opens:
** see ogrh_store_health.
*/
int ogrh_store_open(const char *svpath, ogrh_store **out, ogrh_err *err);
/* The same for reading only (a shared lock: readers never wait for each other). Changes
** fail with OGRH_EINVAL. */
int ogrh_store_open_readonly(const char *svpath, ogrh_store **out, ogrh_err *err);
void ogrh_store_close(ogrh_store *s);

typedef enum {
  OGRH_STORE_OK = 0,     /* every byte verified */
  OGRH_STORE_REPAIRED,   /* a damaged block was rebuilt from parity; rewritten at the next change */
  OGRH_STORE_OLD_FORMAT, /* an older store format: objects are verified one by one */
  OGRH_STORE_DAMAGED,    /* some backups may have lost objects; the rest are intact */
  OGRH_STORE_UNREADABLE  /* nothing could be read; the file is kept aside at the next change */
} ogrh_store_health;

/* What opening found; *note (may be NULL) gets a sentence for the user ("" when OK). */
ogrh_store_health ogrh_store_health_of(const ogrh_store *s, const char **note);

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
** The label must be valid UTF-8 (else OGRH_EINVAL). info (if not NULL) receives the new
** backup's metadata. On failure nothing changed, on disk or in s.
*/
int ogrh_backup_create(ogrh_store *s, const ogrh_svfile *f, const char *label,
                       ogrh_backup_reason reason, bool pin, int64_t now, uint64_t raw_size,
                       ogrh_backup_info *info, ogrh_err *err);

/*
** Snapshots the file whose bytes are text[0..n) (name is used in parse errors). When they
** are exactly the bytes the newest backup was taken from (and the store is verified),
** nothing is parsed or written: *created is false and info is that backup.
*/
int ogrh_backup_create_text(ogrh_store *s, const char *text, size_t n, const char *name,
                            const char *label, ogrh_backup_reason reason, bool pin, int64_t now,
                            ogrh_backup_info *info, bool *created, ogrh_err *err);

/* Reads a snapshot back, verifying every object's checksum and the root digest. */
int ogrh_backup_load(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err);

/* What was done with the live file before a destructive change. */
typedef struct ogrh_safety {
  bool existed; /* the file existed (else there was nothing to keep) */
  bool created; /* a new backup of it was taken: info */
  bool reused;  /* it was identical to the newest backup: info is that backup */
  ogrh_backup_info info;
  char kept[4200];       /* it could not be parsed: its bytes were copied to this path */
  char parse_error[512]; /* and why it could not be parsed */
} ogrh_safety;

/*
** Restores backup id into the file at svpath: verifies the snapshot, takes a safety backup
** ("before restore") of the file, then replaces the file atomically. A damaged snapshot is
** refused and nothing is changed; when replacing the file fails, the safety backup is undone.
*/
int ogrh_backup_restore(ogrh_store *s, const char *svpath, uint32_t id, int64_t now,
                        ogrh_safety *safety, ogrh_err *err);

/* Deletes a backup. A manual one needs confirmed; fewer than 3 left is refused. */
int ogrh_backup_delete(ogrh_store *s, uint32_t id, bool confirmed, ogrh_err *err);
int ogrh_backup_pin(ogrh_store *s, uint32_t id, bool pin, ogrh_err *err);
/* Applies the retention policy; *deleted gets the count (may be NULL). */
int ogrh_backup_prune(ogrh_store *s, int64_t now, size_t *deleted, ogrh_err *err);

/*
** One line of text: "OGRHBK2 <base64 metadata JSON> <base64 zstd snapshot> <checksum>".
** Import verifies the checksum, the encoding and the root digest before adding it; lines of
** the older OGRHBK1 form are read too. Decoding a line of n bytes allocates a bounded
** multiple of n (docs/PROTOCOL.md §6).
*/
int ogrh_backup_export(ogrh_store *s, uint32_t id, ogrh_buf *line, ogrh_err *err);
int ogrh_backup_import(ogrh_store *s, const char *text, size_t n, int64_t now,
                       ogrh_backup_info *info, ogrh_err *err);
/* Decodes an export line into a file without a store (for `import --restore`). */
int ogrh_backup_decode_line(const char *text, size_t n, ogrh_svfile **out, ogrh_backup_info *info,
                            ogrh_err *err);

/*
** The automatic backup other operations take before anything destructive: opens the store of
** svpath, snapshots the file as it is on disk (if it exists and differs from the newest
** backup), closes the store. safety (not NULL) says what was done.
*/
int ogrh_backup_before(const char *svpath, ogrh_backup_reason reason, const char *label,
                       int64_t now, ogrh_safety *safety, ogrh_err *err);

#endif
