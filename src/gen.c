/*
** gen.c
** Document generator. It starts from the factory defaults (which have roles but no
** assignments), fills them from a generated roster, and for --scale N adds N-1 varied copies
** of every raid so benchmarks see documents N times the factory size.
*/
#include "ogrh/gen.h"
#include "ogrh/doc.h"

#include <stdio.h>
#include <string.h>

void ogrh_gen_opts_default(ogrh_gen_opts *o) {
  o->seed = 1;
  o->scale = 1;
  o->players = 40;
  o->fill = 0.85;
}

/* The roles UI's four buckets: their RolesUI value and their key in a role's defaultRoles. */
#define GEN_BUCKETS(XX)                                                                            \
  XX(TANKS, "TANKS", "tanks")                                                                      \
  XX(HEALERS, "HEALERS", "healers")                                                                \
  XX(MELEE, "MELEE", "melee")                                                                      \
  XX(RANGED, "RANGED", "ranged")

enum {
#define XX(id, ui, role) B_##id,
  GEN_BUCKETS(XX)
#undef XX
      NBUCKETS
};
static const char *const bucket_names[NBUCKETS] = {
#define XX(id, ui, role) ui,
    GEN_BUCKETS(XX)
#undef XX
};
static const char *const bucket_roles[NBUCKETS] = {
#define XX(id, ui, role) role,
    GEN_BUCKETS(XX)
#undef XX
};

typedef struct player {
  char name[24];
  const char *cls;
  int bucket;
} player;

typedef struct gen {
  ogrh_rng rng;
  ogrh_arena *a;
  player *roster;
  int nplayers;
  double fill;
} gen;

static const char *const syl1[] = {"Tank", "Holy", "Zug",  "Mor", "Gnu", "Thal", "Kaz", "Bel",
                                   "Dra",  "Fen",  "Grim", "Lor", "Vel", "Shan", "Ark", "Sun"};
static const char *const syl2[] = {"adin", "bob", "gar", "dak", "zen", "wyn", "ora", "ith",
                                   "mor",  "ric", "ash", "eth", "ulf", "ina", "ak",  "dor"};

static void make_roster(gen *g) {
  /* A typical 40-man composition: 5 tanks, 12 healers, 11 melee, 12 ranged. */
  static const struct {
    const char *cls;
    int bucket;
  } comp[] = {
      {"Warrior", B_TANKS},  {"Warrior", B_TANKS},   {"Warrior", B_TANKS},   {"Druid", B_TANKS},
      {"Paladin", B_TANKS},  {"Priest", B_HEALERS},  {"Priest", B_HEALERS},  {"Priest", B_HEALERS},
      {"Priest", B_HEALERS}, {"Paladin", B_HEALERS}, {"Paladin", B_HEALERS}, {"Paladin", B_HEALERS},
      {"Druid", B_HEALERS},  {"Druid", B_HEALERS},   {"Shaman", B_HEALERS},  {"Shaman", B_HEALERS},
      {"Shaman", B_HEALERS}, {"Rogue", B_MELEE},     {"Rogue", B_MELEE},     {"Rogue", B_MELEE},
      {"Rogue", B_MELEE},    {"Warrior", B_MELEE},   {"Warrior", B_MELEE},   {"Warrior", B_MELEE},
      {"Warrior", B_MELEE},  {"Shaman", B_MELEE},    {"Paladin", B_MELEE},   {"Druid", B_MELEE},
      {"Mage", B_RANGED},    {"Mage", B_RANGED},     {"Mage", B_RANGED},     {"Mage", B_RANGED},
      {"Mage", B_RANGED},    {"Warlock", B_RANGED},  {"Warlock", B_RANGED},  {"Warlock", B_RANGED},
      {"Warlock", B_RANGED}, {"Hunter", B_RANGED},   {"Hunter", B_RANGED},   {"Hunter", B_RANGED}};
  int ncomp = (int)(sizeof comp / sizeof comp[0]);
  for (int i = 0; i < g->nplayers; i++) {
    player *p = &g->roster[i];
    for (;;) {
      snprintf(p->name, sizeof p->name, "%s%s", syl1[ogrh_rng_below(&g->rng, 16)],
               syl2[ogrh_rng_below(&g->rng, 16)]);
      int dup = 0;
      for (int j = 0; j < i; j++)
        dup |= strcmp(g->roster[j].name, p->name) == 0;
      if (!dup) break;
      /* 256 combinations; past that, number the names. */
      if (i >= 200) {
        snprintf(p->name, sizeof p->name, "Player%d", i + 1);
        break;
      }
    }
    p->cls = comp[i % ncomp].cls;
    p->bucket = comp[i % ncomp].bucket;
  }
}

static int tset(gen *g, ogrh_table *t, ogrh_value k, ogrh_value v) {
  return ogrh_table_set(g->a, t, &k, &v);
}

/* A copy of s in the arena, as a string value. */
static int str(gen *g, const char *s, ogrh_value *v) {
  size_t n = strlen(s);
  const char *c = ogrh_arena_memdup(g->a, s, n);
  if (!c) return OGRH_ENOMEM;
  *v = ogrh_vstr(c, n);
  return OGRH_OK;
}

static ogrh_table *sub(ogrh_table *t, const char *k) {
  ogrh_value *v = ogrh_table_gets(t, k);
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

/* The bucket a role prefers, from its defaultRoles (or its name), else -1. */
static int role_bucket(ogrh_table *role) {
  ogrh_table *dr = sub(role, "defaultRoles");
  for (int b = 0; dr && b < NBUCKETS; b++)
    if (ogrh_table_gets(dr, bucket_roles[b])) return b;
  size_t n;
  const char *name = ogrh_table_name(role, &n);
  if (n >= 4 && (memcmp(name, "Tank", 4) == 0 || strstr(name, "Tank"))) return B_TANKS;
  if (n >= 4 && strstr(name, "Heal")) return B_HEALERS;
  return -1;
}

static int fill_role(gen *g, ogrh_table *role, int ridx, unsigned char *used) {
  ogrh_value *slots = ogrh_table_gets(role, "slots");
  int64_t ns = slots && slots->type == OGRH_INT ? slots->u.i : 0;
  if (ns < 1) ns = 1 + (int64_t)ogrh_rng_below(&g->rng, 4);
  if (ns > 40) ns = 40;
  int bucket = role_bucket(role);
  ogrh_table *ap = ogrh_table_new(g->a, (uint32_t)ns);
  ogrh_table *marks = ogrh_table_new(g->a, 0);
  ogrh_table *nums = ogrh_table_new(g->a, 0);
  if (!ap || !marks || !nums) return OGRH_ENOMEM;
  bool show_icons = ogrh_table_gets(role, "showRaidIcons") != NULL || bucket == B_TANKS;
  bool show_nums = ogrh_table_gets(role, "showAssignment") != NULL;
  for (int64_t s = 1; s <= ns; s++) {
    if (ogrh_rng_unit(&g->rng) >= g->fill) continue;
    /* Prefer an unused player of the role's bucket; fall back to any unused player. */
    int pick = -1;
    for (int tries = 0; tries < 64 && pick < 0; tries++) {
      int c = (int)ogrh_rng_below(&g->rng, (uint64_t)g->nplayers);
      if (used[c]) continue;
      if (bucket >= 0 && g->roster[c].bucket != bucket && tries < 48) continue;
      pick = c;
    }
    if (pick < 0) continue;
    used[pick] = 1;
    ogrh_value name;
    if (str(g, g->roster[pick].name, &name) || tset(g, ap, ogrh_vint(s), name)) return OGRH_ENOMEM;
    if (show_icons && ogrh_rng_unit(&g->rng) < 0.6)
      if (tset(g, marks, ogrh_vint(s), ogrh_vint(8 - ((s - 1 + ridx) % 8)))) return OGRH_ENOMEM;
    if (show_nums && ogrh_rng_unit(&g->rng) < 0.5)
      if (tset(g, nums, ogrh_vint(s), ogrh_vint(1 + (int64_t)ogrh_rng_below(&g->rng, 9))))
        return OGRH_ENOMEM;
  }
  if (tset(g, role, ogrh_vcstr("assignedPlayers"), ogrh_vtable(ap))) return OGRH_ENOMEM;
  if (marks->n && tset(g, role, ogrh_vcstr("raidMarks"), ogrh_vtable(marks))) return OGRH_ENOMEM;
  if (nums->n && tset(g, role, ogrh_vcstr("assignmentNumbers"), ogrh_vtable(nums)))
    return OGRH_ENOMEM;
  return OGRH_OK;
}

static int make_announcements(gen *g, ogrh_table *enc, ogrh_table *roles) {
  ogrh_table *ann = sub(enc, "announcements");
  if (ann && ann->n >= 2) return OGRH_OK;
  uint32_t nroles = roles ? roles->n : 0;
  int lines = 2 + (int)ogrh_rng_below(&g->rng, 7);
  ogrh_table *t = ogrh_table_new(g->a, (uint32_t)lines);
  if (!t) return OGRH_ENOMEM;
  for (int i = 1; i <= lines; i++) {
    char line[160];
    uint32_t r = nroles ? 1 + (uint32_t)ogrh_rng_below(&g->rng, nroles) : 1;
    switch (ogrh_rng_below(&g->rng, 4)) {
    case 0:
      snprintf(line, sizeof line, "[R%u.T]: [R%u.M1] [R%u.P1] [R%u.M2] [R%u.P2]", r, r, r, r, r);
      break;
    case 1:
      snprintf(line, sizeof line, "Healers on [R%u.P1], [R%u.P2] and [R%u.P3]", r, r, r);
      break;
    case 2:
      snprintf(line, sizeof line, "[R%u.P] - stay on your mark, numbers [R%u.A1]", r, r);
      break;
    default:
      line[0] = '\0';
    }
    ogrh_value text;
    if (str(g, line, &text) || tset(g, t, ogrh_vint(i), text)) return OGRH_ENOMEM;
  }
  return tset(g, enc, ogrh_vcstr("announcements"), ogrh_vtable(t));
}

/* Varies a copied encounter: slot counts and, sometimes, one role more or less. */
static int vary_encounter(gen *g, ogrh_table *enc) {
  ogrh_table *roles = sub(enc, "roles");
  if (!roles) return OGRH_OK;
  for (uint32_t i = 0; i < roles->n; i++) {
    if (roles->e[i].val.type != OGRH_TABLE) continue;
    if (ogrh_rng_unit(&g->rng) < 0.3)
      if (tset(g, roles->e[i].val.u.t, ogrh_vcstr("slots"),
               ogrh_vint(1 + (int64_t)ogrh_rng_below(&g->rng, 20))))
        return OGRH_ENOMEM;
  }
  uint32_t seq = ogrh_table_seqlen(roles);
  if (seq >= 2 && ogrh_rng_unit(&g->rng) < 0.2) {
    ogrh_value nil = ogrh_vnil();
    return ogrh_table_set(g->a, roles, &roles->e[seq - 1].key, &nil);
  }
  if (seq >= 1 && seq < 8 && ogrh_rng_unit(&g->rng) < 0.2) {
    ogrh_value copy;
    if (ogrh_value_copy(g->a, &roles->e[0].val, &copy)) return OGRH_ENOMEM;
    if (tset(g, copy.u.t, ogrh_vcstr("roleId"), ogrh_vint(seq + 1))) return OGRH_ENOMEM;
    ogrh_value name;
    if (str(g, "Extra Tanks", &name) || tset(g, copy.u.t, ogrh_vcstr("name"), name))
      return OGRH_ENOMEM;
    return tset(g, roles, ogrh_vint(seq + 1), copy);
  }
  return OGRH_OK;
}

static int fill_raid(gen *g, ogrh_table *raid, bool vary) {
  ogrh_table *encs = sub(raid, "encounters");
  unsigned char used[256];
  for (uint32_t e = 0; encs && e < encs->n; e++) {
    if (encs->e[e].val.type != OGRH_TABLE) continue;
    ogrh_table *enc = encs->e[e].val.u.t;
    int rc;
    if (vary && (rc = vary_encounter(g, enc))) return rc;
    ogrh_table *roles = sub(enc, "roles");
    memset(used, 0, sizeof used);
    for (uint32_t r = 0; roles && r < roles->n; r++) {
      if (roles->e[r].val.type != OGRH_TABLE) continue;
      if ((rc = fill_role(g, roles->e[r].val.u.t, (int)r, used))) return rc;
    }
    if ((rc = make_announcements(g, enc, roles))) return rc;
  }
  return OGRH_OK;
}

int ogrh_gen(const ogrh_gen_opts *o, ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  if (o->scale < 1 || o->scale > 100000)
    return ogrh_err_set(err, OGRH_EINVAL, "scale must be between 1 and 100000");
  if (o->players < 1 || o->players > 250)
    return ogrh_err_set(err, OGRH_EINVAL, "players must be between 1 and 250");
  if (!(o->fill >= 0.0 && o->fill <= 1.0))
    return ogrh_err_set(err, OGRH_EINVAL, "fill must be between 0 and 1");
  ogrh_doc *d;
  int rc = ogrh_doc_defaults(&d, err);
  if (rc) return rc;
  gen g;
  memset(&g, 0, sizeof g);
  ogrh_rng_seed(&g.rng, o->seed);
  g.a = ogrh_doc_arena(d);
  g.nplayers = o->players;
  g.fill = o->fill;
  player roster[250];
  g.roster = roster;
  make_roster(&g);

  ogrh_table *raids = ogrh_doc_raids(d);
  ogrh_value *root = ogrh_doc_root(d);
  if (!raids || !root) {
    ogrh_doc_free(d);
    return ogrh_err_set(err, OGRH_ESCHEMA, "factory defaults have no raids");
  }
  uint32_t nbase = raids->n;
  for (int c = 1; c < o->scale && !rc; c++) {
    for (uint32_t r = 0; r < nbase && !rc; r++) {
      ogrh_value copy;
      if ((rc = ogrh_value_copy(g.a, &raids->e[r].val, &copy))) break;
      size_t nl;
      const char *name = ogrh_table_name(copy.u.t, &nl);
      char nm[128];
      snprintf(nm, sizeof nm, "%.*s %d", (int)(nl > 100 ? 100 : nl), name, c + 1);
      ogrh_value nv;
      if ((rc = str(&g, nm, &nv)) || (rc = tset(&g, copy.u.t, ogrh_vcstr("name"), nv))) break;
      if ((rc = fill_raid(&g, copy.u.t, true))) break;
      rc = tset(&g, raids, ogrh_vint((int64_t)c * nbase + r + 1), copy);
    }
  }
  for (uint32_t r = 0; r < nbase && !rc; r++)
    if (raids->e[r].val.type == OGRH_TABLE) rc = fill_raid(&g, raids->e[r].val.u.t, false);
  /* RolesUI: every player in a bucket. */
  ogrh_table *ru = rc ? NULL : ogrh_table_new(g.a, (uint32_t)g.nplayers);
  if (!rc && !ru) rc = OGRH_ENOMEM;
  for (int i = 0; i < g.nplayers && !rc; i++) {
    ogrh_value name;
    if (!(rc = str(&g, roster[i].name, &name)))
      rc = tset(&g, ru, name, ogrh_vcstr(bucket_names[roster[i].bucket]));
  }
  if (!rc) rc = tset(&g, root->u.t, ogrh_vcstr("roles"), ogrh_vtable(ru));
  if (rc) {
    ogrh_doc_free(d);
    return ogrh_err_set(err, rc, "generation failed: %s", ogrh_strerror(rc));
  }
  /* Hand the file over: detach it from the document wrapper. */
  ogrh_svfile *f = ogrh_doc_svfile(d);
  ogrh_svfile *nf = ogrh_svfile_new();
  if (!nf) {
    ogrh_doc_free(d);
    return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < f->n && !rc; i++) {
    ogrh_value v;
    rc = ogrh_value_copy(nf->arena, &f->vars[i].value, &v);
    if (!rc) rc = ogrh_svfile_set(nf, f->vars[i].name, &v);
  }
  ogrh_doc_free(d);
  if (rc) {
    ogrh_svfile_free(nf);
    return ogrh_err_set(err, rc, "generation failed: %s", ogrh_strerror(rc));
  }
  *out = nf;
  return OGRH_OK;
}
