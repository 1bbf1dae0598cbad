"""The api's cold import beside the one-fat-function baseline (what splitting the services buys).

Each figure is one fresh interpreter timing its own imports (interpreter start-up excluded, the
same for both). The baseline is the design's 'before' shape: one process holding every service's
code and dependencies, i.e. the union of the modules the four apps really load (third-party and
the services' own chalicelib and pawport modules; not their app.py, whose settings refuse to
share a process), found by loading each app in a fresh interpreter of its own with its own
settings. Runs are interleaved so the machine's noise falls on both alike; medians are compared.
"""
import json
import os
import statistics
import subprocess
import sys
from typing import Any

from devstack import REPO
from devstack.stack import Stack, service_env

SERVICES = ("api", "control", "egress", "workers")
DATABASE_DRIVERS = ("psycopg", "sqlalchemy")
RUNS = 7
# chalicelib is a namespace package: each service's part of it, side by side in one process.
SERVICE_PATHS = [str(REPO / "services" / s) for s in SERVICES] + [str(REPO / "shared")]
GOAL_RATIO = 0.25

LOAD_APP = """
import json, sys, time
sys.path[:0] = [{app_dir!r}, {vendor!r}]
started = time.perf_counter()
import app
seconds = time.perf_counter() - started
modules = sorted(name for name, module in list(sys.modules.items())
                 if "site-packages" in (getattr(module, "__file__", None) or "")
                 or name.split(".")[0] in ("chalicelib", "pawport"))
print(json.dumps({{"seconds": seconds, "modules": modules}}))
"""

LOAD_MODULES = """
import importlib, json, sys, time
paths, names = json.loads(sys.stdin.read())
sys.path[:0] = paths
started = time.perf_counter()
for name in names:
    importlib.import_module(name)
print(json.dumps({"seconds": time.perf_counter() - started, "modules": names}))
"""


def measure(stack: Stack, runs: int = RUNS) -> dict[str, Any]:
    """Median cold imports of the api and of the fat baseline; which services load a database driver."""
    loaded = {service: _load_app(stack, service)["modules"] for service in SERVICES}
    fat = sorted(set().union(*loaded.values()))
    api, baseline = [], []
    for _ in range(runs):
        api.append(_load_app(stack, "api")["seconds"])
        baseline.append(_run(LOAD_MODULES, {}, stdin=json.dumps([SERVICE_PATHS, fat]))["seconds"])
    ratio = statistics.median(api) / statistics.median(baseline)
    return {
        "api_import_seconds": round(statistics.median(api), 4),
        "fat_function_import_seconds": round(statistics.median(baseline), 4),
        "api_import_ratio": round(ratio, 3),
        "api_import_goal": f"api cold import {ratio:.2f} x the one-fat-function baseline, goal <= {GOAL_RATIO}: "
                           + ("met" if ratio <= GOAL_RATIO else "MISSED"),
        "database_drivers_loaded": {service: [d for d in DATABASE_DRIVERS if d in loaded[service]]
                                    for service in SERVICES},
        "fat_function_modules": len(fat),
    }


def _load_app(stack: Stack, service: str) -> dict[str, Any]:
    app_dir = REPO / "services" / service
    code = LOAD_APP.format(app_dir=str(app_dir), vendor=str(app_dir / "vendor"))
    return _run(code, service_env(stack, service), cwd=app_dir)


def _run(code: str, env: dict[str, str], stdin: str = "", cwd: Any = REPO) -> dict[str, Any]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([sys.executable, "-c", code], input=stdin, env=base | env, cwd=cwd,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
