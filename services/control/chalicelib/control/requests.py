"""What a person may send to control: every field bounded to what Aurora, the projection table
and the reminder arithmetic can hold, so anything else is a 400 naming the field."""
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pawport.contracts import Role
from pawport.fields import Day, Email, Microchip, RowId, SafeText
from pawport.passports import Duration
from pawport.reminders import LONGEST_WINDOW, MOST_WINDOWS


class Request(BaseModel):
    # A field the request does not take is refused by name, never silently dropped.
    model_config = ConfigDict(frozen=True, extra="forbid")


class NewHousehold(Request):
    name: Annotated[str, SafeText(100)]
    time_zone: Annotated[str, SafeText(64)]   # required: reminders fall on the household's calendar

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


def known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


class TimeZoneChange(Request):
    time_zone: Annotated[str, SafeText(64)]

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


class ReminderWindows(Request):
    """Days before a record expires on which to be mailed (0: its last valid day); [] for no mail."""
    windows: Annotated[list[Annotated[int, Field(ge=0, le=LONGEST_WINDOW, strict=True)]],
                       Field(max_length=MOST_WINDOWS)]

    @field_validator("windows")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("each window at most once")
        return value


class UnsubscribeLink(Request):
    """The token of an unsubscribe link (pawport/reminder_links.py): the query string."""
    token: Annotated[str, SafeText(400)]


class HouseholdName(Request):
    name: Annotated[str, SafeText(100)]


Species = Literal["dog", "cat", "other"]   # other: named in species_name


PetName = Annotated[str, SafeText(60)]
SpeciesName = Annotated[str, SafeText(30)]
Breed = Annotated[str, SafeText(60)]


class NewPet(Request):
    name: PetName
    species: Species
    species_name: SpeciesName | None = None
    breed: Breed | None = None
    birth_date: Day | None = None
    microchip: Microchip | None = None

    @model_validator(mode="after")
    def _other_is_named(self) -> "NewPet":
        named_species(self.species, self.species_name)
        return self


class PetChanges(Request):
    """PATCH: only the fields sent change; null clears an optional one."""
    name: PetName | None = None
    species: Species | None = None
    species_name: SpeciesName | None = None
    breed: Breed | None = None
    birth_date: Day | None = None
    microchip: Microchip | None = None

    @model_validator(mode="after")
    def _something_required_is_not_cleared(self) -> "PetChanges":
        not_cleared(self, "name", "species")
        return self


def named_species(species: str, species_name: str | None) -> None:
    if species == "other" and not species_name:
        raise ValueError("species_name is required when species is other (e.g. rabbit)")
    if species != "other" and species_name:
        raise ValueError(f"species_name is only for species other, not {species}")


def not_cleared(changes: BaseModel, *required: str) -> None:
    cleared = [name for name in required if name in changes.model_fields_set and getattr(changes, name) is None]
    if cleared:
        raise ValueError(f"{', '.join(cleared)} cannot be cleared (send a value, or leave it out)")


Vaccine = Annotated[str, SafeText(60)]
Clinic = Annotated[str, SafeText(120, min_length=0)]


class RecordFields(Request):
    vaccine: Vaccine
    administered_on: Day | None = None
    expires_on: Day | None = None
    clinic: Clinic | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "RecordFields":
        dates_in_order(self.administered_on, self.expires_on)
        return self


class RecordReplacement(RecordFields):
    """PUT replaces the whole record: every field must be sent, null to clear one, so nothing is
    cleared by leaving it out (PATCH changes only what it sends)."""
    administered_on: Day | None
    expires_on: Day | None
    clinic: Clinic | None


class RecordChanges(Request):
    """PATCH: only the fields sent change; null clears an optional one. The dates' order is checked
    on the record as it will be (control/records.py)."""
    vaccine: Vaccine | None = None
    administered_on: Day | None = None
    expires_on: Day | None = None
    clinic: Clinic | None = None

    @model_validator(mode="after")
    def _vaccine_is_not_cleared(self) -> "RecordChanges":
        not_cleared(self, "vaccine")
        return self


def dates_in_order(administered_on: date | None, expires_on: date | None) -> None:
    if administered_on and expires_on and expires_on <= administered_on:
        raise ValueError("expires_on must be after administered_on")


EntryId = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,2}$")]   # a vaccination's place on its draft, from 1


class NewRecord(RecordFields):
    # The draft this record approves; none (or empty) for a record entered by hand.
    upload_id: Annotated[str, SafeText(64, min_length=0)] | None = None
    # Which vaccination of the draft; needed only when it lists several still waiting.
    entry_id: EntryId | None = None


class EntryApproval(RecordFields):
    """One vaccination of a draft as approved, with the person's corrections."""
    entry_id: EntryId

    def fields(self) -> RecordFields:
        return RecordFields.model_validate(self.model_dump(exclude={"entry_id"}))


class DraftApproval(Request):
    """Approve every vaccination of a draft still waiting, at once: each as read, or as corrected here."""
    entries: Annotated[list[EntryApproval], Field(max_length=50)] = []


class NewInvitation(Request):
    email: Email
    role: Role


class RoleChange(Request):
    role: Role


class Acceptance(Request):
    token: Annotated[str, SafeText(200, min_length=16)]


class Page(Request):
    before: RowId | None = None   # the `next` of the previous page
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class NewPassport(Request):
    """Which pets and records to share, and for how long; no record_ids shares every record of the
    pets, as they change."""
    pet_ids: Annotated[list[Annotated[str, SafeText(64)]], Field(min_length=1, max_length=20)]
    record_ids: Annotated[list[Annotated[str, SafeText(64)]], Field(max_length=200)] | None = None
    duration: Duration


class NewAsk(Request):
    """A question about the household's pets, in plain words."""
    question: Annotated[str, SafeText(300)]


class BudgetChange(Request):
    """The household's monthly LLM budget in dollars (0 turns asks and automatic reading off)."""
    monthly_usd: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
