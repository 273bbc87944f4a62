#include "testutil.h"

#include "backup_snapshot.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define T0 1800000000LL /* a fixed "now" */
#define DAY (24 * 3600LL)

static char dir[64], file[128], store_path[256];

static void setup_dir(void) {
  /* In memory where there is a tmpfs: the store's fsyncs cost nothing there. */
  struct stat sb;
  bool shm = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0;
  snprintf(dir, sizeof dir, "%s/ogrh-bk-XXXXXX", shm ? "/dev/shm" : "/tmp");
  assert_non_null(mkdtemp(dir));
  snprintf(file, sizeof file, "%s/OG-RaidHelper.lua", dir);
  snprintf(store_path, sizeof store_path, "%s.backups/store.ogrhbk", file);
  bk_lock_wait_ms = 5000;
}

static void teardown_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

static void read_all(const char *path, ogrh_buf *b) {
  ogrh_buf_reset(b);
  assert_int_equal(ogrh_read_file(path, b), OGRH_OK);
}

static void write_all(const char *path, const ogrh_buf *b) {
  assert_int_equal(ogrh_write_file_atomic(path, b->p ? b->p : "", b->n), OGRH_OK);
}

static bool same_bytes(const ogrh_buf *a, const ogrh_buf *b) {
  return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

static bool file_equals(const char *path, const ogrh_buf *want) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  bool same = ogrh_read_file(path, &b) == OGRH_OK && same_bytes(&b, want);
  ogrh_buf_deinit(&b);
  return same;
}

static bool exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

static ogrh_doc *write_generated(uint64_t seed) {
  ogrh_doc *d = tu_generated(seed, 1);
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  return d;
}

static ogrh_store *open_store(void) {
  ogrh_store *s;
  ogrh_err err;
  int rc = ogrh_store_open(file, &s, &err);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  assert_int_equal(rc, OGRH_OK);
  return s;
}

/* The file a backup holds, in WoW format. */
static void backup_bytes(ogrh_store *s, uint32_t id, ogrh_buf *out) {
  ogrh_svfile *f;
  ogrh_err err;
  int rc = ogrh_backup_load(s, id, &f, &err);
  if (rc) fprintf(stderr, "backup %u: %s\n", id, err.msg);
  assert_int_equal(rc, OGRH_OK);
  ogrh_buf_reset(out);
  assert_int_equal(ogrh_svfile_write(f, out), OGRH_OK);
  ogrh_svfile_free(f);
}

static void svfile_bytes(const ogrh_svfile *f, ogrh_buf *out) {
  ogrh_buf_reset(out);
  assert_int_equal(ogrh_svfile_write(f, out), OGRH_OK);
}

/* The small plan of tests/data/backup (2 raids, 3 encounters, another variable). */
static void small_text(ogrh_buf *b) {
  read_all(tu_src("tests/data/backup/small.lua"), b);
}

/* The small plan with player k in one of its slots (a different slot for different k). */
static ogrh_doc *small_variant(int k) {
  ogrh_buf t;
  ogrh_buf_init(&t);
  small_text(&t);
  ogrh_svfile *f = tu_parse(t.p);
  ogrh_buf_deinit(&t);
  ogrh_doc *d;
  assert_int_equal(ogrh_doc_from_svfile(f, &d, NULL), OGRH_OK);
  static const char *const paths[] = {
      "encounterMgmt.raids.1.encounters.1.roles.1.assignedPlayers.1",
      "encounterMgmt.raids.1.encounters.2.roles.1.assignedPlayers.1",
      "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1",
      "encounterMgmt.raids.1.encounters.1.roles.2.assignedPlayers.1"};
  if (k) {
    char lit[32];
    snprintf(lit, sizeof lit, "'Player%d'", k);
    tu_set(d, paths[k % 4], lit);
  }
  return d;
}

static int64_t g_clock = T0;

static void create_ok(ogrh_store *s, const ogrh_svfile *f, const char *label,
                      ogrh_backup_info *bi) {
  ogrh_err err;
  int rc = ogrh_backup_create(s, f, label, OGRH_REASON_MANUAL, false, g_clock++, 0, bi, &err);
  if (rc) fprintf(stderr, "create: %s\n", err.msg);
  assert_int_equal(rc, OGRH_OK);
}

/* ---- basic behaviour ---- */

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
  ogrh_buf a, b;
  ogrh_buf_init(&a);
  ogrh_buf_init(&b);
  read_all(file, &a);
  backup_bytes(s, bi.id, &b);
  assert_true(same_bytes(&a, &b));
  /* Reopening reads the same catalog back, and the lock is exclusive. */
  ogrh_store *s2;
  bk_lock_wait_ms = 50;
  assert_int_equal(ogrh_store_open(file, &s2, &err), OGRH_ELOCKED);
  assert_int_equal(ogrh_store_open_readonly(file, &s2, &err), OGRH_ELOCKED);
  ogrh_store_close(s);
  s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
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
  /* Unpin everything and age the store past 7 days: the newest 3 remain. */
  for (int i = 0; i < 3; i++)
    assert_int_equal(ogrh_backup_pin(s, bi[i].id, false, &err), OGRH_OK);
  size_t deleted;
  assert_int_equal(ogrh_backup_prune(s, T0 + 30 * DAY, &deleted, &err), OGRH_OK);
  assert_int_equal(ogrh_store_count(s), OGRH_BACKUP_MIN);
  assert_int_equal(deleted, 10);
  for (int i = 12; i < 15; i++)
    assert_non_null(ogrh_store_find(s, bi[i].id));
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

/* Issue 8, defect 10: after an 8-day gap the age rule deleted the newest backups. */
static void test_retention_keeps_the_newest_three(void **state) {
  (void)state;
  setup_dir();
  ogrh_store *s = open_store();
  ogrh_err err;
  ogrh_backup_info bi[7];
  for (int i = 0; i < 7; i++) {
    ogrh_doc *d = small_variant(i + 1);
    int64_t t = i < 6 ? T0 + i * 3600 : T0 + 8 * DAY;
    assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_BEFORE_REPAIR, false,
                                        t, 0, &bi[i], &err),
                     OGRH_OK);
    ogrh_doc_free(d);
  }
  assert_int_equal(ogrh_store_count(s), 3);
  assert_int_equal(ogrh_store_at(s, 0)->id, bi[6].id);
  assert_int_equal(ogrh_store_at(s, 1)->id, bi[5].id);
  assert_int_equal(ogrh_store_at(s, 2)->id, bi[4].id);
  /* The rule itself, on a catalog: pinned ones never go, the 11th unpinned goes. */
  ogrh_backup_info cat[14];
  bool del[14];
  memset(cat, 0, sizeof cat);
  for (int i = 0; i < 14; i++) {
    cat[i].id = (uint32_t)(14 - i);
    cat[i].timestamp = T0 - i * 3600;
    cat[i].pinned = i == 12;
  }
  assert_int_equal(bk_retention(cat, 14, T0, 0, del), 3);
  for (int i = 0; i < 14; i++)
    assert_int_equal(del[i], i == 10 || i == 11 || i == 13);
  assert_int_equal(bk_retention(cat, 14, T0 + 30 * DAY, 0, del), 10);
  for (int i = 0; i < 14; i++)
    assert_int_equal(del[i], i >= 3 && i != 12);
  ogrh_store_close(s);
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
  ogrh_buf good, changed, now, b;
  ogrh_buf_init(&good);
  ogrh_buf_init(&changed);
  ogrh_buf_init(&now);
  ogrh_buf_init(&b);
  read_all(file, &good);
  /* Change the data: delete an encounter, change assignments. */
  tu_set(d, "encounterMgmt.raids.2.encounters.3", "nil");
  tu_set(d, "encounterMgmt.raids.1.encounters.1.roles.1.assignedPlayers.1", "'Someone'");
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  read_all(file, &changed);
  ogrh_safety safety;
  assert_int_equal(ogrh_backup_restore(s, file, old.id, T0 + 10, &safety, &err), OGRH_OK);
  read_all(file, &now);
  assert_true(same_bytes(&now, &good));
  /* The safety backup holds the pre-restore data. */
  assert_true(safety.existed && safety.created && !safety.reused);
  assert_int_equal(safety.kept[0], '\0');
  assert_int_equal(safety.info.reason, OGRH_REASON_BEFORE_RESTORE);
  backup_bytes(s, safety.info.id, &b);
  assert_true(same_bytes(&b, &changed));
  /* The automatic backup helper holds what was on disk before the operation. */
  ogrh_store_close(s);
  ogrh_safety before;
  assert_int_equal(
      ogrh_backup_before(file, OGRH_REASON_BEFORE_DEFAULTS, "x", T0 + 20, &before, &err), OGRH_OK);
  assert_true(before.created);
  s = open_store();
  backup_bytes(s, before.info.id, &b);
  assert_true(same_bytes(&b, &good));
  /* Taken again on the same file: the newest backup already holds it, nothing is written. */
  ogrh_buf st1, st2;
  ogrh_buf_init(&st1);
  ogrh_buf_init(&st2);
  read_all(store_path, &st1);
  ogrh_store_close(s);
  assert_int_equal(
      ogrh_backup_before(file, OGRH_REASON_BEFORE_DEFAULTS, "x", T0 + 30, &before, &err), OGRH_OK);
  assert_true(before.reused && !before.created);
  read_all(store_path, &st2);
  assert_true(same_bytes(&st1, &st2));
  /* Restoring into a missing file: nothing to keep first. */
  unlink(file);
  s = open_store();
  assert_int_equal(ogrh_backup_restore(s, file, old.id, T0 + 40, &safety, &err), OGRH_OK);
  assert_false(safety.existed || safety.created || safety.reused);
  read_all(file, &now);
  assert_true(same_bytes(&now, &good));
  ogrh_store_close(s);
  ogrh_buf_deinit(&st1);
  ogrh_buf_deinit(&st2);
  ogrh_buf_deinit(&good);
  ogrh_buf_deinit(&changed);
  ogrh_buf_deinit(&now);
  ogrh_buf_deinit(&b);
  ogrh_doc_free(d);
  teardown_dir();
}

/* Issue 8, defect 17: a live file that does not parse is kept, and the caller is told. */
static void test_unparsable_live_file_is_kept_and_reported(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = small_variant(0);
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  ogrh_store *s = open_store();
  ogrh_backup_info bi;
  create_ok(s, ogrh_doc_svfile(d), "", &bi);
  ogrh_buf junk, kept, good;
  ogrh_buf_init(&junk);
  ogrh_buf_init(&kept);
  ogrh_buf_init(&good);
  ogrh_buf_adds(&junk, "OGRH_SV = { [1] = \n");
  write_all(file, &junk);
  ogrh_safety sf;
  ogrh_err err;
  assert_int_equal(ogrh_backup_restore(s, file, bi.id, T0 + 5, &sf, &err), OGRH_OK);
  assert_true(sf.existed && !sf.created && !sf.reused);
  assert_non_null(strstr(sf.kept, ".backups/unparsable-before-change-"));
  assert_true(sf.parse_error[0] != '\0');
  read_all(sf.kept, &kept);
  assert_true(same_bytes(&kept, &junk));
  backup_bytes(s, bi.id, &good);
  assert_true(file_equals(file, &good));
  ogrh_store_close(s);
  /* The command line says so on stderr. */
  write_all(file, &junk);
  char out[200], errp[200], cmd[800];
  snprintf(out, sizeof out, "%s/out.txt", dir);
  snprintf(errp, sizeof errp, "%s/err.txt", dir);
  snprintf(cmd, sizeof cmd, "OGRH_NOW=1800000100 %s defaults %s >%s 2>%s", OGRH_CLI, file, out,
           errp);
  assert_int_equal(system(cmd), 0);
  ogrh_buf e;
  ogrh_buf_init(&e);
  read_all(errp, &e);
  assert_non_null(strstr(e.p, "could not be parsed"));
  assert_non_null(strstr(e.p, "unparsable-before-change-1800000100"));
  ogrh_buf_deinit(&e);
  ogrh_buf_deinit(&junk);
  ogrh_buf_deinit(&kept);
  ogrh_buf_deinit(&good);
  ogrh_doc_free(d);
  teardown_dir();
}

/* Issue 9: an unchanged file costs neither a parse nor a store write. */
static void test_create_of_an_unchanged_file(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(12);
  ogrh_buf text, st1, st2;
  ogrh_buf_init(&text);
  ogrh_buf_init(&st1);
  ogrh_buf_init(&st2);
  read_all(file, &text);
  ogrh_store *s = open_store();
  ogrh_backup_info bi, again;
  ogrh_err err;
  bool created;
  assert_int_equal(ogrh_backup_create_text(s, text.p, text.n, file, "one", OGRH_REASON_MANUAL, true,
                                           T0, &bi, &created, &err),
                   OGRH_OK);
  assert_true(created);
  assert_int_not_equal(bi.file_hash, 0);
  read_all(store_path, &st1);
  tu_alloc_begin(-1);
  assert_int_equal(ogrh_backup_create_text(s, text.p, text.n, file, "two", OGRH_REASON_MANUAL, true,
                                           T0 + 1, &again, &created, &err),
                   OGRH_OK);
  long allocs = tu_alloc_count();
  tu_alloc_end();
  assert_false(created);
  assert_int_equal(again.id, bi.id);
  assert_true(allocs == 0); /* no parse: parsing allocates */
  read_all(store_path, &st2);
  assert_true(same_bytes(&st1, &st2));
  /* One byte more and it is a new backup. */
  ogrh_buf_addc(&text, '\n');
  assert_int_equal(ogrh_backup_create_text(s, text.p, text.n, file, "three", OGRH_REASON_MANUAL,
                                           true, T0 + 2, &again, &created, &err),
                   OGRH_OK);
  assert_true(created);
  assert_int_not_equal(again.id, bi.id);
  ogrh_store_close(s);
  ogrh_buf_deinit(&text);
  ogrh_buf_deinit(&st1);
  ogrh_buf_deinit(&st2);
  ogrh_doc_free(d);
  teardown_dir();
}

/*
** A save compresses a snapshot's new blobs where bk_reserve_blobs let them lie, or gathers them
** when they do not lie back to back (no room reserved, too little, a second backup into the
** same room): the store's bytes are the same whichever way, and every backup reads back.
*/
static void test_blob_room_changes_no_byte(void **state) {
  (void)state;
  ogrh_doc *d1 = tu_generated(8, 1), *d2 = tu_generated(9, 1);
  ogrh_buf want, got, text;
  ogrh_buf_init(&want);
  ogrh_buf_init(&got);
  ogrh_buf_init(&text);
  assert_int_equal(ogrh_svfile_write(ogrh_doc_svfile(d1), &text), OGRH_OK);
  static const size_t rooms[] = {0, 1000, 50000, 1u << 22};
  for (size_t r = 0; r < sizeof rooms / sizeof *rooms; r++) {
    setup_dir();
    ogrh_store *s = open_store();
    ogrh_err err;
    ogrh_backup_info b1, b2;
    if (rooms[r]) bk_reserve_blobs(s, rooms[r]);
    assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d1), "one", OGRH_REASON_MANUAL, false,
                                        T0, 0, &b1, &err),
                     OGRH_OK);
    assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d2), "two", OGRH_REASON_MANUAL, false,
                                        T0 + 1, 0, &b2, &err),
                     OGRH_OK);
    ogrh_store_close(s);
    ogrh_buf *into = r == 0 ? &want : &got;
    read_all(store_path, into);
    if (r) assert_true(same_bytes(&want, &got));
    s = open_store();
    backup_bytes(s, b1.id, &got);
    assert_true(same_bytes(&got, &text));
    ogrh_store_close(s);
    teardown_dir();
  }
  ogrh_buf_deinit(&want);
  ogrh_buf_deinit(&got);
  ogrh_buf_deinit(&text);
  ogrh_doc_free(d1);
  ogrh_doc_free(d2);
}

/* ---- labels (issue 8, defect 8) ---- */

static void test_labels_are_valid_utf8(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = small_variant(0);
  ogrh_store *s = open_store();
  ogrh_backup_info bi;
  ogrh_err err;
  create_ok(s, ogrh_doc_svfile(d), "kept", &bi);
  ogrh_buf st1;
  ogrh_buf_init(&st1);
  read_all(store_path, &st1);
  /* Not UTF-8: refused, nothing written, the store still opens. */
  assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "bad \xff label", OGRH_REASON_MANUAL,
                                      false, T0 + 1, 0, NULL, &err),
                   OGRH_EINVAL);
  assert_non_null(strstr(err.msg, "UTF-8"));
  assert_true(file_equals(store_path, &st1));
  /* 126 ASCII bytes and a two-byte character: cut before the character, not inside it. */
  char label[200];
  memset(label, 'a', 126);
  strcpy(label + 126, "\xc3\xa9xyz");
  create_ok(s, ogrh_doc_svfile(d), label, &bi);
  assert_int_equal(strlen(bi.label), 126);
  /* Control characters are valid UTF-8: stored as given. */
  create_ok(s, ogrh_doc_svfile(d), "ring\x07\x1b[31mred\nline", &bi);
  ogrh_store_close(s);
  s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
  assert_int_equal(ogrh_store_count(s), 3);
  assert_string_equal(ogrh_store_find(s, bi.id)->label, "ring\x07\x1b[31mred\nline");
  ogrh_store_close(s);
  /* ... and printed escaped. */
  char cmd[600], out[200];
  snprintf(out, sizeof out, "%s/list.txt", dir);
  snprintf(cmd, sizeof cmd, "%s backup list %s >%s 2>&1", OGRH_CLI, file, out);
  assert_int_equal(system(cmd), 0);
  ogrh_buf o;
  ogrh_buf_init(&o);
  read_all(out, &o);
  assert_non_null(strstr(o.p, "ring\\x07\\x1b[31mred\\x0aline"));
  assert_null(memchr(o.p, 0x1b, o.n));
  assert_null(memchr(o.p, 0x07, o.n));
  ogrh_buf_deinit(&o);
  ogrh_buf_deinit(&st1);
  ogrh_doc_free(d);
  teardown_dir();
}

/* Puts a store file of tests/data/backup in place as file's store. */
static void install_store(const char *name) {
  char cmd[600], rel[100];
  snprintf(rel, sizeof rel, "tests/data/backup/%s", name);
  snprintf(cmd, sizeof cmd, "mkdir -p %s.backups && cp %s %s", file, tu_src(rel), store_path);
  assert_int_equal(system(cmd), 0);
}

/* A store written by an earlier version with a label jansson refused (its entry has no
** label) opens again. */
static void test_store_bricked_by_a_label_opens(void **state) {
  (void)state;
  setup_dir();
  install_store("bricked-label.ogrhbk");
  ogrh_store *s = open_store();
  assert_int_equal(ogrh_store_count(s), 1);
  assert_string_equal(ogrh_store_at(s, 0)->label, "");
  ogrh_buf want, got;
  ogrh_buf_init(&want);
  ogrh_buf_init(&got);
  read_all(tu_src("tests/data/backup/v2-live.lua"), &want);
  backup_bytes(s, ogrh_store_at(s, 0)->id, &got);
  assert_true(same_bytes(&want, &got));
  ogrh_store_close(s);
  ogrh_buf_deinit(&want);
  ogrh_buf_deinit(&got);
  teardown_dir();
}

/* ---- old formats ---- */

static void test_old_store_opens_and_converts(void **state) {
  (void)state;
  setup_dir();
  install_store("v2-store.ogrhbk");
  ogrh_buf first, second, got;
  ogrh_buf_init(&first);
  ogrh_buf_init(&second);
  ogrh_buf_init(&got);
  read_all(tu_src("tests/data/backup/small.lua"), &first);
  read_all(tu_src("tests/data/backup/v2-live.lua"), &second);
  ogrh_store *s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OLD_FORMAT);
  assert_int_equal(ogrh_store_count(s), 2);
  assert_string_equal(ogrh_store_find(s, 1)->label, "first \xc3\xa9");
  backup_bytes(s, 1, &got);
  assert_true(same_bytes(&got, &first));
  backup_bytes(s, 2, &got);
  assert_true(same_bytes(&got, &second));
  /* The next change writes the current format; everything still loads. */
  ogrh_doc *d = small_variant(3);
  ogrh_backup_info bi;
  create_ok(s, ogrh_doc_svfile(d), "third", &bi);
  ogrh_store_close(s);
  s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
  backup_bytes(s, 1, &got);
  assert_true(same_bytes(&got, &first));
  backup_bytes(s, 2, &got);
  assert_true(same_bytes(&got, &second));
  backup_bytes(s, bi.id, &got);
  ogrh_buf want;
  ogrh_buf_init(&want);
  svfile_bytes(ogrh_doc_svfile(d), &want);
  assert_true(same_bytes(&got, &want));
  ogrh_store_close(s);
  ogrh_buf_deinit(&want);
  ogrh_buf_deinit(&first);
  ogrh_buf_deinit(&second);
  ogrh_buf_deinit(&got);
  ogrh_doc_free(d);
  teardown_dir();
}

/* ---- depth (issue 8, defect 12) ---- */

static void deep_text(size_t k, ogrh_buf *b) {
  ogrh_buf_reset(b);
  ogrh_buf_adds(b, "X = ");
  for (size_t i = 0; i < k; i++)
    ogrh_buf_addc(b, '{');
  for (size_t i = 0; i < k; i++)
    ogrh_buf_addc(b, '}');
  ogrh_buf_adds(b, "\n");
}

static void test_backup_at_the_depth_limit(void **state) {
  (void)state;
  setup_dir();
  ogrh_buf text, got, line;
  ogrh_buf_init(&text);
  ogrh_buf_init(&got);
  ogrh_buf_init(&line);
  /* The deepest file the reader accepts. */
  size_t k = OGRH_MAX_DEPTH;
  ogrh_svfile *f;
  ogrh_err err;
  deep_text(k + 1, &text);
  assert_int_not_equal(ogrh_svfile_parse(text.p, text.n, "deep", &f, &err), OGRH_OK);
  deep_text(k, &text);
  assert_int_equal(ogrh_svfile_parse(text.p, text.n, "deep", &f, &err), OGRH_OK);
  ogrh_buf want;
  ogrh_buf_init(&want);
  svfile_bytes(f, &want);
  ogrh_store *s = open_store();
  ogrh_backup_info bi;
  create_ok(s, f, "deep", &bi);
  backup_bytes(s, bi.id, &got);
  assert_true(same_bytes(&got, &want));
  /* Exported and imported too. */
  assert_int_equal(ogrh_backup_export(s, bi.id, &line, &err), OGRH_OK);
  ogrh_svfile *g;
  assert_int_equal(ogrh_backup_decode_line(line.p, line.n, &g, NULL, &err), OGRH_OK);
  svfile_bytes(g, &got);
  assert_true(same_bytes(&got, &want));
  ogrh_svfile_free(g);
  ogrh_svfile_free(f);
  /* The plan itself at depth: a role table nested to the limit inside an encounter. */
  ogrh_buf_reset(&text);
  ogrh_buf_adds(&text, "OGRH_SV = { schemaVersion = 'v2', v2 = { encounterMgmt = { raids = { { "
                       "name = 'R', encounters = { { name = 'E', roles = { { name = 'x', deep = ");
  size_t depth = OGRH_MAX_DEPTH - 9; /* the tables around it take nine levels */
  for (size_t i = 0; i < depth; i++)
    ogrh_buf_addc(&text, '{');
  for (size_t i = 0; i < depth; i++)
    ogrh_buf_addc(&text, '}');
  ogrh_buf_adds(&text, " } } } } } } } } }\n");
  assert_int_equal(ogrh_svfile_parse(text.p, text.n, "deep", &f, &err), OGRH_OK);
  svfile_bytes(f, &want);
  create_ok(s, f, "deep plan", &bi);
  backup_bytes(s, bi.id, &got);
  assert_true(same_bytes(&got, &want));
  ogrh_svfile_free(f);
  ogrh_store_close(s);
  ogrh_buf_deinit(&want);
  ogrh_buf_deinit(&text);
  ogrh_buf_deinit(&got);
  ogrh_buf_deinit(&line);
  teardown_dir();
}

/* ---- nothing created for reading; the lock waits (issue 8, defects 14 and 17) ---- */

static void test_reading_creates_nothing(void **state) {
  (void)state;
  setup_dir();
  char folder[200];
  snprintf(folder, sizeof folder, "%s.backups", file);
  ogrh_store *s;
  ogrh_err err;
  assert_int_equal(ogrh_store_open_readonly(file, &s, &err), OGRH_OK);
  assert_int_equal(ogrh_store_count(s), 0);
  ogrh_store_close(s);
  assert_false(exists(folder));
  s = open_store(); /* for writing: still nothing until something is written */
  ogrh_store_close(s);
  assert_false(exists(folder));
  /* A failed import leaves no folder behind. */
  s = open_store();
  assert_int_equal(ogrh_backup_import(s, "OGRHBK2 x y 0000000000000000", 27, T0, NULL, &err),
                   OGRH_ECORRUPT);
  ogrh_store_close(s);
  assert_false(exists(folder));
  char cmd[600];
  snprintf(cmd, sizeof cmd, "%s backup list %s >/dev/null 2>&1", OGRH_CLI, file);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "echo nonsense > %s/in.txt; %s backup import %s %s/in.txt 2>/dev/null",
           dir, OGRH_CLI, file, dir);
  assert_int_not_equal(system(cmd), 0);
  assert_false(exists(folder));
  /* The first write makes it. */
  ogrh_doc *d = small_variant(0);
  s = open_store();
  create_ok(s, ogrh_doc_svfile(d), "", NULL);
  ogrh_store_close(s);
  assert_true(exists(folder));
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_lock_is_waited_for(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = small_variant(0);
  ogrh_store *s = open_store();
  create_ok(s, ogrh_doc_svfile(d), "", NULL);
  ogrh_store_close(s);
  char lock[200];
  snprintf(lock, sizeof lock, "%s.backups/LOCK", file);
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(lock, O_RDWR);
    flock(fd, LOCK_EX);
    (void)!write(p[1], "x", 1);
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    _exit(0); /* releases the lock */
  }
  char c;
  assert_int_equal(read(p[0], &c, 1), 1);
  ogrh_err err;
  ogrh_store *r;
  /* A writer holds the lock for a moment: a reader waits for it rather than failing. */
  int rc = ogrh_store_open_readonly(file, &r, &err);
  if (rc) fprintf(stderr, "%s\n", err.msg);
  assert_int_equal(rc, OGRH_OK);
  waitpid(pid, NULL, 0);
  /* Readers share the lock. */
  ogrh_store *r2;
  bk_lock_wait_ms = 0;
  assert_int_equal(ogrh_store_open_readonly(file, &r2, &err), OGRH_OK);
  assert_int_equal(ogrh_store_open(file, &s, &err), OGRH_ELOCKED);
  ogrh_store_close(r2);
  ogrh_store_close(r);
  close(p[0]);
  close(p[1]);
  ogrh_doc_free(d);
  teardown_dir();
}

/* ---- damage (issue 8, defect 9) ---- */

typedef struct history {
  ogrh_buf bytes[8]; /* what each backup holds */
  uint32_t ids[8];
  int n;
} history;

/* Six backups of the small plan, each a different change. */
static void make_history(history *h) {
  memset(h, 0, sizeof *h);
  ogrh_store *s = open_store();
  for (int i = 0; i < 6; i++) {
    ogrh_doc *d = small_variant(i);
    ogrh_backup_info bi;
    char label[32];
    snprintf(label, sizeof label, "label-%d", i);
    create_ok(s, ogrh_doc_svfile(d), label, &bi);
    h->ids[h->n] = bi.id;
    ogrh_buf_init(&h->bytes[h->n]);
    svfile_bytes(ogrh_doc_svfile(d), &h->bytes[h->n]);
    h->n++;
    ogrh_doc_free(d);
  }
  ogrh_store_close(s);
}

static void free_history(history *h) {
  for (int i = 0; i < h->n; i++)
    ogrh_buf_deinit(&h->bytes[i]);
}

/* A new backup is created and restorable, whatever the store holds. */
static void new_backup_restores(ogrh_store *s, int k) {
  ogrh_doc *d = small_variant(100 + k);
  ogrh_backup_info bi;
  create_ok(s, ogrh_doc_svfile(d), "new", &bi);
  ogrh_buf want, got;
  ogrh_buf_init(&want);
  ogrh_buf_init(&got);
  svfile_bytes(ogrh_doc_svfile(d), &want);
  backup_bytes(s, bi.id, &got);
  assert_true(same_bytes(&want, &got));
  ogrh_buf_deinit(&want);
  ogrh_buf_deinit(&got);
  ogrh_doc_free(d);
}

static void test_single_damaged_byte_anywhere(void **state) {
  (void)state;
  setup_dir();
  history h;
  make_history(&h);
  ogrh_buf orig, got;
  ogrh_buf_init(&orig);
  ogrh_buf_init(&got);
  read_all(store_path, &orig);
  /* Every byte of the store file, one at a time, and bursts of 16 bytes inside a block. */
  size_t repaired = 0;
  for (size_t off = 0; off < orig.n + orig.n / 16; off++) {
    bool burst = off >= orig.n;
    size_t at = burst ? (off - orig.n) * 16 : off, len = burst ? 16 : 1;
    if (at + len > orig.n) break;
    for (size_t j = 0; j < len; j++)
      orig.p[at + j] ^= (char)(0x5a + j);
    write_all(store_path, &orig);
    for (size_t j = 0; j < len; j++)
      orig.p[at + j] ^= (char)(0x5a + j);
    ogrh_store *s = open_store();
    ogrh_store_health health = ogrh_store_health_of(s, NULL);
    repaired += health == OGRH_STORE_REPAIRED;
    /* Every single damaged byte is noticed (header, body, parity, checks or trailer). */
    if (!burst) assert_int_equal(health, OGRH_STORE_REPAIRED);
    if (health == OGRH_STORE_OK || health == OGRH_STORE_REPAIRED) {
      /* Nothing is lost: every backup reads back exactly. */
      assert_int_equal(ogrh_store_count(s), h.n);
      for (int i = 0; i < h.n; i++) {
        backup_bytes(s, h.ids[i], &got);
        assert_true(same_bytes(&got, &h.bytes[i]));
      }
    }
    if (at % 7 == 0 || burst) new_backup_restores(s, (int)(off % 50));
    ogrh_store_close(s);
    /* A store rebuilt from parity was written back whole by the open. */
    if (health == OGRH_STORE_REPAIRED && at % 13 == 0) {
      ogrh_err err;
      assert_int_equal(ogrh_store_open_readonly(file, &s, &err), OGRH_OK);
      assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
      ogrh_store_close(s);
    }
  }
  fprintf(stderr, "store of %zu bytes: every single damaged byte read back, %zu rebuilt\n", orig.n,
          repaired);
  assert_true(repaired >= orig.n);
  /* A file cut short in its parity still reads whole, and is written back whole. */
  ogrh_buf cut;
  ogrh_buf_init(&cut);
  ogrh_buf_add(&cut, orig.p, orig.n - 30);
  write_all(store_path, &cut);
  ogrh_store *s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_REPAIRED);
  for (int i = 0; i < h.n; i++) {
    backup_bytes(s, h.ids[i], &got);
    assert_true(same_bytes(&got, &h.bytes[i]));
  }
  ogrh_store_close(s);
  ogrh_err err;
  assert_int_equal(ogrh_store_open_readonly(file, &s, &err), OGRH_OK);
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
  ogrh_store_close(s);
  ogrh_buf_deinit(&cut);
  free_history(&h);
  ogrh_buf_deinit(&orig);
  ogrh_buf_deinit(&got);
  teardown_dir();
}

/* Objects reachable from a snapshot, for the damage oracle. */
typedef struct idset {
  uint32_t v[512];
  size_t n;
  ogrh_store *s;
} idset;

static int collect(void *ud, uint32_t id) {
  idset *set = ud;
  for (size_t i = 0; i < set->n; i++)
    if (set->v[i] == id) return OGRH_OK;
  assert_true(set->n < 512);
  set->v[set->n++] = id;
  const uint8_t *p;
  size_t n;
  assert_int_equal(bk_peek(set->s, id, &p, &n), OGRH_OK);
  return p ? bk_tree_each_child(p, n, collect, ud) : OGRH_OK;
}

/* Whether backup id reads any byte in [at, at+len) of the store file. */
static bool uses(ogrh_store *s, uint32_t snapshot, size_t at) {
  idset set = {{0}, 0, s};
  collect(&set, snapshot);
  for (size_t i = 0; i < set.n; i++) {
    size_t off, len;
    assert_int_equal(bk_object_range(s, set.v[i], &off, &len), OGRH_OK);
    if (at >= off && at < off + len) return true;
  }
  return false;
}

/*
** Beyond what parity rebuilds (the byte and the parity both damaged), the store loses exactly
** the backups that read the damaged byte; the others read back exactly, and a new backup is
** always restorable (it checks what it reuses and writes anew what is damaged).
*/
static void test_damage_beyond_parity(void **state) {
  (void)state;
  setup_dir();
  history h;
  make_history(&h);
  ogrh_buf orig, got;
  ogrh_buf_init(&orig);
  ogrh_buf_init(&got);
  read_all(store_path, &orig);
  uint64_t body_len = bk_le64((const uint8_t *)orig.p + 8);
  size_t parity_at = 40 + (size_t)body_len;
  /* Every object's bytes: the middle of each, and its first byte. */
  ogrh_store *s = open_store();
  size_t targets[1024], nt = 0;
  uint32_t snaps[8];
  for (int i = 0; i < h.n; i++)
    snaps[i] = ogrh_store_find(s, h.ids[i])->snapshot;
  for (int i = 0; i < h.n; i++) {
    idset set = {{0}, 0, s};
    collect(&set, snaps[i]);
    for (size_t j = 0; j < set.n && nt + 2 < 1024; j++) {
      size_t off, len;
      assert_int_equal(bk_object_range(s, set.v[j], &off, &len), OGRH_OK);
      targets[nt++] = off + len / 2;
      targets[nt++] = off;
    }
  }
  bool lost[1024][8];
  for (size_t t = 0; t < nt; t++)
    for (int i = 0; i < h.n; i++)
      lost[t][i] = uses(s, snaps[i], targets[t]);
  ogrh_store_close(s);
  size_t some_lost = 0, some_kept = 0;
  for (size_t t = 0; t < nt; t++) {
    orig.p[targets[t]] ^= 0x21;
    orig.p[parity_at] ^= 0x21;
    write_all(store_path, &orig);
    orig.p[targets[t]] ^= 0x21;
    orig.p[parity_at] ^= 0x21;
    s = open_store();
    assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_DAMAGED);
    ogrh_err err;
    for (int i = 0; i < h.n; i++) {
      ogrh_svfile *f;
      int rc = ogrh_backup_load(s, h.ids[i], &f, &err);
      if (lost[t][i] != (rc != OGRH_OK))
        fprintf(stderr, "target %zu at %zu: backup %d lost %d rc %d %s\n", t, targets[t], i,
                lost[t][i], rc, rc ? err.msg : "");
      if (lost[t][i]) {
        assert_int_equal(rc, OGRH_ECORRUPT);
        some_lost++;
      } else {
        assert_int_equal(rc, OGRH_OK);
        svfile_bytes(f, &got);
        assert_true(same_bytes(&got, &h.bytes[i]));
        ogrh_svfile_free(f);
        some_kept++;
      }
    }
    if (t % 3 == 0) {
      new_backup_restores(s, (int)t);
      /* That save kept the damaged file aside and wrote a clean store: same survivors. */
      ogrh_store_close(s);
      s = open_store();
      assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
      for (int i = 0; i < h.n; i++) {
        /* A lost one may have healed: the new backup rewrote a damaged object it shares. */
        ogrh_svfile *f;
        int rc = ogrh_backup_load(s, h.ids[i], &f, &err);
        assert_int_equal(ogrh_store_find(s, h.ids[i])->damaged, rc != OGRH_OK);
        assert_true(rc == OGRH_OK || lost[t][i]);
        if (rc == OGRH_OK) {
          svfile_bytes(f, &got);
          assert_true(same_bytes(&got, &h.bytes[i]));
          ogrh_svfile_free(f);
        }
      }
      char aside[300];
      snprintf(aside, sizeof aside, "%s.damaged-1", store_path);
      assert_true(exists(aside));
      unlink(aside);
    }
    ogrh_store_close(s);
  }
  fprintf(stderr, "%zu damage points: %zu backups lost, %zu read back exactly\n", nt, some_lost,
          some_kept);
  assert_true(some_lost > 0 && some_kept > 0);
  /* A damaged catalog entry loses that backup only. */
  char *hit = NULL;
  for (size_t i = 0; i + 7 < orig.n && !hit; i++)
    if (memcmp(orig.p + i, "label-3", 7) == 0) hit = orig.p + i;
  assert_non_null(hit);
  hit[6] ^= 1;
  orig.p[parity_at] ^= 1;
  write_all(store_path, &orig);
  s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_DAMAGED);
  assert_int_equal(ogrh_store_count(s), h.n - 1);
  assert_null(ogrh_store_find(s, h.ids[3]));
  new_backup_restores(s, 99);
  ogrh_store_close(s);
  free_history(&h);
  ogrh_buf_deinit(&orig);
  ogrh_buf_deinit(&got);
  teardown_dir();
}

/* A file that is not a store at all: nothing readable, and new backups start afresh with the
** old file kept aside. */
static void test_unreadable_store_is_kept_aside(void **state) {
  (void)state;
  setup_dir();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "mkdir -p %s.backups && head -c 3000 /dev/zero > %s", file, store_path);
  assert_int_equal(system(cmd), 0);
  ogrh_store *s = open_store();
  const char *note;
  assert_int_equal(ogrh_store_health_of(s, &note), OGRH_STORE_UNREADABLE);
  assert_non_null(strstr(note, "damaged-N"));
  assert_int_equal(ogrh_store_count(s), 0);
  new_backup_restores(s, 1);
  ogrh_store_close(s);
  char aside[300];
  snprintf(aside, sizeof aside, "%s.damaged-1", store_path);
  struct stat sb;
  assert_int_equal(stat(aside, &sb), 0);
  assert_int_equal(sb.st_size, 3000);
  teardown_dir();
}

/* ---- export / import ---- */

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
  assert_memory_equal(line.p, "OGRHBK2 ", 8);
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
  assert_string_equal(ib.label, "to share (imported)");
  assert_int_equal(ib.reason, OGRH_REASON_IMPORTED);
  ogrh_svfile *f;
  assert_int_equal(ogrh_backup_load(t, ib.id, &f, &err), OGRH_OK);
  ogrh_buf a, b;
  ogrh_buf_init(&a);
  ogrh_buf_init(&b);
  svfile_bytes(f, &a);
  svfile_bytes(ogrh_doc_svfile(d), &b);
  assert_true(same_bytes(&a, &b));
  ogrh_svfile_free(f);
  /* A damaged line is refused: every single flipped byte, metadata included. */
  for (size_t i = 0; i < line.n - 1; i += 1 + line.n / 300) {
    line.p[i] ^= 1;
    assert_true(ogrh_backup_import(t, line.p, line.n, T0, &ib, &err) < 0);
    line.p[i] ^= 1;
  }
  assert_true(ogrh_backup_import(t, line.p, line.n / 3, T0, &ib, &err) < 0);
  assert_int_equal(ogrh_backup_import(t, "hello", 5, T0, &ib, &err), OGRH_ESYNTAX);
  assert_int_equal(ogrh_store_count(t), 1);
  ogrh_store_close(t);
  ogrh_buf_deinit(&a);
  ogrh_buf_deinit(&b);
  ogrh_buf_deinit(&line);
  ogrh_doc_free(d);
  teardown_dir();
}

static void test_old_export_line_and_import_labels(void **state) {
  (void)state;
  setup_dir();
  ogrh_buf line, want, got;
  ogrh_buf_init(&line);
  ogrh_buf_init(&want);
  ogrh_buf_init(&got);
  read_all(tu_src("tests/data/backup/v1-export.txt"), &line);
  read_all(tu_src("tests/data/backup/small.lua"), &want);
  ogrh_store *s = open_store();
  ogrh_backup_info bi;
  ogrh_err err;
  assert_int_equal(ogrh_backup_import(s, line.p, line.n, T0, &bi, &err), OGRH_OK);
  assert_string_equal(bi.label, "first \xc3\xa9 (imported)");
  backup_bytes(s, bi.id, &got);
  assert_true(same_bytes(&got, &want));
  /* Someone else's label: cut at 100 bytes between characters, made valid UTF-8. */
  ogrh_doc *d = small_variant(0);
  char label[128];
  memset(label, 0, sizeof label);
  for (int i = 0; i < 60; i++)
    memcpy(label + 2 * i, "\xc3\xa9", 2); /* 120 bytes */
  create_ok(s, ogrh_doc_svfile(d), label, &bi);
  assert_int_equal(strlen(bi.label), 120);
  ogrh_buf_reset(&line);
  assert_int_equal(ogrh_backup_export(s, bi.id, &line, &err), OGRH_OK);
  ogrh_backup_info ib;
  assert_int_equal(ogrh_backup_import(s, line.p, line.n, T0 + 9, &ib, &err), OGRH_OK);
  assert_true(ogrh_utf8_valid(ib.label, strlen(ib.label)));
  assert_int_equal(strlen(ib.label), 100 + strlen(" (imported)"));
  ogrh_store_close(s);
  ogrh_doc_free(d);
  ogrh_buf_deinit(&line);
  ogrh_buf_deinit(&want);
  ogrh_buf_deinit(&got);
  teardown_dir();
}

/* An export line with the fields of a real one around chosen compressed bytes (and a label of
** pad bytes, to make the line as long as wanted). */
static void craft_line(const void *payload, size_t n, size_t pad, ogrh_buf *line) {
  ogrh_buf meta;
  ogrh_buf_init(&meta);
  ogrh_buf_adds(&meta, "{\"id\":1,\"label\":\"");
  for (size_t i = 0; i < pad; i++)
    ogrh_buf_addc(&meta, 'a');
  ogrh_buf_adds(&meta, "\",\"reason\":\"manual\",\"root\":\"0000000000000001\",\"time\":1}");
  uint64_t check = XXH3_64bits_withSeed(payload, n, XXH3_64bits(meta.p, meta.n));
  ogrh_buf_reset(line);
  ogrh_buf_adds(line, "OGRHBK2 ");
  ogrh_base64_encode(meta.p, meta.n, line);
  ogrh_buf_addc(line, ' ');
  ogrh_base64_encode(payload, n, line);
  ogrh_buf_printf(line, " %016llx\n", (unsigned long long)check);
  ogrh_buf_deinit(&meta);
}

/* Peak bytes held while decoding a line. */
static long long decode_peak(const ogrh_buf *line, int *rc, ogrh_err *err) {
  ogrh_svfile *f = NULL;
  tu_alloc_begin(-1);
  *rc = ogrh_backup_decode_line(line->p, line->n, &f, NULL, err);
  ogrh_svfile_free(f);
  long long peak = tu_alloc_peak();
  assert_int_equal(tu_alloc_live(), 0);
  tu_alloc_end();
  return peak;
}

/* Issue 8, defect 3: what decoding a line allocates is bounded by its length. */
static void test_decode_line_allocation_is_bounded(void **state) {
  (void)state;
  setup_dir();
  ogrh_buf line, raw;
  ogrh_buf_init(&line);
  ogrh_buf_init(&raw);
  int rc;
  /* A real line: the factory defaults. */
  ogrh_doc *d = tu_defaults();
  ogrh_store *s = open_store();
  ogrh_backup_info bi;
  create_ok(s, ogrh_doc_svfile(d), "", &bi);
  ogrh_err err;
  assert_int_equal(ogrh_backup_export(s, bi.id, &line, &err), OGRH_OK);
  ogrh_store_close(s);
  long long peak = decode_peak(&line, &rc, &err);
  assert_int_equal(rc, OGRH_OK);
  fprintf(stderr, "decoding a %zu-byte line: peak %lld bytes (%.1f per byte)\n", line.n, peak,
          (double)peak / (double)line.n);
  assert_true(peak <= BK_LINE_ALLOC_FIXED + BK_LINE_ALLOC_PER_BYTE * (long long)line.n);
  /* A small frame claiming (and really holding) 64 MiB of zeros: refused before allocating. */
  size_t big = 64u << 20;
  char *zeros = calloc(1, big);
  size_t cap = ZSTD_compressBound(big);
  void *z = malloc(cap);
  size_t zn = ZSTD_compress(z, cap, zeros, big, 1);
  assert_false(ZSTD_isError(zn));
  craft_line(z, zn, 0, &line);
  peak = decode_peak(&line, &rc, &err);
  fprintf(stderr, "a %zu-byte line claiming %zu bytes: peak %lld bytes\n", line.n, big, peak);
  assert_int_equal(rc, OGRH_ECORRUPT);
  assert_true(peak <= BK_LINE_ALLOC_FIXED + BK_LINE_ALLOC_PER_BYTE * (long long)line.n);
  /* The most a line of this length may hold, as one long string, and as tables nested as deep
     as allowed that each claim every byte left (the canonical decoder's worst case): decoded
     within the bound too (and refused at the end: the digest does not match). */
  for (int shape = 0; shape < 2; shape++) {
    /* A line of about 4,000 bytes (most of it a long label) holding 62 bytes per byte. */
    size_t fit = 62 * 4000;
    ogrh_buf_reset(&raw);
    ogrh_buf_add(&raw, "\x01\x01X", 3);
    if (shape == 0) {
      uint32_t len = (uint32_t)(fit - 8);
      ogrh_buf_addc(&raw, 5); /* a string */
      ogrh_buf_add(&raw, &len, 4);
    } else {
      for (int level = 0; level < OGRH_MAX_DEPTH - 1; level++) {
        uint32_t cnt = (uint32_t)((fit - raw.n) / 2 - 16);
        uint64_t one = 1;
        ogrh_buf_addc(&raw, 6); /* a table of cnt entries, the first [1] = the next table */
        ogrh_buf_add(&raw, &cnt, 4);
        ogrh_buf_addc(&raw, 3);
        ogrh_buf_add(&raw, &one, 8);
      }
    }
    while (raw.n < fit)
      ogrh_buf_addc(&raw, 0);
    zn = ZSTD_compress(z, cap, raw.p, raw.n, 19);
    craft_line(z, zn, 3000 - zn, &line);
    assert_true(raw.n <= line.n * BK_EXPORT_RATIO);
    peak = decode_peak(&line, &rc, &err);
    fprintf(stderr, "a %zu-byte line holding %zu bytes (%s): peak %lld bytes, %.0f per byte\n",
            line.n, raw.n, shape ? "nested tables" : "one string", peak,
            (double)peak / (double)line.n);
    assert_int_equal(rc, OGRH_ECORRUPT);
    /* Decoded to the end: refused by the digest, or by the decoder running out of entries. */
    assert_non_null(strstr(err.msg, shape ? "bad snapshot encoding" : "does not match its digest"));
    assert_true(peak <= BK_LINE_ALLOC_FIXED + BK_LINE_ALLOC_PER_BYTE * (long long)line.n);
  }
  free(zeros);
  free(z);
  ogrh_doc_free(d);
  ogrh_buf_deinit(&line);
  ogrh_buf_deinit(&raw);
  teardown_dir();
}

/* Opening a store file, damaged or made up, allocates a bounded multiple of its size. */
static void test_open_allocation_is_bounded(void **state) {
  (void)state;
  setup_dir();
  history h;
  make_history(&h);
  ogrh_buf orig, file_bytes;
  ogrh_buf_init(&orig);
  ogrh_buf_init(&file_bytes);
  read_all(store_path, &orig);
  ogrh_rng r;
  ogrh_rng_seed(&r, 5);
  long long worst = 0;
  for (int trial = 0; trial < 300; trial++) {
    ogrh_buf_reset(&file_bytes);
    ogrh_buf_add(&file_bytes, orig.p, orig.n);
    /* Random bytes in random places (often in counts and lengths), or random files. */
    int flips = 1 + (int)ogrh_rng_below(&r, 20);
    for (int k = 0; k < flips; k++)
      file_bytes.p[ogrh_rng_below(&r, file_bytes.n)] = (char)ogrh_rng_below(&r, 256);
    if (trial % 10 == 9)
      for (size_t k = 8; k < file_bytes.n; k++)
        file_bytes.p[k] = (char)ogrh_rng_below(&r, 256);
    size_t n = file_bytes.n;
    bk_state st;
    memset(&st, 0, sizeof st);
    tu_alloc_begin(-1);
    assert_int_equal(bk_state_load(&st, &file_bytes, "x", NULL), OGRH_OK);
    long long peak = tu_alloc_peak();
    bk_state_free(&st);
    tu_alloc_end();
    if (peak - (long long)n > worst) worst = peak - (long long)n;
    assert_true(peak - (long long)n <= BK_OPEN_ALLOC_PER_BYTE * (long long)n + 4096);
  }
  fprintf(stderr, "opening a damaged %zu-byte store: at most %lld bytes beyond the file\n", orig.n,
          worst);
  free_history(&h);
  ogrh_buf_deinit(&orig);
  ogrh_buf_deinit(&file_bytes);
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

/* ---- every allocation failing in turn (issue 8, defect 1) ---- */

typedef struct afx {
  ogrh_buf store0, live0; /* the files before each run */
  ogrh_svfile *f;         /* what create snapshots */
  ogrh_buf line;          /* what import reads; what export must give */
  uint32_t id;            /* the backup restore, export, delete and pin work on */
  int op;                 /* which operation (OP_*) */
  int runs_failed;
} afx;

/* After a run: a clean error and nothing changed, or the change done; no leak; the store
** opens with every backup restorable. Then the files are put back for the next run. */
static void after_run(afx *x, long k, int rc, const ogrh_err *err, bool changes_live) {
  if (tu_alloc_count() <= k) return; /* the last run: checked by the caller */
  assert_int_equal(tu_alloc_live(), 0);
  if (rc != OGRH_OK) {
    x->runs_failed++;
    if (rc != OGRH_ENOMEM || !err->msg[0]) fprintf(stderr, "run %ld: %d '%s'\n", k, rc, err->msg);
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_true(err->msg[0] != '\0');
    assert_true(file_equals(store_path, &x->store0));
    assert_true(file_equals(file, &x->live0));
  }
  ogrh_store *s = open_store();
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
  ogrh_buf b;
  ogrh_buf_init(&b);
  for (size_t i = 0; i < ogrh_store_count(s); i++)
    backup_bytes(s, ogrh_store_at(s, i)->id, &b);
  ogrh_buf_deinit(&b);
  ogrh_store_close(s);
  if (rc == OGRH_OK) {
    write_all(store_path, &x->store0);
    if (changes_live) write_all(file, &x->live0);
  }
}

enum { OP_CREATE, OP_CREATE_TEXT, OP_RESTORE, OP_IMPORT, OP_EXPORT, OP_DELETE, OP_PIN, OP_PRUNE };

/* One run of operation x->op on the store of file (opened for it, closed after). */
static int op_run(void *ud, long k) {
  afx *x = ud;
  ogrh_store *s;
  ogrh_err err;
  memset(&err, 0, sizeof err);
  ogrh_safety sf;
  ogrh_buf line;
  ogrh_buf_init(&line);
  bool created;
  size_t n;
  int rc = x->op == OP_EXPORT ? ogrh_store_open_readonly(file, &s, &err)
                              : ogrh_store_open(file, &s, &err);
  if (!rc) {
    switch (x->op) {
    case OP_CREATE:
      rc = ogrh_backup_create(s, x->f, "new", OGRH_REASON_BEFORE_REPAIR, false, T0 + 50, 0, NULL,
                              &err);
      break;
    case OP_CREATE_TEXT:
      rc = ogrh_backup_create_text(s, x->live0.p, x->live0.n, file, "new", OGRH_REASON_MANUAL, true,
                                   T0 + 50, NULL, &created, &err);
      break;
    case OP_RESTORE:
      rc = ogrh_backup_restore(s, file, x->id, T0 + 50, &sf, &err);
      break;
    case OP_IMPORT:
      rc = ogrh_backup_import(s, x->line.p, x->line.n, T0 + 50, NULL, &err);
      break;
    case OP_EXPORT:
      rc = ogrh_backup_export(s, x->id, &line, &err);
      break;
    case OP_DELETE:
      rc = ogrh_backup_delete(s, x->id, true, &err);
      break;
    case OP_PIN:
      rc = ogrh_backup_pin(s, x->id, false, &err);
      break;
    case OP_PRUNE:
      rc = ogrh_backup_prune(s, T0 + 30 * DAY, &n, &err);
      break;
    }
    ogrh_store_close(s);
  }
  /* An export gives exactly the line made before, or nothing. */
  if (rc == OGRH_OK && x->op == OP_EXPORT) assert_true(same_bytes(&line, &x->line));
  ogrh_buf_deinit(&line);
  after_run(x, k, rc, &err, x->op == OP_RESTORE);
  return rc;
}

static void test_every_allocation_failure(void **state) {
  (void)state;
  setup_dir();
  afx x;
  memset(&x, 0, sizeof x);
  ogrh_buf_init(&x.store0);
  ogrh_buf_init(&x.live0);
  ogrh_buf_init(&x.line);
  /* A store of five automatic backups and a live file that differs from all of them. */
  ogrh_store *s = open_store();
  ogrh_err err;
  for (int i = 0; i < 5; i++) {
    ogrh_doc *d = small_variant(i);
    ogrh_backup_info bi;
    assert_int_equal(ogrh_backup_create(s, ogrh_doc_svfile(d), "", OGRH_REASON_BEFORE_REPAIR, false,
                                        T0 + i, 0, &bi, &err),
                     OGRH_OK);
    if (i == 1) x.id = bi.id;
    ogrh_doc_free(d);
  }
  assert_int_equal(ogrh_backup_export(s, x.id, &x.line, &err), OGRH_OK);
  ogrh_store_close(s);
  ogrh_doc *live = small_variant(7);
  assert_int_equal(ogrh_doc_save(live, file, NULL), OGRH_OK);
  x.f = ogrh_doc_svfile(live);
  read_all(store_path, &x.store0);
  read_all(file, &x.live0);
  static const char *const names[] = {"create", "create from text", "restore", "import",
                                      "export", "delete",           "pin",     "prune"};
  for (int op = OP_CREATE; op <= OP_PRUNE; op++) {
    x.op = op;
    x.runs_failed = 0;
    long runs = tu_alloc_fail_loop(op_run, &x, 20000);
    fprintf(stderr, "%s: %ld allocations failed in turn, %d clean errors\n", names[op], runs - 1,
            x.runs_failed);
    assert_true(x.runs_failed > 0);
    /* The last run succeeded: put the files back for the next operation. */
    write_all(store_path, &x.store0);
    write_all(file, &x.live0);
  }
  ogrh_doc_free(live);
  ogrh_buf_deinit(&x.store0);
  ogrh_buf_deinit(&x.live0);
  ogrh_buf_deinit(&x.line);
  teardown_dir();
}

/*
** Opening a version 2 store (its catalog is JSON) with each allocation failing in turn: a
** clean OGRH_ENOMEM, or exactly the catalog an open without failures reads. jansson drops a
** character of a string it cannot grow and carries on, so a failure it swallows must not give
** a backup with another label, nor a backup lost as damaged.
*/
typedef struct v2_open {
  ogrh_backup_info want[2];
} v2_open;

static int v2_open_op(void *ud, long k) {
  (void)k;
  v2_open *x = ud;
  ogrh_store *s;
  ogrh_err err;
  int rc = ogrh_store_open_readonly(file, &s, &err);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
  } else {
    assert_int_equal(ogrh_store_count(s), 2);
    for (size_t i = 0; i < 2; i++) {
      const ogrh_backup_info *b = ogrh_store_at(s, i);
      const ogrh_backup_info *w = &x->want[i];
      assert_string_equal(b->label, w->label);
      assert_int_equal(b->id, w->id);
      assert_int_equal(b->timestamp, w->timestamp);
      assert_int_equal(b->reason, w->reason);
      assert_int_equal(b->raw_size, w->raw_size);
      assert_int_equal(b->stored_size, w->stored_size);
      assert_int_equal(b->pinned, w->pinned);
      assert_int_equal(b->damaged, w->damaged);
      assert_int_equal(b->root, w->root);
      assert_int_equal(b->snapshot, w->snapshot);
      assert_int_equal(b->raids, w->raids);
      assert_int_equal(b->encounters, w->encounters);
      assert_int_equal(b->file_hash, w->file_hash);
    }
    ogrh_store_close(s);
  }
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_old_store_allocation_failures(void **state) {
  (void)state;
  setup_dir();
  install_store("v2-store.ogrhbk");
  v2_open x;
  memset(&x, 0, sizeof x);
  ogrh_store *s;
  ogrh_err err;
  assert_int_equal(ogrh_store_open_readonly(file, &s, &err), OGRH_OK);
  assert_int_equal(ogrh_store_count(s), 2);
  for (size_t i = 0; i < 2; i++)
    x.want[i] = *ogrh_store_at(s, i);
  ogrh_store_close(s);
  assert_string_equal(x.want[1].label, "first \xc3\xa9");
  assert_true(tu_alloc_fail_loop(v2_open_op, &x, 2000) > 10);
  teardown_dir();
}

/* A backup's JSON with each allocation failing in turn: appended whole, or not at all. */
static int info_json(const void *b, ogrh_buf *out) {
  return ogrh_backup_info_json(b, out);
}

static void test_info_json_allocation_failures(void **state) {
  (void)state;
  ogrh_backup_info b;
  memset(&b, 0, sizeof b);
  b.id = 7;
  b.timestamp = T0;
  snprintf(b.label, sizeof b.label, "before the raid \xc3\xa9, %s", "with a longer label");
  b.reason = OGRH_REASON_BEFORE_REPAIR;
  b.raw_size = 183456;
  b.root = UINT64_C(0x0123456789abcdef);
  b.file_hash = UINT64_C(0xfedcba9876543210);
  b.raids = 6;
  b.encounters = 61;
  ogrh_buf want;
  ogrh_buf_init(&want);
  assert_true(tu_append_fail_loop(info_json, &b, &want, 500) > 5);
  assert_non_null(strstr(want.p, "\"label\": \"before the raid"));
  ogrh_buf_deinit(&want);
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
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
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
  assert_int_equal(ogrh_store_health_of(s, NULL), OGRH_STORE_OK);
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

/* Whether some backup in the store holds exactly these bytes. */
static bool store_holds(const ogrh_buf *want) {
  ogrh_store *s = open_store();
  ogrh_buf b;
  ogrh_buf_init(&b);
  bool found = false;
  for (size_t i = 0; i < ogrh_store_count(s) && !found; i++) {
    backup_bytes(s, ogrh_store_at(s, i)->id, &b);
    found = same_bytes(&b, want);
  }
  ogrh_buf_deinit(&b);
  ogrh_store_close(s);
  return found;
}

static void test_crash_points(void **state) {
  (void)state;
  setup_dir();
  ogrh_doc *d = write_generated(10);
  const char *create[] = {OGRH_CLI, "backup", "create", file, NULL};
  assert_int_equal(run_cli(create, NULL), 0);
  size_t before = check_consistent(), crashes = 0;
  tu_set(d, "encounterMgmt.raids.1.name", "'Second'");
  assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
  for (int k = 1; k < 40; k++) {
    char at[16];
    snprintf(at, sizeof at, "%d", k);
    int rc = run_cli(create, at);
    assert_true(rc == 0 || rc == 99);
    size_t n = check_consistent();
    assert_true(n == before || n == before + 1);
    if (rc == 99) {
      crashes++;
      /* Crashed before its rename: the next run starts from the same store. */
      if (n != before) break;
    } else {
      assert_int_equal(n, before + 1);
      break;
    }
  }
  assert_true(crashes >= 4);
  /* Restore, killed at every point (each time over a different plan, so that a safety backup
     is always taken): the plan on disk before the restore is never lost (it is the live file,
     or a backup in the store), and the live file is exactly the old one or the restored one. */
  ogrh_buf old, now, restored;
  ogrh_buf_init(&old);
  ogrh_buf_init(&now);
  ogrh_buf_init(&restored);
  ogrh_store *s = open_store();
  backup_bytes(s, 1, &restored);
  ogrh_store_close(s);
  const char *restore[] = {OGRH_CLI, "backup", "restore", file, "1", NULL};
  int saw_old = 0, saw_restored = 0;
  for (int k = 1; k < 40; k++) {
    char at[16], lit[64];
    snprintf(lit, sizeof lit, "'Before restore %d'", k);
    tu_set(d, "encounterMgmt.raids.1.name", lit);
    assert_int_equal(ogrh_doc_save(d, file, NULL), OGRH_OK);
    read_all(file, &old);
    snprintf(at, sizeof at, "%d", k);
    int rc = run_cli(restore, at);
    assert_true(rc == 0 || rc == 99);
    check_consistent();
    read_all(file, &now);
    bool is_old = same_bytes(&now, &old), is_restored = same_bytes(&now, &restored);
    assert_true(is_old || is_restored);
    assert_true(is_old || store_holds(&old));
    saw_old += is_old;
    saw_restored += is_restored;
    if (rc == 0) {
      assert_true(is_restored);
      break;
    }
  }
  assert_true(saw_old >= 8 && saw_restored >= 2);
  ogrh_buf_deinit(&old);
  ogrh_buf_deinit(&now);
  ogrh_buf_deinit(&restored);
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
      if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
      execl("/bin/sh", "sh", "-c",
            "i=0; while true; do i=$((i+1)); \"$0\" set \"$1\" encounterMgmt.raids.1.name "
            "\"'Run $i'\"; \"$0\" backup create \"$1\"; \"$0\" backup restore \"$1\" 1; done",
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
      bk_lock_wait_ms = 0;
      if (ogrh_store_open(file, &s, NULL) == OGRH_OK) {
        ogrh_store_close(s);
        break;
      }
      struct timespec w = {0, 10000000};
      nanosleep(&w, NULL);
    }
    bk_lock_wait_ms = 5000;
    check_consistent();
  }
  teardown_dir();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_load_bit_for_bit),
      cmocka_unit_test(test_retention),
      cmocka_unit_test(test_retention_keeps_the_newest_three),
      cmocka_unit_test(test_delete_rules),
      cmocka_unit_test(test_restore_and_safety_backup),
      cmocka_unit_test(test_unparsable_live_file_is_kept_and_reported),
      cmocka_unit_test(test_create_of_an_unchanged_file),
      cmocka_unit_test(test_labels_are_valid_utf8),
      cmocka_unit_test(test_store_bricked_by_a_label_opens),
      cmocka_unit_test(test_old_store_opens_and_converts),
      cmocka_unit_test(test_blob_room_changes_no_byte),
      cmocka_unit_test(test_old_store_allocation_failures),
      cmocka_unit_test(test_info_json_allocation_failures),
      cmocka_unit_test(test_backup_at_the_depth_limit),
      cmocka_unit_test(test_reading_creates_nothing),
      cmocka_unit_test(test_lock_is_waited_for),
      cmocka_unit_test(test_single_damaged_byte_anywhere),
      cmocka_unit_test(test_damage_beyond_parity),
      cmocka_unit_test(test_unreadable_store_is_kept_aside),
      cmocka_unit_test(test_export_import),
      cmocka_unit_test(test_old_export_line_and_import_labels),
      cmocka_unit_test(test_decode_line_allocation_is_bounded),
      cmocka_unit_test(test_open_allocation_is_bounded),
      cmocka_unit_test(test_dedup_ten_backups),
      cmocka_unit_test(test_every_allocation_failure),
      cmocka_unit_test(test_crash_points),
      cmocka_unit_test(test_sigkill_at_random_moments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
