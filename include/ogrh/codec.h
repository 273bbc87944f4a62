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

/* Appends the compact encoding of v. */
int ogrh_compact_encode(const ogrh_value *v, ogrh_buf *out);
/* Decodes one value from p[0..n) into arena a; *used gets the bytes consumed. */
int ogrh_compact_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_value *out, size_t *used);

/* An operation: set a path to a value (nil = delete). Paths are relative to the schema root. */
typedef struct ogrh_op {
  ogrh_path path;
  ogrh_value value;
} ogrh_op;

int ogrh_op_encode(const ogrh_path *path, const ogrh_value *v, ogrh_buf *out);
int ogrh_op_decode(ogrh_arena *a, const uint8_t *p, size_t n, ogrh_op *out, size_t *used);

/*
** The body of a repair-unit message: the compact encoding of the array
** {kind, raid name, encounter name, index, value} (names "" when not used; kind as in
** ogrh_unit_kind of validate.h; index = component or global number).
*/
int ogrh_unit_body_encode(int kind, const char *raid, size_t raid_len, const char *enc,
                          size_t enc_len, int index, const ogrh_value *value, ogrh_buf *out);

#endif
