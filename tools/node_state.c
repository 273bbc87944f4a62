/*
** node_state.c
** The folder beside the SavedVariables file: the lock that keeps one node per file, the sync
** engine's persisted bytes, the journal of the plan's changes, and the status file
** `ogrh node --status` reads.
**
** The state file is "OGRHNODE1\n", the payload's length as 8 bytes little-endian, the
** payload, and its XXH3-64 (8 bytes little-endian): written atomically, so a crash leaves
** the previous state or the next, and a torn or foreign file is refused, never half-read.
**
** The journal makes the plan as durable as the state while the file itself is written only
** a moment after changes (debounced). The engine persists its state after every change of
** the plan; the state names the plan's root digest, so a state saved beside an older plan
** would make an admin restart without writes its raid already has (and then repair the raid
** back to the older plan). So every change of the plan is noted, and the notes are appended
** to `journal` and synced before the state is saved; base.lua (the plan as last written)
** names the journal that follows it, and a restart applies that journal to it. Each write
** of base.lua starts a new, empty journal.
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

#define JMAGIC "OGRHJNL1"
#define JMAGIC_LEN 8
/* Journal record kinds: one operation (ogrh_op_encode), or the whole schema root. */
#define J_OP 1
#define J_ROOT 2

struct live_state {
  char *dir;
  int lockfd;
  char path[4096];
  /* the journal: its descriptor (appending), the base.lua it follows, notes not yet written */
  int jfd;
  uint64_t jid;
  ogrh_buf jnotes;
  bool jbroken; /* a note was lost or the journal could not be started: commits fail */
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
  if (st) {
    st->jfd = -1;
    ogrh_buf_init(&st->jnotes);
  }
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
  if (st->jfd >= 0) close(st->jfd);
  ogrh_buf_deinit(&st->jnotes);
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

/* ---- the journal ---- */

int live_journal_note(live_state *st, const ogrh_path *path, const ogrh_value *v) {
  if (st->jbroken) return OGRH_EIO;
  ogrh_buf rec;
  ogrh_buf_init(&rec);
  uint8_t kind = path && path->n ? J_OP : J_ROOT;
  ogrh_value nil = ogrh_vnil();
  int rc = kind == J_OP ? ogrh_op_encode(path, v ? v : &nil, &rec)
                        : ogrh_compact_encode(v ? v : &nil, &rec);
  if (!rc && rec.n > UINT32_MAX) rc = OGRH_ETOOBIG;
  if (!rc) {
    uint8_t head[5], sum[8];
    head[0] = kind;
    for (int i = 0; i < 4; i++)
      head[1 + i] = (uint8_t)(rec.n >> (8 * i));
    put64(sum, XXH3_64bits_withSeed(rec.p, rec.n, kind));
    size_t was = st->jnotes.n;
    ogrh_buf_add(&st->jnotes, head, sizeof head);
    ogrh_buf_add(&st->jnotes, rec.p, rec.n);
    ogrh_buf_add(&st->jnotes, sum, sizeof sum);
    rc = ogrh_buf_error(&st->jnotes);
    if (rc) st->jnotes.n = was;
  }
  ogrh_buf_deinit(&rec);
  /* A change that is not in the journal must not be followed by a state that counts it. */
  if (rc) st->jbroken = true;
  return rc;
}

int live_journal_commit(live_state *st, ogrh_err *err) {
  if (st->jbroken || st->jfd < 0)
    return ogrh_err_set(err, OGRH_EIO,
                        "%s/journal: a change of the plan could not be recorded; the state "
                        "waits until the file is written",
                        st->dir);
  if (!st->jnotes.n) return OGRH_OK;
  for (size_t off = 0; off < st->jnotes.n;) {
    ssize_t k = write(st->jfd, st->jnotes.p + off, st->jnotes.n - off);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      int e = errno;
      /* What part of the notes was written stays a torn tail that replay stops at. */
      st->jbroken = true;
      return ogrh_err_set(err, OGRH_EIO, "%s/journal: cannot write: %s", st->dir, strerror(e));
    }
    off += (size_t)k;
  }
  if (fdatasync(st->jfd) != 0) {
    int e = errno;
    st->jbroken = true;
    return ogrh_err_set(err, OGRH_EIO, "%s/journal: cannot sync: %s", st->dir, strerror(e));
  }
  ogrh_buf_reset(&st->jnotes);
  return OGRH_OK;
}

static int journal_open_append(live_state *st) {
  if (st->jfd >= 0) close(st->jfd);
  st->jfd = open(live_state_path(st, "journal"), O_WRONLY | O_APPEND | O_CLOEXEC);
  return st->jfd >= 0 ? OGRH_OK : OGRH_EIO;
}

int live_journal_reset(live_state *st, uint64_t id) {
  uint8_t head[JMAGIC_LEN + 8];
  memcpy(head, JMAGIC, JMAGIC_LEN);
  put64(head + JMAGIC_LEN, id);
  int rc = ogrh_write_file_atomic(live_state_path(st, "journal"), head, sizeof head);
  if (!rc) rc = journal_open_append(st);
  /* base.lua holds every change noted so far. */
  ogrh_buf_reset(&st->jnotes);
  st->jid = id;
  st->jbroken = rc != OGRH_OK;
  return rc;
}

int live_journal_replay(live_state *st, uint64_t id, ogrh_doc *doc, size_t *count, ogrh_err *err) {
  *count = 0;
  const char *path = live_state_path(st, "journal");
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = access(path, F_OK) == 0 ? ogrh_read_file(path, &b) : OGRH_ENOTFOUND;
  const uint8_t *p = (const uint8_t *)b.p;
  if (rc || b.n < JMAGIC_LEN + 8 || memcmp(p, JMAGIC, JMAGIC_LEN) != 0 ||
      get64(p + JMAGIC_LEN) != id) {
    /* No journal for this base.lua (a first start, or base.lua was written after it). */
    ogrh_buf_deinit(&b);
    return live_journal_reset(st, id);
  }
  /* Notes of a document that is being replaced by this one are not its changes. */
  ogrh_buf_reset(&st->jnotes);
  size_t off = JMAGIC_LEN + 8, failed = 0;
  ogrh_arena *a = ogrh_arena_new();
  rc = a ? OGRH_OK : OGRH_ENOMEM;
  while (!rc && b.n - off >= 13) {
    uint8_t kind = p[off];
    size_t len = 0;
    for (size_t i = 0; i < 4; i++)
      len |= (size_t)p[off + 1 + i] << (8 * i);
    if ((kind != J_OP && kind != J_ROOT) || len > b.n - off - 13) break;
    const uint8_t *rec = p + off + 5;
    if (XXH3_64bits_withSeed(rec, len, kind) != get64(rec + len)) break;
    /* A torn tail (a crash while appending) ends the journal: the state saved after those
    ** notes was never written either. */
    size_t used;
    int drc;
    if (kind == J_OP) {
      ogrh_op op;
      drc = ogrh_op_decode(a, rec, len, &op, &used);
      if (!drc) drc = ogrh_doc_set_parsed(doc, &op.path, &op.value, NULL, NULL);
    } else {
      ogrh_value v;
      drc = ogrh_compact_decode(a, rec, len, &v, &used);
      if (!drc) drc = ogrh_doc_replace_root(doc, &v, NULL);
    }
    if (drc) failed++;
    (*count)++;
    off += 13 + len;
  }
  ogrh_arena_free(a);
  if (!rc && off < b.n && truncate(path, (off_t)off) != 0) rc = OGRH_EIO;
  ogrh_buf_deinit(&b);
  if (!rc) rc = journal_open_append(st);
  st->jid = id;
  st->jbroken = rc != OGRH_OK;
  if (rc) return ogrh_err_set(err, rc, "%s: cannot replay: %s", path, ogrh_strerror(rc));
  if (failed)
    return ogrh_err_set(err, OGRH_ECORRUPT, "%s: %zu of %zu changes could not be applied", path,
                        failed, *count);
  return OGRH_OK;
}

uint64_t live_journal_id(const live_state *st) {
  return st->jid;
}
