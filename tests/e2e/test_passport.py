"""The public passport on the local stack: an owner shares a pet's records, a stranger opens the link
signed out through the local CDN (devstack/static_server.py, in front of the private passports
bucket), follows a certificate link through the api, and revoking stops both. Viewing touches no
database and no Lambda (counted: PostgreSQL's transaction counter, and every invocation the local
runners and `chalice local` log); expiry needs no Aurora either, shown on an injected clock."""
import gzip
import io
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import requests
from PIL import Image

from chalicelib.api import passports as api_passports
from chalicelib.api.storage import Storage
from chalicelib.workers import passport_views, passports
from chalicelib.workers.objects import Objects
from chalicelib.workers.passport_page import Origins
from devstack.measure import TransactionCounter
from devstack.stack import REGION, Stack
from pawport.errors import NotFound
from pawport.keys import draft_sk, household_key
from pawport.passports import NOT_OFFICIAL
from pawport.store import Item, Put, Store
from tests.e2e.test_pet_photo import BLUE, RED, SIDE, add_pet, photo_of, shown_picture, upload_photo
from tests.support.clocks import Clock
from tests.support.people import Person, create_household, new_person

pytestmark = pytest.mark.slow
CERTIFICATE = b"%PDF-1.4 the vet's rabies certificate"
# One line per Lambda invocation: a runner's delivery, or a request `chalice local` served; and what the
# clock does meanwhile (a schedule firing, or the TTL sweep deleting items, whose stream records follow).
INVOCATION = re.compile(r"source=\S+ handler=|\"(GET|POST|PUT|PATCH|DELETE) /")
CLOCK = re.compile(r"source=(schedule|ttl):")


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise TimeoutError(f"not within {timeout:.0f}s: {what}")


def aws(stack: Stack, service: str):
    return boto3.client(service, endpoint_url=stack.moto_url, region_name=REGION, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def wall_store(stack: Stack, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Store:
    return Store(stack.resources.tables["main"], REGION, stack.moto_url, clock=clock)


@pytest.fixture(scope="module", autouse=True)
def credentials() -> Iterator[None]:
    """The in-process parts (the api's check, workers' jobs on an injected clock) reach moto as the services do."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": REGION}.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def owner(services: Stack) -> Person:
    return new_person(services, "passports")


@pytest.fixture(scope="module")
def household(services: Stack, owner: Person) -> dict:
    """Ollie (shared) with a rabies record and its certificate and a DHPP record; Mochi (never shared)."""
    household_id = create_household(services, owner, "The Passports")
    control = services.control_url
    pets = {name: requests.post(f"{control}/households/{household_id}/pets", headers=owner.headers, timeout=30,
                                json={"name": name, "species": species}).json()["pet_id"]
            for name, species in (("Ollie", "dog"), ("Mochi", "cat"))}
    rabies = approve_with_certificate(services, owner, household_id, pets["Ollie"])
    dhpp = requests.post(f"{control}/pets/{pets['Ollie']}/records", headers=owner.headers, timeout=30, json={
        "vaccine": "DHPP", "administered_on": (date.today() - timedelta(days=400)).isoformat(),
        "expires_on": (date.today() - timedelta(days=35)).isoformat()}).json()["id"]
    return {"id": household_id, "pets": pets, "rabies": rabies, "dhpp": dhpp}


def approve_with_certificate(stack: Stack, owner: Person, household_id: str, pet_id: str) -> str:
    """A record approved from a draft whose file is in the uploads bucket, as the upload pipeline leaves it
    (that pipeline has its own tests)."""
    upload_id = str(uuid.uuid4())
    key = f"uploads/{household_id}/{pet_id}/{upload_id}/rabies.pdf"
    aws(stack, "s3").put_object(Bucket=stack.resources.buckets["uploads"], Key=key, Body=CERTIFICATE)
    wall_store(stack).write(Put(Item(household_key(household_id), draft_sk(upload_id), "draft", 0, {
        "upload_id": upload_id, "pet_id": pet_id, "status": "ready", "file_name": "rabies.pdf", "document_key": key},
        expires_at=datetime.now(UTC) + timedelta(days=1))))
    answer = requests.post(f"{stack.control_url}/pets/{pet_id}/records", headers=owner.headers, timeout=30, json={
        "upload_id": upload_id, "vaccine": "Rabies", "administered_on": (date.today() - timedelta(days=340)).isoformat(),
        "expires_on": (date.today() + timedelta(days=20)).isoformat()})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def share(stack: Stack, owner: Person, household: dict, duration: str = "7d", **selection: list[str]) -> dict:
    answer = requests.post(f"{stack.control_url}/households/{household['id']}/passports", headers=owner.headers,
                           timeout=30, json={"pet_ids": [household["pets"]["Ollie"]], "duration": duration} | selection)
    assert answer.status_code == 201, answer.text
    return answer.json()


def page(stack: Stack, passport: dict, name: str = "") -> requests.Response:
    return requests.get(f"{stack.static_url}{passport['path']}{name}", timeout=30)   # signed out: no headers


def published(stack: Stack, passport: dict) -> requests.Response:
    """The page, once workers have published it (waited for with HEAD requests, which are no views)."""
    url = f"{stack.static_url}{passport['path']}"
    eventually(lambda: requests.head(url, timeout=30).status_code == 200, "the passport is published")
    return page(stack, passport)


def token_of(passport: dict) -> str:
    return passport["path"].split("/")[2]


def logged(stack: Stack, pattern: re.Pattern) -> int:
    """Lines matching the pattern in the logs of the processes that stand for Lambda."""
    logs = [*Path(stack.state_dir, "logs").glob("*-events.log"), *(stack.state_dir / "logs" / f"{s}.log"
                                                                  for s in ("api", "control"))]
    return sum(len(pattern.findall(log.read_text(errors="replace"))) for log in logs)


def invocations(stack: Stack) -> int:
    return logged(stack, INVOCATION)


def test_share_open_signed_out_follow_a_certificate_then_revoke(services: Stack, owner: Person,
                                                                 household: dict) -> None:
    passport = share(services, owner, household)
    assert len(token_of(passport)) >= 22   # at least 128 random bits, URL-safe

    shown = published(services, passport)
    assert "Ollie" in shown.text and "Rabies" in shown.text and "DHPP" in shown.text
    assert "Mochi" not in shown.text                                   # only what was chosen
    assert NOT_OFFICIAL in shown.text
    assert 'data-expires="' in shown.text and "<script>" in shown.text   # the status chip is the browser's
    data = page(services, passport, "passport.json").json()
    records = {r["vaccine"]: r for r in data["pets"][0]["records"]}
    assert set(records) == {"Rabies", "DHPP"} and records["DHPP"]["certificate_url"] is None
    assert b"<svg" in page(services, passport, "qr.svg").content
    assert page(services, passport, "qr.png").content[:8] == b"\x89PNG\r\n\x1a\n"

    link = records["Rabies"]["certificate_url"]
    redirect = requests.get(link, allow_redirects=False, timeout=30)
    assert redirect.status_code == 302, redirect.text
    assert requests.get(redirect.headers["Location"], timeout=30).content == CERTIFICATE

    listed = requests.get(f"{services.api_url}/households/{household['id']}/passports", headers=owner.headers,
                          timeout=30).json()["passports"]
    assert [(p["id"], p["status"], p["url"]) for p in listed if p["id"] == passport["id"]] == \
        [(passport["id"], "active", f"{services.static_url}{passport['path']}")]

    revoked = requests.post(f"{services.control_url}/households/{household['id']}/passports/{passport['id']}/revoke",
                            headers=owner.headers, timeout=30)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"], revoked.text
    assert requests.get(link, allow_redirects=False, timeout=30).status_code == 404   # at once: its token item is gone
    eventually(lambda: page(services, passport).status_code == 404, "the revoked page is taken down")
    assert page(services, passport, "passport.json").status_code == 404
    assert page(services, passport, "qr.png").status_code == 404


def test_a_viewer_cannot_share_and_the_bucket_itself_is_private(services: Stack, owner: Person,
                                                                household: dict) -> None:
    passport = share(services, owner, household, record_ids=[household["rabies"]])
    published(services, passport)
    anonymous = requests.get(f"{services.moto_url}/{services.resources.buckets['passports']}/"
                             f"{passport['path'].lstrip('/')}index.html", timeout=30)
    assert anonymous.status_code == 403   # only the CDN's credentials read it
    stranger = new_person(services, "stranger")
    refused = requests.post(f"{services.control_url}/households/{household['id']}/passports",
                            headers=stranger.headers, json={"pet_ids": [household["pets"]["Ollie"]], "duration": "24h"},
                            timeout=30)
    assert refused.status_code == 404


def test_editing_and_deleting_a_shared_record_republishes(services: Stack, owner: Person, household: dict) -> None:
    extra = requests.post(f"{services.control_url}/pets/{household['pets']['Ollie']}/records", headers=owner.headers,
                          timeout=30, json={"vaccine": "Leptospirosis", "administered_on": "2026-01-05"}).json()["id"]
    passport = share(services, owner, household, duration="30d")
    assert "Leptospirosis" in published(services, passport).text
    edited = requests.put(f"{services.control_url}/pets/{household['pets']['Ollie']}/records/{extra}",
                          headers=owner.headers, timeout=30,
                          json={"vaccine": "Lepto L4", "administered_on": "2026-01-05", "expires_on": "2027-01-05",
                                "clinic": None})
    assert edited.status_code == 200, edited.text
    eventually(lambda: "Lepto L4" in page(services, passport).text, "the edit is republished")
    assert 'data-expires="2027-01-05"' in page(services, passport).text
    deleted = requests.delete(f"{services.control_url}/pets/{household['pets']['Ollie']}/records/{extra}",
                              headers=owner.headers, timeout=30)
    assert deleted.status_code == 200, deleted.text
    eventually(lambda: "Lepto" not in page(services, passport).text, "the deletion is republished")
    assert "Rabies" in page(services, passport).text


def test_a_view_opens_no_database_transaction_and_no_lambda(services: Stack, owner: Person, household: dict,
                                                           transactions: TransactionCounter) -> None:
    passport = share(services, owner, household)
    published(services, passport)
    time.sleep(2)   # let the workers finish the publishing batch before counting
    for _ in range(3):   # measured again if the clock set something off meanwhile (nothing a viewer did)
        clock, lambdas, database = logged(services, CLOCK), invocations(services), transactions.read()
        for name in ("", "passport.json", "qr.svg", "qr.png"):
            assert page(services, passport, name).status_code == 200
        viewed = (transactions.read() - database, invocations(services) - lambdas)
        if logged(services, CLOCK) == clock:
            break
    assert viewed == (0, 0)   # no PostgreSQL transaction, no Lambda invocation

    # The count is real: a certificate link, the one function a viewer can cause, moves it.
    link = page(services, passport, "passport.json").json()["pets"][0]["records"]
    followed = next(r["certificate_url"] for r in link if r["certificate_url"])
    assert requests.get(followed, allow_redirects=False, timeout=30).status_code == 302
    eventually(lambda: invocations(services) - lambdas >= 1, "the api's request appears in its log", timeout=10)


def test_views_are_counted_from_the_access_logs(services: Stack, owner: Person, household: dict) -> None:
    passport = share(services, owner, household)
    published(services, passport)   # one view
    for _ in range(2):
        page(services, passport)
    page(services, passport, "qr.svg")   # not a view of the page
    s3, logs = aws(services, "s3"), services.resources.buckets["logs"]
    eventually(lambda: requested(s3, logs, passport, "GET") == 4, "the local CDN delivered its access logs")

    passport_views.count_views(wall_store(services), Objects(s3), logs, "passports/", datetime.now(UTC))  # the hourly job

    listed = requests.get(f"{services.api_url}/households/{household['id']}/passports", headers=owner.headers,
                          timeout=30).json()["passports"]
    assert next(p["views"] for p in listed if p["id"] == passport["id"]) == 3


def requested(s3, bucket: str, passport: dict, method: str) -> int:
    """The passport's requests by this method (of the page and its other files) in the delivered log files."""
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="passports/").get("Contents", [])]
    text = b"".join(gzip.decompress(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys).decode()
    return sum(f"\t{method}\t" in line and f"\t{passport['path']}" in line for line in text.splitlines())


def test_an_expiring_passport_stops_by_itself(services: Stack, owner: Person, household: dict,
                                             transactions: TransactionCounter) -> None:
    passport = share(services, owner, household, duration="24h")
    published(services, passport)
    link = f"{services.api_url}/passports/{token_of(passport)}/records/{household['rabies']}/certificate"
    assert requests.get(link, allow_redirects=False, timeout=30).status_code == 302
    storage = Storage(services.resources.buckets["uploads"], REGION, services.moto_url)
    later = Clock(datetime.now(UTC) + timedelta(hours=24, minutes=1))
    database = transactions.read()

    with pytest.raises(NotFound):   # the api's check at that time: the token item is past its TTL
        api_passports.certificate(wall_store(services, later), token_of(passport), household["rabies"], storage)
    press = passports.Press(wall_store(services, later), Objects(aws(services, "s3")),
                            services.resources.buckets["passports"], services.resources.buckets["uploads"],
                            Origins(cdn=services.static_url, api=services.api_url), passports.Distribution(lambda: None, ""))
    assert passports.sweep_expired(press, later()) >= 1   # workers' hourly sweep at that time

    assert page(services, passport).status_code == 404
    assert transactions.read() - database == 0   # Aurora was never asked


def centre_colour(picture: bytes) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(picture)).convert("RGB").getpixel((SIDE // 2, SIDE // 2))


def near(colour: tuple[int, int, int], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 20 for a, b in zip(colour, wanted, strict=True))


def test_a_pets_photo_is_on_its_passport_and_a_new_photo_republishes(services: Stack) -> None:
    keeper = new_person(services, "photo-passport")   # a household of their own: the free plan's one
    household_id = create_household(services, keeper, "The Photographed")
    pet_id = add_pet(services, keeper, household_id, "Biscuit")
    upload_photo(services, keeper, pet_id, "image/jpeg", photo_of(RED))
    shown_picture(services, keeper, household_id, pet_id, RED)   # workers have made the pet's picture
    answer = requests.post(f"{services.control_url}/households/{household_id}/passports", headers=keeper.headers,
                           timeout=30, json={"pet_ids": [pet_id], "duration": "7d"})
    assert answer.status_code == 201, answer.text
    passport = answer.json()

    assert f'src="{pet_id}.jpg"' in published(services, passport).text
    photo = page(services, passport, f"{pet_id}.jpg")
    assert photo.status_code == 200 and near(centre_colour(photo.content), RED)

    upload_photo(services, keeper, pet_id, "image/jpeg", photo_of(BLUE))   # the same picture key, a new photo
    eventually(lambda: near(centre_colour(page(services, passport, f"{pet_id}.jpg").content), BLUE),
               "the new photo is republished")
