// Sign in, sign up with the mailed code, and a forgotten password: Cognito's own flows.
import { type FormEvent, useState } from "react";
import { confirmNewPassword, confirmSignUp, forgotPassword, resendCode, signIn, signUp } from "../auth";
import { navigate } from "../router";
import { errorText, Link, Title } from "../ui";

function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try { await action(); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  return { busy, error, submit };
}

function Field({ label, ...input }: { label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return <label className="field"><span>{label}</span><input required {...input} /></label>;
}

const PASSWORD_RULE = "At least 12 characters, with upper and lower case letters and a number.";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useSubmit(async () => { await signIn(email, password); onSignedIn(); });
  return (
    <main className="narrow">
      <Title>Sign in to Pawport</Title>
      <form onSubmit={submit}>
        <Field label="E-mail" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" type="password" autoComplete="current-password" value={password}
          onChange={(e) => setPassword(e.target.value)} />
        {error && <p className="error" role="alert">{error}</p>}
        <button className="primary" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
      <p><Link to="/sign-up">Create an account</Link> · <Link to="/forgot">Forgotten password</Link></p>
    </main>
  );
}

export function SignUp() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<"details" | "code">("details");
  const details = useSubmit(async () => { await signUp(email, password); setStep("code"); });
  const confirm = useSubmit(async () => { await confirmSignUp(email, code); navigate("/sign-in?confirmed=1"); });
  if (step === "code") {
    return (
      <main className="narrow">
        <Title>Check your mail</Title>
        <p>We sent a code to {email}. Enter it to confirm the address.</p>
        <form onSubmit={confirm.submit}>
          <Field label="Code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
          {confirm.error && <p className="error" role="alert">{confirm.error}</p>}
          <button className="primary" disabled={confirm.busy}>Confirm</button>
        </form>
        <button type="button" className="link" onClick={() => void resendCode(email)}>Send the code again</button>
      </main>
    );
  }
  return (
    <main className="narrow">
      <Title>Create your account</Title>
      <form onSubmit={details.submit}>
        <Field label="E-mail" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" type="password" autoComplete="new-password" minLength={12} aria-describedby="rule"
          value={password} onChange={(e) => setPassword(e.target.value)} />
        <p id="rule" className="hint">{PASSWORD_RULE}</p>
        {details.error && <p className="error" role="alert">{details.error}</p>}
        <button className="primary" disabled={details.busy}>Create account</button>
      </form>
      <p><Link to="/sign-in">I have an account</Link></p>
    </main>
  );
}

export function Forgot() {
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [step, setStep] = useState<"email" | "code">("email");
  const ask = useSubmit(async () => { await forgotPassword(email); setStep("code"); });
  const reset = useSubmit(async () => { await confirmNewPassword(email, code, password); navigate("/sign-in?reset=1"); });
  return (
    <main className="narrow">
      <Title>Forgotten password</Title>
      {step === "email" ? (
        <form onSubmit={ask.submit}>
          <Field label="E-mail" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
          {ask.error && <p className="error" role="alert">{ask.error}</p>}
          <button className="primary" disabled={ask.busy}>Send me a code</button>
        </form>
      ) : (
        <form onSubmit={reset.submit}>
          <p>If {email} has an account, a code is on its way.</p>
          <Field label="Code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />
          <Field label="New password" type="password" autoComplete="new-password" minLength={12} value={password}
            onChange={(e) => setPassword(e.target.value)} />
          <p className="hint">{PASSWORD_RULE}</p>
          {reset.error && <p className="error" role="alert">{reset.error}</p>}
          <button className="primary" disabled={reset.busy}>Set the new password</button>
        </form>
      )}
      <p><Link to="/sign-in">Back to sign in</Link></p>
    </main>
  );
}
