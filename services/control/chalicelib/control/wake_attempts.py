"""Connection attempts that found Aurora paused: the half of the wake record the ledger cannot hold.

Wake-ahead connects once and gives up at once when the cluster is paused; the attempt started a
resume but opened no session, so there is no connection to write a ledger row on. Without a record
of it the resume would be charged to the commit that follows. The attempt is written to DynamoDB
instead (control reaches it through the VPC's gateway endpoint, no NAT), and the awake report reads
both: an attempt counts as a session opened at that moment.

DynamoDB may hold it because it is TTL-bound work state: a record of a resume kept long enough for
the reports that read it (the operator report's month, `make wakes`' 30 days), then gone on its own."""
import logging
import uuid
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.control.wake_report import Opened
from pawport.keys import wake_attempt_key, wake_attempt_sk
from pawport.store import Item, Put, Store

log = logging.getLogger(__name__)
KIND = "wake-attempt"
KEEP = timedelta(days=62)   # longer than any period reported on: a whole month read at its end, 30 days


class WakeAttempts:
    def __init__(self, store: Store):
        self._store = store

    def record(self, action: str, request_id: str | None, started_at: datetime, waited_ms: int,
               now: datetime) -> None:
        """Best effort, as the ledger's rows are: the action answers whether or not this is written.
        `started_at` is on the wake ledger's clock; `now` is the table's, which the TTL runs on."""
        started = started_at.astimezone(UTC)
        item = Item(wake_attempt_key(started.strftime("%Y-%m")), wake_attempt_sk(started.isoformat(), str(uuid.uuid4())),
                    kind=KIND, body={"action": action, "request_id": request_id, "started_at": started.isoformat(),
                                     "waited_ms": waited_ms},
                    expires_at=now + KEEP)
        try:
            self._store.write(Put(item))
        except (BotoCoreError, ClientError):
            log.exception("wake attempt not recorded: %s at %s", action, started.isoformat())

    def opened_between(self, since: datetime, until: datetime) -> list[Opened]:
        """The attempts made in [since, until), as the awake report reads them: one Query a month."""
        since, until = since.astimezone(UTC), until.astimezone(UTC)
        return [Opened(item.body["action"], datetime.fromisoformat(item.body["started_at"]),
                       item.body["waited_ms"] / 1000)
                for month in _months(since, until)
                for item in self._store.query(wake_attempt_key(month), sk_below=until.isoformat())
                if item.sk >= since.isoformat()]


def _months(since: datetime, until: datetime) -> list[str]:
    """The months [since, until) touches, as "yyyy-mm"."""
    months, month = [], since.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while month < until:
        months.append(month.strftime("%Y-%m"))
        month = (month + timedelta(days=32)).replace(day=1)
    return months
