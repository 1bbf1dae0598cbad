// A member's own reminder mail on the household screen: the default ticked, 7 days added and kept
// after a reload, then everything unticked for no reminder mail.
import { args, check, context, flow, screen, signIn } from "./lib.mjs";

const ticked = async (page) => {
  const boxes = page.getByRole("group", { name: "Mail me before a vaccination expires" }).getByRole("checkbox");
  return boxes.evaluateAll((all) => all.map((b) => `${b.parentElement.innerText.trim()}: ${b.checked}`));
};

await flow(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, args.email, args.password);
  await page.getByRole("link", { name: "Household" }).click();
  await page.getByRole("heading", { name: "Your reminder mail" }).waitFor();
  await page.getByLabel("7 days before").waitFor();
  const before = await ticked(page);
  const usual = page.getByText("That is the usual choice until you change it.", { exact: false });
  check(await usual.isVisible(), "the default is not said to be the default");
  await page.getByLabel("7 days before").check();
  await page.getByRole("button", { name: "Save reminder settings" }).click();
  await page.getByText("Saved. You are mailed 30 days before, 7 days before and on the last valid day.").waitFor();
  await screen(page, "household-reminders");

  await page.reload();
  await page.getByLabel("7 days before").waitFor();
  const kept = await ticked(page);
  check(await usual.count() === 0, "a chosen setting is still called the default");
  for (const label of ["30 days before", "7 days before", "On the last valid day"]) await page.getByLabel(label).uncheck();
  await page.getByText("With nothing ticked you get no reminder mail.").waitFor();
  await page.getByRole("button", { name: "Save reminder settings" }).click();
  await page.getByText("Saved. You get no reminder mail.").waitFor();
  check(!(await page.getByLabel("30 days before").isChecked()), "the box stayed ticked");
  return { before, kept };
});
