/*
** throttle.c
** ChatThrottleLib v14, faithfully: the comparisons keep their strictness (`<`, `>`), the
** global budget is split equally among busy priorities on every tick, a priority's unused
** share stays with it until everything drains, pipes rotate one message at a time, and a
** pipe's head blocks the pipes behind it when it is larger than the budget.
*/
#include "ogrh/throttle.h"
#include "ogrh/alloc.h"
#include "ogrh/error.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Names by value, from the X-macro tables of throttle.h. */
static const char *const prio_names[] = {
#define OGRH__XX(name, code, str) [code] = str,
    OGRH_CTL_PRIO_MAP(OGRH__XX)
#undef OGRH__XX
};
static const char *const failure_names[] = {
#define OGRH__XX(name, code, str, what) [code] = str,
    OGRH_SEND_FAILURE_MAP(OGRH__XX)
#undef OGRH__XX
};

static const char *name_of(const char *const *names, size_t n, int v) {
  return v >= 0 && (size_t)v < n && names[v] ? names[v] : "?";
}

const char *ogrh_ctl_prio_name(int prio) {
  return name_of(prio_names, sizeof prio_names / sizeof prio_names[0], prio);
}

const char *ogrh_send_failure_name(int why) {
  return name_of(failure_names, sizeof failure_names / sizeof failure_names[0], why);
}

/*
** The values of each profile of OGRH_CTL_PROFILE_MAP: max_cps, msg_overhead, burst, min_fps,
** hard_seconds, hard_factor, hard_cap, floor, tick, sep.
** retail: the server's throttle of 1 message a second per prefix with a burst of 10, messages
** of up to 255 bytes (MDT's SetThrottleValues: MAX_CPS = 255, BURST = 2550).
*/
static const ogrh_ctl_params profile_ctl = {800, 40, 4000, 20, 5, 0.1, 400, -1600, 0.08, 1};
static const ogrh_ctl_params profile_retail = {255, 0, 2550, 20, 5, 0.1, 255, -510, 0.08, 1};
static const ogrh_ctl_params profile_unlimited = {1e12, 40, 1e15, 20, 0, 0.1, 400, -1e15, 0, 1};

static const struct {
  const char *name;
  const ogrh_ctl_params *p;
} profiles[] = {
#define OGRH__XX(name, what) {#name, &profile_##name},
    OGRH_CTL_PROFILE_MAP(OGRH__XX)
#undef OGRH__XX
};

int ogrh_ctl_profile(const char *name, ogrh_ctl_params *p) {
  if (!name) name = "ctl";
  for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
    if (strcmp(profiles[i].name, name) == 0) {
      *p = *profiles[i].p;
      return OGRH_OK;
    }
  return OGRH_EINVAL;
}

/* Time since `since` in ms, 0 when the clock stepped back. */
static uint64_t since(uint64_t now, uint64_t then) {
  return now > then ? now - then : 0;
}

typedef struct qmsg qmsg;

/* One frame waiting in a pipe. */
typedef struct qframe {
  struct qframe *next;
  qmsg *msg;
  size_t len;
  double size; /* CTL nSize */
  uint8_t text[];
} qframe;

/* A message: its frames may be spread over time; callbacks fire as they leave. */
struct qmsg {
  qmsg *next_all;
  ogrh_send_cb cb;
  size_t total, sent, queued;
  char key[64];
  bool dead;
};

typedef struct pipe {
  struct pipe *next, *prev; /* the ring */
  char name[17];
  qframe *head, *tail;
  size_t n;
} pipe;

typedef struct prio {
  pipe *pos; /* ring cursor; NULL when empty */
  double avail;
} prio;

/*
** Times are kept in integer milliseconds and differences converted once: CTL's own floating
** sums of frame times drift around its 0.08 s tick, which would make schedules depend on
** rounding; with whole milliseconds, 800 B/s over 80 ms is exactly 64 bytes.
*/
struct ogrh_sender {
  ogrh_ctl_params p;
  ogrh_out_fn out;
  void *ud;
  double avail, fps;
  uint64_t last_avail, hard_begin, delay, last_frame;
  bool queueing, shown;
  prio pr[3];
  qmsg *msgs;
  size_t queued;
  uint64_t sent_frames;
};

ogrh_sender *ogrh_sender_new(const ogrh_ctl_params *p, ogrh_out_fn out, void *ud, uint64_t now) {
  ogrh_sender *s = ogrh_malloc(sizeof *s);
  if (!s) return NULL;
  memset(s, 0, sizeof *s);
  s->p = *p;
  s->out = out;
  s->ud = ud;
  s->fps = 60;
  s->last_avail = s->hard_begin = s->last_frame = now;
  return s;
}

static double update_avail(ogrh_sender *s, uint64_t now) {
  double add = s->p.max_cps * (double)since(now, s->last_avail) / 1000.0;
  if ((double)since(now, s->hard_begin) < s->p.hard_seconds * 1000.0) {
    s->avail = fmin(s->avail + s->p.hard_factor * add, s->p.hard_cap);
  } else if (s->fps < s->p.min_fps) {
    s->avail = fmin(s->p.max_cps, s->avail + 0.5 * add);
  } else {
    s->avail = fmin(s->p.burst, s->avail + add);
  }
  s->avail = fmax(s->avail, s->p.floor);
  s->last_avail = now;
  return s->avail;
}

static void emit(ogrh_sender *s, const char *prefix, qmsg *m, const uint8_t *text, size_t n,
                 uint64_t now) {
  s->sent_frames++;
  s->out(s->ud, prefix, text, n, now);
  m->sent++;
  if (m->cb.progress) m->cb.progress(m->cb.ud, m->sent, m->total, now);
  if (m->sent == m->total && m->cb.sent) m->cb.sent(m->cb.ud, now);
}

static void free_msg_if_done(ogrh_sender *s, qmsg *m) {
  if (m->queued) return;
  qmsg **pp = &s->msgs;
  while (*pp && *pp != m)
    pp = &(*pp)->next_all;
  if (*pp) *pp = m->next_all;
  ogrh_free(m, sizeof *m);
}

/* Ring.Add: a new pipe goes just before the cursor, i.e. last in the rotation. */
static void ring_add(prio *pr, pipe *pp) {
  if (!pr->pos) {
    pr->pos = pp->next = pp->prev = pp;
    return;
  }
  pp->next = pr->pos;
  pp->prev = pr->pos->prev;
  pr->pos->prev->next = pp;
  pr->pos->prev = pp;
}

/* Ring.Remove of the cursor pipe: the cursor moves to the next pipe (NULL if none). */
static void ring_remove(prio *pr, pipe *pp) {
  if (pp->next == pp) {
    pr->pos = NULL;
  } else {
    pp->prev->next = pp->next;
    pp->next->prev = pp->prev;
    if (pr->pos == pp) pr->pos = pp->next;
  }
  ogrh_free(pp, sizeof *pp);
}

static pipe *find_pipe(prio *pr, const char *name) {
  pipe *pp = pr->pos;
  if (!pp) return NULL;
  do {
    if (strcmp(pp->name, name) == 0) return pp;
    pp = pp->next;
  } while (pp != pr->pos);
  return NULL;
}

static void despool(ogrh_sender *s, int p, uint64_t now) {
  prio *pr = &s->pr[p];
  while (pr->pos && pr->avail > pr->pos->head->size) {
    pipe *pp = pr->pos;
    qframe *f = pp->head;
    pp->head = f->next;
    if (!pp->head) pp->tail = NULL;
    pp->n--;
    char name[17];
    memcpy(name, pp->name, sizeof name);
    if (pp->n == 0)
      ring_remove(pr, pp);
    else
      pr->pos = pp->next; /* round-robin: one message per pipe per turn */
    pr->avail -= f->size;
    s->queued--;
    f->msg->queued--;
    emit(s, name, f->msg, f->text, f->len, now);
    qmsg *m = f->msg;
    ogrh_free(f, sizeof *f + f->len);
    free_msg_if_done(s, m);
  }
}

void ogrh_sender_tick(ogrh_sender *s, uint64_t now_ms) {
  uint64_t elapsed = since(now_ms, s->last_frame);
  s->last_frame = now_ms;
  if (!s->shown) return;
  s->delay += elapsed;
  if ((double)s->delay < s->p.tick * 1000.0) return;
  s->delay = 0;
  update_avail(s, now_ms);
  if (s->avail < 0) return;
  int n = 0;
  for (int p = 0; p < 3; p++)
    n += s->pr[p].pos != NULL || s->pr[p].avail < 0;
  if (n < 1) {
    /* Idle: the priorities' leftovers return to the global budget, and the frame hides. */
    for (int p = 0; p < 3; p++) {
      s->avail += s->pr[p].avail;
      s->pr[p].avail = 0;
    }
    s->queueing = false;
    s->shown = false;
    return;
  }
  double share = s->avail / n;
  s->avail = 0;
  for (int p = 0; p < 3; p++) {
    prio *pr = &s->pr[p];
    if (pr->pos || pr->avail < 0) {
      pr->avail += share;
      if (pr->pos && pr->avail > pr->pos->head->size) despool(s, p, now_ms);
    }
  }
}

/* Takes every frame of m out of pipe pp; the pipe goes when it is left empty. */
static void unqueue(ogrh_sender *s, prio *pr, pipe *pp, qmsg *m) {
  qframe **fp = &pp->head, *last = NULL;
  while (*fp) {
    if ((*fp)->msg == m) {
      qframe *f = *fp;
      *fp = f->next;
      pp->n--;
      s->queued--;
      m->queued--;
      ogrh_free(f, sizeof *f + f->len);
    } else {
      last = *fp;
      fp = &(*fp)->next;
    }
  }
  pp->tail = last;
  if (pp->n == 0) ring_remove(pr, pp);
}

static void supersede(ogrh_sender *s, const char *key, uint64_t now) {
  for (qmsg *m = s->msgs; m; m = m->next_all) {
    if (m->dead || m->sent || strcmp(m->key, key) != 0) continue;
    /* Never sent a frame: take all of its frames out of their pipes. */
    m->dead = true;
    for (int p = 0; p < 3; p++) {
      prio *pr = &s->pr[p];
      size_t npipes = 0;
      pipe *pp = pr->pos;
      if (pp) do {
          npipes++;
          pp = pp->next;
        } while (pp != pr->pos);
      pp = pr->pos;
      for (size_t i = 0; i < npipes; i++) {
        pipe *next = pp->next;
        unqueue(s, pr, pp, m);
        pp = next;
      }
    }
    if (m->cb.failed) m->cb.failed(m->cb.ud, OGRH_SEND_SUPERSEDED, now);
    free_msg_if_done(s, m);
    return;
  }
}

static void free_frames(qframe *f) {
  while (f) {
    qframe *next = f->next;
    ogrh_free(f, sizeof *f + f->len);
    f = next;
  }
}

int ogrh_sender_send(ogrh_sender *s, ogrh_ctl_prio pri, const char *prefix,
                     const uint8_t *const *texts, const size_t *lens, size_t nframes,
                     const char *key, const ogrh_send_cb *cb, uint64_t now_ms) {
  if ((int)pri < 0 || pri > OGRH_CTL_BULK || !prefix || strlen(prefix) > 16 || nframes == 0 ||
      !texts || !lens)
    return OGRH_EINVAL;
  size_t pl = strlen(prefix);
  /*
  ** CTL's direct path: while nothing is queued, a frame whose cost is below the budget leaves
  ** at once; the first that does not starts the queue. Counted first, so that everything the
  ** queue needs is allocated before anything leaves.
  */
  size_t direct = 0;
  double avail = update_avail(s, now_ms);
  while (!s->queueing && direct < nframes) {
    double size = (double)pl + s->p.sep + (double)lens[direct] + s->p.msg_overhead;
    if (!(size < avail)) break;
    avail -= size;
    direct++;
  }
  qmsg *m = ogrh_malloc(sizeof *m);
  if (!m) return OGRH_ENOMEM;
  memset(m, 0, sizeof *m);
  if (cb) m->cb = *cb;
  m->total = nframes;
  if (key) snprintf(m->key, sizeof m->key, "%s", key);
  qframe *head = NULL, **tail = &head;
  prio *pr = &s->pr[pri];
  /* A pipe in reserve: superseding may empty (and free) the one that exists now. */
  pipe *fresh = NULL;
  bool ok = true;
  if (direct < nframes) {
    fresh = ogrh_malloc(sizeof *fresh);
    if (fresh) {
      memset(fresh, 0, sizeof *fresh);
      memcpy(fresh->name, prefix, pl + 1);
    }
    ok = fresh != NULL;
  }
  for (size_t i = direct; i < nframes && ok; i++) {
    qframe *f = ogrh_malloc(sizeof *f + lens[i]);
    if (!f) {
      ok = false;
      break;
    }
    f->next = NULL;
    f->msg = m;
    f->len = lens[i];
    f->size = (double)pl + s->p.sep + (double)lens[i] + s->p.msg_overhead;
    memcpy(f->text, texts[i], lens[i]);
    *tail = f;
    tail = &f->next;
  }
  if (!ok) {
    free_frames(head);
    ogrh_free(fresh, sizeof *fresh);
    ogrh_free(m, sizeof *m);
    return OGRH_ENOMEM;
  }
  /* Nothing can fail from here on. */
  if (key && *key) supersede(s, key, now_ms);
  m->next_all = s->msgs;
  s->msgs = m;
  for (size_t i = 0; i < direct; i++) {
    s->avail -= (double)pl + s->p.sep + (double)lens[i] + s->p.msg_overhead;
    emit(s, prefix, m, texts[i], lens[i], now_ms);
  }
  if (head) {
    pipe *pp = find_pipe(pr, prefix);
    if (!pp) {
      ring_add(pr, fresh);
      pp = fresh;
      fresh = NULL;
    }
    if (pp->tail)
      pp->tail->next = head;
    else
      pp->head = head;
    for (qframe *f = head; f; f = f->next) {
      pp->tail = f;
      pp->n++;
      m->queued++;
      s->queued++;
    }
    s->queueing = true;
    s->shown = true;
  }
  ogrh_free(fresh, sizeof *fresh);
  free_msg_if_done(s, m);
  return OGRH_OK;
}

void ogrh_sender_loading_screen(ogrh_sender *s, uint64_t now_ms) {
  s->hard_begin = now_ms;
  s->avail = 0;
}

void ogrh_sender_set_fps(ogrh_sender *s, double fps) {
  s->fps = fps;
}

void ogrh_sender_bypass(ogrh_sender *s, size_t bytes, uint64_t now_ms) {
  update_avail(s, now_ms);
  s->avail -= (double)bytes;
  s->shown = true;
}

size_t ogrh_sender_queued(const ogrh_sender *s) {
  return s->queued;
}
double ogrh_sender_avail(const ogrh_sender *s) {
  return s->avail;
}
uint64_t ogrh_sender_frames_sent(const ogrh_sender *s) {
  return s->sent_frames;
}

void ogrh_sender_free(ogrh_sender *s, uint64_t now_ms) {
  if (!s) return;
  for (int p = 0; p < 3; p++) {
    prio *pr = &s->pr[p];
    while (pr->pos) {
      pipe *pp = pr->pos;
      while (pp->head) {
        qframe *f = pp->head;
        pp->head = f->next;
        ogrh_free(f, sizeof *f + f->len);
      }
      pp->n = 0;
      ring_remove(pr, pp);
    }
  }
  while (s->msgs) {
    qmsg *m = s->msgs;
    s->msgs = m->next_all;
    if (m->sent < m->total && !m->dead && m->cb.failed)
      m->cb.failed(m->cb.ud, OGRH_SEND_CANCELLED, now_ms);
    ogrh_free(m, sizeof *m);
  }
  ogrh_free(s, sizeof *s);
}
