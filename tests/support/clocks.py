"""A clock the test sets by hand, injected wherever the code takes a clock."""
from typing import Generic, TypeVar

Now = TypeVar("Now")   # a datetime for the services, epoch seconds for the event runner


class Clock(Generic[Now]):
    """Reads as `now` until the test moves it."""

    def __init__(self, now: Now) -> None:
        self.now = now

    def __call__(self) -> Now:
        return self.now
