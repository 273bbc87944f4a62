/*
** ogrh/json.h
** Lossless JSON for values and whole SavedVariables files.
**
** Mapping (docs/FORMATS.md has the full rules):
**  - a table whose keys are exactly 1..n (n >= 1) is a JSON array; any other table an object;
**  - object keys: integer k is "#k"; a string key starting with '#' or '~' gets a '~' prefix;
**    a string key that is not valid UTF-8 is "~b:" + base64;
**  - integers are JSON integers, doubles are JSON reals (always written with '.' or 'e');
**  - a string that is not valid UTF-8 is {"~bytes": base64}.
** A whole file is an object of its assignments in file order.
*/
#ifndef OGRH_JSON_H
#define OGRH_JSON_H

#include "ogrh/error.h"
#include "ogrh/svfile.h"
#include "ogrh/util.h"
#include "ogrh/value.h"

/*
** Appends the JSON text of v (indent 0 = compact, else spaces per level). Doubles are written
** in the shortest form that reads back to the same double. OGRH_ERANGE for a double that is
** not finite, OGRH_EDEPTH for tables nested deeper than a SavedVariables file may hold.
*/
int ogrh_json_write_value(const ogrh_value *v, int indent, ogrh_buf *out);
int ogrh_json_write_svfile(const ogrh_svfile *f, int indent, ogrh_buf *out);

/*
** A streaming writer of JSON text into a buffer, for reports (the plan, the command-line
** tool's --json output): objects and arrays are opened and closed by the caller, each item
** takes its key (NULL inside an array and at the top). indent 0 writes compact JSON, else
** each item on its own line, indented by that many spaces per level. Errors are remembered:
** write freely, then check ogrh_jw_error once. Strings that are not UTF-8 get U+FFFD for each
** byte that is not; a NULL string is null.
*/
typedef struct ogrh_jw {
  ogrh_buf *b;
  int indent, depth;
  bool first; /* nothing written yet in the innermost container */
  int err;    /* the first error that is not the buffer's */
} ogrh_jw;

void ogrh_jw_init(ogrh_jw *w, ogrh_buf *b, int indent);
/* The first error (the writer's or the buffer's), OGRH_OK when none. */
int ogrh_jw_error(const ogrh_jw *w);
/* c is '{' or '['; close with the matching '}' or ']'. */
void ogrh_jw_open(ogrh_jw *w, const char *key, char c);
void ogrh_jw_close(ogrh_jw *w, char c);
void ogrh_jw_str(ogrh_jw *w, const char *key, const char *s);
void ogrh_jw_strn(ogrh_jw *w, const char *key, const char *s, size_t n);
void ogrh_jw_int(ogrh_jw *w, const char *key, int64_t v);
void ogrh_jw_bool(ogrh_jw *w, const char *key, bool v);
void ogrh_jw_null(ogrh_jw *w, const char *key);
/* An integer or a double; anything else (nil) is null. */
void ogrh_jw_num(ogrh_jw *w, const char *key, const ogrh_value *v);
/* A value in the lossless mapping above; returns ogrh_jw_error. */
int ogrh_jw_value(ogrh_jw *w, const char *key, const ogrh_value *v);
/* JSON text (one value) written again at this place, with the writer's indentation. */
int ogrh_jw_json_text(ogrh_jw *w, const char *key, const char *text, size_t n);
/* The members of a JSON object's text written into the open object, but those named in skip
** (OGRH_EINVAL when the text is no object). */
int ogrh_jw_json_members(ogrh_jw *w, const char *text, size_t n, const char *const *skip,
                         size_t nskip);

/* Parses JSON text back; errors name line and column. */
int ogrh_json_read_value(ogrh_arena *a, const char *text, size_t len, ogrh_value *out,
                         ogrh_err *err);
int ogrh_json_read_svfile(const char *text, size_t len, const char *name, ogrh_svfile **out,
                          ogrh_err *err);

/*
** Appends jansson's text of j (flags as for json_dumps) to out. jansson allocates through the
** library's allocator (see alloc.h), so a string from json_dumps must never reach free():
** write JSON text with this instead.
*/
struct json_t;
int ogrh_json_dump(const struct json_t *j, size_t flags, ogrh_buf *out);
/* Frees a string jansson returned (json_dumps): free() would be wrong. NULL is fine. */
void ogrh_json_free(void *p);

#endif
