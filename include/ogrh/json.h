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

/* Appends the JSON text of v (indent 0 = compact, else spaces per level). */
int ogrh_json_write_value(const ogrh_value *v, int indent, ogrh_buf *out);
int ogrh_json_write_svfile(const ogrh_svfile *f, int indent, ogrh_buf *out);

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
