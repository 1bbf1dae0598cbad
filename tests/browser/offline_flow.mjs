// Offline at the door: the dashboard loaded online, then no network and an expired token; the app
// shell still loads (service worker) and Quick Show shows the certificate kept on the device.
import { args, check, context, flow, screen, signIn } from "./lib.mjs";

await flow(async (browser) => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await page.clock.install();
  await signIn(page, args.email, args.password);
  await page.getByText("Kept on this device for the door").waitFor();
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);

  await ctx.setOffline(true);
  await ctx.route("**/*", (route) => route.abort("internetdisconnected"));   // the service worker's fetches too
  await page.clock.fastForward("02:00:00");                                   // the Id token lasts one hour
  await page.reload();
  const expired = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith(".idToken"));
    const payload = JSON.parse(atob(localStorage.getItem(key).split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return payload.exp * 1000 < Date.now();
  });
  check(expired, "the token had not expired");
  await page.getByRole("heading", { name: "Offline: the copy on this device" }).waitFor();
  await screen(page, "offline-dashboard");
  await page.locator(".pet-card", { hasText: args.pet }).getByRole("button", { name: /Quick Show/ }).click();
  await page.waitForFunction(() => document.querySelector("[data-testid=certificate]")?.naturalWidth > 0);
  const taken = await page.getByTestId("taken-at").textContent();
  check(/copy taken/.test(taken ?? ""), "the copy's time is not shown");
  await screen(page, "offline-quick-show");
  return { heading: await page.getByRole("heading", { level: 1 }).textContent(), taken: Boolean(taken) };
});
