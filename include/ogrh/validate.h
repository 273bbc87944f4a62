/*
** ogrh/validate.h
** Comparing a local digest tree with a remote one (full, or partial as a poll carries),
** the ValidationResult, its reports, repair plans and their staged, verified application.
** Raids and encounters are matched by name (and occurrence, for repeated names), so inserting
** one encounter never makes every later one look different.
*/
#ifndef OGRH_VALIDATE_H
#define OGRH_VALIDATE_H

#include "ogrh/digest.h"

/* XX(ID, name): the levels at which a difference is found, shallowest first. */
#define OGRH_LEVEL_MAP(XX)                                                                         \
  XX(STRUCTURE, "STRUCTURE")                                                                       \
  XX(GLOBAL, "GLOBAL")                                                                             \
  XX(RAID, "RAID")                                                                                 \
  XX(ENCOUNTER, "ENCOUNTER")                                                                       \
  XX(COMPONENT, "COMPONENT")

typedef enum {
#define OGRH__XX(id, name) OGRH_LEVEL_##id,
  OGRH_LEVEL_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_level;
const char *ogrh_level_name(ogrh_level l);

typedef struct ogrh_vr_enc {
  const char *name;
  uint32_t name_len, occ;
  int64_t local_index, remote_index; /* 0 when absent on that side */
  unsigned components;               /* OGRH_C_* that differ (present on both sides) */
  bool missing_local, extra_local;
} ogrh_vr_enc;

typedef struct ogrh_vr_raid {
  const char *name;
  uint32_t name_len, occ;
  int64_t local_index, remote_index;
  bool missing_local, extra_local;
  bool meta_differs, list_differs; /* the raid's own level */
  bool needs_drilldown;            /* remote tree is partial and this raid differs */
  ogrh_vr_enc *encs;
  size_t nencs;
} ogrh_vr_raid;

typedef struct ogrh_validation {
  bool valid;
  ogrh_level level;    /* deepest level at which a difference was found */
  unsigned globals;    /* bit g set: global component g differs */
  bool raid_list;      /* the raid list (names, order) differs */
  ogrh_vr_raid *raids; /* only raids with a difference */
  size_t nraids;
  ogrh_arena *arena;
} ogrh_validation;

/* Compares local with remote (which may be partial). The result owns copies of every name. */
int ogrh_validate(const ogrh_dtree *local, const ogrh_dtree *remote, ogrh_validation **out);
void ogrh_validation_free(ogrh_validation *v);

/* One line per finding: "Structure mismatch detected: BWL > Razorgore > playerAssignments". */
int ogrh_validation_report(const ogrh_validation *v, ogrh_buf *out);
/* The same as JSON (the addon's ValidationResult shape, plus what it could not say). */
int ogrh_validation_json(const ogrh_validation *v, ogrh_buf *out);

/* ---- repair plans ---- */

/*
** XX(ID, name): the repair units, largest first.
**   FULL       the whole synced plan (encounterMgmt and the global components)
**   RAIDLIST   which raids exist and their order (adds and removes raids)
**   RAID       one raid, whole
**   RAID_META  a raid's own level: metadata and its encounter list
**   ENCOUNTER  one encounter, whole
**   COMPONENT  one component of one encounter
**   GLOBAL     one global component
*/
#define OGRH_UNIT_KIND_MAP(XX)                                                                     \
  XX(FULL, "full")                                                                                 \
  XX(RAIDLIST, "raid-list")                                                                        \
  XX(RAID, "raid")                                                                                 \
  XX(RAID_META, "raid-meta")                                                                       \
  XX(ENCOUNTER, "encounter")                                                                       \
  XX(COMPONENT, "component")                                                                       \
  XX(GLOBAL, "global")

typedef enum {
#define OGRH__XX(id, name) OGRH_UNIT_##id,
  OGRH_UNIT_KIND_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_unit_kind;
const char *ogrh_unit_kind_name(ogrh_unit_kind k);

/* XX(ID, name): repair priorities, most urgent first. */
#define OGRH_PRIORITY_MAP(XX)                                                                      \
  XX(CRITICAL, "CRITICAL")                                                                         \
  XX(HIGH, "HIGH")                                                                                 \
  XX(NORMAL, "NORMAL")                                                                             \
  XX(LOW, "LOW")

typedef enum {
#define OGRH__XX(id, name) OGRH_PRIO_##id,
  OGRH_PRIORITY_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_priority;
const char *ogrh_priority_name(ogrh_priority p);

typedef struct ogrh_repair_unit {
  ogrh_unit_kind kind;
  ogrh_priority priority;
  int index; /* component (0..5) or global (0..2) */
  const char *raid;
  uint32_t raid_len, raid_occ;
  const char *enc;
  uint32_t enc_len, enc_occ;
  int64_t raid_pos, enc_pos; /* positions in the source, for ordering and messages */
  size_t bytes;              /* cost to send: payload + OGRH_UNIT_OVERHEAD */
} ogrh_repair_unit;

/* Fixed cost of sending one unit: addressing header and one channel message's overhead. */
#define OGRH_UNIT_OVERHEAD 48

typedef struct ogrh_repair_plan {
  ogrh_repair_unit *units; /* in priority order */
  size_t n, cap;
  size_t total_bytes;
  ogrh_arena *arena;
} ogrh_repair_plan;

/* XX(ID, name): the levels a repair may be asked at (`ogrh repair --level`). */
#define OGRH_REPAIR_LEVEL_MAP(XX)                                                                  \
  XX(AUTO, "auto")                                                                                 \
  XX(COMPONENT, "component")                                                                       \
  XX(ENCOUNTER, "encounter")                                                                       \
  XX(RAID, "raid")                                                                                 \
  XX(FULL, "full")

typedef enum {
#define OGRH__XX(id, name) OGRH_REPAIR_##id,
  OGRH_REPAIR_LEVEL_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_repair_level;
int ogrh_repair_level_parse(const char *s, ogrh_repair_level *out);

typedef struct ogrh_repair_opts {
  ogrh_repair_level level;
  const char *current_raid; /* raid name the user has selected, or NULL */
  const char *current_enc;  /* encounter name, or NULL */
} ogrh_repair_opts;

/*
** A plan from a full validation of local against source (source_root is the source's schema
** root). AUTO follows the seed's rules (1-2 components -> component repairs, 3+ -> encounter,
** several encounters of a raid -> raid, global -> global) but never escalates to a unit that
** costs more than the units it replaces.
*/
int ogrh_repair_plan_make(const ogrh_validation *v, const ogrh_value *source_root,
                          const ogrh_repair_opts *opts, ogrh_repair_plan **out);
void ogrh_repair_plan_free(ogrh_repair_plan *p);
/* One line per unit: priority, kind, what, bytes. */
int ogrh_repair_plan_format(const ogrh_repair_plan *p, ogrh_buf *out);
/* A readable name for a unit: "BWL > Razorgore > playerAssignments". */
int ogrh_repair_unit_label(const ogrh_repair_unit *u, ogrh_buf *out);

/*
** Applies the plan to target from source, staged: the units are applied to a copy, the copy's
** digests must equal the source's for every unit, and only then does the copy replace the
** target's schema root (one change record, scope ALL). Only the synced plan is touched: a full
** unit replaces encounterMgmt and the global components and keeps every other key of the
** target's root byte for byte (ogrh/schema.h). Either side may hold the v1 layout: both are
** compared and staged in the v2 shape (their views), and a v1 target gets the result in its
** v1 places, only where it changed (ogrh_doc_replace_plan). On any failure, out of memory
** included, nothing changes and err names the unit that did not verify.
*/
int ogrh_repair_apply(ogrh_doc *target, const ogrh_value *source_root, const ogrh_repair_plan *plan,
                      ogrh_err *err);

/*
** Sets component c (0..5) of the encounter table enc, which lives in arena a, to proj: a
** projection as ogrh_component_project makes it (what a component repair unit carries), so
** this is the projection's inverse. The other components of enc keep their values; proj is
** copied into a. Errors: OGRH_EINVAL, OGRH_ETYPE (metadata that is not a table), OGRH_ENOMEM,
** OGRH_ECORRUPT (proj cannot be that component of enc, see ogrh_component_set); on error enc
** is unchanged.
*/
int ogrh_component_apply(ogrh_arena *a, ogrh_table *enc, int c, const ogrh_value *proj);

/* ---- differences as paths ---- */

/*
** Appends "path: old -> new" lines for every leaf that differs inside the differing parts
** found by v, with paths in a's indexes. A v1 root is compared in its view: its paths are
** those of the v2 shape, which ogrh_doc_get and SetPath read and write in a v1 file too.
*/
int ogrh_diff(const ogrh_value *a_root, const ogrh_value *b_root, const ogrh_validation *v,
              ogrh_buf *out);

#endif
