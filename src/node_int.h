/*
** node_int.h
** The sync node's internals, shared by its modules:
**   node.c         life cycle, roster and admin, permissions, dispatch, events, persistence
**   node_msg.c     message bodies and the persisted state, byte by byte (docs/PROTOCOL.md §10)
**   node_write.c   writes, batches, the outbox, proposals, the revision log, deltas, catch-up
**   node_repair.c  the asking side of anti-entropy: polls heard, drill-down, findings, repair
**                  requests, units applied staged and verified
**   node_serve.c   the answering side: polls sent, drill-down answers, repair planning, the
**                  unit queue
** Internal names start with nd_.
*/
#ifndef OGRH_NODE_INT_H
#define OGRH_NODE_INT_H

#include "ogrh/node.h"

#include <string.h>

#define ND_NAME 49 /* player names: up to 48 bytes and a NUL */

/* ---- small growable byte strings and readers ---- */

/* A reader over a message body: every get checks the bytes left; the first error sticks. */
typedef struct nd_rd {
  const uint8_t *p, *end;
  int err;
} nd_rd;

uint64_t nd_get_varint(nd_rd *r);
uint8_t nd_get_u8(nd_rd *r);
uint64_t nd_get_u64(nd_rd *r);
/* A name: varint length (at most max) and the bytes; *len gets the length. Points into the
** body (not NUL-terminated). */
const char *nd_get_name(nd_rd *r, size_t max, uint32_t *len);
/* A player name into a NUL-terminated buffer of ND_NAME bytes. */
void nd_get_player(nd_rd *r, char out[ND_NAME]);

void nd_put_u8(ogrh_buf *b, uint8_t v);
void nd_put_u64(ogrh_buf *b, uint64_t v);
void nd_put_name(ogrh_buf *b, const char *s, size_t n);
void nd_put_cstr(ogrh_buf *b, const char *s);

/* ---- operations and coalescing sets ---- */

/* One write waiting to be sent: its canonical path text (for ancestor tests) and encoding. */
typedef struct nd_op {
  char *path;
  size_t plen;
  uint8_t *op; /* ogrh_op_encode */
  size_t oplen;
  uint8_t level; /* ogrh_sync_level it was written with */
} nd_op;

/*
** Writes in order, coalesced: adding a write to P removes every earlier write to P or below P
** (it overwrites them), then appends. Applying the set to any state between the first and the
** last revision it covers gives the state after the last (docs/PROTOCOL.md §10.3).
*/
typedef struct nd_opset {
  nd_op *v;
  size_t n, cap;
  size_t bytes; /* sum of oplen */
} nd_opset;

void nd_opset_free(nd_opset *s);
/* Takes copies. The path text must be canonical (ogrh_path_format). */
int nd_opset_add(nd_opset *s, const char *path, size_t plen, const uint8_t *op, size_t oplen,
                 int level);
/* Adds every op of an encoded list (varint n, n ops), as nd_opset_add does. */
int nd_opset_add_encoded(nd_opset *s, const uint8_t *p, size_t n, int level);
int nd_opset_encode(const nd_opset *s, ogrh_buf *b);
bool nd_opset_pushable(const nd_opset *s); /* some op is REALTIME or BATCH */
/* Builds the path text and op encoding of one write. */
int nd_op_make(const ogrh_path *p, const ogrh_value *v, ogrh_buf *path, ogrh_buf *op);

/* ---- proposals, log, ring ---- */

typedef struct nd_ack {
  char name[ND_NAME];
  uint64_t inc, seq;
} nd_ack;

/* A proposal an officer has sent and the admin has not ordered yet. */
typedef struct nd_prop {
  uint64_t seq, base;
  nd_opset ops;
  uint8_t level;
  uint64_t next_at; /* resend time */
  unsigned tries;
} nd_prop;

/* A revision range and the writes that take the document across it (log, ring, held). */
typedef struct nd_entry {
  uint64_t from, to;
  ogrh_digest root; /* root digest at `to` */
  uint8_t *ops;     /* encoded: varint n, n ops */
  size_t len;
  bool big;      /* too large for the log: catching up across it takes a repair */
  uint8_t *acks; /* admin log: the proposals it ordered (varint n, n × name, inc, seq) */
  size_t alen;
} nd_entry;

typedef struct nd_entries {
  nd_entry *v;
  size_t n, cap, bytes;
} nd_entries;

void nd_entries_free(nd_entries *e);
int nd_entries_push(nd_entries *e, uint64_t from, uint64_t to, ogrh_digest root, const uint8_t *ops,
                    size_t len, bool big);
void nd_entries_drop_front(nd_entries *e, size_t k);
/* Drops the oldest entries until at most max_n entries and max_bytes bytes remain. */
void nd_entries_bound(nd_entries *e, size_t max_n, size_t max_bytes);

/* ---- decoded messages ---- */

typedef struct nd_ident {
  const char *name;
  uint32_t len, occ;
} nd_ident;

static inline bool nd_ident_eq(const char *a, size_t al, uint32_t ao, const char *b, size_t bl,
                               uint32_t bo) {
  return al == bl && ao == bo && memcmp(a, b, al) == 0;
}

/* An identity on the wire: a name (at most 1,024 bytes) and a varint occurrence (>= 1). */
nd_ident nd_get_ident(nd_rd *r);
/* An identity followed by a u64 digest (drill-down answers). */
nd_ident nd_get_ident_digest(nd_rd *r, ogrh_digest *dg);

/* DELTA, BATCH, CATCHUP */
typedef struct nd_delta {
  uint64_t epoch, from, to;
  ogrh_digest root;
  uint8_t flags;
  const uint8_t *acks; /* raw: varint n, n × (name, inc, seq) */
  size_t acks_len;
  const uint8_t *body; /* ops (varint n, ops) or units (varint n, unit records) */
  size_t body_len;
} nd_delta;
enum { ND_DF_ACKS = 1, ND_DF_UNITS = 2, ND_DF_NOLOG = 4, ND_DF_BIG = 8 };

typedef struct nd_poll {
  uint64_t epoch, rev;
  uint8_t flags;
  ogrh_digest root, global[OGRH_NGLOBALS], raidlist, raid_digest;
  char grantor[ND_NAME];
  nd_ident raid;
} nd_poll;
enum { ND_PF_PAUSED = 1, ND_PF_GRANTOR = 2, ND_PF_RAID = 4 };

/* One repair unit on the wire (REPAIR, and inline in CATCHUP). */
typedef struct nd_unit {
  ogrh_unit_kind kind;
  int index;
  nd_ident raid, enc;
  ogrh_digest digest;
  ogrh_value value; /* decoded into the caller's arena */
} nd_unit;

/* Items of a repair request (what differs, as the requester sees it). */
enum {
  ND_IT_GLOBAL = 0,
  ND_IT_RAIDLIST,
  ND_IT_RAID_MISSING,
  ND_IT_RAID_META,
  ND_IT_RAID,
  ND_IT_ENC_MISSING,
  ND_IT_COMPONENT,
  ND_IT_FULL,
  ND_IT_ENCOUNTER,
  ND_IT_DIGESTS /* a raid as the asker has it: metadata, list and component digests */
};

/* Drill-down scopes. */
enum { ND_DS_TOP = 0, ND_DS_RAID = 1, ND_DS_ENCS = 2 };

int nd_unit_encode(ogrh_unit_kind kind, int index, const char *raid, size_t raid_len,
                   uint32_t raid_occ, const char *enc, size_t enc_len, uint32_t enc_occ,
                   ogrh_digest digest, const ogrh_value *value, ogrh_buf *b);
int nd_unit_decode(ogrh_arena *a, nd_rd *r, nd_unit *u);
int nd_delta_decode(const uint8_t *p, size_t n, nd_delta *d);
int nd_poll_decode(const uint8_t *p, size_t n, nd_poll *out);

/* ---- the remote model a drill-down builds (names live in the session arena) ---- */

typedef struct nd_renc {
  nd_ident id;
  ogrh_digest digest, comp[OGRH_NCOMPONENTS];
  bool have_comps, want, asked;
  uint64_t heard_at; /* when someone else asked for these components */
  bool heard;
} nd_renc;

typedef struct nd_rraid {
  nd_ident id;
  ogrh_digest digest, meta, list;
  bool have_encs, want, heard;
  uint64_t heard_at;
  nd_renc *encs;
  size_t nencs, capencs;
} nd_rraid;

/* A validation or repair in progress on this node (one at a time). */
typedef struct nd_sess {
  bool active, manual, validate_only, automatic_from_delta;
  /* quick: the poll named a raid that differs; the first request carries its digests and the
     source answers with the units at once (one round trip); falls back to the drill-down */
  bool quick;
  nd_ident quick_raid; /* name in a */
  ogrh_repair_level level;
  char source[ND_NAME]; /* "" = the admin */
  char *f_raid, *f_enc; /* manual filter (in a) */
  ogrh_arena *a;
  ogrh_repair_state phase;
  uint64_t rev_at;
  bool have_top, want_top, top_heard;
  uint64_t top_heard_at;
  ogrh_digest top_root, top_global[OGRH_NGLOBALS], top_raidlist;
  nd_rraid *raids;
  size_t nraids, capraids;
  ogrh_node_diff *diffs;
  size_t ndiffs, capdiffs;
  bool reported, requested, req_heard, backup_taken;
  bool told;              /* manual: VALIDATION_DONE sent */
  ogrh_refusal end_why;   /* why it ended before its comparison did */
  const char *end_reason; /* ... in words (static text) */
  uint64_t send_at;       /* next request goes out then (jitter) */
  uint64_t deadline;      /* no answer by then: retry */
  unsigned tries;
  uint64_t started_at, recv_started_at;
  size_t units_done, units_total;
  uint64_t bytes_done, bytes_total;
} nd_sess;

/* ---- the admin's queues ---- */

/* A drill-down scope requested of this node (the admin or a chosen officer). */
typedef struct nd_dscope {
  int kind;
  char *raid; /* owned */
  uint32_t raid_len, raid_occ;
  char **encs; /* ND_DS_ENCS: owned names */
  uint32_t *enc_len, *enc_occ;
  size_t nencs;
} nd_dscope;

/* A unit to send: its kind and identity (the value is taken when it is sent). */
typedef struct nd_qunit {
  ogrh_unit_kind kind;
  ogrh_priority prio;
  int index;
  char *raid, *enc; /* owned */
  uint32_t raid_len, raid_occ, enc_len, enc_occ;
  size_t bytes;
  bool fresh; /* queued by the current planning round: announced in its plan */
} nd_qunit;

/* ---- roster, refusals ---- */

typedef struct nd_member {
  char name[ND_NAME];
  int rank;
  bool online;
} nd_member;

typedef struct nd_refusal_seen {
  char who[ND_NAME];
  ogrh_refusal why;
  uint64_t at, count;
  bool used;
} nd_refusal_seen;

typedef struct nd_proposer {
  char name[ND_NAME];
  uint64_t inc, seq;
} nd_proposer;

#define ND_REFUSAL_SLOTS 32
#define ND_PROPOSERS 64
#define ND_SCOPES 32 /* changed scopes collected per call */

struct ogrh_node {
  ogrh_node_cfg cfg;
  char self[ND_NAME];
  ogrh_doc *doc;
  ogrh_dtree *tree;
  int doc_token;
  ogrh_router *router;
  ogrh_rng rng;
  uint64_t now;
  int busy; /* inside a call: callbacks may not re-enter */

  /* roster and conditions */
  nd_member *roster;
  size_t nroster, caproster;
  bool in_combat, zoning, in_raid, had_roster;
  char *ctx_raid, *ctx_enc;

  /* who is admin */
  uint64_t epoch;
  char grant_admin[ND_NAME], grantor[ND_NAME]; /* grant_admin "" = no grant */
  char admin[ND_NAME];                         /* effective admin, "" = none */
  bool admin_heard;                            /* the admin has been heard since it became so */
  /* A new admin whose copy is behind its grantor's: it repairs from the grantor before it
     publishes, polls or answers anything, so that its stale copy is pushed over nobody's. */
  bool handover;
  uint64_t handover_need;  /* the source's copy is taken from this revision on */
  uint64_t handover_rev;   /* the highest revision the source's answers carried */
  char grant_src[ND_NAME]; /* a grant being adopted that shows this copy behind: its grantor */
  uint64_t grant_rev;
  bool paused;
  int disc;         /* discovery: 0 idle, 1 listening, 2 asking, 3 gave up */
  uint64_t disc_at; /* next discovery step */
  unsigned disc_tries;
  bool no_admin_reported;

  /* revisions */
  uint64_t rev; /* the admin revision this document is at */
  bool synced;  /* rev and root digest known to match the admin */
  bool stale;   /* known to differ */
  uint64_t incarnation, next_seq;

  /* admin: writes not yet published, the log, proposers' high marks */
  nd_opset pending;
  nd_ack *packs;
  size_t npacks, cappacks;
  uint64_t published; /* revision of the last log entry */
  uint64_t batch_first, batch_last;
  bool batch_open;
  bool big_pending; /* pending holds a change too large to send as ops */
  nd_entries log;
  nd_proposer proposers[ND_PROPOSERS];
  uint64_t next_poll, settle_poll, join_poll;
  bool settle_armed, join_armed;
  uint64_t last_poll;

  /* admin (or chosen source): requests being coalesced, units being sent */
  nd_dscope *dq;
  size_t ndq, capdq;
  uint64_t dq_at;
  bool dq_open;
  nd_qunit *uq;
  size_t nuq, capuq;
  ogrh_repair_opts *rq_opts;
  uint64_t rq_at;
  bool rq_open;
  ogrh_validation *rq_val[5]; /* one per level being collected */
  char *rq_ctx_raid, *rq_ctx_enc;
  bool rq_nothing; /* a request's digests showed nothing to repair: say so (empty plan) */
  uint64_t cq_min, cq_at;
  bool cq_open;
  bool hello_grant;
  uint64_t hello_at; /* the last hello or grant sent on someone's request (rate limit) */
  struct {
    uint64_t key, at;
    bool used;
  } sent_units[32]; /* units sent lately: not queued again within answer_ms / 2 */

  /* officer: the outbox (not yet proposed) and proposals awaiting order */
  nd_opset outbox;
  nd_prop *props;
  size_t nprops, capprops;

  /* every node: deltas held for a gap, the ring of applied deltas, catch-up asking */
  nd_entries held, ring;
  bool cu_want;
  uint64_t cu_at, cu_deadline;
  unsigned cu_tries;
  bool check_root; /* compare the root with the admin's at the next chance */
  uint64_t last_from_admin;

  /* validation and repair */
  nd_sess sess;
  uint64_t sess_backoff, sess_next_auto;

  /* persistence */
  bool dirty_state, dirty_doc;
  uint64_t persist_retry_at, persist_backoff;
  ogrh_digest persisted_root;

  /* events */
  ogrh_scope scopes[ND_SCOPES];
  const ogrh_scope *scope_override; /* a unit being applied reports its own scope */
  size_t nscopes;
  bool scopes_overflow;
  nd_refusal_seen seen[ND_REFUSAL_SLOTS];

  ogrh_node_stats st;
  ogrh_digest root_cache;
};

/* ---- node.c ---- */

bool nd_can_send(const ogrh_node *n);
bool nd_is_admin(const ogrh_node *n);
const nd_member *nd_member_find(const ogrh_node *n, const char *name);
int nd_rank(const ogrh_node *n, const char *name); /* -1 when not in the roster */
void nd_event(ogrh_node *n, ogrh_event *e);        /* fills now, epoch, revision; sends */
void nd_eventf(ogrh_node *n, ogrh_event_kind k, const char *who, const char *what, ogrh_refusal why,
               const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* Counts a refusal and reports it (at most one event per sender and reason per interval). */
void nd_refuse(ogrh_node *n, const char *who, uint8_t type, ogrh_refusal why);
int nd_send(ogrh_node *n, uint8_t type, const ogrh_buf *body, int prio, const char *target);
void nd_mark_state(ogrh_node *n);
int nd_persist_now(ogrh_node *n); /* persists synchronously, returns the code */

/* A write not yet made, persisted as if it were (so that a refused persist changes nothing). */
typedef struct nd_extra {
  const nd_opset *set;
  const char *path;
  size_t plen;
  const uint8_t *op;
  size_t oplen;
  uint8_t level;
  unsigned rev_add;
} nd_extra;
int nd_persist_extra(ogrh_node *n, const nd_extra *x);
ogrh_digest nd_root(ogrh_node *n);

/*
** The digest tree, read through one layer: these few functions in node.c are the only code
** that knows how a tree is laid out (it is becoming opaque, with views of raids and
** encounters). Views stay valid until the tree's next update.
*/
typedef struct nd_top {
  ogrh_digest root, global[OGRH_NGLOBALS], raidlist;
  size_t nraids;
} nd_top;
const ogrh_dtree *nd_tree(ogrh_node *n); /* this node's tree, up to date */
void nd_tree_top(const ogrh_dtree *t, nd_top *out);
const ogrh_dt_raid *nd_tree_raid(const ogrh_dtree *t, size_t i); /* NULL past the end */
const ogrh_dt_raid *nd_tree_find_raid(const ogrh_dtree *t, const char *name, size_t len,
                                      uint32_t occ);
const ogrh_dt_enc *nd_t_enc(const ogrh_dt_raid *r, const char *name, size_t len, uint32_t occ);
const ogrh_dt_raid *nd_t_raid(ogrh_node *n, const char *name, size_t len, uint32_t occ);
int nd_comp_digest(const ogrh_table *enc, int c, ogrh_buf *scratch, ogrh_digest *out);
void nd_heard_admin(ogrh_node *n);
/* A request or proposal made at an older epoch: its sender missed a grant; the grantor says
** it again (at most once per answer_ms). */
void nd_heard_epoch(ogrh_node *n, uint64_t epoch);
/* Accepts a message claiming to come from the admin at epoch: OGRH_OK or the refusal. */
ogrh_refusal nd_check_admin(ogrh_node *n, const char *sender, uint64_t epoch, const char *grantor);
const char *nd_type_name(uint8_t type);
void nd_backup(ogrh_node *n, ogrh_backup_reason reason, const char *label, int *rc);

/* ---- node_msg.c: persisted state ---- */

int nd_state_encode(ogrh_node *n, const nd_extra *x, ogrh_buf *b);
int nd_state_decode(ogrh_node *n, const uint8_t *p, size_t len);

/* ---- node_write.c ---- */

typedef enum { ND_P_UNSYNCED = 0, ND_P_ASSIGNMENT, ND_P_STRUCTURE } nd_pclass;
nd_pclass nd_path_class(const ogrh_path *p);
/* May `who` (rank, admin or not) change p? For officers the role must exist in doc. */
ogrh_refusal nd_may_write(ogrh_node *n, const char *who, const ogrh_path *p);
int nd_write(ogrh_node *n, const ogrh_path *p, const ogrh_value *v, const ogrh_sync_meta *meta,
             ogrh_err *err);
void nd_write_tick(ogrh_node *n);
void nd_flush(ogrh_node *n, bool force);
void nd_on_delta(ogrh_node *n, const char *sender, uint8_t type, const uint8_t *p, size_t len);
void nd_on_proposal(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_refuse(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_catchup_req(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
/* Applies an encoded op list to the document (receiver side). */
int nd_apply_ops(ogrh_node *n, const uint8_t *p, size_t len, size_t *applied);
void nd_ring_reapply(ogrh_node *n, uint64_t after);
bool nd_tentative(const ogrh_node *n);
void nd_want_catchup(ogrh_node *n);
void nd_became_admin(ogrh_node *n);
void nd_write_reset_admin(ogrh_node *n);
int nd_replay_outbox(ogrh_node *n);
int nd_set_root(ogrh_node *n, const ogrh_value *root, const ogrh_sync_meta *meta, ogrh_err *err);

/* ---- node_repair.c: the asking side; node_serve.c: the answering side ---- */

/* Findings as a validation (validate.h): built by the asker for its reports, by the answerer
** from requests for the repair planner. Arrays live in the validation's arena. */
typedef struct nd_valbuild {
  ogrh_validation *v;
  size_t capraids;
  size_t *capencs; /* per raid */
  size_t capcapencs;
} nd_valbuild;
int nd_vb_new(nd_valbuild *vb);
void nd_vb_done(nd_valbuild *vb);
void nd_deepen(ogrh_validation *v, ogrh_level l);
ogrh_vr_raid *nd_vb_raid(nd_valbuild *vb, const char *name, size_t len, uint32_t occ);
ogrh_vr_enc *nd_vb_enc(nd_valbuild *vb, ogrh_vr_raid *r, const char *name, size_t len,
                       uint32_t occ);
/* Someone else's request, heard: what it asks for we do not ask again. */
void nd_heard_drill(ogrh_node *n, nd_rd *r, uint64_t count);
void nd_heard_repair_req(ogrh_node *n, nd_rd *r, uint64_t count);
void nd_serve_tick(ogrh_node *n);
void nd_serve_free(ogrh_node *n);

void nd_repair_tick(ogrh_node *n);
void nd_on_poll(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_drill_req(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_drill_resp(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_repair_req(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_repair_plan(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
void nd_on_repair(ogrh_node *n, const char *sender, const uint8_t *p, size_t len);
int nd_apply_unit(ogrh_node *n, ogrh_arena *a, const nd_unit *u, bool *changed);
int nd_catchup_units(ogrh_node *n, const nd_opset *set, ogrh_buf *out);
void nd_poll_now(ogrh_node *n);
void nd_sess_start_auto(ogrh_node *n, const nd_poll *poll, const char *why);
void nd_sess_end(ogrh_node *n, ogrh_repair_state st);
void nd_handover_begin(ogrh_node *n, const char *grantor, uint64_t rev);
void nd_repair_reset_admin(ogrh_node *n);
void nd_repair_free(ogrh_node *n);
int nd_sess_begin(ogrh_node *n, bool manual, bool validate_only, const char *source,
                  ogrh_repair_level level, const char *raid, const char *enc);

#endif
