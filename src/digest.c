/*
** digest.c
** The digest tree: full builds, incremental updates driven by the document's change records,
** reads, the scrub, poll copies, and the addon-compatible 31-bit hash. The bytes hashed come
** from the schema module (ogrh/schema.h).
*/
#include "ogrh/digest.h"
#include "ogrh/util.h"

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

/* A raid of the tree: the public view, and what only the tree needs. */
typedef struct raid_node {
  ogrh_dt_raid pub;        /* pub.encs is encs */
  ogrh_dt_enc *encs;       /* capencs of them */
  const ogrh_table **etbl; /* the encounter tables the digests came from, parallel to encs */
  size_t capencs, capetbl;
  const ogrh_table *tbl; /* the raid table */
  ogrh_digest *dig;      /* own, then every encounter digest, packed for hashing */
  size_t capdig;
} raid_node;

struct ogrh_dtree {
  ogrh_dt_top top;
  raid_node *raids; /* top.nraids of them, capraids allocated */
  size_t capraids;
  ogrh_digest *rdig; /* globals, raid list, raid count, raid digests, packed for hashing */
  size_t caprdig;
  int err;                /* the failure of the last update (the tree is stale), or OGRH_OK */
  ogrh_doc *doc;          /* attached document, or NULL */
  uint64_t gen;           /* the document's generation the table pointers belong to */
  const ogrh_value *root; /* during a build from a value */
  ogrh_arena *view;       /* the view of a v1 root the tables below come from, or NULL */
  bool v1;                /* built from a v1 root: every change rebuilds the whole tree */
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

/* A copy of a raid's or encounter's name in the tree's names arena. */
static int copy_name(ogrh_dtree *t, const ogrh_table *tbl, const char **name, uint32_t *len) {
  size_t n;
  const char *s = ogrh_table_name(tbl, &n);
  if (n > UINT32_MAX) return OGRH_ERANGE;
  char *c = ogrh_arena_memdup(t->names, s, n);
  if (!c) return OGRH_ENOMEM;
  *name = c;
  *len = (uint32_t)n;
  return OGRH_OK;
}

static bool same_name(const char *a, uint32_t an, const char *b, uint32_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static void assign_occ_encs(raid_node *r) {
  for (size_t i = 0; i < r->pub.nencs; i++) {
    uint32_t occ = 1;
    for (size_t j = 0; j < i; j++)
      occ += same_name(r->encs[j].name, r->encs[j].name_len, r->encs[i].name, r->encs[i].name_len);
    r->encs[i].occ = occ;
  }
}

static void assign_occ_raids(ogrh_dtree *t) {
  for (size_t i = 0; i < t->top.nraids; i++) {
    ogrh_dt_raid *x = &t->raids[i].pub;
    uint32_t occ = 1;
    for (size_t j = 0; j < i; j++)
      occ += same_name(t->raids[j].pub.name, t->raids[j].pub.name_len, x->name, x->name_len);
    x->occ = occ;
  }
}

static int enc_digest(ogrh_dt_enc *e, ogrh_buf *scratch) {
  if (OGRH_LE) {
    e->digest = (ogrh_digest)XXH3_64bits_withSeed(e->comp, sizeof e->comp, (XXH64_hash_t)SEED_ENC);
    return OGRH_OK;
  }
  return hash_digests(SEED_ENC, e->comp, OGRH_NCOMPONENTS, NULL, 0, 0, scratch, &e->digest);
}

/* The digests of the components in comps (one encoding pass), then the encounter's digest. */
static int compute_enc(ogrh_dtree *t, const ogrh_table *enc, unsigned comps, ogrh_dt_enc *e) {
  ogrh_buf *b = t->comp;
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
    return enc_digest(e, &t->scratch);
  }
  if ((rc = ogrh_components_encode(enc, comps, b))) return rc;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    if (comps & (1u << c)) e->comp[c] = hash_buf(&b[c], SEED_COMP + (uint64_t)c);
  return enc_digest(e, &t->scratch);
}

static int raid_own(ogrh_dtree *t, const ogrh_table *raid, ogrh_dt_raid *r) {
  ogrh_buf *s = &t->scratch;
  ogrh_buf_reset(s);
  int rc = ogrh_raid_meta_encode(raid, s);
  if (rc) return rc;
  ogrh_digest meta = hash_buf(s, SEED_META);
  ogrh_buf_reset(s);
  if ((rc = ogrh_list_names_encode(ogrh_raid_encounters(raid), s))) return rc;
  ogrh_digest two[2] = {meta, hash_buf(s, SEED_LIST)}, own;
  if ((rc = hash_digests(SEED_OWN, two, 2, NULL, 0, 0, s, &own))) return rc;
  r->meta = two[0];
  r->list = two[1];
  r->own = own;
  return OGRH_OK;
}

/*
** The raid digest hashes its own digest and every encounter digest. On little-endian hosts the
** packed array r->dig already holds exactly those bytes, kept current as digests change, so an
** update hashes it in place instead of gathering the digests again.
*/
static int raid_digest(ogrh_dtree *t, raid_node *r) {
  if (OGRH_LE && r->dig) {
    r->pub.digest =
        (ogrh_digest)XXH3_64bits_withSeed(r->dig, (r->pub.nencs + 1) * 8, (XXH64_hash_t)SEED_RAID);
    return OGRH_OK;
  }
  return hash_digests(SEED_RAID, &r->pub.own, 1, r->encs ? &r->encs[0].digest : NULL,
                      sizeof(ogrh_dt_enc), r->pub.nencs, &t->scratch, &r->pub.digest);
}

/* Refills r->dig from own and the encounter digests (after a build of the raid). */
static int pack_raid(raid_node *r) {
  int rc = ogrh_grow(&r->dig, &r->capdig, r->pub.nencs + 1, sizeof *r->dig);
  if (rc) return rc;
  r->dig[0] = r->pub.own;
  for (size_t i = 0; i < r->pub.nencs; i++)
    r->dig[1 + i] = r->encs[i].digest;
  return OGRH_OK;
}

static int build_raid(ogrh_dtree *t, const ogrh_table *raid, int64_t index, raid_node *r) {
  int rc = copy_name(t, raid, &r->pub.name, &r->pub.name_len);
  if (rc) return rc;
  r->pub.index = index;
  r->pub.partial = false;
  r->pub.nencs = 0;
  r->tbl = raid;
  const ogrh_table *encs = ogrh_raid_encounters(raid);
  size_t need = 0;
  for (uint32_t i = 0; encs && i < encs->n; i++)
    need += ogrh_is_item(&encs->e[i]);
  if ((rc = ogrh_grow(&r->encs, &r->capencs, need, sizeof *r->encs)) ||
      (rc = ogrh_grow(&r->etbl, &r->capetbl, need, sizeof *r->etbl)))
    return rc;
  r->pub.encs = r->encs;
  for (uint32_t i = 0; encs && i < encs->n; i++) {
    if (!ogrh_is_item(&encs->e[i])) continue;
    const ogrh_table *enc = encs->e[i].val.u.t;
    ogrh_dt_enc *e = &r->encs[r->pub.nencs];
    memset(e, 0, sizeof *e);
    e->index = encs->e[i].key.u.i;
    r->etbl[r->pub.nencs++] = enc;
    if ((rc = copy_name(t, enc, &e->name, &e->name_len)) ||
        (rc = compute_enc(t, enc, OGRH_C_ALL, e)))
      return rc;
  }
  assign_occ_encs(r);
  if ((rc = raid_own(t, raid, &r->pub)) || (rc = pack_raid(r))) return rc;
  return raid_digest(t, r);
}

static const ogrh_value *tree_root(const ogrh_dtree *t) {
  return t->doc ? ogrh_doc_root(t->doc) : t->root;
}

static int compute_raidlist(ogrh_dtree *t, const ogrh_table *raids) {
  ogrh_buf *s = &t->scratch;
  ogrh_buf_reset(s);
  int rc = ogrh_list_names_encode(raids, s);
  if (rc) return rc;
  t->top.raidlist = hash_buf(s, SEED_RAIDS);
  return OGRH_OK;
}

static int compute_global(ogrh_dtree *t, const ogrh_value *root, int g) {
  static const ogrh_value nil = {0};
  const ogrh_value *v = ogrh_global_get(root, g);
  ogrh_buf *s = &t->scratch;
  ogrh_buf_reset(s);
  int rc = ogrh_canon_encode(v ? v : &nil, s);
  if (rc) return rc;
  t->top.global[g] = hash_buf(s, SEED_GLOBAL + (uint64_t)g);
  return OGRH_OK;
}

/* Root input, packed: globals, raid list, raid count, then every raid digest. */
static int pack_root(ogrh_dtree *t) {
  int rc = ogrh_grow(&t->rdig, &t->caprdig, OGRH_NGLOBALS + 2 + t->top.nraids, sizeof *t->rdig);
  if (rc) return rc;
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    t->rdig[g] = t->top.global[g];
  t->rdig[OGRH_NGLOBALS] = t->top.raidlist;
  t->rdig[OGRH_NGLOBALS + 1] = (ogrh_digest)t->top.nraids;
  for (size_t i = 0; i < t->top.nraids; i++)
    t->rdig[OGRH_NGLOBALS + 2 + i] = t->raids[i].pub.digest;
  return OGRH_OK;
}

static int compute_root(ogrh_dtree *t) {
  if (OGRH_LE && t->rdig) {
    t->top.root = (ogrh_digest)XXH3_64bits_withSeed(
        t->rdig, (OGRH_NGLOBALS + 2 + t->top.nraids) * 8, (XXH64_hash_t)SEED_ROOT);
    return OGRH_OK;
  }
  ogrh_digest head[OGRH_NGLOBALS + 2];
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    head[g] = t->top.global[g];
  head[OGRH_NGLOBALS] = t->top.raidlist;
  head[OGRH_NGLOBALS + 1] = (ogrh_digest)t->top.nraids;
  return hash_digests(SEED_ROOT, head, OGRH_NGLOBALS + 2, t->raids ? &t->raids[0].pub.digest : NULL,
                      sizeof(raid_node), t->top.nraids, &t->scratch, &t->top.root);
}

static void free_raid(raid_node *r) {
  ogrh_free(r->encs, r->capencs * sizeof *r->encs);
  ogrh_free(r->etbl, r->capetbl * sizeof *r->etbl);
  ogrh_free(r->dig, r->capdig * sizeof *r->dig);
}

static void free_raids(ogrh_dtree *t) {
  for (size_t i = 0; i < t->capraids; i++)
    free_raid(&t->raids[i]);
  ogrh_free(t->raids, t->capraids * sizeof *t->raids);
  t->raids = NULL;
  t->top.nraids = t->capraids = 0;
}

static void clear_dirty(ogrh_dtree *t) {
  t->all_dirty = t->raidlist_dirty = false;
  t->globals_dirty = 0;
  t->ndirty = 0;
}

/*
** Everything from the schema root. On failure the tree is half built: the caller marks it.
** A v1 root is read through its view (ogrh/schema.h), built in an arena the tree keeps until
** its next full build: the raid and encounter tables it remembers live there.
*/
static int build_all(ogrh_dtree *t) {
  const ogrh_value *root = tree_root(t);
  /* Names of a full rebuild replace all earlier ones. */
  ogrh_arena *names = ogrh_arena_new();
  if (!names) return OGRH_ENOMEM;
  ogrh_arena_free(t->names);
  t->names = names;
  free_raids(t);
  ogrh_arena_free(t->view);
  t->view = NULL;
  t->v1 = ogrh_schema_layout(root) == OGRH_LAYOUT_V1;
  ogrh_value view;
  int rc;
  if (t->v1) {
    if (!(t->view = ogrh_arena_new())) return OGRH_ENOMEM;
    if ((rc = ogrh_schema_view(t->view, root, &view))) return rc;
    root = &view;
  }
  const ogrh_table *raids = ogrh_schema_raids(root);
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if ((rc = compute_global(t, root, g))) return rc;
  if ((rc = compute_raidlist(t, raids))) return rc;
  size_t need = 0;
  for (uint32_t i = 0; raids && i < raids->n; i++)
    need += ogrh_is_item(&raids->e[i]);
  if (need) {
    /* Zeroed: free_raids frees every slot up to capraids. */
    if (need > SIZE_MAX / sizeof *t->raids) return OGRH_ENOMEM;
    t->raids = ogrh_malloc(need * sizeof *t->raids);
    if (!t->raids) return OGRH_ENOMEM;
    memset(t->raids, 0, need * sizeof *t->raids);
    t->capraids = need;
  }
  for (uint32_t i = 0; raids && i < raids->n; i++) {
    if (!ogrh_is_item(&raids->e[i])) continue;
    raid_node *r = &t->raids[t->top.nraids++];
    if ((rc = build_raid(t, raids->e[i].val.u.t, raids->e[i].key.u.i, r))) return rc;
  }
  assign_occ_raids(t);
  if ((rc = pack_root(t)) || (rc = compute_root(t))) return rc;
  t->top.partial = false;
  t->gen = t->doc ? ogrh_doc_generation(t->doc) : 0;
  clear_dirty(t);
  return OGRH_OK;
}

static ogrh_dtree *tree_new(void) {
  ogrh_dtree *t = ogrh_malloc(sizeof *t);
  if (!t) return NULL;
  memset(t, 0, sizeof *t);
  ogrh_buf_init(&t->scratch);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_init(&t->comp[c]);
  t->names = ogrh_arena_new();
  if (!t->names) {
    ogrh_dtree_free(t);
    return NULL;
  }
  return t;
}

void ogrh_dtree_free(ogrh_dtree *t) {
  if (!t) return;
  ogrh_dtree_detach(t);
  free_raids(t);
  ogrh_arena_free(t->view);
  ogrh_arena_free(t->names);
  ogrh_buf_deinit(&t->scratch);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_deinit(&t->comp[c]);
  ogrh_free(t->dirty, t->capdirty * sizeof *t->dirty);
  ogrh_free(t->rdig, t->caprdig * sizeof *t->rdig);
  ogrh_free(t, sizeof *t);
}

int ogrh_dtree_build_root(const ogrh_value *root, ogrh_dtree **out) {
  *out = NULL;
  ogrh_dtree *t = tree_new();
  if (!t) return OGRH_ENOMEM;
  /* Room for a typical encounter's components up front: a build rarely grows a buffer. An
     allocation failure here only means the buffers grow later. */
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_reserve(&t->comp[c], 1024);
  ogrh_buf_reserve(&t->scratch, 1024);
  t->root = root;
  int rc = build_all(t);
  t->root = NULL;
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
  const ogrh_scope *s = &c->scope;
  switch (s->kind) {
  case OGRH_SCOPE_OTHER:
    return;
  case OGRH_SCOPE_ALL:
    t->all_dirty = true;
    return;
  case OGRH_SCOPE_GLOBAL:
    t->globals_dirty |= 1u << s->global;
    return;
  case OGRH_SCOPE_RAID:
  case OGRH_SCOPE_ENCOUNTER:
    break;
  }
  /* A v1 tree's tables belong to a view that no longer is the document's: start over. */
  if (t->v1) t->all_dirty = true;
  if (t->all_dirty) return;
  if (ogrh_grow(&t->dirty, &t->capdirty, t->ndirty + 1, sizeof *t->dirty)) {
    /* Cannot remember the detail: fall back to a full rebuild. */
    t->all_dirty = true;
    return;
  }
  dirty_item *it = &t->dirty[t->ndirty++];
  memset(it, 0, sizeof *it);
  it->raid = s->raid;
  if (s->kind == OGRH_SCOPE_RAID) {
    it->enc = -1;
    it->raid_meta = s->raid_meta;
    it->raid_all = s->raid_all;
    t->raidlist_dirty = true;
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
  t->doc = d;
  t->token = tok;
  /* The tree was built from d's data as it is now: its table pointers are of this generation. */
  t->gen = ogrh_doc_generation(d);
  return OGRH_OK;
}

void ogrh_dtree_detach(ogrh_dtree *t) {
  if (t && t->doc) {
    ogrh_doc_unsubscribe(t->doc, t->token);
    t->doc = NULL;
    t->token = 0;
  }
}

static raid_node *find_raid_index(ogrh_dtree *t, int64_t index) {
  size_t lo = 0, hi = t->top.nraids;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t->raids[mid].pub.index == index) return &t->raids[mid];
    if (t->raids[mid].pub.index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static size_t find_enc_index(const raid_node *r, int64_t index) {
  size_t lo = 0, hi = r->pub.nencs;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (r->encs[mid].index == index) return mid;
    if (r->encs[mid].index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return SIZE_MAX;
}

/* True while writes to the document wait to be folded into the tree. */
static bool pending(const ogrh_dtree *t) {
  return t->doc && (t->all_dirty || t->ndirty || t->globals_dirty || t->raidlist_dirty ||
                    t->gen != ogrh_doc_generation(t->doc));
}

static int update(ogrh_dtree *t) {
  if (t->gen != ogrh_doc_generation(t->doc)) t->all_dirty = true;
  if (t->all_dirty) return build_all(t);
  if (!t->ndirty && !t->globals_dirty && !t->raidlist_dirty) return OGRH_OK;
  /* The schema root is looked up only when something above the raids needs it. */
  const ogrh_value *root = NULL;
  bool need = t->globals_dirty || t->raidlist_dirty;
  for (size_t i = 0; i < t->ndirty && !need; i++)
    need = t->dirty[i].raid_all;
  if (need) root = ogrh_doc_root(t->doc);
  int rc;
  for (int g = 0; t->globals_dirty && g < OGRH_NGLOBALS; g++)
    if (t->globals_dirty & (1u << g)) {
      if ((rc = compute_global(t, root, g))) return rc;
      t->rdig[g] = t->top.global[g];
      t->globals_dirty &= ~(1u << g);
    }
  const ogrh_table *raids = NULL;
  for (size_t i = 0; i < t->ndirty; i++) {
    dirty_item *it = &t->dirty[i];
    raid_node *r = find_raid_index(t, it->raid);
    /*
    ** Writes inside a raid or encounter update its table in place, and any write that
    ** replaces a raid or encounter table is a structural change (raid_all or ALL), so the
    ** table pointers cached at the last build are still the live ones here (a compaction,
    ** which moves every table, made the whole tree dirty above).
    */
    const ogrh_table *raid = r ? r->tbl : NULL;
    if (it->raid_all) {
      if (!raids) raids = ogrh_schema_raids(root);
      const ogrh_value *rv = raids ? ogrh_table_geti(raids, it->raid) : NULL;
      raid = rv && rv->type == OGRH_TABLE ? rv->u.t : NULL;
    }
    /* A raid that appeared or vanished changes the raid list: rebuild everything. */
    if (!r || !raid) return build_all(t);
    size_t slot = OGRH_NGLOBALS + 2 + (size_t)(r - t->raids);
    if (it->raid_all) {
      if ((rc = build_raid(t, raid, it->raid, r))) return rc;
      t->rdig[slot] = r->pub.digest;
      continue;
    }
    if (it->raid_meta) {
      if ((rc = raid_own(t, raid, &r->pub))) return rc;
      r->dig[0] = r->pub.own;
    }
    if (it->enc >= 0) {
      size_t j = find_enc_index(r, it->enc);
      if (j == SIZE_MAX) {
        if ((rc = build_raid(t, raid, it->raid, r))) return rc;
        t->rdig[slot] = r->pub.digest;
        continue;
      }
      if ((rc = compute_enc(t, r->etbl[j], it->comps, &r->encs[j]))) return rc;
      r->dig[1 + j] = r->encs[j].digest;
    }
    if ((rc = raid_digest(t, r))) return rc;
    t->rdig[slot] = r->pub.digest;
  }
  t->ndirty = 0;
  if (t->raidlist_dirty) {
    if (!raids) raids = ogrh_schema_raids(root);
    if ((rc = compute_raidlist(t, raids))) return rc;
    t->rdig[OGRH_NGLOBALS] = t->top.raidlist;
    for (size_t i = 0; i < t->top.nraids; i++) {
      raid_node *r = &t->raids[i];
      size_t nl;
      const char *nm = ogrh_table_name(r->tbl, &nl);
      if (!same_name(nm, (uint32_t)nl, r->pub.name, r->pub.name_len) &&
          (rc = copy_name(t, r->tbl, &r->pub.name, &r->pub.name_len)))
        return rc;
    }
    assign_occ_raids(t);
    t->raidlist_dirty = false;
  }
  return compute_root(t);
}

int ogrh_dtree_update(ogrh_dtree *t) {
  if (!t->doc) return t->err;
  int rc = update(t);
  if (rc) {
    /* Some digests may be new and others old: nothing here can be read until a full rebuild. */
    t->err = rc;
    t->all_dirty = true;
    return rc;
  }
  t->err = OGRH_OK;
  return OGRH_OK;
}

/* ---- reading ---- */

static int readable(const ogrh_dtree *t) {
  if (t->err) return OGRH_EAGAIN;
  return pending(t) ? OGRH_EAGAIN : OGRH_OK;
}

int ogrh_dtree_top(const ogrh_dtree *t, ogrh_dt_top *out) {
  int rc = readable(t);
  if (rc) return rc;
  *out = t->top;
  return OGRH_OK;
}

int ogrh_dtree_root(const ogrh_dtree *t, ogrh_digest *out) {
  int rc = readable(t);
  if (rc) return rc;
  *out = t->top.root;
  return OGRH_OK;
}

int ogrh_dtree_raid(const ogrh_dtree *t, size_t i, const ogrh_dt_raid **out) {
  *out = NULL;
  int rc = readable(t);
  if (rc) return rc;
  if (i >= t->top.nraids) return OGRH_ENOTFOUND;
  *out = &t->raids[i].pub;
  return OGRH_OK;
}

int ogrh_dtree_find_raid(const ogrh_dtree *t, const char *name, size_t len, uint32_t occ,
                         const ogrh_dt_raid **out) {
  *out = NULL;
  int rc = readable(t);
  if (rc) return rc;
  for (size_t i = 0; i < t->top.nraids; i++) {
    const ogrh_dt_raid *r = &t->raids[i].pub;
    if (r->occ == occ && r->name_len == len && same_name(r->name, r->name_len, name, r->name_len)) {
      *out = r;
      return OGRH_OK;
    }
  }
  return OGRH_ENOTFOUND;
}

int ogrh_dtree_find_enc(const ogrh_dt_raid *r, const char *name, size_t len, uint32_t occ,
                        const ogrh_dt_enc **out) {
  *out = NULL;
  for (size_t i = 0; i < r->nencs; i++) {
    const ogrh_dt_enc *e = &r->encs[i];
    if (e->occ == occ && e->name_len == len && same_name(e->name, e->name_len, name, e->name_len)) {
      *out = e;
      return OGRH_OK;
    }
  }
  return OGRH_ENOTFOUND;
}

/* ---- comparing trees ---- */

static bool raid_equal(const ogrh_dt_raid *x, const ogrh_dt_raid *y) {
  if (x->index != y->index || x->digest != y->digest || x->own != y->own || x->meta != y->meta ||
      x->list != y->list || x->nencs != y->nencs || x->occ != y->occ || x->partial != y->partial ||
      !same_name(x->name, x->name_len, y->name, y->name_len))
    return false;
  for (size_t j = 0; j < x->nencs; j++) {
    const ogrh_dt_enc *e = &x->encs[j], *f = &y->encs[j];
    if (e->index != f->index || e->digest != f->digest || e->occ != f->occ ||
        memcmp(e->comp, f->comp, sizeof e->comp) != 0 ||
        !same_name(e->name, e->name_len, f->name, f->name_len))
      return false;
  }
  return true;
}

bool ogrh_dtree_equal(const ogrh_dtree *a, const ogrh_dtree *b) {
  if (readable(a) || readable(b)) return false;
  const ogrh_dt_top *x = &a->top, *y = &b->top;
  if (x->root != y->root || x->raidlist != y->raidlist || x->nraids != y->nraids ||
      x->partial != y->partial || memcmp(x->global, y->global, sizeof x->global) != 0)
    return false;
  for (size_t i = 0; i < x->nraids; i++)
    if (!raid_equal(&a->raids[i].pub, &b->raids[i].pub)) return false;
  return true;
}

static void hex(ogrh_buf *b, const char *label, ogrh_digest x, ogrh_digest y) {
  ogrh_buf_printf(b, "%s: tree %016llx, data %016llx\n", label, (unsigned long long)x,
                  (unsigned long long)y);
}

static void report_differences(const ogrh_dtree *t, const ogrh_dtree *fresh, ogrh_buf *report) {
  if (t->top.root != fresh->top.root) hex(report, "root", t->top.root, fresh->top.root);
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    if (t->top.global[g] != fresh->top.global[g])
      hex(report, ogrh_global_name(g), t->top.global[g], fresh->top.global[g]);
  if (t->top.nraids != fresh->top.nraids)
    ogrh_buf_printf(report, "raid count: tree %zu, data %zu\n", t->top.nraids, fresh->top.nraids);
  for (size_t i = 0; i < t->top.nraids && i < fresh->top.nraids; i++) {
    const ogrh_dt_raid *x = &t->raids[i].pub, *y = &fresh->raids[i].pub;
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

int ogrh_dtree_verify(ogrh_dtree *t, ogrh_buf *report) {
  int rc = ogrh_dtree_update(t);
  if (rc) return rc;
  ogrh_dtree *fresh;
  if ((rc = ogrh_dtree_build_root(tree_root(t), &fresh))) return rc;
  rc = ogrh_dtree_equal(t, fresh) ? OGRH_OK : OGRH_EVERIFY;
  if (rc && report) report_differences(t, fresh, report);
  ogrh_dtree_free(fresh);
  return rc;
}

int ogrh_dtree_poll_copy(const ogrh_dtree *t, ogrh_dtree **out) {
  *out = NULL;
  int rc = readable(t);
  if (rc) return rc;
  ogrh_dtree *c = tree_new();
  if (!c) return OGRH_ENOMEM;
  c->top = t->top;
  c->top.partial = true;
  c->top.nraids = 0;
  if (t->top.nraids) {
    if (t->top.nraids > SIZE_MAX / sizeof *c->raids) rc = OGRH_ENOMEM;
    if (!rc && !(c->raids = ogrh_malloc(t->top.nraids * sizeof *c->raids))) rc = OGRH_ENOMEM;
    if (!rc) {
      memset(c->raids, 0, t->top.nraids * sizeof *c->raids);
      c->capraids = t->top.nraids;
    }
  }
  for (size_t i = 0; i < t->top.nraids && !rc; i++) {
    raid_node *r = &c->raids[c->top.nraids++];
    r->pub = t->raids[i].pub;
    r->pub.encs = NULL;
    r->pub.nencs = 0;
    r->pub.partial = true;
    char *n = ogrh_arena_memdup(c->names, t->raids[i].pub.name, t->raids[i].pub.name_len);
    if (!n) rc = OGRH_ENOMEM;
    r->pub.name = n;
  }
  if (!rc) rc = pack_root(c);
  if (rc) {
    ogrh_dtree_free(c);
    return rc;
  }
  *out = c;
  return OGRH_OK;
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
