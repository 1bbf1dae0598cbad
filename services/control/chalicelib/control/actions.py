"""Running a named control action: one transaction, then the outbox relay."""
import time
from datetime import UTC, datetime, timedelta
from typing import Callable, TypeVar

from chalice.app import Request
from sqlalchemy import text

from pawport.errors import Unavailable
from pawport.http import caller, request_id
from chalicelib.control import outbox, outbox_markers, projection_store
from chalicelib.control.database import Database
from chalicelib.control.households import Context

Result = TypeVar("Result")
# An action's own relay finishes within its invocation; a marker older than this was abandoned.
ABANDONED_AFTER = timedelta(minutes=2)
SWEEP = "sweep_outbox"   # the scheduled handler in app.py: the name its sessions have in the wake ledger


def context_of(request: Request, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Context:
    return Context(caller=caller(request), request_id=request_id(request), now=clock())


def perform(database: Database, ctx: Context, action: Callable[..., Result], *args: object) -> Result:
    marker = outbox_markers.mark(ctx.now)
    try:
        with database.transaction(action.__name__, ctx.request_id) as session:
            result = action(session, ctx, *args)
    except Exception:
        outbox_markers.clear(marker)  # rolled back: nothing is owed
        raise
    if outbox.relay_after_commit(database, projection_store.apply, ctx.now, f"{action.__name__}:relay",
                                 ctx.request_id):
        outbox_markers.clear(marker)
    return result


def warm_up(database: Database, ctx: Context) -> dict:
    """Wake-ahead: clients call it when a screen that will commit opens (review a draft, manage
    members), so that a resume overlaps the user's typing. One connection attempt, no waiting:
    a paused cluster starts resuming on the attempt and the answer says it was asleep."""
    started = time.perf_counter()
    try:
        with database.transaction("warmup", ctx.request_id) as session:
            session.execute(text("SELECT 1"))
    except Unavailable:
        return {"awake": False, "waited_ms": round((time.perf_counter() - started) * 1000)}
    return {"awake": True, "waited_ms": round((time.perf_counter() - started) * 1000)}


def sweep_abandoned(database: Database, now: datetime) -> int:
    """Relay what interrupted actions left behind; opens no connection when nothing is owed."""
    abandoned = outbox_markers.older_than(now - ABANDONED_AFTER)
    if not abandoned:
        return 0
    published = outbox.relay(database, projection_store.apply, now, SWEEP)
    outbox_markers.clear(*abandoned)
    return published
