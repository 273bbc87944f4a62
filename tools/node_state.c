/*
** node_state.c
** The folder beside the SavedVariables file: the lock that keeps one node per file, the sync
** engine's persisted bytes, and the status file `ogrh node --status` reads.
**
** The state file is "OGRHNODE1\n", the payload's length as 8 bytes little-endian, the
** payload, and its XXH3-64 (8 bytes little-endian): written atomically, so a crash leaves
** the previous state or the next, and a torn or foreign file is refused, never half-read.
*/
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define MAGIC "OGRHNODE1\n"
#define MAGIC_LEN 10

struct live_state {
  char *dir;
  int lockfd;
  char path[4096];
};

static char *dir_of(const char *svpath) {
  size_t n = strlen(svpath);
  char *d = malloc(n + 6);
  if (d) {
    memcpy(d, svpath, n);
    memcpy(d + n, ".node", 6);
  }
  return d;
}

int live_state_open(const char *svpath, live_state **out, ogrh_err *err) {
  *out = NULL;
  live_state *st = calloc(1, sizeof *st);
  if (!st || !(st->dir = dir_of(svpath))) {
    free(st);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  if (mkdir(st->dir, 0700) != 0 && errno != EEXIST) {
    int e = errno;
    live_state_close(st);
    return ogrh_err_set(err, OGRH_EIO, "%s.node: cannot create the folder: %s", svpath,
                        strerror(e));
  }
  st->lockfd = open(live_state_path(st, "lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (st->lockfd < 0) {
    int e = errno;
    st->lockfd = -1;
    live_state_close(st);
    return ogrh_err_set(err, OGRH_EIO, "%s.node/lock: %s", svpath, strerror(e));
  }
  if (flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
    live_state_close(st);
    return ogrh_err_set(err, OGRH_ELOCKED, "another 'ogrh node' is running on %s", svpath);
  }
  /* The lock file holds our pid, for people looking. */
  char pid[32];
  int k = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if (ftruncate(st->lockfd, 0) == 0 && write(st->lockfd, pid, (size_t)k) < 0) {
    /* Only informational. */
  }
  *out = st;
  return OGRH_OK;
}

void live_state_close(live_state *st) {
  if (!st) return;
  if (st->lockfd >= 0) close(st->lockfd);
  free(st->dir);
  free(st);
}

const char *live_state_path(live_state *st, const char *name) {
  snprintf(st->path, sizeof st->path, "%s/%s", st->dir, name);
  return st->path;
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}

int live_state_load(live_state *st, ogrh_buf *out, ogrh_err *err) {
  const char *path = live_state_path(st, "state");
  if (access(path, F_OK) != 0) return OGRH_OK;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_read_file(path, &b);
  if (rc) {
    ogrh_buf_deinit(&b);
    return ogrh_err_set(err, rc, "%s: cannot read", path);
  }
  const uint8_t *p = (const uint8_t *)b.p;
  if (b.n < MAGIC_LEN + 16 || memcmp(p, MAGIC, MAGIC_LEN) != 0 ||
      get64(p + MAGIC_LEN) != b.n - MAGIC_LEN - 16 ||
      XXH3_64bits(p + MAGIC_LEN + 8, b.n - MAGIC_LEN - 16) != get64(p + b.n - 8)) {
    ogrh_buf_deinit(&b);
    return ogrh_err_set(err, OGRH_ECORRUPT, "%s: damaged state file", path);
  }
  rc = ogrh_buf_add(out, p + MAGIC_LEN + 8, b.n - MAGIC_LEN - 16);
  ogrh_buf_deinit(&b);
  return rc;
}

int live_state_save(live_state *st, const void *p, size_t n, ogrh_err *err) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  uint8_t len[8], sum[8];
  put64(len, n);
  put64(sum, XXH3_64bits(p, n));
  ogrh_buf_add(&b, MAGIC, MAGIC_LEN);
  ogrh_buf_add(&b, len, 8);
  ogrh_buf_add(&b, p, n);
  ogrh_buf_add(&b, sum, 8);
  int rc = ogrh_buf_error(&b);
  const char *path = live_state_path(st, "state");
  if (!rc) rc = ogrh_write_file_atomic(path, b.p, b.n);
  ogrh_buf_deinit(&b);
  if (rc) return ogrh_err_set(err, rc, "%s: cannot write: %s", path, ogrh_strerror(rc));
  return OGRH_OK;
}

int live_state_write_status(live_state *st, json_t *status) {
  char *text = json_dumps(status, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (!text) return OGRH_ENOMEM;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s/status.json.tmp", st->dir);
  int rc = OGRH_OK;
  FILE *f = fopen(tmp, "w");
  if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0) rc = OGRH_EIO;
  if (f && fclose(f) != 0) rc = OGRH_EIO;
  if (rc == OGRH_OK && rename(tmp, live_state_path(st, "status.json")) != 0) rc = OGRH_EIO;
  ogrh_json_free(text);
  return rc;
}

int live_state_read_status(const char *svpath, ogrh_buf *out, ogrh_err *err) {
  char *dir = dir_of(svpath);
  if (!dir) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  char path[4200];
  snprintf(path, sizeof path, "%s/status.json", dir);
  free(dir);
  if (access(path, F_OK) != 0)
    return ogrh_err_set(err, OGRH_ENOTFOUND, "no node has run on %s (no %s)", svpath, path);
  int rc = ogrh_read_file(path, out);
  if (rc) return ogrh_err_set(err, rc, "%s: cannot read", path);
  return OGRH_OK;
}
