"""Per-person limits over HTTP: wake-ahead is refused with 429 and Retry-After once a person has
used the hour's ten, before Aurora is touched; the next person is not affected."""
import time
from datetime import UTC, datetime

import pytest
import requests

from devstack.stack import Stack
from tests.support.people import new_person

pytestmark = pytest.mark.slow


def test_the_eleventh_warmup_of_the_hour_is_429_with_retry_after(services: Stack) -> None:
    if (seconds_into_hour := time.time() % 3600) > 3600 - 30:
        time.sleep(3600 - seconds_into_hour + 1)    # all eleven calls in one hour's window
    eager, other = new_person(services, "eager"), new_person(services, "other")
    warm = [requests.post(f"{services.control_url}/warmup", headers=eager.headers, timeout=30) for _ in range(10)]
    assert [w.status_code for w in warm] == [200] * 10

    refused = requests.post(f"{services.control_url}/warmup", headers=eager.headers, timeout=30)
    assert refused.status_code == 429 and refused.json()["error"] == "TooManyRequests"
    assert "at most 10 warmup requests an hour" in refused.json()["message"]
    next_hour = 3600 - datetime.now(UTC).timestamp() % 3600
    assert abs(int(refused.headers["Retry-After"]) - next_hour) <= 5
    assert requests.post(f"{services.control_url}/warmup", headers=other.headers, timeout=30).status_code == 200
