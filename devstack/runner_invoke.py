"""Lambda's Invoke API for the functions of the app an event runner loaded.

In AWS, workers reach control's `operator_aggregates` with `lambda.invoke`; locally that same boto3
call reaches this server (workers' Lambda endpoint points here, not at moto, which would need a
deployed zip). What it answers, as Lambda answers a RequestResponse invocation:
- 200 and the handler's JSON;
- 200 with `X-Amz-Function-Error: Unhandled` and `{"errorMessage", "errorType", "stackTrace"}`
  when the handler raises, or when its answer exceeds Lambda's 6 MB response limit
  (`Function.ResponseSizeTooLarge`: the function ran, its answer is refused);
- 404 ResourceNotFoundException for a function the app does not have, 413 for a request over
  6 MB, 400 for an invocation type other than RequestResponse (the runner runs none other).
FunctionName may be the handler's name, the function's name or its ARN (with or without a qualifier).

Each runner serves its own app's functions; `routes` (function-name prefix -> another runner's
Invoke API) forward the others, so the one Lambda endpoint a service is given reaches every
function, as Lambda's does (workers invoke control's aggregates and egress's extract).
"""
import json
import re
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import requests

from devstack.runner_lambda import Function, invoke, log_delivery

PATH = re.compile(r"/2015-03-31/functions/(?P<name>[^/]+)/invocations")
# What Lambda's runtime API accepts for a synchronous response (its error message names this figure).
PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024 + 100
FORWARD_TIMEOUT_SECONDS = 180   # longer than any local function runs (egress: 110 s)
FORWARDED_HEADERS = ("Content-Type", "X-Amz-Invocation-Type", "X-Amz-Log-Type")


def function_name_of(requested: str) -> str:
    """`name`, `name:qualifier`, `arn:aws:lambda:region:account:function:name[:qualifier]`
    or `account:function:name` -> name."""
    parts = unquote(requested).split(":")
    if parts[0] == "arn":
        return parts[6]
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2]
    return parts[0]


class InvokeApi:
    """Serves `POST /2015-03-31/functions/{FunctionName}/invocations` on 127.0.0.1:port, in threads."""

    def __init__(self, functions: list[Function], port: int, routes: dict[str, str] | None = None) -> None:
        self._functions = {key: f for f in functions for key in (f.name, f.function_name)}
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self._functions, routes or {}))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "InvokeApi":
        threading.Thread(target=self._server.serve_forever, name="invoke-api", daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(functions: dict[str, Function], routes: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Invocation(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))   # read whole: keep-alive
            if len(payload) > PAYLOAD_LIMIT_BYTES:
                return self._error(413, "RequestTooLargeException",
                                   f"Request must be smaller than {PAYLOAD_LIMIT_BYTES} bytes for the Invoke operation")
            match = PATH.fullmatch(urlsplit(self.path).path)
            if match is None:
                return self._error(404, "UnknownOperationException", f"no such operation: POST {self.path}")
            name = function_name_of(match["name"])
            function = functions.get(name)
            elsewhere = next((url for prefix, url in routes.items() if name.startswith(prefix)), None)
            if function is None and elsewhere:
                return self._forward(elsewhere, payload)
            if function is None:
                return self._error(404, "ResourceNotFoundException", f"Function not found: {unquote(match['name'])}")
            kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
            if kind != "RequestResponse":
                return self._error(400, "InvalidParameterValueException",
                                   f"the local runner runs RequestResponse invocations only, not {kind}")
            try:
                event = json.loads(payload or b"{}")
            except ValueError:
                return self._error(400, "InvalidRequestContentException", "Could not parse request body into json")
            self._answer(function, event)

        def _answer(self, function: Function, event: object) -> None:
            outcome = invoke(function, event)
            log_delivery("invoke", function, 1, "error" if outcome.failed else "ok", outcome.error)
            if outcome.failed:
                return self._function_error(type(outcome.error).__name__, str(outcome.error),
                                            traceback.format_tb(outcome.error.__traceback__))
            body = json.dumps(outcome.result).encode()
            if len(body) > PAYLOAD_LIMIT_BYTES:
                return self._function_error("Function.ResponseSizeTooLarge",
                                            f"Response payload size ({len(body)} bytes) exceeded maximum allowed"
                                            f" payload size ({PAYLOAD_LIMIT_BYTES} bytes).", [])
            self._send(200, body, {"X-Amz-Executed-Version": "$LATEST"})

        def _forward(self, url: str, payload: bytes) -> None:
            """Another runner's answer, passed on as it came (status, Lambda's headers, body)."""
            headers = {name: self.headers[name] for name in FORWARDED_HEADERS if name in self.headers}
            answer = requests.post(url + self.path, data=payload, headers=headers, timeout=FORWARD_TIMEOUT_SECONDS)
            self._send(answer.status_code, answer.content,
                       {k: v for k, v in answer.headers.items() if k.lower().startswith(("x-amz", "x-amzn"))})

        def _function_error(self, kind: str, message: str, stack: list[str]) -> None:
            body = json.dumps({"errorMessage": message, "errorType": kind, "stackTrace": stack}).encode()
            self._send(200, body, {"X-Amz-Executed-Version": "$LATEST", "X-Amz-Function-Error": "Unhandled"})

        def _error(self, status: int, kind: str, message: str) -> None:
            self._send(status, json.dumps({"Type": "User", "message": message}).encode(), {"x-amzn-ErrorType": kind})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", "Content-Length": str(len(body)),
                                **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # http.server's signature
            """Quiet: each invocation is logged once by log_delivery."""

    return Invocation
