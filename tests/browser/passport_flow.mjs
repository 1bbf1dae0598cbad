// Share a passport → open it in a fresh signed-out context → revoke → it is gone.
import { args, check, context, flow, screen, signIn } from "./lib.mjs";

// The artifact is rendered by workers after the commit, and deleted by them after a revoke
// (asked without the browser's cache: the page may be cached for a while, as a CDN's edge would).
async function until(page, url, wanted) {
  for (let i = 0; i < 120; i++) {
    if ((await page.request.get(url)).status() === wanted) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`${url} never answered ${wanted}`);
}

await flow(async (browser) => {
  const owner = await (await context(browser)).newPage();
  await signIn(owner, args.email, args.password);
  await owner.getByRole("link", { name: "Passports" }).click();
  await owner.getByRole("heading", { name: "Share a passport" }).waitFor();
  await owner.getByLabel("For how long").selectOption("24h");
  await owner.getByRole("button", { name: "Create passport" }).click();
  const shared = owner.locator(".passport", { hasText: args.pet });
  await shared.getByRole("img", { name: /QR code/ }).waitFor();
  const qrWidth = await shared.getByRole("img", { name: /QR code/ }).evaluate((img) => img.getBoundingClientRect().width);
  check(qrWidth >= 250, `the QR code is ${qrWidth} px wide: too small to scan from another phone`);
  await screen(owner, "passports");
  const url = await shared.getByTestId("passport-link").getAttribute("href");

  const stranger = await (await context(browser)).newPage();   // no sign-in, nothing kept
  await until(stranger, url, 200);
  await stranger.goto(url);
  await stranger.getByText(args.pet).first().waitFor();
  await stranger.getByText("Rabies").first().waitFor();
  await screen(stranger, "passport-public");

  await shared.getByRole("button", { name: "Revoke" }).click();
  await owner.getByRole("heading", { name: "No longer open" }).waitFor();
  await owner.getByText(/revoked, viewed/).waitFor();
  await until(stranger, url, 404);
  const next = await (await context(browser)).newPage();     // the next person to scan the code
  check((await next.goto(url))?.status() === 404, "the revoked passport still opens");
  check(!(await next.getByText("Rabies").count()), "the revoked passport still shows the record");
  return { gone: true };
});
