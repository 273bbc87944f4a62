/*
** ogrh/error.h
** Result codes shared by every module, and the error report that carries a position.
*/
#ifndef OGRH_ERROR_H
#define OGRH_ERROR_H

#include <stddef.h>

/* One table makes the enum, ogrh_strerror() and ogrh_errname(). */
#define OGRH_ERRNO_MAP(XX)                                                                         \
  XX(ENOMEM, -1, "out of memory")                                                                  \
  XX(EINVAL, -2, "invalid argument")                                                               \
  XX(EIO, -3, "input/output error")                                                                \
  XX(ESYNTAX, -4, "syntax error")                                                                  \
  XX(ERANGE, -5, "value out of range")                                                             \
  XX(EDEPTH, -6, "nesting too deep")                                                               \
  XX(ENOTFOUND, -7, "not found")                                                                   \
  XX(ENOTTABLE, -8, "not a table")                                                                 \
  XX(ETYPE, -9, "wrong type")                                                                      \
  XX(EPATH, -10, "malformed path")                                                                 \
  XX(ESCHEMA, -11, "not an OGRH document")                                                         \
  XX(EVERIFY, -12, "verification failed")                                                          \
  XX(ECORRUPT, -13, "corrupt data")                                                                \
  XX(ELOCKED, -14, "locked by another process")                                                    \
  XX(EEXIST, -15, "already exists")                                                                \
  XX(EREFUSED, -16, "refused by policy")                                                           \
  XX(ETOOBIG, -17, "too large")                                                                    \
  XX(EAGAIN, -18, "try again later")                                                               \
  XX(ENOSPC, -19, "disk full (no space left on device)")                                           \
  XX(EACCES, -20, "permission denied")                                                             \
  XX(EISDIR, -21, "is a directory")                                                                \
  XX(ENOTREG, -22, "not a regular file")                                                           \
  XX(EROFS, -23, "read-only file system")                                                          \
  XX(ELOOP, -24, "too many levels of symbolic links")                                              \
  XX(EAMBIGUOUS, -25, "ambiguous name")

typedef enum {
  OGRH_OK = 0,
#define OGRH__XX(name, code, msg) OGRH_##name = code,
  OGRH_ERRNO_MAP(OGRH__XX)
#undef OGRH__XX
} ogrh_status;

/* Static strings for a status code; unknown codes give "unknown error". */
const char *ogrh_strerror(int code);
const char *ogrh_errname(int code);

/*
** The status for a system errno value: ENOENT and ENOTDIR give OGRH_ENOTFOUND, ENOSPC, EDQUOT
** OGRH_ENOSPC, EACCES and EPERM OGRH_EACCES, EISDIR, EROFS and ELOOP their own codes, EFBIG
** and ENAMETOOLONG OGRH_ETOOBIG, ENOMEM OGRH_ENOMEM, EEXIST OGRH_EEXIST; anything else
** OGRH_EIO.
*/
int ogrh_status_from_errno(int errnum);

/*
** A report filled by functions that can say where things went wrong: the code and a
** message such as "file.lua:12:7: expected '}' to close '{' at line 3, got 'end of file'".
** Callers may pass NULL when they only want the code.
*/
typedef struct ogrh_err {
  int code;
  char msg[512];
} ogrh_err;

/* Sets err (if not NULL) and returns code. printf-style. */
int ogrh_err_set(ogrh_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The message if one was set, else ogrh_strerror(code). */
const char *ogrh_err_msg(const ogrh_err *err);

#endif
