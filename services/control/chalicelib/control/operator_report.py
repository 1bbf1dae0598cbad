"""The month's operator aggregates: Aurora's awake time and resumes, active households, LLM spend.

control holds the numbers (the wake ledger and the audit log are in Aurora, the warmup attempts
that found it paused in DynamoDB, chalicelib/control/wake_attempts.py) but cannot reach
CloudWatch from the VPC: workers invoke `operator_aggregates` weekly and publish what it returns
(services/workers/chalicelib/workers/operator_metrics.py). Counts only, never a tenant's data.
It is a named control action: its session wakes Aurora (once a week) and is a row of the ledger."""
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from chalicelib.control import wake_ledger
from chalicelib.control.database import Database
from chalicelib.control.models import AuditEntry
from chalicelib.control.registry import action, name_of
from chalicelib.control.wake_attempts import WakeAttempts
from chalicelib.control.wake_report import Opened, awake
from pawport import llm_usage
from pawport.keys import llm_usage_key

Counters = Callable[[str], dict[str, float]]   # a key's live counters in DynamoDB, by name


def month_of(event: dict, now: datetime) -> tuple[datetime, datetime]:
    """[first day, first day of the next month) in UTC: the event's `month` ("2026-03"), else now's."""
    start = datetime.strptime(event["month"], "%Y-%m").replace(tzinfo=UTC) if event.get("month") \
        else now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, (start + timedelta(days=32)).replace(day=1)


def aggregates(session: Session, start: datetime, end: datetime, now: datetime, pause_delay: timedelta,
               llm_use: dict[str, float], attempted: list[Opened]) -> dict:
    """The period's figures up to now (month to date while the month runs); LLM use from the month's
    live counters in DynamoDB (pawport/llm_usage.py), which workers keep, not Aurora.

    Active households: those with at least one audit entry in the period. Every committed change to
    a household (pets, records, members, invitations) and every read of its audit log writes one,
    so a household counts when its people did something that reached Aurora; dashboard views,
    quick shows and uploads never reach Aurora and do not count. Awake time and resumes count the
    attempts that found Aurora paused (`attempted`, read up to now): a resume is charged to what
    caused it."""
    until = min(end, now)
    report = awake(wake_ledger.opened_between(session, start, until), pause_delay, until, attempted)
    active = session.scalar(select(func.count(distinct(AuditEntry.household_id)))
                            .where(AuditEntry.at >= start, AuditEntry.at < until, AuditEntry.household_id.is_not(None)))
    return {"period": {"start": start.isoformat(), "end": end.isoformat(), "until": until.isoformat()},
            "awake_hours": report.awake_hours, "resumes": report.resumes, "sessions": report.sessions,
            "active_households": active} | llm_usage.as_figures(llm_use)


@action("operator_aggregates")
def operator_aggregates(database: Database, event: dict, request_id: str | None, pause_delay: timedelta,
                        counters: Counters, attempts: WakeAttempts) -> dict:
    """One session on the wake ledger's clock: the ledger rows it reads were written on that clock.
    The LLM counters and the wake attempts are read first, so the session is not held open across
    a DynamoDB call."""
    now = database.now()
    start, end = month_of(event, now)
    llm_use = counters(llm_usage_key(llm_usage.month_of(start)))
    attempted = attempts.opened_between(start, min(end, now))
    with database.transaction(name_of(operator_aggregates), request_id) as session:
        return aggregates(session, start, end, now, pause_delay, llm_use, attempted)
