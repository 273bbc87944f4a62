/*
** repair.c
** Repair plans (which units to send, in which order) and their staged, verified application.
*/
#include "ogrh/validate.h"
#include "ogrh/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_OF(id, name) name,
static const char *const unit_kind_names[] = {OGRH_UNIT_KIND_MAP(NAME_OF)};
static const char *const priority_names[] = {OGRH_PRIORITY_MAP(NAME_OF)};
static const char *const repair_level_names[] = {OGRH_REPAIR_LEVEL_MAP(NAME_OF)};
#undef NAME_OF
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *ogrh_unit_kind_name(ogrh_unit_kind k) {
  return (size_t)k < COUNT(unit_kind_names) ? unit_kind_names[k] : "?";
}

const char *ogrh_priority_name(ogrh_priority p) {
  return (size_t)p < COUNT(priority_names) ? priority_names[p] : "?";
}

int ogrh_repair_level_parse(const char *s, ogrh_repair_level *out) {
  for (size_t i = 0; i < COUNT(repair_level_names); i++)
    if (strcmp(s, repair_level_names[i]) == 0) {
      *out = (ogrh_repair_level)i;
      return OGRH_OK;
    }
  return OGRH_EINVAL;
}

void ogrh_repair_plan_free(ogrh_repair_plan *p) {
  if (!p) return;
  ogrh_free(p->units, p->cap * sizeof *p->units);
  ogrh_arena_free(p->arena);
  ogrh_free(p, sizeof *p);
}

/* ---- sizes ----
** Sizes are measured by encoding into one scratch buffer that is emptied but never reset:
** it remembers its first error, so a size that could not be measured (out of memory) fails
** the whole plan at its end instead of costing a unit wrongly.
*/

static size_t canon_size(const ogrh_value *v, ogrh_buf *s) {
  static const ogrh_value nil = {0};
  s->n = 0;
  ogrh_canon_encode(v ? v : &nil, s);
  return s->n;
}

static size_t raid_meta_size(const ogrh_table *raid, ogrh_buf *s) {
  s->n = 0;
  ogrh_raid_meta_encode(raid, s);
  return s->n;
}

static size_t names_size(const ogrh_table *list) {
  size_t n = 6;
  for (uint32_t i = 0; list && i < list->n; i++) {
    size_t l = 0;
    if (list->e[i].val.type == OGRH_TABLE) ogrh_table_name(list->e[i].val.u.t, &l);
    n += 9 + 5 + l;
  }
  return n;
}

/* ---- planning ---- */

typedef struct planner {
  ogrh_repair_plan *p;
  const ogrh_repair_opts *o;
  ogrh_buf s;
} planner;

static ogrh_repair_unit *add(planner *pl, ogrh_unit_kind k, size_t payload) {
  ogrh_repair_plan *p = pl->p;
  if (ogrh_grow(&p->units, &p->cap, p->n + 1, sizeof *p->units)) return NULL;
  ogrh_repair_unit *u = &p->units[p->n++];
  memset(u, 0, sizeof *u);
  u->kind = k;
  u->bytes = payload + OGRH_UNIT_OVERHEAD;
  u->raid = u->enc = "";
  return u;
}

static int set_raid(planner *pl, ogrh_repair_unit *u, const ogrh_vr_raid *r) {
  char *n = ogrh_arena_memdup(pl->p->arena, r->name, r->name_len);
  if (!n) return OGRH_ENOMEM;
  u->raid = n;
  u->raid_len = r->name_len;
  u->raid_occ = r->occ;
  u->raid_pos = r->remote_index ? r->remote_index : r->local_index;
  return OGRH_OK;
}

static int set_enc(planner *pl, ogrh_repair_unit *u, const ogrh_vr_enc *e) {
  char *n = ogrh_arena_memdup(pl->p->arena, e->name, e->name_len);
  if (!n) return OGRH_ENOMEM;
  u->enc = n;
  u->enc_len = e->name_len;
  u->enc_occ = e->occ;
  u->enc_pos = e->remote_index ? e->remote_index : e->local_index;
  return OGRH_OK;
}

static bool is_current_raid(const planner *pl, const ogrh_repair_unit *u) {
  const char *c = pl->o ? pl->o->current_raid : NULL;
  return c && strlen(c) == u->raid_len && memcmp(c, u->raid, u->raid_len) == 0;
}

static bool is_current_enc(const planner *pl, const ogrh_repair_unit *u) {
  const char *c = pl->o ? pl->o->current_enc : NULL;
  return c && u->enc_len && strlen(c) == u->enc_len && memcmp(c, u->enc, u->enc_len) == 0;
}

static void prioritise(const planner *pl, ogrh_repair_unit *u) {
  if (u->kind == OGRH_UNIT_GLOBAL)
    u->priority = OGRH_PRIO_LOW;
  else if (u->kind == OGRH_UNIT_FULL || u->kind == OGRH_UNIT_RAIDLIST)
    u->priority = OGRH_PRIO_NORMAL;
  else if (!is_current_raid(pl, u))
    u->priority = OGRH_PRIO_NORMAL;
  else if (is_current_enc(pl, u))
    u->priority = OGRH_PRIO_CRITICAL;
  else
    u->priority = OGRH_PRIO_HIGH;
}

static int popcount6(unsigned x) {
  int n = 0;
  for (int i = 0; i < OGRH_NCOMPONENTS; i++)
    n += (int)((x >> i) & 1u);
  return n;
}

/* Plans one raid present on both sides. */
static int plan_raid(planner *pl, const ogrh_vr_raid *r, const ogrh_table *src_raid,
                     ogrh_repair_level level) {
  ogrh_buf *s = &pl->s;
  const ogrh_table *src_encs = ogrh_raid_encounters(src_raid);
  size_t first = pl->p->n, replaced = 0;
  int differing = 0, rc;
  ogrh_value raidv = ogrh_vtable((ogrh_table *)src_raid);
  if (level == OGRH_REPAIR_RAID) {
    ogrh_repair_unit *u = add(pl, OGRH_UNIT_RAID, canon_size(&raidv, s));
    return u ? set_raid(pl, u, r) : OGRH_ENOMEM;
  }
  if (r->meta_differs || r->list_differs) {
    size_t payload = raid_meta_size(src_raid, s) + names_size(src_encs);
    for (size_t j = 0; j < r->nencs; j++)
      if (r->encs[j].missing_local) {
        const ogrh_value *ev = ogrh_table_geti(src_encs, r->encs[j].remote_index);
        payload += canon_size(ev, s);
      }
    ogrh_repair_unit *u = add(pl, OGRH_UNIT_RAID_META, payload);
    if (!u || (rc = set_raid(pl, u, r))) return OGRH_ENOMEM;
  }
  for (size_t j = 0; j < r->nencs; j++) {
    const ogrh_vr_enc *e = &r->encs[j];
    differing++;
    if (e->missing_local || e->extra_local) continue; /* carried by the raid-meta unit */
    const ogrh_value *ev = ogrh_table_geti(src_encs, e->remote_index);
    const ogrh_table *et = ev && ev->type == OGRH_TABLE ? ev->u.t : NULL;
    size_t comp_cost = 0, enc_cost = canon_size(ev, s) + OGRH_UNIT_OVERHEAD;
    size_t cc[OGRH_NCOMPONENTS] = {0};
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      if (e->components & (1u << c)) {
        s->n = 0;
        ogrh_component_encode(et, c, s);
        cc[c] = s->n;
        comp_cost += s->n + OGRH_UNIT_OVERHEAD;
      }
    bool whole =
        level == OGRH_REPAIR_ENCOUNTER ||
        (level == OGRH_REPAIR_AUTO && popcount6(e->components) >= 3 && enc_cost <= comp_cost);
    if (whole) {
      ogrh_repair_unit *u = add(pl, OGRH_UNIT_ENCOUNTER, enc_cost - OGRH_UNIT_OVERHEAD);
      if (!u || set_raid(pl, u, r) || set_enc(pl, u, e)) return OGRH_ENOMEM;
      continue;
    }
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      if (!(e->components & (1u << c))) continue;
      ogrh_repair_unit *u = add(pl, OGRH_UNIT_COMPONENT, cc[c]);
      if (!u || set_raid(pl, u, r) || set_enc(pl, u, e)) return OGRH_ENOMEM;
      u->index = c;
    }
  }
  /* Several encounters of one raid: one raid repair, if it is not dearer than the parts. */
  for (size_t i = first; i < pl->p->n; i++)
    replaced += pl->p->units[i].bytes;
  size_t raid_cost = canon_size(&raidv, s) + OGRH_UNIT_OVERHEAD;
  if (level == OGRH_REPAIR_AUTO && differing >= 2 && raid_cost <= replaced) {
    pl->p->n = first;
    ogrh_repair_unit *u = add(pl, OGRH_UNIT_RAID, raid_cost - OGRH_UNIT_OVERHEAD);
    return u ? set_raid(pl, u, r) : OGRH_ENOMEM;
  }
  return OGRH_OK;
}

static int unit_cmp(const void *a, const void *b) {
  const ogrh_repair_unit *x = a, *y = b;
  if (x->priority != y->priority) return x->priority < y->priority ? -1 : 1;
  if (x->raid_pos != y->raid_pos) return x->raid_pos < y->raid_pos ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  if (x->enc_pos != y->enc_pos) return x->enc_pos < y->enc_pos ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

int ogrh_repair_plan_make(const ogrh_validation *v, const ogrh_value *source_root,
                          const ogrh_repair_opts *opts, ogrh_repair_plan **out) {
  *out = NULL;
  ogrh_repair_plan *p = ogrh_malloc(sizeof *p);
  if (!p) return OGRH_ENOMEM;
  memset(p, 0, sizeof *p);
  p->arena = ogrh_arena_new();
  if (!p->arena) {
    ogrh_free(p, sizeof *p);
    return OGRH_ENOMEM;
  }
  planner pl = {p, opts, {0}};
  ogrh_buf_init(&pl.s);
  ogrh_repair_level level = opts ? opts->level : OGRH_REPAIR_AUTO;
  /* A v1 source is planned from its view: units carry the v2 shape. */
  ogrh_value view;
  int rc = ogrh_schema_view(p->arena, source_root, &view);
  source_root = &view;
  if (rc || v->valid) goto done;
  if (level == OGRH_REPAIR_FULL) {
    /* The whole plan: the synced part of the source's root, never its personal keys. */
    ogrh_value synced;
    rc = ogrh_schema_synced(p->arena, source_root, &synced);
    if (!rc) rc = add(&pl, OGRH_UNIT_FULL, canon_size(&synced, &pl.s)) ? OGRH_OK : OGRH_ENOMEM;
    goto done;
  }
  const ogrh_table *src_raids = ogrh_schema_raids(source_root);
  bool list = v->raid_list;
  for (size_t i = 0; i < v->nraids; i++)
    list |= v->raids[i].missing_local || v->raids[i].extra_local;
  if (list) {
    size_t payload = names_size(src_raids);
    for (size_t i = 0; i < v->nraids; i++)
      if (v->raids[i].missing_local)
        payload += canon_size(ogrh_table_geti(src_raids, v->raids[i].remote_index), &pl.s);
    if (!add(&pl, OGRH_UNIT_RAIDLIST, payload)) rc = OGRH_ENOMEM;
  }
  for (size_t i = 0; i < v->nraids && !rc; i++) {
    const ogrh_vr_raid *r = &v->raids[i];
    if (r->missing_local || r->extra_local) continue;
    if (r->needs_drilldown) {
      rc = OGRH_EINVAL; /* a plan needs the full remote tree */
      break;
    }
    const ogrh_value *rv = ogrh_table_geti(src_raids, r->remote_index);
    if (!rv || rv->type != OGRH_TABLE) {
      rc = OGRH_ENOTFOUND;
      break;
    }
    rc = plan_raid(&pl, r, rv->u.t, level);
  }
  for (int g = 0; g < OGRH_NGLOBALS && !rc; g++) {
    if (!(v->globals & (1u << g))) continue;
    const ogrh_value *gv = ogrh_global_get(source_root, g);
    ogrh_repair_unit *u = add(&pl, OGRH_UNIT_GLOBAL, canon_size(gv, &pl.s));
    if (!u)
      rc = OGRH_ENOMEM;
    else
      u->index = g;
  }
done:
  if (!rc) rc = ogrh_buf_error(&pl.s);
  ogrh_buf_deinit(&pl.s);
  if (rc) {
    ogrh_repair_plan_free(p);
    return rc;
  }
  for (size_t i = 0; i < p->n; i++) {
    prioritise(&pl, &p->units[i]);
    p->total_bytes += p->units[i].bytes;
  }
  /* qsort may not be handed the null array of an empty plan. */
  if (p->n > 1) qsort(p->units, p->n, sizeof *p->units, unit_cmp);
  *out = p;
  return OGRH_OK;
}

int ogrh_component_apply(ogrh_arena *a, ogrh_table *enc, int c, const ogrh_value *proj) {
  if (!a || !enc || !proj || c < 0 || c >= OGRH_NCOMPONENTS) return OGRH_EINVAL;
  if (ogrh_components[c].part == OGRH_PART_REST && proj->type != OGRH_TABLE) return OGRH_ETYPE;
  ogrh_value copied;
  int rc = ogrh_value_copy(a, proj, &copied);
  return rc ? rc : ogrh_component_set(a, enc, c, &copied);
}

int ogrh_repair_unit_label(const ogrh_repair_unit *u, ogrh_buf *out) {
  switch (u->kind) {
  case OGRH_UNIT_FULL:
    return ogrh_buf_adds(out, "the whole plan");
  case OGRH_UNIT_RAIDLIST:
    return ogrh_buf_adds(out, "raid list");
  case OGRH_UNIT_GLOBAL:
    return ogrh_buf_printf(out, "global '%s'", ogrh_global_name(u->index));
  default:
    break;
  }
  ogrh_buf_add(out, u->raid, u->raid_len);
  if (u->raid_occ > 1) ogrh_buf_printf(out, " (%u)", u->raid_occ);
  if (u->kind == OGRH_UNIT_RAID_META)
    return ogrh_buf_adds(out, " (raid metadata and encounter list)");
  if (u->kind == OGRH_UNIT_RAID) return OGRH_OK;
  ogrh_buf_adds(out, " > ");
  ogrh_buf_add(out, u->enc, u->enc_len);
  if (u->enc_occ > 1) ogrh_buf_printf(out, " (%u)", u->enc_occ);
  if (u->kind == OGRH_UNIT_COMPONENT) ogrh_buf_printf(out, " > %s", ogrh_component_name(u->index));
  return OGRH_OK;
}

int ogrh_repair_plan_format(const ogrh_repair_plan *p, ogrh_buf *out) {
  if (p->n == 0) return ogrh_buf_adds(out, "nothing to repair\n");
  for (size_t i = 0; i < p->n; i++) {
    const ogrh_repair_unit *u = &p->units[i];
    ogrh_buf_printf(out, "%2zu. %-8s %-9s ", i + 1, ogrh_priority_name(u->priority),
                    ogrh_unit_kind_name(u->kind));
    ogrh_repair_unit_label(u, out);
    ogrh_buf_printf(out, " (%zu bytes)\n", u->bytes);
  }
  return ogrh_buf_printf(out, "%zu unit%s, %zu bytes\n", p->n, p->n == 1 ? "" : "s",
                         p->total_bytes);
}

/* ---- applying ---- */

typedef struct stager {
  ogrh_arena *a;
  ogrh_value root;       /* the staged copy of the target's schema root */
  const ogrh_value *src; /* the source's schema root */
  ogrh_err *err;
} stager;

static int copy(stager *st, const ogrh_value *v, ogrh_value *out) {
  static const ogrh_value nil = {0};
  return ogrh_value_copy(st->a, v ? v : &nil, out);
}

/* A table (in the stage) under t[k], created when missing. */
static ogrh_table *ensure(stager *st, ogrh_table *t, const ogrh_value *k) {
  ogrh_value *v = ogrh_table_get(t, k);
  if (v && v->type == OGRH_TABLE) return v->u.t;
  ogrh_table *n = ogrh_table_new(st->a, 4);
  ogrh_value nv = ogrh_vtable(n);
  if (!n || ogrh_table_set(st->a, t, k, &nv)) return NULL;
  return n;
}

static int fail_unit(stager *st, const ogrh_repair_unit *u, const char *why) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_repair_unit_label(u, &b);
  int rc = ogrh_err_set(st->err, OGRH_EVERIFY, "repair of %s (%s): %s", b.p ? b.p : "",
                        ogrh_unit_kind_name(u->kind), why);
  ogrh_buf_deinit(&b);
  return rc;
}

/* Rebuilds a raid or encounter list in the source's order, keeping staged tables by identity. */
static int rebuild_list(stager *st, const ogrh_table *src, const ogrh_table *stage,
                        ogrh_table **out) {
  ogrh_table *n = ogrh_table_new(st->a, src ? src->n : 0);
  if (!n) return OGRH_ENOMEM;
  for (uint32_t i = 0; src && i < src->n; i++) {
    const ogrh_entry *e = &src->e[i];
    ogrh_value k, v;
    int rc = copy(st, &e->key, &k);
    if (rc) return rc;
    const ogrh_entry *mine = NULL;
    if (ogrh_is_item(e)) {
      size_t nl;
      const char *nm = ogrh_table_name(e->val.u.t, &nl);
      mine = ogrh_item_find(stage, nm, nl, ogrh_item_occ(src, e));
    }
    if (mine)
      v = mine->val;
    else if ((rc = copy(st, &e->val, &v)))
      return rc;
    if ((rc = ogrh_table_set(st->a, n, &k, &v))) return rc;
  }
  *out = n;
  return OGRH_OK;
}

static ogrh_table *stage_raids(stager *st) {
  ogrh_table *mgmt = ensure(st, st->root.u.t, OGRH_KEY(MGMT));
  return mgmt ? ensure(st, mgmt, OGRH_KEY(RAIDS)) : NULL;
}

/*
** One component of a staged encounter from the source's: the source's projection, copied into
** the stage, set into the staged encounter (which keeps every other component).
*/
static int apply_component(stager *st, const ogrh_repair_unit *u, ogrh_table *le,
                           const ogrh_table *se, int c) {
  ogrh_value pv, cv;
  int rc = ogrh_component_project(st->a, se, c, &pv);
  if (!rc) rc = ogrh_value_copy(st->a, &pv, &cv);
  if (!rc) rc = ogrh_component_set(st->a, le, c, &cv);
  if (rc == OGRH_ECORRUPT) return fail_unit(st, u, "the staged encounter cannot hold it");
  return rc;
}

static int apply_unit(stager *st, const ogrh_repair_unit *u) {
  const ogrh_table *sraids = ogrh_schema_raids(st->src);
  ogrh_value v;
  int rc;
  if (u->kind == OGRH_UNIT_FULL) {
    /* The synced keys from the source; the target's own keys stay as they are. */
    ogrh_value synced, copied;
    if ((rc = ogrh_schema_synced(st->a, st->src, &synced)) || (rc = copy(st, &synced, &copied)))
      return rc;
    return ogrh_schema_replace_synced(st->a, st->root.u.t, &copied);
  }
  if (u->kind == OGRH_UNIT_GLOBAL) {
    if ((rc = copy(st, ogrh_global_get(st->src, u->index), &v))) return rc;
    return ogrh_table_set(st->a, st->root.u.t, ogrh_global_keyv(u->index), &v);
  }
  ogrh_table *raids = stage_raids(st);
  if (!raids) return OGRH_ENOMEM;
  if (u->kind == OGRH_UNIT_RAIDLIST) {
    ogrh_table *n;
    if ((rc = rebuild_list(st, sraids, raids, &n))) return rc;
    *raids = *n;
    return OGRH_OK;
  }
  ogrh_entry *sr = ogrh_item_find(sraids, u->raid, u->raid_len, u->raid_occ);
  ogrh_entry *lr = ogrh_item_find(raids, u->raid, u->raid_len, u->raid_occ);
  if (!sr || !lr) return fail_unit(st, u, "raid not found on both sides");
  if (u->kind == OGRH_UNIT_RAID) return copy(st, &sr->val, &lr->val);
  const ogrh_table *sencs = ogrh_raid_encounters(sr->val.u.t);
  ogrh_table *lencs = ogrh_raid_encounters(lr->val.u.t);
  if (u->kind == OGRH_UNIT_RAID_META) {
    ogrh_table *n = ogrh_table_new(st->a, sr->val.u.t->n), *list;
    if (!n) return OGRH_ENOMEM;
    for (uint32_t i = 0; i < sr->val.u.t->n; i++) {
      const ogrh_entry *e = &sr->val.u.t->e[i];
      if (ogrh_key_cmp(&e->key, OGRH_KEY(ENCOUNTERS)) == 0) continue;
      ogrh_value k;
      if ((rc = copy(st, &e->key, &k)) || (rc = copy(st, &e->val, &v)) ||
          (rc = ogrh_table_set(st->a, n, &k, &v)))
        return rc;
    }
    const ogrh_value *se = ogrh_table_get(sr->val.u.t, OGRH_KEY(ENCOUNTERS));
    if (se) {
      if (se->type == OGRH_TABLE) {
        if ((rc = rebuild_list(st, se->u.t, lencs, &list))) return rc;
        v = ogrh_vtable(list);
      } else if ((rc = copy(st, se, &v))) {
        return rc;
      }
      if ((rc = ogrh_table_set(st->a, n, OGRH_KEY(ENCOUNTERS), &v))) return rc;
    }
    *lr->val.u.t = *n;
    return OGRH_OK;
  }
  ogrh_entry *se = ogrh_item_find(sencs, u->enc, u->enc_len, u->enc_occ);
  ogrh_entry *le = ogrh_item_find(lencs, u->enc, u->enc_len, u->enc_occ);
  if (!se || !le) return fail_unit(st, u, "encounter not found on both sides");
  if (u->kind == OGRH_UNIT_ENCOUNTER) return copy(st, &se->val, &le->val);
  return apply_component(st, u, le->val.u.t, se->val.u.t, u->index);
}

/* Does the staged tree agree with the source tree on this unit? (Both trees are current.) */
static bool unit_verified(const ogrh_repair_unit *u, const ogrh_dtree *got,
                          const ogrh_dtree *want) {
  ogrh_dt_top gt, wt;
  if (ogrh_dtree_top(got, &gt) || ogrh_dtree_top(want, &wt)) return false;
  switch (u->kind) {
  case OGRH_UNIT_FULL:
    return gt.root == wt.root;
  case OGRH_UNIT_GLOBAL:
    return gt.global[u->index] == wt.global[u->index];
  case OGRH_UNIT_RAIDLIST:
    return gt.raidlist == wt.raidlist;
  default:
    break;
  }
  const ogrh_dt_raid *g, *w;
  if (ogrh_dtree_find_raid(got, u->raid, u->raid_len, u->raid_occ, &g) ||
      ogrh_dtree_find_raid(want, u->raid, u->raid_len, u->raid_occ, &w))
    return false;
  if (u->kind == OGRH_UNIT_RAID) return g->digest == w->digest;
  if (u->kind == OGRH_UNIT_RAID_META) return g->own == w->own;
  const ogrh_dt_enc *ge, *we;
  if (ogrh_dtree_find_enc(g, u->enc, u->enc_len, u->enc_occ, &ge) ||
      ogrh_dtree_find_enc(w, u->enc, u->enc_len, u->enc_occ, &we))
    return false;
  if (u->kind == OGRH_UNIT_ENCOUNTER) return ge->digest == we->digest;
  return ge->comp[u->index] == we->comp[u->index];
}

static int apply_order(const void *a, const void *b) {
  const ogrh_repair_unit *x = *(const ogrh_repair_unit *const *)a,
                         *y = *(const ogrh_repair_unit *const *)b;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

int ogrh_repair_apply(ogrh_doc *target, const ogrh_value *source_root, const ogrh_repair_plan *plan,
                      ogrh_err *err) {
  if (!source_root || source_root->type != OGRH_TABLE)
    return ogrh_err_set(err, OGRH_ESCHEMA, "the source has no OGRH_SV data");
  if (plan->n == 0) return OGRH_OK;
  stager st = {ogrh_arena_new(), {0}, source_root, err};
  if (!st.a) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  /*
  ** Both sides in the v2 shape: a v1 source through its view, a v1 target staged as its view
  ** and stored back into its v1 places at the end (ogrh_doc_replace_plan writes only what
  ** changes).
  */
  ogrh_value sview;
  const ogrh_value *troot = NULL;
  int rc = ogrh_schema_view(st.a, source_root, &sview);
  if (!rc) rc = ogrh_doc_view(target, &troot);
  st.src = &sview;
  if (!rc && troot) rc = ogrh_value_copy(st.a, troot, &st.root);
  if (!rc && !troot) {
    ogrh_table *t = ogrh_table_new(st.a, 4);
    rc = t ? OGRH_OK : OGRH_ENOMEM;
    st.root = ogrh_vtable(t);
  }
  const ogrh_repair_unit **order = ogrh_malloc(plan->n * sizeof *order);
  if (!order) rc = OGRH_ENOMEM;
  for (size_t i = 0; order && i < plan->n; i++)
    order[i] = &plan->units[i];
  if (!rc) qsort(order, plan->n, sizeof *order, apply_order);
  for (size_t i = 0; i < plan->n && !rc; i++)
    rc = apply_unit(&st, order[i]);
  ogrh_dtree *got = NULL, *want = NULL;
  if (!rc) rc = ogrh_dtree_build_root(&st.root, &got);
  if (!rc) rc = ogrh_dtree_build_root(st.src, &want);
  for (size_t i = 0; i < plan->n && !rc; i++)
    if (!unit_verified(&plan->units[i], got, want))
      rc = fail_unit(&st, &plan->units[i], "the result does not match the source's digest");
  if (!rc) {
    ogrh_sync_meta meta = {OGRH_SYNC_MANUAL, "repair", NULL};
    rc = ogrh_doc_replace_plan(target, &st.root, &meta, err);
  }
  if (rc && (!err || err->code != rc || !err->msg[0]))
    ogrh_err_set(err, rc, "repair failed: %s", ogrh_strerror(rc));
  ogrh_dtree_free(got);
  ogrh_dtree_free(want);
  ogrh_free(order, plan->n * sizeof *order);
  ogrh_arena_free(st.a);
  return rc;
}
