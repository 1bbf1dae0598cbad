// Draft review: each vaccination read from an upload, editable beside the document, its flags in
// words; approve one, approve all, discard. Opening it wakes Aurora ahead, so approving does not wait.
import { type FormEvent, useEffect, useState } from "react";
import { api, control, post } from "../api";
import { chosenHousehold, dashboard } from "../household";
import type { RecordFields } from "../records";
import { queryParam } from "../router";
import { errorText, Empty, ErrorNote, Link, Loading, Title } from "../ui";

export interface Entry {
  entry_id: string;
  status: "ready" | "needs-review" | "approved" | "discarded";
  vaccine: string | null;
  administered_on: string | null;
  expires_on: string | null;
  expiry_computed: boolean;
  flags: string[];
}

export interface Draft {
  upload_id: string;
  pet_id: string;
  file_name: string;
  status: "checking" | "extracting" | "ready" | "needs-review" | "needs-manual-entry" | "rejected" | "duplicate";
  reason: string | null;
  fields: { pet_name: string | null; clinic: string | null } | null;
  entries: Entry[];
  flags: string[];
  duplicate_of: { kind: string; id: string } | null;
  thumbnail_url: string | null;
}

const SETTLING = ["checking", "extracting"];
const WAITING = ["ready", "needs-review"];

// What the draft's status says, in words, before its own flags and each vaccination's.
export function statusFlags(draft: Draft): string[] {
  if (draft.status === "rejected") return [`This file cannot be used: ${draft.reason ?? "it was refused"}.`];
  if (draft.status === "duplicate") return ["The same file is already on record: discard this copy."];
  if (draft.status === "needs-manual-entry") return [`Pawport could not read it${draft.reason ? ` (${draft.reason})` : ""}: please type the details.`];
  return [];
}

export const waiting = (draft: Draft) => draft.entries.filter((e) => WAITING.includes(e.status));

export function Review({ petId }: { petId: string }) {
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [petName, setPetName] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [round, setRound] = useState(0);
  const reload = () => setRound((r) => r + 1);
  const [opened] = useState(Date.now);
  useEffect(() => { void control("/warmup", { method: "POST" }).catch(() => undefined); }, []);
  useEffect(() => {
    const household = chosenHousehold();
    if (household) void dashboard(household).then((v) => setPetName(v.pets.find((p) => p.id === petId)?.name ?? ""), () => undefined);
  }, [petId]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    api<{ drafts: Draft[] }>(`/pets/${petId}/drafts`).then((answer) => {
      setDrafts(answer.drafts);
      // Just uploaded: a draft appears once storage has told workers, a moment after the upload.
      const expected = Number(queryParam("uploaded") ?? 0) > answer.drafts.length && Date.now() - opened < 60_000;
      if (expected || answer.drafts.some((d) => SETTLING.includes(d.status))) timer = setTimeout(reload, 1500);
    }, setError);
    return () => clearTimeout(timer);
  }, [petId, round]);
  if (error) return <main><ErrorNote error={error} /></main>;
  if (!drafts) return <main><Loading what="the uploads" /></main>;
  const open = drafts.filter((d) => SETTLING.includes(d.status) || waiting(d).length > 0 || d.entries.length === 0);
  return (
    <main>
      <p><Link to={`/pets/${petId}`}>← {petName || "Pet"}</Link></p>
      <Title>Review uploads</Title>
      {open.length === 0 && <Empty><p>Nothing to review. <Link to={`/pets/${petId}`}>Back to the pet</Link></p></Empty>}
      <ul className="drafts">{open.map((d) => <DraftCard key={d.upload_id} draft={d} changed={reload} />)}</ul>
    </main>
  );
}

function asFields(entry: Entry | null, draft: Draft): RecordFields {
  return { vaccine: entry?.vaccine ?? "", administered_on: entry?.administered_on ?? null,
    expires_on: entry?.expires_on ?? null, clinic: draft.fields?.clinic ?? null };
}

function DraftCard({ draft, changed }: { draft: Draft; changed: () => void }) {
  const entries = waiting(draft);
  const byHand = entries.length === 0 && draft.status === "needs-manual-entry";
  const forms = byHand ? ["manual"] : entries.map((e) => e.entry_id);   // the vaccinations still waiting
  const [edits, setEdits] = useState<Record<string, RecordFields>>({});
  const fields = (id: string) => edits[id] ?? asFields(entries.find((e) => e.entry_id === id) ?? null, draft);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try { await action(); changed(); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  const approveOne = (id: string) => act(() => post(`/pets/${draft.pet_id}/records`,
    { ...fields(id), upload_id: draft.upload_id, ...(id === "manual" ? {} : { entry_id: id }) }));
  const approveAll = () => act(() => post(`/pets/${draft.pet_id}/drafts/${draft.upload_id}/approve`,
    { entries: forms.map((id) => ({ entry_id: id, ...fields(id) })) }));
  const discardOne = (id: string) => act(() => post(`/pets/${draft.pet_id}/drafts/${draft.upload_id}/discard`, { entries: [id] }, api));
  const discard = () => act(() => api(`/pets/${draft.pet_id}/drafts/${draft.upload_id}`, { method: "DELETE" }));
  const settling = SETTLING.includes(draft.status);
  return (
    <li className="draft card" data-draft={draft.upload_id} data-status={draft.status}>
      <h2>{draft.file_name}</h2>
      <div className="draft-body">
        {draft.thumbnail_url ? <img className="document" src={draft.thumbnail_url} alt={`The uploaded ${draft.file_name}`} />
          : <div className="document placeholder" aria-hidden="true">{settling ? "…" : "no preview"}</div>}
        <div>
          {settling && <p role="status">Reading the certificate…</p>}
          {[...statusFlags(draft), ...draft.flags].map((f) => <p key={f} className="flag">{f}</p>)}
          {forms.map((id) => (
            <EntryForm key={id} id={id} fields={fields(id)} flags={entries.find((e) => e.entry_id === id)?.flags ?? []}
              busy={busy} onChange={(f) => setEdits({ ...edits, [id]: f })} onApprove={() => approveOne(id)}
              onDiscard={id === "manual" ? undefined : () => discardOne(id)} />
          ))}
          <div className="actions">
            {entries.length > 1 && <button type="button" className="primary" disabled={busy} onClick={approveAll}>Approve all {entries.length}</button>}
            {!settling && <button type="button" className="danger" disabled={busy} onClick={discard}>Discard this upload</button>}
          </div>
          {error && <p className="error" role="alert">{error}</p>}
        </div>
      </div>
    </li>
  );
}

function EntryForm({ id, fields, flags, busy, onChange, onApprove, onDiscard }: {
  id: string; fields: RecordFields; flags: string[]; busy: boolean;
  onChange: (f: RecordFields) => void; onApprove: () => void; onDiscard?: () => void;
}) {
  const set = (name: keyof RecordFields) => (e: React.ChangeEvent<HTMLInputElement>) => onChange({ ...fields, [name]: e.target.value || null });
  const submit = (event: FormEvent) => { event.preventDefault(); onApprove(); };
  return (
    <form className="record-form entry" onSubmit={submit} data-entry={id} aria-label={`Vaccination ${fields.vaccine ?? id}`}>
      {flags.map((f) => <p key={f} className="flag">{f}</p>)}
      <label className="field"><span>Vaccine</span><input required value={fields.vaccine ?? ""} onChange={set("vaccine")} /></label>
      <label className="field"><span>Given on</span><input type="date" value={fields.administered_on ?? ""} onChange={set("administered_on")} /></label>
      <label className="field"><span>Expires on</span><input type="date" value={fields.expires_on ?? ""} onChange={set("expires_on")} /></label>
      <label className="field"><span>Clinic</span><input value={fields.clinic ?? ""} onChange={set("clinic")} /></label>
      <div className="actions">
        <button className="primary" disabled={busy}>Approve</button>
        {onDiscard && <button type="button" disabled={busy} onClick={onDiscard}>Discard this vaccination</button>}
      </div>
    </form>
  );
}
