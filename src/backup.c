/*
** backup.c
** The backup operations: create (skipping a file identical to the newest backup), load,
** restore with its safety backup, delete, pin, prune, and the automatic backup taken before
** a destructive change. Each builds the catalog it wants and hands it to the store's one
** save, so a failure anywhere leaves the store as it was.
*/
#include "backup_snapshot.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

/* The file hash of a backup: XXH3-64 of the file's bytes, never 0 (0 means "not known"). */
static uint64_t file_hash(const char *text, size_t n) {
  uint64_t h = XXH3_64bits(text, n);
  return h ? h : 1;
}

/* Removes from c what the retention rule deletes; *deleted (may be NULL) gets the count. */
static int apply_retention(bk_cat *c, int64_t now, uint32_t protect, size_t *deleted) {
  size_t n = c->n;
  bool *del = ogrh_malloc((n + 1) * sizeof *del);
  if (!del) return OGRH_ENOMEM;
  size_t d = bk_retention(c->v, n, now, protect, del);
  for (size_t i = n; i-- > 0;)
    if (del[i]) bk_cat_remove(c, c->v[i].id);
  ogrh_free(del, (n + 1) * sizeof *del);
  if (deleted) *deleted = d;
  return OGRH_OK;
}

/*
** Snapshots f into a new backup, adds it to a copy of the catalog with retention applied,
** and saves. old (may be NULL) receives the previous state (see bk_save).
*/
static int add_backup(ogrh_store *s, const ogrh_svfile *f, const char *label,
                      ogrh_backup_reason reason, bool pin, int64_t now, uint64_t raw_size,
                      uint64_t fhash, ogrh_backup_info *info, bk_state *old, ogrh_err *err) {
  bk_snap sn;
  int rc = bk_snapshot_put(s, f, &sn);
  if (!rc && !raw_size) {
    ogrh_buf text;
    ogrh_buf_init(&text);
    rc = ogrh_svfile_write(f, &text);
    raw_size = text.n;
    ogrh_buf_deinit(&text);
  }
  if (rc) return ogrh_err_set(err, rc, "cannot snapshot the file: %s", ogrh_strerror(rc));
  ogrh_backup_info bi;
  memset(&bi, 0, sizeof bi);
  bi.id = s->st.next_id;
  bi.timestamp = now;
  snprintf(bi.label, sizeof bi.label, "%s", label);
  bi.reason = reason;
  bi.raw_size = raw_size;
  bi.pinned = pin || reason == OGRH_REASON_MANUAL;
  bi.root = sn.root;
  bi.snapshot = sn.id;
  bi.raids = sn.raids;
  bi.encounters = sn.encounters;
  bi.file_hash = fhash;
  bk_cat c;
  rc = bk_cat_copy(&c, s->st.cat.v, s->st.cat.n);
  if (!rc) rc = bk_cat_add(&c, &bi);
  /* Retention runs after every backup; the new one is never its victim. */
  if (!rc) rc = apply_retention(&c, now, bi.id, NULL);
  if (rc) {
    bk_cat_free(&c);
    return ogrh_err_set(err, rc, "out of memory");
  }
  rc = bk_save(s, c.v, c.n, bi.id + 1, bi.id, sn.expanded, old, err);
  bk_cat_free(&c);
  if (!rc && info) *info = *ogrh_store_find(s, bi.id);
  return rc;
}

static int check_label(const char *label, char *out, ogrh_err *err) {
  if (bk_label_copy(out, label ? label : "", label ? strlen(label) : 0, OGRH_LABEL_MAX, false))
    return ogrh_err_set(err, OGRH_EINVAL, "the label is not valid UTF-8");
  return OGRH_OK;
}

int ogrh_backup_create(ogrh_store *s, const ogrh_svfile *f, const char *label,
                       ogrh_backup_reason reason, bool pin, int64_t now, uint64_t raw_size,
                       ogrh_backup_info *info, ogrh_err *err) {
  char lab[OGRH_LABEL_MAX + 1];
  if ((unsigned)reason >= OGRH_NREASONS)
    return ogrh_err_set(err, OGRH_EINVAL, "unknown backup reason");
  int rc = check_label(label, lab, err);
  if (rc) return rc;
  return add_backup(s, f, lab, reason, pin, now, raw_size, 0, info, NULL, err);
}

/* The newest backup when it was taken from exactly these bytes and can be trusted to hold
** them. */
static const ogrh_backup_info *same_as_newest(const ogrh_store *s, uint64_t fhash, size_t n) {
  const ogrh_backup_info *b = ogrh_store_at(s, 0);
  if (!b || !bk_trusted(s) || b->damaged || b->file_hash != fhash || b->raw_size != n) return NULL;
  return b;
}

int ogrh_backup_create_text(ogrh_store *s, const char *text, size_t n, const char *name,
                            const char *label, ogrh_backup_reason reason, bool pin, int64_t now,
                            ogrh_backup_info *info, bool *created, ogrh_err *err) {
  char lab[OGRH_LABEL_MAX + 1];
  *created = false;
  if ((unsigned)reason >= OGRH_NREASONS)
    return ogrh_err_set(err, OGRH_EINVAL, "unknown backup reason");
  int rc = check_label(label, lab, err);
  if (rc) return rc;
  uint64_t fh = file_hash(text, n);
  const ogrh_backup_info *same = same_as_newest(s, fh, n);
  if (same) {
    if (info) *info = *same;
    return OGRH_OK;
  }
  ogrh_svfile *f;
  /* f is freed before the text is given back: it need not copy it. */
  if ((rc = ogrh_svfile_parse_borrowed(text, n, name, &f, err))) return rc;
  /* The blobs of a file take less room than its text (a hint: only what is used is touched). */
  bk_reserve_blobs(s, n);
  rc = add_backup(s, f, lab, reason, pin, now, n, fh, info, NULL, err);
  ogrh_svfile_free(f);
  *created = rc == OGRH_OK;
  return rc;
}

int ogrh_backup_load(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  const ogrh_backup_info *bi = ogrh_store_find(s, id);
  if (!bi) return ogrh_err_set(err, OGRH_ENOTFOUND, "no backup with id %u", id);
  if (bi->damaged)
    return ogrh_err_set(err, OGRH_ECORRUPT, "backup %u is damaged: part of its data was lost", id);
  ogrh_svfile *f;
  int rc = bk_snapshot_read(s, bi->snapshot, &f, err);
  if (rc) return rc;
  ogrh_digest root;
  if ((rc = bk_file_root(f, &root))) {
    ogrh_svfile_free(f);
    return ogrh_err_set(err, rc, "backup %u: cannot verify: %s", id, ogrh_strerror(rc));
  }
  if (root != bi->root) {
    ogrh_svfile_free(f);
    return ogrh_err_set(err, OGRH_ECORRUPT,
                        "backup %u is damaged: its data does not match its recorded digest", id);
  }
  *out = f;
  return OGRH_OK;
}

/*
** Keeps what is on disk at svpath before a destructive change: a new backup, or the newest
** one when the file is identical to it, or (for a file that does not parse) a copy of its
** bytes. old/saved: when a backup was written, the previous store state (for undoing).
*/
static int safety_backup(ogrh_store *s, const char *svpath, ogrh_backup_reason reason,
                         const char *label, int64_t now, ogrh_safety *sf, bk_state *old,
                         bool *saved, ogrh_err *err) {
  memset(sf, 0, sizeof *sf);
  *saved = false;
  ogrh_buf raw;
  ogrh_buf_init(&raw);
  int rc = ogrh_read_file(svpath, &raw);
  if (rc == OGRH_ENOTFOUND) {
    ogrh_buf_deinit(&raw);
    return OGRH_OK; /* nothing to lose */
  }
  if (rc) {
    ogrh_buf_deinit(&raw);
    return ogrh_err_set(err, rc, "%s: cannot read it to back it up: %s", svpath, ogrh_strerror(rc));
  }
  sf->existed = true;
  const char *text = raw.p ? raw.p : "";
  uint64_t fh = file_hash(text, raw.n);
  const ogrh_backup_info *same = same_as_newest(s, fh, raw.n);
  ogrh_svfile *cur = NULL;
  ogrh_err perr;
  if (same) {
    sf->reused = true;
    sf->info = *same;
  } else if ((rc = ogrh_svfile_parse(text, raw.n, svpath, &cur, &perr))) {
    if (rc == OGRH_ENOMEM) {
      rc = ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
    } else {
      /* Not a snapshot: at least its bytes are kept, and the caller says so. */
      snprintf(sf->parse_error, sizeof sf->parse_error, "%s", ogrh_err_msg(&perr));
      rc = bk_keep_file(s, "unparsable-before-change", now, text, raw.n, sf->kept, sizeof sf->kept,
                        err);
    }
  } else {
    rc = add_backup(s, cur, label, reason, false, now, raw.n, fh, &sf->info, old, err);
    sf->created = *saved = rc == OGRH_OK;
  }
  ogrh_svfile_free(cur);
  ogrh_buf_deinit(&raw);
  return rc;
}

int ogrh_backup_restore(ogrh_store *s, const char *svpath, uint32_t id, int64_t now,
                        ogrh_safety *safety, ogrh_err *err) {
  /* Verify and write out the backup first: a damaged one must not even cost a safety backup. */
  memset(safety, 0, sizeof *safety);
  ogrh_svfile *f;
  int rc = ogrh_backup_load(s, id, &f, err);
  if (rc) return rc;
  ogrh_buf text;
  ogrh_buf_init(&text);
  rc = ogrh_svfile_write(f, &text);
  ogrh_svfile_free(f);
  if (rc) {
    ogrh_buf_deinit(&text);
    return ogrh_err_set(err, rc, "backup %u: cannot write it out: %s", id, ogrh_strerror(rc));
  }
  char label[64];
  snprintf(label, sizeof label, "before restoring backup %u", id);
  bk_state old;
  bool saved;
  memset(&old, 0, sizeof old);
  rc = safety_backup(s, svpath, OGRH_REASON_BEFORE_RESTORE, label, now, safety, &old, &saved, err);
  if (!rc) {
    rc = ogrh_write_file_atomic(svpath, text.p ? text.p : "", text.n);
    if (rc) {
      ogrh_err_set(err, rc, "%s: cannot write: %s", svpath, ogrh_strerror(rc));
      /* The file is as it was: so is the store. */
      if (saved && !bk_undo_save(s, &old, NULL)) {
        saved = false;
        safety->created = false;
      }
      if (safety->kept[0] && unlink(safety->kept) == 0) safety->kept[0] = '\0';
    }
  }
  if (saved) bk_state_free(&old);
  ogrh_buf_deinit(&text);
  return rc;
}

int ogrh_backup_before(const char *svpath, ogrh_backup_reason reason, const char *label,
                       int64_t now, ogrh_safety *safety, ogrh_err *err) {
  memset(safety, 0, sizeof *safety);
  ogrh_store *s;
  int rc = ogrh_store_open(svpath, &s, err);
  if (rc) return rc;
  char lab[OGRH_LABEL_MAX + 1];
  bool saved;
  rc = check_label(label, lab, err);
  if (!rc) rc = safety_backup(s, svpath, reason, lab, now, safety, NULL, &saved, err);
  ogrh_store_close(s);
  return rc;
}

/* Saves the catalog c (a changed copy of the store's). */
static int save_catalog(ogrh_store *s, bk_cat *c, ogrh_err *err) {
  int rc = bk_save(s, c->v, c->n, s->st.next_id, 0, 0, NULL, err);
  bk_cat_free(c);
  return rc;
}

int ogrh_backup_delete(ogrh_store *s, uint32_t id, bool confirmed, ogrh_err *err) {
  const ogrh_backup_info *bi = ogrh_store_find(s, id);
  if (!bi) return ogrh_err_set(err, OGRH_ENOTFOUND, "no backup with id %u", id);
  if (ogrh_store_count(s) <= OGRH_BACKUP_MIN)
    return ogrh_err_set(err, OGRH_EREFUSED, "Cannot delete - minimum %d backups required",
                        OGRH_BACKUP_MIN);
  if ((bi->reason == OGRH_REASON_MANUAL || bi->pinned) && !confirmed)
    return ogrh_err_set(err, OGRH_EREFUSED,
                        "backup %u is a %s backup: confirm the deletion (--yes)", id,
                        bi->reason == OGRH_REASON_MANUAL ? "manual" : "pinned");
  bk_cat c;
  if (bk_cat_copy(&c, s->st.cat.v, s->st.cat.n))
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  bk_cat_remove(&c, id);
  return save_catalog(s, &c, err);
}

int ogrh_backup_pin(ogrh_store *s, uint32_t id, bool pin, ogrh_err *err) {
  if (!ogrh_store_find(s, id)) return ogrh_err_set(err, OGRH_ENOTFOUND, "no backup with id %u", id);
  bk_cat c;
  if (bk_cat_copy(&c, s->st.cat.v, s->st.cat.n))
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  bk_cat_find(&c, id)->pinned = pin;
  return save_catalog(s, &c, err);
}

int ogrh_backup_prune(ogrh_store *s, int64_t now, size_t *deleted, ogrh_err *err) {
  if (deleted) *deleted = 0;
  bk_cat c;
  size_t d = 0;
  if (bk_cat_copy(&c, s->st.cat.v, s->st.cat.n) || apply_retention(&c, now, 0, &d)) {
    bk_cat_free(&c);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  if (!d) {
    bk_cat_free(&c);
    return OGRH_OK;
  }
  int rc = save_catalog(s, &c, err);
  if (!rc && deleted) *deleted = d;
  return rc;
}
