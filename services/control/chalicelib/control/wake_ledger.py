"""The wake ledger: one row per database session control opens.

The row is written on the session's own connection right after its work commits or rolls back,
so the ledger costs one INSERT on a connection that is already open: it never wakes Aurora, nor
keeps it awake past the action. Failed actions are recorded too (they woke it all the same).
A session whose connection was lost cannot be recorded there; it is logged instead. A warmup
whose one attempt found Aurora paused opened no session: it is kept in the table instead
(wake_attempts.py), and the reports read both."""
import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from chalicelib.control.models import Wake
from chalicelib.control.wake_report import Opened

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WakeEntry:
    action: str
    request_id: str | None
    household_id: uuid.UUID | None
    started_at: datetime
    connect_ms: int
    duration_ms: int
    outcome: str   # "commit" or "rollback"


def record(connection: Connection, entry: WakeEntry) -> None:
    """Best effort: the action's outcome stands whether or not its ledger row could be written."""
    try:
        connection.execute(insert(Wake).values(**asdict(entry)))
        connection.commit()
    except SQLAlchemyError:
        log.exception("wake ledger row not written: %s", entry)


def opened_between(session: Session, since: datetime, until: datetime) -> list[Opened]:
    """The sessions opened in [since, until), as the awake report reads them."""
    rows = session.execute(select(Wake.action, Wake.started_at, Wake.duration_ms)
                           .where(Wake.started_at >= since, Wake.started_at < until).order_by(Wake.started_at))
    return [Opened(action, started_at, duration_ms / 1000) for action, started_at, duration_ms in rows]
