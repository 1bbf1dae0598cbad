"""The api's read of a member's own reminder windows: the caller's choice from the household's
partition, the default for a member who never chose, and nothing for someone outside it."""
import pytest

from pawport.auth import Caller
from pawport.errors import NotFound
from pawport.reminders import DEFAULT_WINDOWS
from pawport.store import Item

PK = "HOUSEHOLD#h1"
PARTITION = [
    Item(PK, "HOUSEHOLD", kind="household", version=1, body={"id": "h1", "name": "The Parkers", "time_zone": "UTC"}),
    Item(PK, "MEMBER#u-owner", kind="member", version=1, body={"user_id": "u-owner", "role": "owner"}),
    Item(PK, "MEMBER#u-viewer", kind="member", version=1, body={"user_id": "u-viewer", "role": "viewer"}),
    Item(PK, "MEMBER#u-editor", kind="member", version=1, body={"user_id": "u-editor", "role": "editor"}),
    Item(PK, "REMINDERSETTINGS#u-owner", kind="reminder-settings", version=2,
         body={"user_id": "u-owner", "windows": [0, 30, 7]}),
    Item(PK, "REMINDERSETTINGS#u-editor", kind="reminder-settings", version=1, body={"user_id": "u-editor", "windows": []}),
]


def windows(user_id: str) -> dict:
    from chalicelib.api.household_view import HouseholdView
    from chalicelib.api.reminder_settings import my_windows
    caller = Caller(user_id, None)
    return my_windows(HouseholdView(PARTITION, caller, "no such household"), "h1", caller).model_dump(mode="json")


def test_a_member_reads_their_own_choice_longest_first() -> None:
    assert windows("u-owner") == {"household_id": "h1", "user_id": "u-owner", "windows": [30, 7, 0], "chosen": True}


def test_no_reminder_mail_is_a_choice_too() -> None:
    assert windows("u-editor") == {"household_id": "h1", "user_id": "u-editor", "windows": [], "chosen": True}


def test_a_member_who_never_chose_has_the_default() -> None:
    assert windows("u-viewer") == {"household_id": "h1", "user_id": "u-viewer",
                                   "windows": sorted(DEFAULT_WINDOWS, reverse=True), "chosen": False}


def test_someone_outside_the_household_finds_nothing() -> None:
    with pytest.raises(NotFound, match="no such household"):
        windows("u-stranger")
