/*
** router.c
** The endpoint: message types, sending through the throttle, receiving through reassembly,
** resending what NACKs ask for.
*/
#include "ogrh/router.h"

#include <stdio.h>
#include <string.h>

typedef struct mtype {
  bool used;
  char name[24];
  ogrh_handler_fn fn;
  void *ud;
  ogrh_ctl_prio prio;
  unsigned roles;
} mtype;

/* A sent message kept for resends. */
typedef struct kept {
  uint16_t id;
  ogrh_ctl_prio prio;
  ogrh_frames frames;
  uint64_t until;      /* kept until this time (extended whenever frames leave) */
  uint64_t *resent_at; /* per frame: last resend queued */
  struct kept *next;
} kept;

struct ogrh_router {
  ogrh_router_cfg cfg;
  char self[49];
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
  c->seed = 1;
}

static void on_deliver(void *ud, const char *sender, const ogrh_msg *m, uint64_t now);
static void on_nack(void *ud, const uint8_t *text, size_t n, uint64_t now);
static void on_heard(void *ud, const char *from, const char *owner, uint16_t id,
                     const uint16_t *ranges, size_t nranges, uint64_t now);

static void out_frame(void *ud, const char *prefix, const uint8_t *text, size_t n, uint64_t now) {
  ogrh_router *r = ud;
  r->st.sent_frames++;
  r->cfg.out(r->cfg.ud, prefix, text, n, now);
}

ogrh_router *ogrh_router_new(const ogrh_router_cfg *c, uint64_t now) {
  if (!c->out || !c->self || strlen(c->self) >= 49) return NULL;
  ogrh_router *r = ogrh_malloc(sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  r->cfg = *c;
  snprintf(r->self, sizeof r->self, "%s", c->self);
  r->cfg.self = r->self;
  r->sender = ogrh_sender_new(&c->ctl, out_frame, r, now);
  r->reasm = ogrh_reasm_new(&c->wire, &c->limits, c->seed, on_deliver, on_nack, on_heard, r);
  r->next_id = (uint16_t)(c->seed & 0x3ff);
  if (!r->sender || !r->reasm) {
    ogrh_router_free(r, now);
    return NULL;
  }
  return r;
}

static void kept_free(kept *k) {
  ogrh_frames_deinit(&k->frames);
  ogrh_free(k->resent_at, (k->frames.n ? k->frames.n : 1) * sizeof *k->resent_at);
  ogrh_free(k, sizeof *k);
}

void ogrh_router_free(ogrh_router *r, uint64_t now) {
  if (!r) return;
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

int ogrh_router_send(ogrh_router *r, uint8_t type, const uint8_t *body, size_t n, int prio,
                     const char *target, const char *supersede, const ogrh_send_cb *cb,
                     uint64_t now) {
  mtype *t = &r->types[type];
  ogrh_ctl_prio p = prio >= 0 && prio <= OGRH_CTL_BULK ? (ogrh_ctl_prio)prio
                    : t->used                          ? t->prio
                                                       : OGRH_CTL_NORMAL;
  kept *k = ogrh_malloc(sizeof *k);
  if (!k) return OGRH_ENOMEM;
  memset(k, 0, sizeof *k);
  ogrh_frames_init(&k->frames);
  k->id = r->next_id;
  r->next_id = (uint16_t)((r->next_id + 1) & 0x3ff);
  k->prio = p;
  int rc = ogrh_wire_pack(&r->cfg.wire, k->id, type, target, body, n, true, &k->frames);
  if (rc) {
    kept_free(k);
    return rc;
  }
  k->resent_at = ogrh_malloc(k->frames.n * sizeof *k->resent_at);
  if (!k->resent_at) {
    kept_free(k);
    return OGRH_ENOMEM;
  }
  memset(k->resent_at, 0, k->frames.n * sizeof *k->resent_at);
  /* Kept a while after sending; a resend extends it. Queued frames keep everything alive. */
  k->until = now + r->cfg.retain_ms;
  k->next = r->kept;
  r->kept = k;
  const uint8_t **texts = ogrh_malloc(k->frames.n * sizeof *texts);
  if (!texts) return OGRH_ENOMEM;
  for (size_t i = 0; i < k->frames.n; i++)
    texts[i] = (const uint8_t *)k->frames.data.p + k->frames.off[i];
  r->st.sent_messages++;
  rc = ogrh_sender_send(r->sender, p, r->cfg.wire.prefix, texts, k->frames.len, k->frames.n,
                        supersede, cb, now);
  ogrh_free(texts, k->frames.n * sizeof *texts);
  return rc;
}

static kept *find_kept(ogrh_router *r, uint16_t id) {
  for (kept *k = r->kept; k; k = k->next)
    if (k->id == id) return k;
  return NULL;
}

static void on_heard(void *ud, const char *from, const char *owner, uint16_t id,
                     const uint16_t *ranges, size_t nranges, uint64_t now) {
  ogrh_router *r = ud;
  (void)from;
  if (strcmp(owner, r->self) != 0) return;
  kept *k = find_kept(r, id);
  if (!k) {
    r->st.expired_nacks++;
    return;
  }
  /* Resend exactly the frames asked for, except those already queued for a resend within the
     last second (several listeners asking for the same frames cost one resend). */
  const uint8_t *texts[OGRH_WIRE_MAX_FRAMES];
  size_t lens[OGRH_WIRE_MAX_FRAMES], n = 0;
  for (size_t i = 0; i < nranges; i++)
    for (size_t f = ranges[2 * i]; f < (size_t)ranges[2 * i] + ranges[2 * i + 1] && f < k->frames.n;
         f++) {
      if (k->resent_at[f] && now - k->resent_at[f] < 1000) continue;
      k->resent_at[f] = now;
      texts[n] = (const uint8_t *)k->frames.data.p + k->frames.off[f];
      lens[n++] = k->frames.len[f];
    }
  if (!n) return;
  k->until = now + r->cfg.retain_ms;
  r->st.resent_frames += n;
  ogrh_sender_send(r->sender, k->prio, r->cfg.wire.prefix, texts, lens, n, NULL, NULL, now);
}

static void on_nack(void *ud, const uint8_t *text, size_t n, uint64_t now) {
  ogrh_router *r = ud;
  const uint8_t *t = text;
  ogrh_sender_send(r->sender, OGRH_CTL_ALERT, r->cfg.wire.prefix, &t, &n, 1, NULL, NULL, now);
}

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

void ogrh_router_receive(ogrh_router *r, const char *sender, const char *prefix,
                         const uint8_t *text, size_t n, uint64_t now) {
  if (strcmp(prefix, r->cfg.wire.prefix) != 0) return;
  /* The channel echoes our own broadcasts back to us. */
  if (strcmp(sender, r->self) == 0) {
    r->st.own_echoes++;
    return;
  }
  ogrh_reasm_frame(r->reasm, sender, text, n, now);
}

void ogrh_router_tick(ogrh_router *r, uint64_t now) {
  ogrh_sender_tick(r->sender, now);
  ogrh_reasm_tick(r->reasm, now);
  kept **kp = &r->kept;
  while (*kp) {
    if (now > (*kp)->until && ogrh_sender_queued(r->sender) == 0) {
      kept *k = *kp;
      *kp = k->next;
      kept_free(k);
    } else {
      kp = &(*kp)->next;
    }
  }
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
