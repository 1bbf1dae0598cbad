// bench/door_flow.py's browser part: navigation → certificate visible, online warm, then offline.
import { browser, args, context, signIn } from "../tests/browser/lib.mjs";

async function timed(page) {
  const started = Date.now();
  await page.goto(`/pets/${args.pet_id}/show`);
  await page.waitForFunction(() => document.querySelector("[data-testid=certificate]")?.naturalWidth > 0);
  return Date.now() - started;
}

const b = await browser();
try {
  const ctx = await context(b);
  const page = await ctx.newPage();
  await signIn(page, args.email, args.password);
  await page.getByText("Kept on this device for the door").waitFor();
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);
  await timed(page);   // warm-up: the first Quick Show fills the caches a phone would have filled
  const online = [];
  for (let i = 0; i < args.runs; i++) online.push(await timed(page));
  await ctx.setOffline(true);
  await ctx.route("**/*", (route) => route.abort("internetdisconnected"));
  const offline = [];
  for (let i = 0; i < args.runs; i++) offline.push(await timed(page));
  console.log(JSON.stringify({ online, offline }));
} finally {
  await b.close();
}
