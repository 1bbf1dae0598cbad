"""Passport view counts, from the CDN's access logs: a viewer reaches no function and no database,
so the views are counted afterwards, from the standard log files CloudFront writes to the logs
bucket (the local static server writes the same). An hourly job counts each new file once (claimed
in the table before its views are added) into a live counter per passport in its household's
partition, which the owners' list shows.

The count is approximate, and said so: CloudFront delivers standard logs on a best-effort basis
(late, and rarely not at all), a file whose job crashes between its claim and its additions adds
nothing, and views after a passport is revoked or expires are not counted."""
import gzip
import re
from collections import Counter
from datetime import datetime, timedelta

from chalicelib.workers.objects import Objects
from pawport.keys import ACCESS_LOG_SK, PASSPORT_SK, access_log_key, household_key, passport_key, passport_views_sk
from pawport.store import Add, Item, Put, Refused, Store

PAGE_VIEW = re.compile(r"^/p/([A-Za-z0-9_-]{22,64})/(index\.html)?$")
VIEWED = {"200", "304"}
CLAIM_DAYS = 15   # longer than the logs bucket keeps a file (infra/base-stack.yaml)


def count_views(store: Store, objects: Objects, bucket: str, prefix: str, now: datetime) -> int:
    """Count every log file not counted before; returns how many views were added."""
    added = 0
    for key in sorted(objects.keys(bucket, prefix)):
        if not _claim(store, key, now):
            continue
        data = objects.read(bucket, key) or b""
        for token, views in page_views(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).items():
            added += _add(store, token, views)
    return added


def page_views(log: bytes) -> Counter[str]:
    """Page views by token in one W3C log file (the #Fields line names the columns, as CloudFront writes it)."""
    views: Counter[str] = Counter()
    fields: list[str] = []
    for line in log.decode("utf-8", "replace").splitlines():
        if line.startswith("#Fields:"):
            fields = line.removeprefix("#Fields:").split()
        elif line and not line.startswith("#") and fields:
            row = dict(zip(fields, line.split("\t"), strict=False))
            match = PAGE_VIEW.match(row.get("cs-uri-stem", ""))
            if match and row.get("cs-method") == "GET" and row.get("sc-status") in VIEWED:
                views[match[1]] += 1
    return views


def _claim(store: Store, key: str, now: datetime) -> bool:
    claim = Put(Item(access_log_key(key), ACCESS_LOG_SK, "access-log", 0, {},
                     expires_at=now + timedelta(days=CLAIM_DAYS)), store.absent())
    return not isinstance(store.write(claim), Refused)


def _add(store: Store, token: str, views: int) -> int:
    shared = store.get(passport_key(token), PASSPORT_SK)
    if shared is None:
        return 0   # revoked or expired: nobody will read its count
    body = shared.body
    store.write(Add(household_key(body["household_id"]), passport_views_sk(body["id"]), views))
    return views
