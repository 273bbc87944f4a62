/*
** ogrh/plan.h
** The plan as people read it: raids, encounters and roles addressed by name; the plan of a
** raid or an encounter with players, raid marks by name, assignment numbers and the
** announcement lines filled in as the addon fills them; every slot a player holds; and
** replacing one player by another in every slot he holds, as ordinary SVM writes.
**
** Sans-I/O: everything works on an ogrh_doc in memory. Results are self-contained (they own
** copies of every string) and stay valid after the document changes or is freed.
** Not thread-safe: one document, one thread.
*/
#ifndef OGRH_PLAN_H
#define OGRH_PLAN_H

#include "ogrh/doc.h"

/* ---- names ---- */

/*
** The named form (docs/PROTOCOL.md §1.1):  RAID[/ENCOUNTER[/ROLE]][:PATH]
**
**  - each of RAID, ENCOUNTER, ROLE is a name matched exactly (bytes, case and spaces count)
**    against the `name` field of the raids, of the raid's encounters, of the encounter's
**    roles; when no `name` matches, against `displayName`. A name that matches nothing, or
**    several things, is an error that lists the candidates;
**  - `#N` is the entry at integer key N instead (the index form): `BWL/#3`, `#1/#2/#1`;
**  - inside a name, `\/`, `\:`, `\\` stand for `/`, `:`, `\`, and a leading `\#` for `#`;
**  - `:PATH` continues below the unit with an ordinary path (docs/PROTOCOL.md §1), relative to
**    the raid, encounter or role table: `BWL/Razorgore/Main Tank:assignedPlayers.1`;
**    `BWL:` is the raid table itself; one trailing `/` is ignored (`BWL/` is the raid).
*/

/* A slice of text. */
typedef struct ogrh_name_seg {
  const char *s;
  size_t n;
} ogrh_name_seg;

/* A resolved reference. Keys are the integer keys in the file (0 beyond depth). */
typedef struct ogrh_name_ref {
  int depth;                     /* 1 raid, 2 encounter, 3 role */
  int64_t raid, encounter, role; /* encounterMgmt.raids[raid].encounters[encounter].roles[role] */
  const char *rest;              /* what followed ':' (points into the spec), or NULL */
} ogrh_name_ref;

/*
** True when spec is in the named form: it holds a `/` or `:` that is not escaped and not
** inside an index path's bracketed segment (`["a/b"]`). `BWL` alone is an index path (the key
** "BWL" under the schema root); `BWL/` or `BWL:` names the raid.
*/
bool ogrh_name_is_named(const char *spec);

/*
** Splits spec into at most 3 raw segments (escapes kept, so that `#2` and `\#2` stay
** distinct) and the text after the first unescaped ':' (*rest, NULL when there is none).
** OGRH_EPATH with a message for an empty name or more than three names.
*/
int ogrh_name_split(const char *spec, ogrh_name_seg seg[3], int *nseg, const char **rest,
                    ogrh_err *err);

/*
** Resolves one raw segment (as ogrh_name_split gives it) at one level. OGRH_ENOTFOUND when
** nothing matches and OGRH_EAMBIGUOUS when several do; err then lists the candidates.
*/
int ogrh_name_find_raid(ogrh_doc *d, ogrh_name_seg seg, int64_t *raid, ogrh_err *err);
int ogrh_name_find_encounter(ogrh_doc *d, int64_t raid, ogrh_name_seg seg, int64_t *enc,
                             ogrh_err *err);
int ogrh_name_find_role(ogrh_doc *d, int64_t raid, int64_t enc, ogrh_name_seg seg, int64_t *role,
                        ogrh_err *err);

/* Resolves a whole spec in the named form (ogrh_name_split, then the finds). */
int ogrh_name_resolve(ogrh_doc *d, const char *spec, ogrh_name_ref *out, ogrh_err *err);

/* Appends the index path of a reference, then "." and its rest when there is one:
** "encounterMgmt.raids.2.encounters.1.roles.3.assignedPlayers.1". */
int ogrh_name_ref_path(const ogrh_name_ref *r, ogrh_buf *b);

/*
** Any PATH argument: the named form through ogrh_name_resolve, anything else parsed as an
** index path (ogrh_path_parse). The result is the path the document uses.
*/
int ogrh_name_path(ogrh_doc *d, const char *spec, ogrh_path *out, ogrh_err *err);

/* Appends a name escaped for the named form (`4HM Tank\/Heal`). */
int ogrh_name_escape(const char *s, size_t n, ogrh_buf *b);

/*
** Appends the shortest named form that reaches raid / encounter / role (depth 1..3) and
** nothing else: each name where it resolves to that entry, `#N` where it does not (repeated
** or empty names). OGRH_ENOTFOUND if the entry does not exist.
*/
int ogrh_name_unit(ogrh_doc *d, int depth, int64_t raid, int64_t enc, int64_t role, ogrh_buf *b);

/* ---- raid marks ---- */

/* "Star", "Circle", "Diamond", "Triangle", "Moon", "Square", "Cross", "Skull" for 1..8 (WoW's
** raid target icon order), NULL otherwise (0 is "no mark"). */
const char *ogrh_mark_name(int64_t mark);

/* ---- the plan as a player reads it ---- */

typedef enum {
  OGRH_PLAN_RAIDS = 0,    /* every raid, its encounters and how full each is */
  OGRH_PLAN_RAID = 1,     /* one raid: its encounters and their roles */
  OGRH_PLAN_ENCOUNTER = 2 /* one encounter: roles with slots, then the announcements */
} ogrh_plan_view;

/* "raids", "raid", "encounter". */
const char *ogrh_plan_view_name(ogrh_plan_view v);

/* One slot of a role (encounter view). */
typedef struct ogrh_plan_slot {
  int64_t slot;          /* 1-based */
  const char *player;    /* NULL when the slot is empty */
  int64_t mark;          /* raidMarks[slot]: 0 when none, 1..8, or another number as found */
  const char *mark_name; /* ogrh_mark_name(mark): NULL when none or unknown */
  ogrh_value number;     /* assignmentNumbers[slot]: integer or double, nil when none or 0 */
} ogrh_plan_slot;

typedef struct ogrh_plan_role {
  int64_t index;   /* key in encounters[e].roles */
  int64_t role_id; /* the role's roleId (what [Rn.T] tags use), 0 when it has none */
  const char *name, *unit, *path;
  int64_t column;                    /* 1 or 2, 0 when unknown */
  size_t slot_count, assigned_count; /* slots: max(`slots`, every slot that holds data) */
  ogrh_plan_slot *slots;             /* encounter view only */
  size_t nslots;                     /* 0 in the other views */
  const char **texts; /* text-field roles (isTextField): textValues 1..n, encounter view */
  size_t ntexts;
} ogrh_plan_role;

/* One announcement line as the addon sends it. */
typedef struct ogrh_plan_line {
  int64_t line; /* the template's index in `announcements` */
  const char *template_text;
  const char *text; /* tags filled in; never empty (the addon sends no empty line) */
} ogrh_plan_line;

typedef struct ogrh_plan_encounter {
  int64_t index;
  const char *name, *display_name; /* display_name NULL when absent */
  const char *unit, *path;
  size_t role_count, slot_count, assigned_count;
  ogrh_plan_role *roles; /* raid and encounter views */
  size_t nroles;
  ogrh_plan_line *lines; /* encounter view */
  size_t nlines;
} ogrh_plan_encounter;

typedef struct ogrh_plan_raid {
  int64_t index;
  const char *name, *display_name;
  const char *unit, *path;
  size_t encounter_count, role_count, slot_count, assigned_count;
  ogrh_plan_encounter *encounters; /* every view (one in the encounter view) */
  size_t nencounters;
} ogrh_plan_raid;

typedef struct ogrh_plan {
  ogrh_plan_view view;
  ogrh_plan_raid *raids; /* every raid, or the one named */
  size_t nraids;
  ogrh_arena *arena; /* owns everything above */
} ogrh_plan;

/*
** Builds the plan of unit: NULL or "" for every raid, RAID for one raid, RAID/ENCOUNTER for
** one encounter (the named form; no ROLE, no ':PATH'). OGRH_ESCHEMA when d holds no raids,
** the resolver's errors for a bad unit, OGRH_ENOMEM. *out is NULL on error.
*/
int ogrh_plan_build(ogrh_doc *d, const char *unit, ogrh_plan **out, ogrh_err *err);
void ogrh_plan_free(ogrh_plan *p);

/*
** The plan as JSON (indent 0: compact; else pretty with that many spaces per level), with the
** field names of every JSON the tool writes (camelCase, README "JSON output"):
** {"view", "raids": [{"index", "name", "displayName", "unit", "path", "encounterCount",
** "roleCount", "slotCount", "assignedCount", "encounters": [{"index", "name",
** "displayName", "unit", "path", "roleCount", "slotCount", "assignedCount",
** "roles": [{"index", "roleId", "name", "unit", "path", "column", "slotCount",
** "assignedCount", "slots": [{"slot", "player", "mark", "markIndex", "number"}],
** "texts": [...]}], "announcements": [{"line", "template", "text"}]}]}]}.
** "roles" appears from the raid view on, "slots", "texts" and "announcements" in the
** encounter view; absent values are null. Bytes that are not UTF-8 become U+FFFD.
*/
int ogrh_plan_json(const ogrh_plan *p, int indent, ogrh_buf *out);

/* ---- announcements ---- */

/*
** Fills one announcement template for an encounter table as the addon's ReplaceTags does:
** conditional blocks `[... [R1.P1] ...]` (shown when any tag inside has a value) and
** `[& ...]` (shown when all have), then the tags: [Rn.T] role name, [Rn.P] all players,
** [Rn.PA] all players with "(number)", [Rn.Pk] player, [Rn.Mk] "(Skull)"..., [Rn.Ak] number,
** [Rn.A=k] players with number k, [Rn.Ck] consumable "[Item]", [Rn.Lk] text line, [Rn.L]
** all text lines. n in T, C and L tags is a roleId; in P, PA, M, A tags the role's index.
** Appends the plain text (no colour codes) to out; an empty result is a line the addon drops.
*/
int ogrh_announce_fill(const ogrh_table *encounter, const char *tmpl, size_t len, ogrh_buf *out);

/* ---- where a player is, and replacing him ---- */

typedef struct ogrh_slot_ref {
  int64_t raid, encounter, role, slot;
  const char *raid_name, *encounter_name, *role_name, *player;
  const char *unit; /* the role in the named form: "BWL/Razorgore/Main Tank" */
  const char *path; /* "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1" */
  int64_t mark;
  const char *mark_name;
  ogrh_value number;
} ogrh_slot_ref;

typedef struct ogrh_slot_list {
  ogrh_slot_ref *v; /* in file order: raid, encounter, role, slot */
  size_t n;
  ogrh_arena *arena;
} ogrh_slot_list;

/* Every slot whose assignedPlayers value is exactly player, in every raid (raid 0) or one. */
int ogrh_plan_where(ogrh_doc *d, const char *player, int64_t raid, ogrh_slot_list **out,
                    ogrh_err *err);
void ogrh_slot_list_free(ogrh_slot_list *l);

/*
** Looks for a player who holds a slot and whose name differs from player only in the case of
** ASCII letters, for "did you mean" hints. Appends the first one found to out and returns true.
*/
bool ogrh_plan_similar_player(ogrh_doc *d, const char *player, ogrh_buf *out);

typedef struct ogrh_replace_opts {
  int64_t raid;               /* 0: everywhere; else only this raid */
  bool dry_run;               /* report what would change, change nothing */
  const ogrh_sync_meta *meta; /* attached to every write (NULL: none) */
} ogrh_replace_opts;

/*
** Puts new_player in every slot old_player holds: one ogrh_doc_set_path per slot, so
** subscribers get one change record each. *out lists the slots (their player is still
** old_player, as before the write). With dry_run nothing is written. OGRH_EINVAL when a name
** is empty or both are equal. If a write fails (out of memory) the writes already made are
** written back, and the error is returned.
*/
int ogrh_plan_replace(ogrh_doc *d, const char *old_player, const char *new_player,
                      const ogrh_replace_opts *o, ogrh_slot_list **out, ogrh_err *err);

/*
** JSON of a slot list: {"player", "count", "slots": [{"raid", "raidIndex", "encounter",
** "encounterIndex", "role", "roleIndex", "slot", "unit", "path", "mark", "markIndex",
** "number"}]}.
*/
int ogrh_slot_list_json(const ogrh_slot_list *l, const char *player, int indent, ogrh_buf *out);
/* The same for a replace: {"oldPlayer", "newPlayer", "dryRun", "count", "slots": [...]}. */
int ogrh_replace_json(const ogrh_slot_list *l, const char *old_player, const char *new_player,
                      bool dry_run, int indent, ogrh_buf *out);

#endif
