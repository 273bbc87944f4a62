/*
** cmd_digest.c
** checksum, validate, diff, repair.
*/
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Loads a document and its digest tree; on failure *d and *t are NULL (nothing to free). */
static int load_tree(const char *path, ogrh_doc **d, ogrh_dtree **t) {
  *d = NULL;
  *t = NULL;
  int rc = cli_load_plan(path, d);
  if (rc) return rc;
  if ((rc = ogrh_dtree_build(*d, t)))
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
  cli_opt opts[] = {{"--depth", NULL, true, NULL}, CLI_JSON_OPTS, {"--compat", NULL, false, NULL}};
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
      printf("  global %-12s %s%s%s\n", ogrh_global_name(g), h, compat ? " compat " : "",
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
      printf("  raid %lld %.*s: %s (own %s)%s%s\n", (long long)r->index, (int)r->name_len, r->name,
             h, own, compat ? " compat " : "", compat ? c : "");
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
        printf("    encounter %lld %.*s: %s%s%s\n", (long long)e->index, (int)e->name_len, e->name,
               h, compat ? " compat " : "", compat ? c : "");
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
          printf("      %-18s %s%s%s\n", ogrh_component_name(k), h, compat ? " compat " : "",
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
    int indent = cli_json_indent(opts, NOPTS(opts));
    ogrh_buf jb;
    ogrh_buf_init(&jb);
    ogrh_json_dump(jroot, (indent ? JSON_INDENT(indent) : JSON_COMPACT) | JSON_PRESERVE_ORDER, &jb);
    ogrh_buf_addc(&jb, '\n');
    rc = ogrh_buf_error(&jb) ? cli_fail("%s", ogrh_strerror(ogrh_buf_error(&jb)))
                             : cli_write_out(NULL, &jb);
    ogrh_buf_deinit(&jb);
  } else {
    json_decref(jg);
    json_decref(jraids);
  }
  json_decref(jroot);
  ogrh_arena_free(a);
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_checksum = {
    "checksum", "print the digest tree of a file",
    "usage: ogrh checksum FILE [--depth raid|encounter|component] [--compat]\n"
    "                     [--json [--compact|--pretty]]\n\n"
    "Prints the root digest, the three global components, and per raid its subtree and own\n"
    "digests, per encounter its digest and the six component digests (XXH3-64 over the\n"
    "canonical encoding of docs/PROTOCOL.md). Example:\n  ogrh checksum OG-RaidHelper.lua "
    "--depth encounter\n\n"
    "  --depth D   stop at raid, encounter or component (default component)\n"
    "  --json      the same as one JSON object (README 'JSON output')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n"
    "  --compat    also print the addon's own 31-bit HashString(SimpleSerialize(...)) of each\n"
    "              part, to compare with what players see in game (not used for sync)\n",
    run_checksum};

/* ---- validate ---- */

static int run_validate(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_validate, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  compared c;
  if ((rc = compare_files(pos[0], pos[1], false, &c))) return rc;
  ogrh_validation *v = c.v;
  if (cli_flag(opts, NOPTS(opts), "--json")) {
    ogrh_jw w;
    ogrh_buf jb, vj;
    cli_json_begin(&w, &jb, opts, NOPTS(opts));
    ogrh_buf_init(&vj);
    ogrh_jw_str(&w, "admin", pos[0]);
    ogrh_jw_str(&w, "client", pos[1]);
    ogrh_jw_bool(&w, "valid", v->valid);
    /* A passing validation found nothing at any level. */
    ogrh_jw_str(&w, "level", v->valid ? NULL : ogrh_level_name(v->level));
    static const char *const mine[] = {"valid", "level"};
    int jrc = ogrh_validation_json(v, &vj);
    if (!jrc) jrc = ogrh_jw_json_members(&w, vj.p, vj.n, mine, 2);
    ogrh_buf_deinit(&vj);
    rc = jrc ? cli_fail("cannot write the JSON report: %s", ogrh_strerror(jrc))
             : cli_json_end(&w, &jb);
    ogrh_buf_deinit(&jb);
  } else {
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_validation_report(v, &b);
    if (!v->valid) ogrh_buf_printf(&b, "Corruption level: %s\n", ogrh_level_name(v->level));
    rc = ogrh_buf_error(&b) ? cli_fail("%s", ogrh_strerror(ogrh_buf_error(&b)))
                            : cli_write_out(NULL, &b);
    ogrh_buf_deinit(&b);
  }
  if (rc == EXIT_OK) rc = v->valid ? EXIT_SAME : EXIT_DIFFERENT;
  compared_free(&c);
  return rc;
}

const cli_cmd cmd_validate = {
    "validate", "compare a client's copy with the admin's (exit 0 same, 1 different)",
    "usage: ogrh validate ADMIN.lua CLIENT.lua [--json [--compact|--pretty]]\n\n"
    "Compares the digest trees of the two files and prints one line per difference, e.g.\n"
    "  Structure mismatch detected: BWL > Razorgore > playerAssignments\n"
    "  Structure mismatch detected: Global component 'consumes'\n"
    "  Structure mismatch detected: BWL (raid metadata)\n"
    "then the deepest level a difference was found at (Corruption level: COMPONENT).\n"
    "Raids and encounters are matched by name. Exit status, as diff's: 0 identical,\n"
    "1 different, 2 trouble (a file missing or unreadable, no OGRH data, a usage error).\n"
    "Example:\n  ogrh validate admin/OG-RaidHelper.lua client/OG-RaidHelper.lua\n\n"
    "  --json      the ValidationResult as one JSON object (README 'JSON output')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n",
    run_validate};

/* ---- diff ---- */

/* Where the path of a diff line ends: the first ": " outside a quoted segment ["..."]. */
static const char *path_end(const char *s) {
  for (const char *p = s; *p; p++) {
    if (p[0] == '[' && p[1] == '"') {
      for (p += 2; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
      if (!*p) return NULL;
      continue;
    }
    if (p[0] == ':' && p[1] == ' ') return p;
  }
  return NULL;
}

/*
** One line of ogrh_diff as JSON: "PATH: OLD -> NEW" (two Lua literals: the first split at
** " -> " where both sides read whole), or "PATH: raid NAME only in B" and the like. A line of
** another shape is kept as a note.
*/
static void diff_line_json(ogrh_jw *w, ogrh_arena *a, const char *line, size_t n, ogrh_buf *notes) {
  char *l = ogrh_arena_alloc(a, n + 1);
  if (!l) {
    w->err = w->err ? w->err : OGRH_ENOMEM;
    return;
  }
  memcpy(l, line, n);
  l[n] = '\0';
  const char *pe = path_end(l);
  if (pe) {
    const char *rest = pe + 2;
    for (const char *arrow = strstr(rest, " -> "); arrow; arrow = strstr(arrow + 1, " -> ")) {
      ogrh_value va, vb;
      if (ogrh_value_parse_literal(a, rest, (size_t)(arrow - rest), &va, NULL) ||
          ogrh_value_parse_literal(a, arrow + 4, strlen(arrow + 4), &vb, NULL))
        continue;
      ogrh_jw_open(w, NULL, '{');
      ogrh_jw_strn(w, "path", l, (size_t)(pe - l));
      ogrh_jw_value(w, "a", &va);
      ogrh_jw_value(w, "b", &vb);
      ogrh_jw_close(w, '}');
      return;
    }
    size_t rn = strlen(rest);
    bool in_a = rn > 10 && strcmp(rest + rn - 10, " only in A") == 0,
         in_b = rn > 10 && strcmp(rest + rn - 10, " only in B") == 0;
    const char *what = strncmp(rest, "raid ", 5) == 0         ? "raid"
                       : strncmp(rest, "encounter ", 10) == 0 ? "encounter"
                                                              : NULL;
    if ((in_a || in_b) && what) {
      const char *name = rest + strlen(what) + 1;
      ogrh_jw_open(w, NULL, '{');
      ogrh_jw_strn(w, "path", l, (size_t)(pe - l));
      ogrh_jw_str(w, "only", in_a ? "a" : "b");
      ogrh_jw_str(w, "what", what);
      ogrh_jw_strn(w, "name", name, (size_t)(rest + rn - 10 - name));
      ogrh_jw_close(w, '}');
      return;
    }
  }
  ogrh_buf_add(notes, line, n);
  ogrh_buf_addc(notes, '\n');
}

/* The members "differences", "unsyncedDifferences" and "notes" of a diff, from its text b. */
static void diff_members(ogrh_jw *w, const ogrh_buf *b, size_t own) {
  ogrh_buf notes;
  ogrh_buf_init(&notes);
  ogrh_jw_open(w, "differences", '[');
  ogrh_arena *a = ogrh_arena_new();
  if (!a && !w->err) w->err = OGRH_ENOMEM;
  for (const char *s = b->p, *e; a && s && *s; s = e + 1) {
    if (!(e = strchr(s, '\n'))) break;
    diff_line_json(w, a, s, (size_t)(e - s), &notes);
  }
  ogrh_arena_free(a);
  ogrh_jw_close(w, ']');
  ogrh_jw_int(w, "unsyncedDifferences", (int64_t)own);
  ogrh_jw_open(w, "notes", '[');
  for (const char *s = notes.p, *e; s && *s; s = e + 1) {
    if (!(e = strchr(s, '\n'))) break;
    ogrh_jw_strn(w, NULL, s, (size_t)(e - s));
  }
  ogrh_jw_close(w, ']');
  if (ogrh_buf_error(&notes) && !w->err) w->err = ogrh_buf_error(&notes);
  ogrh_buf_deinit(&notes);
}

/* The diff lines of two schema roots (in A's indexes), and the count of the player's own keys
** that differ (never compared). */
static int diff_text(const ogrh_value *ra, const ogrh_value *rb, const ogrh_validation *v,
                     ogrh_buf *b, size_t *own) {
  int rc = ogrh_diff(ra, rb, v, b);
  *own = ogrh_schema_unsynced_differences(ra, rb);
  return rc ? rc : ogrh_buf_error(b);
}

static int run_diff(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_diff, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  compared c;
  if ((rc = compare_files(pos[0], pos[1], true, &c))) return rc;
  ogrh_buf b;
  ogrh_buf_init(&b);
  size_t own;
  int drc = diff_text(ogrh_doc_root(c.a), ogrh_doc_root(c.b), c.v, &b, &own);
  if (drc) {
    rc = cli_fail("cannot list the differences: %s", ogrh_strerror(drc));
  } else if (cli_flag(opts, NOPTS(opts), "--json")) {
    ogrh_jw w;
    ogrh_buf jb;
    cli_json_begin(&w, &jb, opts, NOPTS(opts));
    ogrh_jw_str(&w, "a", pos[0]);
    ogrh_jw_str(&w, "b", pos[1]);
    ogrh_jw_bool(&w, "same", c.v->valid);
    diff_members(&w, &b, own);
    rc = cli_json_end(&w, &jb);
    ogrh_buf_deinit(&jb);
  } else if (own &&
             ogrh_buf_printf(&b, "differences outside the synced plan: %zu %s, not compared\n", own,
                             cli_plural(own, "key", "keys"))) {
    rc = cli_fail("%s", ogrh_strerror(ogrh_buf_error(&b)));
  } else {
    rc = b.n ? cli_write_out(NULL, &b) : EXIT_OK;
  }
  if (rc == EXIT_OK) rc = c.v->valid ? EXIT_SAME : EXIT_DIFFERENT;
  ogrh_buf_deinit(&b);
  compared_free(&c);
  return rc;
}

const cli_cmd cmd_diff = {
    "diff", "path-level differences inside the differing components",
    "usage: ogrh diff A.lua B.lua [--json [--compact|--pretty]]\n\n"
    "Prints one line per differing leaf inside the parts that differ, with paths in A's\n"
    "indexes:\n"
    "  encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2: \"Tankadin\" -> \"Warbob\"\n"
    "A raid or an encounter that exists on one side only is one line:\n"
    "  encounterMgmt.raids.7: raid ZG only in B\n"
    "Only the synced plan is compared (encounterMgmt and the global components); keys of the\n"
    "player's own (ui, recruitment, ...) that differ are counted on one line:\n"
    "  differences outside the synced plan: 2 keys, not compared\n"
    "Exit status, as diff's: 0 the plans agree, 1 they differ, 2 trouble (a file missing or\n"
    "unreadable, no OGRH data, a usage error). Example:\n"
    "  ogrh diff admin.lua client.lua\n\n"
    "  --json      {\"a\", \"b\", \"same\", \"differences\": [{\"path\", \"a\", \"b\"} or "
    "{\"path\",\n"
    "              \"only\", \"what\", \"name\"}], \"unsyncedDifferences\", \"notes\"}; values\n"
    "              in the lossless mapping (README 'JSON mapping')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n",
    run_diff};

/*
** Compares two documents already loaded (B checked against A, as validate checks a client
** against its admin) and prints it for people: the validation report and its level, then the
** differences path by path in A's indexes; or with json the members "same", "level", "report",
** "differences", "unsyncedDifferences" and "notes" into the open object w. Takes ownership of
** a and b. EXIT_SAME, EXIT_DIFFERENT, or the failure (already said).
*/
int cli_compare_docs(ogrh_doc *a, ogrh_doc *b, ogrh_jw *w) {
  compared c = {a, b, NULL, NULL, NULL};
  ogrh_validation *va = NULL;
  ogrh_buf rep, lines;
  ogrh_buf_init(&rep);
  ogrh_buf_init(&lines);
  size_t own = 0;
  int rc = ogrh_dtree_build(a, &c.ta);
  if (!rc) rc = ogrh_dtree_build(b, &c.tb);
  if (!rc) rc = ogrh_validate(c.tb, c.ta, &c.v);
  if (!rc) rc = ogrh_validate(c.ta, c.tb, &va);
  if (!rc) rc = ogrh_validation_report(c.v, &rep);
  if (!rc) rc = diff_text(ogrh_doc_root(a), ogrh_doc_root(b), va, &lines, &own);
  if (rc) {
    rc = cli_fail("comparison failed: %s", ogrh_strerror(rc));
  } else if (w) {
    ogrh_jw_bool(w, "same", c.v->valid);
    ogrh_jw_str(w, "level", c.v->valid ? NULL : ogrh_level_name(c.v->level));
    ogrh_jw_open(w, "report", '[');
    for (const char *s = rep.p, *e; s && *s; s = e + 1) {
      if (!(e = strchr(s, '\n'))) break;
      ogrh_jw_strn(w, NULL, s, (size_t)(e - s));
    }
    ogrh_jw_close(w, ']');
    diff_members(w, &lines, own);
  } else {
    cli_out o;
    cli_out_init(&o);
    ogrh_buf_add(&o.b, rep.p, rep.n);
    if (!c.v->valid) {
      ogrh_buf_printf(&o.b, "Corruption level: %s\n", ogrh_level_name(c.v->level));
      if (lines.n) ogrh_buf_addc(&o.b, '\n');
    }
    ogrh_buf_add(&o.b, lines.p, lines.n);
    if (own)
      ogrh_buf_printf(&o.b, "differences outside the synced plan: %zu %s, not compared\n", own,
                      cli_plural(own, "key", "keys"));
    rc = cli_out_flush(&o);
  }
  if (rc == EXIT_OK) rc = c.v->valid ? EXIT_SAME : EXIT_DIFFERENT;
  ogrh_validation_free(va);
  ogrh_buf_deinit(&rep);
  ogrh_buf_deinit(&lines);
  compared_free(&c);
  return rc;
}

/* ---- repair ---- */

/*
** --current RAID[/ENCOUNTER]: resolved in the client's file (names, #N), then given to the
** planner as names, which is how it matches units. cur holds the names.
*/
static int current_option(ogrh_doc *client, const char *spec, ogrh_repair_opts *ro, ogrh_buf *cur) {
  if (!spec) return EXIT_OK;
  ogrh_name_ref ref;
  ogrh_err err;
  /* A bare raid name ("BWL") is the raid, as in show. */
  ogrh_buf named;
  ogrh_buf_init(&named);
  ogrh_buf_adds(&named, spec);
  if (!ogrh_name_is_named(spec)) ogrh_buf_addc(&named, '/');
  int rc = ogrh_buf_error(&named);
  if (!rc && ogrh_name_resolve(client, named.p, &ref, &err))
    rc = cli_fail("--current: %s", ogrh_err_msg(&err));
  else if (!rc && (ref.depth > 2 || ref.rest))
    rc = cli_usage_error(&cmd_repair, "--current takes RAID or RAID/ENCOUNTER, not '%s'", spec);
  ogrh_buf_deinit(&named);
  if (rc) return rc;
  size_t rn = 0, en = 0;
  const char *raid = ogrh_table_name(ogrh_doc_raid(client, ref.raid), &rn);
  const char *enc = ref.depth > 1
                        ? ogrh_table_name(ogrh_doc_encounter(client, ref.raid, ref.encounter), &en)
                        : NULL;
  ogrh_buf_add(cur, raid, rn);
  ogrh_buf_addc(cur, '\0');
  size_t at = cur->n;
  if (enc) ogrh_buf_add(cur, enc, en);
  if (ogrh_buf_error(cur)) return cli_fail("%s", ogrh_strerror(ogrh_buf_error(cur)));
  ro->current_raid = cur->p;
  ro->current_enc = enc ? cur->p + at : NULL;
  /* The planner matches by name: with a repeated name, every one of them comes first. */
  const ogrh_table *list =
      enc ? ogrh_raid_encounters(ogrh_doc_raid(client, ref.raid)) : ogrh_doc_raids(client);
  size_t same = 0, len;
  for (uint32_t i = 0; list && i < list->n; i++) {
    const ogrh_value *e = &list->e[i].val;
    const char *nm = e->type == OGRH_TABLE ? ogrh_table_name(e->u.t, &len) : NULL;
    if (nm && len == (enc ? en : rn) && memcmp(nm, enc ? enc : raid, len) == 0) same++;
  }
  if (same > 1)
    fprintf(stderr,
            "ogrh repair: note: %zu %s are named '%s': the repairs of every one of them come "
            "first\n",
            same, enc ? "encounters" : "raids", enc ? cur->p + at : cur->p);
  return EXIT_OK;
}

static void plan_json(ogrh_jw *w, const ogrh_repair_plan *plan) {
  ogrh_jw_open(w, "plan", '[');
  ogrh_buf label;
  ogrh_buf_init(&label);
  for (size_t i = 0; i < plan->n; i++) {
    const ogrh_repair_unit *u = &plan->units[i];
    ogrh_buf_reset(&label);
    ogrh_repair_unit_label(u, &label);
    ogrh_jw_open(w, NULL, '{');
    ogrh_jw_str(w, "priority", ogrh_priority_name(u->priority));
    ogrh_jw_str(w, "kind", ogrh_unit_kind_name(u->kind));
    ogrh_jw_strn(w, "unit", label.p ? label.p : "", label.n);
    ogrh_jw_int(w, "bytes", (int64_t)u->bytes);
    ogrh_jw_close(w, '}');
  }
  if (ogrh_buf_error(&label) && !w->err) w->err = ogrh_buf_error(&label);
  ogrh_buf_deinit(&label);
  ogrh_jw_close(w, ']');
  ogrh_jw_int(w, "planBytes", (int64_t)plan->total_bytes);
}

static int run_repair(int argc, char **argv) {
  cli_opt opts[] = {{"--from", NULL, true, NULL},
                    {"--level", NULL, true, NULL},
                    {"--current", NULL, true, NULL},
                    {"--dry-run", "-n", false, NULL},
                    CLI_JSON_OPTS};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_repair, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *from = cli_get(opts, NOPTS(opts), "--from");
  if (!from) return cli_usage_error(&cmd_repair, "say where the good copy is: --from ADMIN.lua");
  ogrh_repair_opts ro = {OGRH_REPAIR_AUTO, NULL, NULL};
  const char *lvl = cli_get(opts, NOPTS(opts), "--level");
  if (lvl && ogrh_repair_level_parse(lvl, &ro.level))
    return cli_usage_error(&cmd_repair, "--level must be auto, component, encounter, raid or full");
  bool dry = cli_flag(opts, NOPTS(opts), "--dry-run"), json = cli_flag(opts, NOPTS(opts), "--json");
  /* The client's file is read, repaired and written back under the writers' lock. */
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
  ogrh_buf b, cur, jb;
  ogrh_buf_init(&b);
  ogrh_buf_init(&cur);
  ogrh_jw w;
  cli_json_begin(&w, &jb, opts, NOPTS(opts));
  ogrh_err err;
  bool repaired = false, identical = v->valid;
  if ((rc = current_option(dc, cli_get(opts, NOPTS(opts), "--current"), &ro, &cur))) goto out;
  if ((rc = ogrh_repair_plan_make(v, ogrh_doc_root(da), &ro, &plan))) {
    rc = cli_fail("cannot plan the repair: %s", ogrh_strerror(rc));
    goto out;
  }
  if (!json) {
    ogrh_validation_report(v, &b);
    ogrh_buf_adds(&b, "\nRepair plan:\n");
    ogrh_repair_plan_format(plan, &b);
    if (ogrh_buf_error(&b)) {
      rc = cli_fail("%s", ogrh_strerror(ogrh_buf_error(&b)));
      goto out;
    }
    fputs(b.p, stdout);
  }
  if (!v->valid && !dry) {
    if ((rc = cli_backup_before(pos[0], dc, plan))) goto out;
    if (ogrh_repair_apply(dc, ogrh_doc_root(da), plan, &err)) {
      rc = cli_fail("%s; %s is unchanged", ogrh_err_msg(&err), pos[0]);
      goto out;
    }
    if (ogrh_doc_save(dc, pos[0], &err)) {
      rc = cli_fail("%s", ogrh_err_msg(&err));
      goto out;
    }
    repaired = true;
    ogrh_dtree *after;
    ogrh_validation *v2;
    if (ogrh_dtree_build(dc, &after) == OGRH_OK) {
      if (ogrh_validate(after, ta, &v2) == OGRH_OK) {
        identical = v2->valid;
        ogrh_validation_free(v2);
      }
      ogrh_dtree_free(after);
    }
  }
  if (json) {
    ogrh_jw_str(&w, "admin", from);
    ogrh_jw_str(&w, "client", pos[0]);
    ogrh_jw_bool(&w, "valid", v->valid);
    ogrh_jw_open(&w, "report", '[');
    ogrh_validation_report(v, &b);
    for (const char *s = b.p, *e; s && *s; s = e + 1) {
      if (!(e = strchr(s, '\n'))) break;
      ogrh_jw_strn(&w, NULL, s, (size_t)(e - s));
    }
    ogrh_jw_close(&w, ']');
    plan_json(&w, plan);
    ogrh_jw_bool(&w, "dryRun", dry);
    ogrh_jw_bool(&w, "repaired", repaired);
    ogrh_jw_bool(&w, "identical", identical);
    if (ogrh_buf_error(&b) && !w.err) w.err = ogrh_buf_error(&b);
    rc = cli_json_end(&w, &jb);
  } else if (v->valid) {
    rc = EXIT_OK;
  } else if (dry) {
    printf("dry run: %s not changed\n", pos[0]);
  } else {
    printf("Repaired %s: %zu %s applied and verified; the copies are %s.\n", pos[0], plan->n,
           cli_plural(plan->n, "unit", "units"),
           identical ? "now identical" : "still different elsewhere");
  }
out:
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&cur);
  ogrh_buf_deinit(&jb);
  ogrh_repair_plan_free(plan);
  compared_free(&c);
  return rc;
}

const cli_cmd cmd_repair = {
    "repair", "repair a client's copy from the admin's, only what differs",
    "usage: ogrh repair --from ADMIN.lua CLIENT.lua [--level L] [--current RAID[/ENCOUNTER]]\n"
    "                   [--dry-run] [--json [--compact|--pretty]]\n\n"
    "Validates CLIENT against ADMIN, prints the repair plan (each unit with its priority and\n"
    "size in bytes), applies it to a staged copy, checks every repaired unit's digest against\n"
    "ADMIN's, and only then replaces CLIENT atomically. A raid-level or full repair takes a\n"
    "backup of CLIENT first (see 'ogrh help backup'). Example:\n"
    "  ogrh repair --from admin.lua client.lua --current BWL/Razorgore\n\n"
    "  --level L      auto (default: 1-2 components -> component repairs, 3+ -> encounter,\n"
    "                 several encounters -> raid, never a unit dearer than what it replaces),\n"
    "                 component, encounter, raid or full\n"
    "  --current R/E  the raid (and encounter) the user is on, by name or #N as in 'ogrh\n"
    "                 show': its repairs come first (CRITICAL, then HIGH for the raid)\n"
    "  -n, --dry-run  print the plan, change nothing\n"
    "  --json         {\"admin\", \"client\", \"valid\", \"report\", \"plan\": [{\"priority\",\n"
    "                 \"kind\", \"unit\", \"bytes\"}], \"planBytes\", \"dryRun\", \"repaired\",\n"
    "                 \"identical\"} (--compact, --pretty as for every --json)\n",
    run_repair};
