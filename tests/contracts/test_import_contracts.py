"""The import contracts (.importlinter, run by `make lint`) hold on the code, and break when a copy
of the code is given one forbidden import: each rule in turn, in a module of its own, at top level
or inside a function."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devstack import REPO, SERVICES

CONFIG = REPO / ".importlinter"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

PLANTED = {
    "api reaches Aurora": ("services/api/chalicelib/api/planted.py",
                           "def rows():\n    from sqlalchemy import text\n    return text\n",
                           "Only control opens Aurora"),
    "pawport migrates": ("shared/pawport/planted.py", "import alembic.command\n", "Only control opens Aurora"),
    "workers calls the LLM": ("services/workers/chalicelib/workers/planted.py", "import openai\n",
                              "Only egress holds the LLM key"),
    "control fetches a URL": ("services/control/chalicelib/control/planted.py",
                              "def fetch(url):\n    import urllib.request\n    return urllib.request.urlopen(url)\n",
                              "Control imports no HTTP client"),
    "control uses requests": ("services/control/chalicelib/control/planted.py", "import requests\n",
                              "Control imports no HTTP client"),
    "api imports control": ("services/api/chalicelib/api/planted.py", "from chalicelib.control import rules\n",
                            "No service imports another service's code"),
    "egress imports workers": ("services/egress/chalicelib/egress/planted.py", "import chalicelib.workers.settings\n",
                               "No service imports another service's code"),
    "pawport imports a service": ("shared/pawport/planted.py", "from chalicelib.workers import reminders\n",
                                  "pawport is shipped inside every service"),
}


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports over `tree` (a repository's shared/ and services/), each service's directory on the path."""
    path = [tree / "services" / service for service in SERVICES] + [tree / "shared"]
    return subprocess.run([str(LINT_IMPORTS), "--config", str(CONFIG), "--no-cache", "--no-logo"],
                          cwd=tree, env={"PYTHONPATH": ":".join(map(str, path)), "PATH": "/usr/bin:/bin", "COLUMNS": "500"},
                          capture_output=True, text=True, timeout=120)


def module_name(where: str) -> str:
    """A file's dotted name on its service's path (services/<svc>/...) or on shared/."""
    parts = Path(where).with_suffix("").parts
    return ".".join(parts[2:] if parts[0] == "services" else parts[1:])


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The services' packages and pawport, as they are now."""
    root = tmp_path_factory.mktemp("tree")
    keep_source = shutil.ignore_patterns("__pycache__", "*.pyc", ".chalice")
    shutil.copytree(REPO / "shared" / "pawport", root / "shared" / "pawport", ignore=keep_source)
    for service in SERVICES:
        shutil.copytree(REPO / "services" / service / "chalicelib", root / "services" / service / "chalicelib",
                        ignore=keep_source)
    return root


def test_the_code_keeps_every_contract(tree: Path) -> None:
    answer = lint_imports(tree)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "0 broken" in answer.stdout


@pytest.mark.parametrize("planted", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_import_breaks_its_contract(tree: Path, planted: tuple[str, str, str]) -> None:
    where, source, contract = planted
    module = tree / where
    module.write_text(source)
    try:
        answer = lint_imports(tree)
    finally:
        module.unlink()
    assert answer.returncode == 1, answer.stdout + answer.stderr
    broken = [line for line in answer.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in broken), answer.stdout
    assert f"{module_name(where)} -> " in answer.stdout   # the report names the import that broke it
