/*
** cmd_data.c
** The data commands: get, set, fmt, stats, export, import, gen.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- get ---- */

static int run_get(int argc, char **argv) {
  cli_opt opts[] = {{"--json", NULL, false, NULL}};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_get, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_doc *d;
  if ((rc = cli_load(pos[0], &d))) return rc;
  ogrh_err err;
  const ogrh_value *v;
  if (ogrh_doc_get(d, pos[1], &v, &err)) {
    ogrh_doc_free(d);
    return cli_fail("%s", ogrh_err_msg(&err));
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = cli_flag(opts, NOPTS(opts), "--json") ? ogrh_json_write_value(v, 2, &b)
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
    "usage: ogrh get FILE PATH [--json]\n\n"
    "Prints the value at PATH, relative to the schema root (OGRH_SV.v2 for v2 files).\n"
    "PATH segments are separated by dots; numbers are integer keys; [\"Key with.dots\"] or\n"
    "[5] reach any key. Example:\n"
    "  ogrh get OG-RaidHelper.lua encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers\n\n"
    "  --json   print lossless JSON instead of Lua\n",
    run_get};

/* ---- set ---- */

static void print_change(void *ud, const ogrh_change *c) {
  ogrh_buf *b = ud;
  ogrh_buf_printf(b, "set %s (scope: ", c->path_text);
  ogrh_scope_format(&c->scope, b);
  ogrh_buf_adds(b, ")\n  old: ");
  ogrh_value_write(c->old_value, 1, b);
  ogrh_buf_adds(b, "\n  new: ");
  ogrh_value_write(c->new_value, 1, b);
  if (c->meta) ogrh_buf_printf(b, "\n  sync: %s", ogrh_sync_level_name(c->meta->level));
  ogrh_buf_addc(b, '\n');
}

static int run_set(int argc, char **argv) {
  cli_opt opts[] = {{"--dry-run", "-n", false, NULL},
                    {"--sync", NULL, true, NULL},
                    {"--component-type", NULL, true, NULL},
                    {"--delete", NULL, false, NULL}};
  char *pos[3];
  int npos, rc = cli_parse(&cmd_set, argc, argv, opts, NOPTS(opts), pos, 3, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  bool del = cli_flag(opts, NOPTS(opts), "--delete"),
       dry = cli_flag(opts, NOPTS(opts), "--dry-run");
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
  ogrh_buf out;
  ogrh_buf_init(&out);
  ogrh_err err;
  ogrh_value v = ogrh_vnil();
  if ((rc = cli_load(pos[0], &d))) goto done;
  if (!(tmp = ogrh_arena_new())) {
    rc = cli_fail("%s", ogrh_strerror(OGRH_ENOMEM));
    goto done;
  }
  if (!del && (rc = ogrh_value_parse_literal(tmp, pos[2], strlen(pos[2]), &v, &err))) {
    rc = rc == OGRH_ENOMEM ? cli_fail("%s", ogrh_strerror(rc))
                           : cli_fail("VALUE is not a Lua literal: %s", ogrh_err_msg(&err));
    goto done;
  }
  if ((rc = ogrh_doc_subscribe(d, print_change, &out)) < 0) {
    rc = cli_fail("%s", ogrh_strerror(rc));
    goto done;
  }
  rc = del ? ogrh_doc_delete(d, pos[1], lvl || meta.component_type ? &meta : NULL, &err)
           : ogrh_doc_set_path(d, pos[1], &v, lvl || meta.component_type ? &meta : NULL, &err);
  if (rc) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  if (out.n == 0) ogrh_buf_printf(&out, "set %s: nothing to change\n", pos[1]);
  if (dry) ogrh_buf_printf(&out, "dry run: %s not written\n", pos[0]);
  if (ogrh_buf_error(&out)) {
    rc = cli_fail("%s; %s not written", ogrh_strerror(ogrh_buf_error(&out)), pos[0]);
    goto done;
  }
  if (!dry && ogrh_doc_save(d, pos[0], &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  fputs(out.p, stdout);
  rc = EXIT_OK;
done:
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&out);
  ogrh_arena_free(tmp);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_set = {
    "set", "write a value at a path (atomically)",
    "usage: ogrh set FILE PATH VALUE [--dry-run] [--sync LEVEL] [--component-type T]\n"
    "       ogrh set FILE PATH --delete [--dry-run]\n\n"
    "Writes VALUE (a Lua literal: 5, 1.5, \"text\", true, nil, {\"a\", [3] = 8}) at PATH,\n"
    "creating missing tables like the addon's SetPath; refuses to walk through a non-table.\n"
    "Prints the change record (path, old and new value, scope) and writes FILE atomically.\n"
    "Example:\n"
    "  ogrh set OG-RaidHelper.lua encounterMgmt.raids.2.encounters.5.roles.1.assignedPlayers.1 "
    "'\"Tankadin\"'\n\n"
    "  -n, --dry-run          show the change, do not write\n"
    "  --delete               remove the key at PATH\n"
    "  --sync LEVEL           attach sync metadata: REALTIME, BATCH, GRANULAR or MANUAL\n"
    "  --component-type T     attach a componentType to the metadata\n",
    run_set};

/* ---- fmt ---- */

static int run_fmt(int argc, char **argv) {
  cli_opt opts[] = {{"--output", "-o", true, NULL}, {"--check", NULL, false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_fmt, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  bool check = cli_flag(opts, NOPTS(opts), "--check");
  const char *outp = check ? NULL : cli_get(opts, NOPTS(opts), "--output");
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
    rc = same ? EXIT_OK : EXIT_FAIL;
  } else {
    rc = cli_write_out(outp, &out);
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
    "Example:\n  ogrh fmt edited.lua -o OG-RaidHelper.lua\n\n"
    "  -o, --output OUT   write OUT atomically (may be FILE itself)\n"
    "  --check            write nothing; exit 1 if FILE is not already formatted\n",
    run_fmt};

/* ---- stats ---- */

static int run_stats(int argc, char **argv) {
  cli_opt opts[] = {{"--json", NULL, false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_stats, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_doc *d;
  if ((rc = cli_load(pos[0], &d))) return rc;
  bool json = cli_flag(opts, NOPTS(opts), "--json");
  ogrh_doc_stats st;
  ogrh_doc_stats_get(d, &st);
  /* The whole report is built first and printed only when every part of it could be. */
  ogrh_buf all, b, rep;
  ogrh_buf_init(&all);
  ogrh_buf_init(&b);
  ogrh_buf_init(&rep);
  rc = ogrh_svfile_write(ogrh_doc_svfile(d), &all);
  if (json)
    ogrh_buf_printf(&rep,
                    "{\"file_bytes\": %zu, \"v2\": %s, \"raids\": %zu, \"encounters\": %zu, "
                    "\"roles\": %zu, \"slots\": %zu, \"assigned\": %zu, \"per_raid\": [",
                    all.n, ogrh_doc_is_v2(d) ? "true" : "false", st.raids, st.encounters, st.roles,
                    st.slots, st.assigned);
  else
    ogrh_buf_printf(&rep,
                    "file: %s (%zu bytes formatted, schema %s)\nraids: %zu\nencounters: %zu\n"
                    "roles: %zu\nslots: %zu\nassigned slots: %zu\n\n%-24s %10s %6s\n",
                    pos[0], all.n, ogrh_doc_is_v2(d) ? "v2" : "v1", st.raids, st.encounters,
                    st.roles, st.slots, st.assigned, "raid", "bytes", "encs");
  ogrh_table *raids = ogrh_doc_raids(d);
  int first = 1;
  for (uint32_t r = 0; !rc && raids && r < raids->n; r++) {
    if (raids->e[r].val.type != OGRH_TABLE) continue;
    ogrh_buf_reset(&b);
    rc = ogrh_value_write(&raids->e[r].val, 0, &b);
    size_t nl;
    const char *name = ogrh_table_name(raids->e[r].val.u.t, &nl);
    const ogrh_value *encs = ogrh_table_gets(raids->e[r].val.u.t, "encounters");
    uint32_t ne = encs && encs->type == OGRH_TABLE ? encs->u.t->n : 0;
    if (json) {
      ogrh_value nv = ogrh_vstr(name, nl);
      ogrh_buf_printf(&rep, "%s{\"index\": %lld, \"name\": ", first ? "" : ", ",
                      (long long)raids->e[r].key.u.i);
      if (!rc) rc = ogrh_json_write_value(&nv, 0, &rep);
      ogrh_buf_printf(&rep, ", \"bytes\": %zu, \"encounters\": %u}", b.n, ne);
    } else {
      ogrh_buf_printf(&rep, "%-24.*s %10zu %6u\n", (int)nl, name, b.n, ne);
    }
    first = 0;
  }
  if (json) ogrh_buf_adds(&rep, "]}\n");
  if (!rc) rc = ogrh_buf_error(&rep);
  if (rc)
    rc = cli_fail("%s: %s", pos[0], ogrh_strerror(rc));
  else
    fputs(rep.p, stdout);
  ogrh_buf_deinit(&all);
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&rep);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_stats = {"stats", "count raids, encounters, roles, slots; bytes per raid",
                           "usage: ogrh stats FILE [--json]\n\n"
                           "Prints raids, encounters, roles, slots, assigned slots, and the "
                           "formatted size of\neach raid. Example:\n  ogrh stats "
                           "OG-RaidHelper.lua\n\n  --json   machine-readable output\n",
                           run_stats};

/* ---- export / import ---- */

static int run_export(int argc, char **argv) {
  cli_opt opts[] = {{"--json", NULL, false, NULL},
                    {"--output", "-o", true, NULL},
                    {"--compact", NULL, false, NULL}};
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
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = ogrh_json_write_svfile(f, cli_flag(opts, NOPTS(opts), "--compact") ? 0 : 2, &b);
  if (!rc) rc = ogrh_buf_addc(&b, '\n');
  rc = rc ? cli_fail("cannot encode JSON: %s", ogrh_strerror(rc)) : cli_write_out(outp, &b);
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  return rc;
}

const cli_cmd cmd_export = {
    "export", "convert a SavedVariables file to lossless JSON",
    "usage: ogrh export --json FILE [-o OUT.json] [--compact]\n\n"
    "Writes every assignment of FILE as one JSON object. Integer keys become \"#k\", tables\n"
    "with keys 1..n become arrays, integers and doubles keep their types, and bytes that are\n"
    "not UTF-8 survive as base64 (README.md, 'JSON mapping'). Example:\n"
    "  ogrh export --json OG-RaidHelper.lua -o plan.json\n",
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
  ogrh_buf in;
  ogrh_buf_init(&in);
  ogrh_svfile *f = NULL;
  ogrh_err err;
  if ((rc = ogrh_read_file(pos[0], &in)))
    rc = cli_fail("%s: cannot read: %s", pos[0], ogrh_strerror(rc));
  else if (ogrh_json_read_svfile(in.p ? in.p : "", in.n, pos[0], &f, &err))
    rc = cli_fail("%s", ogrh_err_msg(&err));
  else if (ogrh_svfile_save(f, outp, &err))
    rc = cli_fail("%s", ogrh_err_msg(&err));
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&in);
  ogrh_svfile_free(f);
  return rc;
}

const cli_cmd cmd_import = {"import", "convert lossless JSON back to a SavedVariables file",
                            "usage: ogrh import --json FILE.json -o FILE.lua\n\n"
                            "The inverse of 'ogrh export --json': the result reads back to the "
                            "same values\nas the exported file. Writes FILE.lua atomically. "
                            "Example:\n  ogrh import --json plan.json -o OG-RaidHelper.lua\n",
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
    "Writes the factory raids with every role filled from a generated roster (classes, sparse\n"
    "raid marks and assignment numbers, announcement lines with [R1.P1] tags) and a RolesUI\n"
    "map. --scale N adds N-1 varied copies of every raid. Same seed, same bytes. Example:\n"
    "  ogrh gen --seed 7 --scale 50 -o big.lua\n\n"
    "  --seed N      random seed (default 1)\n"
    "  --scale N     size multiplier, 1..100000 (default 1)\n"
    "  --players N   roster size, 1..250 (default 40)\n"
    "  --fill F      fraction of slots assigned (default 0.85)\n"
    "  -o, --output  write to a file (atomically) instead of stdout\n",
    run_gen};
