import { describe, expect, it } from "vitest";
import { ApiError } from "./api";
import { type AskView, AskTimedOut, estimatedProgress, FIRST_POLL_MS, MAX_WAIT_MS, overBudget, pollDelay, untilSettled, usd } from "./asks";

const view = (status: AskView["status"]): AskView => ({
  request_id: "q1", status, question: "Is Ollie cleared?", answer: status === "answered" ? "Yes" : null,
  sufficient: status === "answered" ? true : null, records: [], reason: null, asked_at: null,
});

// A clock that moves only when the poller sleeps, and a read that answers from a script.
function harness(statuses: AskView["status"][]) {
  let clock = 0, reads = 0;
  const slept: number[] = [], waited: number[] = [];
  const poller = {
    read: async () => view(statuses[Math.min(reads++, statuses.length - 1)]),
    sleep: async (ms: number) => { slept.push(ms); clock += ms; },
    now: () => clock,
    onWait: (elapsed: number) => waited.push(elapsed),
  };
  return { poller, slept, waited, reads: () => reads };
}

describe("polling an ask", () => {
  it("polls every second at first, then backs off, never beyond five seconds", () => {
    expect([0, 1, 2, 3, 4].map(pollDelay)).toEqual(Array(5).fill(FIRST_POLL_MS));
    expect(pollDelay(5)).toBe(1500);
    expect(pollDelay(6)).toBe(2250);
    expect(pollDelay(50)).toBe(5000);
    const delays = Array.from({ length: 30 }, (_, i) => pollDelay(i));
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1])).toBe(true);
  });

  it("reads until the ask is no longer pending and returns what it settled as", async () => {
    const h = harness(["pending", "pending", "pending", "answered"]);
    expect((await untilSettled(h.poller))?.status).toBe("answered");
    expect(h.reads()).toBe(4);
    expect(h.slept).toEqual([1000, 1000, 1000]);
    expect(h.waited).toEqual([0, 1000, 2000]);
  });

  it("stops at refused and failed too, without sleeping when the first read settles", async () => {
    for (const status of ["refused", "failed"] as const) {
      const h = harness([status]);
      expect((await untilSettled(h.poller))?.status).toBe(status);
      expect(h.slept).toEqual([]);
    }
  });

  it("gives up after two minutes of pending", async () => {
    const h = harness(["pending"]);
    await expect(untilSettled(h.poller)).rejects.toBeInstanceOf(AskTimedOut);
    expect(h.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(MAX_WAIT_MS);
    expect(h.reads()).toBeLessThan(40);   // the backoff: not 120 reads of one a second
  });

  it("stops reading once the screen is left", async () => {
    const h = harness(["pending"]);
    let left = false;
    const sleep = async (ms: number) => { await h.poller.sleep(ms); left = h.slept.length >= 2; };
    expect(await untilSettled({ ...h.poller, sleep, cancelled: () => left })).toBeNull();
    expect(h.reads()).toBe(2);
  });

  it("shows progress that grows with the wait but never claims to be done", () => {
    expect(estimatedProgress(0)).toBe(0);
    expect(estimatedProgress(-5)).toBe(0);
    expect(estimatedProgress(2500)).toBeLessThan(estimatedProgress(5000));
    expect(estimatedProgress(600_000)).toBe(0.95);
  });
});

describe("an ask over budget", () => {
  it("reads what is left and when it resets from the 402", () => {
    const refusal = new ApiError(402, "over budget", { error: "PaymentRequired", budget_usd: 0.5, left_usd: 0, resets_on: "2027-01-01" });
    expect(overBudget(refusal)).toEqual({ budget_usd: 0.5, left_usd: 0, resets_on: "2027-01-01" });
  });

  it("is not any other refusal", () => {
    expect(overBudget(new ApiError(403, "role viewer may not do this"))).toBeNull();
    expect(overBudget(new Error("offline"))).toBeNull();
  });

  it("writes amounts in dollars and cents", () => {
    expect(usd(0.5)).toBe("$0.50");
    expect(usd(0)).toBe("$0.00");
    expect(usd(0.0002)).toBe("less than $0.01");
  });
});
