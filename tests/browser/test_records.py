"""Records in the browser: a certificate uploaded, reviewed with what was read, approved, and the
pet's status on the dashboard."""
from datetime import date, timedelta
from pathlib import Path

import pytest

from devstack.stack import Stack
from tests.browser import stage
from tests.browser.conftest import run_flow

pytestmark = pytest.mark.slow


def test_upload_review_approve_then_status_on_the_dashboard(services: Stack, web: str, tmp_path: Path) -> None:
    place = stage.household(services, "The Uploads")
    today = date.today()
    certificate = tmp_path / "ollie rabies.pdf"
    certificate.write_bytes(stage.rabies_pdf(place.pet, today - timedelta(days=10), today + timedelta(days=1000)))
    assert run_flow("upload_flow", **place.flow_args(web), files=[str(certificate)]) == {"clinic": True}


def test_approving_while_the_database_sleeps_waits_and_succeeds(services: Stack, web: str) -> None:
    place = stage.household(services, "The Sleepers")
    today = date.today()
    upload_id = stage.upload(services, place, "rabies.pdf", stage.rabies_pdf(place.pet, today - timedelta(days=5),
                                                                             today + timedelta(days=900)),
                             "application/pdf")
    assert stage.settled(services, place, upload_id)["entries"]   # a vaccination to approve
    assert services.postgres is not None
    try:
        approved = run_flow("wake_flow", steps={"stop-database": services.postgres.stop,
                                                "start-database": services.postgres.start},
                            expires_on=(today + timedelta(days=900)).isoformat(), **place.flow_args(web))
    finally:
        services.postgres.start()   # the session's other tests need it, whatever happened here
    assert approved == {"approved": True}
