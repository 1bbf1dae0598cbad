"""The month replay end to end on a stack of its own: four busy households for four days through
the real services (uploads through workers, egress and the local reader; invitations mailed by
workers through SES), every call counted, and the wake report read from the ledger it left."""
from pathlib import Path

import pytest
import yaml

from bench import passports
from bench.month import replay
from bench.replay import HOT_PATH
from bench.trace import PASSPORT_SCHEDULES, Trace, generate, load_behaviour

# trace kind -> the control action it performs, as the wake ledger names it
COMMITS = {"create_household": "create_household", "add_pet": "add_pet", "approve_record": "approve_record",
           "update_record": "update_record", "invitation": "invite", "accept_invitation": "accept",
           "role_change": "change_role", "ask": "ask_question",
           "publish_passport": "create_passport"}


def busy() -> dict:
    """Every action type within four days: rates far above the reference month's."""
    behaviour = load_behaviour()
    behaviour["vet_visits"]["per_pet_per_year"] = 60
    behaviour["invitation"] |= {"per_month": 10, "accept_within_hours": [1, 12]}
    behaviour["role_change"]["per_month"] = 10
    behaviour["ask"]["per_month"] = 10
    behaviour["members"]["second_member_share"] = 1.0
    behaviour["households"]["joining_share"] = 0.5
    behaviour["edits"] |= {"per_approval": 1.0, "within_days": [0.1, 1]}
    return behaviour


@pytest.fixture(scope="module")
def trace() -> Trace:
    return passports.with_publishing(generate(busy(), 4, 4))   # as the replay draws it


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> dict:
    behaviour = tmp_path_factory.mktemp("behaviour") / "busy.yaml"
    behaviour.write_text(yaml.safe_dump(busy(), sort_keys=False))   # the order of weights is part of the draw
    return replay(4, 4, Path(behaviour))


@pytest.mark.slow
def test_every_action_type_is_replayed_or_reported_skipped(week: dict, trace: Trace) -> None:
    assert week["errors"] == {}, week["log"]
    replayed = {kind: counts["events"] for kind, counts in week["by_kind"].items()}
    assert replayed | week["skipped"] == trace.counts()
    assert week["skipped"] == {}
    assert set(COMMITS) <= set(replayed)
    counts = trace.counts()
    assert week["drafts_at_review"] == {"ready": counts["approve_record"]}
    assert week["llm"]["extractions"] == counts["upload"]


@pytest.mark.slow
def test_reads_sweeps_and_reminders_never_touch_postgres_and_invitations_are_mailed(week: dict) -> None:
    for kind in (*HOT_PATH, "sweep_outbox", "remind_due_records", *PASSPORT_SCHEDULES):
        assert not any(k.startswith("postgres.") for k in week["by_kind"][kind]), kind
    assert week["by_kind"]["dashboard"]["dynamodb.Query"] == week["by_kind"]["dashboard"]["events"]
    assert week["by_kind"]["invitation"]["ses.SendEmail"] == week["by_kind"]["invitation"]["events"]


@pytest.mark.slow
def test_every_commit_is_a_named_wake_and_the_wake_ahead_is_what_resumes(week: dict) -> None:
    wakes = week["wakes"]
    for kind, action in COMMITS.items():
        assert wakes["sessions_by_action"][action] == wakes["sessions_by_action"][f"{action}:relay"] >= 1, kind
    # commits found Aurora already awake: only a wake-ahead or the weekly operator report resumes it
    assert set(wakes["resumes_by_action"]) <= {"warmup", "operator_aggregates"}
    assert wakes["sessions_by_action"]["operator_aggregates"] == week["by_kind"]["operator_report"]["events"] == 1
    assert 300 / 3600 < wakes["awake_hours"] < 4 * 24
