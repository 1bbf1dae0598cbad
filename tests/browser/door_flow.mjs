// The door: sign in → dashboard → Quick Show → the certificate visible.
import { args, check, context, flow, screen, signIn } from "./lib.mjs";

await flow(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, args.email, args.password);
  await page.getByRole("heading", { name: args.household }).waitFor();
  const card = page.locator(".pet-card", { hasText: args.pet });
  await card.getByText("Current").waitFor();
  await screen(page, "dashboard");
  await card.getByRole("button", { name: /Quick Show/ }).click();
  const certificate = page.getByTestId("certificate");
  await certificate.waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=certificate]")?.naturalWidth > 0);
  check(await page.getByRole("heading", { name: /Rabies/ }).isVisible(), "the vaccine is not named");
  await screen(page, "quick-show");
  const shown = await certificate.getAttribute("alt");

  await page.getByRole("button", { name: "Sign out" }).click();    // forgets everything it kept
  await page.getByRole("heading", { name: "Sign in to Pawport" }).waitFor();
  const left = await page.evaluate(() => new Promise((resolve) => {
    const opened = indexedDB.open("pawport-door");
    opened.onsuccess = () => {
      const read = opened.result.transaction(["households", "certificates"]).objectStore("certificates").count();
      read.onsuccess = () => resolve({ certificates: read.result, stored: localStorage.length });
    };
  }));
  check(left.certificates === 0 && left.stored === 0, `signing out left ${JSON.stringify(left)}`);
  return { shown };
});
