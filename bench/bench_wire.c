/*
** bench_wire: what repairs cost on the channel, against a model of the addon's OGAddonMsg.
** usage: bench_wire FILE
** 1. Effective payload rate of a large incompressible message under the ctl profile, against
**    the channel's limit 800 * P / (P + 40 + prefix) with P the largest text a message holds.
** 2. For each component type (summed over all encounters), an encounter (median and largest),
**    a raid (median and largest), and the whole plan (the synced part of the schema root, as a
**    full repair carries it): our bytes on the wire and seconds
**    under ctl, next to OGAddonMsg's (research/ogaddonmsg.md §3: Lua text serialization with
**    %q and | -> \124, "T:" type flag, 200-byte chunks of 161 - P data bytes with a 23 + P byte
**    header, prefix "OGAM", no compression), timed by the same ctl sender from an idle start.
*/
#include "bench.h"
#include "simogam.h" /* the simulator's model of OGAddonMsg: its Lua text serializer */

#include <stdio.h>
#include <string.h>

typedef struct timing {
  uint64_t last;
} timing;

static void time_out(void *ud, const char *prefix, const uint8_t *t, size_t n, uint64_t now) {
  (void)prefix, (void)t, (void)n;
  ((timing *)ud)->last = now;
}

/* Seconds for frames of these lengths to leave an idle ctl sender (60 frames a second). */
static double ctl_seconds(const char *prefix, const size_t *lens, size_t n) {
  ogrh_ctl_params p;
  ogrh_ctl_profile("ctl", &p);
  timing tm = {10000};
  ogrh_sender *s = ogrh_sender_new(&p, time_out, &tm, 0);
  for (uint64_t t = 0; t <= 10000; t += 17)
    ogrh_sender_tick(s, t);
  static uint8_t dummy[256];
  const uint8_t **texts = malloc(n * sizeof *texts);
  for (size_t i = 0; i < n; i++)
    texts[i] = dummy;
  ogrh_sender_send(s, OGRH_CTL_NORMAL, prefix, texts, lens, n, NULL, NULL, 10000);
  uint64_t t = 10000;
  while (ogrh_sender_queued(s))
    ogrh_sender_tick(s, t += 17);
  free(texts);
  ogrh_sender_free(s, t);
  return (double)(tm.last - 10000) / 1000.0;
}

/* ---- our cost ---- */

typedef struct cost {
  size_t bytes, messages;
  double seconds;
} cost;

static cost ours(const ogrh_wire_cfg *c, int kind, const char *raid, size_t rl, const char *enc,
                 size_t el, int index, const ogrh_value *v) {
  ogrh_buf body;
  ogrh_buf_init(&body);
  ogrh_unit_body_encode(kind, raid, rl, enc, el, index, v, &body);
  ogrh_frames f;
  ogrh_frames_init(&f);
  ogrh_wire_pack(c, 1, OGRH_MT_REPAIR, NULL, (const uint8_t *)body.p, body.n, true, &f);
  cost k = {0, f.n, 0};
  for (size_t i = 0; i < f.n; i++)
    k.bytes += strlen(c->prefix) + 1 + f.len[i];
  k.seconds = ctl_seconds(c->prefix, f.len, f.n);
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&body);
  return k;
}

/* ---- CPU: packing and reassembling every unit ---- */

typedef struct rt_unit {
  int kind, index;
  const char *raid, *enc;
  size_t rl, el;
  ogrh_value v;
} rt_unit;

static rt_unit rt_units[8192];
static size_t rt_n, rt_bytes;

static void rt_add(int kind, const char *raid, size_t rl, const char *enc, size_t el, int index,
                   const ogrh_value *v) {
  if (rt_n < sizeof rt_units / sizeof rt_units[0])
    rt_units[rt_n++] = (rt_unit){kind, index, raid, enc, rl, el, *v};
}

static void rt_deliver(void *ud, const char *s, const ogrh_msg *m, uint64_t now) {
  (void)ud, (void)s, (void)now;
  rt_bytes += m->body_len;
}

/*
** Every unit as the admin sends it and a member receives it: body, pack (DEFLATE with the
** dictionary, checksum, frames, transform), reassembly (transform, checksum, inflate).
** Instruction counts: valgrind --tool=callgrind --toggle-collect=wire_roundtrip.
*/
void wire_roundtrip(const ogrh_wire_cfg *c, ogrh_reasm *r, size_t *messages);
void wire_roundtrip(const ogrh_wire_cfg *c, ogrh_reasm *r, size_t *messages) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_frames f;
  ogrh_frames_init(&f);
  for (size_t i = 0; i < rt_n; i++) {
    const rt_unit *u = &rt_units[i];
    ogrh_buf_reset(&b);
    ogrh_unit_body_encode(u->kind, u->raid, u->rl, u->enc, u->el, u->index, &u->v, &b);
    ogrh_frames_reset(&f);
    ogrh_wire_pack(c, (uint16_t)i, OGRH_MT_REPAIR, NULL, (const uint8_t *)b.p, b.n, true, &f);
    for (size_t k = 0; k < f.n; k++)
      ogrh_reasm_frame(r, "Admin", (const uint8_t *)f.data.p + f.off[k], f.len[k],
                       (uint64_t)i * 100);
  }
  *messages = rt_n;
  ogrh_frames_deinit(&f);
  ogrh_buf_deinit(&b);
}

/* ---- OGAddonMsg's cost, modelled ---- */

/* The addon's wrapper around a repair payload: {type, layer, data, timestamp, token, ...}. */
static cost addon(const char *inner_prefix, const char *type, const ogrh_value *v) {
  ogrh_buf s;
  ogrh_buf_init(&s);
  ogrh_buf_printf(&s,
                  "T:{[\"type\"]=\"%s\",[\"layer\"]=2,[\"encounterIndex\"]=3,[\"data\"]=", type);
  ogrh_lua_serialize(v, &s);
  ogrh_buf_adds(&s, ",[\"timestamp\"]=1964672.92,[\"token\"]=\"1964672.92_261696\"}");
  size_t P = strlen(inner_prefix), D = 161 - P, W = s.n;
  size_t chunks = W <= D ? 1 : (W + D - 1) / D;
  size_t *lens = malloc(chunks * sizeof *lens);
  cost k = {0, chunks, 0};
  for (size_t i = 0; i < chunks; i++) {
    size_t d = chunks == 1 ? W : (i + 1 < chunks ? D : W - i * D);
    lens[i] = chunks == 1 ? 7 + P + d : 23 + P + d;
    k.bytes += 5 + lens[i]; /* "OGAM" + tab + text */
  }
  k.seconds = ctl_seconds("OGAM", lens, chunks);
  free(lens);
  ogrh_buf_deinit(&s);
  return k;
}

static void row(const char *what, cost a, cost b) {
  printf("%-34s %9zu %6zu %8.2f   %9zu %6zu %8.2f   %6.1fx\n", what, a.bytes, a.messages, a.seconds,
         b.bytes, b.messages, b.seconds, (double)b.bytes / (double)a.bytes);
}

static int cmp_size(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_wire FILE\n");
    return 2;
  }
  ogrh_wire_cfg c;
  ogrh_wire_cfg_default(&c);
  /* 1. Rate. */
  size_t big = 200 * 1024;
  uint8_t *data = malloc(big);
  ogrh_rng r;
  ogrh_rng_seed(&r, 1);
  for (size_t i = 0; i < big; i++)
    data[i] = (uint8_t)ogrh_rng_next(&r);
  ogrh_frames f;
  ogrh_frames_init(&f);
  ogrh_wire_pack(&c, 1, OGRH_MT_REPAIR, NULL, data, big, true, &f);
  double secs = ctl_seconds(c.prefix, f.len, f.n);
  /* The first 4000 bytes of budget leave at once: measure the rate after that burst. */
  double burst_bytes = 4000.0 / 295.0 * 246.0;
  double rate = ((double)big - burst_bytes) / secs;
  double P = (double)c.frame_text, limit = 800.0 * P / (P + 40.0 + (double)strlen(c.prefix));
  printf("rate_bytes_per_second %.1f\nrate_limit %.1f\nrate_fraction %.4f\n", rate, limit,
         rate / limit);
  printf("rate_frames %zu\nrate_seconds %.2f\n", f.n, secs);
  /* The channel-safe transform's cost on incompressible data: text bytes over raw bytes. */
  size_t raw_total = 0, text_total = 0;
  for (size_t i = 0; i < f.n; i++)
    text_total += f.len[i];
  raw_total = f.compressed_bytes + 3 * f.n;
  printf("transform_overhead %.4f (text %zu bytes for %zu raw frame bytes)\n",
         (double)text_total / (double)raw_total - 1.0, text_total, raw_total);
  ogrh_frames_deinit(&f);
  free(data);

  /* 2. Units of the document. */
  ogrh_doc *d;
  ogrh_err err;
  if (ogrh_doc_load(argv[1], &d, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  ogrh_arena *a = ogrh_arena_new();
  printf("\n%-34s %9s %6s %8s   %9s %6s %8s   %7s\n", "unit", "ogrh B", "msgs", "seconds",
         "addon B", "msgs", "seconds", "ratio");
  cost comp_ours[OGRH_NCOMPONENTS] = {{0}}, comp_addon[OGRH_NCOMPONENTS] = {{0}};
  size_t nenc = 0, ncomp[OGRH_NCOMPONENTS] = {0};
  size_t enc_sizes[4096];
  struct {
    cost o, a;
    const ogrh_value *v;
    const char *rn, *en;
    size_t rl, el;
  } encs[4096], raids[512];
  size_t nraids = 0;
  ogrh_table *rt = ogrh_doc_raids(d);
  for (uint32_t i = 0; rt && i < rt->n; i++) {
    if (rt->e[i].val.type != OGRH_TABLE) continue;
    size_t rl;
    const char *rn = ogrh_table_name(rt->e[i].val.u.t, &rl);
    raids[nraids].o = ours(&c, OGRH_UNIT_RAID, rn, rl, NULL, 0, 0, &rt->e[i].val);
    raids[nraids].a = addon("OGRH03_SYNC_RAID_RESPONSE", "RAID", &rt->e[i].val);
    rt_add(OGRH_UNIT_RAID, rn, rl, NULL, 0, 0, &rt->e[i].val);
    nraids++;
    const ogrh_value *ev = ogrh_table_gets(rt->e[i].val.u.t, "encounters");
    for (uint32_t j = 0; ev && ev->type == OGRH_TABLE && j < ev->u.t->n && nenc < 4096; j++) {
      const ogrh_value *e = &ev->u.t->e[j].val;
      if (e->type != OGRH_TABLE) continue;
      size_t el;
      const char *en = ogrh_table_name(e->u.t, &el);
      encs[nenc].o = ours(&c, OGRH_UNIT_ENCOUNTER, rn, rl, en, el, 0, e);
      encs[nenc].a = addon("OGRH03_SYNC_REPAIR_PACKET_ENCOUNTER", "ENCOUNTER", e);
      rt_add(OGRH_UNIT_ENCOUNTER, rn, rl, en, el, 0, e);
      enc_sizes[nenc] = encs[nenc].o.bytes * 4096 + nenc;
      nenc++;
      for (int k = 0; k < OGRH_NCOMPONENTS; k++) {
        ogrh_value pv;
        ogrh_component_project(a, e->u.t, k, &pv);
        rt_add(OGRH_UNIT_COMPONENT, rn, rl, en, el, k, &pv);
        cost o = ours(&c, OGRH_UNIT_COMPONENT, rn, rl, en, el, k, &pv);
        cost ad = addon("OGRH03_SYNC_COMPONENT_RESPONSE", "COMPONENT", &pv);
        comp_ours[k].bytes += o.bytes, comp_ours[k].messages += o.messages,
            comp_ours[k].seconds += o.seconds;
        comp_addon[k].bytes += ad.bytes, comp_addon[k].messages += ad.messages,
            comp_addon[k].seconds += ad.seconds;
        ncomp[k]++;
      }
    }
  }
  for (int k = 0; k < OGRH_NCOMPONENTS; k++) {
    char what[64];
    snprintf(what, sizeof what, "%s (mean of %zu)", ogrh_component_name(k), ncomp[k]);
    cost o = {comp_ours[k].bytes / ncomp[k], (comp_ours[k].messages + ncomp[k] / 2) / ncomp[k],
              comp_ours[k].seconds / (double)ncomp[k]};
    cost ad = {comp_addon[k].bytes / ncomp[k], (comp_addon[k].messages + ncomp[k] / 2) / ncomp[k],
               comp_addon[k].seconds / (double)ncomp[k]};
    row(what, o, ad);
  }
  qsort(enc_sizes, nenc, sizeof *enc_sizes, cmp_size);
  size_t med = enc_sizes[nenc / 2] % 4096, max = enc_sizes[nenc - 1] % 4096;
  size_t tot_o = 0, tot_a = 0;
  for (size_t i = 0; i < nenc; i++)
    tot_o += encs[i].o.bytes, tot_a += encs[i].a.bytes;
  row("encounter (median by size)", encs[med].o, encs[med].a);
  row("encounter (largest)", encs[max].o, encs[max].a);
  printf("encounter_ratio_median %.2f\nencounter_ratio_all %.2f\n",
         (double)encs[med].a.bytes / (double)encs[med].o.bytes, (double)tot_a / (double)tot_o);
  size_t rmax = 0;
  for (size_t i = 1; i < nraids; i++)
    if (raids[i].o.bytes > raids[rmax].o.bytes) rmax = i;
  row("raid (largest)", raids[rmax].o, raids[rmax].a);
  for (size_t i = 0; i < nraids && i < 6; i++) {
    char what[64];
    snprintf(what, sizeof what, "raid %zu", i + 1);
    row(what, raids[i].o, raids[i].a);
  }
  /* The whole plan: only the synced part of the root, as a full repair carries it. */
  ogrh_value plan;
  if (ogrh_schema_synced(a, ogrh_doc_root(d), &plan)) return 1;
  cost wo = ours(&c, OGRH_UNIT_FULL, NULL, 0, NULL, 0, 0, &plan);
  cost wa = addon("OGRH03_SYNC_REPAIR_PACKET_STRUCTURE", "STRUCTURE", &plan);
  row("whole plan", wo, wa);
  printf("whole_seconds %.2f\nwhole_addon_seconds %.2f\n", wo.seconds, wa.seconds);
  /* 3. CPU of sending and receiving every unit once. */
  ogrh_reasm *ra = ogrh_reasm_new(&c, NULL, 1, rt_deliver, NULL, NULL, NULL);
  size_t msgs = 0;
  double t0 = bench_now();
  wire_roundtrip(&c, ra, &msgs);
  double dt = bench_now() - t0;
  ogrh_reasm_free(ra);
  printf("roundtrip_messages %zu\nroundtrip_body_bytes %zu\nroundtrip_us_per_message %.1f\n", msgs,
         rt_bytes, dt * 1e6 / (double)msgs);
  ogrh_arena_free(a);
  ogrh_doc_free(d);
  return 0;
}
