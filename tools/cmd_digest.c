/*
** cmd_digest.c
** checksum, validate, diff, repair.
*/
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Loads a document and its digest tree; on failure *d and *t are NULL (nothing to free). */
static int load_tree(const char *path, ogrh_doc **d, ogrh_dtree **t) {
  *d = NULL;
  *t = NULL;
  int rc = cli_load(path, d);
  if (rc) return rc;
  if (!ogrh_doc_root(*d))
    rc = cli_fail("%s: no OGRH_SV data in this file", path);
  else if ((rc = ogrh_dtree_build(*d, t)))
    rc = cli_fail("%s: cannot compute digests: %s", path, ogrh_strerror(rc));
  if (rc) {
    ogrh_doc_free(*d);
    *d = NULL;
    *t = NULL;
  }
  return rc;
}

/* Two files, their digest trees, and the validation of one against the other. */
typedef struct compared {
  ogrh_doc *a, *b;
  ogrh_dtree *ta, *tb;
  ogrh_validation *v;
} compared;

static void compared_free(compared *c) {
  ogrh_validation_free(c->v);
  ogrh_dtree_free(c->ta);
  ogrh_dtree_free(c->tb);
  ogrh_doc_free(c->a);
  ogrh_doc_free(c->b);
  memset(c, 0, sizeof *c);
}

/* Validates the local file (A when a_local, else B) against the other one. */
static int compare_files(const char *pa, const char *pb, bool a_local, compared *c) {
  memset(c, 0, sizeof *c);
  int rc = load_tree(pa, &c->a, &c->ta);
  if (!rc) rc = load_tree(pb, &c->b, &c->tb);
  if (!rc &&
      (rc = a_local ? ogrh_validate(c->ta, c->tb, &c->v) : ogrh_validate(c->tb, c->ta, &c->v)))
    rc = cli_fail("comparison failed: %s", ogrh_strerror(rc));
  if (rc) compared_free(c);
  return rc;
}

/* ---- checksum ---- */

static void hexd(char out[17], ogrh_digest d) {
  snprintf(out, 17, "%016llx", (unsigned long long)d);
}

static const char *compat_of(const ogrh_value *v, char out[16]) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_compat_serialize(v, &b);
  ogrh_compat_hash_text(b.p ? b.p : "", b.n, out);
  ogrh_buf_deinit(&b);
  return out;
}

static int run_checksum(int argc, char **argv) {
  cli_opt opts[] = {{"--depth", NULL, true, NULL},
                    {"--json", NULL, false, NULL},
                    {"--compat", NULL, false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_checksum, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *depth_s = cli_get(opts, NOPTS(opts), "--depth");
  int depth = 3;
  if (depth_s) {
    if (strcmp(depth_s, "raid") == 0)
      depth = 1;
    else if (strcmp(depth_s, "encounter") == 0)
      depth = 2;
    else if (strcmp(depth_s, "component") == 0)
      depth = 3;
    else
      return cli_usage_error(&cmd_checksum, "--depth must be raid, encounter or component");
  }
  bool json = cli_flag(opts, NOPTS(opts), "--json"),
       compat = cli_flag(opts, NOPTS(opts), "--compat");
  ogrh_doc *d;
  ogrh_dtree *t;
  if ((rc = load_tree(pos[0], &d, &t))) return rc;
  ogrh_arena *a = ogrh_arena_new();
  const ogrh_value *root = ogrh_doc_root(d);
  ogrh_dt_top top;
  if (!a || ogrh_dtree_top(t, &top)) {
    ogrh_arena_free(a);
    ogrh_dtree_free(t);
    ogrh_doc_free(d);
    return cli_fail("out of memory");
  }
  char h[17], c[16];
  json_t *jroot = json_object(), *jg = json_object(), *jraids = json_array();
  hexd(h, top.root);
  if (json) {
    json_object_set_new(jroot, "root", json_string(h));
    hexd(h, top.raidlist);
    json_object_set_new(jroot, "raidList", json_string(h));
  } else {
    printf("root %s\n", h);
  }
  for (int g = 0; g < OGRH_NGLOBALS; g++) {
    hexd(h, top.global[g]);
    const ogrh_value *gv = ogrh_global_get(root, g);
    ogrh_value nil = ogrh_vnil();
    if (compat) compat_of(gv ? gv : &nil, c);
    if (json) {
      json_t *o = json_object();
      json_object_set_new(o, "digest", json_string(h));
      if (compat) json_object_set_new(o, "compat", json_string(c));
      json_object_set_new(jg, ogrh_global_name(g), o);
    } else {
      printf("  global %-12s %s%s%s\n", ogrh_global_name(g), h, compat ? "  compat " : "",
             compat ? c : "");
    }
  }
  for (size_t i = 0; i < top.nraids; i++) {
    const ogrh_dt_raid *r;
    if (ogrh_dtree_raid(t, i, &r)) break;
    const ogrh_table *raid = ogrh_doc_raid(d, r->index);
    json_t *jr = json_object(), *jencs = json_array();
    hexd(h, r->digest);
    ogrh_value rv = ogrh_vtable((ogrh_table *)raid);
    if (compat) compat_of(&rv, c);
    if (json) {
      json_object_set_new(jr, "index", json_integer(r->index));
      json_object_set_new(jr, "name", json_stringn(r->name, r->name_len));
      json_object_set_new(jr, "digest", json_string(h));
      hexd(h, r->own);
      json_object_set_new(jr, "own", json_string(h));
      hexd(h, r->meta);
      json_object_set_new(jr, "metadata", json_string(h));
      hexd(h, r->list);
      json_object_set_new(jr, "encounterList", json_string(h));
      if (compat) json_object_set_new(jr, "compat", json_string(c));
    } else {
      char own[17];
      hexd(own, r->own);
      printf("  raid %lld %.*s  %s (own %s)%s%s\n", (long long)r->index, (int)r->name_len, r->name,
             h, own, compat ? "  compat " : "", compat ? c : "");
    }
    for (size_t j = 0; depth >= 2 && j < r->nencs; j++) {
      const ogrh_dt_enc *e = &r->encs[j];
      const ogrh_table *enc = ogrh_doc_encounter(d, r->index, e->index);
      json_t *je = json_object(), *jc = json_object();
      hexd(h, e->digest);
      ogrh_value ev = ogrh_vtable((ogrh_table *)enc);
      if (compat) compat_of(&ev, c);
      if (json) {
        json_object_set_new(je, "index", json_integer(e->index));
        json_object_set_new(je, "name", json_stringn(e->name, e->name_len));
        json_object_set_new(je, "digest", json_string(h));
        if (compat) json_object_set_new(je, "compat", json_string(c));
      } else {
        printf("    encounter %lld %.*s  %s%s%s\n", (long long)e->index, (int)e->name_len, e->name,
               h, compat ? "  compat " : "", compat ? c : "");
      }
      for (int k = 0; depth >= 3 && k < OGRH_NCOMPONENTS; k++) {
        hexd(h, e->comp[k]);
        if (compat) {
          ogrh_value pv;
          ogrh_component_project(a, enc, k, &pv);
          compat_of(&pv, c);
        }
        if (json) {
          json_t *o = json_object();
          json_object_set_new(o, "digest", json_string(h));
          if (compat) json_object_set_new(o, "compat", json_string(c));
          json_object_set_new(jc, ogrh_component_name(k), o);
        } else {
          printf("      %-18s %s%s%s\n", ogrh_component_name(k), h, compat ? "  compat " : "",
                 compat ? c : "");
        }
      }
      if (json) {
        if (depth >= 3)
          json_object_set_new(je, "components", jc);
        else
          json_decref(jc);
        json_array_append_new(jencs, je);
      } else {
        json_decref(je);
        json_decref(jc);
      }
    }
    if (json) {
      if (depth >= 2)
        json_object_set_new(jr, "encounters", jencs);
      else
        json_decref(jencs);
      json_array_append_new(jraids, jr);
    } else {
      json_decref(jr);
      json_decref(jencs);
    }
  }
  if (json) {
    json_object_set_new(jroot, "global", jg);
    json_object_set_new(jroot, "raids", jraids);
    char *s = json_dumps(jroot, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) puts(s);
    ogrh_json_free(s);
  } else {
    json_decref(jg);
    json_decref(jraids);
  }
  json_decref(jroot);
  ogrh_arena_free(a);
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
  return EXIT_OK;
}

const cli_cmd cmd_checksum = {
    "checksum", "print the digest tree of a file",
    "usage: ogrh checksum FILE [--depth raid|encounter|component] [--json] [--compat]\n\n"
    "Prints the root digest, the three global components, and per raid its subtree and own\n"
    "digests, per encounter its digest and the six component digests (XXH3-64 over the\n"
    "canonical encoding of docs/PROTOCOL.md). Example:\n  ogrh checksum OG-RaidHelper.lua "
    "--depth encounter\n\n"
    "  --depth D   stop at raid, encounter or component (default component)\n"
    "  --json      machine-readable output\n"
    "  --compat    also print the addon's own 31-bit HashString(SimpleSerialize(...)) of each\n"
    "              part, to compare with what players see in game (not used for sync)\n",
    run_checksum};

/* ---- validate ---- */

static int run_validate(int argc, char **argv) {
  cli_opt opts[] = {{"--json", NULL, false, NULL}};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_validate, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  compared c;
  if ((rc = compare_files(pos[0], pos[1], false, &c))) return rc;
  ogrh_validation *v = c.v;
  {
    ogrh_buf b;
    ogrh_buf_init(&b);
    if (cli_flag(opts, NOPTS(opts), "--json")) {
      ogrh_validation_json(v, &b);
      ogrh_buf_addc(&b, '\n');
    } else {
      ogrh_validation_report(v, &b);
      if (!v->valid) ogrh_buf_printf(&b, "Corruption level: %s\n", ogrh_level_name(v->level));
    }
    fputs(b.p, stdout);
    ogrh_buf_deinit(&b);
    rc = v->valid ? EXIT_OK : EXIT_FAIL;
  }
  compared_free(&c);
  return rc;
}

const cli_cmd cmd_validate = {
    "validate", "compare a client's copy with the admin's; exit 1 if they differ",
    "usage: ogrh validate ADMIN.lua CLIENT.lua [--json]\n\n"
    "Compares the digest trees of the two files and prints one line per difference, e.g.\n"
    "  Structure mismatch detected: BWL > Razorgore > playerAssignments\n"
    "  Structure mismatch detected: Global component 'consumes'\n"
    "  Structure mismatch detected: BWL (raid metadata)\n"
    "Raids and encounters are matched by name. Exit status 0 when identical, 1 when not.\n"
    "Example:\n  ogrh validate admin/OG-RaidHelper.lua client/OG-RaidHelper.lua\n\n"
    "  --json   the ValidationResult as JSON\n",
    run_validate};

/* ---- diff ---- */

static int run_diff(int argc, char **argv) {
  cli_opt opts[] = {{"--json", NULL, false, NULL}};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_diff, argc, argv, opts, 0, pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  (void)opts;
  compared c;
  if ((rc = compare_files(pos[0], pos[1], true, &c))) return rc;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_diff(ogrh_doc_root(c.a), ogrh_doc_root(c.b), c.v, &b);
  /* The player's own keys are never compared, but say that they differ. */
  size_t own = ogrh_schema_unsynced_differences(ogrh_doc_root(c.a), ogrh_doc_root(c.b));
  if (own)
    ogrh_buf_printf(&b, "differences outside the synced plan: %zu key%s, not compared\n", own,
                    own == 1 ? "" : "s");
  if (b.n) fputs(b.p, stdout);
  rc = c.v->valid ? EXIT_OK : EXIT_FAIL;
  ogrh_buf_deinit(&b);
  compared_free(&c);
  return rc;
}

const cli_cmd cmd_diff = {
    "diff", "path-level differences inside the differing components",
    "usage: ogrh diff A.lua B.lua\n\n"
    "Prints one line per differing leaf inside the parts that differ, with paths in A's\n"
    "indexes:\n"
    "  encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2: \"Tankadin\" -> \"Warbob\"\n"
    "Only the synced plan is compared (encounterMgmt and the global components); keys of the\n"
    "player's own (ui, recruitment, ...) that differ are counted on one line:\n"
    "  differences outside the synced plan: 2 keys, not compared\n"
    "Exit status 0 when the plans agree, 1 when they differ. Example:\n"
    "  ogrh diff admin.lua client.lua\n",
    run_diff};

/* ---- repair ---- */

static int run_repair(int argc, char **argv) {
  cli_opt opts[] = {{"--from", NULL, true, NULL},
                    {"--level", NULL, true, NULL},
                    {"--current", NULL, true, NULL},
                    {"--dry-run", "-n", false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_repair, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *from = cli_get(opts, NOPTS(opts), "--from");
  if (!from) return cli_usage_error(&cmd_repair, "say where the good copy is: --from ADMIN.lua");
  ogrh_repair_opts ro = {OGRH_REPAIR_AUTO, NULL, NULL};
  const char *lvl = cli_get(opts, NOPTS(opts), "--level");
  if (lvl && ogrh_repair_level_parse(lvl, &ro.level))
    return cli_usage_error(&cmd_repair, "--level must be auto, component, encounter, raid or full");
  char cur[512] = "";
  const char *current = cli_get(opts, NOPTS(opts), "--current");
  if (current) {
    snprintf(cur, sizeof cur, "%s", current);
    char *slash = strchr(cur, '/');
    if (slash) {
      *slash = '\0';
      ro.current_enc = slash + 1;
    }
    ro.current_raid = cur;
  }
  /* The client's file is read, repaired and written back under the writers' lock. */
  bool dry = cli_flag(opts, NOPTS(opts), "--dry-run");
  ogrh_file_lock lock = {-1};
  if (!dry && (rc = cli_lock(pos[0], &lock))) return rc;
  compared c;
  if ((rc = compare_files(from, pos[0], false, &c))) {
    ogrh_file_lock_release(&lock);
    return rc;
  }
  ogrh_doc *da = c.a, *dc = c.b;
  ogrh_dtree *ta = c.ta;
  ogrh_validation *v = c.v;
  ogrh_repair_plan *plan = NULL;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_err err;
  if ((rc = ogrh_repair_plan_make(v, ogrh_doc_root(da), &ro, &plan))) {
    rc = cli_fail("cannot plan the repair: %s", ogrh_strerror(rc));
    goto out;
  }
  ogrh_validation_report(v, &b);
  ogrh_buf_adds(&b, "\nRepair plan:\n");
  ogrh_repair_plan_format(plan, &b);
  fputs(b.p, stdout);
  if (v->valid) {
    rc = EXIT_OK;
    goto out;
  }
  if (dry) {
    printf("dry run: %s not changed\n", pos[0]);
    rc = EXIT_OK;
    goto out;
  }
  if ((rc = cli_backup_before(pos[0], dc, plan))) goto out;
  if (ogrh_repair_apply(dc, ogrh_doc_root(da), plan, &err)) {
    rc = cli_fail("%s; %s is unchanged", ogrh_err_msg(&err), pos[0]);
    goto out;
  }
  if (ogrh_doc_save(dc, pos[0], &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto out;
  }
  ogrh_dtree *after;
  ogrh_validation *v2;
  if (ogrh_dtree_build(dc, &after) == OGRH_OK) {
    if (ogrh_validate(after, ta, &v2) == OGRH_OK) {
      printf("Repaired %s: %zu unit%s applied and verified; the copies are %s.\n", pos[0], plan->n,
             plan->n == 1 ? "" : "s", v2->valid ? "now identical" : "still different elsewhere");
      ogrh_validation_free(v2);
    }
    ogrh_dtree_free(after);
  }
  rc = EXIT_OK;
out:
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&b);
  ogrh_repair_plan_free(plan);
  compared_free(&c);
  return rc;
}

const cli_cmd cmd_repair = {
    "repair", "repair a client's copy from the admin's, only what differs",
    "usage: ogrh repair --from ADMIN.lua CLIENT.lua [--level L] [--current RAID/ENCOUNTER]\n"
    "                   [--dry-run]\n\n"
    "Validates CLIENT against ADMIN, prints the repair plan (each unit with its priority and\n"
    "size in bytes), applies it to a staged copy, checks every repaired unit's digest against\n"
    "ADMIN's, and only then replaces CLIENT atomically. A raid-level or full repair takes a\n"
    "backup of CLIENT first (see 'ogrh backup'). Example:\n"
    "  ogrh repair --from admin.lua client.lua --current BWL/Razorgore\n\n"
    "  --level L      auto (default: 1-2 components -> component repairs, 3+ -> encounter,\n"
    "                 several encounters -> raid, never a unit dearer than what it replaces),\n"
    "                 component, encounter, raid or full\n"
    "  --current R/E  the raid and encounter the user is on: their repairs come first\n"
    "  -n, --dry-run  print the plan, change nothing\n",
    run_repair};
