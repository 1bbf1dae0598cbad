"""The household dashboard, answered from the household's DynamoDB partition in one Query.

The same Query returns the caller's member item, so the read is authorized without Aurora:
no member item, no dashboard (404, as for a household that does not exist)."""
from typing import Any, Iterable

from pawport.auth import Caller
from pawport.errors import NotFound
from pawport.table import HOUSEHOLD_SK, TableItem, household_key, member_sk

Partition = Iterable[TableItem]


def load_partition(household_id: str) -> list[TableItem]:
    return list(TableItem.query(household_key(household_id)))


def dashboard(partition: Partition, caller: Caller) -> dict[str, Any]:
    items = {item.sk: item for item in partition}
    member = items.get(member_sk(caller.user_id))
    household = items.get(HOUSEHOLD_SK)
    if member is None or household is None:
        raise NotFound("no such household")
    pets = sorted((i.body.as_dict() for i in items.values() if i.kind == "pet"), key=lambda pet: pet["name"])
    return {
        "household": household.body.as_dict(),
        "role": member.body["role"],
        "pets": [pet | {"status": "no-records"} for pet in pets],
        "attention": [],
    }
