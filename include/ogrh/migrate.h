/*
** ogrh/migrate.h
** The addon's v1 -> v2 migration of a SavedVariables file, two ways (research/ogrh-migration.md):
**
**   fixed (default)  the v2 layout holding every piece of v1 data where the addon means it to
**                    be: exactly the view of the v1 file (ogrh/schema.h), so the result has the
**                    same digests as its source; per-role tables mapped by roleId (B1), no
**                    phantom roles (B2), RolesUI and playerAssignments carried (B3), the
**                    selected raid and encounter kept as indexes (B4), no alias keys (B5).
**                    Nothing is added that was not in the v1 data but migrationMeta and
**                    schemaVersion (addon_extras adds the Active Raid and the Admin encounters);
**   faithful         exactly what the addon's code does to the file when the game loads it
**                    (VARIABLES_LOADED, then its Admin encounters half a second later), bugs
**                    included, so that a user can see what the game did to their data.
**
** The report says what moved where, every place where the fixed result differs from the
** addon's and why, every v1 entry no v2 place can hold (research E1-E5, orphans, phantoms)
** with its path, and every v1 key the v2 layout has no place for. Nothing is dropped without
** a line in the report.
**
** Sans-I/O: works on values in memory; the caller reads, backs up, checks and writes the file
** (tools/cmd_migrate.c). Not thread-safe: one migration, one thread.
*/
#ifndef OGRH_MIGRATE_H
#define OGRH_MIGRATE_H

#include "ogrh/digest.h"

typedef struct ogrh_migrate_opts {
  bool faithful;     /* the addon's migration, bugs included */
  bool keep_v1;      /* keep the v1 keys beside `v2`, as the addon does until its purge */
  bool addon_extras; /* fixed: add the Active Raid and the Admin encounters as the addon does */
  int64_t now;       /* migrationMeta.migrationDate: the addon's time(), seconds since 1970 */
} ogrh_migrate_opts;

/*
** XX(ID, name): the kinds of report lines.
**   MOVED     what went where
**   DIFFERS   a place where the fixed migration does not do what the addon does, and why
**   LOST      a v1 entry no v2 place can hold (no encounter of its names, a roleId no role
**             has, ...): not in the result (the backup keeps it, and --keep-v1 keeps it in
**             the file)
**   LEFT      a v1 key the v2 layout has no place for: left in the v1 keys (--keep-v1) or
**             dropped with them (the backup keeps it)
**   REFUSED   why the file is not migrated at all (research E1)
*/
#define OGRH_MNOTE_MAP(XX)                                                                         \
  XX(MOVED, "moved")                                                                               \
  XX(DIFFERS, "differs")                                                                           \
  XX(LOST, "lost")                                                                                 \
  XX(LEFT, "left")                                                                                 \
  XX(REFUSED, "refused")

typedef enum {
#define OGRH__XX(id, name) OGRH_MNOTE_##id,
  OGRH_MNOTE_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_NMNOTES
} ogrh_mnote_kind;
const char *ogrh_mnote_name(ogrh_mnote_kind k);

typedef struct ogrh_migrate_note {
  ogrh_mnote_kind kind;
  const char *tag;  /* "B1".."B5", "E1".."E5" (research §5), or "" */
  const char *path; /* where: a path of the result (DIFFERS, MOVED) or of the v1 file */
  const char *text; /* a sentence */
} ogrh_migrate_note;

typedef struct ogrh_migration {
  ogrh_migrate_note *notes;
  size_t n, cap;
  size_t raids, encounters, roles, slots; /* what the result's plan holds */
  size_t remapped;    /* per-role tables put on another role than the addon would (B1) */
  size_t unexplained; /* differences from the addon's result that no note explains (0) */
  ogrh_arena *arena;  /* owns every string above */
} ogrh_migration;

/*
** Migrates the OGRH_SV of in. On success *out is a new file: in's variables with OGRH_SV
** migrated (schemaVersion = "v2" and the `v2` table; the v1 keys too with keep_v1), every other
** variable as it was; *report (if not NULL) the report. Errors: OGRH_ESCHEMA with err and
** *report naming why when the file cannot be migrated: no OGRH_SV table, already v2, a
** complete v2 table beside v1 data (a rolled-back migration), no v1 data (the addon's new
** install), and in faithful mode a file the addon itself never migrates (research E1);
** OGRH_ENOMEM. in is never changed.
*/
int ogrh_migrate(const ogrh_svfile *in, const ogrh_migrate_opts *o, ogrh_svfile **out,
                 ogrh_migration **report, ogrh_err *err);
void ogrh_migration_free(ogrh_migration *m);

/* The report as text: a summary, then one line per note ("differs B1 <path>: <text>"). */
int ogrh_migration_format(const ogrh_migration *m, ogrh_buf *out);
/* The report as JSON: {"raids", "encounters", "roles", "slots", "remapped", "unexplained",
** "notes": [{"kind", "tag", "path", "text"}]}. */
int ogrh_migration_json(const ogrh_migration *m, ogrh_buf *out);

/*
** Checks a migration of src (fixed mode): the plan of dst (its v2 root, read without the
** addon's extras: ogrh_v1_image) has exactly the digests of src's plan (its view): every
** global component, the raid list, every raid's metadata and encounter list, every component
** of every encounter. OGRH_EVERIFY with the first difference in err.
*/
int ogrh_migrate_check(const ogrh_svfile *src, const ogrh_svfile *dst, ogrh_err *err);

#endif
