"""What Lambda does around one invocation: the context object, JSON in and out, error capture."""
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("devstack.runner")

# Chalice's defaults for lambda_memory_size and lambda_timeout.
MEMORY_MB = 128
TIMEOUT_SECONDS = 60

# Told of every invocation, with its function and its seconds: the month replay's meter bills them.
observers: list[Callable[["Function", float], None]] = []


@dataclass(frozen=True)
class Function:
    """One event handler as Chalice deploys it: a Lambda function of its own."""
    name: str            # the handler's name in the app (Chalice's event source name)
    function_name: str   # "{app_name}-{stage}-{name}", as Chalice names the Lambda function
    arn: str
    entry: Callable[[dict, Any], Any]


class LambdaContext:
    """The `context` argument as Lambda's Python runtime (awslambdaric) builds it."""

    def __init__(self, function: Function) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        # A string: the runtime reads it from AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
        self.memory_limit_in_mb = str(MEMORY_MB)
        self.log_group_name = f"/aws/lambda/{function.function_name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.time() + TIMEOUT_SECONDS

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


@dataclass(frozen=True)
class Outcome:
    """What one invocation gave back: the JSON result, or the exception it raised."""
    result: Any = None
    error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def invoke(function: Function, event: dict) -> Outcome:
    """Call the handler with a JSON copy of the event; a result that is not JSON fails as in Lambda."""
    started = time.monotonic()
    try:
        result = function.entry(json.loads(json.dumps(event)), LambdaContext(function))
        return Outcome(result=json.loads(json.dumps(result)))
    except Exception as error:  # any handler failure is the function's error, never the runner's
        return Outcome(error=error)
    finally:
        for observer in observers:
            observer(function, time.monotonic() - started)


def log_delivery(source: str, function: Function, count: int, outcome: str, error: Exception | None = None) -> None:
    """One line per delivery; a failed one carries the handler's traceback."""
    message = "source=%s handler=%s count=%d outcome=%s"
    if error is None:
        log.info(message, source, function.name, count, outcome)
    else:
        log.error(message, source, function.name, count, outcome, exc_info=error)


def failed_items(outcome: Outcome, identifiers: list[str]) -> list[str]:
    """The batch items to retry, by Lambda's rules for partial batch responses.

    An exception fails the whole batch; so does a malformed or unknown itemIdentifier.
    No response, or an empty or null batchItemFailures list, is complete success.
    """
    if outcome.failed:
        return list(identifiers)
    reported = outcome.result.get("batchItemFailures") if isinstance(outcome.result, dict) else None
    if not reported:
        return []
    ids = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in reported]
    if any(not isinstance(i, str) or i not in identifiers for i in ids):
        return list(identifiers)
    return [i for i in identifiers if i in ids]
