"""The month replay end to end on a stack of its own: a week of four households through the real
services (uploads through workers, egress and the local reader), every call counted, and the
wake report read from the ledger the replay left."""
import pytest

from bench.month import replay
from bench.replay import HOT_PATH


@pytest.fixture(scope="module")
def week() -> dict:
    return replay(4, 7)   # the smallest seeded slice with uploads, a wake-ahead and approvals


@pytest.mark.slow
def test_the_week_replays_without_errors_and_counts_every_action(week: dict) -> None:
    assert week["errors"] == {}
    counted = {kind: counts["events"] for kind, counts in week["by_kind"].items()}
    assert counted == {"dashboard": 10, "quick_show": 1, "upload": 2, "list_drafts": 1, "warmup": 1,
                       "approve_record": 2, "sweep_outbox": 1008}
    assert week["skipped"] == {"passport_view": 1}
    assert week["drafts_at_review"] == {"ready": 2} and week["llm"]["extractions"] == 2


@pytest.mark.slow
def test_reads_and_sweeps_never_touch_postgres(week: dict) -> None:
    for kind in (*HOT_PATH, "sweep_outbox"):
        assert not any(k.startswith("postgres.") for k in week["by_kind"][kind]), kind
    assert week["by_kind"]["dashboard"]["dynamodb.Query"] == 10


@pytest.mark.slow
def test_every_session_is_in_the_wake_report(week: dict) -> None:
    wakes = week["wakes"]
    assert wakes["sessions_by_action"] == {"warmup": 1, "approve_record": 2, "approve_record:relay": 2}
    assert wakes["resumes_by_action"] == {"warmup": 1}     # the wake-ahead woke it; the approvals found it awake
    assert 300 / 3600 < wakes["awake_hours"] < 0.2
