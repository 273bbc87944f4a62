/*
** ogrh/svfile.h
** WoW SavedVariables files: a sequence of `NAME = value` assignments in Lua table syntax.
** The reader executes nothing; it accepts everything Lua 5.0/5.1 literals allow (every string
** escape, long brackets, comments anywhere, hex, exponents) and reports errors with
** file:line:column. The writer produces the WoW style (tabs, `["key"] = value,`),
** deterministic, with numbers that read back identical and strings that keep every byte.
*/
#ifndef OGRH_SVFILE_H
#define OGRH_SVFILE_H

#include "ogrh/error.h"
#include "ogrh/value.h"

typedef struct ogrh_sv_var {
  const char *name; /* NUL-terminated, in the arena */
  ogrh_value value;
} ogrh_sv_var;

/*
** A parsed file. All its values live in `arena`; it owns the arena. Read vars[0..n) freely;
** change them only through ogrh_svfile_set, which keeps the private name index in step.
*/
typedef struct ogrh_svfile {
  ogrh_arena *arena;
  ogrh_sv_var *vars;
  size_t n, cap;
  size_t *index, index_cap; /* private: positions by name (see svfile.c) */
} ogrh_svfile;

/* An empty file (no assignments). NULL when out of memory. */
ogrh_svfile *ogrh_svfile_new(void);
void ogrh_svfile_free(ogrh_svfile *f);

/*
** Parses buf (len bytes; it is copied) naming it `name` in error messages. On error returns a
** negative code, fills err, and *out is NULL. Later assignments to the same name replace
** earlier ones (as Lua would), keeping the first one's position.
*/
int ogrh_svfile_parse(const char *buf, size_t len, const char *name, ogrh_svfile **out,
                      ogrh_err *err);
/*
** Reads and parses a file ("-" is standard input). A file that cannot be read fails with the
** reason's own code (OGRH_ENOTFOUND, OGRH_EACCES, OGRH_EISDIR ...) and a message naming path.
*/
int ogrh_svfile_load(const char *path, ogrh_svfile **out, ogrh_err *err);

/* Parses exactly one Lua literal value (for command-line input) into arena a. */
int ogrh_value_parse_literal(ogrh_arena *a, const char *buf, size_t len, ogrh_value *out,
                             ogrh_err *err);

/*
** Appends the file in WoW style to b. Fails with OGRH_ERANGE on a non-finite double and with
** OGRH_EDEPTH on a table nested deeper than the reader accepts (a variable's value is depth 0;
** tables may stand at depths 0 .. OGRH_MAX_DEPTH - 1), so what it writes always reads back.
*/
int ogrh_svfile_write(const ogrh_svfile *f, ogrh_buf *b);
/* Appends one value in WoW style; indent is the tab depth of the line it starts on. The depth
** rule counts from v (depth 0). */
int ogrh_value_write(const ogrh_value *v, int indent, ogrh_buf *b);
/*
** The size in bytes of what ogrh_value_write (same indent) and ogrh_svfile_write would append,
** counted without writing it; the same errors (OGRH_ERANGE, OGRH_EDEPTH), *out 0 then.
*/
int ogrh_value_write_size(const ogrh_value *v, int indent, size_t *out);
int ogrh_svfile_write_size(const ogrh_svfile *f, size_t *out);
/* Appends one value on a single line: {[1] = "a", ["x"] = 2}. */
int ogrh_value_write_inline(const ogrh_value *v, ogrh_buf *b);
/* Appends a Lua string literal that reads back to exactly these bytes. */
int ogrh_write_lua_string(const char *s, size_t n, ogrh_buf *b);
/* Appends the shortest decimal text that reads back to exactly d (always a double literal). */
int ogrh_write_double(double d, ogrh_buf *b);

/* Writes the file atomically (see ogrh_write_file_atomic); the message names path and why. */
int ogrh_svfile_save(const ogrh_svfile *f, const char *path, ogrh_err *err);

/* The value assigned to name, or NULL. */
ogrh_value *ogrh_svfile_get(ogrh_svfile *f, const char *name);
/* Assigns name = v (v must live in f->arena); appends a new assignment if name is new. */
int ogrh_svfile_set(ogrh_svfile *f, const char *name, const ogrh_value *v);

#endif
