/*
** validate.c
** Drill-down comparison of two digest trees, its reports, and path-level differences.
*/
#include "ogrh/validate.h"
#include "ogrh/json.h"
#include "ogrh/util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

const char *ogrh_level_name(ogrh_level l) {
  static const char *const n[] = {
#define OGRH__XX(id, name) name,
      OGRH_LEVEL_MAP(OGRH__XX)
#undef OGRH__XX
  };
  return (int)l >= 0 && (size_t)l < sizeof n / sizeof n[0] ? n[l] : "?";
}

void ogrh_validation_free(ogrh_validation *v) {
  if (!v) return;
  ogrh_arena_free(v->arena);
  ogrh_free(v, sizeof *v);
}

static void deepen(ogrh_validation *v, ogrh_level l) {
  if (l > v->level) v->level = l;
}

/*
** While a validation is built its arrays grow on the heap (ogrh_grow); the finished result
** moves them into its arena, exactly sized, so that ogrh_validation_free has one thing to free.
** Names are copied into the arena: a validation outlives the trees it compared.
*/
typedef struct vbuild {
  ogrh_validation *v;
  ogrh_vr_raid *raids;
  size_t cap;
  ogrh_vr_enc *encs; /* the encounters of the raid being compared */
  size_t nencs, capencs;
} vbuild;

static void *to_arena(ogrh_arena *a, const void *p, size_t n, size_t size) {
  if (!n) return NULL;
  void *q = ogrh_arena_alloc(a, n * size);
  if (q) memcpy(q, p, n * size);
  return q;
}

static ogrh_vr_enc *new_enc(vbuild *b, const ogrh_dt_enc *de) {
  if (ogrh_grow(&b->encs, &b->capencs, b->nencs + 1, sizeof *b->encs)) return NULL;
  ogrh_vr_enc *e = &b->encs[b->nencs];
  memset(e, 0, sizeof *e);
  e->name = ogrh_arena_memdup(b->v->arena, de->name, de->name_len);
  if (!e->name) return NULL;
  e->name_len = de->name_len;
  e->occ = de->occ;
  b->nencs++;
  return e;
}

static int compare_raid(vbuild *b, const ogrh_dt_raid *l, const ogrh_dt_raid *r,
                        ogrh_vr_raid *out) {
  ogrh_validation *v = b->v;
  out->meta_differs = l->meta != r->meta;
  out->list_differs = l->list != r->list;
  if (out->meta_differs || out->list_differs) deepen(v, OGRH_LEVEL_RAID);
  b->nencs = 0;
  for (size_t i = 0; i < r->nencs; i++) {
    const ogrh_dt_enc *re = &r->encs[i], *le;
    if (ogrh_dtree_find_enc(l, re->name, re->name_len, re->occ, &le) == OGRH_OK &&
        le->digest == re->digest)
      continue;
    ogrh_vr_enc *e = new_enc(b, re);
    if (!e) return OGRH_ENOMEM;
    e->remote_index = re->index;
    if (!le) {
      e->missing_local = true;
      deepen(v, OGRH_LEVEL_ENCOUNTER);
      continue;
    }
    e->local_index = le->index;
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      if (le->comp[c] != re->comp[c]) e->components |= 1u << c;
    deepen(v, e->components ? OGRH_LEVEL_COMPONENT : OGRH_LEVEL_ENCOUNTER);
  }
  for (size_t i = 0; i < l->nencs; i++) {
    const ogrh_dt_enc *le = &l->encs[i], *re;
    if (ogrh_dtree_find_enc(r, le->name, le->name_len, le->occ, &re) == OGRH_OK) continue;
    ogrh_vr_enc *e = new_enc(b, le);
    if (!e) return OGRH_ENOMEM;
    e->local_index = le->index;
    e->extra_local = true;
    deepen(v, OGRH_LEVEL_ENCOUNTER);
  }
  out->encs = to_arena(v->arena, b->encs, b->nencs, sizeof *b->encs);
  if (b->nencs && !out->encs) return OGRH_ENOMEM;
  out->nencs = b->nencs;
  return OGRH_OK;
}

/* A new entry in the result for raid dr (its name copied), or NULL when out of memory. */
static ogrh_vr_raid *new_raid(vbuild *b, const ogrh_dt_raid *dr) {
  ogrh_validation *v = b->v;
  if (ogrh_grow(&b->raids, &b->cap, v->nraids + 1, sizeof *b->raids)) return NULL;
  ogrh_vr_raid *r = &b->raids[v->nraids];
  memset(r, 0, sizeof *r);
  r->name = ogrh_arena_memdup(v->arena, dr->name, dr->name_len);
  if (!r->name) return NULL;
  r->name_len = dr->name_len;
  r->occ = dr->occ;
  v->nraids++;
  return r;
}

static int compare(vbuild *b, const ogrh_dtree *local, const ogrh_dtree *remote,
                   const ogrh_dt_top *lt, const ogrh_dt_top *rt) {
  ogrh_validation *v = b->v;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (lt->global[g] != rt->global[g]) {
      v->globals |= 1u << g;
      deepen(v, OGRH_LEVEL_GLOBAL);
    }
  int rc = OGRH_OK;
  for (size_t i = 0; i < rt->nraids && !rc; i++) {
    const ogrh_dt_raid *rr, *lr;
    if ((rc = ogrh_dtree_raid(remote, i, &rr))) break;
    if (ogrh_dtree_find_raid(local, rr->name, rr->name_len, rr->occ, &lr) == OGRH_OK &&
        lr->digest == rr->digest)
      continue;
    ogrh_vr_raid *r = new_raid(b, rr);
    if (!r) return OGRH_ENOMEM;
    r->remote_index = rr->index;
    deepen(v, OGRH_LEVEL_RAID);
    if (!lr) {
      r->missing_local = true;
      continue;
    }
    r->local_index = lr->index;
    if (rr->partial || lr->partial) {
      r->needs_drilldown = true;
      continue;
    }
    rc = compare_raid(b, lr, rr, r);
  }
  for (size_t i = 0; i < lt->nraids && !rc; i++) {
    const ogrh_dt_raid *lr, *rr;
    if ((rc = ogrh_dtree_raid(local, i, &lr))) break;
    if (ogrh_dtree_find_raid(remote, lr->name, lr->name_len, lr->occ, &rr) == OGRH_OK) continue;
    ogrh_vr_raid *r = new_raid(b, lr);
    if (!r) return OGRH_ENOMEM;
    r->local_index = lr->index;
    r->extra_local = true;
    deepen(v, OGRH_LEVEL_RAID);
  }
  if (lt->raidlist != rt->raidlist) {
    v->raid_list = true;
    deepen(v, OGRH_LEVEL_RAID);
  }
  if (rc) return rc;
  v->raids = to_arena(v->arena, b->raids, v->nraids, sizeof *b->raids);
  return v->nraids && !v->raids ? OGRH_ENOMEM : OGRH_OK;
}

int ogrh_validate(const ogrh_dtree *local, const ogrh_dtree *remote, ogrh_validation **out) {
  *out = NULL;
  ogrh_dt_top lt, rt;
  int rc = ogrh_dtree_top(local, &lt);
  if (!rc) rc = ogrh_dtree_top(remote, &rt);
  if (rc) return rc;
  ogrh_validation *v = ogrh_malloc(sizeof *v);
  if (!v) return OGRH_ENOMEM;
  memset(v, 0, sizeof *v);
  v->arena = ogrh_arena_new();
  if (!v->arena) {
    ogrh_free(v, sizeof *v);
    return OGRH_ENOMEM;
  }
  v->valid = lt.root == rt.root;
  v->level = OGRH_LEVEL_STRUCTURE;
  vbuild b = {v, NULL, 0, NULL, 0, 0};
  if (!v->valid) rc = compare(&b, local, remote, &lt, &rt);
  ogrh_free(b.raids, b.cap * sizeof *b.raids);
  ogrh_free(b.encs, b.capencs * sizeof *b.encs);
  if (rc) {
    ogrh_validation_free(v);
    return rc;
  }
  *out = v;
  return OGRH_OK;
}

static void put_name(ogrh_buf *b, const char *s, uint32_t n, uint32_t occ) {
  ogrh_buf_add(b, s, n);
  if (occ > 1) ogrh_buf_printf(b, " (%u)", occ);
}

int ogrh_validation_report(const ogrh_validation *v, ogrh_buf *out) {
  static const char *const pre = "Structure mismatch detected: ";
  if (v->valid) return ogrh_buf_adds(out, "Structure validation: PASSED\n");
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (v->globals & (1u << g))
      ogrh_buf_printf(out, "%sGlobal component '%s'\n", pre, ogrh_global_name(g));
  bool explained = false;
  for (size_t i = 0; i < v->nraids; i++) {
    const ogrh_vr_raid *r = &v->raids[i];
    const char *what = NULL;
    if (r->missing_local)
      what = "raid missing locally";
    else if (r->extra_local)
      what = "extra raid locally";
    else if (r->needs_drilldown)
      what = "needs drill-down";
    if (r->missing_local || r->extra_local) explained = true;
    if (what) {
      ogrh_buf_adds(out, pre);
      put_name(out, r->name, r->name_len, r->occ);
      ogrh_buf_printf(out, " (%s)\n", what);
      continue;
    }
    if (r->meta_differs) {
      ogrh_buf_adds(out, pre);
      put_name(out, r->name, r->name_len, r->occ);
      ogrh_buf_adds(out, " (raid metadata)\n");
    }
    if (r->list_differs) {
      ogrh_buf_adds(out, pre);
      put_name(out, r->name, r->name_len, r->occ);
      ogrh_buf_adds(out, " (encounter list)\n");
    }
    for (size_t j = 0; j < r->nencs; j++) {
      const ogrh_vr_enc *e = &r->encs[j];
      if (e->missing_local || e->extra_local) {
        ogrh_buf_adds(out, pre);
        put_name(out, r->name, r->name_len, r->occ);
        ogrh_buf_adds(out, " > ");
        put_name(out, e->name, e->name_len, e->occ);
        ogrh_buf_printf(out, " (%s)\n",
                        e->missing_local ? "encounter missing locally" : "extra encounter locally");
        continue;
      }
      for (int c = 0; c < OGRH_NCOMPONENTS; c++)
        if (e->components & (1u << c)) {
          ogrh_buf_adds(out, pre);
          put_name(out, r->name, r->name_len, r->occ);
          ogrh_buf_adds(out, " > ");
          put_name(out, e->name, e->name_len, e->occ);
          ogrh_buf_printf(out, " > %s\n", ogrh_component_name(c));
        }
    }
  }
  if (v->raid_list && !explained) ogrh_buf_printf(out, "%sraid list (order)\n", pre);
  return OGRH_OK;
}

static json_t *jname(const char *s, uint32_t n, uint32_t occ) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  put_name(&b, s, n, occ);
  json_t *j = json_stringn(b.p ? b.p : "", b.n);
  ogrh_buf_deinit(&b);
  return j ? j : json_string("?");
}

int ogrh_validation_json(const ogrh_validation *v, ogrh_buf *out) {
  json_t *root = json_object(), *corr = json_object(), *glob = json_array(), *raids = json_object(),
         *drill = json_array();
  json_object_set_new(root, "valid", json_boolean(v->valid));
  json_object_set_new(root, "level", json_string(ogrh_level_name(v->level)));
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (v->globals & (1u << g)) json_array_append_new(glob, json_string(ogrh_global_name(g)));
  for (size_t i = 0; i < v->nraids; i++) {
    const ogrh_vr_raid *r = &v->raids[i];
    json_t *jr = json_object(), *encs = json_object(), *miss = json_array(), *extra = json_array();
    json_object_set_new(jr, "raidLevel", json_boolean(r->meta_differs || r->list_differs));
    json_object_set_new(jr, "metadata", json_boolean(r->meta_differs));
    json_object_set_new(jr, "encounterList", json_boolean(r->list_differs));
    if (r->missing_local) json_object_set_new(jr, "missingLocally", json_true());
    if (r->extra_local) json_object_set_new(jr, "extraLocally", json_true());
    if (r->needs_drilldown) json_array_append_new(drill, jname(r->name, r->name_len, r->occ));
    for (size_t j = 0; j < r->nencs; j++) {
      const ogrh_vr_enc *e = &r->encs[j];
      if (e->missing_local) {
        json_array_append_new(miss, jname(e->name, e->name_len, e->occ));
        continue;
      }
      if (e->extra_local) {
        json_array_append_new(extra, jname(e->name, e->name_len, e->occ));
        continue;
      }
      json_t *comps = json_array();
      for (int c = 0; c < OGRH_NCOMPONENTS; c++)
        if (e->components & (1u << c))
          json_array_append_new(comps, json_string(ogrh_component_name(c)));
      json_t *nm = jname(e->name, e->name_len, e->occ);
      json_object_set_new(encs, json_string_value(nm), comps);
      json_decref(nm);
    }
    json_object_set_new(jr, "encounters", encs);
    json_object_set_new(jr, "missingEncounters", miss);
    json_object_set_new(jr, "extraEncounters", extra);
    json_t *nm = jname(r->name, r->name_len, r->occ);
    json_object_set_new(raids, json_string_value(nm), jr);
    json_decref(nm);
  }
  json_object_set_new(corr, "global", glob);
  json_object_set_new(corr, "raids", raids);
  json_object_set_new(corr, "raidList", json_boolean(v->raid_list));
  json_object_set_new(root, "corrupted", corr);
  json_object_set_new(root, "needsDrilldown", drill);
  ogrh_buf rep;
  ogrh_buf_init(&rep);
  ogrh_validation_report(v, &rep);
  json_t *lines = json_array();
  for (char *s = rep.p, *e; s && *s; s = e + 1) {
    e = strchr(s, '\n');
    if (!e) break;
    json_array_append_new(lines, json_stringn(s, (size_t)(e - s)));
  }
  ogrh_buf_deinit(&rep);
  json_object_set_new(root, "report", lines);
  char *txt = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!txt) return OGRH_ENOMEM;
  int rc = ogrh_buf_adds(out, txt);
  ogrh_json_free(txt);
  return rc;
}

/* ---- path-level differences ---- */

typedef struct dpath {
  ogrh_path p;
} dpath;

static int diff_line(const dpath *dp, const ogrh_value *a, const ogrh_value *b, ogrh_buf *out) {
  static const ogrh_value nil = {0};
  ogrh_path_format(&dp->p, dp->p.n, out);
  ogrh_buf_adds(out, ": ");
  ogrh_value_write_inline(a ? a : &nil, out);
  ogrh_buf_adds(out, " -> ");
  ogrh_value_write_inline(b ? b : &nil, out);
  return ogrh_buf_addc(out, '\n');
}

static bool excluded(const ogrh_value *k, const char *const *excl, int nexcl) {
  if (k->type != OGRH_STRING) return false;
  for (int i = 0; i < nexcl; i++)
    if (k->len == strlen(excl[i]) && memcmp(k->u.s, excl[i], k->len) == 0) return true;
  return false;
}

/* Recursive difference; `excl` applies at this level only. */
static int diff_rec(dpath *dp, const ogrh_value *a, const ogrh_value *b, const char *const *excl,
                    int nexcl, ogrh_buf *out) {
  static const ogrh_value nil = {0};
  if (!a) a = &nil;
  if (!b) b = &nil;
  if (a->type != OGRH_TABLE || b->type != OGRH_TABLE) {
    if (ogrh_value_equal(a, b)) return OGRH_OK;
    return diff_line(dp, a, b, out);
  }
  if (dp->p.n >= OGRH_PATH_MAX) return diff_line(dp, a, b, out);
  const ogrh_table *x = a->u.t, *y = b->u.t;
  uint32_t i = 0, j = 0;
  while (i < x->n || j < y->n) {
    int c = i >= x->n ? 1 : j >= y->n ? -1 : ogrh_key_cmp(&x->e[i].key, &y->e[j].key);
    const ogrh_value *k = c <= 0 ? &x->e[i].key : &y->e[j].key;
    const ogrh_value *va = c <= 0 ? &x->e[i].val : NULL, *vb = c >= 0 ? &y->e[j].val : NULL;
    if (!excluded(k, excl, nexcl)) {
      dp->p.seg[dp->p.n++] = *k;
      int rc = diff_rec(dp, va, vb, NULL, 0, out);
      dp->p.n--;
      if (rc) return rc;
    }
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
  return OGRH_OK;
}

/* The table value at index idx of list, or NULL. */
static const ogrh_value *at(const ogrh_table *list, int64_t idx) {
  return list && idx ? ogrh_table_geti(list, idx) : NULL;
}

static void set_prefix(dpath *dp, int64_t raid, int64_t enc) {
  dp->p.n = 0;
  dp->p.seg[dp->p.n++] = *OGRH_KEY(MGMT);
  dp->p.seg[dp->p.n++] = *OGRH_KEY(RAIDS);
  dp->p.seg[dp->p.n++] = ogrh_vint(raid);
  if (enc) {
    dp->p.seg[dp->p.n++] = *OGRH_KEY(ENCOUNTERS);
    dp->p.seg[dp->p.n++] = ogrh_vint(enc);
  }
}

/* Appends the segments ogrh_component_locate gives (the path has room: see ogrh_diff). */
static void push_located(dpath *dp, int c, const ogrh_value *k) {
  ogrh_value seg[3];
  size_t n;
  ogrh_component_locate(c, k, seg, &n);
  for (size_t i = 0; i < n && dp->p.n < OGRH_PATH_MAX; i++)
    dp->p.seg[dp->p.n++] = seg[i];
}

/*
** Component c of two encounters, leaf by leaf: the two projections are walked side by side,
** each top-level key at the place in the encounter the schema says it lives.
*/
static int diff_component(dpath *dp, ogrh_arena *a, const ogrh_table *ea, const ogrh_table *eb,
                          int c, ogrh_buf *out) {
  ogrh_value pa, pb;
  int rc = ogrh_component_project(a, ea, c, &pa);
  if (!rc) rc = ogrh_component_project(a, eb, c, &pb);
  if (rc) return rc;
  size_t base = dp->p.n;
  bool slot = ogrh_components[c].part == OGRH_PART_SLOT;
  /* A per-slot component is nil when the roles are no table: compare it as empty. */
  bool ta = pa.type == OGRH_TABLE || (slot && pa.type == OGRH_NIL);
  bool tb = pb.type == OGRH_TABLE || (slot && pb.type == OGRH_NIL);
  if (!ta || !tb) {
    push_located(dp, c, NULL);
    rc = diff_rec(dp, &pa, &pb, NULL, 0, out);
    dp->p.n = base;
    return rc;
  }
  const ogrh_table *x = pa.type == OGRH_TABLE ? pa.u.t : NULL;
  const ogrh_table *y = pb.type == OGRH_TABLE ? pb.u.t : NULL;
  uint32_t i = 0, j = 0, xn = x ? x->n : 0, yn = y ? y->n : 0;
  while ((i < xn || j < yn) && !rc) {
    int cmp = i >= xn ? 1 : j >= yn ? -1 : ogrh_key_cmp(&x->e[i].key, &y->e[j].key);
    const ogrh_value *k = cmp <= 0 ? &x->e[i].key : &y->e[j].key;
    const ogrh_value *va = cmp <= 0 ? &x->e[i].val : NULL, *vb = cmp >= 0 ? &y->e[j].val : NULL;
    push_located(dp, c, k);
    rc = diff_rec(dp, va, vb, NULL, 0, out);
    dp->p.n = base;
    if (cmp <= 0) i++;
    if (cmp >= 0) j++;
  }
  return rc;
}

int ogrh_diff(const ogrh_value *a_root, const ogrh_value *b_root, const ogrh_validation *v,
              ogrh_buf *out) {
  const char *const raid_excl[] = {OGRH_KEY(ENCOUNTERS)->u.s};
  dpath *dp = ogrh_malloc(sizeof *dp);
  ogrh_arena *a = ogrh_arena_new();
  if (!dp || !a) {
    ogrh_free(dp, sizeof *dp);
    ogrh_arena_free(a);
    return OGRH_ENOMEM;
  }
  /* v1 roots are compared in their views: paths are those of the v2 shape, which a document
     of either layout reads and writes (ogrh/doc.h). */
  ogrh_value av, bv;
  int rc = ogrh_schema_view(a, a_root, &av);
  if (!rc) rc = ogrh_schema_view(a, b_root, &bv);
  a_root = &av;
  b_root = &bv;
  for (int g = 0; g < OGRH_NGLOBALS && !rc; g++) {
    if (!(v->globals & (1u << g))) continue;
    dp->p.n = 1;
    dp->p.seg[0] = *ogrh_global_keyv(g);
    rc = diff_rec(dp, ogrh_global_get(a_root, g), ogrh_global_get(b_root, g), NULL, 0, out);
  }
  const ogrh_table *ra = ogrh_schema_raids(a_root), *rb = ogrh_schema_raids(b_root);
  for (size_t i = 0; i < v->nraids && !rc; i++) {
    const ogrh_vr_raid *r = &v->raids[i];
    const ogrh_value *xa = at(ra, r->local_index), *xb = at(rb, r->remote_index);
    if (r->missing_local || r->extra_local) {
      set_prefix(dp, r->missing_local ? r->remote_index : r->local_index, 0);
      ogrh_path_format(&dp->p, dp->p.n, out);
      ogrh_buf_adds(out, ": raid ");
      put_name(out, r->name, r->name_len, r->occ);
      ogrh_buf_printf(out, " %s\n", r->missing_local ? "only in B" : "only in A");
      continue;
    }
    if (!xa || !xb || xa->type != OGRH_TABLE || xb->type != OGRH_TABLE) continue;
    if (r->meta_differs) {
      set_prefix(dp, r->local_index, 0);
      rc = diff_rec(dp, xa, xb, raid_excl, 1, out);
    }
    const ogrh_table *ea = ogrh_raid_encounters(xa->u.t), *eb = ogrh_raid_encounters(xb->u.t);
    for (size_t j = 0; j < r->nencs && !rc; j++) {
      const ogrh_vr_enc *e = &r->encs[j];
      if (e->missing_local || e->extra_local) {
        set_prefix(dp, r->local_index, e->missing_local ? e->remote_index : e->local_index);
        ogrh_path_format(&dp->p, dp->p.n, out);
        ogrh_buf_adds(out, ": encounter ");
        put_name(out, e->name, e->name_len, e->occ);
        ogrh_buf_printf(out, " %s\n", e->missing_local ? "only in B" : "only in A");
        continue;
      }
      const ogrh_value *va = at(ea, e->local_index), *vb = at(eb, e->remote_index);
      if (!va || !vb || va->type != OGRH_TABLE || vb->type != OGRH_TABLE) continue;
      for (int c = 0; c < OGRH_NCOMPONENTS && !rc; c++) {
        if (!(e->components & (1u << c))) continue;
        set_prefix(dp, r->local_index, e->local_index);
        rc = diff_component(dp, a, va->u.t, vb->u.t, c, out);
      }
    }
  }
  ogrh_free(dp, sizeof *dp);
  ogrh_arena_free(a);
  return rc;
}
