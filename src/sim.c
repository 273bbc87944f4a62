/*
** sim.c
** The raid channel as a discrete-event simulation: one binary heap of events ordered by time
** and then by the order they were scheduled in, so that equal times never depend on memory
** layout. Messages are stored once and shared by the copies in every receiver's inbound queue.
** Frames nobody needs are skipped, but a frame always falls on the client's grid (its phase
** plus whole periods), so skipping never moves a frame in time.
*/
#include "ogrh/sim.h"
#include "ogrh/util.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

void ogrh_sim_params_default(ogrh_sim_params *p) {
  memset(p, 0, sizeof *p);
  p->server_tick_ms = 50;
  p->latency_median_ms = 50;
  p->latency_sigma = 0.6;
  p->jitter_sigma = 0.12;
  p->loss = 0;
  p->flood_limit = false;
  p->flood_rate = 2000;
  p->flood_burst = 32768;
  p->max_text = 254;
  p->seed = 1;
}

/* One message on the channel, shared by its copies. */
typedef struct smsg {
  uint32_t refs;
  int sender;
  uint64_t sent_us;
  size_t n;
  char prefix[17];
  uint8_t text[];
} smsg;

typedef struct inbound {
  uint64_t at_us;
  smsg *m;
} inbound;

typedef struct client {
  char name[32];
  ogrh_sim_client_if ifc;
  void *ud;
  double fps, latency_ms;
  uint64_t phase_us;
  ogrh_sim_state state;
  bool in_group;
  uint64_t up_last, down_last; /* FIFO links: the last arrival on each */
  uint64_t loading_until;
  inbound *in; /* FIFO: [in_head, in_n) */
  size_t in_head, in_n, in_cap;
  uint64_t frame_at;                      /* the frame scheduled, UINT64_MAX when none */
  uint32_t frame_gen, life_gen, sess_gen; /* sess_gen: a new session after a disconnect */
  double flood_tokens;
  uint64_t flood_last;
} client;

enum { EV_FRAME = 1, EV_UPLINK, EV_RELAY, EV_ENTER, EV_TIMER };

typedef struct event {
  uint64_t t, seq;
  uint8_t kind;
  int32_t client;
  uint32_t gen;
  void *p;
  ogrh_sim_timer_fn fn;
} event;

struct ogrh_sim {
  ogrh_sim_params p;
  ogrh_rng rng;
  uint64_t now, seq;
  event *heap;
  size_t nheap, capheap;
  client *c;
  size_t nc, capc;
  ogrh_sim_stats st;
  uint64_t digest;
  uint32_t *bps;
  size_t nbps, capbps;
  ogrh_sim_trace_fn trace;
  void *trace_ud;
  const smsg *delivering;
  int err; /* the first allocation failure inside an event; reported by run_until */
};

/* ---- the heap ---- */

static bool ev_before(const event *a, const event *b) {
  return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int push(ogrh_sim *s, event e) {
  if (s->nheap == s->capheap && ogrh_grow(&s->heap, &s->capheap, s->nheap + 1, sizeof *s->heap))
    return s->err = OGRH_ENOMEM;
  e.seq = s->seq++;
  size_t i = s->nheap++;
  while (i > 0) {
    size_t up = (i - 1) / 2;
    if (!ev_before(&e, &s->heap[up])) break;
    s->heap[i] = s->heap[up];
    i = up;
  }
  s->heap[i] = e;
  return OGRH_OK;
}

static event pop(ogrh_sim *s) {
  event top = s->heap[0], last = s->heap[--s->nheap];
  size_t i = 0, n = s->nheap;
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l >= n) break;
    m = l;
    if (l + 1 < n && ev_before(&s->heap[l + 1], &s->heap[l])) m = l + 1;
    if (!ev_before(&s->heap[m], &last)) break;
    s->heap[i] = s->heap[m];
    i = m;
  }
  if (n) s->heap[i] = last;
  return top;
}

/* ---- random draws ---- */

static double normal(ogrh_sim *s) {
  /* Box-Muller; 1 - u keeps the logarithm finite. */
  double u = 1.0 - ogrh_rng_unit(&s->rng), v = ogrh_rng_unit(&s->rng);
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static uint64_t link_delay_us(ogrh_sim *s, const client *c) {
  double ms = c->latency_ms;
  if (s->p.jitter_sigma > 0) ms *= exp(s->p.jitter_sigma * normal(s));
  if (ms < 0.1) ms = 0.1;
  return (uint64_t)(ms * 1000.0);
}

uint64_t ogrh_sim_random(ogrh_sim *s) {
  return ogrh_rng_next(&s->rng);
}

/* ---- setup ---- */

ogrh_sim *ogrh_sim_new(const ogrh_sim_params *p) {
  ogrh_sim *s = ogrh_malloc(sizeof *s);
  if (!s) return NULL;
  memset(s, 0, sizeof *s);
  if (p)
    s->p = *p;
  else
    ogrh_sim_params_default(&s->p);
  if (!(s->p.server_tick_ms > 0)) s->p.server_tick_ms = 50;
  ogrh_rng_seed(&s->rng, s->p.seed);
  s->digest = 0x6f67726873696d00ull; /* "ogrhsim" */
  return s;
}

static void msg_unref(smsg *m) {
  if (m && --m->refs == 0) ogrh_free(m, sizeof *m + m->n);
}

static void purge_inbound(ogrh_sim *s, client *c, ogrh_sim_trace_kind why) {
  for (size_t i = c->in_head; i < c->in_n; i++) {
    if (why) {
      s->st.dropped_loading++;
      if (s->trace) {
        const smsg *m = c->in[i].m;
        ogrh_sim_trace t = {why, s->now, m->sender, (int)(c - s->c), m->prefix, m->text, m->n};
        s->trace(s->trace_ud, &t);
      }
    }
    msg_unref(c->in[i].m);
  }
  c->in_head = c->in_n = 0;
}

void ogrh_sim_free(ogrh_sim *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nc; i++) {
    purge_inbound(s, &s->c[i], 0);
    ogrh_free(s->c[i].in, s->c[i].in_cap * sizeof *s->c[i].in);
  }
  for (size_t i = 0; i < s->nheap; i++)
    if (s->heap[i].kind == EV_UPLINK || s->heap[i].kind == EV_RELAY) msg_unref(s->heap[i].p);
  ogrh_free(s->heap, s->capheap * sizeof *s->heap);
  ogrh_free(s->c, s->capc * sizeof *s->c);
  ogrh_free(s->bps, s->capbps * sizeof *s->bps);
  ogrh_free(s, sizeof *s);
}

/* ---- frames ---- */

/* The first frame of c's grid at or after t. */
static uint64_t grid_at(const client *c, uint64_t t) {
  if (t <= c->phase_us) return c->phase_us;
  double period = 1e6 / c->fps;
  uint64_t k = (uint64_t)ceil((double)(t - c->phase_us) / period);
  if (k) k--;
  for (;;) {
    uint64_t f = c->phase_us + (uint64_t)floor((double)k * period);
    if (f >= t) return f;
    k++;
  }
}

static void schedule_frame(ogrh_sim *s, int i, uint64_t t) {
  client *c = &s->c[i];
  if (c->state != OGRH_SIM_ONLINE) return;
  if (t < s->now) t = s->now;
  uint64_t f = grid_at(c, t);
  if (f >= c->frame_at) return;
  c->frame_at = f;
  c->frame_gen++;
  event e = {f, 0, EV_FRAME, i, c->frame_gen, NULL, NULL};
  push(s, e);
}

int ogrh_sim_add(ogrh_sim *s, const char *name, double fps, double latency_ms, bool online,
                 bool in_group, const ogrh_sim_client_if *ifc, void *ud) {
  if (!name || strlen(name) >= sizeof s->c->name || !*name || !ifc || !(fps >= 1 && fps <= 1000))
    return OGRH_EINVAL;
  if (ogrh_sim_find(s, name) >= 0) return OGRH_EEXIST;
  if (s->nc == s->capc && ogrh_grow(&s->c, &s->capc, s->nc + 1, sizeof *s->c)) return OGRH_ENOMEM;
  client *c = &s->c[s->nc];
  memset(c, 0, sizeof *c);
  memcpy(c->name, name, strlen(name) + 1);
  c->ifc = *ifc;
  c->ud = ud;
  c->fps = fps;
  if (latency_ms > 0) {
    c->latency_ms = latency_ms;
  } else {
    c->latency_ms = s->p.latency_median_ms * exp(s->p.latency_sigma * normal(s));
    if (c->latency_ms < 5) c->latency_ms = 5;
    if (c->latency_ms > 1000) c->latency_ms = 1000;
  }
  c->state = online ? OGRH_SIM_ONLINE : OGRH_SIM_OFFLINE;
  c->in_group = in_group;
  c->phase_us = s->now;
  c->frame_at = UINT64_MAX;
  c->flood_tokens = s->p.flood_burst;
  c->flood_last = s->now;
  int i = (int)s->nc++;
  schedule_frame(s, i, s->now);
  return i;
}

int ogrh_sim_count(const ogrh_sim *s) {
  return (int)s->nc;
}
const char *ogrh_sim_name(const ogrh_sim *s, int i) {
  return i >= 0 && (size_t)i < s->nc ? s->c[i].name : "";
}
int ogrh_sim_find(const ogrh_sim *s, const char *name) {
  for (size_t i = 0; i < s->nc; i++)
    if (strcmp(s->c[i].name, name) == 0) return (int)i;
  return -1;
}
ogrh_sim_state ogrh_sim_state_of(const ogrh_sim *s, int i) {
  return s->c[i].state;
}
bool ogrh_sim_in_group(const ogrh_sim *s, int i) {
  return s->c[i].in_group;
}
double ogrh_sim_fps(const ogrh_sim *s, int i) {
  return s->c[i].fps;
}
double ogrh_sim_latency(const ogrh_sim *s, int i) {
  return s->c[i].latency_ms;
}
uint64_t ogrh_sim_now_ms(const ogrh_sim *s) {
  return s->now / 1000;
}
uint64_t ogrh_sim_now_us(const ogrh_sim *s) {
  return s->now;
}
void ogrh_sim_set_trace(ogrh_sim *s, ogrh_sim_trace_fn fn, void *ud) {
  s->trace = fn;
  s->trace_ud = ud;
}
const ogrh_sim_stats *ogrh_sim_stats_get(const ogrh_sim *s) {
  return &s->st;
}
uint64_t ogrh_sim_digest(const ogrh_sim *s) {
  return s->digest;
}
const uint32_t *ogrh_sim_bytes_per_second(const ogrh_sim *s, size_t *n) {
  *n = s->nbps;
  return s->bps;
}
double ogrh_sim_delivery_delay_ms(const ogrh_sim *s) {
  return s->delivering ? (double)(s->now - s->delivering->sent_us) / 1000.0 : -1.0;
}

int ogrh_sim_delivery_sender(const ogrh_sim *s) {
  return s->delivering ? s->delivering->sender : -1;
}

void ogrh_sim_wake(ogrh_sim *s, int i, uint64_t at_ms) {
  if (i < 0 || (size_t)i >= s->nc || at_ms == OGRH_SIM_IDLE) return;
  uint64_t t = at_ms > UINT64_MAX / 1000 ? UINT64_MAX - 1 : at_ms * 1000;
  schedule_frame(s, i, t);
}

/* ---- sending and relaying ---- */

static void trace(ogrh_sim *s, ogrh_sim_trace_kind k, const smsg *m, int receiver) {
  if (!s->trace) return;
  ogrh_sim_trace t = {k, s->now, m->sender, receiver, m->prefix, m->text, m->n};
  s->trace(s->trace_ud, &t);
}

int ogrh_sim_send(ogrh_sim *s, int i, const char *prefix, const uint8_t *text, size_t n) {
  if (i < 0 || (size_t)i >= s->nc || !prefix || strlen(prefix) > 16 || (n && !text))
    return OGRH_EINVAL;
  client *c = &s->c[i];
  if (c->state == OGRH_SIM_OFFLINE) return OGRH_OK; /* no session: goes nowhere */
  smsg *m = ogrh_malloc(sizeof *m + n);
  if (!m) return OGRH_ENOMEM;
  m->refs = 1;
  m->sender = i;
  m->sent_us = s->now;
  m->n = n;
  memset(m->prefix, 0, sizeof m->prefix);
  memcpy(m->prefix, prefix, strlen(prefix));
  if (n) memcpy(m->text, text, n);
  uint64_t at = s->now + link_delay_us(s, c);
  if (at < c->up_last) at = c->up_last;
  c->up_last = at;
  trace(s, OGRH_SIM_TR_SEND, m, -1);
  event e = {at, 0, EV_UPLINK, i, c->sess_gen, m, NULL};
  if (push(s, e)) {
    msg_unref(m);
    return OGRH_ENOMEM;
  }
  return OGRH_OK;
}

static void go_offline(ogrh_sim *s, int i);

static void uplink(ogrh_sim *s, event *e) {
  smsg *m = e->p;
  client *c = &s->c[m->sender];
  /* The session ended (or began anew) while the message was on its way. */
  if (c->state == OGRH_SIM_OFFLINE || e->gen != c->sess_gen) {
    s->st.dropped_gone++;
    trace(s, OGRH_SIM_TR_DROP_GONE, m, -1);
    msg_unref(m);
    return;
  }
  size_t pl = strlen(m->prefix);
  bool bad = pl + m->n > s->p.max_text || memchr(m->text, 0, m->n) != NULL;
  if (!bad && s->p.flood_limit) {
    c->flood_tokens += s->p.flood_rate * (double)(s->now - c->flood_last) / 1e6;
    if (c->flood_tokens > s->p.flood_burst) c->flood_tokens = s->p.flood_burst;
    c->flood_last = s->now;
    c->flood_tokens -= (double)(pl + m->n);
    bad = c->flood_tokens < 0;
  }
  if (bad) {
    s->st.violations++;
    trace(s, OGRH_SIM_TR_VIOLATION, m, -1);
    int who = m->sender;
    msg_unref(m);
    go_offline(s, who);
    return;
  }
  s->st.messages++;
  s->st.bytes += pl + m->n;
  size_t sec = (size_t)(s->now / 1000000);
  if (sec >= s->nbps) {
    size_t old = s->capbps;
    if (ogrh_grow(&s->bps, &s->capbps, sec + 1, sizeof *s->bps) == OGRH_OK) {
      memset(s->bps + old, 0, (s->capbps - old) * sizeof *s->bps);
      s->nbps = sec + 1;
    }
  }
  if (sec < s->nbps) s->bps[sec] += (uint32_t)(pl + m->n);
  uint64_t tick = (uint64_t)(s->p.server_tick_ms * 1000.0);
  uint64_t at = (s->now + tick - 1) / tick * tick;
  event r = {at, 0, EV_RELAY, m->sender, 0, m, NULL};
  if (push(s, r)) msg_unref(m);
}

static void relay(ogrh_sim *s, smsg *m) {
  for (size_t j = 0; j < s->nc; j++) {
    client *c = &s->c[j];
    if (!c->in_group || c->state == OGRH_SIM_OFFLINE) continue;
    if (s->p.loss > 0 && ogrh_rng_unit(&s->rng) < s->p.loss) {
      s->st.dropped_loss++;
      trace(s, OGRH_SIM_TR_DROP_LOSS, m, (int)j);
      continue;
    }
    uint64_t at = s->now + link_delay_us(s, c);
    if (at < c->down_last) at = c->down_last;
    c->down_last = at;
    if (c->state == OGRH_SIM_LOADING && at < c->loading_until) {
      s->st.dropped_loading++;
      trace(s, OGRH_SIM_TR_DROP_LOAD, m, (int)j);
      continue;
    }
    if (c->in_head == c->in_n) c->in_head = c->in_n = 0;
    if (c->in_n == c->in_cap) {
      /* Reclaim the consumed front before growing. */
      if (c->in_head) {
        memmove(c->in, c->in + c->in_head, (c->in_n - c->in_head) * sizeof *c->in);
        c->in_n -= c->in_head;
        c->in_head = 0;
      } else if (ogrh_grow(&c->in, &c->in_cap, c->in_n + 1, sizeof *c->in)) {
        s->err = OGRH_ENOMEM;
        continue;
      }
    }
    m->refs++;
    c->in[c->in_n].at_us = at;
    c->in[c->in_n].m = m;
    c->in_n++;
    schedule_frame(s, (int)j, at);
  }
  msg_unref(m);
}

/* ---- frames and life ---- */

static void mix_digest(ogrh_sim *s, int receiver, const smsg *m) {
  uint64_t head[3] = {s->now, ((uint64_t)(uint32_t)receiver << 32) | (uint32_t)m->sender, m->n};
  s->digest = XXH3_64bits_withSeed(head, sizeof head, s->digest);
  s->digest = XXH3_64bits_withSeed(m->prefix, strlen(m->prefix), s->digest);
  s->digest = XXH3_64bits_withSeed(m->text, m->n, s->digest);
}

static void frame(ogrh_sim *s, int i) {
  client *c = &s->c[i];
  c->frame_at = UINT64_MAX;
  s->st.frames++;
  uint64_t ms = s->now / 1000;
  while (c->in_head < c->in_n && c->in[c->in_head].at_us <= s->now && c->state == OGRH_SIM_ONLINE) {
    smsg *m = c->in[c->in_head++].m;
    s->st.copies++;
    mix_digest(s, i, m);
    trace(s, OGRH_SIM_TR_DELIVER, m, i);
    s->delivering = m;
    c->ifc.receive(c->ud, s->c[m->sender].name, m->prefix, m->text, m->n, ms);
    s->delivering = NULL;
    msg_unref(m);
    c = &s->c[i]; /* a callback may have added clients */
  }
  if (c->state != OGRH_SIM_ONLINE) return;
  uint64_t want = c->ifc.frame(c->ud, ms);
  c = &s->c[i];
  if (want != OGRH_SIM_IDLE) {
    uint64_t t = want > UINT64_MAX / 1000 ? UINT64_MAX - 1 : want * 1000;
    schedule_frame(s, i, t > s->now ? t : s->now + 1);
  }
  if (c->in_head < c->in_n) schedule_frame(s, i, c->in[c->in_head].at_us);
}

static void tell(ogrh_sim *s, int i, ogrh_sim_event ev) {
  if (s->c[i].ifc.event) s->c[i].ifc.event(s->c[i].ud, ev, s->now / 1000);
}

static void begin_loading(ogrh_sim *s, int i, uint64_t loading_ms) {
  client *c = &s->c[i];
  c->state = OGRH_SIM_LOADING;
  c->loading_until = s->now + loading_ms * 1000;
  c->frame_at = UINT64_MAX;
  c->frame_gen++;
  c->life_gen++;
  purge_inbound(s, c, OGRH_SIM_TR_DROP_LOAD);
  event e = {c->loading_until, 0, EV_ENTER, i, c->life_gen, NULL, NULL};
  push(s, e);
}

static void enter_world(ogrh_sim *s, event *e) {
  client *c = &s->c[e->client];
  if (e->gen != c->life_gen || c->state != OGRH_SIM_LOADING) return;
  c->state = OGRH_SIM_ONLINE;
  c->phase_us = s->now;
  tell(s, e->client, OGRH_SIM_EV_ENTER_WORLD);
  schedule_frame(s, e->client, s->now);
}

static void go_offline(ogrh_sim *s, int i) {
  client *c = &s->c[i];
  if (c->state == OGRH_SIM_OFFLINE) return;
  c->state = OGRH_SIM_OFFLINE;
  c->frame_at = UINT64_MAX;
  c->frame_gen++;
  c->life_gen++;
  c->sess_gen++;
  purge_inbound(s, c, 0);
  tell(s, i, OGRH_SIM_EV_DISCONNECT);
}

void ogrh_sim_zone(ogrh_sim *s, int i, uint64_t loading_ms) {
  if (i < 0 || (size_t)i >= s->nc || s->c[i].state != OGRH_SIM_ONLINE) return;
  tell(s, i, OGRH_SIM_EV_LOADING);
  begin_loading(s, i, loading_ms);
}

void ogrh_sim_reload(ogrh_sim *s, int i, uint64_t loading_ms) {
  if (i < 0 || (size_t)i >= s->nc || s->c[i].state == OGRH_SIM_OFFLINE) return;
  tell(s, i, OGRH_SIM_EV_RELOAD);
  tell(s, i, OGRH_SIM_EV_LOADING);
  begin_loading(s, i, loading_ms);
}

void ogrh_sim_disconnect(ogrh_sim *s, int i) {
  if (i < 0 || (size_t)i >= s->nc) return;
  go_offline(s, i);
}

void ogrh_sim_reconnect(ogrh_sim *s, int i, uint64_t loading_ms) {
  if (i < 0 || (size_t)i >= s->nc || s->c[i].state != OGRH_SIM_OFFLINE) return;
  tell(s, i, OGRH_SIM_EV_LOADING);
  begin_loading(s, i, loading_ms);
}

void ogrh_sim_set_group(ogrh_sim *s, int i, bool in_group) {
  if (i < 0 || (size_t)i >= s->nc) return;
  s->c[i].in_group = in_group;
}

void ogrh_sim_set_fps(ogrh_sim *s, int i, double fps) {
  if (i < 0 || (size_t)i >= s->nc || !(fps >= 1 && fps <= 1000)) return;
  client *c = &s->c[i];
  c->fps = fps;
  /* A new grid from the next frame that was due. */
  uint64_t next = c->frame_at != UINT64_MAX ? c->frame_at : s->now;
  c->phase_us = next;
  c->frame_at = UINT64_MAX;
  c->frame_gen++;
  tell(s, i, OGRH_SIM_EV_FPS);
  schedule_frame(s, i, next);
}

int ogrh_sim_at(ogrh_sim *s, uint64_t at_ms, ogrh_sim_timer_fn fn, void *ud) {
  if (!fn) return OGRH_EINVAL;
  uint64_t t = at_ms * 1000;
  if (t < s->now) t = s->now;
  event e = {t, 0, EV_TIMER, -1, 0, ud, fn};
  return push(s, e);
}

int ogrh_sim_run_until(ogrh_sim *s, uint64_t t_ms) {
  uint64_t end = t_ms * 1000;
  while (s->nheap && s->heap[0].t <= end && !s->err) {
    event e = pop(s);
    s->now = e.t;
    s->st.events++;
    switch (e.kind) {
    case EV_FRAME:
      if (e.gen == s->c[e.client].frame_gen && s->c[e.client].state == OGRH_SIM_ONLINE)
        frame(s, e.client);
      break;
    case EV_UPLINK:
      uplink(s, &e);
      break;
    case EV_RELAY:
      relay(s, e.p);
      break;
    case EV_ENTER:
      enter_world(s, &e);
      break;
    case EV_TIMER:
      e.fn(e.p, s->now / 1000);
      break;
    }
  }
  if (s->err) return s->err;
  if (end > s->now) s->now = end;
  return OGRH_OK;
}
