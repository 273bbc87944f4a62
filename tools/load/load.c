/*
** load.c
** ogrh-load: many players of the live system in one process, for the scale benchmark
** (scripts/bench_live.sh). Each player is what `ogrh node` runs, minus the file and the HTTP
** API: the library's sync node (ogrh_node, its own plan: the factory defaults) on its own MQTT
** connection (tools/node_mqtt.c, its own account). Teams are TEAM-prefixed numbers; in each,
** player 1 is the raid leader (the admin), the rest members; the roster is given to the nodes
** directly (the broker's retained roster is `ogrh roster`'s part and is not measured here).
**
** After every player is connected and a warm-up, each team's leader writes one assignment
** every --every ms (teams staggered across that interval), --edits times. Every other player
** of the team notes when the write reaches its plan (a subscription to its document): the
** edit-to-visible latency, on this process's monotonic clock. At the end: one JSON line on
** stdout with the counts and percentiles, and with --out every latency in ms, one per line.
**
** usage: ogrh-load --broker HOST:PORT --password PW --prefix t --first 0 --teams 10 --size 40
**                  [--edits 20] [--every 2000] [--warmup 5000] [--drain 5000] [--out FILE]
**                  [--start-at WALL_MS] [--hold 1]
*/
#define _DEFAULT_SOURCE
#include "../node_live.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ogrh/node.h"

#define SLOT "encounterMgmt.raids.2.encounters.1.roles.2.assignedPlayers.1"

typedef struct team team;

typedef struct player {
  team *t;
  int index; /* 0: the leader */
  char name[OGRH_NAME_MAX + 1];
  ogrh_node *node;
  live_mqtt *mqtt;
  uint64_t next_node, next_mqtt;
  size_t seen; /* edits seen */
} player;

struct team {
  char name[OGRH_NAME_MAX + 1];
  player *p;
  size_t n;
  uint64_t *edit_at; /* when edit k was made (0: not yet) */
  size_t edits_made;
  uint64_t offset; /* the team's place in each interval */
};

typedef struct run {
  team *teams;
  size_t nteams, nplayers, connected;
  double *lat;
  size_t nlat, caplat;
  live_log log;
} run;

static run R;

static void out_frame(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  (void)now;
  player *p = ud;
  live_mqtt_publish_frame(p->mqtt, prefix, text, n);
}

static void on_frame(void *ud, const char *sender, const char *prefix, const uint8_t *text,
                     size_t n) {
  player *p = ud;
  uint64_t now = live_now_ms();
  ogrh_node_receive(p->node, sender, prefix, text, n, now);
  p->next_node = now; /* whatever it started, tick soon */
}

static void on_state(void *ud, bool connected) {
  player *p = ud;
  R.connected += connected ? 1 : (size_t)-1;
  ogrh_node_set_conditions(p->node, false, !connected, true, live_now_ms());
}

/* A write reached a player's plan: if it is one of the leader's edits, note the latency. */
static void on_change(void *ud, const ogrh_change *c) {
  player *p = ud;
  if (p->index == 0 || !c->path_text || strcmp(c->path_text, SLOT) != 0) return;
  if (c->new_value->type != OGRH_STRING) return;
  /* The value is TEAMeK: K after the last 'e'. */
  const char *s = c->new_value->u.s;
  size_t len = c->new_value->len, at = len;
  while (at && s[at - 1] != 'e')
    at--;
  if (!at) return;
  size_t k = 0;
  for (size_t i = at; i < len && s[i] >= '0' && s[i] <= '9'; i++)
    k = k * 10 + (size_t)(s[i] - '0');
  team *t = p->t;
  if (k >= t->edits_made || !t->edit_at[k]) return;
  if (ogrh_grow(&R.lat, &R.caplat, R.nlat + 1, sizeof *R.lat) == OGRH_OK)
    R.lat[R.nlat++] = (double)(live_now_ms() - t->edit_at[k]);
  p->seen++;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double q) {
  if (!R.nlat) return 0;
  size_t i = (size_t)(q * (double)(R.nlat - 1) + 0.5);
  return R.lat[i];
}

static long long wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *arg(int argc, char **argv, const char *name, const char *def) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}

static void pump(uint64_t until) {
  size_t cap = R.nplayers;
  struct pollfd *fds = calloc(cap, sizeof *fds);
  player **who = calloc(cap, sizeof *who);
  if (!fds || !who) exit(1);
  for (;;) {
    uint64_t now = live_now_ms();
    if (now >= until) break;
    uint64_t next = until;
    size_t nf = 0;
    for (size_t ti = 0; ti < R.nteams; ti++)
      for (size_t i = 0; i < R.teams[ti].n; i++) {
        player *p = &R.teams[ti].p[i];
        if (now >= p->next_mqtt) p->next_mqtt = live_mqtt_tick(p->mqtt, now);
        if (now >= p->next_node) {
          ogrh_node_tick(p->node, now);
          p->next_node = ogrh_node_next_tick(p->node, now);
        }
        if (p->next_mqtt < next) next = p->next_mqtt;
        if (p->next_node < next) next = p->next_node;
        int fd = live_mqtt_fd(p->mqtt);
        if (fd >= 0) {
          fds[nf] = (struct pollfd){fd, live_mqtt_events(p->mqtt), 0};
          who[nf++] = p;
        }
      }
    now = live_now_ms();
    int wait = next > now ? (int)(next - now > 100 ? 100 : next - now) : 0;
    int k = poll(fds, (nfds_t)nf, wait);
    if (k < 0 && errno != EINTR) break;
    for (size_t i = 0; k > 0 && i < nf; i++)
      if (fds[i].revents) live_mqtt_io(who[i]->mqtt, fds[i].revents);
  }
  free(fds);
  free(who);
}

int main(int argc, char **argv) {
  const char *broker = arg(argc, argv, "--broker", NULL);
  const char *password = arg(argc, argv, "--password", NULL);
  const char *prefix = arg(argc, argv, "--prefix", "t");
  const char *out = arg(argc, argv, "--out", NULL);
  long first = strtol(arg(argc, argv, "--first", "0"), NULL, 10);
  long nteams = strtol(arg(argc, argv, "--teams", "1"), NULL, 10);
  long size = strtol(arg(argc, argv, "--size", "40"), NULL, 10);
  long edits = strtol(arg(argc, argv, "--edits", "20"), NULL, 10);
  long every = strtol(arg(argc, argv, "--every", "2000"), NULL, 10);
  long warmup = strtol(arg(argc, argv, "--warmup", "5000"), NULL, 10);
  long drain = strtol(arg(argc, argv, "--drain", "5000"), NULL, 10);
  char host[256];
  int port;
  if (!broker || !password || nteams < 1 || size < 2 || size > 1000 || edits < 0 || every < 1 ||
      live_parse_hostport(broker, 1883, host, sizeof host, &port) != OGRH_OK) {
    fprintf(stderr, "usage: ogrh-load --broker HOST:PORT --password PW [--prefix t] [--first N]\n"
                    "                 [--teams N] [--size N] [--edits N] [--every MS] "
                    "[--warmup MS]\n                 [--drain MS] [--out FILE]\n");
    return 2;
  }
  live_log_init(&R.log, stderr, false, -1, "load");
  R.nteams = (size_t)nteams;
  R.teams = calloc(R.nteams, sizeof *R.teams);
  if (!R.teams) return 1;
  uint64_t t0 = live_now_ms();
  for (size_t ti = 0; ti < R.nteams; ti++) {
    team *t = &R.teams[ti];
    if (strlen(prefix) > 16) return 2;
    snprintf(t->name, sizeof t->name, "%s%03ld", prefix, first + (long)ti);
    t->n = (size_t)size;
    t->p = calloc(t->n, sizeof *t->p);
    t->edit_at = calloc((size_t)edits + 1, sizeof *t->edit_at);
    ogrh_member *m = calloc(t->n, sizeof *m);
    if (!t->p || !t->edit_at || !m) return 1;
    t->offset = (uint64_t)every * ti / R.nteams;
    for (size_t i = 0; i < t->n; i++) {
      player *p = &t->p[i];
      p->t = t;
      p->index = (int)i;
      char nm[128];
      snprintf(nm, sizeof nm, "%sp%02u", t->name, (unsigned)(i + 1));
      if (strlen(nm) > OGRH_NAME_MAX) return 2;
      memcpy(p->name, nm, strlen(nm) + 1);
      m[i] = (ogrh_member){p->name, i == 0 ? 2 : 0, true};
    }
    for (size_t i = 0; i < t->n; i++) {
      player *p = &t->p[i];
      ogrh_node_cfg cfg;
      ogrh_node_cfg_default(&cfg);
      cfg.self = p->name;
      cfg.seed = t0 ^ ((uint64_t)ti << 32) ^ i;
      cfg.now_ms = live_now_ms();
      cfg.out = out_frame;
      cfg.ud = p;
      ogrh_ctl_profile("unlimited", &cfg.ctl);
      int rc = ogrh_node_new(&cfg, &p->node);
      if (rc) {
        fprintf(stderr, "ogrh-load: %s: cannot create the node: %s\n", p->name, ogrh_strerror(rc));
        return 1;
      }
      ogrh_node_set_roster(p->node, m, t->n, cfg.now_ms);
      ogrh_node_set_conditions(p->node, false, true, true, cfg.now_ms);
      if (ogrh_doc_subscribe(ogrh_node_doc(p->node), on_change, p) < 0) return 1;
      live_mqtt_cfg mc = {host, port, t->name, p->name, password, NULL, true, 30};
      live_mqtt_cb cb = {on_frame, NULL, on_state, p};
      ogrh_err err;
      if (live_mqtt_new(&mc, &cb, &R.log, &p->mqtt, &err)) {
        fprintf(stderr, "ogrh-load: %s: %s\n", p->name, ogrh_err_msg(&err));
        return 1;
      }
      R.nplayers++;
    }
    free(m);
  }
  uint64_t built = live_now_ms();
  /* Everyone connected (or a minute passed), then the warm-up. */
  while (R.connected < R.nplayers && live_now_ms() < built + 60000)
    pump(live_now_ms() + 200);
  uint64_t connected_at = live_now_ms();
  size_t connected = R.connected;
  pump(connected_at + (uint64_t)warmup);
  /* --start-at (wall clock, ms): several processes edit over the same interval. */
  long long start_at = strtoll(arg(argc, argv, "--start-at", "0"), NULL, 10);
  long long wall = wall_ms();
  if (start_at > wall) pump(live_now_ms() + (uint64_t)(start_at - wall));
  printf("{\"phase\": \"edits\", \"wall\": %lld}\n", wall_ms());
  fflush(stdout);
  uint64_t start = live_now_ms();
  for (long k = 0; k < edits; k++) {
    for (size_t ti = 0; ti < R.nteams; ti++) {
      team *t = &R.teams[ti];
      uint64_t at = start + (uint64_t)k * (uint64_t)every + t->offset;
      if (live_now_ms() < at) pump(at);
      char value[128];
      snprintf(value, sizeof value, "%se%ld", t->name, k);
      ogrh_value v = ogrh_vcstr(value);
      t->edit_at[k] = live_now_ms();
      t->edits_made = (size_t)k + 1;
      ogrh_sync_meta meta = {OGRH_SYNC_REALTIME, NULL, NULL};
      ogrh_err err;
      if (ogrh_node_set(t->p[0].node, SLOT, &v, &meta, t->edit_at[k], &err))
        fprintf(stderr, "ogrh-load: %s: edit %ld refused: %s\n", t->name, k, ogrh_err_msg(&err));
      t->p[0].next_node = t->edit_at[k];
    }
  }
  printf("{\"phase\": \"drain\", \"wall\": %lld}\n", wall_ms());
  fflush(stdout);
  pump(live_now_ms() + (uint64_t)drain);
  qsort(R.lat, R.nlat, sizeof *R.lat, cmp_double);
  size_t expected = R.nteams * (size_t)edits * ((size_t)size - 1);
  printf("{\"teams\": %zu, \"players\": %zu, \"connected\": %zu, \"build_ms\": %" PRIu64
         ", \"connect_ms\": %" PRIu64 ", \"expected\": %zu, \"seen\": %zu, \"p50\": %.0f, "
         "\"p90\": %.0f, \"p99\": %.0f, \"max\": %.0f}\n",
         R.nteams, R.nplayers, connected, built - t0, connected_at - built, expected, R.nlat,
         pct(0.5), pct(0.9), pct(0.99), R.nlat ? R.lat[R.nlat - 1] : 0.0);
  if (out) {
    FILE *f = fopen(out, "w");
    if (f) {
      for (size_t i = 0; i < R.nlat; i++)
        fprintf(f, "%.0f\n", R.lat[i]);
      fclose(f);
    }
  }
  fflush(stdout);
  /* The benchmark reads this process's CPU time before it exits: wait to be told. */
  if (strcmp(arg(argc, argv, "--hold", "0"), "1") == 0) {
    char c;
    while (fread(&c, 1, 1, stdin) == 1) {
    }
  }
  for (size_t ti = 0; ti < R.nteams; ti++) {
    for (size_t i = 0; i < R.teams[ti].n; i++) {
      live_mqtt_free(R.teams[ti].p[i].mqtt, 0);
      ogrh_node_free(R.teams[ti].p[i].node);
    }
    free(R.teams[ti].p);
    free(R.teams[ti].edit_at);
  }
  free(R.teams);
  free(R.lat);
  live_log_deinit(&R.log);
  return 0;
}
