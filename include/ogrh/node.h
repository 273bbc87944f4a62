/*
** ogrh/node.h
** One player's sync state machine: writes and sequenced deltas, the durable outbox, who is
** admin, permissions checked on receive, checksum polls, drill-down and repair, as the C
** counterpart of the seeds' SVM sync (Phase 1) and Phase 6 (docs/PROTOCOL.md §10).
**
** Sans-I/O. The node never reads a clock, a socket, a file or a random source: the host passes
** the time to every call (milliseconds on any monotonic clock; 0 is a valid time), gives the
** node the frames it receives, and the node hands frames to send, state to persist, backups to
** take and events to show to callbacks. Randomness comes from cfg.seed.
**
** Threads: a node is not thread-safe; call it from one thread. Distinct nodes share nothing and
** may run on distinct threads. Callbacks run inside the node's calls; they may call the
** read-only functions below (status, stats, doc reads) but must not call a function that
** changes the node (set, receive, tick...): such a call returns OGRH_EAGAIN.
**
** Errors: functions returning int give 0 (OGRH_OK) or a negative OGRH_E* code (error.h); on an
** error nothing changed (validate first, mutate last) unless the function says otherwise.
*/
#ifndef OGRH_NODE_H
#define OGRH_NODE_H

#include "ogrh/backup.h"
#include "ogrh/router.h"
#include "ogrh/validate.h"

typedef struct ogrh_node ogrh_node;

/* ---- callbacks ---- */

/*
** A frame to put on the channel: WoW's SendAddonMessage(prefix, text, "RAID"). The pointers are
** valid during the call only. Frames leave at the pace of the ChatThrottleLib-compatible sender
** inside the node (throttle.h); the host sends each one as it comes.
*/
typedef void (*ogrh_node_out_fn)(void *ud, const char *prefix, const uint8_t *text, size_t n,
                                 uint64_t now_ms);

/*
** Durable state: the node's revision, epoch and admin, its outbox (writes not yet handed to
** the channel, deletes as tombstones), its proposals awaiting the admin's order, its revision
** log, in one self-checking blob (docs/PROTOCOL.md §10.9). The host stores `state` durably
** and returns 0, or returns a negative code if it could not.
**
** doc_changed is true when the document changed since the last successful persist: the host
** saves it too (ogrh_node_doc), state first or document first as it likes. A node restored
** from a state and a document that do not belong together notices it (the state carries the
** document's root digest) and repairs itself from the admin.
**
** When persisting fails: a write (ogrh_node_set...) that needed it is refused with the
** callback's code and not applied; any other state change stays in memory and persisting is
** retried at later ticks (with backoff: 1 s doubling to 30 s).
*/
typedef int (*ogrh_node_persist_fn)(void *ud, const uint8_t *state, size_t n, bool doc_changed,
                                    uint64_t now_ms);

/*
** A backup of the whole file as it is now, taken before anything large is replaced: a raid or
** full repair ("before repair"), a restore ("before restore"), an admin change ("admin
** transfer"). The live node calls ogrh_backup_create on its SavedVariables file. Returns 0, or
** a negative code: a repair that needed the backup is then not applied (REPAIR_FAILED event);
** an admin change goes ahead anyway (the admin's authority does not depend on local disk).
*/
typedef int (*ogrh_node_backup_fn)(void *ud, ogrh_backup_reason reason, const char *label,
                                   uint64_t now_ms);

/* ---- events for people (stable shapes; docs/PROTOCOL.md §10.10) ---- */

typedef enum {
  OGRH_EV_CHANGED = 1,      /* the plan changed here (write, delta, repair, restore): .scope */
  OGRH_EV_MISMATCH,         /* one per finding: "Structure mismatch detected: BWL > Razorgore >
                               playerAssignments"; .what = "BWL > Razorgore > playerAssignments" */
  OGRH_EV_VALIDATED,        /* a manual validation found nothing: "Structure validation: PASSED" */
  OGRH_EV_REPAIR_REQUESTED, /* "Requesting repair from raid admin..." (or "from <officer>...") */
  OGRH_EV_REPAIR_PROGRESS,  /* .what = unit label; units/bytes done and total, .eta_ms */
  OGRH_EV_REPAIR_DONE,      /* "Repair completed successfully" */
  OGRH_EV_REPAIR_FAILED,    /* "Repair failed: <why>" (.why, .what) */
  OGRH_EV_NO_ADMIN,         /* "No admin online" (once, after bounded retries) */
  OGRH_EV_ADMIN_CHANGED,    /* .who = new admin ("" = none), .epoch, .by = grantor */
  OGRH_EV_REFUSED,          /* a message refused on receive: .who sent .what, .why, .count */
  OGRH_EV_WRITE_REFUSED,    /* one of our writes was refused (by the admin, or at flush): .what =
                               path, .why, .who = who refused ("" = this node) */
  OGRH_EV_PAUSED,           /* "Sync paused by <admin>" */
  OGRH_EV_RESUMED,          /* "Sync resumed by <admin>" */
  OGRH_EV_RESTORED,         /* a restore was applied: admin "... sent to the raid", else local */
  OGRH_EV_VALIDATION_DONE   /* a manual validation (ogrh_node_validate, or the comparison that
                               starts ogrh_node_repair) is over, whatever its result: .what =
                               "passed", "differences" (.count findings, in ogrh_node_diffs) or
                               "incomplete" (.why: NO_ADMIN when the source did not answer, NONE
                               when cancelled or the admin changed); always the last event of a
                               validate-only session */
} ogrh_event_kind;

/* "changed", "mismatch", ... (stable names for logs and JSON). */
const char *ogrh_event_name(ogrh_event_kind k);

/* Why something was refused. One table makes the enum and ogrh_refusal_text. */
#define OGRH_REFUSAL_MAP(XX)                                                                       \
  XX(NONE, "no refusal")                                                                           \
  XX(NOT_ADMIN, "not the raid admin")                                                              \
  XX(STALE_EPOCH, "stale admin epoch")                                                             \
  XX(RANK, "needs the raid leader or an assistant")                                                \
  XX(OFFICER_STRUCTURE, "officers may change assignments only")                                    \
  XX(MEMBER, "members may not change the plan")                                                    \
  XX(NOT_IN_RAID, "not in the raid roster")                                                        \
  XX(MALFORMED, "malformed message")                                                               \
  XX(VERIFY, "does not match the admin's digest")                                                  \
  XX(NOT_SOURCE, "not the chosen repair source")                                                   \
  XX(PAUSED, "sync is paused")                                                                     \
  XX(NO_ADMIN, "no admin online")

typedef enum {
#define OGRH__XX(name, text) OGRH_WHY_##name,
  OGRH_REFUSAL_MAP(OGRH__XX)
#undef OGRH__XX
      OGRH_NWHY
} ogrh_refusal;
const char *ogrh_refusal_text(ogrh_refusal why);

typedef struct ogrh_event {
  ogrh_event_kind kind;
  uint64_t now_ms;
  const char *text;   /* the line a player sees; never NULL */
  const char *who;    /* see the kinds above; never NULL ("" when unused) */
  const char *by;     /* ADMIN_CHANGED: the grantor ("" = roster default: the raid leader) */
  const char *what;   /* see the kinds above; never NULL */
  ogrh_refusal why;   /* REFUSED, WRITE_REFUSED, REPAIR_FAILED (NONE otherwise) */
  uint64_t count;     /* REFUSED: refusals from this sender so far; VALIDATION_DONE: findings */
  ogrh_scope scope;   /* CHANGED: what changed (indexes of this node's document) */
  uint64_t epoch;     /* the admin epoch this node is at */
  uint64_t revision;  /* the document revision this node is at */
  size_t units_done;  /* PROGRESS, DONE */
  size_t units_total; /* PROGRESS, DONE */
  uint64_t bytes_done, bytes_total;
  uint64_t eta_ms; /* PROGRESS: estimated time left */
} ogrh_event;

/* Pointers in *e are valid during the call only. */
typedef void (*ogrh_node_event_fn)(void *ud, const ogrh_event *e);

/* ---- configuration ---- */

/*
** Every timer and bound of the node. ogrh_node_cfg_default fills the seeds' or the original
** addon's values (research/ogrh-sync.md §5.6), named beside each field.
*/
typedef struct ogrh_node_timers {
  uint64_t batch_quiet_ms;   /* BATCH debounce: flush after this long without a write (2000) */
  uint64_t batch_cap_ms;     /* ... but at most this long after the first write (10000) */
  uint64_t poll_interval_ms; /* admin poll period (30000, the addon's) */
  uint64_t poll_settle_ms;   /* admin: poll this long after a burst of changes settles (3000) */
  uint64_t poll_join_ms;     /* admin: poll this long after someone joins or says hello (1000) */
  uint64_t jitter_ms;        /* a node waits 0..jitter_ms before asking (1500) */
  uint64_t buffer_ms;        /* admin coalesces requests this long (500; the seed: 2000) */
  uint64_t answer_ms;        /* no answer (and nothing from the admin) this long: retry (8000) */
  unsigned tries;            /* requests are tried at most this often, backoff doubling (3) */
  uint64_t listen_ms;        /* joining: listen this long for the admin before asking (5000) */
  uint64_t proposal_ms;      /* officer: resend an unanswered proposal after (5000, doubling) */
  uint64_t refusal_event_ms; /* at most one REFUSED event per sender and reason per (10000) */
  uint64_t quick_jitter_ms;  /* a poll names the admin's raid and it differs: the node asks for
                                its units with its digests after 0..quick_jitter_ms (150) */
} ogrh_node_timers;

typedef struct ogrh_node_limits {
  size_t log_entries;       /* admin revision log: entries (256) */
  size_t log_bytes;         /* ... and encoded bytes (65536) */
  size_t ring_entries;      /* deltas a node keeps to re-apply over a late repair unit (64) */
  size_t ring_bytes;        /* (32768) */
  size_t held_entries;      /* deltas held while a gap is filled (64) */
  size_t held_bytes;        /* (65536) */
  size_t outbox_ops;        /* distinct paths waiting in the outbox; more is refused (4096) */
  size_t message_bytes;     /* largest delta or catch-up message the admin builds (16384) */
  size_t unit_queue_frames; /* admin: encode the next repair unit when fewer frames wait (4) */
  size_t unit_bytes;        /* a raid whose canonical encoding is larger than this goes as its
                               metadata, then one unit per encounter, so that no single call encodes
                               or applies much at once (32768: about 0.5 ms to pack here) */
} ogrh_node_limits;

typedef struct ogrh_node_cfg {
  const char *self; /* this player's name (1..48 bytes); copied */
  /*
  ** The plan. The node takes ownership (also when ogrh_node_new fails) and keeps a digest tree
  ** attached to it. NULL: the factory defaults.
  */
  ogrh_doc *doc;
  /* The last state the persist callback stored, or NULL for a first start; copied. */
  const uint8_t *state;
  size_t state_len;
  uint64_t seed;   /* the random generator's seed (jitter, incarnation) */
  uint64_t now_ms; /* the time of creation */

  ogrh_node_out_fn out;         /* required */
  ogrh_node_persist_fn persist; /* NULL: nothing is durable (tests, the simulator's amnesiacs) */
  ogrh_node_backup_fn backup;   /* NULL: no backups are taken (and none is required) */
  ogrh_node_event_fn event;     /* NULL: events are dropped */
  void *ud;                     /* for every callback */

  ogrh_wire_cfg wire;      /* prefix (default "OGRH") and forbidden bytes */
  ogrh_ctl_params ctl;     /* the sender's budget (default: ChatThrottleLib v14) */
  ogrh_reasm_limits reasm; /* reassembly bounds and NACK timers */
  uint64_t retain_ms;      /* sent frames kept for NACKs (60000, OGAddonMsg's) */
  ogrh_node_timers timers;
  ogrh_node_limits limits;
} ogrh_node_cfg;

/* Defaults for everything (self, doc, callbacks and state left empty). */
void ogrh_node_cfg_default(ogrh_node_cfg *c);

/* ---- life cycle ---- */

/*
** Creates a node. With cfg->state, restores the revision, epoch, admin, outbox (whose writes are
** applied to the document again: they are idempotent) and log; a state that does not decode
** (damaged, or another player's) is OGRH_ECORRUPT and nothing is created: the host may retry
** without it (the outbox is then lost, so say so to the player).
** Errors: OGRH_EINVAL (no self, no out callback, bad cfg), OGRH_ECORRUPT, OGRH_ENOMEM.
** cfg->doc is owned by the node from this call on, also on failure (then freed).
*/
int ogrh_node_new(const ogrh_node_cfg *cfg, ogrh_node **out);

/* Frees the node and its document. Frames still queued are dropped (the outbox is durable:
** what it held is sent by the next node restored from the persisted state). NULL is fine. */
void ogrh_node_free(ogrh_node *n);

/*
** Drives timers and the sender. Call it on every client frame (WoW's OnUpdate, 20-144 times a
** second) or at least every 80 ms while ogrh_node_status says frames are queued; time never
** goes back (an earlier now_ms is treated as the last one).
*/
void ogrh_node_tick(ogrh_node *n, uint64_t now_ms);

/* When the next tick is due: the earliest timer of the node, at most a second away (a simulator
** may skip idle time until then; every timer falls due at its own moment). */
uint64_t ogrh_node_next_tick(const ogrh_node *n, uint64_t now_ms);

/*
** A frame from the channel, as CHAT_MSG_ADDON delivers it: sender (the channel's own name for
** the player, which it authenticates), prefix and text. Frames of other prefixes and our own
** echoes are ignored. Everything is checked on receive; nothing a sender may not do is
** applied (refusals are counted and reported). Returns OGRH_OK, or OGRH_EINVAL for NULL
** arguments; bad input is never an error of the call.
*/
int ogrh_node_receive(ogrh_node *n, const char *sender, const char *prefix, const uint8_t *text,
                      size_t len, uint64_t now_ms);

/* ---- writes (the SVM API: sync happens here) ---- */

/*
** Writes value at path (docs/PROTOCOL.md §1, relative to the schema root), with the seeds' sync
** metadata. meta NULL or level NONE picks the level from the path: assignments (assignedPlayers,
** raidMarks, assignmentNumbers) REALTIME, everything else BATCH.
**
**   REALTIME  goes out at once (after the admin sequences it);
**   BATCH     waits for a quiet batch_quiet_ms (at most batch_cap_ms), coalesced per path;
**   GRANULAR, MANUAL are not pushed: they reach the others through the next poll.
**
** The admin's writes are sequenced at once (the next revision); an officer's assignment writes
** are applied here at once (tentative) and proposed to the admin, who orders them; keys outside
** the synced plan (ui, recruitment, ...) are local and never sent. While the node may not send
** (ogrh_node_set_conditions), writes wait in the durable outbox, coalesced per path.
**
** Returns OGRH_OK (applied here; durable if a persist callback is set), OGRH_EREFUSED (this
** player may not make this write: a member, or an officer outside assignments; nothing is
** applied or queued), OGRH_EPATH / OGRH_ENOTTABLE (bad path), OGRH_ETOOBIG (outbox full),
** OGRH_ENOMEM, or the persist callback's code. err (may be NULL) gets a message.
** value is copied.
*/
int ogrh_node_set(ogrh_node *n, const char *path, const ogrh_value *value,
                  const ogrh_sync_meta *meta, uint64_t now_ms, ogrh_err *err);
int ogrh_node_set_parsed(ogrh_node *n, const ogrh_path *path, const ogrh_value *value,
                         const ogrh_sync_meta *meta, uint64_t now_ms, ogrh_err *err);
/* Delete is a write of nil (a tombstone in the outbox); OGRH_ENOTFOUND if nothing is there. */
int ogrh_node_delete(ogrh_node *n, const char *path, const ogrh_sync_meta *meta, uint64_t now_ms,
                     ogrh_err *err);

/*
** Makes the document's schema root equal to root (a copy is taken): the differences become
** writes (one revision on the admin, sent as one delta; on a member, local only, and the next
** poll repairs the plan back to the admin's). For edits made to the file from outside, and for
** restores (ogrh_node_restore). Keys outside the synced plan are written locally.
*/
int ogrh_node_set_root(ogrh_node *n, const ogrh_value *root, const ogrh_sync_meta *meta,
                       uint64_t now_ms, ogrh_err *err);

/*
** Restores a backup's schema root (from ogrh_backup_load): a safety backup first ("before
** restore", through the backup callback; its failure refuses the restore), then
** ogrh_node_set_root. On the admin the restore is a change like any other: a new revision,
** sent to the raid (seed 6.5.3 test 4). On anyone else it is local (RESTORED event).
*/
int ogrh_node_restore(ogrh_node *n, const ogrh_value *root, uint64_t now_ms, ogrh_err *err);

/* ---- what the host tells the node ---- */

typedef struct ogrh_member {
  const char *name;
  int rank;    /* 2 raid leader, 1 assistant, 0 member (GetRaidRosterInfo) */
  bool online; /* offline members cannot be admin */
} ogrh_member;

/*
** The raid roster (names are copied). With no admin grant in force, the leader is admin
** (epoch 0); a granted admin who leaves the roster falls back to the leader at the same epoch
** (every node computes the same answer from the same roster). Joining (an empty roster before)
** starts admin discovery; the admin polls soon after someone joins. An empty roster = not in a
** raid. Errors: OGRH_EINVAL (a name NULL, empty or longer than 48 bytes, a rank outside 0..2).
*/
int ogrh_node_set_roster(ogrh_node *n, const ogrh_member *members, size_t count, uint64_t now_ms);

/*
** What the client knows: in combat (UnitAffectingCombat), on a loading screen, in a raid. The
** node sends nothing while in combat, zoning or not in a raid; writes then wait in the outbox and
** are flushed when all three allow it again. The end of a loading screen also resets the
** sender's budget (ChatThrottleLib's PLAYER_ENTERING_WORLD).
*/
void ogrh_node_set_conditions(ogrh_node *n, bool in_combat, bool zoning, bool in_raid,
                              uint64_t now_ms);

/*
** The raid and encounter this player is looking at (names as in the plan; NULL: none). It sets
** the priorities of repairs (CRITICAL for this encounter, HIGH for the rest of this raid) and,
** on the admin, the raid whose digest each poll carries ("the raid it is running").
*/
int ogrh_node_set_context(ogrh_node *n, const char *raid, const char *encounter, uint64_t now_ms);

/* The client's frame rate (the sender halves its rate below 20 fps). */
void ogrh_node_set_fps(ogrh_node *n, double fps);

/* Bytes another addon sent outside this node (they use the same budget, as with CTL's hook). */
void ogrh_node_bypass(ogrh_node *n, size_t bytes, uint64_t now_ms);

/* ---- admin actions ---- */

/*
** Grants the admin role to player (self = takeover) with the next epoch. Only the raid leader or
** an assistant may (OGRH_EREFUSED otherwise); player must be in the roster (OGRH_ENOTFOUND).
** Every node takes a backup ("admin transfer") when it accepts an admin change.
*/
int ogrh_node_grant_admin(ogrh_node *n, const char *player, uint64_t now_ms);

/*
** Pauses or resumes sync (admin only: OGRH_EREFUSED). While paused nothing is pushed and no poll
** goes out; writes keep being applied and sequenced, and on resume everything changed meanwhile
** reaches everyone as one catch-up message (the original drops realtime deltas while paused).
*/
int ogrh_node_pause(ogrh_node *n, bool paused, uint64_t now_ms);

/* ---- manual validation and repair (the Data Management window) ---- */

/*
** Validate now ("full structure validation"): asks source (NULL or "" = the admin; else an
** officer, rank >= 1) for its digests of every raid and compares everything. Results come as
** MISMATCH events (or VALIDATED) and in ogrh_node_diffs. OGRH_EAGAIN while a repair runs,
** OGRH_EREFUSED if source is not an officer, OGRH_ENOTFOUND with no admin known.
*/
int ogrh_node_validate(ogrh_node *n, const char *source, uint64_t now_ms);

typedef struct ogrh_node_repair_req {
  ogrh_repair_level level; /* AUTO: the seed's smart selection; or force a level */
  const char *source;      /* NULL/"": the admin; else an officer (rank >= 1) */
  const char *raid;        /* NULL: everything that differs; else only this raid... */
  const char *encounter;   /* ... and this encounter of it */
} ogrh_node_repair_req;

/*
** Repairs now at the chosen level from the chosen source: validates (as above), then asks for
** the units, applies each one staged and verified against the source's digests, reporting
** progress. FULL replaces the whole synced plan (never the player's own keys), with a backup
** first, as RAID does. Same errors as ogrh_node_validate.
*/
int ogrh_node_repair(ogrh_node *n, const ogrh_node_repair_req *req, uint64_t now_ms);

/* Cancels a manual validation or repair (units already applied stay: each was verified). */
void ogrh_node_repair_cancel(ogrh_node *n, uint64_t now_ms);

/* ---- what the node tells the host ---- */

typedef enum {
  OGRH_RS_IDLE = 0,  /* nothing in progress */
  OGRH_RS_WAITING,   /* waiting a random moment before asking (or staying quiet: asked by others) */
  OGRH_RS_DRILLING,  /* comparing digests with the source, level by level */
  OGRH_RS_RECEIVING, /* units requested, applying them as they arrive */
  OGRH_RS_DONE,      /* the last repair completed */
  OGRH_RS_FAILED     /* the last repair failed (see the REPAIR_FAILED event) */
} ogrh_repair_state;

typedef struct ogrh_node_status {
  const char *self;
  const char *admin;   /* "" when there is none */
  const char *grantor; /* who granted the current admin ("" = roster default) */
  uint64_t epoch;
  int rank;      /* this player's roster rank, -1 when not in the roster */
  bool is_admin; /* this node sequences */
  bool in_raid, can_send, paused, no_admin;
  uint64_t revision; /* the admin's revision this document is at */
  bool synced;       /* revision and root digest known to match the admin at that revision */
  bool stale;        /* known to differ from the admin (behind, or a mismatch being repaired) */
  ogrh_digest root;  /* root digest of the synced plan here */
  size_t outbox;     /* writes waiting to be handed to the channel */
  size_t proposals;  /* officer: proposals sent, not yet ordered by the admin */
  size_t log_entries;
  uint64_t log_first; /* oldest revision the log can answer from */
  size_t queued_frames;
  ogrh_repair_state repair;
  size_t units_done, units_total;
  uint64_t bytes_done, bytes_total, eta_ms;
} ogrh_node_status;

/* Strings in *out stay valid until the next call that changes the node. */
void ogrh_node_status_get(const ogrh_node *n, ogrh_node_status *out);

typedef struct ogrh_node_stats {
  uint64_t bytes_out, frames_out;    /* on the channel: prefix + text of every frame */
  uint64_t bytes_in, frames_in;      /* frames of our prefix from others */
  uint64_t sent[256], received[256]; /* messages per type (router.h OGRH_MT_*) */
  uint64_t sent_bytes[256];          /* body bytes per type, before compression */
  uint64_t refused[OGRH_NWHY];       /* messages refused on receive, by reason */
  uint64_t duplicates, gaps, held_dropped, applied_deltas, applied_ops;
  uint64_t writes, writes_refused, proposals_sent, proposals_resent;
  uint64_t polls_sent, polls_heard, drill_requests, drill_suppressed, drill_answers;
  uint64_t repair_requests, repair_suppressed, units_sent, units_applied, units_failed;
  uint64_t catchup_requests, catchup_answers, repairs_done, repairs_failed;
  uint64_t persists, persist_failures, backups, backup_failures;
  uint64_t invalidations; /* CHANGED events: each scope a call or message touched, once */
} ogrh_node_stats;
const ogrh_node_stats *ogrh_node_stats_get(const ogrh_node *n);

/* One difference found by the last drill-down or validation (ogrh_node_diffs). */
typedef struct ogrh_node_diff {
  ogrh_unit_kind kind; /* GLOBAL, RAIDLIST, RAID_META, RAID (missing here), ENCOUNTER (missing
                          here), COMPONENT (see components) */
  int global;          /* GLOBAL: 0..2 */
  const char *raid;    /* names ("" when unused) */
  uint32_t raid_occ;
  const char *encounter;
  uint32_t enc_occ;
  unsigned components; /* COMPONENT: OGRH_C_* bits that differ */
  bool repaired;
  /*
  ** The two digests compared (digest.h), side by side: this node's and the source's (the
  ** admin's, or the officer chosen as source). 0 where one side has nothing: a raid or an
  ** encounter missing here (local 0) or only here (admin 0). GLOBAL: that component; RAIDLIST:
  ** the raid list (or, for a raid only here, that raid's digest); RAID_META: the raid's metadata
  ** digests, or its encounter lists' when only the list differs (an encounter only here: that
  ** encounter's); RAID, ENCOUNTER (missing here): the whole raid or encounter; COMPONENT: the
  ** one component of `components`.
  */
  ogrh_digest local, admin;
} ogrh_node_diff;

/* The differences of the last comparison; valid until the next call that changes the node. */
size_t ogrh_node_diffs(const ogrh_node *n, const ogrh_node_diff **out);

/*
** The document, for reading (UI, saving). Write only through the node: a direct write is not
** synced and makes this node differ from the admin until a repair undoes it.
*/
ogrh_doc *ogrh_node_doc(ogrh_node *n);

/* The node's digest tree of its document (kept up to date by every write). */
const ogrh_dtree *ogrh_node_dtree(ogrh_node *n);

#endif
