/* Test helpers shared by the unit tests. */
#ifndef OGRH_TESTUTIL_H
#define OGRH_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ogrh/ogrh.h"

/* Path of a file in the source tree. */
const char *tu_src(const char *rel);
/* Parses text as a SavedVariables file; fails the test on error. */
ogrh_svfile *tu_parse(const char *text);
/* A document of the factory defaults, or of a generated file. */
ogrh_doc *tu_defaults(void);
ogrh_doc *tu_generated(uint64_t seed, int scale);
/* Writes a Lua literal at path (SetPath); fails the test on error. */
void tu_set(ogrh_doc *d, const char *path, const char *lit);
/* Parses a Lua literal into the arena. */
ogrh_value tu_lit(ogrh_arena *a, const char *text);
#endif
