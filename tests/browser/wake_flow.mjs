// Aurora asleep: approving while the database is down shows "waking up, one moment", and the app
// retries by itself after Retry-After until the approval goes through.
import { args, check, context, flow, screen, signIn, step } from "./lib.mjs";

await flow(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, args.email, args.password);
  await page.goto(`/pets/${args.pet_id}/review`);
  const draft = page.locator("[data-draft]", { has: page.locator("form[data-entry]") });
  await draft.waitFor({ timeout: 120_000 });
  await draft.getByLabel("Vaccine").fill("Rabies");   // whatever was read: this flow is about the wait
  await draft.getByLabel("Expires on").fill(args.expires_on);
  await step("stop-database");
  await draft.getByRole("button", { name: "Approve" }).click();
  await page.getByText("Waking up, one moment").waitFor({ timeout: 60_000 });
  await screen(page, "review-waking");
  await step("start-database");
  await draft.waitFor({ state: "detached", timeout: 90_000 });
  check(!(await page.getByText("Waking up, one moment").isVisible()), "still waking after the approval");
  check(!(await page.getByRole("alert").count()), "an error was shown");
  await page.getByRole("link", { name: "Pawport" }).click();
  await page.locator(".pet-card", { hasText: args.pet }).getByText("Current").waitFor();
  return { approved: true };
});
