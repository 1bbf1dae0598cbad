import { describe, expect, it } from "vitest";
import { daysLeft, daysLeftText, doorRecord, look, mostUrgent, restated, statusOn } from "./status";
import type { PetView, RecordView, Status } from "./types";

const record = (vaccine: string, status: Status, extra: Partial<RecordView> = {}): RecordView => ({
  id: `${vaccine}-${status}`, pet_id: "p", vaccine, administered_on: null, expires_on: null, clinic: null,
  status, has_document: true, ...extra,
});
const pet = (records: RecordView[]): PetView => ({ id: "p", name: "Ollie", species: "dog", status: "current", records, drafts: 0 });

describe("status colours and labels", () => {
  it("gives each status its colour and a label in words", () => {
    expect(look("current")).toEqual({ colour: "#1e7b34", label: "Current" });
    expect(look("due")).toEqual({ colour: "#b25e00", label: "Due soon" });
    expect(look("expired")).toEqual({ colour: "#b3261e", label: "Expired" });
    expect(look("no-records").colour).toBe(look("no-expiry").colour);   // none: grey
    const labels = (["current", "due", "expired", "no-expiry", "no-records"] as Status[]).map((s) => look(s).label);
    expect(new Set(labels).size).toBe(5);
  });

  it("rings a pet in its most urgent status", () => {
    expect(mostUrgent(["current", "due", "no-expiry"])).toBe("due");
    expect(mostUrgent(["current", "expired", "due"])).toBe("expired");
    expect(mostUrgent([])).toBe("no-records");
  });
});

describe("days left", () => {
  it("counts to the last valid day, then past it", () => {
    expect(daysLeft("2026-12-12", "2026-12-02")).toBe(10);
    expect(daysLeftText("2026-12-02", "2026-12-02")).toBe("last valid day today");
    expect(daysLeftText("2026-12-03", "2026-12-02")).toBe("1 day left");
    expect(daysLeftText("2026-12-01", "2026-12-02")).toBe("expired 1 day ago");
    expect(daysLeftText(null, "2026-12-02")).toBe("no expiry date");
  });

  it("restates a kept copy's status on a later day, as the api would", () => {
    expect(statusOn("2027-02-01", "2026-12-02")).toBe("current");
    expect(statusOn("2027-01-01", "2026-12-02")).toBe("due");      // within 30 days
    expect(statusOn("2026-12-01", "2026-12-02")).toBe("expired");
    const later = restated(pet([record("Rabies", "current", { expires_on: "2026-12-20" })]), "2026-12-21");
    expect(later.records[0].status).toBe("expired");
    expect(later.status).toBe("expired");
  });
});

describe("the certificate for the door", () => {
  it("shows rabies first, only valid records with a file", () => {
    const chosen = doorRecord(pet([record("DHPP", "current"), record("Rabies", "due"), record("Rabies", "expired")]));
    expect(chosen?.id).toBe("Rabies-due");
    expect(doorRecord(pet([record("Rabies", "current", { has_document: false }), record("DHPP", "no-expiry")]))?.id)
      .toBe("DHPP-no-expiry");
    expect(doorRecord(pet([record("Rabies", "expired")]))).toBeNull();
  });
});
