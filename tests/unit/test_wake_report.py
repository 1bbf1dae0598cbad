"""Aurora's awake time under auto-pause: the union of [start, end + pause delay] per session, and
one resume per separate stretch of that union."""
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest

from chalicelib.control import wake_report

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PAUSE = timedelta(seconds=300)


@pytest.fixture(scope="module")
def report() -> ModuleType:
    return wake_report


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


def test_a_failed_attempt_charges_the_resume_to_what_made_it(report) -> None:
    # wake-ahead found it paused at 0 (no session, no ledger row); the commit 30 s later rode its resume
    attempt, commit = opened(report, "warmup", 0, seconds=2), opened(report, "approve_record", 0.5)
    result = report.awake([commit], PAUSE, attempts=[attempt])
    assert (result.resumes, result.resumes_by_action) == (1, {"warmup": 1})
    assert (result.sessions, result.attempts, result.sessions_by_action) == (1, 1, {"approve_record": 1})
    assert result.awake_seconds == 30 + 1 + 300   # from the attempt, when the resume started


def test_without_the_attempt_the_commit_that_follows_is_charged(report) -> None:
    result = report.awake([opened(report, "approve_record", 0.5)], PAUSE)
    assert result.resumes_by_action == {"approve_record": 1}


def test_an_attempt_at_the_same_moment_as_a_session_woke_it(report) -> None:
    result = report.awake([opened(report, "add_pet", 0)], PAUSE, attempts=[opened(report, "warmup", 0)])
    assert result.resumes_by_action == {"warmup": 1}


def test_an_attempt_inside_an_awake_stretch_is_no_resume(report) -> None:
    # an attempt that failed while the cluster was awake (a timeout) woke nothing; it counts as activity
    result = report.awake([opened(report, "add_pet", 0), opened(report, "add_pet", 60)], PAUSE,
                          attempts=[opened(report, "warmup", 2)])
    assert (result.resumes, result.resumes_by_action) == (2, {"add_pet": 2})
    assert result.awake_seconds == (120 + 1 + 300) + 301   # the first stretch runs to the attempt's pause delay


def test_attempts_alone_are_stretches_of_their_own(report) -> None:
    result = report.awake([], PAUSE, attempts=[opened(report, "warmup", 0), opened(report, "warmup", 60)],
                          until=T0 + timedelta(minutes=61))
    assert (result.sessions, result.attempts, result.resumes) == (0, 2, 2)
    assert result.awake_seconds == 301 + 60


def test_the_summary_names_an_action_that_only_attempted(report) -> None:
    text = report.summary(report.awake([], PAUSE, attempts=[opened(report, "warmup", 0)]), PAUSE)
    assert "failed attempts   1" in text
    assert any(line.split()[:5] == ["warmup", "0", "sessions", "1", "resumes"] for line in text.splitlines())
