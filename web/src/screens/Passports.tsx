// Share proof with someone who has no account: choose pets, records and how long; a QR code large
// enough to scan from another phone, the link to copy, revoke.
import { type FormEvent, useEffect, useState } from "react";
import QRCode from "qrcode";
import { api, post } from "../api";
import { chosenHousehold, dashboard } from "../household";
import type { Dashboard } from "../types";
import { ErrorNote, errorText, Link, Loading, Title, useAsync } from "../ui";

export interface Passport {
  id: string; url: string; pet_ids: string[]; record_ids: string[] | null;
  created_at: string; expires_at: string | null; revoked_at: string | null;
  status: "active" | "expired" | "revoked"; views: number;
}

const DURATIONS = [["24h", "24 hours"], ["7d", "7 days"], ["30d", "30 days"], ["none", "until I revoke it"]];

async function load(): Promise<{ view: Dashboard; passports: Passport[] }> {
  const household = chosenHousehold();
  if (!household) throw new Error("choose a household first");
  const view = await dashboard(household);
  if (view.role === "viewer") return { view, passports: [] };
  const { passports } = await api<{ passports: Passport[] }>(`/households/${household}/passports`);
  return { view, passports };
}

export function Passports() {
  const state = useAsync(load, []);
  if (state.error) return <main><ErrorNote error={state.error} retry={state.reload} /></main>;
  if (!state.data) return <main><Loading what="your passports" /></main>;
  const { view, passports } = state.data;
  const active = passports.filter((p) => p.status === "active");
  const ended = passports.filter((p) => p.status !== "active");
  return (
    <main>
      <p><Link to="/">← Dashboard</Link></p>
      <Title>Passports</Title>
      <p>A passport is a page anyone with the link can open, with no account: for the kennel, the groomer or the daycare.</p>
      {view.role === "viewer" ? <p>Only owners and editors can share passports.</p>
        : <NewPassport view={view} made={state.reload} />}
      {active.map((p) => <Shared key={p.id} passport={p} view={view} changed={state.reload} />)}
      {ended.length > 0 && (
        <section aria-labelledby="ended">
          <h2 id="ended">No longer open</h2>
          <ul>{ended.map((p) => <li key={p.id}>{names(p, view)}: {p.status}, viewed {p.views} time{p.views === 1 ? "" : "s"}</li>)}</ul>
        </section>
      )}
    </main>
  );
}

function names(passport: Passport, view: Dashboard): string {
  return passport.pet_ids.map((id) => view.pets.find((p) => p.id === id)?.name ?? "a pet").join(", ");
}

function NewPassport({ view, made }: { view: Dashboard; made: () => void }) {
  const [pets, setPets] = useState<string[]>(view.pets.map((p) => p.id));
  const [records, setRecords] = useState<string[] | null>(null);   // null: every record of the chosen pets
  const [duration, setDuration] = useState("7d");
  const [error, setError] = useState<string | null>(null);
  // Sharing commits in Aurora: wake it ahead while the owner chooses, so the share does not wait.
  useEffect(() => { post("/warmup", {}).catch(() => undefined); }, []);
  const toggle = (list: string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
  const allRecords = view.pets.filter((p) => pets.includes(p.id)).flatMap((p) => p.records);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const chosen = records?.filter((id) => allRecords.some((r) => r.id === id));
      await post(`/households/${view.household.id}/passports`, { pet_ids: pets, ...(chosen ? { record_ids: chosen } : {}), duration });
      made();
    } catch (e) { setError(errorText(e)); }
  };
  if (view.pets.length === 0) return <p>Add a pet first.</p>;
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-passport">
      <h2 id="new-passport">Share a passport</h2>
      <fieldset><legend>Pets</legend>
        {view.pets.map((p) => (
          <label key={p.id} className="check"><input type="checkbox" checked={pets.includes(p.id)} onChange={() => setPets(toggle(pets, p.id))} /> {p.name}</label>
        ))}
      </fieldset>
      <fieldset><legend>Records</legend>
        <label className="check"><input type="checkbox" checked={records === null} onChange={() => setRecords(records === null ? allRecords.map((r) => r.id) : null)} /> Every record, as they change</label>
        {records !== null && allRecords.map((r) => (
          <label key={r.id} className="check"><input type="checkbox" checked={records.includes(r.id)} onChange={() => setRecords(toggle(records, r.id))} /> {r.vaccine} ({view.pets.find((p) => p.id === r.pet_id)?.name})</label>
        ))}
      </fieldset>
      <label className="field"><span>For how long</span>
        <select value={duration} onChange={(e) => setDuration(e.target.value)}>
          {DURATIONS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" disabled={pets.length === 0}>Create passport</button>
    </form>
  );
}

function Shared({ passport, view, changed }: { passport: Passport; view: Dashboard; changed: () => void }) {
  const [qr, setQr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => { void QRCode.toDataURL(passport.url, { width: 320, margin: 2 }).then(setQr); }, [passport.url]);
  const label = names(passport, view);
  const copy = () => navigator.clipboard.writeText(passport.url).then(() => setNote("Link copied."), () => setNote(passport.url));
  const revoke = async () => {
    try { await post(`/households/${view.household.id}/passports/${passport.id}/revoke`, {}); changed(); }
    catch (e) { setNote(errorText(e)); }
  };
  return (
    <section className="card passport" aria-label={`Passport for ${label}`} data-passport={passport.id}>
      <h2>{label}</h2>
      {qr && <img className="qr" src={qr} alt={`QR code of the passport link for ${label}`} width={320} height={320} />}
      <p className="link-text"><a href={passport.url} target="_blank" rel="noreferrer" data-testid="passport-link">{passport.url}</a></p>
      <p className="hint">{passport.expires_at ? `Open until ${new Date(passport.expires_at).toLocaleString()}` : "Open until you revoke it"}
        {` · viewed ${passport.views} time${passport.views === 1 ? "" : "s"}`}</p>
      <div className="actions">
        <button type="button" onClick={copy}>Copy link</button>
        <button type="button" className="danger" onClick={revoke}>Revoke</button>
      </div>
      {note && <p role="status">{note}</p>}
    </section>
  );
}
