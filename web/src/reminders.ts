// A member's own reminder windows: read from the api (the household's partition), changed in control.
import { api, control } from "./api";

export interface ReminderWindows { household_id: string; user_id: string; windows: number[]; chosen?: boolean }

export const CHOICES = [30, 7, 0];

// The boxes to show: the usual three and any other window the member chose elsewhere, longest first.
export function options(current: number[]): number[] {
  return [...new Set([...CHOICES, ...current])].sort((a, b) => b - a);
}

export function toggled(windows: number[], day: number, on: boolean): number[] {
  const kept = windows.filter((w) => w !== day);
  return (on ? [...kept, day] : kept).sort((a, b) => b - a);
}

export function windowLabel(day: number): string {
  if (day === 0) return "On the last valid day";
  return day === 1 ? "1 day before" : `${day} days before`;
}

export function summary(windows: number[]): string {
  if (windows.length === 0) return "You get no reminder mail.";
  const words = windows.map((d) => (d === 0 ? "on the last valid day" : windowLabel(d)));
  const listed = words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
  return `You are mailed ${listed}.`;
}

export function myWindows(householdId: string): Promise<ReminderWindows> {
  return api<ReminderWindows>(`/households/${householdId}/reminders`);
}

export function chooseWindows(householdId: string, windows: number[]): Promise<ReminderWindows> {
  return control<ReminderWindows>(`/households/${householdId}/reminders`, { method: "PUT", body: JSON.stringify({ windows }) });
}
