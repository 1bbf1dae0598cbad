"""The table store against moto's server: one TTL rule, refusals as an outcome with the old item,
transactions, paginated queries, counters."""
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from devstack.resources import Resources
from pawport.store import Add, Attr, Delete, Item, Put, Refused, Store, Update, Written
from tests.support.clocks import Clock

NOW = datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock[datetime]:
    return Clock(NOW)


@pytest.fixture
def store(made: Resources, aws_env: str, clock: Clock) -> Store:
    return Store(made.tables["main"], "us-east-1", aws_env, clock)


def test_items_round_trip_as_plain_values(store: Store) -> None:
    item = Item("P#1", "S#1", kind="draft", version=3, count=None, expires_at=NOW + timedelta(days=1),
                body={"n": 2, "x": 0.25, "none": None, "nested": {"list": [1, "a", True]}, "empty": ""})
    assert store.write(Put(item)) == Written(item)
    assert store.get("P#1", "S#1") == item
    assert store.get("P#1", "missing") is None


def test_an_item_is_absent_from_its_expiry_on_for_get_query_and_conditions(store: Store, clock: Clock) -> None:
    expires = NOW + timedelta(seconds=10)
    store.write(Put(Item("P#ttl", "A", body={"v": 1}, expires_at=expires)), Put(Item("P#ttl", "B")))
    clock.now = expires - timedelta(microseconds=1)
    assert store.get("P#ttl", "A") is not None
    assert [i.sk for i in store.query("P#ttl")] == ["A", "B"]
    assert isinstance(store.write(Put(Item("P#ttl", "A"), store.absent())), Refused)
    clock.now = expires
    assert store.get("P#ttl", "A") is None
    assert [i.sk for i in store.query("P#ttl")] == ["B"]
    assert store.write(Update("P#ttl", "A", {"body.v": 2}, condition=store.live())) == Refused(None)   # as if absent
    assert store.write(Put(Item("P#ttl", "A", body={"v": 3}), store.absent())) == \
        Written(Item("P#ttl", "A", body={"v": 3}))


def test_a_refused_put_answers_the_item_as_it_stood(store: Store) -> None:
    first = Item("P#c", "S", kind="claim", body={"upload_id": "u1"}, expires_at=NOW + timedelta(days=1))
    assert isinstance(store.write(Put(first, store.absent())), Written)
    assert store.write(Put(Item("P#c", "S", body={"upload_id": "u2"}), store.absent())) == Refused(first)
    retaken = store.write(Put(Item("P#c", "S", body={"upload_id": "u2"}), Attr("body.upload_id").eq("u1")))
    assert isinstance(retaken, Written)
    assert store.get("P#c", "S").body == {"upload_id": "u2"}


def test_an_update_answers_the_new_item_or_refuses_with_the_old(store: Store) -> None:
    store.write(Put(Item("MAIL#1", "MAIL", body={"status": "queued", "token": "t"})))
    claim = Update("MAIL#1", "MAIL", {"body.status": "sending"}, condition=store.live() & Attr("body.status").eq("queued"))
    assert store.write(claim) == Written(Item("MAIL#1", "MAIL", body={"status": "sending", "token": "t"}))
    assert store.write(claim) == Refused(Item("MAIL#1", "MAIL", body={"status": "sending", "token": "t"}))
    settled = store.write(Update("MAIL#1", "MAIL", {"body.status": "sent", "version": 2}, remove=["body.token"]))
    assert settled == Written(Item("MAIL#1", "MAIL", version=2, body={"status": "sent"}))
    assert store.write(Update("MAIL#none", "MAIL", {"body.status": "x"}, condition=store.live())) == Refused(None)


def test_counters_add_atomically_and_start_as_counters(store: Store) -> None:
    assert store.write(Add("LLMUSAGE#2027-03", "micro_usd", 0.5)) == \
        Written(Item("LLMUSAGE#2027-03", "micro_usd", kind="counter", version=0, count=0.5))
    store.write(Add("LLMUSAGE#2027-03", "micro_usd", 2))
    assert store.get("LLMUSAGE#2027-03", "micro_usd").count == 2.5


def test_a_transaction_writes_all_or_is_refused_as_a_whole(store: Store) -> None:
    store.write(Put(Item("H#1", "DRAFT#u", body={"status": "checking"})))
    settle = [Update("H#1", "DRAFT#u", {"body.status": "extracting"},
                     condition=store.live() & Attr("body.status").eq("checking")),
              Add("H#1", "DOCS#p", 1), Put(Item("JOB#u", "JOB", body={"upload_id": "u"}))]
    assert store.write(*settle) == Written()
    refused = store.write(*settle)
    assert refused == Refused(Item("H#1", "DRAFT#u", body={"status": "extracting"}))
    assert store.get("H#1", "DOCS#p").count == 1
    with pytest.raises(ClientError):
        store.write(Add("H#1", "DOCS#p", 1), Add("H#1", "DOCS#p", 1))   # a real error still raises


def test_query_pages_through_a_partition_with_sort_key_bounds_and_projection(store: Store) -> None:
    big = "x" * 300_000   # four of these pass DynamoDB's 1 MB page
    for n in range(5):
        store.write(Put(Item("P#q", f"PENDING#{n}", kind="k", body={"big": big, "n": n})))
    store.write(Put(Item("P#q", "OTHER", kind="k")))
    assert [i.body["n"] for i in store.query("P#q", sk_prefix="PENDING#")] == [0, 1, 2, 3, 4]
    assert [i.sk for i in store.query("P#q", sk_below="PENDING#2")] == ["OTHER", "PENDING#0", "PENDING#1"]
    kinds = store.query("P#q", attributes=["kind"])
    assert {i.kind for i in kinds} == {"k"} and all(i.body == {} for i in kinds) and len(kinds) == 6
    with pytest.raises(ValueError):
        store.query("P#q", sk_prefix="A", sk_below="B")


def test_delete_and_a_conditional_delete(store: Store) -> None:
    store.write(Put(Item("P#d", "S", version=1)))
    assert store.write(Delete("P#d", "S", condition=Attr("version").gt(1))) == Refused(Item("P#d", "S", version=1))
    assert store.write(Delete("P#d", "S")) == Written()
    assert store.get("P#d", "S") is None


def test_the_client_is_made_once_on_first_use(made: Resources, aws_env: str, clock: Clock) -> None:
    store = Store(made.tables["main"], "us-east-1", aws_env, clock)
    assert "client" not in vars(store)
    assert store.client is store.client
