"""AWS's RDS certificate bundle in control's package: control verifies Aurora's certificate against
it (sslmode=verify-full) and cannot fetch it (no route out of the VPC), so the deploy step places it.

    python -m infra.rds_bundle --stage prod --source /path/or/https-url/global-bundle.pem

`make package` (infra/package.sh) runs it before packaging, with RDS_CA_BUNDLE as the source; it
fails when a stage rendered for a real deploy (infra/chalice_env.py) would ship without a bundle.
The committed placeholder stages connect to nothing, so packaging them without one only warns.
AWS publishes the bundle at https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem.
"""
import argparse
import json
import shutil
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from infra import chalice_env, policies

# chalicelib.control.settings.RDS_CA_BUNDLE: where control's settings look by default
BUNDLE = policies.REPO / "services" / "control" / "chalicelib" / "control" / "certs" / "rds-global-bundle.pem"
PLACEHOLDER = "from-stack-"   # chalice_env.placeholders(): a stage rendered without a stack


def place(source: str, bundle: Path = BUNDLE) -> None:
    """Copy the operator's bundle into control's package, from a file or an https URL."""
    bundle.parent.mkdir(parents=True, exist_ok=True)
    if source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=30) as response:   # the operator's machine, not Lambda
            bundle.write_bytes(response.read())
    elif "://" in source:
        raise ValueError(f"fetch the bundle over https only, not {source}")
    else:
        shutil.copyfile(source, bundle)


def for_real_deploy(control_environment: dict[str, str]) -> bool:
    return not control_environment.get("PAWPORT_DB_HOST", PLACEHOLDER).startswith(PLACEHOLDER)


def problems(control_environment: dict[str, str], bundle: Path = BUNDLE,
             now: datetime | None = None) -> list[str]:
    """What keeps this package from verifying Aurora's certificate (empty: it can)."""
    if not bundle.exists():
        return [f"{bundle} is missing: give the RDS certificate bundle (RDS_CA_BUNDLE=path or https URL)"] \
            if for_real_deploy(control_environment) else []
    try:
        certificates = x509.load_pem_x509_certificates(bundle.read_bytes())
    except ValueError as error:
        return [f"{bundle} holds no PEM certificates: {error}"]
    moment = now or datetime.now(UTC)
    found = []
    if not any(_is_authority(c) for c in certificates):
        found.append(f"{bundle} holds no CA certificate")
    if not any(c.not_valid_before_utc <= moment <= c.not_valid_after_utc for c in certificates):
        found.append(f"{bundle}: every certificate is expired or not yet valid")
    return found


def _is_authority(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=policies.STAGES, required=True)
    parser.add_argument("--source", help="the RDS bundle: a file or an https URL")
    args = parser.parse_args()
    if args.source:
        place(args.source)
    config = json.loads(chalice_env.config_path("control").read_text())
    environment = config["stages"][args.stage].get("environment_variables", {})
    found = problems(environment)
    for problem in found:
        print(f"RDS certificate bundle: {problem}", file=sys.stderr)
    if not found:
        print("RDS certificate bundle: " + ("in control's package" if BUNDLE.exists()
                                            else "none (placeholder stage: this package connects to no database)"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
