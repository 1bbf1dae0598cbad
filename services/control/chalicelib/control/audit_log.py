"""The household's audit log, for its owners: newest first, paged by entry id. Reading it is a
control action too (it wakes Aurora), so the read itself is audited."""
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from chalicelib.control.households import OWNERS, Context, audit, require_role
from chalicelib.control.models import AuditEntry


class Page(BaseModel):
    before: int | None = Field(default=None, ge=1)   # the `next` of the previous page
    limit: int = Field(default=50, ge=1, le=200)


def read_audit_log(session: Session, ctx: Context, household_id: str, page: Page) -> dict:
    household = require_role(session, ctx.caller, household_id, OWNERS)
    query = (select(AuditEntry).where(AuditEntry.household_id == household.id)
             .order_by(AuditEntry.id.desc()).limit(page.limit + 1))
    if page.before is not None:
        query = query.where(AuditEntry.id < page.before)
    found = session.scalars(query).all()
    entries = found[:page.limit]
    audit(session, ctx, household.id, "audit.read", f"household:{household.id}")
    return {"entries": [entry_view(e) for e in entries],
            "next": entries[-1].id if len(found) > page.limit else None}


def entry_view(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor_user_id, "action": entry.action,
            "target": entry.target, "request_id": entry.request_id}
