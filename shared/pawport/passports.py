"""The public passport: how long one lasts, its token, and where its artifact lives.

A passport is a static artifact under its token in the passports bucket, served by the CDN:
    p/<token>/index.html     the page (status chips computed in the browser, for the day it is viewed)
    p/<token>/passport.json  the same, as JSON
    p/<token>/qr.svg, qr.png a QR code of the page's URL
    p/<token>/<pet id>.jpg   a pet's photo, copied from the household's files
Viewing it runs no Lambda and no database. Its certificate links go to the api, which checks the
token against its DynamoDB item: the only function a viewer can cause.
"""
import secrets
from datetime import timedelta
from typing import Literal

Duration = Literal["24h", "7d", "30d", "none"]
DURATIONS: dict[str, timedelta | None] = {"24h": timedelta(hours=24), "7d": timedelta(days=7),
                                          "30d": timedelta(days=30), "none": None}
TOKEN_BYTES = 24   # 192 random bits: a link nobody can guess or enumerate
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"
PAGE, DATA, QR_SVG, QR_PNG = "index.html", "passport.json", "qr.svg", "qr.png"
NOT_OFFICIAL = "A record held by the owner, not an official travel document."


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def artifact_prefix(token: str) -> str:
    return f"p/{token}/"


def page_path(token: str) -> str:
    """The page's path on the CDN (its URL is the CDN's origin followed by this)."""
    return f"/{artifact_prefix(token)}"


def certificate_path(token: str, record_id: str) -> str:
    """The api route a certificate link on the page follows."""
    return f"/passports/{token}/records/{record_id}/certificate"


def photo_name(pet_id: str) -> str:
    return f"{pet_id}.jpg"
