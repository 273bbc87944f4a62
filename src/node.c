/*
** node.c
** The sync node (ogrh/node.h). This first version holds the API only: writes are applied
** locally, nothing is sent yet. The state machine follows in the next commits.
*/
#include "ogrh/node.h"

#include <stdio.h>
#include <string.h>

struct ogrh_node {
  ogrh_node_cfg cfg;
  char self[49];
  ogrh_doc *doc;
  ogrh_dtree *tree;
  ogrh_node_stats st;
};

const char *ogrh_event_name(ogrh_event_kind k) {
  static const char *const n[] = {"?",
                                  "changed",
                                  "mismatch",
                                  "validated",
                                  "repair requested",
                                  "repair progress",
                                  "repair done",
                                  "repair failed",
                                  "no admin",
                                  "admin changed",
                                  "refused",
                                  "write refused",
                                  "paused",
                                  "resumed",
                                  "restored"};
  return (unsigned)k < sizeof n / sizeof *n ? n[k] : "?";
}

const char *ogrh_refusal_text(ogrh_refusal why) {
  static const char *const t[] = {
#define OGRH__XX(name, text) text,
      OGRH_REFUSAL_MAP(OGRH__XX)
#undef OGRH__XX
  };
  return (unsigned)why < OGRH_NWHY ? t[why] : "?";
}

void ogrh_node_cfg_default(ogrh_node_cfg *c) {
  memset(c, 0, sizeof *c);
  ogrh_wire_cfg_default(&c->wire);
  ogrh_ctl_profile("ctl", &c->ctl);
  ogrh_reasm_limits_default(&c->reasm);
  c->retain_ms = 60000;
  c->seed = 1;
  ogrh_node_timers *t = &c->timers;
  t->batch_quiet_ms = 2000;
  t->batch_cap_ms = 10000;
  t->poll_interval_ms = 30000;
  t->poll_settle_ms = 3000;
  t->poll_join_ms = 1000;
  t->jitter_ms = 1500;
  t->buffer_ms = 2000;
  t->answer_ms = 8000;
  t->tries = 3;
  t->listen_ms = 5000;
  t->proposal_ms = 5000;
  t->refusal_event_ms = 10000;
  ogrh_node_limits *l = &c->limits;
  l->log_entries = 256;
  l->log_bytes = 65536;
  l->ring_entries = 64;
  l->ring_bytes = 32768;
  l->held_entries = 64;
  l->held_bytes = 65536;
  l->outbox_ops = 4096;
  l->message_bytes = 32768;
  l->unit_queue_frames = 4;
}

int ogrh_node_new(const ogrh_node_cfg *cfg, ogrh_node **out) {
  *out = NULL;
  ogrh_doc *doc = cfg->doc;
  if (!cfg->self || !*cfg->self || strlen(cfg->self) > 48 || !cfg->out) {
    ogrh_doc_free(doc);
    return OGRH_EINVAL;
  }
  if (!doc && ogrh_doc_defaults(&doc, NULL)) return OGRH_ENOMEM;
  ogrh_node *n = ogrh_malloc(sizeof *n);
  if (!n) {
    ogrh_doc_free(doc);
    return OGRH_ENOMEM;
  }
  memset(n, 0, sizeof *n);
  n->cfg = *cfg;
  snprintf(n->self, sizeof n->self, "%s", cfg->self);
  n->doc = doc;
  int rc = ogrh_dtree_build(doc, &n->tree);
  if (!rc) rc = ogrh_dtree_attach(n->tree, doc);
  if (rc) {
    ogrh_node_free(n);
    return rc;
  }
  *out = n;
  return OGRH_OK;
}

void ogrh_node_free(ogrh_node *n) {
  if (!n) return;
  ogrh_dtree_free(n->tree);
  ogrh_doc_free(n->doc);
  ogrh_free(n, sizeof *n);
}

void ogrh_node_tick(ogrh_node *n, uint64_t now_ms) {
  (void)n;
  (void)now_ms;
}

uint64_t ogrh_node_next_tick(const ogrh_node *n, uint64_t now_ms) {
  (void)n;
  return now_ms + 1000;
}

int ogrh_node_receive(ogrh_node *n, const char *sender, const char *prefix, const uint8_t *text,
                      size_t len, uint64_t now_ms) {
  (void)now_ms;
  if (!n || !sender || !prefix || (!text && len)) return OGRH_EINVAL;
  return OGRH_OK;
}

int ogrh_node_set_parsed(ogrh_node *n, const ogrh_path *path, const ogrh_value *value,
                         const ogrh_sync_meta *meta, uint64_t now_ms, ogrh_err *err) {
  (void)now_ms;
  n->st.writes++;
  return ogrh_doc_set_parsed(n->doc, path, value, meta, err);
}

int ogrh_node_set(ogrh_node *n, const char *path, const ogrh_value *value,
                  const ogrh_sync_meta *meta, uint64_t now_ms, ogrh_err *err) {
  ogrh_path p;
  int rc = ogrh_path_parse(path, &p, err);
  return rc ? rc : ogrh_node_set_parsed(n, &p, value, meta, now_ms, err);
}

int ogrh_node_delete(ogrh_node *n, const char *path, const ogrh_sync_meta *meta, uint64_t now_ms,
                     ogrh_err *err) {
  (void)now_ms;
  return ogrh_doc_delete(n->doc, path, meta, err);
}

int ogrh_node_set_root(ogrh_node *n, const ogrh_value *root, const ogrh_sync_meta *meta,
                       uint64_t now_ms, ogrh_err *err) {
  (void)now_ms;
  (void)err;
  return ogrh_doc_replace_root(n->doc, root, meta);
}

int ogrh_node_restore(ogrh_node *n, const ogrh_value *root, uint64_t now_ms, ogrh_err *err) {
  return ogrh_node_set_root(n, root, NULL, now_ms, err);
}

int ogrh_node_set_roster(ogrh_node *n, const ogrh_member *members, size_t count, uint64_t now_ms) {
  (void)n;
  (void)members;
  (void)count;
  (void)now_ms;
  return OGRH_OK;
}

void ogrh_node_set_conditions(ogrh_node *n, bool in_combat, bool zoning, bool in_raid,
                              uint64_t now_ms) {
  (void)n;
  (void)in_combat;
  (void)zoning;
  (void)in_raid;
  (void)now_ms;
}

int ogrh_node_set_context(ogrh_node *n, const char *raid, const char *encounter, uint64_t now_ms) {
  (void)n;
  (void)raid;
  (void)encounter;
  (void)now_ms;
  return OGRH_OK;
}

void ogrh_node_set_fps(ogrh_node *n, double fps) {
  (void)n;
  (void)fps;
}

void ogrh_node_bypass(ogrh_node *n, size_t bytes, uint64_t now_ms) {
  (void)n;
  (void)bytes;
  (void)now_ms;
}

int ogrh_node_grant_admin(ogrh_node *n, const char *player, uint64_t now_ms) {
  (void)n;
  (void)player;
  (void)now_ms;
  return OGRH_EREFUSED;
}

int ogrh_node_pause(ogrh_node *n, bool paused, uint64_t now_ms) {
  (void)n;
  (void)paused;
  (void)now_ms;
  return OGRH_EREFUSED;
}

int ogrh_node_validate(ogrh_node *n, const char *source, uint64_t now_ms) {
  (void)n;
  (void)source;
  (void)now_ms;
  return OGRH_ENOTFOUND;
}

int ogrh_node_repair(ogrh_node *n, const ogrh_node_repair_req *req, uint64_t now_ms) {
  (void)n;
  (void)req;
  (void)now_ms;
  return OGRH_ENOTFOUND;
}

void ogrh_node_repair_cancel(ogrh_node *n, uint64_t now_ms) {
  (void)n;
  (void)now_ms;
}

void ogrh_node_status_get(const ogrh_node *n, ogrh_node_status *out) {
  memset(out, 0, sizeof *out);
  out->self = n->self;
  out->admin = out->grantor = "";
  out->rank = -1;
  out->no_admin = true;
  out->root = n->tree->root;
}

const ogrh_node_stats *ogrh_node_stats_get(const ogrh_node *n) {
  return &n->st;
}

size_t ogrh_node_diffs(const ogrh_node *n, const ogrh_node_diff **out) {
  (void)n;
  *out = NULL;
  return 0;
}

ogrh_doc *ogrh_node_doc(ogrh_node *n) {
  return n->doc;
}

const ogrh_dtree *ogrh_node_dtree(ogrh_node *n) {
  ogrh_dtree_update(n->tree);
  return n->tree;
}
