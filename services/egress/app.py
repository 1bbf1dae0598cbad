"""egress: outside the VPC, the only holder of the LLM key. Invoked by workers, it holds no data permission."""
import logging

from chalice import Chalice

from chalicelib.egress.asker import Asker
from chalicelib.egress.extractor import Extractor
from chalicelib.egress.llm import OpenAIModel
from chalicelib.egress.settings import settings

app = Chalice(app_name="pawport-egress")
# Lambda's runtime shows WARNING and above by default; each job's one line (ids, model, tokens, time) is INFO.
logging.getLogger("pawport.egress").setLevel(logging.INFO)
config = settings()
extractor = Extractor.from_settings(config)
asker = Asker(OpenAIModel(config), config.ask_max_tokens)


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


@app.lambda_function(name="ask")
def ask(event: dict, context: object) -> dict:
    """workers' synchronous invocation: one ask (a question and its minimized context) in, the
    structured answer and its token use out."""
    return asker.answer(event)
