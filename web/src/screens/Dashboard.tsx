// The household at a glance: each pet ringed in its most urgent status, what needs attention, Quick Show.
import { type FormEvent, useEffect, useState } from "react";
import { signedInUser } from "../auth";
import { keepForTheDoor } from "../door";
import { addPet, chooseHousehold, createHousehold, currentHousehold, dashboard, myHouseholds } from "../household";
import { householdCopies, type HouseholdCopy } from "../offline";
import { navigate } from "../router";
import { daysLeftText, look, restated } from "../status";
import type { Dashboard as DashboardView, Membership, PetView } from "../types";
import { Empty, ErrorNote, errorText, Link, Loading, Portrait, Title, useAsync } from "../ui";

interface Loaded { dashboard: DashboardView | null; households: Membership[]; door: Promise<boolean> }

async function load(): Promise<Loaded> {
  const household = await currentHousehold();
  if (!household) return { dashboard: null, households: [], door: Promise.resolve(false) };
  const [view, households] = await Promise.all([dashboard(household.household_id), myHouseholds()]);
  const user = signedInUser();
  // The door copy is taken after the screen shows, never in its way.
  const door = user ? keepForTheDoor(user, view).then(() => true, () => false) : Promise.resolve(false);
  return { dashboard: view, households, door };
}

function DoorNote({ door }: { door: Promise<boolean> }) {
  const [kept, setKept] = useState<boolean | null>(null);
  useEffect(() => { void door.then(setKept); }, [door]);
  if (kept === null) return null;
  return <p className="hint" role="status">{kept ? "Kept on this device for the door: Quick Show works offline."
    : "Could not keep a copy on this device for offline use."}</p>;
}

export function Dashboard() {
  const state = useAsync(load, []);
  if (state.loading && !state.data) return <main><Loading what="your pets" /></main>;
  if (state.error) return <OfflineDoor error={state.error} retry={state.reload} />;
  const { dashboard: view, households, door } = state.data!;
  if (!view) return <FirstHousehold done={state.reload} />;
  return (
    <main>
      <Title>{view.household.name}</Title>
      {households.length > 1 && <HouseholdSwitch households={households} current={view.household.id} changed={state.reload} />}
      <AttentionBanner view={view} />
      {view.pets.length === 0 ? (
        <Empty><p>No pets yet. Add the first one below.</p></Empty>
      ) : (
        <ul className="pets">{view.pets.map((pet) => <PetCard key={pet.id} pet={pet} />)}</ul>
      )}
      <DoorNote door={door} />
      {view.role !== "viewer" && <AddPet householdId={view.household.id} added={state.reload} />}
    </main>
  );
}

function AttentionBanner({ view }: { view: DashboardView }) {
  if (view.attention.length === 0) {
    return <p className="banner calm" role="status">Everything is up to date.</p>;
  }
  return (
    <section className="banner" aria-labelledby="attention">
      <h2 id="attention">Needs attention</h2>
      <ul>
        {view.attention.map((a) => (
          <li key={a.record_id}>
            <Link to={`/pets/${a.pet_id}`}>{a.pet_name}: {a.vaccine}</Link>{" "}
            <strong style={{ color: look(a.status).colour }}>{look(a.status).label}</strong>
            {" — "}{daysLeftText(a.expires_on, view.today)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function PetCard({ pet }: { pet: PetView }) {
  return (
    <li className="pet-card">
      <Link to={`/pets/${pet.id}`} className="pet-link">
        <Portrait name={pet.name} status={pet.status} photo={pet.photo_url} />
        <span className="pet-name">{pet.name}</span>
        <span className="pet-status" style={{ color: look(pet.status).colour }}>{look(pet.status).label}</span>
        {pet.drafts > 0 && <span className="hint">{pet.drafts} to review</span>}
      </Link>
      <button type="button" className="primary quick" onClick={() => navigate(`/pets/${pet.id}/show`)}
        aria-label={`Quick Show ${pet.name}'s certificate`}>Quick Show</button>
    </li>
  );
}

function HouseholdSwitch({ households, current, changed }: { households: Membership[]; current: string; changed: () => void }) {
  return (
    <label className="field inline"><span>Household</span>
      <select value={current} onChange={(e) => { chooseHousehold(e.target.value); changed(); }}>
        {households.map((h) => <option key={h.household_id} value={h.household_id}>{h.name}</option>)}
      </select>
    </label>
  );
}

function AddPet({ householdId, added }: { householdId: string; added: () => void }) {
  const [name, setName] = useState("");
  const [species, setSpecies] = useState("dog");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try { await addPet(householdId, name, species); setName(""); added(); } catch (e) { setError(errorText(e)); }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-pet">
      <h2 id="add-pet">Add a pet</h2>
      <label className="field"><span>Name</span><input required value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label className="field"><span>Species</span>
        <select value={species} onChange={(e) => setSpecies(e.target.value)}>
          {["dog", "cat", "rabbit", "ferret", "bird", "other"].map((s) => <option key={s}>{s}</option>)}
        </select>
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button>Add pet</button>
    </form>
  );
}

function FirstHousehold({ done }: { done: () => void }) {
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try { chooseHousehold((await createHousehold(name)).household_id); done(); } catch (e) { setError(errorText(e)); }
  };
  return (
    <main className="narrow">
      <Title>Welcome to Pawport</Title>
      <p>Start a household for your pets, or join one with the code from an invitation.</p>
      <form onSubmit={submit}>
        <label className="field"><span>Household name</span>
          <input required value={name} placeholder="The Parkers" onChange={(e) => setName(e.target.value)} /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button className="primary">Create household</button>
      </form>
      <p><Link to="/join">I have an invitation code</Link></p>
    </main>
  );
}

// No network (or a token that cannot be refreshed offline): the pets as kept at the last online load.
function OfflineDoor({ error, retry }: { error: unknown; retry: () => void }) {
  const [copies, setCopies] = useState<HouseholdCopy[] | null>(null);
  useEffect(() => {
    const user = signedInUser();
    void (user ? householdCopies(user) : Promise.resolve([])).then(setCopies);
  }, []);
  if (copies === null) return <main><Loading what="the copy on this device" /></main>;
  if (copies.length === 0) return <main><ErrorNote error={error} retry={retry} /></main>;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <main>
      <Title>Offline: the copy on this device</Title>
      <p className="banner" role="status">Pawport cannot be reached. Copy taken {new Date(copies[0].taken_at).toLocaleString()}.</p>
      {copies.map((copy) => (
        <section key={copy.household_id} aria-label={copy.name}>
          <h2>{copy.name}</h2>
          <ul className="pets">{copy.pets.map((pet) => <PetCard key={pet.id} pet={restated(pet, today)} />)}</ul>
        </section>
      ))}
      <button type="button" onClick={retry}>Try again</button>
    </main>
  );
}
