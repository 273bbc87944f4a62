/*
** alloc.c
** The replaceable allocator, the arena, byte buffers, and whole-file I/O (including the
** atomic write every file save goes through).
*/
#include "ogrh/alloc.h"
#include "ogrh/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int ogrh_read_file(const char *path, ogrh_buf *b) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) return errno == ENOENT ? OGRH_ENOTFOUND : OGRH_EIO;
  int rc = OGRH_OK;
  /* A regular file's size is known: one allocation, no regrowth. */
  struct stat st;
  if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      ogrh_buf_reserve(b, (size_t)st.st_size + 1)) {
    fclose(f);
    return OGRH_ENOMEM;
  }
  for (;;) {
    if (b->cap - b->n < 4096 && ogrh_buf_reserve(b, 65536)) {
      rc = OGRH_ENOMEM;
      break;
    }
    size_t got = fread(b->p + b->n, 1, b->cap - b->n - 1, f);
    b->n += got;
    b->p[b->n] = '\0';
    if (got == 0) {
      if (ferror(f)) rc = OGRH_EIO;
      break;
    }
  }
  if (f != stdin) fclose(f);
  return rc;
}

/*
** Crash points for the crash-safety tests: with OGRH_CRASH_AT=N in the environment, the Nth
** crash point reached kills the process on the spot (_exit(99)), as a power cut would.
*/
void ogrh__crashpoint(void);
void ogrh__crashpoint(void) {
  static long at = -1, seen = 0;
  if (at < 0) {
    const char *e = getenv("OGRH_CRASH_AT");
    at = e && *e ? atol(e) : 0;
  }
  if (at > 0 && ++seen == at) _exit(99);
}

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return OGRH_EIO;
    }
    c += w;
    n -= (size_t)w;
  }
  return OGRH_OK;
}

int ogrh_write_file_atomic(const char *path, const void *p, size_t n) {
  if (strcmp(path, "-") == 0) {
    if (fwrite(p, 1, n, stdout) != n || fflush(stdout)) return OGRH_EIO;
    return OGRH_OK;
  }
  size_t plen = strlen(path);
  char *tmp = ogrh_malloc(plen + 16);
  if (!tmp) return OGRH_ENOMEM;
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp.XXXXXX", 12);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    ogrh_free(tmp, plen + 16);
    return OGRH_EIO;
  }
  /* Keep the permissions of the file being replaced, else the usual 0644. */
  struct stat st;
  fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644);
  ogrh__crashpoint();
  /* Half the bytes, a crash point, the rest: a crash can leave a torn temporary file. */
  int rc = write_all(fd, p, n / 2);
  ogrh__crashpoint();
  if (rc == OGRH_OK) rc = write_all(fd, (const char *)p + n / 2, n - n / 2);
  ogrh__crashpoint();
  if (rc == OGRH_OK && fsync(fd) != 0) rc = OGRH_EIO;
  if (close(fd) != 0 && rc == OGRH_OK) rc = OGRH_EIO;
  ogrh__crashpoint();
  if (rc == OGRH_OK && rename(tmp, path) != 0) rc = OGRH_EIO;
  ogrh__crashpoint();
  if (rc != OGRH_OK) {
    unlink(tmp);
  } else {
    /* Make the rename itself durable. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ogrh_malloc((size_t)(slash - path) + 2) : NULL;
    if (dir) {
      size_t dl = slash == path ? 1 : (size_t)(slash - path);
      memcpy(dir, path, dl);
      dir[dl] = '\0';
    }
    int dfd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
    if (dir) ogrh_free(dir, (size_t)(slash - path) + 2);
  }
  ogrh_free(tmp, plen + 16);
  return rc;
}
