/*
** ogrh/router.h
** One endpoint on the channel: a registry of message types (a type byte, a handler, a default
** priority, the roles that may send it), the sender (throttle.h) and the reassembler
** (wire.h) behind it. Own echoes are dropped; messages of another protocol version are
** dropped and counted; a message may name its target and everyone else ignores it; roles are
** checked on receive. Frames a NACK asks for are resent from what was kept.
** Sans-I/O: frames go out through a callback, come in through ogrh_router_receive.
*/
#ifndef OGRH_ROUTER_H
#define OGRH_ROUTER_H

#include "ogrh/throttle.h"
#include "ogrh/wire.h"

enum { OGRH_ROLE_ADMIN = 1, OGRH_ROLE_OFFICER = 2, OGRH_ROLE_MEMBER = 4, OGRH_ROLE_ANY = 7 };

/*
** Message types (docs/PROTOCOL.md §9), one row each: name, type byte, the name that logs and
** statistics show, who sends it and what it says. A new type is one more row; the bytes of
** existing types never change.
*/
#define OGRH_MT_MAP(XX)                                                                            \
  XX(DELTA, 0x01, "delta", "admin/officer: one operation (set path = value)")                      \
  XX(BATCH, 0x02, "batch", "admin/officer: several operations")                                    \
  XX(POLL, 0x10, "poll", "admin: root, global and raid digests")                                   \
  XX(DRILL_REQ, 0x11, "drill-req", "anyone: send me the encounter digests of a raid")              \
  XX(DRILL_RESP, 0x12, "drill-resp", "admin: the encounter and component digests of a raid")       \
  XX(REPAIR_REQ, 0x20, "repair-req", "anyone: these units, please")                                \
  XX(REPAIR, 0x21, "repair", "admin: one repair unit")                                             \
  XX(HELLO, 0x30, "hello", "anyone: version and role announcement")                                \
  /* The sync node's own (docs/PROTOCOL.md §10). */                                               \
  XX(CATCHUP, 0x03, "catch-up", "admin: the changes from a revision on, in one message")           \
  XX(PROPOSAL, 0x04, "proposal", "officer -> admin: assignment writes to be sequenced")            \
  XX(REFUSE, 0x05, "refusal", "admin -> proposer: a proposal's answer (ordered, resend, refused)") \
  XX(CATCHUP_REQ, 0x13, "catch-up-req", "anyone: I am at revision R")                              \
  XX(REPAIR_PLAN, 0x22, "repair-plan", "admin: the units about to be sent, with their sizes")      \
  XX(GRANT, 0x31, "grant", "leader/assistant: admin role to a player, next epoch")                 \
  XX(PAUSE, 0x32, "pause", "admin: sync paused or resumed")

enum {
#define OGRH__XX(name, code, str, what) OGRH_MT_##name = code,
  OGRH_MT_MAP(OGRH__XX)
#undef OGRH__XX
};

/* The name of a message type of the table above ("delta"), NULL for any other byte. */
const char *ogrh_mt_name(int type);

typedef struct ogrh_router ogrh_router;

typedef void (*ogrh_handler_fn)(void *ud, const char *sender, const ogrh_msg *m, uint64_t now_ms);
/* The role of a player as this client sees it (raid rank and admin grant). */
typedef unsigned (*ogrh_role_fn)(void *ud, const char *player);

typedef struct ogrh_router_stats {
  uint64_t sent_messages, sent_frames, received, own_echoes, bad_version, not_for_us, unknown_type,
      refused_role, resent_frames, expired_nacks;
  uint64_t refused_resends; /* frames a NACK asked for after their last allowed resend */
} ogrh_router_stats;

typedef struct ogrh_router_cfg {
  const char *self; /* our player name */
  ogrh_wire_cfg wire;
  ogrh_ctl_params ctl;
  ogrh_reasm_limits limits;
  uint64_t retain_ms;   /* sent frames stay available for resends this long after they left */
  unsigned max_resends; /* times one frame may be resent (NACKs cannot keep it alive forever) */
  uint64_t seed;        /* NACK jitter */
  ogrh_out_fn out;      /* frames to the channel */
  ogrh_role_fn role;    /* NULL: everyone is a member */
  void *ud;             /* for out and role */
} ogrh_router_cfg;

void ogrh_router_cfg_default(ogrh_router_cfg *c);
/* NULL when out of memory or when c has no output callback or a self name over 48 bytes. */
ogrh_router *ogrh_router_new(const ogrh_router_cfg *c, uint64_t now_ms);
/* Frees; messages still queued get failed(CANCELLED). */
void ogrh_router_free(ogrh_router *r, uint64_t now_ms);

/* Registers a type: handler, default priority, roles allowed to send it. */
int ogrh_router_register(ogrh_router *r, uint8_t type, const char *name, ogrh_handler_fn fn,
                         void *ud, ogrh_ctl_prio prio, unsigned roles);

/*
** Sends a message: prio < 0 uses the type's default; target NULL or "" for everyone;
** supersede (may be NULL) names what a newer message replaces while still queued. On any
** error nothing was queued or sent and the router is as it was.
*/
int ogrh_router_send(ogrh_router *r, uint8_t type, const uint8_t *body, size_t n, int prio,
                     const char *target, const char *supersede, const ogrh_send_cb *cb,
                     uint64_t now_ms);

/*
** A frame from the channel: sender name, prefix and text as the client hands them over.
** Returns what ogrh_reasm_frame returns (OGRH_OK for frames that are not ours to read);
** after OGRH_ENOMEM the same frame may be passed again.
*/
int ogrh_router_receive(ogrh_router *r, const char *sender, const char *prefix, const uint8_t *text,
                        size_t n, uint64_t now_ms);
/* Sends what the budget allows, times out, asks for missing frames, forgets old sends.
** The first error (a NACK that could not be queued is asked again at a later tick). */
int ogrh_router_tick(ogrh_router *r, uint64_t now_ms);

ogrh_sender *ogrh_router_sender(ogrh_router *r);
ogrh_reasm *ogrh_router_reasm(ogrh_router *r);
const ogrh_router_stats *ogrh_router_stats_get(const ogrh_router *r);

#endif
