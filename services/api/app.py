"""api: the hot path outside the VPC. Reads from DynamoDB only; never touches Aurora."""
from datetime import UTC, datetime

from chalice import Chalice

from pawport import table
from pawport.auth import TokenVerifier
from pawport.http import body, caller, json_route, require_authentication
from chalicelib.api import certificates, memberships
from chalicelib.api.dashboard import dashboard
from chalicelib.api.household_view import HouseholdView, load_household, load_pet_household
from chalicelib.api.settings import settings
from chalicelib.api.storage import Storage

app = Chalice(app_name="pawport-api")
config = settings()
table.bind(config.table_name, config.aws_region, config.aws_endpoint_url)
storage = Storage(config.uploads_bucket, config.aws_region, config.aws_endpoint_url)
require_authentication(app, TokenVerifier(config.cognito_jwks, config.cognito_issuer, config.cognito_client_id))


def now() -> datetime:
    return datetime.now(UTC)


def pet_household(pet_id: str) -> HouseholdView:
    return load_pet_household(pet_id, caller(app.current_request), now())


@json_route(app, "/health")
def health() -> dict:
    return {"service": "api", "status": "ok"}


@json_route(app, "/households/{household_id}/dashboard")
def household_dashboard(household_id: str) -> dict:
    return dashboard(load_household(household_id, caller(app.current_request), now()), now())


@json_route(app, "/households/{household_id}/members")
def household_members(household_id: str) -> dict:
    return {"members": memberships.household_members(load_household(household_id, caller(app.current_request), now()))}


@json_route(app, "/me/households")
def my_households() -> dict:
    return {"households": memberships.my_households(caller(app.current_request))}


@json_route(app, "/pets/{pet_id}/records/uploads", methods=["POST"], status=201)
def start_upload(pet_id: str) -> dict:
    request = body(app.current_request, certificates.UploadRequest)
    return certificates.start_upload(pet_household(pet_id), pet_id, request, storage)


@json_route(app, "/pets/{pet_id}/drafts")
def list_drafts(pet_id: str) -> dict:
    return {"drafts": certificates.drafts(pet_household(pet_id), pet_id, storage)}


@json_route(app, "/pets/{pet_id}/quick-show")
def quick_show(pet_id: str) -> dict:
    return certificates.quick_show(pet_household(pet_id), pet_id, now(), storage)


@json_route(app, "/pets/{pet_id}/records/{record_id}/document")
def record_document(pet_id: str, record_id: str) -> dict:
    return certificates.record_document(pet_household(pet_id), pet_id, record_id, storage)
