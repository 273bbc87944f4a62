/*
** ogrh/roster.h
** A team's roster: the players and their ranks (leader 2, assistant 1, member 0), as the
** leader publishes it (live: a retained MQTT message only the leader's account may publish;
** docs/PROTOCOL.md §12). Also the rule for names that travel in MQTT topics. Sans-I/O; the
** parser takes (p, n), never reads past n, bounds every count, and is fuzzed.
** Not thread-safe: one roster, one thread.
*/
#ifndef OGRH_ROSTER_H
#define OGRH_ROSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "ogrh/alloc.h"
#include "ogrh/error.h"

enum { OGRH_RANK_MEMBER = 0, OGRH_RANK_ASSISTANT = 1, OGRH_RANK_LEADER = 2 };

/* Longest player or team name in bytes, and the most players a roster holds. */
#define OGRH_NAME_MAX 48
#define OGRH_ROSTER_MAX 1000
/* The largest roster message accepted. */
#define OGRH_ROSTER_BYTES (256 * 1024)

/* "member", "assistant", "leader" (NULL for anything else). */
const char *ogrh_rank_name(int rank);
/* Accepts the names above, "officer" for assistant, and the digits 0..2. */
int ogrh_rank_parse(const char *s, int *out);

/*
** A name usable as a player, user or team name and as one MQTT topic level: 1..OGRH_NAME_MAX
** bytes of UTF-8 without control characters, spaces at either end, and none of / + # (the
** topic separators and wildcards).
*/
bool ogrh_name_valid(const char *s, size_t n);

typedef struct ogrh_roster_entry {
  char name[OGRH_NAME_MAX + 1];
  int rank;
} ogrh_roster_entry;

typedef struct ogrh_roster {
  char team[OGRH_NAME_MAX + 1];
  int64_t updated; /* seconds since the epoch when the leader published it (0: unknown) */
  ogrh_roster_entry *e;
  size_t n, cap;
} ogrh_roster;

/* An empty roster of team (which must be a valid name). NULL when out of memory. */
ogrh_roster *ogrh_roster_new(const char *team);
void ogrh_roster_free(ogrh_roster *r);

/* Adds a player or changes its rank. OGRH_EINVAL for a bad name or rank, OGRH_ETOOBIG past
** OGRH_ROSTER_MAX. */
int ogrh_roster_set(ogrh_roster *r, const char *name, int rank);
/* The player's rank, or -1 when the player is not on the roster. */
int ogrh_roster_rank(const ogrh_roster *r, const char *name);
/* The leader's name, or NULL when there is none. */
const char *ogrh_roster_leader(const ogrh_roster *r);

/*
** Checks what every published roster must satisfy: exactly one leader, names unique.
** OGRH_EINVAL with a message otherwise.
*/
int ogrh_roster_check(const ogrh_roster *r, ogrh_err *err);

/*
** The message: {"format":"ogrh-roster","version":1,"team":T,"updated":S,
** "players":[{"name":N,"rank":"leader"},...]} (players in the order they were added).
*/
int ogrh_roster_json(const ogrh_roster *r, ogrh_buf *out);
/* Parses and checks a message (at most OGRH_ROSTER_BYTES). On error *out is NULL. */
int ogrh_roster_parse(const char *p, size_t n, ogrh_roster **out, ogrh_err *err);

/*
** Parses the command-line form "NAME:RANK" (RANK as ogrh_rank_parse takes it; "NAME" alone
** is a member) and adds it.
*/
int ogrh_roster_add_spec(ogrh_roster *r, const char *spec, ogrh_err *err);

#endif
