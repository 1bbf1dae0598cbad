"""The local stack: PostgreSQL as Aurora, moto as AWS, an event runner as Lambda's event sources.

Used by `make dev`, `make test` and the benchmarks; never shipped with a service.
"""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("api", "control", "egress", "workers")
