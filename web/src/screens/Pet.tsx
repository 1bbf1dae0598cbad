// One pet: its records with status and days left, certificates, uploads with progress, and edits.
import { type FormEvent, useState } from "react";
import { chosenHousehold, dashboard } from "../household";
import { ACCEPTED, addRecord, deleteRecord, openDocument, type RecordFields, removePet, updatePet, updateRecord, upload, uploadPhoto } from "../records";
import { navigate } from "../router";
import { daysLeftText } from "../status";
import type { Dashboard, PetView, RecordView } from "../types";
import { Empty, ErrorNote, errorText, Link, Loading, Portrait, StatusChip, Title, useAsync } from "../ui";

async function loadPet(petId: string): Promise<{ view: Dashboard; pet: PetView }> {
  const household = chosenHousehold();
  if (!household) throw new Error("choose a household first");
  const view = await dashboard(household);
  const pet = view.pets.find((p) => p.id === petId);
  if (!pet) throw new Error("this pet is not in the household shown");
  return { view, pet };
}

export function Pet({ petId }: { petId: string }) {
  const state = useAsync(() => loadPet(petId), [petId]);
  if (state.error) return <main><ErrorNote error={state.error} retry={state.reload} /></main>;
  if (!state.data) return <main><Loading what="the pet" /></main>;
  const { view, pet } = state.data;
  const canEdit = view.role !== "viewer";
  return (
    <main>
      <p><Link to="/">← Dashboard</Link></p>
      <div className="pet-head">
        <Portrait name={pet.name} status={pet.status} photo={pet.photo_url} />
        <div><Title>{pet.name}</Title><p>{pet.species} · <StatusChip status={pet.status} /></p></div>
      </div>
      <p className="actions">
        <button type="button" className="primary" onClick={() => navigate(`/pets/${pet.id}/show`)}>Quick Show</button>
        {pet.drafts > 0 && <Link to={`/pets/${pet.id}/review`} className="button">Review {pet.drafts} upload{pet.drafts > 1 ? "s" : ""}</Link>}
      </p>
      <section aria-labelledby="records">
        <h2 id="records">Vaccinations</h2>
        {pet.records.length === 0 ? <Empty><p>No records yet: upload a certificate or add one by hand.</p></Empty> : (
          <ul className="records">
            {pet.records.map((r) => <Record key={r.id} record={r} today={view.today} canEdit={canEdit} changed={state.reload} />)}
          </ul>
        )}
      </section>
      {canEdit && <Uploads petId={pet.id} />}
      {canEdit && <Details pet={pet} changed={state.reload} />}
      {canEdit && <ByHand petId={pet.id} added={state.reload} />}
    </main>
  );
}

function Record({ record, today, canEdit, changed }: { record: RecordView; today: string; canEdit: boolean; changed: () => void }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<unknown>) => action().then(changed, (e) => setError(errorText(e)));
  const remove = () => window.confirm(`Delete the ${record.vaccine} record?`) && run(() => deleteRecord(record.pet_id, record.id));
  return (
    <li className="record" data-record={record.id}>
      <div className="record-line">
        <strong>{record.vaccine}</strong> <StatusChip status={record.status} />
        <span>{record.expires_on ? `expires ${record.expires_on}, ${daysLeftText(record.expires_on, today)}` : "no expiry date"}</span>
      </div>
      {record.clinic && <div className="hint">{record.clinic}{record.administered_on ? `, given ${record.administered_on}` : ""}</div>}
      <div className="actions">
        {record.has_document && <button type="button" onClick={() => run(() => openDocument(record.pet_id, record.id))}>Open certificate</button>}
        {canEdit && <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>Edit</button>}
        {canEdit && <button type="button" className="danger" onClick={remove}>Delete</button>}
      </div>
      {editing && <RecordForm initial={record} submitLabel="Save" onSubmit={async (fields) => { await updateRecord(record.pet_id, record.id, fields); setEditing(false); changed(); }} />}
      {error && <p className="error" role="alert">{error}</p>}
    </li>
  );
}

export function RecordForm({ initial, submitLabel, onSubmit }: { initial?: Partial<RecordFields>; submitLabel: string; onSubmit: (f: RecordFields) => Promise<void> }) {
  const [fields, setFields] = useState<RecordFields>({ vaccine: initial?.vaccine ?? "", administered_on: initial?.administered_on ?? null,
    expires_on: initial?.expires_on ?? null, clinic: initial?.clinic ?? null });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: keyof RecordFields) => (e: React.ChangeEvent<HTMLInputElement>) => setFields({ ...fields, [name]: e.target.value || null });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try { await onSubmit(fields); setError(null); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  return (
    <form className="record-form" onSubmit={submit}>
      <label className="field"><span>Vaccine</span><input required value={fields.vaccine} onChange={set("vaccine")} /></label>
      <label className="field"><span>Given on</span><input type="date" value={fields.administered_on ?? ""} onChange={set("administered_on")} /></label>
      <label className="field"><span>Expires on</span><input type="date" value={fields.expires_on ?? ""} onChange={set("expires_on")} /></label>
      <label className="field"><span>Clinic</span><input value={fields.clinic ?? ""} onChange={set("clinic")} /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" disabled={busy}>{submitLabel}</button>
    </form>
  );
}

interface Sending { name: string; fraction: number; error?: string; done?: boolean }

function Uploads({ petId }: { petId: string }) {
  const [sending, setSending] = useState<Sending[]>([]);
  const send = (files: FileList | null) => {
    const chosen = Array.from(files ?? []);
    const start = sending.length;
    setSending((s) => [...s, ...chosen.map((f) => ({ name: f.name, fraction: 0 }))]);
    const update = (i: number, change: Partial<Sending>) => setSending((s) => s.map((x, j) => (j === start + i ? { ...x, ...change } : x)));
    chosen.forEach((file, i) => upload(petId, file, (fraction) => update(i, { fraction }))
      .then(() => update(i, { done: true }), (e) => update(i, { error: errorText(e) })));
  };
  const finished = sending.length > 0 && sending.every((s) => s.done || s.error);
  return (
    <section className="card" aria-labelledby="upload">
      <h2 id="upload">Add certificates</h2>
      <p className="hint">A PDF or a photo of the vet's certificate; several at once are fine.</p>
      <div className="actions">
        <label className="button">Take a photo<input className="visually-hidden" type="file" accept="image/*" capture="environment"
          onChange={(e) => send(e.target.files)} /></label>
        <label className="button">Choose files<input className="visually-hidden" type="file" multiple accept={ACCEPTED.join(",")}
          onChange={(e) => send(e.target.files)} data-testid="file-input" /></label>
      </div>
      <ul className="uploads">
        {sending.map((s, i) => (
          <li key={i}>
            <span>{s.name}</span>
            <progress max={1} value={s.fraction} aria-label={`${s.name} upload`} />
            <span role="status">{s.error ?? (s.done ? "uploaded" : `${Math.round(s.fraction * 100)} %`)}</span>
          </li>
        ))}
      </ul>
      {finished && <Link to={`/pets/${petId}/review?uploaded=${sending.filter((s) => s.done).length}`}
        className="button primary">Review what was read</Link>}
    </section>
  );
}

function ByHand({ petId, added }: { petId: string; added: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <section className="card" aria-labelledby="by-hand">
      <h2 id="by-hand"><button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>Add a record by hand</button></h2>
      {open && <RecordForm submitLabel="Add record" onSubmit={async (fields) => { await addRecord(petId, fields); setOpen(false); added(); }} />}
    </section>
  );
}

function Details({ pet, changed }: { pet: PetView; changed: () => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(pet.name);
  const [breed, setBreed] = useState(pet.breed ?? "");
  const [birth, setBirth] = useState(pet.birth_date ?? "");
  const [chip, setChip] = useState(pet.microchip ?? "");
  const [note, setNote] = useState<string | null>(null);
  const run = (action: () => Promise<unknown>, done: string) => action().then(() => { setNote(done); changed(); }, (e) => setNote(errorText(e)));
  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(() => updatePet(pet.id, { name, breed: breed || null, birth_date: birth || null, microchip: chip || null }), "Saved.");
  };
  const remove = async () => {
    if (!window.confirm(`Remove ${pet.name} and all of ${pet.name}'s records?`)) return;
    try { await removePet(pet.id); navigate("/"); } catch (e) { setNote(errorText(e)); }
  };
  return (
    <section className="card" aria-labelledby="details">
      <h2 id="details"><button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>{pet.name}'s details and photo</button></h2>
      {pet.photo_refused && <p className="flag">The last photo was not used: {pet.photo_refused}</p>}
      {open && (
        <>
          <form onSubmit={save}>
            <label className="field"><span>Name</span><input required value={name} onChange={(e) => setName(e.target.value)} /></label>
            <label className="field"><span>Breed</span><input value={breed} onChange={(e) => setBreed(e.target.value)} /></label>
            <label className="field"><span>Born on</span><input type="date" value={birth} onChange={(e) => setBirth(e.target.value)} /></label>
            <label className="field"><span>Microchip number</span><input inputMode="numeric" value={chip} onChange={(e) => setChip(e.target.value)} /></label>
            <button className="primary">Save details</button>
          </form>
          <label className="button">Choose a photo<input className="visually-hidden" type="file" accept="image/*"
            onChange={(e) => e.target.files?.[0] && void run(() => uploadPhoto(pet.id, e.target.files![0]), "Photo uploaded: it shows in a moment.")} /></label>
          <p><button type="button" className="danger" onClick={remove}>Remove {pet.name}</button></p>
        </>
      )}
      {note && <p role="status">{note}</p>}
    </section>
  );
}
