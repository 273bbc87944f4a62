/*
** cmd_backup.c
** `ogrh backup <command>`, `ogrh defaults`, and the backups other commands take first.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void human_size(uint64_t n, char *out, size_t cap) {
  if (n < 10 * 1024)
    snprintf(out, cap, "%llu B", (unsigned long long)n);
  else if (n < 10 * 1024 * 1024)
    snprintf(out, cap, "%llu KB", (unsigned long long)(n + 512) / 1024);
  else
    snprintf(out, cap, "%.1f MB", (double)n / (1024.0 * 1024.0));
}

/* Says what was done with the live file before a change (on stderr: the command's own output
** is about the change). */
void cli_report_safety(const char *file, const ogrh_safety *sf) {
  char lab[1600];
  const char *cmd = cli_command_name();
  if (sf->created)
    fprintf(stderr, "ogrh %s: backup %u of %s taken first (%s)\n", cmd, sf->info.id, file,
            cli_safe_text(sf->info.label, lab, sizeof lab));
  else if (sf->reused)
    fprintf(stderr, "ogrh %s: %s is unchanged since backup %u [%s]: no new backup needed\n", cmd,
            file, sf->info.id, cli_safe_text(sf->info.label, lab, sizeof lab));
  if (sf->kept[0])
    fprintf(stderr,
            "ogrh %s: warning: %s could not be parsed (%s), so no backup of it could be "
            "taken; its bytes were copied to %s\n",
            cmd, file, sf->parse_error, sf->kept);
}

/* Damage found on opening a store is always said. */
static void report_health(const ogrh_store *s) {
  const char *note;
  ogrh_store_health h = ogrh_store_health_of(s, &note);
  if (h == OGRH_STORE_REPAIRED || h == OGRH_STORE_DAMAGED || h == OGRH_STORE_UNREADABLE)
    fprintf(stderr, "ogrh backup: warning: %s\n", note);
}

/* The outcome of a safety backup, for commands whose own output is about it (stdout). */
static void print_safety(const char *file, const ogrh_safety *sf) {
  char lab[1600];
  if (sf->created)
    printf("Safety backup %u of the previous state created.\n", sf->info.id);
  else if (sf->reused)
    printf("The previous state is already backup %u [%s] (unchanged since).\n", sf->info.id,
           cli_safe_text(sf->info.label, lab, sizeof lab));
  if (sf->kept[0])
    fprintf(stderr,
            "ogrh: warning: %s could not be parsed (%s), so no backup of it could be taken; its "
            "bytes were copied to %s\n",
            file, sf->parse_error, sf->kept);
}

int cli_backup_before(const char *path, ogrh_doc *d, const ogrh_repair_plan *plan) {
  (void)d;
  bool big = false;
  for (size_t i = 0; i < plan->n; i++)
    big |= plan->units[i].kind == OGRH_UNIT_RAID || plan->units[i].kind == OGRH_UNIT_RAIDLIST ||
           plan->units[i].kind == OGRH_UNIT_FULL;
  if (!big) return EXIT_OK;
  ogrh_err err;
  ogrh_safety sf;
  if (ogrh_backup_before(path, OGRH_REASON_BEFORE_REPAIR, "before repair", cli_now(), &sf, &err))
    return cli_fail("%s (the repair was not applied)", ogrh_err_msg(&err));
  cli_report_safety(path, &sf);
  return EXIT_OK;
}

static int open_store(const char *file, bool ro, ogrh_store **s) {
  ogrh_err err;
  if ((ro ? ogrh_store_open_readonly : ogrh_store_open)(file, s, &err))
    return cli_fail("%s", ogrh_err_msg(&err));
  report_health(*s);
  return EXIT_OK;
}

static bool parse_id(const char *s, uint32_t *id) {
  long long v;
  if (!cli_number(s, 1, UINT32_MAX, &v)) return false;
  *id = (uint32_t)v;
  return true;
}

static void print_info(const ogrh_backup_info *b) {
  char t[64], sz[32], lab[1600];
  cli_time_text(b->timestamp, t, sizeof t);
  human_size(b->raw_size, sz, sizeof sz);
  printf("%4u  %-26s %-20s %9s  %s%s%s\n", b->id, t, ogrh_reason_name(b->reason), sz,
         b->damaged ? "[damaged] " : "", b->pinned ? "[pinned] " : "",
         cli_safe_text(b->label, lab, sizeof lab));
}

/* One backup's metadata in the JSON of every command (README "JSON output"). */
static void info_json(ogrh_jw *w, const char *key, const ogrh_backup_info *b) {
  char hex[17];
  ogrh_jw_open(w, key, '{');
  ogrh_jw_int(w, "id", b->id);
  cli_jw_time(w, "time", b->timestamp);
  ogrh_jw_str(w, "label", b->label);
  ogrh_jw_str(w, "reason", ogrh_reason_name(b->reason));
  ogrh_jw_bool(w, "pinned", b->pinned);
  ogrh_jw_bool(w, "damaged", b->damaged);
  ogrh_jw_int(w, "fileBytes", (int64_t)b->raw_size);
  ogrh_jw_int(w, "storedBytes", (int64_t)b->stored_size);
  snprintf(hex, sizeof hex, "%016llx", (unsigned long long)b->root);
  ogrh_jw_str(w, "rootDigest", hex);
  ogrh_jw_int(w, "raidCount", b->raids);
  ogrh_jw_int(w, "encounterCount", b->encounters);
  ogrh_jw_close(w, '}');
}

static const char *const backup_usage =
    "usage: ogrh backup <command> FILE [args]\n\n"
    "The backup store of FILE lives in FILE.backups/ (compressed, deduplicated snapshots).\n"
    "commands:\n"
    "  create FILE [--label L] [--pin]   snapshot FILE now (a manual backup is pinned); nothing\n"
    "                                    is taken when FILE is unchanged since the newest one\n"
    "  list FILE [--json]                backups, newest first (times in local time)\n"
    "  show FILE ID [--json]             metadata and a summary of one backup\n"
    "  restore FILE ID                   safety backup, verify, then replace FILE\n"
    "  delete FILE ID [--yes]            delete (manual/pinned ones need --yes; 3 are kept)\n"
    "  pin FILE ID, unpin FILE ID        protect from (or expose to) pruning\n"
    "  prune FILE                        apply the retention policy now\n"
    "  export FILE ID [-o OUT]           one line of text to paste elsewhere\n"
    "  import FILE IN|- [--restore]      add an exported backup (and restore it into FILE)\n"
    "  diff FILE ID [ID2] [--json]       what differs from FILE (or backup ID2); exit 0/1/2\n"
    "Every --json takes --compact or --pretty (README 'JSON output').\n\n"
    "Retention (after every create): pinned backups are never deleted; the newest 3 are\n"
    "always kept; of the others an unpinned backup is deleted when older than 7 days or when\n"
    "10 newer unpinned backups exist.\n"
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
  cli_opt opts[] = {{"--label", NULL, true, NULL},    {"--pin", NULL, false, NULL},
                    {"--yes", "-y", false, NULL},     {"--output", "-o", true, NULL},
                    {"--restore", NULL, false, NULL}, CLI_JSON_OPTS};
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

  bool ro = !strcmp(sub, "list") || !strcmp(sub, "show") || !strcmp(sub, "export");
  /* Commands that replace FILE hold its writers' lock from before they read it (for the
     safety backup) until it is written; the store's own lock is taken after it, as repair
     does. */
  bool writes_file = !strcmp(sub, "restore") ||
                     (!strcmp(sub, "import") && cli_flag(opts, NOPTS(opts), "--restore"));
  ogrh_file_lock lock = {-1};
  if (writes_file && (rc = cli_lock(file, &lock))) return rc;
  ogrh_store *s;
  if ((rc = open_store(file, ro, &s))) {
    ogrh_file_lock_release(&lock);
    return rc;
  }
  ogrh_backup_info bi;
  char sz[32], sz2[32], lab[1600];
  if (!strcmp(sub, "create")) {
    ogrh_buf text;
    ogrh_buf_init(&text);
    const char *label = cli_get(opts, NOPTS(opts), "--label");
    bool created;
    if ((rc = ogrh_read_file(file, &text))) {
      rc = cli_fail("%s: cannot read: %s", file, ogrh_strerror(rc));
    } else if (ogrh_backup_create_text(s, text.p ? text.p : "", text.n, file, label ? label : "",
                                       OGRH_REASON_MANUAL, true, cli_now(), &bi, &created, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else if (!created) {
      printf("%s is unchanged since backup %u [%s]: no new backup was taken%s\n", file, bi.id,
             cli_safe_text(bi.label, lab, sizeof lab),
             bi.pinned ? "" : " (keep it with 'ogrh backup pin FILE ID')");
    } else {
      human_size(bi.raw_size, sz, sizeof sz);
      human_size(bi.stored_size, sz2, sizeof sz2);
      printf("Backup created successfully: %u%s%s%s (%s, %s stored; store now %llu bytes)\n", bi.id,
             bi.label[0] ? " [" : "", cli_safe_text(bi.label, lab, sizeof lab),
             bi.label[0] ? "]" : "", sz, sz2, (unsigned long long)ogrh_store_bytes(s));
    }
    ogrh_buf_deinit(&text);
  } else if (!strcmp(sub, "list")) {
    if (json) {
      ogrh_jw w;
      ogrh_buf jb;
      cli_json_begin(&w, &jb, opts, NOPTS(opts));
      ogrh_jw_str(&w, "file", file);
      ogrh_jw_int(&w, "backupCount", (int64_t)ogrh_store_count(s));
      ogrh_jw_int(&w, "storeBytes", (int64_t)ogrh_store_bytes(s));
      ogrh_jw_open(&w, "backups", '[');
      for (size_t i = 0; i < ogrh_store_count(s); i++)
        info_json(&w, NULL, ogrh_store_at(s, i));
      ogrh_jw_close(&w, ']');
      rc = cli_json_end(&w, &jb);
      ogrh_buf_deinit(&jb);
    } else if (ogrh_store_health_of(s, NULL) == OGRH_STORE_UNREADABLE) {
      rc = cli_fail("no backup of %s can be read", file);
    } else if (ogrh_store_count(s) == 0) {
      printf("no backups of %s yet ('ogrh backup create %s')\n", file, file);
    } else {
      printf("%4s  %-26s %-20s %9s  %s\n", "id", "time", "reason", "size", "label");
      for (size_t i = 0; i < ogrh_store_count(s); i++)
        print_info(ogrh_store_at(s, i));
      printf("%zu %s, store %llu bytes\n", ogrh_store_count(s),
             cli_plural(ogrh_store_count(s), "backup", "backups"),
             (unsigned long long)ogrh_store_bytes(s));
    }
  } else if (!strcmp(sub, "show")) {
    const ogrh_backup_info *b = ogrh_store_find(s, id);
    ogrh_svfile *f = NULL;
    if (!b) {
      rc = cli_fail("no backup with id %u in %s.backups", id, file);
    } else if (ogrh_backup_load(s, id, &f, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else {
      ogrh_doc *d = NULL;
      ogrh_doc_from_svfile(f, &d, NULL);
      f = NULL;
      ogrh_table *raids = d ? ogrh_doc_raids(d) : NULL;
      if (json) {
        ogrh_jw w;
        ogrh_buf jb;
        cli_json_begin(&w, &jb, opts, NOPTS(opts));
        ogrh_jw_str(&w, "file", file);
        info_json(&w, "backup", b);
        ogrh_jw_open(&w, "raids", '[');
        for (uint32_t i = 0; raids && i < raids->n; i++) {
          if (raids->e[i].val.type != OGRH_TABLE) continue;
          size_t nl;
          const char *nm = ogrh_table_name(raids->e[i].val.u.t, &nl);
          const ogrh_table *e = ogrh_raid_encounters(raids->e[i].val.u.t);
          ogrh_jw_open(&w, NULL, '{');
          ogrh_jw_strn(&w, "name", nm, nl);
          ogrh_jw_int(&w, "encounterCount", e ? e->n : 0);
          ogrh_jw_close(&w, '}');
        }
        ogrh_jw_close(&w, ']');
        rc = cli_json_end(&w, &jb);
        ogrh_buf_deinit(&jb);
      } else {
        char t[64];
        cli_time_text(b->timestamp, t, sizeof t);
        human_size(b->raw_size, sz, sizeof sz);
        human_size(b->stored_size, sz2, sizeof sz2);
        printf("backup %u\n  time: %s\n  label: %s\n  reason: %s\n  size: %s (%s added to the "
               "store)\n  pinned: %s\n  root digest: %016llx (verified)\n  holds: %u %s, %u %s\n",
               b->id, t, cli_safe_text(b->label, lab, sizeof lab), ogrh_reason_name(b->reason), sz,
               sz2, b->pinned ? "yes" : "no", (unsigned long long)b->root, b->raids,
               cli_plural(b->raids, "raid", "raids"), b->encounters,
               cli_plural(b->encounters, "encounter", "encounters"));
        for (uint32_t i = 0; raids && i < raids->n; i++) {
          if (raids->e[i].val.type != OGRH_TABLE) continue;
          size_t nl;
          const char *nm = ogrh_table_name(raids->e[i].val.u.t, &nl);
          const ogrh_table *e = ogrh_raid_encounters(raids->e[i].val.u.t);
          uint32_t ne = e ? e->n : 0;
          char name[512];
          snprintf(name, sizeof name, "%.*s", (int)(nl < 400 ? nl : 400), nm);
          printf("    %s: %u %s\n", cli_safe_text(name, lab, sizeof lab), ne,
                 cli_plural(ne, "encounter", "encounters"));
        }
      }
      ogrh_doc_free(d);
    }
    ogrh_svfile_free(f);
  } else if (!strcmp(sub, "restore")) {
    ogrh_safety safety;
    if (ogrh_backup_restore(s, file, id, cli_now(), &safety, &err)) {
      rc = cli_fail("%s; %s was not changed", ogrh_err_msg(&err), file);
    } else {
      print_safety(file, &safety);
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
    if (ogrh_backup_prune(s, cli_now(), &n, &err))
      rc = cli_fail("%s", ogrh_err_msg(&err));
    else
      printf("Pruned %zu %s; %zu left.\n", n, cli_plural(n, "backup", "backups"),
             ogrh_store_count(s));
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
    } else if (ogrh_backup_import(s, in.p ? in.p : "", in.n, cli_now(), &bi, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else {
      printf("Imported as backup %u: %s\n", bi.id, cli_safe_text(bi.label, lab, sizeof lab));
      if (cli_flag(opts, NOPTS(opts), "--restore")) {
        ogrh_safety safety;
        if (ogrh_backup_restore(s, file, bi.id, cli_now(), &safety, &err)) {
          rc = cli_fail("%s; %s was not changed", ogrh_err_msg(&err), file);
        } else {
          print_safety(file, &safety);
          printf("Restored it into %s%s.\n", file,
                 safety.existed ? "" : " (it did not exist before)");
        }
      }
    }
    ogrh_buf_deinit(&in);
  }
  ogrh_store_close(s);
  ogrh_file_lock_release(&lock);
  return rc;
}

const cli_cmd cmd_backup = {"backup", "create, list, restore, export backups of a file", NULL,
                            run_backup};

/* ---- defaults ---- */

/*
** The file with its OGRH_SV replaced by the factory defaults' and every other variable kept as
** it is (another addon's table in the same file must not disappear): into *out, which owns the
** result. A file that does not exist gets the defaults alone, and so does one that cannot be
** parsed (*unparsable: the backup taken before keeps its bytes); one that cannot be read is an
** error.
*/
static int defaults_into(const char *path, ogrh_svfile **out, bool *unparsable, ogrh_err *err) {
  *out = NULL;
  *unparsable = false;
  ogrh_svfile *f = NULL;
  struct stat st;
  int rc = OGRH_OK;
  if (stat(path, &st) == 0) {
    ogrh_buf text;
    ogrh_buf_init(&text);
    if ((rc = ogrh_read_file(path, &text))) {
      ogrh_err_set(err, rc, "%s: cannot read: %s", path, ogrh_strerror(rc));
    } else if ((rc = ogrh_svfile_parse(text.p ? text.p : "", text.n, path, &f, err)) &&
               rc != OGRH_ENOMEM) {
      *unparsable = true;
      rc = OGRH_OK;
    }
    ogrh_buf_deinit(&text);
    if (rc) return rc;
  }
  if (!f && !(f = ogrh_svfile_new())) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  ogrh_doc *d;
  ogrh_value v;
  if (!(rc = ogrh_doc_defaults(&d, err))) {
    if ((rc = ogrh_value_copy(f->arena, ogrh_svfile_get(ogrh_doc_svfile(d), "OGRH_SV"), &v)) ||
        (rc = ogrh_svfile_set(f, "OGRH_SV", &v)))
      ogrh_err_set(err, rc, "out of memory");
    ogrh_doc_free(d);
  }
  if (rc) {
    ogrh_svfile_free(f);
    return rc;
  }
  *out = f;
  return OGRH_OK;
}

static int run_defaults(int argc, char **argv) {
  char *pos[1];
  int npos, rc = cli_parse(&cmd_defaults, argc, argv, NULL, 0, pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_err err;
  ogrh_file_lock lock = {-1};
  ogrh_safety sf;
  ogrh_svfile *f = NULL;
  size_t kept = 0;
  bool unparsable;
  if ((rc = cli_lock(pos[0], &lock))) {
    /* reported */
  } else if (defaults_into(pos[0], &f, &unparsable, &err)) {
    rc = cli_fail("%s (nothing was changed)", ogrh_err_msg(&err));
  } else if (ogrh_backup_before(pos[0], OGRH_REASON_BEFORE_DEFAULTS, "before load defaults",
                                cli_now(), &sf, &err)) {
    rc = cli_fail("%s (nothing was changed)", ogrh_err_msg(&err));
  } else {
    print_safety(pos[0], &sf);
    if (ogrh_svfile_save(f, pos[0], &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else {
      kept = f->n - 1;
      printf("%s now holds the factory defaults", pos[0]);
      if (kept)
        printf(" (its %zu other %s kept as %s)", kept, cli_plural(kept, "variable", "variables"),
               cli_plural(kept, "it was", "they were"));
      else if (unparsable)
        printf(" (it could not be parsed, so nothing else of it was kept)");
      printf(".\n");
    }
  }
  ogrh_file_lock_release(&lock);
  ogrh_svfile_free(f);
  return rc;
}

const cli_cmd cmd_defaults = {
    "defaults", "reset a file to the factory defaults (after a backup)",
    "usage: ogrh defaults FILE\n\n"
    "Takes a backup of FILE (reason \"before load defaults\") if it exists, then replaces its\n"
    "OGRH_SV with the addon's factory defaults, atomically; every other variable of FILE (an\n"
    "other addon's table in the same file) is kept as it was. Undo with 'ogrh backup\n"
    "restore FILE ID'.\n"
    "Example:\n  ogrh defaults OG-RaidHelper.lua\n",
    run_defaults};
