"""Aurora's awake time under auto-pause, computed from the wake ledger. Pure: no database here.

An Aurora Serverless v2 cluster with 0 ACU minimum pauses once no connection has been open for
its pause delay (SecondsUntilAutoPause, 300 s by default). Each session control opened keeps it
awake over [opened, closed + pause delay]; the cluster is awake over the union of those
intervals, and each separate stretch of that union began with a resume.

A connection attempt that found the cluster paused opened no session, but the resume started
then: it counts as a session opened at that moment, so the resume is charged to the action that
made the attempt (wake-ahead), not to the commit that follows it."""
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


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
    attempts: int = 0   # connection attempts that found it paused (they woke it, and opened no session)

    @property
    def awake_hours(self) -> float:
        return self.awake_seconds / 3600


def awake(sessions: Iterable[Opened], pause_delay: timedelta, until: datetime | None = None,
          attempts: Iterable[Opened] = ()) -> AwakeReport:
    """The union of [start, end + pause delay] over the sessions and the failed attempts; `until`
    cuts the last stretch at the end of the period reported on (a month's report does not count the
    next month's minutes). An attempt and a session opened at the same moment: the attempt woke it."""
    ordered, attempted = list(sessions), list(attempts)
    awake_seconds, resumes = 0.0, Counter[str]()
    stretch: tuple[datetime, datetime] | None = None   # the (start, end) awake right now
    woke = sorted([(a, 0) for a in attempted] + [(s, 1) for s in ordered], key=lambda e: (e[0].started_at, e[1]))
    for session, _ in woke:
        end = session.started_at + timedelta(seconds=session.seconds) + pause_delay
        if stretch is not None and session.started_at <= stretch[1]:
            stretch = (stretch[0], max(stretch[1], end))   # still awake: this session extends the stretch
            continue
        if stretch is not None:
            awake_seconds += _length(*stretch, until)
        stretch = (session.started_at, end)
        resumes[session.action] += 1
    if stretch is not None:
        awake_seconds += _length(*stretch, until)
    return AwakeReport(sessions=len(ordered), resumes=sum(resumes.values()), awake_seconds=awake_seconds,
                       resumes_by_action=dict(resumes.most_common()),
                       sessions_by_action=dict(Counter(s.action for s in ordered).most_common()),
                       attempts=len(attempted))


def _length(start: datetime, end: datetime, until: datetime | None) -> float:
    if until is not None:
        end = min(end, until)
    return max(0.0, (end - start).total_seconds())


def summary(report: AwakeReport, pause_delay: timedelta, period_hours: float | None = None) -> str:
    """The report as a few lines of text (`make wakes`, the month benchmark)."""
    lines = [f"sessions opened   {report.sessions}",
             f"failed attempts   {report.attempts} (found it paused: each started a resume)",
             f"resumes           {report.resumes}",
             f"awake             {report.awake_hours:.2f} h = {report.awake_seconds / 60:.0f} min"
             f" (pause delay {pause_delay.total_seconds():.0f} s)"]
    if period_hours:
        lines.append(f"awake share       {report.awake_hours / period_hours:.1%} of {period_hours:.0f} h")
    actions = list(report.sessions_by_action) + [a for a in report.resumes_by_action
                                                 if a not in report.sessions_by_action]
    width = max(map(len, actions), default=0)
    lines += [f"  {action:<{width}}  {report.sessions_by_action.get(action, 0):>6} sessions"
              f"  {report.resumes_by_action.get(action, 0):>4} resumes" for action in actions]
    return "\n".join(lines)
