"""A passport's artifact, rendered from its household's projection: the page, its JSON form and a
QR code of its URL. Pure and deterministic (no clock): the same projection renders the same bytes,
so a republish that changes nothing is recognised by its hash and skipped.

A record's status is never written into the page: a small script computes it from the dates on
the viewer's own calendar, the day the page is opened, so a page published months ago still tells
the truth. It follows pawport/status.py: valid through its expiry day, due within 30 days."""
import hashlib
import html
import io
import json
from dataclasses import dataclass, field

import segno

from pawport.contracts import PassportBody
from pawport.passports import DATA, NOT_OFFICIAL, PAGE, QR_PNG, QR_SVG, certificate_path, page_path, photo_name
from pawport.status import DUE_WINDOW

STATUS_SCRIPT = """
(function () {
  var day = 86400000, now = new Date(), today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  document.querySelectorAll("[data-expires]").forEach(function (chip) {
    var expires = chip.getAttribute("data-expires"), left = expires ? (Date.parse(expires) - today) / day : null;
    var status = left === null ? "no-expiry" : left < 0 ? "expired" : left <= DUE_DAYS ? "due" : "current";
    chip.textContent = {"no-expiry": "No expiry", expired: "Expired", due: "Due soon", current: "Current"}[status];
    chip.className = "chip " + status;
  });
  var ends = document.body.getAttribute("data-ends");
  if (ends && Date.parse(ends) <= now.getTime()) { document.getElementById("ended").hidden = false; }
})();
""".replace("DUE_DAYS", str(DUE_WINDOW.days))

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;line-height:1.4;color:#1b1b1b}
h1{font-size:1.4rem}section{border:1px solid #ddd;border-radius:.75rem;padding:1rem;margin:1rem 0}
img.photo{width:6rem;height:6rem;object-fit:cover;border-radius:50%;float:right}
ul{list-style:none;padding:0}li{border-top:1px solid #eee;padding:.5rem 0}
.chip{display:inline-block;border-radius:1rem;padding:0 .6rem;font-size:.85rem;background:#eee}
.current{background:#d7f5dd}.due{background:#fff1c2}.expired{background:#ffd6d6}
.note{font-size:.9rem;color:#555}.qr{width:9rem}
"""


@dataclass(frozen=True)
class Origins:
    """Where the page is served (the CDN) and where its certificate links go (the api)."""
    cdn: str
    api: str


@dataclass(frozen=True)
class Photo:
    key: str           # in the uploads bucket (workers' picture of the pet)
    uploaded_at: str   # changes with every new photo, though the key does not


@dataclass(frozen=True)
class Artifact:
    files: dict[str, tuple[bytes, str]]            # name under the token's prefix -> (bytes, content type)
    photos: dict[str, Photo] = field(default_factory=dict)   # name under the token's prefix -> the pet's photo

    @property
    def digest(self) -> str:
        parts = sorted((name, hashlib.sha256(data).hexdigest()) for name, (data, _) in self.files.items())
        photos = sorted((name, photo.key, photo.uploaded_at) for name, photo in self.photos.items())
        return hashlib.sha256(json.dumps([parts, photos]).encode()).hexdigest()


def render(passport: PassportBody, household: list[dict], origins: Origins) -> Artifact:
    """`household`: the bodies and kinds of the household partition's items ({"kind", "body"}); a pet's
    photo is workers' `pet-photo` item beside it."""
    url = origins.cdn.rstrip("/") + page_path(passport.token)
    pets = _shared_pets(passport, household, origins)
    pictures = {i["body"]["pet_id"]: i["body"] for i in household if i["kind"] == "pet-photo"}
    photos = {photo_name(p["id"]): Photo(pictures[p["id"]]["photo_key"], pictures[p["id"]].get("uploaded_at") or "")
              for p in pets if p["id"] in pictures}
    data = {"url": url, "expires_at": passport.expires_at, "note": NOT_OFFICIAL, "pets": pets}
    qr = segno.make(url, error="m")
    return Artifact(files={
        PAGE: (_page(passport, data, photos).encode(), "text/html; charset=utf-8"),
        DATA: (json.dumps(data, indent=2, sort_keys=True).encode(), "application/json"),
        QR_SVG: (_qr(qr, "svg"), "image/svg+xml"),
        QR_PNG: (_qr(qr, "png"), "image/png"),
    }, photos=photos)


def _shared_pets(passport: PassportBody, household: list[dict], origins: Origins) -> list[dict]:
    pets = {i["body"]["id"]: i["body"] for i in household if i["kind"] == "pet"}
    records = sorted((i["body"] for i in household if i["kind"] == "record" and passport.shares(i["body"])),
                     key=lambda r: (r["vaccine"].lower(), r.get("administered_on") or "", r["id"]))
    shared = []
    for pet_id in passport.pet_ids:
        pet = pets.get(pet_id)
        if pet is None:
            continue   # removed since it was shared
        shared.append({"id": pet_id, "name": pet["name"], "species": pet["species"],
                       "microchip": pet.get("microchip"),
                       "records": [_record(r, passport.token, origins) for r in records if r["pet_id"] == pet_id]})
    return shared


def _record(record: dict, token: str, origins: Origins) -> dict:
    link = origins.api.rstrip("/") + certificate_path(token, record["id"]) if record.get("document_key") else None
    return {"id": record["id"], "vaccine": record["vaccine"], "administered_on": record.get("administered_on"),
            "expires_on": record.get("expires_on"), "clinic": record.get("clinic"), "certificate_url": link}


def _page(passport: PassportBody, data: dict, photos: dict[str, Photo]) -> str:
    e = html.escape
    pets = "".join(_pet_section(pet, photo_name(pet["id"]) in photos) for pet in data["pets"])
    until = f"Shared until {e(passport.expires_at[:16].replace('T', ' '))} UTC." if passport.expires_at else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Pet passport</title><style>{STYLE}</style></head>
<body data-ends="{e(passport.expires_at or '')}">
<h1>Pet passport</h1>
<p id="ended" hidden><strong>This passport is no longer shared.</strong></p>
{pets}
<p class="note">{e(NOT_OFFICIAL)} {until}</p>
<p><img class="qr" src="{QR_SVG}" alt="QR code of this page"><br><a href="{DATA}">This passport as JSON</a></p>
<script>{STATUS_SCRIPT}</script>
</body></html>
"""


def _pet_section(pet: dict, has_photo: bool) -> str:
    e = html.escape
    photo = f'<img class="photo" src="{photo_name(pet["id"])}" alt="Photo of {e(pet["name"])}">' if has_photo else ""
    chip = f"<p>Microchip {e(pet['microchip'])}</p>" if pet.get("microchip") else ""
    records = "".join(_record_item(r) for r in pet["records"]) or "<li>No records shared.</li>"
    return f"""<section>{photo}<h2>{e(pet["name"])}</h2><p>{e(pet["species"])}</p>{chip}
<ul>{records}</ul></section>
"""


def _record_item(record: dict) -> str:
    e = html.escape
    given = f"given {e(record['administered_on'])}" if record.get("administered_on") else "date given not recorded"
    expires = f", valid until {e(record['expires_on'])}" if record.get("expires_on") else ", no expiry"
    clinic = f" · {e(record['clinic'])}" if record.get("clinic") else ""
    link = f' · <a href="{e(record["certificate_url"])}">certificate</a>' if record.get("certificate_url") else ""
    return (f'<li><strong>{e(record["vaccine"])}</strong> <span class="chip" data-expires="{e(record.get("expires_on") or "")}">'
            f"</span><br>{given}{expires}{clinic}{link}</li>")


def _qr(qr: segno.QRCode, kind: str) -> bytes:
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=6, border=2)
    return out.getvalue()
