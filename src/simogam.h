/*
** simogam.h (private)
** The original addon's transport as the simulator models it (research/ogaddonmsg.md §3):
** OGAddonMsg's Lua-text serialization, its 200-byte chunks with their headers, its four-level
** queue that hands one chunk per frame to ChatThrottleLib v14 (throttle.h), reassembly keyed
** by message id with a 90 s timeout, retry requests only on PLAYER_ENTERING_WORLD, retransmit
** buffers kept 60 s from enqueue, and the 16-bit duplicate filter. With `bugs` (the default)
** the documented defects stay in; without, the fixes of research §7.4 are applied.
*/
#ifndef OGRH_SIMOGAM_H
#define OGRH_SIMOGAM_H

#include "ogrh/doc.h"
#include "ogrh/throttle.h"

/* ---- Lua text serialization (OGAddonMsg Serialization.lua) ---- */

/* Appends v as a Lua table constructor without whitespace, keys in canonical order. */
int ogrh_lua_serialize(const ogrh_value *v, ogrh_buf *b);
/* Parses the subset Serialize produces (and Lua's other escapes) into arena a. Strict: no code
** is ever run; anything else is OGRH_ESYNTAX. Numbers without '.', 'e' or 'n' are integers. */
int ogrh_lua_parse(ogrh_arena *a, const char *p, size_t n, ogrh_value *out);

/* OGAddonMsg's position-weighted 16-bit hash. */
uint32_t ogrh_ogam_hash(const uint8_t *p, size_t n);

/* ---- the transport ---- */

typedef enum { OGAM_CRITICAL = 0, OGAM_HIGH, OGAM_NORMAL, OGAM_LOW } ogam_prio;

/* The complete wire data of a message ("T:" or "S:" flag included). */
typedef void (*ogam_dispatch_fn)(void *ud, const char *sender, const char *prefix,
                                 const uint8_t *data, size_t n, uint64_t now_ms);
/* A text for the channel, after the throttle (prefix "OGAM"). */
typedef void (*ogam_out_fn)(void *ud, const uint8_t *text, size_t n, uint64_t now_ms);

typedef struct ogam_cfg {
  const char *self;
  bool bugs;
  uint64_t seed;
  ogrh_ctl_params ctl;
  ogam_out_fn out;
  ogam_dispatch_fn dispatch;
  void *ud;
} ogam_cfg;

typedef struct ogam_stats {
  uint64_t messages_sent, chunks_queued, received, reassembled, timeouts, hash_failures,
      dedup_dropped, retry_requests, retries_honoured, retry_expired, r_too_long;
} ogam_stats;

typedef struct ogam ogam;

/* A fresh client (CTL's Init: 5 s of hard throttling from now). */
ogam *ogrh_ogam_new(const ogam_cfg *c, uint64_t now_ms);
void ogrh_ogam_free(ogam *o, uint64_t now_ms);

/* Chunks and queues wire data under an inner prefix (no whitespace, at most 60 bytes). */
int ogrh_ogam_send(ogam *o, ogam_prio prio, const char *prefix, const uint8_t *wire, size_t n,
                   uint64_t now_ms);
/* A channel message (prefix and text as the client hands them to CHAT_MSG_ADDON). */
void ogrh_ogam_receive(ogam *o, const char *sender, const char *prefix, const uint8_t *text,
                       size_t n, uint64_t now_ms);
/* One frame: one queued chunk to CTL, housekeeping, CTL's OnUpdate. Returns when the next
** frame is needed (OGRH_SIM_IDLE-compatible UINT64_MAX when none). */
uint64_t ogrh_ogam_frame(ogam *o, uint64_t now_ms);
/* PLAYER_ENTERING_WORLD: CTL's budget to zero, hard throttling, retry requests for every
** incomplete message. */
void ogrh_ogam_enter_world(ogam *o, uint64_t now_ms);
void ogrh_ogam_set_fps(ogam *o, double fps);

/* Items in OGAddonMsg's own queue (what the addon calls queueDepth). */
size_t ogrh_ogam_queue_depth(const ogam *o);
/* ChatThrottleLib.bQueueing: chunks wait in CTL. */
bool ogrh_ogam_ctl_queueing(const ogam *o);
const ogam_stats *ogrh_ogam_stats(const ogam *o);

/* Inner prefix data bytes per chunk: 161 - P (research §3.4). */
size_t ogrh_ogam_chunk_data(size_t prefix_len);

#endif
