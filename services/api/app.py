"""api: the hot path outside the VPC. Reads from DynamoDB only; never touches Aurora."""
from chalice import Chalice

from pawport import table
from pawport.auth import TokenVerifier
from pawport.http import caller, json_route, require_authentication
from chalicelib.api.dashboard import dashboard, load_partition
from chalicelib.api.settings import settings

app = Chalice(app_name="pawport-api")
config = settings()
table.bind(config.table_name, config.aws_region, config.aws_endpoint_url)
require_authentication(app, TokenVerifier(config.cognito_jwks, config.cognito_issuer, config.cognito_client_id))


@json_route(app, "/health")
def health() -> dict:
    return {"service": "api", "status": "ok"}


@json_route(app, "/households/{household_id}/dashboard")
def household_dashboard(household_id: str) -> dict:
    return dashboard(load_partition(household_id), caller(app.current_request))
