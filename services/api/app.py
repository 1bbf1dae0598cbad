"""api: the hot path outside the VPC. Reads from DynamoDB only; never touches Aurora."""
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from chalice import Chalice

from chalicelib.api import asks, certificates, drafts, memberships, models, passports, pet_photos, reminder_settings
from chalicelib.api.dashboard import dashboard
from chalicelib.api.household_view import HouseholdView, load_household, load_pet_household
from chalicelib.api.settings import settings
from chalicelib.api.storage import Storage
from pawport.auth import TokenVerifier
from pawport.http import body, caller, error_shape, json_route, redirect_route, require_authentication
from pawport.llm_budget import Budgets
from pawport.store import Store

app = Chalice(app_name="pawport-api")
config = settings()
storage = Storage(config.uploads_bucket, config.aws_region, config.aws_endpoint_url)
review = drafts.Review(config.draft_review_function, config.aws_region, config.lambda_endpoint_url)
CERTIFICATE_LINK = "/passports/{token}/records/{record_id}/certificate"   # pawport.passports.certificate_path
# A passport's certificate link needs no sign-in: its token is checked instead.
require_authentication(app, TokenVerifier(config.cognito_jwks, config.cognito_issuer, config.cognito_client_id),
                       public=frozenset({CERTIFICATE_LINK}))
error_shape(app)   # every 4xx as {"error", "message"}, Chalice's own 405 and 415 too


# The api's clock (status at read time, the TTL rule): the wall clock, or one handed in (the bench's).
clock: Callable[[], datetime] = partial(datetime.now, UTC)


def now() -> datetime:
    return clock()


store = Store.from_settings(config, clock=lambda: now())   # one clock for the api and the TTL rule
budgets = Budgets(store, now)


def pet_household(pet_id: str) -> HouseholdView:
    return load_pet_household(store, pet_id, caller(app.current_request))


@json_route(app, "/health")
def health() -> models.Health:
    return models.Health(service="api", status="ok")


@json_route(app, "/households/{household_id}/dashboard")
def household_dashboard(household_id: str) -> models.Dashboard:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    return dashboard(load_household(store, ids.household_id, caller(app.current_request)), now(), storage)


@json_route(app, "/households/{household_id}/members")
def household_members(household_id: str) -> models.Members:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    view = load_household(store, ids.household_id, caller(app.current_request))
    return models.Members.model_validate({"members": memberships.household_members(view, store)})


@json_route(app, "/me/households")
def my_households() -> models.Memberships:
    return models.Memberships.model_validate({"households": memberships.my_households(store, caller(app.current_request))})


@json_route(app, "/pets/{pet_id}/records/uploads", methods=["POST"], status=201)
def start_upload(pet_id: str) -> models.UploadForm:
    ids = models.path(models.PetPath, pet_id=pet_id)
    request = body(app.current_request, models.UploadRequest)
    return certificates.start_upload(pet_household(ids.pet_id), ids.pet_id, request, storage)


@json_route(app, "/pets/{pet_id}/photo/uploads", methods=["POST"], status=201)
def start_photo_upload(pet_id: str) -> models.UploadForm:
    ids = models.path(models.PetPath, pet_id=pet_id)
    request = body(app.current_request, models.PhotoRequest)
    return pet_photos.start_photo_upload(pet_household(ids.pet_id), ids.pet_id, request, storage)


@json_route(app, "/pets/{pet_id}/drafts")
def list_drafts(pet_id: str) -> models.Drafts:
    ids = models.path(models.PetPath, pet_id=pet_id)
    return drafts.drafts(pet_household(ids.pet_id), ids.pet_id, now(), storage)


@json_route(app, "/pets/{pet_id}/drafts/{upload_id}", methods=["DELETE"])
def dismiss_draft(pet_id: str, upload_id: str) -> models.DraftDismissal:
    ids = models.path(models.DraftPath, pet_id=pet_id, upload_id=upload_id)
    return drafts.dismiss(pet_household(ids.pet_id), ids.pet_id, ids.upload_id, review)


@json_route(app, "/pets/{pet_id}/drafts/{upload_id}/discard", methods=["POST"])
def discard_draft_entries(pet_id: str, upload_id: str) -> models.EntriesDiscarded:
    ids = models.path(models.DraftPath, pet_id=pet_id, upload_id=upload_id)
    request = body(app.current_request, models.DiscardRequest)
    return drafts.discard(pet_household(ids.pet_id), ids.pet_id, ids.upload_id, request.entries, review)


@json_route(app, "/pets/{pet_id}/quick-show")
def quick_show(pet_id: str) -> models.QuickShow:
    ids = models.path(models.PetPath, pet_id=pet_id)
    return certificates.quick_show(pet_household(ids.pet_id), ids.pet_id, now(), storage)


@json_route(app, "/pets/{pet_id}/records/{record_id}/document")
def record_document(pet_id: str, record_id: str) -> models.DocumentLink:
    ids = models.path(models.RecordPath, pet_id=pet_id, record_id=record_id)
    return certificates.record_document(pet_household(ids.pet_id), ids.pet_id, ids.record_id, storage)


@json_route(app, "/households/{household_id}/passports")
def household_passports(household_id: str) -> models.Passports:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    view = load_household(store, ids.household_id, caller(app.current_request))
    return models.Passports(passports=passports.household_passports(view, config.passport_origin, now()))


@redirect_route(app, CERTIFICATE_LINK)
def passport_certificate(token: str, record_id: str) -> models.DocumentLink:
    ids = models.path(models.PassportPath, token=token, record_id=record_id)
    return passports.certificate(store, ids.token, ids.record_id, storage)


@json_route(app, "/asks/{request_id}")
def ask_answer(request_id: str) -> models.AskView:
    ids = models.path(models.AskPath, request_id=request_id)
    return asks.ask_view(store, ids.request_id, caller(app.current_request))


@json_route(app, "/households/{household_id}/llm-budget")
def llm_budget(household_id: str) -> models.BudgetView:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    view = load_household(store, ids.household_id, caller(app.current_request))
    return asks.budget_view(view, ids.household_id, budgets, now())


@json_route(app, "/households/{household_id}/reminders")
def my_reminder_windows(household_id: str) -> models.ReminderWindowsView:
    ids = models.path(models.HouseholdPath, household_id=household_id)
    who = caller(app.current_request)
    return reminder_settings.my_windows(load_household(store, ids.household_id, who), ids.household_id, who)
