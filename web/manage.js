// The Data Management tab (seed 6.4.2): "Validate Structure" asks the node to compare its plan
// with the admin's (POST /api/validate) and shows the differences as a tree, Raid > Encounter
// > Component, with this node's digest beside the admin's and a severity marker; "Repair"
// (shown when validation fails) repairs at a chosen level from a chosen source (POST
// /api/repair), with a progress bar (bytes and time left, from GET /api/status) and a notice
// of success or failure with the reason (the node's "repair done" / "repair failed" events).
import { $, api, el, fmtBytes, fmtDuration, isAdmin, node, notice, on, refreshStatus } from "./core.js";

const SEVERITY = {
  1: ["Minor", "!"],
  2: ["Moderate", "!!"],
  3: ["Severe", "!!!"],
};

let result = null;
let localTree = null;
let pick = null; // {raid, encounter, level}: the row chosen for repair (null: everything)
let repair = null; // the repair in progress

// ---- validation ----

async function validate() {
  const btn = $("#validate-btn");
  btn.disabled = true;
  const admin = node.status?.admin;
  $("#validate-state").textContent = `Validating against ${admin ? `the admin (${admin})` : "the admin"}…`;
  try {
    const res = await api("POST", "/api/validate", {});
    localTree = await api("GET", "/api/digests").catch(() => null);
    result = res;
    render();
  } catch (e) {
    result = null;
    $("#validation").hidden = true;
    $("#repair").hidden = true;
    notice($("#data-notice"), "error", `Validation failed: ${e.message}`);
  } finally {
    btn.disabled = isAdmin();
    $("#validate-state").textContent = "";
  }
}

function findLocal(raid, enc) {
  const r = localTree?.raids.find((x) => x.name === raid);
  if (!r || enc == null) return { raid: r, enc: null };
  return { raid: r, enc: r.encounters.find((x) => x.name === enc) || null };
}

// The tree: one entry per raid (and one for the global components and the raid list), holding
// its encounters, each holding its differing components; severities follow the seed's repair
// levels (one or two components: a component repair; more, or a missing encounter: the
// encounter; a missing raid or several encounters: the raid).
function buildTree(diffs) {
  const raids = new Map();
  const globals = [];
  let raidList = null;
  const raidOf = (name) => {
    if (!raids.has(name)) raids.set(name, { name, encs: new Map(), kinds: new Set() });
    return raids.get(name);
  };
  for (const d of diffs) {
    if (d.kind === "global") globals.push(d);
    else if (d.kind === "raid-list" && d.raid) raidOf(d.raid).kinds.add("extra");
    else if (d.kind === "raid-list") raidList = d;
    else {
      const r = raidOf(d.raid);
      if (d.kind === "raid" || d.kind === "raid-meta") {
        r.kinds.add(d.kind);
        if (d.kind === "raid") r.admin = d.adminDigest;
        if (d.kind === "raid-meta" && !d.encounter) [r.metaLocal, r.metaAdmin] = [d.localDigest, d.adminDigest];
        if (d.kind === "raid-meta" && !d.encounter) continue;
      }
      if (d.kind === "raid") continue;
      const key = d.encounter || "";
      if (!r.encs.has(key)) r.encs.set(key, { name: d.encounter, comps: new Map(), kinds: new Set(), repaired: true });
      const e = r.encs.get(key);
      e.kinds.add(d.kind);
      e.repaired &&= !!d.repaired;
      if (d.kind === "encounter") e.admin = d.adminDigest;
      // The node reports one finding per component, with that component's two digests.
      for (const c of d.components || [])
        e.comps.set(c, { repaired: !!d.repaired, local: d.localDigest, admin: d.adminDigest });
    }
  }
  for (const r of raids.values()) {
    for (const e of r.encs.values()) {
      e.severity = e.kinds.has("encounter") || e.comps.size >= 3 || e.kinds.has("raid-meta") ? 2 : 1;
    }
    const worst = Math.max(0, ...[...r.encs.values()].map((e) => e.severity));
    const whole = r.kinds.has("raid") || r.kinds.has("extra") || r.encs.size >= 2;
    r.severity = whole ? 3 : Math.max(worst, r.kinds.has("raid-meta") ? 2 : 1);
  }
  return { raids: [...raids.values()], globals, raidList };
}

function sevCell(level) {
  const [word, marks] = SEVERITY[level] || SEVERITY[1];
  const sev = el(`span.sev.sev-${level}`, el("span.sev-marks", { "aria-hidden": "true" }, marks), " ", word);
  return el("td", { dataset: { label: "Severity" } }, sev);
}

function digestCell(label, value, fallback) {
  return el("td", { dataset: { label } }, value ? el("code.digest", value) : el("span.muted", fallback));
}

// One row of the tree. r: {depth, label, severity, local, admin (digests, or missing), absent
// (what the admin column says without a digest), unit ({raid, encounter, level}: what a repair
// of this row covers), component, tag}.
function row(r) {
  const id = `pick-${Math.random().toString(36).slice(2)}`;
  const u = r.unit;
  const radio = el("input", {
    type: "radio",
    name: "tree-pick",
    id,
    checked: pick && pick.raid === u.raid && pick.encounter === u.encounter,
    onchange: () => choose(u),
  });
  return el(
    `tr.depth-${r.depth}`,
    { dataset: { raid: u.raid ?? "", encounter: u.encounter ?? "", component: r.component ?? "" } },
    el(
      "td.where",
      el("span.indent", { "aria-hidden": "true" }),
      radio,
      el("label", { for: id }, r.label),
      r.tag ? el("span.tag", r.tag) : null,
    ),
    sevCell(r.severity),
    digestCell("Local digest", r.local, "none here"),
    digestCell("Admin digest", r.admin, r.absent || "differs"),
  );
}

function everythingRow() {
  return el(
    "tr.depth-0.all",
    el(
      "td.where",
      { colspan: 4 },
      el("input", { type: "radio", name: "tree-pick", id: "pick-all", checked: !pick, onchange: () => choose(null) }),
      el("label", { for: "pick-all" }, "Everything that differs"),
    ),
  );
}

function treeRows(tree) {
  const rows = [];
  const full = { raid: null, encounter: null, level: "full" };
  if (tree.raidList) {
    const d = tree.raidList;
    rows.push(row({ depth: 0, label: "Raid list (names and order)", severity: 3, local: localTree?.raidList, admin: d.adminDigest, unit: full }));
  }
  for (const g of tree.globals) {
    const local = localTree?.globals?.[g.global];
    rows.push(row({ depth: 0, label: `Global: ${g.global}`, severity: 2, local, admin: g.adminDigest, unit: full, component: g.global }));
  }
  for (const r of tree.raids) {
    const lr = findLocal(r.name).raid;
    const missing = r.kinds.has("raid");
    const extra = r.kinds.has("extra");
    rows.push(
      row({
        depth: 0,
        label: `Raid: ${r.name}`,
        severity: r.severity,
        local: lr?.digest,
        admin: r.admin,
        absent: missing ? "present" : extra ? "none" : "differs",
        unit: { raid: r.name, encounter: null, level: "raid" },
        tag: missing ? "missing here" : extra ? "not at the admin" : null,
      }),
    );
    for (const e of r.encs.values()) {
      if (e.name == null || e.name === "") {
        if (e.kinds.has("raid-meta")) {
          const unit = { raid: r.name, encounter: null, level: "raid" };
          const label = "Raid settings and encounter list";
          rows.push(row({ depth: 1, label, severity: 2, local: r.metaLocal || lr?.own, admin: r.metaAdmin, unit }));
        }
        continue;
      }
      const le = findLocal(r.name, e.name).enc;
      const missing = e.kinds.has("encounter");
      // An encounter named by the raid's own level alone is one the admin's raid lacks.
      const extra = e.kinds.has("raid-meta") && !e.comps.size && !missing;
      rows.push(
        row({
          depth: 1,
          label: e.name,
          severity: e.severity,
          local: le?.digest,
          admin: e.admin,
          absent: missing ? "present" : extra ? "none" : "differs",
          unit: { raid: r.name, encounter: e.name, level: "encounter" },
          tag: missing ? "missing here" : extra ? "not at the admin" : e.repaired ? "repaired" : null,
        }),
      );
      for (const [c, info] of e.comps) {
        rows.push(
          row({
            depth: 2,
            label: c,
            severity: e.severity,
            local: info.local || le?.components?.[c],
            admin: info.admin,
            unit: { raid: r.name, encounter: e.name, level: "component" },
            component: c,
            tag: info.repaired ? "repaired" : null,
          }),
        );
      }
    }
  }
  return rows;
}

function render() {
  const box = $("#validation");
  box.hidden = false;
  $("#validation-lines").replaceChildren(
    ...(result.lines || []).map((l) => el(`li${result.valid ? ".ok" : ".bad"}`, l)),
  );
  const tree = buildTree(result.differences || []);
  const body = $("#tree-body");
  // Nothing differs: the lines say so, no empty tree.
  body.replaceChildren(...(result.valid ? [] : [everythingRow(), ...treeRows(tree)]));
  $("#validation .tree-wrap").hidden = result.valid;
  $("#tree").dataset.root = result.digest || "";
  $("#repair").hidden = result.valid;
  if (result.valid) {
    notice($("#data-notice"), "ok", "Structure validation: PASSED");
    return;
  }
  $("#data-notice").replaceChildren();
  const worst = Math.max(0, ...tree.raids.map((r) => r.severity), tree.globals.length ? 2 : 0, tree.raidList ? 3 : 0);
  if (!pick) $("#repair-level").value = worst >= 3 ? "raid" : worst === 2 ? "encounter" : "component";
  fillSources();
  showUnit();
}

function choose(choice) {
  pick = choice && choice.raid ? choice : null;
  if (choice) $("#repair-level").value = choice.level;
  showUnit();
}

function unitOf() {
  if (!pick) return null;
  return pick.encounter ? `${pick.raid}/${pick.encounter}` : pick.raid;
}

// What a repair of the chosen row at the chosen level covers: at component level, the
// components of that encounter that differ.
function showUnit() {
  const u = unitOf();
  let what = u ? u.replace("/", " > ") : "Everything that differs";
  if (u && pick.encounter && $("#repair-level").value === "component") {
    const raid = buildTree(result?.differences || []).raids.find((r) => r.name === pick.raid);
    const comps = [...(raid?.encs.get(pick.encounter)?.comps.keys() || [])];
    if (comps.length) what += ` > ${comps.join(", ")}`;
  }
  $("#repair-unit").textContent = what;
}

function fillSources() {
  const sel = $("#repair-source");
  const keep = sel.value;
  const st = node.status || {};
  const officers = (node.roster?.players || []).filter(
    (p) => (p.rank === "leader" || p.rank === "assistant") && p.name !== st.user && p.name !== st.admin,
  );
  sel.replaceChildren(
    el("option", { value: "" }, st.admin ? `Raid admin (${st.admin})` : "Raid admin"),
    ...officers.map((p) => el("option", { value: p.name }, `${p.name} (officer)`)),
  );
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

// ---- repair ----

async function startRepair() {
  if (repair) return;
  const body = { level: $("#repair-level").value };
  const unit = unitOf();
  if (unit && body.level !== "full") body.unit = unit;
  const source = $("#repair-source").value;
  if (source) body.source = source;
  const btn = $("#repair-btn");
  btn.disabled = true;
  showProgress({ state: "waiting" });
  try {
    await api("POST", "/api/repair", body);
  } catch (e) {
    btn.disabled = false;
    $("#repair-progress").hidden = true;
    notice($("#data-notice"), "error", `Repair failed: ${e.message}`);
    return;
  }
  repair = { started: Date.now(), timer: setInterval(pollRepair, 250), seenRunning: false, what: unit || "everything" };
  notice($("#data-notice"), "info", `Requesting repair from ${source || "raid admin"}...`);
  // The notice above may have moved it: the bar stays where the player looks.
  $("#repair-progress").scrollIntoView({ block: "nearest" });
}

function showProgress(r) {
  $("#repair-progress").hidden = false;
  const bar = $("#repair-bar");
  const total = r.bytesTotal || 0;
  if (total) {
    bar.max = total;
    bar.value = Math.min(r.bytesDone || 0, total);
  } else {
    bar.removeAttribute("value"); // indeterminate until the size is known
  }
  const parts = [];
  const states = {
    waiting: "Waiting to ask",
    drilling: "Comparing digests",
    receiving: "Receiving",
    done: "Done",
    failed: "Failed",
  };
  const state = states[r.state] || r.state;
  if (state) parts.push(state);
  if (total) parts.push(`${fmtBytes(r.bytesDone || 0)} of ${fmtBytes(total)}`);
  if (r.unitsTotal) parts.push(`${r.unitsDone || 0} of ${r.unitsTotal} units`);
  if (r.etaMs && r.state === "receiving") parts.push(`about ${fmtDuration(r.etaMs)} left`);
  $("#repair-progress-text").textContent = parts.join(" · ");
}

async function pollRepair() {
  if (!repair) return;
  let st;
  try {
    st = await api("GET", "/api/status");
  } catch (e) {
    return;
  }
  if (!repair) return;
  const r = st.repair || { state: "idle" };
  if (r.state === "waiting" || r.state === "drilling" || r.state === "receiving") repair.seenRunning = true;
  showProgress(r);
  if (r.state === "done") finish(true, "Repair completed successfully", r);
  else if (r.state === "failed") finish(false, repair.failure || "Repair failed");
  else if (r.state === "idle" && (repair.seenRunning || Date.now() - repair.started > 3000))
    finish(true, "Repair completed successfully");
  else if (Date.now() - repair.started > 90000) finish(false, "Repair failed: no answer in 90 s");
}

// "1 unit, 412 B in 0.3 s": what the repair carried, from its last progress figures.
function summary(r, started) {
  if (!r || !r.bytesTotal) return "";
  const units = r.unitsTotal ? `${r.unitsTotal} unit${r.unitsTotal === 1 ? "" : "s"}, ` : "";
  return ` (${units}${fmtBytes(r.bytesTotal)} in ${((Date.now() - started) / 1000).toFixed(1)} s)`;
}

function finish(ok, text, figures) {
  if (!repair) return;
  clearInterval(repair.timer);
  if (ok) text += summary(figures, repair.started);
  repair = null;
  $("#repair-btn").disabled = false;
  const bar = $("#repair-bar");
  if (ok) {
    bar.max = 1;
    bar.value = 1;
  }
  notice($("#data-notice"), ok ? "ok" : "error", text);
  refreshStatus();
  // What the tree said is now history: look again.
  if (ok) setTimeout(() => validateAfterRepair(text), 300);
}

async function validateAfterRepair(text) {
  await validate();
  const n = $("#data-notice");
  if (!result) return;
  const after = result.valid ? "Structure validation: PASSED" : "Some differences remain: see the tree.";
  notice(n, "ok", `${text}. ${after}`);
}

// ---- the section ----

// The admin's plan is the one everybody else is compared with: there is nothing to validate
// it against. Everyone else validates against the admin.
// Before any validation: what the node already knows of this plan and the admin's.
function showState() {
  const st = node.status;
  if (!st || isAdmin()) {
    $("#data-state").textContent = "";
    return;
  }
  const mine = `This plan: revision ${st.revision}, digest ${st.digest}.`;
  const admin = st.admin ? `the raid admin's (${st.admin})` : "the raid admin's";
  const state =
    st.stale === true
      ? `It differs from ${admin}: validate to see where.`
      : st.synced === false
        ? `Not yet compared with ${admin}.`
        : `The last comparison found it the same as ${admin}.`;
  $("#data-state").textContent = `${mine} ${state}`;
}

function applyRole() {
  showState();
  const admin = isAdmin();
  $("#validate-btn").disabled = admin || !!repair;
  $("#admin-note").hidden = !admin;
  $("#validate-btn").closest(".row").hidden = admin; // nothing to validate the reference against
  if (!admin) $("#own-digests").hidden = true;
  else if ($("#own-digests").hidden && !$("#panel-data").hidden) showOwnDigests();
}

// On the admin's page, what the others are compared with: the plan's digests by raid.
let ownTimer = null;
async function showOwnDigests() {
  clearTimeout(ownTimer);
  let t;
  try {
    t = await api("GET", "/api/digests");
  } catch (e) {
    return;
  }
  const globals = Object.entries(t.globals || {});
  $("#own-digests-summary").textContent =
    `Plan digest ${t.root} at revision ${node.status?.revision ?? "?"}: ${t.raids.length} raids, ` +
    `${t.raids.reduce((n, r) => n + r.encounters.length, 0)} encounters.`;
  $("#own-digests-body").replaceChildren(
    ...t.raids.map((r) =>
      el("tr", el("td.where", r.name), countCell(r.encounters.length), digestCell("Digest", r.digest, "–")),
    ),
    ...globals.map(([g, d]) =>
      el("tr", el("td.where", `Global: ${g}`), countCell(null), digestCell("Digest", d, "–")),
    ),
  );
  $("#own-digests").hidden = false;
}

function countCell(n) {
  return el("td", { dataset: { label: "Encounters" } }, n == null ? "–" : String(n));
}

function ownChanged(ev) {
  if (!ev.live || !isAdmin() || $("#panel-data").hidden) return;
  clearTimeout(ownTimer);
  ownTimer = setTimeout(showOwnDigests, 300);
}

export function init() {
  on("status", applyRole);
  applyRole();
  $("#validate-btn").addEventListener("click", validate);
  $("#repair-btn").addEventListener("click", startRepair);
  $("#repair-level").addEventListener("change", showUnit);
  on("event:repair done", (ev) => ev.live && repair && finish(true, ev.msg || "Repair completed successfully", ev));
  on("event:repair failed", (ev) => {
    if (!ev.live || !repair) return;
    repair.failure = ev.msg;
    finish(false, ev.msg || "Repair failed");
  });
  on("event:no admin", (ev) => ev.live && repair && finish(false, `Repair failed: ${ev.msg || "No admin online"}`));
  on("event:repair progress", (ev) => ev.live && repair && showProgress({ state: "receiving", ...ev }));
  on("roster", fillSources);
  on("event:changed", ownChanged);
  on("status", fillSources);
}

export function shown() {
  if (isAdmin()) showOwnDigests();
}
