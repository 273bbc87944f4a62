/*
** wire_int.h
** Internals shared by the wire modules (transform, deflate, frame, reasm, throttle, router):
** the raw frame kinds, the frame capacity, the message and NACK parsers, and time arithmetic
** that never wraps. Not part of the public API.
*/
#ifndef OGRH_WIRE_INT_H
#define OGRH_WIRE_INT_H

#include "ogrh/wire.h"

/* The kind of a raw frame: the top two bits of its first byte (docs/PROTOCOL.md §8). */
enum { OGRH__K_CONT = 0, OGRH__K_FIRST = 1, OGRH__K_SINGLE = 2, OGRH__K_CTRL = 3 };
/* Control frame subtypes: the low six bits of the first byte of a control frame. */
enum { OGRH__CTRL_NACK = 1 };

/* Header bytes of a single frame, and of a first or continuation frame. */
#define OGRH__SINGLE_HDR 2
#define OGRH__MULTI_HDR 3
/* The message checksum at the end of every message, and of every NACK. */
#define OGRH__CRC_LEN 4
/* Longest player name a NACK carries. */
#define OGRH__NAME_MAX 48
/* Most ranges a NACK may carry. */
#define OGRH__NACK_MAX_RANGES 128

/*
** Time since `since`, or 0 when `now` is earlier: times are whatever clock the caller keeps
** (it may start at 0), and a clock that steps back must not make an old event look ancient.
*/
static inline uint64_t ogrh__elapsed(uint64_t now, uint64_t since) {
  return now > since ? now - since : 0;
}

/* Raw bytes a frame can carry before the transform, headers included. */
size_t ogrh__raw_capacity(const ogrh_wire_cfg *c);

/* CRC-32 (ISO-HDLC, as zlib and gzip) of p[0..n), and of the big-endian message id followed
** by p[0..n) (what a message's checksum covers). */
uint32_t ogrh__crc(const uint8_t *p, size_t n);
uint32_t ogrh__msg_crc(uint16_t id, const uint8_t *p, size_t n);

/*
** Checks and parses a reassembled message of id. OGRH_EVERIFY when the checksum fails
** (nothing else is looked at before it), OGRH_ECORRUPT when the header is malformed. A message of
** another protocol version gives OGRH_OK with only id and version set. Otherwise out gets
** the header, and *body / *body_len the body as it travels (compressed when out->flags has
** OGRH_MSG_COMPRESSED).
*/
int ogrh__msg_parse(uint16_t id, const uint8_t *m, size_t n, ogrh_msg *out, const uint8_t **body,
                    size_t *body_len);

/* A NACK frame as parsed: owner, message id, (first, count) ranges. */
typedef struct ogrh__nack {
  char owner[OGRH__NAME_MAX + 1];
  uint16_t id;
  size_t nranges;
  uint16_t ranges[2 * OGRH__NACK_MAX_RANGES];
} ogrh__nack;

/* Parses the raw bytes of a control frame of subtype NACK: OGRH_EVERIFY when its checksum
** fails, OGRH_ECORRUPT when it is malformed. */
int ogrh__nack_parse(const uint8_t *f, size_t n, ogrh__nack *out);

#endif
