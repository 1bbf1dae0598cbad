"""Aurora takes TLS connections only (rds.force_ssl in the cluster's parameter group), and control's
package carries the RDS certificate bundle it verifies Aurora against. Each rule also runs on a
broken copy, where it must fail."""
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from devstack import certificates
from infra import rds_bundle
from tests.infra.infra_helpers import broken
from tests.infra.infra_rules import Template, of_type, props, target

PARAMETER_GROUP = "AWS::RDS::DBClusterParameterGroup"


def aurora_tls_only(template: Template) -> list[str]:
    """Every Aurora cluster names a parameter group of this template that sets rds.force_ssl = 1."""
    groups = of_type(template, PARAMETER_GROUP)
    problems = []
    for name, cluster in of_type(template, "AWS::RDS::DBCluster").items():
        group = groups.get(target(props(cluster).get("DBClusterParameterGroupName")) or "")
        if group is None:
            problems.append(f"{name}: no cluster parameter group of this template")
        elif str((props(group).get("Parameters") or {}).get("rds.force_ssl")) != "1":
            problems.append(f"{name}: its parameter group does not set rds.force_ssl = 1")
        elif "aurora-postgresql" not in str(props(group).get("Family")):
            problems.append(f"{name}: its parameter group is not of an aurora-postgresql family")
    return problems


def test_aurora_takes_tls_only(base_stack: dict) -> None:
    assert aurora_tls_only(base_stack) == []


def _group(t: dict) -> dict:
    return props(t["Resources"]["DbClusterParameters"])


TLS_MISTAKES = {
    "no rds.force_ssl": lambda t: _group(t)["Parameters"].pop("rds.force_ssl"),
    "rds.force_ssl = 0": lambda t: _group(t)["Parameters"].__setitem__("rds.force_ssl", "0"),
    "the cluster on the default group": lambda t: props(t["Resources"]["DbCluster"]).pop("DBClusterParameterGroupName"),
    "a group named by hand": lambda t: props(t["Resources"]["DbCluster"]).__setitem__(
        "DBClusterParameterGroupName", "default.aurora-postgresql16"),
    "a MySQL family": lambda t: _group(t).__setitem__("Family", "aurora-mysql8.0"),
}


@pytest.mark.parametrize("mistake", TLS_MISTAKES)
def test_tls_mistake_is_caught(base_stack: dict, mistake: str) -> None:
    assert aurora_tls_only(broken(base_stack, TLS_MISTAKES[mistake]))


# ---- the RDS bundle in control's package ----

REAL = {"PAWPORT_DB_HOST": "pawport-prod-db.cluster-abc.eu-west-1.rds.amazonaws.com"}
PLACEHOLDER = {"PAWPORT_DB_HOST": "from-stack-DbEndpoint"}


def test_control_reads_the_bundle_from_where_the_deploy_step_places_it() -> None:
    from chalicelib.control.settings import RDS_CA_BUNDLE
    assert RDS_CA_BUNDLE == rds_bundle.BUNDLE


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "global-bundle.pem"
    certificates.write_authority(path, "Amazon RDS stand-in Root CA")
    return path


def test_a_real_deploy_with_a_bundle_passes(bundle: Path, tmp_path: Path) -> None:
    placed = tmp_path / "package" / "certs" / "rds-global-bundle.pem"
    rds_bundle.place(str(bundle), placed)
    assert placed.read_bytes() == bundle.read_bytes()
    assert rds_bundle.problems(REAL, placed) == []


def test_the_committed_placeholder_stages_package_without_one(tmp_path: Path) -> None:
    assert rds_bundle.problems(PLACEHOLDER, tmp_path / "absent.pem") == []


BUNDLE_MISTAKES = {
    "missing": lambda path: path.unlink(),
    "not PEM": lambda path: path.write_text("<html>AccessDenied</html>"),
    "a server certificate, not a CA": lambda path: path.write_bytes(
        certificates.server(*certificates.authority("ca"), IPv4Address("127.0.0.1")).certificate),
}


@pytest.mark.parametrize("mistake", BUNDLE_MISTAKES)
def test_bundle_mistake_fails_a_real_deploy(bundle: Path, mistake: str) -> None:
    BUNDLE_MISTAKES[mistake](bundle)
    assert rds_bundle.problems(REAL, bundle)


def test_an_expired_bundle_fails(bundle: Path) -> None:
    assert rds_bundle.problems(REAL, bundle, now=datetime.now(UTC) + timedelta(days=20 * 365))


def test_the_bundle_is_fetched_over_https_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="https"):
        rds_bundle.place("http://truststore.pki.rds.amazonaws.com/global/global-bundle.pem", tmp_path / "b.pem")
