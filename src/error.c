/*
** error.c
** Result-code names and messages, and the positioned error report.
*/
#include "ogrh/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

const char *ogrh_strerror(int code) {
  switch (code) {
  case OGRH_OK:
    return "success";
#define OGRH__XX(name, c, msg)                                                                     \
  case OGRH_##name:                                                                                \
    return msg;
    OGRH_ERRNO_MAP(OGRH__XX)
#undef OGRH__XX
  }
  return "unknown error";
}

const char *ogrh_errname(int code) {
  switch (code) {
  case OGRH_OK:
    return "OK";
#define OGRH__XX(name, c, msg)                                                                     \
  case OGRH_##name:                                                                                \
    return #name;
    OGRH_ERRNO_MAP(OGRH__XX)
#undef OGRH__XX
  }
  return "EUNKNOWN";
}

int ogrh_err_set(ogrh_err *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *ogrh_err_msg(const ogrh_err *err) {
  if (!err) return "";
  if (err->msg[0]) return err->msg;
  return ogrh_strerror(err->code);
}

int ogrh_status_from_errno(int errnum) {
  switch (errnum) {
  case ENOENT:
  case ENOTDIR:
    return OGRH_ENOTFOUND;
  case ENOSPC:
#ifdef EDQUOT
  case EDQUOT:
#endif
    return OGRH_ENOSPC;
  case EACCES:
  case EPERM:
    return OGRH_EACCES;
  case EISDIR:
    return OGRH_EISDIR;
  case EROFS:
    return OGRH_EROFS;
  case ELOOP:
    return OGRH_ELOOP;
  case EFBIG:
  case ENAMETOOLONG:
    return OGRH_ETOOBIG;
  case ENOMEM:
    return OGRH_ENOMEM;
  case EEXIST:
    return OGRH_EEXIST;
  }
  return OGRH_EIO;
}
