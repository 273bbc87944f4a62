/*
** cli_hooks.c
** What turns the command-line tool into `ogrh-test`, the build the tests run (never installed):
**  - OGRH_CRASH_AT=N: the Nth crash point reached (ogrh__crashpoint: the atomic write, the
**    backup store) ends the process on the spot with _exit(99), as a power cut would;
**  - OGRH_ALLOC_FAIL_AT=K: the K-th allocation (counted from 0) fails, and at exit one line on
**    stderr tells what happened, for tests/cli.sh to check that the command failed cleanly and
**    freed everything:
**      ogrh-test: alloc fail_at=K injected=0|1 allocations=N live=BYTES
** The installed `ogrh` links neither: the library's own crash point does nothing.
*/
#include "alloc.h"
#include "failing_alloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void ogrh__crashpoint(void) {
  static long at = -1, seen = 0;
  if (at < 0) {
    const char *e = getenv("OGRH_CRASH_AT");
    at = e && *e ? atol(e) : 0;
  }
  if (at > 0 && ++seen == at) _exit(99);
}

static failing_alloc_state state = {-1, 0, 0, 0};

static void report(void) {
  fprintf(stderr, "ogrh-test: alloc fail_at=%ld injected=%d allocations=%ld live=%lld\n",
          state.fail_at, state.count > state.fail_at, state.count, state.live);
}

/* Before main, so that every allocation of the run goes through the failing allocator. */
__attribute__((constructor)) static void install_failing_allocator(void) {
  const char *e = getenv("OGRH_ALLOC_FAIL_AT");
  if (!e || !*e) return;
  state.fail_at = atol(e);
  ogrh_set_allocator(failing_alloc, &state);
  atexit(report);
}
