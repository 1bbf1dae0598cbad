"""Aurora's awake time under auto-pause, computed from the wake ledger. Pure: no database here.

An Aurora Serverless v2 cluster with 0 ACU minimum pauses once no connection has been open for
its pause delay (SecondsUntilAutoPause, 300 s by default). Each session control opened keeps it
awake over [opened, closed + pause delay]; the cluster is awake over the union of those
intervals, and each separate stretch of that union began with a resume."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable


@dataclass(frozen=True)
class Opened:
    """One database session from the ledger: which action opened it, when, for how long."""
    action: str
    started_at: datetime
    seconds: float


@dataclass(frozen=True)
class AwakeReport:
    sessions: int
    resumes: int
    awake_seconds: float
    resumes_by_action: dict[str, int] = field(default_factory=dict)   # the action that woke it each time
    sessions_by_action: dict[str, int] = field(default_factory=dict)

    @property
    def awake_hours(self) -> float:
        return self.awake_seconds / 3600


def awake(sessions: Iterable[Opened], pause_delay: timedelta, until: datetime | None = None) -> AwakeReport:
    """The union of [start, end + pause delay] over the sessions; `until` cuts the last stretch at
    the end of the period reported on (a month's report does not count the next month's minutes)."""
    ordered = sorted(sessions, key=lambda s: s.started_at)
    awake_seconds, resumes = 0.0, Counter[str]()
    stretch_start: datetime | None = None
    stretch_end: datetime | None = None
    for session in ordered:
        end = session.started_at + timedelta(seconds=session.seconds) + pause_delay
        if stretch_end is not None and session.started_at <= stretch_end:
            stretch_end = max(stretch_end, end)   # still awake: this session extends the stretch
            continue
        if stretch_start is not None:
            awake_seconds += _length(stretch_start, stretch_end, until)
        stretch_start, stretch_end = session.started_at, end
        resumes[session.action] += 1
    if stretch_start is not None:
        awake_seconds += _length(stretch_start, stretch_end, until)
    return AwakeReport(sessions=len(ordered), resumes=sum(resumes.values()), awake_seconds=awake_seconds,
                       resumes_by_action=dict(resumes.most_common()),
                       sessions_by_action=dict(Counter(s.action for s in ordered).most_common()))


def _length(start: datetime, end: datetime, until: datetime | None) -> float:
    if until is not None:
        end = min(end, until)
    return max(0.0, (end - start).total_seconds())


def summary(report: AwakeReport, pause_delay: timedelta, period_hours: float | None = None) -> str:
    """The report as a few lines of text (`make wakes`, the month benchmark)."""
    lines = [f"sessions opened   {report.sessions}",
             f"resumes           {report.resumes}",
             f"awake             {report.awake_hours:.2f} h = {report.awake_seconds / 60:.0f} min"
             f" (pause delay {pause_delay.total_seconds():.0f} s)"]
    if period_hours:
        lines.append(f"awake share       {report.awake_hours / period_hours:.1%} of {period_hours:.0f} h")
    width = max(map(len, report.sessions_by_action), default=0)
    lines += [f"  {action:<{width}}  {count:>6} sessions  {report.resumes_by_action.get(action, 0):>4} resumes"
              for action, count in report.sessions_by_action.items()]
    return "\n".join(lines)
