"""Browser tests: Debian's chromium driven by playwright-core (web/node_modules) against the real
local stack, the web app served by the local CDN as CloudFront serves it. Each flow is a node
script here; a test prepares what the flow starts from, runs it, and reads what it reports."""
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import requests

from devstack import REPO
from devstack.stack import Stack
from devstack.web_app import DIST

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def web(services: Stack) -> str:
    """The web app's URL on the test stack: the local CDN's."""
    if not (DIST / "index.html").is_file() or not CHROMIUM.exists() or not shutil.which("node"):
        pytest.fail("the web app, node or chromium is missing: run `make install`")
    assert requests.get(f"{services.static_url}/config.json", timeout=10).json()["userPoolId"]
    return services.static_url


def run_flow(name: str, steps: Mapping[str, Callable[[], object]] | None = None, **args: object) -> dict:
    """Runs tests/browser/<name>.mjs with `args`; its failure message becomes the test's. A line
    `STEP <name>` from the flow runs steps[name] here, then the flow goes on."""
    with tempfile.TemporaryFile("w+") as errors:   # a file, not a pipe: a long failure report cannot block the flow
        flow = subprocess.Popen(["node", str(HERE / f"{name}.mjs")], cwd=REPO, text=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors, env=os.environ | {"FLOW_ARGS": json.dumps(args)})
        assert flow.stdin and flow.stdout
        last = ""
        for line in flow.stdout:
            if line.startswith("STEP "):
                (steps or {})[line.split()[1]]()
                flow.stdin.write("done\n")
                flow.stdin.flush()
            elif line.strip():
                last = line
        flow.stdin.close()
        code = flow.wait(timeout=30)
        errors.seek(0)
        assert code == 0, f"{name} failed:\n{errors.read()[-4000:]}"
    return json.loads(last)
