#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* Encounters that exercise every corner of the projections, beside the real ones. */
static const char *const odd_encounters[] = {
    "{ name = 'Bare' }",
    "{ name = 'Scalars', roles = 'not a table', announcements = 5 }",
    "{ name = 'Mixed', roles = { 'x', { name = 'T', slots = 2, assignedPlayers = { 'p' } },"
    " [5] = { raidMarks = { 1 } }, k = { assignmentNumbers = { [3] = 2 }, z = 1 } } }",
    "{ name = 'Empty', roles = {}, announcements = {} }",
    "{ [1] = 'int key', name = 'Odd', roles = { { assignedPlayers = 'not a table' } },"
    " advancedSettings = { bigwigs = { enabled = true } } }",
    "{ roles = { { name = 'NoName', raidMarks = {}, assignmentNumbers = {}, assignedPlayers = {} } "
    "}"
    " }",
};

typedef void (*enc_fn)(const ogrh_table *enc, void *ud);

/* Calls fn for every encounter of the factory defaults, of three generated plans, and of the
** odd ones above. */
static void each_encounter(enc_fn fn, void *ud) {
  ogrh_doc *docs[4] = {tu_defaults(), tu_generated(1, 1), tu_generated(7, 1), tu_generated(9, 2)};
  size_t seen = 0;
  for (int i = 0; i < 4; i++) {
    ogrh_table *raids = ogrh_doc_raids(docs[i]);
    assert_non_null(raids);
    for (uint32_t r = 0; r < raids->n; r++) {
      ogrh_table *encs = ogrh_raid_encounters(raids->e[r].val.u.t);
      for (uint32_t e = 0; encs && e < encs->n; e++)
        if (ogrh_is_item(&encs->e[e])) {
          fn(encs->e[e].val.u.t, ud);
          seen++;
        }
    }
  }
  assert_true(seen > 61 * 4);
  ogrh_arena *a = ogrh_arena_new();
  for (size_t i = 0; i < sizeof odd_encounters / sizeof odd_encounters[0]; i++) {
    ogrh_value v = tu_lit(a, odd_encounters[i]);
    fn(v.u.t, ud);
  }
  /* Everything stays alive to the end: fn may keep the encounter it saw last. */
  ogrh_arena_free(a);
  for (int i = 0; i < 4; i++)
    ogrh_doc_free(docs[i]);
}

static void encode_value(const ogrh_value *v, ogrh_buf *b) {
  ogrh_buf_reset(b);
  assert_int_equal(ogrh_canon_encode(v, b), OGRH_OK);
}

/* ---- the table ---- */

static void test_table(void **state) {
  (void)state;
  int rest = 0, roles = 0;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    assert_int_equal(ogrh_component_index(ogrh_component_name(c)), c);
    rest += ogrh_components[c].part == OGRH_PART_REST;
    roles += ogrh_components[c].part == OGRH_PART_ROLES;
    /* The roles come before their per-slot fields (encounter assembly relies on it). */
    if (ogrh_components[c].part == OGRH_PART_SLOT) assert_int_equal(roles, 1);
  }
  assert_int_equal(rest, 1);
  assert_int_equal(roles, 1);
  assert_string_equal(ogrh_component_name(OGRH_COMP_ASSIGNMENTS), "playerAssignments");
  assert_string_equal(ogrh_component_name(OGRH_NCOMPONENTS), "?");
  assert_int_equal(ogrh_component_index("nope"), -1);
  assert_int_equal(OGRH_C_ALL, 63);
  assert_int_equal(OGRH_C_ANNOUNCE, 1 << 5);
  assert_string_equal(ogrh_global_name(OGRH_G_ROLESUI), "rolesUI");
  assert_string_equal(ogrh_global_key(OGRH_G_ROLESUI), "roles");
  assert_int_equal(ogrh_global_index("roles"), OGRH_G_ROLESUI);
  assert_int_equal(ogrh_global_index("consumes"), OGRH_G_CONSUMES);
  assert_int_equal(ogrh_global_index("ui"), -1);
  assert_memory_equal(OGRH_KEY(MGMT)->u.s, "encounterMgmt", 13);
  assert_int_equal(OGRH_KEY(MGMT)->len, 13);
}

static unsigned mask_of(const char *rel) {
  ogrh_path p;
  if (!*rel) return ogrh_component_mask_at(NULL, 0);
  assert_int_equal(ogrh_path_parse(rel, &p, NULL), OGRH_OK);
  return ogrh_component_mask_at(p.seg, p.n);
}

static void test_mask_at(void **state) {
  (void)state;
  const unsigned role_all = OGRH_C_ROLES | OGRH_C_ASSIGNMENTS | OGRH_C_MARKS | OGRH_C_NUMBERS;
  assert_int_equal(mask_of(""), OGRH_C_ALL);
  assert_int_equal(mask_of("announcements.2"), OGRH_C_ANNOUNCE);
  assert_int_equal(mask_of("roles"), role_all);
  assert_int_equal(mask_of("roles.3"), role_all);
  assert_int_equal(mask_of("roles.3.assignedPlayers.1"), OGRH_C_ASSIGNMENTS);
  assert_int_equal(mask_of("roles.3.raidMarks"), OGRH_C_MARKS);
  assert_int_equal(mask_of("roles.3.assignmentNumbers.4"), OGRH_C_NUMBERS);
  assert_int_equal(mask_of("roles.3.slots"), OGRH_C_ROLES);
  assert_int_equal(mask_of("advancedSettings.bigwigs"), OGRH_C_METADATA);
  assert_int_equal(mask_of("name"), OGRH_C_METADATA);
  assert_int_equal(mask_of("7"), OGRH_C_METADATA);
}

/* ---- encodings ---- */

typedef struct enc_check {
  ogrh_buf one, all[OGRH_NCOMPONENTS], proj;
  ogrh_arena *a;
  size_t checked;
} enc_check;

/*
** The one-pass encoder gives exactly the bytes of the per-component encoder, for every mask
** (every combination of role components goes through the shared pass), and both are the
** canonical encoding of the projection.
*/
static void check_encodings(const ogrh_table *enc, void *ud) {
  enc_check *ck = ud;
  for (unsigned mask = 1; mask <= OGRH_C_ALL; mask++) {
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      ogrh_buf_reset(&ck->all[c]);
    assert_int_equal(ogrh_components_encode(enc, mask, ck->all), OGRH_OK);
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      if (!(mask & (1u << c))) {
        assert_int_equal(ck->all[c].n, 0);
        continue;
      }
      ogrh_buf_reset(&ck->one);
      assert_int_equal(ogrh_component_encode(enc, c, &ck->one), OGRH_OK);
      if (ck->one.n != ck->all[c].n || memcmp(ck->one.p, ck->all[c].p, ck->one.n) != 0) {
        size_t nl;
        const char *nm = ogrh_table_name(enc, &nl);
        fail_msg("%.*s: %s differs with mask %#x", (int)nl, nm, ogrh_component_name(c), mask);
      }
      if (mask == OGRH_C_ALL) {
        ogrh_value pv;
        assert_int_equal(ogrh_component_project(ck->a, enc, c, &pv), OGRH_OK);
        encode_value(&pv, &ck->proj);
        assert_int_equal(ck->proj.n, ck->one.n);
        assert_memory_equal(ck->proj.p, ck->one.p, ck->one.n);
      }
    }
  }
  ck->checked++;
}

static void test_one_pass_equals_per_component(void **state) {
  (void)state;
  enc_check ck;
  memset(&ck, 0, sizeof ck);
  ck.a = ogrh_arena_new();
  each_encounter(check_encodings, &ck);
  assert_true(ck.checked > 250);
  /* A missing encounter encodes every component as nil. */
  assert_int_equal(ogrh_components_encode(NULL, OGRH_C_ALL, ck.all), OGRH_OK);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    assert_int_equal(ck.all[c].n, 1);
    assert_int_equal(ck.all[c].p[0], 0);
  }
  ogrh_buf_deinit(&ck.one);
  ogrh_buf_deinit(&ck.proj);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_deinit(&ck.all[c]);
  ogrh_arena_free(ck.a);
}

/* ---- projections, setting, assembling ---- */

typedef struct asm_check {
  ogrh_arena *a;
  ogrh_buf x, y;
  const ogrh_table *prev; /* the encounter seen before, a source for ogrh_component_set */
} asm_check;

static void check_assemble(const ogrh_table *enc, void *ud) {
  asm_check *ck = ud;
  ogrh_value comp[OGRH_NCOMPONENTS];
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    assert_int_equal(ogrh_component_project(ck->a, enc, c, &comp[c]), OGRH_OK);
  ogrh_table *back;
  assert_int_equal(ogrh_encounter_assemble(ck->a, comp, &back), OGRH_OK);
  ogrh_value ev = ogrh_vtable((ogrh_table *)enc), bv = ogrh_vtable(back);
  assert_true(ogrh_value_equal(&ev, &bv));
  /* Setting one component from another encounter changes that component and no other. */
  if (ck->prev) {
    for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
      ogrh_value copy, src;
      assert_int_equal(ogrh_value_copy(ck->a, &ev, &copy), OGRH_OK);
      assert_int_equal(ogrh_component_project(ck->a, ck->prev, c, &src), OGRH_OK);
      int rc = ogrh_component_set(ck->a, copy.u.t, c, &src);
      if (rc == OGRH_ECORRUPT) {
        /* Only a per-slot value without a role table to go into is refused; nothing moved. */
        assert_int_equal(ogrh_components[c].part, OGRH_PART_SLOT);
        assert_true(ogrh_value_equal(&copy, &ev));
        continue;
      }
      assert_int_equal(rc, OGRH_OK);
      for (int d = 0; d < OGRH_NCOMPONENTS; d++) {
        ogrh_buf_reset(&ck->x);
        ogrh_buf_reset(&ck->y);
        ogrh_component_encode(copy.u.t, d, &ck->x);
        /* A role replaced by a non-table takes its per-slot fields with it. */
        ogrh_component_encode(d == c ? ck->prev : enc, d, &ck->y);
        if (d != c && ogrh_components[d].part == OGRH_PART_SLOT &&
            ogrh_components[c].part == OGRH_PART_ROLES)
          continue;
        /* Nil (no roles table there) set into an encounter with roles empties the field. */
        /* An empty table set where the roles are no table leaves nothing to hold it. */
        const ogrh_value *roles = ogrh_table_gets(enc, "roles");
        if (d == c && ogrh_components[c].part == OGRH_PART_SLOT &&
            (!roles || roles->type != OGRH_TABLE)) {
          assert_int_equal(ck->x.n, 1);
          continue;
        }
        if (d == c && src.type == OGRH_NIL && ogrh_components[c].part == OGRH_PART_SLOT) {
          assert_true(ck->x.n == 1 || (ck->x.n == 5 && memcmp(ck->x.p, "\6\0\0\0\0", 5) == 0));
          continue;
        }
        if (ck->x.n != ck->y.n || memcmp(ck->x.p, ck->y.p, ck->x.n) != 0)
          fail_msg("setting %s changed %s", ogrh_component_name(c), ogrh_component_name(d));
      }
    }
  }
  ck->prev = enc;
}

static void test_assemble_and_set(void **state) {
  (void)state;
  asm_check ck;
  memset(&ck, 0, sizeof ck);
  ck.a = ogrh_arena_new();
  each_encounter(check_assemble, &ck);
  ogrh_buf_deinit(&ck.x);
  ogrh_buf_deinit(&ck.y);
  ogrh_arena_free(ck.a);
}

static void test_set_refuses_what_no_projection_holds(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value enc = tu_lit(a, "{ name = 'E', roles = { { name = 'T', assignedPlayers = { 'a' } },"
                             " 'scalar role' }, announcements = { 'x' } }");
  ogrh_value before;
  assert_int_equal(ogrh_value_copy(a, &enc, &before), OGRH_OK);
  const struct {
    int c;
    const char *lit;
  } bad[] = {
      {OGRH_COMP_METADATA, "{ name = 'E', roles = {} }"},
      {OGRH_COMP_METADATA, "{ announcements = {} }"},
      {OGRH_COMP_METADATA, "'not a table'"},
      {OGRH_COMP_ROLES, "{ { name = 'T', raidMarks = { 1 } } }"},
      {OGRH_COMP_ASSIGNMENTS, "{ [2] = { 'b' } }"}, /* role 2 is not a table */
      {OGRH_COMP_ASSIGNMENTS, "{ [9] = { 'b' } }"}, /* no role 9 */
      {OGRH_COMP_MARKS, "'not a table'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ogrh_value v = tu_lit(a, bad[i].lit);
    assert_int_equal(ogrh_component_set(a, enc.u.t, bad[i].c, &v), OGRH_ECORRUPT);
    assert_true(ogrh_value_equal(&enc, &before));
  }
  /* What is accepted lands where the projection says. */
  ogrh_value v = tu_lit(a, "{ [1] = { 'z' } }");
  assert_int_equal(ogrh_component_set(a, enc.u.t, OGRH_COMP_ASSIGNMENTS, &v), OGRH_OK);
  const ogrh_value *got;
  ogrh_value want = tu_lit(a, "{ name = 'E', roles = { { name = 'T', assignedPlayers = { 'z' } },"
                              " 'scalar role' }, announcements = { 'x' } }");
  assert_true(ogrh_value_equal(&enc, &want));
  v = ogrh_vnil();
  assert_int_equal(ogrh_component_set(a, enc.u.t, OGRH_COMP_ANNOUNCE, &v), OGRH_OK);
  assert_null(ogrh_table_gets(enc.u.t, "announcements"));
  assert_int_equal(ogrh_component_set(a, enc.u.t, OGRH_NCOMPONENTS, &v), OGRH_EINVAL);
  /* The roles replaced: new definitions keep the per-slot fields of the same role keys. */
  v = tu_lit(a, "{ { name = 'Renamed' }, { name = 'Was scalar' } }");
  assert_int_equal(ogrh_component_set(a, enc.u.t, OGRH_COMP_ROLES, &v), OGRH_OK);
  got = ogrh_table_gets(enc.u.t, "roles");
  assert_non_null(got);
  const ogrh_value *r1 = ogrh_table_geti(got->u.t, 1);
  assert_memory_equal(ogrh_table_gets(r1->u.t, "name")->u.s, "Renamed", 7);
  assert_non_null(ogrh_table_gets(r1->u.t, "assignedPlayers"));
  assert_null(ogrh_table_gets(ogrh_table_geti(got->u.t, 2)->u.t, "assignedPlayers"));
  ogrh_arena_free(a);
}

static void test_locate(void **state) {
  (void)state;
  ogrh_value seg[3], k = ogrh_vint(4);
  size_t n;
  ogrh_component_locate(OGRH_COMP_METADATA, &k, seg, &n);
  assert_int_equal(n, 1);
  assert_int_equal(seg[0].u.i, 4);
  ogrh_component_locate(OGRH_COMP_ANNOUNCE, &k, seg, &n);
  assert_int_equal(n, 2);
  assert_memory_equal(seg[0].u.s, "announcements", 13);
  ogrh_component_locate(OGRH_COMP_MARKS, &k, seg, &n);
  assert_int_equal(n, 3);
  assert_memory_equal(seg[0].u.s, "roles", 5);
  assert_int_equal(seg[1].u.i, 4);
  assert_memory_equal(seg[2].u.s, "raidMarks", 9);
  ogrh_component_locate(OGRH_COMP_MARKS, NULL, seg, &n);
  assert_int_equal(n, 1);
  ogrh_component_locate(OGRH_COMP_METADATA, NULL, seg, &n);
  assert_int_equal(n, 0);
}

/* ---- raids and encounters ---- */

static void test_identities(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value list = tu_lit(a, "{ { name = 'A' }, { name = 'B' }, 'stray', { name = 'A' },"
                              " x = { name = 'A' }, { } }");
  ogrh_entry *e = ogrh_item_find(list.u.t, "A", 1, 2);
  assert_non_null(e);
  assert_int_equal(e->key.u.i, 4);
  assert_int_equal(ogrh_item_occ(list.u.t, e), 2);
  assert_null(ogrh_item_find(list.u.t, "A", 1, 3)); /* the string key x is no item */
  assert_null(ogrh_item_find(list.u.t, "C", 1, 1));
  e = ogrh_item_find(list.u.t, "", 0, 1);
  assert_non_null(e);
  assert_int_equal(e->key.u.i, 5);
  size_t n = 9;
  assert_string_equal(ogrh_table_name(NULL, &n), "");
  assert_int_equal(n, 0);
  ogrh_value root = tu_lit(a, "{ encounterMgmt = { raids = { { name = 'MC' } } }, ui = {} }");
  assert_non_null(ogrh_schema_raids(&root));
  ogrh_value bad = tu_lit(a, "{ encounterMgmt = { raids = 5 } }");
  assert_null(ogrh_schema_raids(&bad));
  assert_null(ogrh_schema_raids(NULL));
  ogrh_arena_free(a);
}

/* ---- the synced plan ---- */

static void test_synced_part(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value root = tu_lit(a, "{ encounterMgmt = { raids = {} }, consumes = { 1 }, roles = {},"
                              " tradeItems = {}, ui = { x = 1 }, recruitment = 'notes',"
                              " zzz = true, [3] = 4 }");
  ogrh_value syn;
  assert_int_equal(ogrh_schema_synced(a, &root, &syn), OGRH_OK);
  assert_int_equal(syn.u.t->n, 4);
  assert_null(ogrh_table_gets(syn.u.t, "ui"));
  assert_non_null(ogrh_table_gets(syn.u.t, "roles"));
  /* Replacing the synced part keeps every personal key as it was. */
  ogrh_value other = tu_lit(a, "{ encounterMgmt = { raids = { { name = 'New' } } },"
                               " tradeItems = { 7 }, ui = { x = 2 }, extra = 1 }");
  ogrh_value copy;
  assert_int_equal(ogrh_value_copy(a, &root, &copy), OGRH_OK);
  assert_int_equal(ogrh_schema_replace_synced(a, copy.u.t, &other), OGRH_OK);
  ogrh_value want = tu_lit(a, "{ encounterMgmt = { raids = { { name = 'New' } } },"
                              " tradeItems = { 7 }, ui = { x = 1 }, recruitment = 'notes',"
                              " zzz = true, [3] = 4 }");
  assert_true(ogrh_value_equal(&copy, &want));
  for (uint32_t i = 1; i < copy.u.t->n; i++)
    assert_true(ogrh_key_cmp(&copy.u.t->e[i - 1].key, &copy.u.t->e[i].key) < 0);
  /* Personal differences are counted, synced ones are not. */
  assert_int_equal(ogrh_schema_unsynced_differences(&root, &copy), 0);
  /* ui, recruitment, zzz, [3] and extra. */
  assert_int_equal(ogrh_schema_unsynced_differences(&root, &other), 5);
  assert_int_equal(ogrh_schema_unsynced_differences(&root, &root), 0);
  assert_int_equal(ogrh_schema_unsynced_differences(NULL, &root), 4);
  ogrh_value k = ogrh_vcstr("encounterMgmt");
  assert_true(ogrh_schema_is_synced(&k));
  k = ogrh_vcstr("permissions");
  assert_false(ogrh_schema_is_synced(&k));
  ogrh_arena_free(a);
}

/* ---- canonical decoding ---- */

/* The most the decoder held at once for this input, with a fresh arena. */
static size_t decode_peak(const uint8_t *p, size_t n, int *rc) {
  tu_alloc_begin(-1); /* counts bytes, fails nothing */
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  *rc = ogrh_canon_decode(a, p, n, true, &v, NULL);
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  long long peak = tu_alloc_peak();
  tu_alloc_end();
  return (size_t)peak;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

/* A chain of tables, each claiming as many entries as the bytes left could justify. */
static size_t hostile_chain(uint8_t *p, size_t n) {
  size_t at = 0;
  while (at + 14 <= n) {
    p[at] = 6;
    put32(p + at + 1, (uint32_t)((n - at - 5) / 6));
    p[at + 5] = 3; /* key: integer 1 */
    memset(p + at + 6, 0, 8);
    p[at + 6] = 1;
    at += 14;
  }
  memset(p + at, 2, n - at);
  return n;
}

/* One table of as many of the smallest entries as fit ([k] = true, 10 bytes each). */
static size_t many_entries(uint8_t *p, size_t n) {
  uint32_t count = (uint32_t)((n - 5) / 10);
  p[0] = 6;
  put32(p + 1, count);
  size_t at = 5;
  for (uint32_t i = 0; i < count; i++, at += 10) {
    p[at] = 3;
    memset(p + at + 1, 0, 8);
    put32(p + at + 1, i + 1);
    p[at + 9] = 2;
  }
  return at;
}

/* Tables nested as deep as allowed, then cut off: {[1] = {[1] = ...}}. */
static size_t deep_nest(uint8_t *p, size_t n) {
  size_t at = 0;
  for (int d = 0; d < OGRH_MAX_DEPTH && at + 14 <= n; d++, at += 14) {
    p[at] = 6;
    put32(p + at + 1, 1);
    p[at + 5] = 3;
    memset(p + at + 6, 0, 8);
    p[at + 6] = 1;
  }
  return at;
}

static void test_decoder_memory_bound(void **state) {
  (void)state;
  static uint8_t buf[64 * 1024];
  const size_t sizes[] = {4096, 64 * 1024};
  size_t (*const makers[])(uint8_t *, size_t) = {hostile_chain, many_entries, deep_nest};
  for (size_t s = 0; s < 2; s++)
    for (size_t m = 0; m < 3; m++) {
      memset(buf, 0, sizeof buf);
      size_t n = makers[m](buf, sizes[s]);
      int rc;
      size_t peak = decode_peak(buf, n, &rc);
      size_t bound = 32 * n + 8192;
      if (peak > bound)
        fail_msg("input %zu of %zu bytes: %zu bytes held, bound %zu", m, n, peak, bound);
      /* Every entry arrived for the flat table: it decodes. */
      if (m == 1) assert_int_equal(rc, OGRH_OK);
      if (m != 1) assert_int_not_equal(rc, OGRH_OK);
    }
  /* Random bytes too, and real encodings. */
  ogrh_rng r;
  ogrh_rng_seed(&r, 3);
  for (int i = 0; i < 200; i++) {
    size_t n = 1 + (size_t)ogrh_rng_below(&r, sizeof buf);
    for (size_t j = 0; j < n; j++)
      buf[j] = (uint8_t)ogrh_rng_below(&r, i % 2 ? 8 : 256);
    int rc;
    assert_true(decode_peak(buf, n, &rc) <= 32 * n + 8192);
  }
  ogrh_doc *d = tu_generated(2, 1);
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_canon_encode(ogrh_doc_root(d), &b), OGRH_OK);
  int rc;
  size_t peak = decode_peak((const uint8_t *)b.p, b.n, &rc);
  assert_int_equal(rc, OGRH_OK);
  assert_true(peak <= 32 * b.n + 8192);
  ogrh_buf_deinit(&b);
  ogrh_doc_free(d);
}

static void test_decoder_strictness(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v = tu_lit(a, "{ 1, 2.5, 'x', true, false, { k = { [-3] = 'deep' } } }"), out;
  ogrh_buf b;
  ogrh_buf_init(&b);
  encode_value(&v, &b);
  size_t used;
  assert_int_equal(ogrh_canon_decode(a, (const uint8_t *)b.p, b.n, true, &out, &used), OGRH_OK);
  assert_int_equal(used, b.n);
  assert_true(ogrh_value_equal(&v, &out));
  /* Trailing bytes: refused when exact, reported otherwise. */
  ogrh_buf_addc(&b, 0);
  assert_int_equal(ogrh_canon_decode(a, (const uint8_t *)b.p, b.n, true, &out, &used),
                   OGRH_ECORRUPT);
  assert_int_equal(out.type, OGRH_NIL);
  assert_int_equal(ogrh_canon_decode(a, (const uint8_t *)b.p, b.n, false, &out, &used), OGRH_OK);
  assert_int_equal(used, b.n - 1);
  /* Every cut is refused. */
  for (size_t n = 0; n + 1 < b.n; n++)
    assert_int_not_equal(ogrh_canon_decode(a, (const uint8_t *)b.p, n, true, &out, NULL), OGRH_OK);
  /* Keys out of order, duplicated, of a bad type; nil values; NaN. */
  const uint8_t unordered[] = {6, 2, 0, 0, 0, 5, 1, 0, 0, 0, 'b', 2, 5, 1, 0, 0, 0, 'a', 2};
  const uint8_t dup[] = {6, 2, 0, 0, 0, 5, 1, 0, 0, 0, 'a', 2, 5, 1, 0, 0, 0, 'a', 2};
  const uint8_t badkey[] = {6, 1, 0, 0, 0, 2, 2};
  const uint8_t nilval[] = {6, 1, 0, 0, 0, 5, 1, 0, 0, 0, 'a', 0};
  const uint8_t nan[] = {4, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f};
  assert_int_equal(ogrh_canon_decode(a, unordered, sizeof unordered, true, &out, NULL),
                   OGRH_ECORRUPT);
  assert_int_equal(ogrh_canon_decode(a, dup, sizeof dup, true, &out, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_canon_decode(a, badkey, sizeof badkey, true, &out, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_canon_decode(a, nilval, sizeof nilval, true, &out, NULL), OGRH_ECORRUPT);
  assert_int_equal(ogrh_canon_decode(a, nan, sizeof nan, true, &out, NULL), OGRH_ECORRUPT);
  /* Depth: OGRH_MAX_DEPTH tables decode, one more does not unless the caller allows it. */
  static uint8_t deep[(OGRH_MAX_DEPTH + 1) * 14 + 5];
  size_t n = 0;
  for (int d = 0; d <= OGRH_MAX_DEPTH; d++, n += 14) {
    deep[n] = 6;
    put32(deep + n + 1, d == OGRH_MAX_DEPTH ? 0 : 1);
    if (d == OGRH_MAX_DEPTH) break;
    deep[n + 5] = 3;
    memset(deep + n + 6, 0, 8);
  }
  n += 5;
  assert_int_equal(ogrh_canon_decode(a, deep, n, true, &out, NULL), OGRH_EDEPTH);
  assert_int_equal(ogrh_canon_decode(a, deep + 14, n - 14, true, &out, NULL), OGRH_OK);
  assert_int_equal(ogrh_canon_decode_depth(a, deep, n, true, OGRH_MAX_DEPTH + 1, &out, NULL),
                   OGRH_OK);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
}

typedef struct decode_case {
  ogrh_buf bytes;
  ogrh_value want;
} decode_case;

/* One decode with the k-th allocation failing: a clean error and nothing left behind. */
static int decode_op(void *ud, long k) {
  (void)k;
  decode_case *dc = ud;
  ogrh_arena *a = ogrh_arena_new();
  if (!a) return OGRH_ENOMEM;
  ogrh_value v;
  int rc = ogrh_canon_decode(a, (const uint8_t *)dc->bytes.p, dc->bytes.n, true, &v, NULL);
  if (rc == OGRH_OK)
    assert_true(ogrh_value_equal(&v, &dc->want));
  else
    assert_int_equal(rc, OGRH_ENOMEM);
  ogrh_arena_free(a);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

static void test_decoder_allocation_failures(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(4, 1);
  decode_case dc;
  ogrh_buf_init(&dc.bytes);
  /* A whole raid: strings, deep tables, large and small. */
  dc.want = ogrh_vtable(ogrh_doc_raid(d, 2));
  assert_int_equal(ogrh_canon_encode(&dc.want, &dc.bytes), OGRH_OK);
  long runs = tu_alloc_fail_loop(decode_op, &dc, 10000);
  assert_true(runs > 3);
  ogrh_buf_deinit(&dc.bytes);
  ogrh_doc_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_mask_at),
      cmocka_unit_test(test_one_pass_equals_per_component),
      cmocka_unit_test(test_assemble_and_set),
      cmocka_unit_test(test_set_refuses_what_no_projection_holds),
      cmocka_unit_test(test_locate),
      cmocka_unit_test(test_identities),
      cmocka_unit_test(test_synced_part),
      cmocka_unit_test(test_decoder_memory_bound),
      cmocka_unit_test(test_decoder_strictness),
      cmocka_unit_test(test_decoder_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
