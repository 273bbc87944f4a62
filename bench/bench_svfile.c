/*
** bench_svfile: read and write throughput and peak heap of the SavedVariables reader/writer.
** usage: bench_svfile FILE [ITERATIONS]
** Prints one line per measure; scripts/bench.sh compares them with lua5.1 and luajit.
*/
#include "bench.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_svfile FILE [ITERATIONS]\n");
    return 2;
  }
  int iters = argc > 2 ? atoi(argv[2]) : 20;
  if (iters < 1) iters = 1;
  bench_count_heap();
  double *rs = malloc(sizeof(double) * (size_t)iters), *ws = malloc(sizeof(double) * (size_t)iters);
  size_t bytes = 0, peak = 0;
  for (int i = 0; i < iters; i++) {
    bench_reset_peak();
    size_t base = bench_live;
    double t0 = bench_now();
    ogrh_svfile *f;
    ogrh_err err;
    if (ogrh_svfile_load(argv[1], &f, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 1;
    }
    double t1 = bench_now();
    if (bench_peak - base > peak) peak = bench_peak - base;
    ogrh_buf b;
    ogrh_buf_init(&b);
    double t2 = bench_now();
    ogrh_svfile_write(f, &b);
    double t3 = bench_now();
    bytes = b.n;
    rs[i] = t1 - t0;
    ws[i] = t3 - t2;
    ogrh_buf_deinit(&b);
    ogrh_svfile_free(f);
  }
  FILE *fp = fopen(argv[1], "rb");
  fseek(fp, 0, SEEK_END);
  long fsize = ftell(fp);
  fclose(fp);
  double r = bench_median(rs, iters), w = bench_median(ws, iters);
  printf("file_bytes %ld\n", fsize);
  printf("read_seconds %.6f\n", r);
  printf("read_MBps %.1f\n", (double)fsize / r / 1e6);
  printf("write_seconds %.6f\n", w);
  printf("write_MBps %.1f\n", (double)bytes / w / 1e6);
  printf("peak_heap_bytes %zu\n", peak);
  printf("heap_per_file_byte %.2f\n", (double)peak / (double)fsize);
  free(rs);
  free(ws);
  return 0;
}
