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
from pawport.errors import BadInput, PawportError, PaymentRequired, RetryLater

PUBLIC_PATHS = frozenset({"/health"})
# pydantic's messages that name a pattern or a type, said for a person instead
WORDS = {"json_invalid": "is not valid JSON", "missing": "is required", "model_type": "must be a JSON object",
         "date_from_datetime_parsing": "must be a date, like 2026-03-14", "date_parsing": "must be a date, like 2026-03-14",
         "date_type": "must be a date, like 2026-03-14", "string_type": "must be text", "int_parsing": "must be a whole number"}
Body = TypeVar("Body", bound=BaseModel)
log = logging.getLogger("pawport.http")


def require_authentication(app: Chalice, verifier: TokenVerifier, public: frozenset[str] = frozenset()) -> None:
    """Every route but the public ones needs a valid Cognito token, checked before the view runs.
    `public` names more routes (by their path pattern) that check something else instead."""
    @app.middleware("http")
    def authenticate(request: Request, get_response: Callable[[Request], Response]) -> Response:
        if request.path in PUBLIC_PATHS or request.path in public:
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
        raise BadInput(f"invalid request body: {reasons(error, 'body')}") from None


def query(request: Request | None, model: type[Body]) -> Body:
    """The request's query string as `model`, or a 400 that says which parameter is wrong and why."""
    try:
        return model.model_validate(dict(current(request).query_params or {}))
    except ValidationError as error:
        raise BadInput(f"invalid query: {reasons(error, 'query')}") from None


def reasons(error: ValidationError, whole: str) -> str:
    """Each wrong field by name, with why in words (pydantic's own words, tidied)."""
    def reason(e: Any) -> str:
        if e["type"] == "extra_forbidden":
            return "is not a field this request takes"
        return WORDS.get(e["type"], e["msg"].removeprefix("Value error, "))
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or whole}: {reason(e)}" for e in error.errors())


def error_shape(app: Chalice) -> None:
    """Every 4xx in one shape, `{"error", "message"}`: also the ones Chalice answers itself before any
    view runs (405 for a method the path does not take, 415 for a body that is not JSON)."""
    @app.middleware("http")
    def reshape(request: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(request)
        if 400 <= response.status_code < 500 and isinstance(response.body, dict) and "Code" in response.body:
            response.body = {"error": response.body["Code"], "message": chalice_message(request, response)}
        return response


def chalice_message(request: Request, response: Response) -> str:
    if response.status_code == 405:
        return f"{request.method} is not a method this path takes (it takes {response.headers.get('Allow', 'none')})"
    if response.status_code == 415:
        return "send the body as JSON, with Content-Type: application/json"
    return str(response.body.get("Message", "the request was refused"))


def error_response(error: PawportError) -> Response:
    headers: dict[str, str | list[str]] = \
        {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, RetryLater) else {}
    details = error.details if isinstance(error, PaymentRequired) else {}
    return Response(body={"error": type(error).__name__, "message": str(error)} | details, status_code=error.status,
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


def redirect_route(app: Chalice, path: str) -> Callable:
    """A GET whose view returns a response model with a `url`: answered 302 to it (a link on a page
    followed by a browser), the model as the JSON body for a client that reads it."""
    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handle(**params: str) -> Response:
            try:
                answer = view(**params)
            except PawportError as error:
                return error_response(error)
            return Response(body=answer.model_dump_json(), status_code=302,
                            headers={"Content-Type": "application/json", "Location": answer.url,
                                     "Cache-Control": "no-store"})
        return app.route(path, methods=["GET"])(handle)
    return register
