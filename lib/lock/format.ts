/**
 * `sqlink.lock` (SPEC §5): JSON made to be committed and diffed. For each bundle, its
 * members in load order (the list's order, also written as `loadOrder`) with name, entry point, source, version and, per platform (target
 * triple), the origin of that platform's library with its BLAKE3, SHA-256 and size; and
 * per platform the bundle's identity there (the set hash of that platform's members).
 * Written with sorted keys and two-space indents, so the same content is the same text.
 * Read strictly: anything that is not exactly this is refused, naming where and what.
 */
import { SqlinkError } from "../errors.ts";
import { checkBundleName } from "../bundle/registry.ts";
import { setHash } from "../bundle/set_hash.ts";
import { extensionNameProblem } from "../ext/name.ts";
import { parseSource } from "../install/source.ts";
import { PLATFORMS } from "../install/platform.ts";

/** The lock file's format version. */
export const LOCK_VERSION = 1;

/** The file name `sqlink lock` and `sqlink sync` use by default. */
export const LOCK_FILE = "sqlink.lock";

/** One platform's build of a member. */
export interface LockedVariant {
  origin: string;
  blake3: string;
  sha256: string;
  size: number;
}

/** One member of a locked bundle. */
export interface LockedMember {
  name: string;
  entryPoint: string | null;
  /** As installed: `npm:sqlite-vec@^0.1`, or a pinned URL. */
  source: string;
  /** The version the source resolved to (null for a pinned URL, or not resolved yet). */
  version: string | null;
  /** Per target triple; empty when not resolved yet (a lock written by hand). */
  platforms: Record<string, LockedVariant>;
}

/** One locked bundle: its members in load order. */
export interface LockedBundle {
  members: LockedMember[];
}

/** The whole lock. */
export interface Lock {
  bundles: Record<string, LockedBundle>;
}

const HEX64 = /^[0-9a-f]{64}$/;

class Reader {
  constructor(readonly file: string) {}

  fail(where: string, why: string): SqlinkError {
    return new SqlinkError("ELOCK", `${this.file} is not a valid lock file: ${where} ${why}`, {
      hint:
        "Restore it from version control (git checkout sqlink.lock), or write it again with `sqlink lock`",
      details: { file: this.file, at: where },
    });
  }

  object(value: unknown, where: string, keys: { required: string[]; optional?: string[] }) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw this.fail(where, `is ${describe(value)}, expected an object`);
    }
    const record = value as Record<string, unknown>;
    const allowed = new Set([...keys.required, ...(keys.optional ?? [])]);
    for (const key of Object.keys(record)) {
      if (!allowed.has(key)) {
        throw this.fail(
          `${where}.${key}`,
          `is not a field of the lock (expected ${[...allowed].join(", ")})`,
        );
      }
    }
    for (const key of keys.required) {
      if (!(key in record)) throw this.fail(where, `has no "${key}"`);
    }
    return record;
  }

  string(value: unknown, where: string): string {
    if (typeof value !== "string") {
      throw this.fail(where, `is ${describe(value)}, expected a string`);
    }
    return value;
  }

  hex(value: unknown, where: string): string {
    const text = this.string(value, where);
    if (!HEX64.test(text)) throw this.fail(where, `is "${text}", expected 64 lowercase hex digits`);
    return text;
  }

  size(value: unknown, where: string): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw this.fail(where, `is ${describe(value)}, expected a whole number of bytes`);
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Parse and validate a lock file's text; `file` names it in errors. */
export function parseLock(text: string, file: string = LOCK_FILE): Lock {
  const r = new Reader(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw r.fail("the text", `is not JSON (${(err as Error).message})`);
  }
  const top = r.object(json, "the top level", { required: ["version", "bundles"] });
  if (top.version !== LOCK_VERSION) {
    throw r.fail("version", `is ${describe(top.version)}, expected ${LOCK_VERSION}`);
  }
  const bundles = r.object(top.bundles, "bundles", {
    required: [],
    optional: Object.keys(top.bundles ?? {}),
  });
  const lock: Lock = { bundles: {} };
  for (const [name, raw] of Object.entries(bundles)) {
    const where = `bundles.${name}`;
    try {
      checkBundleName(name);
    } catch {
      throw r.fail(where, "is not a valid bundle name");
    }
    const bundle = r.object(raw, where, { required: ["members"], optional: ["sets"] });
    if (!Array.isArray(bundle.members) || bundle.members.length === 0) {
      throw r.fail(
        `${where}.members`,
        `is ${describe(bundle.members)}, expected a list of members`,
      );
    }
    const seen = new Set<string>();
    const members = bundle.members.map((m, i) => {
      const at = `${where}.members[${i}]`;
      const member = r.object(m, at, {
        required: ["name", "source"],
        optional: ["entryPoint", "loadOrder", "version", "platforms"],
      });
      if (member.loadOrder !== undefined && member.loadOrder !== i) {
        throw r.fail(
          `${at}.loadOrder`,
          `is ${describe(member.loadOrder)}, expected ${i} (its place in the list)`,
        );
      }
      const memberName = r.string(member.name, `${at}.name`);
      const problem = extensionNameProblem(memberName);
      if (problem) throw r.fail(`${at}.name`, `is not an extension name: ${problem}`);
      if (seen.has(memberName)) throw r.fail(`${at}.name`, `"${memberName}" appears twice`);
      seen.add(memberName);
      const source = r.string(member.source, `${at}.source`);
      try {
        parseSource(source);
      } catch (err) {
        throw r.fail(`${at}.source`, `is not a source: ${(err as Error).message}`);
      }
      const entryPoint = member.entryPoint === undefined || member.entryPoint === null
        ? null
        : r.string(member.entryPoint, `${at}.entryPoint`);
      const version = member.version === undefined || member.version === null
        ? null
        : r.string(member.version, `${at}.version`);
      const platforms: Record<string, LockedVariant> = {};
      if (member.platforms !== undefined) {
        const raw = r.object(member.platforms, `${at}.platforms`, {
          required: [],
          optional: PLATFORMS.map((p) => p.target),
        });
        for (const [target, v] of Object.entries(raw)) {
          const pw = `${at}.platforms.${target}`;
          const variant = r.object(v, pw, { required: ["origin", "blake3", "sha256", "size"] });
          platforms[target] = {
            origin: r.string(variant.origin, `${pw}.origin`),
            blake3: r.hex(variant.blake3, `${pw}.blake3`),
            sha256: r.hex(variant.sha256, `${pw}.sha256`),
            size: r.size(variant.size, `${pw}.size`),
          };
        }
      }
      return { name: memberName, entryPoint, source, version, platforms };
    });
    const locked = { members };
    if (bundle.sets !== undefined) {
      const sets = r.object(bundle.sets, `${where}.sets`, {
        required: [],
        optional: PLATFORMS.map((p) => p.target),
      });
      const computed = platformSets(locked);
      for (const [target, hash] of Object.entries(sets)) {
        if (r.hex(hash, `${where}.sets.${target}`) !== computed[target]) {
          throw r.fail(
            `${where}.sets.${target}`,
            "does not match the set hash of its members' hashes",
          );
        }
      }
    }
    lock.bundles[name] = locked;
  }
  return lock;
}

/** Per target triple, the set hash of a bundle there (only where every member has a build). */
export function platformSets(bundle: LockedBundle): Record<string, string> {
  const sets: Record<string, string> = {};
  for (const { target } of PLATFORMS) {
    if (!bundle.members.every((m) => m.platforms[target])) continue;
    sets[target] = setHash(
      bundle.members.map((m) => ({
        extensionName: m.name,
        contentHash: m.platforms[target].blake3,
      })),
    );
  }
  return sets;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The lock as text: sorted keys, two-space indents, members in load order, a final newline. */
export function serializeLock(lock: Lock): string {
  const bundles: Record<string, unknown> = {};
  for (const [name, bundle] of Object.entries(lock.bundles)) {
    bundles[name] = {
      members: bundle.members.map((m, i) => ({
        name: m.name,
        loadOrder: i,
        entryPoint: m.entryPoint,
        source: m.source,
        version: m.version,
        platforms: m.platforms,
      })),
      sets: platformSets(bundle),
    };
  }
  return JSON.stringify(sorted({ version: LOCK_VERSION, bundles }), null, 2) + "\n";
}
