// The Plan tab: raids > encounters > roles with their players, raid marks and numbers, and the
// announcements with their tags filled in (GET /api/plan). It follows the node's "changed"
// events without reloading; what others change flashes where it lands. The admin and
// officers change an assignment in place: drag a player (from the roster or another slot) onto
// a slot, or pick the slot to choose a player, mark and number (POST /api/set). A member reads.
import {
  $,
  $$,
  MARKS,
  announce,
  api,
  el,
  isOfficer,
  markIcon,
  node,
  notice,
  on,
} from "./core.js";

const SEL_KEY = "ogrh-plan-selection";
const OWN_EDIT_MS = 4000; // a change of ours seen within this long does not flash
const FLASH_MS = 2600;

let overview = null; // GET /api/plan: raids with their encounters (no roles)
let raidIndex = null; // the selected raid and encounter (keys in the file)
let encIndex = null;
let encounter = null; // the selected encounter with roles, slots and announcements
let signatures = new Map(); // slot key -> what it showed, to tell what changed
const ownEdits = new Map(); // slot key -> until when a change there is our own
let refreshTimer = null;
let pending = { overview: false, encounter: false, encFlash: new Set() };
let dragging = null;
let canEdit = false;

// ---- loading ----

function raidOf(idx) {
  return overview?.raids.find((r) => r.index === idx) || null;
}

function encOf(raid, idx) {
  return raid?.encounters?.find((e) => e.index === idx) || null;
}

function saveSelection() {
  sessionStorage.setItem(SEL_KEY, JSON.stringify([raidIndex, encIndex]));
}

async function loadOverview() {
  overview = await api("GET", "/api/plan");
  node.plan = overview;
  let raid = raidOf(raidIndex);
  if (!raid) {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SEL_KEY));
    } catch (e) {
      saved = null;
    }
    raid = (saved && raidOf(saved[0])) || overview.raids.find((r) => r.encounters?.length) || overview.raids[0];
    raidIndex = raid ? raid.index : null;
    encIndex = saved && raid && saved[0] === raid.index ? saved[1] : null;
  }
  if (raid && !encOf(raid, encIndex)) encIndex = raid.encounters?.[0]?.index ?? null;
  renderNav();
}

async function loadEncounter(flash) {
  const raid = raidOf(raidIndex);
  const enc = encOf(raid, encIndex);
  if (!enc) {
    encounter = null;
    renderEncounter(false);
    return;
  }
  const plan = await api("GET", "/api/plan?unit=" + encodeURIComponent(enc.unit));
  const fresh = plan.raids?.[0]?.encounters?.[0] || null;
  const same = encounter && fresh && encounter.path === fresh.path;
  encounter = fresh;
  renderEncounter(flash && same);
}

async function refresh(what) {
  try {
    if (what.overview || !overview) await loadOverview();
    if (what.encounter) await loadEncounter(true);
    for (const key of what.encFlash) flashNav(key);
  } catch (e) {
    notice($("#plan-notice"), "error", `Cannot read the plan: ${e.message}`);
  }
}

// Coalesces a burst of events into one refresh (and waits for a drag to end).
function schedule(what) {
  pending.overview ||= !!what.overview;
  pending.encounter ||= !!what.encounter;
  for (const k of what.encFlash || []) pending.encFlash.add(k);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(function run() {
    if (dragging) {
      refreshTimer = setTimeout(run, 100);
      return;
    }
    const w = pending;
    pending = { overview: false, encounter: false, encFlash: new Set() };
    refresh(w);
  }, 60);
}

function onChanged(ev) {
  if (!ev.live) return;
  const sc = ev.scope || {};
  if (sc.kind === "other") return;
  if (sc.kind === "encounter") {
    const here = sc.raid === raidIndex && sc.encounter === encIndex;
    schedule({ overview: true, encounter: here, encFlash: here ? [] : [`${sc.raid}.${sc.encounter}`] });
  } else {
    schedule({ overview: true, encounter: true });
  }
}

// ---- the navigator ----

function encLabel(e) {
  return e.displayName || e.name || `#${e.index}`;
}

function renderNav() {
  const rs = $("#raid-select");
  rs.replaceChildren(
    ...(overview?.raids || []).map((r) =>
      el("option", { value: r.index, selected: r.index === raidIndex }, r.displayName || r.name || `#${r.index}`),
    ),
  );
  const raid = raidOf(raidIndex);
  const encs = raid?.encounters || [];
  $("#enc-select").replaceChildren(
    ...encs.map((e) =>
      el("option", { value: e.index, selected: e.index === encIndex }, `${encLabel(e)} (${e.assignedCount}/${e.slotCount})`),
    ),
  );
  $("#enc-list").replaceChildren(
    ...encs.map((e) =>
      el(
        "li",
        { dataset: { enc: `${raid.index}.${e.index}` } },
        el(
          "button.enc-btn",
          {
            type: "button",
            "aria-current": e.index === encIndex ? "true" : null,
            onclick: () => selectEncounter(e.index),
          },
          el("span.enc-name", encLabel(e)),
          el("span.enc-count", { "aria-label": `${e.assignedCount} of ${e.slotCount} slots assigned` }, `${e.assignedCount}/${e.slotCount}`),
        ),
      ),
    ),
  );
  if (!encs.length) $("#enc-list").append(el("li.muted", "No encounters in this raid"));
}

function flashNav(key) {
  const li = $(`#enc-list li[data-enc="${key}"]`);
  if (li) flash(li, "changed by others");
}

async function selectRaid(idx) {
  raidIndex = idx;
  encIndex = raidOf(idx)?.encounters?.[0]?.index ?? null;
  saveSelection();
  renderNav();
  await loadEncounter(false).catch((e) => notice($("#plan-notice"), "error", e.message));
}

async function selectEncounter(idx) {
  encIndex = idx;
  saveSelection();
  renderNav();
  await loadEncounter(false).catch((e) => notice($("#plan-notice"), "error", e.message));
}

// ---- the encounter ----

function slotKey(role, slot) {
  return `${role.index}.${slot.slot}`;
}

function signature(slot) {
  return `${slot.player ?? ""}|${slot.markIndex ?? ""}|${slot.number ?? ""}`;
}

function flash(elem, why) {
  elem.classList.remove("flash");
  void elem.offsetWidth; // restart the animation
  elem.classList.add("flash");
  const tag = el("span.changed-tag", why === "changed by others" ? "changed" : why);
  elem.append(tag);
  setTimeout(() => {
    elem.classList.remove("flash");
    tag.remove();
  }, FLASH_MS);
}

function slotView(role, slot) {
  const parts = [
    el("span.slot-no", { "aria-hidden": "true" }, String(slot.slot)),
    slot.markIndex ? markIcon(slot.markIndex, slot.mark) : el("span.nomark", { "aria-hidden": "true" }),
    slot.number != null ? el("span.num", { title: "Assignment number" }, `#${slot.number}`) : null,
    slot.player ? el("span.player", slot.player) : el("span.empty", "empty"),
  ];
  const desc = [
    `${role.name || "Role"} slot ${slot.slot}`,
    slot.mark ? `mark ${slot.mark}` : null,
    slot.number != null ? `number ${slot.number}` : null,
    slot.player || "empty",
  ]
    .filter(Boolean)
    .join(", ");
  if (!canEdit) return el("div.slot-view", { "aria-label": desc, role: "group" }, parts);
  return el(
    "button.slot-btn",
    {
      type: "button",
      "aria-label": `${desc}. Change`,
      "aria-haspopup": "dialog",
      dataset: slot.player ? { drag: "slot", player: slot.player } : {},
      onclick: (e) => {
        if (suppressClick) {
          e.preventDefault();
          return;
        }
        openSlot(role, slot);
      },
    },
    parts,
  );
}

function renderEncounter(flashChanges) {
  const hadFocus = document.activeElement?.closest?.(".slot")?.dataset.key;
  const raid = raidOf(raidIndex);
  const roles = $("#roles");
  if (!encounter) {
    $("#enc-title").textContent = raid ? `${raid.name}: no encounter` : "No raids in the plan";
    $("#enc-meta").textContent = "";
    roles.replaceChildren();
    $("#announcements").replaceChildren();
    return;
  }
  $("#enc-title").textContent = `${encLabel(encounter)}`;
  const raidName = raid?.displayName || raid?.name || "";
  $("#enc-meta").textContent = `${raidName} · ${encounter.assignedCount} of ${encounter.slotCount} slots assigned`;
  $("#edit-hint").textContent = canEdit
    ? "Drag a player from the roster or from another slot onto a slot, or pick a slot to choose its player, raid mark and number."
    : "Read-only: the raid admin and officers change assignments.";
  const now = Date.now();
  const next = new Map();
  const changed = [];
  const cards = (encounter.roles || []).map((role) => {
    const items = (role.slots || []).map((slot) => {
      const key = slotKey(role, slot);
      const sig = signature(slot);
      next.set(key, sig);
      const li = el(
        "li.slot",
        { dataset: { key, role: role.index, slot: slot.slot, drop: canEdit ? "1" : null } },
        slotView(role, slot),
      );
      const before = signatures.get(key);
      if (flashChanges && before !== undefined && before !== sig) {
        const own = (ownEdits.get(key) || 0) > now;
        if (!own) changed.push([li, role, slot]);
      }
      return li;
    });
    const card = el(
      "section.role",
      { dataset: { role: role.index }, "aria-labelledby": `role-${role.index}` },
      el(
        "h3",
        { id: `role-${role.index}` },
        el("span.role-name", role.name || `Role ${role.index}`),
        " ",
        el("span.count", `${role.assignedCount}/${role.slotCount}`),
      ),
      items.length ? el("ol.slots", items) : null,
      role.texts?.length ? el("ul.texts", role.texts.map((t) => el("li", t))) : null,
      !items.length && !role.texts?.length ? el("p.muted", "No slots") : null,
    );
    return [role.column === 2 ? 1 : 0, card];
  });
  // The addon's two columns; one on a narrow screen.
  const cols = [[], []];
  for (const [c, card] of cards) cols[c].push(card);
  roles.replaceChildren(...cols.filter((c) => c.length).map((c) => el("div.role-col", c)));
  signatures = next;
  const anns = encounter.announcements || [];
  $("#announcements").replaceChildren(
    ...(anns.length ? anns.map((a) => el("li", annLine(a.text))) : [el("li.muted", "No announcements")]),
  );
  for (const [li, role, slot] of changed) {
    flash(li, "changed by others");
    announce(`${role.name} slot ${slot.slot} is now ${slot.player || "empty"}`);
  }
  if (hadFocus) $(`.slot[data-key="${hadFocus}"] button`)?.focus();
  renderRoster();
}

// An announcement as raid chat shows it: "(Skull)" and the other marks the addon writes become
// the mark's icon (its name for screen readers and in the tooltip).
const MARK_TEXT = new RegExp(`\\((${MARKS.slice(1).join("|")})\\)`, "g");

function annLine(text) {
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(MARK_TEXT)) {
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(markIcon(MARKS.indexOf(m[1]), m[1]));
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return el("span.ann", { dataset: { text } }, ...parts);
}

// ---- the roster ----

function renderRoster() {
  const players = node.roster?.players || [];
  const counts = new Map();
  for (const role of encounter?.roles || [])
    for (const s of role.slots || []) if (s.player) counts.set(s.player, (counts.get(s.player) || 0) + 1);
  const order = { leader: 0, assistant: 1, officer: 1, member: 2 };
  const rank = (p) => order[p.rank] ?? 3;
  const sorted = [...players].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  $("#roster-hint").textContent = !players.length
    ? "No roster has been published for the team yet."
    : canEdit
      ? "Drag a name onto a slot."
      : "";
  $("#roster-list").replaceChildren(
    ...sorted.map((p) => {
      const n = counts.get(p.name);
      const body = [
        el("span.player", p.name),
        el("span.rank", p.rank === "member" ? "" : p.rank),
        n ? el("span.count", { "aria-label": `${n} slots in this encounter` }, `×${n}`) : null,
      ];
      return el(
        "li",
        canEdit
          ? el("span.chip", { dataset: { drag: "roster", player: p.name }, title: `Drag ${p.name} onto a slot` }, body)
          : el("span.chip.static", body),
      );
    }),
  );
}

// ---- writes ----

async function write(path, value) {
  const body = value == null ? { path, delete: true } : { path, value };
  return api("POST", "/api/set", body);
}

// Sets a slot to {player, mark, number} (null = none), writing only what changed.
async function setSlot(roleIndex, slotNo, want) {
  const role = encounter?.roles.find((r) => r.index === roleIndex);
  const slot = role?.slots.find((s) => s.slot === slotNo) || { slot: slotNo };
  if (!role) return;
  const key = `${roleIndex}.${slotNo}`;
  const ops = [];
  if ("player" in want && (want.player || null) !== (slot.player || null))
    ops.push([`${role.path}.assignedPlayers.${slotNo}`, want.player || null]);
  if ("mark" in want && (want.mark || null) !== (slot.markIndex || null))
    ops.push([`${role.path}.raidMarks.${slotNo}`, want.mark || null]);
  if ("number" in want && (want.number || null) !== (slot.number || null))
    ops.push([`${role.path}.assignmentNumbers.${slotNo}`, want.number || null]);
  ownEdits.set(key, Date.now() + OWN_EDIT_MS);
  for (const [path, value] of ops) {
    try {
      await write(path, value);
    } catch (e) {
      const why = e.body?.reason || e.message;
      const text = e.status === 403 ? `Refused: ${why}` : `Cannot change ${role.name} slot ${slotNo}: ${why}`;
      notice($("#plan-notice"), "error", text);
      break;
    }
  }
  schedule({ overview: true, encounter: true });
}

// ---- the slot dialog (the keyboard's way, and a tap's) ----

let editing = null;

function openSlot(role, slot) {
  editing = { role: role.index, slot: slot.slot };
  $("#dlg-slot-title").textContent = `${role.name || "Role"}, slot ${slot.slot}`;
  const names = (node.roster?.players || []).map((p) => p.name).sort((a, b) => a.localeCompare(b));
  if (slot.player && !names.includes(slot.player)) names.unshift(slot.player);
  $("#slot-player").replaceChildren(
    el("option", { value: "" }, "— empty —"),
    ...names.map((n) => el("option", { value: n, selected: n === slot.player }, n)),
  );
  $("#slot-other").value = "";
  $("#slot-mark").replaceChildren(
    el("option", { value: "0" }, "None"),
    ...MARKS.slice(1).map((m, i) => el("option", { value: i + 1, selected: slot.markIndex === i + 1 }, m)),
  );
  if (slot.markIndex && (slot.markIndex < 1 || slot.markIndex > 8))
    $("#slot-mark").append(el("option", { value: slot.markIndex, selected: true }, `Mark ${slot.markIndex}`));
  $("#slot-number").value = slot.number ?? "";
  $("#dlg-slot").showModal();
  $("#slot-player").focus();
}

function setupSlotDialog() {
  const dlg = $("#dlg-slot");
  dlg.addEventListener("close", () => {
    const what = dlg.returnValue;
    const target = editing;
    editing = null;
    dlg.returnValue = "";
    if (!target || (what !== "save" && what !== "clear")) return;
    if (what === "clear") {
      setSlot(target.role, target.slot, { player: null, mark: null, number: null });
      return;
    }
    const other = $("#slot-other").value.trim();
    const player = other || $("#slot-player").value || null;
    const mark = parseInt($("#slot-mark").value, 10) || null;
    const number = parseInt($("#slot-number").value, 10) || null;
    setSlot(target.role, target.slot, { player, mark, number });
  });
}

// ---- dragging (pointer events: mouse, pen and touch alike) ----

let suppressClick = false;

function setupDrag() {
  const root = $("#panel-plan");
  root.addEventListener("pointerdown", (e) => {
    const src = e.target.closest("[data-drag]");
    if (!src || !canEdit || e.button !== 0) return;
    if (src.dataset.drag === "slot" && e.pointerType === "touch") return; // a tap picks
    const { drag: kind, player } = src.dataset;
    dragging = { src, kind, player, x: e.clientX, y: e.clientY, started: false, id: e.pointerId };
  });
  root.addEventListener("pointermove", (e) => {
    if (!dragging || e.pointerId !== dragging.id) return;
    if (!dragging.started) {
      if (Math.hypot(e.clientX - dragging.x, e.clientY - dragging.y) < 6) return;
      dragging.started = true;
      dragging.ghost = el("div.drag-ghost", { "aria-hidden": "true" }, dragging.player);
      document.body.append(dragging.ghost);
      document.body.classList.add("dragging");
      try {
        dragging.src.setPointerCapture(e.pointerId);
      } catch (err) {
        // capture is a nicety: moves keep coming to the panel anyway
      }
    }
    e.preventDefault();
    dragging.ghost.style.transform = `translate(${e.clientX + 8}px, ${e.clientY + 8}px)`;
    const over = dropTarget(e.clientX, e.clientY);
    for (const s of $$(".slot.drop-over")) if (s !== over) s.classList.remove("drop-over");
    if (over) over.classList.add("drop-over");
  });
  const end = (e, cancel) => {
    if (!dragging || e.pointerId !== dragging.id) return;
    const d = dragging;
    dragging = null;
    if (!d.started) return;
    d.ghost.remove();
    document.body.classList.remove("dragging");
    for (const s of $$(".slot.drop-over")) s.classList.remove("drop-over");
    suppressClick = true;
    setTimeout(() => (suppressClick = false), 0);
    const target = cancel ? null : dropTarget(e.clientX, e.clientY);
    if (target) drop(d, target);
  };
  root.addEventListener("pointerup", (e) => end(e, false));
  root.addEventListener("pointercancel", (e) => end(e, true));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && dragging?.started) end({ pointerId: dragging.id }, true);
  });
}

function dropTarget(x, y) {
  const hit = document.elementFromPoint(x, y);
  return hit?.closest?.(".slot[data-drop]") || null;
}

// A player from the roster takes the slot; one from another slot swaps places with it.
async function drop(d, target) {
  const roleIdx = Number(target.dataset.role);
  const slotNo = Number(target.dataset.slot);
  if (d.kind === "roster") {
    await setSlot(roleIdx, slotNo, { player: d.player });
    return;
  }
  const from = d.src.closest(".slot");
  if (!from || from === target) return;
  const targetRole = encounter.roles.find((r) => r.index === roleIdx);
  const displaced = targetRole?.slots.find((s) => s.slot === slotNo)?.player || null;
  await setSlot(roleIdx, slotNo, { player: d.player });
  await setSlot(Number(from.dataset.role), Number(from.dataset.slot), { player: displaced });
}

// ---- the section ----

function applyRights() {
  const edit = isOfficer();
  if (edit === canEdit) return;
  canEdit = edit;
  if (encounter) renderEncounter(false);
  else renderRoster();
}

export function init() {
  canEdit = isOfficer();
  $("#raid-select").addEventListener("change", (e) => selectRaid(Number(e.target.value)));
  $("#enc-select").addEventListener("change", (e) => selectEncounter(Number(e.target.value)));
  setupSlotDialog();
  setupDrag();
  on("event:changed", onChanged);
  for (const name of ["restored", "repair done", "replaced", "reload", "file-changed"])
    on("event:" + name, (ev) => ev.live && schedule({ overview: true, encounter: true }));
  on("status", applyRights);
  on("roster", renderRoster);
  refresh({ overview: true, encounter: true, encFlash: [] });
}

export function shown() {}
