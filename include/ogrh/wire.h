/*
** ogrh/wire.h
** The channel format (docs/PROTOCOL.md §7-9): raw DEFLATE with a built-in preset dictionary,
** a channel-safe transform of every frame, 254-byte framing with per-sender message ids and
** a CRC-32 over every message, reassembly with duplicate dropping, memory bounds and
** timeouts, and NACKs that ask for exactly the missing frames. Sans-I/O: time is an argument
** (any clock, starting anywhere, 0 included), output goes to callbacks.
** Not thread-safe: one object, one thread.
*/
#ifndef OGRH_WIRE_H
#define OGRH_WIRE_H

#include "ogrh/codec.h"
#include "ogrh/util.h"

/* Version 2: the message checksum (version 1 had none). */
#define OGRH_WIRE_VERSION 2
/* WoW 1.12: prefix + text <= 254 bytes. */
#define OGRH_WIRE_LIMIT 254
/* Frames of one message are numbered in 12 bits. */
#define OGRH_WIRE_MAX_FRAMES 4095
/* Message ids are 10 bits, per sender. */
#define OGRH_WIRE_MAX_ID 0x3ff

/* ---- configuration ---- */

typedef struct ogrh_wire_cfg {
  char prefix[17];        /* the addon prefix the channel carries (1..16 bytes), default "OGRH" */
  uint8_t forbidden[256]; /* 1: the byte may not appear in a frame (default NUL, LF, CR, '|') */
  /* derived by ogrh_wire_cfg_update: */
  uint8_t alphabet[256]; /* digit -> byte */
  int16_t digit[256];    /* byte -> digit, -1 if forbidden */
  int base;              /* number of allowed bytes */
  size_t frame_text;     /* text bytes per frame: OGRH_WIRE_LIMIT - strlen(prefix) */
} ogrh_wire_cfg;

void ogrh_wire_cfg_default(ogrh_wire_cfg *c);
/* Sets the forbidden bytes (n of them); at most 64, and never every byte. */
int ogrh_wire_cfg_forbid(ogrh_wire_cfg *c, const uint8_t *bytes, size_t n);
int ogrh_wire_cfg_set_prefix(ogrh_wire_cfg *c, const char *prefix);
int ogrh_wire_cfg_update(ogrh_wire_cfg *c);

/* ---- channel-safe transform ---- */

/*
** Encodes n bytes as base-N digits written with the allowed bytes only (N = 256 minus the
** forbidden ones): the bytes are one big number, so the text is n + 1 bytes long for up to
** about 350 bytes when N = 252. Decoding needs the text length only.
*/
size_t ogrh_safe_len(const ogrh_wire_cfg *c, size_t n);
int ogrh_safe_encode(const ogrh_wire_cfg *c, const uint8_t *p, size_t n, ogrh_buf *out);
int ogrh_safe_decode(const ogrh_wire_cfg *c, const uint8_t *p, size_t n, ogrh_buf *out);

/* ---- compression ---- */

/*
** Raw DEFLATE (level 9) with the built-in dictionary; the id travels in message headers.
** zlib allocates through ogrh_malloc. Appends to out; OGRH_ENOMEM leaves out as it was.
*/
#define OGRH_DICT_ID 1
size_t ogrh_dict_size(void);
const uint8_t *ogrh_dict_bytes(void);
int ogrh_deflate(const uint8_t *p, size_t n, ogrh_buf *out);
/*
** Inflates, appending at most max_out bytes to out (more is OGRH_ETOOBIG: no decompression
** bombs); on any error out is as it was. Allocates at most about 2 * max_out + 48 KiB (the
** output doubles from 4 * n + 256 bytes; zlib's state and window).
*/
int ogrh_inflate(const uint8_t *p, size_t n, size_t max_out, ogrh_buf *out);

/* ---- messages and frames ---- */

/* What a message's header says (PROTOCOL.md §8 gives the bytes). */
enum { OGRH_MSG_COMPRESSED = 1, OGRH_MSG_TARGETED = 2 };

typedef struct ogrh_msg {
  uint8_t version, type, flags; /* flags: OGRH_MSG_* */
  char target[32];              /* "" when the message is for everyone */
  const uint8_t *body;          /* decompressed body */
  size_t body_len;
  uint16_t id; /* sender's message id */
} ogrh_msg;

/* The frames of one message, each a channel-safe text of at most cfg->frame_text bytes. */
typedef struct ogrh_frames {
  ogrh_buf data;
  size_t *off, *len; /* frame i is data.p[off[i] .. off[i] + len[i]) */
  size_t n;
  size_t payload_bytes;    /* message header + body before compression + checksum */
  size_t compressed_bytes; /* message bytes actually framed (checksum included) */
  size_t cap_off, cap_len; /* private */
} ogrh_frames;

void ogrh_frames_init(ogrh_frames *f);
/* Forgets the frames, keeps the memory. */
void ogrh_frames_reset(ogrh_frames *f);
void ogrh_frames_deinit(ogrh_frames *f);

/*
** Builds the frames of a message and appends them to out: header (version, dictionary,
** target, type), body compressed when that makes it smaller, CRC-32, split into frames with
** 2- or 3-byte headers (message id, frame index or count), each frame passed through the
** channel-safe transform. id is taken modulo 1024. On failure out is as it was.
*/
int ogrh_wire_pack(const ogrh_wire_cfg *c, uint16_t id, uint8_t type, const char *target,
                   const uint8_t *body, size_t n, bool allow_compress, ogrh_frames *out);

/* ---- reassembly ---- */

/*
** What one sender can make a receiver hold, and for how long (defaults in brackets;
** PROTOCOL.md §8). max_bytes_per_sender counts the memory allocated for its incomplete
** messages (payload buffers and frame tables) [1 MiB + 64 KiB: the largest message fits];
** messages [16]; a body [4 MiB, and at most 32 x its compressed size + 64 KiB]; timeout
** [30 s]; NACKs after [1.5 s + 0..0.5 s], doubling, [5] at most; completed ids [60 s].
*/
typedef struct ogrh_reasm_limits {
  size_t max_bytes_per_sender; /* incomplete messages a sender can make us hold */
  size_t max_messages_per_sender;
  size_t max_message_bytes; /* decompressed body limit */
  uint64_t timeout_ms;      /* drop an incomplete message this long after its last progress */
  uint64_t nack_after_ms;   /* ask for missing frames after this long without progress */
  uint64_t nack_jitter_ms;  /* plus a random part, so that listeners do not all ask */
  unsigned nack_tries;      /* give up after this many NACKs */
  uint64_t remember_ms;     /* completed ids are remembered this long (late duplicates) */
  /* A compressed body may inflate to at most inflate_ratio times its compressed size plus
     inflate_slack bytes (and never beyond max_message_bytes): DEFLATE can expand 1000-fold. */
  size_t inflate_ratio, inflate_slack;
} ogrh_reasm_limits;

void ogrh_reasm_limits_default(ogrh_reasm_limits *l);

typedef struct ogrh_reasm_stats {
  uint64_t frames, duplicates, messages, corrupt, timeouts, dropped_memory, nacks_sent,
      nacks_suppressed;
  uint64_t bad_checksum; /* messages (and NACKs) refused for their checksum */
  uint64_t too_big;      /* bodies that inflate beyond the limits */
} ogrh_reasm_stats;

typedef struct ogrh_reasm ogrh_reasm;

/*
** A complete message from sender, checksum verified (body decompressed). The reassembler
** must not be called from inside the callbacks.
*/
typedef void (*ogrh_deliver_fn)(void *ud, const char *sender, const ogrh_msg *m, uint64_t now_ms);
/* A NACK frame (channel-safe text) to broadcast; non-zero: not sent, asked again later. */
typedef int (*ogrh_nack_fn)(void *ud, const uint8_t *text, size_t n, uint64_t now_ms);
/* A NACK heard on the channel that asks `owner` (maybe us) for frames of message id. Its
** status is what ogrh_reasm_frame returns for the frame. */
typedef int (*ogrh_nack_heard_fn)(void *ud, const char *from, const char *owner, uint16_t id,
                                  const uint16_t *ranges, size_t nranges, uint64_t now_ms);

/* NULL when out of memory or when l asks for nothing (no bytes or messages per sender). */
ogrh_reasm *ogrh_reasm_new(const ogrh_wire_cfg *c, const ogrh_reasm_limits *l, uint64_t seed,
                           ogrh_deliver_fn deliver, ogrh_nack_fn nack, ogrh_nack_heard_fn heard,
                           void *ud);
void ogrh_reasm_free(ogrh_reasm *r);
/*
** One frame as it arrived (text after the prefix) from sender. OGRH_ECORRUPT for a frame or
** a completed message that is refused (a bad checksum included; counted in the stats),
** OGRH_ETOOBIG when the frame would pass a limit (the message is dropped), OGRH_EINVAL for a
** sender name over 48 bytes. OGRH_ENOMEM: the frame was not taken; passing the same frame
** again continues where it stopped (older incomplete messages of the sender may have been
** dropped to make room meanwhile).
*/
int ogrh_reasm_frame(ogrh_reasm *r, const char *sender, const uint8_t *text, size_t n,
                     uint64_t now_ms);
/* Timeouts and NACKs; call regularly. The first error of a NACK (it is tried again later). */
int ogrh_reasm_tick(ogrh_reasm *r, uint64_t now_ms);
const ogrh_reasm_stats *ogrh_reasm_stats_get(const ogrh_reasm *r);
/* Bytes held for incomplete messages (all senders). */
size_t ogrh_reasm_held(const ogrh_reasm *r);

/*
** Appends a NACK frame asking owner for frames of message id: ranges are (first, count)
** pairs, sorted and disjoint. If the list does not fit in one frame, nearby ranges are merged
** until it does. On failure out is as it was.
*/
int ogrh_wire_nack(const ogrh_wire_cfg *c, const char *owner, uint16_t id, const uint16_t *ranges,
                   size_t nranges, ogrh_buf *out);

#endif
