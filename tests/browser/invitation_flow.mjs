// An owner invites; the invitee signs up, confirms, accepts with the code from the mail and sees the household.
import { args, check, context, flow, screen, signIn } from "./lib.mjs";

const CODE = /invitation code:\s+(\S+)/;

// The mail workers sent through SES (moto keeps it; plain and raw messages alike).
async function mailedCode(to) {
  for (let i = 0; i < 150; i++) {
    const ses = (await (await fetch(`${args.moto_url}/moto-api/data.json`)).json()).ses ?? {};
    const bodies = [...(ses.Message ?? []).filter((m) => m.destinations.ToAddresses.includes(to)).map((m) => m.body),
      ...(ses.RawMessage ?? []).filter((m) => (m.destinations ?? []).includes(to) || m.raw_data.includes(to)).map((m) => m.raw_data)];
    const found = bodies.map((b) => CODE.exec(b)).find(Boolean);
    if (found) return found[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no invitation mail to ${to}`);
}

// What Cognito's confirmation does in AWS and moto does not: mark the address verified.
async function verifyEmail(email) {
  const answer = await fetch(args.moto_url, { method: "POST", headers: {
    "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminUpdateUserAttributes",
    Authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=x",
  }, body: JSON.stringify({ UserPoolId: args.user_pool_id, Username: email, UserAttributes: [{ Name: "email_verified", Value: "true" }] }) });
  check(answer.ok, `moto refused to verify ${email}: ${await answer.text()}`);
}

await flow(async (browser) => {
  const owner = await (await context(browser)).newPage();
  await signIn(owner, args.email, args.password);
  await owner.getByRole("link", { name: "Household" }).click();
  await owner.getByRole("heading", { name: args.household, level: 1 }).waitFor();
  await owner.getByLabel("E-mail").fill(args.invitee);
  await owner.getByLabel("Role").selectOption("editor");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await owner.getByText(`Invitation sent to ${args.invitee}.`).waitFor();
  await owner.getByRole("heading", { name: "Audit log" }).waitFor();
  await screen(owner, "household-owner");
  const code = await mailedCode(args.invitee);

  const invitee = await (await context(browser)).newPage();
  await invitee.goto("/sign-in");
  await screen(invitee, "sign-in");
  await invitee.getByRole("link", { name: "Create an account" }).click();
  await invitee.getByLabel("E-mail").fill(args.invitee);
  await invitee.getByLabel("Password").fill(args.password);
  await screen(invitee, "sign-up");
  await invitee.getByRole("button", { name: "Create account" }).click();
  await invitee.getByRole("heading", { name: "Check your mail" }).waitFor();
  await screen(invitee, "sign-up-code");
  await invitee.getByLabel("Code").fill("123456");   // the local pool mails no code and takes any
  await invitee.getByRole("button", { name: "Confirm" }).click();
  await invitee.getByRole("heading", { name: "Sign in to Pawport" }).waitFor();
  await verifyEmail(args.invitee);

  await signIn(invitee, args.invitee, args.password);
  await invitee.getByRole("heading", { name: "Welcome to Pawport" }).waitFor();
  await screen(invitee, "welcome");
  await invitee.getByRole("link", { name: "I have an invitation code" }).click();
  await invitee.getByLabel(/Invitation code/).fill(code);
  await screen(invitee, "join");
  await invitee.getByRole("button", { name: "Join" }).click();
  await invitee.getByRole("heading", { name: args.household, level: 1 }).waitFor();
  await invitee.locator(".pet-card", { hasText: args.pet }).waitFor();
  await invitee.getByRole("link", { name: "Household" }).click();
  await invitee.getByText("editor", { exact: true }).first().waitFor();
  await screen(invitee, "household-editor");
  return { joined: true };
});
