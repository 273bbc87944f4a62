/*
** node_file.c
** The SavedVariables file the live node owns. It is loaded at start and written back
** atomically a moment after the plan changes; anything the node does not sync (other
** variables, unknown keys, the player's own settings) is kept as it is.
**
** The game rewrites the file at logout and /reload, and a person may edit it. A change made
** from outside is noticed (inotify on the folder, else size and mtime every second), read,
** compared with the plan the node holds, and turned into operations the engine applies as this
** player's writes, with the permissions that apply. The node never writes over a file it has
** not read: before every write the file on disk must be the one it last wrote or read.
**
** base.lua (in the node's folder) is the plan as the node last wrote it, followed by a comment
** line "-- ogrh-node file=<hash> prev=<hash> journal=<id>": the XXH3 of the bytes written to
** the file and of the bytes the file held before, and the journal that follows it. At start,
** the journal's changes are applied to base.lua's plan (node_state.c: every change is in the
** journal before the engine's state counts it); a file whose hash is `file` is unchanged;
** `prev` means the node stopped between writing base.lua and the file (the file is just
** behind); anything else was changed while no node ran, and the difference is handed to the
** engine.
*/
#define _GNU_SOURCE /* renameat2 */
#include "node_live.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(__linux__)
#include <sys/inotify.h>
#endif

/* A write waits for this much quiet after the last change, but never longer than the cap. */
#define WRITE_QUIET_MS 300
#define WRITE_CAP_MS 2000
/* After an inotify event, wait this long for the writer to finish. */
#define SETTLE_MS 150
#define POLL_MS 1000
/* A file that does not parse is read again this often, this many times, before it is
** reported as broken (the game may be in the middle of writing it). */
#define RETRY_MS 300
#define RETRIES 8
/* How many replaced values are remembered, and for how long. */
#define HIST 4096
#define HIST_MS (12 * 3600 * 1000ull)

typedef struct seen {
  bool exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
} seen;

struct live_file {
  char *path, *dir;
  const char *name; /* the file's name inside dir */
  live_state *st;
  live_log *log;
  ogrh_doc *doc;
  seen disk;          /* the file as we last wrote or read it */
  uint64_t disk_hash; /* XXH3 of those bytes (0: none) */
  uint64_t disk_text; /* XXH3 of our own writing of what they hold (comments, order aside) */
  uint64_t base_hash; /* the `file` hash recorded in base.lua */
  bool dirty;
  uint64_t dirty_since, last_touch;
  bool check_pending;
  uint64_t check_at;
  unsigned tries;
  int ifd, wd;
  uint64_t next_poll;
  live_outside_fn outside;
  void *outside_ud;
  ogrh_svfile *on_disk;        /* what the file held when we last wrote or read it */
  ogrh_svfile *found_at_start; /* the file when it differed from base.lua at start */
  bool in_callback;
  live_file_stats stats;
  /* What the node's own writes replaced in the file, path by path (see stale()). */
  struct replaced {
    uint64_t path, value, at;
  } hist[HIST];
  size_t nhist, hist_next;
  bool doc_given; /* the engine owns the document */
  int sub;        /* our subscription to the document's changes */
};

static seen seen_of(const struct stat *sb) {
  seen s;
  memset(&s, 0, sizeof s);
  s.exists = true;
  s.dev = sb->st_dev;
  s.ino = sb->st_ino;
  s.size = sb->st_size;
  s.mtime = sb->st_mtim;
  return s;
}

static seen stat_of(const char *path) {
  struct stat sb;
  seen none;
  memset(&none, 0, sizeof none);
  return stat(path, &sb) == 0 ? seen_of(&sb) : none;
}

/*
** Reads the file and what stat says of the very bytes read (one descriptor for both: a file
** replaced in between cannot pair one file's bytes with another's identity).
*/
static int read_seen(const char *path, ogrh_buf *b, seen *s) {
  ogrh_buf_reset(b);
  memset(s, 0, sizeof *s);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? OGRH_ENOTFOUND : OGRH_EIO;
  struct stat sb;
  int rc = fstat(fd, &sb) == 0 ? OGRH_OK : OGRH_EIO;
  if (!rc) *s = seen_of(&sb);
  char chunk[65536];
  for (ssize_t k; !rc && (k = read(fd, chunk, sizeof chunk)) != 0;) {
    if (k < 0) {
      if (errno != EINTR) rc = OGRH_EIO;
      continue;
    }
    rc = ogrh_buf_add(b, chunk, (size_t)k);
  }
  close(fd);
  if (!rc && !b->p) rc = ogrh_buf_adds(b, "");
  return rc;
}

static bool same_seen(const seen *a, const seen *b) {
  return a->exists == b->exists &&
         (!a->exists ||
          (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec));
}

static void on_change(void *ud, const ogrh_change *c) {
  live_file *f = ud;
  /* A failed note makes the next commit fail: the state then waits for the file. */
  live_journal_note(f->st, c->path, c->new_value);
  live_file_touch(f, live_now_ms());
}

/* ---- differences ---- */

typedef struct oplist {
  live_op *v;
  size_t n, cap;
  int rc;
} oplist;

static void add_op(oplist *l, const ogrh_path *p, const ogrh_value *v) {
  if (l->rc) return;
  if ((l->rc = ogrh_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v)) != OGRH_OK) return;
  live_op *op = &l->v[l->n++];
  memset(op, 0, sizeof *op);
  op->path = *p;
  op->value = v ? *v : ogrh_vnil();
  ogrh_path_scope(p, &op->scope);
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_path_format(p, p->n, &b);
  snprintf(op->text, sizeof op->text, "%s", b.p ? b.p : "");
  ogrh_buf_deinit(&b);
}

/*
** Appends the operations that turn a into b under path p: a key only in a is deleted, a key
** only in b is set, tables present on both sides are compared key by key (both are in
** canonical order, so one merge pass), anything else that differs is set whole.
*/
static void diff(const ogrh_value *a, const ogrh_value *b, ogrh_path *p, oplist *l) {
  if (ogrh_value_equal(a, b)) return;
  if (a->type != OGRH_TABLE || b->type != OGRH_TABLE || p->n >= OGRH_PATH_MAX) {
    add_op(l, p, b);
    return;
  }
  const ogrh_table *ta = a->u.t, *tb = b->u.t;
  uint32_t i = 0, j = 0;
  while (i < ta->n || j < tb->n) {
    int c = i == ta->n ? 1 : j == tb->n ? -1 : ogrh_key_cmp(&ta->e[i].key, &tb->e[j].key);
    p->seg[p->n++] = c <= 0 ? ta->e[i].key : tb->e[j].key;
    if (c < 0) {
      add_op(l, p, NULL);
    } else if (c > 0 && tb->e[j].val.type == OGRH_TABLE && tb->e[j].val.u.t->n &&
               p->n < OGRH_PATH_MAX) {
      /* A new table is added leaf by leaf: setting it whole would replace one that appeared
      ** in the plan meanwhile (SetPath creates the tables on the way). */
      static ogrh_table none;
      ogrh_value empty = ogrh_vtable(&none);
      diff(&empty, &tb->e[j].val, p, l);
    } else if (c > 0) {
      add_op(l, p, &tb->e[j].val);
    } else {
      diff(&ta->e[i].val, &tb->e[j].val, p, l);
    }
    p->n--;
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
}

/* ---- values the node's own writes replaced ---- */

/*
** Whoever writes the file from outside started from some earlier version of it: the game
** writes at logout the plan it loaded at login, an editor saves what it opened. Where such a
** file holds, at some path, exactly the value one of the node's own writes replaced there, it
** is an older copy speaking, not an edit: taking it would undo what the team changed
** meanwhile. So every write remembers (path, old value) for what it changed, and those are
** not taken back from the file (the file is written again with the plan's values).
*/
static uint64_t value_hash(const ogrh_value *v) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_value nil = ogrh_vnil();
  uint64_t h = ogrh_canon_encode(v ? v : &nil, &b) == OGRH_OK ? XXH3_64bits(b.p, b.n) : 0;
  ogrh_buf_deinit(&b);
  return h;
}

static uint64_t path_hash(const ogrh_path *p) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  uint64_t h = ogrh_path_format(p, p->n, &b) == OGRH_OK ? XXH3_64bits(b.p, b.n) : 0;
  ogrh_buf_deinit(&b);
  return h;
}

const ogrh_value *live_value_at(const ogrh_value *root, const ogrh_path *p) {
  const ogrh_value *v = root;
  for (size_t i = 0; v && i < p->n; i++)
    v = v->type == OGRH_TABLE ? ogrh_table_get(v->u.t, &p->seg[i]) : NULL;
  return v;
}

static void remember(live_file *f, const ogrh_path *p, const ogrh_value *old, uint64_t now) {
  f->hist[f->hist_next] = (struct replaced){path_hash(p), value_hash(old), now};
  f->hist_next = (f->hist_next + 1) % HIST;
  if (f->nhist < HIST) f->nhist++;
}

static bool stale(const live_file *f, const ogrh_path *p, const ogrh_value *v, uint64_t now) {
  uint64_t ph = 0, vh = 0;
  for (size_t i = 0; i < f->nhist; i++) {
    const struct replaced *r = &f->hist[i];
    if (now - r->at > HIST_MS) continue;
    if (!ph) {
      ph = path_hash(p);
      vh = value_hash(v);
    }
    if (r->path == ph && r->value == vh) return true;
  }
  return false;
}

/* The OGRH_SV table of a file (NULL when absent or not a table). */
static ogrh_value *sv_table(ogrh_svfile *f) {
  ogrh_value *v = ogrh_svfile_get(f, "OGRH_SV");
  return v && v->type == OGRH_TABLE ? v : NULL;
}

/* Whether a value changed between before (NULL: unknown, so yes) and theirs. */
static bool changed(const ogrh_value *before, const ogrh_value *theirs) {
  ogrh_value nil = ogrh_vnil();
  return !ogrh_value_equal(before ? before : &nil, theirs ? theirs : &nil);
}

/* Copies v (nil: removes) into the document's variable or OGRH_SV key. */
static int put(ogrh_arena *a, ogrh_value *slot, const ogrh_value *v) {
  ogrh_value copy;
  int rc = ogrh_value_copy(a, v, &copy);
  if (!rc) *slot = copy;
  return rc;
}

/*
** Takes over what is not synced and changed between before (the file as it was; NULL: take
** everything) and theirs: other variables, and in v2 files the keys of OGRH_SV beside the
** schema root. They belong to the player alone; no engine is asked.
*/
static int adopt_unsynced(live_file *f, ogrh_svfile *before, ogrh_svfile *theirs) {
  ogrh_svfile *mine = ogrh_doc_svfile(f->doc);
  ogrh_arena *a = ogrh_doc_arena(f->doc);
  ogrh_value nil = ogrh_vnil();
  int rc = OGRH_OK;
  for (size_t i = 0; i < theirs->n && !rc; i++) {
    const ogrh_sv_var *v = &theirs->vars[i];
    if (strcmp(v->name, "OGRH_SV") == 0) continue;
    if (before && !changed(ogrh_svfile_get(before, v->name), &v->value)) continue;
    ogrh_value *cur = ogrh_svfile_get(mine, v->name);
    if (cur)
      rc = put(a, cur, &v->value);
    else if (!(rc = ogrh_svfile_set(mine, v->name, &nil)))
      rc = put(a, ogrh_svfile_get(mine, v->name), &v->value);
  }
  /* Variables removed from the file are removed from ours too. */
  for (size_t i = 0; i < mine->n && !rc; i++) {
    const char *name = mine->vars[i].name;
    if (strcmp(name, "OGRH_SV") != 0 && !ogrh_svfile_get(theirs, name) &&
        (!before || ogrh_svfile_get(before, name)))
      mine->vars[i].value = nil;
  }
  ogrh_value *ms = sv_table(mine), *ts = sv_table(theirs);
  ogrh_value *bs = before ? sv_table(before) : NULL;
  if (rc || !ms || !ts || !ogrh_doc_is_v2(f->doc)) return rc;
  ogrh_value v2key = ogrh_vcstr("v2");
  const ogrh_table *tt = ts->u.t;
  for (uint32_t i = 0; i < tt->n && !rc; i++) {
    if (ogrh_key_cmp(&tt->e[i].key, &v2key) == 0) continue;
    if (before && !changed(bs ? ogrh_table_get(bs->u.t, &tt->e[i].key) : NULL, &tt->e[i].val))
      continue;
    ogrh_value k, v;
    if (!(rc = ogrh_value_copy(a, &tt->e[i].key, &k)) &&
        !(rc = ogrh_value_copy(a, &tt->e[i].val, &v)))
      rc = ogrh_table_set(a, ms->u.t, &k, &v);
  }
  return rc;
}

/* ---- reading and writing ---- */

/* The XXH3 of the file as our writer would write it (0 when it cannot). */
static uint64_t text_hash(const ogrh_svfile *sv) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  uint64_t h = ogrh_svfile_write(sv, &b) == OGRH_OK ? XXH3_64bits(b.p, b.n) : 0;
  ogrh_buf_deinit(&b);
  return h;
}

/* Takes a backup of what the file held before the node reverts refused edits in it. */
static void keep_refused(live_file *f, ogrh_svfile *theirs, size_t refused) {
  ogrh_store *s;
  ogrh_err err;
  if (ogrh_store_open(f->path, &s, &err)) {
    live_log_event(f->log, LIVE_EVENT, "error", NULL, "cannot keep the refused edits: %s",
                   ogrh_err_msg(&err));
    return;
  }
  char label[128];
  snprintf(label, sizeof label, "Edits from outside, refused (%zu)", refused);
  ogrh_backup_info info;
  if (ogrh_backup_create(s, theirs, label, OGRH_REASON_MANUAL, false, live_wall(), 0, &info, &err))
    live_log_event(f->log, LIVE_EVENT, "error", NULL, "cannot keep the refused edits: %s",
                   ogrh_err_msg(&err));
  else
    live_log_event(f->log, LIVE_EVENT, "backup",
                   json_pack("{s:i, s:s}", "id", (int)info.id, "label", label),
                   "the file as edited is kept as backup %u", info.id);
  ogrh_store_close(s);
}

/*
** The file now holds theirs. What the outside writer changed is the difference between the
** file as it was (on_disk: what we last wrote or read) and theirs, not between our plan and
** theirs: whoever wrote it may have started from a file a moment older than our plan, and
** what it did not touch must not undo what happened meanwhile. The differences go to the
** engine as this player's writes; what is not synced is adopted; and the file is written
** again when the plan the node holds differs from it. Takes theirs.
*/
static void handle_theirs(live_file *f, ogrh_svfile *theirs, uint64_t now) {
  f->stats.outside_changes++;
  ogrh_svfile *before = f->on_disk;
  ogrh_value *mine_root = before ? ogrh_svfile_schema_root(before) : NULL;
  if (!mine_root) mine_root = ogrh_doc_root(f->doc);
  ogrh_value *their_root = ogrh_svfile_schema_root(theirs);
  oplist l = {NULL, 0, 0, OGRH_OK};
  if (!their_root) {
    live_log_event(f->log, LIVE_EVENT, "refused",
                   json_pack("{s:s, s:s}", "who", f->log->who, "what", "file"),
                   "the file no longer holds an OGRH plan (OGRH_SV): ignored, writing it again");
  } else if (!mine_root) {
    ogrh_path empty;
    empty.n = 0;
    add_op(&l, &empty, their_root);
  } else {
    ogrh_path p;
    p.n = 0;
    diff(mine_root, their_root, &p, &l);
  }
  size_t old_copy = 0;
  for (size_t i = 0; i < l.n;) {
    if (stale(f, &l.v[i].path, &l.v[i].value, now)) {
      old_copy++;
      l.v[i] = l.v[--l.n];
    } else {
      i++;
    }
  }
  if (old_copy)
    live_log_event(f->log, LIVE_EVENT, "file-stale",
                   json_pack("{s:I}", "count", (json_int_t)old_copy),
                   "%zu value%s in %s only put back what the plan held before (an older copy of "
                   "the file was written): kept the plan's",
                   old_copy, old_copy == 1 ? "" : "s", f->path);
  int rc = l.rc ? l.rc : adopt_unsynced(f, before, theirs);
  if (rc)
    live_log_event(f->log, LIVE_EVENT, "error", NULL, "cannot take the file's changes: %s",
                   ogrh_strerror(rc));
  size_t accepted = 0, refused = 0;
  if (!rc && l.n) {
    bool *ok = calloc(l.n, sizeof *ok);
    if (ok && f->outside) {
      f->in_callback = true;
      f->outside(f->outside_ud, l.v, l.n, ok);
      f->in_callback = false;
    }
    for (size_t i = 0; i < l.n; i++)
      ok &&ok[i] ? accepted++ : refused++;
    free(ok);
  }
  f->stats.ops_accepted += accepted;
  f->stats.ops_refused += refused;
  live_log_event(
      f->log, LIVE_VERBOSE, "file-read",
      json_pack("{s:I, s:I}", "accepted", (json_int_t)accepted, "refused", (json_int_t)refused),
      "read %s after a change from outside: %zu difference%s, %zu accepted", f->path, l.n,
      l.n == 1 ? "" : "s", accepted);
  if (refused) keep_refused(f, theirs, refused);
  free(l.v);
  f->on_disk = theirs;
  ogrh_svfile_free(before);
  /* Whatever was refused, or changed meanwhile, is written back over the file. */
  if (text_hash(ogrh_doc_svfile(f->doc)) != f->disk_text) live_file_touch(f, now);
}

static void readable(live_file *f) {
  if (f->stats.broken)
    live_log_event(f->log, LIVE_EVENT, "file-readable", NULL, "%s can be read again", f->path);
  f->stats.broken = false;
  f->tries = 0;
}

/* Reads the file if it changed on disk; force reads it even when it looks the same. */
static void check(live_file *f, uint64_t now, bool force) {
  f->check_pending = false;
  seen s = stat_of(f->path);
  if (!s.exists) {
    if (f->disk.exists) {
      live_log_event(f->log, LIVE_EVENT, "file-removed", NULL, "%s was removed: writing it again",
                     f->path);
      f->disk = s;
      f->disk_hash = f->disk_text = 0;
      live_file_touch(f, now);
    }
    return;
  }
  if (!force && same_seen(&s, &f->disk)) return;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = read_seen(f->path, &b, &s);
  uint64_t h = rc ? 0 : XXH3_64bits(b.p, b.n);
  if (!rc && h == f->disk_hash) {
    f->disk = s; /* touched, or put back, but the same bytes */
    ogrh_buf_deinit(&b);
    readable(f);
    return;
  }
  ogrh_svfile *theirs = NULL;
  ogrh_err err;
  if (!rc) rc = ogrh_svfile_parse(b.p, b.n, f->path, &theirs, &err);
  ogrh_buf_deinit(&b);
  if (rc) {
    /* Maybe caught in the middle of a write: try again soon, and never write over it. */
    if (++f->tries <= RETRIES) {
      f->check_pending = true;
      f->check_at = now + RETRY_MS;
    } else if (!f->stats.broken) {
      f->stats.broken = true;
      f->stats.unreadable++;
      live_log_event(f->log, LIVE_EVENT, "file-broken", NULL,
                     "%s cannot be read (%s): the node will not write over it until it can",
                     f->path, rc == OGRH_ESYNTAX ? ogrh_err_msg(&err) : ogrh_strerror(rc));
    }
    return;
  }
  readable(f);
  f->disk = s;
  f->disk_hash = h;
  f->disk_text = text_hash(theirs);
  handle_theirs(f, theirs, now);
}

/*
** Replaces the file with p[0..n) and hands back, in previous, the bytes it held at that very
** moment: a temporary file is written and synced, then swapped with the file in one step
** (renameat2 RENAME_EXCHANGE), so whatever someone wrote there a moment before is not lost but
** returned to be merged. Where the exchange is not available, a plain rename (and *got is
** false).
*/
static int write_exchange(live_file *f, const char *p, size_t n, ogrh_buf *previous, bool *got) {
  *got = false;
  size_t pl = strlen(f->path);
  char *tmp = malloc(pl + 20);
  if (!tmp) return OGRH_ENOMEM;
  memcpy(tmp, f->path, pl);
  memcpy(tmp + pl, ".node-tmp.XXXXXX", 17);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    free(tmp);
    return OGRH_EIO;
  }
  struct stat sb;
  fchmod(fd, stat(f->path, &sb) == 0 ? (sb.st_mode & 07777) : 0644);
  int rc = OGRH_OK;
  for (size_t off = 0; rc == OGRH_OK && off < n;) {
    ssize_t k = write(fd, p + off, n - off);
    if (k < 0 && errno != EINTR) rc = OGRH_EIO;
    if (k > 0) off += (size_t)k;
  }
  if (rc == OGRH_OK && fsync(fd) != 0) rc = OGRH_EIO;
  if (close(fd) != 0 && rc == OGRH_OK) rc = OGRH_EIO;
  if (rc == OGRH_OK) {
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, f->path, RENAME_EXCHANGE) == 0) {
      seen s;
      rc = read_seen(tmp, previous, &s);
      *got = rc == OGRH_OK;
      unlink(tmp);
      rc = OGRH_OK;
    } else
#endif
        if (rename(tmp, f->path) != 0) {
      rc = OGRH_EIO;
    }
  }
  if (rc) unlink(tmp);
  free(tmp);
  /* Make the rename durable. */
  int dfd = rc ? -1 : open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return rc;
}

/* Writes base.lua (text: the plan as the file gets it) and starts the journal that follows. */
static int write_base(live_file *f, const ogrh_buf *text, uint64_t h, uint64_t prev) {
  uint64_t id = live_journal_id(f->st) + 1;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_buf_add(&b, text->p, text->n);
  ogrh_buf_printf(&b,
                  "-- ogrh-node file=%016" PRIx64 " prev=%016" PRIx64 " journal=%016" PRIx64 "\n",
                  h, prev, id);
  int rc = ogrh_buf_error(&b);
  if (!rc) rc = ogrh_write_file_atomic(live_state_path(f->st, "base.lua"), b.p, b.n);
  ogrh_buf_deinit(&b);
  if (rc) return rc;
  f->base_hash = h;
  if (live_journal_reset(f->st, id))
    live_log_event(f->log, LIVE_EVENT, "error", NULL,
                   "cannot start %s: the sync state waits until it can",
                   live_state_path(f->st, "journal"));
  return OGRH_OK;
}

static int write_unlocked(live_file *f, uint64_t now);

/*
** Writes under the writers' lock (ogrh_file_lock_acquire), held from the last read to the
** replacement, as `ogrh set` and the other commands hold it. The loop does not wait long for
** it: a busy lock means another writer; the write is tried again on a later tick.
*/
static int write_now(live_file *f, uint64_t now) {
  ogrh_file_lock lk;
  int rc = ogrh_file_lock_acquire(f->path, 50, &lk);
  if (rc == OGRH_ELOCKED) {
    f->last_touch = now; /* try again after another quiet moment */
    return OGRH_EAGAIN;
  }
  rc = write_unlocked(f, now);
  ogrh_file_lock_release(&lk);
  return rc;
}

static int write_unlocked(live_file *f, uint64_t now) {
  /* Never over a file we have not read: if it changed since, read it first. */
  check(f, now, false);
  if (f->stats.broken || f->check_pending) return OGRH_EAGAIN;
  ogrh_buf text;
  ogrh_buf_init(&text);
  int rc = ogrh_svfile_write(ogrh_doc_svfile(f->doc), &text);
  if (rc) {
    ogrh_buf_deinit(&text);
    return rc;
  }
  uint64_t h = XXH3_64bits(text.p, text.n);
  f->dirty = false;
  if (f->disk.exists && (h == f->disk_hash || h == f->disk_text)) {
    /* The file already says this (perhaps in other words: comments, spacing). */
    if (f->disk_hash != f->base_hash) rc = write_base(f, &text, f->disk_hash, f->disk_hash);
    ogrh_buf_deinit(&text);
    return rc;
  }
  rc = write_base(f, &text, h, f->disk_hash);
  ogrh_buf previous;
  ogrh_buf_init(&previous);
  bool got_previous = false;
  if (!rc) rc = write_exchange(f, text.p, text.n, &previous, &got_previous);
  ogrh_svfile *written = NULL;
  if (!rc) rc = ogrh_svfile_parse(text.p, text.n, f->path, &written, NULL);
  ogrh_buf_deinit(&text);
  /* Someone wrote the file after we last looked: what they wrote is merged, not lost. */
  ogrh_svfile *theirs = NULL;
  if (!rc && got_previous && f->disk.exists &&
      XXH3_64bits(previous.p, previous.n) != f->disk_hash &&
      ogrh_svfile_parse(previous.p, previous.n, f->path, &theirs, NULL) != OGRH_OK)
    theirs = NULL;
  ogrh_buf_deinit(&previous);
  if (rc) {
    f->dirty = true;
    live_log_event(f->log, LIVE_EVENT, "error", NULL, "cannot write %s: %s", f->path,
                   ogrh_strerror(rc));
    return rc;
  }
  /*
  ** Remember the file as it is now, if it is still ours: someone may have replaced it right
  ** after our rename, and then its identity must not be taken for ours (check reads it).
  */
  ogrh_buf back;
  ogrh_buf_init(&back);
  seen now_seen;
  if (read_seen(f->path, &back, &now_seen) == OGRH_OK && XXH3_64bits(back.p, back.n) == h) {
    f->disk = now_seen;
  } else {
    memset(&f->disk, 0, sizeof f->disk);
    f->disk.exists = true; /* matches no real file: the next check reads it */
    f->check_pending = true;
    f->check_at = now;
  }
  ogrh_buf_deinit(&back);
  f->disk_hash = f->disk_text = h;
  const ogrh_value *old_root = f->on_disk ? ogrh_svfile_schema_root(f->on_disk) : NULL;
  const ogrh_value *new_root = ogrh_svfile_schema_root(written);
  if (old_root && new_root) {
    oplist d = {NULL, 0, 0, OGRH_OK};
    ogrh_path p;
    p.n = 0;
    diff(old_root, new_root, &p, &d);
    for (size_t i = 0; i < d.n; i++)
      remember(f, &d.v[i].path, live_value_at(old_root, &d.v[i].path), now);
    free(d.v);
  }
  if (theirs) {
    live_log_event(f->log, LIVE_VERBOSE, "file-race", NULL,
                   "%s was written by someone else a moment before the node wrote it: merging",
                   f->path);
    handle_theirs(f, theirs, now); /* merged over what we had seen; takes theirs */
    live_file_touch(f, now);
  }
  ogrh_svfile_free(f->on_disk);
  f->on_disk = written;
  f->stats.writes++;
  live_log_event(f->log, LIVE_VERBOSE, "file-written", NULL, "wrote %s", f->path);
  return OGRH_OK;
}

/* ---- opening ---- */

/* Reads base.lua: the plan, the two hashes of its last line and its journal (0: none). */
static int load_base(live_file *f, ogrh_svfile **out, uint64_t *file_h, uint64_t *prev_h,
                     uint64_t *journal) {
  *out = NULL;
  const char *path = live_state_path(f->st, "base.lua");
  if (access(path, F_OK) != 0) return OGRH_ENOTFOUND;
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_read_file(path, &b);
  const char *mark = NULL;
  for (const char *p = b.p; !rc && p && (p = strstr(p, "-- ogrh-node file=")) != NULL; p++)
    mark = p;
  unsigned long long fh, ph, jh = 0;
  if (!rc && (!mark || sscanf(mark, "-- ogrh-node file=%16llx prev=%16llx journal=%16llx", &fh, &ph,
                              &jh) < 2))
    rc = OGRH_ECORRUPT;
  ogrh_err err;
  if (!rc) rc = ogrh_svfile_parse(b.p, b.n, path, out, &err);
  ogrh_buf_deinit(&b);
  if (rc) return rc;
  *file_h = fh;
  *prev_h = ph;
  *journal = jh;
  return OGRH_OK;
}

static void start_watching(live_file *f) {
  f->ifd = -1;
#if defined(__linux__)
  /* OGRH_NODE_POLL=1 checks size and time instead, as on systems without inotify (tests). */
  const char *poll_only = getenv("OGRH_NODE_POLL");
  if (!poll_only || strcmp(poll_only, "1") != 0) f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (f->ifd >= 0) {
    f->wd = inotify_add_watch(f->ifd, f->dir,
                              IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
    if (f->wd < 0) {
      close(f->ifd);
      f->ifd = -1;
    }
  }
#endif
  if (f->ifd < 0)
    live_log_event(f->log, LIVE_VERBOSE, "watch", NULL,
                   "no inotify: checking %s's size and time every second", f->path);
}

/*
** With base.lua: applies its journal (the changes made after it was written; the engine's
** state counts them). Without one (a first start): writes it now, so that the changes of
** the first moments have a journal to go to.
*/
static int start_journal(live_file *f, bool have_base, uint64_t journal, uint64_t file_h,
                         uint64_t prev_h, ogrh_err *err) {
  if (have_base && journal) {
    size_t count;
    ogrh_err jerr;
    int rc = live_journal_replay(f->st, journal, f->doc, &count, &jerr);
    if (rc == OGRH_ECORRUPT)
      live_log_event(f->log, LIVE_EVENT, "error", NULL, "%s", ogrh_err_msg(&jerr));
    else if (rc)
      return ogrh_err_set(err, rc, "%s", ogrh_err_msg(&jerr));
    if (count) {
      live_log_event(f->log, LIVE_VERBOSE, "journal",
                     json_pack("{s:I}", "count", (json_int_t)count),
                     "applied %zu change%s of the plan made after %s was last written", count,
                     count == 1 ? "" : "s", f->path);
      f->dirty = true;
    }
    return OGRH_OK;
  }
  ogrh_buf text;
  ogrh_buf_init(&text);
  int rc = ogrh_svfile_write(ogrh_doc_svfile(f->doc), &text);
  /* An older base.lua without a journal keeps its hashes: they tell edits made meanwhile. */
  if (!rc)
    rc = have_base ? write_base(f, &text, file_h, prev_h)
                   : write_base(f, &text, f->disk_hash, f->disk_hash);
  ogrh_buf_deinit(&text);
  if (rc)
    return ogrh_err_set(err, rc, "%s: cannot write: %s", live_state_path(f->st, "base.lua"),
                        ogrh_strerror(rc));
  return OGRH_OK;
}

int live_file_open(const char *path, live_state *st, live_log *log, live_file **out,
                   ogrh_err *err) {
  *out = NULL;
  live_file *f = calloc(1, sizeof *f);
  if (!f || !(f->path = strdup(path)) || !(f->dir = strdup(path))) {
    if (f) free(f->path);
    free(f);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  char *slash = strrchr(f->dir, '/');
  if (slash) {
    *slash = '\0';
    f->name = path + (slash - f->dir) + 1;
    if (slash == f->dir) strcpy(f->dir, "/");
  } else {
    strcpy(f->dir, ".");
    f->name = path;
  }
  f->st = st;
  f->log = log;
  f->ifd = -1;

  ogrh_svfile *base = NULL, *disk = NULL, *disk_copy = NULL;
  uint64_t base_file = 0, base_prev = 0, journal = 0;
  int brc = load_base(f, &base, &base_file, &base_prev, &journal);
  if (brc && brc != OGRH_ENOTFOUND)
    live_log_event(log, LIVE_EVENT, "error", NULL,
                   "%s is damaged (%s): starting from the file alone",
                   live_state_path(st, "base.lua"), ogrh_strerror(brc));
  int rc = OGRH_OK;
  ogrh_buf b;
  ogrh_buf_init(&b);
  rc = read_seen(path, &b, &f->disk);
  if (rc == OGRH_ENOTFOUND) {
    rc = OGRH_OK;
  } else {
    if (rc) {
      ogrh_err_set(err, rc, "%s: cannot read: %s", path, ogrh_strerror(rc));
    } else {
      f->disk_hash = XXH3_64bits(b.p, b.n);
      rc = ogrh_svfile_parse(b.p, b.n, path, &disk, err);
      if (!rc) f->disk_text = text_hash(disk);
      if (!rc && !base) rc = ogrh_svfile_parse(b.p, b.n, path, &disk_copy, err);
    }
  }
  ogrh_buf_deinit(&b);
  if (rc) {
    ogrh_svfile_free(base);
    ogrh_svfile_free(disk);
    live_file_close(f);
    return rc;
  }
  ogrh_svfile *use;
  if (base) {
    /* base.lua is both the plan the node holds and what the file held when it last wrote. */
    use = base;
    f->base_hash = base_file;
    load_base(f, &f->on_disk, &base_file, &base_prev, &journal);
    if (!f->disk.exists || f->disk_hash == base_prev) {
      /* Missing, or one write behind base.lua: write it again. */
      f->dirty = true;
      ogrh_svfile_free(disk);
    } else if (f->disk_hash != base_file) {
      f->found_at_start = disk;
    } else {
      ogrh_svfile_free(disk);
    }
  } else if (disk) {
    use = disk;
    f->dirty = true; /* writes base.lua */
    f->on_disk = disk_copy;
    disk_copy = NULL;
  } else {
    /* No file yet: the factory defaults, written at once. */
    ogrh_doc *d;
    if ((rc = ogrh_doc_defaults(&d, err)) != OGRH_OK) {
      live_file_close(f);
      return rc;
    }
    f->doc = d;
    f->dirty = true;
    live_log_event(log, LIVE_EVENT, "file-created", NULL,
                   "%s does not exist: starting from the factory defaults", path);
    use = NULL;
  }
  if (use && (rc = ogrh_doc_from_svfile(use, &f->doc, err)) != OGRH_OK) {
    live_file_close(f);
    return rc;
  }
  if ((rc = start_journal(f, base != NULL, journal, base_file, base_prev, err)) != OGRH_OK) {
    live_file_close(f);
    return rc;
  }
  if ((f->sub = ogrh_doc_subscribe(f->doc, on_change, f)) < 0) {
    live_file_close(f);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  *out = f;
  return OGRH_OK;
}

void live_file_give_doc(live_file *f) {
  f->doc_given = true;
}

int live_file_reload_doc(live_file *f, ogrh_err *err) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_svfile *sv = NULL;
  int rc = f->on_disk ? ogrh_svfile_write(f->on_disk, &b) : OGRH_ENOTFOUND;
  if (!rc) rc = ogrh_svfile_parse(b.p, b.n, f->path, &sv, err);
  ogrh_buf_deinit(&b);
  if (!rc)
    rc = ogrh_doc_from_svfile(sv, &f->doc, err);
  else if (rc == OGRH_ENOTFOUND)
    rc = ogrh_doc_defaults(&f->doc, err);
  /* on_disk is base.lua's plan at most: the journal's changes follow it again. */
  size_t count;
  ogrh_err jerr;
  if (!rc && f->on_disk && live_journal_id(f->st) &&
      live_journal_replay(f->st, live_journal_id(f->st), f->doc, &count, &jerr) != OGRH_OK)
    live_log_event(f->log, LIVE_EVENT, "error", NULL, "%s", ogrh_err_msg(&jerr));
  if (!rc && (f->sub = ogrh_doc_subscribe(f->doc, on_change, f)) < 0) rc = OGRH_ENOMEM;
  if (rc) return ogrh_err_set(err, rc, "cannot read the plan again: %s", ogrh_strerror(rc));
  f->doc_given = false;
  return OGRH_OK;
}

int live_file_adopt(live_file *f, ogrh_svfile *src) {
  return adopt_unsynced(f, NULL, src);
}

void live_file_close(live_file *f) {
  if (!f) return;
  if (f->ifd >= 0) close(f->ifd);
  ogrh_svfile_free(f->found_at_start);
  ogrh_svfile_free(f->on_disk);
  if (!f->doc_given) ogrh_doc_free(f->doc);
  free(f->path);
  free(f->dir);
  free(f);
}

ogrh_doc *live_file_doc(live_file *f) {
  return f->doc;
}

void live_file_on_outside(live_file *f, live_outside_fn fn, void *ud) {
  f->outside = fn;
  f->outside_ud = ud;
}

void live_file_start(live_file *f, uint64_t now) {
  start_watching(f);
  f->next_poll = now + POLL_MS;
  if (f->found_at_start) {
    live_log_event(f->log, LIVE_EVENT, "file-changed", NULL,
                   "%s was changed while no node ran: taking the changes", f->path);
    ogrh_svfile *theirs = f->found_at_start;
    f->found_at_start = NULL;
    handle_theirs(f, theirs, now);
  }
}

void live_file_touch(live_file *f, uint64_t now) {
  if (!f->dirty) f->dirty_since = now;
  f->dirty = true;
  f->last_touch = now;
}

int live_file_fd(live_file *f) {
  return f->ifd;
}

void live_file_io(live_file *f, uint64_t now) {
#if defined(__linux__)
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t n = read(f->ifd, buf, sizeof buf);
    if (n <= 0) break;
    for (char *p = buf; p < buf + n;) {
      struct inotify_event *ev = (struct inotify_event *)(void *)p;
      if (ev->len && strcmp(ev->name, f->name) == 0) {
        f->check_pending = true;
        f->check_at = now + SETTLE_MS;
      }
      p += sizeof *ev + ev->len;
    }
  }
#else
  (void)f, (void)now;
#endif
}

uint64_t live_file_tick(live_file *f, uint64_t now) {
  if (f->in_callback) return now + 50;
  if (f->check_pending && now >= f->check_at) check(f, now, false);
  if (f->ifd < 0 && now >= f->next_poll) {
    check(f, now, false);
    f->next_poll = now + POLL_MS;
  }
  if (f->dirty && (now - f->last_touch >= WRITE_QUIET_MS || now - f->dirty_since >= WRITE_CAP_MS))
    write_now(f, now);
  uint64_t next = now + POLL_MS;
  if (f->ifd < 0 && f->next_poll < next) next = f->next_poll;
  if (f->check_pending && f->check_at < next) next = f->check_at;
  if (f->dirty) {
    uint64_t w = f->last_touch + WRITE_QUIET_MS;
    if (f->dirty_since + WRITE_CAP_MS < w) w = f->dirty_since + WRITE_CAP_MS;
    if (w < next) next = w > now ? w : now + 10;
  }
  return next;
}

void live_file_reload(live_file *f, uint64_t now) {
  live_log_event(f->log, LIVE_EVENT, "reload", NULL, "reading %s again", f->path);
  check(f, now, true);
}

int live_file_flush(live_file *f) {
  if (!f->dirty) return OGRH_OK;
  return write_now(f, live_now_ms());
}

const live_file_stats *live_file_stats_get(const live_file *f) {
  live_file *m = (live_file *)f;
  m->stats.dirty = f->dirty;
  return &f->stats;
}
