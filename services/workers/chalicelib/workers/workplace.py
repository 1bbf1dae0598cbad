"""What the handlers work with, handed to them as arguments: S3, the two buckets, the table, egress and the time."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.workers.extraction_jobs import Reader
from chalicelib.workers.objects import Objects
from pawport.store import Store


@dataclass(frozen=True)
class Workplace:
    objects: Objects
    uploads_bucket: str
    jobs_bucket: str
    store: Store                    # its TTL rule reads the same clock
    clock: Callable[[], datetime]   # timezone-aware UTC
    reader: Reader                  # egress's extract function
