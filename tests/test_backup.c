#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T0 1800000000LL /* a fixed "now" */
#define DAY (24 * 3600LL)

static char dir[64], file[128];

static void setup_dir(void) {
  snprintf(dir, sizeof dir, "/tmp/ogrh-bk-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(file, sizeof file, "%s/OG-RaidHelper.lua", dir);
}

static void teardown_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

static ogrh_doc *write_generated(uint64_t seed) {
  ogrh_doc *d = tu_generated(seed, 1);
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  return d;
}

static void read_all(const char *path, ogrh_buf *b) {
  b->n = 0;
  assert_int_equal(ogrh_read_file(path, b), OGRH_OK);
}

static ogrh_store *open_store(void) {
  ogrh_store *s;
  ogrh_err err;
  int rc = ogrh_store_open(file, &s, &err);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  assert_int_equal(rc, OGRH_OK);
  return s;
}

static void test_create_load_bit_for_bit(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(3);
  ogrh_store *s = open_store();
  ogrh_backup_info bi;
  ogrh_err err;
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "first", OGRH_REASON_MANUAL, false, T0,
                                      0, &bi, &err),
                   OGRH_OK);
  assert_true(bi.pinned); /* manual backups are pinned */
  assert_true(bi.stored_size < bi.raw_size);
  assert_true(ogrh_store_bytes(s) < bi.raw_size);
  assert_int_equal(bi.raids, 6);
  assert_int_equal(bi.encounters, 61);
  ogrh_svfile *f;
  assert_int_equal(ogrh_backup_load(s, bi.id, &f, &err), OGRH_OK);
  ogrh_buf a, b;
  ogrh_buf_init(&a);
  ogrh_buf_init(&b);
  read_all(file, &a);
  assert_int_equal(ogrh_svfile_write(f, &b), OGRH_OK);
  assert_int_equal(a.n, b.n);
  assert_memory_equal(a.p, b.p, a.n);
  ogrh_svfile_free(f);
  /* Reopening reads the same catalog back, and the lock is exclusive. */
  ogrh_store *s2;
  assert_int_equal(ogrh_store_open(file, &s2, &err), OGRH_ELOCKED);
  ogrh_store_close(s);
  s = open_store();
  assert_int_equal(ogrh_store_count(s), 1);
  assert_string_equal(ogrh_store_at(s, 0)->label, "first");
  assert_int_equal(ogrh_store_at(s, 0)->root, bi.root);
  ogrh_store_close(s);
  ogrh_buf_deinit(&a);
  ogrh_buf_deinit(&b);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_retention(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(4);
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_backup_info bi[15];
  /* 15 automatic backups, an hour apart: only the last 10 remain. */
  for (int i = 0; i < 15; i++) {
    char path[128], lit[32];
    snprintf(path, sizeof path, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.%d",
             1 + i % 4);
    snprintf(lit, sizeof lit, "'P%d'", i);
    tu_set(d, path, lit);
    assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_BEFORE_REPAIR, false,
                                        T0 + i * 3600, 0, &bi[i], &err),
                     OGRH_OK);
    /* Pin three early ones as soon as they exist. */
    if (i < 3) assert_int_equal(ogrh_backup_pin(s, bi[i].id, true, &err), OGRH_OK);
  }
  assert_int_equal(ogrh_store_count(s), 13); /* 10 unpinned + 3 pinned */
  for (int i = 0; i < 3; i++)
    assert_non_null(ogrh_store_find(s, bi[i].id));
  for (int i = 3; i < 5; i++)
    assert_null(ogrh_store_find(s, bi[i].id));
  for (int i = 5; i < 15; i++)
    assert_non_null(ogrh_store_find(s, bi[i].id));
  /* Newest first. */
  for (size_t i = 1; i < ogrh_store_count(s); i++)
    assert_true(ogrh_store_at(s, i - 1)->timestamp >= ogrh_store_at(s, i)->timestamp);
  /* Unpin everything and age the store past 7 days: at least 3 remain. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(ogrh_backup_pin(s, bi[i].id, false, &err), OGRH_OK);
  size_t deleted;
  assert_int_equal(ogrh_backup_prune(s, T0 + 30 * DAY, &deleted, &err), OGRH_OK);
  assert_int_equal(ogrh_store_count(s), OGRH_BACKUP_MIN);
  assert_int_equal(deleted, 10);
  /* Every remaining backup still loads (its objects survived collection). */
  for (size_t i = 0; i < ogrh_store_count(s); i++) {
    ogrh_svfile *f;
    assert_int_equal(ogrh_backup_load(s, ogrh_store_at(s, i)->id, &f, &err), OGRH_OK);
    ogrh_svfile_free(f);
  }
  /* The minimum-three rule. */
  assert_int_equal(ogrh_backup_delete(s, ogrh_store_at(s, 0)->id, true, &err), OGRH_EREFUSED);
  assert_string_equal(err.msg, "Cannot delete - minimum 3 backups required");
  ogrh_store_close(s);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_delete_rules(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(5);
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_backup_info m, a1, a2, a3;
  assert_int_equal(
      ogrh_backup_create(s, ogrh_doc_svfile(d), "mine", OGRH_REASON_MANUAL, false, T0, 0, &m, &err),
      OGRH_OK);
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_BEFORE_REPAIR, false,
                                      T0 + 1, 0, &a1, &err),
                   OGRH_OK);
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_BEFORE_REPAIR, false,
                                      T0 + 2, 0, &a2, &err),
                   OGRH_OK);
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_BEFORE_REPAIR, false,
                                      T0 + 3, 0, &a3, &err),
                   OGRH_OK);
  /* A manual backup needs confirmation; an automatic one does not. */
  assert_int_equal(ogrh_backup_delete(s, m.id, false, &err), OGRH_EREFUSED);
  assert_non_null(strstr(err.msg, "--yes"));
  assert_int_equal(ogrh_backup_delete(s, a1.id, false, &err), OGRH_OK);
  assert_int_equal(ogrh_store_count(s), 3);
  assert_int_equal(ogrh_backup_delete(s, m.id, true, &err), OGRH_EREFUSED);
  assert_int_equal(ogrh_backup_delete(s, 999, true, &err), OGRH_ENOTFOUND);
  ogrh_store_close(s);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_restore_and_safety_backup(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(6);
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_backup_info old;
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "good", OGRH_REASON_MANUAL, false, T0,
                                      0, &old, &err),
                   OGRH_OK);
  ogrh_buf good, changed, now;
  ogrh_buf_init(&good);
  ogrh_buf_init(&changed);
  ogrh_buf_init(&now);
  read_all(file, &good);
  /* Change the data: delete an encounter, change assignments. */
  tu_set(d, "encounterMgmt.raids.2.encounters.3", "nil");
  tu_set(d, "encounterMgmt.raids.1.encounters.1.roles.1.assignedPlayers.1", "'Someone'");
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  read_all(file, &changed);
  ogrh_backup_info safety;
  assert_int_equal(ogrh_backup_restore(s, file, old.id, T0 + 10, &safety, &err), OGRH_OK);
  read_all(file, &now);
  assert_int_equal(now.n, good.n);
  assert_memory_equal(now.p, good.p, good.n);
  /* The safety backup holds the pre-restore data. */
  assert_int_equal(safety.reason, OGRH_REASON_BEFORE_RESTORE);
  ogrh_svfile *f;
  assert_int_equal(ogrh_backup_load(s, safety.id, &f, &err), OGRH_OK);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_svfile_write(f, &b);
  assert_int_equal(b.n, changed.n);
  assert_memory_equal(b.p, changed.p, b.n);
  ogrh_svfile_free(f);
  ogrh_buf_deinit(&b);
  /* The automatic backup helper holds what was on disk before the operation. */
  ogrh_store_close(s);
  ogrh_backup_info before;
  assert_int_equal(
      ogrh_backup_before(file, OGRH_REASON_BEFORE_DEFAULTS, "x", T0 + 20, &before, &err), OGRH_OK);
  s = open_store();
  assert_int_equal(ogrh_backup_load(s, before.id, &f, &err), OGRH_OK);
  ogrh_buf_init(&b);
  ogrh_svfile_write(f, &b);
  assert_int_equal(b.n, good.n);
  assert_memory_equal(b.p, good.p, good.n);
  ogrh_buf_deinit(&b);
  ogrh_svfile_free(f);
  ogrh_store_close(s);
  ogrh_buf_deinit(&good);
  ogrh_buf_deinit(&changed);
  ogrh_buf_deinit(&now);
  ogrh_doc_free(d);
  teardown_dir();
}

static void corrupt_byte(const char *path, long offset_from_end) {
  FILE *fp = fopen(path, "r+b");
  assert_non_null(fp);
  fseek(fp, -offset_from_end, SEEK_END);
  int c = fgetc(fp);
  fseek(fp, -offset_from_end, SEEK_END);
  fputc(c ^ 0x5a, fp);
  fclose(fp);
}

static void test_corrupted_backup_is_refused(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(7);
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_backup_info bi;
  assert_int_equal(
      ogrh_backup_create(s, ogrh_doc_svfile(d), "x", OGRH_REASON_MANUAL, false, T0, 0, &bi, &err),
      OGRH_OK);
  ogrh_store_close(s);
  tu_set(d, "encounterMgmt.raids.1.name", "'Changed'");
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  ogrh_buf before, after;
  ogrh_buf_init(&before);
  ogrh_buf_init(&after);
  read_all(file, &before);
  char store[256];
  snprintf(store, sizeof store, "%s.backups/store.ogrhbk", file);
  /* Damage object bytes at several places: every restore must refuse and leave the file. */
  int refused = 0;
  for (long off = 10; off < 4000; off += 397) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cp %s %s.orig", store, store);
    assert_int_equal(system(cmd), 0);
    corrupt_byte(store, off);
    ogrh_store *s2;
    int rc = ogrh_store_open(file, &s2, &err);
    if (rc == OGRH_OK) {
      ogrh_backup_info safety;
      rc = ogrh_backup_restore(s2, file, bi.id, T0 + 1, &safety, &err);
      ogrh_store_close(s2);
    }
    if (rc != OGRH_OK) {
      refused++;
      assert_true(rc == OGRH_ECORRUPT);
      assert_true(err.msg[0] != '\0');
    }
    read_all(file, &after);
    if (rc != OGRH_OK) {
      assert_int_equal(after.n, before.n);
      assert_memory_equal(after.p, before.p, before.n);
    }
    snprintf(cmd, sizeof cmd, "mv %s.orig %s", store, store);
    assert_int_equal(system(cmd), 0);
    /* The restore above may have succeeded (damage in a byte no object uses is impossible,
       so success means it failed to hit): put the file back either way. */
    assert_int_equal(ogrh_write_file_atomic(file, before.p, before.n), OGRH_OK);
  }
  assert_true(refused >= 8);
  /* A damaged catalog refuses to open. */
  FILE *fp = fopen(store, "r+b");
  fseek(fp, 30, SEEK_SET);
  fputc('#', fp);
  fclose(fp);
  ogrh_store *s3;
  assert_int_equal(ogrh_store_open(file, &s3, &err), OGRH_ECORRUPT);
  assert_non_null(strstr(err.msg, "catalog"));
  ogrh_buf_deinit(&before);
  ogrh_buf_deinit(&after);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_export_import(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(8);
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_backup_info bi;
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "to share", OGRH_REASON_MANUAL, false,
                                      T0, 0, &bi, &err),
                   OGRH_OK);
  ogrh_buf line;
  ogrh_buf_init(&line);
  assert_int_equal(ogrh_backup_export(s, bi.id, &line, &err), OGRH_OK);
  assert_memory_equal(line.p, "OGRHBK1 ", 8);
  assert_null(memchr(line.p, '\n', line.n - 1)); /* one line */
  ogrh_store_close(s);
  /* Another store (another file) imports it: identical document. */
  char other[160];
  snprintf(other, sizeof other, "%s/Other.lua", dir);
  ogrh_store *t;
  assert_int_equal(ogrh_store_open(other, &t, &err), OGRH_OK);
  ogrh_backup_info ib;
  assert_int_equal(ogrh_backup_import(t, line.p, line.n, T0 + 5, &ib, &err), OGRH_OK);
  assert_int_equal(ib.root, bi.root);
  assert_non_null(strstr(ib.label, "to share"));
  ogrh_svfile *f;
  assert_int_equal(ogrh_backup_load(t, ib.id, &f, &err), OGRH_OK);
  assert_true(ogrh_value_equal(ogrh_svfile_get(f, "OGRH_SV"),
                               ogrh_svfile_get(ogrh_doc_svfile(d), "OGRH_SV")));
  ogrh_svfile_free(f);
  /* A damaged or cut line is refused. */
  line.p[line.n / 2] ^= 1;
  assert_int_equal(ogrh_backup_import(t, line.p, line.n, T0, &ib, &err), OGRH_ECORRUPT);
  line.p[line.n / 2] ^= 1;
  assert_true(ogrh_backup_import(t, line.p, line.n / 3, T0, &ib, &err) < 0);
  assert_int_equal(ogrh_backup_import(t, "hello", 5, T0, &ib, &err), OGRH_ESYNTAX);
  ogrh_store_close(t);
  ogrh_buf_deinit(&line);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_dedup_ten_backups(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(9);
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_rng r;
  ogrh_rng_seed(&r, 1);
  uint64_t one = 0;
  for (int i = 0; i < 10; i++) {
    if (i) /* a handful of assignments in random encounters */
      for (int k = 0; k < 5; k++) {
        char path[160], lit[32];
        int64_t raid = 1 + (int64_t)ogrh_rng_below(&r, 4);
        snprintf(path, sizeof path,
                 "encounterMgmt.raids.%lld.encounters.%d.roles.1.assignedPlayers.%d",
                 (long long)raid, 1 + (int)ogrh_rng_below(&r, 12), 1 + (int)ogrh_rng_below(&r, 3));
        snprintf(lit, sizeof lit, "'Sub%d'", (int)ogrh_rng_below(&r, 40));
        tu_set(d, path, lit);
      }
    assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_MANUAL, false,
                                        T0 + i, 0, NULL, &err),
                     OGRH_OK);
    if (i == 0) one = ogrh_store_bytes(s);
  }
  uint64_t ten = ogrh_store_bytes(s);
  fprintf(stderr, "store: one backup %llu bytes, ten backups %llu bytes (%.2fx)\n",
          (unsigned long long)one, (unsigned long long)ten, (double)ten / (double)one);
  assert_true((double)ten <= 1.5 * (double)one);
  ogrh_store_close(s);
  ogrh_doc_free(d);
  teardown_dir();
}

/* ---- crash safety: the CLI killed at every crash point, and by SIGKILL at random times ---- */

static int run_cli(const char *const *args, const char *crash_at) {
  pid_t pid = fork();
  if (pid == 0) {
    if (crash_at)
      setenv("OGRH_CRASH_AT", crash_at, 1);
    else
      unsetenv("OGRH_CRASH_AT");
    setenv("OGRH_NOW", "1800000000", 1);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(OGRH_CLI, (char *const *)args);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The store opens, every backup in it loads, and the live file parses. */
static size_t check_consistent(void) {
  ogrh_store *s = open_store();
  ogrh_err err;
  for (size_t i = 0; i < ogrh_store_count(s); i++) {
    ogrh_svfile *f;
    int rc = ogrh_backup_load(s, ogrh_store_at(s, i)->id, &f, &err);
    if (rc) fprintf(stderr, "backup %u: %s\n", ogrh_store_at(s, i)->id, err.msg);
    assert_int_equal(rc, OGRH_OK);
    ogrh_svfile_free(f);
  }
  size_t n = ogrh_store_count(s);
  ogrh_store_close(s);
  ogrh_svfile *live;
  assert_int_equal(ogrh_svfile_load(file, &live, &err), OGRH_OK);
  ogrh_svfile_free(live);
  return n;
}

static void test_crash_points(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(10);
  const char *create[] = {OGRH_CLI, "backup", "create", file, NULL};
  assert_int_equal(run_cli(create, NULL), 0);
  size_t before = check_consistent(), crashes = 0;
  for (int k = 1; k < 40; k++) {
    char at[16];
    snprintf(at, sizeof at, "%d", k);
    int rc = run_cli(create, at);
    assert_true(rc == 0 || rc == 99);
    size_t n = check_consistent();
    assert_true(n == before || n == before + 1);
    before = n;
    if (rc == 99)
      crashes++;
    else
      break;
  }
  assert_true(crashes >= 4);
  /* Restore, killed at every point: the live file is either the old or the restored one. */
  tu_set(d, "encounterMgmt.raids.1.name", "'Before restore'");
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  ogrh_buf old, now;
  ogrh_buf_init(&old);
  ogrh_buf_init(&now);
  read_all(file, &old);
  const char *restore[] = {OGRH_CLI, "backup", "restore", file, "1", NULL};
  for (int k = 1; k < 40; k++) {
    char at[16];
    snprintf(at, sizeof at, "%d", k);
    int rc = run_cli(restore, at);
    assert_true(rc == 0 || rc == 99);
    check_consistent();
    read_all(file, &now);
    ogrh_svfile *f;
    assert_int_equal(ogrh_svfile_parse(now.p, now.n, "live", &f, NULL), OGRH_OK);
    ogrh_svfile_free(f);
    if (rc == 0) break;
    /* Not yet restored: the file is exactly the old one. */
    if (now.n == old.n && memcmp(now.p, old.p, old.n) == 0) continue;
    ogrh_write_file_atomic(file, old.p, old.n);
  }
  ogrh_buf_deinit(&old);
  ogrh_buf_deinit(&now);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_sigkill_at_random_moments(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(11);
  ogrh_doc_free(d);
  ogrh_rng r;
  ogrh_rng_seed(&r, 77);
  for (int trial = 0; trial < 25; trial++) {
    pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0); /* its own group: one kill reaches the shell and the ogrh it runs */
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      execl("/bin/sh", "sh", "-c",
            "while true; do \"$0\" backup create \"$1\"; \"$0\" backup restore \"$1\" 1; done",
            OGRH_CLI, file, (char *)NULL);
      _exit(127);
    }
    struct timespec ts = {0, (long)(1000000 + ogrh_rng_below(&r, 40000000))};
    nanosleep(&ts, NULL);
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    /* The kernel releases the lock of a killed process; give it a moment to reap. */
    for (int i = 0; i < 500; i++) {
      ogrh_store *s;
      if (ogrh_store_open(file, &s, NULL) == OGRH_OK) {
        ogrh_store_close(s);
        break;
      }
      struct timespec w = {0, 10000000};
      nanosleep(&w, NULL);
    }
    check_consistent();
  }
  teardown_dir();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_load_bit_for_bit),
      cmocka_unit_test(test_retention),
      cmocka_unit_test(test_delete_rules),
      cmocka_unit_test(test_restore_and_safety_backup),
      cmocka_unit_test(test_corrupted_backup_is_refused),
      cmocka_unit_test(test_export_import),
      cmocka_unit_test(test_dedup_ten_backups),
      cmocka_unit_test(test_crash_points),
      cmocka_unit_test(test_sigkill_at_random_moments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
