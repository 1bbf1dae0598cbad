"""Two actions that lock the same rows in opposite order: PostgreSQL aborts one, and its caller
gets a 409 that says to try again — not the 503 meant for a database that is waking up."""
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from pawport.errors import Conflict
from tests.support.people import caller


def new_household(control) -> str:
    new = control.commands.CreateHousehold(control.requests.NewHousehold(name="Deadlock", time_zone="UTC"))
    return control.run(caller(), new, now=datetime.now(UTC), request_id="t")["household_id"]


def test_a_deadlock_is_a_conflict_to_retry(control) -> None:
    first, second = new_household(control), new_household(control)
    both_hold_one = threading.Barrier(2, timeout=10)
    outcomes: list[BaseException | None] = []

    def lock(one: str, other: str) -> None:
        try:
            with control.database.transaction("test.deadlock") as session:
                session.execute(text("SELECT 1 FROM household WHERE id = :id FOR UPDATE"), {"id": one})
                both_hold_one.wait()
                session.execute(text("SELECT 1 FROM household WHERE id = :id FOR UPDATE"), {"id": other})
            outcomes.append(None)
        except BaseException as error:  # any failure, collected for the assertion below
            outcomes.append(error)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    failed = [o for o in outcomes if o is not None]
    assert len(outcomes) == 2 and len(failed) == 1
    with pytest.raises(Conflict, match="try again"):
        raise failed[0]
