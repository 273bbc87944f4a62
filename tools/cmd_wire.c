/*
** cmd_wire.c
** `ogrh wire encode` and `ogrh wire decode`: the channel messages of a repair unit, and back.
*/
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Printable ASCII stays, backslash doubles, anything else is \xHH: one frame per line. */
static void print_escaped(FILE *o, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\\')
      fputs("\\\\", o);
    else if (p[i] >= 0x20 && p[i] < 0x7f)
      fputc(p[i], o);
    else
      fprintf(o, "\\x%02x", p[i]);
  }
}

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

/* Resolves a unit spec: RAID, RAID/ENCOUNTER, RAID/ENCOUNTER/COMPONENT, a global, or "all". */
static bool named(const ogrh_table *t, const char *name) {
  size_t n;
  const char *s = ogrh_table_name(t, &n);
  return n == strlen(name) && memcmp(s, name, n) == 0;
}

static int unit_value(ogrh_doc *d, const char *spec, int *kind, char *raid, char *enc, int *index,
                      ogrh_value *v, ogrh_arena *a) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", spec);
  raid[0] = enc[0] = '\0';
  *index = 0;
  if (strcmp(buf, "all") == 0) {
    /* The whole plan: encounterMgmt and the global components, none of the player's own keys. */
    *kind = OGRH_UNIT_FULL;
    return ogrh_schema_synced(a, ogrh_doc_root(d), v) ? cli_fail("out of memory") : OGRH_OK;
  }
  char *p1 = strchr(buf, '/'), *p2 = p1 ? strchr(p1 + 1, '/') : NULL;
  if (p1) *p1 = '\0';
  if (p2) *p2 = '\0';
  ogrh_table *raids = ogrh_doc_raids(d);
  const ogrh_table *rt = NULL;
  for (uint32_t i = 0; raids && i < raids->n && !rt; i++)
    if (raids->e[i].val.type == OGRH_TABLE && named(raids->e[i].val.u.t, buf))
      rt = raids->e[i].val.u.t;
  if (!rt && !p1 && ogrh_global_index(buf) >= 0) {
    *kind = OGRH_UNIT_GLOBAL;
    *index = ogrh_global_index(buf);
    const ogrh_value *g = ogrh_table_gets(ogrh_doc_root(d)->u.t, ogrh_global_key(*index));
    *v = g ? *g : ogrh_vnil();
    return OGRH_OK;
  }
  if (!rt) return cli_fail("no raid named '%s' (nor a global component)", buf);
  snprintf(raid, 128, "%s", buf);
  if (!p1) {
    *kind = OGRH_UNIT_RAID;
    *v = ogrh_vtable((ogrh_table *)rt);
    return OGRH_OK;
  }
  const ogrh_value *encs = ogrh_table_gets(rt, "encounters");
  const ogrh_table *et = NULL;
  for (uint32_t i = 0; encs && encs->type == OGRH_TABLE && i < encs->u.t->n && !et; i++)
    if (encs->u.t->e[i].val.type == OGRH_TABLE && named(encs->u.t->e[i].val.u.t, p1 + 1))
      et = encs->u.t->e[i].val.u.t;
  if (!et) return cli_fail("raid '%s' has no encounter named '%s'", buf, p1 + 1);
  snprintf(enc, 128, "%s", p1 + 1);
  if (!p2) {
    *kind = OGRH_UNIT_ENCOUNTER;
    *v = ogrh_vtable((ogrh_table *)et);
    return OGRH_OK;
  }
  int c = ogrh_component_index(p2 + 1);
  if (c < 0)
    return cli_fail("unknown component '%s' (encounterMetadata, roles, playerAssignments, "
                    "raidMarks, assignmentNumbers, announcements)",
                    p2 + 1);
  *kind = OGRH_UNIT_COMPONENT;
  *index = c;
  return ogrh_component_project(a, et, c, v) ? cli_fail("out of memory") : OGRH_OK;
}

static int wire_encode(int argc, char **argv, const cli_cmd *me) {
  cli_opt opts[] = {{"--unit", NULL, true, NULL},         {"--prefix", NULL, true, NULL},
                    {"--id", NULL, true, NULL},           {"--profile", NULL, true, NULL},
                    {"--no-compress", NULL, false, NULL}, {"--quiet", "-q", false, NULL}};
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
  if (ogrh_ctl_profile(prof ? prof : "ctl", &ctl))
    return cli_usage_error(me, "--profile must be ctl, retail or unlimited");
  long long id = 1;
  const char *ids = cli_get(opts, NOPTS(opts), "--id");
  if (ids && !cli_number(ids, 0, 1023, &id)) return cli_usage_error(me, "--id must be 0..1023");
  ogrh_doc *d;
  if ((rc = cli_load(pos[0], &d))) return rc;
  if (!ogrh_doc_root(d)) {
    ogrh_doc_free(d);
    return cli_fail("%s: no OGRH_SV data", pos[0]);
  }
  ogrh_arena *a = ogrh_arena_new();
  int kind = OGRH_UNIT_FULL, index = 0;
  char raid[128], enc[128];
  ogrh_value v;
  if ((rc = unit_value(d, spec, &kind, raid, enc, &index, &v, a))) {
    ogrh_arena_free(a);
    ogrh_doc_free(d);
    return EXIT_FAIL;
  }
  ogrh_buf body;
  ogrh_buf_init(&body);
  ogrh_frames f;
  ogrh_frames_init(&f);
  rc = ogrh_unit_body_encode(kind, raid, strlen(raid), enc, strlen(enc), index, &v, &body);
  if (!rc)
    rc = ogrh_wire_pack(&wc, (uint16_t)id, OGRH_MT_REPAIR, NULL, (const uint8_t *)body.p, body.n,
                        !cli_flag(opts, NOPTS(opts), "--no-compress"), &f);
  if (rc) {
    rc = cli_fail("cannot encode the unit: %s", ogrh_strerror(rc));
  } else {
    size_t wire = 0;
    bool quiet = cli_flag(opts, NOPTS(opts), "--quiet");
    for (size_t i = 0; i < f.n; i++) {
      wire += strlen(wc.prefix) + 1 + f.len[i];
      if (quiet) continue;
      printf("%s ", wc.prefix);
      print_escaped(stdout, (const uint8_t *)f.data.p + f.off[i], f.len[i]);
      putchar('\n');
    }
    printf("# unit: %s %s%s%s%s%s\n", ogrh_unit_kind_name((ogrh_unit_kind)kind),
           raid[0] ? raid : "", enc[0] ? " > " : "", enc, kind == OGRH_UNIT_COMPONENT ? " > " : "",
           kind == OGRH_UNIT_COMPONENT ? ogrh_component_name(index)
           : kind == OGRH_UNIT_GLOBAL  ? ogrh_global_name(index)
                                       : "");
    printf("# payload bytes: %zu (message header and compact body)\n", f.payload_bytes);
    printf("# compressed bytes: %zu (%s)\n", f.compressed_bytes,
           f.compressed_bytes < f.payload_bytes ? "DEFLATE with dictionary 1" : "sent as is");
    printf("# messages: %zu of at most %zu bytes after the prefix\n", f.n, wc.frame_text);
    printf("# bytes on the wire: %zu (prefix, separator and text of every message)\n", wire);
    printf("# seconds under %s: %.2f (from an idle sender)\n", prof ? prof : "ctl",
           seconds_under(&ctl, &f, wc.prefix));
  }
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&body);
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

static const char *const wire_usage =
    "usage: ogrh wire encode FILE --unit UNIT [--prefix P] [--id N] [--profile "
    "ctl|retail|unlimited]\n"
    "                        [--no-compress] [-q]\n"
    "       ogrh wire decode [FILE|-] [--sender NAME]\n\n"
    "encode prints the channel messages a repair of UNIT would send, one per line as\n"
    "'PREFIX TEXT' (TEXT escaped: \\\\ and \\xHH), then a summary: payload bytes, compressed\n"
    "bytes, messages, bytes on the wire, seconds under the throttle profile. UNIT is RAID,\n"
    "RAID/ENCOUNTER, RAID/ENCOUNTER/COMPONENT, a global (tradeItems, consumes, rolesUI) or all\n"
    "(the whole synced plan: encounterMgmt and the global components, never the player's own\n"
    "settings).\n"
    "decode reads such lines back, reassembles, and prints the decoded messages.\n"
    "Example:\n  ogrh wire encode OG-RaidHelper.lua --unit BWL/Razorgore | ogrh wire decode\n";

static int run_wire(int argc, char **argv) {
  cli_cmd me = cmd_wire;
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(wire_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  me.usage = wire_usage;
  if (!strcmp(argv[1], "encode")) return wire_encode(argc - 1, argv + 1, &me);
  if (!strcmp(argv[1], "decode")) return wire_decode(argc - 1, argv + 1, &me);
  return cli_usage_error(&me, "unknown wire command '%s'", argv[1]);
}

const cli_cmd cmd_wire = {"wire", "show the channel messages of a repair unit, and decode them",
                          NULL, run_wire};
