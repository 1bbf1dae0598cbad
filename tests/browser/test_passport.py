"""Passports in the browser: shared, opened by someone with no account, revoked, gone."""
import pytest

from devstack.stack import Stack
from tests.browser import stage
from tests.browser.conftest import run_flow

pytestmark = pytest.mark.slow


def test_share_open_signed_out_revoke_then_gone(services: Stack, web: str) -> None:
    place = stage.household(services, "The Passports")
    stage.with_rabies_certificate(services, place)
    assert run_flow("passport_flow", **place.flow_args(web)) == {"gone": True}
