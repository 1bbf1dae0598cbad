// Door mode: the household's pets, record metadata and certificate files kept on the device
// (IndexedDB), keyed by household and record id, never by a presigned URL (those last 5 minutes).
import type { Dashboard, PetView, RecordView } from "./types";

const NAME = "pawport-door";
const HOUSEHOLDS = "households";
const CERTIFICATES = "certificates";

export interface HouseholdCopy {
  household_id: string;
  name: string;
  user: string;        // whose copy: another person signing in on this device never sees it
  taken_at: string;    // when the copy was taken, shown at the door
  today: string;
  pets: PetView[];
}

export interface Certificate { record_id: string; household_id: string; type: string; data: Blob; taken_at: string }

export interface DoorCopy { pet: PetView; record: RecordView; certificate: Certificate; taken_at: string }

let opening: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(HOUSEHOLDS, { keyPath: "household_id" });
      request.result.createObjectStore(CERTIFICATES, { keyPath: "record_id" }).createIndex("household", "household_id");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name: string, mode: IDBTransactionMode = "readonly"): Promise<IDBObjectStore> {
  return (await database()).transaction(name, mode).objectStore(name);
}

export async function saveHousehold(user: string, dashboard: Dashboard, takenAt: Date): Promise<void> {
  const copy: HouseholdCopy = { household_id: dashboard.household.id, name: dashboard.household.name, user,
    taken_at: takenAt.toISOString(), today: dashboard.today, pets: dashboard.pets };
  await done((await store(HOUSEHOLDS, "readwrite")).put(copy));
}

export async function saveCertificate(householdId: string, recordId: string, data: Blob, takenAt: Date): Promise<void> {
  const certificate: Certificate = { record_id: recordId, household_id: householdId, type: data.type,
    data, taken_at: takenAt.toISOString() };
  await done((await store(CERTIFICATES, "readwrite")).put(certificate));
}

export async function hasCertificate(recordId: string): Promise<boolean> {
  return (await done((await store(CERTIFICATES)).count(recordId))) > 0;
}

// Certificates of records no longer valid (or deleted) go: the door copy holds only what may be shown.
export async function keepCertificates(householdId: string, recordIds: string[]): Promise<void> {
  const all = await done((await store(CERTIFICATES)).index("household").getAllKeys(householdId));
  const certificates = await store(CERTIFICATES, "readwrite");
  await Promise.all(all.filter((id) => !recordIds.includes(String(id))).map((id) => done(certificates.delete(id))));
}

export async function householdCopies(user: string): Promise<HouseholdCopy[]> {
  const all: HouseholdCopy[] = await done((await store(HOUSEHOLDS)).getAll());
  return all.filter((copy) => copy.user === user);
}

export async function certificate(recordId: string): Promise<Certificate | undefined> {
  return done((await store(CERTIFICATES)).get(recordId));
}

// Quick Show from the device: the pet's kept certificate, rabies first, as kept at the last online load.
export async function doorCopy(user: string, petId: string, pick: (pet: PetView) => RecordView | null): Promise<DoorCopy | null> {
  for (const copy of await householdCopies(user)) {
    const pet = copy.pets.find((p) => p.id === petId);
    const record = pet && pick(pet);
    const kept = record && (await certificate(record.id));
    if (pet && record && kept) return { pet, record, certificate: kept, taken_at: copy.taken_at };
  }
  return null;
}

export async function wipeHousehold(householdId: string): Promise<void> {
  await keepCertificates(householdId, []);
  await done((await store(HOUSEHOLDS, "readwrite")).delete(householdId));
}

// A member removed from a household: the next online load keeps only the households they still belong to.
export async function keepHouseholds(user: string, householdIds: string[]): Promise<void> {
  const all: HouseholdCopy[] = await done((await store(HOUSEHOLDS)).getAll());
  for (const copy of all.filter((c) => c.user !== user || !householdIds.includes(c.household_id))) {
    await wipeHousehold(copy.household_id);
  }
}

export async function wipeAll(): Promise<void> {
  await done((await store(HOUSEHOLDS, "readwrite")).clear());
  await done((await store(CERTIFICATES, "readwrite")).clear());
}
