/*
** cmd_migrate.c
** `ogrh migrate`: the addon's v1 -> v2 migration of a file, fixed or faithful
** (ogrh/migrate.h); a backup first, the result checked, the file replaced atomically under the
** writers' lock.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The clock; OGRH_NOW (seconds) fixes it (and migrationMeta.migrationDate) for tests. */
static int64_t clock_now(void) {
  const char *e = getenv("OGRH_NOW");
  if (e && *e) return strtoll(e, NULL, 10);
  return (int64_t)time(NULL);
}

/* Writes the result to b and reads it back: what is written must be what was migrated. */
static int write_checked(const ogrh_svfile *src, const ogrh_svfile *res, bool fixed, ogrh_buf *b) {
  ogrh_err err;
  int rc = ogrh_svfile_write(res, b);
  if (rc) return cli_fail("cannot write the result: %s", ogrh_strerror(rc));
  ogrh_svfile *back;
  if (ogrh_svfile_parse(b->p, b->n, "the migrated file", &back, &err))
    return cli_fail("the result does not read back: %s", ogrh_err_msg(&err));
  const ogrh_value *x = ogrh_svfile_get((ogrh_svfile *)res, "OGRH_SV");
  const ogrh_value *y = ogrh_svfile_get(back, "OGRH_SV");
  rc = x && y && ogrh_value_equal(x, y) ? OGRH_OK : OGRH_EVERIFY;
  if (rc) cli_fail("the result reads back different: nothing written");
  if (!rc && fixed && ogrh_migrate_check(src, back, &err))
    rc = cli_fail("%s: nothing written", ogrh_err_msg(&err));
  ogrh_svfile_free(back);
  return rc ? EXIT_FAIL : EXIT_OK;
}

static int run_migrate(int argc, char **argv) {
  cli_opt opts[] = {{"--output", "-o", true, NULL},        {"--faithful", NULL, false, NULL},
                    {"--dry-run", NULL, false, NULL},      {"--keep-v1", NULL, false, NULL},
                    {"--addon-extras", NULL, false, NULL}, {"--json", NULL, false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_migrate, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_migrate_opts o = {cli_flag(opts, NOPTS(opts), "--faithful"),
                         cli_flag(opts, NOPTS(opts), "--keep-v1"),
                         cli_flag(opts, NOPTS(opts), "--addon-extras"), clock_now()};
  bool dry = cli_flag(opts, NOPTS(opts), "--dry-run"), json = cli_flag(opts, NOPTS(opts), "--json");
  if (o.faithful && o.addon_extras)
    return cli_usage_error(&cmd_migrate, "--addon-extras is for the fixed migration: the "
                                         "faithful one adds what the addon adds");
  const char *outp = cli_get(opts, NOPTS(opts), "--output");
  if (!outp) outp = pos[0];
  bool to_stdout = strcmp(outp, "-") == 0;
  /* The writers' lock of the file that will be replaced, from before it is read. */
  ogrh_file_lock lock = {0};
  if (!dry && !to_stdout && (rc = cli_lock(outp, &lock))) return rc;
  ogrh_err err;
  ogrh_svfile *f = NULL, *res = NULL;
  ogrh_migration *rep = NULL;
  ogrh_buf b, text;
  ogrh_buf_init(&b);
  ogrh_buf_init(&text);
  if (ogrh_svfile_load(pos[0], &f, &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto out;
  }
  int mrc = ogrh_migrate(f, &o, &res, &rep, &err);
  if (rep) {
    if (json)
      ogrh_migration_json(rep, &b);
    else
      ogrh_migration_format(rep, &b);
  }
  if (mrc) {
    if (json && b.p) fputs(b.p, stdout);
    rc = cli_fail("%s: %s", pos[0], ogrh_err_msg(&err));
    goto out;
  }
  if (!dry && (rc = write_checked(f, res, !o.faithful, &text))) goto out;
  if (!dry && !to_stdout) {
    struct stat st;
    if (stat(outp, &st) == 0) {
      ogrh_safety sf;
      if (ogrh_backup_before(outp, OGRH_REASON_BEFORE_MIGRATE, "before migrate", o.now, &sf,
                             &err)) {
        rc = cli_fail("%s (nothing was written)", ogrh_err_msg(&err));
        goto out;
      }
      if (sf.created)
        fprintf(stderr, "ogrh migrate: backup %u of %s taken first\n", sf.info.id, outp);
      else if (sf.reused)
        fprintf(stderr, "ogrh migrate: %s is unchanged since backup %u\n", outp, sf.info.id);
      if (sf.kept[0])
        fprintf(stderr, "ogrh migrate: %s could not be parsed (%s); its bytes were copied to %s\n",
                outp, sf.parse_error, sf.kept);
    }
    if ((rc = cli_write_out(outp, &text))) goto out;
  }
  /* The report goes to stdout unless the file itself does. */
  if (b.p) fputs(b.p, to_stdout && !dry ? stderr : stdout);
  if (to_stdout && !dry) fwrite(text.p, 1, text.n, stdout);
  if (!dry && !to_stdout)
    fprintf(stderr, "ogrh migrate: %s migrated (%s%s)%s%s\n", pos[0],
            o.faithful ? "as the addon does it" : "fixed", o.keep_v1 ? ", v1 keys kept" : "",
            strcmp(outp, pos[0]) ? " into " : "", strcmp(outp, pos[0]) ? outp : "");
  rc = EXIT_OK;
out:
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&text);
  ogrh_migration_free(rep);
  ogrh_svfile_free(res);
  ogrh_svfile_free(f);
  ogrh_file_lock_release(&lock);
  return rc;
}

const cli_cmd cmd_migrate = {
    "migrate", "migrate a v1 file to the v2 layout (fixed, or as the addon does it)",
    "usage: ogrh migrate FILE [-o OUT] [--faithful] [--dry-run] [--keep-v1] [--addon-extras] "
    "[--json]\n\n"
    "Migrates an OG-RaidHelper SavedVariables file from the addon's v1 layout to v2 and prints\n"
    "what moved where and every place where the result differs from what the addon's own\n"
    "migration makes of the file, and why.\n\n"
    "  (default)        the fixed migration: every piece of v1 data where the addon means it\n"
    "                   to be (per-role data by roleId, no phantom roles, RolesUI and\n"
    "                   playerAssignments carried, the selected raid kept); it adds nothing\n"
    "                   but migrationMeta and schemaVersion, and its plan has the same digests\n"
    "                   as the v1 file's\n"
    "  --faithful       exactly what the addon does to the file when the game loads it, bugs\n"
    "                   included (Active Raid, Admin encounters, alias keys)\n"
    "  --keep-v1        keep the v1 keys beside the v2 table, as the addon does until its\n"
    "                   15-day purge (without it: the file as it is after the purge); ogrh set\n"
    "                   and the node then write both layouts\n"
    "  --addon-extras   add the Active Raid and the Admin encounters to the fixed migration\n"
    "  -o, --output OUT write the result to OUT ('-': standard output) and leave FILE alone\n"
    "  --dry-run        print the report, write nothing\n"
    "  --json           the report as JSON\n\n"
    "Before a file is replaced: a backup of it (FILE.backups/, \"before migrate\"); the result\n"
    "must read back and, fixed, have every component digest of the v1 file. OGRH_NOW sets\n"
    "migrationMeta.migrationDate. Example:\n"
    "  ogrh migrate OG-RaidHelper.lua --keep-v1\n",
    run_migrate};
