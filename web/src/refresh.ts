// When to refresh the Cognito tokens: a few minutes before the Id token expires, so no request
// ever leaves with a token that lapses on the way (the api and control refuse one at its `exp`).
export const MARGIN_MS = 5 * 60_000;
const SOONEST_MS = 5_000;

export function tokenExpiry(jwt: string): number {
  const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload)).exp * 1000;
}

export function tokenClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload));
}

// Milliseconds until the refresh is due: 0 when it already is.
export function refreshDelay(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, expiresAtMs - MARGIN_MS - nowMs);
}

export function needsRefresh(expiresAtMs: number, nowMs: number): boolean {
  return refreshDelay(expiresAtMs, nowMs) === 0;
}

// A timer for the next refresh; never tighter than a few seconds, so a failing refresh cannot spin.
export function scheduleRefresh(expiresAtMs: number, refresh: () => void, now: () => number = Date.now): () => void {
  const timer = setTimeout(refresh, Math.max(SOONEST_MS, refreshDelay(expiresAtMs, now())));
  return () => clearTimeout(timer);
}
