// The Backups tab (seeds 6.5.2-6.5.4): create a backup with a label (the dialog shows the
// current data size), the history newest first (time, label, size, trigger reason, pinned),
// and per backup Restore (with the seed's confirmation), Delete (confirmed for manual backups,
// refused below the minimum), Pin/Unpin and Export (clipboard or file); Import by paste or file.
import { $, api, confirmDialog, el, fmtBytes, fmtTime, isAdmin, notice, on } from "./core.js";

let list = null; // GET /api/backups

const REASONS = {
  manual: "Manual",
  "before repair": "Before repair",
  "before restore": "Before restore",
  "before import": "Before import",
  "before load defaults": "Before load defaults",
  "admin transfer": "Admin transfer",
  imported: "Imported",
};

function reasonText(r) {
  return REASONS[r] || r;
}

function describe(b) {
  return b.label ? `${fmtTime(b.timestamp)}, “${b.label}”` : `${fmtTime(b.timestamp)} (${reasonText(b.reason)})`;
}

function pinIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "pin-icon");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(ns, "use");
  use.setAttribute("href", "#icon-pin");
  svg.append(use);
  return svg;
}

function say(kind, text) {
  notice($("#backup-notice"), kind, text);
}

async function load() {
  try {
    list = await api("GET", "/api/backups");
  } catch (e) {
    say("error", `Cannot list the backups: ${e.message}`);
    return;
  }
  render();
}

// A row's button; its name says which backup it acts on.
function action(kind, text, what, fn, attrs) {
  const name = `${text} the backup of ${what}`;
  return el(`button.act-${kind}`, { type: "button", "aria-label": name, onclick: fn, ...attrs }, text);
}

function render(highlight) {
  $("#backup-current").textContent = fmtBytes(list.currentSize);
  const body = $("#backup-list");
  if (!list.backups.length) {
    body.replaceChildren(el("tr", el("td.muted", { colspan: 6 }, "No backups yet.")));
    return;
  }
  body.replaceChildren(
    ...list.backups.map((b) => {
      const what = describe(b);
      const tr = el(
        "tr",
        { dataset: { id: b.id, reason: b.reason, pinned: b.pinned ? "1" : "0" } },
        el("td.time", { "data-label": "Time" }, el("time", { datetime: b.time }, fmtTime(b.timestamp))),
        el("td.label", { "data-label": "Label" }, b.label || el("span.muted", "(no label)")),
        el("td.size", { "data-label": "Size" }, fmtBytes(b.size)),
        el("td.reason", { "data-label": "Reason" }, reasonText(b.reason)),
        el(
          "td.pinned",
          { "data-label": "Pinned" },
          b.pinned ? el("span.pin", pinIcon(), "Pinned") : el("span.muted", "No"),
        ),
        el(
          "td.actions",
          el(
            "div.buttons-cell",
            action("restore", "Restore", what, () => restore(b)),
            action("delete", "Delete", what, () => remove(b)),
            action("pin", b.pinned ? "Unpin" : "Pin", what, () => pin(b, !b.pinned), {
              "aria-pressed": b.pinned ? "true" : "false",
            }),
            action("export", "Export", what, () => exportBackup(b)),
          ),
        ),
      );
      if (highlight === b.id) tr.classList.add("flash");
      return tr;
    }),
  );
}

// ---- create ----

function openCreate() {
  $("#backup-size").textContent = list ? fmtBytes(list.currentSize) : "–";
  $("#backup-label").value = "";
  $("#dlg-backup").showModal();
  $("#backup-label").focus();
  // The estimate of the data as it is now, not as it was when the list was read.
  api("GET", "/api/backups")
    .then((l) => {
      list = l;
      $("#backup-size").textContent = fmtBytes(l.currentSize);
    })
    .catch(() => {});
}

async function create(label) {
  try {
    const b = await api("POST", "/api/backups", { label });
    say("ok", `Backup created successfully: ${b.label || "(no label)"} (${fmtBytes(b.size)})`);
    await load();
    render(b.id);
  } catch (e) {
    say("error", `Cannot create the backup: ${e.message}`);
  }
}

// ---- actions ----

async function restore(b) {
  const yes = await confirmDialog(
    "Restore from backup",
    [
      "This will replace all current data. Continue?",
      el("p.what", el("strong", fmtTime(b.timestamp)), b.label ? ` · ${b.label}` : ` · ${reasonText(b.reason)}`),
      "Safety backup will be created first",
      el(
        "p.muted",
        isAdmin()
          ? "You are the raid admin: the restored plan is sent to the raid."
          : "The restore is yours alone: until the next repair your plan differs from the raid admin's.",
      ),
    ],
    "Restore",
  );
  if (!yes) return;
  try {
    const r = await api("POST", `/api/backups/${b.id}/restore`);
    const safety = r.safetyBackup;
    say(
      "ok",
      `Restored the backup of ${describe(b)}. Safety backup created first ` +
        `(${fmtTime(safety.timestamp)}, ${fmtBytes(safety.size)}).`,
    );
    await load();
    render(r.safetyBackup.id);
  } catch (e) {
    say("error", `Cannot restore: ${e.message}`);
  }
}

async function remove(b) {
  const min = list?.minimum ?? 3;
  if ((list?.backups.length ?? 0) <= min) {
    say("error", `Cannot delete - minimum ${min} backups required`);
    return;
  }
  // Manual backups (and pinned ones, which the library also protects) are confirmed; backups
  // taken automatically go at once, as in the seed.
  const confirmIt = b.manual || b.pinned;
  if (confirmIt) {
    const yes = await confirmDialog(
      "Delete backup",
      [`Delete the ${b.manual ? "manual" : "pinned"} backup of ${describe(b)}?`, "It cannot be undone."],
      "Delete",
    );
    if (!yes) return;
  }
  try {
    await api("DELETE", `/api/backups/${b.id}${confirmIt ? "?confirm=1" : ""}`);
    say("ok", `Deleted the backup of ${describe(b)}.`);
  } catch (e) {
    say("error", e.message);
  }
  await load();
}

async function pin(b, on) {
  try {
    await api("POST", `/api/backups/${b.id}/${on ? "pin" : "unpin"}`);
    say("ok", `${on ? "Pinned" : "Unpinned"} the backup of ${describe(b)}.`);
  } catch (e) {
    say("error", e.message);
  }
  await load();
}

// ---- export and import ----

let exported = null;

async function exportBackup(b) {
  let text;
  try {
    text = await api("GET", `/api/backups/${b.id}/export`);
  } catch (e) {
    say("error", `Cannot export: ${e.message}`);
    return;
  }
  exported = { b, text: text.trim() };
  $("#export-what").textContent = `Backup ${b.id}: ${describe(b)}, ${fmtBytes(b.size)}`;
  $("#export-text").value = exported.text;
  $("#export-state").textContent = "";
  $("#dlg-export").showModal();
  $("#export-copy").focus();
}

async function copyExport() {
  const state = $("#export-state");
  try {
    await navigator.clipboard.writeText(exported.text);
    state.textContent = "Copied to the clipboard.";
  } catch (e) {
    const ta = $("#export-text");
    ta.focus();
    ta.select();
    const ok = document.execCommand && document.execCommand("copy");
    state.textContent = ok
      ? "Copied to the clipboard."
      : "The browser did not allow the clipboard: the text is selected, copy it with Ctrl+C.";
  }
}

function downloadExport() {
  const { b, text } = exported;
  const blob = new Blob([text + "\n"], { type: "text/plain" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `ogrh-backup-${b.id}-${b.time.slice(0, 10)}.txt` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  $("#export-state").textContent = `Saved as ${a.download}.`;
}

async function importBackup() {
  let text = $("#import-text").value.trim();
  const file = $("#import-file").files[0];
  if (!text && file) text = (await file.text()).trim();
  if (!text) {
    say("error", "Paste an exported backup or pick its file first.");
    return;
  }
  try {
    const b = await api("POST", "/api/backups/import", text);
    say("ok", `Backup imported: ${describe(b)} (${fmtBytes(b.size)}).`);
    $("#import-text").value = "";
    $("#import-file").value = "";
    await load();
    render(b.id);
  } catch (e) {
    say("error", `Cannot import: ${e.message}`);
  }
}

// ---- the section ----

export function init() {
  $("#backup-create").addEventListener("click", openCreate);
  $("#dlg-backup").addEventListener("close", () => {
    const dlg = $("#dlg-backup");
    if (dlg.returnValue === "ok") create($("#backup-label").value.trim());
    dlg.returnValue = "";
  });
  $("#export-copy").addEventListener("click", copyExport);
  $("#export-download").addEventListener("click", downloadExport);
  $("#import-btn").addEventListener("click", importBackup);
  for (const name of ["backup", "restored"]) on("event:" + name, (ev) => ev.live && load());
  load();
}

export function shown() {
  load();
}
