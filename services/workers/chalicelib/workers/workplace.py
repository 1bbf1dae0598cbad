"""What the handlers work with, handed to them as arguments: S3, the two buckets, and the time."""
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from chalicelib.workers.objects import Objects


@dataclass(frozen=True)
class Workplace:
    objects: Objects
    uploads_bucket: str
    jobs_bucket: str
    clock: Callable[[], datetime]   # timezone-aware UTC
