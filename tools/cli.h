/*
** cli.h
** Shared pieces of the `ogrh` command-line tool: option parsing, messages, exit codes, output
** (colour, plurals, JSON, times) and the change records that writing commands print.
*/
#ifndef OGRH_CLI_H
#define OGRH_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "ogrh/ogrh.h"

/*
** Exit status. Most commands: 0 success, 1 failure, 2 usage error. The comparing commands
** (validate, diff, fmt --check, backup diff) follow diff and cmp: 0 the same, 1 different,
** 2 trouble (a missing file, a parse error, a usage error).
*/
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };
enum { EXIT_SAME = 0, EXIT_DIFFERENT = 1, EXIT_TROUBLE = 2 };

/* One option a command accepts: "--json" (flag) or "-o"/"--output" (takes a value). */
typedef struct cli_opt {
  const char *name;  /* long name, e.g. "--json" */
  const char *alias; /* short alias or NULL, e.g. "-o" */
  bool takes_value;
  const char *value; /* filled: the value, or "1" for a flag given, or NULL */
} cli_opt;

/* The three options of every command that prints JSON. */
#define CLI_JSON_OPTS                                                                              \
  {"--json", NULL, false, NULL}, {"--compact", NULL, false, NULL}, {                               \
    "--pretty", NULL, false, NULL                                                                  \
  }

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct cli_cmd {
  const char *name;
  const char *summary;
  const char *usage; /* full --help text; NULL when the command prints its own (wire, backup) */
  int (*run)(int argc, char **argv);
} cli_cmd;

/*
** Parses argv[1..] (argv[0] is the command name) into opts and positional arguments. An
** argument that looks like a negative number ("-5", "-0.5") is positional. Prints usage
** errors itself and returns -1 on error, 1 if --help was printed, else 0.
*/
int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts, int nopts, char **pos,
              int maxpos, int *npos, int minpos);
const char *cli_get(const cli_opt *opts, int nopts, const char *name);
bool cli_flag(const cli_opt *opts, int nopts, const char *name);
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints "ogrh CMD: message" on stderr; returns the failure status (1, or 2 when comparing). */
int cli_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The name of the command running ("set", "backup"), for messages. */
const char *cli_command_name(void);
/* From now on failures exit 2, not 1: a comparing command calls it first (validate and diff
** get it from the dispatcher, fmt --check and backup diff call it). */
void cli_comparing(void);
/* Parses a whole decimal number within [min, max]. */
bool cli_number(const char *s, long long min, long long max, long long *out);
/* The closest of n words to s (a typo: at most two edits, or a prefix), or NULL. */
const char *cli_similar(const char *s, const char *const *words, size_t n);

/* Loads a document, printing the error. */
int cli_load(const char *path, ogrh_doc **out);
/* Loads a document that must hold OGRH data: "FILE: no OGRH_SV data in this file" if not. */
int cli_load_plan(const char *path, ogrh_doc **out);
/* Writes the buffer to path atomically, or to stdout when path is NULL or "-". */
int cli_write_out(const char *path, const ogrh_buf *b);
/*
** Takes the writers' lock of the file a command will replace (nothing for NULL, "-" or a file
** that does not exist yet), waiting as OGRH_LOCK_WAIT_MS says; prints the error. A command
** takes it before it reads anything and keeps it until it has written: ogrh_file_lock_release.
*/
int cli_lock(const char *path, ogrh_file_lock *l);

/*
** Compares two documents already loaded (B checked against A): for people the validation
** report, its level and the differences path by path; with w (an open JSON object) the
** members "same", "level", "report", "differences", "unsyncedDifferences", "notes". Frees a
** and b. Returns EXIT_SAME, EXIT_DIFFERENT or the failure, said (see cmd_digest.c).
*/
int cli_compare_docs(ogrh_doc *a, ogrh_doc *b, ogrh_jw *w);
/* `ogrh backup diff FILE ID [ID2]` (cmd_backup_diff.c); argv[0] is "diff". */
int cli_backup_diff(int argc, char **argv);

/* Takes a backup of path before a destructive repair (raid or full level); see cmd_backup.c. */
int cli_backup_before(const char *path, ogrh_doc *d, const ogrh_repair_plan *plan);
/*
** Takes a backup of path before a command replaces it with other content (fmt -o, import -o)
** when path is a file that holds OGRH data; nothing when it does not exist or holds none.
** Says on stderr what it did; prints the error and returns non-zero when it failed.
*/
int cli_backup_overwrite(const char *path, const char *why);

/* Says on stderr what a backup before a change did (taken, not needed, bytes kept aside). */
void cli_report_safety(const char *file, const ogrh_safety *sf);
/*
** Text from a store or someone else's export made safe for a terminal: control characters,
** C1 controls, bidirectional overrides and line separators become escapes (\x1b, \u{202e}), a
** backslash is doubled, bytes that are not UTF-8 become \xNN. Returns out.
*/
const char *cli_safe_text(const char *s, char *out, size_t cap);

/* The clock: OGRH_NOW when set (checked in main), else the system's. */
int64_t cli_now(void);
/* Local time (TZ) for people: "Jan 15, 2027 08:00 AM CET". */
void cli_time_text(int64_t t, char *out, size_t cap);
/* ISO 8601 with the local offset, for JSON: "2027-01-15T08:00:00+01:00". */
void cli_time_iso(int64_t t, char *out, size_t cap);

/* ---- output ---- */

/* Text for stdout, built whole and written once; colour only for a terminal without NO_COLOR. */
typedef struct cli_out {
  ogrh_buf b;
  bool color;
} cli_out;

void cli_out_init(cli_out *o);
void cli_bold(cli_out *o, const char *s);
void cli_dim(cli_out *o, const char *s);
/* Ends a line without trailing spaces. */
void cli_eol(cli_out *o);
/* Writes the text to stdout and frees it; reports a formatting failure. */
int cli_out_flush(cli_out *o);
/* True when colour and bold may be used on standard output. */
bool cli_color(void);
const char *cli_plural(size_t n, const char *one, const char *many);
/* Columns: the display width of UTF-8 text, one column per character. */
int cli_width(const char *s);
void cli_pad(cli_out *o, const char *s, int w);
/* Appends text with every run of spaces made one (announcement lines keep the addon's). */
void cli_add_squeezed(cli_out *o, const char *s, size_t n);

/* ---- JSON (README "JSON output": one object per command, camelCase names) ---- */

/* 2 (pretty) when stdout is a terminal or with --pretty; 0 (compact) otherwise or --compact. */
int cli_json_indent(const cli_opt *opts, int nopts);
/* Starts a JSON report on b: the writer w, the top-level object opened. */
void cli_json_begin(ogrh_jw *w, ogrh_buf *b, const cli_opt *opts, int nopts);
/* Closes the top-level object, writes the report and a newline to stdout, frees b. */
int cli_json_end(ogrh_jw *w, ogrh_buf *b);
/* An ISO 8601 time under key. */
void cli_jw_time(ogrh_jw *w, const char *key, int64_t t);

/* ---- change records (set, replace) ---- */

/*
** Collects the change records of a document's writes, as text:
**   set PATH (scope: BWL > Razorgore > playerAssignments)      delete PATH (scope: ...)
**     old: nil                                                    old: "Tankadin"
**     new: "Tankadin"
** or as JSON objects {"op", "path", "scope", "old", "new", "sync", "componentType"}.
*/
typedef struct cli_changes {
  ogrh_doc *doc;  /* for the names in the scope */
  ogrh_buf *text; /* text form, or NULL */
  ogrh_jw *json;  /* JSON: one object per change into the open array, or NULL */
  size_t n;
} cli_changes;
/* An ogrh_change_fn: subscribe it with a cli_changes as ud. */
void cli_change(void *ud, const ogrh_change *c);
/* "BWL > Razorgore > playerAssignments": a scope in names, as validate names things. */
void cli_scope_text(ogrh_doc *d, const ogrh_scope *s, ogrh_buf *b);

extern const cli_cmd cmd_get, cmd_set, cmd_fmt, cmd_stats, cmd_export, cmd_import, cmd_gen;
extern const cli_cmd cmd_checksum, cmd_validate, cmd_diff, cmd_repair, cmd_backup, cmd_defaults,
    cmd_wire;
extern const cli_cmd cmd_show, cmd_where, cmd_replace;
/*
** The live node's commands are their own program, ogrh-node (cmd_node.c, cmd_roster.c and
** node_*.c, built with OGRH_LIVE_PROGRAM: only it links libmosquitto and libmicrohttpd); in
** `ogrh` they are cli_live.c's, which run ogrh-node with the same arguments.
*/
#define CLI_NODE_SUMMARY "run the live node: sync a plan file with the team over an MQTT broker"
#define CLI_ROSTER_SUMMARY "publish or show a team's roster (names and ranks) on the broker"
extern const cli_cmd cmd_node, cmd_roster;
extern const cli_cmd cmd_sim;
extern const cli_cmd cmd_migrate;

#endif
