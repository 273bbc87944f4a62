/*
** ogrh-mkdict: builds the wire dictionary (data/wire-dict-vN.bin) reproducibly.
** usage: ogrh-mkdict OUT [SIZE]
** Samples: the compact bodies of every repair unit (raids, encounters, the six components,
** the global components) of the factory defaults and of generated plans with seeds 1..12.
** zstd's dictionary trainer picks the most useful content; its raw content part (the header
** with entropy tables is dropped) is what DEFLATE uses as a preset dictionary, best last.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>

#include "ogrh/ogrh.h"

typedef struct samples {
  ogrh_buf all;
  size_t *sizes;
  size_t n, cap;
} samples;

/* Out of memory ends the program: a dictionary from part of the samples would differ. */
static void add_sample(samples *s, const ogrh_buf *b) {
  if (ogrh_grow(&s->sizes, &s->cap, s->n + 1, sizeof *s->sizes) ||
      ogrh_buf_add(&s->all, b->p, b->n)) {
    fprintf(stderr, "ogrh-mkdict: out of memory\n");
    exit(1);
  }
  s->sizes[s->n++] = b->n;
}

static void unit(samples *s, int kind, const char *raid, size_t rl, const char *enc, size_t el,
                 int index, const ogrh_value *v) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (ogrh_unit_body_encode(kind, raid, rl, enc, el, index, v, &b) == OGRH_OK && b.n > 8)
    add_sample(s, &b);
  ogrh_buf_deinit(&b);
}

static void from_doc(samples *s, ogrh_doc *d) {
  ogrh_value *root = ogrh_doc_root(d);
  ogrh_arena *a = ogrh_arena_new();
  for (int g = 0; g < OGRH_NGLOBALS; g++) {
    const ogrh_value *v = ogrh_table_gets(root->u.t, ogrh_global_key(g));
    if (v) unit(s, OGRH_UNIT_GLOBAL, NULL, 0, NULL, 0, g, v);
  }
  ogrh_table *raids = ogrh_doc_raids(d);
  for (uint32_t r = 0; raids && r < raids->n; r++) {
    if (raids->e[r].val.type != OGRH_TABLE) continue;
    size_t rl;
    const char *rn = ogrh_table_name(raids->e[r].val.u.t, &rl);
    unit(s, OGRH_UNIT_RAID, rn, rl, NULL, 0, 0, &raids->e[r].val);
    const ogrh_value *encs = ogrh_table_gets(raids->e[r].val.u.t, "encounters");
    for (uint32_t e = 0; encs && encs->type == OGRH_TABLE && e < encs->u.t->n; e++) {
      const ogrh_value *ev = &encs->u.t->e[e].val;
      if (ev->type != OGRH_TABLE) continue;
      size_t el;
      const char *en = ogrh_table_name(ev->u.t, &el);
      unit(s, OGRH_UNIT_ENCOUNTER, rn, rl, en, el, 0, ev);
      for (int c = 0; c < OGRH_NCOMPONENTS; c++) {
        ogrh_value pv;
        ogrh_component_project(a, ev->u.t, c, &pv);
        unit(s, OGRH_UNIT_COMPONENT, rn, rl, en, el, c, &pv);
      }
    }
  }
  ogrh_arena_free(a);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: ogrh-mkdict OUT [SIZE]\n");
    return 2;
  }
  size_t size = argc > 2 ? (size_t)atol(argv[2]) : 32768;
  if (size < 1024 || size > 32768) {
    fprintf(stderr, "ogrh-mkdict: SIZE must be 1024..32768 (DEFLATE's window)\n");
    return 2;
  }
  samples s = {{0}, NULL, 0, 0};
  ogrh_buf_init(&s.all);
  ogrh_doc *d;
  if (ogrh_doc_defaults(&d, NULL)) return 1;
  from_doc(&s, d);
  ogrh_doc_free(d);
  for (uint64_t seed = 1; seed <= 12; seed++) {
    ogrh_gen_opts o;
    ogrh_gen_opts_default(&o);
    o.seed = seed;
    ogrh_svfile *f;
    if (ogrh_gen(&o, &f, NULL) || ogrh_doc_from_svfile(f, &d, NULL)) return 1;
    from_doc(&s, d);
    ogrh_doc_free(d);
  }
  /* Train a dictionary with room for zstd's header; keep only its raw content. */
  size_t cap = size + 4096;
  unsigned char *dict = malloc(cap);
  if (!dict) return 1;
  size_t got = ZDICT_trainFromBuffer(dict, cap, s.all.p, s.sizes, (unsigned)s.n);
  if (ZDICT_isError(got)) {
    fprintf(stderr, "ogrh-mkdict: training failed: %s\n", ZDICT_getErrorName(got));
    return 1;
  }
  size_t hdr = ZDICT_getDictHeaderSize(dict, got);
  if (ZDICT_isError(hdr)) return 1;
  const unsigned char *content = dict + hdr;
  size_t n = got - hdr;
  if (n > size) {
    content += n - size;
    n = size;
  }
  int rc = ogrh_write_file_atomic(argv[1], content, n);
  if (rc) {
    fprintf(stderr, "ogrh-mkdict: %s: cannot write: %s\n", argv[1], ogrh_strerror(rc));
    return 1;
  }
  fprintf(stderr, "ogrh-mkdict: %zu samples, %zu bytes; dictionary %zu bytes -> %s\n", s.n, s.all.n,
          n, argv[1]);
  free(dict);
  ogrh_free(s.sizes, s.cap * sizeof *s.sizes);
  ogrh_buf_deinit(&s.all);
  return 0;
}
