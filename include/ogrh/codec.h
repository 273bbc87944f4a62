/*
** ogrh/codec.h
** The compact binary encoding of values and operations for the wire (docs/PROTOCOL.md §7):
** one type byte with small integers and short string lengths embedded, LEB128 varints,
** arrays without keys, and back-references to repeated strings. Decoders take (p, n), never
** read past n, check every count before allocating, and are fuzzed.
*/
#ifndef OGRH_CODEC_H
#define OGRH_CODEC_H

#include "ogrh/doc.h"
#include "ogrh/util.h"

/* Appends the compact encoding of v. On failure out is as it was. */
int ogrh_compact_encode(const ogrh_value *v, ogrh_buf *out);

/*
** Decodes one value from p[0..n) into arena a; *used gets the bytes consumed. Nothing is
** allocated for what the input only claims: a decode of n bytes into a fresh arena allocates
** at most OGRH_COMPACT_ALLOC_PER_BYTE * n + OGRH_COMPACT_ALLOC_SLACK bytes in all (the
** arena's chunks and the transient table of strings for back-references included). The
** strings of the result total at most OGRH_COMPACT_EXPAND_RATIO * n + OGRH_COMPACT_EXPAND_SLACK
** bytes, back-references counted each time (OGRH_ETOOBIG beyond), so that copying or
** printing it stays proportional too. OGRH_ECORRUPT for anything malformed or not canonical,
** OGRH_EDEPTH past OGRH_MAX_DEPTH. On failure the arena may hold part of the value.
*/
#define OGRH_COMPACT_ALLOC_PER_BYTE 64
#define OGRH_COMPACT_ALLOC_SLACK (64u << 10)
#define OGRH_COMPACT_EXPAND_RATIO 16
#define OGRH_COMPACT_EXPAND_SLACK (64u << 10)
int ogrh_compact_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_value *out, size_t *used);

/* An operation: set a path to a value (nil = delete). Paths are relative to the schema root. */
typedef struct ogrh_op {
  ogrh_path path;
  ogrh_value value;
} ogrh_op;

/* Appends an operation (path of 1..OGRH_PATH_MAX segments); on failure out is as it was. */
int ogrh_op_encode(const ogrh_path *path, const ogrh_value *v, ogrh_buf *out);
/* Decodes one operation (bounds as ogrh_compact_decode); path.text is left empty. */
int ogrh_op_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_op *out, size_t *used);

/*
** The body of a repair-unit message: the compact encoding of the array
** {kind, raid name, encounter name, index, value} (names "" when not used; kind as in
** ogrh_unit_kind of validate.h; index = component or global number).
*/
int ogrh_unit_body_encode(int kind, const char *raid, size_t raid_len, const char *enc,
                          size_t enc_len, int index, const ogrh_value *value, ogrh_buf *out);

/* A decoded repair-unit body; the strings and the value live in the arena. */
typedef struct ogrh_unit_body {
  int kind; /* ogrh_unit_kind */
  const char *raid, *enc;
  size_t raid_len, enc_len;
  int index;        /* component (kind component) or global (kind global) number, else 0 */
  ogrh_value value; /* nil: the unit is absent */
} ogrh_unit_body;

/*
** Decodes a whole repair-unit body (every byte of p[0..n) must belong to it; bounds as
** ogrh_compact_decode). OGRH_ECORRUPT for an unknown kind or an index out of range.
*/
int ogrh_unit_body_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_unit_body *out);

#endif
