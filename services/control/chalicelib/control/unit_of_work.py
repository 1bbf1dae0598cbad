"""The unit of work of a control action: one Aurora transaction holding the change, its audit
row and its outbox entry; the relay marker written before it commits; the outbox relay right
after, and the marker cleared once the relay has published. The session is a row of the wake
ledger under the action's declared name (the Database writes it)."""
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from chalicelib.control import outbox
from chalicelib.control.database import Database
from chalicelib.control.models import AuditEntry
from chalicelib.control.projection import Operation
from chalicelib.control.repositories import (
    AuditLog,
    Households,
    Invitations,
    MailSuppressions,
    Members,
    Passports,
    Pets,
    Records,
    Reminders,
)
from pawport.auth import Caller
from pawport.llm_budget import Budgets

# (household id, upload id) -> the draft's body from DynamoDB, or None
DraftFinder = Callable[[str, str], dict | None]


@dataclass(frozen=True)
class Context:
    """Who acts, under which request, at what time (the clock is injected)."""
    caller: Caller
    request_id: str
    now: datetime


class Markers(Protocol):
    def mark(self, now: datetime) -> str: ...
    def clear(self, *markers: str) -> None: ...


class Relay(Protocol):
    def __call__(self, database: Database, now: datetime, action: str, request_id: str | None) -> bool: ...


class UnitOfWork(Protocol):
    """What a handler sees: the caller, the time, the repositories, and where the audit row and
    the projection's changes go."""
    ctx: Context
    households: Households
    members: Members
    pets: Pets
    records: Records
    invitations: Invitations
    passports: Passports
    reminders: Reminders
    audit_log: AuditLog
    suppressions: MailSuppressions
    find_draft: DraftFinder
    budgets: Budgets   # the household LLM budgets' counters in DynamoDB (asks reserve before handing over)

    def audit(self, household_id: uuid.UUID | None, action: str, target: str, details: dict | None = None) -> None: ...
    def publish(self, household_id: uuid.UUID | None, operations: list[Operation]) -> None: ...


class SqlUnitOfWork:
    def __init__(self, database: Database, ctx: Context, action: str, markers: Markers, relay: Relay,
                 find_draft: DraftFinder, budgets: Budgets):
        self.ctx, self.find_draft, self.budgets = ctx, find_draft, budgets
        self._database, self._action, self._markers, self._relay = database, action, markers, relay
        self._stack = ExitStack()

    def __enter__(self) -> "SqlUnitOfWork":
        self._marker = self._markers.mark(self.ctx.now)
        try:
            self._session = self._stack.enter_context(self._database.transaction(self._action, self.ctx.request_id))
        except BaseException:
            self._markers.clear(self._marker)
            raise
        for name, repository in (("households", Households), ("members", Members), ("pets", Pets),
                                 ("records", Records), ("invitations", Invitations), ("passports", Passports),
                                 ("reminders", Reminders), ("audit_log", AuditLog),
                                 ("suppressions", MailSuppressions)):
            setattr(self, name, repository(self._session))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            self._stack.__exit__(kind, error, trace)   # commits, or rolls back and answers 409/503
        except BaseException:
            self._markers.clear(self._marker)   # rolled back: nothing is owed
            raise
        if error is not None:
            self._markers.clear(self._marker)
            return
        if self._relay(self._database, self.ctx.now, f"{self._action}:relay", self.ctx.request_id):
            self._markers.clear(self._marker)

    def audit(self, household_id: uuid.UUID | None, action: str, target: str, details: dict | None = None) -> None:
        self._session.add(AuditEntry(household_id=household_id, actor_user_id=self.ctx.caller.user_id,
                                     action=action, target=target, request_id=self.ctx.request_id, at=self.ctx.now,
                                     details=details))

    def publish(self, household_id: uuid.UUID | None, operations: list[Operation]) -> None:
        outbox.record(self._session, household_id, operations, self.ctx.now)
