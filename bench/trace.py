"""The reference month's trace: what N households do in a month, drawn from bench/behaviour.yaml.

Deterministic: household k draws from its own generator seeded with (seed, k), so the same seed
gives the same month, and household k's month is the same whatever N is. Events at a household's
local waking hours; commits come in sittings (upload, then review and approve), each screen that
will commit preceded by POST /warmup, as the clients do."""
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

BEHAVIOUR = Path(__file__).with_name("behaviour.yaml")
SWEEP = -1   # the household of a schedule (control's sweep, workers' reminder run and report): none
PASSPORT_SCHEDULES = ("sweep_expired_passports", "count_passport_views")   # workers' hourly ones, by handler


@dataclass(frozen=True)
class Household:
    index: int
    time_zone: str
    records: tuple[int, ...]          # per pet: records on file at the start (a joiner's backlog)
    joins_at: datetime | None = None  # None: a member before the month starts
    members: int = 1                  # at the start: the owner, and a partner as editor in some


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    household: int
    pet: int | None = None
    ref: str | None = None            # an upload, named so that its approval and edit can find it


@dataclass(frozen=True)
class Trace:
    start: datetime
    end: datetime
    households: list[Household]
    events: list[Event]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in self.events:
            counts[event.kind] = counts.get(event.kind, 0) + 1
        return counts


def load_behaviour(path: Path = BEHAVIOUR) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def generate(behaviour: dict[str, Any], households: int, days: int | None = None) -> Trace:
    start = datetime.fromisoformat(behaviour["month"]["start"])
    end = start + timedelta(days=days or behaviour["month"]["days"])
    made = [_Month(behaviour, k, start, end) for k in range(households)]
    # Sorting is stable: events of one household at one moment keep the order they were drawn in.
    events = sorted([*schedules(behaviour, start, end), *(e for month in made for e in month.events)],
                    key=lambda e: (e.at, e.household))
    return Trace(start, end, [m.household for m in made], events)


def schedules(behaviour: dict[str, Any], start: datetime, end: datetime) -> list[Event]:
    """The month's scheduled work, the same whatever the number of households."""
    sweeps = [Event(start + timedelta(minutes=m), "sweep_outbox", SWEEP)
              for m in range(0, int((end - start).total_seconds() // 60), behaviour["sweep_outbox"]["every_minutes"])]
    passports = [Event(start + timedelta(minutes=m), kind, SWEEP)
                 for m in range(0, int((end - start).total_seconds() // 60), behaviour["passport_schedules"]["every_minutes"])
                 for kind in PASSPORT_SCHEDULES]
    days = [start + timedelta(days=d) for d in range((end - start).days)]
    runs = [Event(day.replace(hour=behaviour["reminder_run"]["at_utc_hour"]), "remind_due_records", SWEEP)
            for day in days]
    report = behaviour["operator_report"]
    reports = [Event(day.replace(hour=report["at_utc_hour"]), "operator_report", SWEEP)
               for day in days if day.weekday() == report["weekday"]]
    return [*sweeps, *passports, *runs, *reports]


class _Month:
    """One household's month."""

    def __init__(self, b: dict[str, Any], index: int, start: datetime, end: datetime) -> None:
        self.b, self.start, self.end = b, start, end
        self.rng = random.Random(f"{b['seed']}/{index}")
        shape = b["households"]
        self.zone = ZoneInfo(self._pick(shape["time_zones"]))
        records = tuple(int(self._pick(shape["records_per_pet"])) for _ in range(int(self._pick(shape["pets"]))))
        joins_at = self._moment(start, end) if self.rng.random() < shape["joining_share"] else None
        partner = self.rng.random() < b["members"]["second_member_share"] and joins_at is None
        self.household = Household(index, self.zone.key, records, joins_at, 2 if partner else 1)
        self.events: list[Event] = []
        self.uploads = 0
        if joins_at:
            self._join(joins_at)
        self._draw()

    def _draw(self) -> None:
        since = self.household.joins_at or self.start
        share = (self.end - since) / timedelta(days=30)   # rates are per 30 days
        pets = range(len(self.household.records))
        weeks = (self.end - since) / timedelta(days=7)
        self._at_random("dashboard", self.b["dashboard"]["per_week"] * weeks, since)
        for pet in pets:
            self._at_random("quick_show", self.b["quick_show"]["per_pet_per_month"] * share, since, pet)
            self._at_random("passport_view", self.b["passport_view"]["per_pet_per_month"] * share, since, pet)
            for _ in range(self._poisson(self.b["vet_visits"]["per_pet_per_year"] / 12 * share)):
                visit = self._moment(since, self.end)
                sitting = self._moment(visit, visit + timedelta(days=self.b["vet_visits"]["upload_within_days"]))
                self._sitting(sitting, [pet] * int(self._pick(self.b["vet_visits"]["certificates"])))
        if len(pets) < 3 and self._poisson(self.b["new_pet"]["per_month"] * share):
            self._committing(self._moment(since, self.end), "add_pet")
        for n in range(self._poisson(self.b["invitation"]["per_month"] * share)):
            self._invitation(self._moment(since, self.end), f"i{self.household.index}.{n + 1}")
        if self.household.members > 1:
            for _ in range(self._poisson(self.b["role_change"]["per_month"] * share)):
                self._committing(self._moment(since, self.end), "role_change")
        for _ in range(self._poisson(self.b["ask"]["per_month"] * share)):   # the ask box wakes Aurora ahead
            self._committing(self._moment(since, self.end), "ask")

    def _invitation(self, at: datetime | None, ref: str) -> None:
        """An owner invites; the invitee accepts later from the mailed code (both screens commit)."""
        if at is not None:
            self._committing(at, "invitation", ref=ref)
            low, high = self.b["invitation"]["accept_within_hours"]
            self._committing(self._moment(at + timedelta(hours=low), at + timedelta(hours=high)),
                             "accept_invitation", ref=ref)

    def _join(self, at: datetime) -> None:
        """Sign up, add the pets, then upload and approve the backlog in the same sitting."""
        self._committing(at, "create_household")
        for pet in range(len(self.household.records)):
            self._committing(at + timedelta(minutes=1 + pet), "add_pet", pet)
        backlog = [pet for pet, count in enumerate(self.household.records) for _ in range(count)]
        self._sitting(at + timedelta(minutes=5), backlog, review_at_once=True)

    def _sitting(self, at: datetime | None, pets: list[int], review_at_once: bool = False) -> None:
        if at is None or not pets:
            return
        steps = self.b["vet_visits"]
        self._add(at, "dashboard")                                 # the app opens on the dashboard
        refs = []
        for n, pet in enumerate(pets):
            self.uploads += 1
            refs.append((pet, f"u{self.household.index}.{self.uploads}"))
            self._add(at + timedelta(seconds=10 + n * steps["seconds_between_uploads"]), "upload", pet, refs[-1][1])
        review = at + timedelta(seconds=10 + len(pets) * steps["seconds_between_uploads"] + steps["seconds_before_review"])
        if not (review_at_once or self.rng.random() < steps["review_at_once"]):
            review = self._moment(review + timedelta(hours=12), review + timedelta(days=2))
            if review is None:
                return
        self._add(review, "warmup")                                # the review screen opens
        for pet in sorted(set(pets)):
            self._add(review + timedelta(seconds=5), "list_drafts", pet)
        for n, (pet, ref) in enumerate(refs):
            approved = review + timedelta(seconds=(n + 1) * steps["seconds_per_approval"])
            self._add(approved, "approve_record", pet, ref)
            if self.rng.random() < self.b["edits"]["per_approval"]:
                low, high = self.b["edits"]["within_days"]
                self._committing(self._moment(approved + timedelta(days=low), approved + timedelta(days=high)),
                                 "update_record", pet, ref)

    def _committing(self, at: datetime | None, kind: str, pet: int | None = None, ref: str | None = None) -> None:
        """A screen that commits: the client calls POST /warmup when it opens, the commit follows."""
        if at is not None:
            self._add(at - timedelta(seconds=30), "warmup")
            self._add(at, kind, pet, ref)

    def _at_random(self, kind: str, rate: float, since: datetime, pet: int | None = None) -> None:
        for _ in range(self._poisson(rate)):
            self._add(self._moment(since, self.end), kind, pet)

    def _add(self, at: datetime | None, kind: str, pet: int | None = None, ref: str | None = None) -> None:
        if at is not None and self.start <= at < self.end:
            self.events.append(Event(at, kind, self.household.index, pet, ref))

    def _moment(self, after: datetime, before: datetime) -> datetime | None:
        """A moment in [after, before) at a local hour people use the app; None if there is none."""
        first, last = after.astimezone(self.zone).date(), before.astimezone(self.zone).date()
        for _ in range(20):
            day = first + timedelta(days=self.rng.randint(0, (last - first).days))
            at = _local(day, int(self._pick(self.b["households"]["hour_weights"])), self.rng.randrange(3600), self.zone)
            if after <= at < before:
                return at
        return None

    def _pick(self, weights: dict) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _poisson(self, rate: float) -> int:
        limit, n, product = math.exp(-rate), 0, self.rng.random()
        while product > limit:
            n, product = n + 1, product * self.rng.random()
        return n


def _local(day: date, hour: int, second: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC) + timedelta(seconds=second)
