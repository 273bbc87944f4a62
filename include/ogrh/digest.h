/*
** ogrh/digest.h
** The four-level digest tree: global components; per raid its own digest (metadata and the
** ordered list of its encounters' names) and its subtree digest; per encounter the six
** components and the encounter digest; the root over everything. 64-bit XXH3 over the
** canonical encoding of docs/PROTOCOL.md §3; a parent hashes its children's digests in a fixed
** order. Kept incrementally when attached to a document. Also: the addon's own 31-bit
** HashString over SimpleSerialize, for comparison with what players see in game.
** Trees are read-only to callers; not thread-safe.
*/
#ifndef OGRH_DIGEST_H
#define OGRH_DIGEST_H

#include "ogrh/doc.h"

typedef uint64_t ogrh_digest;

typedef struct ogrh_dt_enc {
  const char *name; /* the encounter's `name` (not NUL-free in general), owned by the tree */
  uint32_t name_len;
  uint32_t occ;  /* 1 for the first encounter of this name in the raid, 2 for the next... */
  int64_t index; /* key in the raid's encounters table */
  ogrh_digest comp[OGRH_NCOMPONENTS];
  ogrh_digest digest;
  const ogrh_table *tbl; /* private: the encounter table these digests were computed from */
} ogrh_dt_enc;

typedef struct ogrh_dt_raid {
  const char *name;
  uint32_t name_len, occ;
  int64_t index; /* key in encounterMgmt.raids */
  ogrh_digest meta, list, own, digest;
  ogrh_dt_enc *encs;
  size_t nencs, capencs;
  bool partial;          /* encounters unknown (a poll carries only raid digests) */
  const ogrh_table *tbl; /* private: the raid table */
  ogrh_digest *dig;      /* private: own, then every encounter digest, packed for hashing */
  size_t capdig;
} ogrh_dt_raid;

typedef struct ogrh_dtree {
  ogrh_digest root;
  ogrh_digest global[OGRH_NGLOBALS];
  ogrh_digest raidlist; /* names and order of the raids */
  ogrh_dt_raid *raids;
  size_t nraids, capraids;
  bool partial; /* some raids carry no encounters */
  struct ogrh_dtree_priv *priv;
  ogrh_digest *rdig; /* private: globals, raid list, count, raid digests, packed for hashing */
  size_t caprdig;
} ogrh_dtree;

/* Computes the whole tree of a document. */
int ogrh_dtree_build(ogrh_doc *d, ogrh_dtree **out);
/* The same, for any schema root value (staging copies, backups). */
int ogrh_dtree_build_root(const ogrh_value *root, ogrh_dtree **out);
void ogrh_dtree_free(ogrh_dtree *t);

/*
** Subscribes the tree to the document's change records: each write marks only the dirty
** path, and ogrh_dtree_update recomputes just that. The tree must have been built from d.
*/
int ogrh_dtree_attach(ogrh_dtree *t, ogrh_doc *d);
void ogrh_dtree_detach(ogrh_dtree *t);
/* Recomputes what writes made dirty (called by every accessor below as well). */
int ogrh_dtree_update(ogrh_dtree *t);

/*
** Scrub: recomputes everything from the document and compares. OGRH_OK when the tree is
** right; OGRH_EVERIFY with one line per difference appended to report (if not NULL).
*/
int ogrh_dtree_verify(ogrh_dtree *t, ogrh_buf *report);

/* Deep equality of every digest (and of names and indexes) of two trees. */
bool ogrh_dtree_equal(const ogrh_dtree *a, const ogrh_dtree *b);

/* A copy that keeps only root, global, raid-list and raid digests (what a poll carries). */
int ogrh_dtree_poll_copy(const ogrh_dtree *t, ogrh_dtree **out);

/* Lookups by identity (name + occurrence); NULL when absent. */
const ogrh_dt_raid *ogrh_dtree_find_raid(const ogrh_dtree *t, const char *name, size_t len,
                                         uint32_t occ);
const ogrh_dt_enc *ogrh_dtree_find_enc(const ogrh_dt_raid *r, const char *name, size_t len,
                                       uint32_t occ);

/* The canonical encoding and the component projections are in ogrh/schema.h. */

/*
** The digest of component c (0..5) of an encounter table (NULL = absent) into *out, using
** scratch for its encoding. OGRH_ENOMEM when the encoding does not fit in memory.
*/
int ogrh_component_digest(const ogrh_table *enc, int c, ogrh_buf *scratch, ogrh_digest *out);

/* Compatibility with the addon (research §3.1-3.2). Not used for sync. */
uint32_t ogrh_compat_hash(const char *s, size_t n);
int ogrh_compat_serialize(const ogrh_value *v, ogrh_buf *b);
/* Text form as the addon prints it: "0" for empty input, else the decimal value. */
void ogrh_compat_hash_text(const char *s, size_t n, char out[16]);

#endif
