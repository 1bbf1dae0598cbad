"""The transactional outbox. A change and the projection writes that describe it commit together;
the relay publishes pending entries afterwards, in order. A crash between commit and publish
leaves entries pending for the next relay (nothing lost); a replay rewrites items at the same
version, which the conditional put makes a no-op (nothing duplicated)."""
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chalicelib.control.database import Database
from chalicelib.control.models import OutboxEntry
from chalicelib.control.projection import Operation, as_kept

log = logging.getLogger(__name__)
Publisher = Callable[[Iterable[Operation]], None]


def record(session: Session, household_id: uuid.UUID | None, operations: list[Operation], now: datetime) -> None:
    session.add(OutboxEntry(household_id=household_id, operations={"operations": operations}, created_at=now))


def relay(database: Database, publish: Publisher, now: datetime, action: str = "outbox_relay",
          request_id: str | None = None, batch: int = 100) -> int:
    """Publish pending entries oldest first; returns how many were published.

    Rows stay locked (SKIP LOCKED) while publishing, so two relays never interleave an entry.
    If publishing fails the transaction rolls back and every entry of the batch stays pending.
    """
    published = 0
    while True:
        with database.transaction(action, request_id) as session:
            entries = session.scalars(select(OutboxEntry).where(OutboxEntry.published_at.is_(None))
                                      .order_by(OutboxEntry.id).limit(batch).with_for_update(skip_locked=True)).all()
            for entry in entries:
                publish(entry.operations["operations"])
                entry.operations = {"operations": [as_kept(o) for o in entry.operations["operations"]]}
                entry.published_at = now
        published += len(entries)
        if len(entries) < batch:
            return published


def relay_after_commit(database: Database, publish: Publisher, now: datetime, action: str,
                       request_id: str | None) -> bool:
    """Best effort right after an action: on failure the entries wait for the next relay."""
    try:
        relay(database, publish, now, action, request_id)
        return True
    except Exception:
        log.exception("outbox relay failed; entries stay pending for the next relay")
        return False
