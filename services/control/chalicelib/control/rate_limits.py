"""Per-person limits on the actions anyone signed in may repeat at will.

Wake-ahead (POST /warmup) keeps Aurora awake, so its limit must cost no Aurora: a counter per person
and window in DynamoDB (control reaches it through the VPC's gateway endpoint), counted by one
conditional ADD that refuses past the limit and expires with its window. Wake-ahead is only a hint
(the commit that follows wakes Aurora anyway), so a tight limit costs a person nothing but a slower
first commit, and one script cannot hold the cluster awake for the whole deployment.

Invitations send mail in Pawport's name, so each inviter may send a number a day; they are counted
in Aurora inside the invite action, which holds a transaction there anyway."""
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pawport.errors import TooManyRequests
from pawport.keys import limit_key, limit_sk
from pawport.store import Add, Attr, Refused, Store


@dataclass(frozen=True)
class PerPersonLimit:
    name: str
    most: int
    window: timedelta
    per: str   # the window in words, for the refusal

    def window_of(self, now: datetime) -> tuple[datetime, datetime]:
        """The fixed window `now` falls in: [start, end)."""
        seconds = self.window.total_seconds()
        start = datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, UTC)
        return start, start + self.window


# Ten an hour: with Aurora pausing after five idle minutes, one person's wake-ahead holds it awake
# for at most about fifty minutes of an hour, and a person opens far fewer screens that commit.
WARMUP = PerPersonLimit("warmup", 10, timedelta(hours=1), "an hour")
# Twenty a day: a household is a family; more is a mailing campaign in Pawport's name.
INVITATIONS = PerPersonLimit("invitations", 20, timedelta(days=1), "a day")


def take(store: Store, limit: PerPersonLimit, user_id: str, now: datetime) -> None:
    """Count one use in the current window, or refuse it (429) once `limit.most` are counted."""
    start, end = limit.window_of(now)
    counted = store.write(Add(limit_key(user_id), limit_sk(limit.name, start.isoformat()), 1,
                              condition=Attr("count").not_exists() | Attr("count").lt(limit.most), expires_at=end))
    if isinstance(counted, Refused):
        raise TooManyRequests(f"at most {limit.most} {limit.name} requests {limit.per}; "
                              f"try again after {end.isoformat(timespec='seconds')}", _seconds_until(end, now))


def invitations_allowed(sent: int, oldest: datetime | None, now: datetime) -> None:
    """The inviter's invitations of the last day (rolling), as Aurora counted them; refused at the
    limit until the oldest of them is a day old."""
    if sent >= INVITATIONS.most and oldest is not None:
        frees_at = oldest + INVITATIONS.window
        raise TooManyRequests(f"at most {INVITATIONS.most} invitations {INVITATIONS.per}; the next one may go after "
                              f"{frees_at.isoformat(timespec='seconds')}", _seconds_until(frees_at, now))


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
