"""Passports in the month replay: each household that has a passport viewed publishes one first
(a control action, then workers publishing from the table's stream), and each view is a stranger's
phone reading the page and its QR code through the CDN — the local one (devstack/static_server.py),
in this process, so that the S3 GETs behind it are counted. A view reaches no Lambda and no
database, and the meter shows it: the replay reports both counts."""
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3

from bench.trace import Event, Trace
from devstack.ports import free_port
from devstack.stack import Stack
from devstack.static_server import AccessLog, BucketOrigin, Route, StaticServer

VIEWED = ("", "qr.svg")          # the page, and the QR image it shows
NEVER = 10 * 365 * 24 * 3600     # the access log is not delivered during the month: AWS writes it, not us


def with_publishing(trace: Trace) -> Trace:
    """The trace with a `publish_passport` event a minute before each household's first view, its
    share screen waking Aurora ahead (POST /warmup) as every screen that commits does."""
    first: dict[int, Event] = {}
    for event in trace.events:
        if event.kind == "passport_view":
            first.setdefault(event.household, event)
    published = [Event(e.at - timedelta(minutes=1, seconds=seconds), kind, e.household) for e in first.values()
                 for seconds, kind in ((30, "warmup"), (0, "publish_passport"))]
    return replace(trace, events=sorted([*trace.events, *published], key=lambda e: (e.at, e.household)))


def cdn(stack: Stack) -> StaticServer:
    """The local CDN in front of the stack's passports bucket, reading it with its own client."""
    s3 = boto3.client("s3", endpoint_url=stack.moto_url)
    return StaticServer(free_port(), [Route("/p/", BucketOrigin(s3, stack.resources.buckets["passports"]))],
                        AccessLog(s3, stack.resources.buckets["logs"], flush_seconds=NEVER)).start()


def view(server: StaticServer, path: str, http: Any) -> tuple[int, int]:
    """One viewing: (requests, bytes) the CDN served."""
    sizes = []
    for name in VIEWED:
        answer = http.get(f"{server.url}{path}{name}", timeout=30)
        assert answer.status_code == 200, (path, name, answer.status_code)
        sizes.append(len(answer.content))
    return len(sizes), sum(sizes)
