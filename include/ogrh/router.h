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

/* Message types (docs/PROTOCOL.md §9). */
enum {
  OGRH_MT_DELTA = 0x01,      /* admin/officer: one operation (set path = value) */
  OGRH_MT_BATCH = 0x02,      /* admin/officer: several operations */
  OGRH_MT_POLL = 0x10,       /* admin: root, global and raid digests */
  OGRH_MT_DRILL_REQ = 0x11,  /* anyone: send me the encounter digests of a raid */
  OGRH_MT_DRILL_RESP = 0x12, /* admin: the encounter and component digests of a raid */
  OGRH_MT_REPAIR_REQ = 0x20, /* anyone: these units, please */
  OGRH_MT_REPAIR = 0x21,     /* admin: one repair unit */
  OGRH_MT_HELLO = 0x30,      /* anyone: version and role announcement */
  /* The sync node's own (docs/PROTOCOL.md §10). */
  OGRH_MT_CATCHUP = 0x03,     /* admin: the changes from a revision on, in one message */
  OGRH_MT_PROPOSAL = 0x04,    /* officer -> admin: assignment writes to be sequenced */
  OGRH_MT_REFUSE = 0x05,      /* admin -> proposer: a proposal was refused, and why */
  OGRH_MT_CATCHUP_REQ = 0x13, /* anyone: I am at revision R */
  OGRH_MT_REPAIR_PLAN = 0x22, /* admin: the units about to be sent, with their sizes */
  OGRH_MT_GRANT = 0x31,       /* leader/assistant: admin role to a player, next epoch */
  OGRH_MT_PAUSE = 0x32        /* admin: sync paused or resumed */
};

typedef struct ogrh_router ogrh_router;

typedef void (*ogrh_handler_fn)(void *ud, const char *sender, const ogrh_msg *m, uint64_t now_ms);
/* The role of a player as this client sees it (raid rank and admin grant). */
typedef unsigned (*ogrh_role_fn)(void *ud, const char *player);

typedef struct ogrh_router_stats {
  uint64_t sent_messages, sent_frames, received, own_echoes, bad_version, not_for_us, unknown_type,
      refused_role, resent_frames, expired_nacks;
} ogrh_router_stats;

typedef struct ogrh_router_cfg {
  const char *self; /* our player name */
  ogrh_wire_cfg wire;
  ogrh_ctl_params ctl;
  ogrh_reasm_limits limits;
  uint64_t retain_ms; /* how long sent frames stay available for resends */
  uint64_t seed;      /* NACK jitter */
  ogrh_out_fn out;    /* frames to the channel */
  ogrh_role_fn role;  /* NULL: everyone is a member */
  void *ud;           /* for out and role */
} ogrh_router_cfg;

void ogrh_router_cfg_default(ogrh_router_cfg *c);
ogrh_router *ogrh_router_new(const ogrh_router_cfg *c, uint64_t now_ms);
void ogrh_router_free(ogrh_router *r, uint64_t now_ms);

/* Registers a type: handler, default priority, roles allowed to send it. */
int ogrh_router_register(ogrh_router *r, uint8_t type, const char *name, ogrh_handler_fn fn,
                         void *ud, ogrh_ctl_prio prio, unsigned roles);

/*
** Sends a message: prio < 0 uses the type's default; target NULL or "" for everyone;
** supersede (may be NULL) names what a newer message replaces while still queued.
*/
int ogrh_router_send(ogrh_router *r, uint8_t type, const uint8_t *body, size_t n, int prio,
                     const char *target, const char *supersede, const ogrh_send_cb *cb,
                     uint64_t now_ms);

/* A frame from the channel: sender name, prefix and text as the client hands them over. */
void ogrh_router_receive(ogrh_router *r, const char *sender, const char *prefix,
                         const uint8_t *text, size_t n, uint64_t now_ms);
void ogrh_router_tick(ogrh_router *r, uint64_t now_ms);

ogrh_sender *ogrh_router_sender(ogrh_router *r);
ogrh_reasm *ogrh_router_reasm(ogrh_router *r);
const ogrh_router_stats *ogrh_router_stats_get(const ogrh_router *r);

#endif
