"""api: the hot path outside the VPC. Reads from DynamoDB only; never touches Aurora."""
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from chalice import Chalice

from chalicelib.api import certificates, memberships, models
from chalicelib.api.dashboard import dashboard
from chalicelib.api.household_view import HouseholdView, load_household, load_pet_household
from chalicelib.api.settings import settings
from chalicelib.api.storage import Storage
from pawport.auth import TokenVerifier
from pawport.http import body, caller, json_route, require_authentication
from pawport.store import Store

app = Chalice(app_name="pawport-api")
config = settings()
storage = Storage(config.uploads_bucket, config.aws_region, config.aws_endpoint_url)
require_authentication(app, TokenVerifier(config.cognito_jwks, config.cognito_issuer, config.cognito_client_id))


# The api's clock (status at read time, the TTL rule): the wall clock, or one handed in (the bench's).
clock: Callable[[], datetime] = partial(datetime.now, UTC)


def now() -> datetime:
    return clock()


store = Store.from_settings(config, clock=lambda: now())   # one clock for the api and the TTL rule


def pet_household(pet_id: str) -> HouseholdView:
    return load_pet_household(store, pet_id, caller(app.current_request))


@json_route(app, "/health")
def health() -> models.Health:
    return models.Health(service="api", status="ok")


@json_route(app, "/households/{household_id}/dashboard")
def household_dashboard(household_id: str) -> models.Dashboard:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    return dashboard(load_household(store, ids.household_id, caller(app.current_request)), now())


@json_route(app, "/households/{household_id}/members")
def household_members(household_id: str) -> models.Members:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    view = load_household(store, ids.household_id, caller(app.current_request))
    return models.Members.model_validate({"members": memberships.household_members(view)})


@json_route(app, "/me/households")
def my_households() -> models.Memberships:
    return models.Memberships.model_validate({"households": memberships.my_households(store, caller(app.current_request))})


@json_route(app, "/pets/{pet_id}/records/uploads", methods=["POST"], status=201)
def start_upload(pet_id: str) -> models.UploadForm:
    ids = models.path(models.PetPath, pet_id=pet_id)
    request = body(app.current_request, models.UploadRequest)
    return certificates.start_upload(pet_household(ids.pet_id), ids.pet_id, request, storage)


@json_route(app, "/pets/{pet_id}/drafts")
def list_drafts(pet_id: str) -> models.Drafts:
    ids = models.path(models.PetPath, pet_id=pet_id)
    return certificates.drafts(pet_household(ids.pet_id), ids.pet_id, storage)


@json_route(app, "/pets/{pet_id}/quick-show")
def quick_show(pet_id: str) -> models.QuickShow:
    ids = models.path(models.PetPath, pet_id=pet_id)
    return certificates.quick_show(pet_household(ids.pet_id), ids.pet_id, now(), storage)


@json_route(app, "/pets/{pet_id}/records/{record_id}/document")
def record_document(pet_id: str, record_id: str) -> models.DocumentLink:
    ids = models.path(models.RecordPath, pet_id=pet_id, record_id=record_id)
    return certificates.record_document(pet_household(ids.pet_id), ids.pet_id, ids.record_id, storage)
