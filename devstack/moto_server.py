"""moto's server with one emulator fix, for speed only: a DynamoDB Query on the table's own key
reads its partition instead of listing and sorting the whole table.

moto 5.2.5's `Table.query` builds `all_items()` (every item of the table, sorted) on every call and
then keeps the partition's: about 40 ms a Query at 100 households' items, hours for a
1,000-household month. Here that list is the queried partition alone; the query then filters and
sorts it exactly as before, so the answers (items, order, pages, counts) are the same
(tests/integration/test_moto_server.py compares them). Index queries are left as moto does them.

Usage: python -m devstack.moto_server -H 127.0.0.1 -p PORT   (moto.server's own arguments)
"""
import threading
from typing import Any

from moto.dynamodb.models.table import Table
from moto.server import main

_queried = threading.local()   # moto serves requests on threads
_all_items, _query = Table.all_items, Table.query
INDEX_NAME_POSITION = 6        # Table.query(hash_key, range_comparison, range_objs, limit,
                               # exclusive_start_key, scan_index_forward, projection_expressions, index_name, ...)


def partition_items(self: Table) -> list[Any]:
    """all_items(), or only the partition a running table-key Query asked for."""
    hash_key = getattr(_queried, "hash_key", None)
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
    _queried.hash_key = hash_key
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        _queried.hash_key = None


Table.all_items = partition_items
Table.query = query_partition

if __name__ == "__main__":
    main()
