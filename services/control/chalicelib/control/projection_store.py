"""The DynamoDB adapter for projections: conditional writes that never roll an item back."""
import logging
from typing import Iterable

from pynamodb.exceptions import PutError

from pawport.table import TableItem
from chalicelib.control.projection import Item, Operation

log = logging.getLogger(__name__)


def apply(operations: Iterable[Operation]) -> None:
    for operation in operations:
        write(operation["item"])


def write(item: Item) -> None:
    """Put unless the table already holds a newer version (a replay or a late relay)."""
    try:
        TableItem(**item).save(condition=TableItem.pk.does_not_exist() | (TableItem.version <= item["version"]))
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        log.info("projection %s %s is newer than version %s: kept", item["pk"], item["sk"], item["version"])


def partition(pk: str) -> list[Item]:
    """What the table holds for one household, in the projection's own form (for reconciliation)."""
    return [{"pk": i.pk, "sk": i.sk, "kind": i.kind, "version": i.version, "body": i.body.as_dict()}
            for i in TableItem.query(pk)]
