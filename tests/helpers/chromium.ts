/**
 * Debian's headless Chromium, driven by playwright-core, with the flags a build machine
 * needs and a fresh profile (its OPFS is the page's cache: a profile kept across launches
 * is a browser restart).
 */
import { type BrowserContext, chromium } from "playwright-core";

/** Where .ci/run installs it. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A browser on the profile folder `userDataDir` (playwright refuses --user-data-dir in args),
 * with `extraArgs` after the usual flags.
 */
export function launchChromium(
  userDataDir: string,
  extraArgs: string[] = [],
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
}

/** Test options for tests that drive Chromium: playwright keeps pipes and timers open. */
export const BROWSER_TEST = { sanitizeOps: false, sanitizeResources: false, sanitizeExit: false };
