"""moto's server with three emulator fixes: two for speed and memory only (the answers are
moto's), one for isolation.

1. A DynamoDB Query on the table's own key reads its partition instead of listing and sorting the
   whole table: moto 5.2.5's `Table.query` builds `all_items()` (every item, sorted) on every call
   and then keeps the partition's (about 40 ms a Query at 100 households' items). The query then
   filters and sorts that partition exactly as before. Index queries are left as moto does them.
2. A transaction's rollback copy holds the partitions the transaction touches, not the whole table:
   moto deep-copies the table (every item and every stream record) once per item of every
   TransactWriteItems, which at 1,000 households' table costs seconds and gigabytes a transaction
   (a cancelled one leaves the copy reachable from old stream iterators). A cancelled transaction
   still leaves the table as it was and, as in AWS, no stream record behind.
3. DynamoDB writes run one at a time. moto serves requests on threads and isolates nothing: a
   cancelled transaction puts its rollback copy back over whatever another request wrote meanwhile,
   and two conditional updates of one item can both read it before either writes. AWS isolates
   each write and each transaction; so does this lock (the LLM budget's concurrency test needs it).
4. `/moto-api/data.json?service=ses` serialises that one service's models: moto's own answer walks
   every backend (hundreds of MB, about a minute, late in a long test session) to show the sent mail.

tests/devstack/test_moto_server.py compares the answers with moto's own.
Usage: python -m devstack.moto_server -H 127.0.0.1 -p PORT   (moto.server's own arguments)
"""
import copy
import json
import threading
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, urlparse

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_api._internal import urls as moto_api_urls
from moto.server import main

_local = threading.local()   # moto serves requests on threads
_all_items, _query, _transact = Table.all_items, Table.query, DynamoDBBackend.transact_write_items
INDEX_NAME_POSITION = 6        # Table.query(hash_key, range_comparison, range_objs, limit,
                               # exclusive_start_key, scan_index_forward, projection_expressions, index_name, ...)


def partition_items(self: Table) -> list[Any]:
    """all_items(), or only the partition a running table-key Query asked for."""
    hash_key = getattr(_local, "hash_key", None)
    if hash_key is None:
        return _all_items(self)
    found = self.items.get(hash_key)   # .get: the defaultdict must not grow an empty partition
    if found is None:
        return []
    return list(found.values()) if self.range_key_attr else [found]


def query_partition(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[INDEX_NAME_POSITION] if len(args) > INDEX_NAME_POSITION else None)
    if index_name:
        return _query(self, hash_key, *args, **kwargs)
    _local.hash_key = hash_key
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        _local.hash_key = None


class TransactionCopies:
    """moto.dynamodb.models' `copy` module: the same, but a table copied while a transaction runs is
    its rollback copy (rollback_copy)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: dict | None = None) -> Any:
        touched = getattr(_local, "touched", None)
        if touched is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        return rollback_copy(value, touched.get(value.name, set()))


def rollback_copy(table: Table, partitions: set[Any]) -> Table:
    """The table, sharing every partition but those the transaction touches, which are copied."""
    backup = copy.copy(table)
    backup.items = defaultdict(dict, {key: copy.deepcopy(partition) if key in partitions else partition
                                      for key, partition in table.items.items()})
    return backup


def touched_partitions(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> dict[str, set[Any]]:
    touched: dict[str, set[Any]] = defaultdict(set)
    for item in transact_items:
        operation = next(iter(item.values()))
        table = backend.tables.get(operation.get("TableName"))
        key = operation.get("Key") or operation.get("Item") or {}
        if table is not None and table.hash_key_attr in key:
            touched[table.name].add(DynamoType(key[table.hash_key_attr]))
    return touched


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    _local.touched = touched_partitions(self, transact_items)
    streams = {name: len(self.tables[name].stream_shard.items) for name in _local.touched
               if self.tables[name].stream_shard is not None}
    try:
        return _transact(self, transact_items)
    except Exception:
        for name, length in streams.items():   # cancelled: no stream record of it, as in AWS
            del self.tables[name].stream_shard.items[length:]
        raise
    finally:
        _local.touched = None


_writes = threading.RLock()


def isolated(write: Any) -> Any:
    def run(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _writes:
            return write(self, *args, **kwargs)
    return run


Table.all_items = partition_items
Table.query = query_partition
DynamoDBBackend.transact_write_items = isolated(transact_write_items)
for _name in ("put_item", "update_item", "delete_item"):
    setattr(DynamoDBBackend, _name, isolated(getattr(DynamoDBBackend, _name)))
dynamodb_models.copy = TransactionCopies()

def service_model_data(request: Any, full_url: str, headers: Any) -> tuple[int, dict, str]:
    wanted = parse_qs(urlparse(full_url).query).get("service")
    if not wanted:
        return moto_api_urls.response_instance.model_data(request, full_url, headers)
    from moto.core.model_instances import model_data
    results = {service: {name: [_public(instance) for instance in model.instances_tracked]
                         for name, model in sorted(model_data[service].items())}
               for service in wanted if service in model_data}
    return 200, {"Content-Type": "application/javascript"}, json.dumps(results)


def _public(instance: Any) -> dict:
    """An instance's attributes as moto's data.json shows them: the public, JSON-serialisable ones."""
    shown = {}
    for attr in dir(instance):
        if not attr.startswith("_"):
            try:
                value = getattr(instance, attr)
                json.dumps(value)
            except (TypeError, AttributeError, ValueError):
                continue
            shown[attr] = value
    return shown


moto_api_urls.url_paths["{0}/moto-api/data.json"] = service_model_data

if __name__ == "__main__":
    main()
