// The dashboard's start: the token, the header, the tabs, then each section and the event
// stream. Sections: plan.js, manage.js (Data Management), backups.js, channel.js.
import {
  $,
  $$,
  api,
  forgetToken,
  isAdmin,
  isOfficer,
  node,
  on,
  refreshRoster,
  refreshStatus,
  setToken,
  startEvents,
  takeToken,
} from "./core.js";
import * as plan from "./plan.js";
import * as manage from "./manage.js";
import * as backups from "./backups.js";
import * as channel from "./channel.js";

const TABS = ["plan", "data", "backups", "channel"];
const sections = { plan, data: manage, backups, channel };

function showLogin(message) {
  $("#login").hidden = false;
  $("#tabs").hidden = true;
  $("#main").hidden = true;
  $("#badge-conn").textContent = "No token";
  $("#login-error").textContent = message || "";
  $("#login-token").focus();
}

function selectTab(name, focus) {
  if (!TABS.includes(name)) name = "plan";
  for (const t of TABS) {
    const tab = $(`#tab-${t}`);
    const on = t === name;
    tab.setAttribute("aria-selected", on ? "true" : "false");
    tab.tabIndex = on ? 0 : -1;
    $(`#panel-${t}`).hidden = !on;
  }
  if (focus) $(`#tab-${name}`).focus();
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  sections[name].shown?.();
}

function setupTabs() {
  for (const t of TABS) $(`#tab-${t}`).addEventListener("click", () => selectTab(t));
  $("#tabs").addEventListener("keydown", (e) => {
    const i = TABS.findIndex((t) => $(`#tab-${t}`) === document.activeElement);
    if (i < 0) return;
    const k = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: TABS.length - 1 - i }[e.key];
    if (k === undefined) return;
    e.preventDefault();
    selectTab(TABS[(i + k + TABS.length) % TABS.length], true);
  });
  window.addEventListener("hashchange", () => selectTab(location.hash.slice(1)));
}

function badge(id, text, kind) {
  const b = $(id);
  b.hidden = false;
  b.textContent = text;
  b.className = `badge badge-${kind}`;
}

function showHeader(st) {
  $("#who").textContent = `${st.user} · team ${st.team}`;
  document.title = `${st.user} · ${st.team} · OG-RaidHelper`;
  badge("#badge-conn", st.connected ? "Connected" : "Disconnected", st.connected ? "ok" : "bad");
  const role = isAdmin() ? "Admin" : isOfficer() ? "Officer" : st.rank ? "Member · read-only" : "Not on the roster";
  badge("#badge-role", role, isOfficer() ? "info" : "plain");
  const sync =
    st.stale === true ? ["Stale", "bad"] : st.stale === false ? ["In sync", "ok"] : ["Sync unknown", "plain"];
  badge("#badge-sync", sync[0], sync[1]);
}

function banner(text) {
  const b = $("#banner");
  b.hidden = !text;
  b.textContent = text || "";
}

async function start() {
  try {
    node.status = await api("GET", "/api/status");
  } catch (e) {
    if (e.status === 401) {
      forgetToken();
      showLogin("The node did not accept this token: it prints a new one at every start.");
    } else {
      showLogin(e.message);
    }
    return;
  }
  $("#login").hidden = true;
  $("#tabs").hidden = false;
  $("#main").hidden = false;
  showHeader(node.status);
  on("status", showHeader);
  on("reachable", (up) => banner(up ? "" : "Lost contact with the node: retrying…"));
  on("unauthorized", () =>
    banner("The node no longer accepts this page's token (restarted?): open the link from its new start line."),
  );
  on("event:roster", refreshRoster);
  on("event:admin changed", refreshStatus);
  on("event:connected", refreshStatus);
  on("event:disconnected", refreshStatus);
  setupTabs();
  for (const s of Object.values(sections)) s.init();
  await refreshRoster();
  startEvents();
  selectTab(location.hash.slice(1) || "plan");
  setInterval(refreshStatus, 2000);
  document.body.dataset.ready = "1";
}

function boot() {
  $("#login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken($("#login-token").value.trim());
    start();
  });
  if (takeToken()) start();
  else showLogin();
}

boot();

// For the tests and for curious players: the page's state, read-only.
window.ogrh = { node, $$ };
