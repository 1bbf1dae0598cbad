import { describe, expect, it } from "vitest";
import { options, summary, toggled, windowLabel } from "./reminders";

describe("reminder windows", () => {
  it("offers 30, 7 and 0 days, and any other window already chosen, longest first", () => {
    expect(options([30, 0])).toEqual([30, 7, 0]);
    expect(options([14, 0])).toEqual([30, 14, 7, 0]);
    expect(options([])).toEqual([30, 7, 0]);
  });

  it("ticks and unticks a window, keeping each once, longest first", () => {
    expect(toggled([30, 0], 7, true)).toEqual([30, 7, 0]);
    expect(toggled([30, 7, 0], 7, true)).toEqual([30, 7, 0]);
    expect(toggled([30, 7, 0], 30, false)).toEqual([7, 0]);
    expect(toggled([0], 0, false)).toEqual([]);
  });

  it("says in words what will be mailed, or that nothing will", () => {
    expect(windowLabel(0)).toBe("On the last valid day");
    expect(windowLabel(1)).toBe("1 day before");
    expect(summary([30, 7, 0])).toBe("You are mailed 30 days before, 7 days before and on the last valid day.");
    expect(summary([7])).toBe("You are mailed 7 days before.");
    expect(summary([])).toBe("You get no reminder mail.");
  });
});
