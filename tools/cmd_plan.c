/*
** cmd_plan.c
** The plan as a raid leader reads it: `ogrh show`, `ogrh where`, `ogrh replace`.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- output helpers ---- */

/* "Razorgore", or "Razorgore (#3)" when the name alone does not reach it (repeated names). */
static void label(cli_out *o, const char *name, const char *unit, int64_t index) {
  char idx[32];
  snprintf(idx, sizeof idx, "#%lld", (long long)index);
  const char *slash = strrchr(unit, '/');
  const char *last = slash ? slash + 1 : unit;
  ogrh_buf_adds(&o->b, *name ? name : "(no name)");
  if (strcmp(last, idx) == 0) ogrh_buf_printf(&o->b, " (%s)", idx);
}

/* The label in bold, after an optional prefix ("BWL > "). */
static void heading(cli_out *o, const char *prefix, const char *name, const char *unit,
                    int64_t index) {
  cli_out h = {{0}, false};
  ogrh_buf_init(&h.b);
  if (prefix) ogrh_buf_adds(&h.b, prefix);
  label(&h, name, unit, index);
  cli_bold(o, h.b.p ? h.b.p : "");
  ogrh_buf_deinit(&h.b);
}

static int label_width(const char *name, const char *unit, int64_t index) {
  cli_out h = {{0}, false};
  ogrh_buf_init(&h.b);
  label(&h, name, unit, index);
  int w = h.b.p ? cli_width(h.b.p) : 0;
  ogrh_buf_deinit(&h.b);
  return w;
}

static void fill(cli_out *o, size_t assigned, size_t slots) {
  ogrh_buf_printf(&o->b, "%zu of %zu %s assigned", assigned, slots,
                  cli_plural(slots, "slot", "slots"));
}

/* The plan commands read a v1 file in the v2 shape the migration gives it (ogrh/doc.h). */
static void v1_note(ogrh_doc *d, const char *cmd, const char *file) {
  if (ogrh_doc_root(d) && !ogrh_doc_is_v2(d))
    fprintf(stderr,
            "ogrh %s: %s has the addon's v1 layout: read as the v2 layout `ogrh migrate` "
            "makes of it\n",
            cmd, file);
}

/* A row "Name (#3)   7/8": the label padded to w columns, then assigned/slots. */
static void fill_row(cli_out *o, const char *name, const char *unit, int64_t index, int w,
                     size_t assigned, size_t slots) {
  size_t start = o->b.n;
  label(o, name, unit, index);
  for (int c = cli_width(o->b.p + start); c < w; c++)
    ogrh_buf_addc(&o->b, ' ');
  ogrh_buf_printf(&o->b, "  %zu/%zu", assigned, slots);
  cli_eol(o);
}

/* ---- show ---- */

static void show_raids(cli_out *o, const ogrh_plan *p) {
  for (size_t i = 0; i < p->nraids; i++) {
    const ogrh_plan_raid *r = &p->raids[i];
    if (i) cli_eol(o);
    heading(o, NULL, r->name, r->unit, r->index);
    if (r->display_name && strcmp(r->display_name, r->name) != 0)
      ogrh_buf_printf(&o->b, " (%s)", r->display_name);
    ogrh_buf_printf(&o->b, ": %zu %s, ", r->encounter_count,
                    cli_plural(r->encounter_count, "encounter", "encounters"));
    fill(o, r->assigned_count, r->slot_count);
    cli_eol(o);
    int wn = 0, wi = 1;
    for (size_t j = 0; j < r->nencounters; j++) {
      const ogrh_plan_encounter *e = &r->encounters[j];
      int w = label_width(e->name, e->unit, e->index);
      if (w > wn) wn = w;
      int d = snprintf(NULL, 0, "%lld", (long long)e->index);
      if (d > wi) wi = d;
    }
    for (size_t j = 0; j < r->nencounters; j++) {
      const ogrh_plan_encounter *e = &r->encounters[j];
      ogrh_buf_printf(&o->b, "  %*lld  ", wi, (long long)e->index);
      fill_row(o, e->name, e->unit, e->index, wn, e->assigned_count, e->slot_count);
    }
  }
}

static void show_roles(cli_out *o, const ogrh_plan_encounter *e) {
  int wn = 0;
  for (size_t k = 0; k < e->nroles; k++) {
    int w = label_width(e->roles[k].name, e->roles[k].unit, e->roles[k].index);
    if (w > wn) wn = w;
  }
  for (size_t k = 0; k < e->nroles; k++) {
    const ogrh_plan_role *r = &e->roles[k];
    ogrh_buf_adds(&o->b, "  ");
    fill_row(o, r->name, r->unit, r->index, wn, r->assigned_count, r->slot_count);
  }
}

static void show_raid(cli_out *o, const ogrh_plan *p) {
  const ogrh_plan_raid *r = &p->raids[0];
  cli_bold(o, r->name);
  ogrh_buf_printf(&o->b, ": %zu %s, ", r->encounter_count,
                  cli_plural(r->encounter_count, "encounter", "encounters"));
  fill(o, r->assigned_count, r->slot_count);
  cli_eol(o);
  for (size_t j = 0; j < r->nencounters; j++) {
    const ogrh_plan_encounter *e = &r->encounters[j];
    cli_eol(o);
    heading(o, NULL, e->name, e->unit, e->index);
    ogrh_buf_printf(&o->b, ": %zu %s, ", e->role_count, cli_plural(e->role_count, "role", "roles"));
    fill(o, e->assigned_count, e->slot_count);
    cli_eol(o);
    show_roles(o, e);
  }
}

static void number_text(const ogrh_value *v, char *buf, size_t cap) {
  if (v->type == OGRH_INT)
    snprintf(buf, cap, "number %lld", (long long)v->u.i);
  else if (v->type == OGRH_DOUBLE)
    snprintf(buf, cap, "number %.14g", v->u.d);
  else
    buf[0] = '\0';
}

static void show_encounter(cli_out *o, const ogrh_plan *p) {
  const ogrh_plan_raid *r = &p->raids[0];
  const ogrh_plan_encounter *e = &r->encounters[0];
  ogrh_buf prefix;
  ogrh_buf_init(&prefix);
  ogrh_buf_printf(&prefix, "%s > ", r->name);
  heading(o, prefix.p, e->name, e->unit, e->index);
  ogrh_buf_deinit(&prefix);
  ogrh_buf_printf(&o->b, ": %zu %s, ", e->role_count, cli_plural(e->role_count, "role", "roles"));
  fill(o, e->assigned_count, e->slot_count);
  cli_eol(o);
  for (size_t k = 0; k < e->nroles; k++) {
    const ogrh_plan_role *role = &e->roles[k];
    cli_eol(o);
    heading(o, NULL, role->name, role->unit, role->index);
    ogrh_buf_adds(&o->b, ": ");
    fill(o, role->assigned_count, role->slot_count);
    cli_eol(o);
    int ws = 1, wp = 1, wm = 0;
    for (size_t i = 0; i < role->nslots; i++) {
      const ogrh_plan_slot *s = &role->slots[i];
      int d = snprintf(NULL, 0, "%lld", (long long)s->slot);
      if (d > ws) ws = d;
      if (s->player && cli_width(s->player) > wp) wp = cli_width(s->player);
      if (s->mark_name && cli_width(s->mark_name) > wm) wm = cli_width(s->mark_name);
    }
    for (size_t i = 0; i < role->nslots; i++) {
      const ogrh_plan_slot *s = &role->slots[i];
      char mark[32], num[64];
      if (s->mark_name)
        snprintf(mark, sizeof mark, "%s", s->mark_name);
      else if (s->mark)
        snprintf(mark, sizeof mark, "mark %lld", (long long)s->mark);
      else
        mark[0] = '\0';
      number_text(&s->number, num, sizeof num);
      ogrh_buf_printf(&o->b, "  %*lld  ", ws, (long long)s->slot);
      if (s->player) {
        cli_pad(o, s->player, wp);
      } else {
        ogrh_buf_adds(&o->b, o->color ? "\033[2m-\033[0m" : "-");
        for (int c = 1; c < wp; c++)
          ogrh_buf_addc(&o->b, ' ');
      }
      if (wm) {
        ogrh_buf_adds(&o->b, "  ");
        cli_pad(o, mark, wm);
      }
      ogrh_buf_printf(&o->b, "  %s", num);
      cli_eol(o);
    }
    for (size_t i = 0; i < role->ntexts; i++) {
      ogrh_buf_printf(&o->b, "  text %zu: %s", i + 1, role->texts[i]);
      cli_eol(o);
    }
  }
  cli_eol(o);
  cli_bold(o, "Announcements");
  cli_eol(o);
  if (e->nlines == 0) {
    ogrh_buf_adds(&o->b, "  (none)");
    cli_eol(o);
  }
  for (size_t i = 0; i < e->nlines; i++) {
    ogrh_buf_printf(&o->b, "  %lld  ", (long long)e->lines[i].line);
    /* A [Rn.L] tag can put several chat lines in one: each goes on its own line here. */
    for (const char *s = e->lines[i].text, *nl; s; s = nl ? nl + 1 : NULL) {
      nl = strchr(s, '\n');
      if (s != e->lines[i].text) ogrh_buf_adds(&o->b, "     ");
      /* The addon sends the spaces a tag without a value leaves; people read one. */
      cli_add_squeezed(o, s, nl ? (size_t)(nl - s) : strlen(s));
      cli_eol(o);
    }
  }
}

static int run_show(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_show, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_doc *d;
  if ((rc = cli_load(pos[0], &d))) return rc;
  v1_note(d, "show", pos[0]);
  ogrh_plan *p;
  ogrh_err err;
  if (ogrh_plan_build(d, npos > 1 ? pos[1] : NULL, &p, &err)) {
    ogrh_doc_free(d);
    return cli_fail("%s", ogrh_err_msg(&err));
  }
  cli_out o;
  cli_out_init(&o);
  if (cli_flag(opts, NOPTS(opts), "--json")) {
    ogrh_plan_json(p, cli_json_indent(opts, NOPTS(opts)), &o.b);
    ogrh_buf_addc(&o.b, '\n');
  } else if (p->view == OGRH_PLAN_RAIDS) {
    show_raids(&o, p);
  } else if (p->view == OGRH_PLAN_RAID) {
    show_raid(&o, p);
  } else {
    show_encounter(&o, p);
  }
  ogrh_plan_free(p);
  ogrh_doc_free(d);
  return cli_out_flush(&o);
}

const cli_cmd cmd_show = {
    "show", "print the plan (all raids, a raid, an encounter) as players read it",
    "usage: ogrh show FILE [RAID[/ENCOUNTER]] [--json [--compact|--pretty]]\n\n"
    "Without a unit: every raid, its encounters and how many of their slots are assigned.\n"
    "With a raid: its encounters and their roles. With an encounter: each role with its\n"
    "slots (player, raid mark by name, assignment number), then the announcement lines\n"
    "with their tags ([R1.P1], [R2.M1], ...) filled in as the addon sends them to raid chat.\n"
    "Names are matched exactly; '#N' picks an entry by index (BWL/#3); '\\/' is a '/' inside\n"
    "a name (\"Naxx/4HM Tank\\/Heal\"). Examples:\n"
    "  ogrh show OG-RaidHelper.lua\n"
    "  ogrh show OG-RaidHelper.lua BWL/Razorgore\n\n"
    "  --json      the same structure as JSON (README 'JSON output')\n"
    "  --compact   compact JSON even on a terminal\n"
    "  --pretty    indented JSON even when not on a terminal\n",
    run_show};

/* ---- where ---- */

/* "BWL > Razorgore > Near Side Tanks > slot 1 (Skull, number 2)". */
static void slot_line(cli_out *o, const ogrh_slot_ref *s) {
  ogrh_name_seg seg[3];
  int nseg = 0;
  const char *rest;
  ogrh_name_split(s->unit, seg, &nseg, &rest, NULL);
  const char *names[3] = {s->raid_name, s->encounter_name, s->role_name};
  int64_t idx[3] = {s->raid, s->encounter, s->role};
  ogrh_buf_adds(&o->b, "  ");
  for (int i = 0; i < 3; i++) {
    ogrh_buf_adds(&o->b, *names[i] ? names[i] : "(no name)");
    if (i < nseg && seg[i].n && seg[i].s[0] == '#')
      ogrh_buf_printf(&o->b, " (#%lld)", (long long)idx[i]);
    ogrh_buf_adds(&o->b, " > ");
  }
  ogrh_buf_printf(&o->b, "slot %lld", (long long)s->slot);
  char num[64];
  number_text(&s->number, num, sizeof num);
  if (s->mark_name && *num)
    ogrh_buf_printf(&o->b, " (%s, %s)", s->mark_name, num);
  else if (s->mark_name || *num)
    ogrh_buf_printf(&o->b, " (%s)", s->mark_name ? s->mark_name : num);
  cli_eol(o);
}

/* --raid R: a raid in the named form (or #N). */
static int raid_option(const cli_cmd *cmd, ogrh_doc *d, const char *spec, int64_t *raid) {
  *raid = 0;
  if (!spec) return EXIT_OK;
  ogrh_name_ref ref;
  ogrh_err err;
  if (ogrh_name_resolve(d, spec, &ref, &err)) return cli_fail("--raid: %s", ogrh_err_msg(&err));
  if (ref.depth != 1 || ref.rest)
    return cli_usage_error(cmd, "--raid takes a raid, not '%s'", spec);
  *raid = ref.raid;
  return EXIT_OK;
}

static void no_slot_hint(ogrh_doc *d, const char *cmd, const char *player) {
  ogrh_buf near;
  ogrh_buf_init(&near);
  if (ogrh_plan_similar_player(d, player, &near) && !ogrh_buf_error(&near))
    fprintf(stderr, "ogrh %s: did you mean '%s'?\n", cmd, near.p);
  ogrh_buf_deinit(&near);
}

static int run_where(int argc, char **argv) {
  cli_opt opts[] = {CLI_JSON_OPTS, {"--raid", NULL, true, NULL}};
  char *pos[2];
  int npos, rc = cli_parse(&cmd_where, argc, argv, opts, NOPTS(opts), pos, 2, &npos, 2);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  if (!*pos[1]) return cli_usage_error(&cmd_where, "PLAYER is empty");
  ogrh_doc *d;
  if ((rc = cli_load(pos[0], &d))) return rc;
  v1_note(d, "where", pos[0]);
  int64_t raid;
  if ((rc = raid_option(&cmd_where, d, cli_get(opts, NOPTS(opts), "--raid"), &raid))) {
    ogrh_doc_free(d);
    return rc;
  }
  ogrh_slot_list *l;
  ogrh_err err;
  if (ogrh_plan_where(d, pos[1], raid, &l, &err)) {
    ogrh_doc_free(d);
    return cli_fail("%s", ogrh_err_msg(&err));
  }
  cli_out o;
  cli_out_init(&o);
  if (cli_flag(opts, NOPTS(opts), "--json")) {
    ogrh_slot_list_json(l, pos[1], cli_json_indent(opts, NOPTS(opts)), &o.b);
    ogrh_buf_addc(&o.b, '\n');
  } else if (l->n == 0) {
    const char *in = cli_get(opts, NOPTS(opts), "--raid");
    ogrh_buf_printf(&o.b, "%s holds no slot%s%s", pos[1], in ? " in " : "", in ? in : "");
    cli_eol(&o);
  } else {
    cli_bold(&o, pos[1]);
    ogrh_buf_printf(&o.b, " holds %zu %s:", l->n, cli_plural(l->n, "slot", "slots"));
    cli_eol(&o);
    for (size_t i = 0; i < l->n; i++)
      slot_line(&o, &l->v[i]);
  }
  if (l->n == 0) no_slot_hint(d, "where", pos[1]);
  ogrh_slot_list_free(l);
  ogrh_doc_free(d);
  return cli_out_flush(&o);
}

const cli_cmd cmd_where = {
    "where", "list every slot a player holds",
    "usage: ogrh where FILE PLAYER [--raid RAID] [--json [--compact|--pretty]]\n\n"
    "Lists every slot whose assigned player is exactly PLAYER, as raid > encounter > role >\n"
    "slot, with the slot's raid mark and assignment number. A player who holds no slot is\n"
    "not an error (exit 0); a player of the same name in another case is suggested on\n"
    "stderr. Example:\n"
    "  ogrh where OG-RaidHelper.lua Tankadin\n\n"
    "  --raid RAID  only this raid (a name, or #N)\n"
    "  --json       the same as JSON (README 'JSON output')\n"
    "  --compact    compact JSON even on a terminal\n"
    "  --pretty     indented JSON even when not on a terminal\n",
    run_where};

/* ---- replace ---- */

static int run_replace(int argc, char **argv) {
  cli_opt opts[] = {{"--dry-run", "-n", false, NULL}, {"--raid", NULL, true, NULL}, CLI_JSON_OPTS};
  char *pos[3];
  int npos, rc = cli_parse(&cmd_replace, argc, argv, opts, NOPTS(opts), pos, 3, &npos, 3);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  if (!*pos[1] || !*pos[2]) return cli_usage_error(&cmd_replace, "OLD and NEW must not be empty");
  if (strcmp(pos[1], pos[2]) == 0)
    return cli_usage_error(&cmd_replace, "OLD and NEW are the same player");
  bool dry = cli_flag(opts, NOPTS(opts), "--dry-run"), json = cli_flag(opts, NOPTS(opts), "--json");
  /* Read, change, write back: under the writers' lock, as `ogrh set` does. */
  ogrh_file_lock lock = {-1};
  if (!dry && (rc = cli_lock(pos[0], &lock))) return rc;
  ogrh_doc *d = NULL;
  ogrh_slot_list *l = NULL;
  cli_out o;
  cli_out_init(&o);
  if ((rc = cli_load(pos[0], &d))) goto done;
  v1_note(d, "replace", pos[0]);
  ogrh_replace_opts ro = {0, false, NULL};
  const char *raid_spec = cli_get(opts, NOPTS(opts), "--raid");
  if ((rc = raid_option(&cmd_replace, d, raid_spec, &ro.raid))) goto done;
  /* As `ogrh set --dry-run` does: the writes happen in memory, the file is not written. */
  cli_changes cc = {d, &o.b, NULL, 0};
  int token = json ? 0 : ogrh_doc_subscribe(d, cli_change, &cc);
  ogrh_err err;
  if (token < 0 || ogrh_plan_replace(d, pos[1], pos[2], &ro, &l, &err)) {
    rc = cli_fail("%s", token < 0 ? ogrh_strerror(token) : ogrh_err_msg(&err));
    goto done;
  }
  if (l->n == 0) {
    if (raid_spec)
      rc = cli_fail("%s holds no slot in %s: nothing to replace", pos[1], raid_spec);
    else
      rc = cli_fail("%s holds no slot: nothing to replace", pos[1]);
    no_slot_hint(d, "replace", pos[1]);
    goto done;
  }
  if (json) {
    ogrh_replace_json(l, pos[1], pos[2], dry, cli_json_indent(opts, NOPTS(opts)), &o.b);
    ogrh_buf_addc(&o.b, '\n');
  } else {
    cli_bold(&o, pos[2]);
    ogrh_buf_printf(&o.b, " %s %s's %zu %s:", dry ? "would take" : "takes", pos[1], l->n,
                    cli_plural(l->n, "slot", "slots"));
    cli_eol(&o);
    for (size_t i = 0; i < l->n; i++)
      slot_line(&o, &l->v[i]);
    if (dry) {
      ogrh_buf_printf(&o.b, "dry run: %s not written", pos[0]);
      cli_eol(&o);
    }
  }
  if (ogrh_buf_error(&o.b)) {
    rc = cli_fail("%s; %s not written", ogrh_strerror(ogrh_buf_error(&o.b)), pos[0]);
    goto done;
  }
  if (!dry && ogrh_doc_save(d, pos[0], &err)) {
    rc = cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  rc = cli_out_flush(&o);
done:
  ogrh_file_lock_release(&lock);
  ogrh_buf_deinit(&o.b);
  ogrh_slot_list_free(l);
  ogrh_doc_free(d);
  return rc;
}

const cli_cmd cmd_replace = {
    "replace", "put one player in every slot another holds (atomically)",
    "usage: ogrh replace FILE OLD NEW [--raid RAID] [--dry-run] [--json [--compact|--pretty]]\n\n"
    "Puts NEW in every slot OLD holds, everywhere or in one raid, as one SVM write per slot.\n"
    "Prints each write's change record as 'ogrh set' does, then the slots NEW takes, and\n"
    "writes FILE atomically. Exit 1 when OLD holds no slot, 2 when OLD and NEW are the\n"
    "same player. Example:\n"
    "  ogrh replace OG-RaidHelper.lua Warbob Tankadin --raid BWL --dry-run\n\n"
    "  --raid RAID    only this raid (a name, or #N)\n"
    "  -n, --dry-run  show the changes, do not write\n"
    "  --json         the slots as JSON instead (README 'JSON output')\n"
    "  --compact      compact JSON even on a terminal\n"
    "  --pretty       indented JSON even when not on a terminal\n",
    run_replace};
