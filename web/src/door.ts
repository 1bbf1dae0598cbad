// Door mode: after each online dashboard load, the copy the door needs is kept on the device.
import { api } from "./api";
import { hasCertificate, keepCertificates, saveCertificate, saveHousehold } from "./offline";
import { doorRecords } from "./status";
import type { Dashboard } from "./types";

interface DocumentLink { url: string; expires_in: number }

// Pets and record metadata first, then each valid record's file, rabies first; files already kept stay.
export async function keepForTheDoor(user: string, dashboard: Dashboard): Promise<void> {
  const now = new Date();
  await saveHousehold(user, dashboard, now);
  const records = doorRecords(dashboard.pets);
  await keepCertificates(dashboard.household.id, records.map((r) => r.id));
  for (const record of records) {
    if (await hasCertificate(record.id)) continue;
    const link = await api<DocumentLink>(`/pets/${record.pet_id}/records/${record.id}/document`);
    const file = await fetch(link.url);
    if (file.ok) await saveCertificate(dashboard.household.id, record.id, await file.blob(), now);
  }
}
