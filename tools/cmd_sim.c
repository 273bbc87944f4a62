/*
** cmd_sim.c
** `ogrh sim`: runs a scenario on the simulated raid channel with the library's sync node, a
** model of the original addon, or both; prints the figures, a JSON report, a CSV trace, an SVG
** plot; runs a scenario over many seeds (campaigns) and names every failing seed with the
** command that replays it.
*/
#include "cli.h"
#include "ogrh/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load_scenario(const char *arg, ogrh_scenario **sc) {
  ogrh_err err;
  bool file = strchr(arg, '/') || strstr(arg, ".json");
  if (!file) {
    if (ogrh_scenario_builtin(arg, sc, &err)) return cli_fail("%s", ogrh_err_msg(&err));
    return EXIT_OK;
  }
  ogrh_buf b;
  ogrh_buf_init(&b);
  int rc = ogrh_read_file(arg, &b);
  if (rc) {
    ogrh_buf_deinit(&b);
    return cli_fail("%s: cannot read: %s", arg, ogrh_strerror(rc));
  }
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", arg);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  rc = ogrh_scenario_parse(b.p, b.n, dir, sc, &err);
  ogrh_buf_deinit(&b);
  if (rc) return cli_fail("%s: %s", arg, ogrh_err_msg(&err));
  return EXIT_OK;
}

static int list(bool json) {
  if (json) fputs("[", stdout);
  for (size_t i = 0; i < ogrh_sim_builtin_count(); i++) {
    ogrh_scenario *sc;
    ogrh_err err;
    if (ogrh_scenario_builtin(ogrh_sim_builtin_name(i), &sc, &err))
      return cli_fail("%s", ogrh_err_msg(&err));
    if (json) {
      ogrh_buf b;
      ogrh_buf_init(&b);
      ogrh_buf_printf(&b, "%s\n  {\"name\": \"%s\", \"description\": ", i ? "," : "",
                      ogrh_scenario_name(sc));
      ogrh_buf_addc(&b, '"');
      for (const char *p = ogrh_scenario_description(sc); *p; p++)
        if (*p == '"' || *p == '\\')
          ogrh_buf_printf(&b, "\\%c", *p);
        else
          ogrh_buf_addc(&b, *p);
      ogrh_buf_adds(&b, "\"}");
      fputs(b.p, stdout);
      ogrh_buf_deinit(&b);
    } else {
      printf("%-18s %s\n", ogrh_scenario_name(sc), ogrh_scenario_description(sc));
    }
    ogrh_scenario_free(sc);
  }
  if (json) fputs("\n]\n", stdout);
  return EXIT_OK;
}

static int show(const char *name) {
  for (size_t i = 0; i < ogrh_sim_builtin_count(); i++)
    if (!strcmp(ogrh_sim_builtin_name(i), name)) {
      size_t n;
      const char *t = ogrh_sim_builtin_text(i, &n);
      fwrite(t, 1, n, stdout);
      return EXIT_OK;
    }
  return cli_fail("no built-in scenario '%s' (see 'ogrh sim list')", name);
}

/* ---- the trace ---- */

typedef struct tracer {
  FILE *f;
  const char *model;
} tracer;

static void trace_line(void *ud, double t, const char *kind, const char *who, const char *to,
                       size_t bytes, const char *detail) {
  tracer *tr = ud;
  fprintf(tr->f, "%.6f,%s,%s,%s,%s,%zu,", t, tr->model, kind, who, to, bytes);
  /* Quote the detail: it may hold commas or quotes. */
  fputc('"', tr->f);
  for (const char *p = detail; *p; p++) {
    if (*p == '"') fputc('"', tr->f);
    fputc(*p, tr->f);
  }
  fputs("\"\n", tr->f);
}

/* ---- printing ---- */

static void cell(char *out, size_t cap, double v, const char *fmt) {
  if (v < 0)
    snprintf(out, cap, "-");
  else
    snprintf(out, cap, fmt, v);
}

static void print_table(const char *name, const ogrh_sim_result *r, size_t n) {
  printf("scenario %s (seed %llu, %g s simulated)\n", name, (unsigned long long)r[0].seed,
         r[0].duration_s);
  printf("%-30s", "");
  for (size_t i = 0; i < n; i++)
    printf(" %22s", r[i].addon_fixed ? "addon-fixed" : ogrh_sim_model_name(r[i].model));
  printf("\n");
  char c[64];
#define ROW(label, expr)                                                                           \
  do {                                                                                             \
    printf("%-30s", label);                                                                        \
    for (size_t i = 0; i < n; i++) {                                                               \
      const ogrh_sim_result *x = &r[i];                                                            \
      expr;                                                                                        \
      printf(" %22s", c);                                                                          \
    }                                                                                              \
    printf("\n");                                                                                  \
  } while (0)
  ROW("converged", snprintf(c, sizeof c, "%s", x->converged ? "yes" : "NO"));
  ROW("converge_s", cell(c, sizeof c, x->converge_s, "%.3f"));
  ROW("lost_writes", snprintf(c, sizeof c, "%llu", (unsigned long long)x->lost_writes));
  ROW("refused", snprintf(c, sizeof c, "%llu", (unsigned long long)x->refused));
  ROW("accepted_forgeries",
      snprintf(c, sizeof c, "%llu", (unsigned long long)x->accepted_forgeries));
  ROW("messages", snprintf(c, sizeof c, "%llu", (unsigned long long)x->messages));
  ROW("bytes", snprintf(c, sizeof c, "%llu", (unsigned long long)x->bytes));
  ROW("writes", snprintf(c, sizeof c, "%llu", (unsigned long long)x->writes));
  ROW("delta_visible_s p50/p99/max", snprintf(c, sizeof c, "%.3f/%.3f/%.3f", x->delta_visible_s.p50,
                                              x->delta_visible_s.p99, x->delta_visible_s.max));
  ROW("delta_overhead_s p50/p99/max",
      snprintf(c, sizeof c, "%.3f/%.3f/%.3f", x->delta_overhead_s.p50, x->delta_overhead_s.p99,
               x->delta_overhead_s.max));
  if (r[0].repair_kind[0]) {
    char label[48];
    snprintf(label, sizeof label, "repair_s (%s)", r[0].repair_kind);
    ROW(label, cell(c, sizeof c, x->repair_s, "%.3f"));
  }
  ROW("poll bytes / 30 s", cell(c, sizeof c, x->poll_bytes_per_30s, "%.0f"));
  ROW("peak_node_memory", snprintf(c, sizeof c, "%zu", x->peak_node_memory));
  ROW("wall_s (cpu_s)", snprintf(c, sizeof c, "%.3f (%.3f)", x->wall_s, x->cpu_s));
  ROW("result", snprintf(c, sizeof c, "%s", x->passed ? "pass" : "FAIL"));
#undef ROW
  for (size_t i = 0; i < n; i++)
    if (!r[i].passed) printf("%s: %s\n", ogrh_sim_model_name(r[i].model), r[i].failure);
}

/* ---- the command ---- */

static int run_one(const char *arg, ogrh_scenario *sc, const int *models, size_t nmodels,
                   uint64_t seed, bool fixed, FILE *trace, ogrh_sim_result *res, size_t *nres) {
  *nres = 0;
  for (size_t k = 0; k < nmodels; k++) {
    ogrh_sim_run_opts o;
    memset(&o, 0, sizeof o);
    o.seed = seed;
    o.model = (ogrh_sim_model)models[k];
    o.addon_fixed = fixed;
    tracer tr = {trace, ogrh_sim_model_name(o.model)};
    if (trace) {
      o.log = trace_line;
      o.log_ud = &tr;
    }
    ogrh_err err;
    memset(&err, 0, sizeof err);
    double t0 = wall();
    clock_t c0 = clock();
    int rc = ogrh_sim_run(sc, &o, &res[*nres], &err);
    if (rc) {
      cli_fail("%s: %s", arg, ogrh_err_msg(&err));
      return EXIT_FAIL;
    }
    res[*nres].wall_s = wall() - t0;
    res[*nres].cpu_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    (*nres)++;
  }
  return EXIT_OK;
}

static int cmd_sim_run(int argc, char **argv) {
  cli_opt opts[] = {{"--seed", NULL, true, NULL},        {"--model", NULL, true, NULL},
                    {"--json", NULL, false, NULL},       {"--trace", NULL, true, NULL},
                    {"--plot", NULL, true, NULL},        {"--seeds", NULL, true, NULL},
                    {"--addon-fixed", NULL, false, NULL}};
  int nopts = (int)(sizeof opts / sizeof *opts);
  char *pos[2];
  int npos;
  int rc = cli_parse(&cmd_sim, argc, argv, opts, nopts, pos, 2, &npos, 1);
  if (rc) return rc < 0 ? EXIT_USAGE : EXIT_OK;
  if (!strcmp(pos[0], "list")) return list(cli_flag(opts, nopts, "--json"));
  if (!strcmp(pos[0], "show")) {
    if (npos < 2) return cli_usage_error(&cmd_sim, "show needs a scenario name");
    return show(pos[1]);
  }
  if (npos > 1) return cli_usage_error(&cmd_sim, "unexpected argument '%s'", pos[1]);
  long long seed = 0, seeds = 0;
  const char *s = cli_get(opts, nopts, "--seed");
  if (s && !cli_number(s, 1, (long long)1 << 53, &seed))
    return cli_usage_error(&cmd_sim, "--seed: expected a number from 1");
  s = cli_get(opts, nopts, "--seeds");
  if (s && !cli_number(s, 1, 100000, &seeds))
    return cli_usage_error(&cmd_sim, "--seeds: expected a count from 1 to 100000");
  int models[2], nmodels = 0;
  const char *m = cli_get(opts, nopts, "--model");
  if (!m || !strcmp(m, "both")) {
    models[nmodels++] = OGRH_SIM_MODEL_OGRH;
    models[nmodels++] = OGRH_SIM_MODEL_ADDON;
  } else if (!strcmp(m, "ogrh")) {
    models[nmodels++] = OGRH_SIM_MODEL_OGRH;
  } else if (!strcmp(m, "addon")) {
    models[nmodels++] = OGRH_SIM_MODEL_ADDON;
  } else {
    return cli_usage_error(&cmd_sim, "--model: expected ogrh, addon or both");
  }
  bool json = cli_flag(opts, nopts, "--json"), fixed = cli_flag(opts, nopts, "--addon-fixed");
  ogrh_scenario *sc;
  if ((rc = load_scenario(pos[0], &sc))) return rc;
  FILE *trace = NULL;
  const char *tpath = cli_get(opts, nopts, "--trace");
  if (tpath) {
    trace = fopen(tpath, "w");
    if (!trace) {
      ogrh_scenario_free(sc);
      return cli_fail("%s: cannot write: %s", tpath, strerror(errno));
    }
    fputs("t_s,model,kind,who,to,bytes,detail\n", trace);
  }
  uint64_t first = seed ? (uint64_t)seed : ogrh_scenario_seed(sc);
  long long count = seeds ? seeds : 1;
  int status = EXIT_OK;
  size_t failed = 0;
  if (json && seeds) fputs("[\n", stdout);
  for (long long k = 0; k < count && status != EXIT_USAGE; k++) {
    uint64_t sd = first + (uint64_t)k;
    ogrh_sim_result res[2];
    size_t nres;
    memset(res, 0, sizeof res);
    if (run_one(pos[0], sc, models, (size_t)nmodels, sd, fixed, trace, res, &nres)) {
      status = EXIT_FAIL;
      break;
    }
    bool passed = true;
    for (size_t i = 0; i < nres; i++)
      passed &= res[i].passed;
    if (!passed) {
      status = EXIT_FAIL;
      failed++;
    }
    if (json) {
      ogrh_buf b;
      ogrh_buf_init(&b);
      ogrh_sim_result_json(ogrh_scenario_name(sc), res, nres, &b);
      if (seeds && k) fputs(",\n", stdout);
      fputs(b.p ? b.p : "", stdout);
      ogrh_buf_deinit(&b);
    } else if (seeds) {
      printf("seed %llu:", (unsigned long long)sd);
      for (size_t i = 0; i < nres; i++) {
        printf(" %s %s", ogrh_sim_model_name(res[i].model), res[i].passed ? "pass" : "FAIL");
        if (res[i].converge_s >= 0)
          printf(" (converged %.1f s after the last event)", res[i].converge_s);
        if (!res[i].passed) printf(" [%s]", res[i].failure);
      }
      printf("\n");
      for (size_t i = 0; i < nres; i++)
        if (!res[i].passed)
          printf("  replay: ogrh sim %s --seed %llu --model %s\n", pos[0], (unsigned long long)sd,
                 ogrh_sim_model_name(res[i].model));
      fflush(stdout);
    } else {
      print_table(ogrh_scenario_name(sc), res, nres);
    }
    const char *plot = cli_get(opts, nopts, "--plot");
    if (plot && k == 0 && nres) {
      ogrh_buf b;
      ogrh_buf_init(&b);
      ogrh_sim_plot_svg(ogrh_scenario_name(sc), res, nres, &b);
      if (cli_write_out(plot, &b)) status = EXIT_FAIL;
      ogrh_buf_deinit(&b);
    }
    for (size_t i = 0; i < nres; i++)
      ogrh_sim_result_free(&res[i]);
    if (nres == 0) status = EXIT_FAIL;
  }
  if (json && seeds) fputs("]\n", stdout);
  if (seeds && !json) printf("%llu of %lld seeds failed\n", (unsigned long long)failed, count);
  if (trace) fclose(trace);
  ogrh_scenario_free(sc);
  return status;
}

const cli_cmd cmd_sim = {
    "sim", "simulate a 40-player raid channel: scenarios, campaigns, figures",
    "usage: ogrh sim list [--json]\n"
    "       ogrh sim show NAME\n"
    "       ogrh sim SCENARIO [--seed N] [--seeds COUNT] [--model ogrh|addon|both] [--json]\n"
    "                         [--trace FILE.csv] [--plot FILE.svg] [--addon-fixed]\n\n"
    "Runs SCENARIO (a built-in name from 'ogrh sim list', or a .json file; see\n"
    "docs/SIMULATOR.md) on a deterministic model of the WoW 1.12 raid channel with the\n"
    "library's sync node (ogrh), a model of the original addon's sync (addon), or both (the\n"
    "default), and prints per model: convergence, lost writes, refused and accepted forged\n"
    "messages, messages and bytes on the channel, how long edits take to show (and what the\n"
    "protocol adds to the channel's own delay), repair time, peak node memory, wall time.\n\n"
    "  --seed N         the run's seed (default: the scenario's); the same seed gives the\n"
    "                   same run, byte for byte\n"
    "  --seeds COUNT    a campaign: COUNT seeds from --seed on; failing seeds are printed\n"
    "                   with the command that replays them\n"
    "  --json           the report as JSON\n"
    "  --trace FILE     every message sent, delivered or dropped, and every event, as CSV\n"
    "  --plot FILE      an SVG of bytes per second and stale players over time\n"
    "  --addon-fixed    the addon model without its documented bugs\n\n"
    "Exit status: 0 when every model met the scenario's expectations, 1 otherwise.\n",
    cmd_sim_run};
