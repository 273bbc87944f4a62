/*
** digest.c
** The digest tree: canonical encoding, component projections, full builds, incremental
** updates driven by the document's change records, the scrub, and the addon-compatible
** 31-bit hash.
*/
#include "ogrh/digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Inlined: the tree hashes many short inputs, where call and dispatch overhead dominate. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* Seeds separate the levels, so equal bytes at different levels never give equal digests. */
#define SEED_COMP UINT64_C(0x6f67726843000000) /* + component index */
#define SEED_ENC UINT64_C(0x6f67726845000000)
#define SEED_META UINT64_C(0x6f6772684d000000)
#define SEED_LIST UINT64_C(0x6f6772684c000000)
#define SEED_OWN UINT64_C(0x6f6772684f000000)
#define SEED_RAID UINT64_C(0x6f67726852000000)
#define SEED_GLOBAL UINT64_C(0x6f67726847000000) /* + global index */
#define SEED_RAIDS UINT64_C(0x6f67726853000000)
#define SEED_ROOT UINT64_C(0x6f67726844000000)

typedef struct dirty_item {
  int64_t raid, enc;
  unsigned comps;
  bool raid_meta, raid_all;
} dirty_item;

struct ogrh_dtree_priv {
  ogrh_doc *doc;          /* attached document, or NULL */
  const ogrh_value *root; /* for trees built from a value */
  int token;
  ogrh_arena *names;
  ogrh_buf scratch;
  ogrh_buf comp[OGRH_NCOMPONENTS]; /* component encodings of the encounter being hashed */
  bool all_dirty, raidlist_dirty;
  unsigned globals_dirty;
  dirty_item *dirty;
  size_t ndirty, capdirty;
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OGRH_LE 1
#else
#define OGRH_LE 0
#endif

static ogrh_digest hash_buf(const ogrh_buf *b, uint64_t seed) {
  return (ogrh_digest)XXH3_64bits_withSeed(b->p ? b->p : "", b->n, (XXH64_hash_t)seed);
}

int ogrh_component_digest(const ogrh_table *enc, int c, ogrh_buf *scratch, ogrh_digest *out) {
  ogrh_buf_reset(scratch);
  int rc = ogrh_component_encode(enc, c, scratch);
  if (rc) return rc;
  *out = hash_buf(scratch, SEED_COMP + (uint64_t)c);
  return OGRH_OK;
}

/*
** Hashes a run of digests (little-endian bytes) into *out, without touching the heap when the
** run is short.
*/
static int hash_digests(uint64_t seed, const ogrh_digest *first, size_t nfirst,
                        const ogrh_digest *rest, size_t stride, size_t nrest, ogrh_buf *scratch,
                        ogrh_digest *out) {
  unsigned char stack[48 * 8];
  size_t total = (nfirst + nrest) * 8;
  unsigned char *p = stack;
  if (total > sizeof stack) {
    ogrh_buf_reset(scratch);
    int rc = ogrh_buf_reserve(scratch, total);
    if (rc) return rc;
    p = (unsigned char *)scratch->p;
  }
  unsigned char *q = p;
  if (OGRH_LE) {
    memcpy(q, first, nfirst * 8);
    q += nfirst * 8;
    const char *r = (const char *)rest;
    for (size_t i = 0; i < nrest; i++, q += 8, r += stride)
      memcpy(q, r, 8);
  } else {
    for (size_t i = 0; i < nfirst + nrest; i++, q += 8) {
      uint64_t v;
      if (i < nfirst)
        v = first[i];
      else
        memcpy(&v, (const char *)rest + (i - nfirst) * stride, 8);
      for (int k = 0; k < 8; k++)
        q[k] = (unsigned char)(v >> (8 * k));
    }
  }
  *out = (ogrh_digest)XXH3_64bits_withSeed(p, total, (XXH64_hash_t)seed);
  return OGRH_OK;
}

/* ---- building ---- */

static void name_of(const ogrh_table *t, const char **s, uint32_t *n) {
  size_t len;
  *s = ogrh_table_name(t, &len);
  *n = (uint32_t)len;
}

static const char *copy_name(ogrh_dtree *t, const char *s, uint32_t n) {
  char *c = ogrh_arena_memdup(t->priv->names, s, n);
  return c ? c : "";
}

static void assign_occ_encs(ogrh_dt_raid *r) {
  for (size_t i = 0; i < r->nencs; i++) {
    uint32_t occ = 1;
    for (size_t j = 0; j < i; j++)
      occ += r->encs[j].name_len == r->encs[i].name_len &&
             memcmp(r->encs[j].name, r->encs[i].name, r->encs[i].name_len) == 0;
    r->encs[i].occ = occ;
  }
}

static void assign_occ_raids(ogrh_dtree *t) {
  for (size_t i = 0; i < t->nraids; i++) {
    uint32_t occ = 1;
    for (size_t j = 0; j < i; j++)
      occ += t->raids[j].name_len == t->raids[i].name_len &&
             memcmp(t->raids[j].name, t->raids[i].name, t->raids[i].name_len) == 0;
    t->raids[i].occ = occ;
  }
}

static int enc_digest(ogrh_dt_enc *e, ogrh_buf *scratch) {
  if (OGRH_LE) {
    e->digest = (ogrh_digest)XXH3_64bits_withSeed(e->comp, sizeof e->comp, (XXH64_hash_t)SEED_ENC);
    return OGRH_OK;
  }
  return hash_digests(SEED_ENC, e->comp, OGRH_NCOMPONENTS, NULL, 0, 0, scratch, &e->digest);
}

/* The digests of the components in comps, from one encoding pass (ogrh_components_encode). */
static int compute_enc(ogrh_dtree *t, const ogrh_table *enc, unsigned comps, ogrh_dt_enc *e) {
  ogrh_buf *b = t->priv->comp;
  int rc;
  if (!(comps & (comps - 1))) {
    /* One component (the common write): no pass to share, encode it alone. */
    int c = 0;
    while (c < OGRH_NCOMPONENTS && !(comps & (1u << c)))
      c++;
    if (c < OGRH_NCOMPONENTS) {
      ogrh_buf_reset(&b[c]);
      if ((rc = ogrh_component_encode(enc, c, &b[c]))) return rc;
      e->comp[c] = hash_buf(&b[c], SEED_COMP + (uint64_t)c);
    }
    return enc_digest(e, &t->priv->scratch);
  }
  if ((rc = ogrh_components_encode(enc, comps, b))) return rc;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    if (comps & (1u << c)) e->comp[c] = hash_buf(&b[c], SEED_COMP + (uint64_t)c);
  return enc_digest(e, &t->priv->scratch);
}

static int raid_own(ogrh_dtree *t, const ogrh_table *raid, ogrh_dt_raid *r) {
  ogrh_buf *s = &t->priv->scratch;
  ogrh_buf_reset(s);
  int rc = ogrh_raid_meta_encode(raid, s);
  if (rc) return rc;
  r->meta = hash_buf(s, SEED_META);
  ogrh_buf_reset(s);
  if ((rc = ogrh_list_names_encode(ogrh_raid_encounters(raid), s))) return rc;
  r->list = hash_buf(s, SEED_LIST);
  ogrh_digest two[2] = {r->meta, r->list};
  return hash_digests(SEED_OWN, two, 2, NULL, 0, 0, s, &r->own);
}

/*
** The raid digest hashes its own digest and every encounter digest. On little-endian hosts the
** packed array r->dig already holds exactly those bytes, kept current as digests change, so an
** update hashes it in place instead of gathering the digests again.
*/
static int raid_digest(ogrh_dtree *t, ogrh_dt_raid *r) {
  if (OGRH_LE && r->dig) {
    r->digest =
        (ogrh_digest)XXH3_64bits_withSeed(r->dig, (r->nencs + 1) * 8, (XXH64_hash_t)SEED_RAID);
    return OGRH_OK;
  }
  return hash_digests(SEED_RAID, &r->own, 1, r->encs ? &r->encs[0].digest : NULL,
                      sizeof(ogrh_dt_enc), r->nencs, &t->priv->scratch, &r->digest);
}

/* Refills r->dig from own and the encounter digests (after a build of the raid). */
static int pack_raid(ogrh_dt_raid *r) {
  if (r->nencs + 1 > r->capdig) {
    ogrh_digest *d = ogrh_realloc(r->dig, r->capdig * sizeof *d, (r->nencs + 1) * sizeof *d);
    if (!d) return OGRH_ENOMEM;
    r->dig = d;
    r->capdig = r->nencs + 1;
  }
  r->dig[0] = r->own;
  for (size_t i = 0; i < r->nencs; i++)
    r->dig[1 + i] = r->encs[i].digest;
  return OGRH_OK;
}

static int build_raid(ogrh_dtree *t, const ogrh_table *raid, int64_t index, ogrh_dt_raid *r) {
  const char *nm;
  uint32_t nl;
  name_of(raid, &nm, &nl);
  r->name = copy_name(t, nm, nl);
  r->name_len = nl;
  r->index = index;
  r->tbl = raid;
  r->partial = false;
  r->nencs = 0;
  const ogrh_table *encs = ogrh_raid_encounters(raid);
  size_t need = 0;
  for (uint32_t i = 0; encs && i < encs->n; i++)
    need += encs->e[i].key.type == OGRH_INT && encs->e[i].val.type == OGRH_TABLE;
  if (need > r->capencs) {
    ogrh_dt_enc *e = ogrh_realloc(r->encs, r->capencs * sizeof *e, need * sizeof *e);
    if (!e) return OGRH_ENOMEM;
    r->encs = e;
    r->capencs = need;
  }
  for (uint32_t i = 0; encs && i < encs->n; i++) {
    if (encs->e[i].key.type != OGRH_INT || encs->e[i].val.type != OGRH_TABLE) continue;
    const ogrh_table *enc = encs->e[i].val.u.t;
    ogrh_dt_enc *e = &r->encs[r->nencs++];
    memset(e, 0, sizeof *e);
    e->index = encs->e[i].key.u.i;
    e->tbl = enc;
    name_of(enc, &nm, &nl);
    e->name = copy_name(t, nm, nl);
    e->name_len = nl;
    int rc = compute_enc(t, enc, OGRH_C_ALL, e);
    if (rc) return rc;
  }
  assign_occ_encs(r);
  int rc = raid_own(t, raid, r);
  if (!rc) rc = pack_raid(r);
  if (rc) return rc;
  return raid_digest(t, r);
}

static const ogrh_value *tree_root(ogrh_dtree *t) {
  return t->priv->doc ? ogrh_doc_root(t->priv->doc) : t->priv->root;
}

static int compute_raidlist(ogrh_dtree *t, const ogrh_table *raids) {
  ogrh_buf *s = &t->priv->scratch;
  ogrh_buf_reset(s);
  int rc = ogrh_list_names_encode(raids, s);
  if (rc) return rc;
  t->raidlist = hash_buf(s, SEED_RAIDS);
  return OGRH_OK;
}

static int compute_global(ogrh_dtree *t, const ogrh_value *root, int g) {
  static const ogrh_value nil = {0};
  const ogrh_value *v = ogrh_global_get(root, g);
  ogrh_buf *s = &t->priv->scratch;
  ogrh_buf_reset(s);
  int rc = ogrh_canon_encode(v ? v : &nil, s);
  if (rc) return rc;
  t->global[g] = hash_buf(s, SEED_GLOBAL + (uint64_t)g);
  return OGRH_OK;
}

/* Root input, packed: globals, raid list, raid count, then every raid digest. */
static int pack_root(ogrh_dtree *t) {
  size_t need = OGRH_NGLOBALS + 2 + t->nraids;
  if (need > t->caprdig) {
    ogrh_digest *d = ogrh_realloc(t->rdig, t->caprdig * sizeof *d, need * sizeof *d);
    if (!d) return OGRH_ENOMEM;
    t->rdig = d;
    t->caprdig = need;
  }
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    t->rdig[g] = t->global[g];
  t->rdig[OGRH_NGLOBALS] = t->raidlist;
  t->rdig[OGRH_NGLOBALS + 1] = (ogrh_digest)t->nraids;
  for (size_t i = 0; i < t->nraids; i++)
    t->rdig[OGRH_NGLOBALS + 2 + i] = t->raids[i].digest;
  return OGRH_OK;
}

static int compute_root(ogrh_dtree *t) {
  if (OGRH_LE && t->rdig) {
    t->root = (ogrh_digest)XXH3_64bits_withSeed(t->rdig, (OGRH_NGLOBALS + 2 + t->nraids) * 8,
                                                (XXH64_hash_t)SEED_ROOT);
    return OGRH_OK;
  }
  ogrh_digest head[OGRH_NGLOBALS + 2];
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    head[g] = t->global[g];
  head[OGRH_NGLOBALS] = t->raidlist;
  head[OGRH_NGLOBALS + 1] = (ogrh_digest)t->nraids;
  return hash_digests(SEED_ROOT, head, OGRH_NGLOBALS + 2, t->raids ? &t->raids[0].digest : NULL,
                      sizeof(ogrh_dt_raid), t->nraids, &t->priv->scratch, &t->root);
}

static void free_raids(ogrh_dtree *t) {
  for (size_t i = 0; i < t->nraids; i++) {
    ogrh_free(t->raids[i].encs, t->raids[i].capencs * sizeof(ogrh_dt_enc));
    ogrh_free(t->raids[i].dig, t->raids[i].capdig * sizeof(ogrh_digest));
  }
  ogrh_free(t->raids, t->capraids * sizeof *t->raids);
  t->raids = NULL;
  t->nraids = t->capraids = 0;
}

static int build_all(ogrh_dtree *t) {
  const ogrh_value *root = tree_root(t);
  free_raids(t);
  /* Names of a full rebuild replace all earlier ones. */
  ogrh_arena *names = ogrh_arena_new();
  if (!names) return OGRH_ENOMEM;
  ogrh_arena_free(t->priv->names);
  t->priv->names = names;
  int rc;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if ((rc = compute_global(t, root, g))) return rc;
  const ogrh_table *raids = ogrh_schema_raids(root);
  if ((rc = compute_raidlist(t, raids))) return rc;
  size_t need = 0;
  for (uint32_t i = 0; raids && i < raids->n; i++)
    need += raids->e[i].key.type == OGRH_INT && raids->e[i].val.type == OGRH_TABLE;
  if (need) {
    t->raids = ogrh_malloc(need * sizeof *t->raids);
    if (!t->raids) return OGRH_ENOMEM;
    memset(t->raids, 0, need * sizeof *t->raids);
    t->capraids = need;
  }
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    if (raids->e[i].key.type != OGRH_INT || raids->e[i].val.type != OGRH_TABLE) continue;
    ogrh_dt_raid *r = &t->raids[t->nraids++];
    if ((rc = build_raid(t, raids->e[i].val.u.t, raids->e[i].key.u.i, r))) return rc;
  }
  assign_occ_raids(t);
  if ((rc = pack_root(t)) || (rc = compute_root(t))) return rc;
  t->partial = false;
  t->priv->all_dirty = t->priv->raidlist_dirty = false;
  t->priv->globals_dirty = 0;
  t->priv->ndirty = 0;
  return OGRH_OK;
}

static ogrh_dtree *tree_new(void) {
  ogrh_dtree *t = ogrh_malloc(sizeof *t);
  if (!t) return NULL;
  memset(t, 0, sizeof *t);
  t->priv = ogrh_malloc(sizeof *t->priv);
  if (!t->priv) {
    ogrh_free(t, sizeof *t);
    return NULL;
  }
  memset(t->priv, 0, sizeof *t->priv);
  ogrh_buf_init(&t->priv->scratch);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_init(&t->priv->comp[c]);
  /* Room for a typical encounter's components up front: a build then rarely grows a buffer. */
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_reserve(&t->priv->comp[c], 1024);
  ogrh_buf_reserve(&t->priv->scratch, 1024);
  t->priv->names = ogrh_arena_new();
  if (!t->priv->names) {
    ogrh_dtree_free(t);
    return NULL;
  }
  return t;
}

void ogrh_dtree_free(ogrh_dtree *t) {
  if (!t) return;
  ogrh_dtree_detach(t);
  free_raids(t);
  ogrh_arena_free(t->priv->names);
  ogrh_buf_deinit(&t->priv->scratch);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_deinit(&t->priv->comp[c]);
  ogrh_free(t->priv->dirty, t->priv->capdirty * sizeof *t->priv->dirty);
  ogrh_free(t->rdig, t->caprdig * sizeof *t->rdig);
  ogrh_free(t->priv, sizeof *t->priv);
  ogrh_free(t, sizeof *t);
}

int ogrh_dtree_build_root(const ogrh_value *root, ogrh_dtree **out) {
  *out = NULL;
  ogrh_dtree *t = tree_new();
  if (!t) return OGRH_ENOMEM;
  t->priv->root = root;
  int rc = build_all(t);
  t->priv->root = NULL;
  if (rc) {
    ogrh_dtree_free(t);
    return rc;
  }
  *out = t;
  return OGRH_OK;
}

int ogrh_dtree_build(ogrh_doc *d, ogrh_dtree **out) {
  return ogrh_dtree_build_root(ogrh_doc_root(d), out);
}

/* ---- incremental updates ---- */

static void on_change(void *ud, const ogrh_change *c) {
  ogrh_dtree *t = ud;
  struct ogrh_dtree_priv *p = t->priv;
  const ogrh_scope *s = &c->scope;
  switch (s->kind) {
  case OGRH_SCOPE_OTHER:
    return;
  case OGRH_SCOPE_ALL:
    p->all_dirty = true;
    return;
  case OGRH_SCOPE_GLOBAL:
    p->globals_dirty |= 1u << s->global;
    return;
  case OGRH_SCOPE_RAID:
  case OGRH_SCOPE_ENCOUNTER:
    break;
  }
  if (p->all_dirty) return;
  if (p->ndirty == p->capdirty) {
    size_t cap = p->capdirty ? p->capdirty * 2 : 16;
    dirty_item *d = ogrh_realloc(p->dirty, p->capdirty * sizeof *d, cap * sizeof *d);
    if (!d) {
      /* Cannot remember the detail: fall back to a full rebuild. */
      p->all_dirty = true;
      return;
    }
    p->dirty = d;
    p->capdirty = cap;
  }
  dirty_item *it = &p->dirty[p->ndirty++];
  memset(it, 0, sizeof *it);
  it->raid = s->raid;
  if (s->kind == OGRH_SCOPE_RAID) {
    it->enc = -1;
    it->raid_meta = s->raid_meta;
    it->raid_all = s->raid_all;
    p->raidlist_dirty = true;
  } else {
    it->enc = s->encounter;
    it->comps = s->components;
    it->raid_meta = s->raid_meta;
    /* A whole encounter written (or removed), or an encounter renamed: rescan the raid. */
    it->raid_all = s->raid_meta;
  }
}

int ogrh_dtree_attach(ogrh_dtree *t, ogrh_doc *d) {
  ogrh_dtree_detach(t);
  int tok = ogrh_doc_subscribe(d, on_change, t);
  if (tok < 0) return tok;
  t->priv->doc = d;
  t->priv->token = tok;
  return OGRH_OK;
}

void ogrh_dtree_detach(ogrh_dtree *t) {
  if (t && t->priv->doc) {
    ogrh_doc_unsubscribe(t->priv->doc, t->priv->token);
    t->priv->doc = NULL;
    t->priv->token = 0;
  }
}

static ogrh_dt_raid *find_raid_index(ogrh_dtree *t, int64_t index) {
  size_t lo = 0, hi = t->nraids;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t->raids[mid].index == index) return &t->raids[mid];
    if (t->raids[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static ogrh_dt_enc *find_enc_index(ogrh_dt_raid *r, int64_t index) {
  size_t lo = 0, hi = r->nencs;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r->encs[mid].index == index) return &r->encs[mid];
    if (r->encs[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

int ogrh_dtree_update(ogrh_dtree *t) {
  struct ogrh_dtree_priv *p = t->priv;
  if (!p->doc) return OGRH_OK;
  if (p->all_dirty) return build_all(t);
  if (!p->ndirty && !p->globals_dirty && !p->raidlist_dirty) return OGRH_OK;
  /* The schema root is looked up only when something above the raids needs it. */
  const ogrh_value *root = NULL;
  bool need = p->globals_dirty || p->raidlist_dirty;
  for (size_t i = 0; i < p->ndirty && !need; i++)
    need = p->dirty[i].raid_all;
  if (need) root = ogrh_doc_root(p->doc);
  int rc;
  for (int g = 0; p->globals_dirty && g < OGRH_NGLOBALS; g++)
    if (p->globals_dirty & (1u << g)) {
      if ((rc = compute_global(t, root, g))) return rc;
      t->rdig[g] = t->global[g];
      p->globals_dirty &= ~(1u << g);
    }
  const ogrh_table *raids = NULL;
  for (size_t i = 0; i < p->ndirty; i++) {
    dirty_item *it = &p->dirty[i];
    ogrh_dt_raid *r = find_raid_index(t, it->raid);
    /*
    ** Writes inside a raid or encounter update its table in place, and any write that
    ** replaces a raid or encounter table is a structural change (raid_all or ALL), so the
    ** table pointers cached at the last build are still the live ones here.
    */
    const ogrh_table *raid = r ? r->tbl : NULL;
    if (it->raid_all) {
      if (!raids) raids = ogrh_schema_raids(root);
      const ogrh_value *rv = raids ? ogrh_table_geti(raids, it->raid) : NULL;
      raid = rv && rv->type == OGRH_TABLE ? rv->u.t : NULL;
    }
    /* A raid that appeared or vanished changes the raid list: rebuild everything. */
    if (!r || !raid) return build_all(t);
    if (it->raid_all) {
      if ((rc = build_raid(t, raid, it->raid, r))) return rc;
      t->rdig[OGRH_NGLOBALS + 2 + (size_t)(r - t->raids)] = r->digest;
      continue;
    }
    if (it->raid_meta) {
      if ((rc = raid_own(t, raid, r))) return rc;
      r->dig[0] = r->own;
    }
    if (it->enc >= 0) {
      ogrh_dt_enc *e = find_enc_index(r, it->enc);
      const ogrh_table *enc = e ? e->tbl : NULL;
      if (!e || !enc) {
        if ((rc = build_raid(t, raid, it->raid, r))) return rc;
        t->rdig[OGRH_NGLOBALS + 2 + (size_t)(r - t->raids)] = r->digest;
        continue;
      }
      if ((rc = compute_enc(t, enc, it->comps, e))) return rc;
      r->dig[1 + (size_t)(e - r->encs)] = e->digest;
    }
    if ((rc = raid_digest(t, r))) return rc;
    t->rdig[OGRH_NGLOBALS + 2 + (size_t)(r - t->raids)] = r->digest;
  }
  p->ndirty = 0;
  if (p->raidlist_dirty) {
    if (!raids) raids = ogrh_schema_raids(root);
    if ((rc = compute_raidlist(t, raids))) return rc;
    t->rdig[OGRH_NGLOBALS] = t->raidlist;
    for (size_t i = 0; i < t->nraids; i++) {
      const ogrh_table *raid = ogrh_doc_raid(p->doc, t->raids[i].index);
      const char *nm;
      uint32_t nl;
      name_of(raid, &nm, &nl);
      if (nl != t->raids[i].name_len || memcmp(nm, t->raids[i].name, nl) != 0) {
        t->raids[i].name = copy_name(t, nm, nl);
        t->raids[i].name_len = nl;
      }
    }
    assign_occ_raids(t);
    p->raidlist_dirty = false;
  }
  return compute_root(t);
}

/* ---- comparing trees ---- */

bool ogrh_dtree_equal(const ogrh_dtree *a, const ogrh_dtree *b) {
  if (a->root != b->root || a->raidlist != b->raidlist || a->nraids != b->nraids) return false;
  if (memcmp(a->global, b->global, sizeof a->global) != 0) return false;
  for (size_t i = 0; i < a->nraids; i++) {
    const ogrh_dt_raid *x = &a->raids[i], *y = &b->raids[i];
    if (x->index != y->index || x->digest != y->digest || x->own != y->own || x->meta != y->meta ||
        x->list != y->list || x->nencs != y->nencs || x->occ != y->occ ||
        x->name_len != y->name_len || memcmp(x->name, y->name, x->name_len) != 0)
      return false;
    for (size_t j = 0; j < x->nencs; j++) {
      const ogrh_dt_enc *e = &x->encs[j], *f = &y->encs[j];
      if (e->index != f->index || e->digest != f->digest || e->occ != f->occ ||
          memcmp(e->comp, f->comp, sizeof e->comp) != 0 || e->name_len != f->name_len ||
          memcmp(e->name, f->name, e->name_len) != 0)
        return false;
    }
  }
  return true;
}

static void hex(ogrh_buf *b, const char *label, ogrh_digest x, ogrh_digest y) {
  ogrh_buf_printf(b, "%s: tree %016llx, data %016llx\n", label, (unsigned long long)x,
                  (unsigned long long)y);
}

int ogrh_dtree_verify(ogrh_dtree *t, ogrh_buf *report) {
  int rc = ogrh_dtree_update(t);
  if (rc) return rc;
  ogrh_dtree *fresh;
  const ogrh_value *root = tree_root(t);
  if ((rc = ogrh_dtree_build_root(root, &fresh))) return rc;
  if (ogrh_dtree_equal(t, fresh)) {
    ogrh_dtree_free(fresh);
    return OGRH_OK;
  }
  if (report) {
    if (t->root != fresh->root) hex(report, "root", t->root, fresh->root);
    for (int g = 0; g < OGRH_NGLOBALS; g++)
      if (t->global[g] != fresh->global[g])
        hex(report, ogrh_global_name(g), t->global[g], fresh->global[g]);
    if (t->nraids != fresh->nraids)
      ogrh_buf_printf(report, "raid count: tree %zu, data %zu\n", t->nraids, fresh->nraids);
    for (size_t i = 0; i < t->nraids && i < fresh->nraids; i++) {
      const ogrh_dt_raid *x = &t->raids[i], *y = &fresh->raids[i];
      char label[160];
      snprintf(label, sizeof label, "raid %lld (%.*s)", (long long)y->index,
               (int)(y->name_len > 64 ? 64 : y->name_len), y->name);
      if (x->digest != y->digest) hex(report, label, x->digest, y->digest);
      for (size_t j = 0; j < x->nencs && j < y->nencs; j++)
        for (int c = 0; c < OGRH_NCOMPONENTS; c++)
          if (x->encs[j].comp[c] != y->encs[j].comp[c]) {
            char l2[256];
            snprintf(l2, sizeof l2, "%s > encounter %lld > %s", label, (long long)y->encs[j].index,
                     ogrh_component_name(c));
            hex(report, l2, x->encs[j].comp[c], y->encs[j].comp[c]);
          }
    }
  }
  ogrh_dtree_free(fresh);
  return OGRH_EVERIFY;
}

int ogrh_dtree_poll_copy(const ogrh_dtree *t, ogrh_dtree **out) {
  *out = NULL;
  ogrh_dtree *c = tree_new();
  if (!c) return OGRH_ENOMEM;
  c->root = t->root;
  memcpy(c->global, t->global, sizeof c->global);
  c->raidlist = t->raidlist;
  c->partial = true;
  if (t->nraids) {
    c->raids = ogrh_malloc(t->nraids * sizeof *c->raids);
    if (!c->raids) {
      ogrh_dtree_free(c);
      return OGRH_ENOMEM;
    }
    c->capraids = t->nraids;
  }
  for (size_t i = 0; i < t->nraids; i++) {
    ogrh_dt_raid *r = &c->raids[c->nraids++];
    *r = t->raids[i];
    r->name = copy_name(c, t->raids[i].name, t->raids[i].name_len);
    r->encs = NULL;
    r->nencs = r->capencs = 0;
    r->dig = NULL;
    r->capdig = 0;
    r->partial = true;
  }
  *out = c;
  return OGRH_OK;
}

const ogrh_dt_raid *ogrh_dtree_find_raid(const ogrh_dtree *t, const char *name, size_t len,
                                         uint32_t occ) {
  for (size_t i = 0; i < t->nraids; i++)
    if (t->raids[i].name_len == len && t->raids[i].occ == occ &&
        memcmp(t->raids[i].name, name, len) == 0)
      return &t->raids[i];
  return NULL;
}

const ogrh_dt_enc *ogrh_dtree_find_enc(const ogrh_dt_raid *r, const char *name, size_t len,
                                       uint32_t occ) {
  for (size_t i = 0; i < r->nencs; i++)
    if (r->encs[i].name_len == len && r->encs[i].occ == occ &&
        memcmp(r->encs[i].name, name, len) == 0)
      return &r->encs[i];
  return NULL;
}

/* ---- the addon's own hash (compatibility) ---- */

uint32_t ogrh_compat_hash(const char *s, size_t n) {
  uint64_t h = 0;
  for (size_t i = 0; i < n; i++)
    h = (h * 31 + (unsigned char)s[i]) % 2147483647u;
  return (uint32_t)h;
}

void ogrh_compat_hash_text(const char *s, size_t n, char out[16]) {
  if (n == 0)
    snprintf(out, 16, "0");
  else
    snprintf(out, 16, "%u", ogrh_compat_hash(s, n));
}

/* Lua 5.0's tostring: numbers with "%.14g" (all numbers are doubles there). */
static int lua_tostring(const ogrh_value *v, ogrh_buf *b) {
  switch (v->type) {
  case OGRH_NIL:
    return ogrh_buf_adds(b, "nil");
  case OGRH_BOOL:
    return ogrh_buf_adds(b, v->b ? "true" : "false");
  case OGRH_INT:
    return ogrh_buf_printf(b, "%.14g", (double)v->u.i);
  case OGRH_DOUBLE:
    return ogrh_buf_printf(b, "%.14g", v->u.d);
  case OGRH_STRING:
    return ogrh_buf_add(b, v->u.s, v->len);
  case OGRH_TABLE:
    return ogrh_buf_printf(b, "table: %p", (void *)v->u.t);
  }
  return OGRH_EINVAL;
}

typedef struct ckey {
  ogrh_buf text;
  const ogrh_value *val;
} ckey;

static int ckey_cmp(const void *a, const void *b) {
  const ckey *x = a, *y = b;
  size_t n = x->text.n < y->text.n ? x->text.n : y->text.n;
  int c = n ? memcmp(x->text.p, y->text.p, n) : 0;
  if (c) return c;
  return x->text.n < y->text.n ? -1 : x->text.n > y->text.n;
}

static int compat_ser(const ogrh_value *v, int depth, ogrh_buf *b) {
  if (depth > 10) return ogrh_buf_adds(b, "...");
  if (v->type != OGRH_TABLE) return lua_tostring(v, b);
  const ogrh_table *t = v->u.t;
  ckey *keys = t->n ? ogrh_malloc(t->n * sizeof *keys) : NULL;
  if (t->n && !keys) return OGRH_ENOMEM;
  int rc = OGRH_OK;
  for (uint32_t i = 0; i < t->n; i++) {
    ogrh_buf_init(&keys[i].text);
    keys[i].val = &t->e[i].val;
    if (!rc) rc = lua_tostring(&t->e[i].key, &keys[i].text);
  }
  if (!rc && t->n) qsort(keys, t->n, sizeof *keys, ckey_cmp);
  for (uint32_t i = 0; i < t->n && !rc; i++) {
    rc = ogrh_buf_add(b, keys[i].text.p, keys[i].text.n);
    if (!rc) rc = ogrh_buf_addc(b, '=');
    if (!rc)
      rc = keys[i].val->type == OGRH_TABLE ? compat_ser(keys[i].val, depth + 1, b)
                                           : lua_tostring(keys[i].val, b);
    if (!rc) rc = ogrh_buf_addc(b, ';');
  }
  for (uint32_t i = 0; i < t->n; i++)
    ogrh_buf_deinit(&keys[i].text);
  ogrh_free(keys, t->n * sizeof *keys);
  return rc;
}

int ogrh_compat_serialize(const ogrh_value *v, ogrh_buf *b) {
  return compat_ser(v, 0, b);
}
