/*
** ogrh/doc.h
** The OGRH document: a SavedVariables file that knows the OGRH v2 layout, and the SVM path
** API (Get / Set / SetPath / Delete) with sync metadata and change records.
**
** Layout: the schema root is OGRH_SV.v2 when OGRH_SV.schemaVersion == "v2", else OGRH_SV.
** Under it: encounterMgmt.raids[i].encounters[j] with the six encounter components, and the
** global components tradeItems, consumes and roles (shown as "rolesUI").
** Not thread-safe: one document, one thread.
*/
#ifndef OGRH_DOC_H
#define OGRH_DOC_H

#include "ogrh/error.h"
#include "ogrh/schema.h"
#include "ogrh/svfile.h"
#include "ogrh/value.h"

/* ---- paths ---- */

#define OGRH_PATH_MAX 64

/*
** A parsed path such as `encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers.3`.
** Numeric segments are integer keys; `["Raid Admin"]` or `[7]` reaches any key (a quoted
** segment may contain dots, spaces or digits). Segment strings live in `text`.
*/
typedef struct ogrh_path {
  size_t n;
  ogrh_value seg[OGRH_PATH_MAX];
  char text[1024];
} ogrh_path;

int ogrh_path_parse(const char *s, ogrh_path *out, ogrh_err *err);
/* Appends the canonical text form (quoted where needed) of segments [0, n) to b. */
int ogrh_path_format(const ogrh_path *p, size_t n, ogrh_buf *b);

/* ---- scopes ---- */

/* The components (OGRH_C_*, OGRH_NCOMPONENTS) and global components (OGRH_G_*, OGRH_NGLOBALS)
** are defined in ogrh/schema.h. */

typedef enum {
  OGRH_SCOPE_OTHER = 0, /* outside the synced data (ui, permissions, ...) */
  OGRH_SCOPE_ALL,       /* the whole schema root, encounterMgmt, or the raids list */
  OGRH_SCOPE_GLOBAL,    /* one global component */
  OGRH_SCOPE_RAID,      /* raid metadata, its encounter list, or everything in it */
  OGRH_SCOPE_ENCOUNTER  /* components of one encounter */
} ogrh_scope_kind;

/* What a path touches. Raid and encounter are 1-based indexes as in the file. */
typedef struct ogrh_scope {
  ogrh_scope_kind kind;
  int global;          /* OGRH_SCOPE_GLOBAL */
  int64_t raid;        /* RAID, ENCOUNTER */
  int64_t encounter;   /* ENCOUNTER */
  unsigned components; /* ENCOUNTER: OGRH_C_* bits */
  bool raid_meta;      /* RAID: the raid's own level (metadata or encounter list) changes */
  bool raid_all;       /* RAID: every encounter of the raid may change */
} ogrh_scope;

/* The scope of a path relative to the schema root. Pure: looks at the path only. */
void ogrh_path_scope(const ogrh_path *p, ogrh_scope *out);
/* "raid 2 > encounter 5 > playerAssignments" and the like, for messages. */
int ogrh_scope_format(const ogrh_scope *s, ogrh_buf *b);

/* ---- sync metadata and change records ---- */

/* XX(ID, name): the SVM's sync levels. */
#define OGRH_SYNC_LEVEL_MAP(XX)                                                                    \
  XX(NONE, "NONE")                                                                                 \
  XX(REALTIME, "REALTIME")                                                                         \
  XX(BATCH, "BATCH")                                                                               \
  XX(GRANULAR, "GRANULAR")                                                                         \
  XX(MANUAL, "MANUAL")

typedef enum {
#define OGRH__XX(id, name) OGRH_SYNC_##id,
  OGRH_SYNC_LEVEL_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_sync_level;

/* The level's name ("NONE" for a value outside the table). */
const char *ogrh_sync_level_name(ogrh_sync_level l);
/* Parses a level name, case-insensitively; OGRH_EINVAL if unknown. */
int ogrh_sync_level_parse(const char *s, ogrh_sync_level *out);

typedef struct ogrh_sync_meta {
  ogrh_sync_level level;
  const char *component_type; /* "roles", "assignments", "settings", ... or NULL */
  const char *scope;          /* caller's scope label, or NULL */
} ogrh_sync_meta;

/* Delivered to subscribers after every successful write. Pointers are valid during the call
** only; old_value is a copy made before the write. */
typedef struct ogrh_change {
  const ogrh_path *path;
  const char *path_text;
  const ogrh_value *old_value; /* nil if the key did not exist */
  const ogrh_value *new_value; /* nil for a delete */
  const ogrh_sync_meta *meta;  /* NULL when the write carried none */
  ogrh_scope scope;
  uint64_t revision; /* the document revision this write produced */
} ogrh_change;

typedef void (*ogrh_change_fn)(void *ud, const ogrh_change *c);

/* ---- the document ---- */

typedef struct ogrh_doc ogrh_doc;

/* Takes ownership of f (also on failure). The document need not hold OGRH_SV yet. */
int ogrh_doc_from_svfile(ogrh_svfile *f, ogrh_doc **out, ogrh_err *err);
int ogrh_doc_load(const char *path, ogrh_doc **out, ogrh_err *err);
/* A document of the factory defaults built into the library. */
int ogrh_doc_defaults(ogrh_doc **out, ogrh_err *err);
void ogrh_doc_free(ogrh_doc *d);

int ogrh_doc_save(const ogrh_doc *d, const char *path, ogrh_err *err);
ogrh_svfile *ogrh_doc_svfile(ogrh_doc *d);
ogrh_arena *ogrh_doc_arena(ogrh_doc *d);

/* The schema root of a file (OGRH_SV.v2 when OGRH_SV.schemaVersion == "v2", else OGRH_SV),
** or NULL when there is none. */
ogrh_value *ogrh_svfile_schema_root(const ogrh_svfile *f);

/* The schema root (OGRH_SV.v2 or OGRH_SV), or NULL when the file has no OGRH_SV table. Paths
** are relative to it. */
ogrh_value *ogrh_doc_root(ogrh_doc *d);
/* True when the schema root is OGRH_SV.v2 (OGRH_SV.schemaVersion == "v2"). */
bool ogrh_doc_is_v2(const ogrh_doc *d);

/*
** The layout of the plan under the schema root (ogrh/schema.h): a file whose root is OGRH_SV
** is v1 when it holds the v1 places. A v1 document is read and written in the v2 shape:
**   - ogrh_doc_view gives the root's view (the root itself for v2), and the raid list of
**     ogrh_doc_raids, ogrh_doc_raid, ogrh_doc_encounter, ogrh_doc_stats_get is the view's;
**   - a path under encounterMgmt.raids is read in the view, and a write there goes through
**     the view into the v1 places (ogrh_v1_store; OGRH_ECORRUPT with the reason when v1
**     cannot hold it), so paths, names and repairs of the v2 shape work on a v1 file;
**   - any other path reaches the file's own tables: a write to a v1 place
**     (`["encounterAssignments"].BWL.Razorgore.1.1`) is reported with the scope of the
**     encounter of those names.
** A v2 file whose OGRH_SV still holds the v1 places beside `v2` (ogrh migrate --keep-v1, or
** the addon before its purge) holds both layouts: every write to it is made in v2 and mirrored
** to the v1 side through the same mapping (dual write): the raid list through ogrh_v1_store
** (the Active Raid and the Admin encounters the addon adds are not mirrored: ogrh_v1_image),
** migrationMeta and encounterMgmt's other keys not at all, everything else at the same path.
** A write whose mirror fails is not made. A v2 file without the v1 places is written once.
** In a v1 document every write moves the view: pointers from ogrh_doc_view and the raid
** lookups stay valid until the next write (ogrh_doc_generation changes).
*/
ogrh_layout ogrh_doc_layout(ogrh_doc *d);
/* The view of the schema root (NULL with OGRH_OK when there is no root; OGRH_ENOMEM). */
int ogrh_doc_view(ogrh_doc *d, const ogrh_value **out);
/* Count of accepted writes since load. */
uint64_t ogrh_doc_revision(const ogrh_doc *d);
/*
** Changes whenever the document's values move in memory (a compaction after writes, see
** ogrh_doc_set_parsed): whatever keeps pointers into the document (a digest tree keeps its raid
** and encounter tables) must look them up again when it differs from what it saw.
*/
uint64_t ogrh_doc_generation(const ogrh_doc *d);
/*
** Copies every value into a fresh arena and frees the old one, now (writes do it by themselves
** when the arena holds more than twice the live data). OGRH_ENOMEM leaves the document as it
** was.
*/
int ogrh_doc_compact(ogrh_doc *d);

/* encounterMgmt.raids, or NULL. */
ogrh_table *ogrh_doc_raids(ogrh_doc *d);
/* The raid / encounter tables by 1-based index, or NULL. */
ogrh_table *ogrh_doc_raid(ogrh_doc *d, int64_t raid);
ogrh_table *ogrh_doc_encounter(ogrh_doc *d, int64_t raid, int64_t enc);

/* Get: the value at path (relative to the schema root); OGRH_ENOTFOUND when absent. */
int ogrh_doc_get(ogrh_doc *d, const char *path, const ogrh_value **out, ogrh_err *err);
int ogrh_doc_get_path(ogrh_doc *d, const ogrh_path *p, const ogrh_value **out);

/*
** SVM Set(key, subkey, value): root[key][subkey] = value, creating root[key] = {} if needed;
** subkey NULL sets root[key]. The value is deep-copied into the document.
*/
int ogrh_doc_set(ogrh_doc *d, const char *key, const char *subkey, const ogrh_value *v,
                 const ogrh_sync_meta *meta, ogrh_err *err);

/*
** SetPath: writes value at path, creating missing tables like the addon does (and the schema
** root OGRH_SV.v2 when the file has none); refuses with OGRH_ENOTTABLE (naming the segment) to
** walk through a non-table, and with OGRH_EDEPTH a value that would break the depth rule of
** ogrh/value.h where it lands (so every file a write produces reads back). A nil value deletes.
** Validates and allocates first, mutates last: on any error, out of memory included, nothing
** changed and no subscriber was called.
**
** Every write may compact the document (see ogrh_doc_generation): pointers to its values
** (ogrh_doc_get, ogrh_doc_root, ogrh_doc_raid, ogrh_doc_arena...) are valid until the next
** write, replace or compaction.
*/
int ogrh_doc_set_path(ogrh_doc *d, const char *path, const ogrh_value *v,
                      const ogrh_sync_meta *meta, ogrh_err *err);
int ogrh_doc_set_parsed(ogrh_doc *d, const ogrh_path *p, const ogrh_value *v,
                        const ogrh_sync_meta *meta, ogrh_err *err);

/* Delete: removes the key at path; OGRH_ENOTFOUND when it does not exist. */
int ogrh_doc_delete(ogrh_doc *d, const char *path, const ogrh_sync_meta *meta, ogrh_err *err);

/*
** Replaces the whole schema root with a copy of v (restores, repairs). Subscribers see one
** change with scope ALL and an empty path. The depth rule and atomicity of ogrh_doc_set_parsed.
*/
int ogrh_doc_replace_root(ogrh_doc *d, const ogrh_value *v, const ogrh_sync_meta *meta);

/*
** Replaces the synced plan (encounterMgmt and the global components) with src's, a v2-shaped
** schema root (a view), keeping every other key of the file: in a v1 file the plan goes to
** the v1 places (ogrh_v1_store: only what changes is written). One change record, scope ALL.
** On error nothing changed; err names why (OGRH_ECORRUPT: the v1 layout cannot hold src).
*/
int ogrh_doc_replace_plan(ogrh_doc *d, const ogrh_value *src, const ogrh_sync_meta *meta,
                          ogrh_err *err);

/* Subscribers are called in subscription order. Returns a token for unsubscribe (>0). */
int ogrh_doc_subscribe(ogrh_doc *d, ogrh_change_fn fn, void *ud);
void ogrh_doc_unsubscribe(ogrh_doc *d, int token);

/* Raid/encounter summary for `ogrh stats` and `backup show`. */
typedef struct ogrh_doc_stats {
  size_t raids, encounters, roles, slots, assigned;
} ogrh_doc_stats;
void ogrh_doc_stats_get(ogrh_doc *d, ogrh_doc_stats *st);

#endif
