/*
** bench_backup: backup store create/restore cost and dedup, against zstd on the same file.
** usage: bench_backup FILE WORKDIR
** Prints: zstd -3 and -19 of the file (in-process, libzstd), backup create into an empty store
** and into a store that already holds the previous version, load+verify of a backup, and the
** store size after ten backups that differ by five assignments each.
*/
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <zstd.h>

static double median_of(double *s, int n) {
  return bench_median(s, n);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_backup FILE WORKDIR\n");
    return 2;
  }
  ogrh_buf raw;
  ogrh_buf_init(&raw);
  if (ogrh_read_file(argv[1], &raw)) return 1;
  enum { N = 9 };
  double z3[N], z19[N], first[N], next[N], load[N];
  size_t cap = ZSTD_compressBound(raw.n), c3 = 0, c19 = 0;
  void *out = malloc(cap);
  int n19 = raw.n > 2000000 ? 3 : N;
  for (int i = 0; i < N; i++) {
    double t0 = bench_now();
    c3 = ZSTD_compress(out, cap, raw.p, raw.n, 3);
    z3[i] = bench_now() - t0;
  }
  for (int i = 0; i < n19; i++) {
    double t0 = bench_now();
    c19 = ZSTD_compress(out, cap, raw.p, raw.n, 19);
    z19[i] = bench_now() - t0;
  }
  ogrh_doc *d;
  ogrh_err err;
  if (ogrh_doc_load(argv[1], &d, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  char file[4096], cmd[4200];
  snprintf(file, sizeof file, "%s/bench.lua", argv[2]);
  uint64_t one = 0, ten = 0;
  ogrh_rng r;
  ogrh_rng_seed(&r, 1);
  for (int i = 0; i < N; i++) {
    snprintf(cmd, sizeof cmd, "rm -rf %s.backups", file);
    if (system(cmd)) return 1;
    ogrh_store *s;
    if (ogrh_store_open(file, &s, &err)) return 1;
    double t0 = bench_now();
    ogrh_backup_info bi;
    if (ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_MANUAL, false, 1, raw.n, &bi,
                           &err))
      return 1;
    first[i] = bench_now() - t0;
    one = ogrh_store_bytes(s);
    /* Nine more, each five assignments later. */
    for (int k = 1; k < 10; k++) {
      for (int j = 0; j < 5; j++) {
        char path[160];
        snprintf(path, sizeof path,
                 "encounterMgmt.raids.%d.encounters.%d.roles.1.assignedPlayers.%d",
                 1 + (int)ogrh_rng_below(&r, 4), 1 + (int)ogrh_rng_below(&r, 12),
                 1 + (int)ogrh_rng_below(&r, 3));
        ogrh_value v = ogrh_vcstr(j % 2 ? "Tankadin" : "Warbob");
        ogrh_doc_set_path(d, path, &v, NULL, NULL);
      }
      t0 = bench_now();
      if (ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_MANUAL, false, 1 + k, raw.n,
                             &bi, &err))
        return 1;
      if (k == 1) next[i] = bench_now() - t0;
    }
    ten = ogrh_store_bytes(s);
    t0 = bench_now();
    ogrh_svfile *f;
    if (ogrh_backup_load(s, bi.id, &f, &err)) return 1;
    load[i] = bench_now() - t0;
    ogrh_svfile_free(f);
    ogrh_store_close(s);
  }
  printf("file_bytes %zu\n", raw.n);
  printf("zstd3_seconds %.6f\nzstd3_bytes %zu\n", median_of(z3, N), c3);
  printf("zstd19_seconds %.6f\nzstd19_bytes %zu\n", median_of(z19, n19), c19);
  printf("create_first_seconds %.6f\n", median_of(first, N));
  printf("create_next_seconds %.6f\n", median_of(next, N));
  printf("load_verify_seconds %.6f\n", median_of(load, N));
  printf("store_one_bytes %llu\nstore_ten_bytes %llu\n", (unsigned long long)one,
         (unsigned long long)ten);
  printf("ten_over_one %.2f\n", (double)ten / (double)one);
  free(out);
  ogrh_doc_free(d);
  ogrh_buf_deinit(&raw);
  return 0;
}
