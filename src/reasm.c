/*
** reasm.c
** Reassembly: the frames of every sender become messages again. Duplicates are dropped; a
** completed message is checked against its checksum before anything of it is read; what one
** sender can make us hold is bounded in bytes, messages and time; missing frames are asked
** for with NACKs, and a NACK heard from someone else for the same frames postpones ours.
**
** Every time is explicit: a partial message records when it was created and when it last
** made progress, so a clock that starts at 0 is as good as any other.
*/
#include "wire_int.h"

#include <stdio.h>
#include <string.h>

/* Scratch buffers larger than this are freed after use. */
#define KEEP_BUFFER (256u << 10)

/* One frame of a partial message: where its payload sits in the partial's data buffer. */
typedef struct slot {
  uint32_t off;
  uint16_t len;
  uint8_t got;
} slot;

typedef struct partial {
  uint16_t id;
  bool have_first;     /* the first frame arrived: total and first_hash are known */
  uint16_t total;      /* frames in the message, when have_first */
  uint16_t have;       /* frames received */
  uint16_t maxseen;    /* highest frame index received */
  uint32_t first_hash; /* of the first frame, when have_first */
  slot *slots;
  size_t cap_slots;
  uint8_t *bytes; /* frame payloads in arrival order */
  size_t nbytes, cap_bytes;
  uint64_t last; /* creation, then the last frame that made progress */
  uint64_t nack_due;
  unsigned tries;
  size_t cost; /* bytes charged to the sender: cap_bytes + cap_slots * sizeof(slot) */
} partial;

/*
** A completed message: its id and a hash of its first frame, so that a new message that
** reuses the id (ids are 10 bits) is not mistaken for a late copy of the old one. At most
** one record per id.
*/
typedef struct done_id {
  uint16_t id;
  uint32_t first;
  uint64_t at;
} done_id;

typedef struct peer {
  char name[OGRH__NAME_MAX + 1];
  partial *parts; /* oldest first */
  size_t nparts, cap_parts;
  done_id *done;
  size_t ndone, cap_done;
  size_t held; /* sum of the parts' costs */
} peer;

struct ogrh_reasm {
  ogrh_wire_cfg cfg;
  ogrh_reasm_limits lim;
  ogrh_rng rng;
  ogrh_deliver_fn deliver;
  ogrh_nack_fn nack;
  ogrh_nack_heard_fn heard;
  void *ud;
  peer *peers;
  size_t npeers, cap_peers;
  ogrh_reasm_stats st;
  ogrh_buf scratch; /* the raw frame being handled */
  ogrh_buf whole;   /* a message whose frames arrived out of order, in order */
  ogrh_buf body;    /* an inflated body */
  size_t per;       /* message bytes a full first or continuation frame carries */
};

void ogrh_reasm_limits_default(ogrh_reasm_limits *l) {
  /* A message of the most frames (4095 x 246 bytes) fits, payload buffer and frame table. */
  l->max_bytes_per_sender = (1u << 20) + (64u << 10);
  l->max_messages_per_sender = 16;
  l->max_message_bytes = 4u << 20;
  l->timeout_ms = 30000;
  l->nack_after_ms = 1500;
  l->nack_jitter_ms = 500;
  l->nack_tries = 5;
  l->remember_ms = 60000;
  l->inflate_ratio = 32;
  l->inflate_slack = 64u << 10;
}

ogrh_reasm *ogrh_reasm_new(const ogrh_wire_cfg *c, const ogrh_reasm_limits *l, uint64_t seed,
                           ogrh_deliver_fn deliver, ogrh_nack_fn nack, ogrh_nack_heard_fn heard,
                           void *ud) {
  if (!c || !deliver || (l && (!l->max_bytes_per_sender || !l->max_messages_per_sender)))
    return NULL;
  size_t cap = ogrh__raw_capacity(c);
  if (cap <= OGRH__MULTI_HDR) return NULL;
  ogrh_reasm *r = ogrh_malloc(sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  r->cfg = *c;
  if (l)
    r->lim = *l;
  else
    ogrh_reasm_limits_default(&r->lim);
  ogrh_rng_seed(&r->rng, seed);
  r->deliver = deliver;
  r->nack = nack;
  r->heard = heard;
  r->ud = ud;
  ogrh_buf_init(&r->scratch);
  ogrh_buf_init(&r->whole);
  ogrh_buf_init(&r->body);
  r->per = cap - OGRH__MULTI_HDR;
  return r;
}

static void part_free(partial *pt) {
  ogrh_free(pt->slots, pt->cap_slots * sizeof *pt->slots);
  ogrh_free(pt->bytes, pt->cap_bytes);
}

static void peer_free(peer *p) {
  for (size_t j = 0; j < p->nparts; j++)
    part_free(&p->parts[j]);
  ogrh_free(p->parts, p->cap_parts * sizeof *p->parts);
  ogrh_free(p->done, p->cap_done * sizeof *p->done);
}

void ogrh_reasm_free(ogrh_reasm *r) {
  if (!r) return;
  for (size_t i = 0; i < r->npeers; i++)
    peer_free(&r->peers[i]);
  ogrh_free(r->peers, r->cap_peers * sizeof *r->peers);
  ogrh_buf_deinit(&r->scratch);
  ogrh_buf_deinit(&r->whole);
  ogrh_buf_deinit(&r->body);
  ogrh_free(r, sizeof *r);
}

const ogrh_reasm_stats *ogrh_reasm_stats_get(const ogrh_reasm *r) {
  return &r->st;
}

size_t ogrh_reasm_held(const ogrh_reasm *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->npeers; i++)
    n += r->peers[i].held;
  return n;
}

/* ---- peers, partial messages, completed ids ---- */

static peer *find_peer(ogrh_reasm *r, const char *name) {
  for (size_t i = 0; i < r->npeers; i++)
    if (strcmp(r->peers[i].name, name) == 0) return &r->peers[i];
  return NULL;
}

static int add_peer(ogrh_reasm *r, const char *name, peer **out) {
  if (strlen(name) > OGRH__NAME_MAX) return OGRH_EINVAL;
  if (ogrh_grow(&r->peers, &r->cap_peers, r->npeers + 1, sizeof *r->peers)) return OGRH_ENOMEM;
  peer *p = &r->peers[r->npeers++];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  *out = p;
  return OGRH_OK;
}

static partial *find_part(peer *p, uint16_t id) {
  for (size_t i = 0; i < p->nparts; i++)
    if (p->parts[i].id == id) return &p->parts[i];
  return NULL;
}

/* Takes part i out of the peer (its memory is the caller's). */
static partial detach_part(peer *p, size_t i) {
  partial pt = p->parts[i];
  p->held -= pt.cost;
  memmove(&p->parts[i], &p->parts[i + 1], (p->nparts - i - 1) * sizeof *p->parts);
  p->nparts--;
  return pt;
}

static void drop_part(peer *p, size_t i) {
  partial pt = detach_part(p, i);
  part_free(&pt);
}

static uint64_t jitter(ogrh_reasm *r) {
  return r->lim.nack_jitter_ms ? ogrh_rng_below(&r->rng, r->lim.nack_jitter_ms + 1) : 0;
}

static uint32_t frame_hash(const uint8_t *f, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ f[i]) * 16777619u;
  return h | 1;
}

/* The record of id if it is recent enough to count. */
static done_id *find_done(ogrh_reasm *r, peer *p, uint16_t id, uint64_t now) {
  for (size_t i = 0; i < p->ndone; i++)
    if (p->done[i].id == id)
      return ogrh__elapsed(now, p->done[i].at) <= r->lim.remember_ms ? &p->done[i] : NULL;
  return NULL;
}

/* Room for one more record, made before anything changes. */
static int reserve_done(peer *p) {
  return ogrh_grow(&p->done, &p->cap_done, p->ndone + 1, sizeof *p->done);
}

static void mark_done(peer *p, uint16_t id, uint32_t first, uint64_t now) {
  done_id *d = NULL;
  for (size_t i = 0; i < p->ndone && !d; i++)
    if (p->done[i].id == id) d = &p->done[i];
  if (!d) d = &p->done[p->ndone++]; /* reserve_done made room */
  d->id = id;
  d->first = first;
  d->at = now;
}

/* ---- completed messages ---- */

static size_t inflate_limit(const ogrh_reasm_limits *l, size_t n) {
  size_t lim = l->max_message_bytes;
  if (l->inflate_ratio && n <= (SIZE_MAX - l->inflate_slack) / l->inflate_ratio &&
      n * l->inflate_ratio + l->inflate_slack < lim)
    lim = n * l->inflate_ratio + l->inflate_slack;
  return lim;
}

/*
** The message m[0..n) of id from p is complete. OGRH_ENOMEM: nothing changed (the caller
** takes its frame back). Any other status: the message is finished with (delivered, or
** counted and refused); the caller forgets its frames.
*/
static int complete(ogrh_reasm *r, peer *p, uint16_t id, uint32_t first, const uint8_t *m, size_t n,
                    uint64_t now) {
  if (reserve_done(p)) return OGRH_ENOMEM;
  ogrh_msg msg;
  const uint8_t *body;
  size_t body_len;
  int rc = ogrh__msg_parse(id, m, n, &msg, &body, &body_len);
  if (rc) {
    r->st.bad_checksum += rc == OGRH_EVERIFY;
    r->st.corrupt += rc != OGRH_EVERIFY;
    return OGRH_ECORRUPT;
  }
  if (msg.version == OGRH_WIRE_VERSION) {
    if (msg.flags & OGRH_MSG_COMPRESSED) {
      ogrh_buf_reset(&r->body);
      rc = ogrh_inflate(body, body_len, inflate_limit(&r->lim, body_len), &r->body);
      if (rc == OGRH_ENOMEM) return rc;
      if (rc) {
        r->st.too_big += rc == OGRH_ETOOBIG;
        r->st.corrupt += rc != OGRH_ETOOBIG;
        return rc == OGRH_ETOOBIG ? rc : OGRH_ECORRUPT;
      }
      body = (const uint8_t *)r->body.p;
      body_len = r->body.n;
    } else if (body_len > r->lim.max_message_bytes) {
      r->st.too_big++;
      return OGRH_ETOOBIG;
    }
    msg.body = body;
    msg.body_len = body_len;
  }
  /* Another protocol version is handed over as it is: the router counts and drops it. */
  mark_done(p, id, first, now);
  r->st.messages++;
  r->deliver(r->ud, p->name, &msg, now);
  return OGRH_OK;
}

/* The frames of pt in order, in place when they arrived in order. */
static int assemble(ogrh_reasm *r, const partial *pt, const uint8_t **m, size_t *n) {
  bool inorder = true;
  size_t at = 0;
  for (size_t i = 0; i < pt->total && inorder; i++) {
    inorder = pt->slots[i].off == at;
    at += pt->slots[i].len;
  }
  if (inorder) {
    *m = pt->bytes;
    *n = pt->nbytes;
    return OGRH_OK;
  }
  ogrh_buf_reset(&r->whole);
  if (ogrh_buf_reserve(&r->whole, pt->nbytes)) return OGRH_ENOMEM;
  for (size_t i = 0; i < pt->total; i++)
    ogrh_buf_add(&r->whole, pt->bytes + pt->slots[i].off, pt->slots[i].len);
  *m = (const uint8_t *)r->whole.p;
  *n = r->whole.n;
  return OGRH_OK;
}

/* ---- NACKs heard ---- */

static int heard_nack(ogrh_reasm *r, const char *from, const uint8_t *f, size_t n, uint64_t now) {
  ogrh__nack nk;
  int rc = ogrh__nack_parse(f, n, &nk);
  if (rc) {
    r->st.bad_checksum += rc == OGRH_EVERIFY;
    r->st.corrupt += rc != OGRH_EVERIFY;
    return OGRH_ECORRUPT;
  }
  /* Someone else asked for what we miss: wait instead of asking again (SRM suppression). */
  peer *p = find_peer(r, nk.owner);
  partial *pt = p ? find_part(p, nk.id) : NULL;
  if (pt) {
    size_t total = pt->have_first ? pt->total : (size_t)pt->maxseen + 1;
    bool covered = true;
    for (size_t k = 0; k < total && covered; k++) {
      if (k < pt->cap_slots && pt->slots[k].got) continue;
      bool in = false;
      for (size_t x = 0; x < nk.nranges && !in; x++)
        in = k >= nk.ranges[2 * x] && k < (size_t)nk.ranges[2 * x] + nk.ranges[2 * x + 1];
      covered = in;
    }
    if (covered) {
      pt->nack_due = now + r->lim.nack_after_ms + jitter(r);
      r->st.nacks_suppressed++;
    }
  }
  return r->heard ? r->heard(r->ud, from, nk.owner, nk.id, nk.ranges, nk.nranges, now) : OGRH_OK;
}

/* ---- frames ---- */

static int corrupt(ogrh_reasm *r) {
  r->st.corrupt++;
  return OGRH_ECORRUPT;
}

/* Resizes an array to exactly n elements (n larger than its capacity). */
static int resize(void *pp, size_t *cap, size_t n, size_t size) {
  void **p = pp;
  void *q = ogrh_realloc(*p, *cap * size, n * size);
  if (!q) return OGRH_ENOMEM;
  *p = q;
  *cap = n;
  return OGRH_OK;
}

/*
** Makes room in pt for frame index and len payload bytes, and charges the sender. Once the
** frame count is known, the frame table and the payload buffer get exactly the size a whole
** message of full frames needs; before that (frames that came before the first) they grow.
*/
static int part_room(ogrh_reasm *r, peer *p, partial *pt, size_t index, size_t len) {
  if (index < pt->cap_slots && pt->nbytes + len <= pt->cap_bytes) return OGRH_OK;
  int rc = OGRH_OK;
  size_t old = pt->cap_slots;
  if (pt->have_first && pt->total > old)
    rc = resize(&pt->slots, &pt->cap_slots, pt->total, sizeof *pt->slots);
  else if (!pt->have_first)
    rc = ogrh_grow(&pt->slots, &pt->cap_slots, index + 1, sizeof *pt->slots);
  if (rc) return rc;
  memset(pt->slots + old, 0, (pt->cap_slots - old) * sizeof *pt->slots);
  size_t need = pt->nbytes + len, full = pt->have_first ? pt->total * r->per : 0;
  if (need > pt->cap_bytes)
    rc = full >= need ? resize(&pt->bytes, &pt->cap_bytes, full, 1)
                      : ogrh_grow(&pt->bytes, &pt->cap_bytes, need, 1);
  size_t cost = pt->cap_bytes + pt->cap_slots * sizeof *pt->slots;
  p->held += cost - pt->cost;
  pt->cost = cost;
  return rc;
}

/* Frees the sender's oldest other messages until its holdings fit; then pt must fit. */
static int fit(ogrh_reasm *r, peer *p, uint16_t id) {
  while (p->held > r->lim.max_bytes_per_sender && p->nparts > 1) {
    size_t victim = p->parts[0].id == id ? 1 : 0;
    drop_part(p, victim);
    r->st.dropped_memory++;
  }
  return p->held > r->lim.max_bytes_per_sender ? OGRH_ETOOBIG : OGRH_OK;
}

static int data_frame(ogrh_reasm *r, const char *sender, const uint8_t *f, size_t fn,
                      uint64_t now) {
  int kind = f[0] >> 6;
  uint16_t id = (uint16_t)((f[0] & 0x3f) << 4 | f[1] >> 4);
  if (kind == OGRH__K_SINGLE && (f[1] & 0x0f)) return corrupt(r);
  if (kind != OGRH__K_SINGLE && fn <= OGRH__MULTI_HDR) return corrupt(r);
  size_t field = kind == OGRH__K_SINGLE ? 0 : (size_t)(f[1] & 0x0f) << 8 | f[2];
  if ((kind == OGRH__K_FIRST && field < 2) || (kind == OGRH__K_CONT && field == 0))
    return corrupt(r);
  peer *p = find_peer(r, sender);
  int rc;
  if (!p && (rc = add_peer(r, sender, &p))) return rc;
  uint32_t fh = kind == OGRH__K_CONT ? 0 : frame_hash(f, fn);
  partial *pt = find_part(p, id);
  if (pt && kind == OGRH__K_FIRST && pt->have_first && pt->first_hash != fh) {
    /* A new message under an id still in use: the old one is not coming back. */
    drop_part(p, (size_t)(pt - p->parts));
    r->st.dropped_memory++;
    pt = NULL;
  }
  if (!pt || kind == OGRH__K_SINGLE) {
    done_id *d = find_done(r, p, id, now);
    if (d && (kind == OGRH__K_CONT || d->first == fh)) {
      r->st.duplicates++;
      return OGRH_OK;
    }
  }
  if (kind == OGRH__K_SINGLE) {
    rc = complete(r, p, id, fh, f + OGRH__SINGLE_HDR, fn - OGRH__SINGLE_HDR, now);
    return rc;
  }
  size_t index = kind == OGRH__K_FIRST ? 0 : field;
  size_t len = fn - OGRH__MULTI_HDR;
  if (kind == OGRH__K_FIRST) {
    /* A message that cannot fit whatever happens is refused at once. */
    size_t least = (field - 1) * r->per + 1;
    if (least > r->lim.max_bytes_per_sender ||
        least > r->lim.max_message_bytes + 2 + 32 + OGRH__CRC_LEN) {
      if (pt) drop_part(p, (size_t)(pt - p->parts));
      r->st.dropped_memory++;
      return OGRH_ETOOBIG;
    }
    if (pt && (pt->maxseen >= field || (pt->have_first && pt->total != field))) {
      drop_part(p, (size_t)(pt - p->parts));
      return corrupt(r);
    }
  } else if (pt && pt->have_first && index >= pt->total) {
    return corrupt(r);
  }
  if (pt && index < pt->cap_slots && pt->slots[index].got) {
    r->st.duplicates++;
    return OGRH_OK;
  }
  bool created = !pt;
  if (created) {
    /* Bound what one sender can make us hold: the oldest incomplete message goes first. */
    if (ogrh_grow(&p->parts, &p->cap_parts, p->nparts + 1, sizeof *p->parts)) return OGRH_ENOMEM;
    while (p->nparts >= r->lim.max_messages_per_sender) {
      drop_part(p, 0);
      r->st.dropped_memory++;
    }
    pt = &p->parts[p->nparts++];
    memset(pt, 0, sizeof *pt);
    pt->id = id;
    pt->last = now;
    pt->nack_due = now + r->lim.nack_after_ms + jitter(r);
  }
  /* Taken back on failure: the state before this frame. */
  partial before = *pt;
  if (kind == OGRH__K_FIRST) {
    pt->have_first = true;
    pt->total = (uint16_t)field;
    pt->first_hash = fh;
  }
  rc = part_room(r, p, pt, index, len);
  /* Even a failed part_room may have grown something: the limit holds either way. */
  if (fit(r, p, id) == OGRH_ETOOBIG) {
    pt = find_part(p, id);
    drop_part(p, (size_t)(pt - p->parts));
    r->st.dropped_memory++;
    return OGRH_ETOOBIG;
  }
  pt = find_part(p, id); /* fit may have moved it */
  if (rc) {
    if (created && pt->have == 0) {
      drop_part(p, (size_t)(pt - p->parts));
    } else {
      pt->have_first = before.have_first;
      pt->total = before.total;
      pt->first_hash = before.first_hash;
    }
    return rc;
  }
  pt->slots[index].off = (uint32_t)pt->nbytes;
  pt->slots[index].len = (uint16_t)len;
  pt->slots[index].got = 1;
  memcpy(pt->bytes + pt->nbytes, f + OGRH__MULTI_HDR, len);
  pt->nbytes += len;
  pt->have++;
  if (index > pt->maxseen) pt->maxseen = (uint16_t)index;
  pt->last = now;
  pt->tries = 0;
  pt->nack_due = now + r->lim.nack_after_ms + jitter(r);
  if (!pt->have_first || pt->have != pt->total) return OGRH_OK;
  const uint8_t *m;
  size_t n;
  rc = assemble(r, pt, &m, &n);
  /* The partial stays where it is during the callback (m may point into it). */
  if (!rc) rc = complete(r, p, id, pt->first_hash, m, n, now);
  if (rc != OGRH_ENOMEM) {
    drop_part(p, (size_t)(pt - p->parts));
    return rc;
  }
  /* Out of memory: as it was before this frame. */
  pt->slots[index].got = 0;
  pt->nbytes = pt->slots[index].off;
  pt->have = before.have;
  pt->maxseen = before.maxseen;
  pt->last = before.last;
  pt->tries = before.tries;
  pt->nack_due = before.nack_due;
  if (!before.have_first) pt->have_first = false;
  return rc;
}

int ogrh_reasm_frame(ogrh_reasm *r, const char *sender, const uint8_t *text, size_t n,
                     uint64_t now) {
  ogrh_buf_reset(&r->scratch);
  int rc = OGRH_OK;
  if (n == 0 || n > r->cfg.frame_text) {
    rc = OGRH_ECORRUPT;
  } else {
    rc = ogrh_safe_decode(&r->cfg, text, n, &r->scratch);
    if (rc == OGRH_ENOMEM) return rc;
    if (!rc && r->scratch.n < 2) rc = OGRH_ECORRUPT;
  }
  if (rc) {
    r->st.frames++;
    return corrupt(r);
  }
  const uint8_t *f = (const uint8_t *)r->scratch.p;
  size_t fn = r->scratch.n;
  if (f[0] >> 6 == OGRH__K_CTRL) {
    rc = (f[0] & 0x3f) == OGRH__CTRL_NACK ? heard_nack(r, sender, f, fn, now) : corrupt(r);
  } else {
    rc = data_frame(r, sender, f, fn, now);
    /* A rare large message does not leave its buffers behind for ever. */
    if (r->body.cap > KEEP_BUFFER) ogrh_buf_deinit(&r->body);
    if (r->whole.cap > KEEP_BUFFER) ogrh_buf_deinit(&r->whole);
  }
  if (rc != OGRH_ENOMEM) r->st.frames++;
  return rc;
}

/* ---- time ---- */

/* The missing frames of a partial message, as (first, count) ranges. */
static size_t missing_ranges(const partial *pt, uint16_t *ranges, size_t max) {
  size_t total = pt->have_first ? pt->total : (size_t)pt->maxseen + 1, n = 0;
  for (size_t k = 0; k < total && n < max;) {
    if (k < pt->cap_slots && pt->slots[k].got) {
      k++;
      continue;
    }
    size_t s = k;
    while (k < total && !(k < pt->cap_slots && pt->slots[k].got))
      k++;
    ranges[2 * n] = (uint16_t)s;
    ranges[2 * n + 1] = (uint16_t)(k - s);
    n++;
  }
  return n;
}

static int send_nack(ogrh_reasm *r, peer *p, partial *pt, uint64_t now) {
  uint16_t ranges[2 * 512];
  size_t nr = missing_ranges(pt, ranges, 512);
  if (!nr) return OGRH_OK;
  ogrh_buf out;
  ogrh_buf_init(&out);
  int rc = ogrh_wire_nack(&r->cfg, p->name, pt->id, ranges, nr, &out);
  if (!rc) rc = r->nack(r->ud, (const uint8_t *)out.p, out.n, now);
  ogrh_buf_deinit(&out);
  if (rc) return rc; /* asked again at the next tick */
  r->st.nacks_sent++;
  pt->tries++;
  unsigned shift = pt->tries < 16 ? pt->tries : 16;
  pt->nack_due = now + (r->lim.nack_after_ms << shift) + jitter(r);
  return OGRH_OK;
}

int ogrh_reasm_tick(ogrh_reasm *r, uint64_t now) {
  int first_err = OGRH_OK;
  for (size_t i = 0; i < r->npeers;) {
    peer *p = &r->peers[i];
    size_t w = 0;
    for (size_t k = 0; k < p->ndone; k++)
      if (ogrh__elapsed(now, p->done[k].at) <= r->lim.remember_ms) p->done[w++] = p->done[k];
    p->ndone = w;
    for (size_t j = 0; j < p->nparts;) {
      partial *pt = &p->parts[j];
      if (ogrh__elapsed(now, pt->last) > r->lim.timeout_ms) {
        drop_part(p, j);
        r->st.timeouts++;
        continue;
      }
      if (now >= pt->nack_due && pt->tries < r->lim.nack_tries && r->nack) {
        int rc = send_nack(r, p, pt, now);
        if (rc && !first_err) first_err = rc;
      }
      j++;
    }
    if (p->nparts == 0 && p->ndone == 0) {
      /* Nothing left of this sender: forget it. */
      peer_free(p);
      r->peers[i] = r->peers[--r->npeers];
      continue;
    }
    i++;
  }
  return first_err;
}
