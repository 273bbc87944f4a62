/*
** cli_out.c
** What every command's output shares: colour only for a terminal, lines without trailing
** spaces, plurals, JSON reports in one convention, times in local time, the change records of
** writes, and the backup a command takes before it replaces a plan with something else.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- text ---- */

bool cli_color(void) {
  const char *nc = getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) && !(nc && *nc);
}

void cli_out_init(cli_out *o) {
  ogrh_buf_init(&o->b);
  o->color = cli_color();
}

void cli_bold(cli_out *o, const char *s) {
  ogrh_buf_printf(&o->b, o->color ? "\033[1m%s\033[0m" : "%s", s);
}

void cli_dim(cli_out *o, const char *s) {
  ogrh_buf_printf(&o->b, o->color ? "\033[2m%s\033[0m" : "%s", s);
}

void cli_eol(cli_out *o) {
  while (o->b.n && o->b.p[o->b.n - 1] == ' ')
    o->b.p[--o->b.n] = '\0';
  ogrh_buf_addc(&o->b, '\n');
}

int cli_out_flush(cli_out *o) {
  int rc = ogrh_buf_error(&o->b);
  if (rc) {
    ogrh_buf_deinit(&o->b);
    return cli_fail("cannot format the output: %s", ogrh_strerror(rc));
  }
  rc = cli_write_out(NULL, &o->b);
  ogrh_buf_deinit(&o->b);
  return rc;
}

const char *cli_plural(size_t n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

int cli_width(const char *s) {
  int w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) w++;
  return w;
}

void cli_pad(cli_out *o, const char *s, int w) {
  ogrh_buf_adds(&o->b, s);
  for (int i = cli_width(s); i < w; i++)
    ogrh_buf_addc(&o->b, ' ');
}

void cli_add_squeezed(cli_out *o, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' || (o->b.n && o->b.p[o->b.n - 1] != ' ')) ogrh_buf_addc(&o->b, s[i]);
}

/*
** A label (or any text from a store or from someone else's export) made safe for a terminal:
** control characters, C1 controls, bidirectional overrides and line separators become
** escapes (\x1b, \u{202e}), a backslash is doubled, bytes that are not UTF-8 become \xNN.
*/
const char *cli_safe_text(const char *s, char *out, size_t cap) {
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

/* ---- times ---- */

static bool local(int64_t t, struct tm *tm) {
  time_t tt = (time_t)t;
  tzset();
  return localtime_r(&tt, tm) != NULL;
}

void cli_time_text(int64_t t, char *out, size_t cap) {
  struct tm tm;
  if (!local(t, &tm) || !strftime(out, cap, "%b %d, %Y %I:%M %p %Z", &tm))
    snprintf(out, cap, "%lld", (long long)t);
}

void cli_time_iso(int64_t t, char *out, size_t cap) {
  struct tm tm;
  char zone[8];
  /* strftime's %z is +0100; ISO 8601's extended form wants +01:00. */
  if (!local(t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm) ||
      !strftime(zone, sizeof zone, "%z", &tm) || strlen(zone) != 5) {
    snprintf(out, cap, "%lld", (long long)t);
    return;
  }
  size_t n = strlen(out);
  snprintf(out + n, cap - n, "%.3s:%.2s", zone, zone + 3);
}

/* ---- JSON ---- */

int cli_json_indent(const cli_opt *opts, int nopts) {
  if (cli_flag(opts, nopts, "--compact")) return 0;
  if (cli_flag(opts, nopts, "--pretty")) return 2;
  return isatty(STDOUT_FILENO) ? 2 : 0;
}

void cli_json_begin(ogrh_jw *w, ogrh_buf *b, const cli_opt *opts, int nopts) {
  ogrh_buf_init(b);
  ogrh_jw_init(w, b, cli_json_indent(opts, nopts));
  ogrh_jw_open(w, NULL, '{');
}

int cli_json_end(ogrh_jw *w, ogrh_buf *b) {
  ogrh_jw_close(w, '}');
  ogrh_buf_addc(b, '\n');
  int rc = ogrh_jw_error(w);
  if (rc) {
    ogrh_buf_deinit(b);
    return cli_fail("cannot write the JSON report: %s", ogrh_strerror(rc));
  }
  rc = cli_write_out(NULL, b);
  ogrh_buf_deinit(b);
  return rc;
}

void cli_jw_time(ogrh_jw *w, const char *key, int64_t t) {
  char iso[64];
  cli_time_iso(t, iso, sizeof iso);
  ogrh_jw_str(w, key, iso);
}

/* ---- change records ---- */

/* A raid's or an encounter's name for people, or "raid 7" when it has none (or is gone). */
static void entry_name(const ogrh_table *t, const char *what, int64_t index, ogrh_buf *b) {
  size_t n = 0;
  const char *name = t ? ogrh_table_name(t, &n) : NULL;
  if (name && n)
    ogrh_buf_add(b, name, n);
  else
    ogrh_buf_printf(b, "%s %lld", what, (long long)index);
}

void cli_scope_text(ogrh_doc *d, const ogrh_scope *s, ogrh_buf *b) {
  if (s->kind != OGRH_SCOPE_RAID && s->kind != OGRH_SCOPE_ENCOUNTER) {
    ogrh_scope_format(s, b);
    return;
  }
  entry_name(ogrh_doc_raid(d, s->raid), "raid", s->raid, b);
  if (s->kind == OGRH_SCOPE_RAID) {
    ogrh_buf_adds(b, s->raid_all ? " (whole raid)" : " (raid metadata)");
    return;
  }
  ogrh_buf_adds(b, " > ");
  entry_name(ogrh_doc_encounter(d, s->raid, s->encounter), "encounter", s->encounter, b);
  const char *sep = " > ";
  for (int i = 0; i < OGRH_NCOMPONENTS; i++)
    if (s->components & (1u << i)) {
      ogrh_buf_printf(b, "%s%s", sep, ogrh_component_name(i));
      sep = ", ";
    }
}

void cli_change(void *ud, const ogrh_change *c) {
  cli_changes *cc = ud;
  bool del = c->new_value->type == OGRH_NIL;
  ogrh_buf scope;
  ogrh_buf_init(&scope);
  cli_scope_text(cc->doc, &c->scope, &scope);
  const char *sync =
      c->meta && c->meta->level != OGRH_SYNC_NONE ? ogrh_sync_level_name(c->meta->level) : NULL;
  const char *ctype = c->meta ? c->meta->component_type : NULL;
  cc->n++;
  if (cc->text) {
    ogrh_buf *b = cc->text;
    ogrh_buf_printf(b, "%s %s (scope: %s)\n  old: ", del ? "delete" : "set", c->path_text,
                    scope.p ? scope.p : "");
    ogrh_value_write(c->old_value, 1, b);
    if (!del) {
      ogrh_buf_adds(b, "\n  new: ");
      ogrh_value_write(c->new_value, 1, b);
    }
    if (sync) ogrh_buf_printf(b, "\n  sync: %s", sync);
    if (ctype) ogrh_buf_printf(b, "\n  componentType: %s", ctype);
    ogrh_buf_addc(b, '\n');
    /* A scope that could not be written fails the whole text, as any append would. */
    if (!b->err) b->err = ogrh_buf_error(&scope);
  }
  if (cc->json) {
    ogrh_jw *w = cc->json;
    ogrh_jw_open(w, NULL, '{');
    ogrh_jw_str(w, "op", del ? "delete" : "set");
    ogrh_jw_str(w, "path", c->path_text);
    ogrh_jw_str(w, "scope", scope.p ? scope.p : "");
    ogrh_jw_value(w, "old", c->old_value);
    ogrh_jw_value(w, "new", c->new_value);
    ogrh_jw_str(w, "sync", sync);
    ogrh_jw_str(w, "componentType", ctype);
    ogrh_jw_close(w, '}');
    if (!w->err) w->err = ogrh_buf_error(&scope);
  }
  ogrh_buf_deinit(&scope);
}

/* ---- a backup before a plan is replaced ---- */

int cli_backup_overwrite(const char *path, const char *why) {
  struct stat st;
  if (!path || strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return EXIT_OK;
  /* A plan is a file that mentions OGRH_SV; whether it parses is the backup's business (a
     file that cannot be read is an error: it may be a plan). */
  ogrh_buf text;
  ogrh_buf_init(&text);
  int rc = ogrh_read_file(path, &text);
  bool plan = false;
  for (size_t i = 0; !rc && !plan && i + 7 <= text.n; i++)
    plan = text.p[i] == 'O' && memcmp(text.p + i, "OGRH_SV", 7) == 0;
  ogrh_buf_deinit(&text);
  if (rc) return cli_fail("%s: cannot read: %s (it was not replaced)", path, ogrh_strerror(rc));
  if (!plan) return EXIT_OK;
  ogrh_err err;
  ogrh_safety sf;
  char label[160];
  snprintf(label, sizeof label, "before %s", why);
  if (ogrh_backup_before(path, OGRH_REASON_BEFORE_IMPORT, label, cli_now(), &sf, &err))
    return cli_fail("%s (%s was not written)", ogrh_err_msg(&err), path);
  cli_report_safety(path, &sf);
  return EXIT_OK;
}
