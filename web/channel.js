// The Channel tab: connected or not, the admin, the revision, stale or in sync; bytes per
// second in and out and the queue depth over the last minutes as a chart (hand-written SVG:
// three lines told apart by their dash pattern as well as their colour; GET /api/stats for the
// history, then the node's "stats" events); and the event log (every event of the stream).
import { $, api, el, fmtBytes, fmtClock, fmtRate, node, on } from "./core.js";

const WINDOW_MS = 5 * 60 * 1000;
const MAX_LOG = 300;
const SVG = "http://www.w3.org/2000/svg";

let samples = [];
let drawPending = false;

// ---- status ----

function renderStatus(st) {
  if (!st) return;
  const sync = st.stale === true ? "Stale: differs from the admin" : st.stale === false ? "In sync" : "Unknown";
  const rows = [
    ["Connected", st.connected ? `Yes, to ${st.broker}` : `No (broker ${st.broker})`],
    ["Team", st.team],
    ["You", `${st.user}${st.rank ? ` (${st.rank})` : " (not on the roster)"}`],
    ["Admin", st.admin ? `${st.admin} (epoch ${st.epoch})` : "None known"],
    ["Revision", String(st.revision)],
    ["State", sync],
    ["Queue", `${st.queue} waiting`],
    ["Bytes", `${fmtBytes(st.bytesIn)} in, ${fmtBytes(st.bytesOut)} out`],
    ["Messages", `${st.messagesIn} in, ${st.messagesOut} out`],
    ["Reconnects", String(st.reconnects ?? 0)],
    ["Digest", st.digest],
    ["Engine", st.engine],
  ];
  $("#channel-status").replaceChildren(
    ...rows.map(([k, v]) => el("div", el("dt", k), el("dd", { dataset: { key: k.toLowerCase() } }, v ?? "–"))),
  );
}

// ---- the chart ----

function niceMax(v) {
  if (v <= 1) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function svg(name, attrs, ...kids) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}

function draw() {
  drawPending = false;
  const box = $("#chart");
  if (!box || $("#panel-channel").hidden) return;
  const W = Math.max(280, box.clientWidth || 600);
  const H = 220;
  const pad = { l: 64, r: 44, t: 12, b: 28 };
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const end = samples.length ? samples[samples.length - 1].t : 0;
  const start = end - WINDOW_MS;
  const shown = samples.filter((s) => s.t >= start);
  const rateMax = niceMax(Math.max(0, ...shown.map((s) => Math.max(s.inRate, s.outRate))));
  // The queue counts messages: whole numbers on its axis.
  const queuePeak = Math.max(0, ...shown.map((s) => s.queue));
  const queueMax = queuePeak <= 4 ? 4 : 4 * Math.ceil(niceMax(queuePeak) / 4);
  const x = (t) => pad.l + ((t - start) / WINDOW_MS) * iw;
  const yRate = (v) => pad.t + ih - (v / rateMax) * ih;
  const yQueue = (v) => pad.t + ih - (v / queueMax) * ih;
  const point = (s, key, y) => `${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`;
  const line = (key, y) => shown.map((s, i) => (i ? "L" : "M") + point(s, key, y)).join(" ");
  const last = shown[shown.length - 1] || { inRate: 0, outRate: 0, queue: 0 };
  const summary =
    `Last 5 minutes: now ${fmtRate(last.inRate)} in, ${fmtRate(last.outRate)} out, ` +
    `queue ${last.queue}; scale up to ${fmtRate(rateMax)}.`;
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", class: "chart-svg" });
  g.setAttribute("aria-label", summary);
  g.append(svg("title", {}, summary));
  for (let i = 0; i <= 4; i++) {
    const v = (rateMax * i) / 4;
    const y = yRate(v);
    g.append(svg("line", { x1: pad.l, x2: W - pad.r, y1: y, y2: y, class: "grid" }));
    g.append(svg("text", { x: pad.l - 6, y: y + 4, "text-anchor": "end", class: "axis" }, fmtRate(v)));
    const q = (queueMax * i) / 4;
    g.append(svg("text", { x: W - pad.r + 6, y: yQueue(q) + 4, class: "axis" }, String(q)));
  }
  for (let m = 0; m <= 5; m++) {
    const t = start + m * 60000;
    const label = m === 5 ? "now" : `−${5 - m} min`;
    g.append(svg("text", { x: x(t), y: H - 8, "text-anchor": "middle", class: "axis" }, label));
  }
  if (shown.length > 1) {
    g.append(svg("path", { d: line("queue", yQueue), class: "s-queue" }));
    g.append(svg("path", { d: line("outRate", yRate), class: "s-out" }));
    g.append(svg("path", { d: line("inRate", yRate), class: "s-in" }));
  } else {
    const mid = { x: pad.l + iw / 2, y: pad.t + ih / 2, "text-anchor": "middle", class: "axis" };
    g.append(svg("text", mid, "Collecting samples…"));
  }
  const legend = el(
    "ul.legend",
    [
      ["s-in", "Bytes/s in"],
      ["s-out", "Bytes/s out"],
      ["s-queue", "Queue (right axis)"],
    ].map(([cls, text]) =>
      el(
        "li",
        svg("svg", { width: 28, height: 10, "aria-hidden": "true" }, svg("line", { x1: 0, x2: 28, y1: 5, y2: 5, class: cls })),
        " ",
        text,
      ),
    ),
  );
  box.replaceChildren(g, legend);
  renderTable(shown);
}

function renderTable(shown) {
  const rows = shown.slice(-30).reverse();
  $("#chart-table").replaceChildren(
    el(
      "table.data",
      el("thead", el("tr", el("th", "Seconds ago"), el("th", "In"), el("th", "Out"), el("th", "Queue"))),
      el(
        "tbody",
        rows.map((s) =>
          el(
            "tr",
            el("td", String(Math.round(((samples[samples.length - 1]?.t ?? s.t) - s.t) / 1000))),
            el("td", fmtRate(s.inRate)),
            el("td", fmtRate(s.outRate)),
            el("td", String(s.queue)),
          ),
        ),
      ),
    ),
  );
}

function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(draw);
}

async function loadStats() {
  try {
    const r = await api("GET", "/api/stats");
    samples = r.samples;
  } catch (e) {
    samples = [];
  }
  scheduleDraw();
}

// ---- the event log ----

function logEvent(ev) {
  if (ev.event === "stats") return;
  const list = $("#event-log");
  list.prepend(
    el(
      "li",
      { dataset: { event: ev.event } },
      el("time", { datetime: ev.time }, fmtClock(ev.time)),
      " ",
      el("span.ev-name", ev.event),
      " ",
      el("span.ev-msg", (ev.msg || "").replace(/token=[^\s&]+/g, "token=…")),
    ),
  );
  while (list.children.length > MAX_LOG) list.lastElementChild.remove();
}

// ---- the section ----

export function init() {
  on("status", renderStatus);
  on("event", logEvent);
  on("event:stats", (ev) => {
    samples.push(ev);
    if (samples.length > 200) samples.splice(0, samples.length - 200);
    scheduleDraw();
  });
  window.addEventListener("resize", scheduleDraw);
  renderStatus(node.status);
  loadStats();
}

export function shown() {
  renderStatus(node.status);
  scheduleDraw();
}
