"""The household's audit log, for its owners: newest first, paged by entry id. Reading it is a
control action too (it wakes Aurora), so the read itself is audited."""
from chalicelib.control import rules
from chalicelib.control.commands import ReadAuditLog
from chalicelib.control.households import household_of
from chalicelib.control.models import AuditEntry
from chalicelib.control.registry import handles
from chalicelib.control.responses import AuditEntryView, AuditPage
from chalicelib.control.unit_of_work import UnitOfWork


@handles(ReadAuditLog, "read_audit_log")
def read_audit_log(command: ReadAuditLog, uow: UnitOfWork) -> AuditPage:
    household, page = household_of(uow, command.household_id, rules.OWNERS), command.page
    found = uow.audit_log.page(household.id, page.before, page.limit + 1)
    entries = found[:page.limit]
    uow.audit(household.id, "audit.read", f"household:{household.id}")
    return AuditPage(entries=[entry_view(e) for e in entries],
                     next=entries[-1].id if len(found) > page.limit else None)


def entry_view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(id=entry.id, at=entry.at.isoformat(), actor=entry.actor_user_id, action=entry.action,
                          target=entry.target, request_id=entry.request_id)

