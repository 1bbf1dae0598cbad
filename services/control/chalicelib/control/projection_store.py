"""The DynamoDB adapter for projections: conditional writes that never roll an item back."""
import logging
from datetime import UTC, datetime
from typing import Iterable

from pynamodb.exceptions import PutError

from pawport.table import TableItem, draft_sk, household_key, reminder_household_prefix, reminder_key
from chalicelib.control.projection import Item, Operation

log = logging.getLogger(__name__)


def apply(operations: Iterable[Operation]) -> None:
    for operation in operations:
        match operation["op"]:
            case "put" | "mail":
                write(operation["item"])
            case "delete":
                TableItem(operation["pk"], operation["sk"]).delete()
            case "mailed":
                pass   # published before; its body was not kept (projection.as_kept)
            case unknown:
                raise ValueError(f"unknown outbox operation {unknown!r}")


def write(item: Item) -> None:
    """Put unless the table already holds a newer version (a replay or a late relay)."""
    # A TTL travels through the outbox's JSON as epoch seconds.
    expires = {"expires_at": datetime.fromtimestamp(item["expires_at"], UTC)} if "expires_at" in item else {}
    try:
        TableItem(**item | expires).save(condition=TableItem.pk.does_not_exist() | (TableItem.version <= item["version"]))
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        log.info("projection %s %s is newer than version %s: kept", item["pk"], item["sk"], item["version"])


def counters(pk: str) -> dict[str, float]:
    """The live counters under one key (workers keep them), by sort key; none yet is an empty dict."""
    return {item.sk: float(item.count or 0) for item in TableItem.query(pk)}


def partition(pk: str, sk_prefix: str | None = None) -> list[Item]:
    """What the table holds under one key, in the projection's own form (for reconciliation)."""
    condition = TableItem.sk.startswith(sk_prefix) if sk_prefix else None
    return [{"pk": i.pk, "sk": i.sk, "kind": i.kind, "version": i.version, "body": i.body.as_dict()}
            for i in TableItem.query(pk, condition)]


def projected(household_id: str, pks: Iterable[str]) -> list[Item]:
    """What the table holds of one household's projection under these keys: whole partitions, but
    in the due-date index's shared ones (REMINDER#<day>) only the household's own entries."""
    prefix = reminder_household_prefix(household_id)
    return [item for pk in set(pks) for item in partition(pk, prefix if pk.startswith(reminder_key("")) else None)]


def find_draft(household_id: str, upload_id: str) -> dict | None:
    """A draft workers wrote; one past its TTL counts as gone (DynamoDB deletes them lazily)."""
    try:
        item = TableItem.get(household_key(household_id), draft_sk(upload_id))
    except TableItem.DoesNotExist:
        return None
    if item.expires_at and item.expires_at < datetime.now(UTC):
        return None
    return item.body.as_dict()
