"""No NAT, Aurora sleeps, the data and the way out kept apart, in the code: who may import a
database driver, the LLM SDK or an HTTP client.

The services' packages and pawport are held by the import contracts (.importlinter, run by `make
lint`, shown to break in test_import_contracts.py). Here, what those cannot root at: the source of
each app.py (every import statement, including ones inside functions), and the running app (the
modules actually loaded when app.py is imported with its own environment: transitive imports too)."""
import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from devstack import REPO, SERVICES
from devstack.stack import Stack, service_env

DATABASE = {"sqlalchemy", "psycopg", "psycopg2", "pg8000", "asyncpg", "alembic"}
LLM = {"openai"}
HTTP_CLIENTS = {"requests", "httpx", "urllib3", "aiohttp", "urllib.request", "http.client"}
FORBIDDEN = {
    "api": DATABASE | LLM,
    "workers": DATABASE | LLM,
    "egress": DATABASE,
    "control": LLM | HTTP_CLIENTS,
}


def imported_modules(files: Iterable[Path]) -> dict[str, set[str]]:
    """Every module named by an import statement in the files, with the files that import it."""
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for name in names:
                found.setdefault(name, set()).add(str(path))
    return found


def violations(imports: dict[str, set[str]], forbidden: set[str]) -> dict[str, set[str]]:
    return {name: files for name, files in imports.items()
            if any(name == f or name.startswith(f + ".") for f in forbidden)}


@pytest.mark.parametrize("service", SERVICES)
def test_app_source_imports_nothing_forbidden(service: str) -> None:
    imports = imported_modules([REPO / "services" / service / "app.py"])
    assert violations(imports, FORBIDDEN[service]) == {}


def test_the_check_catches_a_planted_import(tmp_path: Path) -> None:
    (tmp_path / "sneaky.py").write_text("def f():\n    from sqlalchemy import text\n    import openai.types\n")
    assert set(violations(imported_modules(tmp_path.rglob("*.py")), DATABASE | LLM)) == {"sqlalchemy", "openai.types"}


LOADED = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
spec = importlib.util.spec_from_file_location("app", sys.argv[1] + "/app.py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} | set(sys.modules))))
"""


# botocore itself speaks HTTP through urllib3/http.client: control's boto3 calls reach only the
# S3 and DynamoDB gateway endpoints, which the network and IAM enforce (infra/, checked by tests/infra/).
BOTOCORE_TRANSPORT = {"urllib3", "http.client", "urllib.request"}


@pytest.mark.parametrize("service", SERVICES)
def test_running_service_loads_nothing_forbidden(service: str, stack: Stack) -> None:
    env = service_env(stack, service) | {"PATH": "/usr/bin:/bin"}
    answer = subprocess.run([sys.executable, "-c", LOADED, str(REPO / "services" / service)],
                            env=env, capture_output=True, text=True, check=True)
    loaded = set(json.loads(answer.stdout.splitlines()[-1]))
    assert loaded & (FORBIDDEN[service] - BOTOCORE_TRANSPORT) == set()
