// The api and control on the app's own origin (/api, /control): no CORS preflight on one bar of signal.
import { idToken, SignedOut } from "./auth";

export class ApiError extends Error {
  // `body`: the answer's own fields (a 402 says what is left and when it resets)
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown> = {}) { super(message); }
}

type Waking = (waking: boolean) => void;
let onWaking: Waking = () => undefined;

// The screen that shows "waking up, one moment" while control waits for Aurora.
export function setWakingListener(listener: Waking): void {
  onWaking = listener;
}

const MAX_WAKE_WAIT_MS = 120_000;

export function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : 2000;
}

async function send(path: string, init: RequestInit, force = false): Promise<Response> {
  const token = await idToken(force);
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  if (init.body) headers.set("Content-Type", "application/json");
  return fetch(path, { ...init, headers });
}

// One call: a 401 refreshes the token once; a 503 (Aurora resuming) waits Retry-After and tries again.
export async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const started = Date.now();
  let answer = await send(path, init);
  if (answer.status === 401) answer = await send(path, init, true);
  try {
    while (answer.status === 503 && Date.now() - started < MAX_WAKE_WAIT_MS) {
      onWaking(true);
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs(answer.headers.get("Retry-After"))));
      answer = await send(path, init);
    }
  } finally {
    onWaking(false);
  }
  if (answer.status === 401) throw new SignedOut();
  const text = await answer.text();
  const payload = text ? JSON.parse(text) : {};
  if (!answer.ok) throw new ApiError(answer.status, payload.message ?? `request failed (${answer.status})`, payload);
  return payload as T;
}

export const api = <T>(path: string, init?: RequestInit) => call<T>(`/api${path}`, init);
export const control = <T>(path: string, init?: RequestInit) => call<T>(`/control${path}`, init);

export function post<T>(path: string, body: unknown, base = control): Promise<T> {
  return base<T>(path, { method: "POST", body: JSON.stringify(body) });
}
