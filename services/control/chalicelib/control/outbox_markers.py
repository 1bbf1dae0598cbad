"""DynamoDB markers that say "an outbox relay may be owed", so the scheduled sweep can tell,
without waking Aurora, whether it needs to connect at all.

An action writes its marker before it commits and clears it once its relay has published. A
marker left behind means the invocation died in between (or its relay failed): only then does
the sweep open a connection. Markers are TTL-bound work state (rule 4)."""
import uuid
from datetime import datetime, timedelta

from pawport.table import TableItem

PARTITION = "OUTBOX"
KEEP = timedelta(days=30)


def mark(now: datetime) -> str:
    marker = f"PENDING#{now.isoformat()}#{uuid.uuid4()}"
    TableItem(PARTITION, marker, kind="outbox-marker", expires_at=now + KEEP).save()
    return marker


def clear(*markers: str) -> None:
    for marker in markers:
        TableItem(PARTITION, marker).delete()


def older_than(cutoff: datetime) -> list[str]:
    """Markers written before cutoff (the sort key starts with the time, so this is one Query)."""
    return [item.sk for item in TableItem.query(PARTITION, TableItem.sk < f"PENDING#{cutoff.isoformat()}")]
