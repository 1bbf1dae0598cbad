"""Property tests of what the api reads: whatever a request model accepts, DynamoDB (moto, in
this process) takes as keys and attribute values, S3 takes as a key, and the read-time status
arithmetic handles; whatever it refuses is a 4xx naming the field, never a 500."""
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from pawport.auth import Caller
from pawport.contracts import DraftBody
from pawport.documents import CONTENT_TYPES, DraftStatus, UploadKey
from pawport.errors import BadInput, NotFound
from pawport.fields import MAX_DAY, MIN_DAY
from pawport.keys import HOUSEHOLD_SK, PET_SK, draft_sk, household_key, member_sk, pet_key, pet_sk
from pawport.store import Item, Put, Store

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
OWNER = Caller(str(uuid.uuid4()), None)
HOUSEHOLD, PET = str(uuid.uuid4()), str(uuid.uuid4())
PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Ids as people and probes send them: real ones, near misses, and anything at all.
IDS = st.one_of(st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.text(),
                st.text(alphabet="0123456789abcdef-", min_size=30, max_size=40), st.just(""),
                st.text(min_size=1000, max_size=1100))


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """A table in moto holding one household with its owner and one pet."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
            patch.setenv(name, value)
        table = Store("properties", "eu-west-1", None, clock=lambda: NOW)
        table.client.create_table(
            TableName="properties", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        table.write(
            Put(Item(household_key(HOUSEHOLD), HOUSEHOLD_SK, "household",
                     body={"id": HOUSEHOLD, "name": "The Parkers", "time_zone": "Europe/London"})),
            Put(Item(household_key(HOUSEHOLD), member_sk(OWNER.user_id), "member",
                     body={"user_id": OWNER.user_id, "email": None, "role": "owner"})),
            Put(Item(household_key(HOUSEHOLD), pet_sk(PET), "pet", body={"id": PET, "name": "Ollie", "species": "dog"})),
            Put(Item(pet_key(PET), PET_SK, "pet-home", body={"household_id": HOUSEHOLD})))
        yield table


@PROPERTIES
@given(household_id=IDS, pet_id=IDS, record_id=IDS)
def test_an_id_is_either_refused_as_missing_or_read_from_dynamodb(store: Store, household_id: str, pet_id: str,
                                                                  record_id: str) -> None:
    from chalicelib.api import models
    from chalicelib.api.certificates import record_document
    from chalicelib.api.household_view import load_household, load_pet_household
    try:
        household = models.path(models.HouseholdPath, household_id=household_id).household_id
    except NotFound as refused:
        assert str(refused) == "no such household"
    else:
        with pytest.raises(NotFound, match="no such household"):   # nobody's household but the fixture's
            load_household(store, household, Caller(str(uuid.uuid4()), None))
    try:
        ids = models.path(models.RecordPath, pet_id=pet_id, record_id=record_id)
    except NotFound as refused:
        assert str(refused) in ("no such pet", "no such record")
    else:
        with pytest.raises(NotFound):
            record_document(load_pet_household(store, ids.pet_id, OWNER), ids.pet_id, ids.record_id, None)


class Presigned:
    """Stands in for the S3 adapter: presigning is local; the key is what is checked."""

    def upload_form(self, household_id: str, key: str, content_type: str, max_bytes: int) -> dict:
        return {"url": "https://uploads.example", "fields": {"key": key, "Content-Type": content_type}}

    def view_url(self, household_id: str, key: str) -> str:
        return f"https://uploads.example/{key}"


@PROPERTIES
@given(body=st.one_of(
    st.fixed_dictionaries({"file_name": st.text(max_size=300), "content_type": st.sampled_from(CONTENT_TYPES)}),
    st.dictionaries(st.sampled_from(["file_name", "content_type", "other"]),
                    st.one_of(st.text(), st.integers(), st.none(), st.lists(st.text())))))
def test_an_accepted_upload_request_becomes_keys_and_a_draft_the_stores_take(store: Store, body: dict) -> None:
    from chalicelib.api import certificates, drafts, models
    from chalicelib.api.household_view import load_pet_household
    from pawport.http import body as read_body
    try:
        request = read_body(SimpleNamespace(raw_body=json.dumps(body).encode()), models.UploadRequest)
    except BadInput as refused:
        assert str(refused).startswith("invalid request body: ")
        return
    form = certificates.start_upload(load_pet_household(store, PET, OWNER), PET, request, Presigned())
    key = UploadKey.parse(form.key)
    for s3_key in (form.key, key.thumbnail, key.quarantine):
        assert len(s3_key.encode()) <= 1024           # S3's limit on a key
    draft = DraftBody(upload_id=key.upload_id, pet_id=PET, status=DraftStatus.CHECKING, file_name=key.file_name,
                      document_key=form.key, uploaded_at=NOW.isoformat())
    store.write(Put(Item(household_key(HOUSEHOLD), draft_sk(key.upload_id), "draft", body=draft.stored(),
                         expires_at=NOW + timedelta(days=14))))
    listed = drafts.drafts(load_pet_household(store, PET, OWNER), PET, NOW, Presigned())
    assert key.upload_id in {d.upload_id for d in listed.drafts}
    assert "content_hash" not in listed.model_dump_json()


ZONES = sorted(available_timezones())


@PROPERTIES
@given(expires_on=st.one_of(st.none(), st.dates(MIN_DAY, MAX_DAY)), zone=st.sampled_from(ZONES),
       now=st.datetimes(datetime(1990, 1, 1), datetime(2100, 12, 31), timezones=st.just(UTC)))
def test_status_at_read_time_holds_for_every_day_a_record_may_carry(expires_on, zone: str, now: datetime) -> None:
    from chalicelib.api.dashboard import with_status
    from pawport.status import household_today
    record = {"id": "r", "pet_id": PET, "vaccine": "Rabies", "administered_on": None, "clinic": None,
              "expires_on": expires_on.isoformat() if expires_on else None, "document_key": None}
    shown = with_status(record, household_today(now, zone))
    assert shown.expires_on == expires_on and shown.model_dump_json()
