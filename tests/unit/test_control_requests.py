"""control's request models against generated input (hypothesis): whatever a model accepts fits
the column it is stored in, encodes as UTF-8 without NUL or control characters, fits a DynamoDB
key, and never makes the reminder-day arithmetic raise in any time zone. What it refuses is a
400 that names the field. The same inputs through real handlers and PostgreSQL:
tests/integration/test_control_requests.py."""
import unicodedata
import zoneinfo
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chalicelib.control import requests as r
from chalicelib.control.models import Household, Invitation, Pet, VaccinationRecord
from pawport.errors import BadInput
from pawport.fields import BIGINT_MAX
from pawport.http import body
from pawport.keys import draft_sk
from pawport.reminders import LONGEST_WINDOW, reminder_runs

ZONES = sorted(zoneinfo.available_timezones())
EXTREME_ZONES = ["Etc/GMT+12", "Pacific/Kiritimati", "UTC", "Europe/London", "America/Los_Angeles"]
# Strings that grow under normalisation or case folding, and every kind of character Python has.
TRICKY = ["İ", "ß", "ﷺ", "क़", "e\u0301", "\u212b", "\x00", "\t", "\ud800", "\u202e", "👩‍👩‍👧", "ǅ", "ﬃ"]
text = st.one_of(st.text(st.characters(exclude_categories=()), max_size=300),
                 st.lists(st.sampled_from(TRICKY), max_size=300).map("".join),
                 st.builds(lambda t, n: t * n, st.sampled_from(TRICKY), st.integers(0, 300)))
day = st.one_of(st.dates(), st.dates(date(1985, 1, 1), date(2105, 12, 31)), st.none())
number = st.one_of(st.integers(-2**70, 2**70), st.integers(-5, 300), st.none())
emails = st.one_of(text, st.builds(lambda a, b: f"{a}@{b}.com", text, text))
zones = st.one_of(st.sampled_from(ZONES), text)
# field -> the column that stores it (its length is the bound)
COLUMNS = {(r.NewHousehold, "name"): Household.name, (r.NewHousehold, "time_zone"): Household.time_zone,
           (r.NewPet, "name"): Pet.name, (r.NewPet, "species"): Pet.species,
           (r.RecordFields, "vaccine"): VaccinationRecord.vaccine, (r.RecordFields, "clinic"): VaccinationRecord.clinic,
           (r.NewRecord, "vaccine"): VaccinationRecord.vaccine, (r.NewRecord, "clinic"): VaccinationRecord.clinic,
           (r.NewInvitation, "email"): Invitation.email}


def accepted(model: type[BaseModel], values: dict) -> BaseModel | None:
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError:
        return None


def storable(model: type[BaseModel], made: BaseModel) -> None:
    for name, value in made.model_dump().items():
        if not isinstance(value, str):
            continue
        value.encode("utf-8")   # no lone surrogates
        assert not any(unicodedata.category(ch) == "Cc" for ch in value), (name, value)
        column = COLUMNS.get((model, name))
        if column is not None:
            assert len(value) <= column.type.length, (name, len(value))


def reminders_hold(expires_on: date | None) -> None:
    if expires_on is None:
        return
    for zone in EXTREME_ZONES:   # the longest window a member may choose, entered long before or on the day
        for entered in (datetime(1989, 1, 1, tzinfo=UTC), datetime.combine(expires_on, time(23), UTC)):
            reminder_runs(expires_on, (LONGEST_WINDOW, 0), zone, entered)


@settings(max_examples=300)
@given(name=text, time_zone=zones)
def test_a_household_that_is_accepted_fits(name, time_zone) -> None:
    made = accepted(r.NewHousehold, {"name": name, "time_zone": time_zone})
    if made:
        storable(r.NewHousehold, made)
        zoneinfo.ZoneInfo(made.time_zone)


@settings(max_examples=300)
@given(name=text, species=text)
def test_a_pet_that_is_accepted_fits(name, species) -> None:
    if made := accepted(r.NewPet, {"name": name, "species": species}):
        storable(r.NewPet, made)


@settings(max_examples=400)
@given(vaccine=text, clinic=st.one_of(text, st.none()), administered_on=day, expires_on=day,
       upload_id=st.one_of(text, st.none()))
def test_a_record_that_is_accepted_fits_and_its_reminders_can_be_filed(vaccine, clinic, administered_on, expires_on,
                                                                         upload_id) -> None:
    values = {"vaccine": vaccine, "clinic": clinic, "administered_on": administered_on, "expires_on": expires_on}
    if made := accepted(r.RecordFields, values):
        storable(r.RecordFields, made)
        reminders_hold(made.expires_on)
    if made := accepted(r.NewRecord, values | {"upload_id": upload_id}):
        storable(r.NewRecord, made)
        if made.upload_id:
            assert len(draft_sk(made.upload_id).encode()) <= 1024   # DynamoDB's sort key limit


@settings(max_examples=300)
@given(email=emails, role=st.sampled_from(["owner", "editor", "viewer", "admin", ""]))
def test_an_invitation_that_is_accepted_fits(email, role) -> None:
    if made := accepted(r.NewInvitation, {"email": email, "role": role}):
        storable(r.NewInvitation, made)
        assert made.email == unicodedata.normalize("NFKC", made.email).casefold()


@settings(max_examples=200)
@given(token=text)
def test_an_acceptance_that_is_accepted_can_be_hashed(token) -> None:
    if made := accepted(r.Acceptance, {"token": token}):
        made.token.encode("utf-8")


@settings(max_examples=300)
@given(before=number, limit=number)
def test_a_page_that_is_accepted_fits_a_bigint(before, limit) -> None:
    if made := accepted(r.Page, {"before": before, "limit": limit}):
        assert made.before is None or 1 <= made.before <= BIGINT_MAX
        assert 1 <= made.limit <= 200


class Posted:
    def __init__(self, raw: str):
        self.raw_body = raw.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("model, raw, field", [
    (r.NewHousehold, '{"name": "The\\u0000Parkers"}', "name"),
    (r.NewPet, '{"name": "Ollie", "species": "dog\\u001b[0m"}', "species"),
    (r.NewInvitation, '{"email": "' + "İ" * 200 + '@example.com", "role": "viewer"}', "email"),
    (r.NewRecord, '{"vaccine": "Rabies", "expires_on": "0001-01-10"}', "expires_on"),
    (r.RecordFields, '{"vaccine": "Rabies", "administered_on": "9999-12-31"}', "administered_on"),
    (r.NewRecord, '{"vaccine": "Rabies", "upload_id": "' + "x" * 2000 + '"}', "upload_id"),
    (r.Acceptance, '{"token": "a-token-with-a-\\u0000-inside"}', "token"),
])
def test_what_a_store_cannot_hold_is_a_400_naming_the_field(model, raw, field) -> None:
    with pytest.raises(BadInput, match=f"{field}: "):
        body(Posted(raw), model)
