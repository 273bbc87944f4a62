/*
** migrate.c
** The v1 -> v2 migration (ogrh/migrate.h): the fixed one, built on the v1 view of the schema
** module; the addon's own, step by step as research/ogrh-migration.md §0-§3 describes it; the
** report that explains every difference between the two; the check of a result.
*/
#include "ogrh/migrate.h"
#include "ogrh/validate.h"
#include "ogrh/json.h"
#include "ogrh/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const mnote_names[] = {
#define OGRH__XX(id, name) name,
    OGRH_MNOTE_MAP(OGRH__XX)
#undef OGRH__XX
};

const char *ogrh_mnote_name(ogrh_mnote_kind k) {
  return (int)k >= 0 && k < OGRH_NMNOTES ? mnote_names[k] : "?";
}

/* ---- one migration ---- */

typedef struct mig {
  ogrh_arena *a; /* scratch: both results are built here, then copied into the output */
  ogrh_migration *rep;
  const ogrh_migrate_opts *o;
  int rc;       /* the first allocation failure */
  bool stopped; /* the addon's migration stops with a Lua error (E2) */
} mig;

static int fail(mig *m, int rc) {
  if (rc && !m->rc) m->rc = rc;
  return rc;
}

/* Paths: built segment by segment, formatted as docs/PROTOCOL.md §1 writes them. */
static void ps(ogrh_path *p, const char *s) {
  if (p->n < OGRH_PATH_MAX) p->seg[p->n++] = ogrh_vcstr(s);
}
static void pv(ogrh_path *p, const ogrh_value *v) {
  if (p->n < OGRH_PATH_MAX) p->seg[p->n++] = *v;
}
static void pi(ogrh_path *p, int64_t i) {
  if (p->n < OGRH_PATH_MAX) p->seg[p->n++] = ogrh_vint(i);
}

static void note(mig *m, ogrh_mnote_kind kind, const char *tag, const ogrh_path *p, const char *fmt,
                 ...) {
  ogrh_migration *r = m->rep;
  if (m->rc) return;
  char text[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (p) ogrh_path_format(p, p->n, &b);
  ogrh_buf_addc(&b, '\0');
  int rc = ogrh_buf_error(&b);
  /* Same-named encounters share their v1 places: one line says it once. */
  for (size_t i = 0; !rc && i < r->n; i++)
    if (r->notes[i].kind == kind && strcmp(r->notes[i].path, b.p) == 0 &&
        strcmp(r->notes[i].text, text) == 0) {
      ogrh_buf_deinit(&b);
      return;
    }
  char *path = rc ? NULL : ogrh_arena_memdup(r->arena, b.p, b.n);
  char *t = rc ? NULL : ogrh_arena_memdup(r->arena, text, strlen(text) + 1);
  ogrh_buf_deinit(&b);
  if (!path || !t || ogrh_grow(&r->notes, &r->cap, r->n + 1, sizeof *r->notes)) {
    fail(m, OGRH_ENOMEM);
    return;
  }
  ogrh_migrate_note *n = &r->notes[r->n++];
  n->kind = kind;
  n->tag = tag ? tag : "";
  n->path = path;
  n->text = t;
}

/* Shorthands on tables of the scratch arena. */
static ogrh_value *get(const ogrh_table *t, const char *k) {
  return t ? ogrh_table_gets(t, k) : NULL;
}
static ogrh_table *tab(const ogrh_table *t, const char *k) {
  return ogrh_table_child(t, k);
}
static bool truthy(const ogrh_value *v) {
  return v && v->type != OGRH_NIL && !(v->type == OGRH_BOOL && !v->b);
}
static bool is_str(const ogrh_value *v, const char *s) {
  return v && v->type == OGRH_STRING && v->len == strlen(s) && memcmp(v->u.s, s, v->len) == 0;
}
/* t[k] = v (k a literal); v nil removes. Nothing after the first failure. */
static void put(mig *m, ogrh_table *t, const char *k, ogrh_value v) {
  ogrh_value key = ogrh_vcstr(k);
  if (!m->rc && t) fail(m, ogrh_table_set(m->a, t, &key, &v));
}
static void puti(mig *m, ogrh_table *t, int64_t k, ogrh_value v) {
  ogrh_value key = ogrh_vint(k);
  if (!m->rc && t) fail(m, ogrh_table_set(m->a, t, &key, &v));
}
static ogrh_table *newt(mig *m) {
  ogrh_table *t = ogrh_table_new(m->a, 4);
  if (!t) fail(m, OGRH_ENOMEM);
  return t;
}
/* t[k] as a table, created when missing (SVM Set creates the table it writes into). */
static ogrh_table *ensure(mig *m, ogrh_table *t, const char *k) {
  ogrh_table *c = tab(t, k);
  if (c || m->rc) return c;
  if (!(c = newt(m))) return NULL;
  put(m, t, k, ogrh_vtable(c));
  return m->rc ? NULL : c;
}
/* DeepCopy into the scratch arena. */
static ogrh_value deep(mig *m, const ogrh_value *v) {
  ogrh_value c = ogrh_vnil();
  if (v) fail(m, ogrh_value_copy(m->a, v, &c));
  return c;
}
/* Lua 5.0's table.getn on a file's array: the entries 1..n before the first gap (E3). */
static int64_t getn(const ogrh_table *t) {
  return t ? (int64_t)ogrh_table_seqlen(t) : 0;
}

/* ---- the addon's own migration (research §0-§3) ---- */

/* The Phase 4 rows that act (research §2.4): copied to the same path of v2 when not nil. */
static const char *const map_rows[][2] = {{"raidLead", NULL},
                                          {"firstRun", NULL},
                                          {"minimap", "angle"},
                                          {"rolesUI", "point"},
                                          {"rolesUI", "relPoint"},
                                          {"rolesUI", "x"},
                                          {"rolesUI", "y"},
                                          {"sorting", "speed"},
                                          {"permissions", "currentAdmin"},
                                          {"permissions", "permissionDenials"},
                                          {"versioning", "globalVersion"},
                                          {"versioning", "encounterVersions"},
                                          {"versioning", "assignmentVersions"}};
enum { NMAP_ROWS = (int)(sizeof map_rows / sizeof map_rows[0]) };

/* Phase 6: keys copied whole (research §2.5), then `ui`. */
static const char *const copy_keys[] = {
    "consumes",     "consumesTracking", "tradeItems", "recruitment",           "rosterManagement",
    "autoPromotes", "invites",          "pollTime",   "allowRemoteReadyCheck", "monitorConsumes",
    "syncLocked"};
enum { NCOPY_KEYS = (int)(sizeof copy_keys / sizeof copy_keys[0]) };

/* The renamed per-encounter tables of Phase 3, in the order the addon calls them. */
static const char *const phase3[][2] = {{"encounterAssignments", "assignedPlayers"},
                                        {"encounterRaidMarks", "raidMarks"},
                                        {"encounterAssignmentNumbers", "assignmentNumbers"},
                                        {"encounterAnnouncements", "announcements"}};

/* EnsureSV's v1 branch (C:149-171): the defaults a v1 file gets on every load. */
static void v1_defaults(mig *m, ogrh_table *sv) {
  static const char *const tables[] = {"roles",   "tankCategory",     "healerBoss",
                                       "ui",      "tankIcon",         "healerIcon",
                                       "rolesUI", "playerAssignments"};
  if (!get(sv, "pollTime")) put(m, sv, "pollTime", ogrh_vint(5));
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    if (!truthy(get(sv, tables[i]))) put(m, sv, tables[i], ogrh_vtable(newt(m)));
    if (i == 3) {
      ogrh_table *ui = tab(sv, "ui");
      if (ui && !get(ui, "minimized")) put(m, ui, "minimized", ogrh_vbool(false));
    }
  }
  if (!get(sv, "allowRemoteReadyCheck")) put(m, sv, "allowRemoteReadyCheck", ogrh_vbool(true));
  if (!truthy(get(sv, "tradeItems"))) put(m, sv, "tradeItems", ogrh_vtable(newt(m)));
  if (!get(sv, "syncLocked")) put(m, sv, "syncLocked", ogrh_vbool(false));
  /* Old healerTankAssigns become icon assignments, once. */
  ogrh_table *hta = tab(sv, "healerTankAssigns");
  if (hta && !truthy(get(sv, "_assignmentsMigrated"))) {
    ogrh_table *pa = tab(sv, "playerAssignments");
    for (uint32_t i = 0; pa && i < hta->n; i++) {
      const ogrh_value *id = &hta->e[i].val;
      double x = id->type == OGRH_INT ? (double)id->u.i : id->type == OGRH_DOUBLE ? id->u.d : 0;
      if (x < 1 || x > 8) continue;
      ogrh_table *t = newt(m);
      if (!t) return;
      put(m, t, "type", ogrh_vcstr("icon"));
      put(m, t, "value", *id);
      ogrh_value tv = ogrh_vtable(t);
      fail(m, ogrh_table_set(m->a, pa, &hta->e[i].key, &tv));
    }
    put(m, sv, "_assignmentsMigrated", ogrh_vbool(true));
  }
}

/* MigrateRGOSettings (C:626-649): rgo's two settings move, then rgo goes. */
static void move_rgo(mig *m, ogrh_table *sv) {
  ogrh_table *rgo = tab(sv, "rgo");
  if (!get(sv, "rgo")) return;
  const ogrh_value *ase = get(rgo, "autoSortEnabled");
  if (ase) {
    ogrh_table *inv = ensure(m, sv, "invites");
    if (inv && !get(inv, "autoSortEnabled")) put(m, inv, "autoSortEnabled", *ase);
  }
  const ogrh_value *speed = get(rgo, "sortSpeed");
  if (truthy(speed)) {
    ogrh_table *so = ensure(m, sv, "sorting");
    if (so && !get(so, "speed")) put(m, so, "speed", *speed);
  }
  put(m, sv, "rgo", ogrh_vnil());
}

/* The name -> index lookups of Phase 1's valid entries; the last of equal names wins. */
static const ogrh_value *lookup(const ogrh_table *list, const ogrh_value *name) {
  const ogrh_value *found = NULL;
  for (int64_t i = 1; i <= getn(list); i++) {
    const ogrh_value *e = ogrh_table_geti(list, i);
    const ogrh_value *n = e && e->type == OGRH_TABLE ? get(e->u.t, "name") : NULL;
    if (truthy(n) && ogrh_value_equal(n, name)) found = e;
  }
  return found;
}

/* The v2 encounter of the names raid/enc (the v1 lookups, by index, into v2's raids). */
static ogrh_table *v2_encounter(const ogrh_table *v1raids, ogrh_table *v2raids,
                                const ogrh_value *raid, const ogrh_value *enc) {
  int64_t ri = 0, ei = 0;
  for (int64_t i = 1; i <= getn(v1raids); i++) {
    const ogrh_value *e = ogrh_table_geti(v1raids, i);
    const ogrh_value *n = e && e->type == OGRH_TABLE ? get(e->u.t, "name") : NULL;
    if (truthy(n) && ogrh_value_equal(n, raid)) ri = i;
  }
  if (!ri) return NULL;
  const ogrh_table *encs = tab(ogrh_table_geti(v1raids, ri)->u.t, "encounters");
  for (int64_t j = 1; j <= getn(encs); j++) {
    const ogrh_value *e = ogrh_table_geti(encs, j);
    const ogrh_value *n = e && e->type == OGRH_TABLE ? get(e->u.t, "name") : NULL;
    if (truthy(n) && ogrh_value_equal(n, enc)) ei = j;
  }
  if (!ei) return NULL;
  const ogrh_value *r = ogrh_table_geti(v2raids, ri);
  const ogrh_table *el = r && r->type == OGRH_TABLE ? tab(r->u.t, "encounters") : NULL;
  const ogrh_value *e = el ? ogrh_table_geti(el, ei) : NULL;
  return e && e->type == OGRH_TABLE ? e->u.t : NULL;
}

/* A v1 role Phase 2 keeps: a table with a non-empty string name and a roleId. */
static bool addon_valid_role(const ogrh_value *r) {
  if (r->type != OGRH_TABLE) return false;
  const ogrh_value *n = get(r->u.t, "name");
  return n && n->type == OGRH_STRING && n->len > 0 && truthy(get(r->u.t, "roleId"));
}

/*
** MigrateToV2 (M:441-611) on sv, which must hold no `v2`: Phases 1-6 and migrationMeta.
** Returns false with *stop set when the addon's code stops with a Lua error (E2: a roles
** entry that is not a table): Phase 1 has then already set v2.encounterMgmt.
*/
static ogrh_table *migrate_to_v2(mig *m, ogrh_table *sv, bool *stopped) {
  *stopped = false;
  ogrh_table *v2 = newt(m);
  if (!v2) return NULL;
  put(m, sv, "v2", ogrh_vtable(v2));
  ogrh_table *em = tab(sv, "encounterMgmt"), *v1raids = tab(em, "raids"), *v2raids = NULL;
  /* Phase 1: raids and encounters, verbatim, at their indexes. */
  if (v1raids) {
    ogrh_table *v2em = ensure(m, v2, "encounterMgmt");
    v2raids = newt(m);
    if (!v2em || !v2raids) return NULL;
    put(m, v2em, "raids", ogrh_vtable(v2raids));
    put(m, v2em, "schemaVersion", ogrh_vint(2));
    for (int64_t i = 1; i <= getn(v1raids); i++) {
      const ogrh_value *r = ogrh_table_geti(v1raids, i);
      if (r->type != OGRH_TABLE || !truthy(get(r->u.t, "name"))) continue;
      ogrh_value nr = deep(m, r);
      if (m->rc) return NULL;
      const ogrh_value *ev = get(r->u.t, "encounters");
      if (truthy(ev)) {
        ogrh_table *encs = newt(m), *src = ev->type == OGRH_TABLE ? ev->u.t : NULL;
        if (!encs) return NULL;
        for (int64_t j = 1; j <= getn(src); j++) {
          const ogrh_value *e = ogrh_table_geti(src, j);
          if (e->type == OGRH_TABLE && truthy(get(e->u.t, "name"))) puti(m, encs, j, deep(m, e));
        }
        put(m, nr.u.t, "encounters", ogrh_vtable(encs));
      }
      puti(m, v2raids, i, nr);
    }
  }
  /* Phase 2: roles, column1's valid entries then column2's, with their column. */
  const ogrh_value *rolesv = get(em, "roles");
  if (truthy(rolesv) && rolesv->type == OGRH_TABLE) {
    const ogrh_table *roles = rolesv->u.t;
    for (uint32_t i = 0; i < roles->n && !m->rc; i++) {
      const ogrh_value *rn = &roles->e[i].key, *rr = &roles->e[i].val;
      if (!lookup(v1raids, rn)) continue; /* "Unknown raid name in roles": dropped */
      if (rr->type != OGRH_TABLE) {
        *stopped = true;
        return v2;
      }
      for (uint32_t j = 0; j < rr->u.t->n; j++) {
        const ogrh_value *en = &rr->u.t->e[j].key, *er = &rr->u.t->e[j].val;
        ogrh_table *enc = v2_encounter(v1raids, v2raids, rn, en);
        if (!enc) continue;
        if (er->type != OGRH_TABLE) {
          *stopped = true; /* E2: indexing a non-table throws (M:319) */
          return v2;
        }
        ogrh_table *list = newt(m);
        if (!list) return NULL;
        int64_t idx = 1;
        for (int c = 1; c <= 2; c++) {
          const ogrh_value *col = get(er->u.t, c == 1 ? "column1" : "column2");
          if (!truthy(col)) continue;
          if (col->type != OGRH_TABLE) {
            *stopped = true;
            return v2;
          }
          for (uint32_t k = 0; k < col->u.t->n; k++) {
            const ogrh_value *rv = &col->u.t->e[k].val;
            if (!addon_valid_role(rv)) continue;
            ogrh_value nr = deep(m, rv);
            if (m->rc) return NULL;
            put(m, nr.u.t, "column", ogrh_vint(c));
            puti(m, list, idx++, nr);
          }
        }
        put(m, enc, "roles", ogrh_vtable(list));
      }
    }
  }
  /* Phase 3: per-role tables by position (B1, B2), announcements per encounter. */
  for (int d = 0; d < 4 && !m->rc; d++) {
    const ogrh_value *dv = get(sv, phase3[d][0]);
    if (!dv || dv->type != OGRH_TABLE) continue;
    for (uint32_t i = 0; i < dv->u.t->n; i++) {
      const ogrh_value *rn = &dv->u.t->e[i].key, *rd = &dv->u.t->e[i].val;
      if (!lookup(v1raids, rn) || rd->type != OGRH_TABLE) continue;
      for (uint32_t j = 0; j < rd->u.t->n; j++) {
        const ogrh_value *en = &rd->u.t->e[j].key, *ed = &rd->u.t->e[j].val;
        ogrh_table *enc = v2_encounter(v1raids, v2raids, rn, en);
        if (!enc) continue;
        if (d == 3) {
          put(m, enc, "announcements", deep(m, ed));
          continue;
        }
        if (ed->type != OGRH_TABLE) continue;
        ogrh_table *roles = ensure(m, enc, "roles");
        for (uint32_t k = 0; roles && k < ed->u.t->n; k++) {
          const ogrh_entry *re = &ed->u.t->e[k];
          if (re->key.type != OGRH_INT || re->val.type != OGRH_TABLE) continue;
          ogrh_value *role = ogrh_table_get(roles, &re->key);
          if (!role) {
            ogrh_table *ph = newt(m); /* B2: a role with nothing but this data */
            if (!ph) return NULL;
            ogrh_value pv = ogrh_vtable(ph);
            fail(m, ogrh_table_set(m->a, roles, &re->key, &pv));
            role = ogrh_table_get(roles, &re->key);
          }
          if (!role || role->type != OGRH_TABLE) continue;
          ogrh_table *target = ensure(m, role->u.t, phase3[d][1]);
          for (uint32_t s = 0; target && s < re->val.u.t->n; s++)
            if (re->val.u.t->e[s].key.type == OGRH_INT)
              fail(m, ogrh_table_set(m->a, target, &re->val.u.t->e[s].key, &re->val.u.t->e[s].val));
        }
      }
    }
  }
  /* Phase 4: the map rows that act (selected*Index are set here and erased by Phase 6). */
  for (int r = 0; r < NMAP_ROWS && !m->rc; r++) {
    const ogrh_value *v = get(sv, map_rows[r][0]);
    if (map_rows[r][1]) v = v && v->type == OGRH_TABLE ? get(v->u.t, map_rows[r][1]) : NULL;
    if (!v) continue;
    if (!map_rows[r][1]) {
      put(m, v2, map_rows[r][0], deep(m, v));
    } else {
      ogrh_table *t = ensure(m, v2, map_rows[r][0]);
      if (t) put(m, t, map_rows[r][1], deep(m, v));
    }
  }
  /* Phase 6: whole keys, then ui verbatim (B4). */
  for (int k = 0; k < NCOPY_KEYS; k++) {
    const ogrh_value *v = get(sv, copy_keys[k]);
    if (v) put(m, v2, copy_keys[k], deep(m, v));
  }
  if (truthy(get(sv, "ui"))) put(m, v2, "ui", deep(m, get(sv, "ui")));
  ogrh_table *meta = newt(m);
  if (!meta) return NULL;
  put(m, meta, "migrationDate", ogrh_vint(m->o->now));
  put(m, meta, "version", ogrh_vint(2));
  put(m, v2, "migrationMeta", ogrh_vtable(meta));
  return v2;
}

static void drop_deprecated(mig *m, ogrh_table *v2) {
  put(m, v2, "order", ogrh_vnil());
  put(m, v2, "Permissions", ogrh_vnil());
  put(m, v2, "Versioning", ogrh_vnil());
}

/* Shifts the entries 1..n of t up by one (Lua 5.0's table.insert(t, 1, v)) and puts v first. */
static void insert_first(mig *m, ogrh_table *t, ogrh_value v) {
  for (int64_t k = getn(t); k >= 1 && !m->rc; k--)
    puti(m, t, k + 1, *ogrh_table_geti(t, k));
  puti(m, t, 1, v);
}

/* The Active Raid (C:400-460) and its Planning stub. */
static ogrh_value active_raid(mig *m) {
  ogrh_table *r = newt(m), *encs = newt(m), *p = newt(m), *roles = newt(m);
  if (m->rc) return ogrh_vnil();
  put(m, r, "id", ogrh_vcstr(OGRH_ACTIVE_RAID_ID));
  put(m, r, "name", ogrh_vcstr("[ACTIVE RAID]"));
  put(m, r, "displayName", ogrh_vcstr("[AR] New Raid"));
  put(m, r, "sortOrder", ogrh_vint(0));
  put(m, p, "id", ogrh_vint(1));
  put(m, p, "name", ogrh_vcstr("Planning"));
  put(m, p, "displayName", ogrh_vcstr("Raid Planning"));
  put(m, p, "sortOrder", ogrh_vint(1));
  put(m, p, "roles", ogrh_vtable(roles));
  puti(m, encs, 1, ogrh_vtable(p));
  put(m, r, "encounters", ogrh_vtable(encs));
  return ogrh_vtable(r);
}

/* EnsureActiveRaid on the v2 root (a raids list is created when missing). */
static void ensure_active_raid(mig *m, ogrh_table *v2) {
  ogrh_table *em = ensure(m, v2, "encounterMgmt"), *raids = em ? ensure(m, em, "raids") : NULL;
  if (!raids) return;
  const ogrh_value *first = ogrh_table_geti(raids, 1);
  if (getn(raids) > 0 && first->type == OGRH_TABLE &&
      is_str(get(first->u.t, "id"), OGRH_ACTIVE_RAID_ID))
    return;
  insert_first(m, raids, active_raid(m));
  ogrh_table *ui = tab(v2, "ui");
  const ogrh_value *sel = get(ui, "selectedRaid");
  if (sel && sel->type == OGRH_INT) put(m, ui, "selectedRaid", ogrh_vint(sel->u.i + 1));
}

/* The Admin encounter template (EA:19-81). */
static ogrh_value admin_encounter(mig *m) {
  ogrh_table *e = newt(m), *roles = newt(m);
  if (m->rc) return ogrh_vnil();
  put(m, e, "name", ogrh_vcstr(OGRH_ADMIN_ENCOUNTER));
  put(m, e, "displayName", ogrh_vcstr("Raid Admin"));
  static const struct {
    const char *name;
    int column;
  } spec[5] = {
      {"Loot Settings", 1}, {"Loot Rules", 2}, {"Discord", 1}, {"SR Link", 1}, {"Buff Manager", 2}};
  for (int i = 0; i < 5; i++) {
    ogrh_table *r = newt(m);
    if (!r) return ogrh_vnil();
    put(m, r, "roleId", ogrh_vint(i + 1));
    put(m, r, "name", ogrh_vcstr(spec[i].name));
    put(m, r, "column", ogrh_vint(spec[i].column));
    if (i == 0) {
      ogrh_table *labels = newt(m);
      if (!labels) return ogrh_vnil();
      puti(m, labels, 1, ogrh_vcstr("Master Looter"));
      puti(m, labels, 2, ogrh_vcstr("Disenchant"));
      puti(m, labels, 3, ogrh_vcstr("Bagspace Buffer"));
      put(m, r, "isLootSettings", ogrh_vbool(true));
      put(m, r, "lootMethod", ogrh_vcstr("master"));
      put(m, r, "autoSwitch", ogrh_vbool(false));
      put(m, r, "threshold", ogrh_vcstr("rare"));
      put(m, r, "assignedPlayers", ogrh_vtable(newt(m)));
      put(m, r, "slotLabels", ogrh_vtable(labels));
    } else if (i < 4) {
      put(m, r, "isTextField", ogrh_vbool(true));
      put(m, r, "textSlots", ogrh_vint(i == 1 ? 6 : 1));
      put(m, r, "textValues", ogrh_vtable(newt(m)));
    } else {
      ogrh_table *st = newt(m);
      if (!st) return ogrh_vnil();
      put(m, st, "autoScan", ogrh_vbool(true));
      put(m, st, "scanInterval", ogrh_vint(30));
      put(m, st, "shameThreshold", ogrh_vint(80));
      put(m, st, "whisperFirst", ogrh_vbool(true));
      put(m, st, "pallyPowerSync", ogrh_vbool(false));
      put(m, r, "isBuffManager", ogrh_vbool(true));
      put(m, r, "enabled", ogrh_vbool(false));
      put(m, r, "buffRoles", ogrh_vtable(newt(m)));
      put(m, r, "settings", ogrh_vtable(st));
    }
    puti(m, roles, i + 1, ogrh_vtable(r));
  }
  put(m, e, "roles", ogrh_vtable(roles));
  return ogrh_vtable(e);
}

/*
** An Admin encounter already first (E5, EA:138-220): its roles are rebuilt from the template
** when they do not match it, keeping the user's data of the roles of the same names. True
** when it was rebuilt.
*/
static bool rebuild_admin(mig *m, ogrh_table *enc) {
  ogrh_value tv = admin_encounter(m);
  if (m->rc) return false;
  ogrh_table *tmpl = tab(tv.u.t, "roles"), *roles = tab(enc, "roles");
  bool rebuild = !roles || getn(roles) != getn(tmpl);
  for (int64_t i = 1; !rebuild && i <= getn(tmpl); i++) {
    const ogrh_value *x = ogrh_table_geti(roles, i);
    const ogrh_table *t = ogrh_table_geti(tmpl, i)->u.t;
    if (!x || x->type != OGRH_TABLE) {
      rebuild = true;
      break;
    }
    static const char *const keys[] = {"name", "column", "roleId"};
    for (int k = 0; k < 3 && !rebuild; k++) {
      const ogrh_value *a = get(x->u.t, keys[k]), *b = get(t, keys[k]);
      rebuild = !a || !ogrh_value_equal(a, b);
    }
    const ogrh_value *ts = get(t, "textSlots"), *xs = get(x->u.t, "textSlots");
    if (ts && (!xs || !ogrh_value_equal(ts, xs))) rebuild = true;
  }
  if (!rebuild) return false;
  for (int64_t i = 1; i <= getn(tmpl) && !m->rc; i++) {
    ogrh_table *nr = ogrh_table_geti(tmpl, i)->u.t;
    const ogrh_value *name = get(nr, "name");
    /* The saved data of the last existing role of this name (savedData[r.name]). */
    const ogrh_table *old = NULL;
    for (int64_t j = 1; roles && j <= getn(roles); j++) {
      const ogrh_value *x = ogrh_table_geti(roles, j);
      const ogrh_value *xn = x->type == OGRH_TABLE ? get(x->u.t, "name") : NULL;
      if (xn && ogrh_value_equal(xn, name)) old = x->u.t;
    }
    if (!old) continue;
    if (truthy(get(nr, "isTextField"))) {
      const ogrh_value *tvs = get(old, "textValues"), *tv1 = get(old, "textValue");
      if (truthy(tvs)) {
        put(m, nr, "textValues", *tvs);
      } else if (truthy(tv1) && !is_str(tv1, "")) {
        ogrh_table *l = newt(m);
        if (l) puti(m, l, 1, *tv1);
        put(m, nr, "textValues", ogrh_vtable(l));
      }
    }
    if (truthy(get(nr, "isLootSettings"))) {
      if (truthy(get(old, "lootMethod"))) put(m, nr, "lootMethod", *get(old, "lootMethod"));
      if (get(old, "autoSwitch")) put(m, nr, "autoSwitch", *get(old, "autoSwitch"));
      if (truthy(get(old, "threshold"))) put(m, nr, "threshold", *get(old, "threshold"));
    }
    if (truthy(get(nr, "isBuffManager"))) {
      if (truthy(get(old, "buffRoles"))) put(m, nr, "buffRoles", *get(old, "buffRoles"));
      if (truthy(get(old, "settings"))) put(m, nr, "settings", *get(old, "settings"));
      if (get(old, "enabled")) put(m, nr, "enabled", *get(old, "enabled"));
    }
    if (truthy(get(nr, "assignedPlayers")) && truthy(get(old, "assignedPlayers")))
      put(m, nr, "assignedPlayers", *get(old, "assignedPlayers"));
  }
  put(m, enc, "roles", ogrh_vtable(tmpl));
  put(m, enc, "displayName", ogrh_vcstr("Raid Admin"));
  return true;
}

/* EnsureSV's v2 branch (the call inside EnsureAdminEncounter): v2's defaults. */
static void v2_defaults(mig *m, ogrh_table *v2) {
  if (!get(v2, "pollTime")) put(m, v2, "pollTime", ogrh_vint(5));
  if (!get(v2, "allowRemoteReadyCheck")) put(m, v2, "allowRemoteReadyCheck", ogrh_vbool(true));
  if (!get(v2, "syncLocked")) put(m, v2, "syncLocked", ogrh_vbool(false));
  ogrh_table *ui = ensure(m, v2, "ui");
  if (ui && !get(ui, "minimized")) put(m, ui, "minimized", ogrh_vbool(false));
  if (!truthy(get(v2, "tradeItems"))) put(m, v2, "tradeItems", ogrh_vtable(newt(m)));
  if (!truthy(get(v2, "consumes"))) put(m, v2, "consumes", ogrh_vtable(newt(m)));
}

/*
** Half a second after loading: EnsureAdminEncounter(i) for every raid (EA:121-250, 799-831),
** each after an EnsureSV. Its SetPath("encounterMgmt.raids[i]", raid) leaves the raid under the
** key "raids[i]" too (B5).
*/
static void admin_encounters(mig *m, ogrh_table *root, bool v2) {
  ogrh_table *em = tab(root, "encounterMgmt"), *raids = tab(em, "raids");
  for (int64_t i = 1; i <= getn(raids) && !m->rc; i++) {
    if (v2)
      v2_defaults(m, root);
    else
      v1_defaults(m, root);
    ogrh_value *rv = ogrh_table_geti(raids, i);
    if (rv->type != OGRH_TABLE) continue;
    ogrh_table *raid = rv->u.t, *encs = ensure(m, raid, "encounters");
    if (!encs) return;
    const ogrh_value *first = ogrh_table_geti(encs, 1);
    bool alias;
    if (getn(encs) > 0 && first->type == OGRH_TABLE && is_str(get(first->u.t, "name"), "Admin"))
      alias = rebuild_admin(m, first->u.t);
    else {
      insert_first(m, encs, admin_encounter(m));
      alias = true;
    }
    if (alias) {
      char key[40];
      snprintf(key, sizeof key, "raids[%lld]", (long long)i);
      char *k = ogrh_arena_memdup(m->a, key, strlen(key));
      ogrh_value kv = ogrh_vstr(k, strlen(key));
      if (!k || ogrh_table_set(m->a, em, &kv, rv)) fail(m, OGRH_ENOMEM);
    }
  }
  if (!raids) {
    if (v2)
      v2_defaults(m, root);
    else
      v1_defaults(m, root);
  }
}

/* The 15-day purge (C:95-127): every key but v2 and schemaVersion. */
static void purge(mig *m, ogrh_table *sv) {
  static const ogrh_value nil = {0};
  for (uint32_t i = sv->n; i-- > 0;) {
    ogrh_value k = sv->e[i].key;
    if (!is_str(&k, "v2") && !is_str(&k, "schemaVersion"))
      fail(m, ogrh_table_set(m->a, sv, &k, &nil));
  }
  ogrh_table *v2 = tab(sv, "v2");
  if (v2) drop_deprecated(m, v2);
}

/* A number of seconds as Lua compares it. */
static bool as_number(const ogrh_value *v, double *out) {
  if (!v || (v->type != OGRH_INT && v->type != OGRH_DOUBLE)) return false;
  *out = v->type == OGRH_INT ? (double)v->u.i : v->u.d;
  return true;
}

static bool v2_complete(const ogrh_table *sv) {
  const ogrh_value *ver = get(tab(tab(sv, "v2"), "encounterMgmt"), "schemaVersion");
  double x;
  return as_number(ver, &x) && x == 2;
}

/*
** What the game does to OGRH_SV (sv, a copy it may change) when it loads the file:
** VARIABLES_LOADED (C:179-297), then, with extras, the Admin encounters half a second later.
** Without extras (the comparison with the fixed result) the Active Raid and the Admin
** encounters are left out. *stopped: the addon's code stopped with a Lua error (E2).
*/
static void addon_load(mig *m, ogrh_table *sv, bool extras, bool *stopped) {
  *stopped = false;
  /* EnsureSV. */
  if (!get(sv, "schemaVersion")) put(m, sv, "schemaVersion", ogrh_vcstr("v1"));
  bool v2mode = is_str(get(sv, "schemaVersion"), "v2");
  ogrh_table *v2 = tab(sv, "v2");
  double date;
  if (v2 && as_number(get(tab(v2, "migrationMeta"), "migrationDate"), &date) &&
      ((double)m->o->now - date) / 86400 >= 15)
    purge(m, sv);
  if (v2mode) {
    v2 = ensure(m, sv, "v2");
    v2_defaults(m, v2);
  } else {
    v1_defaults(m, sv);
  }
  move_rgo(m, v2mode ? v2 : sv);
  /* The migration, when v2 is missing or not a finished one. */
  if (!v2_complete(sv)) {
    put(m, sv, "firstRun", ogrh_vbool(false));
    if (!tab(sv, "v2")) {
      migrate_to_v2(m, sv, stopped);
      if (*stopped) {
        /* The handler stopped: no cutover; the Admin encounters go into the v1 raids. */
        if (extras) admin_encounters(m, sv, false);
        return;
      }
    }
    if ((v2 = tab(sv, "v2"))) {
      put(m, sv, "schemaVersion", ogrh_vcstr("v2"));
      drop_deprecated(m, v2);
    }
  }
  v2 = tab(sv, "v2");
  if (is_str(get(sv, "schemaVersion"), "v2") && v2) {
    if (extras) ensure_active_raid(m, v2);
    drop_deprecated(m, v2);
    if (extras) admin_encounters(m, v2, true);
  } else if (extras) {
    admin_encounters(m, sv, false);
  }
}

/* ---- the fixed migration ---- */

/* A copy of t with every integer key k >= 1 moved to k + 1 and v put at 1. */
static ogrh_table *shift_in(mig *m, const ogrh_table *t, ogrh_value v) {
  ogrh_table *c = ogrh_table_new(m->a, (t ? t->n : 0) + 1);
  if (!c) {
    fail(m, OGRH_ENOMEM);
    return NULL;
  }
  c->e[c->n].key = ogrh_vint(1);
  c->e[c->n++].val = v;
  for (uint32_t i = 0; t && i < t->n; i++) {
    ogrh_entry e = t->e[i];
    if (e.key.type == OGRH_INT && e.key.u.i >= 1) e.key.u.i++;
    if (!m->rc) fail(m, ogrh_table_set(m->a, c, &e.key, &e.val));
  }
  return c;
}

/* The first raid (or encounter) of list named like name: its key, or 0. */
static int64_t first_named(const ogrh_table *list, const ogrh_value *name) {
  for (uint32_t i = 0; list && i < list->n; i++) {
    const ogrh_value *n = ogrh_is_item(&list->e[i]) ? get(list->e[i].val.u.t, "name") : NULL;
    if (n && ogrh_value_equal(n, name)) return list->e[i].key.u.i;
  }
  return 0;
}

/*
** The v2 table of the fixed migration of sv (the input's OGRH_SV, read only): the view's plan,
** the global components, playerAssignments, the Phase 4 fields and Phase 6 keys as the addon
** carries them, rgo's settings, the selected raid and encounter, migrationMeta; with
** addon_extras the Active Raid and the Admin encounters.
*/
static ogrh_table *fixed_v2(mig *m, const ogrh_table *sv, bool extras) {
  ogrh_value svv = ogrh_vtable((ogrh_table *)sv), view;
  if (fail(m, ogrh_schema_view(m->a, &svv, &view))) return NULL;
  ogrh_table *v2 = newt(m);
  if (!v2) return NULL;
  const ogrh_table *em = tab(view.u.t, "encounterMgmt");
  const ogrh_value *raids = get(em, "raids");
  ogrh_table *list = NULL;
  if (raids) {
    ogrh_table *v2em = newt(m);
    if (!v2em) return NULL;
    ogrh_value rv = *raids;
    if (rv.type == OGRH_TABLE && extras) {
      /* The Active Raid first, every raid one key later; an Admin encounter first in each. */
      ogrh_table *l = shift_in(m, rv.u.t, active_raid(m));
      for (uint32_t i = 0; l && i < l->n && !m->rc; i++) {
        if (!ogrh_is_item(&l->e[i])) continue;
        ogrh_table *raid = ogrh_table_new(m->a, l->e[i].val.u.t->n + 1);
        if (!raid) return fail(m, OGRH_ENOMEM), NULL;
        memcpy(raid->e, l->e[i].val.u.t->e, l->e[i].val.u.t->n * sizeof *raid->e);
        raid->n = l->e[i].val.u.t->n;
        const ogrh_table *encs = tab(raid, "encounters");
        const ogrh_value *first = encs ? ogrh_table_geti(encs, 1) : NULL;
        bool has_admin = first && first->type == OGRH_TABLE &&
                         is_str(get(first->u.t, "name"), OGRH_ADMIN_ENCOUNTER);
        if (!has_admin && (!get(raid, "encounters") || encs))
          put(m, raid, "encounters", ogrh_vtable(shift_in(m, encs, admin_encounter(m))));
        l->e[i].val = ogrh_vtable(raid);
      }
      rv = ogrh_vtable(l);
    }
    list = rv.type == OGRH_TABLE ? rv.u.t : NULL;
    put(m, v2em, "raids", rv);
    put(m, v2em, "schemaVersion", ogrh_vint(2));
    put(m, v2, "encounterMgmt", ogrh_vtable(v2em));
  }
  for (int g = 0; g < OGRH_NGLOBALS; g++) {
    const ogrh_value *gv = ogrh_global_get(&view, g);
    if (gv) put(m, v2, ogrh_global_key(g), deep(m, gv));
  }
  if (get(sv, "playerAssignments"))
    put(m, v2, "playerAssignments", deep(m, get(sv, "playerAssignments")));
  for (int r = 0; r < NMAP_ROWS; r++) {
    const ogrh_value *v = get(sv, map_rows[r][0]);
    if (map_rows[r][1]) v = v && v->type == OGRH_TABLE ? get(v->u.t, map_rows[r][1]) : NULL;
    if (!v) continue;
    if (!map_rows[r][1])
      put(m, v2, map_rows[r][0], deep(m, v));
    else
      put(m, ensure(m, v2, map_rows[r][0]), map_rows[r][1], deep(m, v));
  }
  for (int k = 0; k < NCOPY_KEYS; k++)
    if (get(sv, copy_keys[k])) put(m, v2, copy_keys[k], deep(m, get(sv, copy_keys[k])));
  if (get(sv, "ui")) put(m, v2, "ui", deep(m, get(sv, "ui")));
  /* rgo's two settings, where the addon moves them when the targets are unset. */
  const ogrh_table *rgo = tab(sv, "rgo");
  if (rgo && get(rgo, "autoSortEnabled")) {
    ogrh_table *inv = ensure(m, v2, "invites");
    if (inv && !get(inv, "autoSortEnabled"))
      put(m, inv, "autoSortEnabled", *get(rgo, "autoSortEnabled"));
  }
  if (rgo && truthy(get(rgo, "sortSpeed"))) {
    ogrh_table *so = ensure(m, v2, "sorting");
    if (so && !get(so, "speed")) put(m, so, "speed", *get(rgo, "sortSpeed"));
  }
  /* B4: the selected raid and encounter as the indexes the v2 addon reads. */
  ogrh_table *ui = tab(v2, "ui");
  const ogrh_value *sr = get(ui, "selectedRaid"), *se = get(ui, "selectedEncounter");
  int64_t ri = sr && sr->type == OGRH_STRING ? first_named(list, sr) : 0;
  if (ri) {
    put(m, ui, "selectedRaidIndex", ogrh_vint(ri));
    const ogrh_table *encs = tab(ogrh_table_geti(list, ri)->u.t, "encounters");
    int64_t ei = se && se->type == OGRH_STRING ? first_named(encs, se) : 0;
    if (ei) put(m, ui, "selectedEncounterIndex", ogrh_vint(ei));
  }
  ogrh_table *meta = newt(m);
  put(m, meta, "migrationDate", ogrh_vint(m->o->now));
  put(m, meta, "version", ogrh_vint(2));
  put(m, v2, "migrationMeta", ogrh_vtable(meta));
  return m->rc ? NULL : v2;
}

/* ---- the report ---- */

/* A path of the file, from OGRH_SV: "v2" then segs for the result, segs alone for v1. */
static ogrh_path at_v2(void) {
  ogrh_path p;
  p.n = 0;
  ps(&p, "v2");
  return p;
}

static int64_t out_raid(mig *m, int64_t k) {
  return m->o->addon_extras && k >= 1 ? k + 1 : k;
}

static ogrh_path raid_path(mig *m, const ogrh_value *k) {
  ogrh_path p = at_v2();
  ps(&p, "encounterMgmt");
  ps(&p, "raids");
  if (k->type == OGRH_INT)
    pi(&p, out_raid(m, k->u.i));
  else
    pv(&p, k);
  return p;
}

static ogrh_path enc_path(mig *m, const ogrh_entry *raid, const ogrh_value *k) {
  ogrh_path p = raid_path(m, &raid->key);
  ps(&p, "encounters");
  const ogrh_table *encs = ogrh_raid_encounters(raid->val.u.t);
  const ogrh_value *f = encs ? ogrh_table_geti(encs, 1) : NULL;
  bool admin = f && f->type == OGRH_TABLE && is_str(get(f->u.t, "name"), OGRH_ADMIN_ENCOUNTER);
  if (k->type == OGRH_INT && m->o->addon_extras && !admin && k->u.i >= 1)
    pi(&p, k->u.i + 1);
  else
    pv(&p, k);
  return p;
}

/* The role tables of a v1 roles place, column1's then column2's: all (fixed) or the valid. */
static size_t role_list(const ogrh_value *t, bool valid_only, const ogrh_table **out, size_t cap) {
  size_t n = 0;
  for (int c = 0; c < 2 && t && t->type == OGRH_TABLE; c++) {
    const ogrh_table *col = tab(t->u.t, c ? "column2" : "column1");
    for (uint32_t i = 0; col && i < col->n; i++) {
      const ogrh_value *r = &col->e[i].val;
      if (r->type != OGRH_TABLE || (valid_only && !addon_valid_role(r))) continue;
      if (n < cap) out[n] = r->u.t;
      n++;
    }
  }
  return n;
}

static const char *name_of(const ogrh_table *role, char *buf, size_t cap) {
  const ogrh_value *n = get(role, "name");
  if (n && n->type == OGRH_STRING)
    snprintf(buf, cap, "'%.*s'", (int)(n->len > 60 ? 60 : n->len), n->u.s);
  else
    snprintf(buf, cap, "(no name)");
  return buf;
}

enum { MAXROLES = 256 };

/* The notes of one encounter's v1 places. rn, en: its names; out: its path in the result. */
static void analyze_encounter(mig *m, const ogrh_table *sv, const ogrh_value *rn,
                              const ogrh_value *en, const ogrh_path *out) {
  const ogrh_value *places = ogrh_v1_place_get(sv, OGRH_COMP_ROLES, rn, en);
  ogrh_path rp = *out;
  ps(&rp, "roles");
  ogrh_path vp;
  vp.n = 0;
  ps(&vp, "encounterMgmt");
  ps(&vp, "roles");
  pv(&vp, rn);
  pv(&vp, en);
  if (places && places->type != OGRH_TABLE) {
    note(m, OGRH_MNOTE_LOST, "E2", &vp,
         "the roles of this encounter are a %s, not a table: not carried; the addon's "
         "migration stops here with a Lua error and never cuts over",
         ogrh_type_name(places->type));
    ogrh_path top = at_v2();
    note(m, OGRH_MNOTE_DIFFERS, "E2", &top,
         "the addon's migration stops with a Lua error at %s (its v2 is left half built, its "
         "file stays v1)",
         "encounterMgmt.roles");
    top.n = 0;
    ps(&top, "schemaVersion");
    note(m, OGRH_MNOTE_DIFFERS, "E2", &top, "the addon never cuts over after its error");
    places = NULL;
  }
  /* Entries of the roles place that no role list holds. */
  for (uint32_t i = 0; places && i < places->u.t->n; i++) {
    const ogrh_entry *e = &places->u.t->e[i];
    ogrh_path p = vp;
    pv(&p, &e->key);
    if (!is_str(&e->key, "column1") && !is_str(&e->key, "column2")) {
      note(m, OGRH_MNOTE_LOST, "", &p, "only column1 and column2 hold roles: not carried");
      continue;
    }
    if (e->val.type != OGRH_TABLE) {
      note(m, OGRH_MNOTE_LOST, "E2", &p,
           "a column that is not a table: not carried (the addon stops with a Lua error)");
      continue;
    }
    for (uint32_t j = 0; j < e->val.u.t->n; j++) {
      const ogrh_entry *r = &e->val.u.t->e[j];
      ogrh_path q = p;
      pv(&q, &r->key);
      if (r->val.type != OGRH_TABLE) {
        note(m, OGRH_MNOTE_LOST, "", &q,
             "a role that is not a table: not carried (nor by the addon)");
        continue;
      }
      static const char *const slots[] = {"assignedPlayers", "raidMarks", "assignmentNumbers"};
      for (int s = 0; s < 3; s++)
        if (get(r->val.u.t, slots[s])) {
          ogrh_path x = q;
          ps(&x, slots[s]);
          note(m, OGRH_MNOTE_LOST, "", &x,
               "v1 keeps %s in its own table, keyed by roleId: this copy inside the role is not "
               "carried",
               slots[s]);
          note(m, OGRH_MNOTE_DIFFERS, "", &rp,
               "the addon keeps the %s found inside the v1 role (%s) unless its own table has "
               "data for the role",
               slots[s], "encounterMgmt.roles");
        }
    }
  }
  const ogrh_table *mine[MAXROLES], *theirs[MAXROLES];
  size_t nm = role_list(places, false, mine, MAXROLES);
  size_t nt = role_list(places, true, theirs, MAXROLES);
  if (nm > MAXROLES || nt > MAXROLES) {
    note(m, OGRH_MNOTE_DIFFERS, "", &rp, "more than %d roles: not compared with the addon's",
         MAXROLES);
    return;
  }
  char b1[80], b2[80];
  for (size_t i = 0; i < nm; i++)
    if (!addon_valid_role(&(const ogrh_value){.type = OGRH_TABLE, .u.t = (ogrh_table *)mine[i]}))
      note(m, OGRH_MNOTE_DIFFERS, "", &rp,
           "role %zu %s has %s: kept here, the addon drops it (and any data keyed by it moves "
           "onto other roles)",
           i + 1, name_of(mine[i], b1, sizeof b1),
           truthy(get(mine[i], "roleId")) ? "no name" : "no roleId");
  /* The per-role tables: by roleId here, by position in the addon (B1, B2). */
  bool any_table = false;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    if (d->v1 != OGRH_V1_BY_ROLE) continue;
    const ogrh_value *pl = ogrh_v1_place_get(sv, c, rn, en);
    if (!pl) continue;
    ogrh_path pp;
    pp.n = 0;
    pv(&pp, &d->v1key);
    pv(&pp, rn);
    pv(&pp, en);
    if (pl->type != OGRH_TABLE) {
      note(m, OGRH_MNOTE_LOST, "", &pp, "not a table (per-role data is): not carried");
      continue;
    }
    any_table = true;
    for (uint32_t i = 0; i < pl->u.t->n; i++) {
      const ogrh_entry *e = &pl->u.t->e[i];
      ogrh_path q = pp;
      pv(&q, &e->key);
      /* The roles of this roleId here; the role at this position in the addon's list. */
      size_t hit = 0, first = 0;
      for (size_t r = 0; r < nm; r++) {
        const ogrh_value *id = get(mine[r], "roleId");
        ogrh_value k;
        if (!id) continue;
        k = *id;
        if (ogrh_key_normalize(&k) == OGRH_OK && ogrh_key_cmp(&k, &e->key) == 0 && !hit++)
          first = r;
      }
      bool addon_takes = e->key.type == OGRH_INT && e->val.type == OGRH_TABLE;
      const ogrh_table *at = addon_takes && e->key.u.i >= 1 && (size_t)e->key.u.i <= nt
                                 ? theirs[e->key.u.i - 1]
                                 : NULL;
      if (!hit) {
        note(m, OGRH_MNOTE_LOST, addon_takes ? (at ? "B1" : "B2") : "", &q,
             "no role has this roleId: not carried%s",
             !addon_takes ? " (nor by the addon)"
             : at         ? "; the addon puts it on the role at that position (B1)"
                          : "; the addon makes a role with nothing but this data (B2)");
        if (addon_takes && at)
          note(m, OGRH_MNOTE_DIFFERS, "B1", &rp,
               "the addon puts %s of roleId %lld, which no role has, on role %lld %s", d->v1key.u.s,
               (long long)e->key.u.i, (long long)e->key.u.i, name_of(at, b1, sizeof b1));
        else if (addon_takes)
          note(m, OGRH_MNOTE_DIFFERS, "B2", &rp,
               "the addon makes role %lld, a role with no name, column or slots, to hold %s of "
               "roleId %lld, which no role has",
               (long long)e->key.u.i, d->v1key.u.s, (long long)e->key.u.i);
        continue;
      }
      if (hit > 1)
        note(m, OGRH_MNOTE_DIFFERS, "", &rp,
             "%zu roles share roleId %lld: each gets its %s here, the addon gives it to the role "
             "at that position",
             hit, (long long)(e->key.type == OGRH_INT ? e->key.u.i : 0), d->v1key.u.s);
      if (!addon_takes) {
        note(m, OGRH_MNOTE_DIFFERS, "", &rp,
             "%s of roleId %s is %s: carried as it is, the addon skips it", d->v1key.u.s,
             e->key.type == OGRH_INT ? "(number)" : "(string key)",
             e->val.type == OGRH_TABLE ? "keyed by a string" : "not a table");
        continue;
      }
      if (at != mine[first]) {
        m->rep->remapped++;
        note(m, OGRH_MNOTE_DIFFERS, "B1", &rp,
             "%s of roleId %lld goes to role %zu %s; the addon puts it on role %lld %s",
             d->v1key.u.s, (long long)e->key.u.i, first + 1, name_of(mine[first], b1, sizeof b1),
             (long long)e->key.u.i, at ? name_of(at, b2, sizeof b2) : "(a role it makes: B2)");
      }
      for (uint32_t k = 0; k < e->val.u.t->n; k++)
        if (e->val.u.t->e[k].key.type != OGRH_INT) {
          note(m, OGRH_MNOTE_DIFFERS, "", &rp,
               "%s of roleId %lld holds keys that are not slot numbers: carried whole, the addon "
               "copies only the numbered slots",
               d->v1key.u.s, (long long)e->key.u.i);
          break;
        }
    }
  }
  if (any_table && !places)
    note(m, OGRH_MNOTE_DIFFERS, "", &rp,
         "no roles: the addon adds an empty roles table when it finds per-role data");
}

/* Is the v1 encounter (rn, en) unique in the raid list? */
static size_t count_named(const ogrh_table *raids, const ogrh_value *rn, const ogrh_value *en) {
  size_t n = 0;
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    if (!ogrh_is_item(&raids->e[i])) continue;
    const ogrh_value *x = get(raids->e[i].val.u.t, "name");
    if (!x || !ogrh_value_equal(x, rn)) continue;
    const ogrh_table *encs = ogrh_raid_encounters(raids->e[i].val.u.t);
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      const ogrh_value *y = ogrh_is_item(&encs->e[j]) ? get(encs->e[j].val.u.t, "name") : NULL;
      n += y && ogrh_value_equal(y, en);
    }
  }
  return n;
}

/* A list entry the addon's Phase 1 does not carry: why, or NULL. */
static const char *addon_skips(const ogrh_entry *e, int64_t border, const char **tag) {
  *tag = "";
  if (e->key.type != OGRH_INT || e->key.u.i < 1) return "its key is not a position";
  if (e->val.type != OGRH_TABLE) {
    *tag = "E4";
    return "it is not a table (v0 data)";
  }
  if (e->key.u.i > border) {
    *tag = "E3";
    return "it comes after a gap in the list and Lua 5.0's table.getn stops at the gap";
  }
  if (!truthy(get(e->val.u.t, "name"))) return "it has no name";
  return NULL;
}

/* The notes of the plan: raids, encounters and every v1 place. */
static void analyze_plan(mig *m, const ogrh_table *sv) {
  const ogrh_table *raids = tab(tab(sv, "encounterMgmt"), "raids");
  int64_t border = getn(raids);
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    const ogrh_entry *re = &raids->e[i];
    const char *tag, *why = addon_skips(re, border, &tag);
    ogrh_path rp = raid_path(m, &re->key);
    if (why) note(m, OGRH_MNOTE_DIFFERS, tag, &rp, "carried; the addon drops it: %s", why);
    if (!ogrh_is_item(re)) continue;
    const ogrh_table *encs = ogrh_raid_encounters(re->val.u.t);
    int64_t eb = getn(encs);
    const ogrh_value *rn = get(re->val.u.t, "name");
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      const ogrh_entry *ee = &encs->e[j];
      ogrh_path ep = enc_path(m, re, &ee->key);
      const char *why2 = addon_skips(ee, eb, &tag);
      if (why2 && !why)
        note(m, OGRH_MNOTE_DIFFERS, tag, &ep, "carried; the addon drops it: %s", why2);
      if (!ogrh_is_item(ee)) continue;
      /* Keys a v1 encounter table should not hold: v1 keeps them elsewhere. */
      for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
        const ogrh_component_def *d = &ogrh_components[c];
        if ((d->part != OGRH_PART_KEY && d->part != OGRH_PART_ROLES) ||
            !get(ee->val.u.t, d->key.u.s))
          continue;
        ogrh_path vp;
        vp.n = 0;
        ps(&vp, "encounterMgmt");
        ps(&vp, "raids");
        pv(&vp, &re->key);
        ps(&vp, "encounters");
        pv(&vp, &ee->key);
        ps(&vp, d->key.u.s);
        note(m, OGRH_MNOTE_LOST, "", &vp,
             "v1 reads an encounter's %s from its own table: this copy inside the encounter is "
             "not carried",
             d->key.u.s);
        ogrh_path x = ep;
        ps(&x, d->key.u.s);
        note(m, OGRH_MNOTE_DIFFERS, "", &x,
             "the addon copies the encounter table whole, this key included, unless v1 has the "
             "encounter's %s",
             d->key.u.s);
      }
      const ogrh_value *en = get(ee->val.u.t, "name");
      if (m->o->addon_extras && ee->key.type == OGRH_INT && ee->key.u.i == 1 &&
          is_str(en, OGRH_ADMIN_ENCOUNTER)) {
        note(m, OGRH_MNOTE_DIFFERS, "E5", &ep,
             "a v1 encounter named Admin comes first: kept as it is; the addon rebuilds its roles "
             "(and displayName) from its Admin template when they do not match it");
      }
      if (!rn || !en || rn->type != OGRH_STRING || en->type != OGRH_STRING) continue;
      if (count_named(raids, rn, en) > 1)
        note(m, OGRH_MNOTE_DIFFERS, "", &ep,
             "another encounter has the same raid and encounter names: each gets the v1 data of "
             "these names here, the addon gives it to the last one only");
      analyze_encounter(m, sv, rn, en, &ep);
    }
  }
  /* Places of names no encounter has. */
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    if (d->v1 == OGRH_V1_ENCOUNTER) continue;
    const ogrh_table *t = d->v1 == OGRH_V1_COLUMNS ? tab(tab(sv, "encounterMgmt"), d->v1key.u.s)
                                                   : tab(sv, d->v1key.u.s);
    ogrh_path base;
    base.n = 0;
    if (d->v1 == OGRH_V1_COLUMNS) ps(&base, "encounterMgmt");
    pv(&base, &d->v1key);
    for (uint32_t i = 0; t && i < t->n; i++) {
      ogrh_path p = base;
      pv(&p, &t->e[i].key);
      if (t->e[i].val.type != OGRH_TABLE) {
        note(m, OGRH_MNOTE_LOST, "", &p, "not a table of encounters: not carried");
        continue;
      }
      const ogrh_table *rt = t->e[i].val.u.t;
      for (uint32_t j = 0; j < rt->n; j++)
        if (!count_named(raids, &t->e[i].key, &rt->e[j].key)) {
          ogrh_path q = p;
          pv(&q, &rt->e[j].key);
          note(m, OGRH_MNOTE_LOST, "", &q,
               "no encounter has these raid and encounter names: not carried (nor by the addon)");
        }
    }
  }
}

/* Keys of the v1 root the migration carries (whole or in part). */
static bool carried(const ogrh_value *k) {
  static const char *const keys[] = {"encounterMgmt", "playerAssignments", "ui",
                                     "rgo",           "schemaVersion",     "v2"};
  if (k->type != OGRH_STRING) return false;
  if (ogrh_schema_is_v1_key(k)) return true;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (ogrh_key_cmp(k, ogrh_global_keyv(g)) == 0) return true;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (is_str(k, keys[i])) return true;
  for (int i = 0; i < NCOPY_KEYS; i++)
    if (is_str(k, copy_keys[i])) return true;
  for (int i = 0; i < NMAP_ROWS; i++)
    if (is_str(k, map_rows[i][0])) return true;
  return false;
}

static void analyze_keys(mig *m, const ogrh_table *sv) {
  const char *fate =
      m->o->keep_v1 ? "stays in the v1 keys only" : "not in the result (the backup keeps it)";
  for (uint32_t i = 0; i < sv->n; i++) {
    const ogrh_entry *e = &sv->e[i];
    ogrh_path p;
    p.n = 0;
    pv(&p, &e->key);
    if (!carried(&e->key)) {
      bool cap = is_str(&e->key, "Permissions") || is_str(&e->key, "Versioning") ||
                 is_str(&e->key, "order");
      note(m, OGRH_MNOTE_LEFT, "", &p, "v2 has no place for it%s: %s",
           cap ? " (the addon's map reads lower-case permissions/versioning; its cutover deletes "
                 "this key from v2)"
               : "",
           fate);
      continue;
    }
    /* The Phase 4 tables carry only their listed fields. */
    bool partial = false;
    for (int r = 0; r < NMAP_ROWS; r++)
      partial |= map_rows[r][1] && is_str(&e->key, map_rows[r][0]);
    if (partial && e->val.type == OGRH_TABLE) {
      for (uint32_t j = 0; j < e->val.u.t->n; j++) {
        bool listed = false;
        for (int r = 0; r < NMAP_ROWS; r++)
          listed |= map_rows[r][1] && is_str(&e->key, map_rows[r][0]) &&
                    is_str(&e->val.u.t->e[j].key, map_rows[r][1]);
        if (listed) continue;
        ogrh_path q = p;
        pv(&q, &e->val.u.t->e[j].key);
        note(m, OGRH_MNOTE_LEFT, "", &q, "the addon's map carries other fields of %s only: %s",
             e->key.u.s, fate);
      }
    }
    if (is_str(&e->key, "encounterMgmt") && e->val.type == OGRH_TABLE)
      for (uint32_t j = 0; j < e->val.u.t->n; j++) {
        const ogrh_value *k = &e->val.u.t->e[j].key;
        if (is_str(k, "raids") || is_str(k, "roles")) continue;
        ogrh_path q = p;
        pv(&q, k);
        note(m, OGRH_MNOTE_LEFT, is_str(k, "encounters") ? "E4" : "", &q,
             "v2's encounterMgmt holds the raids only: %s", fate);
      }
    if (is_str(&e->key, "schemaVersion") && is_str(&e->val, "v2") && !get(sv, "v2")) {
      ogrh_path v2p = at_v2();
      note(m, OGRH_MNOTE_DIFFERS, "E1", &v2p,
           "schemaVersion says v2 but there is no v2 table: the addon makes an empty one, cuts "
           "over to it and never migrates the v1 data");
    }
    if (is_str(&e->key, "v2")) {
      note(m, OGRH_MNOTE_LOST, "E1", &p,
           "a v2 table that is no finished migration (no encounterMgmt.schemaVersion 2): the "
           "addon never migrates such a file; here it is replaced (the backup keeps it)");
      note(m, OGRH_MNOTE_DIFFERS, "E1", &p,
           "the addon keeps this v2 table, cuts over to it and never migrates the v1 data");
    }
  }
}

/* ---- explaining the differences from the addon's result ---- */

/* A DIFFERS note with a path explains every difference at or below it (one without a path
   explains nothing in particular). */
static bool covered(const ogrh_migration *r, const char *path, size_t n) {
  for (size_t i = 0; i < r->n; i++) {
    if (r->notes[i].kind != OGRH_MNOTE_DIFFERS) continue;
    const char *p = r->notes[i].path;
    size_t k = strlen(p);
    if (k == 0) continue;
    if (k <= n && memcmp(p, path, k) == 0 && (k == n || path[k] == '.' || path[k] == '['))
      return true;
  }
  return false;
}

/* A rule for a difference no note of the plan covers, or NULL. */
static const char *rule(const mig *m, const ogrh_path *p) {
  static const char *const defaults[] = {"roles",
                                         "pollTime",
                                         "tankCategory",
                                         "healerBoss",
                                         "ui",
                                         "tankIcon",
                                         "healerIcon",
                                         "rolesUI",
                                         "playerAssignments",
                                         "allowRemoteReadyCheck",
                                         "tradeItems",
                                         "syncLocked",
                                         "_assignmentsMigrated",
                                         "consumes"};
  bool v2 = p->n >= 1 && is_str(&p->seg[0], "v2");
  const ogrh_value *k = p->n > (size_t)v2 ? &p->seg[v2] : NULL;
  if (!k) return NULL;
  if (!v2 && m->stopped && !is_str(k, "schemaVersion"))
    return "the addon never finishes a migration of this file (E1, E2): its purge never runs and "
           "the file keeps its v1 keys";
  if (v2 && p->n >= 3 && is_str(k, "encounterMgmt") && p->seg[2].type == OGRH_STRING &&
      p->seg[2].len > 6 && memcmp(p->seg[2].u.s, "raids[", 6) == 0)
    return "the addon's EnsureAdminEncounter writes the raid back with SetPath(\"encounterMgmt."
           "raids[i]\"), which makes this key (B5)";
  if (is_str(k, "firstRun"))
    return v2 ? "the addon sets firstRun = false before it migrates (C:211) and carries it"
              : "the addon sets firstRun = false before it migrates (C:211)";
  if (!v2 && (is_str(k, "rgo") || is_str(k, "invites") || is_str(k, "sorting")))
    return "the addon moves rgo's settings into invites and sorting and deletes rgo "
           "(MigrateRGOSettings, C:626-649)";
  for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
    if (is_str(k, defaults[i]))
      return v2 ? "a default the addon adds to the v1 keys when it loads (EnsureSV, C:149-171) "
                  "and its Phase 6 carries; the fixed migration adds nothing"
                : "a default the addon adds to the v1 keys when it loads (EnsureSV, C:149-171)";
  return NULL;
}

static void cross(mig *m, ogrh_path *p, const ogrh_value *x, const ogrh_value *y) {
  static const ogrh_value nil = {0};
  if (m->rc || ogrh_value_equal(x ? x : &nil, y ? y : &nil)) return;
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_path_format(p, p->n, &b);
  bool cov = b.p && covered(m->rep, b.p, b.n);
  ogrh_buf_deinit(&b);
  if (cov) return;
  if (x && y && x->type == OGRH_TABLE && y->type == OGRH_TABLE && p->n < OGRH_PATH_MAX) {
    const ogrh_table *a = x->u.t, *c = y->u.t;
    uint32_t i = 0, j = 0;
    while (i < a->n || j < c->n) {
      int d = i >= a->n ? 1 : j >= c->n ? -1 : ogrh_key_cmp(&a->e[i].key, &c->e[j].key);
      p->seg[p->n++] = d <= 0 ? a->e[i].key : c->e[j].key;
      cross(m, p, d <= 0 ? &a->e[i].val : NULL, d >= 0 ? &c->e[j].val : NULL);
      p->n--;
      if (d <= 0) i++;
      if (d >= 0) j++;
    }
    return;
  }
  const char *why = rule(m, p);
  if (!why) {
    m->rep->unexplained++;
    why = "the addon's result differs here and no rule explains it";
  }
  note(m, OGRH_MNOTE_DIFFERS, "", p, "%s", why);
}

/* ---- the migration ---- */

/* Counts of the result's plan, as ogrh stats counts them. */
static void count_plan(ogrh_migration *r, const ogrh_table *v2) {
  const ogrh_table *raids = tab(tab(v2, "encounterMgmt"), "raids");
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    if (!ogrh_is_item(&raids->e[i])) continue;
    r->raids++;
    const ogrh_table *encs = ogrh_raid_encounters(raids->e[i].val.u.t);
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      if (!ogrh_is_item(&encs->e[j])) continue;
      r->encounters++;
      const ogrh_table *roles = tab(encs->e[j].val.u.t, "roles");
      for (uint32_t k = 0; roles && k < roles->n; k++) {
        if (roles->e[k].val.type != OGRH_TABLE) continue;
        r->roles++;
        const ogrh_value *sl = get(roles->e[k].val.u.t, "slots");
        if (sl && sl->type == OGRH_INT && sl->u.i > 0) r->slots += (size_t)sl->u.i;
      }
    }
  }
}

/* What moved where: one line per place of the v1 layout (counted in the result) and one for
   the other keys. */
static void moved_notes(mig *m, const ogrh_table *sv, const ogrh_table *v2) {
  ogrh_path p = at_v2();
  ps(&p, "encounterMgmt");
  ps(&p, "raids");
  ogrh_migration *r = m->rep;
  size_t n[OGRH_NCOMPONENTS] = {0};
  const ogrh_table *raids = tab(tab(v2, "encounterMgmt"), "raids");
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    const ogrh_table *encs =
        ogrh_is_item(&raids->e[i]) ? ogrh_raid_encounters(raids->e[i].val.u.t) : NULL;
    for (uint32_t j = 0; encs && j < encs->n; j++) {
      if (!ogrh_is_item(&encs->e[j])) continue;
      const ogrh_table *enc = encs->e[j].val.u.t, *roles = tab(enc, "roles");
      for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
        const ogrh_component_def *d = &ogrh_components[c];
        if (d->part == OGRH_PART_KEY) n[c] += get(enc, d->key.u.s) != NULL;
        for (uint32_t k = 0; d->part == OGRH_PART_SLOT && roles && k < roles->n; k++)
          n[c] += roles->e[k].val.type == OGRH_TABLE && get(roles->e[k].val.u.t, d->key.u.s);
      }
    }
  }
  note(m, OGRH_MNOTE_MOVED, "", &p, "%zu raids, %zu encounters: from encounterMgmt.raids", r->raids,
       r->encounters);
  note(m, OGRH_MNOTE_MOVED, "", &p,
       "%zu roles: from encounterMgmt.roles[raid][encounter].column1/column2 into each "
       "encounter's roles (column1 first, each with its column)",
       r->roles);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    const ogrh_component_def *d = &ogrh_components[c];
    if (d->v1 == OGRH_V1_BY_ROLE)
      note(m, OGRH_MNOTE_MOVED, "", &p,
           "%zu roles' %s: from %s[raid][encounter][roleId] (the role with that roleId)", n[c],
           d->key.u.s, d->v1key.u.s);
    else if (d->v1 == OGRH_V1_BY_NAME)
      note(m, OGRH_MNOTE_MOVED, "", &p, "%zu encounters' %s: from %s[raid][encounter]", n[c],
           d->key.u.s, d->v1key.u.s);
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  for (uint32_t i = 0; i < sv->n; i++) {
    const ogrh_value *k = &sv->e[i].key;
    if (k->type != OGRH_STRING || !carried(k) || ogrh_schema_is_v1_key(k) || is_str(k, "rgo") ||
        is_str(k, "encounterMgmt") || is_str(k, "schemaVersion") || is_str(k, "v2") ||
        !get(v2, k->u.s))
      continue;
    ogrh_buf_printf(&b, "%s%.*s", b.n ? ", " : "", (int)k->len, k->u.s);
  }
  p = at_v2();
  if (b.n)
    note(m, OGRH_MNOTE_MOVED, "", &p, "to the same keys: %s%s", b.p,
         get(sv, "rgo") ? "; rgo's settings to invites.autoSortEnabled and sorting.speed" : "");
  ogrh_buf_deinit(&b);
}

static int refuse(mig *m, ogrh_err *err, const char *tag, const char *fmt, ...) {
  char text[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  note(m, OGRH_MNOTE_REFUSED, tag, NULL, "%s", text);
  return ogrh_err_set(err, OGRH_ESCHEMA, "%s", text);
}

void ogrh_migration_free(ogrh_migration *m) {
  if (!m) return;
  ogrh_free(m->notes, m->cap * sizeof *m->notes);
  ogrh_arena_free(m->arena);
  ogrh_free(m, sizeof *m);
}

/* Why a file is not migrated at all (both modes), or OGRH_OK. */
static int refusals(mig *m, const ogrh_value *svv, ogrh_err *err) {
  if (!svv || svv->type != OGRH_TABLE)
    return refuse(m, err, "", "the file has no OGRH_SV table: nothing to migrate");
  const ogrh_table *sv = svv->u.t;
  const ogrh_value *ver = get(sv, "schemaVersion");
  if (v2_complete(sv) && is_str(ver, "v2"))
    return refuse(m, err, "",
                  "the file is migrated already (schemaVersion v2, a finished v2 table)");
  if (v2_complete(sv))
    return refuse(m, err, "",
                  "the file holds a finished v2 table beside its v1 data (a migration rolled "
                  "back): the addon does not migrate it again; delete OGRH_SV.v2 to migrate the "
                  "v1 data anew");
  if (!ver && !truthy(get(sv, "roles")) && !truthy(get(sv, "encounterMgmt")) &&
      !truthy(get(sv, "pollTime")))
    return refuse(m, err, "E1",
                  "no v1 data (no roles, encounterMgmt or pollTime): the addon takes the file for "
                  "a new install and migrates nothing");
  return OGRH_OK;
}

int ogrh_migrate(const ogrh_svfile *in, const ogrh_migrate_opts *o, ogrh_svfile **out,
                 ogrh_migration **report, ogrh_err *err) {
  *out = NULL;
  if (report) *report = NULL;
  ogrh_migration *rep = ogrh_malloc(sizeof *rep);
  if (!rep) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  memset(rep, 0, sizeof *rep);
  mig m = {ogrh_arena_new(), rep, o, OGRH_OK, false};
  rep->arena = ogrh_arena_new();
  ogrh_svfile *f = ogrh_svfile_new();
  if (!m.a || !rep->arena || !f) {
    ogrh_arena_free(m.a);
    ogrh_svfile_free(f);
    ogrh_migration_free(rep);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  const ogrh_value *svv = ogrh_svfile_get((ogrh_svfile *)in, "OGRH_SV");
  int rc = refusals(&m, svv, err);
  ogrh_value result = ogrh_vnil();
  if (!rc) {
    const ogrh_table *sv = svv->u.t;
    bool stopped = false;
    ogrh_value game = deep(&m, svv);
    if (!m.rc) addon_load(&m, game.u.t, true, &stopped);
    /* The addon never finishes a migration: its code stopped (E2), or v2 was there (E1). */
    m.stopped = stopped || tab(sv, "v2") || is_str(get(sv, "schemaVersion"), "v2");
    /* Without keep_v1: the file as it is once the addon's 15-day purge has run. */
    bool purged = !o->keep_v1 && tab(tab(game.u.t, "v2"), "migrationMeta");
    if (!m.rc && purged) purge(&m, game.u.t);
    ogrh_table *v2 = NULL;
    if (o->faithful) {
      result = game;
      v2 = tab(game.u.t, "v2");
    } else if (!m.rc && (v2 = fixed_v2(&m, sv, o->addon_extras))) {
      ogrh_table *nsv = newt(&m);
      if (o->keep_v1 && nsv) {
        ogrh_value c = deep(&m, svv);
        if (!m.rc) nsv = c.u.t;
      }
      put(&m, nsv, "schemaVersion", ogrh_vcstr("v2"));
      put(&m, nsv, "v2", ogrh_vtable(v2));
      result = ogrh_vtable(nsv);
    }
    if (!m.rc) {
      if (v2) count_plan(rep, v2);
      moved_notes(&m, sv, v2);
      analyze_keys(&m, sv);
      analyze_plan(&m, sv);
      /* The addon's extras and the keys it adds are listed once, without a path. */
      if (!o->addon_extras && !o->faithful)
        note(&m, OGRH_MNOTE_DIFFERS, "", NULL,
             "the addon puts its Active Raid first in the raid list and an Admin encounter first "
             "in every raid when it loads the file (every index moves by one; research §3); "
             "--addon-extras adds them here too");
      ogrh_path sp = at_v2();
      ps(&sp, "roles");
      if (get(sv, "roles"))
        note(&m, OGRH_MNOTE_DIFFERS, "B3", &sp,
             "the RolesUI table, carried from the v1 key roles; the addon leaves it in the v1 "
             "keys, where its purge deletes it while the addon still uses it (B3)");
      sp.n = 1;
      ps(&sp, "playerAssignments");
      if (get(sv, "playerAssignments"))
        note(&m, OGRH_MNOTE_DIFFERS, "B3", &sp,
             "carried from the v1 key playerAssignments; the addon leaves it in the v1 keys (B3)");
      const ogrh_table *ui = tab(v2, "ui");
      sp.n = 1;
      ps(&sp, "ui");
      ps(&sp, "selectedRaidIndex");
      if (!o->faithful && get(ui, "selectedRaidIndex"))
        note(&m, OGRH_MNOTE_DIFFERS, "B4", &sp,
             "the selected raid as the index the v2 addon reads; the addon's Phase 6 overwrites "
             "ui and loses it (B4)");
      sp.n = 2;
      ps(&sp, "selectedEncounterIndex");
      if (!o->faithful && get(ui, "selectedEncounterIndex"))
        note(&m, OGRH_MNOTE_DIFFERS, "B4", &sp,
             "the selected encounter as the index the v2 addon reads; lost by the addon (B4)");
    }
    /* Every difference from the addon's result (with the same extras) must be explained. */
    if (!m.rc && !o->faithful) {
      ogrh_value cmp = deep(&m, svv);
      if (!m.rc) addon_load(&m, cmp.u.t, o->addon_extras, &stopped);
      if (!m.rc && purged) purge(&m, cmp.u.t);
      ogrh_path p;
      p.n = 0;
      if (!m.rc) cross(&m, &p, &result, &cmp);
    }
    rc = m.rc;
    if (rc) ogrh_err_set(err, rc, "migration failed: %s", ogrh_strerror(rc));
  }
  /* The output file: every variable copied, OGRH_SV migrated. */
  for (size_t i = 0; !rc && i < in->n; i++) {
    ogrh_value v;
    bool sv = strcmp(in->vars[i].name, "OGRH_SV") == 0;
    rc = ogrh_value_copy(f->arena, sv ? &result : &in->vars[i].value, &v);
    if (!rc) rc = ogrh_svfile_set(f, in->vars[i].name, &v);
    if (rc) ogrh_err_set(err, rc, "migration failed: %s", ogrh_strerror(rc));
  }
  ogrh_arena_free(m.a);
  if (rc) {
    ogrh_svfile_free(f);
    if (report && rc == OGRH_ESCHEMA)
      *report = rep;
    else
      ogrh_migration_free(rep);
    return rc;
  }
  *out = f;
  if (report)
    *report = rep;
  else
    ogrh_migration_free(rep);
  return OGRH_OK;
}

/* ---- the report as text and JSON ---- */

int ogrh_migration_format(const ogrh_migration *m, ogrh_buf *out) {
  ogrh_buf_printf(out, "result: %zu raids, %zu encounters, %zu roles, %zu slots", m->raids,
                  m->encounters, m->roles, m->slots);
  if (m->remapped)
    ogrh_buf_printf(out, "; %zu per-role tables on other roles than the addon's (B1)", m->remapped);
  ogrh_buf_addc(out, '\n');
  for (int k = 0; k < OGRH_NMNOTES; k++) {
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
      n += m->notes[i].kind == (ogrh_mnote_kind)k;
    if (!n) continue;
    for (size_t i = 0; i < m->n; i++) {
      const ogrh_migrate_note *x = &m->notes[i];
      if (x->kind != (ogrh_mnote_kind)k) continue;
      ogrh_buf_printf(out, "%-7s %-2s %s%s%s\n", ogrh_mnote_name(x->kind), x->tag, x->path,
                      x->path[0] ? ": " : "", x->text);
    }
  }
  if (m->unexplained)
    ogrh_buf_printf(out, "%zu differences from the addon's result have no explanation\n",
                    m->unexplained);
  return ogrh_buf_error(out);
}

int ogrh_migration_json(const ogrh_migration *m, ogrh_buf *out) {
  json_t *o = json_object(), *notes = json_array();
  json_object_set_new(o, "raids", json_integer((json_int_t)m->raids));
  json_object_set_new(o, "encounters", json_integer((json_int_t)m->encounters));
  json_object_set_new(o, "roles", json_integer((json_int_t)m->roles));
  json_object_set_new(o, "slots", json_integer((json_int_t)m->slots));
  json_object_set_new(o, "remapped", json_integer((json_int_t)m->remapped));
  json_object_set_new(o, "unexplained", json_integer((json_int_t)m->unexplained));
  for (size_t i = 0; i < m->n; i++) {
    const ogrh_migrate_note *x = &m->notes[i];
    json_array_append_new(notes, json_pack("{s:s, s:s, s:s, s:s}", "kind", ogrh_mnote_name(x->kind),
                                           "tag", x->tag, "path", x->path, "text", x->text));
  }
  json_object_set_new(o, "notes", notes);
  char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!txt) return OGRH_ENOMEM;
  int rc = ogrh_buf_adds(out, txt);
  ogrh_json_free(txt);
  return rc;
}

/* ---- the check ---- */

int ogrh_migrate_check(const ogrh_svfile *src, const ogrh_svfile *dst, ogrh_err *err) {
  const ogrh_value *sv = ogrh_svfile_get((ogrh_svfile *)src, "OGRH_SV");
  const ogrh_value *dv = ogrh_svfile_get((ogrh_svfile *)dst, "OGRH_SV");
  const ogrh_value *v2 = dv && dv->type == OGRH_TABLE ? ogrh_table_gets(dv->u.t, "v2") : NULL;
  if (!sv || sv->type != OGRH_TABLE || !v2 || v2->type != OGRH_TABLE)
    return ogrh_err_set(err, OGRH_EVERIFY, "the migrated file has no OGRH_SV.v2 table");
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  /* The source's plan as the fixed migration means it: the v1 keys of OGRH_SV, without a
     stale v2 table. */
  ogrh_table *src_root = ogrh_table_new(a, sv->u.t->n);
  int rc = src_root ? OGRH_OK : OGRH_ENOMEM;
  for (uint32_t i = 0; !rc && i < sv->u.t->n; i++)
    if (!is_str(&sv->u.t->e[i].key, "v2")) src_root->e[src_root->n++] = sv->u.t->e[i];
  /* The result's plan without the addon's extras. */
  ogrh_table *dst_root = rc ? NULL : ogrh_table_new(a, v2->u.t->n);
  if (!rc && !dst_root) rc = OGRH_ENOMEM;
  if (!rc) {
    memcpy(dst_root->e, v2->u.t->e, v2->u.t->n * sizeof *dst_root->e);
    dst_root->n = v2->u.t->n;
  }
  ogrh_table *em = rc ? NULL : ogrh_table_child(dst_root, "encounterMgmt");
  const ogrh_value *raids = em ? ogrh_table_gets(em, "raids") : NULL;
  if (!rc && raids) {
    ogrh_value img;
    ogrh_table *nem = ogrh_table_new(a, em->n);
    rc = nem ? ogrh_v1_image(a, raids, src_root, &img) : OGRH_ENOMEM;
    if (!rc) {
      memcpy(nem->e, em->e, em->n * sizeof *nem->e);
      nem->n = em->n;
      ogrh_value k = ogrh_vcstr("raids"), nv = ogrh_vtable(nem), km = ogrh_vcstr("encounterMgmt");
      rc = ogrh_table_set(a, nem, &k, &img);
      if (!rc) rc = ogrh_table_set(a, dst_root, &km, &nv);
    }
  }
  ogrh_dtree *ts = NULL, *td = NULL;
  ogrh_value srv = ogrh_vtable(src_root), drv = ogrh_vtable(dst_root);
  if (!rc) rc = ogrh_dtree_build_root(&srv, &ts);
  if (!rc) rc = ogrh_dtree_build_root(&drv, &td);
  if (!rc && !ogrh_dtree_equal(ts, td)) {
    ogrh_validation *v;
    ogrh_buf b;
    ogrh_buf_init(&b);
    if (ogrh_validate(td, ts, &v) == OGRH_OK) {
      ogrh_validation_report(v, &b);
      ogrh_validation_free(v);
    }
    rc = ogrh_err_set(err, OGRH_EVERIFY,
                      "the migrated plan does not have the digests of the v1 plan: %s",
                      b.p ? b.p : "(indexes differ)");
    ogrh_buf_deinit(&b);
  } else if (rc) {
    ogrh_err_set(err, rc, "cannot check the migration: %s", ogrh_strerror(rc));
  }
  ogrh_dtree_free(ts);
  ogrh_dtree_free(td);
  ogrh_arena_free(a);
  return rc;
}
