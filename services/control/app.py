"""control: inside the VPC, the only service that opens Aurora. Thin routing only: each route
reads its declared request model and hands a command to its handler (chalicelib/control/wiring.py)."""
from typing import Any

from chalice import Chalice, Rate
from pydantic import BaseModel

from chalicelib.control.commands import (
    AcceptInvitation,
    AddPet,
    ApproveRecord,
    ChangeRole,
    CreateHousehold,
    DeleteRecord,
    InviteMember,
    LeaveHousehold,
    ReadAuditLog,
    RemoveMember,
    UpdateRecord,
)
from chalicelib.control.database_setup import set_up
from chalicelib.control.migrate import upgrade_to_head
from chalicelib.control.requests import Acceptance, NewHousehold, NewInvitation, NewPet, NewRecord, Page, RecordFields, RoleChange
from chalicelib.control.responses import Health
from chalicelib.control.settings import settings
from chalicelib.control.wiring import Control, wire
from pawport.http import body, caller, json_route, query, request_id, require_authentication

app = Chalice(app_name="pawport-control")
config = settings()
control: Control = wire(config)   # the bench hands in its own, on its accelerated clock
require_authentication(app, control.verifier)


def answer(command: object) -> BaseModel:
    request = app.current_request
    return control.handle(command, control.context(caller(request), request_id(request)))


@json_route(app, "/health")
def health() -> Health:
    return Health(service="control", status="ok")


@json_route(app, "/households", methods=["POST"], status=201)
def create_household() -> BaseModel:
    return answer(CreateHousehold(body(app.current_request, NewHousehold)))


@json_route(app, "/households/{household_id}/pets", methods=["POST"], status=201)
def add_pet(household_id: str) -> BaseModel:
    return answer(AddPet(household_id, body(app.current_request, NewPet)))


@json_route(app, "/pets/{pet_id}/records", methods=["POST"], status=201)
def approve_record(pet_id: str) -> BaseModel:
    return answer(ApproveRecord(pet_id, body(app.current_request, NewRecord)))


@json_route(app, "/pets/{pet_id}/records/{record_id}", methods=["PUT"])
def update_record(pet_id: str, record_id: str) -> BaseModel:
    return answer(UpdateRecord(pet_id, record_id, body(app.current_request, RecordFields)))


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


@app.schedule(Rate(10, unit=Rate.MINUTES))
def sweep_outbox(event: object) -> None:
    """Publish what an interrupted action left in the outbox; Aurora is woken only if something is owed."""
    control.sweep_outbox()
