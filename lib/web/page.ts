/// <reference lib="dom" />
/**
 * The page `sqlink web` serves: the cas-cache of this browser (artifacts, URIs, bundles),
 * importing dropped extension files and bundle archives, verifying, and exporting bundles.
 * The cache itself lives in a worker (worker.ts); this module only draws and asks.
 */
import type {
  Answer,
  CacheView,
  DropOutcome,
  HostBuild,
  Request,
  Values,
  WireError,
} from "./protocol.ts";

const worker = new Worker(new URL("worker.js", import.meta.url), { type: "module" });
const pending = new Map<
  number,
  { resolve: (v: unknown) => void; reject: (e: WireError) => void }
>();
let nextId = 1;

worker.onmessage = (event: MessageEvent<Answer>) => {
  const answer = event.data;
  const waiting = pending.get(answer.id);
  pending.delete(answer.id);
  if (answer.ok) waiting?.resolve(answer.value);
  else waiting?.reject(answer.error);
};
worker.onerror = (event) => {
  showError({
    code: "EWORKER",
    message: `The cache worker failed: ${event.message ?? "unknown error"}`,
  });
};

/** Ask the worker; the answer's value, or a rejection with the error as the CLI reports it. */
function ask<R extends Request>(request: R): Promise<Values[R["op"]]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ ...request, id });
  });
}

const $ = (id: string) => document.getElementById(id)!;

let settledCount = 0;

/** Mark an operation finished (drawn): `data-settled` counts them, for people's tools and tests. */
function settled(): void {
  document.body.dataset.settled = String(++settledCount);
}

function el(tag: string, text?: string | number, attrs: Record<string, string> = {}): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function row(cells: Array<string | number | HTMLElement>, tag = "td"): HTMLElement {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el(tag);
    if (cell instanceof HTMLElement) td.append(cell);
    else td.textContent = String(cell);
    tr.append(td);
  }
  return tr;
}

/** Sizes as `cas ls` prints them. */
function size(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function showError(error: WireError): void {
  const box = $("messages");
  const item = el("div", undefined, { class: "error", "data-code": error.code });
  item.append(el("div", `error: ${error.message}`));
  if (error.hint) item.append(el("div", `hint: ${error.hint}`, { class: "hint" }));
  box.prepend(item);
}

function showNote(text: string): void {
  $("messages").prepend(el("div", text, { class: "note" }));
}

function table(id: string, head: string[], rows: HTMLElement[], empty: string): void {
  const target = $(id);
  target.replaceChildren();
  if (rows.length === 0) {
    target.append(el("p", empty, { class: "empty" }));
    return;
  }
  const t = el("table");
  t.append(row(head, "th"), ...rows);
  target.append(t);
}

/** The signing key typed into the page (kept in this tab only), or undefined when empty. */
function signingKey(): string | undefined {
  return ($("signing-key") as HTMLInputElement).value || undefined;
}

async function exportBundle(name: string): Promise<void> {
  try {
    const out = await ask({ op: "export", bundle: name, signingKey: signingKey() });
    const blob = new Blob([out.bytes as Uint8Array<ArrayBuffer>], {
      type: "application/vnd.sqlite3",
    });
    const link = el("a", undefined, { href: URL.createObjectURL(blob), download: out.fileName });
    document.body.append(link);
    (link as HTMLAnchorElement).click();
    link.remove();
    showNote(
      `exported bundle "${out.bundle}" (set ${out.setHash.slice(0, 12)}) to ${out.fileName}${
        out.signed ? ", signed with the page's signing key" : ""
      }`,
    );
  } catch (err) {
    showError(err as WireError);
  }
  settled();
}

function draw(view: CacheView): void {
  $("summary").textContent =
    `${view.artifacts.length} artifact(s), ${view.uris.length} URI(s), ${view.bundles.length} bundle(s); ${
      size(view.rawBytes)
    } raw, ${size(view.storedBytes)} stored`;
  table(
    "artifacts",
    ["BLAKE3", "SIZE", "STORED", "CODEC", "CREATED", "LAST USED", "PINNED", "URIS"],
    view.artifacts.map((a) =>
      row([
        el("code", a.blake3.slice(0, 16), { title: a.blake3 }),
        size(a.size),
        size(a.storedSize),
        a.codec,
        when(a.createdAt),
        when(a.lastUsedAt),
        a.pinned ? "yes" : "no",
        a.uris.join(" "),
      ])
    ),
    "The cache is empty: drop extension files or a bundle archive above.",
  );
  table(
    "uris",
    ["URI", "BLAKE3", "LAST USED"],
    view.uris.map((u) =>
      row([u.uri, el("code", u.blake3, { title: u.blake3 }), when(u.lastUsedAt)])
    ),
    "No URIs.",
  );
  const bundles = $("bundles");
  bundles.replaceChildren();
  if (view.bundles.length === 0) bundles.append(el("p", "No bundles.", { class: "empty" }));
  for (const b of view.bundles) {
    const section = el("section", undefined, { class: "bundle", "data-bundle": b.name });
    const title = el("h3", b.name);
    const button = el("button", "Export archive", { type: "button" });
    button.addEventListener("click", () => exportBundle(b.name));
    title.append(" ", button);
    section.append(title, el("div", `set hash: ${b.setHash}`, { class: "sethash" }));
    const t = el("table");
    t.append(row(["#", "EXTENSION", "BLAKE3", "ENTRY POINT"], "th"));
    for (const m of b.members) {
      t.append(
        row([
          m.loadOrder + 1,
          m.extensionName,
          el("code", m.contentHash),
          m.entryPoint ?? "default",
        ]),
      );
    }
    section.append(t);
    bundles.append(section);
  }
}

async function refresh(): Promise<void> {
  draw(await ask({ op: "view" }));
}

function report(outcomes: DropOutcome[]): void {
  for (const o of outcomes) {
    if (o.kind === "error") showError(o);
    else if (o.kind === "extension") {
      showNote(
        `${o.created ? "added" : "present"}  ${o.blake3.slice(0, 16)}  ${o.name}  as ${o.uri}`,
      );
    } else {
      const signature = o.signature === "unchecked"
        ? " (signed; the signature went unchecked: enter the signing key to check it)"
        : o.signature === "verified"
        ? " (signature verified with the page's signing key)"
        : "";
      showNote(
        `imported bundle "${o.bundle}" (set ${
          o.setHash.slice(0, 12)
        }): ${o.added} blob(s) added, ${o.present} already present${signature}`,
      );
    }
  }
}

async function importFiles(list: FileList | File[]): Promise<void> {
  const files = await Promise.all(
    Array.from(list).map(async (f) => ({
      name: f.name,
      bytes: new Uint8Array(await f.arrayBuffer()),
    })),
  );
  if (files.length === 0) return;
  try {
    report(await ask({ op: "drop", files, signingKey: signingKey() }));
  } catch (err) {
    showError(err as WireError);
  }
  await refresh();
  settled();
}

async function verify(): Promise<void> {
  try {
    const r = await ask({ op: "verify" });
    const bad = r.corrupt.length + r.danglingUris.length + r.orphanChunks;
    if (bad === 0) showNote(`checked ${r.checked} artifact(s): all intact`);
    else {
      for (const c of r.corrupt) {
        showError({ code: "EINTEGRITY", message: `Artifact ${c.blake3} is corrupt: ${c.reason}` });
      }
      showError({
        code: "EINTEGRITY",
        message:
          `checked ${r.checked} artifact(s): ${r.corrupt.length} corrupt, ${r.danglingUris.length} dangling URI(s), ${r.orphanChunks} orphan chunk(s)`,
        hint:
          "Run `sqlink cas verify --repair` on a cache on disk; in this page, export what is intact and start afresh",
      });
    }
  } catch (err) {
    showError(err as WireError);
  }
  settled();
}

async function main(): Promise<void> {
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer) importFiles(e.dataTransfer.files);
  });
  const input = $("files") as HTMLInputElement;
  input.addEventListener("change", () => {
    if (input.files) importFiles(input.files).then(() => input.value = "");
  });
  $("verify").addEventListener("click", verify);
  $("take-over").addEventListener("click", takeOver);
  host = await (await fetch("host.json")).json() as HostBuild;
  await open();
}

/**
 * The tabs of this origin share one pool of files (OPFS), which one tab at a time holds. A
 * tab refused it asks the holder to let go (`release`); the holder closes its cache, says so
 * and answers `released`; the asking tab then opens it.
 */
const channel = new BroadcastChannel("sqlink-cas-cache");
let host: HostBuild = { os: "linux", arch: "x86_64" };
let holding = false;

channel.addEventListener("message", async (event: MessageEvent<{ type: string }>) => {
  if (event.data?.type !== "release" || !holding) return;
  holding = false;
  try {
    await ask({ op: "release" });
  } catch (err) {
    showError(err as WireError);
  }
  showError({
    code: "ELOCKED",
    message: "The cas-cache was taken over by another tab of this browser",
    hint: "Use that tab, or take the cache back here (that tab lets go of it)",
  });
  offerTakeOver("Take the cache back");
  document.body.dataset.state = "released";
  channel.postMessage({ type: "released" });
  settled();
});

function offerTakeOver(label: string): void {
  const button = $("take-over") as HTMLButtonElement;
  button.textContent = label;
  button.hidden = false;
  ($("drop") as HTMLElement).hidden = true;
}

/** Ask the tab holding the cache to let go of it, then open it here. */
async function takeOver(): Promise<void> {
  ($("take-over") as HTMLButtonElement).hidden = true;
  const released = new Promise<void>((resolve) => {
    const onMessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data?.type !== "released") return;
      channel.removeEventListener("message", onMessage);
      resolve();
    };
    channel.addEventListener("message", onMessage);
    // No tab answers when the holder is closing: its files are let go of as it ends.
    setTimeout(resolve, 3000);
  });
  channel.postMessage({ type: "release" });
  await released;
  await open();
  settled();
}

/** Open the cache in this tab's worker and draw it, or say why not. */
async function open(): Promise<void> {
  try {
    const info = await ask({ op: "open", host });
    holding = info.persistent;
    $("storage").textContent = info.persistent
      ? `Stored in this browser's private file system (OPFS, opfs-sahpool), kept across reloads. SQLite ${info.sqliteVersion} (wasm).`
      : `SQLite ${info.sqliteVersion} (wasm).`;
    if (info.notice && !document.getElementById("memory-notice")) {
      $("notice").append(el("p", info.notice, { class: "warning", id: "memory-notice" }));
    }
    await refresh();
    ($("drop") as HTMLElement).hidden = false;
    ($("take-over") as HTMLButtonElement).hidden = true;
    if (document.body.dataset.state !== "loading") showNote("the cas-cache is open in this tab");
    document.body.dataset.state = "ready";
  } catch (err) {
    showError(err as WireError);
    document.body.dataset.state = "failed";
    if ((err as WireError).code === "ELOCKED") offerTakeOver("Take the cache over");
    else ($("drop") as HTMLElement).hidden = true;
  }
}

main();
