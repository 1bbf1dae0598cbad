"""Bad tokens against the running services (`chalice local` admits any JWT, so the services' own
check is all there is): each is a 401 from api and from control; the pool's real Id and access
tokens pass. tests/unit/test_tokens.py covers the verifier's every branch without HTTP."""
import base64
import json
import time

import boto3
import jwt
import pytest
import requests
from moto.utilities.utils import load_resource

from devstack.identity import PoolClient
from devstack.stack import REGION, Stack
from pawport.contracts import OWNED_HOUSEHOLDS_LIMIT
from tests.support.people import Person, new_person

pytestmark = pytest.mark.slow


def _segment(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def alg_none(token: str) -> str:
    return f"{_segment({'alg': 'none', 'kid': 'dummy'})}.{_segment(_claims(token))}."


def tampered(token: str) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{_segment(_claims(token) | {'sub': 'someone-else'})}.{signature}"


def expired(token: str) -> str:
    """Signed with moto's own pool key (shipped in moto), so only the expiry is wrong."""
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))
    past = int(time.time()) - 3600
    return jwt.encode(_claims(token) | {"iat": past - 3600, "exp": past}, key, algorithm="RS256",
                      headers={"kid": "dummy"})


def another_pool(stack: Stack, email: str) -> str:
    """A genuine Id token of another pool of the same moto (same signing key, another issuer)."""
    cognito = boto3.client("cognito-idp", region_name=REGION, endpoint_url=stack.moto_url,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    pool = cognito.create_user_pool(PoolName="someone-elses-pool", UsernameAttributes=["email"])["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="web", GenerateSecret=False,
                                             ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password="Another-pool-1", Permanent=True)
    return PoolClient(client["ClientId"], stack.moto_url).sign_in(email, "Another-pool-1")["IdToken"]


@pytest.fixture(scope="module")
def person(services: Stack) -> Person:
    return new_person(services, "tokens")


@pytest.fixture(scope="module")
def bad_tokens(services: Stack, person: Person) -> dict[str, str]:
    id_token = person.tokens["IdToken"]
    return {"alg none": alg_none(id_token), "tampered payload": tampered(id_token), "expired": expired(id_token),
            "another pool": another_pool(services, person.email), "refresh token": person.tokens["RefreshToken"],
            "access token, tampered": tampered(person.tokens["AccessToken"])}


def calls(stack: Stack, token: str) -> list[requests.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    return [requests.get(f"{stack.api_url}/me/households", headers=headers, timeout=30),
            requests.post(f"{stack.control_url}/households", headers=headers, json={"name": "Forged", "time_zone": "UTC"},
                          timeout=30)]


# each refused for its own reason, not by accident
REASONS = {"alg none": "alg value is not allowed", "tampered payload": "Signature verification failed",
           "expired": "Signature has expired", "another pool": "Invalid issuer", "refresh token": "invalid token",
           "access token, tampered": "Signature verification failed"}


@pytest.mark.parametrize("kind", REASONS)
def test_a_bad_token_is_refused_by_every_service(services: Stack, bad_tokens: dict[str, str], kind: str) -> None:
    for answer in calls(services, bad_tokens[kind]):
        assert answer.status_code == 401, (answer.url, answer.text)
        assert answer.json()["error"] == "Unauthenticated" and REASONS[kind] in answer.json()["message"]


def test_the_pools_own_id_and_access_tokens_pass(services: Stack, person: Person) -> None:
    answers = [calls(services, person.tokens[kind]) for kind in ("IdToken", "AccessToken")]
    assert [api.status_code for api, _ in answers] == [200, 200], [api.text for api, _ in answers]
    # both are the same person's: the second household would be a second of their own, past the free plan's one
    assert [control.status_code for _, control in answers] == [201, 409], [control.text for _, control in answers]
    assert answers[1][1].json()["message"] == OWNED_HOUSEHOLDS_LIMIT
