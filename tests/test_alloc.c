/*
** test_alloc.c
** The bottom of the library: the allocator (and jansson routed through it), the arena, byte
** buffers, whole-file reading, the atomic write with each of its error paths, symbolic links,
** files that are not regular, stale temporary files, and the writers' lock.
**
** The system calls of the atomic write are made to fail one by one: this program is linked
** with GNU ld's --wrap for them (CMakeLists.txt), so the library's calls land in the __wrap_
** functions below, which fail the call chosen by `inj` and pass every other one through.
*/
#include "testutil.h"
#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- fault injection ---- */

static struct {
  const char *fn; /* the call to fail, NULL for none */
  int nth;        /* which call of it (0 = the first) */
  int err;        /* the errno it fails with */
  int calls;
  bool short_writes; /* write at most one byte per call */
  char last_template[512];
  char last_folder[512]; /* the last folder opened (to fsync it) */
} inj;

static void inject_none(void) {
  memset(&inj, 0, sizeof inj);
}

static void inject(const char *fn, int nth, int err) {
  inject_none();
  inj.fn = fn;
  inj.nth = nth;
  inj.err = err;
}

static bool fails(const char *fn) {
  if (!inj.fn || strcmp(inj.fn, fn) != 0 || inj.calls++ != inj.nth) return false;
  errno = inj.err;
  return true;
}

int __real_mkstemp(char *tmpl);
int __wrap_mkstemp(char *tmpl);
int __wrap_mkstemp(char *tmpl) {
  snprintf(inj.last_template, sizeof inj.last_template, "%s", tmpl);
  return fails("mkstemp") ? -1 : __real_mkstemp(tmpl);
}

int __real_fchmod(int fd, mode_t mode);
int __wrap_fchmod(int fd, mode_t mode);
int __wrap_fchmod(int fd, mode_t mode) {
  return fails("fchmod") ? -1 : __real_fchmod(fd, mode);
}

ssize_t __real_write(int fd, const void *p, size_t n);
ssize_t __wrap_write(int fd, const void *p, size_t n);
ssize_t __wrap_write(int fd, const void *p, size_t n) {
  if (fails("write")) return -1;
  return __real_write(fd, p, inj.short_writes && n > 1 ? 1 : n);
}

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __wrap_fsync(int fd) {
  return fails("fsync") ? -1 : __real_fsync(fd);
}

int __real_close(int fd);
int __wrap_close(int fd);
int __wrap_close(int fd) {
  int r = __real_close(fd); /* a failed close still closes */
  return fails("close") ? -1 : r;
}

int __real_rename(const char *a, const char *b);
int __wrap_rename(const char *a, const char *b);
int __wrap_rename(const char *a, const char *b) {
  return fails("rename") ? -1 : __real_rename(a, b);
}

/* Only the opening of a folder (for its fsync) is made to fail. */
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
  va_end(ap);
  if (flags & O_DIRECTORY) {
    snprintf(inj.last_folder, sizeof inj.last_folder, "%s", path);
    if (fails("open")) return -1;
  }
  return __real_open(path, flags, mode);
}

/* ---- helpers ---- */

static char dir[64];

static void make_dir(void) {
  snprintf(dir, sizeof dir, "/tmp/ogrh-alloc-XXXXXX");
  assert_non_null(mkdtemp(dir));
}

static void remove_dir(void) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "chmod -R u+rwx %s; rm -rf %s", dir, dir);
  assert_int_equal(system(cmd), 0);
}

static const char *in_dir(const char *name) {
  static char paths[4][512];
  static int next;
  char *p = paths[next++ % 4];
  snprintf(p, 512, "%s/%s", dir, name);
  return p;
}

static void put(const char *path, const char *text) {
  inject_none();
  assert_int_equal(ogrh_write_file_atomic(path, text, strlen(text)), OGRH_OK);
}

/* Checks a file's bytes with stdio alone: it may run while allocations are being failed. */
static void assert_content(const char *path, const char *text) {
  char got[256];
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  size_t n = fread(got, 1, sizeof got, f);
  fclose(f);
  if (n != strlen(text) || memcmp(got, text, n) != 0)
    fail_msg("%s holds '%.*s', not '%s'", path, (int)n, got, text);
}

/* The number of files in dir whose name contains ".tmp.". */
static int temp_files(void) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "ls -a %s | grep -c '\\.tmp\\.' > %s.count", dir, dir);
  (void)system(cmd);
  char path[160];
  snprintf(path, sizeof path, "%s.count", dir);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  int n = -1;
  assert_int_equal(fscanf(f, "%d", &n), 1);
  fclose(f);
  unlink(path);
  return n;
}

static mode_t mode_of(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return st.st_mode & 07777;
}

/* ---- the allocator, arena and buffers ---- */

static void test_allocator_basics(void **state) {
  (void)state;
  tu_alloc_begin(-1);
  assert_null(ogrh_malloc(0));
  char *p = ogrh_malloc(10);
  assert_non_null(p);
  assert_int_equal(tu_alloc_live(), 10);
  memcpy(p, "abcdefghi", 10);
  p = ogrh_realloc(p, 10, 1000);
  assert_non_null(p);
  assert_string_equal(p, "abcdefghi");
  assert_int_equal(tu_alloc_live(), 1000);
  ogrh_free(p, 1000);
  ogrh_free(NULL, 0);
  char *d = ogrh_strdup("copy");
  assert_string_equal(d, "copy");
  ogrh_free(d, 5);
  assert_int_equal(tu_alloc_live(), 0);
  assert_int_equal(tu_alloc_count(), 3);
  assert_false(tu_alloc_end());
  /* A failed realloc leaves the block as it was. */
  tu_alloc_begin(1);
  p = ogrh_malloc(4);
  memcpy(p, "xyz", 4);
  assert_null(ogrh_realloc(p, 4, 64));
  assert_string_equal(p, "xyz");
  ogrh_free(p, 4);
  assert_int_equal(tu_alloc_live(), 0);
  assert_true(tu_alloc_end());
}

static void test_jansson_uses_our_allocator(void **state) {
  (void)state;
  tu_alloc_begin(-1);
  json_t *o = json_object();
  assert_non_null(o);
  assert_int_equal(json_object_set_new(o, "k", json_string("v")), 0);
  assert_true(tu_alloc_count() >= 3);
  assert_true(tu_alloc_live() > 0);
  json_decref(o);
  assert_int_equal(tu_alloc_live(), 0);
  tu_alloc_end();
  /* Every failure jansson meets is counted, whether it reports it or not. */
  unsigned long before = ogrh__json_alloc_failures();
  tu_alloc_begin(0);
  assert_null(json_object());
  assert_true(tu_alloc_end());
  assert_int_equal(ogrh__json_alloc_failures(), before + 1);
}

static void test_arena(void **state) {
  (void)state;
  tu_alloc_begin(-1);
  ogrh_arena *a = ogrh_arena_new();
  assert_non_null(a);
  size_t before = ogrh_arena_size(a);
  for (int i = 1; i < 200; i++) {
    char *p = ogrh_arena_alloc(a, (size_t)i);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 8, 0);
    memset(p, 'x', (size_t)i);
  }
  /* A request larger than a quarter chunk gets a chunk of its own. */
  char *big = ogrh_arena_alloc(a, 100000);
  assert_non_null(big);
  memset(big, 1, 100000);
  char *after = ogrh_arena_alloc(a, 8);
  assert_non_null(after);
  assert_true(ogrh_arena_size(a) >= before + 100000);
  char *s = ogrh_arena_memdup(a, "hello", 3);
  assert_string_equal(s, "hel");
  assert_non_null(ogrh_arena_alloc(a, 0));
  ogrh_arena_free(a);
  ogrh_arena_free(NULL);
  assert_int_equal(tu_alloc_live(), 0);
  tu_alloc_end();
}

static int arena_op(void *ud, long k) {
  (void)ud;
  (void)k;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  for (int i = 0; i < 300 && !rc; i++) {
    char *p = ogrh_arena_alloc(a, (size_t)(i * 37 % 5000));
    if (!p) {
      rc = OGRH_ENOMEM;
      /* The arena stays usable after a failure. */
      break;
    }
    memset(p, 7, (size_t)(i * 37 % 5000));
  }
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_arena_allocation_failures(void **state) {
  (void)state;
  assert_true(tu_alloc_fail_loop(arena_op, NULL, 200) > 3);
}

static void test_buffers(void **state) {
  (void)state;
  tu_alloc_begin(-1);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_buf_addc(&b, 'a'), OGRH_OK);
  assert_int_equal(ogrh_buf_adds(&b, "bc"), OGRH_OK);
  char longtext[600];
  memset(longtext, 'z', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = '\0';
  assert_int_equal(ogrh_buf_printf(&b, "[%s]%d", longtext, 42), OGRH_OK);
  assert_int_equal(b.n, 3 + 1 + 599 + 1 + 2);
  assert_int_equal(b.p[b.n], '\0');
  assert_memory_equal(b.p + b.n - 3, "]42", 3);
  /* An impossible size fails, is remembered, and changes nothing. */
  size_t n = b.n;
  assert_int_equal(ogrh_buf_reserve(&b, SIZE_MAX), OGRH_ENOMEM);
  assert_int_equal(ogrh_buf_adds(&b, "more"), OGRH_ENOMEM);
  assert_int_equal(ogrh_buf_error(&b), OGRH_ENOMEM);
  assert_int_equal(b.n, n);
  ogrh_buf_reset(&b);
  assert_int_equal(ogrh_buf_error(&b), OGRH_OK);
  assert_int_equal(b.n, 0);
  assert_string_equal(b.p, "");
  assert_int_equal(ogrh_buf_adds(&b, "again"), OGRH_OK);
  ogrh_buf_deinit(&b);
  assert_null(b.p);
  assert_int_equal(tu_alloc_live(), 0);
  tu_alloc_end();
}

/* ---- reading ---- */

static void test_read_errors(void **state) {
  (void)state;
  make_dir();
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_read_file(in_dir("missing"), &b), OGRH_ENOTFOUND);
  assert_int_equal(ogrh_read_file(dir, &b), OGRH_EISDIR);
  put(in_dir("file"), "x");
  assert_int_equal(ogrh_read_file(in_dir("file/below"), &b), OGRH_ENOTFOUND);
  assert_int_equal(symlink("loop2", in_dir("loop1")), 0);
  assert_int_equal(symlink("loop1", in_dir("loop2")), 0);
  assert_int_equal(ogrh_read_file(in_dir("loop1"), &b), OGRH_ELOOP);
  assert_int_equal(b.n, 0);
  /* A device of unknown size reads to its end. */
  assert_int_equal(ogrh_read_file("/dev/null", &b), OGRH_OK);
  assert_int_equal(b.n, 0);
  ogrh_buf_deinit(&b);
  remove_dir();
}

/* ---- the atomic write ---- */

/* One failure of the atomic write and what must hold after it. */
typedef struct io_case {
  const char *fn;
  int nth, err, want;
  bool replaced; /* the new file is in place (only the folder's fsync failed) */
} io_case;

static void test_atomic_write_each_error(void **state) {
  (void)state;
  make_dir();
  const char *path = in_dir("live.lua");
  static const io_case cases[] = {
      {"mkstemp", 0, ENOSPC, OGRH_ENOSPC, false}, {"mkstemp", 0, EACCES, OGRH_EACCES, false},
      {"mkstemp", 0, EROFS, OGRH_EROFS, false},   {"fchmod", 0, EPERM, OGRH_EACCES, false},
      {"write", 0, ENOSPC, OGRH_ENOSPC, false},   {"write", 1, EDQUOT, OGRH_ENOSPC, false},
      {"write", 1, EIO, OGRH_EIO, false},         {"fsync", 0, EIO, OGRH_EIO, false},
      {"fsync", 0, ENOSPC, OGRH_ENOSPC, false},   {"close", 0, EIO, OGRH_EIO, false},
      {"rename", 0, EACCES, OGRH_EACCES, false},  {"rename", 0, EXDEV, OGRH_EIO, false},
      {"open", 0, EACCES, OGRH_EACCES, true},     {"fsync", 1, EIO, OGRH_EIO, true},
      {"fsync", 1, EINVAL, OGRH_OK, true},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const io_case *c = &cases[i];
    put(path, "old contents");
    assert_int_equal(chmod(path, 0640), 0);
    inject(c->fn, c->nth, c->err);
    int rc = ogrh_write_file_atomic(path, "new contents", 12);
    bool hit = inj.calls > c->nth;
    inject_none();
    if (rc != c->want || !hit)
      fail_msg("%s #%d failing with %s: got %s (failure %s)", c->fn, c->nth, strerror(c->err),
               ogrh_errname(rc), hit ? "injected" : "never reached");
    assert_content(path, c->replaced ? "new contents" : "old contents");
    assert_int_equal(mode_of(path), 0640);
    assert_int_equal(temp_files(), 0);
  }
  /* Writes the kernel cuts short are continued. */
  inject_none();
  inj.short_writes = true;
  assert_int_equal(ogrh_write_file_atomic(path, "written one byte at a time", 26), OGRH_OK);
  inject_none();
  assert_content(path, "written one byte at a time");
  remove_dir();
}

static int write_op(void *ud, long k) {
  (void)k;
  const char *path = ud;
  inj.last_folder[0] = '\0';
  int rc = ogrh_write_file_atomic(path, "after", 5);
  assert_content(path, rc ? "before" : "after");
  /* The folder made durable is the one that holds the file, whatever allocation failed. */
  if (!rc) assert_string_equal(inj.last_folder, dir);
  assert_int_equal(temp_files(), 0);
  assert_int_equal(tu_alloc_live(), 0);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    put(path, "before");
  }
  return rc;
}

static void test_atomic_write_allocation_failures(void **state) {
  (void)state;
  make_dir();
  assert_int_equal(symlink("target.lua", in_dir("link.lua")), 0);
  put(in_dir("target.lua"), "before");
  /* Through a link: the link's resolution allocates too. */
  assert_true(tu_alloc_fail_loop(write_op, (void *)in_dir("link.lua"), 20) >= 3);
  remove_dir();
}

static void test_permissions_kept(void **state) {
  (void)state;
  make_dir();
  const char *path = in_dir("p.lua");
  put(path, "one");
  assert_int_equal(mode_of(path), 0644);
  assert_int_equal(chmod(path, 0600), 0);
  put(path, "two");
  assert_int_equal(mode_of(path), 0600);
  remove_dir();
}

/* Permission denied, as root too: the check runs in a child that gives up root first. */
static void test_permission_denied(void **state) {
  (void)state;
  make_dir();
  const char *secret = in_dir("secret.lua");
  put(secret, "hidden");
  assert_int_equal(chmod(secret, 0), 0);
  assert_int_equal(chmod(dir, 0555), 0);
  pid_t pid = fork();
  if (pid == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    ogrh_buf b;
    ogrh_buf_init(&b);
    int w = ogrh_write_file_atomic(in_dir("new.lua"), "x", 1);
    int r = ogrh_read_file(secret, &b);
    _exit(w == OGRH_EACCES && r == OGRH_EACCES ? 0 : 1);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  if (WEXITSTATUS(st) == 2) fprintf(stderr, "cannot drop root: permission test skipped\n");
  assert_int_not_equal(WEXITSTATUS(st), 1);
  assert_int_equal(chmod(dir, 0700), 0);
  remove_dir();
}

/* A full disk for real: standard output on /dev/full. */
static void test_disk_full(void **state) {
  (void)state;
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/full", "w", stdout)) _exit(2);
    _exit(ogrh_write_file_atomic("-", "bytes", 5) == OGRH_ENOSPC ? 0 : 1);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_symbolic_links(void **state) {
  (void)state;
  make_dir();
  assert_int_equal(mkdir(in_dir("a"), 0755), 0);
  assert_int_equal(mkdir(in_dir("b"), 0755), 0);
  put(in_dir("b/real.lua"), "v1");
  /* A relative link in another folder: the target gets the bytes, the link stays a link, and
     the temporary file is made beside the target. */
  assert_int_equal(symlink("../b/real.lua", in_dir("a/link.lua")), 0);
  put(in_dir("a/link.lua"), "v2");
  assert_content(in_dir("b/real.lua"), "v2");
  struct stat st;
  assert_int_equal(lstat(in_dir("a/link.lua"), &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  char want[600];
  snprintf(want, sizeof want, "%s/a/../b/real.lua.tmp.", dir);
  assert_memory_equal(inj.last_template, want, strlen(want));
  /* A chain of links, the last one absolute. */
  char abs[512];
  snprintf(abs, sizeof abs, "%s/b/real.lua", dir);
  assert_int_equal(symlink(abs, in_dir("b/abs.lua")), 0);
  assert_int_equal(symlink("b/abs.lua", in_dir("chain.lua")), 0);
  put(in_dir("chain.lua"), "v3");
  assert_content(in_dir("b/real.lua"), "v3");
  assert_int_equal(lstat(in_dir("chain.lua"), &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_int_equal(lstat(in_dir("b/abs.lua"), &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  /* A dangling link: its target is created. */
  assert_int_equal(symlink("fresh.lua", in_dir("b/dangling.lua")), 0);
  put(in_dir("b/dangling.lua"), "v4");
  assert_content(in_dir("b/fresh.lua"), "v4");
  assert_int_equal(lstat(in_dir("b/dangling.lua"), &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  /* A loop. */
  assert_int_equal(symlink("loop2", in_dir("loop1")), 0);
  assert_int_equal(symlink("loop1", in_dir("loop2")), 0);
  assert_int_equal(ogrh_write_file_atomic(in_dir("loop1"), "x", 1), OGRH_ELOOP);
  assert_int_equal(temp_files(), 0);
  remove_dir();
}

static void test_not_regular_files_are_refused(void **state) {
  (void)state;
  make_dir();
  assert_int_equal(mkfifo(in_dir("pipe"), 0644), 0);
  assert_int_equal(ogrh_write_file_atomic(in_dir("pipe"), "x", 1), OGRH_ENOTREG);
  struct stat st;
  assert_int_equal(lstat(in_dir("pipe"), &st), 0);
  assert_true(S_ISFIFO(st.st_mode));
  /* Through a link too. */
  assert_int_equal(symlink("pipe", in_dir("to-pipe")), 0);
  assert_int_equal(ogrh_write_file_atomic(in_dir("to-pipe"), "x", 1), OGRH_ENOTREG);
  assert_int_equal(lstat(in_dir("pipe"), &st), 0);
  assert_true(S_ISFIFO(st.st_mode));
  assert_int_equal(mkdir(in_dir("folder"), 0755), 0);
  assert_int_equal(ogrh_write_file_atomic(in_dir("folder"), "x", 1), OGRH_EISDIR);
  assert_int_equal(lstat(in_dir("folder"), &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(ogrh_write_file_atomic(in_dir("missing/x.lua"), "x", 1), OGRH_ENOTFOUND);
  assert_int_equal(temp_files(), 0);
  remove_dir();
}

static void set_age(const char *path, long seconds) {
  struct timespec ts[2];
  assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts[0]), 0);
  ts[0].tv_sec -= seconds;
  ts[1] = ts[0];
  assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static void test_stale_temporary_files(void **state) {
  (void)state;
  make_dir();
  const char *live = in_dir("live.lua");
  put(live, "v1");
  /* What a killed write leaves, and what looks like it but is not ours to remove. */
  put(in_dir("live.lua.tmp.Ab3dE9"), "stale");
  set_age(in_dir("live.lua.tmp.Ab3dE9"), 3600);
  put(in_dir("live.lua.tmp.fresh1"), "being written");
  put(in_dir("live.lua.tmp.held01"), "held by a writer");
  set_age(in_dir("live.lua.tmp.held01"), 3600);
  put(in_dir("live.lua.tmp.toolong"), "not our name");
  set_age(in_dir("live.lua.tmp.toolong"), 3600);
  put(in_dir("other.lua.tmp.Zz9yY8"), "another file's");
  set_age(in_dir("other.lua.tmp.Zz9yY8"), 3600);
  assert_int_equal(mkdir(in_dir("live.lua.tmp.folder"), 0755), 0);
  assert_int_equal(symlink("live.lua", in_dir("live.lua.tmp.linked")), 0);
  set_age(in_dir("live.lua.tmp.linked"), 3600);
  int held = open(in_dir("live.lua.tmp.held01"), O_RDONLY);
  assert_true(held >= 0);
  assert_int_equal(flock(held, LOCK_EX), 0);
  put(live, "v2");
  assert_content(live, "v2");
  assert_int_equal(access(in_dir("live.lua.tmp.Ab3dE9"), F_OK), -1);
  assert_int_equal(access(in_dir("live.lua.tmp.fresh1"), F_OK), 0);
  assert_int_equal(access(in_dir("live.lua.tmp.held01"), F_OK), 0);
  assert_int_equal(access(in_dir("live.lua.tmp.toolong"), F_OK), 0);
  assert_int_equal(access(in_dir("other.lua.tmp.Zz9yY8"), F_OK), 0);
  assert_int_equal(access(in_dir("live.lua.tmp.folder"), F_OK), 0);
  struct stat st;
  assert_int_equal(lstat(in_dir("live.lua.tmp.linked"), &st), 0);
  close(held);
  remove_dir();
}

/* ---- the writers' lock ---- */

static void test_file_lock(void **state) {
  (void)state;
  make_dir();
  const char *path = in_dir("live.lua");
  put(path, "v1");
  ogrh_file_lock a, b;
  assert_int_equal(ogrh_file_lock_acquire(path, 0, &a), OGRH_OK);
  assert_true(a.fd >= 0);
  assert_int_equal(ogrh_file_lock_acquire(path, 0, &b), OGRH_ELOCKED);
  assert_int_equal(b.fd, -1);
  assert_int_equal(ogrh_file_lock_acquire(path, 30, &b), OGRH_ELOCKED);
  ogrh_file_lock_release(&a);
  assert_int_equal(a.fd, -1);
  assert_int_equal(ogrh_file_lock_acquire(path, 0, &b), OGRH_OK);
  ogrh_file_lock_release(&b);
  ogrh_file_lock_release(&b);
  /* Nothing to hold: a missing file, a pipe (without waiting for a writer), stdin. */
  assert_int_equal(ogrh_file_lock_acquire(in_dir("missing"), 0, &b), OGRH_OK);
  assert_int_equal(b.fd, -1);
  assert_int_equal(mkfifo(in_dir("pipe"), 0644), 0);
  assert_int_equal(ogrh_file_lock_acquire(in_dir("pipe"), 0, &b), OGRH_OK);
  assert_int_equal(b.fd, -1);
  assert_int_equal(ogrh_file_lock_acquire("-", 0, &b), OGRH_OK);
  assert_int_equal(b.fd, -1);
  /* Through a link: the file's own lock. */
  assert_int_equal(symlink("live.lua", in_dir("link.lua")), 0);
  assert_int_equal(ogrh_file_lock_acquire(path, 0, &a), OGRH_OK);
  assert_int_equal(ogrh_file_lock_acquire(in_dir("link.lua"), 0, &b), OGRH_ELOCKED);
  ogrh_file_lock_release(&a);
  remove_dir();
}

/*
** A writer that waited holds the lock of the file the path names when it gets it, not of the
** file another writer replaced meanwhile.
*/
static void test_file_lock_follows_replacement(void **state) {
  (void)state;
  make_dir();
  const char *path = in_dir("live.lua");
  put(path, "v1");
  ogrh_file_lock a;
  assert_int_equal(ogrh_file_lock_acquire(path, 0, &a), OGRH_OK);
  pid_t pid = fork();
  if (pid == 0) {
    ogrh_file_lock c;
    if (ogrh_file_lock_acquire(path, 10000, &c)) _exit(2);
    struct stat held, named;
    _exit(fstat(c.fd, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino ? 0
                                                                                            : 1);
  }
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL); /* let the child start waiting on the old file */
  put(path, "v2");      /* replaces the file the lock is on */
  ogrh_file_lock_release(&a);
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  remove_dir();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_allocator_basics),
      cmocka_unit_test(test_jansson_uses_our_allocator),
      cmocka_unit_test(test_arena),
      cmocka_unit_test(test_arena_allocation_failures),
      cmocka_unit_test(test_buffers),
      cmocka_unit_test(test_read_errors),
      cmocka_unit_test(test_atomic_write_each_error),
      cmocka_unit_test(test_atomic_write_allocation_failures),
      cmocka_unit_test(test_permissions_kept),
      cmocka_unit_test(test_permission_denied),
      cmocka_unit_test(test_disk_full),
      cmocka_unit_test(test_symbolic_links),
      cmocka_unit_test(test_not_regular_files_are_refused),
      cmocka_unit_test(test_stale_temporary_files),
      cmocka_unit_test(test_file_lock),
      cmocka_unit_test(test_file_lock_follows_replacement),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
