/*
** cmd_backup_diff.c
** `ogrh backup diff FILE ID [ID2]`: what differs between a backup and the file, or between two
** backups, in the words of `ogrh validate` and then path by path as `ogrh diff` says it. It
** compares, as diff does: exit 0 the same, 1 different, 2 trouble.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static bool backup_id(const char *s, uint32_t *id) {
  long long v;
  if (!cli_number(s, 1, UINT32_MAX, &v)) return false;
  *id = (uint32_t)v;
  return true;
}

/* Backup id of the store as a document, and its metadata; the error said. */
static int load_backup(ogrh_store *s, const char *file, uint32_t id, ogrh_doc **d,
                       ogrh_backup_info *info) {
  *d = NULL;
  const ogrh_backup_info *b = ogrh_store_find(s, id);
  if (!b) return cli_fail("no backup with id %u in %s.backups", id, file);
  *info = *b;
  ogrh_svfile *f;
  ogrh_err err;
  if (ogrh_backup_load(s, id, &f, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  if (ogrh_doc_from_svfile(f, d, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  if (!ogrh_doc_root(*d)) {
    ogrh_doc_free(*d);
    *d = NULL;
    return cli_fail("backup %u of %s holds no OGRH_SV data", id, file);
  }
  return EXIT_OK;
}

/* "backup 3 (Jan 15, 2027 08:00 PM CET, "Before BWL changes")" */
static void backup_words(const ogrh_backup_info *b, ogrh_buf *out) {
  char t[64], lab[1600];
  cli_time_text(b->timestamp, t, sizeof t);
  ogrh_buf_printf(out, "backup %u (%s", b->id, t);
  if (b->label[0]) ogrh_buf_printf(out, ", \"%s\"", cli_safe_text(b->label, lab, sizeof lab));
  ogrh_buf_addc(out, ')');
}

static void backup_json(ogrh_jw *w, const char *key, const ogrh_backup_info *b) {
  ogrh_jw_open(w, key, '{');
  ogrh_jw_int(w, "id", b->id);
  cli_jw_time(w, "time", b->timestamp);
  ogrh_jw_str(w, "label", b->label);
  ogrh_jw_str(w, "reason", ogrh_reason_name(b->reason));
  ogrh_jw_close(w, '}');
}

static const char *const usage =
    "usage: ogrh backup diff FILE ID [ID2] [--json [--compact|--pretty]]\n\n"
    "What differs between backup ID of FILE and FILE as it is now, or between backups ID and\n"
    "ID2: first in the words of 'ogrh validate' (FILE, or ID2, checked against backup ID),\n"
    "then path by path as 'ogrh diff' prints it, in the backup's indexes. Exit status, as\n"
    "diff's: 0 the same plan, 1 different, 2 trouble (no such backup, a file that cannot be\n"
    "read, a usage error). Example:\n"
    "  ogrh backup diff OG-RaidHelper.lua 3\n\n"
    "  --json      {\"file\", \"backup\": {\"id\", \"time\", \"label\", \"reason\"}, \"against\":\n"
    "              {\"file\"} or {\"backup\": {...}}, \"same\", \"level\", \"report\",\n"
    "              \"differences\", \"unsyncedDifferences\", \"notes\"} (as 'ogrh diff --json')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n";

int cli_backup_diff(int argc, char **argv) {
  cli_comparing();
  const cli_cmd me = {"backup diff", "", usage, cli_backup_diff};
  cli_opt opts[] = {CLI_JSON_OPTS};
  char *pos[3];
  int npos, rc = cli_parse(&me, argc, argv, opts, NOPTS(opts), pos, 3, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  uint32_t id, id2 = 0;
  if (!backup_id(pos[1], &id) || (npos == 3 && !backup_id(pos[2], &id2)))
    return cli_usage_error(&me, "a backup ID is a number from 'ogrh backup list'");
  bool json = cli_flag(opts, NOPTS(opts), "--json");
  const char *file = pos[0];
  ogrh_store *s;
  ogrh_err err;
  if (ogrh_store_open_readonly(file, &s, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  ogrh_doc *a = NULL, *b = NULL;
  ogrh_backup_info ia, ib;
  rc = load_backup(s, file, id, &a, &ia);
  if (!rc) rc = id2 ? load_backup(s, file, id2, &b, &ib) : cli_load_plan(file, &b);
  ogrh_store_close(s);
  if (rc) {
    ogrh_doc_free(a);
    ogrh_doc_free(b);
    return rc;
  }
  if (json) {
    ogrh_jw w;
    ogrh_buf jb;
    cli_json_begin(&w, &jb, opts, NOPTS(opts));
    ogrh_jw_str(&w, "file", file);
    backup_json(&w, "backup", &ia);
    ogrh_jw_open(&w, "against", '{');
    if (id2)
      backup_json(&w, "backup", &ib);
    else
      ogrh_jw_str(&w, "file", file);
    ogrh_jw_close(&w, '}');
    int cmp = cli_compare_docs(a, b, &w);
    rc = cmp == EXIT_SAME || cmp == EXIT_DIFFERENT ? cli_json_end(&w, &jb) : cmp;
    if (rc == EXIT_OK) rc = cmp;
    ogrh_buf_deinit(&jb);
    return rc;
  }
  /* A heading that says what is compared with what, then the comparison. */
  ogrh_buf head;
  ogrh_buf_init(&head);
  backup_words(&ia, &head);
  ogrh_buf_adds(&head, " against ");
  if (id2)
    backup_words(&ib, &head);
  else
    ogrh_buf_printf(&head, "%s now", file);
  if (ogrh_buf_error(&head)) {
    ogrh_buf_deinit(&head);
    ogrh_doc_free(a);
    ogrh_doc_free(b);
    return cli_fail("%s", ogrh_strerror(OGRH_ENOMEM));
  }
  printf("%s:\n", head.p);
  ogrh_buf_deinit(&head);
  fflush(stdout);
  return cli_compare_docs(a, b, NULL);
}
