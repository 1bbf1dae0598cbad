import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it } from "vitest";
import {
  certificate, doorCopy, hasCertificate, householdCopies, keepCertificates, keepHouseholds, saveCertificate, saveHousehold, wipeAll,
} from "./offline";
import { doorRecord } from "./status";
import type { Dashboard, RecordView } from "./types";

const rabies: RecordView = { id: "r-rabies", pet_id: "p-ollie", vaccine: "Rabies", administered_on: "2026-01-01",
  expires_on: "2029-01-01", clinic: null, status: "current", has_document: true };
const dhpp: RecordView = { ...rabies, id: "r-dhpp", vaccine: "DHPP" };

function view(householdId: string, records: RecordView[] = [rabies, dhpp]): Dashboard {
  return { household: { id: householdId, name: "The Parkers", time_zone: "Europe/London" }, role: "owner",
    today: "2026-12-02", attention: [],
    pets: [{ id: "p-ollie", name: "Ollie", species: "dog", status: "current", records, drafts: 0 }] };
}

const pdf = (text: string) => new Blob([text], { type: "application/pdf" });

beforeEach(wipeAll);

describe("the door copy", () => {
  it("keeps pets and certificates by record id, and shows rabies first", async () => {
    await saveHousehold("alice", view("h1"), new Date("2026-12-02T08:00:00Z"));
    await saveCertificate("h1", "r-dhpp", pdf("dhpp"), new Date());
    await saveCertificate("h1", "r-rabies", pdf("rabies"), new Date());
    const copy = await doorCopy("alice", "p-ollie", doorRecord);
    expect(copy?.record.id).toBe("r-rabies");
    expect(copy?.taken_at).toBe("2026-12-02T08:00:00.000Z");
    expect(await copy!.certificate.data.text()).toBe("rabies");
    expect(copy!.certificate.type).toBe("application/pdf");
  });

  it("is only the signed-in person's", async () => {
    await saveHousehold("alice", view("h1"), new Date());
    await saveCertificate("h1", "r-rabies", pdf("rabies"), new Date());
    expect(await doorCopy("bob", "p-ollie", doorRecord)).toBeNull();
    expect(await householdCopies("bob")).toEqual([]);
  });

  it("drops certificates of records no longer valid", async () => {
    await saveCertificate("h1", "r-rabies", pdf("rabies"), new Date());
    await saveCertificate("h1", "r-dhpp", pdf("dhpp"), new Date());
    await saveCertificate("h2", "r-other", pdf("other"), new Date());
    await keepCertificates("h1", ["r-dhpp"]);
    expect(await hasCertificate("r-rabies")).toBe(false);
    expect(await hasCertificate("r-dhpp")).toBe(true);
    expect(await hasCertificate("r-other")).toBe(true);   // another household's copy is left alone
  });

  it("wipes a household its member was removed from, at the next online load", async () => {
    await saveHousehold("alice", view("h1"), new Date());
    await saveHousehold("alice", view("h2", [{ ...rabies, id: "r-two" }]), new Date());
    await saveCertificate("h1", "r-rabies", pdf("rabies"), new Date());
    await saveCertificate("h2", "r-two", pdf("two"), new Date());
    await keepHouseholds("alice", ["h2"]);
    expect((await householdCopies("alice")).map((c) => c.household_id)).toEqual(["h2"]);
    expect(await certificate("r-rabies")).toBeUndefined();
    expect(await hasCertificate("r-two")).toBe(true);
  });

  it("is gone after signing out", async () => {
    await saveHousehold("alice", view("h1"), new Date());
    await saveCertificate("h1", "r-rabies", pdf("rabies"), new Date());
    await wipeAll();
    expect(await householdCopies("alice")).toEqual([]);
    expect(await hasCertificate("r-rabies")).toBe(false);
  });
});
