// The dashboard's shared pieces: the token, requests to the node's HTTP API, the event stream,
// what the page knows of the node (status, roster), formatting, small DOM helpers, notices and
// the confirmation dialog. Everything the page does goes through api() or the event stream.

const TOKEN_KEY = "ogrh-token";

// The token comes in the link of the node's start line (/?token=T). It is kept for this tab
// only and taken out of the address bar, so that it does not end up in history or screenshots.
export function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  sessionStorage.setItem(TOKEN_KEY, t);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

// One request: resolves to the parsed JSON (or the text of a text answer), rejects with an
// ApiError carrying the node's own message. status 0 means the node could not be reached.
export async function api(method, path, body, opts = {}) {
  const headers = { Authorization: "Bearer " + token() };
  let payload;
  if (body !== undefined) {
    if (typeof body === "string") {
      headers["Content-Type"] = "text/plain; charset=utf-8";
      payload = body;
    } else {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
  }
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, cache: "no-store", signal: opts.signal });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    node.reachable = false;
    emit("reachable", false);
    throw new ApiError(0, "The node does not answer (is `ogrh node` still running?)");
  }
  if (!node.reachable) {
    node.reachable = true;
    emit("reachable", true);
  }
  const type = r.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await r.json().catch(() => null) : await r.text();
  if (r.status === 401) emit("unauthorized");
  if (!r.ok) {
    const msg = data && data.error ? data.error : `${method} ${path}: HTTP ${r.status}`;
    throw new ApiError(r.status, msg, data);
  }
  return data;
}

// ---- a tiny event bus: node events (by name), "status", "roster", "reachable" ----

const handlers = new Map();

export function on(name, fn) {
  if (!handlers.has(name)) handlers.set(name, []);
  handlers.get(name).push(fn);
}

export function emit(name, ...args) {
  for (const fn of handlers.get(name) || []) {
    try {
      fn(...args);
    } catch (e) {
      console.error(name, e);
    }
  }
}

// ---- what the page knows of the node ----

export const node = {
  status: null,
  roster: null, // {players: [{name, rank}]} or null
  plan: null, // GET /api/plan: the raids and their encounters by name (the Plan tab keeps it)
  reachable: true,
  openedAt: Date.now(),
  streamUp: false,
};

export function isOfficer() {
  const st = node.status;
  return !!st && (st.rank === "leader" || st.rank === "assistant" || isAdmin());
}

export function isAdmin() {
  const st = node.status;
  return !!st && !!st.admin && st.admin === st.user;
}

export async function refreshStatus() {
  try {
    const st = await api("GET", "/api/status");
    const before = node.status;
    node.status = st;
    emit("status", st, before);
  } catch (e) {
    if (e.status !== 401) emit("status-error", e);
  }
}

export async function refreshRoster() {
  try {
    node.roster = await api("GET", "/api/roster");
  } catch (e) {
    node.roster = null;
  }
  emit("roster", node.roster);
}

// The node's events as they happen. A reconnecting EventSource resumes after the last id it
// saw; events older than the page are history (the event log shows them, nothing flashes).
let source = null;
export function startEvents() {
  if (source) source.close();
  source = new EventSource("/api/events?token=" + encodeURIComponent(token()));
  source.onopen = () => {
    node.streamUp = true;
    emit("stream", true);
  };
  source.onerror = () => {
    node.streamUp = false;
    emit("stream", false);
  };
  source.onmessage = (m) => {
    let ev;
    try {
      ev = JSON.parse(m.data);
    } catch (e) {
      return;
    }
    ev.live = Date.parse(ev.time) >= node.openedAt - 500;
    emit("event", ev);
    emit("event:" + ev.event, ev);
  };
}

// ---- formatting ----

// "245 KB": whole kilobytes below a megabyte (1 KB = 1024 bytes, as the addon counts).
export function fmtBytes(n) {
  if (n == null || isNaN(n)) return "–";
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function fmtRate(n) {
  return `${fmtBytes(n)}/s`;
}

// "Jan 22, 2026 3:45 PM" in English; the viewer's own locale and time zone otherwise.
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
export function fmtTime(seconds) {
  const d = new Date(seconds * 1000);
  return `${dateFmt.format(d)} ${timeFmt.format(d)}`;
}

const clockFmt = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
export function fmtClock(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : clockFmt.format(d);
}

export function fmtDuration(ms) {
  if (ms == null || ms < 0) return "";
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

// ---- DOM ----

// el("button.primary#go", {type: "button", onclick}, "text", child...): attributes that are
// functions become listeners; strings and nodes become children; null and false are skipped.
export function el(spec, attrs, ...children) {
  const m = /^([a-z0-9-]+)((?:[.#][\w-]+)*)$/i.exec(spec);
  const e = document.createElement(m ? m[1] : spec);
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === ".") e.classList.add(part.slice(1));
      else e.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (typeof v === "function") e.addEventListener(k.replace(/^on/, ""), v);
    else if (k === "dataset") {
      for (const [dk, dv] of Object.entries(v)) if (dv != null) e.dataset[dk] = dv;
    }
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, v);
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof Node ? c : String(c));
  }
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

export function $$(sel, root = document) {
  return [...root.querySelectorAll(sel)];
}

// A raid mark's icon (shapes differ, so they read without colour) with its name for readers.
export const MARKS = ["", "Star", "Circle", "Diamond", "Triangle", "Moon", "Square", "Cross", "Skull"];
export function markIcon(index, name) {
  const label = name || MARKS[index] || `Mark ${index}`;
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", `mark mark-${index}`);
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const title = document.createElementNS(svgNS, "title");
  title.textContent = label;
  const use = document.createElementNS(svgNS, "use");
  use.setAttribute("href", index >= 1 && index <= 8 ? `#mark-${index}` : "#mark-0");
  svg.append(title, use);
  return svg;
}

// ---- notices ----

// A notice in a panel's notice area: kind "ok", "error" or "info"; the text says which too.
export function notice(area, kind, text, opts = {}) {
  const prefix = { ok: "Done:", error: "Failed:", info: "Note:" }[kind] || "";
  const n = el(
    `div.notice.notice-${kind}`,
    { role: kind === "error" ? "alert" : "status" },
    el("span.notice-kind", prefix),
    " ",
    el("span.notice-text", text),
    el(
      "button.notice-close",
      { type: "button", "aria-label": "Dismiss", onclick: () => n.remove() },
      "×",
    ),
  );
  if (opts.replace !== false) area.replaceChildren(n);
  else area.prepend(n);
  if (opts.timeout) setTimeout(() => n.remove(), opts.timeout);
  return n;
}

// Asks with the page's dialog (not window.confirm: it shows several lines and is styled and
// reachable like the rest). Resolves true on confirm.
export function confirmDialog(title, lines, okLabel = "Continue", cancelLabel = "Cancel") {
  const dlg = $("#dlg-confirm");
  $("#dlg-confirm-title").textContent = title;
  $("#dlg-confirm-body").replaceChildren(
    ...lines.map((l) => (l instanceof Node ? l : el("p", l))),
  );
  const ok = $("#dlg-confirm-ok");
  ok.textContent = okLabel;
  $("#dlg-confirm-cancel").textContent = cancelLabel;
  return new Promise((resolve) => {
    const done = (v) => {
      dlg.removeEventListener("close", onClose);
      ok.removeEventListener("click", onOk);
      if (dlg.open) dlg.close();
      resolve(v);
    };
    const onClose = () => done(dlg.returnValue === "ok");
    const onOk = (e) => {
      e.preventDefault();
      dlg.returnValue = "ok";
      done(true);
    };
    dlg.returnValue = "";
    dlg.addEventListener("close", onClose);
    ok.addEventListener("click", onOk);
    dlg.showModal();
    $("#dlg-confirm-cancel").focus();
  });
}

// Lets a player read what changed (a polite live region), without colour or motion.
export function announce(text) {
  const live = $("#announcer");
  live.textContent = "";
  setTimeout(() => (live.textContent = text), 30);
}
