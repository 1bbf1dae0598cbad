"""Token verification against a pool's JWKS: each bad token is refused with a 401."""
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pawport.auth import Caller, TokenVerifier
from pawport.errors import Unauthenticated

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT = "web-client"


def _key_pair(kid: str) -> tuple[rsa.RSAPrivateKey, dict]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return private, public | {"kid": kid, "alg": "RS256", "use": "sig"}


POOL_KEY, POOL_JWK = _key_pair("pool-key")
FOREIGN_KEY, _ = _key_pair("pool-key")  # same kid, another pool's key
verifier = TokenVerifier(json.dumps({"keys": [POOL_JWK]}), ISSUER, CLIENT)


def token(key=POOL_KEY, kid="pool-key", **overrides) -> str:
    claims = {"sub": "user-1", "email": "ann@example.com", "iss": ISSUER, "aud": CLIENT,
              "token_use": "id", "exp": int(time.time()) + 600, "iat": int(time.time())} | overrides
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_a_valid_id_token_names_the_caller() -> None:
    assert verifier.verify(f"Bearer {token()}") == Caller(user_id="user-1", email="ann@example.com")


def test_a_valid_access_token_is_accepted() -> None:
    access = token(aud=None, client_id=CLIENT, token_use="access", email=None)
    assert verifier.verify(f"Bearer {access}").user_id == "user-1"


def _unsigned(claims: dict) -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{encode({'alg': 'none', 'kid': 'pool-key'})}.{encode(claims)}."


def _tampered() -> str:
    header, payload, signature = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps(claims | {"sub": "admin"}).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


BAD_TOKENS = {
    "missing": None,
    "not a bearer": "Basic dXNlcjpwYXNz",
    "not a jwt": "Bearer abc.def",
    "alg none": "Bearer " + _unsigned({"sub": "user-1", "iss": ISSUER, "aud": CLIENT, "token_use": "id",
                                       "exp": int(time.time()) + 600}),
    "another pool's key": "Bearer " + token(key=FOREIGN_KEY),
    "unknown key id": "Bearer " + token(kid="other"),
    "expired": "Bearer " + token(exp=int(time.time()) - 120),
    "another issuer": "Bearer " + token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
    "another app client": "Bearer " + token(aud="someone-elses-client"),
    "access token for another client": "Bearer " + token(aud=None, token_use="access", client_id="other"),
    "no token use": "Bearer " + token(token_use=None),
    "refresh-like token use": "Bearer " + token(token_use="refresh"),
    "tampered payload": "Bearer " + _tampered(),
}


@pytest.mark.parametrize("authorization", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_are_refused(authorization: str | None) -> None:
    with pytest.raises(Unauthenticated) as refused:
        verifier.verify(authorization)
    assert refused.value.status == 401 and str(refused.value)
