// Upload a certificate → review what was read → approve → the pet's status on the dashboard.
import { args, check, context, flow, screen, signIn } from "./lib.mjs";

await flow(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, args.email, args.password);
  const card = page.locator(".pet-card", { hasText: args.pet });
  await card.getByText("No records").waitFor();
  await card.getByRole("link").click();
  await page.getByRole("heading", { name: args.pet, level: 1 }).waitFor();
  await screen(page, "pet-empty");
  await page.getByTestId("file-input").setInputFiles(args.files);
  await page.getByRole("status").filter({ hasText: "uploaded" }).first().waitFor();
  check(await page.locator("progress").count() === args.files.length, "not one progress bar per file");
  await screen(page, "pet-uploaded");
  await page.getByRole("link", { name: "Review what was read" }).click();

  const draft = page.locator("[data-draft]", { has: page.locator("form[data-entry]") });
  await draft.waitFor({ timeout: 120_000 });
  check(await draft.getByLabel("Vaccine").inputValue() === "Rabies", "the vaccine was not read");
  await draft.getByLabel("Clinic").fill("Elm Street Vets");   // a correction before approving
  await screen(page, "review");
  await draft.getByRole("button", { name: "Approve" }).click();
  await draft.waitFor({ state: "detached" });

  await page.getByRole("link", { name: "Pawport" }).click();
  await page.locator(".pet-card", { hasText: args.pet }).getByText("Current").waitFor();
  await page.locator(".pet-card", { hasText: args.pet }).getByRole("link").click();
  const record = page.locator(".record", { hasText: "Rabies" });
  await record.getByText("Current").waitFor();
  await screen(page, "pet");
  const clinic = (await record.textContent()).includes("Elm Street Vets");

  await page.getByRole("button", { name: `${args.pet}'s details and photo` }).click();
  await page.getByLabel("Microchip number").fill("985112345678901");
  await page.getByRole("button", { name: "Save details" }).click();
  await page.getByText("Saved.").waitFor();
  await screen(page, "pet-details");
  return { clinic };
});
