// Which household the app shows: the one chosen last on this device, else the first the person belongs to.
import { api, post } from "./api";
import { signedInUser } from "./auth";
import { keepHouseholds } from "./offline";
import type { Dashboard, Membership } from "./types";

const CHOSEN = "pawport.household";

export function chosenHousehold(): string | null {
  return localStorage.getItem(CHOSEN);
}

export function chooseHousehold(id: string): void {
  localStorage.setItem(CHOSEN, id);
}

// Every online load: the households this person belongs to now; copies of any other are wiped.
export async function myHouseholds(): Promise<Membership[]> {
  const { households } = await api<{ households: Membership[] }>("/me/households");
  const user = signedInUser();
  if (user) await keepHouseholds(user, households.map((h) => h.household_id));
  return households;
}

export async function currentHousehold(): Promise<Membership | null> {
  const households = await myHouseholds();
  const chosen = households.find((h) => h.household_id === chosenHousehold()) ?? households[0] ?? null;
  if (chosen) chooseHousehold(chosen.household_id);
  return chosen;
}

export function dashboard(householdId: string): Promise<Dashboard> {
  return api<Dashboard>(`/households/${householdId}/dashboard`);
}

export function createHousehold(name: string): Promise<{ household_id: string }> {
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  return post("/households", { name, time_zone: timeZone });
}

export function addPet(householdId: string, name: string, species: string): Promise<{ pet_id: string }> {
  return post(`/households/${householdId}/pets`, { name, species });
}
