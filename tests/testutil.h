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
/* The text of a file in the source tree (NUL-terminated; valid until the next call; at most
   64 KiB). */
const char *tu_text(const char *rel);
/* Parses text as a SavedVariables file; fails the test on error. */
ogrh_svfile *tu_parse(const char *text);
/* A document of the factory defaults, or of a generated file. */
ogrh_doc *tu_defaults(void);
ogrh_doc *tu_generated(uint64_t seed, int scale);
/* The digest tree of a document, and the validation of local against remote (fail on error). */
ogrh_dtree *tu_tree(ogrh_doc *d);
ogrh_validation *tu_compare(ogrh_doc *local, ogrh_doc *remote);
/* Writes a Lua literal at path (SetPath); fails the test on error. */
void tu_set(ogrh_doc *d, const char *path, const char *lit);
/* Parses a Lua literal into the arena. */
ogrh_value tu_lit(ogrh_arena *a, const char *text);

/*
** Allocation-failure testing. tu_alloc_begin(k) installs an allocator that fails the k-th
** allocation (0-based) from now on and counts the bytes allocated minus the bytes freed;
** tu_alloc_end() restores the default allocator and says whether the failure was injected
** (false: the operation made fewer than k+1 allocations).
*/
void tu_alloc_begin(long fail_at);
bool tu_alloc_end(void);
/* Allocations made, bytes still held (allocated minus freed), and the most bytes held at once,
** since tu_alloc_begin. */
long tu_alloc_count(void);
long long tu_alloc_live(void);
long long tu_alloc_peak(void);

/*
** Runs op(ud, k) with the k-th allocation failing, for k = 0, 1, ... until a run injects no
** failure (the operation needed fewer allocations), at most max runs. op does the operation
** and checks everything that must hold after it (a clean error, nothing changed, the objects
** still valid) and returns its status; when a failure was injected that status must not be
** OGRH_OK unless the operation really can do without the allocation. Returns the number of
** runs, failing the test if max was reached or the last (unfailed) run did not succeed.
*/
long tu_alloc_fail_loop(int (*op)(void *ud, long k), void *ud, long max);
#endif
