"""Publishing passports: control's projection says what is shared, workers put the static artifact
under the token in the passports bucket, and take it down when the token item goes (revoked, or
expired: DynamoDB's TTL, and the hourly sweep that does not wait for TTL's lazy deletion).

Everything here is driven by the table as it stands, never by the event's image: a stream record
only says which tokens to look at. So events that come twice, or out of order, converge on the
same artifact, and the hash of what was last published (PASSPORT#<token>/PUBLISHED) makes a
republish that changes nothing a no-op. Aurora is never read: the household's partition holds
everything the page shows."""
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.workers.objects import Objects
from chalicelib.workers.passport_page import Origins, render
from pawport.contracts import PassportBody
from pawport.documents import is_household_file
from pawport.keys import (
    PASSPORT_SK,
    PUBLISHED_SK,
    household_key,
    passport_expiry_key,
    passport_expiry_sk,
    passport_key,
    passport_sk,
)
from pawport.passports import artifact_prefix, page_path
from pawport.store import Delete, Item, Put, Store

log = logging.getLogger(__name__)
TOKEN_PREFIX, HOUSEHOLD_PREFIX = passport_key(""), household_key("")
SHOWN_KINDS = ("RECORD#", "PET#", "PHOTO#")   # a change of these in a household may change its pages
CACHE_CONTROL = "public, max-age=300"      # what the CDN may keep between invalidations
SWEEP_DAYS_BACK = 3                        # the expiry index's own TTL, after the passport's
ISO = "%Y-%m-%dT%H:%M:%SZ"


class Distribution:
    """The CDN in front of the bucket: invalidation after a page changes or goes. Unset locally,
    where the static server caches nothing (devstack/static_server.py)."""

    def __init__(self, client: Callable[[], Any], distribution_id: str) -> None:
        self._client, self._id = client, distribution_id   # the client is made only when first needed

    def invalidate(self, token: str, reference: str) -> None:
        if not self._id:
            return
        self._client().create_invalidation(DistributionId=self._id, InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": [f"{page_path(token)}*"]}, "CallerReference": reference})


@dataclass(frozen=True)
class Press:
    """What publishing works with: the table, S3, both buckets, the CDN and where things are served."""
    store: Store
    objects: Objects
    bucket: str            # passports
    uploads_bucket: str    # where pets' photos are
    origins: Origins
    distribution: Distribution


def tokens_touched(press: Press, records: list[dict]) -> set[str]:
    """The tokens a stream batch may have changed the page of: a passport's own item, or a record
    or pet of a household with passports (every one still listed unrevoked)."""
    tokens, households = set(), set()
    for record in records:
        pk, sk = record["dynamodb"]["Keys"]["pk"]["S"], record["dynamodb"]["Keys"]["sk"]["S"]
        if pk.startswith(TOKEN_PREFIX) and sk == PASSPORT_SK:
            tokens.add(pk.removeprefix(TOKEN_PREFIX))
        elif pk.startswith(HOUSEHOLD_PREFIX) and sk.startswith(SHOWN_KINDS):
            households.add(pk.removeprefix(HOUSEHOLD_PREFIX))
    for household_id in sorted(households):
        listed = press.store.query(household_key(household_id), sk_prefix=passport_sk(""))
        tokens.update(i.body["token"] for i in listed if i.kind == "passport" and not i.body.get("revoked_at"))
    return tokens


def refresh(press: Press, token: str) -> str:
    """Publish the passport as the table has it now, or take it down if its token item is gone."""
    shared = press.store.get(passport_key(token), PASSPORT_SK, consistent=True)
    if shared is None:
        return take_down(press, token)
    passport = PassportBody.model_validate(shared.body)
    household = [{"kind": i.kind, "body": i.body} for i in press.store.query(household_key(passport.household_id))]
    artifact = render(passport, household, press.origins)
    published = press.store.get(passport_key(token), PUBLISHED_SK, consistent=True)
    if published is not None and published.body.get("digest") == artifact.digest:
        return "unchanged"
    prefix = artifact_prefix(token)
    for name, photo in artifact.photos.items():
        if is_household_file(photo.key, passport.household_id):
            press.objects.copy(press.uploads_bucket, photo.key, press.bucket, prefix + name)
    for name, (data, content_type) in sorted(artifact.files.items(), key=lambda f: f[0] == "index.html"):
        press.objects.put(press.bucket, prefix + name, data, content_type, cache_control=CACHE_CONTROL)
    press.store.write(Put(Item(passport_key(token), PUBLISHED_SK, "passport-published", 0,
                               {"digest": artifact.digest}, expires_at=shared.expires_at)))
    if shared.expires_at is not None:
        _index_expiry(press.store, token, shared.expires_at)
    if published is not None:
        press.distribution.invalidate(token, artifact.digest)
    return "published"


def take_down(press: Press, token: str) -> str:
    """The artifact deleted, the published hash with it, and the CDN told; nothing there is a no-op."""
    keys = press.objects.keys(press.bucket, artifact_prefix(token))
    for key in keys:
        press.objects.delete(press.bucket, key)
    press.store.write(Delete(passport_key(token), PUBLISHED_SK))
    if not keys:
        return "absent"
    press.distribution.invalidate(token, f"down-{token}")
    return "taken down"


def sweep_expired(press: Press, now: datetime) -> int:
    """Take down every passport whose expiry has passed, from the expiry index of the last few days:
    DynamoDB deletes an expired token item only lazily, up to days later."""
    swept = 0
    for back in range(SWEEP_DAYS_BACK, -1, -1):
        day = (now - timedelta(days=back)).date().isoformat()
        for entry in press.store.query(passport_expiry_key(day), sk_below=now.strftime(ISO)):
            if take_down(press, entry.body["token"]) == "taken down":
                swept += 1
            press.store.write(Delete(entry.pk, entry.sk))
    return swept


def refresh_all(press: Press, tokens: Iterable[str]) -> dict[str, str]:
    return {token: refresh(press, token) for token in sorted(tokens)}


def _index_expiry(store: Store, token: str, expires_at: datetime) -> None:
    at = expires_at.strftime(ISO)
    store.write(Put(Item(passport_expiry_key(expires_at.date().isoformat()), passport_expiry_sk(at, token),
                         "passport-expiry", 0, {"token": token},
                         expires_at=expires_at + timedelta(days=SWEEP_DAYS_BACK))))
