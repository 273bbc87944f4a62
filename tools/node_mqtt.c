/*
** node_mqtt.c
** The team's channel over an MQTT broker with libmosquitto, driven by the node's own poll loop
** (mosquitto_socket, loop_read/write/misc): no thread of libmosquitto's own.
**
** MQTT 5, QoS 1, clean sessions: what a node missed while away reaches it through the sync
** protocol's catch-up, not through broker-side queues, so a broker restart loses nothing the
** protocol cannot recover. Subscriptions use "no local" so our own frames do not come back.
** Each frame is one PUBLISH whose payload is PREFIX, a TAB, then the frame's text: the form a
** WoW client hands an addon message over in, so the same frames as in the game travel here.
*/
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOPIC_MAX (16 + 2 * OGRH_NAME_MAX)
/* Reconnection backoff: 0.5 s doubling to 30 s, with up to a quarter more at random. */
#define BACKOFF_MIN 500
#define BACKOFF_MAX 30000

typedef struct qframe {
  uint8_t *p;
  size_t n;
} qframe;

struct live_mqtt {
  struct mosquitto *mosq;
  live_mqtt_cfg cfg;
  char host[256], team[OGRH_NAME_MAX + 1], user[OGRH_NAME_MAX + 1], password[256], tls_ca[1024];
  char topic_self[TOPIC_MAX], topic_all[TOPIC_MAX], topic_roster[TOPIC_MAX], from[TOPIC_MAX];
  live_mqtt_cb cb;
  live_log *log;
  bool connected, ever_connected, pending; /* pending: a connection attempt is under way */
  uint64_t next_attempt, next_misc;
  unsigned backoff;
  ogrh_rng rng;
  live_mqtt_stats st;
  qframe *q; /* frames waiting for the connection, a ring */
  size_t qhead, qn, qcap, qbytes;
  int roster_mid, roster_rc; /* the roster publication `ogrh roster` waits for */
  char refusal[160];         /* why the broker last refused the connection ("" if it did not) */
  bool roster_done;
};

int live_parse_hostport(const char *s, int default_port, char *host, size_t hostcap, int *port) {
  const char *colon = NULL, *h = s;
  size_t hl;
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (!close) return OGRH_EINVAL;
    h = s + 1;
    hl = (size_t)(close - h);
    if (close[1] == ':')
      colon = close + 1;
    else if (close[1])
      return OGRH_EINVAL;
  } else {
    colon = strrchr(s, ':');
    if (colon && strchr(s, ':') != colon) colon = NULL; /* a bare IPv6 address */
    hl = colon ? (size_t)(colon - s) : strlen(s);
  }
  if (hl == 0 || hl >= hostcap) return OGRH_EINVAL;
  memcpy(host, h, hl);
  host[hl] = '\0';
  *port = default_port;
  if (colon) {
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 0 || p > 65535) return OGRH_EINVAL;
    *port = (int)p;
  }
  return OGRH_OK;
}

int live_read_password(const char *path, char *out, size_t cap, ogrh_err *err) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_read_file(path, &b);
  if (rc) {
    ogrh_buf_deinit(&b);
    return ogrh_err_set(err, rc, "%s: cannot read the password file", path);
  }
  size_t n = 0;
  while (n < b.n && b.p[n] != '\n' && b.p[n] != '\r')
    n++;
  if (n == 0 || n >= cap) {
    ogrh_buf_deinit(&b);
    return ogrh_err_set(err, OGRH_EINVAL, "%s: the first line must hold the password", path);
  }
  memcpy(out, b.p, n);
  out[n] = '\0';
  ogrh_buf_deinit(&b);
  return OGRH_OK;
}

int live_conn_cfg(live_conn_opts *o, live_mqtt_cfg *cfg, ogrh_err *err) {
  memset(cfg, 0, sizeof *cfg);
  if (!o->broker || !o->team || !o->user)
    return ogrh_err_set(err, OGRH_EINVAL, "--broker, --raid and --user are required");
  if (!ogrh_name_valid(o->team, strlen(o->team)))
    return ogrh_err_set(err, OGRH_EINVAL,
                        "'%s' is not a valid team name (1-%d bytes, none of / + #)", o->team,
                        OGRH_NAME_MAX);
  if (!ogrh_name_valid(o->user, strlen(o->user)))
    return ogrh_err_set(err, OGRH_EINVAL,
                        "'%s' is not a valid user name (1-%d bytes, none of / + #)", o->user,
                        OGRH_NAME_MAX);
  if (live_parse_hostport(o->broker, o->tls_ca ? 8883 : 1883, o->host, sizeof o->host,
                          &cfg->port) ||
      cfg->port == 0)
    return ogrh_err_set(err, OGRH_EINVAL, "--broker '%s' is not HOST[:PORT]", o->broker);
  if (o->password_file) {
    int rc = live_read_password(o->password_file, o->password, sizeof o->password, err);
    if (rc) return rc;
  }
  cfg->host = o->host;
  cfg->team = o->team;
  cfg->user = o->user;
  cfg->password = o->password_file ? o->password : NULL;
  cfg->tls_ca = o->tls_ca;
  cfg->subscribe = true;
  cfg->keepalive = 30;
  return OGRH_OK;
}

/* ---- the queue of frames waiting for a connection ---- */

static void queue_drop_oldest(live_mqtt *m) {
  qframe *f = &m->q[m->qhead];
  m->qbytes -= f->n;
  free(f->p);
  m->qhead = (m->qhead + 1) % m->qcap;
  m->qn--;
  m->st.dropped++;
}

static int queue_push(live_mqtt *m, const uint8_t *p, size_t n) {
  while (m->qn && m->qbytes + n > LIVE_MQTT_QUEUE)
    queue_drop_oldest(m);
  if (m->qn == m->qcap) {
    size_t ncap = m->qcap ? m->qcap * 2 : 64;
    qframe *nq = malloc(ncap * sizeof *nq);
    if (!nq) return OGRH_ENOMEM;
    for (size_t i = 0; i < m->qn; i++)
      nq[i] = m->q[(m->qhead + i) % m->qcap];
    free(m->q);
    m->q = nq;
    m->qcap = ncap;
    m->qhead = 0;
  }
  uint8_t *copy = malloc(n ? n : 1);
  if (!copy) return OGRH_ENOMEM;
  memcpy(copy, p, n);
  m->q[(m->qhead + m->qn) % m->qcap] = (qframe){copy, n};
  m->qn++;
  m->qbytes += n;
  return OGRH_OK;
}

static int publish_raw(live_mqtt *m, const uint8_t *p, size_t n) {
  int rc = mosquitto_publish_v5(m->mosq, NULL, m->topic_self, (int)n, p, 1, false, NULL);
  if (rc != MOSQ_ERR_SUCCESS) return rc;
  m->st.msgs_out++;
  m->st.bytes_out += n;
  return MOSQ_ERR_SUCCESS;
}

static void queue_flush(live_mqtt *m) {
  while (m->qn && m->connected) {
    qframe *f = &m->q[m->qhead];
    if (publish_raw(m, f->p, f->n) != MOSQ_ERR_SUCCESS) return;
    m->qbytes -= f->n;
    free(f->p);
    m->qhead = (m->qhead + 1) % m->qcap;
    m->qn--;
  }
}

/* ---- libmosquitto callbacks ---- */

static void schedule_retry(live_mqtt *m, uint64_t now) {
  unsigned jitter = (unsigned)ogrh_rng_below(&m->rng, m->backoff / 4 + 1);
  m->next_attempt = now + m->backoff + jitter;
  m->backoff = m->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : m->backoff * 2;
}

static void on_connect(struct mosquitto *mosq, void *ud, int rc, int flags,
                       const mosquitto_property *props) {
  (void)mosq, (void)flags, (void)props;
  live_mqtt *m = ud;
  m->pending = false;
  if (rc != 0) {
    /* The broker answered but refused: wrong password, unknown user, banned client. */
    snprintf(m->refusal, sizeof m->refusal, "%s", mosquitto_reason_string(rc));
    live_log_event(m->log, LIVE_EVENT, "refused",
                   json_pack("{s:s, s:i}", "what", "connect", "reason", rc),
                   "the broker %s:%d refused the connection: %s", m->host, m->cfg.port,
                   mosquitto_reason_string(rc));
    schedule_retry(m, live_now_ms());
    return;
  }
  m->connected = true;
  m->refusal[0] = '\0';
  m->backoff = BACKOFF_MIN;
  if (m->ever_connected) m->st.reconnects++;
  m->ever_connected = true;
  if (m->cfg.subscribe)
    mosquitto_subscribe_v5(m->mosq, NULL, m->topic_all, 1, MQTT_SUB_OPT_NO_LOCAL, NULL);
  live_log_event(
      m->log, LIVE_EVENT, "connected",
      json_pack("{s:s, s:i, s:s}", "broker", m->host, "port", m->cfg.port, "team", m->team),
      "connected to %s:%d as %s (team %s)", m->host, m->cfg.port, m->user, m->team);
  queue_flush(m);
  if (m->cb.state) m->cb.state(m->cb.ud, true);
}

static void on_disconnect(struct mosquitto *mosq, void *ud, int rc,
                          const mosquitto_property *props) {
  (void)mosq, (void)props;
  live_mqtt *m = ud;
  bool was = m->connected;
  m->connected = false;
  m->pending = false;
  if (rc == 0) return; /* we asked for it */
  schedule_retry(m, live_now_ms());
  if (was) {
    live_log_event(m->log, LIVE_EVENT, "disconnected",
                   json_pack("{s:s, s:i}", "broker", m->host, "port", m->cfg.port),
                   "lost the connection to %s:%d (%s); reconnecting", m->host, m->cfg.port,
                   rc == MQTT_RC_SESSION_TAKEN_OVER ? "another node logged in as this user"
                                                    : mosquitto_reason_string(rc));
    if (m->cb.state) m->cb.state(m->cb.ud, false);
  }
}

static void on_publish(struct mosquitto *mosq, void *ud, int mid, int reason,
                       const mosquitto_property *props) {
  (void)mosq, (void)props;
  live_mqtt *m = ud;
  if (mid == m->roster_mid) {
    m->roster_rc = reason;
    m->roster_done = true;
  }
  if (reason >= 0x80) {
    m->st.refused++;
    live_log_event(m->log, LIVE_EVENT, "refused",
                   json_pack("{s:s, s:i}", "what", "publish", "reason", reason),
                   "the broker refused a publication: %s", mosquitto_reason_string(reason));
  }
}

/* The sender is the topic's last level: ogrh/<team>/from/<sender>. */
static void on_message(struct mosquitto *mosq, void *ud, const struct mosquitto_message *msg,
                       const mosquitto_property *props) {
  (void)mosq, (void)props;
  live_mqtt *m = ud;
  size_t n = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
  m->st.msgs_in++;
  m->st.bytes_in += n;
  if (strcmp(msg->topic, m->topic_roster) == 0) {
    if (m->cb.roster) m->cb.roster(m->cb.ud, msg->payload, n);
    return;
  }
  size_t fl = strlen(m->from);
  const char *sender = msg->topic + fl;
  const uint8_t *p = msg->payload;
  const uint8_t *tab = n ? memchr(p, '\t', n < 17 ? n : 17) : NULL;
  if (strncmp(msg->topic, m->from, fl) != 0 || !ogrh_name_valid(sender, strlen(sender)) || !tab ||
      tab == p) {
    m->st.ignored++;
    live_log_event(m->log, LIVE_DEBUG, "ignored", NULL, "ignored a message on %s", msg->topic);
    return;
  }
  char prefix[17];
  memcpy(prefix, p, (size_t)(tab - p));
  prefix[tab - p] = '\0';
  if (m->cb.frame) m->cb.frame(m->cb.ud, sender, prefix, tab + 1, n - (size_t)(tab + 1 - p));
}

/* ---- connection attempts ---- */

static void attempt(live_mqtt *m, uint64_t now) {
  m->next_attempt = 0;
  int rc = m->ever_connected || m->pending
               ? mosquitto_reconnect_async(m->mosq)
               : mosquitto_connect_async(m->mosq, m->host, m->cfg.port, m->cfg.keepalive);
  if (rc == MOSQ_ERR_SUCCESS) {
    m->pending = true;
    return;
  }
  live_log_event(m->log, LIVE_VERBOSE, "connect-failed", NULL,
                 "cannot reach the broker %s:%d: %s; retrying in %.1f s", m->host, m->cfg.port,
                 rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc),
                 m->backoff / 1000.0);
  schedule_retry(m, now);
}

int live_mqtt_new(const live_mqtt_cfg *cfg, const live_mqtt_cb *cb, live_log *log, live_mqtt **out,
                  ogrh_err *err) {
  *out = NULL;
  if (!ogrh_name_valid(cfg->team, strlen(cfg->team)))
    return ogrh_err_set(err, OGRH_EINVAL, "'%s' is not a valid team name", cfg->team);
  if (!ogrh_name_valid(cfg->user, strlen(cfg->user)))
    return ogrh_err_set(err, OGRH_EINVAL, "'%s' is not a valid user name", cfg->user);
  if (strlen(cfg->host) >= 256 || (cfg->password && strlen(cfg->password) >= 256) ||
      (cfg->tls_ca && strlen(cfg->tls_ca) >= 1024))
    return ogrh_err_set(err, OGRH_EINVAL, "broker, password or CA path too long");
  mosquitto_lib_init();
  live_mqtt *m = calloc(1, sizeof *m);
  if (!m) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  m->cfg = *cfg;
  snprintf(m->host, sizeof m->host, "%s", cfg->host);
  snprintf(m->team, sizeof m->team, "%s", cfg->team);
  snprintf(m->user, sizeof m->user, "%s", cfg->user);
  if (cfg->password) snprintf(m->password, sizeof m->password, "%s", cfg->password);
  if (cfg->tls_ca) snprintf(m->tls_ca, sizeof m->tls_ca, "%s", cfg->tls_ca);
  if (m->cfg.keepalive <= 0) m->cfg.keepalive = 30;
  snprintf(m->topic_self, sizeof m->topic_self, "ogrh/%s/from/%s", m->team, m->user);
  snprintf(m->topic_all, sizeof m->topic_all, "ogrh/%s/#", m->team);
  snprintf(m->topic_roster, sizeof m->topic_roster, "ogrh/%s/roster", m->team);
  snprintf(m->from, sizeof m->from, "ogrh/%s/from/", m->team);
  m->cb = *cb;
  m->log = log;
  m->backoff = BACKOFF_MIN;
  m->roster_mid = -1;
  ogrh_rng_seed(&m->rng, live_now_ms() ^ ((uint64_t)getpid() << 32));
  /* One client id per team and user: a second node of the same user takes the session over,
  ** and the first one says so. */
  char id[TOPIC_MAX];
  snprintf(id, sizeof id, "ogrh-%s-%s", m->team, m->user);
  m->mosq = mosquitto_new(id, true, m);
  if (!m->mosq) {
    free(m);
    return ogrh_err_set(err, OGRH_ENOMEM, "cannot create the MQTT client");
  }
  mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_max_inflight_messages_set(m->mosq, 100);
  int rc = mosquitto_username_pw_set(m->mosq, m->user, cfg->password ? m->password : NULL);
  if (rc == MOSQ_ERR_SUCCESS && cfg->tls_ca)
    rc = mosquitto_tls_set(m->mosq, m->tls_ca, NULL, NULL, NULL, NULL);
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(m->mosq);
    free(m);
    return ogrh_err_set(err, OGRH_EINVAL, "MQTT client setup: %s", mosquitto_strerror(rc));
  }
  mosquitto_connect_v5_callback_set(m->mosq, on_connect);
  mosquitto_disconnect_v5_callback_set(m->mosq, on_disconnect);
  mosquitto_publish_v5_callback_set(m->mosq, on_publish);
  mosquitto_message_v5_callback_set(m->mosq, on_message);
  attempt(m, live_now_ms());
  *out = m;
  return OGRH_OK;
}

void live_mqtt_free(live_mqtt *m, int timeout_ms) {
  if (!m) return;
  if (m->connected) {
    /* Let what is queued leave before saying goodbye. */
    uint64_t end = live_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    while (m->connected && mosquitto_want_write(m->mosq) && live_now_ms() < end) {
      struct pollfd p = {mosquitto_socket(m->mosq), POLLOUT | POLLIN, 0};
      if (poll(&p, 1, 50) > 0) live_mqtt_io(m, p.revents);
    }
    mosquitto_disconnect_v5(m->mosq, MQTT_RC_NORMAL_DISCONNECTION, NULL);
    mosquitto_loop_write(m->mosq, 1);
  }
  mosquitto_destroy(m->mosq);
  while (m->qn)
    queue_drop_oldest(m);
  free(m->q);
  free(m);
}

int live_mqtt_fd(live_mqtt *m) {
  return m->pending || m->connected ? mosquitto_socket(m->mosq) : -1;
}

short live_mqtt_events(live_mqtt *m) {
  return (short)(POLLIN | (mosquitto_want_write(m->mosq) ? POLLOUT : 0));
}

static void io_failed(live_mqtt *m, int rc) {
  /* libmosquitto calls on_disconnect for a lost connection; a failed connection attempt
  ** (refused, unreachable) only shows here. */
  if (m->connected) return;
  if (m->pending) {
    m->pending = false;
    live_log_event(m->log, LIVE_VERBOSE, "connect-failed", NULL,
                   "cannot reach the broker %s:%d: %s; retrying", m->host, m->cfg.port,
                   rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
    if (!m->next_attempt) schedule_retry(m, live_now_ms());
  }
}

void live_mqtt_io(live_mqtt *m, short revents) {
  int rc = MOSQ_ERR_SUCCESS;
  if (revents & (POLLIN | POLLERR | POLLHUP)) rc = mosquitto_loop_read(m->mosq, 1);
  if (rc == MOSQ_ERR_SUCCESS && (revents & POLLOUT)) rc = mosquitto_loop_write(m->mosq, 1);
  if (rc != MOSQ_ERR_SUCCESS) io_failed(m, rc);
}

uint64_t live_mqtt_tick(live_mqtt *m, uint64_t now) {
  if (!m->connected && !m->pending && m->next_attempt && now >= m->next_attempt) attempt(m, now);
  if (now >= m->next_misc) {
    if (m->connected || m->pending) {
      int rc = mosquitto_loop_misc(m->mosq);
      if (rc != MOSQ_ERR_SUCCESS) io_failed(m, rc);
    }
    m->next_misc = now + 1000;
  }
  uint64_t next = m->next_misc;
  if (m->next_attempt && m->next_attempt < next) next = m->next_attempt;
  return next;
}

bool live_mqtt_connected(const live_mqtt *m) {
  return m->connected;
}

const live_mqtt_stats *live_mqtt_stats_get(const live_mqtt *m) {
  return &m->st;
}

size_t live_mqtt_queued(const live_mqtt *m) {
  return m->qn;
}

int live_mqtt_publish_frame(live_mqtt *m, const char *prefix, const uint8_t *text, size_t n) {
  size_t pl = strlen(prefix);
  if (pl == 0 || pl > 16 || memchr(prefix, '\t', pl)) return OGRH_EINVAL;
  uint8_t stackbuf[512];
  uint8_t *p = pl + 1 + n <= sizeof stackbuf ? stackbuf : malloc(pl + 1 + n);
  if (!p) return OGRH_ENOMEM;
  memcpy(p, prefix, pl);
  p[pl] = '\t';
  memcpy(p + pl + 1, text, n);
  int rc = OGRH_OK;
  if (!m->connected || m->qn || publish_raw(m, p, pl + 1 + n) != MOSQ_ERR_SUCCESS)
    rc = queue_push(m, p, pl + 1 + n);
  if (p != stackbuf) free(p);
  return rc;
}

bool live_mqtt_wait(live_mqtt *m, bool (*fn)(void *ud), void *ud, int timeout_ms) {
  uint64_t end = live_now_ms() + (uint64_t)timeout_ms;
  for (;;) {
    if (fn(ud)) return true;
    uint64_t now = live_now_ms();
    if (now >= end) return false;
    uint64_t next = live_mqtt_tick(m, now);
    int wait = (int)((next < end ? next : end) - now);
    if (wait > 50) wait = 50;
    int fd = live_mqtt_fd(m);
    if (fd < 0) {
      poll(NULL, 0, wait);
      continue;
    }
    struct pollfd p = {fd, live_mqtt_events(m), 0};
    if (poll(&p, 1, wait) > 0) live_mqtt_io(m, p.revents);
  }
}

static bool roster_answered(void *ud) {
  return ((live_mqtt *)ud)->roster_done;
}

static bool connected_or_refused(void *ud) {
  live_mqtt *m = ud;
  return m->connected || m->refusal[0];
}

const char *live_mqtt_refusal(const live_mqtt *m) {
  return m->refusal[0] ? m->refusal : NULL;
}

int live_mqtt_put_roster(live_mqtt *m, const char *payload, size_t n) {
  if (!m->connected) return OGRH_EAGAIN;
  int rc = mosquitto_publish_v5(m->mosq, NULL, m->topic_roster, (int)n, payload, 1, true, NULL);
  if (rc != MOSQ_ERR_SUCCESS) return OGRH_EIO;
  m->st.msgs_out++;
  m->st.bytes_out += n;
  return OGRH_OK;
}

int live_mqtt_publish_roster(live_mqtt *m, const char *payload, size_t n, int timeout_ms,
                             ogrh_err *err) {
  uint64_t start = live_now_ms();
  if (!live_mqtt_wait(m, connected_or_refused, m, timeout_ms) || !m->connected)
    return ogrh_err_set(err, m->refusal[0] ? OGRH_EREFUSED : OGRH_EAGAIN,
                        "could not connect to the broker %s:%d%s%s", m->host, m->cfg.port,
                        m->refusal[0] ? ": " : "", m->refusal);
  m->roster_done = false;
  int rc = mosquitto_publish_v5(m->mosq, &m->roster_mid, m->topic_roster, (int)n, payload, 1, true,
                                NULL);
  if (rc != MOSQ_ERR_SUCCESS)
    return ogrh_err_set(err, OGRH_EIO, "cannot publish: %s", mosquitto_strerror(rc));
  m->st.msgs_out++;
  m->st.bytes_out += n;
  int left = timeout_ms - (int)(live_now_ms() - start);
  if (!live_mqtt_wait(m, roster_answered, m, left > 100 ? left : 100))
    return ogrh_err_set(err, OGRH_EAGAIN, "the broker did not confirm the roster");
  if (m->roster_rc >= 0x80)
    return ogrh_err_set(err, OGRH_EREFUSED,
                        "the broker refused the roster: %s (only the leader's account may "
                        "publish %s)",
                        mosquitto_reason_string(m->roster_rc), m->topic_roster);
  return OGRH_OK;
}
