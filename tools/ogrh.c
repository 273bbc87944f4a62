/*
** ogrh.c
** The `ogrh` command-line tool: dispatch, option parsing and the shared helpers.
*/
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(OGRH_LIVE_PROGRAM)
/* ogrh-node: the live node's commands only (cli.h). */
#define PROGRAM "ogrh-node"
#define ABOUT                                                                                      \
  "The live node of ogrh-sync, its own program so that the other commands need not load\n"         \
  "the MQTT and HTTP libraries: `ogrh node` and `ogrh roster` run it.\n"
static const cli_cmd *const commands[] = {&cmd_node, &cmd_roster};
#else
#define PROGRAM "ogrh"
#define ABOUT                                                                                      \
  "Keeps an OG-RaidHelper raid plan (WoW SavedVariables) consistent: read, edit,\n"                \
  "checksum, compare, repair and back up OGRH_SV files.\n"
static const cli_cmd *const commands[] = {
    &cmd_get,      &cmd_set,      &cmd_fmt,      &cmd_stats, &cmd_export,  &cmd_import,
    &cmd_gen,      &cmd_checksum, &cmd_validate, &cmd_diff,  &cmd_repair,  &cmd_backup,
    &cmd_defaults, &cmd_wire,     &cmd_show,     &cmd_where, &cmd_replace, &cmd_node,
    &cmd_roster,   &cmd_sim,      &cmd_migrate};
#endif

static const char *current_cmd = "ogrh";
/* What a failure exits with: 1, or 2 for the comparing commands (diff and cmp do the same). */
static int fail_status = EXIT_FAIL;

const char *cli_command_name(void) {
  return current_cmd;
}

void cli_comparing(void) {
  fail_status = EXIT_TROUBLE;
}

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "ogrh %s: ", cmd->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'ogrh %s --help'.\n", cmd->name);
  return EXIT_USAGE;
}

int cli_fail(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "ogrh %s: ", current_cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return fail_status;
}

/* Edit distance with transpositions (optimal string alignment), small strings only. */
static size_t edits(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 40 || m > 40) return 99;
  size_t d[41][41];
  for (size_t i = 0; i <= n; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= m; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[n][m];
}

const char *cli_similar(const char *s, const char *const *words, size_t n) {
  const char *best = NULL;
  size_t best_d = 3, len = strlen(s);
  /* One or two edits, and fewer than the word has letters ("ls" is no typo of "get"). */
  for (size_t i = 0; i < n; i++) {
    size_t d = edits(s, words[i]);
    if (d < best_d && d < len) {
      best = words[i];
      best_d = d;
    }
  }
  if (best || len < 3) return best;
  for (size_t i = 0; i < n; i++)
    if (strncmp(s, words[i], len) == 0) return words[i];
  return NULL;
}

bool cli_number(const char *s, long long min, long long max, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts, int nopts, char **pos,
              int maxpos, int *npos, int minpos) {
  *npos = 0;
  bool only_pos = false;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (!only_pos && strcmp(a, "--") == 0) {
      only_pos = true;
      continue;
    }
    if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
      fputs(cmd->usage, stdout);
      return 1;
    }
    /* "-5" and "-0.5" are values (a VALUE of set), never options: no option starts so. */
    bool negative = a[0] == '-' &&
                    (isdigit((unsigned char)a[1]) || (a[1] == '.' && isdigit((unsigned char)a[2])));
    if (!only_pos && a[0] == '-' && a[1] != '\0' && !negative) {
      char *eq = strchr(a, '=');
      size_t nl = eq ? (size_t)(eq - a) : strlen(a);
      cli_opt *o = NULL;
      for (int k = 0; k < nopts; k++)
        if ((strlen(opts[k].name) == nl && strncmp(opts[k].name, a, nl) == 0) ||
            (opts[k].alias && strlen(opts[k].alias) == nl && strncmp(opts[k].alias, a, nl) == 0))
          o = &opts[k];
      if (!o) {
        const char *names[64];
        size_t nn = 0;
        char given[64];
        snprintf(given, sizeof given, "%.*s", (int)nl, a);
        for (int k = 0; k < nopts && nn < 64; k++)
          names[nn++] = opts[k].name;
        const char *near = cli_similar(given, names, nn);
        if (near)
          cli_usage_error(cmd, "unknown option '%s'; did you mean '%s'?", given, near);
        else
          cli_usage_error(cmd, "unknown option '%s'", given);
        return -1;
      }
      if (o->takes_value) {
        if (eq)
          o->value = eq + 1;
        else if (i + 1 < argc)
          o->value = argv[++i];
        else {
          cli_usage_error(cmd, "option '%s' needs a value", o->name);
          return -1;
        }
      } else {
        if (eq) {
          cli_usage_error(cmd, "option '%s' takes no value", o->name);
          return -1;
        }
        o->value = "1";
      }
      continue;
    }
    if (*npos == maxpos) {
      cli_usage_error(cmd, "unexpected argument '%s'", a);
      return -1;
    }
    pos[(*npos)++] = a;
  }
  if (*npos < minpos) {
    cli_usage_error(cmd, "missing argument%s", minpos - *npos > 1 ? "s" : "");
    return -1;
  }
  return 0;
}

const char *cli_get(const cli_opt *opts, int nopts, const char *name) {
  for (int k = 0; k < nopts; k++)
    if (strcmp(opts[k].name, name) == 0) return opts[k].value;
  return NULL;
}

bool cli_flag(const cli_opt *opts, int nopts, const char *name) {
  return cli_get(opts, nopts, name) != NULL;
}

int cli_load(const char *path, ogrh_doc **out) {
  ogrh_err err;
  int rc = ogrh_doc_load(path, out, &err);
  if (rc) return cli_fail("%s", ogrh_err_msg(&err));
  return EXIT_OK;
}

int cli_load_plan(const char *path, ogrh_doc **out) {
  int rc = cli_load(path, out);
  if (rc) return rc;
  if (ogrh_doc_root(*out)) return EXIT_OK;
  ogrh_doc_free(*out);
  *out = NULL;
  return cli_fail("%s: no OGRH_SV data in this file (OG-RaidHelper keeps its plan in OGRH_SV)",
                  path);
}

int cli_write_out(const char *path, const ogrh_buf *b) {
  int rc = ogrh_write_file_atomic(path ? path : "-", b->p ? b->p : "", b->n);
  if (rc) return cli_fail("%s: cannot write: %s", path ? path : "stdout", ogrh_strerror(rc));
  return EXIT_OK;
}

/* How long a writer waits for another one; OGRH_LOCK_WAIT_MS changes it (checked in main). */
static int lock_wait_ms = OGRH_LOCK_WAIT_MS;

int cli_lock(const char *path, ogrh_file_lock *l) {
  int rc = ogrh_file_lock_acquire(path ? path : "-", lock_wait_ms, l);
  if (rc == OGRH_ELOCKED)
    return cli_fail("%s: another program is writing it (waited %d ms); try again", path,
                    lock_wait_ms);
  if (rc) return cli_fail("%s: cannot lock: %s", path, ogrh_strerror(rc));
  return EXIT_OK;
}

/*
** The settings the environment gives every command, checked once before any runs: a value
** that is not a number in range is refused rather than read as something else.
**   OGRH_NOW            the clock, in seconds since 1970 (tests, reproducible demos)
**   OGRH_LOCK_WAIT_MS   how long a writer waits for another writer of the same file
*/
static bool environment_ok(void) {
  long long v;
  const char *e = getenv("OGRH_NOW");
  /* Up to the end of year 9999: every such time converts to a calendar date. */
  if (e && *e && !cli_number(e, 0, 253402300799LL, &v)) {
    fprintf(stderr,
            "ogrh: OGRH_NOW must be whole seconds since 1970, from 0 to 253402300799 "
            "(year 9999), not '%s'\n",
            e);
    return false;
  }
  e = getenv("OGRH_LOCK_WAIT_MS");
  if (e && *e) {
    if (!cli_number(e, 0, 600000, &v)) {
      fprintf(stderr, "ogrh: OGRH_LOCK_WAIT_MS must be milliseconds from 0 to 600000, not '%s'\n",
              e);
      return false;
    }
    lock_wait_ms = (int)v;
  }
  return true;
}

int64_t cli_now(void) {
  const char *e = getenv("OGRH_NOW");
  if (e && *e) return strtoll(e, NULL, 10);
  return (int64_t)time(NULL);
}

static void usage(FILE *f) {
  fprintf(f, "usage: " PROGRAM " <command> [options] [args]\n\n" ABOUT "\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
  fprintf(f,
          "\n'ogrh help COMMAND' or 'ogrh COMMAND --help' describes a command; 'ogrh -V' prints\n"
          "the version. Exit status: 0 success, 1 failure, 2 usage error; the comparing\n"
          "commands (validate, diff, fmt --check, backup diff) exit 0 when the same, 1 when\n"
          "different, 2 on trouble.\n");
}

static const cli_cmd *find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(name, commands[i]->name) == 0) return commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  const char *names[sizeof commands / sizeof commands[0]];
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    names[i] = commands[i]->name;
  const char *near = cli_similar(name, names, sizeof names / sizeof names[0]);
  if (near)
    fprintf(stderr, "ogrh: unknown command '%s'; did you mean '%s'?\n", name, near);
  else
    fprintf(stderr, "ogrh: unknown command '%s'\n", name);
  fprintf(stderr, "Try 'ogrh --help' for the list of commands.\n");
  return EXIT_USAGE;
}

/* `ogrh help [COMMAND]`: the command's --help, or the list of commands. */
static int help(int argc, char **argv) {
  if (argc < 3) {
    usage(stdout);
    return EXIT_OK;
  }
  const cli_cmd *c = find_command(argv[2]);
  if (!c) return unknown_command(argv[2]);
  if (c->usage) {
    fputs(c->usage, stdout);
    return EXIT_OK;
  }
  /* wire and backup print their own help, for --help. */
  char flag[] = "--help";
  char *args[] = {argv[2], flag, NULL};
  return c->run(2, args);
}

static int run(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *a = argv[1];
  if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0)
    return help(argc, argv);
  if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
    printf("ogrh %s\n", OGRH_VERSION);
    return EXIT_OK;
  }
  if (!environment_ok()) return EXIT_USAGE;
  const cli_cmd *c = find_command(a);
  if (!c) {
    if (a[0] == '-') {
      fprintf(stderr, "ogrh: unknown option '%s' (options come after the command)\n", a);
      fprintf(stderr, "Try 'ogrh --help'.\n");
      return EXIT_USAGE;
    }
    return unknown_command(a);
  }
  current_cmd = c->name;
#if !defined(OGRH_LIVE_PROGRAM)
  if (c == &cmd_validate || c == &cmd_diff) cli_comparing();
#endif
  return c->run(argc - 1, argv + 1);
}

/*
** Every command prints through stdio's buffer of standard output, where a write error (a full
** disk, a closed pipe) sticks. This one check, after every command, makes it a failure, so
** that `ogrh ... > file` never exits 0 with the output lost.
*/
int main(int argc, char **argv) {
  int rc = run(argc, argv);
  /* When stdio failed earlier, errno still holds the cause unless a later call failed too:
     commands print last and then only free memory. */
  if (fflush(stdout) != 0 || ferror(stdout)) {
    int e = errno;
    /* A comparing command whose answer was lost did not compare: trouble (2). */
    if (rc < fail_status)
      rc = cli_fail("cannot write standard output: %s",
                    e ? ogrh_strerror(ogrh_status_from_errno(e)) : "write error");
  }
  return rc;
}
