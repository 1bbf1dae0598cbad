"""Per-person limits: invitations counted in the invite action (a fake unit of work, no database),
and the fixed windows wake-ahead is counted in. The DynamoDB counter itself is
tests/integration/test_rate_limits.py; over HTTP, tests/e2e/test_limits.py."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.control import commands as c
from chalicelib.control import members, rate_limits
from chalicelib.control import requests as r
from chalicelib.control.models import Household, Member, Role
from pawport.auth import Caller
from pawport.errors import TooManyRequests
from tests.unit.control_fakes import NOW, FakeUnitOfWork, Tables


def owner(name: str) -> Caller:
    return Caller(user_id=f"{name}-{uuid.uuid4().hex[:8]}", email=f"{name}@example.com", email_verified=True)


def household_of(tables: Tables, *owners: Caller) -> str:
    household = Household(id=uuid.uuid4(), name="The Inviters", time_zone="Europe/London", created_at=NOW)
    tables.add(household, *(Member(household_id=household.id, user_id=o.user_id, email=o.email, role=Role.OWNER,
                                   joined_at=NOW) for o in owners))
    return str(household.id)


def invite(tables: Tables, caller: Caller, household_id: str, now: datetime) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(tables, caller, now)
    members.invite(c.InviteMember(household_id, r.NewInvitation(email=f"{uuid.uuid4().hex[:8]}@example.com",
                                                                role="viewer")), uow)
    return uow


def test_an_inviter_sends_twenty_a_day_in_all_their_households_then_waits_for_the_oldest() -> None:
    tables, ann, bob = Tables(), owner("ann"), owner("bob")
    first, second = household_of(tables, ann, bob), household_of(tables, ann)
    for n in range(rate_limits.INVITATIONS.most):
        invite(tables, ann, first if n % 2 else second, NOW + timedelta(minutes=n))

    with pytest.raises(TooManyRequests, match="at most 20 invitations a day") as refused:
        invite(tables, ann, first, NOW + timedelta(hours=1))
    assert refused.value.status == 429
    assert refused.value.retry_after_seconds == timedelta(hours=23).total_seconds()  # the first is a day old then
    assert len(tables.invitations) == 20 and len(tables.audit) == 20      # nothing written, nothing mailed

    assert invite(tables, bob, first, NOW + timedelta(hours=1)).published   # the limit is the inviter's
    assert invite(tables, ann, first, NOW + timedelta(days=1, seconds=1)).published   # the oldest left the day


@pytest.mark.parametrize(("now", "start"), [
    (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
    (datetime(2026, 11, 23, 9, 59, 59, 999999, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
    (datetime(2026, 11, 23, 11, 30, tzinfo=UTC).astimezone(), datetime(2026, 11, 23, 11, 0, tzinfo=UTC))])
def test_wake_ahead_is_counted_in_fixed_hours_whatever_the_clocks_zone(now: datetime, start: datetime) -> None:
    assert rate_limits.WARMUP.window_of(now) == (start, start + timedelta(hours=1))
