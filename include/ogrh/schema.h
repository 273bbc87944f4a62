/*
** ogrh/schema.h
** The OGRH v2 layout in one place: what part of the schema root is the synced plan, the keys
** that lead to raids and encounters, the six components of an encounter and the three global
** components (one table each), and what every module does with a component: project it out of
** an encounter, encode it canonically, set it back into an encounter, locate it for a
** path-level comparison. Also the canonical encoding itself (docs/PROTOCOL.md §3), the bytes
** every digest, backup blob and repair size is made of.
**
** A seventh component is one row of OGRH_COMPONENT_MAP: its kind says where it lives in an
** encounter, and projection, encoding, setting, locating, path scopes, digests, validation,
** repair and backups follow from the row.
**
** Everything here works on values only (no document, no file); nothing is thread-unsafe
** beyond the values and buffers passed in.
*/
#ifndef OGRH_SCHEMA_H
#define OGRH_SCHEMA_H

#include "ogrh/alloc.h"
#include "ogrh/error.h"
#include "ogrh/value.h"

/* ---- keys of the layout ---- */

/* The keys that lead from the schema root to raids and encounters: each literal once. */
#define OGRH_SCHEMA_KEY_MAP(XX)                                                                    \
  XX(MGMT, "encounterMgmt")                                                                        \
  XX(RAIDS, "raids")                                                                               \
  XX(ENCOUNTERS, "encounters")                                                                     \
  XX(NAME, "name")

enum {
#define OGRH__XX(id, text) OGRH_K_##id,
  OGRH_SCHEMA_KEY_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_NKEYS
};
/* The keys as string values, ready for lookups, table updates and paths (static storage). */
extern const ogrh_value ogrh_schema_keys[OGRH_NKEYS];
#define OGRH_KEY(id) (&ogrh_schema_keys[OGRH_K_##id])

/* ---- encounter components ---- */

/* Where a component lives in an encounter table E. */
typedef enum {
  OGRH_PART_REST = 0, /* E without every key another component claims (exactly one row) */
  OGRH_PART_KEY,      /* E[key], whole */
  OGRH_PART_ROLES,    /* E[key] (the roles): each role table without the per-slot fields */
  OGRH_PART_SLOT      /* one per-slot field of every role: {role key -> E.roles[k][key]} */
} ogrh_part;

/*
** Where a component lives in the addon's v1 layout (its 1.x files, research §1), relative to
** the schema root R and found by the names RAID and ENC of the raid and the encounter. v1 keeps
** the raids and encounters in R.encounterMgmt.raids as v2 does, but an encounter table there
** holds its metadata only.
*/
typedef enum {
  OGRH_V1_ENCOUNTER = 0, /* the encounter table itself */
  OGRH_V1_COLUMNS, /* R.encounterMgmt[key][RAID][ENC] = {column1 = {role...}, column2 = ...} */
  OGRH_V1_BY_ROLE, /* R[key][RAID][ENC][roleId]: per role, keyed by the role's roleId */
  OGRH_V1_BY_NAME  /* R[key][RAID][ENC] */
} ogrh_v1_place;

/*
** The components, in component order (the order of digests, reports and backups):
** XX(ID, name, part, key, v1 place, v1 key): where the component lives in a v2 encounter, and
** where the v1 layout keeps it. The names are what reports, JSON and the wire call them.
*/
#define OGRH_COMPONENT_MAP(XX)                                                                     \
  XX(METADATA, "encounterMetadata", OGRH_PART_REST, "", OGRH_V1_ENCOUNTER, "")                     \
  XX(ROLES, "roles", OGRH_PART_ROLES, "roles", OGRH_V1_COLUMNS, "roles")                           \
  XX(ASSIGNMENTS, "playerAssignments", OGRH_PART_SLOT, "assignedPlayers", OGRH_V1_BY_ROLE,         \
     "encounterAssignments")                                                                       \
  XX(MARKS, "raidMarks", OGRH_PART_SLOT, "raidMarks", OGRH_V1_BY_ROLE, "encounterRaidMarks")       \
  XX(NUMBERS, "assignmentNumbers", OGRH_PART_SLOT, "assignmentNumbers", OGRH_V1_BY_ROLE,           \
     "encounterAssignmentNumbers")                                                                 \
  XX(ANNOUNCE, "announcements", OGRH_PART_KEY, "announcements", OGRH_V1_BY_NAME,                   \
     "encounterAnnouncements")

enum {
#define OGRH__XX(id, name, part, key, v1, v1key) OGRH_COMP_##id,
  OGRH_COMPONENT_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_NCOMPONENTS
};

/* The components as bits (OGRH_C_METADATA, OGRH_C_ROLES, ...). */
enum {
#define OGRH__XX(id, name, part, key, v1, v1key) OGRH_C_##id = 1 << OGRH_COMP_##id,
  OGRH_COMPONENT_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_C_ALL = (1 << OGRH_NCOMPONENTS) - 1
};

/* One row of the table. */
typedef struct ogrh_component_def {
  const char *name;
  ogrh_part part;
  ogrh_value key; /* the encounter key (KEY, ROLES) or the role field (SLOT); "" for REST */
  ogrh_v1_place v1;
  ogrh_value v1key; /* the table under encounterMgmt (COLUMNS) or under the root; "" */
} ogrh_component_def;

extern const ogrh_component_def ogrh_components[OGRH_NCOMPONENTS];

/* The name of component c, "?" outside 0..OGRH_NCOMPONENTS-1. */
const char *ogrh_component_name(int c);
/* The index of a component name, -1 if unknown. */
int ogrh_component_index(const char *name);

/*
** The components (OGRH_C_* bits) a write at seg[0..n) inside an encounter can change; n == 0
** is the whole encounter (OGRH_C_ALL). Pure.
*/
unsigned ogrh_component_mask_at(const ogrh_value *seg, size_t n);

/*
** Component c of encounter enc as a value (nil when enc is NULL or the component is absent).
** Shares leaves with enc; the tables it has to build live in a. OGRH_EINVAL for a bad c.
*/
int ogrh_component_project(ogrh_arena *a, const ogrh_table *enc, int c, ogrh_value *out);

/*
** Appends the canonical encoding of component c of enc (NULL encodes nil) to b: the encoding
** of its projection, written without building the projection.
*/
int ogrh_component_encode(const ogrh_table *enc, int c, ogrh_buf *b);

/*
** Encodes every component in mask (OGRH_C_* bits) of enc into out[c], each buffer emptied
** first; the other buffers are left alone. When several role-based components are asked, one
** pass over the roles writes them all. The bytes are exactly ogrh_component_encode's (test_schema
** checks every mask on the factory, generated and odd encounters).
*/
int ogrh_components_encode(const ogrh_table *enc, unsigned mask, ogrh_buf out[OGRH_NCOMPONENTS]);

/*
** Sets component c of the encounter table enc (which must live in arena a, or in memory that
** outlives it) to v, a projection as ogrh_component_project makes it, leaving every other
** component as it was. v's values are referenced, not copied. Only enc itself is modified:
** the tables that change are rebuilt in a, so tables shared with other trees stay intact.
** OGRH_ECORRUPT when v cannot be the projection of any encounter (a metadata table holding a
** key another component claims, a role holding a per-slot field, a per-slot value for a role
** that is not a table in enc); enc is then unchanged, as it is on OGRH_ENOMEM.
*/
int ogrh_component_set(ogrh_arena *a, ogrh_table *enc, int c, const ogrh_value *v);

/*
** An encounter table assembled from its components (comp[c] as ogrh_component_project makes
** them; comp[OGRH_COMP_METADATA] must be a table): the inverse of projecting every
** component. New tables live in a; leaves are shared with comp. OGRH_ECORRUPT as for
** ogrh_component_set.
*/
int ogrh_encounter_assemble(ogrh_arena *a, const ogrh_value comp[OGRH_NCOMPONENTS],
                            ogrh_table **out);

/*
** Where the top-level key k of component c's projection sits in the encounter: the segments
** of its path relative to the encounter (at most 3: `k`, `announcements.k`, `roles.k`,
** `roles.k.assignedPlayers`). k == NULL locates the projection itself (0 or 1 segment; for a
** SLOT component, the roles table holding its fields). Path-level comparisons walk two
** projections and report each difference at the path this gives.
*/
void ogrh_component_locate(int c, const ogrh_value *k, ogrh_value seg[3], size_t *n);

/* ---- global components ---- */

/* XX(ID, name, key under the schema root). */
#define OGRH_GLOBAL_MAP(XX)                                                                        \
  XX(TRADEITEMS, "tradeItems", "tradeItems")                                                       \
  XX(CONSUMES, "consumes", "consumes")                                                             \
  XX(ROLESUI, "rolesUI", "roles")

enum {
#define OGRH__XX(id, name, key) OGRH_G_##id,
  OGRH_GLOBAL_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_NGLOBALS
};

const char *ogrh_global_name(int g);     /* "tradeItems", "consumes", "rolesUI"; "?" if bad */
const char *ogrh_global_key(int g);      /* the key under the schema root: ..., "roles" */
int ogrh_global_index(const char *name); /* accepts the name or the key; -1 if unknown */
/* The key of global g as a string value (static storage), NULL if g is bad. */
const ogrh_value *ogrh_global_keyv(int g);
/* The value of global g under a schema root (NULL when absent or when root is no table). */
const ogrh_value *ogrh_global_get(const ogrh_value *root, int g);

/* ---- raids and encounters ---- */

/* encounterMgmt.raids of a schema root, or NULL. */
ogrh_table *ogrh_schema_raids(const ogrh_value *root);
/* A raid's `encounters` table, or NULL. */
ogrh_table *ogrh_raid_encounters(const ogrh_table *raid);
/* A raid or an encounter: an entry of its list with an integer key and a table value. */
bool ogrh_is_item(const ogrh_entry *e);
/* The `name` string of a raid or encounter table ("" when it has none; len may be NULL). */
const char *ogrh_table_name(const ogrh_table *t, size_t *len);
/* The item of list with this identity (name and occurrence, 1 for the first), or NULL. */
ogrh_entry *ogrh_item_find(const ogrh_table *list, const char *name, size_t len, uint32_t occ);
/* The occurrence number of item e among the same-named items of list. */
uint32_t ogrh_item_occ(const ogrh_table *list, const ogrh_entry *e);

/* Appends the canonical encoding of a raid's own metadata: the raid without `encounters`. */
int ogrh_raid_meta_encode(const ogrh_table *raid, ogrh_buf *b);
/*
** Appends the canonical encoding of a list's names: {key -> that item's `name`} over every
** entry (a non-table entry as the byte 7f and its own encoding); NULL encodes nil.
*/
int ogrh_list_names_encode(const ogrh_table *list, ogrh_buf *b);

/* ---- the synced plan ----
** What is synced: encounterMgmt (the raids, their encounters and the six components) and the
** three global components. Every other key of the schema root (ui, recruitment, invites,
** permissions, unknown keys...) and every other variable of the file is the player's own:
** never sent, never compared, never overwritten by a repair; backups keep it.
*/

/* True for a key of the schema root that belongs to the synced plan. */
bool ogrh_schema_is_synced(const ogrh_value *key);
/*
** The synced part of a schema root: a new table (in a) holding only the synced keys of root
** (of its view, for a v1 root: see the layouts below), sharing their values. root may be NULL
** or not a table (an empty table then).
*/
int ogrh_schema_synced(ogrh_arena *a, const ogrh_value *root, ogrh_value *out);
/*
** Replaces the synced part of the table root (in arena a) with the synced keys of src (a
** schema root or its synced part; NULL or a non-table means none): synced keys absent from
** src are removed, every other key of root is kept as it is. Values are referenced, not
** copied. On error root is unchanged.
*/
int ogrh_schema_replace_synced(ogrh_arena *a, ogrh_table *root, const ogrh_value *src);
/* The number of keys outside the synced plan whose values differ between two schema roots. */
size_t ogrh_schema_unsynced_differences(const ogrh_value *a, const ogrh_value *b);

/* ---- layouts ----
** A schema root holds the plan in one of two layouts: v2, the six components inside each
** encounter table; or v1 (the addon's 1.x files), the places of OGRH_COMPONENT_MAP's v1
** column, keyed by raid and encounter name. The root's content alone decides which, so that
** every module handed a root (a file's, a staged copy, a backup) decides alike: a root is v1
** when it holds a table at one of the v1 places (encounterMgmt.roles, encounterAssignments,
** encounterRaidMarks, encounterAssignmentNumbers, encounterAnnouncements).
**
** Everything above the file layer reads a v1 root through its view: the v2-shaped root whose
** encounters are assembled from the v1 places (docs/PROTOCOL.md §1.4). The view is exactly what
** the fixed migration writes (ogrh/migrate.h), so a v1 file and its migration have the same
** digests and the same findings. ogrh_v1_store is the view's inverse.
*/
typedef enum { OGRH_LAYOUT_V2 = 0, OGRH_LAYOUT_V1 = 1 } ogrh_layout;

/* The layout of a schema root (OGRH_LAYOUT_V2 for NULL or a non-table). */
ogrh_layout ogrh_schema_layout(const ogrh_value *root);
/* True for a key under the schema root that names a v1 place (encounterAssignments, ...). */
bool ogrh_schema_is_v1_key(const ogrh_value *key);
/* The value at component c's v1 place for the names raid and enc (string values), or NULL. */
const ogrh_value *ogrh_v1_place_get(const ogrh_table *root, int c, const ogrh_value *raid,
                                    const ogrh_value *enc);

/*
** The view of a schema root: root itself (nothing built) for a v2 root or a non-table; for a
** v1 root, a new root table in a with every key of root but the v1 places, and encounterMgmt
** as the fixed migration writes it: {raids = the raid list with every encounter assembled by
** ogrh_v1_encounter, schemaVersion = 2} (no encounterMgmt when v1 has no raid list). Leaves
** and untouched tables are shared with root. NULL views as nil.
*/
int ogrh_schema_view(ogrh_arena *a, const ogrh_value *root, ogrh_value *out);

/*
** One encounter of a v1 root as its view holds it: enc (an encounter of raid) without `roles`
** and `announcements`, plus the components at the v1 places of the raid's and the encounter's
** names (both must be strings, else the encounter has no places):
**   roles          the table entries of column1, then of column2, each in key order, numbered
**                  from 1; each a new table without the per-slot fields, with column = 1 or 2;
**   per-slot data  each role gets R[key][raid][enc][its roleId], when there is one;
**   announcements  R.encounterAnnouncements[raid][enc].
** Data no role can reach (a roleId no role has, a per-slot field kept inside a v1 role, a key
** of the roles place other than column1/column2, places of names no encounter has) is part of
** no component; the migration reports it (research E-cases).
*/
int ogrh_v1_encounter(ogrh_arena *a, const ogrh_table *root, const ogrh_table *raid,
                      const ogrh_table *enc, ogrh_table **out);

/*
** The view's inverse: makes the v1 root table `root` (which lives in arena a) hold the raid
** list raids (v2-shaped, as a view holds it), so that its view's raid list equals raids. Only
** what changes meaning is written: the raid list's tables that differ, and the five places of
** each encounter whose data differs; every other table of root stays as it was, so whatever
** the change does not reach stays byte-identical. The places of encounters raids no longer
** holds are removed; places that no encounter reads are left alone. old_view (may be NULL) is
** the raid list whose image root's places are (the view before the change): an encounter equal
** to the one at the same place of it, under a raid of the same name, keeps its places as they
** are. Values of raids are referenced, not copied.
** Built aside and swapped in: on error root is unchanged. OGRH_ECORRUPT (with a sentence in
** why, if not NULL) when v1 cannot hold raids: roles not numbered 1, 2, 3..., a role that is
** not a table or has no column 1 or 2 or comes after a role of a higher column, per-slot data
** of a role without a roleId, roles sharing a roleId with different data, roles or
** announcements of an encounter without a name, same-named encounters with different data.
*/
int ogrh_v1_store(ogrh_arena *a, ogrh_table *root, const ogrh_value *raids,
                  const ogrh_value *old_view, ogrh_buf *why);

/* What the addon adds when it loads a migrated file (research §3): the Active Raid, a raid
** with this id, first in the list; and an encounter of this name first in every raid. */
#define OGRH_ACTIVE_RAID_ID "__active__"
#define OGRH_ADMIN_ENCOUNTER "Admin"

/*
** The raid list of the v2 side of a file of both layouts as its v1 side holds it: raids
** without the Active Raid, and without the Admin encounter at key 1 of a raid whose v1
** counterpart (the raid at the same key of v1root's list, after the Active Raid is taken out)
** does not start with one (v1 files may: research E5). Integer keys above a dropped entry move
** down by one. *out is raids itself (nothing built) when there is nothing to drop.
*/
int ogrh_v1_image(ogrh_arena *a, const ogrh_value *raids, const ogrh_table *v1root,
                  ogrh_value *out);

/* ---- canonical encoding (docs/PROTOCOL.md §3) ---- */

/* Appends the canonical encoding of v to b (which stays NUL-terminated). */
int ogrh_canon_encode(const ogrh_value *v, ogrh_buf *b);

/*
** Decodes one canonical encoding from p[0..n) into arena a. Never reads past n, refuses
** non-canonical input (keys out of order or duplicated, invalid key types, nil values in
** tables, NaN, trailing bytes when `exact`) with OGRH_ECORRUPT, and nests at most
** OGRH_MAX_DEPTH tables (OGRH_EDEPTH). *used (if not NULL) gets the bytes consumed.
** Memory: whatever the counts in the input claim, the decoder allocates only for entries that
** really arrive; everything it holds at once (its scratch and what it asks of a fresh arena)
** stays under 32 bytes per input byte plus 8 KiB (docs/PROTOCOL.md §3).
*/
int ogrh_canon_decode(ogrh_arena *a, const uint8_t *p, size_t n, bool exact, ogrh_value *out,
                      size_t *used);
/* The same with another nesting limit: formats that wrap a file's values in k more tables
** read them back with OGRH_MAX_DEPTH + k (see the depth rule in ogrh/value.h). */
int ogrh_canon_decode_depth(ogrh_arena *a, const uint8_t *p, size_t n, bool exact, size_t max_depth,
                            ogrh_value *out, size_t *used);

#endif
