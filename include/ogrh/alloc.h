/*
** ogrh/alloc.h
** The one replaceable allocator, the arena that makes a parsed document cheap, and a byte
** buffer. Not thread-safe: set the allocator before using the library from any thread.
*/
#ifndef OGRH_ALLOC_H
#define OGRH_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/*
** Realloc-shaped allocator in the style of lua_Alloc: nsize == 0 frees ptr and returns NULL;
** otherwise it returns a block of nsize bytes (or NULL on failure, leaving ptr intact).
** osize is the size of ptr's block (0 when ptr is NULL).
*/
typedef void *(*ogrh_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Replaces the allocator (NULL restores the default, built on realloc/free). */
void ogrh_set_allocator(ogrh_alloc_fn fn, void *ud);

void *ogrh_malloc(size_t n);
void *ogrh_realloc(void *p, size_t osize, size_t nsize);
void ogrh_free(void *p, size_t osize);
char *ogrh_strdup(const char *s);

/*
** An arena: many small allocations freed together. Every value of a parsed file lives in one.
** Allocations are 8-byte aligned and never freed individually.
*/
typedef struct ogrh_arena ogrh_arena;

ogrh_arena *ogrh_arena_new(void);
void ogrh_arena_free(ogrh_arena *a);
void *ogrh_arena_alloc(ogrh_arena *a, size_t n);
/* Copies n bytes into the arena and adds a terminating NUL (which n does not count). */
char *ogrh_arena_memdup(ogrh_arena *a, const void *p, size_t n);
/* Bytes obtained from the allocator so far. */
size_t ogrh_arena_size(const ogrh_arena *a);

/*
** A growable byte buffer. Always NUL-terminated after a successful append. It remembers its
** first error (as SQLite's sqlite3_str does): once an append has failed, every later append
** fails with the same code and changes nothing, so a sequence of appends can be checked once,
** at the end, with ogrh_buf_error.
*/
typedef struct ogrh_buf {
  char *p;
  size_t n, cap;
  int err; /* the first error of an append, OGRH_OK while none */
} ogrh_buf;

void ogrh_buf_init(ogrh_buf *b);
void ogrh_buf_deinit(ogrh_buf *b);
/* Empties the buffer and forgets its error; the memory is kept for reuse. */
void ogrh_buf_reset(ogrh_buf *b);
/* The first error of an append since init or reset (OGRH_OK when none). */
static inline int ogrh_buf_error(const ogrh_buf *b) {
  return b->err;
}
int ogrh_buf_reserve(ogrh_buf *b, size_t extra);
int ogrh_buf_add(ogrh_buf *b, const void *p, size_t n);
int ogrh_buf_adds(ogrh_buf *b, const char *s);
int ogrh_buf_addc(ogrh_buf *b, char c);
int ogrh_buf_printf(ogrh_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reads a whole file / stdin ("-") into b. */
int ogrh_read_file(const char *path, ogrh_buf *b);

/*
** Writes a file atomically: a temporary file in the same folder, fsync, rename, fsync of the
** folder. A crash leaves either the old file or the new one, never a mix.
*/
int ogrh_write_file_atomic(const char *path, const void *p, size_t n);

#endif
