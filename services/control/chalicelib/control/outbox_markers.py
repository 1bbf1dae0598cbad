"""Markers in the main table that say "an outbox relay may be owed", so the scheduled sweep can
tell, without waking Aurora, whether it needs to connect at all.

An action writes its marker before it commits and clears it once its relay has published. A
marker left behind means the invocation died in between (or its relay failed): only then does
the sweep open a connection. Markers are work state: they expire on their own."""
import uuid
from datetime import datetime, timedelta

from pawport.store import Delete, Item, Put, Store

PARTITION = "OUTBOX"
KEEP = timedelta(days=30)


class OutboxMarkers:
    def __init__(self, store: Store):
        self._store = store

    def mark(self, now: datetime) -> str:
        marker = f"PENDING#{now.isoformat()}#{uuid.uuid4()}"
        self._store.write(Put(Item(PARTITION, marker, kind="outbox-marker", expires_at=now + KEEP)))
        return marker

    def clear(self, *markers: str) -> None:
        for marker in markers:
            self._store.write(Delete(PARTITION, marker))

    def older_than(self, cutoff: datetime) -> list[str]:
        """Markers written before cutoff (the sort key starts with the time, so this is one Query)."""
        return [item.sk for item in self._store.query(PARTITION, sk_below=f"PENDING#{cutoff.isoformat()}")]
