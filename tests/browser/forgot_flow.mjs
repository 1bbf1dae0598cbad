// A forgotten password: the code step, the new password, back to sign in.
import { args, context, flow, screen } from "./lib.mjs";

await flow(async (browser) => {
  const page = await (await context(browser)).newPage();
  await page.goto("/forgot");
  await page.getByLabel("E-mail").fill(args.email);
  await screen(page, "forgot");
  await page.getByRole("button", { name: "Send me a code" }).click();
  await page.getByLabel("Code").waitFor();
  await screen(page, "forgot-code");
  return { asked: true };
});
