/*
** simout.c
** What a simulation run reports: the JSON of `ogrh sim --json` and the SVG plot (bytes per
** second on the channel and stale players over time, one line per model, events marked).
*/
#include "ogrh/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- JSON ---- */

static void jnum(ogrh_buf *b, double v, const char *fmt) {
  if (v < 0 || !isfinite(v))
    ogrh_buf_adds(b, "null");
  else
    ogrh_buf_printf(b, fmt, v);
}

static void jstr(ogrh_buf *b, const char *s) {
  ogrh_buf_addc(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      ogrh_buf_printf(b, "\\%c", c);
    else if (c < 0x20)
      ogrh_buf_printf(b, "\\u%04x", c);
    else
      ogrh_buf_addc(b, (char)c);
  }
  ogrh_buf_addc(b, '"');
}

static void jpct(ogrh_buf *b, const char *name, const ogrh_sim_pct *p) {
  ogrh_buf_printf(b, "      \"%s\": {\"p50\": ", name);
  jnum(b, p->p50, "%.4f");
  ogrh_buf_adds(b, ", \"p99\": ");
  jnum(b, p->p99, "%.4f");
  ogrh_buf_adds(b, ", \"max\": ");
  jnum(b, p->max, "%.4f");
  ogrh_buf_printf(b, ", \"n\": %zu},\n", p->n);
}

int ogrh_sim_result_json(const char *scenario, const ogrh_sim_result *r, size_t n, ogrh_buf *b) {
  bool passed = true;
  for (size_t i = 0; i < n; i++)
    passed &= r[i].passed;
  ogrh_buf_adds(b, "{\n  \"scenario\": ");
  jstr(b, scenario);
  ogrh_buf_printf(b, ",\n  \"seed\": %llu,\n  \"duration_s\": %.1f,\n  \"passed\": %s,\n",
                  n ? (unsigned long long)r[0].seed : 0ull, n ? r[0].duration_s : 0.0,
                  passed ? "true" : "false");
  ogrh_buf_adds(b, "  \"models\": {");
  for (size_t i = 0; i < n; i++) {
    const ogrh_sim_result *x = &r[i];
    ogrh_buf_printf(b, "%s\n    \"%s\": {\n", i ? "," : "",
                    x->addon_fixed ? "addon-fixed" : ogrh_sim_model_name(x->model));
    ogrh_buf_printf(
        b, "      \"converged\": %s,\n      \"converge_s\": ", x->converged ? "true" : "false");
    jnum(b, x->converge_s, "%.3f");
    ogrh_buf_printf(b,
                    ",\n      \"lost_writes\": %llu,\n      \"refused\": %llu,\n"
                    "      \"accepted_forgeries\": %llu,\n      \"messages\": %llu,\n"
                    "      \"bytes\": %llu,\n",
                    (unsigned long long)x->lost_writes, (unsigned long long)x->refused,
                    (unsigned long long)x->accepted_forgeries, (unsigned long long)x->messages,
                    (unsigned long long)x->bytes);
    jpct(b, "delta_visible_s", &x->delta_visible_s);
    jpct(b, "delta_overhead_s", &x->delta_overhead_s);
    ogrh_buf_adds(b, "      \"delta_overhead_by_writer\": {\n  ");
    jpct(b, "admin", &x->overhead_admin_s);
    ogrh_buf_adds(b, "  ");
    jpct(b, "officer", &x->overhead_officer_s);
    b->n -= 2; /* the last ",\n" */
    ogrh_buf_adds(b, "},\n");
    ogrh_buf_adds(b, "      \"repair_s\": {");
    if (x->repair_kind[0]) {
      jstr(b, x->repair_kind);
      ogrh_buf_adds(b, ": ");
      jnum(b, x->repair_s, "%.3f");
    }
    ogrh_buf_printf(
        b, "},\n      \"peak_node_memory\": %zu,\n      \"wall_s\": ", x->peak_node_memory);
    jnum(b, x->wall_s, "%.3f");
    ogrh_buf_adds(b, ",\n      \"cpu_s\": ");
    jnum(b, x->cpu_s, "%.3f");
    ogrh_buf_printf(b, ",\n      \"writes\": %llu,\n      \"violations\": %llu,\n",
                    (unsigned long long)x->writes, (unsigned long long)x->violations);
    ogrh_buf_adds(b, "      \"poll_bytes_per_30s\": ");
    jnum(b, x->poll_bytes_per_30s, "%.1f");
    ogrh_buf_printf(b, ",\n      \"digest\": \"%016llx\",\n      \"passed\": %s,\n",
                    (unsigned long long)x->digest, x->passed ? "true" : "false");
    ogrh_buf_adds(b, "      \"failure\": ");
    jstr(b, x->failure);
    ogrh_buf_adds(b, "\n    }");
  }
  ogrh_buf_adds(b, "\n  }\n}\n");
  return ogrh_buf_error(b);
}

/* ---- SVG ---- */

enum { W = 1000, LM = 70, RM = 20, PH = 240, GAP = 70, TOP = 60 };

static const char *model_color(ogrh_sim_model m) {
  return m == OGRH_SIM_MODEL_OGRH ? "#1f6fb4" : "#e8730c";
}

/* A readable step: 1, 2 or 5 times a power of ten, about n steps over span. */
static double nice_step(double span, int n) {
  double raw = span / n, p = pow(10, floor(log10(raw > 0 ? raw : 1)));
  double m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void time_label(double t, double span, char *out, size_t cap) {
  if (span >= 3600)
    snprintf(out, cap, "%d:%02d h", (int)(t / 3600), (int)fmod(t / 60, 60));
  else if (span >= 600)
    snprintf(out, cap, "%g min", t / 60);
  else
    snprintf(out, cap, "%g s", t);
}

static void esc(ogrh_buf *b, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      ogrh_buf_adds(b, "&lt;");
    else if (*s == '>')
      ogrh_buf_adds(b, "&gt;");
    else if (*s == '&')
      ogrh_buf_adds(b, "&amp;");
    else
      ogrh_buf_addc(b, *s);
  }
}

typedef struct kindcol {
  const char *prefix, *color, *name; /* color NULL: a model's own mark, drawn in its colour */
  const char *dash;
} kindcol;

static const kindcol kinds[] = {{"write", "#b8b8b8", "write", NULL},
                                {"drift", "#c0392b", "drift", NULL},
                                {"zone", "#8e44ad", "zone / reload", NULL},
                                {"reload", "#8e44ad", NULL, NULL},
                                {"disconnect", "#7f4f24", "disconnect / reconnect", NULL},
                                {"reconnect", "#7f4f24", NULL, NULL},
                                {"combat", "#2c3e50", "combat", NULL},
                                {"join", "#27ae60", "join / leave", NULL},
                                {"leave", "#27ae60", NULL, NULL},
                                {"grant_admin", "#16a085", "admin handover", NULL},
                                {"forge", "#000000", "forgery", NULL},
                                {"fps", "#95a5a6", "frame rate", NULL},
                                {"mismatch", NULL, "mismatch known", "2,3"},
                                {"repair", NULL, "repair verified", "8,3"},
                                {"converged", NULL, "converged", "1,0"}};

static const char *dash_attr(const char *dash) {
  static char buf[4][48];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "stroke-dasharray=\"%s\"", dash ? dash : "5,3");
  return buf[k];
}

static const kindcol *kind_of(const char *label) {
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
    if (!strncmp(label, kinds[k].prefix, strlen(kinds[k].prefix))) return &kinds[k];
  return &kinds[0];
}

/* A series binned to at most one value per pixel: the mean (and the largest) of each bin. */
typedef struct binned {
  int n;
  double xa[W], xb[W], mean[W], max[W];
} binned;

static void bin(const ogrh_sim_result *x, bool stale, double dur, int pw, binned *o) {
  double per = (double)x->nseries / pw; /* seconds per pixel */
  o->n = x->nseries == 0 ? 0 : per > 1 ? pw : (int)x->nseries;
  for (int k = 0; k < o->n; k++) {
    size_t s0 = per > 1 ? (size_t)(k * per) : (size_t)k;
    size_t s1 = per > 1 ? (size_t)((k + 1) * per) : (size_t)k + 1;
    if (s1 > x->nseries) s1 = x->nseries;
    if (s1 <= s0) s1 = s0 + 1;
    double sum = 0, mx = 0;
    for (size_t s = s0; s < s1 && s < x->nseries; s++) {
      double y = stale ? x->stale[s] : x->bytes_per_s[s];
      sum += y;
      mx = fmax(mx, y);
    }
    o->mean[k] = sum / (double)(s1 - s0);
    o->max[k] = mx;
    o->xa[k] = LM + fmin((double)s0, dur) / dur * pw;
    o->xb[k] = LM + fmin((double)s1, dur) / dur * pw;
  }
}

static void polyline(ogrh_buf *b, const binned *o, const double *v, bool steps, double vmax, int y0,
                     const char *color, const char *extra) {
  ogrh_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" %s points=\"", color, extra);
  for (int k = 0; k < o->n; k++) {
    double py = y0 + PH - v[k] / vmax * PH;
    if (steps)
      ogrh_buf_printf(b, "%.1f,%.1f %.1f,%.1f ", o->xa[k], py, o->xb[k], py);
    else
      ogrh_buf_printf(b, "%.1f,%.1f ", 0.5 * (o->xa[k] + o->xb[k]), py);
  }
  ogrh_buf_adds(b, "\"/>\n");
}

/* Events: full-height lines (labelled when few), or, when there are many, ticks in two rows at
** the top of the panel (scenario events, then each model's own marks). */
static void events(ogrh_buf *b, const ogrh_sim_result *r, size_t n, int y0, bool labels, double dur,
                   double *used_kinds) {
  int pw = W - LM - RM;
  size_t nmarks = 0;
  for (size_t i = 0; i < n; i++)
    nmarks += r[i].nmarks;
  bool ticks = nmarks > 60;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < r[i].nmarks; k++) {
      const ogrh_sim_mark *m = &r[i].marks[k];
      const kindcol *kc = kind_of(m->label);
      bool model_mark = kc->color == NULL;
      if (!model_mark && i > 0) continue; /* scenario events: the same in every run */
      used_kinds[kc - kinds] = 1;
      double x = LM + m->t / dur * pw;
      int ya = y0, yb = y0 + PH;
      if (ticks) {
        ya = y0 + (model_mark ? 12 + 10 * (int)i : 1);
        yb = ya + 9;
      }
      ogrh_buf_printf(b,
                      "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                      "stroke-width=\"%s\" %s opacity=\"0.8\"/>\n",
                      x, x, ya, yb, model_mark ? model_color(r[i].model) : kc->color,
                      model_mark ? "1.5" : "1", model_mark && !ticks ? dash_attr(kc->dash) : "");
      if (nmarks <= 24 && labels) {
        ogrh_buf_printf(b,
                        "<text transform=\"translate(%.1f,%d) rotate(-90)\" class=\"ev\" "
                        "fill=\"%s\">",
                        x - 3, y0 + PH - 4, model_mark ? model_color(r[i].model) : "#555");
        esc(b, m->label);
        ogrh_buf_adds(b, "</text>\n");
      }
    }
}

/* One panel: a line per model from per-second values binned to the pixel; time axis, value
** axis, events. Bytes: the mean of each bin. Stale players: the mean, and when a bin holds
** several seconds, the most at once as a faint line. */
static void panel(ogrh_buf *b, const ogrh_sim_result *r, size_t n, int y0, bool stale, double dur,
                  double *used_kinds) {
  int pw = W - LM - RM;
  static binned bins[4];
  double vmax = stale ? 1 : 100;
  bool aggregated = false;
  for (size_t i = 0; i < n && i < 4; i++) {
    bin(&r[i], stale, dur, pw, &bins[i]);
    aggregated |= (double)r[i].nseries > pw;
    for (int k = 0; k < bins[i].n; k++)
      vmax = fmax(vmax, stale ? bins[i].max[k] : bins[i].mean[k]);
  }
  double step = nice_step(vmax, 5);
  if (stale && step < 1) step = 1; /* players come whole */
  vmax = ceil(vmax * 1.05 / step) * step;
  ogrh_buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"t\">", LM, y0 - 10);
  if (!stale)
    ogrh_buf_adds(b, aggregated ? "Bytes per second on the channel (all senders; mean per pixel)"
                                : "Bytes per second on the channel (all senders)");
  else
    ogrh_buf_adds(b, aggregated ? "Stale players (mean per pixel; faint: the most at once)"
                                : "Stale players (data differ from the admin's; the most in each "
                                  "second)");
  ogrh_buf_adds(b, "</text>\n");
  ogrh_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", LM,
                  y0, pw, PH);
  for (double v = 0; v <= vmax + step / 2; v += step) {
    double y = y0 + PH - v / vmax * PH;
    ogrh_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", LM,
                    LM + pw, y, y);
    ogrh_buf_printf(b, "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%g</text>\n", LM - 6, y + 4, v);
  }
  double tstep = nice_step(dur, 8);
  if (dur >= 3600) tstep = ceil(tstep / 900) * 900;
  for (double t = 0; t <= dur + tstep / 2; t += tstep) {
    double x = LM + t / dur * pw;
    char lab[32];
    time_label(t, dur, lab, sizeof lab);
    ogrh_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"grid\"/>", x, x,
                    y0, y0 + PH);
    ogrh_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s</text>\n", x, y0 + PH + 16, lab);
  }
  events(b, r, n, y0, !stale, dur, used_kinds);
  for (size_t i = 0; i < n && i < 4; i++) {
    const char *c = model_color(r[i].model);
    if (stale && aggregated)
      polyline(b, &bins[i], bins[i].max, true, vmax, y0, c, "stroke-width=\"1\" opacity=\"0.3\"");
    polyline(b, &bins[i], bins[i].mean, stale, vmax, y0, c, "stroke-width=\"1.6\"");
  }
}

int ogrh_sim_plot_svg(const char *scenario, const ogrh_sim_result *r, size_t n, ogrh_buf *b) {
  double dur = 1;
  for (size_t i = 0; i < n; i++)
    if (r[i].duration_s > dur) dur = r[i].duration_s;
  int h = TOP + 2 * PH + GAP + 110;
  ogrh_buf_printf(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n",
                  W, h, W, h);
  ogrh_buf_adds(b, "<style>.t{font-size:14px;font-weight:bold}.yl{font-size:11px;"
                   "text-anchor:end}.xl{font-size:11px;text-anchor:middle}.ev{font-size:10px}"
                   ".frame{fill:none;stroke:#444}.grid{stroke:#e4e4e4}.lg{font-size:12px}"
                   "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  ogrh_buf_adds(b, "<text x=\"70\" y=\"26\" font-size=\"17\" font-weight=\"bold\">ogrh sim ");
  esc(b, scenario);
  ogrh_buf_printf(b,
                  "</text><text x=\"70\" y=\"44\" font-size=\"12\" fill=\"#555\">seed %llu, %g s"
                  " simulated</text>\n",
                  n ? (unsigned long long)r[0].seed : 0ull, dur);
  double used[sizeof kinds / sizeof *kinds] = {0};
  panel(b, r, n, TOP + 20, false, dur, used);
  panel(b, r, n, TOP + 20 + PH + GAP, true, dur, used);
  /* Legend: models, then the kinds of events shown. */
  int y = TOP + 20 + 2 * PH + GAP + 42, x = LM;
  for (size_t i = 0; i < n; i++) {
    ogrh_buf_printf(b,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\" class=\"lg\">%s%s</text>\n",
                    x, x + 24, y - 4, y - 4, model_color(r[i].model), x + 30, y,
                    r[i].model == OGRH_SIM_MODEL_OGRH ? "ogrh (this library)"
                    : r[i].addon_fixed                ? "the original addon (model, bugs fixed)"
                                                      : "the original addon (model)",
                    r[i].converged ? "" : " - did not converge");
    x += 280;
  }
  x = LM;
  y += 24;
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
    if (!used[k] || !kinds[k].name) continue;
    if (x > W - 170) {
      x = LM;
      y += 20;
    }
    bool model_mark = kinds[k].color == NULL;
    ogrh_buf_printf(b,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    "stroke-width=\"2\" %s/><text x=\"%d\" y=\"%d\" class=\"lg\">%s</text>\n",
                    x + 8, x + 8, y - 12, y + 2, model_mark ? "#444" : kinds[k].color,
                    model_mark ? dash_attr(kinds[k].dash) : "", x + 16, y, kinds[k].name);
    x += 170;
  }
  ogrh_buf_adds(b, "</svg>\n");
  return ogrh_buf_error(b);
}
