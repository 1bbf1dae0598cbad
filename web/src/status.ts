// Status in colour and in words: a colour is never the only sign (the label goes with it).
import type { PetView, RecordView, Status } from "./types";

export const URGENCY: Status[] = ["expired", "due", "current", "no-expiry", "no-records"];

interface Look { colour: string; label: string }

const LOOKS: Record<Status, Look> = {
  expired: { colour: "#b3261e", label: "Expired" },
  due: { colour: "#b25e00", label: "Due soon" },
  current: { colour: "#1e7b34", label: "Current" },
  "no-expiry": { colour: "#5f6368", label: "No expiry" },
  "no-records": { colour: "#5f6368", label: "No records" },
};

export function look(status: Status): Look {
  return LOOKS[status];
}

export function mostUrgent(statuses: Status[]): Status {
  return statuses.reduce<Status>((worst, s) => (URGENCY.indexOf(s) < URGENCY.indexOf(worst) ? s : worst),
    "no-records");
}

// Days from `today` to the expiry (0 on the last valid day, negative once expired); null without one.
export function daysLeft(expiresOn: string | null, today: string): number | null {
  if (!expiresOn) return null;
  return Math.round((Date.parse(expiresOn) - Date.parse(today)) / 86_400_000);
}

export function daysLeftText(expiresOn: string | null, today: string): string {
  const days = daysLeft(expiresOn, today);
  if (days === null) return "no expiry date";
  if (days < 0) return `expired ${-days} day${days === -1 ? "" : "s"} ago`;
  if (days === 0) return "last valid day today";
  return `${days} day${days === 1 ? "" : "s"} left`;
}

// Status as the api computes it, for a copy read offline on a later day.
export function statusOn(expiresOn: string | null, today: string): Status {
  const days = daysLeft(expiresOn, today);
  if (days === null) return "no-expiry";
  if (days < 0) return "expired";
  return days <= 30 ? "due" : "current";
}

const SHOWABLE: Status[] = ["current", "due", "no-expiry"];

// The certificate to hold up at the door: valid, with a document, rabies first (as the api's quick show).
export function doorRecord(pet: PetView): RecordView | null {
  const valid = pet.records.filter((r) => r.has_document && SHOWABLE.includes(r.status));
  const rank = (r: RecordView) => [r.vaccine.toLowerCase() === "rabies" ? 0 : 1, r.vaccine.toLowerCase()] as const;
  valid.sort((a, b) => {
    const [ra, va] = rank(a), [rb, vb] = rank(b);
    return ra - rb || va.localeCompare(vb);
  });
  return valid[0] ?? null;
}

// Valid records with a file, rabies first: the order the door copy is fetched in.
export function doorRecords(pets: PetView[]): RecordView[] {
  const all = pets.flatMap((p) => p.records.filter((r) => r.has_document && SHOWABLE.includes(r.status)));
  return all.sort((a, b) => Number(a.vaccine.toLowerCase() !== "rabies") - Number(b.vaccine.toLowerCase() !== "rabies"));
}

// A kept copy read on a later day: each record's status again for `today`, the pet's from them.
export function restated(pet: PetView, today: string): PetView {
  const records = pet.records.map((r) => ({ ...r, status: statusOn(r.expires_on, today) }));
  return { ...pet, records, status: records.length ? mostUrgent(records.map((r) => r.status)) : "no-records" };
}
