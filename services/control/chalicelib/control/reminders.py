"""Reminder handlers: a member's reminder windows, unsubscribing by a mail's link, and a household's
time zone. Each one that changes where reminders are filed moves the household's entries in the
due-date index in the same outbox entry, so the daily run (which never opens Aurora) finds them
where the new settings put them.

A member chooses only their own windows: a reminder is mail to that person's address, so no
owner decides it for them. The household row is locked first, as member changes lock it, so two
changes of one household's index run one after the other."""
import uuid

from chalicelib.control import rules
from chalicelib.control.commands import ChangeTimeZone, ChooseReminderWindows, Unsubscribe
from chalicelib.control.households import household_of, membership
from chalicelib.control.models import Household, ReminderSettings
from chalicelib.control.projection import Operation, household_item, put, reminder_settings_item, reminders_moved
from chalicelib.control.registry import handles
from chalicelib.control.responses import ReminderWindowsView, TimeZoneChanged
from chalicelib.control.unit_of_work import UnitOfWork
from pawport.reminders import windows_of


@handles(ChooseReminderWindows, "choose_reminder_windows")
def choose_reminder_windows(command: ChooseReminderWindows, uow: UnitOfWork) -> ReminderWindowsView:
    uow.households.lock(command.household_id)
    member = membership(uow, command.household_id, rules.MEMBERS)
    return _choose(uow, member.household_id, member.user_id, command.choice.windows, "reminders.windows")


@handles(Unsubscribe, "unsubscribe_reminders")
def unsubscribe(command: Unsubscribe, uow: UnitOfWork) -> ReminderWindowsView:
    """Idempotent: a second click (or a mail client's one-click POST after it) changes nothing. A
    link of someone no longer a member has nothing left to stop."""
    uow.households.lock(command.household_id)
    member = uow.members.of(command.household_id, command.user_id)
    if member is None:
        return ReminderWindowsView(household_id=command.household_id, user_id=command.user_id, windows=[])
    return _choose(uow, member.household_id, member.user_id, [], "reminders.unsubscribe")


@handles(ChangeTimeZone, "change_time_zone")
def change_time_zone(command: ChangeTimeZone, uow: UnitOfWork) -> TimeZoneChanged:
    uow.households.lock(command.household_id)
    household = household_of(uow, command.household_id, rules.OWNERS)
    before, after = household.time_zone, command.change.time_zone
    if before != after:
        windows = uow.reminders.index_windows(household.id)
        records = uow.reminders.records(household.id)
        household.time_zone = after
        uow.households.save()
        uow.audit(household.id, "household.time_zone", f"household:{household.id}")
        uow.publish(household.id, [put(household_item(household)),
                                   *reminders_moved(records, (before, windows), (after, windows))])
    return TimeZoneChanged(household_id=str(household.id), time_zone=household.time_zone)


def _choose(uow: UnitOfWork, household_id: uuid.UUID, user_id: str, windows: list[int],
            action: str) -> ReminderWindowsView:
    chosen = list(windows_of(windows))
    settings = uow.reminders.settings_of(household_id, user_id)
    if settings is None or list(settings.windows) != chosen:
        household = uow.households.get(household_id)
        before = uow.reminders.index_windows(household_id)
        settings = _saved(uow, settings, household_id, user_id, chosen)
        uow.audit(household_id, action, f"member:{user_id}")
        uow.publish(household_id, [put(reminder_settings_item(settings)),
                                   *_index_moved(uow, household, before)])
    return ReminderWindowsView(household_id=str(household_id), user_id=user_id, windows=list(settings.windows))


def _saved(uow: UnitOfWork, settings: ReminderSettings | None, household_id: uuid.UUID, user_id: str,
           chosen: list[int]) -> ReminderSettings:
    if settings is None:
        settings = ReminderSettings(household_id=household_id, user_id=user_id, windows=chosen, updated_at=uow.ctx.now)
        uow.reminders.add(settings)
    else:
        settings.windows, settings.updated_at = chosen, uow.ctx.now
        uow.reminders.save()
    return settings


def _index_moved(uow: UnitOfWork, household: Household, before: tuple[int, ...]) -> list[Operation]:
    """The index holds every window any member keeps: it moves only when that set changed."""
    after = uow.reminders.index_windows(household.id)
    if after == before:
        return []
    return reminders_moved(uow.reminders.records(household.id), (household.time_zone, before),
                           (household.time_zone, after))
