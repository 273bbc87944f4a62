/*
** alloc.h (private)
** What alloc.c shares with the library's other modules and nothing else may use.
*/
#ifndef OGRH_ALLOC_PRIVATE_H
#define OGRH_ALLOC_PRIVATE_H

#include "ogrh/alloc.h"

/*
** A crash point: a place where the crash-safety tests kill the process. Nothing happens in the
** library; the test build of the command-line tool overrides it (see alloc.c).
*/
void ogrh__crashpoint(void);

/*
** How many of jansson's allocations have failed since the process started. jansson swallows
** some failures (its parser then returns damaged text), so a caller compares the count before
** and after a jansson call and treats any change as OGRH_ENOMEM.
*/
unsigned long ogrh__json_alloc_failures(void);

/*
** Opens path for reading. *size is the size of a regular file (0 for a pipe or a device, whose
** size is unknown). Refuses a folder (OGRH_EISDIR); errors as ogrh_status_from_errno.
*/
int ogrh__open_read(const char *path, int *fd, size_t *size);
/* Reads fd to its end, appending to b. */
int ogrh__read_fd(int fd, ogrh_buf *b);
/* Reads exactly n bytes; OGRH_EIO when the file ends first (it shrank while being read). */
int ogrh__read_exact(int fd, void *p, size_t n);

#endif
