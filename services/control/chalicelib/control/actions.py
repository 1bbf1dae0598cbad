"""Control's actions that are not a person's command: wake-ahead and the outbox sweep. Each is
declared with its wake-ledger name, as the handlers are."""
import time
from datetime import datetime, timedelta

from sqlalchemy import text

from chalicelib.control import outbox
from chalicelib.control.database import Database
from chalicelib.control.outbox import Publisher
from chalicelib.control.outbox_markers import OutboxMarkers
from chalicelib.control.registry import action, name_of
from chalicelib.control.responses import Warmth
from chalicelib.control.unit_of_work import Context
from chalicelib.control.wake_attempts import WakeAttempts
from pawport.errors import Unavailable

# An action's own relay finishes within its invocation; a marker older than this was abandoned.
ABANDONED_AFTER = timedelta(minutes=2)


@action("warmup")
def warm_up(database: Database, attempts: WakeAttempts, ctx: Context) -> Warmth:
    """Wake-ahead: clients call it when a screen that will commit opens (review a draft, manage
    members), so that a resume overlaps the user's typing. One connection attempt, no waiting:
    a paused cluster starts resuming on the attempt and the answer says it was asleep. That attempt
    opened no session, so it is recorded beside the ledger: the resume is the warmup's."""
    started_at, started = database.now(), time.perf_counter()
    try:
        with database.transaction(name_of(warm_up), ctx.request_id) as session:
            session.execute(text("SELECT 1"))
    except Unavailable:
        waited_ms = round((time.perf_counter() - started) * 1000)
        attempts.record(name_of(warm_up), ctx.request_id, started_at, waited_ms, ctx.now)
        return Warmth(awake=False, waited_ms=waited_ms)
    return Warmth(awake=True, waited_ms=round((time.perf_counter() - started) * 1000))


@action("sweep_outbox")
def sweep_abandoned(database: Database, markers: OutboxMarkers, publish: Publisher, now: datetime) -> int:
    """Relay what interrupted actions left behind; opens no connection when nothing is owed."""
    abandoned = markers.older_than(now - ABANDONED_AFTER)
    if not abandoned:
        return 0
    published = outbox.relay(database, publish, now, name_of(sweep_abandoned))
    markers.clear(*abandoned)
    return published
