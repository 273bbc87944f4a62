// The Channel tab: connected or not, the admin, the revision, stale or in sync; bytes per
// second in and out and the queue depth over the last minutes as a chart (hand-written SVG:
// three lines told apart by their dash pattern as well as their colour; GET /api/stats for the
// history, then the node's "stats" events); and the event log (every event of the stream).
import { $, api, el, fmtBytes, fmtClock, fmtRate, node, on } from "./core.js";

const WINDOW_MS = 5 * 60 * 1000; // at most; less while the node has run for less

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
  // Whole minutes, from one up to five: as far back as the samples go.
  const minutes = Math.min(5, Math.max(1, Math.ceil((end - (samples[0]?.t ?? end)) / 60000)));
  const span = minutes * 60000;
  const start = end - span;
  const shown = samples.filter((s) => s.t >= start);
  const rateMax = niceMax(Math.max(0, ...shown.map((s) => Math.max(s.inRate, s.outRate))));
  // The queue counts messages: whole numbers on its axis.
  const queuePeak = Math.max(0, ...shown.map((s) => s.queue));
  const queueMax = queuePeak <= 4 ? 4 : 4 * Math.ceil(niceMax(queuePeak) / 4);
  const x = (t) => pad.l + ((t - start) / span) * iw;
  const yRate = (v) => pad.t + ih - (v / rateMax) * ih;
  const yQueue = (v) => pad.t + ih - (v / queueMax) * ih;
  const point = (s, key, y) => `${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`;
  const line = (key, y) => shown.map((s, i) => (i ? "L" : "M") + point(s, key, y)).join(" ");
  const last = shown[shown.length - 1] || { inRate: 0, outRate: 0, queue: 0 };
  const summary =
    `Last ${minutes === 1 ? "minute" : `${minutes} minutes`}: ` +
    `now ${fmtRate(last.inRate)} in, ${fmtRate(last.outRate)} out, ` +
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
  // A label every minute (every 15 s when the chart spans one minute).
  const step = minutes === 1 ? 15000 : 60000;
  for (let i = 0; i <= span / step; i++) {
    const t = start + i * step;
    const ago = (span - i * step) / 1000;
    const label = !ago ? "now" : ago < 60 ? `−${ago} s` : `−${ago / 60} min`;
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

// The node names a change's place by index ("raid 1 > encounter 3 > roles", or a path
// "encounterMgmt.raids.1.encounters.3.roles.1.assignedPlayers.4"); the page knows the names
// from the plan ("Molten Core > Garr > roles").
function placeName(r, e) {
  const raid = node.plan?.raids?.find((x) => x.index === r);
  if (!raid?.name) return null;
  if (e == null) return raid.name;
  const enc = raid.encounters?.find((x) => x.index === e);
  return enc?.name ? `${raid.name} > ${enc.name}` : null;
}

function valueText(v) {
  const t = typeof v === "string" ? v : JSON.stringify(v);
  return t.length > 60 ? `${t.slice(0, 59)}…` : t;
}

function named(ev) {
  const msg = ev.msg || "";
  const sc = ev.scope;
  if (typeof ev.path === "string") {
    const m = /encounterMgmt\.raids\.(\d+)(?:\.encounters\.(\d+))?\.?/.exec(msg);
    const place = m && placeName(Number(m[1]), m[2] == null ? null : Number(m[2]));
    if (!place) return msg;
    const rest = msg.slice(m.index + m[0].length);
    const value = "new" in ev ? (ev.new == null ? ": cleared" : `: ${valueText(ev.new)}`) : "";
    return msg.slice(0, m.index) + place + (rest ? ` > ${rest}` : "") + value;
  }
  const place = sc?.raid != null ? placeName(sc.raid, sc.encounter ?? null) : null;
  if (!place) return msg;
  return msg.replace(sc.encounter != null ? /^raid \d+ > encounter \d+/ : /^raid \d+/, place);
}

// This player's own write comes twice: the node's "changed" (the place) and, just after, the
// node program's (the path and the value); the log keeps the second.
let lastPlace = null; // {li, raid, encounter, at}

function ownWriteOf(ev) {
  const m = /^encounterMgmt\.raids\.(\d+)(?:\.encounters\.(\d+))?/.exec(ev.path || "");
  if (!m || !lastPlace || Date.now() - lastPlace.at > 2000) return null;
  const enc = m[2] == null ? null : Number(m[2]);
  return lastPlace.raid === Number(m[1]) && (lastPlace.encounter ?? null) === enc ? lastPlace.li : null;
}

function logEvent(ev) {
  if (ev.event === "stats") return;
  const list = $("#event-log");
  const li = el(
    "li",
    { dataset: { event: ev.event } },
    el("time", { datetime: ev.time }, fmtClock(ev.time)),
    " ",
    el("span.ev-name", ev.event),
    " ",
    el("span.ev-msg", named(ev).replace(/token=[^\s&]+/g, "token=…")),
  );
  if (ev.event === "changed" && ev.path) {
    ownWriteOf(ev)?.remove();
    lastPlace = null;
  } else if (ev.event === "changed" && ev.scope?.raid != null) {
    lastPlace = { li, raid: ev.scope.raid, encounter: ev.scope.encounter, at: Date.now() };
  }
  list.prepend(li);
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
