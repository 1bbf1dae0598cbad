"""Running a named control action: one transaction, then the outbox relay."""
from datetime import UTC, datetime
from typing import Callable, TypeVar

from chalice.app import Request

from pawport.http import caller, request_id
from chalicelib.control import outbox, projection_store
from chalicelib.control.database import Database
from chalicelib.control.households import Context

Result = TypeVar("Result")


def context_of(request: Request, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Context:
    return Context(caller=caller(request), request_id=request_id(request), now=clock())


def perform(database: Database, ctx: Context, action: Callable[..., Result], *args: object) -> Result:
    with database.transaction() as session:
        result = action(session, ctx, *args)
    outbox.relay_after_commit(database, projection_store.apply, ctx.now)
    return result


def relay_pending(database: Database, now: datetime) -> int:
    return outbox.relay(database, projection_store.apply, now)

