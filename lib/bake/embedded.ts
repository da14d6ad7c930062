/**
 * A baked program's start (SPEC §7): its embedded extensions are materialized under the
 * cache root like any other (`<root>/ext/<blake3>/<name><suffix>`), verified against the
 * hashes the bundle recorded, and loaded into every connection the shell opens.
 *
 * Verification never trusts the embedded bytes blindly. When a materialized copy whose
 * verification stamp still matches holds exactly the embedded bytes, those bytes hash to
 * the key already (a byte comparison, no hashing on the common path); otherwise the
 * embedded bytes are hashed, refused if they differ from the key, and written out.
 */
import { join } from "node:path";
import { fsError, SqlinkError } from "../errors.ts";
import { ExtensionSet, type LoadedExtension } from "../ext/loaded.ts";
import { materializedPath, memberFileName } from "../ext/location.ts";
import { stampMatches } from "../ext/stamp.ts";
import type { EmbeddedManifest } from "./stage.ts";

/** The manifest of the running baked program, and the directory its files are in. */
export interface EmbeddedBundle extends EmbeddedManifest {
  dir: string;
}

function readEmbedded(embedded: EmbeddedBundle, file: string, name: string): Uint8Array {
  const path = join(embedded.dir, ...file.split("/"));
  try {
    return Deno.readFileSync(path);
  } catch (err) {
    throw new SqlinkError(
      "EINTEGRITY",
      `This baked sqlink is damaged: its embedded extension "${name}" cannot be read`,
      { hint: `Bake bundle "${embedded.bundle}" again`, cause: fsError(err, "read", path) },
    );
  }
}

function sameBytes(path: string, bytes: Uint8Array): boolean {
  let disk: Uint8Array;
  try {
    disk = Deno.readFileSync(path);
  } catch {
    return false;
  }
  if (disk.length !== bytes.length) return false;
  for (let i = 0; i < disk.length; i++) if (disk[i] !== bytes[i]) return false;
  return true;
}

/** The embedded extensions, verified and materialized under `root`, in load order. */
export async function loadEmbedded(embedded: EmbeddedBundle, root: string): Promise<ExtensionSet> {
  const set = new ExtensionSet();
  for (const member of embedded.members) {
    const bytes = readEmbedded(embedded, member.file, member.name);
    const fileName = memberFileName(member.name);
    const ext: LoadedExtension = {
      name: member.name,
      blake3: member.blake3,
      path: materializedPath(root, member.blake3, fileName),
      entryPoint: member.entryPoint,
      origin: `embedded:${embedded.bundle}`,
    };
    if (!stampMatches(ext.path, ext.blake3) || !sameBytes(ext.path, bytes)) {
      const [{ blake3Hex }, { materialize }] = await Promise.all([
        import("../cas/blake3.ts"),
        import("../ext/materialize.ts"),
      ]);
      const found = blake3Hex(bytes);
      if (found !== member.blake3) {
        throw new SqlinkError(
          "EINTEGRITY",
          `This baked sqlink is damaged: its embedded extension "${member.name}" hashes to ${
            found.slice(0, 12)
          }…, and bundle "${embedded.bundle}" recorded ${member.blake3.slice(0, 12)}…`,
          {
            hint:
              `Nothing was loaded. Bake bundle "${embedded.bundle}" again, or get a good copy of this program`,
            details: { member: member.name, expected: member.blake3, found },
          },
        );
      }
      ext.path = materialize({ readKey: () => bytes }, root, member.blake3, fileName, bytes);
    }
    set.add(ext);
  }
  return set;
}
