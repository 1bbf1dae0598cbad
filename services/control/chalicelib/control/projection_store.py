"""Control's projections in the main table: conditional writes that never roll an item back."""
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from chalicelib.control.projection import Item as Projected
from chalicelib.control.projection import Operation
from pawport.keys import draft_sk, household_key, reminder_household_prefix, reminder_key
from pawport.store import Attr, Delete, Item, Put, Refused, Store, Update

log = logging.getLogger(__name__)


class Projections:
    def __init__(self, store: Store):
        self._store = store

    def apply(self, operations: Iterable[Operation]) -> None:
        for operation in operations:
            match operation["op"]:
                case "put" | "mail" | "ask":
                    self.write(operation["item"])
                case "delete":
                    self._store.write(Delete(operation["pk"], operation["sk"]))
                case "resolve":
                    self.resolve(operation["pk"], operation["sk"], operation["resolved"])
                case "mailed" | "asked":
                    pass   # published before; its body was not kept (projection.as_kept)
                case unknown:
                    raise ValueError(f"unknown outbox operation {unknown!r}")

    def write(self, item: Projected) -> None:
        """Put unless the table already holds a newer version (a replay or a late relay)."""
        # A TTL travels through the outbox's JSON as epoch seconds.
        expires = {"expires_at": datetime.fromtimestamp(item["expires_at"], UTC)} if "expires_at" in item else {}
        put = Put(Item(**item | expires), self._store.absent() | Attr("version").lte(item["version"]))
        if isinstance(self._store.write(put), Refused):
            log.info("projection %s %s is newer than version %s: kept", item["pk"], item["sk"], item["version"])

    def remove(self, pk: str, sk: str) -> None:
        self._store.write(Delete(pk, sk))

    def resolve(self, pk: str, sk: str, resolved: dict[str, str]) -> None:
        """Mark a draft's approved vaccinations (setting the same again changes nothing); a draft
        gone meanwhile (dismissed, expired) keeps nothing to mark."""
        update = Update(pk, sk, {f"body.resolved.{entry}": value for entry, value in resolved.items()},
                        condition=self._store.live() & Attr("body.resolved").exists())
        if isinstance(self._store.write(update), Refused):
            log.info("draft %s is gone: nothing to mark", sk)

    def counters(self, pk: str) -> dict[str, float]:
        """The live counters under one key (workers keep them), by sort key; none yet is an empty dict."""
        return {item.sk: float(item.count or 0) for item in self._store.query(pk)}

    def partition(self, pk: str, sk_prefix: str | None = None) -> list[Projected]:
        """What the table holds under one key, in the projection's own form (for reconciliation)."""
        return [{"pk": i.pk, "sk": i.sk, "kind": i.kind, "version": i.version, "body": i.body}
                | ({"expires_at": int(i.expires_at.timestamp())} if i.expires_at else {})
                for i in self._store.query(pk, sk_prefix=sk_prefix)]

    def projected(self, household_id: str, pks: Iterable[str]) -> list[Projected]:
        """What the table holds of one household's projection under these keys: whole partitions, but
        in the due-date index's shared ones (REMINDER#<day>) only the household's own entries."""
        prefix = reminder_household_prefix(household_id)
        return [item for pk in set(pks)
                for item in self.partition(pk, prefix if pk.startswith(reminder_key("")) else None)]

    def find_draft(self, household_id: str, upload_id: str) -> dict | None:
        """A draft workers wrote; one past its TTL counts as gone."""
        item = self._store.get(household_key(household_id), draft_sk(upload_id))
        return None if item is None else item.body
