/*
** alloc.c
** The replaceable allocator (jansson's allocations included), the arena, byte buffers, and
** whole-file I/O: reading, the atomic write every file save goes through, and the lock that
** writers of a live file hold.
*/
#include "ogrh/alloc.h"
#include "alloc.h"
#include "ogrh/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

static ogrh_alloc_fn g_alloc = default_alloc;
static void *g_alloc_ud = NULL;

void ogrh_set_allocator(ogrh_alloc_fn fn, void *ud) {
  g_alloc = fn ? fn : default_alloc;
  g_alloc_ud = fn ? ud : NULL;
}

void *ogrh_malloc(size_t n) {
  return n ? g_alloc(g_alloc_ud, NULL, 0, n) : NULL;
}

void *ogrh_realloc(void *p, size_t osize, size_t nsize) {
  return g_alloc(g_alloc_ud, p, p ? osize : 0, nsize);
}

void ogrh_free(void *p, size_t osize) {
  if (p) g_alloc(g_alloc_ud, p, osize, 0);
}

char *ogrh_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = ogrh_malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/*
** Chunks grow geometrically (4 KiB up to 1 MiB) so that a small document costs little and a
** large one needs few chunks; a request larger than the current chunk size gets a chunk of
** its own, which keeps the waste at the end of a chunk small.
*/
typedef struct chunk {
  struct chunk *next;
  size_t size, used;
  max_align_t data[];
} chunk;

struct ogrh_arena {
  chunk *head;
  size_t next_size;
  size_t total;
};

ogrh_arena *ogrh_arena_new(void) {
  ogrh_arena *a = ogrh_malloc(sizeof *a);
  if (!a) return NULL;
  a->head = NULL;
  a->next_size = 4096;
  a->total = sizeof *a;
  return a;
}

void ogrh_arena_free(ogrh_arena *a) {
  if (!a) return;
  chunk *c = a->head;
  while (c) {
    chunk *n = c->next;
    ogrh_free(c, sizeof(chunk) + c->size);
    c = n;
  }
  ogrh_free(a, sizeof *a);
}

void *ogrh_arena_alloc(ogrh_arena *a, size_t n) {
  n = (n + 7u) & ~(size_t)7u;
  if (n == 0) n = 8;
  chunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t size = a->next_size;
    if (n > size / 4) {
      /* Big request: its own chunk, linked behind the current one so that the current
         chunk's free space stays usable. */
      if (n > SIZE_MAX - sizeof(chunk)) return NULL;
      chunk *big = ogrh_malloc(sizeof(chunk) + n);
      if (!big) return NULL;
      big->size = n;
      big->used = n;
      a->total += sizeof(chunk) + n;
      if (c) {
        big->next = c->next;
        c->next = big;
      } else {
        big->next = NULL;
        a->head = big;
      }
      return big->data;
    }
    chunk *nc = ogrh_malloc(sizeof(chunk) + size);
    if (!nc) return NULL;
    nc->size = size;
    nc->used = 0;
    nc->next = c;
    a->head = nc;
    a->total += sizeof(chunk) + size;
    if (a->next_size < (1u << 20)) a->next_size *= 2;
    c = nc;
  }
  void *p = (char *)c->data + c->used;
  c->used += n;
  return p;
}

char *ogrh_arena_memdup(ogrh_arena *a, const void *p, size_t n) {
  char *d = ogrh_arena_alloc(a, n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, p, n);
  d[n] = '\0';
  return d;
}

size_t ogrh_arena_size(const ogrh_arena *a) {
  return a ? a->total : 0;
}

void ogrh_buf_init(ogrh_buf *b) {
  b->p = NULL;
  b->n = b->cap = 0;
  b->err = OGRH_OK;
}

void ogrh_buf_reset(ogrh_buf *b) {
  b->n = 0;
  b->err = OGRH_OK;
  if (b->p) b->p[0] = '\0';
}

void ogrh_buf_deinit(ogrh_buf *b) {
  ogrh_free(b->p, b->cap);
  ogrh_buf_init(b);
}

int ogrh_buf_reserve(ogrh_buf *b, size_t extra) {
  if (b->err) return b->err;
  if (extra > SIZE_MAX - b->n - 1) return b->err = OGRH_ENOMEM;
  size_t need = b->n + extra + 1;
  if (need <= b->cap) return OGRH_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *p = ogrh_realloc(b->p, b->cap, cap);
  if (!p) return b->err = OGRH_ENOMEM;
  b->p = p;
  b->cap = cap;
  return OGRH_OK;
}

int ogrh_buf_add(ogrh_buf *b, const void *p, size_t n) {
  if (ogrh_buf_reserve(b, n)) return b->err;
  if (n) memcpy(b->p + b->n, p, n);
  b->n += n;
  b->p[b->n] = '\0';
  return OGRH_OK;
}

int ogrh_buf_adds(ogrh_buf *b, const char *s) {
  return ogrh_buf_add(b, s, strlen(s));
}

int ogrh_buf_addc(ogrh_buf *b, char c) {
  if (b->err) return b->err;
  if (b->n + 1 >= b->cap && ogrh_buf_reserve(b, 1)) return b->err;
  b->p[b->n++] = c;
  b->p[b->n] = '\0';
  return OGRH_OK;
}

int ogrh_buf_printf(ogrh_buf *b, const char *fmt, ...) {
  va_list ap;
  char tmp[256];
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (b->err) return b->err;
  if (n < 0) return b->err = OGRH_EINVAL;
  if ((size_t)n < sizeof tmp) return ogrh_buf_add(b, tmp, (size_t)n);
  if (ogrh_buf_reserve(b, (size_t)n)) return b->err;
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
  return OGRH_OK;
}

/* ---- jansson through the one allocator ---- */

/*
** jansson frees without telling the size, and our allocator needs it: every block jansson asks
** for carries its size in a header one max_align_t long, which keeps the alignment. jansson
** takes its functions once for the whole process and must never free through ours a block it
** got from malloc, so they are installed before main runs, before any jansson call can
** allocate. (Without GNU C constructors jansson keeps malloc: correct, only not routed.)
*/
typedef union json_hdr {
  size_t n;
  max_align_t align;
} json_hdr;

/*
** jansson does not report every failed allocation: its parser drops a character of a string
** it could not grow and goes on (a key "assignedPlayers" read as "assignedPlayer"). So every
** failure is counted here, and a jansson call during which the count moved has failed, whatever
** it returned (see ogrh__json_alloc_failures).
*/
static unsigned long json_failures;

unsigned long ogrh__json_alloc_failures(void) {
  return json_failures;
}

static void *json_alloc(size_t n) {
  json_hdr *h = n <= SIZE_MAX - sizeof(json_hdr) ? ogrh_malloc(sizeof *h + n) : NULL;
  if (!h) {
    json_failures++;
    return NULL;
  }
  h->n = sizeof *h + n;
  return h + 1;
}

static void json_release(void *p) {
  if (!p) return;
  json_hdr *h = (json_hdr *)p - 1;
  ogrh_free(h, h->n);
}

#if defined(__GNUC__)
__attribute__((constructor)) static void json_use_our_allocator(void) {
  json_set_alloc_funcs(json_alloc, json_release);
}
#endif

/* ---- whole files ---- */

/*
** Crash points for the crash-safety tests. This definition does nothing and is weak: the test
** build of the command-line tool links tests/cli_hooks.c, whose definition kills the process
** at the Nth point reached (OGRH_CRASH_AT=N), as a power cut would. The installed program has
** none.
*/
#if defined(__GNUC__)
__attribute__((weak))
#endif
void ogrh__crashpoint(void) {
}

int ogrh__read_fd(int fd, ogrh_buf *b) {
  for (;;) {
    if (b->cap - b->n < 4096 && ogrh_buf_reserve(b, 65536)) return OGRH_ENOMEM;
    ssize_t got = read(fd, b->p + b->n, b->cap - b->n - 1);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ogrh_status_from_errno(errno);
    }
    b->n += (size_t)got;
    b->p[b->n] = '\0';
    if (got == 0) return OGRH_OK;
  }
}

int ogrh__open_read(const char *path, int *fd, size_t *size) {
  *fd = -1;
  *size = 0;
  int f = open(path, O_RDONLY | O_CLOEXEC);
  if (f < 0) return ogrh_status_from_errno(errno);
  struct stat st;
  if (fstat(f, &st) != 0) {
    int rc = ogrh_status_from_errno(errno);
    close(f);
    return rc;
  }
  if (S_ISDIR(st.st_mode)) {
    close(f);
    return OGRH_EISDIR;
  }
  if (S_ISREG(st.st_mode)) {
    if ((uint64_t)st.st_size >= SIZE_MAX / 2) {
      close(f);
      return OGRH_ETOOBIG;
    }
    *size = (size_t)st.st_size;
  }
  *fd = f;
  return OGRH_OK;
}

int ogrh__read_exact(int fd, void *p, size_t n) {
  char *c = p;
  while (n) {
    ssize_t got = read(fd, c, n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ogrh_status_from_errno(errno);
    if (got == 0) return OGRH_EIO; /* the file shrank while we read it */
    c += got;
    n -= (size_t)got;
  }
  return OGRH_OK;
}

int ogrh_read_file(const char *path, ogrh_buf *b) {
  if (strcmp(path, "-") == 0) return ogrh__read_fd(STDIN_FILENO, b);
  int fd;
  size_t size;
  int rc = ogrh__open_read(path, &fd, &size);
  if (rc) return rc;
  /* A regular file's size is known: one allocation, no regrowth. */
  if (size && ogrh_buf_reserve(b, size + 1))
    rc = OGRH_ENOMEM;
  else
    rc = ogrh__read_fd(fd, b);
  close(fd);
  return rc;
}

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ogrh_status_from_errno(errno);
    }
    c += w;
    n -= (size_t)w;
  }
  return OGRH_OK;
}

/* Longest chain of symbolic links followed, as the kernel's own limit (SYMLOOP_MAX). */
enum { MAX_LINKS = 40 };

/*
** Where a write to `path` really goes: `path`, or the end of its chain of symbolic links, so
** that a link (players link SavedVariables between accounts) keeps pointing at a file that
** gets the new bytes. *out is allocated (size *outsz); *st is the target's status when it
** exists. A target that exists and is not a regular file is refused.
*/
static int resolve_target(const char *path, char **out, size_t *outsz, bool *exists,
                          struct stat *st) {
  size_t sz = strlen(path) + 1;
  char *cur = ogrh_malloc(sz);
  if (!cur) return OGRH_ENOMEM;
  memcpy(cur, path, sz);
  int rc = OGRH_ELOOP;
  for (int hop = 0; hop <= MAX_LINKS; hop++) {
    if (lstat(cur, st) != 0) {
      rc = errno == ENOENT ? OGRH_OK : ogrh_status_from_errno(errno);
      *exists = false;
      break;
    }
    if (S_ISREG(st->st_mode)) {
      rc = OGRH_OK;
      *exists = true;
      break;
    }
    if (!S_ISLNK(st->st_mode)) {
      rc = S_ISDIR(st->st_mode) ? OGRH_EISDIR : OGRH_ENOTREG;
      break;
    }
    /* The link's text, then the path it names: relative links are relative to their folder. */
    size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 4096;
    char *text = ogrh_malloc(cap);
    if (!text) {
      rc = OGRH_ENOMEM;
      break;
    }
    ssize_t tn = readlink(cur, text, cap);
    if (tn < 0 || (size_t)tn >= cap) {
      rc = tn < 0 ? ogrh_status_from_errno(errno) : OGRH_EIO;
      ogrh_free(text, cap);
      break;
    }
    const char *slash = strrchr(cur, '/');
    size_t keep = text[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
    size_t nsz = keep + (size_t)tn + 1;
    char *next = ogrh_malloc(nsz);
    if (!next) {
      rc = OGRH_ENOMEM;
      ogrh_free(text, cap);
      break;
    }
    memcpy(next, cur, keep);
    memcpy(next + keep, text, (size_t)tn);
    next[keep + (size_t)tn] = '\0';
    ogrh_free(text, cap);
    ogrh_free(cur, sz);
    cur = next;
    sz = nsz;
  }
  if (rc) {
    ogrh_free(cur, sz);
    return rc;
  }
  *out = cur;
  *outsz = sz;
  return OGRH_OK;
}

/* A temporary file of ours is "<name>.tmp." and six characters of mkstemp's alphabet. */
static const char TMP_SUFFIX[] = ".tmp.XXXXXX";
enum { TMP_SUFFIX_LEN = sizeof TMP_SUFFIX - 1, TMP_RANDOM = 6 };

/* A temporary file nobody has written for this long and nobody holds is a killed write's. */
enum { STALE_TMP_SECONDS = 60 };

static bool is_our_tmp_name(const char *entry, const char *base, size_t blen) {
  if (strncmp(entry, base, blen) != 0) return false;
  const char *s = entry + blen;
  if (strncmp(s, ".tmp.", 5) != 0) return false;
  s += 5;
  for (int i = 0; i < TMP_RANDOM; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9')))
      return false;
  return s[TMP_RANDOM] == '\0';
}

/*
** Removes the temporary files that killed writes of `target` left in its folder. A writer
** holds a lock on its temporary file from creation to rename, and a file is only taken when
** nobody holds it, it has not been written for a minute, it is a regular file owned by us, and
** it is still the same file when we unlink it. Housekeeping only: its failures change nothing.
*/
static void remove_stale_tmps(const char *folder, const char *target, char *scratch, size_t cap) {
  const char *base = strrchr(target, '/');
  base = base ? base + 1 : target;
  size_t blen = strlen(base), flen = strlen(folder);
  DIR *dir = opendir(folder);
  if (!dir) return;
  time_t now = time(NULL);
  struct dirent *de;
  while ((de = readdir(dir)) != NULL) {
    if (!is_our_tmp_name(de->d_name, base, blen)) continue;
    size_t dlen = strlen(de->d_name);
    if (flen + 1 + dlen + 1 > cap) continue;
    memcpy(scratch, folder, flen);
    scratch[flen] = '/';
    memcpy(scratch + flen + 1, de->d_name, dlen + 1);
    int fd = open(scratch, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st, again;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        now - st.st_mtime >= STALE_TMP_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        lstat(scratch, &again) == 0 && again.st_ino == st.st_ino && again.st_dev == st.st_dev)
      unlink(scratch);
    close(fd);
  }
  closedir(dir);
}

/* Writes standard output; the bytes are flushed so that an error shows here. */
static int write_stdout(const void *p, size_t n) {
  if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0) return ogrh_status_from_errno(errno);
  return OGRH_OK;
}

int ogrh_write_file_atomic(const char *path, const void *p, size_t n) {
  if (strcmp(path, "-") == 0) return write_stdout(p, n);
  char *target;
  size_t tsz;
  bool exists;
  struct stat st;
  int rc = resolve_target(path, &target, &tsz, &exists, &st);
  if (rc) return rc;
  /*
  ** One block for the temporary file's name, reused afterwards for the folder's name and the
  ** names of stale temporary files: nothing can fail to allocate after the rename.
  */
  size_t tlen = tsz - 1, cap = 2 * (tlen + TMP_SUFFIX_LEN + 2);
  char *tmp = ogrh_malloc(cap);
  if (!tmp) {
    ogrh_free(target, tsz);
    return OGRH_ENOMEM;
  }
  memcpy(tmp, target, tlen);
  memcpy(tmp + tlen, TMP_SUFFIX, TMP_SUFFIX_LEN + 1);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    rc = ogrh_status_from_errno(errno);
    goto out;
  }
  /* Marks the file as being written (see remove_stale_tmps); a file system without locks
     leaves the age rule alone to protect it. */
  (void)flock(fd, LOCK_EX | LOCK_NB);
  /* Keep the permissions of the file being replaced, else the usual 0644. */
  if (fchmod(fd, exists ? (st.st_mode & 07777) : 0644) != 0) rc = ogrh_status_from_errno(errno);
  ogrh__crashpoint();
  /* Half the bytes, a crash point, the rest: a crash can leave a torn temporary file. */
  if (rc == OGRH_OK) rc = write_all(fd, p, n / 2);
  ogrh__crashpoint();
  if (rc == OGRH_OK) rc = write_all(fd, (const char *)p + n / 2, n - n / 2);
  ogrh__crashpoint();
  if (rc == OGRH_OK && fsync(fd) != 0) rc = ogrh_status_from_errno(errno);
  if (close(fd) != 0 && rc == OGRH_OK) rc = ogrh_status_from_errno(errno);
  ogrh__crashpoint();
  if (rc == OGRH_OK && rename(tmp, target) != 0) rc = ogrh_status_from_errno(errno);
  ogrh__crashpoint();
  if (rc != OGRH_OK) {
    unlink(tmp);
    goto out;
  }
  /* Make the rename itself durable: fsync the folder that holds the target. */
  const char *slash = strrchr(target, '/');
  if (!slash)
    memcpy(tmp, ".", 2);
  else if (slash == target)
    memcpy(tmp, "/", 2);
  else {
    memcpy(tmp, target, (size_t)(slash - target));
    tmp[slash - target] = '\0';
  }
  int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    rc = ogrh_status_from_errno(errno);
  } else {
    /* Some file systems cannot sync a folder (EINVAL): they have nothing more to make durable. */
    if (fsync(dfd) != 0 && errno != EINVAL) rc = ogrh_status_from_errno(errno);
    close(dfd);
  }
  if (rc == OGRH_OK) {
    char *folder = tmp, *scratch = tmp + strlen(tmp) + 1;
    remove_stale_tmps(folder, target, scratch, cap - (size_t)(scratch - tmp));
  }
out:
  ogrh_free(tmp, cap);
  ogrh_free(target, tsz);
  return rc;
}

/* ---- the writers' lock ---- */

int ogrh_file_lock_acquire(const char *path, int wait_ms, ogrh_file_lock *l) {
  l->fd = -1;
  if (strcmp(path, "-") == 0) return OGRH_OK;
  long tries = wait_ms > 0 ? wait_ms / 10 : 0, replaced = 0;
  for (;;) {
    /* O_NONBLOCK: opening a pipe to lock it must not wait for a writer at its other end. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? OGRH_OK : ogrh_status_from_errno(errno);
    struct stat a, b;
    if (fstat(fd, &a) != 0 || !S_ISREG(a.st_mode)) {
      /* Not a file a writer may replace (ogrh_write_file_atomic refuses it): nothing to hold. */
      close(fd);
      return OGRH_OK;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      close(fd);
      if (e != EWOULDBLOCK) return ogrh_status_from_errno(e);
      if (tries-- <= 0) return OGRH_ELOCKED;
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
      continue;
    }
    /*
    ** Writers replace the file by renaming a new one over it, so the file we locked may have
    ** been replaced while we waited: the lock only counts on the file the path names now.
    */
    if (stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
      l->fd = fd;
      return OGRH_OK;
    }
    close(fd);
    /* Replaced a thousand times while we looked: someone rewrites it without pause. */
    if (++replaced > 1000) return OGRH_ELOCKED;
  }
}

void ogrh_file_lock_release(ogrh_file_lock *l) {
  if (l->fd >= 0) close(l->fd); /* closing releases the lock */
  l->fd = -1;
}
