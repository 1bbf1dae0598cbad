// What every browser flow shares: Debian's chromium through playwright-core (no browser download),
// sign-in, screenshots at 360 × 740 and at desktop width, and axe-core on every screen.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(repo, "web", "package.json"));
const { chromium } = require("playwright-core");
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const args = JSON.parse(process.env.FLOW_ARGS ?? "{}");
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };
const SHOTS = join(repo, ".local", "screenshots");

// The flags a closed network needs: no background connections, no component updates.
export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export async function context(b, options = {}) {
  const made = await b.newContext({ viewport: PHONE, baseURL: args.base_url, ...options });
  made.setDefaultTimeout(30_000);
  return made;
}

export async function signIn(page, email, password) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1 }).and(page.locator(":not(:text('Sign in to Pawport'))")).waitFor();
}

// axe-core on the screen as it is: a serious or critical violation fails the flow.
export async function accessible(page, screen) {
  await page.addScriptTag({ content: AXE });
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`));
  if (found.length) throw new Error(`axe on ${screen}:\n${found.join("\n")}`);
}

// The screen at phone and desktop width, then axe at both.
export async function screen(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const [label, size] of [["phone", PHONE], ["desktop", DESKTOP]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
    await accessible(page, `${name} (${label})`);
  }
  await page.setViewportSize(before ?? PHONE);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Runs a flow; any failure prints its reason and exits non-zero, which the pytest side reports.
export async function flow(run) {
  const b = await browser();
  try {
    const result = await run(b);
    console.log(JSON.stringify(result ?? {}));
  } catch (error) {
    console.error(error?.stack ?? String(error));
    await whatWasOnScreen(b);
    process.exitCode = 1;
  } finally {
    await b.close();
    process.stdin.destroy();   // a flow that waited on the test must not keep node running
  }
}

// On a failure: each open page's text, and a screenshot of it, to say what the flow saw.
async function whatWasOnScreen(b) {
  mkdirSync(SHOTS, { recursive: true });
  const pages = b.contexts().flatMap((c) => c.pages());
  for (const [i, page] of pages.entries()) {
    const text = await page.locator("body").innerText({ timeout: 2000 }).catch(() => "(no text)");
    console.error(`--- page ${i} at ${page.url()}:\n${text.slice(0, 1500)}`);
    await page.screenshot({ path: join(SHOTS, `failure-${i}.png`), timeout: 5000 }).catch(() => undefined);
  }
}

// Asks the test to do something outside the browser (stop the database, say) and waits until it has.
let answers = null;

export async function step(name) {
  answers ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  console.log(`STEP ${name}`);
  const { value } = await answers.next();
  check(value === "done", `the test did not do ${name}`);
}
