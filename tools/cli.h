/*
** cli.h
** Shared pieces of the `ogrh` command-line tool: option parsing, messages, exit codes.
*/
#ifndef OGRH_CLI_H
#define OGRH_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "ogrh/ogrh.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* One option a command accepts: "--json" (flag) or "-o"/"--output" (takes a value). */
typedef struct cli_opt {
  const char *name;  /* long name, e.g. "--json" */
  const char *alias; /* short alias or NULL, e.g. "-o" */
  bool takes_value;
  const char *value; /* filled: the value, or "1" for a flag given, or NULL */
} cli_opt;

typedef struct cli_cmd {
  const char *name;
  const char *summary;
  const char *usage; /* full --help text */
  int (*run)(int argc, char **argv);
} cli_cmd;

/*
** Parses argv[1..] (argv[0] is the command name) into opts and positional arguments.
** Prints usage errors itself and returns -1 on error, 1 if --help was printed, else 0.
*/
int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts, int nopts, char **pos,
              int maxpos, int *npos, int minpos);
const char *cli_get(const cli_opt *opts, int nopts, const char *name);
bool cli_flag(const cli_opt *opts, int nopts, const char *name);
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...);
int cli_fail(const char *fmt, ...);
/* Parses a whole decimal number within [min, max]. */
bool cli_number(const char *s, long long min, long long max, long long *out);

/* Loads a document, printing the error. */
int cli_load(const char *path, ogrh_doc **out);
/* Writes the buffer to path atomically, or to stdout when path is NULL or "-". */
int cli_write_out(const char *path, const ogrh_buf *b);
/*
** Takes the writers' lock of the file a command will replace (nothing for NULL, "-" or a file
** that does not exist yet), waiting as OGRH_LOCK_WAIT_MS says; prints the error. A command
** takes it before it reads anything and keeps it until it has written: ogrh_file_lock_release.
*/
int cli_lock(const char *path, ogrh_file_lock *l);

/* Takes a backup of path before a destructive repair (raid or full level); see cmd_backup.c. */
int cli_backup_before(const char *path, ogrh_doc *d, const ogrh_repair_plan *plan);

extern const cli_cmd cmd_get, cmd_set, cmd_fmt, cmd_stats, cmd_export, cmd_import, cmd_gen;
extern const cli_cmd cmd_checksum, cmd_validate, cmd_diff, cmd_repair, cmd_backup, cmd_defaults,
    cmd_wire;
extern const cli_cmd cmd_show, cmd_where, cmd_replace;
extern const cli_cmd cmd_node, cmd_roster;
extern const cli_cmd cmd_sim;

#endif
