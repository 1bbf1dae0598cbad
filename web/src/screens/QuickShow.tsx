// The certificate to hold up at the door, in one tap: from the network when it answers, else from
// the copy kept on this device (which needs neither signal nor a valid token).
import { useEffect, useState } from "react";
import { api, ApiError } from "../api";
import { signedInUser } from "../auth";
import { chosenHousehold } from "../household";
import { doorCopy, householdCopies, saveCertificate } from "../offline";
import { daysLeftText, doorRecord, restated } from "../status";
import type { QuickShowAnswer, RecordView } from "../types";
import { ErrorNote, Link, Loading, StatusChip } from "../ui";

interface Shown { petName?: string; record: RecordView; file: Blob; takenAt: string | null; today: string }

const today = () => new Date().toISOString().slice(0, 10);

async function online(petId: string): Promise<Shown> {
  const answer = await api<QuickShowAnswer>(`/pets/${petId}/quick-show`);
  const file = await fetch(answer.url);
  if (!file.ok) throw new Error("the certificate could not be fetched");
  const blob = await file.blob();
  const household = chosenHousehold();
  if (household) void saveCertificate(household, answer.record.id, blob, new Date()).catch(() => undefined);
  return { petName: await keptName(petId), record: answer.record, file: blob, takenAt: null, today: today() };
}

// The pet's name from the copy on the device (the api's quick show names the record only).
async function keptName(petId: string): Promise<string | undefined> {
  const copies = await householdCopies(signedInUser() ?? "").catch(() => []);
  return copies.flatMap((c) => c.pets).find((p) => p.id === petId)?.name;
}

async function fromDevice(petId: string): Promise<Shown | null> {
  const user = signedInUser();
  const copy = user && (await doorCopy(user, petId, (pet) => doorRecord(restated(pet, today()))));
  if (!copy) return null;
  return { petName: copy.pet.name, record: copy.record, file: copy.certificate.data, takenAt: copy.taken_at, today: today() };
}

async function show(petId: string): Promise<Shown> {
  try {
    return await online(petId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw error;   // the api says: nothing valid to show
    const kept = await fromDevice(petId);
    if (kept) return kept;
    throw error;
  }
}

export function QuickShow({ petId }: { petId: string }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { show(petId).then(setShown, setError); }, [petId]);
  if (error) return <main><ErrorNote error={error} /><Link to="/">Back to the dashboard</Link></main>;
  if (!shown) return <main><Loading what="the certificate" /></main>;
  return <Certificate shown={shown} />;
}

function Certificate({ shown }: { shown: Shown }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(shown.file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [shown.file]);
  const { record } = shown;
  return (
    <main className="door" data-testid="quick-show">
      <p><Link to="/">← Dashboard</Link></p>
      <h1>{shown.petName ? `${shown.petName}: ` : ""}{record.vaccine}</h1>
      <p className="door-status"><StatusChip status={record.status} />{" "}
        {record.expires_on ? `valid until ${record.expires_on}, ${daysLeftText(record.expires_on, shown.today)}` : "no expiry date"}
      </p>
      {record.administered_on && <p>Given {record.administered_on}{record.clinic ? ` at ${record.clinic}` : ""}</p>}
      {shown.takenAt && (
        <p className="banner" role="status" data-testid="taken-at">
          Shown from this device: copy taken {new Date(shown.takenAt).toLocaleString()}.
        </p>
      )}
      {url && (shown.file.type.startsWith("image/")
        ? <img className="certificate" src={url} alt={`${record.vaccine} certificate`} data-testid="certificate" />
        : <iframe className="certificate" src={url} title={`${record.vaccine} certificate`} data-testid="certificate"
            data-bytes={shown.file.size} />)}
    </main>
  );
}
