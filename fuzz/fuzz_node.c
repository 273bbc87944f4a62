/*
** fuzz_node: random and mutated messages from random senders into a node holding the factory
** plan (a member, or the admin), and random persisted states into ogrh_node_new. Checks: no
** crash, memory bounded, and the plan changes only through a sender allowed to change it (the
** admin's messages on a member; an officer's proposals on the admin).
**
** Input: byte 0 picks the victim (low bits mod 3: 0 member, 1 admin, 2 a persisted state: the
** rest of the input is the state; bit 7: the whole factory plan, see factory()). Then records: u8
*sender (0 Lead, 1 Assist, 2 Member, 3 the victim itself,
** 4+ a stranger), u8 type, u8 flags (bit 0: the body is a raw frame text; bit 1: targeted at
** the victim), u16 length (little-endian, at most 1024), the body.
*/
#include "ogrh/ogrh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"Lead", "Assist", "Member", "Victim", "Stranger"};

static long long g_live;
static void *count_alloc(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    if (p) g_live -= (long long)osize;
    free(p);
    return NULL;
  }
  void *q = realloc(p, nsize);
  if (q) g_live += (long long)nsize - (long long)(p ? osize : 0);
  return q;
}

static ogrh_digest nd_digest(ogrh_node *n) {
  ogrh_digest d = 0;
  if (ogrh_dtree_root(ogrh_node_dtree(n), &d)) abort();
  return d;
}

static void out(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  (void)ud;
  (void)prefix;
  (void)text;
  (void)n;
  (void)now;
}

/*
** The factory plan, parsed once (with the default allocator); each run gets a copy. Most runs
** use a smaller copy (BWL and ES, the globals) because building a node's digest tree of the
** whole plan costs ~10 ms in this unoptimised, instrumented build; an input whose first byte
** has bit 7 set gets the whole plan.
*/
static ogrh_doc *factory(bool whole) {
  static ogrh_doc *tpl[2];
  if (!tpl[whole]) {
    ogrh_set_allocator(NULL, NULL);
    if (ogrh_doc_defaults(&tpl[whole], NULL)) abort();
    if (!whole) {
      /* Raids 3, 4, 5 go: BWL and ES stay, as raids 2 and 6. */
      for (int r = 3; r <= 5; r++) {
        char path[64];
        snprintf(path, sizeof path, "encounterMgmt.raids.%d", r);
        if (ogrh_doc_delete(tpl[whole], path, NULL, NULL)) abort();
      }
      if (ogrh_doc_delete(tpl[whole], "encounterMgmt.raids.1", NULL, NULL)) abort();
    }
    ogrh_set_allocator(count_alloc, NULL);
  }
  ogrh_svfile *f = ogrh_svfile_new();
  ogrh_svfile *t = ogrh_doc_svfile(tpl[whole]);
  for (size_t i = 0; f && i < t->n; i++) {
    ogrh_value v;
    if (ogrh_value_copy(f->arena, &t->vars[i].value, &v) || ogrh_svfile_set(f, t->vars[i].name, &v))
      abort();
  }
  ogrh_doc *d = NULL;
  if (!f || ogrh_doc_from_svfile(f, &d, NULL)) abort();
  return d;
}

static ogrh_node *victim(bool admin, bool whole, const uint8_t *state, size_t len) {
  ogrh_node_cfg c;
  ogrh_node_cfg_default(&c);
  c.doc = factory(whole);
  c.self = admin ? "Lead" : "Victim";
  c.out = out;
  c.state = state;
  c.state_len = len;
  ogrh_node *n = NULL;
  if (ogrh_node_new(&c, &n)) return NULL;
  ogrh_member m[4] = {
      {"Lead", 2, true}, {"Assist", 1, true}, {"Member", 0, true}, {"Victim", 0, true}};
  ogrh_node_set_roster(n, m, 4, 0);
  ogrh_node_set_conditions(n, false, false, true, 0);
  return n;
}

/*
** Every run builds a node (its digest tree included), about 10 ms in the instrumented build:
** a -runs=N given to every target (make check's smoke run) is scaled to N/10 here so that this
** target takes as long as the others. Time-limited runs (make fuzz) are left alone.
*/
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  static char runs[32];
  for (int i = 1; i < *argc; i++) {
    long r;
    if (sscanf((*argv)[i], "-runs=%ld", &r) == 1 && r >= 10) {
      snprintf(runs, sizeof runs, "-runs=%ld", r / 10);
      (*argv)[i] = runs;
    }
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n) {
  if (n < 1) return 0;
  int mode = (p[0] & 0x7f) % 3;
  bool whole = (p[0] & 0x80) != 0;
  p++;
  n--;
  g_live = 0;
  ogrh_set_allocator(count_alloc, NULL);
  if (mode == 2) {
    ogrh_node *v = victim(false, whole, p, n);
    ogrh_node_free(v);
    ogrh_set_allocator(NULL, NULL);
    return 0;
  }
  bool admin = mode == 1;
  ogrh_node *v = victim(admin, whole, NULL, 0);
  if (!v) abort();
  const char *allowed = admin ? "Assist" : "Lead";
  ogrh_wire_cfg wire;
  ogrh_wire_cfg_default(&wire);
  uint64_t now = 10;
  long long base = g_live;
  uint16_t id = 0;
  while (n >= 5) {
    const char *sender = names[p[0] < 4 ? p[0] : 4];
    uint8_t type = p[1], flags = p[2];
    size_t len = (size_t)p[3] | (size_t)p[4] << 8;
    p += 5;
    n -= 5;
    if (len > 1024) len = 1024;
    if (len > n) len = n;
    ogrh_digest before = nd_digest(v);
    if (flags & 1) {
      ogrh_node_receive(v, sender, "OGRH", p, len, now);
    } else {
      ogrh_frames f;
      ogrh_frames_init(&f);
      if (ogrh_wire_pack(&wire, id++ & 0x3ff, type, flags & 2 ? (admin ? "Lead" : "Victim") : NULL,
                         p, len, true, &f) == OGRH_OK)
        for (size_t k = 0; k < f.n; k++)
          ogrh_node_receive(v, sender, "OGRH", (const uint8_t *)f.data.p + f.off[k], f.len[k], now);
      ogrh_frames_deinit(&f);
    }
    /* The plan changes only through a sender allowed to change it... */
    ogrh_digest after = nd_digest(v);
    if (after != before && strcmp(sender, allowed) != 0) abort();
    p += len;
    n -= len;
    now += 37;
    /* ... and never by itself. */
    ogrh_node_tick(v, now);
    if (nd_digest(v) != after) abort();
    /* Memory stays bounded: reassembly and every queue have limits. */
    if (g_live - base > 64ll << 20) abort();
  }
  ogrh_node_tick(v, now + 60000);
  ogrh_node_free(v);
  ogrh_set_allocator(NULL, NULL);
  if (g_live != 0) abort(); /* nothing leaks */
  return 0;
}
