// The household: members and roles, invitations (owner), joining by code, leaving, and the audit log (owner).
import { type FormEvent, useState } from "react";
import { api, control, post } from "../api";
import { signedInUser } from "../auth";
import { chooseHousehold, chosenHousehold, currentHousehold } from "../household";
import { wipeHousehold } from "../offline";
import { navigate, queryParam } from "../router";
import type { Membership, Role } from "../types";
import { Empty, ErrorNote, errorText, Link, Loading, Title, useAsync } from "../ui";
import { ReminderSettings } from "./ReminderSettings";

interface Member { user_id: string; email: string | null; role: Role }
interface AuditEntry { id: number; at: string; actor: string; action: string; target: string }

export function Household() {
  const state = useAsync(currentHousehold, []);
  if (state.error) return <main><ErrorNote error={state.error} retry={state.reload} /></main>;
  if (state.loading) return <main><Loading what="the household" /></main>;
  const household = state.data;
  if (!household) return <main><Title>Household</Title><Empty><p>You are not in a household yet.</p></Empty><Join /></main>;
  return (
    <main>
      <p><Link to="/">← Dashboard</Link></p>
      <Title>{household.name}</Title>
      <p>Your role: <strong>{household.role}</strong></p>
      <Members household={household} />
      <ReminderSettings householdId={household.household_id} />
      {household.role === "owner" && <Invite householdId={household.household_id} />}
      <Join />
      <Leave household={household} />
      {household.role === "owner" && <Audit householdId={household.household_id} />}
    </main>
  );
}

function Members({ household }: { household: Membership }) {
  const state = useAsync(() => api<{ members: Member[] }>(`/households/${household.household_id}/members`), [household.household_id]);
  const [error, setError] = useState<string | null>(null);
  const owner = household.role === "owner";
  const change = (action: () => Promise<unknown>) => action().then(state.reload, (e) => setError(errorText(e)));
  const path = (m: Member) => `/households/${household.household_id}/members/${m.user_id}`;
  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      {state.loading && <Loading what="members" />}
      {state.error != null && <ErrorNote error={state.error} retry={state.reload} />}
      <ul className="members">
        {state.data?.members.map((m) => (
          <li key={m.user_id}>
            <span>{m.email ?? "(no address)"}{m.user_id === signedInUser() ? " (you)" : ""}</span>
            {owner && m.user_id !== signedInUser() ? (
              <>
                <label className="field inline"><span className="visually-hidden">Role of {m.email}</span>
                  <select value={m.role} onChange={(e) => change(() => control(path(m), { method: "PUT", body: JSON.stringify({ role: e.target.value }) }))}>
                    <option value="owner">owner</option><option value="editor">editor</option><option value="viewer">viewer</option>
                  </select>
                </label>
                <button type="button" className="danger" onClick={() => window.confirm(`Remove ${m.email}?`) && change(() => control(path(m), { method: "DELETE" }))}>Remove</button>
              </>
            ) : <span className="chip">{m.role}</span>}
          </li>
        ))}
      </ul>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function Invite({ householdId }: { householdId: string }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await post(`/households/${householdId}/invitations`, { email, role });
      setMessage(`Invitation sent to ${email}.`);
      setEmail("");
    } catch (e) { setMessage(errorText(e)); }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="invite">
      <h2 id="invite">Invite someone</h2>
      <label className="field"><span>E-mail</span><input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
      <label className="field"><span>Role</span>
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="editor">editor: keeps the records</option><option value="viewer">viewer: only looks</option>
          <option value="owner">owner: manages the household</option>
        </select>
      </label>
      <button>Send invitation</button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}

export function Join() {
  const [code, setCode] = useState(queryParam("code") ?? "");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const joined = await post<{ household_id: string }>("/invitations/accept", { token: code.trim() });
      chooseHousehold(joined.household_id);
      navigate("/");
    } catch (e) { setError(errorText(e)); }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="join">
      <h2 id="join">Join a household</h2>
      <label className="field"><span>Invitation code (from the mail)</span>
        <input required minLength={16} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <button>Join</button>
    </form>
  );
}

function Leave({ household }: { household: Membership }) {
  const [error, setError] = useState<string | null>(null);
  const leave = async () => {
    if (!window.confirm(`Leave ${household.name}? Its copy on this device goes too.`)) return;
    try {
      await post(`/households/${household.household_id}/leave`, {});
      await wipeHousehold(household.household_id);
      if (chosenHousehold() === household.household_id) localStorage.removeItem("pawport.household");
      navigate("/");
    } catch (e) { setError(errorText(e)); }
  };
  return (
    <section aria-labelledby="leave">
      <h2 id="leave">Leave</h2>
      <button type="button" className="danger" onClick={leave}>Leave {household.name}</button>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function Audit({ householdId }: { householdId: string }) {
  const state = useAsync(() => control<{ entries: AuditEntry[] }>(`/households/${householdId}/audit`), [householdId]);
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit log</h2>
      {state.loading && <Loading what="the audit log" />}
      {state.error != null && <ErrorNote error={state.error} retry={state.reload} />}
      {state.data && (state.data.entries.length === 0 ? <Empty><p>Nothing yet.</p></Empty> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit entries"><table>
          <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Who</th></tr></thead>
          <tbody>{state.data.entries.map((e) => (
            <tr key={e.id}><td>{new Date(e.at).toLocaleString()}</td><td>{e.action}</td><td>{e.actor}</td></tr>
          ))}</tbody>
        </table></div>
      ))}
    </section>
  );
}
