"""The one way to the main DynamoDB table (its key layout: pawport.keys). Items go in and out
as plain `Item`s; DynamoDB's typed attribute values never leave this module.

One TTL rule for every reader and writer: an item whose expires_at is at or before the store's
clock is absent. AWS deletes expired items lazily (days later) and moto never does, so `get` and
`query` leave them out, and the conditions `absent()` and `live()` say the same to DynamoDB.

A write that its condition refuses is not an error: it was done before (a redelivered event, a
replayed outbox entry) or is no longer ours to do. Every write answers `Written` or `Refused`, and
a refused write carries the item as it stood, which DynamoDB sends back (no second read).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError
from botocore.session import get_session

if TYPE_CHECKING:
    from boto3.dynamodb.conditions import Attr, ConditionBase
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

__all__ = ["COUNTER_KIND", "Add", "Attr", "Delete", "Item", "Outcome", "Put", "Refused", "Store", "Update",
           "Write", "Written", "item_of_image"]

COUNTER_KIND = "counter"
BATCH_WRITE = 25   # DynamoDB's most items in one BatchWriteItem


@dataclass(frozen=True)
class Item:
    """One item of the table: every item has these attributes (pawport.keys)."""
    pk: str
    sk: str
    kind: str = ""
    version: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    count: int | float | None = None        # live counters only (see Add)
    expires_at: datetime | None = None       # TTL; kept as epoch seconds


@dataclass(frozen=True)
class Put:
    """Write the whole item, if the condition holds."""
    item: Item
    condition: ConditionBase | None = None


@dataclass(frozen=True)
class Update:
    """Set attributes by path ("body.status", "version") and remove others, if the condition holds."""
    pk: str
    sk: str
    values: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()
    condition: ConditionBase | None = None


@dataclass(frozen=True)
class Add:
    """Add to a live counter (atomic), if the condition holds; its first add makes it (kind "counter",
    version 0, and the TTL given: a counter of a time window goes with its window)."""
    pk: str
    sk: str
    amount: int | float
    condition: ConditionBase | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Delete:
    pk: str
    sk: str
    condition: ConditionBase | None = None


Write = Put | Update | Add | Delete


@dataclass(frozen=True)
class Written:
    """The write happened. `item` is the item as it now stands (None after a Delete or a transaction)."""
    item: Item | None = None


@dataclass(frozen=True)
class Refused:
    """A condition said no, so nothing was written: already done, or no longer ours to do.
    `old` is the refused item as it stood (None when it did not exist or is past its TTL)."""
    old: Item | None = None


Outcome = Written | Refused


class TableSettings(Protocol):
    table_name: str
    aws_region: str
    aws_endpoint_url: str | None


class Store:
    """The main table of one stage. The client is made on first use (a cold start that never reaches
    the table does not pay for it); `clock` (timezone-aware) decides what is past its TTL."""

    def __init__(self, table_name: str, region: str, endpoint_url: str | None, clock: Callable[[], datetime]):
        self.table_name = table_name
        self._region, self._endpoint_url, self._clock = region, endpoint_url, clock

    @classmethod
    def from_settings(cls, settings: TableSettings, clock: Callable[[], datetime]) -> Store:
        return cls(settings.table_name, settings.aws_region, settings.aws_endpoint_url, clock)

    @cached_property
    def client(self) -> Any:
        """The low-level DynamoDB client, also handed to Powertools' idempotency layer (one client)."""
        # botocore's own session: boto3's would bring s3transfer and its resources to every cold start.
        return get_session().create_client("dynamodb", region_name=self._region, endpoint_url=self._endpoint_url)

    # ---- conditions that know the clock ----

    def absent(self) -> ConditionBase:
        """The item does not exist, or is past its TTL."""
        from boto3.dynamodb.conditions import Attr
        return Attr("pk").not_exists() | Attr("expires_at").lte(self._epoch_now())

    def live(self) -> ConditionBase:
        """The item exists and is not past its TTL."""
        from boto3.dynamodb.conditions import Attr
        return Attr("pk").exists() & (Attr("expires_at").not_exists() | Attr("expires_at").gt(self._epoch_now()))

    # ---- reads ----

    def is_live(self, item: Item) -> bool:
        """The TTL rule itself: an item is absent from its expiry on."""
        return item.expires_at is None or item.expires_at > self._clock()

    def get(self, pk: str, sk: str, *, consistent: bool = False) -> Item | None:
        """The item, or None when it does not exist or is past its TTL."""
        raw = self.client.get_item(TableName=self.table_name, Key=_key(pk, sk), ConsistentRead=consistent).get("Item")
        item = _item(raw) if raw else None
        return item if item and self.is_live(item) else None

    def query(self, pk: str, *, sk_prefix: str | None = None, sk_below: str | None = None,
              attributes: Sequence[str] | None = None) -> list[Item]:
        """Every live item of one partition, page by page, in sort-key order; optionally only sort keys
        starting with sk_prefix or below sk_below, and only some attributes (the others take their defaults)."""
        if sk_prefix is not None and sk_below is not None:
            raise ValueError("a Query takes one condition on the sort key")
        names, values = {"#pk": "pk"}, {":pk": {"S": pk}}
        condition = "#pk = :pk"
        bound = sk_prefix if sk_prefix is not None else sk_below
        if bound is not None:
            names["#sk"] = "sk"
            values[":sk"] = {"S": bound}
            condition += " AND begins_with(#sk, :sk)" if sk_prefix is not None else " AND #sk < :sk"
        request: dict[str, Any] = {"TableName": self.table_name, "KeyConditionExpression": condition,
                                   "ExpressionAttributeValues": values}
        if attributes:   # the keys and the TTL always come, so the TTL rule holds for projections too
            wanted = list(dict.fromkeys(["pk", "sk", "expires_at", *attributes]))
            names |= {f"#{name}": name for name in wanted}
            request["ProjectionExpression"] = ", ".join(f"#{name}" for name in wanted)
        request["ExpressionAttributeNames"] = names
        pages = self.client.get_paginator("query").paginate(**request)
        found = (_item(raw) for page in pages for raw in page["Items"])
        return [item for item in found if self.is_live(item)]

    # ---- writes ----

    def write(self, *writes: Write) -> Outcome:
        """One write on its own, or several as one transaction (all or none). Refused when a condition
        fails; for a transaction `old` is the first refused item as it stood."""
        if len(writes) == 1:
            return self._write_one(writes[0])
        try:
            self.client.transact_write_items(TransactItems=[self._request(w) for w in writes])
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            codes = {reason.get("Code") for reason in reasons} - {"None", None}
            if error.response["Error"]["Code"] != "TransactionCanceledException" or codes != {"ConditionalCheckFailed"}:
                raise
            return self._refused(next((r.get("Item") for r in reasons if r.get("Code") == "ConditionalCheckFailed"), None))
        return Written()

    def put_all(self, items: Iterable[Item]) -> int:
        """Write items unconditionally, 25 a request (BatchWriteItem), sending again whatever DynamoDB
        leaves unprocessed: for seeding and rebuilding, where no condition applies. How many were written."""
        items = list(items)
        for start in range(0, len(items), BATCH_WRITE):
            requests = {self.table_name: [{"PutRequest": {"Item": _raw(i)}} for i in items[start:start + BATCH_WRITE]]}
            while requests:
                requests = self.client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
        return len(items)

    def _write_one(self, write: Write) -> Outcome:
        request = next(iter(self._request(write).values()))
        try:
            if isinstance(write, Put):
                self.client.put_item(**request)
                return Written(write.item)
            if isinstance(write, Delete):
                self.client.delete_item(**request)
                return Written()
            return Written(_item(self.client.update_item(**request, ReturnValues="ALL_NEW")["Attributes"]))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._refused(error.response.get("Item"))

    def _request(self, write: Write) -> dict[str, dict[str, Any]]:
        """The write as TransactWriteItems (and, one by one, put/update/delete_item) spell it."""
        request: dict[str, Any] = {"TableName": self.table_name}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        match write:
            case Put(item=item):
                operation, request["Item"] = "Put", _raw(item)
            case Update(pk=pk, sk=sk, values=changes, remove=removed):
                operation, request["Key"] = "Update", _key(pk, sk)
                sets = [f"{_path(p, names)} = {_value(v, values)}" for p, v in changes.items()]
                removes = [_path(p, names) for p in removed]
                request["UpdateExpression"] = " ".join(
                    part for part in (sets and "SET " + ", ".join(sets), removes and "REMOVE " + ", ".join(removes))
                    if part)
            case Add(pk=pk, sk=sk, amount=amount, expires_at=expires_at):
                operation, request["Key"] = "Update", _key(pk, sk)
                request["UpdateExpression"] = (
                    f"ADD {_path('count', names)} {_value(amount, values)} "
                    f"SET {_path('kind', names)} = if_not_exists({_path('kind', names)}, {_value(COUNTER_KIND, values)}), "
                    f"{_path('version', names)} = if_not_exists({_path('version', names)}, {_value(0, values)})")
                if expires_at is not None:
                    request["UpdateExpression"] += (
                        f", {_path('expires_at', names)} = if_not_exists({_path('expires_at', names)}, "
                        f"{_value(int(expires_at.timestamp()), values)})")
            case Delete(pk=pk, sk=sk):
                operation, request["Key"] = "Delete", _key(pk, sk)
        condition = getattr(write, "condition", None)
        if condition is not None:
            from boto3.dynamodb.conditions import ConditionExpressionBuilder
            built = ConditionExpressionBuilder().build_expression(condition)
            request["ConditionExpression"] = built.condition_expression
            names |= built.attribute_name_placeholders
            values |= {k: _serialize(v) for k, v in built.attribute_value_placeholders.items()}
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = values
        return {operation: request}

    def _refused(self, old: Mapping[str, Any] | None) -> Refused:
        item = _item(old) if old else None
        return Refused(item if item and self.is_live(item) else None)

    def _epoch_now(self) -> int:
        # TTL is whole epoch seconds: flooring the clock agrees with _if_live at every instant.
        return int(self._clock().timestamp())


def item_of_image(image: Mapping[str, Any]) -> Item:
    """An item as a stream record's NewImage or OldImage spells it (DynamoDB's typed values)."""
    return _item(image)


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _raw(item: Item) -> dict[str, Any]:
    attributes: dict[str, Any] = {"pk": item.pk, "sk": item.sk, "kind": item.kind, "version": item.version,
                                  "body": item.body}
    if item.count is not None:
        attributes["count"] = item.count
    if item.expires_at is not None:
        attributes["expires_at"] = int(item.expires_at.timestamp())
    return {name: _serialize(value) for name, value in attributes.items()}


def _item(raw: Mapping[str, Any]) -> Item:
    a = {name: _deserialize(value) for name, value in raw.items()}
    return Item(a["pk"], a["sk"], kind=a.get("kind", ""), version=int(a.get("version", 0)), body=a.get("body") or {},
                count=a.get("count"),
                expires_at=datetime.fromtimestamp(a["expires_at"], UTC) if a.get("expires_at") is not None else None)


def _path(path: str, names: dict[str, str]) -> str:
    parts = []
    for part in path.split("."):
        placeholder = f"#u{len(names)}"
        names[placeholder] = part
        parts.append(placeholder)
    return ".".join(parts)


def _value(value: Any, values: dict[str, Any]) -> str:
    placeholder = f":u{len(values)}"
    values[placeholder] = _serialize(value)
    return placeholder


def __getattr__(name: str) -> Any:
    """`Attr`, boto3's condition vocabulary, comes from here too, imported when first asked for."""
    if name == "Attr":
        from boto3.dynamodb.conditions import Attr
        return Attr
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _types() -> tuple[TypeSerializer, TypeDeserializer]:
    # boto3 is imported with the first item, as the client is made with the first call: importing its
    # package would add a tenth to the api's cold import, which botocore alone serves.
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
    return TypeSerializer(), TypeDeserializer()


def _serialize(value: Any) -> dict[str, Any]:
    return _types()[0].serialize(_to_table(value))


def _deserialize(value: Mapping[str, Any]) -> Any:
    return _from_table(_types()[1].deserialize(value))


def _to_table(value: Any) -> Any:
    """DynamoDB numbers are decimal: a float goes in as the Decimal of its shortest repr."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Mapping):
        return {k: _to_table(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_table(v) for v in value]
    return value


def _from_table(value: Any) -> Any:
    """Numbers come out as int when whole, else float; as JSON would give them."""
    if isinstance(value, str | bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_table(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_table(v) for v in value]
    if isinstance(value, _binary()):
        return value.value
    return value


def _binary() -> type[Any]:
    from boto3.dynamodb.types import Binary
    return Binary
