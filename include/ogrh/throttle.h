/*
** ogrh/throttle.h
** The sender: ChatThrottleLib v14's algorithm (research/ogaddonmsg.md §2.3) with every
** constant a parameter. A global byte budget refilled at max_cps, capped at burst; 5 seconds
** of hard throttling after start and after a loading screen; half rate below min_fps; three
** priorities (ALERT, NORMAL, BULK) sharing the budget equally; within one, pipes served
** round-robin, one message per pipe per turn. Sans-I/O: the caller passes the time of every
** client frame to ogrh_sender_tick; frames leave through the output callback. Times are
** any clock in milliseconds (starting at 0 is fine; a clock that steps back counts as no time).
** Not thread-safe.
*/
#ifndef OGRH_THROTTLE_H
#define OGRH_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The three priorities, highest first: name, value, the name logs show. */
#define OGRH_CTL_PRIO_MAP(XX)                                                                      \
  XX(ALERT, 0, "alert")                                                                            \
  XX(NORMAL, 1, "normal")                                                                          \
  XX(BULK, 2, "bulk")

typedef enum {
#define OGRH__XX(name, code, str) OGRH_CTL_##name = code,
  OGRH_CTL_PRIO_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_ctl_prio;

/* "alert", "normal", "bulk"; "?" for anything else. */
const char *ogrh_ctl_prio_name(int prio);

typedef struct ogrh_ctl_params {
  double max_cps;      /* bytes per second (800) */
  double msg_overhead; /* bytes added to every message's cost (40) */
  double burst;        /* cap of the budget (4000) */
  double min_fps;      /* below it: half refill, cap max_cps (20) */
  double hard_seconds; /* hard throttling after start / loading screen (5) */
  double hard_factor;  /* refill factor while hard throttling (0.1) */
  double hard_cap;     /* cap while hard throttling (400) */
  double floor;        /* lowest budget (-1600) */
  double tick;         /* seconds accumulated before a tick is processed (0.08) */
  double sep;          /* bytes counted for the prefix/text separator (1) */
} ogrh_ctl_params;

/*
** The throttle profiles: name, what it models. A profile is one row here and one in
** throttle.c's table of values.
*/
#define OGRH_CTL_PROFILE_MAP(XX)                                                                   \
  XX(ctl, "ChatThrottleLib v14: 800 B/s, 40 B per message, a 4000 B burst")                        \
  XX(retail, "retail's server throttle: 255 B/s per prefix, a burst of 10 messages")               \
  XX(unlimited, "no throttling")

/* The parameters of a profile by name (NULL: "ctl"); OGRH_EINVAL for an unknown name. */
int ogrh_ctl_profile(const char *name, ogrh_ctl_params *out);

typedef struct ogrh_sender ogrh_sender;

/* A frame leaves: prefix, text and the time it was sent. */
typedef void (*ogrh_out_fn)(void *ud, const char *prefix, const uint8_t *text, size_t n,
                            uint64_t now_ms);

/* Why a message did not leave: name, value, the name logs show, what happened. */
#define OGRH_SEND_FAILURE_MAP(XX)                                                                  \
  XX(SUPERSEDED, 1, "superseded", "a newer message with the same key replaced it before it left")  \
  XX(CANCELLED, 2, "cancelled", "the sender was freed with it still queued")

typedef enum {
#define OGRH__XX(name, code, str, what) OGRH_SEND_##name = code,
  OGRH_SEND_FAILURE_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_send_failure;

/* "superseded", "cancelled"; "?" for anything else. */
const char *ogrh_send_failure_name(int why);

typedef struct ogrh_send_cb {
  void (*progress)(void *ud, size_t sent, size_t total, uint64_t now_ms); /* per frame */
  void (*sent)(void *ud, uint64_t now_ms);                                /* last frame left */
  void (*failed)(void *ud, ogrh_send_failure why, uint64_t now_ms);
  void *ud;
} ogrh_send_cb;

ogrh_sender *ogrh_sender_new(const ogrh_ctl_params *p, ogrh_out_fn out, void *ud, uint64_t now_ms);
/* Frees; messages still queued get failed(CANCELLED). */
void ogrh_sender_free(ogrh_sender *s, uint64_t now_ms);

/*
** Queues a message of nframes frames (texts are copied) on pipe `prefix` at priority prio.
** A non-empty supersede key replaces a still entirely queued message with the same key.
** The first frames may leave at once (CTL's direct path) when nothing is queued. All or
** nothing: on any error no frame left or was queued and nothing was superseded.
*/
int ogrh_sender_send(ogrh_sender *s, ogrh_ctl_prio prio, const char *prefix,
                     const uint8_t *const *texts, const size_t *lens, size_t nframes,
                     const char *supersede, const ogrh_send_cb *cb, uint64_t now_ms);

/* One client frame (WoW's OnUpdate). */
void ogrh_sender_tick(ogrh_sender *s, uint64_t now_ms);
/* PLAYER_ENTERING_WORLD: budget to zero, hard throttling again. */
void ogrh_sender_loading_screen(ogrh_sender *s, uint64_t now_ms);
void ogrh_sender_set_fps(ogrh_sender *s, double fps);
/* Traffic that bypassed the sender (other addons): charged to the budget like CTL's hook. */
void ogrh_sender_bypass(ogrh_sender *s, size_t bytes, uint64_t now_ms);

/* Frames queued and not yet sent; the budget now. */
size_t ogrh_sender_queued(const ogrh_sender *s);
double ogrh_sender_avail(const ogrh_sender *s);
uint64_t ogrh_sender_frames_sent(const ogrh_sender *s);

#endif
