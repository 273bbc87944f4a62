/*
** cmd_backup.c
** `ogrh backup <command>`, `ogrh defaults`, and the backups other commands take first.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The clock of the command-line tool; OGRH_NOW (seconds) fixes it for tests. */
static int64_t now(void) {
  const char *e = getenv("OGRH_NOW");
  if (e && *e) return strtoll(e, NULL, 10);
  return (int64_t)time(NULL);
}

static void human_size(uint64_t n, char *out, size_t cap) {
  if (n < 10 * 1024)
    snprintf(out, cap, "%llu B", (unsigned long long)n);
  else if (n < 10 * 1024 * 1024)
    snprintf(out, cap, "%llu KB", (unsigned long long)(n + 512) / 1024);
  else
    snprintf(out, cap, "%.1f MB", (double)n / (1024.0 * 1024.0));
}

static void human_time(int64_t t, char *out, size_t cap) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, cap, "%b %d, %Y %I:%M %p UTC", &tm);
}

int cli_backup_before(const char *path, ogrh_doc *d, const ogrh_repair_plan *plan) {
  (void)d;
  bool big = false;
  for (size_t i = 0; i < plan->n; i++)
    big |= plan->units[i].kind == OGRH_UNIT_RAID || plan->units[i].kind == OGRH_UNIT_RAIDLIST ||
           plan->units[i].kind == OGRH_UNIT_FULL;
  if (!big) return EXIT_OK;
  ogrh_err err;
  ogrh_backup_info bi;
  if (ogrh_backup_before(path, OGRH_REASON_BEFORE_REPAIR, "before repair", now(), &bi, &err))
    return cli_fail("%s (the repair was not applied)", ogrh_err_msg(&err));
  if (bi.id) fprintf(stderr, "ogrh repair: backup %u taken first (before repair)\n", bi.id);
  return EXIT_OK;
}

static int open_store(const char *file, ogrh_store **s) {
  ogrh_err err;
  if (ogrh_store_open(file, s, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  return EXIT_OK;
}

static bool parse_id(const char *s, uint32_t *id) {
  long long v;
  if (!cli_number(s, 1, UINT32_MAX, &v)) return false;
  *id = (uint32_t)v;
  return true;
}

static void print_info(const ogrh_backup_info *b) {
  char t[64], sz[32];
  human_time(b->timestamp, t, sizeof t);
  human_size(b->raw_size, sz, sizeof sz);
  printf("%4u  %-26s %-20s %9s  %s%s\n", b->id, t, ogrh_reason_name(b->reason), sz,
         b->pinned ? "[pinned] " : "", b->label);
}

static const char *const backup_usage =
    "usage: ogrh backup <command> FILE [args]\n\n"
    "The backup store of FILE lives in FILE.backups/ (compressed, deduplicated snapshots).\n"
    "commands:\n"
    "  create FILE [--label L] [--pin]   snapshot FILE now (a manual backup is pinned)\n"
    "  list FILE [--json]                backups, newest first\n"
    "  show FILE ID [--json]             metadata and a summary of one backup\n"
    "  restore FILE ID                   safety backup, verify, then replace FILE\n"
    "  delete FILE ID [--yes]            delete (manual/pinned ones need --yes; 3 are kept)\n"
    "  pin FILE ID, unpin FILE ID        protect from (or expose to) pruning\n"
    "  prune FILE                        apply the retention policy now\n"
    "  export FILE ID [-o OUT]           one line of text to paste elsewhere\n"
    "  import FILE IN|- [--restore]      add an exported backup (and restore it into FILE)\n"
    "  diff FILE ID [ID2] [--json]       what differs from FILE (or backup ID2); exit 0/1/2;\n"
    "                                    --compact, --pretty as for every --json\n\n"
    "Retention (after every create): the newest 10 unpinned backups are kept, older than\n"
    "7 days are deleted while at least 3 remain, pinned ones are never deleted.\n"
    "Example:\n  ogrh backup create OG-RaidHelper.lua --label \"Before BWL changes\"\n";

static const cli_cmd cmd_backup_help = {"backup", "", NULL, NULL};

static int run_backup(int argc, char **argv) {
  cli_cmd me = cmd_backup_help;
  me.usage = backup_usage;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(backup_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "diff")) return cli_backup_diff(argc - 1, argv + 1);
  cli_opt opts[] = {{"--label", NULL, true, NULL},  {"--pin", NULL, false, NULL},
                    {"--json", NULL, false, NULL},  {"--yes", "-y", false, NULL},
                    {"--output", "-o", true, NULL}, {"--restore", NULL, false, NULL}};
  char *pos[3];
  int npos, rc = cli_parse(&me, argc - 1, argv + 1, opts, NOPTS(opts), pos, 3, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *file = pos[0];
  bool json = cli_flag(opts, NOPTS(opts), "--json");
  ogrh_err err;
  uint32_t id = 0;
  bool needs_id = !strcmp(sub, "show") || !strcmp(sub, "restore") || !strcmp(sub, "delete") ||
                  !strcmp(sub, "pin") || !strcmp(sub, "unpin") || !strcmp(sub, "export");
  bool known = needs_id || !strcmp(sub, "create") || !strcmp(sub, "list") ||
               !strcmp(sub, "prune") || !strcmp(sub, "import");
  if (!known) return cli_usage_error(&me, "unknown backup command '%s'", sub);
  if (needs_id && (npos != 2 || !parse_id(pos[1], &id)))
    return cli_usage_error(&me, "%s needs FILE and a backup ID (a number from 'backup list')", sub);
  if (!strcmp(sub, "import") && npos != 2)
    return cli_usage_error(&me, "import needs FILE and IN (or -)");
  if (!needs_id && strcmp(sub, "import") && npos != 1)
    return cli_usage_error(&me, "%s takes FILE only", sub);

  ogrh_store *s;
  if ((rc = open_store(file, &s))) return rc;
  ogrh_backup_info bi;
  char sz[32], sz2[32];
  if (!strcmp(sub, "create")) {
    ogrh_svfile *f;
    struct stat st;
    if (ogrh_svfile_load(file, &f, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else {
      const char *label = cli_get(opts, NOPTS(opts), "--label");
      uint64_t size = stat(file, &st) == 0 ? (uint64_t)st.st_size : 0;
      if (ogrh_backup_create(s, f, label ? label : "", OGRH_REASON_MANUAL, true, now(), size, &bi,
                             &err)) {
        rc = cli_fail("%s", ogrh_err_msg(&err));
      } else {
        human_size(bi.raw_size, sz, sizeof sz);
        human_size(bi.stored_size, sz2, sizeof sz2);
        printf("Backup created successfully: %u%s%s%s (%s, %s stored; store now %llu bytes)\n",
               bi.id, bi.label[0] ? " [" : "", bi.label, bi.label[0] ? "]" : "", sz, sz2,
               (unsigned long long)ogrh_store_bytes(s));
      }
      ogrh_svfile_free(f);
    }
  } else if (!strcmp(sub, "list")) {
    if (json) {
      ogrh_buf out;
      ogrh_buf_init(&out);
      ogrh_buf_addc(&out, '[');
      for (size_t i = 0; i < ogrh_store_count(s); i++) {
        if (i) ogrh_buf_addc(&out, ',');
        ogrh_backup_info_json(ogrh_store_at(s, i), &out);
      }
      ogrh_buf_adds(&out, "]\n");
      fputs(out.p, stdout);
      ogrh_buf_deinit(&out);
    } else if (ogrh_store_count(s) == 0) {
      printf("no backups of %s yet ('ogrh backup create %s')\n", file, file);
    } else {
      printf("%4s  %-26s %-20s %9s  %s\n", "id", "time", "reason", "size", "label");
      for (size_t i = 0; i < ogrh_store_count(s); i++)
        print_info(ogrh_store_at(s, i));
      printf("%zu backup%s, store %llu bytes\n", ogrh_store_count(s),
             ogrh_store_count(s) == 1 ? "" : "s", (unsigned long long)ogrh_store_bytes(s));
    }
  } else if (!strcmp(sub, "show")) {
    const ogrh_backup_info *b = ogrh_store_find(s, id);
    ogrh_svfile *f = NULL;
    if (!b) {
      rc = cli_fail("no backup with id %u in %s.backups", id, file);
    } else if (ogrh_backup_load(s, id, &f, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else if (json) {
      ogrh_buf out;
      ogrh_buf_init(&out);
      ogrh_backup_info_json(b, &out);
      puts(out.p);
      ogrh_buf_deinit(&out);
    } else {
      char t[64];
      human_time(b->timestamp, t, sizeof t);
      human_size(b->raw_size, sz, sizeof sz);
      human_size(b->stored_size, sz2, sizeof sz2);
      printf("backup %u\n  time: %s\n  label: %s\n  reason: %s\n  size: %s (%s added to the "
             "store)\n  pinned: %s\n  root digest: %016llx (verified)\n  holds: %u raids, %u "
             "encounters\n",
             b->id, t, b->label, ogrh_reason_name(b->reason), sz, sz2, b->pinned ? "yes" : "no",
             (unsigned long long)b->root, b->raids, b->encounters);
      ogrh_doc *d;
      if (ogrh_doc_from_svfile(f, &d, NULL) == OGRH_OK) {
        f = NULL;
        ogrh_table *raids = ogrh_doc_raids(d);
        for (uint32_t i = 0; raids && i < raids->n; i++) {
          if (raids->e[i].val.type != OGRH_TABLE) continue;
          size_t nl;
          const char *nm = ogrh_table_name(raids->e[i].val.u.t, &nl);
          const ogrh_value *e = ogrh_table_gets(raids->e[i].val.u.t, "encounters");
          printf("    %.*s: %u encounters\n", (int)nl, nm,
                 e && e->type == OGRH_TABLE ? e->u.t->n : 0);
        }
        ogrh_doc_free(d);
      }
    }
    ogrh_svfile_free(f);
  } else if (!strcmp(sub, "restore")) {
    ogrh_backup_info safety;
    if (ogrh_backup_restore(s, file, id, now(), &safety, &err)) {
      rc = cli_fail("%s; %s was not changed", ogrh_err_msg(&err), file);
    } else {
      if (safety.id) printf("Safety backup %u of the previous state created.\n", safety.id);
      printf("Restored backup %u into %s.\n", id, file);
    }
  } else if (!strcmp(sub, "delete")) {
    if (ogrh_backup_delete(s, id, cli_flag(opts, NOPTS(opts), "--yes"), &err))
      rc = cli_fail("%s", ogrh_err_msg(&err));
    else
      printf("Deleted backup %u.\n", id);
  } else if (!strcmp(sub, "pin") || !strcmp(sub, "unpin")) {
    bool pin = !strcmp(sub, "pin");
    if (ogrh_backup_pin(s, id, pin, &err))
      rc = cli_fail("%s", ogrh_err_msg(&err));
    else
      printf("Backup %u %s.\n", id, pin ? "pinned" : "unpinned");
  } else if (!strcmp(sub, "prune")) {
    size_t n = 0;
    if (ogrh_backup_prune(s, now(), &n, &err))
      rc = cli_fail("%s", ogrh_err_msg(&err));
    else
      printf("Pruned %zu backup%s; %zu left.\n", n, n == 1 ? "" : "s", ogrh_store_count(s));
  } else if (!strcmp(sub, "export")) {
    ogrh_buf line;
    ogrh_buf_init(&line);
    if (ogrh_backup_export(s, id, &line, &err))
      rc = cli_fail("%s", ogrh_err_msg(&err));
    else
      rc = cli_write_out(cli_get(opts, NOPTS(opts), "--output"), &line);
    ogrh_buf_deinit(&line);
  } else if (!strcmp(sub, "import")) {
    ogrh_buf in;
    ogrh_buf_init(&in);
    if ((rc = ogrh_read_file(pos[1], &in))) {
      rc = cli_fail("%s: cannot read: %s", pos[1], ogrh_strerror(rc));
    } else if (ogrh_backup_import(s, in.p ? in.p : "", in.n, now(), &bi, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else {
      printf("Imported as backup %u: %s\n", bi.id, bi.label);
      if (cli_flag(opts, NOPTS(opts), "--restore")) {
        ogrh_backup_info safety;
        if (ogrh_backup_restore(s, file, bi.id, now(), &safety, &err))
          rc = cli_fail("%s; %s was not changed", ogrh_err_msg(&err), file);
        else if (safety.id)
          printf("Restored it into %s (safety backup %u of the previous state).\n", file,
                 safety.id);
        else
          printf("Restored it into %s (it did not exist before).\n", file);
      }
    }
    ogrh_buf_deinit(&in);
  }
  ogrh_store_close(s);
  return rc;
}

const cli_cmd cmd_backup = {"backup", "create, list, restore, export backups of a file", NULL,
                            run_backup};

/* ---- defaults ---- */

static int run_defaults(int argc, char **argv) {
  cli_opt opts[] = {{"--yes", "-y", false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_defaults, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_err err;
  ogrh_doc *d;
  if (ogrh_doc_defaults(&d, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  ogrh_backup_info bi;
  if (ogrh_backup_before(pos[0], OGRH_REASON_BEFORE_DEFAULTS, "before load defaults", now(), &bi,
                         &err)) {
    ogrh_doc_free(d);
    return cli_fail("%s (nothing was changed)", ogrh_err_msg(&err));
  }
  if (bi.id) printf("Backup %u of the previous state created.\n", bi.id);
  if (ogrh_doc_save(d, pos[0], &err))
    rc = cli_fail("%s", ogrh_err_msg(&err));
  else
    printf("%s now holds the factory defaults.\n", pos[0]);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_defaults = {
    "defaults", "reset a file to the factory defaults (after a backup)",
    "usage: ogrh defaults FILE\n\n"
    "Takes a backup of FILE (reason \"before load defaults\") if it exists, then writes the\n"
    "addon's factory defaults to FILE atomically. Undo with 'ogrh backup restore FILE ID'.\n"
    "Example:\n  ogrh defaults OG-RaidHelper.lua\n",
    run_defaults};
