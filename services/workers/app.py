"""workers: outside the VPC, driven by S3 (through SQS), SQS, DynamoDB-stream and schedule events."""
from chalice import Chalice

from pawport import table
from chalicelib.workers.settings import settings

app = Chalice(app_name="pawport-workers")
config = settings()
table.bind(config.table_name, config.aws_region, config.aws_endpoint_url)


@app.lambda_function(name="health")
def health(event: dict, context: object) -> dict:
    """Event-driven only: no HTTP API to expose."""
    return {"service": "workers", "status": "ok"}
