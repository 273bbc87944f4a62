/*
** bench_node: the sync node's CPU, memory and bytes.
** usage: bench_node FILE MODE [N]
**   MODE report : everything below, as "key value" lines
**   MODE idle   : N idle ticks of a synced admin and member (callgrind --toggle-collect=idle_ticks)
**   MODE delta  : N single-assignment deltas received by a member (--toggle-collect=apply_deltas)
** FILE is the plan every node holds (e.g. the factory defaults with generated assignments).
**
** The channel here is a minimal one (every frame to every other node 50 ms later, no loss):
** the figures are the node's own, not the network's.
*/
#include "bench.h"

#include <stdio.h>
#include <string.h>

#define MAXN 4

typedef struct frame {
  uint64_t at;
  int from;
  char prefix[17];
  uint8_t text[256];
  size_t n;
} frame;

typedef struct bnode {
  ogrh_node *n;
  char name[16];
  uint64_t wire; /* bytes on the wire: prefix + text of every frame */
  int mismatch, done, failed;
} bnode;

static bnode nodes[MAXN];
static int nnodes;
static frame *q;
static size_t nq, capq;
static uint64_t now_ms;
static const char *file;
static bool measure;
static double max_call;
static char max_call_what[64];

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void note(double t0, const char *what, const char *who) {
  double d = cpu_now() - t0;
  if (measure && d > max_call) {
    max_call = d;
    snprintf(max_call_what, sizeof max_call_what, "%s (%s)", what, who);
  }
}

static void out(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  bnode *b = ud;
  b->wire += strlen(prefix) + n;
  if (nq == capq) {
    capq = capq ? capq * 2 : 1024;
    q = realloc(q, capq * sizeof *q);
    if (!q) exit(1);
  }
  frame *f = &q[nq++];
  f->at = now + 50;
  f->from = (int)(b - nodes);
  snprintf(f->prefix, sizeof f->prefix, "%s", prefix);
  memcpy(f->text, text, n);
  f->n = n;
}

static void on_event(void *ud, const ogrh_event *e) {
  bnode *b = ud;
  if (e->kind == OGRH_EV_MISMATCH) b->mismatch++;
  if (e->kind == OGRH_EV_REPAIR_DONE) b->done++;
  if (e->kind == OGRH_EV_REPAIR_FAILED) b->failed++;
}

static ogrh_doc *load(void) {
  ogrh_doc *d;
  ogrh_err err;
  if (ogrh_doc_load(file, &d, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    exit(1);
  }
  return d;
}

static bnode *add(const char *name) {
  bnode *b = &nodes[nnodes++];
  memset(b, 0, sizeof *b);
  snprintf(b->name, sizeof b->name, "%s", name);
  ogrh_node_cfg c;
  ogrh_node_cfg_default(&c);
  c.self = b->name;
  c.doc = load();
  c.seed = (uint64_t)nnodes;
  c.now_ms = now_ms;
  c.out = out;
  c.event = on_event;
  c.ud = b;
  if (ogrh_node_new(&c, &b->n)) exit(1);
  return b;
}

static void roster(void) {
  ogrh_member m[MAXN];
  for (int i = 0; i < nnodes; i++)
    m[i] = (ogrh_member){nodes[i].name, i == 0 ? 2 : i == 1 ? 1 : 0, true};
  for (int i = 0; i < nnodes; i++) {
    ogrh_node_set_roster(nodes[i].n, m, (size_t)nnodes, now_ms);
    ogrh_node_set_conditions(nodes[i].n, false, false, true, now_ms);
  }
}

/* Runs the channel: 60 client frames a second, frames delivered when due. */
static void run(uint64_t ms) {
  uint64_t until = now_ms + ms;
  while (now_ms < until) {
    now_ms += 16;
    size_t k = 0;
    for (size_t i = 0; i < nq; i++) {
      frame f = q[i];
      if (f.at > now_ms) {
        q[k++] = f;
        continue;
      }
      for (int j = 0; j < nnodes; j++) {
        if (j == f.from) continue;
        double t0 = cpu_now();
        ogrh_node_receive(nodes[j].n, nodes[f.from].name, f.prefix, f.text, f.n, now_ms);
        note(t0, "receive", nodes[j].name);
      }
    }
    nq = k;
    for (int j = 0; j < nnodes; j++) {
      double t0 = cpu_now();
      ogrh_node_tick(nodes[j].n, now_ms);
      note(t0, "tick", nodes[j].name);
    }
  }
}

static void setup(int n) {
  const char *names[] = {"Lead", "Assist", "Member", "Other"};
  for (int i = 0; i < n; i++)
    add(names[i]);
  roster();
  run(8000);
}

static void teardown(void) {
  for (int i = 0; i < nnodes; i++)
    ogrh_node_free(nodes[i].n);
  nnodes = 0;
  nq = 0;
}

static void drift(bnode *b, const char *path, const char *lit) {
  ogrh_arena *a = ogrh_arena_new();
  ogrh_value v;
  if (ogrh_value_parse_literal(a, lit, strlen(lit), &v, NULL) ||
      ogrh_doc_set_path(ogrh_node_doc(b->n), path, &v, NULL, NULL))
    exit(1);
  ogrh_arena_free(a);
}

static uint64_t wire_all(void) {
  uint64_t w = 0;
  for (int i = 0; i < nnodes; i++)
    w += nodes[i].wire;
  return w;
}

/* ---- callgrind targets ---- */

__attribute__((noinline)) void idle_ticks(int n);
__attribute__((noinline)) void idle_ticks(int n) {
  for (int i = 0; i < n; i++) {
    now_ms += 16;
    ogrh_node_tick(nodes[0].n, now_ms);
    ogrh_node_tick(nodes[2].n, now_ms);
  }
}

__attribute__((noinline)) void apply_deltas(const frame *f, int n);
__attribute__((noinline)) void apply_deltas(const frame *f, int n) {
  for (int i = 0; i < n; i++)
    ogrh_node_receive(nodes[2].n, "Lead", f[i].prefix, f[i].text, f[i].n, now_ms + (uint64_t)i);
}

/* N deltas of the admin, captured as frames (one frame each). */
static frame *capture_deltas(int n) {
  frame *f = malloc((size_t)n * sizeof *f);
  ogrh_arena *a = ogrh_arena_new();
  for (int i = 0; i < n; i++) {
    nq = 0;
    char path[128];
    snprintf(path, sizeof path, "encounterMgmt.raids.2.encounters.%d.roles.1.assignedPlayers.%d",
             1 + i % 8, 1 + i % 3);
    ogrh_value v = ogrh_vcstr(i % 2 ? "Tankadin" : "Warbob");
    if (ogrh_node_set(nodes[0].n, path, &v, NULL, now_ms, NULL)) exit(1);
    /* A realtime delta leaves at once, in one frame (a poll may follow it). */
    if (nq < 1) {
      fprintf(stderr, "no delta left\n");
      exit(1);
    }
    f[i] = q[0];
    now_ms += 300;
  }
  nq = 0;
  ogrh_arena_free(a);
  return f;
}

/* ---- the report ---- */

/* A repair of one kind: drift on the member, the member asks at the given level; bytes. */
static void repair_bytes(const char *key, const char *path, const char *lit, ogrh_repair_level lv,
                         const char *raid) {
  setup(3);
  bnode *m = &nodes[2];
  drift(m, path, lit);
  ogrh_node_repair_req req = {lv, NULL, raid, NULL};
  if (ogrh_node_repair(m->n, &req, now_ms)) exit(1);
  int done = m->done;
  uint64_t t0 = now_ms;
  /* Count from the request on: the plan and the units (drill-down is measured apart). */
  ogrh_node_status st;
  do {
    run(16);
    ogrh_node_status_get(m->n, &st);
  } while (st.repair != OGRH_RS_RECEIVING && now_ms - t0 < 60000);
  uint64_t w0 = nodes[0].wire;
  while (m->done == done && !m->failed && now_ms - t0 < 600000)
    run(16);
  printf("%s_bytes %llu\n", key, (unsigned long long)(nodes[0].wire - w0));
  printf("%s_seconds %.1f\n", key, (double)(now_ms - t0) / 1000);
  teardown();
}

/* What OGAddonMsg puts on the wire for len bytes of text under an inner prefix: chunks of
** 161 - P data bytes behind a 23 + P byte header, each sent as "OGAM" TAB text (research
** ogaddonmsg.md §3.2-3.4). */
static size_t addon_wire(const char *inner, size_t len) {
  size_t P = strlen(inner), D = 161 - P, chunks = (len + D - 1) / D;
  return chunks * (5 + 23 + P) + len;
}

static void report(void) {
  /* Memory: one node holding the plan, its log full, its outbox holding writes. */
  bench_count_heap();
  size_t base = bench_live;
  setup(1);
  size_t node_only = bench_live - base;
  ogrh_node *a = nodes[0].n;
  for (int i = 0; i < 300; i++) {
    char path[128];
    snprintf(path, sizeof path, "encounterMgmt.raids.%d.encounters.%d.roles.1.assignedPlayers.%d",
             1 + i % 4, 1 + i % 10, 1 + i % 5);
    ogrh_value v = ogrh_vcstr(i % 2 ? "Tankadin" : "Warbob");
    ogrh_node_set(a, path, &v, NULL, now_ms, NULL);
    run(50);
  }
  ogrh_node_set_conditions(a, true, false, true, now_ms);
  for (int i = 0; i < 200; i++) {
    char path[128];
    snprintf(path, sizeof path, "encounterMgmt.raids.%d.encounters.%d.roles.2.assignedPlayers.%d",
             1 + i % 4, 1 + (i / 4) % 10, 1 + i / 40);
    ogrh_value v = ogrh_vcstr("Offline");
    ogrh_node_set(a, path, &v, NULL, now_ms, NULL);
  }
  ogrh_node_status st;
  ogrh_node_status_get(a, &st);
  printf("heap_node_bytes %zu\n", node_only);
  printf("heap_node_log_outbox_bytes %zu\n", bench_live - base);
  printf("log_entries %zu\n", st.log_entries);
  printf("outbox_writes %zu\n", st.outbox);
  teardown();
  ogrh_set_allocator(NULL, NULL);

  /* Poll bytes per 30 s: an idle synced raid. */
  setup(3);
  uint64_t w0 = wire_all();
  run(300000);
  printf("idle_bytes_per_30s %.1f\n", (double)(wire_all() - w0) / 10);
  const ogrh_node_stats *s = ogrh_node_stats_get(nodes[0].n);
  printf("poll_body_bytes %.1f\n",
         (double)s->sent_bytes[OGRH_MT_POLL] / (double)s->sent[OGRH_MT_POLL]);
  teardown();

  /* Drill-down for one differing component in the largest raid (Naxx). */
  for (int ctx = 0; ctx < 2; ctx++) {
    setup(3);
    if (ctx) ogrh_node_set_context(nodes[0].n, "Naxx", NULL, now_ms);
    bnode *m = &nodes[2];
    drift(m, "encounterMgmt.raids.4.encounters.7.roles.1.assignedPlayers.1", "\"Drift\"");
    /* Wait for the poll, then count what flows until the mismatch is known. */
    uint64_t polls = ogrh_node_stats_get(m->n)->polls_heard;
    while (ogrh_node_stats_get(m->n)->polls_heard == polls)
      run(16);
    uint64_t d0 = wire_all(), t0 = now_ms;
    while (!m->mismatch && now_ms - t0 < 60000)
      run(16);
    printf("drill_bytes%s %llu\n", ctx ? "_naxx_polled" : "",
           (unsigned long long)(wire_all() - d0));
    printf("drill_seconds%s %.2f\n", ctx ? "_naxx_polled" : "", (double)(now_ms - t0) / 1000);
    teardown();
  }

  /* Bytes per repair kind (the admin's side: plan and units). */
  repair_bytes("component", "encounterMgmt.raids.4.encounters.7.roles.1.assignedPlayers.1",
               "\"Drift\"", OGRH_REPAIR_COMPONENT, NULL);
  repair_bytes("encounter", "encounterMgmt.raids.4.encounters.7.roles.1.assignedPlayers.1",
               "\"Drift\"", OGRH_REPAIR_ENCOUNTER, NULL);
  repair_bytes("raid_naxx", "encounterMgmt.raids.4.encounters.7.roles.1.assignedPlayers.1",
               "\"Drift\"", OGRH_REPAIR_RAID, "Naxx");
  repair_bytes("global", "consumes.drift", "1", OGRH_REPAIR_AUTO, NULL);

  /* A full repair: bytes, and the largest single call (CPU) on either side. */
  measure = true;
  max_call = 0;
  repair_bytes("full", "encounterMgmt.raids.4.encounters.7.roles.1.assignedPlayers.1", "\"Drift\"",
               OGRH_REPAIR_FULL, NULL);
  printf("full_repair_max_call_ms %.3f\n", max_call * 1000);
  printf("full_repair_max_call %s\n", max_call_what);
  measure = false;

  /* The original's poll ([P6] lightweight poll) as OGAddonMsg carries it: Lua text in chunks of
     161 - P bytes behind a 23 + P byte header, prefix OGAM (research §4.2, ogaddonmsg §3). */
  const char *p6 =
      "T:{[\"global\"]={[\"tradeItems\"]=\"1234567890\",[\"consumes\"]=\"1234567890\"},"
      "[\"raids\"]={[\"BWL\"]={[\"raidChecksum\"]=\"1234567890\"}},[\"aggregate\"]="
      "219755091199,[\"timestamp\"]=1964672.92,[\"version\"]=\"2.1.15\","
      "[\"currentRaid\"]=\"BWL\",[\"currentEncounter\"]=\"Razorgore\",[\"structure\"]="
      "\"1234567890\",[\"rolesUI\"]=\"1234567890\",[\"assignments\"]=\"1234567890\"}";
  printf("addon_poll_bytes %zu\n", addon_wire("OGRH03_SYNC_CHECKSUM_POLL", strlen(p6)));
  /* Its drill-down answer for Naxx ([P6] CHECKSUM_DRILLDOWN_RESPONSE): every encounter with its
     checksum, its six component checksums and its position, as Lua text. */
  ogrh_doc *d = load();
  ogrh_buf t;
  ogrh_buf_init(&t);
  ogrh_buf_adds(&t, "T:{[\"raidName\"]=\"Naxx\",[\"raidPosition\"]=4,[\"raidChecksum\"]="
                    "\"1234567890\",[\"encounters\"]={");
  const ogrh_table *encs = ogrh_raid_encounters(ogrh_doc_raid(d, 4));
  for (uint32_t i = 0; encs && i < encs->n; i++) {
    size_t nl;
    const char *nm = ogrh_table_name(encs->e[i].val.u.t, &nl);
    ogrh_buf_printf(&t, "[\"%.*s\"]={[\"encounterChecksum\"]=\"1234567890\",[\"components\"]={",
                    (int)nl, nm);
    for (int c = 0; c < OGRH_NCOMPONENTS; c++)
      ogrh_buf_printf(&t, "[\"%s\"]=\"1234567890\",", ogrh_component_name(c));
    ogrh_buf_printf(&t, "},[\"position\"]=%u},", i + 1);
  }
  ogrh_buf_adds(&t, "},[\"timestamp\"]=1964672.92}");
  printf("addon_drill_naxx_bytes %zu\n",
         addon_wire("OGRH03_SYNC_CHECKSUM_DRILLDOWN_RESPONSE", t.n));
  ogrh_buf_deinit(&t);
  ogrh_doc_free(d);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_node FILE report|idle|delta [N]\n");
    return 2;
  }
  file = argv[1];
  int n = argc > 3 ? atoi(argv[3]) : 1000;
  if (strcmp(argv[2], "report") == 0) {
    report();
  } else if (strcmp(argv[2], "idle") == 0) {
    setup(3);
    run(40000);
    idle_ticks(n);
    teardown();
  } else if (strcmp(argv[2], "delta") == 0) {
    setup(3);
    frame *f = capture_deltas(n);
    apply_deltas(f, n);
    ogrh_node_status st;
    ogrh_node_status_get(nodes[2].n, &st);
    if (st.revision < (uint64_t)n) {
      fprintf(stderr, "deltas not applied (revision %llu)\n", (unsigned long long)st.revision);
      return 1;
    }
    free(f);
    teardown();
  } else {
    return 2;
  }
  free(q);
  return 0;
}
