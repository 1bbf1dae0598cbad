// Asks: an owner asks about the records → the answer with the records it rests on, a question the
// records cannot settle, then the month's budget used up; a viewer sees why they cannot ask.
import { args, check, context, flow, screen, signIn, step } from "./lib.mjs";

async function askAndRead(page, question) {
  await page.getByRole("textbox", { name: "Question" }).fill(question);
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const asked = page.getByText(`You asked: “${question}”`);   // this question's answer, not the one before
  await asked.or(page.getByRole("heading", { name: "No answer" })).waitFor({ timeout: 60_000 });
  check(await asked.isVisible(), `no answer: ${await page.locator("main").innerText()}`);
  const records = page.locator(".asked-records li");
  return {
    answer: await page.getByTestId("answer").innerText(),
    sufficiency: await page.getByTestId("sufficiency").innerText(),
    records: await records.evaluateAll((items) => items.map((li) => ({
      id: li.dataset.recordId, name: li.innerText, href: li.querySelector("a")?.getAttribute("href") ?? null }))),
  };
}

await flow(async (browser) => {
  const page = await (await context(browser)).newPage();
  await signIn(page, args.email, args.password);
  await page.getByRole("link", { name: "Ask" }).click();
  await page.getByRole("heading", { name: "Ask about your pets", level: 1 }).waitFor();
  await page.getByText(`Answers rest on the records of ${args.household}.`).waitFor();
  const budget = page.getByRole("complementary", { name: "This month’s budget" });
  await budget.getByText("left of $0.50").waitFor();
  await screen(page, "ask");

  const settled = await askAndRead(page, args.cleared);
  await screen(page, "ask-answer");
  await budget.getByText("Spent less than $0.01").waitFor();   // the figure came back after the answer
  const unsettled = await askAndRead(page, args.unsettled);

  await step("no_budget");
  await page.getByRole("textbox", { name: "Question" }).fill(args.cleared);
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const banner = page.getByRole("heading", { name: "This month’s question budget is used up" });
  await banner.waitFor();
  await screen(page, "ask-over-budget");
  const refusal = await page.locator(".banner", { has: banner }).innerText();

  const viewer = await (await context(browser)).newPage();
  await signIn(viewer, args.viewer, args.password);
  await viewer.goto("/ask");
  const why = viewer.getByText("Viewers can look at the records but not ask about them.", { exact: false });
  await why.waitFor();
  check(await viewer.getByRole("textbox", { name: "Question" }).count() === 0, "a viewer was given the question box");
  await screen(viewer, "ask-viewer");
  return { settled, unsettled, refusal };
});
