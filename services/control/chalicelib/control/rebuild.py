"""Rebuild every household's projection, and the mail suppression list, in the main table from
Aurora, which holds the record: what the relay should have written is put again (at the rows' versions, so nothing newer is
rolled back), and what the table still holds of the projection but Aurora no longer derives is
deleted. Work state in the same partitions (drafts, their document claims, live counters, mail)
is not projection and is left alone: workers keep it."""
import uuid
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select

from chalicelib.control.database import Database
from chalicelib.control.models import Household
from chalicelib.control.projection import Item, household_items, suppression_items
from chalicelib.control.projection_store import Projections
from chalicelib.control.registry import action, name_of
from pawport.keys import SUPPRESSION_KEY, household_key, passport_key, reminder_key, user_key
from pawport.reminders import index_windows, reminder_runs

# The kinds the relay writes from Aurora's rows (projection.py); anything else is work state.
PROJECTED_KINDS = frozenset({"household", "member", "membership", "pet", "pet-home", "record", "document-hash",
                             "reminder", "reminder-settings", "passport", "passport-token",
                             "llm-budget", "suppression"})


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
    # None: what belongs to no household, the mail suppression list (one partition, read whole)
    held: dict[uuid.UUID | None, list[Item]] = {h: stored(projections, str(h)) for h in ids}
    held[None] = [i for i in projections.partition(SUPPRESSION_KEY) if i["kind"] == "suppression"]
    with database.transaction(name_of(rebuild_projections), request_id) as session:
        derived = {h: household_items(session, h) for h in ids} | {None: suppression_items(session)}
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


def _entered(record: Item) -> datetime:
    # A record projected before entry dates were: its reminders were filed on their own days.
    return datetime.fromisoformat(record["body"].get("entered_at") or "1970-01-01T00:00:00+00:00")


def stored(projections: Projections, household_id: str) -> list[Item]:
    """The household's projection items as the table holds them: its partition, its members'
    membership items, its records' entries in the due-date index (found from the stored records'
    expiry and entry dates, on the household's stored calendar and reminder windows) and its
    passports' token items."""
    partition = projections.partition(household_key(household_id))
    zone = next((i["body"]["time_zone"] for i in partition if i["kind"] == "household"), "UTC")
    memberships = [user_key(i["body"]["user_id"]) for i in partition if i["kind"] == "member"]
    windows = index_windows(i["body"]["windows"] for i in partition if i["kind"] == "reminder-settings")
    days = {reminder_key(run.isoformat()) for i in partition
            if i["kind"] == "record" and i["body"].get("expires_on")
            for run in reminder_runs(date.fromisoformat(i["body"]["expires_on"]), windows, zone, _entered(i))}
    tokens = [passport_key(i["body"]["token"]) for i in partition if i["kind"] == "passport"]
    found = [*partition, *projections.projected(household_id, [*memberships, *days, *tokens])]
    return [i for i in found if i["kind"] in PROJECTED_KINDS and i["version"] > 0
            and (i["kind"] != "membership" or i["body"].get("household_id") == household_id)]
