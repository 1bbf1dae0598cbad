"""EventBridge scheduled rules: rate and cron expressions fired on an injected clock.

A schedule invokes its function asynchronously, so a failed invocation is retried twice,
one and then two minutes later, with the same event (Lambda's defaults for async invocations).
"""
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice.app import ScheduledEventConfig, ScheduleExpression
from croniter import croniter

from devstack.runner_lambda import Function, Outcome, invoke, log_delivery

RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
ASYNC_RETRY_DELAYS = (60, 120)


def expression_of(config: ScheduledEventConfig) -> str:
    expression = config.schedule_expression
    return expression.to_string() if isinstance(expression, ScheduleExpression) else expression


def rate_seconds(expression: str) -> int | None:
    """rate(5 minutes) -> 300; None for a cron expression."""
    match = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression.strip())
    if not match:
        return None
    if match[2] not in RATE_UNITS:
        raise ValueError(f"unknown rate unit in {expression!r}")
    return int(match[1]) * RATE_UNITS[match[2]]


def croniter_expression(expression: str) -> str:
    """AWS's cron(min hour day-of-month month day-of-week year) as croniter's seven fields.

    `?` means any; AWS numbers days of the week 1-7 from Sunday, croniter 0-6; `nL` (last
    weekday n of the month) is croniter's `Ln`. The seconds field croniter wants is always 0.
    """
    match = re.fullmatch(r"cron\((.+)\)", expression.strip())
    fields = match[1].split() if match else []
    if len(fields) != 6:
        raise ValueError(f"not an AWS cron expression (six fields): {expression!r}")
    minutes, hours, day_of_month, month, day_of_week, year = [f.replace("?", "*") for f in fields]
    if "W" in day_of_month.upper():
        raise ValueError(f"the W (nearest weekday) wildcard is not supported locally: {expression!r}")
    return " ".join([minutes, hours, day_of_month, month, _day_of_week(day_of_week), "0", year])


def _day_of_week(field: str) -> str:
    last = re.fullmatch(r"(\d)L", field)
    if last:
        return f"L{int(last[1]) - 1}"
    # Shift every day number, but not the n of `day#n` nor a step after `/`.
    return re.sub(r"(?<![#/\d])\d+", lambda m: str(int(m[0]) - 1), field)


@dataclass
class _Retry:
    due: float
    event: dict
    attempt: int


class Schedule:
    """One scheduled rule and the function it targets."""

    def __init__(self, config: ScheduledEventConfig, function: Function, rule_arn: str, region: str,
                 account: str, start: float) -> None:
        self.function = function
        self.expression = expression_of(config)
        self._rule_arn = rule_arn
        self._region = region
        self._account = account
        self._interval = rate_seconds(self.expression)
        self._cron = None if self._interval else croniter_expression(self.expression)
        self._start = start
        self._next = self._following(start)  # a rate rule first fires one interval after its creation
        self._retries: list[_Retry] = []
        self.label = f"schedule:{self.expression}"

    def _following(self, after: float) -> float:
        if self._interval:
            elapsed = (after - self._start) // self._interval + 1
            return self._start + elapsed * self._interval
        return croniter(self._cron, datetime.fromtimestamp(after, UTC)).get_next(float)

    def poll(self, now: float) -> int:
        """Fires once if due (missed occurrences are not made up) and runs due retries."""
        fired = 0
        if now >= self._next:
            self.fire(now)
            self._next, fired = self._following(now), 1
        for retry in [r for r in self._retries if r.due <= now]:
            self._retries.remove(retry)
            self._deliver(retry.event, retry.attempt, now)
            fired += 1
        return fired

    def fire(self, at: float) -> Outcome:
        return self._deliver(self._event(at), 0, at)

    def _deliver(self, event: dict, attempt: int, now: float) -> Outcome:
        outcome = invoke(self.function, event)
        retrying = outcome.failed and attempt < len(ASYNC_RETRY_DELAYS)
        if retrying:
            self._retries.append(_Retry(now + ASYNC_RETRY_DELAYS[attempt], event, attempt + 1))
        label = "ok" if not outcome.failed else "error, will retry" if retrying else "error, retries exhausted"
        log_delivery(self.label, self.function, 1, label, outcome.error)
        return outcome

    def _event(self, at: float) -> dict[str, Any]:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self._account,
            "time": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": [self._rule_arn],
            "detail": {},
        }
