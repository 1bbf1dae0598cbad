"""Fixtures over the synthesized infrastructure: the base stack, the committed policies and
Chalice configs, and (slow) one `chalice package` per service shared by the whole session."""
import json

import pytest
import yaml

from infra import packaging, policies
from tests.infra.infra_helpers import load_template

REPO = policies.REPO
BASE_STACK = REPO / "infra" / "base-stack.yaml"


@pytest.fixture(scope="session")
def base_stack() -> dict:
    return load_template(BASE_STACK)


@pytest.fixture(scope="session")
def declaration() -> dict:
    return yaml.safe_load((REPO / "infra" / "resources.yaml").read_text())


@pytest.fixture(scope="session")
def committed_policies() -> dict[tuple[str, str], dict]:
    """What any role of a service's stage may do: its function policies' statements together."""
    def together(svc: str, stage: str) -> dict:
        files = [policies.policy_path(svc, stage, f) for f in policies.policies(svc, policies.Target(stage))]
        return {"Version": "2012-10-17",
                "Statement": [s for path in files for s in json.loads(path.read_text())["Statement"]]}
    return {(svc, stage): together(svc, stage) for svc in policies.SERVICES for stage in policies.STAGES}


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, packaging.Package]:
    """One `chalice package` per service (pip may download Lambda wheels: needs PyPI)."""
    return packaging.package_all("dev", tmp_path_factory.mktemp("build"))
