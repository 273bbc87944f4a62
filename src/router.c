/*
** router.c
** The endpoint: message types, sending through the throttle, receiving through reassembly,
** resending what NACKs ask for. A sent message is kept for resends while its frames are
** queued and retain_ms after the last of them left; each frame may be resent a bounded number
** of times, at most once a second, so NACKs from others cannot keep it alive for ever.
*/
#include "ogrh/router.h"
#include "wire_int.h"

#include <stdio.h>
#include <string.h>

#define RESEND_GAP_MS 1000

/* Names by type byte, from OGRH_MT_MAP. */
static const char *const mt_names[256] = {
#define OGRH__XX(name, code, str, what) [code] = str,
    OGRH_MT_MAP(OGRH__XX)
#undef OGRH__XX
};

const char *ogrh_mt_name(int type) {
  return type >= 0 && type < 256 ? mt_names[type] : NULL;
}

typedef struct mtype {
  bool used;
  char name[24];
  ogrh_handler_fn fn;
  void *ud;
  ogrh_ctl_prio prio;
  unsigned roles;
} mtype;

/* Per kept frame: whether and when it was last resent, and how often. */
typedef struct kframe {
  uint64_t resent_at; /* when resent is set */
  bool resent;
  uint16_t resends;
} kframe;

/* A sent message kept for resends. */
typedef struct kept {
  uint16_t id;
  ogrh_ctl_prio prio;
  ogrh_frames frames;
  kframe *kf;        /* frames.n of them */
  unsigned pending;  /* sends of it (the first and resends) with frames still queued */
  uint64_t left_at;  /* when the last of them left (or failed) */
  ogrh_send_cb user; /* the caller's callbacks for the first send */
  struct kept *next;
} kept;

struct ogrh_router {
  ogrh_router_cfg cfg;
  char self[OGRH__NAME_MAX + 1];
  mtype types[256];
  ogrh_sender *sender;
  ogrh_reasm *reasm;
  uint16_t next_id;
  kept *kept;
  ogrh_router_stats st;
};

void ogrh_router_cfg_default(ogrh_router_cfg *c) {
  memset(c, 0, sizeof *c);
  c->self = "";
  ogrh_wire_cfg_default(&c->wire);
  ogrh_ctl_profile("ctl", &c->ctl);
  ogrh_reasm_limits_default(&c->limits);
  c->retain_ms = 60000;
  c->max_resends = 8;
  c->seed = 1;
}

static void on_deliver(void *ud, const char *sender, const ogrh_msg *m, uint64_t now);
static int on_nack(void *ud, const uint8_t *text, size_t n, uint64_t now);
static int on_heard(void *ud, const char *from, const char *owner, uint16_t id,
                    const uint16_t *ranges, size_t nranges, uint64_t now);

static void out_frame(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  ogrh_router *r = ud;
  r->st.sent_frames++;
  r->cfg.out(r->cfg.ud, prefix, text, n, now);
}

ogrh_router *ogrh_router_new(const ogrh_router_cfg *c, uint64_t now) {
  if (!c->out || !c->self || strlen(c->self) > OGRH__NAME_MAX) return NULL;
  ogrh_router *r = ogrh_malloc(sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  r->cfg = *c;
  snprintf(r->self, sizeof r->self, "%s", c->self);
  r->cfg.self = r->self;
  r->sender = ogrh_sender_new(&c->ctl, out_frame, r, now);
  r->reasm = ogrh_reasm_new(&c->wire, &c->limits, c->seed, on_deliver, on_nack, on_heard, r);
  r->next_id = (uint16_t)(c->seed & OGRH_WIRE_MAX_ID);
  if (!r->sender || !r->reasm) {
    ogrh_router_free(r, now);
    return NULL;
  }
  return r;
}

static void kept_free(kept *k) {
  ogrh_free(k->kf, k->frames.n * sizeof *k->kf);
  ogrh_frames_deinit(&k->frames);
  ogrh_free(k, sizeof *k);
}

void ogrh_router_free(ogrh_router *r, uint64_t now) {
  if (!r) return;
  /* The sender first: its cancellations reach kept messages, which are still there. */
  ogrh_sender_free(r->sender, now);
  ogrh_reasm_free(r->reasm);
  while (r->kept) {
    kept *k = r->kept;
    r->kept = k->next;
    kept_free(k);
  }
  ogrh_free(r, sizeof *r);
}

int ogrh_router_register(ogrh_router *r, uint8_t type, const char *name, ogrh_handler_fn fn,
                         void *ud, ogrh_ctl_prio prio, unsigned roles) {
  if (!fn || (int)prio < 0 || prio > OGRH_CTL_BULK) return OGRH_EINVAL;
  mtype *t = &r->types[type];
  t->used = true;
  snprintf(t->name, sizeof t->name, "%s", name ? name : "");
  t->fn = fn;
  t->ud = ud;
  t->prio = prio;
  t->roles = roles;
  return OGRH_OK;
}

/* ---- the sender's callbacks for kept messages ---- */

static void left(kept *k, uint64_t now) {
  if (k->pending) k->pending--;
  k->left_at = now;
}

static void first_progress(void *ud, size_t sent, size_t total, uint64_t now) {
  kept *k = ud;
  if (k->user.progress) k->user.progress(k->user.ud, sent, total, now);
}

static void first_sent(void *ud, uint64_t now) {
  kept *k = ud;
  left(k, now);
  if (k->user.sent) k->user.sent(k->user.ud, now);
}

static void first_failed(void *ud, ogrh_send_failure why, uint64_t now) {
  kept *k = ud;
  left(k, now);
  if (k->user.failed) k->user.failed(k->user.ud, why, now);
}

static void resend_sent(void *ud, uint64_t now) {
  left(ud, now);
}

static void resend_failed(void *ud, ogrh_send_failure why, uint64_t now) {
  (void)why;
  left(ud, now);
}

/* ---- sending ---- */

/* The frame texts of k (or of the frames picked), for the sender. */
static const uint8_t **frame_texts(const kept *k) {
  const uint8_t **texts = ogrh_malloc(k->frames.n * sizeof *texts);
  if (!texts) return NULL;
  for (size_t i = 0; i < k->frames.n; i++)
    texts[i] = (const uint8_t *)k->frames.data.p + k->frames.off[i];
  return texts;
}

int ogrh_router_send(ogrh_router *r, uint8_t type, const uint8_t *body, size_t n, int prio,
                     const char *target, const char *supersede, const ogrh_send_cb *cb,
                     uint64_t now) {
  mtype *t = &r->types[type];
  ogrh_ctl_prio p = prio >= 0 && prio <= OGRH_CTL_BULK ? (ogrh_ctl_prio)prio
                    : t->used                          ? t->prio
                                                       : OGRH_CTL_NORMAL;
  /* Everything is built aside; the router changes only once the sender took the frames. */
  kept *k = ogrh_malloc(sizeof *k);
  if (!k) return OGRH_ENOMEM;
  memset(k, 0, sizeof *k);
  ogrh_frames_init(&k->frames);
  k->id = r->next_id;
  k->prio = p;
  if (cb) k->user = *cb;
  int rc = ogrh_wire_pack(&r->cfg.wire, k->id, type, target, body, n, true, &k->frames);
  const uint8_t **texts = NULL;
  if (!rc) {
    k->kf = ogrh_malloc(k->frames.n * sizeof *k->kf);
    texts = frame_texts(k);
    if (!k->kf || !texts) rc = OGRH_ENOMEM;
  }
  if (!rc) {
    memset(k->kf, 0, k->frames.n * sizeof *k->kf);
    k->pending = 1;
    ogrh_send_cb mine = {first_progress, first_sent, first_failed, k};
    rc = ogrh_sender_send(r->sender, p, r->cfg.wire.prefix, texts, k->frames.len, k->frames.n,
                          supersede, &mine, now);
  }
  if (texts) ogrh_free(texts, k->frames.n * sizeof *texts);
  if (rc) {
    if (!k->kf) k->frames.n = 0; /* kept_free frees kf by frames.n */
    kept_free(k);
    return rc;
  }
  r->next_id = (uint16_t)((r->next_id + 1) & OGRH_WIRE_MAX_ID);
  k->next = r->kept;
  r->kept = k;
  r->st.sent_messages++;
  return OGRH_OK;
}

static kept *find_kept(ogrh_router *r, uint16_t id) {
  for (kept *k = r->kept; k; k = k->next)
    if (k->id == id) return k;
  return NULL;
}

/* May frame f of k be resent now? */
static bool resendable(const ogrh_router *r, const kept *k, size_t f, uint64_t now) {
  const kframe *x = &k->kf[f];
  if (x->resent && ogrh__elapsed(now, x->resent_at) < RESEND_GAP_MS) return false;
  return x->resends < r->cfg.max_resends;
}

/*
** Resends exactly the frames asked for, except those resent within the last second (several
** listeners asking for the same frames cost one resend) and those resent too often already.
** Each frame at most once, however the ranges overlap.
*/
static int on_heard(void *ud, const char *from, const char *owner, uint16_t id,
                    const uint16_t *ranges, size_t nranges, uint64_t now) {
  ogrh_router *r = ud;
  (void)from;
  if (strcmp(owner, r->self) != 0) return OGRH_OK;
  kept *k = find_kept(r, id);
  if (!k) {
    r->st.expired_nacks++;
    return OGRH_OK;
  }
  size_t nf = k->frames.n;
  /* One block: the texts and lengths to send, and which frames are picked. */
  size_t bytes = nf * (sizeof(const uint8_t *) + sizeof(size_t) + 1);
  void *block = ogrh_malloc(bytes);
  if (!block) return OGRH_ENOMEM;
  const uint8_t **texts = block;
  size_t *lens = (size_t *)(texts + nf);
  uint8_t *picked = (uint8_t *)(lens + nf);
  memset(picked, 0, nf);
  size_t n = 0, refused = 0;
  for (size_t i = 0; i < nranges; i++)
    for (size_t f = ranges[2 * i]; f < (size_t)ranges[2 * i] + ranges[2 * i + 1] && f < nf; f++) {
      if (picked[f]) continue;
      picked[f] = 1;
      if (!resendable(r, k, f, now)) {
        refused += k->kf[f].resends >= r->cfg.max_resends;
        continue;
      }
      texts[n] = (const uint8_t *)k->frames.data.p + k->frames.off[f];
      lens[n++] = k->frames.len[f];
    }
  int rc = OGRH_OK;
  if (n) {
    ogrh_send_cb cb = {NULL, resend_sent, resend_failed, k};
    k->pending++;
    rc = ogrh_sender_send(r->sender, k->prio, r->cfg.wire.prefix, texts, lens, n, NULL, &cb, now);
    if (rc) {
      k->pending--;
    } else {
      for (size_t f = 0; f < nf; f++)
        if (picked[f] && resendable(r, k, f, now)) {
          k->kf[f].resent = true;
          k->kf[f].resent_at = now;
          k->kf[f].resends++;
        }
      r->st.resent_frames += n;
    }
  }
  if (!rc) r->st.refused_resends += refused;
  ogrh_free(block, bytes);
  return rc;
}

static int on_nack(void *ud, const uint8_t *text, size_t n, uint64_t now) {
  ogrh_router *r = ud;
  const uint8_t *t = text;
  return ogrh_sender_send(r->sender, OGRH_CTL_ALERT, r->cfg.wire.prefix, &t, &n, 1, NULL, NULL,
                          now);
}

/* ---- receiving ---- */

static void on_deliver(void *ud, const char *sender, const ogrh_msg *m, uint64_t now) {
  ogrh_router *r = ud;
  r->st.received++;
  if (m->version != OGRH_WIRE_VERSION) {
    r->st.bad_version++;
    return;
  }
  if (m->target[0] && strcmp(m->target, r->self) != 0) {
    r->st.not_for_us++;
    return;
  }
  mtype *t = &r->types[m->type];
  if (!t->used) {
    r->st.unknown_type++;
    return;
  }
  unsigned role = r->cfg.role ? r->cfg.role(r->cfg.ud, sender) : OGRH_ROLE_MEMBER;
  if (!(role & t->roles)) {
    r->st.refused_role++;
    return;
  }
  t->fn(t->ud, sender, m, now);
}

int ogrh_router_receive(ogrh_router *r, const char *sender, const char *prefix, const uint8_t *text,
                        size_t n, uint64_t now) {
  if (strcmp(prefix, r->cfg.wire.prefix) != 0) return OGRH_OK;
  /* The channel echoes our own broadcasts back to us. */
  if (strcmp(sender, r->self) == 0) {
    r->st.own_echoes++;
    return OGRH_OK;
  }
  return ogrh_reasm_frame(r->reasm, sender, text, n, now);
}

int ogrh_router_tick(ogrh_router *r, uint64_t now) {
  ogrh_sender_tick(r->sender, now);
  int rc = ogrh_reasm_tick(r->reasm, now);
  kept **kp = &r->kept;
  while (*kp) {
    kept *k = *kp;
    if (k->pending == 0 && ogrh__elapsed(now, k->left_at) > r->cfg.retain_ms) {
      *kp = k->next;
      kept_free(k);
    } else {
      kp = &k->next;
    }
  }
  return rc;
}

ogrh_sender *ogrh_router_sender(ogrh_router *r) {
  return r->sender;
}
ogrh_reasm *ogrh_router_reasm(ogrh_router *r) {
  return r->reasm;
}
const ogrh_router_stats *ogrh_router_stats_get(const ogrh_router *r) {
  return &r->st;
}
