"""Domain errors; each HTTP app turns them into a 4xx with the reason."""


class PawportError(Exception):
    status = 400


class BadInput(PawportError):
    status = 400


class Unauthenticated(PawportError):
    status = 401


class Forbidden(PawportError):
    status = 403


class NotFound(PawportError):
    """Also what a caller sees for another household's ids: indistinguishable from missing."""
    status = 404


class Conflict(PawportError):
    status = 409


class PaymentRequired(PawportError):
    """The household's LLM budget for the month cannot hold this call: nothing was sent to the model.
    `details` says what is left and when the budget resets."""
    status = 402

    def __init__(self, message: str, details: dict[str, object]):
        super().__init__(message)
        self.details = details


class RetryLater(PawportError):
    """Answered with Retry-After: the same request succeeds once that many seconds have passed."""

    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class TooManyRequests(RetryLater):
    """The caller used up a per-user limit; it frees up when the limit's window moves on."""
    status = 429


class Unavailable(RetryLater):
    """A dependency is not answering yet (a paused Aurora resuming): try again shortly."""
    status = 503
