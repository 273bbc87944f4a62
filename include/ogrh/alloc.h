/*
** ogrh/alloc.h
** The one replaceable allocator (jansson allocates through it too), the arena that makes a
** parsed document cheap, a byte buffer, and whole-file I/O: reading, atomic writing, and the
** writers' lock. Not thread-safe: set the allocator before using the library from any thread.
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

/* ---- whole files ---- */

/*
** Reads a whole file, or standard input for "-", into b. Errors name what went wrong:
** OGRH_ENOTFOUND, OGRH_EACCES, OGRH_EISDIR, OGRH_ENOMEM ... (see ogrh_status_from_errno).
*/
int ogrh_read_file(const char *path, ogrh_buf *b);

/*
** Writes a file atomically: a temporary file PATH.tmp.XXXXXX in the same folder, fsync,
** rename over PATH, fsync of the folder. A crash leaves either the old file or the new one,
** never a mix. "-" writes standard output instead.
**
** A symbolic link is followed: the file it leads to is replaced (its temporary file in that
** file's folder) and the link stays. A PATH that exists and is not a regular file (a folder,
** a pipe, a device) is refused with OGRH_EISDIR or OGRH_ENOTREG and left alone. The replaced
** file's permission bits are kept; a new file gets 0644. After a successful write, temporary
** files of the same target that killed writes left behind (no writer holds them, untouched
** for a minute, owned by us) are removed.
**
** Errors are those of the failing system call (OGRH_ENOSPC, OGRH_EACCES, OGRH_ENOTFOUND,
** OGRH_EROFS ...; see ogrh_status_from_errno) or OGRH_ENOMEM. On an error the file is unchanged
** and no temporary file remains, except when only the final fsync of the folder fails: then
** the new file is in place but might not survive a power cut.
*/
int ogrh_write_file_atomic(const char *path, const void *p, size_t n);

/*
** The lock writers of a live file hold from before they read it until after they replaced
** it, so that two read-modify-write cycles (two `ogrh set` at once) cannot lose an update.
** Readers need none: a write replaces the file whole. An advisory flock on the file the path
** names (through symbolic links), re-checked after every wait because a writer replaces the
** file: waits up to wait_ms, then fails with OGRH_ELOCKED. A missing file is not locked (*l
** holds nothing; OGRH_OK). Released by ogrh_file_lock_release or when the process ends.
*/
typedef struct ogrh_file_lock {
  int fd; /* -1 when nothing is held */
} ogrh_file_lock;

/* How long the command-line tool waits for another writer, in milliseconds. */
#define OGRH_LOCK_WAIT_MS 5000

int ogrh_file_lock_acquire(const char *path, int wait_ms, ogrh_file_lock *l);
void ogrh_file_lock_release(ogrh_file_lock *l);

#endif
