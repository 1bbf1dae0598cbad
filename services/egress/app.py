"""egress: outside the VPC, the only holder of the LLM key. Reads job objects, writes results."""
from chalice import Chalice

from chalicelib.egress.settings import settings

app = Chalice(app_name="pawport-egress")
config = settings()


@app.lambda_function(name="health")
def health(event: dict, context: object) -> dict:
    """No HTTP API on purpose: nothing outside should be able to call the LLM holder."""
    return {"service": "egress", "status": "ok"}
