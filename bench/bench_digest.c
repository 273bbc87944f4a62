/*
** bench_digest: the digest tree, full and incremental.
** usage: bench_digest FILE MODE [N]
**   MODE time   : median time of a full build and of one incremental update (after a single
**                 assignment write), and their ratio
**   MODE full   : N full builds (for callgrind --toggle-collect=run_full)
**   MODE incr   : N single-assignment writes, each followed by an update
**                 (callgrind --toggle-collect=run_incremental counts only the updates)
*/
#include "bench.h"

#include <stdio.h>
#include <string.h>

static ogrh_doc *load(const char *path) {
  ogrh_doc *d;
  ogrh_err err;
  if (ogrh_doc_load(path, &d, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    exit(1);
  }
  return d;
}

__attribute__((noinline)) void run_full(ogrh_doc *d);
__attribute__((noinline)) void run_full(ogrh_doc *d) {
  ogrh_dtree *t;
  if (ogrh_dtree_build(d, &t)) exit(1);
  ogrh_dtree_free(t);
}

__attribute__((noinline)) void run_incremental(ogrh_dtree *t);
__attribute__((noinline)) void run_incremental(ogrh_dtree *t) {
  if (ogrh_dtree_update(t)) exit(1);
}

/* One assignment write in raid 2 (BWL), encounter 3, role 1, slot 1..8 by turn. */
static void write_one(ogrh_doc *d, int i) {
  char path[128];
  snprintf(path, sizeof path, "encounterMgmt.raids.2.encounters.3.roles.1.assignedPlayers.%d",
           1 + i % 8);
  ogrh_value v = ogrh_vcstr(i % 2 ? "Tankadin" : "Warbob");
  if (ogrh_doc_set_path(d, path, &v, NULL, NULL)) exit(1);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_digest FILE time|full|incr [N]\n");
    return 2;
  }
  ogrh_doc *d = load(argv[1]);
  int n = argc > 3 ? atoi(argv[3]) : 50;
  if (n < 1) n = 1;
  if (strcmp(argv[2], "full") == 0) {
    for (int i = 0; i < n; i++)
      run_full(d);
  } else if (strcmp(argv[2], "incr") == 0) {
    ogrh_dtree *t;
    ogrh_dtree_build(d, &t);
    ogrh_dtree_attach(t, d);
    for (int i = 0; i < n; i++) {
      write_one(d, i);
      run_incremental(t);
    }
    ogrh_dtree_free(t);
  } else {
    double *full = malloc(sizeof(double) * (size_t)n), *inc = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
      double t0 = bench_now();
      run_full(d);
      full[i] = bench_now() - t0;
    }
    ogrh_dtree *t;
    ogrh_dtree_build(d, &t);
    ogrh_dtree_attach(t, d);
    int ni = n * 20;
    double *inc2 = realloc(inc, sizeof(double) * (size_t)ni);
    inc = inc2;
    for (int i = 0; i < ni; i++) {
      write_one(d, i);
      double t0 = bench_now();
      run_incremental(t);
      inc[i] = bench_now() - t0;
    }
    double f = bench_median(full, n), u = bench_median(inc, ni);
    printf("full_seconds %.7f\n", f);
    printf("incremental_seconds %.9f\n", u);
    printf("incremental_fraction %.6f\n", u / f);
    ogrh_dtree_free(t);
    free(full);
    free(inc);
  }
  ogrh_doc_free(d);
  return 0;
}
