/*
** cli_live.c
** `ogrh node` and `ogrh roster` in the `ogrh` program: they run `ogrh-node`, the live node's own
** program (it links libmosquitto and libmicrohttpd, which no other command needs to load), from
** the directory `ogrh` itself is in, else from PATH, with the same arguments.
*/
#define _DEFAULT_SOURCE
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIVE_PROGRAM "ogrh-node"

static int run_live(int argc, char **argv) {
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (!args) return cli_fail("out of memory");
  char self[PATH_MAX], path[PATH_MAX + sizeof LIVE_PROGRAM], name[] = LIVE_PROGRAM;
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  args[0] = name;
  for (int i = 0; i < argc; i++)
    args[i + 1] = argv[i];
  fflush(stdout);
  if (n > 0) {
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) {
      slash[1] = '\0';
      snprintf(path, sizeof path, "%s%s", self, LIVE_PROGRAM);
      if (access(path, X_OK) == 0) execv(path, args);
    }
  }
  execvp(LIVE_PROGRAM, args);
  int e = errno;
  free(args);
  return cli_fail("the live node is its own program, %s, and it cannot be run (%s): install it "
                  "beside ogrh or on PATH",
                  LIVE_PROGRAM, strerror(e));
}

/* No usage text: `ogrh help node` runs `ogrh-node node --help`. */
const cli_cmd cmd_node = {"node", CLI_NODE_SUMMARY, NULL, run_live};
const cli_cmd cmd_roster = {"roster", CLI_ROSTER_SUMMARY, NULL, run_live};
