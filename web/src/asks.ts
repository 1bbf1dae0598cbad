// Asks: a question goes to control (202 and a request id), its answer is read from the api until
// it is no longer pending. The polling and its backoff are pure, so the tests drive them with a fake clock.
import { api, ApiError, post } from "./api";

export type AskStatus = "pending" | "answered" | "refused" | "failed";

export interface AskedRecord { record_id: string; pet_name: string; vaccine: string }

export interface AskView {
  request_id: string;
  status: AskStatus;
  question: string | null;
  answer: string | null;
  sufficient: boolean | null;
  records: AskedRecord[];
  reason: string | null;
  asked_at: string | null;
}

export interface Budget {
  month: string;
  budget_usd: number;
  reserved_usd: number;
  spent_usd: number;
  left_usd: number;
  resets_on: string;
}

// What a 402 says: nothing went out, this is what is left and when the month starts again.
export interface OverBudget { budget_usd: number; left_usd: number; resets_on: string }

export const FIRST_POLL_MS = 1000;
const LONGEST_POLL_MS = 5000;
export const MAX_WAIT_MS = 120_000;   // far beyond an answer's few seconds: past it, something failed
const TYPICAL_ANSWER_MS = 5000;

// An answer usually takes a few seconds: poll every second at first, then back off to every five.
export function pollDelay(attempt: number): number {
  return attempt < 5 ? FIRST_POLL_MS : Math.min(FIRST_POLL_MS * 1.5 ** (attempt - 4), LONGEST_POLL_MS);
}

// The bar's share (0–0.95) for an answer that typically takes TYPICAL_ANSWER_MS: it never reaches the end by waiting.
export function estimatedProgress(elapsedMs: number): number {
  return Math.round(0.95 * (1 - Math.exp(-Math.max(elapsedMs, 0) / TYPICAL_ANSWER_MS)) * 100) / 100;
}

export class AskTimedOut extends Error {
  constructor() { super("No answer came in two minutes. Please ask again."); }
}

export interface Poller {
  read: () => Promise<AskView>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  onWait?: (elapsedMs: number) => void;
  cancelled?: () => boolean;
}

// Reads until the ask is answered, refused or failed; null once cancelled (the screen was left).
export async function untilSettled({ read, sleep, now, onWait, cancelled }: Poller): Promise<AskView | null> {
  const started = now();
  for (let attempt = 0; ; attempt++) {
    if (cancelled?.()) return null;
    const view = await read();
    if (view.status !== "pending") return view;
    const elapsed = now() - started;
    if (elapsed >= MAX_WAIT_MS) throw new AskTimedOut();
    onWait?.(elapsed);
    await sleep(pollDelay(attempt));
  }
}

// The 402's figures when the ask was refused for the budget, else null.
export function overBudget(error: unknown): OverBudget | null {
  if (!(error instanceof ApiError) || error.status !== 402) return null;
  const { budget_usd, left_usd, resets_on } = error.body;
  return { budget_usd: Number(budget_usd ?? 0), left_usd: Number(left_usd ?? 0), resets_on: String(resets_on ?? "") };
}

// An ask costs a fraction of a cent: "$0.00 spent" after asking would look like nothing happened.
export function usd(amount: number): string {
  return amount > 0 && amount < 0.005 ? "less than $0.01" : `$${amount.toFixed(2)}`;
}

export function ask(householdId: string, question: string): Promise<{ request_id: string; reserved_usd: number }> {
  return post(`/households/${householdId}/asks`, { question });
}

export function readAsk(requestId: string): Promise<AskView> {
  return api<AskView>(`/asks/${requestId}`);
}

export function budget(householdId: string): Promise<Budget> {
  return api<Budget>(`/households/${householdId}/llm-budget`);
}
