"""Rebuild every household's projection in the main table from Aurora, which holds the record:
what the relay should have written is put again (at the rows' versions, so nothing newer is
rolled back), and what the table still holds of the projection but Aurora no longer derives is
deleted. Work state in the same partitions (drafts, their document claims, live counters, mail)
is not projection and is left alone: workers keep it."""
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select

from chalicelib.control.database import Database
from chalicelib.control.models import Household
from chalicelib.control.projection import Item, household_items
from chalicelib.control.projection_store import Projections
from chalicelib.control.registry import action, name_of
from pawport.keys import household_key, reminder_key, user_key
from pawport.reminders import reminder_days, run_day

# The kinds the relay writes from Aurora's rows (projection.py); anything else is work state.
PROJECTED_KINDS = frozenset({"household", "member", "membership", "pet", "pet-home", "record", "document-hash",
                             "reminder"})


class Rebuilt(BaseModel):
    households: int
    written: int
    deleted: int


@action("rebuild_projections")
def rebuild_projections(database: Database, projections: Projections, request_id: str | None) -> Rebuilt:
    """The table is read before Aurora's rows: an item a concurrent action writes after that read
    is never taken for a stale one. Each session is short; no DynamoDB call runs inside one."""
    with database.transaction(name_of(rebuild_projections), request_id) as session:
        ids = session.scalars(select(Household.id).order_by(Household.id)).all()
    held = {h: stored(projections, str(h)) for h in ids}
    with database.transaction(name_of(rebuild_projections), request_id) as session:
        derived = {h: household_items(session, h) for h in ids}
    written = deleted = 0
    for household, items in derived.items():
        keep = {(i["pk"], i["sk"]) for i in items}
        for item in held[household]:
            if (item["pk"], item["sk"]) not in keep:
                projections.remove(item["pk"], item["sk"])
                deleted += 1
        for item in items:
            projections.write(item)
        written += len(items)
    return Rebuilt(households=len(ids), written=written, deleted=deleted)


def stored(projections: Projections, household_id: str) -> list[Item]:
    """The household's projection items as the table holds them: its partition, its members'
    membership items, and its records' entries in the due-date index (found from the stored
    records' expiry dates, on the household's stored calendar)."""
    partition = projections.partition(household_key(household_id))
    zone = next((i["body"]["time_zone"] for i in partition if i["kind"] == "household"), "UTC")
    memberships = [user_key(i["body"]["user_id"]) for i in partition if i["kind"] == "member"]
    days = {reminder_key(run_day(day, zone).isoformat()) for i in partition
            if i["kind"] == "record" and i["body"].get("expires_on")
            for day in reminder_days(date.fromisoformat(i["body"]["expires_on"])).values()}
    found = [*partition, *projections.projected(household_id, [*memberships, *days])]
    return [i for i in found if i["kind"] in PROJECTED_KINDS and i["version"] > 0
            and (i["kind"] != "membership" or i["body"].get("household_id") == household_id)]
