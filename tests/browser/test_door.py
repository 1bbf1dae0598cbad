"""At the door: sign in, the dashboard, Quick Show, the certificate on screen."""
import pytest

from devstack.stack import Stack
from tests.browser import stage
from tests.browser.conftest import run_flow

pytestmark = pytest.mark.slow


def test_sign_in_dashboard_quick_show_certificate_visible(services: Stack, web: str) -> None:
    place = stage.household(services, "The Door Flow")
    stage.with_rabies_certificate(services, place)
    shown = run_flow("door_flow", **place.flow_args(web))
    assert shown == {"shown": "Rabies certificate"}


def test_offline_with_an_expired_token_quick_show_still_shows_the_certificate(services: Stack, web: str) -> None:
    place = stage.household(services, "The Offline Door")
    stage.with_rabies_certificate(services, place)
    shown = run_flow("offline_flow", **place.flow_args(web))
    assert shown == {"heading": "Ollie: Rabies", "taken": True}
