/** Which registry sqlink asks: npm's own order of settings. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../helpers/cli.ts";
import { parseNpmrc, PUBLIC_REGISTRY, registryFor } from "../../lib/install/npmrc.ts";

function withEnv(env: Record<string, string | undefined>, fn: () => void) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, Deno.env.get(k)]));
  for (const [k, v] of Object.entries(env)) {
    v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
  try {
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    }
  }
}

Deno.test("registryFor: npm_config_registry, then the project's .npmrc, then the user's, then npm's default", () => {
  using dir = tempDir();
  const project = join(dir.path, "project");
  Deno.mkdirSync(project);
  const user = join(dir.path, "user-npmrc");
  const clear = { npm_config_registry: undefined, NPM_CONFIG_REGISTRY: undefined };
  withEnv({ ...clear, npm_config_userconfig: user }, () => {
    assert.deepEqual(registryFor("sqlite-vec", project), { url: PUBLIC_REGISTRY, from: "default" });
    Deno.writeTextFileSync(user, "# mine\nregistry = https://user.example/npm\n");
    assert.equal(registryFor("sqlite-vec", project).url, "https://user.example/npm/");
    Deno.writeTextFileSync(
      join(project, ".npmrc"),
      "registry=https://project.example/\n@acme:registry=https://acme.example/r/\n",
    );
    assert.equal(registryFor("sqlite-vec", project).url, "https://project.example/");
    assert.equal(registryFor("@acme/sqlite-x", project).url, "https://acme.example/r/");
    withEnv({ npm_config_registry: "http://127.0.0.1:4873" }, () => {
      assert.deepEqual(registryFor("sqlite-vec", project), {
        url: "http://127.0.0.1:4873/",
        from: "npm_config_registry",
      });
    });
    withEnv({ npm_config_registry: "ftp://nope" }, () => {
      assert.throws(() => registryFor("sqlite-vec", project), /is not an http\(s\) URL/);
    });
  });
});

Deno.test("parseNpmrc: comments, quotes and ${VAR}", () => {
  withEnv({ SQLINK_TEST_HOST: "mirror.example" }, () => {
    const settings = parseNpmrc('; c\n# c\nregistry="https://${SQLINK_TEST_HOST}/"\nfund=false\n');
    assert.equal(settings.get("registry"), "https://mirror.example/");
    assert.equal(settings.get("fund"), "false");
  });
});
