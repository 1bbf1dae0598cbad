"""Households in the browser: an invitation from the owner to someone new, accepted with the mailed code;
a member's own reminder windows."""
import uuid

import pytest
import requests

from devstack.stack import Stack
from tests.browser import stage
from tests.browser.conftest import run_flow

pytestmark = pytest.mark.slow


def test_owner_invites_invitee_signs_up_accepts_and_sees_the_household(services: Stack, web: str) -> None:
    place = stage.household(services, "The Invitations")
    invitee = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    joined = run_flow("invitation_flow", **place.flow_args(web), invitee=invitee, moto_url=services.moto_url,
                      user_pool_id=services.resources.user_pool_id)
    assert joined == {"joined": True}


def test_forgotten_password_asks_for_the_code(services: Stack, web: str) -> None:
    place = stage.household(services, "The Forgetful")
    assert run_flow("forgot_flow", **place.flow_args(web)) == {"asked": True}


def test_a_member_chooses_their_reminder_windows_on_the_household_screen(services: Stack, web: str) -> None:
    place = stage.household(services, "The Reminded")
    seen = run_flow("reminders_flow", **place.flow_args(web))
    assert seen == {"before": ["30 days before: true", "7 days before: false", "On the last valid day: true"],
                    "kept": ["30 days before: true", "7 days before: true", "On the last valid day: true"]}
    chosen = requests.get(f"{services.api_url}/households/{place.household_id}/reminders", headers=place.owner.headers,
                          timeout=30)
    assert chosen.status_code == 200 and chosen.json()["windows"] == [] and chosen.json()["chosen"] is True, chosen.text
