"""Dates as certificates print them, and the day/month order the document settles (devstack/llm/dates.py)."""
from datetime import date

import pytest

from devstack.llm.dates import day_month_order, find_dates

MARCH_14 = date(2026, 3, 14)


@pytest.mark.parametrize("written", [
    "2026-03-14", "14/03/2026", "03/14/2026", "14.03.2026", "14-03-2026", "14 March 2026", "14th March 2026",
    "14 Mar 2026", "14-Mar-2026", "Mar 14, 2026", "March 14, 2026", "March 14th 2026", "Mar. 14 2026", "14/03/26",
])
def test_each_written_form(written: str) -> None:
    assert [f.value for f in find_dates(f"Date given: {written}.")] == [MARCH_14]


@pytest.mark.parametrize("clues, order", [
    ("Riverside Vets, Cambridge CB2 1RX", "dmy"), ("Tel: +44 1223 555014", "dmy"), ("Total £45.00", "dmy"),
    ("Austin, TX 78703", "mdy"), ("(512) 555-0142", "mdy"), ("Total $45.00", "mdy"),
    ("Given 25/03/2026", "dmy"), ("Given 03/25/2026", "mdy"),
])
def test_the_order_comes_from_the_document(clues: str, order: str) -> None:
    assert day_month_order(clues)[0] == order


def test_conflicting_or_absent_clues_leave_it_unsettled() -> None:
    assert day_month_order("Thank you")[0] is None
    assert day_month_order("Austin, TX 78703 and Cambridge CB2 1RX")[0] is None
    assert day_month_order("25/03/2026 and 03/25/2026")[0] is None


def test_an_ambiguous_date_is_settled_by_the_order_or_left_unknown() -> None:
    assert find_dates("03/04/2026", "dmy", "country")[0].value == date(2026, 4, 3)
    assert find_dates("03/04/2026", "mdy", "country")[0].value == date(2026, 3, 4)
    assert find_dates("03/04/2026")[0].value is None
    assert find_dates("05/05/2026")[0].value == date(2026, 5, 5)


def test_impossible_dates_are_unknown() -> None:
    assert [f.value for f in find_dates("31/02/2026 and 2026-13-01")] == [None, None]
