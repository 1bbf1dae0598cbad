"""The people who use Pawport. In process, a `caller` is who a verified token says a request comes
from. Over HTTP, a `Person` is a user of the local pool with their tokens; households are made
through control and invitations accepted the way a person accepts one — with the code from the
mail that workers sent through SES (moto)."""
import re
import time
import uuid
from dataclasses import dataclass

import jwt
import requests

from devstack import identity
from devstack.stack import Stack
from pawport.auth import Caller

PASSWORD = "Correct-horse-1"
CODE = re.compile(r"invitation code:\s+(\S+)")


def caller(name: str = "user", email: str | None = None, verified: bool = False) -> Caller:
    """Someone new each call; `email` is whose mail they read, `verified` whether the pool says so."""
    return Caller(user_id=f"{name}-{uuid.uuid4().hex[:8]}", email=email, email_verified=verified)


def verified_caller(name: str) -> Caller:
    """Someone new with an address of their own the pool has confirmed: invitations can reach them."""
    tag = uuid.uuid4().hex[:8]
    return Caller(user_id=f"{name}-{tag}", email=f"{name}-{tag}@example.com", email_verified=True)


@dataclass(frozen=True)
class Person:
    email: str
    user_id: str
    tokens: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['IdToken']}"}


def signed_in(stack: Stack, email: str) -> Person:
    tokens = identity.sign_in(stack, email, PASSWORD)
    return Person(email, jwt.decode(tokens["IdToken"], options={"verify_signature": False})["sub"], tokens)


def new_person(stack: Stack, name: str) -> Person:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    identity.create_user(stack, email, PASSWORD)
    return signed_in(stack, email)


def create_household(stack: Stack, owner: Person, name: str) -> str:
    answer = requests.post(f"{stack.control_url}/households", headers=owner.headers, timeout=30,
                           json={"name": name, "time_zone": "Europe/London"})
    assert answer.status_code == 201, answer.text
    return answer.json()["household_id"]


def invite(stack: Stack, owner: Person, household_id: str, email: str, role: str) -> dict:
    answer = requests.post(f"{stack.control_url}/households/{household_id}/invitations", headers=owner.headers,
                           json={"email": email, "role": role}, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()


def sent_mail(stack: Stack, to: str) -> list[dict]:
    messages = requests.get(f"{stack.moto_url}/moto-api/data.json?service=ses", timeout=120).json()["ses"]["Message"]
    return [m for m in messages if to.lower() in map(str.lower, m["destinations"]["ToAddresses"])]


def mailed_code(stack: Stack, to: str, timeout: float = 30) -> str:
    """The code in the newest invitation mail to this address, once workers have sent it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := sent_mail(stack, to):
            return CODE.search(found[-1]["body"]).group(1)
        time.sleep(0.2)
    raise TimeoutError(f"no mail to {to} within {timeout:.0f}s")


def accept(stack: Stack, person: Person, code: str) -> requests.Response:
    return requests.post(f"{stack.control_url}/invitations/accept", headers=person.headers, json={"token": code},
                         timeout=30)


def join(stack: Stack, owner: Person, household_id: str, person: Person, role: str) -> None:
    invite(stack, owner, household_id, person.email, role)
    answer = accept(stack, person, mailed_code(stack, person.email))
    assert answer.status_code == 200 and answer.json()["role"] == role, answer.text
