/*
** bench_doc: memory of a document under a long run of writes (issue 8, defect 5).
** usage: bench_doc FILE [N]
** Loads FILE, attaches a digest tree, makes N random writes of the kinds a raid night makes
** (assignments, marks, announcements, whole assignment lists, personal settings), updating the
** tree every 64 writes, and prints the heap held by the freshly loaded document and tree, the
** peak during the writes, their ratio, the compactions made, and the time per write.
*/
#include "bench.h"

#include <stdio.h>
#include <string.h>

static void write_one(ogrh_doc *d, ogrh_rng *r, ogrh_value *list) {
  static const char *const names[] = {"Tankadin", "Holybob", "Zugzug", "Morwyn", "Belith"};
  char path[160];
  int raid = 1 + (int)ogrh_rng_below(r, 6), enc = 1 + (int)ogrh_rng_below(r, 8);
  int role = 1 + (int)ogrh_rng_below(r, 3), slot = 1 + (int)ogrh_rng_below(r, 5);
  ogrh_value v;
  const char *base = "encounterMgmt.raids";
  switch (ogrh_rng_below(r, 6)) {
  case 0:
  case 1:
    snprintf(path, sizeof path, "%s.%d.encounters.%d.roles.%d.assignedPlayers.%d", base, raid, enc,
             role, slot);
    v = ogrh_vcstr(names[ogrh_rng_below(r, 5)]);
    break;
  case 2:
    snprintf(path, sizeof path, "%s.%d.encounters.%d.roles.%d.raidMarks.%d", base, raid, enc, role,
             slot);
    v = ogrh_vint((int64_t)ogrh_rng_below(r, 9));
    break;
  case 3:
    snprintf(path, sizeof path, "%s.%d.encounters.%d.announcements.%d", base, raid, enc, slot);
    v = ogrh_vcstr(ogrh_rng_below(r, 2) ? "Tanks: [R1.P1] [R1.P2], healers on [R2.P]" : "");
    break;
  case 4:
    snprintf(path, sizeof path, "%s.%d.encounters.%d.roles.%d.assignedPlayers", base, raid, enc,
             role);
    v = *list;
    break;
  default:
    snprintf(path, sizeof path, "ui.selectedEncounter");
    v = ogrh_vint((int64_t)ogrh_rng_below(r, 20));
  }
  int rc = ogrh_doc_set_path(d, path, &v, NULL, NULL);
  if (rc && rc != OGRH_ENOTTABLE) {
    fprintf(stderr, "write failed: %s\n", ogrh_strerror(rc));
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_doc FILE [N]\n");
    return 2;
  }
  long n = argc > 2 ? atol(argv[2]) : 1000000;
  bench_count_heap();
  ogrh_doc *d;
  ogrh_err err;
  if (ogrh_doc_load(argv[1], &d, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  ogrh_dtree *t;
  if (ogrh_dtree_build(d, &t) || ogrh_dtree_attach(t, d)) return 1;
  /* The list written whole lives outside the library's count. */
  ogrh_set_allocator(NULL, NULL);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value list;
  ogrh_value_parse_literal(a, "{ 'A', 'B', 'C', [7] = 'D' }", 28, &list, &err);
  bench_count_heap();
  size_t fresh = bench_live;
  bench_reset_peak();
  ogrh_rng r;
  ogrh_rng_seed(&r, 17);
  uint64_t gen = ogrh_doc_generation(d);
  double t0 = bench_now();
  for (long i = 0; i < n; i++) {
    write_one(d, &r, &list);
    if (i % 64 == 63 && ogrh_dtree_update(t)) return 1;
  }
  double secs = bench_now() - t0;
  if (ogrh_dtree_verify(t, NULL)) {
    fprintf(stderr, "the digest tree is wrong after the writes\n");
    return 1;
  }
  printf("writes %ld\n", n);
  printf("fresh_bytes %zu\n", fresh);
  printf("peak_bytes %zu\n", bench_peak);
  printf("end_bytes %zu\n", bench_live);
  printf("peak_ratio %.2f\n", (double)bench_peak / (double)fresh);
  printf("compactions %llu\n", (unsigned long long)(ogrh_doc_generation(d) - gen));
  printf("seconds_per_write %.9f\n", secs / (double)n);
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
  ogrh_set_allocator(NULL, NULL);
  ogrh_arena_free(a);
  return 0;
}
