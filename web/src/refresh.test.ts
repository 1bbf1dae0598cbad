import { afterEach, describe, expect, it, vi } from "vitest";
import { MARGIN_MS, needsRefresh, refreshDelay, scheduleRefresh, tokenExpiry } from "./refresh";
import { retryAfterMs } from "./api";

const jwt = (exp: number) => `h.${btoa(JSON.stringify({ exp, sub: "u" })).replace(/=+$/, "")}.s`;

afterEach(() => vi.useRealTimers());

describe("token refresh", () => {
  it("reads the expiry from the token", () => {
    expect(tokenExpiry(jwt(1_800_000_000))).toBe(1_800_000_000_000);
  });

  it("is due a margin before the token expires, not at expiry", () => {
    const expires = 10_000_000;
    expect(refreshDelay(expires, expires - MARGIN_MS - 60_000)).toBe(60_000);
    expect(needsRefresh(expires, expires - MARGIN_MS - 1)).toBe(false);
    expect(needsRefresh(expires, expires - MARGIN_MS)).toBe(true);
    expect(needsRefresh(expires, expires + 1)).toBe(true);
  });

  it("fires the refresh before expiry, and never spins on an expired token", () => {
    vi.useFakeTimers();
    const now = Date.now();
    const refresh = vi.fn();
    scheduleRefresh(now + 60 * 60_000, refresh);
    vi.advanceTimersByTime(55 * 60_000 - 1);
    expect(refresh).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(1);

    const again = vi.fn();
    scheduleRefresh(now - 1000, again);    // already expired: a few seconds, not a tight loop
    vi.advanceTimersByTime(4_999);
    expect(again).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(again).toHaveBeenCalledTimes(1);
  });

  it("can be cancelled (signing out)", () => {
    vi.useFakeTimers();
    const refresh = vi.fn();
    const cancel = scheduleRefresh(Date.now() + 10 * 60_000, refresh);
    cancel();
    vi.advanceTimersByTime(60 * 60_000);
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe("waking up", () => {
  it("waits what Retry-After says, bounded", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs("600")).toBe(30_000);
    expect(retryAfterMs(null)).toBe(2000);
    expect(retryAfterMs("soon")).toBe(2000);
  });
});
