"""egress: outside the VPC, the only holder of the LLM key. Invoked by workers, it holds no data permission."""
from chalice import Chalice

from chalicelib.egress.extractor import Extractor
from chalicelib.egress.settings import settings

app = Chalice(app_name="pawport-egress")
extractor = Extractor.from_settings(settings())


@app.lambda_function(name="health")
def health(event: dict, context: object) -> dict:
    """No HTTP API on purpose: nothing outside should be able to call the LLM holder."""
    return {"service": "egress", "status": "ok"}


@app.lambda_function(name="extract")
def extract(event: dict, context: object) -> dict:
    """workers' synchronous invocation: one job (a presigned GET of the document) in, its result
    and token use out. One job per invocation: a slow model call (up to ~95 s with retries) fits the
    110 s timeout only alone."""
    return extractor.answer(event)
