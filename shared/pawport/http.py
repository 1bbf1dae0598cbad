"""What every HTTP app shares: default-deny authentication, JSON bodies, domain errors as 4xx."""
import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Chalice, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from pawport.auth import Caller, TokenVerifier
from pawport.errors import BadInput, PawportError, RetryLater

PUBLIC_PATHS = frozenset({"/health"})
Body = TypeVar("Body", bound=BaseModel)
log = logging.getLogger("pawport.http")


def require_authentication(app: Chalice, verifier: TokenVerifier) -> None:
    """Every route but the public ones needs a valid Cognito token, checked before the view runs."""
    @app.middleware("http")
    def authenticate(request: Request, get_response: Callable[[Request], Response]) -> Response:
        if request.path in PUBLIC_PATHS:
            return get_response(request)
        try:
            request.context["pawport_caller"] = verifier.verify(request.headers.get("authorization"))
        except PawportError as error:
            return error_response(error)
        return get_response(request)


def current(request: Request | None) -> Request:
    """`app.current_request`, which Chalice sets for every route it runs."""
    if request is None:
        raise RuntimeError("no current request: called outside a route")
    return request


def caller(request: Request | None) -> Caller:
    return current(request).context["pawport_caller"]


def request_id(request: Request | None) -> str:
    return current(request).context.get("requestId") or str(uuid.uuid4())


def body(request: Request | None, model: type[Body]) -> Body:
    """The request's JSON body as `model`, or a 400 that says which field is wrong and why."""
    try:
        return model.model_validate_json(current(request).raw_body or b"")
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        raise BadInput(f"invalid request body: {reasons}") from None


def query(request: Request | None, model: type[Body]) -> Body:
    """The request's query string as `model`, or a 400 that says which parameter is wrong and why."""
    try:
        return model.model_validate(dict(current(request).query_params or {}))
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise BadInput(f"invalid query: {reasons}") from None


def error_response(error: PawportError) -> Response:
    headers: dict[str, str | list[str]] = \
        {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, RetryLater) else {}
    return Response(body={"error": type(error).__name__, "message": str(error)}, status_code=error.status,
                    headers=headers)


def json_route(app: Chalice, path: str, methods: list[str] | None = None, status: int = 200) -> Callable:
    """`app.route` whose view returns a response model (or plain data) and may raise domain errors
    (turned into 4xx)."""
    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handle(**params: str) -> Response:
            try:
                answer = view(**params)
                payload = answer.model_dump_json() if isinstance(answer, BaseModel) else json.dumps(answer, default=str)
                return Response(body=payload, status_code=status,
                                headers={"Content-Type": "application/json"})
            except PawportError as error:
                return error_response(error)
        return app.route(path, methods=methods or ["GET"])(handle)
    return register
