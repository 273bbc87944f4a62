/*
** node_http.c
** The HTTP transport of the live node on libmicrohttpd, in "external" mode: MHD's epoll
** descriptor joins the node's poll loop and MHD_run is called when it is ready, so every
** handler runs on the node's one thread and may touch the engine directly.
**
** What it guarantees, whatever the endpoints do: a request without the token gets 401; a body
** over LIVE_HTTP_BODY_MAX gets 413 before it is read whole; every error is a JSON object; only
** loopback addresses are served unless asked. Server-sent event streams are responses whose
** reader suspends the connection while there is nothing to send and is resumed by
** live_http_broadcast; a comment line every 15 s finds dead clients.
*/
#define _DEFAULT_SOURCE
#include "node_live.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_STREAMS 32
#define STREAM_BACKLOG (1u << 20) /* a stream this far behind is closed */
#define KEEPALIVE_MS 15000

typedef struct stream {
  struct live_http *h;
  struct MHD_Connection *conn;
  ogrh_buf out;
  size_t sent;
  bool suspended, closed;
  struct stream *next;
} stream;

/* What one request collects while its body arrives. */
typedef struct pending {
  ogrh_buf body;
  size_t skipped; /* bytes of a body too large, read and dropped */
  bool too_big, answered;
  /* A deferred answer: the connection waits, suspended, for live_http_finish. */
  uint64_t id;
  struct MHD_Connection *conn;
  bool deferred, finished;
  live_http_resp late;
  struct pending *next;
} pending;

/* A body too large is read and dropped up to this much, so that the client, still sending,
** gets its 413 rather than a reset connection; beyond it the answer comes at once. */
#define SKIP_MAX (8u << 20)

struct live_http {
  struct MHD_Daemon *d;
  char token[128];
  char url[160];
  live_http_fn fn;
  void *ud;
  live_log *log;
  stream *streams;
  size_t nstreams;
  uint64_t next_keepalive;
  pending *deferred; /* requests waiting for live_http_finish */
  uint64_t next_id;
};

void live_http_error(live_http_resp *rs, int status, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  live_http_json(rs, status, json_pack("{s:s, s:i}", "error", msg, "status", status));
}

void live_http_json(live_http_resp *rs, int status, json_t *o) {
  rs->status = status;
  ogrh_buf_reset(&rs->body);
  char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
  json_decref(o);
  if (text) {
    ogrh_buf_adds(&rs->body, text);
    ogrh_buf_addc(&rs->body, '\n');
  } else {
    rs->status = 500;
    ogrh_buf_adds(&rs->body, "{\"error\":\"out of memory\",\"status\":500}\n");
  }
  ogrh_json_free(text);
}

const char *live_http_query(const live_http_req *rq, const char *key) {
  return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *live_http_header(const live_http_req *rq, const char *key) {
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, key);
}

/* Compares in time independent of where the strings first differ. */
static bool token_equal(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  unsigned diff = (unsigned)(na ^ nb);
  for (size_t i = 0; i < na; i++)
    diff |= (unsigned)(a[i] ^ b[nb ? i % nb : 0]);
  return diff == 0 && na > 0;
}

static bool authorized(live_http *h, struct MHD_Connection *c) {
  const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
  if (q && token_equal(q, h->token)) return true;
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  return auth && strncmp(auth, "Bearer ", 7) == 0 && token_equal(auth + 7, h->token);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, live_http_resp *rs) {
  static char empty[1];
  struct MHD_Response *r = MHD_create_response_from_buffer(
      rs->body.n, rs->body.p ? rs->body.p : empty, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type",
                          rs->content_type ? rs->content_type : "application/json");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (rs->disposition) MHD_add_response_header(r, "Content-Disposition", rs->disposition);
  /* The token travels in the dashboard's link: never in a Referer. */
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  if (rs->content_type && strncmp(rs->content_type, "text/html", 9) == 0) {
    /* The dashboard runs its own files only, and never inside another page's frame. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
  }
  if (rs->status == 401) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *msg) {
  live_http_resp rs = {0, NULL, NULL, {NULL, 0, 0, 0}, false, false, 0};
  ogrh_buf_init(&rs.body);
  live_http_error(&rs, status, "%s", msg);
  enum MHD_Result ok = send_resp(c, &rs);
  ogrh_buf_deinit(&rs.body);
  return ok;
}

/* ---- server-sent event streams ---- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  stream *s = cls;
  if (s->sent < s->out.n) {
    size_t k = s->out.n - s->sent < max ? s->out.n - s->sent : max;
    memcpy(buf, s->out.p + s->sent, k);
    s->sent += k;
    if (s->sent == s->out.n) {
      ogrh_buf_reset(&s->out);
      s->sent = 0;
    }
    return (ssize_t)k;
  }
  if (s->closed) return MHD_CONTENT_READER_END_OF_STREAM;
  /* Nothing to say: step out of MHD's loop until live_http_broadcast has something. */
  s->suspended = true;
  MHD_suspend_connection(s->conn);
  return 0;
}

static void stream_free(void *cls) {
  stream *s = cls;
  live_http *h = s->h;
  for (stream **p = &h->streams; *p; p = &(*p)->next)
    if (*p == s) {
      *p = s->next;
      h->nstreams--;
      break;
    }
  ogrh_buf_deinit(&s->out);
  free(s);
}

static void stream_wake(stream *s) {
  if (s->suspended) {
    s->suspended = false;
    MHD_resume_connection(s->conn);
  }
}

static enum MHD_Result start_stream(live_http *h, struct MHD_Connection *c, live_http_resp *rs) {
  if (h->nstreams >= MAX_STREAMS) return send_error(c, 503, "too many event streams");
  stream *s = calloc(1, sizeof *s);
  if (!s) return send_error(c, 500, "out of memory");
  s->h = h;
  s->conn = c;
  ogrh_buf_init(&s->out);
  /* An opening comment makes browsers fire `open` at once. */
  ogrh_buf_adds(&s->out, ": ogrh events\nretry: 2000\n\n");
  ogrh_buf_add(&s->out, rs->body.p ? rs->body.p : "", rs->body.n);
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, s, stream_free);
  if (!r) {
    ogrh_buf_deinit(&s->out);
    free(s);
    return send_error(c, 500, "out of memory");
  }
  s->next = h->streams;
  h->streams = s;
  h->nstreams++;
  MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Accel-Buffering", "no");
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

void live_http_broadcast(live_http *h, uint64_t id, const char *json, size_t n) {
  for (stream *s = h ? h->streams : NULL; s; s = s->next) {
    if (s->closed) continue;
    if (s->out.n - s->sent > STREAM_BACKLOG) {
      s->closed = true; /* too slow a reader: it reconnects and replays from its last id */
    } else {
      if (id) ogrh_buf_printf(&s->out, "id: %llu\n", (unsigned long long)id);
      ogrh_buf_adds(&s->out, "data: ");
      ogrh_buf_add(&s->out, json, n);
      ogrh_buf_adds(&s->out, "\n\n");
      if (ogrh_buf_error(&s->out)) s->closed = true;
    }
    stream_wake(s);
  }
}

size_t live_http_streams(const live_http *h) {
  return h ? h->nstreams : 0;
}

/* ---- requests ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  (void)version;
  live_http *h = cls;
  pending *pd = *con_cls;
  if (pd && pd->deferred) {
    /* Resumed by live_http_finish: send what it left. */
    if (!pd->finished) return MHD_YES;
    pd->deferred = false;
    enum MHD_Result ok = send_resp(c, &pd->late);
    ogrh_buf_deinit(&pd->late.body);
    return ok;
  }
  if (!pd) {
    pd = calloc(1, sizeof *pd);
    if (!pd) return MHD_NO;
    ogrh_buf_init(&pd->body);
    *con_cls = pd;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
    if (len > LIVE_HTTP_BODY_MAX) pd->too_big = true;
    if (len <= SKIP_MAX) return MHD_YES;
    pd->skipped = SKIP_MAX; /* answer at once */
  }
  if (pd->answered) {
    *upload_size = 0; /* a refused body is not read */
    return MHD_YES;
  }
  if (*upload_size) {
    if (!pd->too_big && pd->body.n + *upload_size > LIVE_HTTP_BODY_MAX) {
      pd->too_big = true;
      ogrh_buf_deinit(&pd->body);
      ogrh_buf_init(&pd->body);
    }
    if (pd->too_big)
      pd->skipped += *upload_size;
    else if (ogrh_buf_add(&pd->body, upload, *upload_size))
      return MHD_NO;
    *upload_size = 0;
    if (!pd->too_big || pd->skipped < SKIP_MAX) return MHD_YES;
  }
  if (pd->too_big) {
    pd->answered = true;
    char msg[96];
    snprintf(msg, sizeof msg, "request body larger than %u bytes", LIVE_HTTP_BODY_MAX);
    return send_error(c, 413, msg);
  }
  pd->answered = true;
  if (strncmp(url, "/api/", 5) == 0 && !authorized(h, c)) {
    live_log_event(h->log, LIVE_VERBOSE, "http-unauthorized", NULL, "%s %s without the token",
                   method, url);
    return send_error(c, 401, "missing or wrong token (use ?token= or Authorization: Bearer)");
  }
  live_http_req rq = {method, url, pd->body.p ? pd->body.p : "", pd->body.n, c};
  live_http_resp rs = {404, NULL, NULL, {NULL, 0, 0, 0}, false, false, ++h->next_id};
  ogrh_buf_init(&rs.body);
  h->fn(h->ud, &rq, &rs);
  if (rs.defer) {
    ogrh_buf_deinit(&rs.body);
    pd->deferred = true;
    pd->id = rs.id;
    pd->conn = c;
    pd->next = h->deferred;
    h->deferred = pd;
    MHD_suspend_connection(c);
    return MHD_YES;
  }
  if (ogrh_buf_error(&rs.body)) live_http_error(&rs, 500, "out of memory");
  live_log_event(h->log, LIVE_DEBUG, "http", NULL, "%s %s -> %d", method, url, rs.status);
  enum MHD_Result ok = rs.stream ? start_stream(h, c, &rs) : send_resp(c, &rs);
  ogrh_buf_deinit(&rs.body);
  return ok;
}

void live_http_finish(live_http *h, uint64_t id, int status, json_t *o) {
  for (pending **p = h ? &h->deferred : NULL; p && *p; p = &(*p)->next) {
    pending *pd = *p;
    if (pd->id != id) continue;
    *p = pd->next;
    pd->finished = true;
    pd->late = (live_http_resp){status, NULL, NULL, {NULL, 0, 0, 0}, false, false, id};
    ogrh_buf_init(&pd->late.body);
    live_http_json(&pd->late, status, o);
    MHD_resume_connection(pd->conn);
    return;
  }
  json_decref(o);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why) {
  (void)c, (void)why;
  live_http *h = cls;
  pending *pd = *con_cls;
  if (!pd) return;
  for (pending **p = &h->deferred; *p; p = &(*p)->next)
    if (*p == pd) {
      *p = pd->next;
      break;
    }
  if (pd->deferred) ogrh_buf_deinit(&pd->late.body);
  ogrh_buf_deinit(&pd->body);
  free(pd);
  *con_cls = NULL;
}

/* ---- the daemon ---- */

static bool is_loopback(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6)
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
  return false;
}

int live_http_start(const char *addrport, const char *token, bool allow_remote, live_http_fn fn,
                    void *ud, live_log *log, live_http **out, ogrh_err *err) {
  *out = NULL;
  char host[128];
  int port;
  if (live_parse_hostport(addrport, 0, host, sizeof host, &port))
    return ogrh_err_set(err, OGRH_EINVAL, "--http '%s' is not ADDR:PORT", addrport);
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  struct sockaddr_in6 s6;
  struct sockaddr_in s4;
  struct sockaddr *sa;
  unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
  memset(&s6, 0, sizeof s6);
  memset(&s4, 0, sizeof s4);
  if (inet_pton(AF_INET, host, &s4.sin_addr) == 1) {
    s4.sin_family = AF_INET;
    s4.sin_port = htons((uint16_t)port);
    sa = (struct sockaddr *)&s4;
  } else if (inet_pton(AF_INET6, host, &s6.sin6_addr) == 1) {
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons((uint16_t)port);
    sa = (struct sockaddr *)&s6;
    flags |= MHD_USE_IPv6;
  } else {
    return ogrh_err_set(err, OGRH_EINVAL, "--http: '%s' is not a numeric IP address", host);
  }
  if (!allow_remote && !is_loopback(sa))
    return ogrh_err_set(err, OGRH_EREFUSED,
                        "--http %s is not a loopback address: add --http-remote to serve other "
                        "machines (anyone who can reach it and knows the token controls the node)",
                        host);
  if (!token || strlen(token) < 8 || strlen(token) >= 128)
    return ogrh_err_set(err, OGRH_EINVAL, "the token must be 8 to 127 characters");
  live_http *h = calloc(1, sizeof *h);
  if (!h) return ogrh_err_set(err, OGRH_ENOMEM, "out of memory");
  snprintf(h->token, sizeof h->token, "%s", token);
  h->fn = fn;
  h->ud = ud;
  h->log = log;
  h->d =
      MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, sa,
                       MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_CONNECTION_LIMIT,
                       (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
  if (!h->d) {
    free(h);
    return ogrh_err_set(err, OGRH_EIO, "cannot serve HTTP on %s (address in use?)", addrport);
  }
  const union MHD_DaemonInfo *bi = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
  int bound = bi ? bi->port : port;
  if (sa->sa_family == AF_INET6)
    snprintf(h->url, sizeof h->url, "http://[%s]:%d", host, bound);
  else
    snprintf(h->url, sizeof h->url, "http://%s:%d", host, bound);
  *out = h;
  return OGRH_OK;
}

void live_http_stop(live_http *h) {
  if (!h) return;
  /* Suspended connections must be resumed before MHD can stop. */
  while (h->deferred)
    live_http_finish(h, h->deferred->id, 503,
                     json_pack("{s:s, s:i}", "error", "the node is stopping", "status", 503));
  for (stream *s = h->streams; s; s = s->next) {
    s->closed = true;
    stream_wake(s);
  }
  MHD_run(h->d);
  MHD_stop_daemon(h->d);
  free(h);
}

const char *live_http_url(const live_http *h) {
  return h->url;
}

int live_http_fd(live_http *h) {
  const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
  return i ? i->epoll_fd : -1;
}

uint64_t live_http_run(live_http *h, uint64_t now) {
  if (now >= h->next_keepalive) {
    for (stream *s = h->streams; s; s = s->next) {
      ogrh_buf_adds(&s->out, ": keepalive\n\n");
      stream_wake(s);
    }
    h->next_keepalive = now + KEEPALIVE_MS;
  }
  MHD_run(h->d);
  MHD_UNSIGNED_LONG_LONG t;
  uint64_t next = h->next_keepalive;
  if (MHD_get_timeout(h->d, &t) == MHD_YES && now + t < next) next = now + t;
  return next;
}
