/*
** backup_store.h (private)
** The object store under the backup modules: content-addressed objects, the zstd segments
** that hold blobs, the store file's format with its parity (docs/PROTOCOL.md §6), the lock,
** and the one atomic save. The snapshot, catalog and export modules and backup.c build on it.
*/
#ifndef OGRH_BACKUP_STORE_H
#define OGRH_BACKUP_STORE_H

#include "backup_catalog.h"
#include "ogrh/util.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem: zstd allocates through ogrh_malloc */
#include <zstd.h>
#include <zstd_errors.h>

/* Where an object's bytes are. */
enum { BK_PENDING = 0, BK_RAW = 1, BK_SEG = 2 };
/* What a check of an object's bytes found (kept so each object is checked once). */
enum { BK_UNCHECKED = 0, BK_GOOD = 1, BK_BAD = 2 };

typedef struct bk_obj {
  uint32_t id, check, raw_len;
  uint32_t seg, off;   /* BK_SEG: which segment, where in its decompressed bytes */
  const uint8_t *data; /* BK_PENDING / BK_RAW: the raw bytes; BK_SEG: not NULL (slot used) */
  uint64_t dig;        /* encounter and raid trees: the digest of what they hold (else 0) */
  uint8_t where, state;
  uint8_t walk; /* during a save: 0 not reached, 1 reached and complete, 2 reached, incomplete */
} bk_obj;

/*
** A segment is one zstd frame holding blobs back to back. Compressing the blobs of one save
** together costs about what compressing the file once does, where one frame per small object
** cost several times more; every object keeps its own checksum inside.
*/
typedef struct bk_seg {
  uint32_t id, raw_len, stored_len;
  uint32_t first, nobj; /* its objects: segobj[first .. first + nobj) */
  uint64_t check;       /* XXH3-64 of the stored bytes */
  const uint8_t *data;  /* stored bytes, in the loaded file */
  uint8_t *cache;       /* decompressed bytes once needed (raw_len + 1) */
  uint64_t live;        /* during a save: live raw bytes */
  uint8_t state;        /* BK_BAD once it failed its checksum or did not decompress */
} bk_seg;

/* Digest -> tree object id, to reuse the trees of unchanged raids and encounters. */
typedef struct bk_digmap {
  uint64_t *key;
  uint32_t *val;
  size_t n, cap;
} bk_digmap;

/* Everything read from one store file, plus the objects added since. */
typedef struct bk_state {
  ogrh_buf file; /* the store file's bytes: objects and segments point into them */
  bk_obj *objs;  /* open addressing on id */
  size_t nobjs, capobjs;
  bk_digmap trees;
  bk_seg *segs;
  size_t nsegs, capsegs;
  uint32_t *segobj;          /* the objects of every segment in order: segment i has */
  size_t nsegobj, capsegobj; /* segobj[first .. first + nobj) */
  bk_cat cat;
  uint32_t next_id, next_seg;
  ogrh_arena *pending; /* raw bytes of objects added since the store was read (or NULL) */
  ogrh_buf pblob;      /* or of blobs, back to back, while the room bk_reserve_blobs made lasts */
  uint32_t *pend;      /* their ids, in the order they were added */
  size_t npend, cappend;
  bool on_disk; /* read from an existing file */
  ogrh_store_health health;
  char note[400];
} bk_state;

struct ogrh_store {
  char *dir, *path; /* FILE.backups and FILE.backups/store.ogrhbk */
  size_t dirlen, pathlen;
  int lockfd; /* -1 while the folder does not exist */
  bool readonly;
  bool made_dir; /* the folder was created by this store object (removed if its write fails) */
  bk_state st;
  ZSTD_CCtx *cctx;
  ZSTD_DCtx *dctx;
};

/* How long an open waits for another process's lock (tests shorten it). */
extern unsigned bk_lock_wait_ms;

/* zstd's allocator: the project's. */
extern const ZSTD_customMem bk_zstd_mem;

/* Largest snapshot (decoded bytes) anything reads or writes. */
#define BK_MAX_SNAPSHOT (256u << 20)
/* A segment decompresses to at most this many bytes per stored byte (plus BK_SEG_SLACK): a
** save stores blobs raw instead when they compress better than that. */
#define BK_SEG_RATIO 64u
#define BK_SEG_SLACK 1024u
/* A snapshot decodes to at most BK_EXPAND_RATIO bytes per byte of the store file, plus
** BK_EXPAND_SLACK (bounds what reading a damaged or hostile store can allocate). */
#define BK_EXPAND_RATIO 64u
#define BK_EXPAND_SLACK (16u << 20)

/*
** The allocation bounds docs/PROTOCOL.md §6 states (tests check them): decoding an export
** line of n bytes holds at most BK_LINE_ALLOC_FIXED + BK_LINE_ALLOC_PER_BYTE * n bytes at
** once; opening a store file of n bytes holds at most BK_OPEN_ALLOC_PER_BYTE * n bytes
** besides the file's own.
*/
#define BK_LINE_ALLOC_FIXED (512 << 10)
#define BK_LINE_ALLOC_PER_BYTE 2400
/* An export line decompresses to at most this many bytes per byte of the line (real plans:
** 8 to 31). */
#define BK_EXPORT_RATIO 64u
#define BK_OPEN_ALLOC_PER_BYTE 24

/* True when every stored byte was verified on open (objects need no check before reuse). */
static inline bool bk_trusted(const ogrh_store *s) {
  return s->st.health == OGRH_STORE_OK || s->st.health == OGRH_STORE_REPAIRED;
}

/* ---- little-endian fields and varints of the store's formats ---- */

typedef struct bk_rd {
  const uint8_t *p, *end;
} bk_rd;

static inline uint64_t bk_le64(const uint8_t *p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; i--)
    x = (x << 8) | p[i];
  return x;
}
static inline int bk_get_u32(bk_rd *r, uint32_t *v) {
  if (r->end - r->p < 4) return OGRH_ECORRUPT;
  *v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
       (uint32_t)r->p[3] << 24;
  r->p += 4;
  return OGRH_OK;
}
static inline int bk_get_u64(bk_rd *r, uint64_t *v) {
  if (r->end - r->p < 8) return OGRH_ECORRUPT;
  *v = bk_le64(r->p);
  r->p += 8;
  return OGRH_OK;
}
static inline int bk_get_varint(bk_rd *r, uint64_t *v) {
  return ogrh_varint_get(&r->p, r->end, v);
}
/* Appends; a failure is remembered by the buffer (ogrh_buf_error). */
static inline void bk_put_u32(ogrh_buf *b, uint32_t v) {
  unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  ogrh_buf_add(b, x, 4);
}
static inline void bk_put_u64(ogrh_buf *b, uint64_t v) {
  unsigned char x[8];
  for (int i = 0; i < 8; i++)
    x[i] = (unsigned char)(v >> (8 * i));
  ogrh_buf_add(b, x, 8);
}

/* ---- objects ---- */

/*
** Adds an object (or finds the same bytes already stored) and gives its id. In a store that
** is not trusted, an existing copy is checked first and replaced when it is damaged, so what
** a new backup refers to is always readable.
*/
int bk_put(ogrh_store *s, const void *raw, size_t n, uint32_t *id);
/* The raw bytes of an object, verified; copied into a when a is not NULL (else they stay
** valid until the next change to the store). */
int bk_get(ogrh_store *s, uint32_t id, ogrh_arena *a, const uint8_t **out, size_t *n,
           ogrh_err *err);
/* An object's size and, unless it sits in a segment (blobs do, trees never), its bytes
** (*p NULL otherwise); nothing is decompressed or checked. OGRH_ECORRUPT when missing. */
int bk_peek(ogrh_store *s, uint32_t id, const uint8_t **p, size_t *n);
/* The tree object stored for digest dig, when it and everything under it can be reused. */
bool bk_tree_reuse(ogrh_store *s, uint64_t dig, uint32_t *id);
/*
** Room for about n bytes of new blobs, added back to back so that a save compresses them where
** they are instead of gathering a copy (a hint: nothing fails without it). Before the first
** object of a snapshot.
*/
void bk_reserve_blobs(ogrh_store *s, size_t n);
/* Whether a tree object is stored for digest dig (nothing is checked: bk_tree_reuse says
** whether it can be reused). */
bool bk_tree_known(const ogrh_store *s, uint64_t dig);
/* Calls fn for every object a tree object (E, R, S) refers to; OGRH_ECORRUPT when malformed.
** Blobs refer to nothing. */
int bk_tree_each_child(const uint8_t *p, size_t n, int (*fn)(void *ud, uint32_t id), void *ud);

/* ---- the store file ---- */

/*
** Reads store-file bytes into st (zeroed by the caller), taking over file. Damage is not an
** error: it is said by st->health and st->note. Fails only when out of memory.
*/
int bk_state_load(bk_state *st, ogrh_buf *file, const char *name, ogrh_err *err);
void bk_state_free(bk_state *st);

/*
** Writes the store with catalog cat[0..n) (newest first) and every object it reaches: builds
** the new bytes, parses them back, then replaces the file atomically. fresh_id names the
** backup whose stored_size this save measures (0: none) and fresh_expanded its decoded size
** (refused with OGRH_ETOOBIG beyond what a reader would accept). On success s holds the new
** state and, when old is not NULL, the previous state moves there (for bk_undo_save);
** on failure nothing changed on disk and s is as it was.
*/
int bk_save(ogrh_store *s, const ogrh_backup_info *cat, size_t n, uint32_t next_id,
            uint32_t fresh_id, uint64_t fresh_expanded, bk_state *old, ogrh_err *err);
/* Puts back the store file and state that bk_save handed over in old. */
int bk_undo_save(ogrh_store *s, bk_state *old, ogrh_err *err);

/*
** Copies the bytes of a file that could not be snapshotted into the store's folder as
** PREFIX-NOW.lua (-2, -3... when taken); path (cap bytes) gets where.
*/
int bk_keep_file(ogrh_store *s, const char *prefix, int64_t now, const void *p, size_t n,
                 char *path, size_t cap, ogrh_err *err);

/* For tests and fuzzing: a read-only store over the bytes of a store file (no folder, no
** lock). */
int bk_store_from_bytes(const void *p, size_t n, ogrh_store **out);

/* For tests: the bytes of the store file whose damage makes object id unreadable (a blob in
** a segment needs the segment's whole frame). OGRH_ENOTFOUND for a missing or pending one. */
int bk_object_range(const ogrh_store *s, uint32_t id, size_t *off, size_t *len);

/* Most bytes a snapshot of this store may decode to. */
uint64_t bk_expand_limit(uint64_t store_bytes);

#endif
