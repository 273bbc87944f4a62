/*
** backup_snapshot.c
** A file as a tree of store objects: S (snapshot) > R (raid) > E (encounter) > B blobs of the
** six components, plus F, the rest of the file (docs/PROTOCOL.md §6). Raids and encounters
** are named by their digest, so the trees of unchanged ones are reused without encoding them
** again. Reading verifies every object and bounds what it decodes.
*/
#include "backup_snapshot.h"

#include <string.h>

/* ---- the schema: where the raids are, and how an encounter splits into components ---- */
/*
** The layout comes from the schema module (ogrh/schema.h): the keys that lead to raids and
** encounters, what a raid or an encounter is, and the six components, encoded and assembled
** back there. What is the backup's own is here: how a file is cut into a base, raid metadata
** and encounters so that each part is stored once.
*/

static uint32_t count_items(const ogrh_table *list) {
  uint32_t n = 0;
  for (uint32_t i = 0; list && i < list->n; i++)
    n += ogrh_is_item(&list->e[i]);
  return n;
}

/* A shallow copy of list without its items. */
static ogrh_table *without_items(ogrh_arena *a, const ogrh_table *list) {
  ogrh_table *n = ogrh_table_new(a, list->n);
  if (!n) return NULL;
  for (uint32_t i = 0; i < list->n; i++)
    if (!ogrh_is_item(&list->e[i])) n->e[n->n++] = list->e[i];
  return n;
}

static ogrh_table *shallow(ogrh_arena *a, const ogrh_table *t) {
  ogrh_table *n = ogrh_table_new(a, t->n + 1);
  if (!n) return NULL;
  if (t->n) memcpy(n->e, t->e, t->n * sizeof *t->e);
  n->n = t->n;
  return n;
}

static ogrh_table *child(const ogrh_table *t, const ogrh_value *key) {
  const ogrh_value *v = t ? ogrh_table_get(t, key) : NULL;
  return v && v->type == OGRH_TABLE ? v->u.t : NULL;
}

static int set_child(ogrh_arena *a, ogrh_table *t, const ogrh_value *key, ogrh_table *v) {
  ogrh_value x = ogrh_vtable(v);
  return ogrh_table_set(a, t, key, &x);
}

/* The chain of tables from the file's OGRH_SV variable to its raids list. */
typedef struct raids_loc {
  ogrh_value *var; /* OGRH_SV */
  ogrh_table *root, *mgmt, *raids;
  const ogrh_value *root_key; /* root's key in OGRH_SV's table (NULL: root is OGRH_SV) */
} raids_loc;

static void locate(const ogrh_svfile *f, raids_loc *l) {
  memset(l, 0, sizeof *l);
  l->var = ogrh_svfile_get((ogrh_svfile *)f, "OGRH_SV");
  ogrh_value *root = ogrh_svfile_schema_root(f);
  if (!l->var || l->var->type != OGRH_TABLE || !root || root->type != OGRH_TABLE) return;
  l->root = root->u.t;
  /* A v2 file keeps its schema root one level down, under a key of OGRH_SV. */
  for (uint32_t i = 0; root != l->var && i < l->var->u.t->n; i++)
    if (&l->var->u.t->e[i].val == root) l->root_key = &l->var->u.t->e[i].key;
  if (root != l->var && !l->root_key) return;
  l->mgmt = child(l->root, OGRH_KEY(MGMT));
  l->raids = child(l->mgmt, OGRH_KEY(RAIDS));
}

/* OGRH_SV with its raids list emptied of raids, made of shallow copies along the chain. */
static int sv_without_raids(ogrh_arena *a, const raids_loc *l, ogrh_value *out) {
  ogrh_table *sv = shallow(a, l->var->u.t), *root = l->root_key ? shallow(a, l->root) : sv;
  ogrh_table *mgmt = shallow(a, l->mgmt), *raids = without_items(a, l->raids);
  if (!sv || !root || !mgmt || !raids || set_child(a, mgmt, OGRH_KEY(RAIDS), raids) ||
      set_child(a, root, OGRH_KEY(MGMT), mgmt) ||
      (l->root_key && set_child(a, sv, l->root_key, root)))
    return OGRH_ENOMEM;
  *out = ogrh_vtable(sv);
  return OGRH_OK;
}

/* A raid's metadata: the raid with the encounters taken out of its encounters list. */
static int raid_meta(ogrh_arena *a, const ogrh_table *raid, ogrh_value *out) {
  const ogrh_table *encs = ogrh_raid_encounters(raid);
  ogrh_table *meta = raid->n ? shallow(a, raid) : ogrh_table_new(a, 1);
  if (!meta) return OGRH_ENOMEM;
  if (encs) {
    ogrh_table *rest = without_items(a, encs);
    if (!rest || set_child(a, meta, OGRH_KEY(ENCOUNTERS), rest)) return OGRH_ENOMEM;
  }
  *out = ogrh_vtable(meta);
  return OGRH_OK;
}

/* ---- the variable list ---- */

int bk_varlist_encode(const ogrh_svfile *f, const char *swap_name, const ogrh_value *swap_value,
                      ogrh_buf *out) {
  ogrh_varint_put(out, f->n);
  for (size_t i = 0; i < f->n; i++) {
    const char *nm = f->vars[i].name;
    size_t len = strlen(nm);
    ogrh_varint_put(out, len);
    ogrh_buf_add(out, nm, len);
    bool swap = swap_name && strcmp(nm, swap_name) == 0;
    int rc = ogrh_canon_encode(swap ? swap_value : &f->vars[i].value, out);
    if (rc) return rc;
  }
  return ogrh_buf_error(out);
}

int bk_varlist_decode(const uint8_t *p, size_t n, ogrh_svfile *f) {
  bk_rd in = {p, p + n};
  uint64_t count, len;
  /* Every variable takes at least three bytes. */
  if (bk_get_varint(&in, &count) || count > n / 3) return OGRH_ECORRUPT;
  for (uint64_t i = 0; i < count; i++) {
    if (bk_get_varint(&in, &len) || len == 0 || len > (uint64_t)(in.end - in.p) ||
        memchr(in.p, 0, (size_t)len))
      return OGRH_ECORRUPT;
    char *nm = ogrh_arena_memdup(f->arena, in.p, (size_t)len);
    if (!nm) return OGRH_ENOMEM;
    in.p += len;
    ogrh_value v;
    size_t used;
    int rc = ogrh_canon_decode(f->arena, in.p, (size_t)(in.end - in.p), false, &v, &used);
    if (rc) return rc == OGRH_ENOMEM ? rc : OGRH_ECORRUPT;
    in.p += used;
    if ((rc = ogrh_svfile_set(f, nm, &v))) return rc;
  }
  return in.p == in.end ? OGRH_OK : OGRH_ECORRUPT;
}

/* ---- writing ---- */

/*
** Raid and encounter trees are found again by the digest of what they hold. A v1 file's
** digests are those of its view (ogrh/schema.h), equal to its migration's, while its trees hold
** the file's own tables: a v1 snapshot keys its trees apart (salt) so that the two layouts
** never share one (docs/PROTOCOL.md §6).
*/
#define V1_SALT UINT64_C(0x7631206c61796f75)

typedef struct builder {
  ogrh_store *s;
  ogrh_arena *a;
  ogrh_buf enc;
  ogrh_buf comp[OGRH_NCOMPONENTS]; /* an encounter's components, each 'B' + its encoding */
  uint64_t expanded;
  uint64_t salt;
} builder;

static int put_blob(builder *b, const ogrh_value *v, uint32_t *id) {
  ogrh_buf_reset(&b->enc);
  ogrh_buf_addc(&b->enc, 'B');
  int rc = ogrh_canon_encode(v, &b->enc);
  if (!rc) rc = ogrh_buf_error(&b->enc);
  if (!rc) rc = bk_put(b->s, b->enc.p, b->enc.n, id);
  b->expanded += b->enc.n;
  return rc;
}

/* What reading a reused tree decodes: its blobs' sizes, counted as often as they are used. */
static int add_expanded(void *ud, uint32_t id);

typedef struct exp_ctx {
  ogrh_store *s;
  uint64_t *sum;
} exp_ctx;

static int add_expanded(void *ud, uint32_t id) {
  exp_ctx *c = ud;
  const uint8_t *p;
  size_t n;
  if (bk_peek(c->s, id, &p, &n)) return OGRH_ECORRUPT;
  if (!p || p[0] == 'B' || p[0] == 'F') { /* a blob (in a segment, or stored raw) */
    *c->sum += n;
    return OGRH_OK;
  }
  return bk_tree_each_child(p, n, add_expanded, ud);
}

static int put_tree(builder *b, uint32_t reused, const ogrh_buf *t, uint32_t *id) {
  if (t) return bk_put(b->s, t->p, t->n, id);
  exp_ctx c = {b->s, &b->expanded};
  *id = reused;
  return add_expanded(&c, reused);
}

static int put_encounter(builder *b, const ogrh_table *enc, ogrh_digest dig, uint32_t *id) {
  uint32_t ids[OGRH_NCOMPONENTS], old;
  dig ^= b->salt;
  if (bk_tree_reuse(b->s, dig, &old)) return put_tree(b, old, NULL, id);
  /* One pass over the roles writes the four role-based components. */
  int rc = ogrh_components_encode(enc, OGRH_C_ALL, b->comp);
  for (int c = 0; c < OGRH_NCOMPONENTS && !rc; c++) {
    ogrh_buf *x = &b->comp[c];
    /* The kind byte goes in front: the buffer is shifted by one (components are small). */
    if ((rc = ogrh_buf_addc(x, 'B'))) break;
    memmove(x->p + 1, x->p, x->n - 1);
    x->p[0] = 'B';
    if ((rc = bk_put(b->s, x->p, x->n, &ids[c]))) break;
    b->expanded += x->n;
  }
  if (rc) return rc;
  ogrh_buf t;
  ogrh_buf_init(&t);
  ogrh_buf_addc(&t, 'E');
  bk_put_u64(&t, dig);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    bk_put_u32(&t, ids[c]);
  rc = ogrh_buf_error(&t);
  if (!rc) rc = put_tree(b, 0, &t, id);
  ogrh_buf_deinit(&t);
  return rc;
}

static int put_raid(builder *b, const ogrh_table *raid, const ogrh_dt_raid *dr, uint32_t *id) {
  uint32_t old;
  if (bk_tree_reuse(b->s, dr->digest ^ b->salt, &old)) return put_tree(b, old, NULL, id);
  const ogrh_table *encs = ogrh_raid_encounters(raid);
  ogrh_value meta;
  uint32_t meta_id, n = count_items(encs);
  int rc = raid_meta(b->a, raid, &meta);
  if (!rc) rc = put_blob(b, &meta, &meta_id);
  if (rc) return rc;
  if (n != dr->nencs) return OGRH_EINVAL;
  ogrh_buf t;
  ogrh_buf_init(&t);
  ogrh_buf_addc(&t, 'R');
  bk_put_u64(&t, dr->digest ^ b->salt);
  bk_put_u32(&t, meta_id);
  ogrh_varint_put(&t, n);
  for (uint32_t i = 0, j = 0; encs && i < encs->n && !rc; i++)
    if (ogrh_is_item(&encs->e[i])) {
      uint32_t eid;
      if ((rc = put_encounter(b, encs->e[i].val.u.t, dr->encs[j++].digest, &eid))) break;
      ogrh_varint_put(&t, ogrh_zigzag(encs->e[i].key.u.i));
      bk_put_u32(&t, eid);
    }
  if (!rc) rc = ogrh_buf_error(&t);
  if (!rc) rc = put_tree(b, 0, &t, id);
  ogrh_buf_deinit(&t);
  return rc;
}

int bk_snapshot_put(ogrh_store *s, const ogrh_svfile *f, bk_snap *out) {
  memset(out, 0, sizeof *out);
  builder b;
  memset(&b, 0, sizeof b);
  b.s = s;
  if (!(b.a = ogrh_arena_new())) return OGRH_ENOMEM;
  ogrh_buf_init(&b.enc);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_init(&b.comp[c]);
  ogrh_buf t;
  ogrh_buf_init(&t);
  /* The digest tree names every raid and encounter by content: unchanged ones are reused. */
  static const ogrh_value nil = {0};
  const ogrh_value *root = ogrh_svfile_schema_root(f);
  if (ogrh_schema_layout(root) == OGRH_LAYOUT_V1) b.salt = V1_SALT;
  ogrh_dtree *dt = NULL;
  raids_loc l;
  locate(f, &l);
  uint32_t n = count_items(l.raids), base_id = 0;
  ogrh_value sv = ogrh_vnil();
  ogrh_dt_top top;
  int rc = ogrh_dtree_build_root(root ? root : &nil, &dt);
  if (!rc) rc = ogrh_dtree_top(dt, &top);
  if (!rc && n != top.nraids) rc = OGRH_EINVAL;
  if (!rc && l.raids) rc = sv_without_raids(b.a, &l, &sv);
  /* The base: every variable, OGRH_SV without its raids. */
  if (!rc) {
    ogrh_buf_addc(&b.enc, 'F');
    rc = bk_varlist_encode(f, l.raids ? "OGRH_SV" : NULL, &sv, &b.enc);
  }
  if (!rc) rc = bk_put(s, b.enc.p, b.enc.n, &base_id);
  b.expanded += b.enc.n;
  ogrh_buf_addc(&t, 'S');
  bk_put_u32(&t, base_id);
  ogrh_buf_addc(&t, l.raids ? 1 : 0);
  ogrh_varint_put(&t, n);
  for (uint32_t i = 0, j = 0; !rc && l.raids && i < l.raids->n; i++)
    if (ogrh_is_item(&l.raids->e[i])) {
      uint32_t rid;
      const ogrh_dt_raid *dr;
      if ((rc = ogrh_dtree_raid(dt, j++, &dr)) ||
          (rc = put_raid(&b, l.raids->e[i].val.u.t, dr, &rid)))
        break;
      ogrh_varint_put(&t, ogrh_zigzag(l.raids->e[i].key.u.i));
      bk_put_u32(&t, rid);
      out->encounters += count_items(ogrh_raid_encounters(l.raids->e[i].val.u.t));
    }
  if (!rc) rc = ogrh_buf_error(&t);
  if (!rc) rc = bk_put(s, t.p, t.n, &out->id);
  if (!rc) {
    out->root = top.root;
    out->raids = n;
    out->expanded = b.expanded;
  }
  ogrh_dtree_free(dt);
  ogrh_buf_deinit(&t);
  ogrh_buf_deinit(&b.enc);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_deinit(&b.comp[c]);
  ogrh_arena_free(b.a);
  return rc;
}

/* ---- reading: objects back into values, every step checked ---- */

typedef struct reader {
  ogrh_store *s;
  ogrh_arena *a;
  ogrh_err *err;
  uint64_t budget; /* bytes of blobs still allowed */
} reader;

static int bad(reader *r, uint32_t id, const char *what) {
  return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: object %08x %s", id, what);
}

/* A blob's bytes (the kind byte checked), counted against the budget. */
static int read_raw(reader *r, uint32_t id, char kind, const uint8_t **p, size_t *n) {
  /* Not copied: decoding copies what it keeps, and nothing changes the store meanwhile. */
  int rc = bk_get(r->s, id, NULL, p, n, r->err);
  if (rc) return rc;
  if (*n < 1 || (*p)[0] != kind) return bad(r, id, "is not of the expected kind");
  if (kind == 'B' || kind == 'F') {
    if (*n > r->budget)
      return ogrh_err_set(r->err, OGRH_ECORRUPT,
                          "backup store: the snapshot decodes to more than the store allows");
    r->budget -= *n;
  }
  return OGRH_OK;
}

/* A blob's value; max_depth is OGRH_MAX_DEPTH but for a format that wraps values in tables. */
static int read_blob_depth(reader *r, uint32_t id, size_t max_depth, ogrh_value *out) {
  const uint8_t *p;
  size_t n;
  int rc = read_raw(r, id, 'B', &p, &n);
  if (rc) return rc;
  rc = ogrh_canon_decode_depth(r->a, p + 1, n - 1, true, max_depth, out, NULL);
  if (rc == OGRH_ENOMEM) return ogrh_err_set(r->err, rc, "out of memory");
  return rc ? bad(r, id, "is not a valid blob") : OGRH_OK;
}

static int read_blob(reader *r, uint32_t id, ogrh_value *out) {
  return read_blob_depth(r, id, OGRH_MAX_DEPTH, out);
}

static int read_encounter(reader *r, uint32_t id, ogrh_value *out) {
  const uint8_t *p;
  size_t n;
  int rc = read_raw(r, id, 'E', &p, &n);
  if (rc) return rc;
  if (n != 9 + 4 * OGRH_NCOMPONENTS) return bad(r, id, "is not an encounter");
  bk_rd in = {p + 9, p + n};
  ogrh_value comp[OGRH_NCOMPONENTS];
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    uint32_t cid = 0;
    bk_get_u32(&in, &cid);
    if ((rc = read_blob(r, cid, &comp[c]))) return rc;
  }
  ogrh_table *enc;
  if (comp[OGRH_COMP_METADATA].type != OGRH_TABLE) return bad(r, id, "has no encounter metadata");
  rc = ogrh_encounter_assemble(r->a, comp, &enc);
  if (rc == OGRH_ENOMEM) return ogrh_err_set(r->err, rc, "out of memory");
  if (rc) return bad(r, id, "does not assemble into an encounter");
  *out = ogrh_vtable(enc);
  return OGRH_OK;
}

/* Reads a list of (zigzag key, id) pairs into tab, each id through fn. */
static int read_items(reader *r, bk_rd *in, ogrh_table *tab,
                      int (*fn)(reader *, uint32_t, ogrh_value *)) {
  uint64_t n;
  if (bk_get_varint(in, &n) || n > (uint64_t)(in->end - in->p) / 5)
    return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: bad item list");
  for (uint64_t i = 0; i < n; i++) {
    uint64_t zk;
    uint32_t id;
    ogrh_value v;
    if (bk_get_varint(in, &zk) || bk_get_u32(in, &id))
      return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: truncated item list");
    int rc = fn(r, id, &v);
    if (rc) return rc;
    ogrh_value k = ogrh_vint(ogrh_unzigzag(zk));
    if (ogrh_table_set(r->a, tab, &k, &v))
      return ogrh_err_set(r->err, OGRH_ENOMEM, "out of memory");
  }
  if (in->p != in->end) return ogrh_err_set(r->err, OGRH_ECORRUPT, "backup store: bad item list");
  return OGRH_OK;
}

static int read_raid(reader *r, uint32_t id, ogrh_value *out) {
  const uint8_t *p;
  size_t n;
  int rc = read_raw(r, id, 'R', &p, &n);
  if (rc) return rc;
  if (n < 14) return bad(r, id, "is not a raid");
  bk_rd in = {p + 9, p + n};
  uint32_t meta_id = 0;
  ogrh_value meta;
  bk_get_u32(&in, &meta_id);
  if ((rc = read_blob(r, meta_id, &meta))) return rc;
  if (meta.type != OGRH_TABLE) return bad(r, id, "has metadata that is not a table");
  ogrh_table *raid = shallow(r->a, meta.u.t), *encs = NULL;
  if (!raid) return ogrh_err_set(r->err, OGRH_ENOMEM, "out of memory");
  ogrh_table *list = ogrh_raid_encounters(raid);
  if (list && (!(encs = shallow(r->a, list)) || set_child(r->a, raid, OGRH_KEY(ENCOUNTERS), encs)))
    return ogrh_err_set(r->err, OGRH_ENOMEM, "out of memory");
  if (!encs) {
    uint64_t cnt;
    bk_rd probe = in;
    if (bk_get_varint(&probe, &cnt) || cnt || probe.p != probe.end)
      return bad(r, id, "lists encounters without a list");
  } else if ((rc = read_items(r, &in, encs, read_encounter))) {
    return rc;
  }
  *out = ogrh_vtable(raid);
  return OGRH_OK;
}

/* The base of a store written before variable lists: {{name, value}, ...} in one blob, which
** wraps every value in two more tables (the depth rule of ogrh/value.h). */
static int read_pairs_base(reader *r, uint32_t id, ogrh_svfile *f) {
  ogrh_value base;
  int rc = read_blob_depth(r, id, OGRH_MAX_DEPTH + 2, &base);
  if (rc) return rc;
  if (base.type != OGRH_TABLE) return bad(r, id, "is not a file");
  for (uint32_t i = 0; i < base.u.t->n; i++) {
    const ogrh_value *pv = &base.u.t->e[i].val;
    const ogrh_value *nm = pv->type == OGRH_TABLE ? ogrh_table_geti(pv->u.t, 1) : NULL;
    const ogrh_value *vv = pv->type == OGRH_TABLE ? ogrh_table_geti(pv->u.t, 2) : NULL;
    if (!nm || nm->type != OGRH_STRING || !vv || memchr(nm->u.s, 0, nm->len) ||
        !ogrh_value_depth_within(vv, OGRH_MAX_DEPTH))
      return bad(r, id, "has a bad variable");
    char *name = ogrh_arena_memdup(r->a, nm->u.s, nm->len);
    if (!name || ogrh_svfile_set(f, name, vv))
      return ogrh_err_set(r->err, OGRH_ENOMEM, "out of memory");
  }
  return OGRH_OK;
}

static int read_base(reader *r, uint32_t id, ogrh_svfile *f) {
  const uint8_t *p;
  size_t n;
  int rc = bk_get(r->s, id, NULL, &p, &n, r->err);
  if (rc) return rc;
  if (n && p[0] == 'B') return read_pairs_base(r, id, f);
  if ((rc = read_raw(r, id, 'F', &p, &n))) return rc;
  rc = bk_varlist_decode(p + 1, n - 1, f);
  if (rc == OGRH_ENOMEM) return ogrh_err_set(r->err, rc, "out of memory");
  return rc ? bad(r, id, "is not a valid file") : OGRH_OK;
}

int bk_snapshot_read(ogrh_store *s, uint32_t id, ogrh_svfile **out, ogrh_err *err) {
  *out = NULL;
  ogrh_svfile *f = ogrh_svfile_new();
  if (!f) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  reader r = {s, f->arena, err, bk_expand_limit(ogrh_store_bytes(s))};
  const uint8_t *p;
  size_t n;
  int rc = read_raw(&r, id, 'S', &p, &n);
  if (!rc && n < 7) rc = bad(&r, id, "is not a snapshot");
  bk_rd in = {p + 1, p + n};
  uint32_t base_id = 0;
  if (!rc) {
    bk_get_u32(&in, &base_id);
    rc = read_base(&r, base_id, f);
  }
  bool present = !rc && *in.p++ == 1;
  if (!rc && present) {
    raids_loc l;
    locate(f, &l);
    /* The base holds its own copies of the chain: the raids list is filled in place. */
    rc = l.raids ? read_items(&r, &in, l.raids, read_raid) : bad(&r, id, "lost its raids list");
  }
  if (rc) {
    ogrh_svfile_free(f);
    return rc;
  }
  *out = f;
  return OGRH_OK;
}

int bk_file_root(const ogrh_svfile *f, ogrh_digest *root) {
  ogrh_dtree *t;
  static const ogrh_value nil = {0};
  const ogrh_value *r = ogrh_svfile_schema_root(f);
  int rc = ogrh_dtree_build_root(r ? r : &nil, &t);
  if (rc) return rc;
  rc = ogrh_dtree_root(t, root);
  ogrh_dtree_free(t);
  return rc;
}
