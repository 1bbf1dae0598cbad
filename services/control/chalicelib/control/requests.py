"""What a person may send to control: every field bounded to what Aurora, the projection table
and the reminder arithmetic can hold, so anything else is a 400 naming the field."""
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pawport.contracts import Role
from pawport.fields import Day, Email, RowId, SafeText


class Request(BaseModel):
    model_config = ConfigDict(frozen=True)


class NewHousehold(Request):
    name: Annotated[str, SafeText(100)]
    time_zone: Annotated[str, SafeText(64)] = "UTC"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class NewPet(Request):
    name: Annotated[str, SafeText(60)]
    species: Annotated[str, SafeText(30)]


class RecordFields(Request):
    vaccine: Annotated[str, SafeText(60)]
    administered_on: Day | None = None
    expires_on: Day | None = None
    clinic: Annotated[str, SafeText(120, min_length=0)] | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "RecordFields":
        if self.administered_on and self.expires_on and self.expires_on <= self.administered_on:
            raise ValueError("expires_on must be after administered_on")
        return self


class NewRecord(RecordFields):
    # The draft this record approves; none (or empty) for a record entered by hand.
    upload_id: Annotated[str, SafeText(64, min_length=0)] | None = None


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
