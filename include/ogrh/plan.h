/*
** ogrh/plan.h
** The plan as a player reads it: raids > encounters > roles with their slots (assigned player,
** raid mark, assignment number), and the announcement lines with their tags filled in as the
** addon's ReplaceTags does (research: Raid/EncounterMgmt.lua). Used by the live node's
** GET /api/plan and meant for `ogrh show`. Read-only; not thread-safe.
**
** Tags: [Rn.T] role name; [Rn.P] every assigned player; [Rn.PA] every player with its number
** "(k)"; [Rn.Pk] the player in slot k; [Rn.Mk] slot k's raid mark "(Skull)"; [Rn.Ak] slot k's
** number; [Rn.A=k] the players whose number is k; [Rn.Ck] consume k of a consume-check role.
** Rn is the role whose roleId is n (else the n-th role). A bracketed block holding tags,
** "[... [R1.P1] ...]", is shown when any of its tags has a value (invalid tags dropped);
** "[&...]" only when all have. A tag without a value becomes empty.
*/
#ifndef OGRH_PLAN_H
#define OGRH_PLAN_H

#include "ogrh/doc.h"

/* "Star", "Circle", "Diamond", "Triangle", "Moon", "Square", "Cross", "Skull" for 1..8, else
** NULL. */
const char *ogrh_mark_name(int64_t mark);

/* Appends announcement line (n bytes) of encounter enc with its tags filled in. */
int ogrh_announce_fill(const ogrh_table *enc, const char *line, size_t n, ogrh_buf *out);

/*
** Finds a raid, or an encounter, by name: "BWL", "BWL/Razorgore" (names as in the file's
** `name`, else `displayName`; a number is an index). *raid and *enc get 1-based indexes (enc 0
** when unit names only a raid). OGRH_ENOTFOUND with the candidates in err when nothing or
** several things match.
*/
int ogrh_plan_find(ogrh_doc *d, const char *unit, int64_t *raid, int64_t *enc, ogrh_err *err);

/*
** The plan as JSON. unit NULL: every raid with its encounters and how full each is. "RAID":
** that raid's encounters with their roles and announcements. "RAID/ENCOUNTER": that encounter.
** Shapes in docs/PROTOCOL.md §11.
*/
int ogrh_plan_json(ogrh_doc *d, const char *unit, int indent, ogrh_buf *out, ogrh_err *err);

#endif
