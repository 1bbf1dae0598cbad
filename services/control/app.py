"""control: inside the VPC, the only service that opens Aurora. Thin routing only."""
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice import Chalice, Rate

from pawport import table
from pawport.auth import TokenVerifier
from pawport.http import body, json_route, query, require_authentication
from chalicelib.control import audit_log, households, members, operator_report, projection_store, records
from chalicelib.control.actions import context_of, perform, sweep_abandoned, warm_up
from chalicelib.control.database import Database, make_engine
from chalicelib.control.migrate import upgrade_to_head
from chalicelib.control.settings import settings

app = Chalice(app_name="pawport-control")
config = settings()
table.bind(config.table_name, config.aws_region, config.aws_endpoint_url)
database = Database(make_engine(config), config.db_resume_budget_seconds, config.db_retry_after_seconds)
# Wake-ahead connects once, briefly: no resume budget, a short connect timeout.
warmup_database = Database(make_engine(config, config.db_warmup_timeout_seconds), resume_budget_seconds=0)
require_authentication(app, TokenVerifier(config.cognito_jwks, config.cognito_issuer, config.cognito_client_id))


@json_route(app, "/health")
def health() -> dict:
    return {"service": "control", "status": "ok"}


@json_route(app, "/households", methods=["POST"], status=201)
def create_household() -> dict:
    request = app.current_request
    return perform(database, context_of(request), households.create_household,
                   body(request, households.NewHousehold))


@json_route(app, "/households/{household_id}/pets", methods=["POST"], status=201)
def add_pet(household_id: str) -> dict:
    request = app.current_request
    return perform(database, context_of(request), households.add_pet, household_id,
                   body(request, households.NewPet))


@json_route(app, "/pets/{pet_id}/records", methods=["POST"], status=201)
def approve_record(pet_id: str) -> dict:
    request = app.current_request
    return perform(database, context_of(request), records.approve_record, pet_id,
                   body(request, records.NewRecord), projection_store.find_draft)


@json_route(app, "/pets/{pet_id}/records/{record_id}", methods=["PUT"])
def update_record(pet_id: str, record_id: str) -> dict:
    request = app.current_request
    return perform(database, context_of(request), records.update_record, pet_id, record_id,
                   body(request, records.RecordFields))


@json_route(app, "/pets/{pet_id}/records/{record_id}", methods=["DELETE"])
def delete_record(pet_id: str, record_id: str) -> dict:
    return perform(database, context_of(app.current_request), records.delete_record, pet_id, record_id)


@json_route(app, "/households/{household_id}/invitations", methods=["POST"], status=201)
def invite_member(household_id: str) -> dict:
    request = app.current_request
    return perform(database, context_of(request), members.invite, household_id,
                   body(request, members.NewInvitation))


@json_route(app, "/invitations/accept", methods=["POST"])
def accept_invitation() -> dict:
    request = app.current_request
    return perform(database, context_of(request), members.accept, body(request, members.Acceptance))


@json_route(app, "/households/{household_id}/members/{user_id}", methods=["PUT"])
def change_role(household_id: str, user_id: str) -> dict:
    request = app.current_request
    return perform(database, context_of(request), members.change_role, household_id, user_id,
                   body(request, members.RoleChange))


@json_route(app, "/households/{household_id}/members/{user_id}", methods=["DELETE"])
def remove_member(household_id: str, user_id: str) -> dict:
    return perform(database, context_of(app.current_request), members.remove, household_id, user_id)


@json_route(app, "/households/{household_id}/leave", methods=["POST"])
def leave_household(household_id: str) -> dict:
    return perform(database, context_of(app.current_request), members.leave, household_id)


@json_route(app, "/households/{household_id}/audit")
def read_audit_log(household_id: str) -> dict:
    request = app.current_request
    return perform(database, context_of(request), audit_log.read_audit_log, household_id,
                   query(request, audit_log.Page))


@json_route(app, "/warmup", methods=["POST"])
def warmup() -> dict:
    return warm_up(warmup_database, context_of(app.current_request))


@app.lambda_function(name="migrate")
def migrate(event: dict, context: object) -> dict:
    """Invoked once per release, by the operator: `alembic upgrade head` from inside the VPC."""
    return {"revision": upgrade_to_head()}


@app.lambda_function(name="operator_aggregates")
def operator_aggregates(event: dict, context: Any) -> dict:
    """Invoked by workers' weekly operator metrics (control cannot reach CloudWatch): counts only."""
    return operator_report.operator_aggregates(database, event, context.aws_request_id,
                                               timedelta(seconds=config.db_pause_delay_seconds), projection_store.counters)


@app.schedule(Rate(10, unit=Rate.MINUTES))
def sweep_outbox(event: object) -> None:
    """Publish what an interrupted action left in the outbox; Aurora is woken only if something is owed."""
    sweep_abandoned(database, datetime.now(UTC))
