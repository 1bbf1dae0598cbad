"""The door in a browser: from navigation to the certificate on screen, online (warm: the app and
the door copy already on the device) and offline, the median of several runs each; and the size of
the app's JavaScript as a phone downloads it (gzip). On a stack of its own, with every service and
the local CDN running, driven by playwright-core in Debian's chromium (bench/door_flow.mjs)."""
import gzip
import io
import json
import statistics
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from PIL import Image, ImageDraw, ImageFont

from devstack import REPO, identity
from devstack.dev import wait_until_healthy
from devstack.ports import free_port
from devstack.processes import processes
from devstack.stack import Ports, Stack, running_stack

RUNS = 7
EMAIL, PASSWORD = "door-bench@pawport.local", "Door-bench-1234"
SCRIPT = Path(__file__).with_name("door_flow.mjs")
ASSETS = REPO / "web" / "dist" / "assets"


def measure(runs: int = RUNS) -> dict[str, Any]:
    ports = Ports(postgres=free_port(), moto=free_port(), api=free_port(), control=free_port(), llm=free_port(),
                  invoke=free_port())
    with tempfile.TemporaryDirectory() as state, running_stack(Path(state), ports) as stack:
        started = [subprocess.Popen(p.command, env=p.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for p in processes(stack)]
        try:
            wait_until_healthy(stack.api_url, stack.control_url, stack.llm_url)
            pet_id = _pet_with_certificate(stack)
            timings = _browser_runs(stack.static_url, pet_id, runs)
        finally:
            for process in started:
                process.terminate()
            for process in started:
                process.wait(timeout=10)
    return {"door_flow_ms_online": round(statistics.median(timings["online"])),
            "door_flow_ms_offline": round(statistics.median(timings["offline"])),
            "door_flow_runs": runs, "web_js_gzip_kb": web_js_gzip_kb()}


def web_js_gzip_kb() -> float:
    """What the app's JavaScript weighs on the wire: every built chunk, gzipped as a CDN compresses it."""
    return round(sum(len(gzip.compress(p.read_bytes())) for p in ASSETS.glob("*.js")) / 1024, 1)


def _browser_runs(base_url: str, pet_id: str, runs: int) -> dict[str, list[float]]:
    args = {"base_url": base_url, "email": EMAIL, "password": PASSWORD, "pet_id": pet_id, "runs": runs}
    done = subprocess.run(["node", str(SCRIPT)], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin:/usr/local/bin", "FLOW_ARGS": json.dumps(args)})
    if done.returncode:
        raise RuntimeError(f"the door flow failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pet_with_certificate(stack: Stack) -> str:
    """A household with one pet and a current rabies record with its certificate photo."""
    identity.create_user(stack, EMAIL, PASSWORD)
    headers = {"Authorization": f"Bearer {identity.sign_in(stack, EMAIL, PASSWORD)['IdToken']}"}
    household = _post(f"{stack.control_url}/households", headers, {"name": "The Door", "time_zone": "Europe/London"})
    pet = _post(f"{stack.control_url}/households/{household['household_id']}/pets", headers,
                {"name": "Ollie", "species": "dog"})
    form = _post(f"{stack.api_url}/pets/{pet['pet_id']}/records/uploads", headers,
                 {"file_name": "rabies.jpg", "content_type": "image/jpeg"})
    requests.post(form["url"], data=form["fields"], files={"file": ("rabies.jpg", _photo(), "image/jpeg")},
                  timeout=30).raise_for_status()
    _settled(stack, headers, pet["pet_id"], form["upload_id"])
    today = date.today()
    _post(f"{stack.control_url}/pets/{pet['pet_id']}/records", headers,
          {"upload_id": form["upload_id"], "vaccine": "Rabies", "administered_on": (today - timedelta(days=30)).isoformat(),
           "expires_on": (today + timedelta(days=700)).isoformat()})
    return pet["pet_id"]


def _post(url: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(url, headers=headers, json=body, timeout=30)
    answer.raise_for_status()
    return answer.json()


def _settled(stack: Stack, headers: dict[str, str], pet_id: str, upload_id: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drafts = requests.get(f"{stack.api_url}/pets/{pet_id}/drafts", headers=headers, timeout=30).json()["drafts"]
        if any(d["upload_id"] == upload_id and d["status"] not in ("checking", "extracting") for d in drafts):
            return
        time.sleep(0.5)
    raise TimeoutError("the certificate's draft did not settle")


def _photo() -> bytes:
    """A photographed certificate: large type on white."""
    lines = ("Certificate of Vaccination", "Pet name: Ollie", "Vaccine: Rabies")
    image = Image.new("RGB", (1400, 100 + 70 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((60, 50 + 70 * row), line, fill="black", font=ImageFont.load_default(size=40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
