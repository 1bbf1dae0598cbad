"""The reference month's trace: deterministic, the same household whatever N is, every commit
preceded by a wake-ahead, and the features not built yet drawn all the same."""
from datetime import timedelta
from itertools import pairwise

import pytest

from bench.trace import SWEEP, Trace, generate, load_behaviour

COMMITS = ("create_household", "add_pet", "approve_record", "update_record", "invitation", "accept_invitation",
           "role_change")


@pytest.fixture(scope="module")
def month() -> Trace:
    return generate(load_behaviour(), 200)


def test_the_same_seed_gives_the_same_month(month: Trace) -> None:
    assert generate(load_behaviour(), 200) == month
    other = load_behaviour() | {"seed": 7}
    assert generate(other, 200).events != month.events


def test_a_household_behaves_the_same_whatever_the_number_of_households(month: Trace) -> None:
    small = generate(load_behaviour(), 20)
    assert small.households == month.households[:20]
    assert small.events == [e for e in month.events if e.household < 20]


def test_events_are_in_time_order_within_the_month(month: Trace) -> None:
    assert month.end - month.start == timedelta(days=30)
    assert all(month.start <= a.at <= b.at < month.end for a, b in pairwise(month.events))


def test_control_sweeps_every_ten_minutes_whatever_n_is(month: Trace) -> None:
    assert month.counts()["sweep_outbox"] == 30 * 24 * 6
    assert all(e.household == SWEEP for e in month.events if e.kind == "sweep_outbox")


def test_every_commit_follows_a_wake_ahead_of_its_household(month: Trace) -> None:
    warmups: dict[int, list] = {}
    for event in month.events:
        if event.kind == "warmup":
            warmups.setdefault(event.household, []).append(event.at)
        elif event.kind in COMMITS:
            last = max(warmups.get(event.household, []), default=None)
            assert last is not None and timedelta(0) < event.at - last <= timedelta(minutes=10), event


def test_approvals_and_edits_refer_to_earlier_uploads(month: Trace) -> None:
    seen: dict[str, set[str]] = {}
    for event in month.events:
        if event.kind in ("upload", "approve_record", "update_record"):
            seen.setdefault(event.ref, set()).add(event.kind)
            needed = {"approve_record": "upload", "update_record": "approve_record"}.get(event.kind)
            assert needed is None or needed in seen[event.ref], event


def test_invitations_are_accepted_later_and_roles_change_only_where_there_is_a_second_member(month: Trace) -> None:
    invited = {e.ref: e.at for e in month.events if e.kind == "invitation"}
    accepted = [e for e in month.events if e.kind == "accept_invitation"]
    assert accepted and all(invited[e.ref] + timedelta(hours=1) <= e.at for e in accepted)
    pairs = {h.index for h in month.households if h.members == 2}
    changes = [e for e in month.events if e.kind == "role_change"]
    assert changes and all(e.household in pairs for e in changes)


def test_workers_schedules_run_daily_and_weekly_whatever_n_is(month: Trace) -> None:
    runs = [e.at for e in month.events if e.kind == "remind_due_records"]
    reports = [e.at for e in month.events if e.kind == "operator_report"]
    assert len(runs) == 30 and all(at.hour == 7 for at in runs)
    assert len(reports) == 5 and all(at.weekday() == 0 and at.hour == 6 for at in reports)  # June 2026's Mondays
    hourly = [month.counts()[kind] for kind in ("sweep_expired_passports", "count_passport_views")]
    assert hourly == [30 * 24, 30 * 24]   # 1,440 invocations a month between them


def test_passport_views_and_asks_are_drawn_too(month: Trace) -> None:
    assert all(month.counts().get(kind, 0) > 0 for kind in ("passport_view", "ask"))


def test_rates_follow_the_behaviour_file(month: Trace) -> None:
    behaviour, counts = load_behaviour(), month.counts()
    weeks = 30 / 7 * len(month.households)
    # the per-week rate (joiners only from the day they join), plus the dashboard each upload sitting opens on
    assert 0.9 <= counts["dashboard"] / weeks / behaviour["dashboard"]["per_week"] <= 1.2
    joiners = sum(1 for h in month.households if h.joins_at)
    assert 0.02 <= joiners / len(month.households) <= 0.09        # joining_share 0.05
    assert counts["create_household"] == joiners
