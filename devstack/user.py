"""`make user email=…`: a confirmed user in the running stack's local pool, and a fresh Id token for
them on stdout (`export TOKEN=$(make -s user email=…)`), e.g. to accept an invitation as someone
else. Running it again for the same address signs the same user in again."""
import argparse
import contextlib
import sys
from pathlib import Path

from devstack import identity
from devstack.dev import STATE_DIR
from devstack.stack import Stack

# Every user made this way has this password: the pool is local, and gone when the stack stops.
LOCAL_PASSWORD = "Pawport-local-1"


def make_user(stack: Stack, email: str) -> str:
    """The user's Id token; the user is made (confirmed, address verified) unless the pool has it."""
    with contextlib.suppress(identity.UserExists):
        identity.create_user(stack, email, LOCAL_PASSWORD)
    return identity.sign_in(stack, email, LOCAL_PASSWORD)["IdToken"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make user", description=__doc__)
    parser.add_argument("email")
    parser.add_argument("--state-dir", type=Path, default=STATE_DIR, help="the stack's state (make dev's by default)")
    args = parser.parse_args(argv)
    if "@" not in args.email:
        parser.error("give an email address: make user email=someone@example.com")
    print(make_user(Stack.load(args.state_dir), args.email))
    print(f"user {args.email}, password {LOCAL_PASSWORD}: Id token above, valid one hour", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
