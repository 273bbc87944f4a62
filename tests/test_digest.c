#include "testutil.h"

#include <stdio.h>
#include <string.h>

static ogrh_dt_top top_of(const ogrh_dtree *t) {
  ogrh_dt_top top;
  assert_int_equal(ogrh_dtree_top(t, &top), OGRH_OK);
  return top;
}

static const ogrh_dt_raid *raid_of(const ogrh_dtree *t, size_t i) {
  const ogrh_dt_raid *r;
  assert_int_equal(ogrh_dtree_raid(t, i, &r), OGRH_OK);
  return r;
}

static void test_compat_vectors(void **state) {
  (void)state;
  char out[16];
  ogrh_compat_hash_text("", 0, out);
  assert_string_equal(out, "0");
  assert_int_equal(ogrh_compat_hash("a", 1), 97);
  assert_int_equal(ogrh_compat_hash("abc", 3), 96354);
  assert_int_equal(ogrh_compat_hash("test", 4), 3556498);
  assert_int_equal(ogrh_compat_hash("test2", 5), 110251488);
  assert_int_equal(ogrh_compat_hash("Hello World", 11), 1313706377);
  const char *ru = "Holybob=HEALERS|Tankadin=TANKS";
  assert_int_equal(ogrh_compat_hash(ru, strlen(ru)), 134050489);
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v =
      tu_lit(a, "{assignedPlayers={'Tankadin','Warbob'}, raidMarks={8,7}, assignmentNumbers={}}");
  ogrh_buf b;
  ogrh_buf_init(&b);
  assert_int_equal(ogrh_compat_serialize(&v, &b), OGRH_OK);
  assert_string_equal(
      b.p, "assignedPlayers=1=Tankadin;2=Warbob;;assignmentNumbers=;raidMarks=1=8;2=7;;");
  assert_int_equal(ogrh_compat_hash(b.p, b.n), 1940059129u);
  const char *enc = "advancedSettings=bigwigs=enabled=1;encounterId=Razorgore the Untamed;;;"
                    "announcements=1=[R1.T] [R1.P1];;displayName=Razorgore;name=Razorgore;"
                    "roles=1=column=1;name=Tanks;raidMarks=1=8;2=7;;slots=2;;;";
  assert_int_equal(ogrh_compat_hash(enc, strlen(enc)), 1728809119u);
  /* Numeric keys sort as strings, and depth is capped at 10 like the addon. */
  b.n = 0;
  v = tu_lit(a, "{[1]='a',[10]='b',[2]='c'}");
  ogrh_compat_serialize(&v, &b);
  assert_string_equal(b.p, "1=a;10=b;2=c;");
  b.n = 0;
  v = tu_lit(a, "{a={b={c={d={e={f={g={h={i={j={k={l=1}}}}}}}}}}}}");
  ogrh_compat_serialize(&v, &b);
  assert_non_null(strstr(b.p, "k=...;"));
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
}

static ogrh_digest canon_digest(ogrh_arena *a, const char *lit) {
  ogrh_value v = tu_lit(a, lit);
  ogrh_svfile *f = ogrh_svfile_new();
  ogrh_value root = tu_lit(f->arena, "{ schemaVersion = 'v2' }");
  ogrh_value v2 = tu_lit(f->arena, "{}");
  ogrh_value k = ogrh_vcstr("consumes");
  ogrh_value_copy(f->arena, &v, &v);
  ogrh_table_set(f->arena, v2.u.t, &k, &v);
  k = ogrh_vcstr("v2");
  ogrh_table_set(f->arena, root.u.t, &k, &v2);
  ogrh_svfile_set(f, "OGRH_SV", &root);
  ogrh_doc *d;
  ogrh_doc_from_svfile(f, &d, NULL);
  ogrh_dtree *t = tu_tree(d);
  ogrh_digest g = top_of(t).global[OGRH_G_CONSUMES];
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
  return g;
}

static void test_canonical_encoding(void **state) {
  (void)state;
  ogrh_arena *a = ogrh_arena_new();
  ogrh_digest i1 = canon_digest(a, "{1}"), d1 = canon_digest(a, "{1.0}"),
              s1 = canon_digest(a, "{'1'}");
  assert_true(i1 != d1 && i1 != s1 && d1 != s1);
  assert_int_equal(canon_digest(a, "{b=1, a=2, [3]='x'}"), canon_digest(a, "{[3]='x', a=2, b=1}"));
  assert_true(canon_digest(a, "{a={b=1}}") != canon_digest(a, "{a='b=1;'}"));
  assert_true(canon_digest(a, "{[1]='x'}") != canon_digest(a, "{['1']='x'}"));
  assert_true(canon_digest(a, "{'ab','c'}") != canon_digest(a, "{'a','bc'}"));
  /* Bytes of the encoding, as docs/PROTOCOL.md specifies. */
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_value v = tu_lit(a, "{[1]=true, x='ab'}");
  ogrh_canon_encode(&v, &b);
  const unsigned char want[] = {6, 2, 0, 0, 0, 3, 1,   0, 0, 0, 0, 0, 0,   0,
                                2, 5, 1, 0, 0, 0, 'x', 5, 2, 0, 0, 0, 'a', 'b'};
  assert_int_equal(b.n, sizeof want);
  assert_memory_equal(b.p, want, sizeof want);
  ogrh_buf_deinit(&b);
  ogrh_arena_free(a);
}

static const char *BWL_RAZOR = "encounterMgmt.raids.2.encounters.1";

static void test_stability_and_sensitivity(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(3, 1);
  ogrh_dtree *t1 = tu_tree(d), *t2 = tu_tree(d);
  assert_true(ogrh_dtree_equal(t1, t2));
  assert_int_equal(top_of(t1).nraids, 6);
  const ogrh_value *v;
  char path[256];
  snprintf(path, sizeof path, "%s.roles.1.name", BWL_RAZOR);
  assert_int_equal(ogrh_doc_get(d, path, &v, NULL), OGRH_OK);
  /* A one-byte change in a role name changes root, raid, encounter and the roles digest. */
  char changed[64];
  snprintf(changed, sizeof changed, "'%.*s'", (int)v->len, v->u.s);
  changed[1] ^= 1;
  tu_set(d, path, changed);
  ogrh_dtree *t3 = tu_tree(d);
  assert_true(top_of(t3).root != top_of(t1).root);
  assert_true(raid_of(t3, 1)->digest != raid_of(t1, 1)->digest);
  assert_true(raid_of(t3, 1)->encs[0].comp[1] != raid_of(t1, 1)->encs[0].comp[1]);
  assert_int_equal(raid_of(t3, 1)->encs[0].comp[2], raid_of(t1, 1)->encs[0].comp[2]);
  ogrh_dtree_free(t1);
  ogrh_dtree_free(t2);
  ogrh_dtree_free(t3);
  ogrh_doc_free(d);
}

/* Writes at path and checks that exactly the components in `want` changed in raid 2 enc 1. */
static void expect_components(const char *suffix, const char *lit, unsigned want) {
  ogrh_doc *d = tu_generated(11, 1);
  ogrh_dtree *before = tu_tree(d);
  char path[256];
  snprintf(path, sizeof path, "%s.%s", BWL_RAZOR, suffix);
  tu_set(d, path, lit);
  ogrh_dtree *after = tu_tree(d);
  unsigned got = 0;
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    if (raid_of(before, 1)->encs[0].comp[c] != raid_of(after, 1)->encs[0].comp[c]) got |= 1u << c;
  if (got != want) fprintf(stderr, "%s: changed %#x, want %#x\n", suffix, got, want);
  assert_int_equal(got, want);
  /* Isolation: every other encounter and every other raid is untouched. */
  for (size_t r = 0; r < top_of(after).nraids; r++) {
    if (r != 1) assert_int_equal(raid_of(before, r)->digest, raid_of(after, r)->digest);
    for (size_t e = r == 1 ? 1 : 0; e < raid_of(after, r)->nencs; e++)
      assert_int_equal(raid_of(before, r)->encs[e].digest, raid_of(after, r)->encs[e].digest);
  }
  assert_int_equal(raid_of(before, 1)->own, raid_of(after, 1)->own);
  for (int g = 0; g < OGRH_NGLOBALS; g++)
    assert_int_equal(top_of(before).global[g], top_of(after).global[g]);
  assert_true(top_of(before).root != top_of(after).root);
  ogrh_dtree_free(before);
  ogrh_dtree_free(after);
  ogrh_doc_free(d);
}

static void test_six_components_isolated(void **state) {
  (void)state;
  expect_components("advancedSettings.bigwigs.enabled", "false", OGRH_C_METADATA);
  expect_components("roles.1.slots", "17", OGRH_C_ROLES);
  expect_components("roles.1.assignedPlayers.1", "'NewPlayer'", OGRH_C_ASSIGNMENTS);
  expect_components("roles.1.raidMarks.5", "3", OGRH_C_MARKS);
  expect_components("roles.1.assignmentNumbers.2", "9", OGRH_C_NUMBERS);
  expect_components("announcements.1", "'Tanks: [R1.P1]'", OGRH_C_ANNOUNCE);
}

static void test_raid_level(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(11, 1);
  ogrh_dtree *t1 = tu_tree(d);
  /* Raid metadata (the seed's 6.1.2 test 1). */
  tu_set(d, "encounterMgmt.raids.2.advancedSettings.consumeTracking.enabled", "false");
  ogrh_dtree *t2 = tu_tree(d);
  assert_true(raid_of(t1, 1)->meta != raid_of(t2, 1)->meta);
  assert_int_equal(raid_of(t1, 1)->list, raid_of(t2, 1)->list);
  assert_int_equal(raid_of(t1, 0)->digest, raid_of(t2, 0)->digest); /* other raid unaffected */
  /* Encounter list change (test 2): appending an encounter changes the raid's own digest. */
  tu_set(d, "encounterMgmt.raids.2.encounters.14", "{ name = 'Test' }");
  ogrh_dtree *t3 = tu_tree(d);
  assert_true(raid_of(t3, 1)->list != raid_of(t2, 1)->list);
  assert_int_equal(raid_of(t3, 1)->nencs, 14);
  assert_int_equal(raid_of(t3, 0)->digest, raid_of(t2, 0)->digest);
  /* Globals. */
  tu_set(d, "consumes.1.primaryId", "1");
  ogrh_dtree *t4 = tu_tree(d);
  assert_true(top_of(t4).global[OGRH_G_CONSUMES] != top_of(t3).global[OGRH_G_CONSUMES]);
  assert_int_equal(top_of(t4).global[OGRH_G_TRADEITEMS], top_of(t3).global[OGRH_G_TRADEITEMS]);
  tu_set(d, "roles.Newbie", "'TANKS'");
  ogrh_dtree *t5 = tu_tree(d);
  assert_true(top_of(t5).global[OGRH_G_ROLESUI] != top_of(t4).global[OGRH_G_ROLESUI]);
  tu_set(d, "tradeItems.1.quantity", "20");
  ogrh_dtree *t6 = tu_tree(d);
  assert_true(top_of(t6).global[OGRH_G_TRADEITEMS] != top_of(t5).global[OGRH_G_TRADEITEMS]);
  /* Unsynced data does not move the root. */
  tu_set(d, "ui.selectedRaid", "3");
  ogrh_dtree *t7 = tu_tree(d);
  assert_int_equal(top_of(t7).root, top_of(t6).root);
  ogrh_dtree *all[] = {t1, t2, t3, t4, t5, t6, t7};
  for (int i = 0; i < 7; i++)
    ogrh_dtree_free(all[i]);
  ogrh_doc_free(d);
}

/* Random writes of every kind; after each, the incremental tree equals a full build. */
static char last_write[400];
static void random_write(ogrh_doc *d, ogrh_rng *r, ogrh_arena *a) {
  ogrh_table *raids = ogrh_doc_raids(d);
  int64_t nraids = raids ? (int64_t)raids->n : 0;
  int64_t ri = nraids ? 1 + (int64_t)ogrh_rng_below(r, (uint64_t)nraids) : 1;
  const ogrh_value *encs = NULL;
  ogrh_table *raid = ogrh_doc_raid(d, ri);
  if (raid) encs = ogrh_table_gets(raid, "encounters");
  int64_t ne = encs && encs->type == OGRH_TABLE ? (int64_t)encs->u.t->n : 0;
  int64_t ei = ne ? 1 + (int64_t)ogrh_rng_below(r, (uint64_t)ne) : 1;
  int64_t k = 1 + (int64_t)ogrh_rng_below(r, 4), s = 1 + (int64_t)ogrh_rng_below(r, 6);
  char path[256], lit[128];
  unsigned op = (unsigned)ogrh_rng_below(r, 22);
  snprintf(lit, sizeof lit, "'P%llu'", (unsigned long long)ogrh_rng_below(r, 50));
  const char *base = "encounterMgmt.raids";
  switch (op) {
  case 0:
  case 1:
  case 2:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld.assignedPlayers.%lld", base,
             (long long)ri, (long long)ei, (long long)k, (long long)s);
    break;
  case 3:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld.assignedPlayers.%lld", base,
             (long long)ri, (long long)ei, (long long)k, (long long)s);
    snprintf(lit, sizeof lit, "nil");
    break;
  case 4:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld.raidMarks.%lld", base,
             (long long)ri, (long long)ei, (long long)k, (long long)s);
    snprintf(lit, sizeof lit, "%d", (int)ogrh_rng_below(r, 9));
    break;
  case 5:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld.assignmentNumbers", base,
             (long long)ri, (long long)ei, (long long)k);
    snprintf(lit, sizeof lit, "{[%lld] = %d}", (long long)s, (int)ogrh_rng_below(r, 9));
    break;
  case 6:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld.slots", base, (long long)ri,
             (long long)ei, (long long)k);
    snprintf(lit, sizeof lit, "%d", 1 + (int)ogrh_rng_below(r, 20));
    break;
  case 7:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.announcements.%lld", base, (long long)ri,
             (long long)ei, (long long)s);
    break;
  case 8:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.advancedSettings.bigwigs.enabled", base,
             (long long)ri, (long long)ei);
    snprintf(lit, sizeof lit, "%s", ogrh_rng_below(r, 2) ? "true" : "false");
    break;
  case 9:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.name", base, (long long)ri, (long long)ei);
    break;
  case 10:
    snprintf(path, sizeof path, "%s.%lld.advancedSettings.consumeTracking.readyThreshold", base,
             (long long)ri);
    snprintf(lit, sizeof lit, "%d", 80 + (int)ogrh_rng_below(r, 10));
    break;
  case 11:
    snprintf(path, sizeof path, "%s.%lld.name", base, (long long)ri);
    break;
  case 12:
    snprintf(path, sizeof path, "consumes.%lld.primaryId", (long long)s);
    snprintf(lit, sizeof lit, "%d", (int)ogrh_rng_below(r, 30000));
    break;
  case 13:
    snprintf(path, sizeof path, "roles.P%d", (int)ogrh_rng_below(r, 50));
    snprintf(lit, sizeof lit, "'%s'", ogrh_rng_below(r, 2) ? "TANKS" : "HEALERS");
    break;
  case 14:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld", base, (long long)ri, (long long)ei);
    snprintf(lit, sizeof lit,
             "{ name = 'Replaced', roles = { { name = 'Tanks', slots = 2, assignedPlayers = { 'A' "
             "} } } }");
    break;
  case 15:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld", base, (long long)ri, (long long)ei);
    snprintf(lit, sizeof lit, "nil");
    break;
  case 16:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld", base, (long long)ri, (long long)ne + 1);
    snprintf(lit, sizeof lit, "{ name = 'Added', announcements = { 'x' } }");
    break;
  case 17:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld", base, (long long)ri,
             (long long)ei, (long long)k);
    snprintf(lit, sizeof lit, "{ name = 'Whole', slots = 1, raidMarks = { 8 } }");
    break;
  case 18:
    if (ogrh_rng_below(r, 8) == 0) {
      snprintf(path, sizeof path, "%s.%lld", base, (long long)nraids + 1);
      snprintf(lit, sizeof lit, "{ name = 'NewRaid', encounters = { { name = 'Boss' } } }");
    } else {
      snprintf(path, sizeof path, "tradeItems.%lld.quantity", (long long)s);
      snprintf(lit, sizeof lit, "%d", (int)s);
    }
    break;
  case 19:
    if (ogrh_rng_below(r, 8) == 0 && nraids > 2) {
      snprintf(path, sizeof path, "%s.%lld", base, (long long)nraids);
      snprintf(lit, sizeof lit, "nil");
    } else {
      snprintf(path, sizeof path, "ui.x");
    }
    break;
  case 20:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles", base, (long long)ri,
             (long long)ei);
    snprintf(lit, sizeof lit, "{ { name = 'Only', assignedPlayers = { 'Z' } } }");
    break;
  default:
    snprintf(path, sizeof path, "%s.%lld.encounters.%lld.roles.%lld.assignedPlayers", base,
             (long long)ri, (long long)ei, (long long)k);
    snprintf(lit, sizeof lit, "{ 'A', 'B', [5] = 'C' }");
  }
  ogrh_value v = tu_lit(a, lit);
  ogrh_err err;
  snprintf(last_write, sizeof last_write, "%s = %s", path, lit);
  int rc = ogrh_doc_set_path(d, path, &v, NULL, &err);
  /* Some random paths walk through scalars; those writes are refused and change nothing. */
  assert_true(rc == OGRH_OK || rc == OGRH_ENOTTABLE);
}

static void test_incremental_equals_full(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(21, 1);
  ogrh_dtree *inc = tu_tree(d);
  assert_int_equal(ogrh_dtree_attach(inc, d), OGRH_OK);
  ogrh_rng r;
  ogrh_rng_seed(&r, 99);
  ogrh_arena *a = ogrh_arena_new();
  for (int i = 0; i < 3000; i++) {
    random_write(d, &r, a);
    /* Sometimes several writes pile up before the tree is asked. */
    if (ogrh_rng_below(&r, 3) == 0) continue;
    assert_int_equal(ogrh_dtree_update(inc), OGRH_OK);
    ogrh_dtree *full = tu_tree(d);
    if (!ogrh_dtree_equal(inc, full))
      fprintf(stderr, "mismatch after write %d: %s\n", i, last_write);
    assert_true(ogrh_dtree_equal(inc, full));
    ogrh_dtree_free(full);
  }
  assert_int_equal(ogrh_dtree_verify(inc, NULL), OGRH_OK);
  /* A whole-root replacement is followed too. */
  ogrh_doc *other = tu_generated(22, 1);
  assert_int_equal(ogrh_doc_replace_root(d, ogrh_doc_root(other), NULL), OGRH_OK);
  ogrh_dtree *full = tu_tree(other);
  assert_int_equal(ogrh_dtree_update(inc), OGRH_OK);
  assert_true(ogrh_dtree_equal(inc, full));
  ogrh_dtree_free(full);
  ogrh_doc_free(other);
  ogrh_arena_free(a);
  ogrh_dtree_free(inc);
  ogrh_doc_free(d);
}

static void test_scrub_detects_unseen_changes(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(5, 1);
  ogrh_dtree *t = tu_tree(d);
  assert_int_equal(ogrh_dtree_attach(t, d), OGRH_OK);
  assert_int_equal(ogrh_dtree_verify(t, NULL), OGRH_OK);
  /* Change the data behind the document's back (as a bug or bit rot would). */
  ogrh_table *enc = ogrh_doc_encounter(d, 3, 2);
  ogrh_value k = ogrh_vcstr("name"), v = ogrh_vcstr("Bitrot");
  ogrh_table_set(ogrh_doc_arena(d), enc, &k, &v);
  ogrh_buf rep;
  ogrh_buf_init(&rep);
  assert_int_equal(ogrh_dtree_verify(t, &rep), OGRH_EVERIFY);
  assert_non_null(strstr(rep.p, "encounterMetadata"));
  ogrh_buf_deinit(&rep);
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
}

static void test_poll_copy(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  ogrh_dtree *t = tu_tree(d), *p;
  assert_int_equal(ogrh_dtree_poll_copy(t, &p), OGRH_OK);
  assert_true(top_of(p).partial);
  assert_int_equal(top_of(p).root, top_of(t).root);
  assert_int_equal(top_of(p).nraids, 6);
  assert_int_equal(raid_of(p, 1)->nencs, 0);
  assert_int_equal(raid_of(p, 1)->digest, raid_of(t, 1)->digest);
  const ogrh_dt_raid *bwl;
  assert_int_equal(ogrh_dtree_find_raid(t, "BWL", 3, 1, &bwl), OGRH_OK);
  const ogrh_dt_enc *e;
  assert_int_equal(ogrh_dtree_find_enc(bwl, bwl->encs[0].name, bwl->encs[0].name_len, 1, &e),
                   OGRH_OK);
  assert_ptr_equal(e, &bwl->encs[0]);
  assert_int_equal(ogrh_dtree_find_raid(t, "BWL", 3, 2, &bwl), OGRH_ENOTFOUND);
  assert_null(bwl);
  ogrh_dtree_free(p);
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
}

/* What a build tells about each encounter: every one in order, its encodings, its digest. */
typedef struct each_seen {
  const ogrh_dtree *want; /* a tree built without a callback */
  size_t raid, enc, calls, stop_at;
} each_seen;

static int each_enc(void *ud, size_t raid, size_t enc, const ogrh_table *tbl,
                    const ogrh_buf comp[OGRH_NCOMPONENTS], ogrh_digest digest) {
  each_seen *s = ud;
  if (s->calls++ == s->stop_at) return OGRH_ECORRUPT;
  const ogrh_dt_raid *r;
  assert_int_equal(ogrh_dtree_raid(s->want, raid, &r), OGRH_OK);
  /* In order: the next encounter of this raid, or the first of the next raid. */
  if (raid == s->raid) {
    assert_int_equal(enc, s->calls == 1 ? 0 : s->enc + 1);
  } else {
    assert_int_equal(raid, s->raid + 1);
    assert_int_equal(enc, 0);
  }
  s->raid = raid;
  s->enc = enc;
  assert_true(enc < r->nencs);
  assert_int_equal(digest, r->encs[enc].digest);
  ogrh_buf mine[OGRH_NCOMPONENTS];
  for (int c = 0; c < OGRH_NCOMPONENTS; c++)
    ogrh_buf_init(&mine[c]);
  assert_int_equal(ogrh_components_encode(tbl, OGRH_C_ALL, mine), OGRH_OK);
  for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
    assert_int_equal(comp[c].n, mine[c].n);
    assert_memory_equal(comp[c].p, mine[c].p, mine[c].n);
    ogrh_buf_deinit(&mine[c]);
  }
  return OGRH_OK;
}

static void test_build_tells_each_encounter(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(5, 2);
  ogrh_dtree *want = tu_tree(d), *t;
  ogrh_dt_top top;
  assert_int_equal(ogrh_dtree_top(want, &top), OGRH_OK);
  size_t nencs = 0;
  for (size_t i = 0; i < top.nraids; i++) {
    const ogrh_dt_raid *r;
    assert_int_equal(ogrh_dtree_raid(want, i, &r), OGRH_OK);
    nencs += r->nencs;
  }
  assert_true(nencs > 100);
  each_seen s = {want, 0, 0, 0, (size_t)-1};
  assert_int_equal(ogrh_dtree_build_root_each(ogrh_doc_root(d), each_enc, &s, &t), OGRH_OK);
  assert_int_equal(s.calls, nencs);
  assert_int_equal(s.raid, top.nraids - 1);
  ogrh_digest a, b;
  assert_int_equal(ogrh_dtree_root(t, &a), OGRH_OK);
  assert_int_equal(ogrh_dtree_root(want, &b), OGRH_OK);
  assert_int_equal(a, b);
  ogrh_dtree_free(t);
  /* The callback's failure stops the build and is returned. */
  each_seen stop = {want, 0, 0, 0, 7};
  assert_int_equal(ogrh_dtree_build_root_each(ogrh_doc_root(d), each_enc, &stop, &t),
                   OGRH_ECORRUPT);
  assert_null(t);
  assert_int_equal(stop.calls, 8);
  ogrh_dtree_free(want);
  ogrh_doc_free(d);
}

/* A tree can be read only when it says what the document says. */
static void test_reads_wait_for_updates(void **state) {
  (void)state;
  ogrh_doc *d = tu_defaults();
  ogrh_dtree *t = tu_tree(d);
  assert_int_equal(ogrh_dtree_attach(t, d), OGRH_OK);
  ogrh_dt_top top;
  const ogrh_dt_raid *r;
  ogrh_digest root;
  assert_int_equal(ogrh_dtree_top(t, &top), OGRH_OK);
  tu_set(d, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.1", "'Late'");
  assert_int_equal(ogrh_dtree_top(t, &top), OGRH_EAGAIN);
  assert_int_equal(ogrh_dtree_root(t, &root), OGRH_EAGAIN);
  assert_int_equal(ogrh_dtree_raid(t, 0, &r), OGRH_EAGAIN);
  assert_int_equal(ogrh_dtree_find_raid(t, "BWL", 3, 1, &r), OGRH_EAGAIN);
  ogrh_dtree *p, *other = tu_tree(d);
  assert_int_equal(ogrh_dtree_poll_copy(t, &p), OGRH_EAGAIN);
  assert_false(ogrh_dtree_equal(t, other));
  ogrh_validation *v;
  assert_int_equal(ogrh_validate(t, other, &v), OGRH_EAGAIN);
  assert_int_equal(ogrh_dtree_update(t), OGRH_OK);
  assert_true(ogrh_dtree_equal(t, other));
  /* Writes outside the plan leave the tree readable. */
  tu_set(d, "ui.x", "1");
  assert_int_equal(ogrh_dtree_top(t, &top), OGRH_OK);
  assert_int_equal(ogrh_dtree_raid(t, 6, &r), OGRH_ENOTFOUND);
  /* A compaction moves every table: the tree waits for an update, then follows. */
  assert_int_equal(ogrh_doc_compact(d), OGRH_OK);
  assert_int_equal(ogrh_dtree_top(t, &top), OGRH_EAGAIN);
  assert_int_equal(ogrh_dtree_update(t), OGRH_OK);
  tu_set(d, "encounterMgmt.raids.2.encounters.1.roles.1.assignedPlayers.2", "'After'");
  assert_int_equal(ogrh_dtree_verify(t, NULL), OGRH_OK);
  ogrh_dtree_free(other);
  ogrh_dtree_free(t);
  ogrh_doc_free(d);
}

typedef struct build_case {
  const ogrh_value *root;
  ogrh_dtree *want;
} build_case;

/* A build with the k-th allocation failing: an error and nothing held, or the right tree. */
static int build_op(void *ud, long k) {
  (void)k;
  build_case *b = ud;
  ogrh_dtree *t = NULL;
  int rc = ogrh_dtree_build_root(b->root, &t);
  if (rc) {
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_null(t);
    assert_int_equal(tu_alloc_live(), 0);
    return rc;
  }
  assert_true(ogrh_dtree_equal(t, b->want));
  ogrh_dtree_free(t);
  assert_int_equal(tu_alloc_live(), 0);
  return rc;
}

typedef struct update_case {
  ogrh_doc *d;
  ogrh_dtree *t;
  int kind, i;
} update_case;

/*
** A write and an update with the k-th allocation failing somewhere in them. The write happens
** whole or not at all; a failed update leaves the tree unreadable, never wrong, and the next
** update makes it right.
*/
static int update_op(void *ud, long k) {
  (void)k;
  update_case *u = ud;
  static const char *const paths[] = {
      "encounterMgmt.raids.2.encounters.3.roles.1.assignedPlayers.2", /* one component */
      "encounterMgmt.raids.2.encounters.3.roles.2",                   /* four components */
      "encounterMgmt.raids.3.encounters.2.name",                      /* raid's list */
      "encounterMgmt.raids.4.name",                                   /* the raid list */
      "encounterMgmt.raids.5.encounters.1",                           /* a whole encounter */
      "consumes.2.primaryName",                                       /* a global */
      "encounterMgmt.raids",                                          /* everything */
  };
  int kind = u->kind;
  const char *path = paths[kind];
  ogrh_value v = ogrh_vcstr(u->i % 2 ? "Odd" : "Even");
  if (kind == 1 || kind == 4) v = ogrh_vtable(ogrh_doc_raid(u->d, 1));
  if (kind == 6) v = ogrh_vtable(ogrh_doc_raids(u->d));
  u->i++;
  const ogrh_value *before = NULL;
  ogrh_doc_get(u->d, path, &before, NULL);
  int rc = ogrh_doc_set_path(u->d, path, &v, NULL, NULL);
  if (rc) {
    const ogrh_value *after = NULL;
    ogrh_doc_get(u->d, path, &after, NULL);
    assert_int_equal(rc, OGRH_ENOMEM);
    assert_ptr_equal(after, before);
  } else if ((rc = ogrh_dtree_update(u->t))) {
    assert_int_equal(rc, OGRH_ENOMEM);
    ogrh_dt_top top;
    assert_int_equal(ogrh_dtree_top(u->t, &top), OGRH_EAGAIN);
  }
  /* No failure yet: the operation ran whole (the caller checks the last tree). */
  if (tu_alloc_count() <= k) return rc;
  /* The failure was the k-th allocation only: from here on the tree must come right. */
  assert_int_equal(ogrh_dtree_update(u->t), OGRH_OK);
  ogrh_dtree *full = tu_tree(u->d);
  assert_true(ogrh_dtree_equal(u->t, full));
  ogrh_dtree_free(full);
  return rc;
}

static void test_allocation_failures(void **state) {
  (void)state;
  ogrh_doc *d = tu_generated(6, 1);
  build_case b = {ogrh_doc_root(d), tu_tree(d)};
  long runs = tu_alloc_fail_loop(build_op, &b, 100000);
  assert_true(runs > 20);
  ogrh_dtree_free(b.want);
  for (int round = 0; round < 7; round++) {
    update_case u = {d, tu_tree(d), round, 0};
    assert_int_equal(ogrh_dtree_attach(u.t, d), OGRH_OK);
    long n = tu_alloc_fail_loop(update_op, &u, 100000);
    assert_true(n > 3);
    assert_int_equal(ogrh_dtree_verify(u.t, NULL), OGRH_OK);
    ogrh_dtree_free(u.t);
  }
  ogrh_doc_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compat_vectors),
      cmocka_unit_test(test_canonical_encoding),
      cmocka_unit_test(test_stability_and_sensitivity),
      cmocka_unit_test(test_six_components_isolated),
      cmocka_unit_test(test_raid_level),
      cmocka_unit_test(test_incremental_equals_full),
      cmocka_unit_test(test_scrub_detects_unseen_changes),
      cmocka_unit_test(test_poll_copy),
      cmocka_unit_test(test_build_tells_each_encounter),
      cmocka_unit_test(test_reads_wait_for_updates),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
