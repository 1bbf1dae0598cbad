"""Aurora's awake time under auto-pause: the union of [start, end + pause delay] per session, and
one resume per separate stretch of that union."""
import importlib
import sys
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest

from devstack import REPO

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PAUSE = timedelta(seconds=300)


@pytest.fixture(scope="module")
def report() -> ModuleType:
    sys.path.insert(0, str(REPO / "services" / "control"))
    try:
        return importlib.import_module("chalicelib.control.wake_report")
    finally:
        sys.path.remove(str(REPO / "services" / "control"))


def opened(report: ModuleType, action: str, minutes: float, seconds: float = 1.0):
    return report.Opened(action, T0 + timedelta(minutes=minutes), seconds)


def test_no_sessions_no_awake_time(report) -> None:
    result = report.awake([], PAUSE)
    assert (result.sessions, result.resumes, result.awake_seconds) == (0, 0, 0.0)


def test_one_session_is_awake_for_its_length_plus_the_pause_delay(report) -> None:
    result = report.awake([opened(report, "approve_record", 0, seconds=2)], PAUSE)
    assert (result.resumes, result.awake_seconds) == (1, 302)
    assert result.resumes_by_action == {"approve_record": 1}


def test_overlapping_sessions_count_once_and_resume_once(report) -> None:
    # the second starts 2 minutes into the first's pause delay: one stretch from 0 to 2 min + 1 s + 300 s
    result = report.awake([opened(report, "approve_record", 0), opened(report, "update_record", 2)], PAUSE)
    assert (result.resumes, result.awake_seconds) == (1, 120 + 1 + 300)
    assert result.resumes_by_action == {"approve_record": 1}
    assert result.sessions_by_action == {"approve_record": 1, "update_record": 1}


def test_a_session_inside_another_stretch_does_not_extend_it_backwards(report) -> None:
    long, short = opened(report, "sweep_outbox", 0, seconds=600), opened(report, "add_pet", 1)
    assert report.awake([short, long], PAUSE).awake_seconds == 600 + 300   # order of the input does not matter


def test_adjacent_sessions_join_without_a_resume(report) -> None:
    # the second opens exactly when the first's pause delay runs out: the cluster never paused
    result = report.awake([opened(report, "a", 0, seconds=0), opened(report, "b", 5, seconds=0)], PAUSE)
    assert (result.resumes, result.awake_seconds) == (1, 600)


def test_disjoint_sessions_each_resume(report) -> None:
    result = report.awake([opened(report, "a", 0), opened(report, "b", 60), opened(report, "a", 120)], PAUSE)
    assert (result.resumes, result.awake_seconds) == (3, 3 * 301)
    assert result.resumes_by_action == {"a": 2, "b": 1}


def test_until_cuts_the_last_stretch(report) -> None:
    result = report.awake([opened(report, "a", 0)], PAUSE, until=T0 + timedelta(seconds=100))
    assert result.awake_seconds == 100


def test_the_pause_delay_is_the_model(report) -> None:
    sessions = [opened(report, "a", 0), opened(report, "a", 10)]
    assert report.awake(sessions, timedelta(seconds=300)).resumes == 2
    assert report.awake(sessions, timedelta(seconds=900)).resumes == 1
    assert report.awake(sessions, timedelta(seconds=900)).awake_seconds == 600 + 1 + 900


def test_the_summary_names_each_action(report) -> None:
    text = report.summary(report.awake([opened(report, "approve_record", 0)], PAUSE), PAUSE, period_hours=720)
    assert "resumes           1" in text and "approve_record" in text and "of 720 h" in text
