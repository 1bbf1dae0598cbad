"""Cognito token verification: signature (the pool's JWKS from settings), expiry, issuer,
token use and client id. Runs in every HTTP service, because `chalice local` admits any token."""
import json
from dataclasses import dataclass

import jwt

from pawport.errors import Unauthenticated

ALGORITHMS = ["RS256"]


@dataclass(frozen=True)
class Caller:
    user_id: str          # Cognito `sub`
    email: str | None
    email_verified: bool = False   # Id tokens only: Cognito says the address was confirmed


class TokenVerifier:
    def __init__(self, jwks: str, issuer: str, client_id: str, leeway_seconds: int = 30):
        keys = jwt.PyJWKSet.from_dict(json.loads(jwks)).keys
        self._keys = {key.key_id: key for key in keys}
        self._issuer, self._client_id, self._leeway = issuer, client_id, leeway_seconds

    def verify(self, authorization: str | None) -> Caller:
        token = _bearer(authorization)
        try:
            key = self._keys.get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                raise Unauthenticated("token signed by an unknown key")
            claims = jwt.decode(token, key.key, algorithms=ALGORITHMS, issuer=self._issuer, leeway=self._leeway,
                                options={"verify_aud": False, "require": ["exp", "iss", "sub", "token_use"]})
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"invalid token: {error}") from None
        self._check_client(claims)
        # Cognito writes the boolean claim as true; moto as the string "true".
        verified = claims["token_use"] == "id" and claims.get("email_verified") in (True, "true")
        return Caller(user_id=claims["sub"], email=claims.get("email"), email_verified=verified)

    def _check_client(self, claims: dict) -> None:
        # Id tokens name the app client in `aud`, access tokens in `client_id`.
        use = claims["token_use"]
        client = claims.get("aud") if use == "id" else claims.get("client_id") if use == "access" else None
        if client != self._client_id:
            raise Unauthenticated("token not issued to this app client")


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("missing bearer token")
    return token.strip()
