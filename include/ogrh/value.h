/*
** ogrh/value.h
** The value tree: nil, boolean, integer, double, string (bytes with a length) and table
** (integer and string keys, kept in canonical order: integers ascending, then strings
** bytewise). Values are plain 16-byte structs; strings and tables live in an arena.
** Nothing here is thread-safe; distinct arenas may be used from distinct threads.
*/
#ifndef OGRH_VALUE_H
#define OGRH_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ogrh/alloc.h"

/* The types, in the order of their tags: XX(ID, name as Lua's type() says it). */
#define OGRH_TYPE_MAP(XX)                                                                          \
  XX(NIL, "nil")                                                                                   \
  XX(BOOL, "boolean")                                                                              \
  XX(INT, "integer")                                                                               \
  XX(DOUBLE, "number")                                                                             \
  XX(STRING, "string")                                                                             \
  XX(TABLE, "table")

typedef enum {
#define OGRH__XX(id, name) OGRH_##id,
  OGRH_TYPE_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_type;

typedef struct ogrh_table ogrh_table;

typedef struct ogrh_value {
  uint8_t type; /* ogrh_type */
  uint8_t b;    /* boolean value */
  uint32_t len; /* string length in bytes */
  union {
    int64_t i;
    double d;
    const char *s; /* not NUL-terminated in general */
    ogrh_table *t;
  } u;
} ogrh_value;

typedef struct ogrh_entry {
  ogrh_value key, val;
} ogrh_entry;

/* Entries sorted by ogrh_key_cmp, no duplicate keys, no nil values. */
struct ogrh_table {
  ogrh_entry *e;
  uint32_t n, cap;
};

/*
** The one depth rule. A value's depth is the number of tables on its deepest path (0 for a
** scalar, 1 for a table that holds no table). Every variable of a SavedVariables file has depth
** at most OGRH_MAX_DEPTH, counting the variable's own table: the reader refuses deeper files,
** and every write checks, before it changes anything, that the variable it lands in stays
** within the limit (a value written `at` tables deep must have depth <= OGRH_MAX_DEPTH - at:
** ogrh_value_depth_within). Decoders of values taken from such a file refuse depths above
** OGRH_MAX_DEPTH; a format that wraps a variable's value inside k more tables of its own (a
** backup snapshot's list of {name, value} pairs adds 2) must read its bytes back with a limit
** of OGRH_MAX_DEPTH + k, and check the rule again when it hands the values back as a file.
*/
#define OGRH_MAX_DEPTH 500

/* Constructors (no allocation; ogrh_vstr does not copy). */
ogrh_value ogrh_vnil(void);
ogrh_value ogrh_vbool(bool b);
ogrh_value ogrh_vint(int64_t i);
ogrh_value ogrh_vdouble(double d);
ogrh_value ogrh_vstr(const char *s, size_t n);
ogrh_value ogrh_vcstr(const char *s);
ogrh_value ogrh_vtable(ogrh_table *t);

/* A new empty table with room for cap entries, in the arena (NULL when out of memory). */
ogrh_table *ogrh_table_new(ogrh_arena *a, uint32_t cap);

/*
** Canonical key order: integers ascending, then strings bytewise (a prefix sorts first).
** Only integer and string keys are valid.
*/
int ogrh_key_cmp(const ogrh_value *a, const ogrh_value *b);

/* True for an integer or string key. A double with an integral value is normalised by
** ogrh_key_normalize into an integer first. */
bool ogrh_key_valid(const ogrh_value *k);
int ogrh_key_normalize(ogrh_value *k);

/* Looks a key up (binary search). NULL when absent. */
ogrh_value *ogrh_table_get(const ogrh_table *t, const ogrh_value *key);
ogrh_value *ogrh_table_gets(const ogrh_table *t, const char *key);
ogrh_value *ogrh_table_geti(const ogrh_table *t, int64_t key);

/*
** Sets t[key] = val, keeping canonical order; a nil val removes the key. The key's string
** bytes and val's contents are referenced, not copied: copy them into the arena first if
** they do not live there. Growth allocates from a.
*/
int ogrh_table_set(ogrh_arena *a, ogrh_table *t, const ogrh_value *key, const ogrh_value *val);

/* t[key] when it is a table, else NULL (t may be NULL). */
ogrh_table *ogrh_table_child(const ogrh_table *t, const char *key);

/* Number of entries with keys 1..n present consecutively from 1 (Lua's border from 1). */
uint32_t ogrh_table_seqlen(const ogrh_table *t);

/* Deep equality: types must match (integer 1 differs from double 1.0); doubles bitwise-equal
** except that NaN never appears in a valid tree. */
bool ogrh_value_equal(const ogrh_value *a, const ogrh_value *b);

/* Deep copy of src into arena a. */
int ogrh_value_copy(ogrh_arena *a, const ogrh_value *src, ogrh_value *dst);

/*
** True when v's depth (see the depth rule above) is at most limit. Looks no deeper than
** limit + 1 tables, so it is safe on any value.
*/
bool ogrh_value_depth_within(const ogrh_value *v, size_t limit);

/* Statistics of a subtree. */
typedef struct ogrh_value_stats {
  size_t tables, entries, strings, string_bytes, max_depth;
} ogrh_value_stats;
void ogrh_value_stats_add(const ogrh_value *v, ogrh_value_stats *st);

const char *ogrh_type_name(int type);

#endif
