/*
** cmd_data.c
** The data commands: get, set, fmt, stats, export, import, gen.
*/
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- paths and names ---- */

/* A PATH argument: the named form (BWL/Razorgore/Main Tank:assignedPlayers.1) or an index path. */
static int resolve_path(ogrh_doc *d, const char *spec, ogrh_path *p) {
  ogrh_err err;
  if (ogrh_name_path(d, spec, p, &err)) return cli_fail("%s", ogrh_err_msg(&err));
  return EXIT_OK;
}

/* What a table holds, for "not found": "1 Molten Core, 2 BWL, ..." or "keys 1..5, name". */
static void describe_keys(const ogrh_table *t, ogrh_buf *b) {
  if (t->n == 0) {
    ogrh_buf_adds(b, "it is empty");
    return;
  }
  size_t start = b->n, shown = 0;
  for (uint32_t i = 0; i < t->n; i++) {
    if (b->n - start > 300) break;
    const ogrh_entry *e = &t->e[i];
    if (shown++) ogrh_buf_adds(b, ", ");
    if (e->key.type == OGRH_INT) {
      /* A run of consecutive integer keys of unnamed entries reads as 1..8. */
      size_t nl = 0;
      if (e->val.type == OGRH_TABLE) ogrh_table_name(e->val.u.t, &nl);
      if (nl) {
        const char *nm = ogrh_table_name(e->val.u.t, &nl);
        ogrh_buf_printf(b, "%lld %.*s", (long long)e->key.u.i, (int)nl, nm);
        continue;
      }
      uint32_t j = i;
      while (
          j + 1 < t->n && t->e[j + 1].key.type == OGRH_INT &&
          t->e[j + 1].key.u.i == t->e[j].key.u.i + 1 &&
          !(t->e[j + 1].val.type == OGRH_TABLE && ogrh_table_name(t->e[j + 1].val.u.t, &nl) && nl))
        j++;
      if (j > i + 1)
        ogrh_buf_printf(b, "%lld..%lld", (long long)e->key.u.i, (long long)t->e[j].key.u.i);
      else
        ogrh_buf_printf(b, "%lld", (long long)e->key.u.i);
      if (j == i + 1) ogrh_buf_printf(b, ", %lld", (long long)t->e[j].key.u.i);
      i = j;
    } else {
      ogrh_buf_add(b, e->key.u.s, e->key.len);
    }
  }
  if (shown && b->n - start > 300) ogrh_buf_printf(b, ", ... (%u keys in all)", t->n);
}

/* "not found", naming the first segment that is missing and what exists at that level. */
static int not_found(ogrh_doc *d, const char *spec, const ogrh_path *p) {
  const ogrh_value *cur = ogrh_doc_root(d);
  ogrh_buf msg, at;
  ogrh_buf_init(&msg);
  ogrh_buf_init(&at);
  for (size_t i = 0; cur && i < p->n; i++) {
    ogrh_buf_reset(&at);
    if (i)
      ogrh_path_format(p, i, &at);
    else
      ogrh_buf_adds(&at, "the schema root");
    const char *where = at.p ? at.p : "";
    ogrh_buf seg;
    ogrh_buf_init(&seg);
    ogrh_path_format(p, i + 1, &seg);
    const char *last = seg.p ? seg.p + (i ? at.n + (seg.p[at.n] == '.') : 0) : "";
    if (cur->type != OGRH_TABLE) {
      ogrh_buf_printf(&msg, "%s: not found: %s is %s %s, which holds no '%s'", spec, where,
                      cur->type == OGRH_INT ? "an" : "a", ogrh_type_name(cur->type), last);
    } else if (!ogrh_table_get(cur->u.t, &p->seg[i])) {
      ogrh_buf_printf(&msg, "%s: not found: no '%s' in %s (", spec, last, where);
      describe_keys(cur->u.t, &msg);
      ogrh_buf_addc(&msg, ')');
    }
    ogrh_buf_deinit(&seg);
    if (msg.n || ogrh_buf_error(&msg)) break;
    cur = ogrh_table_get(cur->u.t, &p->seg[i]);
  }
  int rc;
  if (!ogrh_doc_root(d))
    rc = cli_fail("%s: not found: the file has no OGRH_SV data", spec);
  else if (ogrh_buf_error(&msg) || !msg.n)
    rc = cli_fail("%s: not found", spec);
  else
    rc = cli_fail("%s", msg.p);
  ogrh_buf_deinit(&msg);
  ogrh_buf_deinit(&at);
  return rc;
}

/* ---- get ---- */

static int run_get(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_get, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_doc *d;
  if ((rc = cli_load(pos[0], &d))) return rc;
  ogrh_path p;
  const ogrh_value *v = NULL;
  if ((rc = resolve_path(d, pos[1], &p))) {
    ogrh_doc_free(d);
    return rc;
  }
  if (ogrh_doc_get_path(d, &p, &v)) {
    rc = not_found(d, pos[1], &p);
    ogrh_doc_free(d);
    return rc;
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = cli_flag(opts, NOPTS(opts), "--json")
           ? ogrh_json_write_value(v, cli_json_indent(opts, NOPTS(opts)), &b)
           : ogrh_value_write(v, 0, &b);
  if (!rc) rc = ogrh_buf_addc(&b, '\n');
  if (!rc)
    rc = cli_write_out(NULL, &b);
  else
    rc = cli_fail("cannot format the value: %s", ogrh_strerror(rc));
  ogrh_buf_deinit(&b);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_get = {
    "get", "print the value at a path",
    "usage: ogrh get FILE PATH [--json [--compact|--pretty]]\n\n"
    "Prints the value at PATH in Lua syntax. PATH is relative to the schema root (OGRH_SV.v2\n"
    "for v2 files), in the index form or the named form:\n"
    "  encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers    dots; numbers are\n"
    "                                      integer keys; [\"Key with.dots\"] or [5] reach any key\n"
    "  BWL/Razorgore/Main Tank:assignedPlayers       RAID[/ENCOUNTER[/ROLE]][:PATH] by name\n"
    "A path that does not exist names the first missing segment and what exists there.\n"
    "Examples:\n"
    "  ogrh get OG-RaidHelper.lua BWL/Razorgore:roles.1.assignedPlayers\n"
    "  ogrh get OG-RaidHelper.lua consumes --json\n\n"
    "  --json      print the value as lossless JSON (README 'JSON mapping')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n",
    run_get};

/* ---- set ---- */

/* A VALUE that is a bare word was meant as a string: suggest the quoted form. */
static void bare_word_hint(const char *s) {
  if (!*s || !(isalpha((unsigned char)*s) || *s == '_')) return;
  for (const char *p = s; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '_' || *p == ' ' || *p == '-' ||
          (unsigned char)*p >= 0x80))
      return;
  fprintf(stderr, "ogrh set: did you mean '\"%s\"'? (a string VALUE is quoted, as in Lua)\n", s);
}

static int run_set(int argc, char **argv) {
  cli_opt opts[] = {{"--dry-run", "-n", false, NULL},
                    {"--sync", NULL, true, NULL},
                    {"--component-type", NULL, true, NULL},
                    {"--delete", NULL, false, NULL},
                    CLI_JSON_OPTS};
  char *pos[3];
  int npos, rc = cli_parse(&cmd_set, argc, argv, opts, NOPTS(opts), pos, 3, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  bool del = cli_flag(opts, NOPTS(opts), "--delete"),
       dry = cli_flag(opts, NOPTS(opts), "--dry-run"), json = cli_flag(opts, NOPTS(opts), "--json");
  if (!del && npos != 3) return cli_usage_error(&cmd_set, "missing VALUE (or use --delete)");
  if (del && npos != 2) return cli_usage_error(&cmd_set, "--delete takes no VALUE");
  ogrh_sync_meta meta = {OGRH_SYNC_NONE, cli_get(opts, NOPTS(opts), "--component-type"), NULL};
  const char *lvl = cli_get(opts, NOPTS(opts), "--sync");
  if (lvl && ogrh_sync_level_parse(lvl, &meta.level))
    return cli_usage_error(&cmd_set, "--sync must be REALTIME, BATCH, GRANULAR or MANUAL");
  /* Read, change, write back: under the writers' lock, so no other writer's update is lost. */
  ogrh_file_lock lock = {-1};
  if (!dry && (rc = cli_lock(pos[0], &lock))) return rc;
  ogrh_doc *d = NULL;
  ogrh_arena *tmp = NULL;
  ogrh_buf text, jb;
  ogrh_buf_init(&text);
  ogrh_jw w;
  cli_json_begin(&w, &jb, opts, NOPTS(opts));
  ogrh_err err;
  ogrh_value v = ogrh_vnil();
  ogrh_path p;
  const ogrh_value *cur;
  if ((rc = cli_load(pos[0], &d))) goto done;
  if (!(tmp = ogrh_arena_new())) {
    rc = cli_fail("%s", ogrh_strerror(OGRH_ENOMEM));
    goto done;
  }
  if (!del && (rc = ogrh_value_parse_literal(tmp, pos[2], strlen(pos[2]), &v, &err))) {
    if (rc == OGRH_ENOMEM) {
      rc = cli_fail("%s", ogrh_strerror(rc));
    } else {
      rc = cli_fail("VALUE is not a Lua literal: %s", ogrh_err_msg(&err));
      bare_word_hint(pos[2]);
    }
    goto done;
  }
  if ((rc = resolve_path(d, pos[1], &p))) goto done;
  bool exists = ogrh_doc_get_path(d, &p, &cur) == OGRH_OK;
  if (del && !exists) {
    rc = not_found(d, pos[1], &p);
    goto done;
  }
  /* The value it holds already: no write, no change record. */
  bool same = !del && exists && ogrh_value_equal(cur, &v);
  if (json) {
    ogrh_jw_str(&w, "file", pos[0]);
    ogrh_jw_bool(&w, "dryRun", dry);
    ogrh_jw_open(&w, "changes", '[');
  }
  cli_changes cc = {d, json ? NULL : &text, json ? &w : NULL, 0};
  if ((rc = ogrh_doc_subscribe(d, cli_change, &cc)) < 0) {
    rc = cli_fail("%s", ogrh_strerror(rc));
    goto done;
  }
  if (!same && ogrh_doc_set_parsed(d, &p, &v, lvl || meta.component_type ? &meta : NULL, &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  if (json) {
    ogrh_jw_close(&w, ']');
    ogrh_jw_bool(&w, "written", !dry && cc.n > 0);
  } else {
    if (cc.n == 0) ogrh_buf_printf(&text, "%s: nothing to change (it holds that value)\n", pos[1]);
    if (dry) ogrh_buf_printf(&text, "dry run: %s not written\n", pos[0]);
  }
  if (ogrh_buf_error(&text) || ogrh_jw_error(&w)) {
    rc = ogrh_buf_error(&text) ? ogrh_buf_error(&text) : ogrh_jw_error(&w);
    rc = cli_fail("%s; %s not written", ogrh_strerror(rc), pos[0]);
    goto done;
  }
  if (!dry && cc.n > 0 && ogrh_doc_save(d, pos[0], &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  rc = json ? cli_json_end(&w, &jb) : cli_write_out(NULL, &text);
done:
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&text);
  ogrh_buf_deinit(&jb);
  ogrh_arena_free(tmp);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_set = {
    "set", "write a value at a path (atomically)",
    "usage: ogrh set FILE PATH VALUE [--dry-run] [--sync LEVEL] [--component-type T] [--json]\n"
    "       ogrh set FILE PATH --delete [--dry-run] [--json]\n\n"
    "Writes VALUE (a Lua literal: 5, -1.5, \"text\", true, nil, {\"a\", [3] = 8}) at PATH,\n"
    "creating missing tables like the addon's SetPath; refuses to walk through a non-table.\n"
    "PATH is an index path or a name (see 'ogrh help get'). Prints the change record (path,\n"
    "old and new value, the scope it touches) and writes FILE atomically; a delete prints\n"
    "'delete PATH' and the old value. A string is quoted: '\"Tankadin\"' in the shell.\n"
    "Examples:\n"
    "  ogrh set OG-RaidHelper.lua 'BWL/Razorgore/Main Tank:assignedPlayers.1' '\"Tankadin\"'\n"
    "  ogrh set OG-RaidHelper.lua encounterMgmt.raids.2.encounters.1.roles.1.raidMarks.1 8\n"
    "  ogrh set OG-RaidHelper.lua roles.Tankadin --delete\n\n"
    "  -n, --dry-run          show the change, do not write\n"
    "  --delete               remove the key at PATH\n"
    "  --sync LEVEL           attach sync metadata: REALTIME, BATCH, GRANULAR or MANUAL\n"
    "  --component-type T     attach a componentType to the metadata\n"
    "  --json                 the change records as JSON (--compact, --pretty as for get)\n",
    run_set};

/* ---- fmt ---- */

/* True when path is a regular file whose bytes are exactly b's (a pipe is never read). */
static bool same_bytes(const char *path, const ogrh_buf *b) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != b->n) return false;
  ogrh_buf cur;
  ogrh_buf_init(&cur);
  bool same = ogrh_read_file(path, &cur) == OGRH_OK && cur.n == b->n &&
              (b->n == 0 || memcmp(cur.p, b->p, b->n) == 0);
  ogrh_buf_deinit(&cur);
  return same;
}

/*
** Replaces OUT with b: nothing when OUT already holds exactly these bytes, else a backup of the
** plan OUT holds first (README "Nothing lost"), then the atomic write.
*/
static int replace_file(const char *outp, const ogrh_buf *b, const char *why) {
  if (!outp || strcmp(outp, "-") == 0) return cli_write_out(NULL, b);
  if (same_bytes(outp, b)) return EXIT_OK;
  int rc = cli_backup_overwrite(outp, why);
  return rc ? rc : cli_write_out(outp, b);
}

static int run_fmt(int argc, char **argv) {
  cli_opt opts[] = {{"--output", "-o", true, NULL}, {"--check", NULL, false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_fmt, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  bool check = cli_flag(opts, NOPTS(opts), "--check");
  /* fmt --check compares, as diff does: 0 formatted, 1 not, 2 trouble. */
  if (check) cli_comparing();
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *outp = cli_get(opts, NOPTS(opts), "--output");
  if (check && outp) return cli_usage_error(&cmd_fmt, "--check writes nothing: drop -o");
  /* OUT may be FILE itself: lock it before reading. */
  ogrh_file_lock lock;
  if ((rc = cli_lock(outp, &lock))) return rc;
  ogrh_buf in, out;
  ogrh_buf_init(&in);
  ogrh_buf_init(&out);
  ogrh_svfile *f = NULL;
  ogrh_err err;
  if ((rc = ogrh_read_file(pos[0], &in))) {
    rc = cli_fail("%s: cannot read: %s", pos[0], ogrh_strerror(rc));
  } else if (ogrh_svfile_parse(in.p ? in.p : "", in.n, pos[0], &f, &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
  } else if ((rc = ogrh_svfile_write(f, &out))) {
    rc = cli_fail("cannot write: %s", ogrh_strerror(rc));
  } else if (check) {
    bool same = in.n == out.n && memcmp(in.p, out.p, in.n) == 0;
    if (!same) fprintf(stderr, "ogrh fmt: %s is not formatted\n", pos[0]);
    rc = same ? EXIT_SAME : EXIT_DIFFERENT;
  } else {
    rc = replace_file(outp, &out, "ogrh fmt -o");
  }
  ogrh_file_lock_release(&lock);
  ogrh_svfile_free(f);
  ogrh_buf_deinit(&in);
  ogrh_buf_deinit(&out);
  return rc;
}

const cli_cmd cmd_fmt = {
    "fmt", "rewrite a file in the canonical WoW style",
    "usage: ogrh fmt FILE [-o OUT] [--check]\n\n"
    "Reads FILE (\"-\" for stdin) and writes it in the WoW SavedVariables style (tabs,\n"
    "[\"key\"] = value, keys in canonical order) to stdout or OUT. Comments are not kept.\n"
    "When OUT is an existing file holding a plan (OGRH_SV) and its bytes change, a backup of\n"
    "it is taken first (see 'ogrh help backup'). Example:\n"
    "  ogrh fmt edited.lua -o OG-RaidHelper.lua\n\n"
    "  -o, --output OUT   write OUT atomically (may be FILE itself)\n"
    "  --check            write nothing; exit 0 if FILE is formatted, 1 if not, 2 on trouble\n",
    run_fmt};

/* ---- stats ---- */

/* The formatted size of a value, counted (no second formatting of the file). */
static size_t formatted_size(const ogrh_value *v, int *rc) {
  size_t n = 0;
  if (!*rc) *rc = ogrh_value_write_size(v, 0, &n);
  return n;
}

static int run_stats(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_stats, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_doc *d;
  if ((rc = cli_load_plan(pos[0], &d))) return rc;
  bool json = cli_flag(opts, NOPTS(opts), "--json");
  ogrh_doc_stats st;
  ogrh_doc_stats_get(d, &st);
  /* The file's own size; each raid's is counted as the WoW style would write it. */
  struct stat fst;
  bool sized = strcmp(pos[0], "-") != 0 && stat(pos[0], &fst) == 0;
  size_t total = sized ? (size_t)fst.st_size : 0;
  const char *schema = ogrh_doc_is_v2(d) ? "v2" : "v1";
  /* The whole report is built first and printed only when every part of it could be. */
  cli_out o;
  cli_out_init(&o);
  ogrh_jw w;
  ogrh_buf jb;
  cli_json_begin(&w, &jb, opts, NOPTS(opts));
  if (json) {
    ogrh_jw_str(&w, "file", pos[0]);
    ogrh_jw_str(&w, "schema", schema);
    if (sized)
      ogrh_jw_int(&w, "fileBytes", (int64_t)total);
    else
      ogrh_jw_null(&w, "fileBytes");
    ogrh_jw_int(&w, "raidCount", (int64_t)st.raids);
    ogrh_jw_int(&w, "encounterCount", (int64_t)st.encounters);
    ogrh_jw_int(&w, "roleCount", (int64_t)st.roles);
    ogrh_jw_int(&w, "slotCount", (int64_t)st.slots);
    ogrh_jw_int(&w, "assignedCount", (int64_t)st.assigned);
    ogrh_jw_open(&w, "raids", '[');
  } else {
    char size[48] = "standard input";
    if (sized) snprintf(size, sizeof size, "%zu bytes", total);
    ogrh_buf_printf(&o.b,
                    "file: %s (%s, schema %s)\nraids: %zu\nencounters: %zu\nroles: %zu\n"
                    "slots: %zu\nassigned slots: %zu\n\n%-24s %10s %10s\n",
                    pos[0], size, schema, st.raids, st.encounters, st.roles, st.slots, st.assigned,
                    "raid", "bytes", "encounters");
  }
  ogrh_table *raids = ogrh_doc_raids(d);
  for (uint32_t r = 0; raids && r < raids->n; r++) {
    const ogrh_value *rv = &raids->e[r].val;
    if (rv->type != OGRH_TABLE) continue;
    size_t bytes = formatted_size(rv, &rc), nl;
    const char *name = ogrh_table_name(rv->u.t, &nl);
    const ogrh_table *encs = ogrh_raid_encounters(rv->u.t);
    uint32_t ne = encs ? encs->n : 0;
    if (json) {
      ogrh_jw_open(&w, NULL, '{');
      ogrh_jw_int(&w, "index", raids->e[r].key.u.i);
      ogrh_jw_strn(&w, "name", name, nl);
      ogrh_jw_int(&w, "formattedBytes", (int64_t)bytes);
      ogrh_jw_int(&w, "encounterCount", ne);
      ogrh_jw_close(&w, '}');
    } else {
      ogrh_buf_printf(&o.b, "%-24.*s %10zu %10u", (int)nl, name, bytes, ne);
      cli_eol(&o);
    }
  }
  if (json) ogrh_jw_close(&w, ']');
  if (rc) {
    rc = cli_fail("%s: cannot count its formatted size: %s", pos[0], ogrh_strerror(rc));
    ogrh_buf_deinit(&o.b);
  } else if (json) {
    ogrh_buf_deinit(&o.b);
    rc = cli_json_end(&w, &jb);
  } else {
    rc = cli_out_flush(&o);
  }
  ogrh_buf_deinit(&jb);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_stats = {
    "stats", "count raids, encounters, roles, slots; bytes per raid",
    "usage: ogrh stats FILE [--json [--compact|--pretty]]\n\n"
    "Prints the raids, encounters, roles, slots and assigned slots of FILE's plan, FILE's\n"
    "size, and the size of each raid in the WoW style ('ogrh fmt'). A file without OGRH\n"
    "data is an error. Example:\n"
    "  ogrh stats OG-RaidHelper.lua\n\n"
    "  --json      the same as one JSON object (README 'JSON output')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n",
    run_stats};

/* ---- export / import ---- */

static int run_export(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS, {"--output", "-o", true, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_export, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  if (!cli_flag(opts, NOPTS(opts), "--json"))
    return cli_usage_error(&cmd_export, "say which format: --json");
  const char *outp = cli_get(opts, NOPTS(opts), "--output");
  ogrh_file_lock lock;
  if ((rc = cli_lock(outp, &lock))) return rc;
  ogrh_svfile *f;
  ogrh_err err;
  if (ogrh_svfile_load(pos[0], &f, &err)) {
    ogrh_file_lock_release(&lock);
    return cli_fail("%s", ogrh_err_msg(&err));
  }
  /* As every --json: indented on a terminal or with --pretty, else compact. */
  int indent = outp && strcmp(outp, "-") != 0 ? (cli_flag(opts, NOPTS(opts), "--pretty") ? 2 : 0)
                                              : cli_json_indent(opts, NOPTS(opts));
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = ogrh_json_write_svfile(f, indent, &b);
  if (!rc) rc = ogrh_buf_addc(&b, '\n');
  rc = rc ? cli_fail("cannot encode JSON: %s", ogrh_strerror(rc)) : cli_write_out(outp, &b);
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  return rc;
}

const cli_cmd cmd_export = {
    "export", "convert a SavedVariables file to lossless JSON",
    "usage: ogrh export --json FILE [-o OUT.json] [--compact|--pretty]\n\n"
    "Writes the whole file, every variable in it (OGRH_SV and any other) with everything\n"
    "they hold, as one JSON object keyed by variable name. Integer keys become \"#k\",\n"
    "tables with keys 1..n become arrays, integers and doubles keep their types, and bytes\n"
    "that are not UTF-8 survive as base64 (README 'JSON mapping'); 'ogrh import' reads it\n"
    "back to the same values. The JSON is indented on a terminal and compact otherwise (a\n"
    "file is never a terminal); --pretty and --compact choose. Example:\n"
    "  ogrh export --json OG-RaidHelper.lua -o plan.json\n\n"
    "  --json          the format (the only one)\n"
    "  -o, --output F  write F atomically instead of stdout\n"
    "  --compact       compact JSON even on a terminal\n"
    "  --pretty        indented JSON, also in a file\n",
    run_export};

static int run_import(int argc, char **argv) {
  cli_opt opts[] = {{"--json", NULL, false, NULL}, {"--output", "-o", true, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_import, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  if (!cli_flag(opts, NOPTS(opts), "--json"))
    return cli_usage_error(&cmd_import, "say which format: --json");
  const char *outp = cli_get(opts, NOPTS(opts), "--output");
  if (!outp) return cli_usage_error(&cmd_import, "say where to write: -o FILE.lua");
  ogrh_file_lock lock;
  if ((rc = cli_lock(outp, &lock))) return rc;
  ogrh_buf in, out;
  ogrh_buf_init(&in);
  ogrh_buf_init(&out);
  ogrh_svfile *f = NULL;
  ogrh_err err;
  if ((rc = ogrh_read_file(pos[0], &in)))
    rc = cli_fail("%s: cannot read: %s", pos[0], ogrh_strerror(rc));
  else if (ogrh_json_read_svfile(in.p ? in.p : "", in.n, pos[0], &f, &err))
    rc = cli_fail("%s", ogrh_err_msg(&err));
  else if ((rc = ogrh_svfile_write(f, &out)))
    rc = cli_fail("%s: cannot encode: %s", outp, ogrh_strerror(rc));
  else
    rc = replace_file(outp, &out, "ogrh import");
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&in);
  ogrh_buf_deinit(&out);
  ogrh_svfile_free(f);
  return rc;
}

const cli_cmd cmd_import = {
    "import", "convert lossless JSON back to a SavedVariables file",
    "usage: ogrh import --json FILE.json -o FILE.lua\n\n"
    "The inverse of 'ogrh export --json': the result reads back to the same values as the\n"
    "exported file. Writes FILE.lua atomically; when FILE.lua exists and holds a plan\n"
    "(OGRH_SV), a backup of it is taken first (see 'ogrh help backup'). Example:\n"
    "  ogrh import --json plan.json -o OG-RaidHelper.lua\n\n"
    "  --json          the format (the only one)\n"
    "  -o, --output F  the SavedVariables file to write\n",
    run_import};

/* ---- gen ---- */

static int run_gen(int argc, char **argv) {
  cli_opt opts[] = {{"--seed", NULL, true, NULL},
                    {"--scale", NULL, true, NULL},
                    {"--players", NULL, true, NULL},
                    {"--fill", NULL, true, NULL},
                    {"--output", "-o", true, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_gen, argc, argv, opts, NOPTS(opts), pos, 0, &npos, 0);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_gen_opts o;
  ogrh_gen_opts_default(&o);
  long long v;
  const char *s;
  if ((s = cli_get(opts, NOPTS(opts), "--seed"))) {
    if (!cli_number(s, 0, INT64_MAX, &v)) return cli_usage_error(&cmd_gen, "bad --seed '%s'", s);
    o.seed = (uint64_t)v;
  }
  if ((s = cli_get(opts, NOPTS(opts), "--scale"))) {
    if (!cli_number(s, 1, 100000, &v))
      return cli_usage_error(&cmd_gen, "--scale must be 1..100000");
    o.scale = (int)v;
  }
  if ((s = cli_get(opts, NOPTS(opts), "--players"))) {
    if (!cli_number(s, 1, 250, &v)) return cli_usage_error(&cmd_gen, "--players must be 1..250");
    o.players = (int)v;
  }
  if ((s = cli_get(opts, NOPTS(opts), "--fill"))) {
    char *end;
    o.fill = strtod(s, &end);
    if (*end || !(o.fill >= 0 && o.fill <= 1))
      return cli_usage_error(&cmd_gen, "--fill must be between 0 and 1");
  }
  const char *outp = cli_get(opts, NOPTS(opts), "--output");
  ogrh_file_lock lock;
  if ((rc = cli_lock(outp, &lock))) return rc;
  ogrh_svfile *f;
  ogrh_err err;
  if (o.scale >= 50) fprintf(stderr, "ogrh gen: generating %dx the factory data...\n", o.scale);
  if (ogrh_gen(&o, &f, &err)) {
    ogrh_file_lock_release(&lock);
    return cli_fail("%s", ogrh_err_msg(&err));
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = ogrh_svfile_write(f, &b);
  rc = rc ? cli_fail("cannot encode: %s", ogrh_strerror(rc)) : cli_write_out(outp, &b);
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  return rc;
}

const cli_cmd cmd_gen = {
    "gen", "generate a realistic document",
    "usage: ogrh gen [--seed N] [--scale N] [--players N] [--fill F] [-o OUT]\n\n"
    "Writes the factory raids with their slots filled from a generated roster (85% of them\n"
    "by default, --fill), with classes, sparse raid marks and assignment numbers,\n"
    "announcement lines with [R1.P1] tags, and a RolesUI map. --scale N adds N-1 varied\n"
    "copies of every raid. Same seed, same bytes. Example:\n"
    "  ogrh gen --seed 7 --scale 50 -o big.lua\n\n"
    "  --seed N      random seed (default 1)\n"
    "  --scale N     size multiplier, 1..100000 (default 1)\n"
    "  --players N   roster size, 1..250 (default 40)\n"
    "  --fill F      fraction of slots assigned (default 0.85)\n"
    "  -o, --output  write to a file (atomically) instead of stdout\n",
    run_gen};
