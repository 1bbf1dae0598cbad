"""egress: outside the VPC, the only holder of the LLM key. Reads job objects, writes results."""
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalice import Chalice
from chalice.app import SQSEvent

from chalicelib.egress.extractor import Extractor
from chalicelib.egress.settings import settings

app = Chalice(app_name="pawport-egress")
config = settings()
extractor = Extractor.from_settings(config)
processor = BatchProcessor(event_type=EventType.SQS)


@app.lambda_function(name="health")
def health(event: dict, context: object) -> dict:
    """No HTTP API on purpose: nothing outside should be able to call the LLM holder."""
    return {"service": "egress", "status": "ok"}


# One job per invocation: a slow model call (up to ~95 s with retries) fits the 110 s timeout only alone.
@app.on_sqs_message(queue=config.extraction_jobs_queue, batch_size=1)
def extract(event: SQSEvent) -> dict:
    """Each message on its own: a failing one is reported back for retry (then the DLQ), not the rest."""
    return process_partial_response(event=event.to_dict(), record_handler=extractor.handle_record,
                                    processor=processor, context=event.context)
