/*
** simaddon.h (private)
** OG-RaidHelper's sync at HEAD (research/ogrh-sync.md §2, §4.1, §5.0-5.6, §6, §8) as a
** simulator client: the SVM write path (REALTIME deltas, the fixed 2 s BATCH window, the offline
** queue), the admin's 30 s checksum poll of the active raid (raids[1]) with its four layers,
** the clients' comparison and per-mismatch repair requests, the admin's 1 s repair buffer,
** repair sessions (START, STRUCTURE / ROLESUI / ENCOUNTER packets paced by queue depth, the
** CTL drain wait, validation, COMPLETE), admin discovery, takeover and assignment. It rides on
** the OGAddonMsg model (simogam.h) and works on the same documents as the library (doc.h).
** `bugs` keeps the defects research lists as BUG(code) (default on, as the addon behaves).
*/
#ifndef OGRH_SIMADDON_H
#define OGRH_SIMADDON_H

#include "ogrh/sim.h"
#include "simogam.h"

/* What the simulation tells a client and learns from it. */
typedef struct ogrh_addon_host {
  void *ud;
  /* The raid rank of a player as the roster says (2 leader, 1 assistant, 0 member), -1 when
  ** the player is not in the raid. */
  int (*rank_of)(void *ud, const char *name);
  /* A client's poll comparison found a difference (the mismatch is known). */
  void (*mismatch)(void *ud, int client, uint64_t now_ms);
  /* A client refused a message because of who sent it, or could not read it. */
  void (*refused)(void *ud, int client, const char *sender, const char *what);
  /* The client that runs the frame / receive / event below (for accounting). */
  void (*enter)(void *ud, int client);
  void (*leave)(void *ud, int client);
} ogrh_addon_host;

typedef struct ogrh_addon_cfg {
  ogrh_sim *sim;
  int idx;       /* this client in sim */
  ogrh_doc *doc; /* its SavedVariables; not owned, survives reloads */
  bool bugs;
  uint64_t seed;
  const char *admin; /* who the client believes is admin at the start (NULL: nobody) */
  const ogrh_addon_host *host;
} ogrh_addon_cfg;

typedef struct ogrh_addon_stats {
  uint64_t refused, polls_sent, poll_bytes, repair_requests, sessions, sessions_lost, packets_sent,
      validations_failed, offline_lost, deltas_applied, deltas_locked;
  ogam_stats ogam; /* summed over the client's lives */
} ogrh_addon_stats;

typedef struct ogrh_addon ogrh_addon;

ogrh_addon *ogrh_addon_new(const ogrh_addon_cfg *c, uint64_t now_ms);
void ogrh_addon_free(ogrh_addon *a);

/* The channel callbacks (ud = the ogrh_addon). */
extern const ogrh_sim_client_if ogrh_addon_client_if;

/*
** SVM SetPath(path, value, {syncLevel, componentType}) made in the UI. OGRH_EREFUSED when the
** SVM is locked by a repair session; otherwise the write is made and synced (or queued, or
** silently not sent) as the addon does.
*/
int ogrh_addon_write(ogrh_addon *a, const char *path, const ogrh_value *v, ogrh_sync_level level,
                     const char *component_type, uint64_t now_ms);
/* PLAYER_REGEN_DISABLED / _ENABLED. */
void ogrh_addon_combat(ogrh_addon *a, bool in_combat, uint64_t now_ms);
/* RAID_ROSTER_UPDATE; joined: this client just came into the raid (admin discovery). */
void ogrh_addon_roster(ogrh_addon *a, bool joined, uint64_t now_ms);
/* The leader or an assistant makes target admin (AssignAdminRole). */
int ogrh_addon_grant_admin(ogrh_addon *a, const char *target, uint64_t now_ms);

typedef enum {
  OGRH_FORGE_ADMIN_CLAIM = 1, /* ADMIN.TAKEOVER from a member */
  OGRH_FORGE_DELTA,           /* a "settings" delta that writes marker at path */
  OGRH_FORGE_REPAIR,          /* an ENCOUNTER repair packet carrying marker */
  OGRH_FORGE_GARBAGE          /* a message that does not parse */
} ogrh_forge_kind;
int ogrh_forge_parse(const char *s, ogrh_forge_kind *out);
const char *ogrh_forge_name(ogrh_forge_kind k);

/* This client sends a crafted message. */
int ogrh_addon_forge(ogrh_addon *a, ogrh_forge_kind k, const char *path, const ogrh_value *marker,
                     uint64_t now_ms);

/* Who the client believes is admin ("" when nobody). */
const char *ogrh_addon_admin(const ogrh_addon *a);
const ogrh_addon_stats *ogrh_addon_stats_get(const ogrh_addon *a);

/* The component type the addon's SyncRouter gives a path ("assignments", "settings", ...). */
const char *ogrh_addon_component_type(const char *path);

#endif
