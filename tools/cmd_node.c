/*
** cmd_node.c
** `ogrh node`: the live node. It owns one SavedVariables file, talks to the team over an MQTT
** broker, serves the HTTP API, and runs all of it in one poll loop on one thread: the MQTT
** socket, the HTTP server's epoll descriptor, inotify, and a self-pipe for signals, with the
** engine's, the file's and the channel's timers deciding how long poll may sleep.
** SIGTERM and SIGINT stop it cleanly (state persisted, file written, goodbye to the broker);
** SIGHUP reads the file again.
*/
#define _DEFAULT_SOURCE
#include "cli.h"
#include "node_live.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define STATUS_EVERY_MS LIVE_SAMPLE_MS

static int sigpipe_fds[2] = {-1, -1};
static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig) {
  int saved = errno;
  if (sig == SIGHUP)
    got_hup = 1;
  else
    got_stop = 1;
  if (sigpipe_fds[1] >= 0 && write(sigpipe_fds[1], "x", 1) < 0) {
    /* The pipe is full: poll wakes anyway. */
  }
  errno = saved;
}

static int setup_signals(void) {
  if (pipe(sigpipe_fds) != 0) return -1;
  for (int i = 0; i < 2; i++) {
    fcntl(sigpipe_fds[i], F_SETFL, fcntl(sigpipe_fds[i], F_GETFL) | O_NONBLOCK);
    fcntl(sigpipe_fds[i], F_SETFD, FD_CLOEXEC);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  return 0;
}

/* A per-start token against other pages of the same browser: 128 random bits in hex. */
static int make_token(char *out, size_t cap) {
  unsigned char raw[16];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t k = read(fd, raw, sizeof raw);
  close(fd);
  if (k != (ssize_t)sizeof raw || cap < 33) return -1;
  for (int i = 0; i < 16; i++)
    snprintf(out + 2 * i, 3, "%02x", raw[i]);
  return 0;
}

/* ---- channel callbacks ---- */

static void on_frame(void *ud, const char *sender, const char *prefix, const uint8_t *text,
                     size_t n) {
  live_node *node = ud;
  /* Only the team's roster speaks for the team: frames from others are dropped. */
  if (node->roster && ogrh_roster_rank(node->roster, sender) < 0) {
    live_log_event(&node->log, LIVE_VERBOSE, "ignored", NULL,
                   "ignored a frame from %s, who is not on the roster", sender);
    return;
  }
  live_sync_frame(node->sync, sender, prefix, text, n, live_now_ms());
}

/* Takes a roster message: from the broker (save: keep it for the next start) or from the
** copy kept beside the file. False when it is not valid for this team. */
static bool take_roster(live_node *node, const char *payload, size_t n, bool save) {
  ogrh_roster *r;
  ogrh_err err;
  if (ogrh_roster_parse(payload, n, &r, &err)) {
    live_log_event(&node->log, LIVE_EVENT, "error", NULL, "ignored an invalid roster: %s",
                   ogrh_err_msg(&err));
    return false;
  }
  if (strcmp(r->team, node->team) != 0) {
    live_log_event(&node->log, LIVE_EVENT, "error", NULL,
                   "ignored a roster of team %s published for team %s", r->team, node->team);
    ogrh_roster_free(r);
    return false;
  }
  int rank = ogrh_roster_rank(r, node->user);
  live_log_event(&node->log, save ? LIVE_EVENT : LIVE_VERBOSE, "roster",
                 json_pack("{s:i, s:s, s:s?}", "players", (int)r->n, "leader",
                           ogrh_roster_leader(r), "rank", rank >= 0 ? ogrh_rank_name(rank) : NULL),
                 "roster of %s%s: %zu player%s, leader %s; %s is %s", r->team,
                 save ? "" : " (kept from the last run)", r->n, r->n == 1 ? "" : "s",
                 ogrh_roster_leader(r), node->user, rank >= 0 ? ogrh_rank_name(rank) : "not on it");
  ogrh_roster_free(node->roster);
  node->roster = r;
  if (save && ogrh_write_file_atomic(live_state_path(node->state, "roster.json"), payload, n))
    live_log_event(&node->log, LIVE_EVENT, "error", NULL, "cannot keep the roster in %s",
                   live_state_path(node->state, "roster.json"));
  return true;
}

static void on_roster(void *ud, const char *payload, size_t n) {
  live_node *node = ud;
  node->roster_heard = true;
  if (n == 0) {
    live_log_event(&node->log, LIVE_EVENT, "roster", json_pack("{s:i}", "players", 0),
                   "the team's roster was cleared");
    ogrh_roster_free(node->roster);
    node->roster = NULL;
    live_sync_roster(node->sync, NULL, live_now_ms());
    return;
  }
  if (take_roster(node, payload, n, true))
    live_sync_roster(node->sync, node->roster, live_now_ms());
}

static void on_state(void *ud, bool connected) {
  live_node *node = ud;
  node->connected_at = connected ? live_now_ms() : 0;
  node->roster_heard = false;
  live_sync_connected(node->sync, connected, live_now_ms());
}

static void on_event(void *ud, uint64_t id, const char *json, size_t n) {
  live_node *node = ud;
  live_http_broadcast(node->http, id, json, n);
}

/*
** A broker that lost its retained messages (restarted without persistence) holds no roster:
** the leader's node publishes the one it kept, a few seconds after connecting without hearing
** one.
*/
#define ROSTER_WAIT_MS 3000

static void keep_roster_published(live_node *n, uint64_t now) {
  if (!n->connected_at || n->roster_heard || now < n->connected_at + ROSTER_WAIT_MS) return;
  n->roster_heard = true; /* once per connection */
  const char *leader = n->roster ? ogrh_roster_leader(n->roster) : NULL;
  if (!leader || strcmp(leader, n->user) != 0) return;
  ogrh_buf b;
  ogrh_buf_init(&b);
  if (ogrh_roster_json(n->roster, &b) == OGRH_OK &&
      live_mqtt_put_roster(n->mqtt, b.p, b.n) == OGRH_OK)
    live_log_event(&n->log, LIVE_EVENT, "roster-republished",
                   json_pack("{s:i}", "players", (int)n->roster->n),
                   "the broker holds no roster for %s: published the one kept here (%zu players)",
                   n->team, n->roster->n);
  ogrh_buf_deinit(&b);
}

/* ---- status ---- */

static void write_status(live_node *n, bool running, char **last) {
  json_t *o = live_sync_status(n->sync);
  if (running) live_web_sample(n, o, live_now_ms());
  json_object_set_new(o, "running", json_boolean(running));
  json_object_set_new(o, "started", json_integer(n->started));
  json_object_set_new(o, "uptime",
                      json_integer((json_int_t)((live_now_ms() - n->started_ms) / 1000)));
  if (n->http) {
    char url[200];
    snprintf(url, sizeof url, "%s/?token=%s", live_http_url(n->http), n->token);
    json_object_set_new(o, "http", json_string(url));
  }
  /* Rewritten only when something but the uptime changed. */
  json_t *cmp = json_deep_copy(o);
  json_object_del(cmp, "uptime");
  char *text = json_dumps(cmp, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(cmp);
  if (text && (!*last || strcmp(text, *last) != 0 || !running)) {
    live_state_write_status(n->state, o);
    ogrh_json_free(*last);
    *last = text;
  } else {
    ogrh_json_free(text);
  }
  json_decref(o);
}

static int print_status(const char *file, bool json) {
  ogrh_buf b;
  ogrh_buf_init(&b);
  ogrh_err err;
  int rc = live_state_read_status(file, &b, &err);
  if (rc) {
    ogrh_buf_deinit(&b);
    return cli_fail("%s", ogrh_err_msg(&err));
  }
  json_t *o = json_loadb(b.p, b.n, 0, NULL);
  ogrh_buf_deinit(&b);
  if (!o) return cli_fail("%s.node/status.json is damaged", file);
  json_t *pid = json_object_get(o, "pid");
  bool running = json_is_true(json_object_get(o, "running")) && json_is_integer(pid) &&
                 kill((pid_t)json_integer_value(pid), 0) == 0;
  json_object_set_new(o, "running", json_boolean(running));
  if (!running) json_object_set_new(o, "connected", json_false());
  if (json) {
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) printf("%s\n", text);
    ogrh_json_free(text);
  } else {
#define S(k)                                                                                       \
  (json_string_value(json_object_get(o, k)) ? json_string_value(json_object_get(o, k)) : "-")
#define I(k) ((long long)json_integer_value(json_object_get(o, k)))
    printf("node of %s, team %s, file %s: %s\n", S("user"), S("team"), S("file"),
           running ? "running" : "not running (last known state below)");
    printf("  connected  %s (%s)\n", json_is_true(json_object_get(o, "connected")) ? "yes" : "no",
           S("broker"));
    printf("  rank       %s\n", S("rank"));
    printf("  admin      %s (epoch %lld)\n", S("admin"), I("epoch"));
    printf("  revision   %lld\n", I("revision"));
    printf("  digest     %s\n", S("digest"));
    json_t *stale = json_object_get(o, "stale");
    printf("  stale      %s\n", json_is_null(stale)   ? "unknown"
                                : json_is_true(stale) ? "yes"
                                                      : "no");
    printf("  queue      %lld\n", I("queue"));
    printf("  bytes      in %lld, out %lld (messages in %lld, out %lld)\n", I("bytesIn"),
           I("bytesOut"), I("messagesIn"), I("messagesOut"));
    if (json_string_value(json_object_get(o, "http"))) printf("  http       %s\n", S("http"));
#undef S
#undef I
  }
  json_decref(o);
  return running ? EXIT_OK : EXIT_FAIL;
}

/* ---- the loop ---- */

static uint64_t min64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

static int run_loop(live_node *n) {
  char *last_status = NULL;
  uint64_t next_status = 0;
  uint64_t now = live_now_ms();
  bool file_started = false;
  while (!got_stop) {
    now = live_now_ms();
    /* Edits found in the file become this player's writes, so they wait for its rank. */
    if (!file_started && n->roster) {
      live_file_start(n->file, now);
      file_started = true;
    }
    if (got_hup) {
      got_hup = 0;
      live_file_reload(n->file, now);
    }
    uint64_t next = now + 1000;
    next = min64(next, live_mqtt_tick(n->mqtt, now));
    keep_roster_published(n, now);
    if (n->connected_at && !n->roster_heard) next = min64(next, n->connected_at + ROSTER_WAIT_MS);
    next = min64(next, live_sync_tick(n->sync, now));
    if (file_started) next = min64(next, live_file_tick(n->file, now));
    if (n->http) next = min64(next, live_http_run(n->http, now));
    if (now >= next_status) {
      write_status(n, true, &last_status);
      next_status = now + STATUS_EVERY_MS;
    }
    next = min64(next, next_status);
    struct pollfd fds[4];
    int nf = 0, mq = -1, fi = -1, ht = -1;
    fds[nf++] = (struct pollfd){sigpipe_fds[0], POLLIN, 0};
    int fd = live_mqtt_fd(n->mqtt);
    if (fd >= 0) {
      mq = nf;
      fds[nf++] = (struct pollfd){fd, live_mqtt_events(n->mqtt), 0};
    }
    if ((fd = live_file_fd(n->file)) >= 0) {
      fi = nf;
      fds[nf++] = (struct pollfd){fd, POLLIN, 0};
    }
    if (n->http && (fd = live_http_fd(n->http)) >= 0) {
      ht = nf;
      fds[nf++] = (struct pollfd){fd, POLLIN, 0};
    }
    now = live_now_ms();
    int wait = next > now ? (int)min64(next - now, 1000) : 0;
    int k = poll(fds, (nfds_t)nf, wait);
    if (k < 0 && errno != EINTR) {
      live_log_event(&n->log, LIVE_EVENT, "error", NULL, "poll: %s", strerror(errno));
      break;
    }
    if (k <= 0) continue;
    if (fds[0].revents) {
      char drain[64];
      while (read(sigpipe_fds[0], drain, sizeof drain) > 0) {
      }
    }
    now = live_now_ms();
    if (mq >= 0 && fds[mq].revents) live_mqtt_io(n->mqtt, fds[mq].revents);
    if (fi >= 0 && fds[fi].revents && file_started) live_file_io(n->file, now);
    if (ht >= 0 && fds[ht].revents) live_http_run(n->http, now);
  }
  live_log_event(&n->log, LIVE_EVENT, "stopping", NULL, "stopping: saving state and the file");
  int rc = live_sync_flush(n->sync);
  int frc = file_started ? live_file_flush(n->file) : OGRH_OK;
  write_status(n, false, &last_status);
  ogrh_json_free(last_status);
  return rc || (frc && frc != OGRH_EAGAIN) ? EXIT_FAIL : EXIT_OK;
}

static int run_node(int argc, char **argv) {
  cli_opt opts[] = {{"--file", "-f", true, NULL},          {"--broker", "-b", true, NULL},
                    {"--raid", NULL, true, NULL},          {"--user", "-u", true, NULL},
                    {"--password-file", NULL, true, NULL}, {"--tls-ca", NULL, true, NULL},
                    {"--http", NULL, true, NULL},          {"--token", NULL, true, NULL},
                    {"--http-remote", NULL, false, NULL},  {"--profile", NULL, true, NULL},
                    {"--verbose", "-v", false, NULL},      {"--debug", NULL, false, NULL},
                    {"--quiet", "-q", false, NULL},        {"--json", NULL, false, NULL},
                    {"--status", NULL, false, NULL}};
  char *pos[1];
  int npos, rc = cli_parse(&cmd_node, argc, argv, opts, NOPTS(opts), pos, 1, &npos, 0);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  const char *file = npos ? pos[0] : cli_get(opts, NOPTS(opts), "--file");
  if (!file) return cli_usage_error(&cmd_node, "--file is required");
  bool json = cli_flag(opts, NOPTS(opts), "--json");
  if (cli_flag(opts, NOPTS(opts), "--status")) return print_status(file, json);

  const char *profile = cli_get(opts, NOPTS(opts), "--profile");
  ogrh_ctl_params ctl;
  if (!profile) profile = "unlimited";
  if (ogrh_ctl_profile(profile, &ctl))
    return cli_usage_error(&cmd_node, "--profile must be ctl, retail or unlimited");
  live_conn_opts co;
  live_mqtt_cfg mcfg;
  ogrh_err err;
  if ((rc = live_conn_from_cli(&cmd_node, opts, NOPTS(opts), &co, &mcfg)) != EXIT_OK) return rc;
  const char *token = cli_get(opts, NOPTS(opts), "--token");
  const char *http = cli_get(opts, NOPTS(opts), "--http");
  if (token && (strlen(token) < 8 || strlen(token) > 64))
    return cli_usage_error(&cmd_node, "--token must be 8 to 64 characters");

  static live_node n;
  memset(&n, 0, sizeof n);
  n.path = file;
  snprintf(n.user, sizeof n.user, "%s", co.user);
  snprintf(n.team, sizeof n.team, "%s", co.team);
  snprintf(n.broker, sizeof n.broker, "%s:%d", co.host, mcfg.port);
  snprintf(n.profile, sizeof n.profile, "%s", profile);
  n.started = live_wall();
  n.started_ms = live_now_ms();
  int verbosity = cli_flag(opts, NOPTS(opts), "--debug")     ? LIVE_DEBUG
                  : cli_flag(opts, NOPTS(opts), "--verbose") ? LIVE_VERBOSE
                  : cli_flag(opts, NOPTS(opts), "--quiet")   ? -1
                                                             : LIVE_EVENT;
  live_log_init(&n.log, stderr, json, verbosity, n.user);
  if (token)
    snprintf(n.token, sizeof n.token, "%s", token);
  else if (make_token(n.token, sizeof n.token))
    return cli_fail("cannot read /dev/urandom for a token");
  if (setup_signals()) return cli_fail("cannot set up signal handling");

  rc = EXIT_FAIL;
  if (live_state_open(file, &n.state, &err)) {
    cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  if (live_file_open(file, n.state, &n.log, &n.file, &err)) {
    cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  if (live_sync_new(&n, &n.sync, &err)) {
    cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  live_file_on_outside(n.file, live_sync_outside, n.sync);
  ogrh_buf kept;
  ogrh_buf_init(&kept);
  if (ogrh_read_file(live_state_path(n.state, "roster.json"), &kept) == OGRH_OK && kept.n &&
      take_roster(&n, kept.p, kept.n, false))
    live_sync_roster(n.sync, n.roster, live_now_ms());
  ogrh_buf_deinit(&kept);
  if (http && live_http_start(http, n.token, cli_flag(opts, NOPTS(opts), "--http-remote"),
                              live_api_handle, &n, &n.log, &n.http, &err)) {
    cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  n.log.sink = on_event;
  n.log.sink_ud = &n;
  char httpinfo[300] = "";
  if (n.http)
    snprintf(httpinfo, sizeof httpinfo, "; dashboard and API at %s/?token=%s",
             live_http_url(n.http), n.token);
  live_log_event(&n.log, LIVE_EVENT, "started",
                 json_pack("{s:s, s:s, s:s, s:s?, s:i}", "file", file, "team", n.team, "broker",
                           n.broker, "http", n.http ? live_http_url(n.http) : NULL, "pid",
                           (int)getpid()),
                 "node started: file %s, team %s, broker %s%s", file, n.team, n.broker, httpinfo);
  live_mqtt_cb cb = {on_frame, on_roster, on_state, &n};
  if (live_mqtt_new(&mcfg, &cb, &n.log, &n.mqtt, &err)) {
    cli_fail("%s", ogrh_err_msg(&err));
    goto done;
  }
  rc = run_loop(&n);
  live_log_event(&n.log, LIVE_EVENT, "stopped", NULL, "stopped");

done:
  live_http_stop(n.http);
  live_mqtt_free(n.mqtt, 2000);
  live_sync_free(n.sync);
  live_file_close(n.file);
  live_state_close(n.state);
  ogrh_roster_free(n.roster);
  live_log_deinit(&n.log);
  return rc;
}

const cli_cmd cmd_node = {
    "node", CLI_NODE_SUMMARY,
    "usage: ogrh node --file FILE --broker HOST[:PORT] --raid TEAM --user NAME\n"
    "                 [--password-file F] [--tls-ca F] [--http ADDR:PORT [--token T]]\n"
    "                 [--profile ctl|retail|unlimited] [-v|--debug|-q] [--json]\n"
    "       ogrh node --file FILE --status [--json]\n\n"
    "Runs beside the game: owns FILE (WoW's OG-RaidHelper.lua), writes it back after changes,\n"
    "turns edits made to it from outside (the game at logout or /reload, an editor) into this\n"
    "player's writes with the permissions of its rank, and talks to TEAM through the broker\n"
    "under NAME (the broker's account: its ACL makes names unforgeable). State lives in\n"
    "FILE.node/. Logs one line per event on stderr. SIGTERM stops cleanly; SIGHUP rereads\n"
    "FILE. Example:\n"
    "  ogrh node --file OG-RaidHelper.lua --broker 127.0.0.1:1883 --raid Onyxia \\\n"
    "      --user Alice --password-file pw --http 127.0.0.1:8080\n\n"
    "  --http ADDR:PORT  serve the HTTP API and dashboard there (loopback only unless\n"
    "                    --http-remote; port 0 picks a free one)\n"
    "  --token T         the token every request must carry (default: random per start,\n"
    "                    printed in the start line)\n"
    "  --profile P       sending budget: unlimited (default), ctl (the game's ChatThrottleLib),\n"
    "                    retail\n"
    "  -v, --debug, -q   more, much more, or no log lines; --json: one JSON object per line\n"
    "  --status          print the status of the node running on FILE (exit 1 if none runs)\n",
    run_node};
