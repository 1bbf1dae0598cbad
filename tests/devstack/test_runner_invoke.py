"""The local event runner serves Lambda's Invoke API for the app's functions, answering as Lambda
answers a RequestResponse invocation: by name, full name or ARN; errors, sizes and unknown names."""
import json
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.resources import Resources
from devstack.runner_invoke import InvokeApi
from tests.devstack.runner_harness import lambda_client, runner_for, sample


@pytest.fixture
def invoker(made: Resources) -> Iterator[Any]:
    """boto3's Lambda client, pointed at the Invoke API of a runner of the fixture app."""
    api = InvokeApi(runner_for(made).functions, port=0).start()
    try:
        yield lambda_client(api.url)
    finally:
        api.stop()


@pytest.mark.parametrize("name", ["echo", "runner-fixture-local-echo",
                                  "arn:aws:lambda:us-east-1:123456789012:function:runner-fixture-local-echo",
                                  "arn:aws:lambda:us-east-1:123456789012:function:runner-fixture-local-echo:$LATEST"])
def test_a_function_is_invoked_by_its_name_full_name_or_arn(invoker: Any, name: str) -> None:
    answer = invoker.invoke(FunctionName=name, InvocationType="RequestResponse", Payload=b'{"month": "2026-03"}')
    assert (answer["StatusCode"], answer.get("FunctionError"), answer["ExecutedVersion"]) == (200, None, "$LATEST")
    assert json.load(answer["Payload"]) == {"event": {"month": "2026-03"}, "function_name": "runner-fixture-local-echo"}


def test_a_raising_function_answers_an_unhandled_function_error_as_lambda_does(invoker: Any) -> None:
    answer = invoker.invoke(FunctionName="broken", Payload=b'{"month": "2026-03"}')
    assert (answer["StatusCode"], answer["FunctionError"]) == (200, "Unhandled")
    error = json.load(answer["Payload"])
    assert (error["errorType"], error["errorMessage"]) == ("LookupError", "nothing for 2026-03")
    assert any("raise LookupError" in line for line in error["stackTrace"])


def test_an_answer_over_six_megabytes_is_a_function_error(invoker: Any) -> None:
    answer = invoker.invoke(FunctionName="oversized")
    error = json.load(answer["Payload"])
    assert (answer["FunctionError"], error["errorType"]) == ("Unhandled", "Function.ResponseSizeTooLarge")
    assert "exceeded maximum allowed payload size" in error["errorMessage"]


def test_an_unknown_function_is_not_found(invoker: Any) -> None:
    with pytest.raises(invoker.exceptions.ResourceNotFoundException, match="runner-fixture-local-nothing"):
        invoker.invoke(FunctionName="runner-fixture-local-nothing")


def test_a_request_over_six_megabytes_is_refused(invoker: Any) -> None:
    with pytest.raises(invoker.exceptions.RequestTooLargeException):
        invoker.invoke(FunctionName="echo", Payload=json.dumps({"x": "x" * (6 * 1024 * 1024 + 200)}).encode())


def test_event_handlers_are_invocable_too(invoker: Any) -> None:
    answer = invoker.invoke(FunctionName="every_five_minutes", Payload=json.dumps(sample("eventBridgeEvent.json")))
    assert answer.get("FunctionError") is None, json.load(answer["Payload"])


def test_another_apps_functions_are_forwarded_to_its_runner(made: Resources) -> None:
    """One Lambda endpoint for every function: the front runner forwards what another runner serves."""
    behind = InvokeApi(runner_for(made).functions, port=0).start()
    front = InvokeApi([], port=0, routes={"runner-fixture-": behind.url}).start()
    try:
        invoker = lambda_client(front.url)
        answer = invoker.invoke(FunctionName="runner-fixture-local-echo", Payload=b'{"job_id": "j1"}')
        assert json.load(answer["Payload"])["event"] == {"job_id": "j1"}
        failed = invoker.invoke(FunctionName="runner-fixture-local-broken", Payload=b'{"month": "2026-03"}')
        assert failed["FunctionError"] == "Unhandled"   # the function error passes through as Lambda sends it
        with pytest.raises(invoker.exceptions.ResourceNotFoundException):
            invoker.invoke(FunctionName="pawport-egress-local-extract")   # no route, no function
    finally:
        front.stop()
        behind.stop()
