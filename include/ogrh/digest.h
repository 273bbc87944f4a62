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

/* A digest tree. Opaque: read it through the functions below. */
typedef struct ogrh_dtree ogrh_dtree;

/* ---- building and keeping a tree ---- */

/* Computes the whole tree of a document (of its schema root; an empty tree when none). */
int ogrh_dtree_build(ogrh_doc *d, ogrh_dtree **out);
/* The same, for any schema root value (staging copies, backups; NULL means none). The tree
** keeps no pointer into root once built. */
int ogrh_dtree_build_root(const ogrh_value *root, ogrh_dtree **out);
/*
** The same as ogrh_dtree_build_root, telling fn about every encounter as it is hashed: its
** ordinal among the items of its raid (enc) in the raid's ordinal among the raid items (raid),
** the encounter table hashed (for a v1 root, a table of the view, not of the file), the six
** component encodings ogrh_components_encode made of it, and its digest. What fn is given is
** valid during the call only. A backup stores these encodings instead of making them again.
** A status other than OGRH_OK from fn stops the build and is returned.
*/
typedef int (*ogrh_dtree_enc_fn)(void *ud, size_t raid, size_t enc, const ogrh_table *tbl,
                                 const ogrh_buf comp[OGRH_NCOMPONENTS], ogrh_digest digest);
int ogrh_dtree_build_root_each(const ogrh_value *root, ogrh_dtree_enc_fn fn, void *ud,
                               ogrh_dtree **out);
/* Frees a tree (detaching it first). NULL is a no-op. */
void ogrh_dtree_free(ogrh_dtree *t);

/*
** Subscribes the tree to the document's change records: each write marks only the dirty
** path, and ogrh_dtree_update recomputes just that. The tree must have been built from d, and
** must be freed or detached before d is freed.
*/
int ogrh_dtree_attach(ogrh_dtree *t, ogrh_doc *d);
void ogrh_dtree_detach(ogrh_dtree *t);
/*
** Brings an attached tree up to date with its document (recomputes what writes made dirty;
** everything after a compaction of the document). On failure (OGRH_ENOMEM) the tree is stale:
** every read below fails until an update succeeds, and that update rebuilds the whole tree.
*/
int ogrh_dtree_update(ogrh_dtree *t);

/*
** Scrub: brings the tree up to date, recomputes everything from the document and compares.
** OGRH_OK when the tree is right; OGRH_EVERIFY with one line per difference appended to report
** (if not NULL).
*/
int ogrh_dtree_verify(ogrh_dtree *t, ogrh_buf *report);

/* A copy that keeps only root, global, raid-list and raid digests (what a poll carries). */
int ogrh_dtree_poll_copy(const ogrh_dtree *t, ogrh_dtree **out);

/* ---- reading a tree ----
** A tree can be read when it is current: built, or updated since the last write to its
** document. Reads of a tree that is not (writes pending, or the last update failed) return
** OGRH_EAGAIN: call ogrh_dtree_update. So a digest read with OGRH_OK is always the digest of
** the data. The views below point into the tree and stay valid until the next update, attach,
** poll copy or free of that tree; names are not NUL-terminated in general.
*/

/* The top of the tree: what a poll carries besides the raid digests. */
typedef struct ogrh_dt_top {
  ogrh_digest root;
  ogrh_digest global[OGRH_NGLOBALS]; /* per global component, OGRH_G_* order */
  ogrh_digest raidlist;              /* names and order of the raids */
  size_t nraids;
  bool partial; /* the raids carry no encounters (a poll copy) */
} ogrh_dt_top;

/* One encounter. */
typedef struct ogrh_dt_enc {
  const char *name; /* the encounter's `name` ("" when it has none) */
  uint32_t name_len;
  uint32_t occ;  /* 1 for the first encounter of this name in the raid, 2 for the next... */
  int64_t index; /* key in the raid's encounters table */
  ogrh_digest comp[OGRH_NCOMPONENTS]; /* per component, OGRH_COMP_* order */
  ogrh_digest digest;
} ogrh_dt_enc;

/* One raid, with its encounters in key order. */
typedef struct ogrh_dt_raid {
  const char *name;
  uint32_t name_len, occ;
  int64_t index;           /* key in encounterMgmt.raids */
  ogrh_digest meta, list;  /* its metadata; the names and order of its encounters */
  ogrh_digest own, digest; /* its own level (meta + list); the whole raid */
  const ogrh_dt_enc *encs;
  size_t nencs;
  bool partial; /* encounters unknown (a poll copy carries only raid digests) */
} ogrh_dt_raid;

int ogrh_dtree_top(const ogrh_dtree *t, ogrh_dt_top *out);
int ogrh_dtree_root(const ogrh_dtree *t, ogrh_digest *out);
/* The i-th raid in key order; OGRH_ENOTFOUND when i >= the raid count. */
int ogrh_dtree_raid(const ogrh_dtree *t, size_t i, const ogrh_dt_raid **out);
/* Lookups by identity (name + occurrence); OGRH_ENOTFOUND when absent (*out NULL). */
int ogrh_dtree_find_raid(const ogrh_dtree *t, const char *name, size_t len, uint32_t occ,
                         const ogrh_dt_raid **out);
int ogrh_dtree_find_enc(const ogrh_dt_raid *r, const char *name, size_t len, uint32_t occ,
                        const ogrh_dt_enc **out);

/*
** Deep equality of every digest (and of names and indexes) of two trees; false when either
** cannot be read.
*/
bool ogrh_dtree_equal(const ogrh_dtree *a, const ogrh_dtree *b);

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
