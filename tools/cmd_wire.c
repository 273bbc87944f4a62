/*
** cmd_wire.c
** `ogrh wire encode` and `ogrh wire decode`: the channel messages of a repair unit, and back.
*/
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int unescape(const char *s, size_t n, ogrh_buf *out) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\') {
      ogrh_buf_addc(out, s[i]);
      continue;
    }
    if (i + 1 < n && s[i + 1] == '\\') {
      ogrh_buf_addc(out, '\\');
      i++;
    } else if (i + 3 < n && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
               isxdigit((unsigned char)s[i + 3])) {
      char h[3] = {s[i + 2], s[i + 3], 0};
      ogrh_buf_addc(out, (char)strtol(h, NULL, 16));
      i += 3;
    } else {
      return OGRH_ESYNTAX;
    }
  }
  return OGRH_OK;
}

typedef struct timing {
  uint64_t last;
  size_t frames;
} timing;

static void time_out(void *ud, const char *prefix, const uint8_t *t, size_t n, uint64_t now) {
  (void)prefix, (void)t, (void)n;
  timing *tm = ud;
  tm->last = now;
  tm->frames++;
}

/* Seconds to send these frames from an idle sender (full budget), at 60 frames a second. */
static double seconds_under(const ogrh_ctl_params *p, const ogrh_frames *f, const char *prefix) {
  timing tm = {0, 0};
  ogrh_sender *s = ogrh_sender_new(p, time_out, &tm, 0);
  for (uint64_t t = 0; t <= 10000; t += 17)
    ogrh_sender_tick(s, t);
  const uint8_t **texts = malloc(f->n * sizeof *texts);
  for (size_t i = 0; i < f->n; i++)
    texts[i] = (const uint8_t *)f->data.p + f->off[i];
  ogrh_sender_send(s, OGRH_CTL_NORMAL, prefix, texts, f->len, f->n, NULL, NULL, 10000);
  uint64_t t = 10000;
  while (ogrh_sender_queued(s) && t < 10000 + 24 * 3600 * 1000ull)
    ogrh_sender_tick(s, t += 17);
  free(texts);
  ogrh_sender_free(s, t);
  return (double)(tm.last - 10000) / 1000.0;
}

/* A repair unit to encode: its kind, names and value. */
typedef struct unit {
  int kind, index; /* index: component (0..5) or global (0..2) */
  const char *raid, *enc;
  size_t raid_len, enc_len;
  ogrh_value v;
} unit;

static const char *const unit_forms =
    "RAID, RAID/ENCOUNTER, RAID/ENCOUNTER/COMPONENT (names or #N), a global (tradeItems, "
    "consumes, rolesUI) or all";

/*
** --unit: "all", a global component, or RAID[/ENCOUNTER[/COMPONENT]] in the named form of
** 'ogrh show' (exact names, #N, \/ inside a name); a name that matches nothing or several
** things is an error that lists the candidates.
*/
static int unit_resolve(const cli_cmd *me, ogrh_doc *d, const char *spec, ogrh_arena *a, unit *u) {
  memset(u, 0, sizeof *u);
  u->raid = u->enc = "";
  if (strcmp(spec, "all") == 0) {
    /* The whole plan: encounterMgmt and the global components, none of the player's own keys. */
    u->kind = OGRH_UNIT_FULL;
    return ogrh_schema_synced(a, ogrh_doc_root(d), &u->v) ? cli_fail("out of memory") : EXIT_OK;
  }
  ogrh_name_seg seg[3];
  int nseg;
  const char *rest;
  ogrh_err err;
  if (ogrh_name_split(spec, seg, &nseg, &rest, &err))
    return cli_usage_error(me, "--unit: %s", ogrh_err_msg(&err));
  if (rest) return cli_usage_error(me, "--unit takes %s, not a path ('%s')", unit_forms, spec);
  int64_t raid, enc = 0;
  int rc = ogrh_name_find_raid(d, seg[0], &raid, &err);
  /* A global component by its name, when no raid has that name. */
  int g = nseg == 1 ? ogrh_global_index(spec) : -1;
  if (rc == OGRH_ENOTFOUND && g >= 0) {
    u->kind = OGRH_UNIT_GLOBAL;
    u->index = g;
    const ogrh_value *gv = ogrh_table_gets(ogrh_doc_root(d)->u.t, ogrh_global_key(g));
    u->v = gv ? *gv : ogrh_vnil();
    return EXIT_OK;
  }
  if (rc) return cli_fail("--unit: %s (a unit is %s)", ogrh_err_msg(&err), unit_forms);
  const ogrh_table *rt = ogrh_doc_raid(d, raid), *et = NULL;
  u->raid = ogrh_table_name(rt, &u->raid_len);
  u->kind = OGRH_UNIT_RAID;
  u->v = ogrh_vtable((ogrh_table *)rt);
  if (nseg == 1) return EXIT_OK;
  if (ogrh_name_find_encounter(d, raid, seg[1], &enc, &err))
    return cli_fail("--unit: %s", ogrh_err_msg(&err));
  et = ogrh_doc_encounter(d, raid, enc);
  u->enc = ogrh_table_name(et, &u->enc_len);
  u->kind = OGRH_UNIT_ENCOUNTER;
  u->v = ogrh_vtable((ogrh_table *)et);
  if (nseg == 2) return EXIT_OK;
  char comp[32];
  snprintf(comp, sizeof comp, "%.*s", (int)(seg[2].n < 31 ? seg[2].n : 31), seg[2].s);
  int c = seg[2].n < 31 ? ogrh_component_index(comp) : -1;
  if (c < 0)
    return cli_fail("--unit: no component '%.*s' (components: encounterMetadata, roles, "
                    "playerAssignments, raidMarks, assignmentNumbers, announcements)",
                    (int)seg[2].n, seg[2].s);
  u->kind = OGRH_UNIT_COMPONENT;
  u->index = c;
  return ogrh_component_project(a, et, c, &u->v) ? cli_fail("out of memory") : EXIT_OK;
}

/* "component BWL > Razorgore > playerAssignments", "global consumes", "full". */
static void unit_label(const unit *u, ogrh_buf *b) {
  ogrh_buf_adds(b, ogrh_unit_kind_name((ogrh_unit_kind)u->kind));
  if (u->raid_len) ogrh_buf_printf(b, " %.*s", (int)u->raid_len, u->raid);
  if (u->enc_len) ogrh_buf_printf(b, " > %.*s", (int)u->enc_len, u->enc);
  if (u->kind == OGRH_UNIT_COMPONENT) ogrh_buf_printf(b, " > %s", ogrh_component_name(u->index));
  if (u->kind == OGRH_UNIT_GLOBAL) ogrh_buf_printf(b, " %s", ogrh_global_name(u->index));
}

/* A frame's text as the lines carry it: printable ASCII stays, \\ and \xHH for the rest. */
static void escaped(ogrh_buf *b, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\\')
      ogrh_buf_adds(b, "\\\\");
    else if (p[i] >= 0x20 && p[i] < 0x7f)
      ogrh_buf_addc(b, (char)p[i]);
    else
      ogrh_buf_printf(b, "\\x%02x", p[i]);
  }
}

static int wire_encode(int argc, char **argv, const cli_cmd *me) {
  cli_opt opts[] = {{"--unit", NULL, true, NULL},
                    {"--prefix", NULL, true, NULL},
                    {"--id", NULL, true, NULL},
                    {"--profile", NULL, true, NULL},
                    {"--no-compress", NULL, false, NULL},
                    {"--quiet", "-q", false, NULL},
                    CLI_JSON_OPTS};
  char *pos[1];
  int npos, rc = cli_parse(me, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *spec = cli_get(opts, NOPTS(opts), "--unit");
  if (!spec) return cli_usage_error(me, "say which unit: --unit RAID[/ENCOUNTER[/COMPONENT]]");
  ogrh_wire_cfg wc;
  ogrh_wire_cfg_default(&wc);
  const char *prefix = cli_get(opts, NOPTS(opts), "--prefix");
  if (prefix && ogrh_wire_cfg_set_prefix(&wc, prefix))
    return cli_usage_error(me, "--prefix must be 1 to 16 bytes without a tab");
  ogrh_ctl_params ctl;
  const char *prof = cli_get(opts, NOPTS(opts), "--profile");
  if (!prof) prof = "ctl";
  if (ogrh_ctl_profile(prof, &ctl))
    return cli_usage_error(me, "--profile must be ctl, retail or unlimited");
  long long id = 1;
  const char *ids = cli_get(opts, NOPTS(opts), "--id");
  if (ids && !cli_number(ids, 0, 1023, &id)) return cli_usage_error(me, "--id must be 0..1023");
  bool json = cli_flag(opts, NOPTS(opts), "--json"), quiet = cli_flag(opts, NOPTS(opts), "--quiet");
  ogrh_doc *d;
  if ((rc = cli_load_plan(pos[0], &d))) return rc;
  ogrh_arena *a = ogrh_arena_new();
  unit u;
  if (!a) {
    ogrh_doc_free(d);
    return cli_fail("out of memory");
  }
  if ((rc = unit_resolve(me, d, spec, a, &u))) {
    ogrh_arena_free(a);
    ogrh_doc_free(d);
    return rc;
  }
  ogrh_buf body, label;
  ogrh_buf_init(&body);
  ogrh_buf_init(&label);
  ogrh_frames f;
  ogrh_frames_init(&f);
  rc = ogrh_unit_body_encode(u.kind, u.raid, u.raid_len, u.enc, u.enc_len, u.index, &u.v, &body);
  if (!rc)
    rc = ogrh_wire_pack(&wc, (uint16_t)id, OGRH_MT_REPAIR, NULL, (const uint8_t *)body.p, body.n,
                        !cli_flag(opts, NOPTS(opts), "--no-compress"), &f);
  if (rc) {
    rc = cli_fail("cannot encode the unit: %s", ogrh_strerror(rc));
    goto done;
  }
  size_t wire = 0;
  for (size_t i = 0; i < f.n; i++)
    wire += strlen(wc.prefix) + 1 + f.len[i];
  double seconds = seconds_under(&ctl, &f, wc.prefix);
  unit_label(&u, &label);
  bool compressed = f.compressed_bytes < f.payload_bytes;
  if (json) {
    ogrh_jw w;
    ogrh_buf jb, text;
    ogrh_buf_init(&text);
    cli_json_begin(&w, &jb, opts, NOPTS(opts));
    ogrh_jw_open(&w, "unit", '{');
    ogrh_jw_str(&w, "kind", ogrh_unit_kind_name((ogrh_unit_kind)u.kind));
    ogrh_jw_strn(&w, "raid", u.raid_len ? u.raid : NULL, u.raid_len);
    ogrh_jw_strn(&w, "encounter", u.enc_len ? u.enc : NULL, u.enc_len);
    ogrh_jw_str(&w, "component",
                u.kind == OGRH_UNIT_COMPONENT ? ogrh_component_name(u.index)
                : u.kind == OGRH_UNIT_GLOBAL  ? ogrh_global_name(u.index)
                                              : NULL);
    ogrh_jw_strn(&w, "label", label.p ? label.p : "", label.n);
    ogrh_jw_close(&w, '}');
    ogrh_jw_str(&w, "prefix", wc.prefix);
    ogrh_jw_open(&w, "messages", '[');
    for (size_t i = 0; i < f.n && !quiet; i++) {
      ogrh_buf_reset(&text);
      escaped(&text, (const uint8_t *)f.data.p + f.off[i], f.len[i]);
      ogrh_jw_strn(&w, NULL, text.p ? text.p : "", text.n);
    }
    ogrh_jw_close(&w, ']');
    ogrh_jw_int(&w, "messageCount", (int64_t)f.n);
    ogrh_jw_int(&w, "payloadBytes", (int64_t)f.payload_bytes);
    ogrh_jw_int(&w, "compressedBytes", (int64_t)f.compressed_bytes);
    ogrh_jw_bool(&w, "compressed", compressed);
    ogrh_jw_int(&w, "maxMessageBytes", (int64_t)wc.frame_text);
    ogrh_jw_int(&w, "wireBytes", (int64_t)wire);
    ogrh_jw_str(&w, "profile", prof);
    ogrh_value sv = ogrh_vdouble(seconds);
    ogrh_jw_num(&w, "seconds", &sv);
    if (ogrh_buf_error(&text) && !w.err) w.err = ogrh_buf_error(&text);
    ogrh_buf_deinit(&text);
    rc = cli_json_end(&w, &jb);
    ogrh_buf_deinit(&jb);
    goto done;
  }
  cli_out o;
  cli_out_init(&o);
  for (size_t i = 0; i < f.n && !quiet; i++) {
    ogrh_buf_printf(&o.b, "%s ", wc.prefix);
    escaped(&o.b, (const uint8_t *)f.data.p + f.off[i], f.len[i]);
    ogrh_buf_addc(&o.b, '\n');
  }
  ogrh_buf_printf(&o.b, "# unit: %s\n", label.p ? label.p : "");
  ogrh_buf_printf(&o.b, "# payload bytes: %zu (message header and compact body)\n",
                  f.payload_bytes);
  ogrh_buf_printf(&o.b, "# compressed bytes: %zu (%s)\n", f.compressed_bytes,
                  compressed ? "DEFLATE with dictionary 1" : "sent as is");
  ogrh_buf_printf(&o.b, "# messages: %zu of at most %zu bytes after the prefix\n", f.n,
                  wc.frame_text);
  ogrh_buf_printf(&o.b, "# bytes on the wire: %zu (prefix, separator and text of every message)\n",
                  wire);
  ogrh_buf_printf(&o.b, "# seconds under %s: %.2f (from an idle sender)\n", prof, seconds);
  rc = cli_out_flush(&o);
done:
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&body);
  ogrh_buf_deinit(&label);
  ogrh_arena_free(a);
  ogrh_doc_free(d);
  return rc;
}

typedef struct decoded {
  int n;
  ogrh_arena *a;
} decoded;

static void print_msg(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  (void)now;
  decoded *dd = ud;
  dd->n++;
  printf("message %u from %s: version %u, type 0x%02x, %s%s%s, body %zu bytes\n", m->id, sender,
         m->version, m->type, m->flags & OGRH_MSG_COMPRESSED ? "compressed" : "uncompressed",
         m->target[0] ? ", for " : "", m->target, m->body_len);
  ogrh_unit_body u;
  if (m->type == OGRH_MT_REPAIR &&
      ogrh_unit_body_decode(dd->a, m->body, m->body_len, &u) == OGRH_OK) {
    printf("repair unit: %s", ogrh_unit_kind_name((ogrh_unit_kind)u.kind));
    if (u.raid_len) printf(" %.*s", (int)u.raid_len, u.raid);
    if (u.enc_len) printf(" > %.*s", (int)u.enc_len, u.enc);
    if (u.kind == OGRH_UNIT_COMPONENT) printf(" > %s", ogrh_component_name(u.index));
    if (u.kind == OGRH_UNIT_GLOBAL) printf(" %s", ogrh_global_name(u.index));
    printf("\nvalue: ");
    ogrh_buf b;
    ogrh_buf_init(&b);
    ogrh_value_write(&u.value, 0, &b);
    fwrite(b.p, 1, b.n, stdout);
    putchar('\n');
    ogrh_buf_deinit(&b);
    return;
  }
  printf("body (hex):");
  for (size_t i = 0; i < m->body_len && i < 64; i++)
    printf(" %02x", m->body[i]);
  printf("%s\n", m->body_len > 64 ? " ..." : "");
}

static int wire_decode(int argc, char **argv, const cli_cmd *me) {
  cli_opt opts[] = {{"--sender", NULL, true, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(me, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 0);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  ogrh_buf in;
  ogrh_buf_init(&in);
  const char *path = npos ? pos[0] : "-";
  if ((rc = ogrh_read_file(path, &in))) {
    ogrh_buf_deinit(&in);
    return cli_fail("%s: cannot read: %s", path, ogrh_strerror(rc));
  }
  ogrh_wire_cfg wc;
  ogrh_wire_cfg_default(&wc);
  decoded dd = {0, ogrh_arena_new()};
  ogrh_reasm *r = ogrh_reasm_new(&wc, NULL, 1, print_msg, NULL, NULL, &dd);
  const char *sender = cli_get(opts, NOPTS(opts), "--sender");
  if (!sender) sender = "sender";
  int line = 0, bad = 0;
  uint64_t checksums = 0;
  for (char *s = in.p; s && *s;) {
    char *e = strchr(s, '\n');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    line++;
    if (n && s[0] != '#') {
      char *sp = memchr(s, ' ', n);
      ogrh_buf text;
      ogrh_buf_init(&text);
      if (!sp || (size_t)(sp - s) > 16 || unescape(sp + 1, n - (size_t)(sp - s) - 1, &text)) {
        fprintf(stderr, "ogrh wire: %s:%d: expected 'PREFIX TEXT'\n", path, line);
        bad++;
      } else {
        char prefix[17];
        memcpy(prefix, s, (size_t)(sp - s));
        prefix[sp - s] = '\0';
        if (strcmp(prefix, wc.prefix) != 0) ogrh_wire_cfg_set_prefix(&wc, prefix);
        rc = ogrh_reasm_frame(r, sender, (const uint8_t *)(text.p ? text.p : ""), text.n, 1000);
        if (rc) {
          const ogrh_reasm_stats *st = ogrh_reasm_stats_get(r);
          fprintf(stderr, "ogrh wire: %s:%d: %s\n", path, line,
                  st->bad_checksum != checksums ? "message refused: its checksum does not match"
                  : rc == OGRH_ETOOBIG          ? "message refused: too large"
                                                : "not a valid frame");
          checksums = st->bad_checksum;
          bad++;
        }
      }
      ogrh_buf_deinit(&text);
    }
    s = e ? e + 1 : NULL;
  }
  size_t held = ogrh_reasm_held(r);
  if (held) fprintf(stderr, "ogrh wire: %zu bytes of incomplete messages (frames missing)\n", held);
  rc = bad || held || dd.n == 0 ? EXIT_FAIL : EXIT_OK;
  if (dd.n == 0 && !bad && !held) fprintf(stderr, "ogrh wire: no message in the input\n");
  ogrh_reasm_free(r);
  ogrh_arena_free(dd.a);
  ogrh_buf_deinit(&in);
  return rc;
}

static const char wire_usage[] =
    "usage: ogrh wire encode FILE --unit UNIT [--prefix P] [--id N] [--profile "
    "ctl|retail|unlimited]\n"
    "                        [--no-compress] [-q] [--json [--compact|--pretty]]\n"
    "       ogrh wire decode [FILE|-] [--sender NAME]\n\n"
    "encode prints the channel messages a repair of UNIT would send, one per line as\n"
    "'PREFIX TEXT' (TEXT escaped: \\\\ and \\xHH), then a summary: payload bytes, compressed\n"
    "bytes, messages, bytes on the wire, seconds under the throttle profile. UNIT is RAID,\n"
    "RAID/ENCOUNTER or RAID/ENCOUNTER/COMPONENT by name as in 'ogrh show' (exact names, #N\n"
    "for an index, \\/ for a '/' inside a name), a global (tradeItems, consumes, rolesUI)\n"
    "or all (the whole synced plan: encounterMgmt and the global components, never the\n"
    "player's own settings).\n"
    "decode reads such lines back, reassembles, and prints the decoded messages; it exits 1\n"
    "when frames are missing.\n"
    "Examples:\n"
    "  ogrh wire encode OG-RaidHelper.lua --unit BWL/Razorgore/playerAssignments\n"
    "  ogrh wire encode OG-RaidHelper.lua --unit BWL/Razorgore | ogrh wire decode\n\n"
    "  --unit UNIT      what to encode (above)\n"
    "  --prefix P       the addon message prefix (default OGRH)\n"
    "  --id N           the message id, 0..1023 (default 1)\n"
    "  --profile P      the throttle the seconds are counted under: ctl (ChatThrottleLib,\n"
    "                   the default), retail or unlimited\n"
    "  --no-compress    send the body as it is\n"
    "  -q, --quiet      the summary only\n"
    "  --json           the messages and the summary as one JSON object\n"
    "  --sender NAME    decode: the sender the messages are read as from\n";

static int run_wire(int argc, char **argv) {
  const cli_cmd me = cmd_wire;
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(wire_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (!strcmp(argv[1], "encode")) return wire_encode(argc - 1, argv + 1, &me);
  if (!strcmp(argv[1], "decode")) return wire_decode(argc - 1, argv + 1, &me);
  static const char *const subs[] = {"encode", "decode"};
  const char *near = cli_similar(argv[1], subs, 2);
  if (near)
    return cli_usage_error(&me, "unknown wire command '%s'; did you mean '%s'?", argv[1], near);
  return cli_usage_error(&me, "unknown wire command '%s' (encode or decode)", argv[1]);
}

const cli_cmd cmd_wire = {"wire", "show the channel messages of a repair unit, and decode them",
                          wire_usage, run_wire};
