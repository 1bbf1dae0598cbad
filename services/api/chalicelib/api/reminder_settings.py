"""A member's own reminder windows, from the household's partition (control projects each choice
there): the caller's, never another member's, since a reminder is mail to that person's address."""
from chalicelib.api.household_view import HouseholdView
from chalicelib.api.models import ReminderWindowsView
from pawport.auth import Caller
from pawport.reminders import windows_of


def my_windows(view: HouseholdView, household_id: str, caller: Caller) -> ReminderWindowsView:
    """A member who never chose has the default windows."""
    chosen = next((s["windows"] for s in view.of_kind("reminder-settings") if s["user_id"] == caller.user_id), None)
    return ReminderWindowsView(household_id=household_id, user_id=caller.user_id, windows=list(windows_of(chosen)),
                               chosen=chosen is not None)
