"""control: inside the VPC, the only service that opens Aurora. Thin routing only: each route
reads its declared request model and hands a command to its handler (chalicelib/control/wiring.py)."""
from typing import Any

from chalice import Chalice, Rate, Response
from chalice.app import SNSEvent
from pydantic import BaseModel

from chalicelib.control import unsubscribe_page
from chalicelib.control.commands import (
    AcceptInvitation,
    AddPet,
    ApproveDraft,
    ApproveRecord,
    AskQuestion,
    ChangeRole,
    ChangeTimeZone,
    ChooseReminderWindows,
    CreateHousehold,
    CreatePassport,
    DeleteRecord,
    InviteMember,
    LeaveHousehold,
    ReadAuditLog,
    ReadRecordHistory,
    RemoveMember,
    RemovePet,
    RenameHousehold,
    ReplaceRecord,
    RevokePassport,
    SetLlmBudget,
    UpdatePet,
    UpdateRecord,
)
from chalicelib.control.database_setup import set_up
from chalicelib.control.migrate import upgrade_to_head
from chalicelib.control.requests import (
    Acceptance,
    BudgetChange,
    DraftApproval,
    HouseholdName,
    NewAsk,
    NewHousehold,
    NewInvitation,
    NewPassport,
    NewPet,
    NewRecord,
    Page,
    PetChanges,
    RecordChanges,
    RecordReplacement,
    ReminderWindows,
    RoleChange,
    TimeZoneChange,
)
from chalicelib.control.responses import Health
from chalicelib.control.settings import settings
from chalicelib.control.wiring import Control, wire
from pawport.http import body, caller, current, error_shape, json_route, query, request_id, require_authentication

app = Chalice(app_name="pawport-control")
config = settings()
control: Control = wire(config)   # the bench hands in its own, on its accelerated clock
UNSUBSCRIBE = "/reminders/unsubscribe"   # a reminder mail's link: its signed token stands in for a sign-in
require_authentication(app, control.verifier, public=frozenset({UNSUBSCRIBE}))
error_shape(app)   # every 4xx as {"error", "message"}, Chalice's own 405 and 415 too


def answer(command: object) -> BaseModel:
    request = app.current_request
    return control.handle(command, control.context(caller(request), request_id(request)))


@json_route(app, "/health")
def health() -> Health:
    return Health(service="control", status="ok")


@json_route(app, "/households", methods=["POST"], status=201)
def create_household() -> BaseModel:
    return answer(CreateHousehold(body(app.current_request, NewHousehold)))


@json_route(app, "/households/{household_id}", methods=["PATCH"])
def rename_household(household_id: str) -> BaseModel:
    return answer(RenameHousehold(household_id, body(app.current_request, HouseholdName)))


@json_route(app, "/households/{household_id}/pets", methods=["POST"], status=201)
def add_pet(household_id: str) -> BaseModel:
    return answer(AddPet(household_id, body(app.current_request, NewPet)))


@json_route(app, "/pets/{pet_id}", methods=["PATCH"])
def update_pet(pet_id: str) -> BaseModel:
    """Only the fields sent change; null clears an optional one."""
    return answer(UpdatePet(pet_id, body(app.current_request, PetChanges)))


@json_route(app, "/pets/{pet_id}", methods=["DELETE"])
def remove_pet(pet_id: str) -> BaseModel:
    """The pet, its records and (through workers) its files."""
    return answer(RemovePet(pet_id))


@json_route(app, "/pets/{pet_id}/records", methods=["POST"], status=201)
def approve_record(pet_id: str) -> BaseModel:
    return answer(ApproveRecord(pet_id, body(app.current_request, NewRecord)))


@json_route(app, "/pets/{pet_id}/drafts/{upload_id}/approve", methods=["POST"], status=201)
def approve_draft(pet_id: str, upload_id: str) -> BaseModel:
    return answer(ApproveDraft(pet_id, upload_id, body(app.current_request, DraftApproval)))


@json_route(app, "/pets/{pet_id}/records/{record_id}", methods=["PUT"])
def replace_record(pet_id: str, record_id: str) -> BaseModel:
    """Replaces the whole record: every field must be sent, null to clear one (PATCH changes only some)."""
    return answer(ReplaceRecord(pet_id, record_id, body(app.current_request, RecordReplacement)))


@json_route(app, "/pets/{pet_id}/records/{record_id}", methods=["PATCH"])
def update_record(pet_id: str, record_id: str) -> BaseModel:
    """Changes only the fields sent; a field left out (clinic, say) keeps its value."""
    return answer(UpdateRecord(pet_id, record_id, body(app.current_request, RecordChanges)))


@json_route(app, "/pets/{pet_id}/records/{record_id}/history")
def read_record_history(pet_id: str, record_id: str) -> BaseModel:
    """Owners: the record's audit entries with what each edit changed (the audit log is in Aurora only)."""
    return answer(ReadRecordHistory(pet_id, record_id))


@json_route(app, "/pets/{pet_id}/records/{record_id}", methods=["DELETE"])
def delete_record(pet_id: str, record_id: str) -> BaseModel:
    return answer(DeleteRecord(pet_id, record_id))


@json_route(app, "/households/{household_id}/invitations", methods=["POST"], status=201)
def invite_member(household_id: str) -> BaseModel:
    return answer(InviteMember(household_id, body(app.current_request, NewInvitation)))


@json_route(app, "/invitations/accept", methods=["POST"])
def accept_invitation() -> BaseModel:
    return answer(AcceptInvitation(body(app.current_request, Acceptance)))


@json_route(app, "/households/{household_id}/members/{user_id}", methods=["PUT"])
def change_role(household_id: str, user_id: str) -> BaseModel:
    return answer(ChangeRole(household_id, user_id, body(app.current_request, RoleChange)))


@json_route(app, "/households/{household_id}/members/{user_id}", methods=["DELETE"])
def remove_member(household_id: str, user_id: str) -> BaseModel:
    return answer(RemoveMember(household_id, user_id))


@json_route(app, "/households/{household_id}/leave", methods=["POST"])
def leave_household(household_id: str) -> BaseModel:
    return answer(LeaveHousehold(household_id))


@json_route(app, "/households/{household_id}/passports", methods=["POST"], status=201)
def create_passport(household_id: str) -> BaseModel:
    return answer(CreatePassport(household_id, body(app.current_request, NewPassport)))


@json_route(app, "/households/{household_id}/passports/{passport_id}/revoke", methods=["POST"])
def revoke_passport(household_id: str, passport_id: str) -> BaseModel:
    return answer(RevokePassport(household_id, passport_id))


@json_route(app, "/households/{household_id}/asks", methods=["POST"], status=202)
def ask_question(household_id: str) -> BaseModel:
    return answer(AskQuestion(household_id, body(app.current_request, NewAsk)))


@json_route(app, "/households/{household_id}/llm-budget", methods=["PUT"])
def set_llm_budget(household_id: str) -> BaseModel:
    return answer(SetLlmBudget(household_id, body(app.current_request, BudgetChange)))


@json_route(app, "/households/{household_id}/reminders", methods=["PUT"])
def choose_reminder_windows(household_id: str) -> BaseModel:
    """The caller's own reminder windows in the household."""
    return answer(ChooseReminderWindows(household_id, body(app.current_request, ReminderWindows)))


@json_route(app, "/households/{household_id}/time-zone", methods=["PUT"])
def change_time_zone(household_id: str) -> BaseModel:
    return answer(ChangeTimeZone(household_id, body(app.current_request, TimeZoneChange)))


# Mail clients' one-click POST sends a form body (RFC 8058); the page's button does too.
@app.route(UNSUBSCRIBE, methods=["GET", "POST"],
           content_types=["application/x-www-form-urlencoded", "multipart/form-data", "application/json"])
def unsubscribe_reminders() -> Response:
    """An HTML page, not JSON: a person opens it from a mail (chalicelib/control/unsubscribe_page.py)."""
    request = current(app.current_request)
    return unsubscribe_page.answer(request.method, dict(request.query_params or {}),
                                   config.reminder_link_key.get_secret_value(), control.clock(), control.unsubscribe,
                                   request_id(request))


@json_route(app, "/households/{household_id}/audit")
def read_audit_log(household_id: str) -> BaseModel:
    return answer(ReadAuditLog(household_id, query(app.current_request, Page)))


@json_route(app, "/warmup", methods=["POST"])
def warmup() -> BaseModel:
    request = app.current_request
    return control.warm_up(control.context(caller(request), request_id(request)))


@app.lambda_function(name="migrate")
def migrate(event: dict, context: object) -> dict:
    """Invoked once per release, by the operator: `alembic upgrade head` from inside the VPC. The first
    invocation on a new cluster also carries the master user and password: the one-time set-up of
    the two roles (chalicelib/control/database_setup.py). Alembic connects as the migration role."""
    done = set_up(config, event["master_user"], event["master_password"]) if "master_password" in event else 0
    return {"set_up_statements": done, "revision": upgrade_to_head()}


@app.lambda_function(name="operator_aggregates")
def operator_aggregates(event: dict, context: Any) -> dict:
    """Invoked by workers' weekly operator metrics (control cannot reach CloudWatch): counts only."""
    return control.operator_aggregates(event, context.aws_request_id)


@app.lambda_function(name="rebuild_projections")
def rebuild_projections(event: dict, context: Any) -> dict:
    """Invoked by the operator (`make rebuild-projections`): every projection item again from Aurora."""
    return control.rebuild_projections(context.aws_request_id).model_dump()


@app.on_sns_message(topic=config.ses_feedback_topic, name="ses_feedback")
def ses_feedback(event: SNSEvent) -> None:
    """SES's bounces and complaints, pushed by SNS (an asynchronous invocation: retried twice, then the
    dead-letter queue): the addresses suppressed in Aurora, audited, projected for workers."""
    control.mail_feedback(event.to_dict())


@app.schedule(Rate(10, unit=Rate.MINUTES))
def sweep_outbox(event: object) -> None:
    """Publish what an interrupted action left in the outbox; Aurora is woken only if something is owed."""
    control.sweep_outbox()
