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

/*
** A label (or any text from a store or from someone else's export) made safe for a terminal:
** control characters, C1 controls, bidirectional overrides and line separators become
** escapes (\x1b, \u{202e}), a backslash is doubled, bytes that are not UTF-8 become \xNN.
*/
static const char *safe_text(const char *s, char *out, size_t cap) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  while (*p && o + 12 < cap) {
    unsigned c = *p;
    size_t k = c < 0x80 ? 1 : c < 0xc0 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    if (k > 1 && !ogrh_utf8_valid((const char *)p, k)) k = 0;
    if (k == 0 || (k == 1 && (c < 0x20 || c == 0x7f))) {
      o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
      p++;
      continue;
    }
    if (c == '\\') {
      out[o++] = '\\';
      out[o++] = '\\';
      p++;
      continue;
    }
    uint32_t cp = k == 1 ? c : (c & (0xff >> (k + 1)));
    for (size_t j = 1; j < k; j++)
      cp = cp << 6 | (p[j] & 0x3f);
    if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
        (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
        cp == 0x2029) {
      o += (size_t)snprintf(out + o, cap - o, "\\u{%x}", (unsigned)cp);
    } else {
      memcpy(out + o, p, k);
      o += k;
    }
    p += k;
  }
  out[o] = '\0';
  return out;
}

/* Says what was done with the live file before a repair (on stderr: repair's own output is
** about the repair). */
static void report_safety(const char *file, const ogrh_safety *sf) {
  char lab[1600];
  if (sf->created)
    fprintf(stderr, "ogrh repair: backup %u taken first (%s)\n", sf->info.id,
            ogrh_reason_name(sf->info.reason));
  else if (sf->reused)
    fprintf(stderr, "ogrh repair: %s is unchanged since backup %u [%s]: no new backup needed\n",
            file, sf->info.id, safe_text(sf->info.label, lab, sizeof lab));
  if (sf->kept[0])
    fprintf(stderr,
            "ogrh repair: warning: %s could not be parsed (%s), so no backup of it could be "
            "taken; its bytes were copied to %s\n",
            file, sf->parse_error, sf->kept);
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
           safe_text(sf->info.label, lab, sizeof lab));
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
  if (ogrh_backup_before(path, OGRH_REASON_BEFORE_REPAIR, "before repair", now(), &sf, &err))
    return cli_fail("%s (the repair was not applied)", ogrh_err_msg(&err));
  report_safety(path, &sf);
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
  human_time(b->timestamp, t, sizeof t);
  human_size(b->raw_size, sz, sizeof sz);
  printf("%4u  %-26s %-20s %9s  %s%s%s\n", b->id, t, ogrh_reason_name(b->reason), sz,
         b->damaged ? "[damaged] " : "", b->pinned ? "[pinned] " : "",
         safe_text(b->label, lab, sizeof lab));
}

static const char *const backup_usage =
    "usage: ogrh backup <command> FILE [args]\n\n"
    "The backup store of FILE lives in FILE.backups/ (compressed, deduplicated snapshots).\n"
    "commands:\n"
    "  create FILE [--label L] [--pin]   snapshot FILE now (a manual backup is pinned); nothing\n"
    "                                    is taken when FILE is unchanged since the newest one\n"
    "  list FILE [--json]                backups, newest first\n"
    "  show FILE ID [--json]             metadata and a summary of one backup\n"
    "  restore FILE ID                   safety backup, verify, then replace FILE\n"
    "  delete FILE ID [--yes]            delete (manual/pinned ones need --yes; 3 are kept)\n"
    "  pin FILE ID, unpin FILE ID        protect from (or expose to) pruning\n"
    "  prune FILE                        apply the retention policy now\n"
    "  export FILE ID [-o OUT]           one line of text to paste elsewhere\n"
    "  import FILE IN|- [--restore]      add an exported backup (and restore it into FILE)\n\n"
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
                                       OGRH_REASON_MANUAL, true, now(), &bi, &created, &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
    } else if (!created) {
      printf("%s is unchanged since backup %u [%s]: no new backup was taken%s\n", file, bi.id,
             safe_text(bi.label, lab, sizeof lab),
             bi.pinned ? "" : " (keep it with 'ogrh backup pin FILE ID')");
    } else {
      human_size(bi.raw_size, sz, sizeof sz);
      human_size(bi.stored_size, sz2, sizeof sz2);
      printf("Backup created successfully: %u%s%s%s (%s, %s stored; store now %llu bytes)\n", bi.id,
             bi.label[0] ? " [" : "", safe_text(bi.label, lab, sizeof lab), bi.label[0] ? "]" : "",
             sz, sz2, (unsigned long long)ogrh_store_bytes(s));
    }
    ogrh_buf_deinit(&text);
  } else if (!strcmp(sub, "list")) {
    if (json) {
      ogrh_buf out;
      ogrh_buf_init(&out);
      int jrc = ogrh_buf_addc(&out, '[');
      for (size_t i = 0; i < ogrh_store_count(s) && !jrc; i++) {
        if (i) ogrh_buf_addc(&out, ',');
        jrc = ogrh_backup_info_json(ogrh_store_at(s, i), &out);
      }
      if (!jrc) jrc = ogrh_buf_adds(&out, "]\n");
      if (jrc)
        rc = cli_fail("%s", ogrh_strerror(jrc));
      else
        fputs(out.p, stdout);
      ogrh_buf_deinit(&out);
    } else if (ogrh_store_health_of(s, NULL) == OGRH_STORE_UNREADABLE) {
      rc = cli_fail("no backup of %s can be read", file);
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
      int jrc = ogrh_backup_info_json(b, &out);
      if (jrc)
        rc = cli_fail("%s", ogrh_strerror(jrc));
      else
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
             b->id, t, safe_text(b->label, lab, sizeof lab), ogrh_reason_name(b->reason), sz, sz2,
             b->pinned ? "yes" : "no", (unsigned long long)b->root, b->raids, b->encounters);
      ogrh_doc *d;
      if (ogrh_doc_from_svfile(f, &d, NULL) == OGRH_OK) {
        f = NULL;
        ogrh_table *raids = ogrh_doc_raids(d);
        for (uint32_t i = 0; raids && i < raids->n; i++) {
          if (raids->e[i].val.type != OGRH_TABLE) continue;
          size_t nl;
          const char *nm = ogrh_table_name(raids->e[i].val.u.t, &nl);
          const ogrh_value *e = ogrh_table_gets(raids->e[i].val.u.t, "encounters");
          char name[512];
          snprintf(name, sizeof name, "%.*s", (int)(nl < 400 ? nl : 400), nm);
          printf("    %s: %u encounters\n", safe_text(name, lab, sizeof lab),
                 e && e->type == OGRH_TABLE ? e->u.t->n : 0);
        }
        ogrh_doc_free(d);
      }
    }
    ogrh_svfile_free(f);
  } else if (!strcmp(sub, "restore")) {
    ogrh_safety safety;
    if (ogrh_backup_restore(s, file, id, now(), &safety, &err)) {
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
      printf("Imported as backup %u: %s\n", bi.id, safe_text(bi.label, lab, sizeof lab));
      if (cli_flag(opts, NOPTS(opts), "--restore")) {
        ogrh_safety safety;
        if (ogrh_backup_restore(s, file, bi.id, now(), &safety, &err)) {
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

static int run_defaults(int argc, char **argv) {
  cli_opt opts[] = {{"--yes", "-y", false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_defaults, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_err err;
  ogrh_doc *d;
  if (ogrh_doc_defaults(&d, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  ogrh_file_lock lock = {-1};
  ogrh_safety sf;
  if ((rc = cli_lock(pos[0], &lock))) {
    /* reported */
  } else if (ogrh_backup_before(pos[0], OGRH_REASON_BEFORE_DEFAULTS, "before load defaults", now(),
                                &sf, &err)) {
    rc = cli_fail("%s (nothing was changed)", ogrh_err_msg(&err));
  } else {
    print_safety(pos[0], &sf);
    if (ogrh_doc_save(d, pos[0], &err))
      rc = cli_fail("%s", ogrh_err_msg(&err));
    else
      printf("%s now holds the factory defaults.\n", pos[0]);
  }
  ogrh_file_lock_release(&lock);
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
