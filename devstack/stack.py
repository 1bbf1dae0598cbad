"""One running local stack: where its parts listen, what it created, and each service's environment.

`make dev` runs one under .local/dev; every test session runs its own on free ports.
"""
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import boto3

from devstack import REPO, resources
from devstack.moto import moto_server
from devstack.ports import free_port
from devstack.postgres import Postgres, reachable_data_dir
from devstack.resources import Resources

REGION = "us-east-1"
STAGE = "local"
# control's application role; the migration role is control's setting default (pawport_migrations).
DB_NAME, DB_USER, DB_PASSWORD = "pawport", "pawport_control", "local-only-password"


@dataclass
class Ports:
    postgres: int
    moto: int
    api: int
    control: int
    llm: int
    invoke: int   # Lambda's Invoke API: control's event runner, which forwards egress's functions
    egress_invoke: int = field(default_factory=free_port)   # egress's runner, reached through `invoke`
    workers_invoke: int = field(default_factory=free_port)   # workers' runner, reached through `invoke`
    static: int = field(default_factory=free_port)   # the local CDN (devstack/static_server.py): passports


@dataclass
class Stack:
    state_dir: Path
    ports: Ports
    moto_url: str
    resources: Resources
    postgres: Postgres | None = None   # the running server, when this process started it
    external_llm: dict[str, str] = field(default_factory=dict)  # OPENAI_* for egress, if not the local one

    def to_json(self) -> dict:
        return {"state_dir": str(self.state_dir), "ports": asdict(self.ports), "moto_url": self.moto_url,
                "resources": asdict(self.resources)}

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.control}"

    @property
    def static_url(self) -> str:
        """The local CDN's origin: a passport's page is this followed by /p/<token>/."""
        return f"http://127.0.0.1:{self.ports.static}"

    @property
    def invoke_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.invoke}"

    @property
    def egress_invoke_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.egress_invoke}"

    @property
    def workers_invoke_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.workers_invoke}"

    @property
    def llm_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.llm}"

    @property
    def database_admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports.postgres}/postgres"

    @property
    def database_ca(self) -> Path:
        """The CA of the local PostgreSQL's certificate, which control verifies as it verifies Aurora's."""
        return self.state_dir / "database-ca.crt"

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.resources.user_pool_id}"

    def save(self) -> Path:
        path = self.state_dir / "stack.json"
        path.write_text(json.dumps(self.to_json(), indent=2))
        return path

    @classmethod
    def load(cls, state_dir: Path) -> "Stack":
        data = json.loads((state_dir / "stack.json").read_text())
        return cls(state_dir=Path(data["state_dir"]), ports=Ports(**data["ports"]),
                   moto_url=data["moto_url"], resources=Resources(**data["resources"]))


def aws_env(stack: Stack) -> dict[str, str]:
    """What every process needs to reach moto exactly as boto3 would reach AWS."""
    return {
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": stack.moto_url, "PAWPORT_STAGE": STAGE,
    }


# Signs and checks reminder mail's unsubscribe links locally; in AWS the deploy step renders a random one.
LOCAL_REMINDER_LINK_KEY = "local-only-reminder-link-key-0123456789abcdef"
SERVICE_PREFIXES = ("PAWPORT_", "OPENAI_")   # what service_env hands out; another service's must go first


def service_variables(environ: Mapping[str, str]) -> list[str]:
    """The names in environ that belong to some service's environment: removed before a service's
    own are set, since each refuses the other side's secrets."""
    return [name for name in environ if name.startswith(SERVICE_PREFIXES)]


def service_env(stack: Stack, service: str) -> dict[str, str]:
    """The environment each service gets: only what it reads, so the data and the way out are kept apart."""
    res = stack.resources
    identity = {
        "PAWPORT_COGNITO_ISSUER": stack.issuer,
        "PAWPORT_COGNITO_CLIENT_ID": res.user_pool_client_id,
        "PAWPORT_COGNITO_JWKS": res.jwks,
    }
    per_service = {
        "api": identity | {
            "PAWPORT_TABLE_NAME": res.tables["main"],
            "PAWPORT_UPLOADS_BUCKET": res.buckets["uploads"],
            "PAWPORT_PASSPORT_ORIGIN": stack.static_url,
            "PAWPORT_DRAFT_REVIEW_FUNCTION": f"pawport-workers-{STAGE}-review_draft",
            "AWS_ENDPOINT_URL_LAMBDA": stack.invoke_url,   # a draft's review is workers' (the api only reads)
        },
        "control": identity | {
            "PAWPORT_TABLE_NAME": res.tables["main"],
            "PAWPORT_DB_HOST": "127.0.0.1", "PAWPORT_DB_PORT": str(stack.ports.postgres),
            "PAWPORT_DB_NAME": DB_NAME, "PAWPORT_DB_USER": DB_USER, "PAWPORT_DB_PASSWORD": DB_PASSWORD,
            "PAWPORT_DB_AUTH": "password", "PAWPORT_DB_SSLROOTCERT": str(stack.database_ca),
            "PAWPORT_REMINDER_LINK_KEY": LOCAL_REMINDER_LINK_KEY,
            "PAWPORT_SES_FEEDBACK_TOPIC": res.topics["ses-feedback"].rsplit(":", 1)[-1],  # name from ARN
        },
        "egress": llm_endpoint(stack),   # handed its work by workers: no AWS resource at all
        "workers": {
            "PAWPORT_TABLE_NAME": res.tables["main"],
            "PAWPORT_UPLOADS_BUCKET": res.buckets["uploads"],
            "PAWPORT_JOBS_BUCKET": res.buckets["jobs"],
            # Passports: no distribution to invalidate locally (the static server caches nothing).
            "PAWPORT_PASSPORTS_BUCKET": res.buckets["passports"], "PAWPORT_LOGS_BUCKET": res.buckets["logs"],
            "PAWPORT_PASSPORT_ORIGIN": stack.static_url, "PAWPORT_API_ORIGIN": stack.api_url,
            "PAWPORT_DISTRIBUTION_ID": "",
            "PAWPORT_REMINDERS_QUEUE": res.queues["reminders"].rsplit("/", 1)[-1],  # name from URL
            # Reminder mail's links: the web app (served with the passports) and control's unsubscribe page.
            "PAWPORT_WEB_APP_URL": stack.static_url,
            "PAWPORT_REMINDER_UNSUBSCRIBE_URL": f"{stack.control_url}/reminders/unsubscribe",
            "PAWPORT_REMINDER_LINK_KEY": LOCAL_REMINDER_LINK_KEY,
            "PAWPORT_TABLE_STREAM_ARN": res.streams["main"],
            "PAWPORT_MAIL_SENDER": res.mail_sender,
            "PAWPORT_MAIL_CONFIGURATION_SET": res.mail_configuration_set,
            "PAWPORT_OPERATOR_AGGREGATES_FUNCTION": f"pawport-control-{STAGE}-operator_aggregates",
            "PAWPORT_EXTRACTION_FUNCTION": f"pawport-egress-{STAGE}-extract",
            "PAWPORT_ASK_FUNCTION": f"pawport-egress-{STAGE}-ask",
            # boto3's per-service endpoint: Lambda is the event runners' Invoke API, not moto (AWS_ENDPOINT_URL)
            "AWS_ENDPOINT_URL_LAMBDA": stack.invoke_url,
        },
    }
    return aws_env(stack) | per_service[service]


def llm_endpoint(stack: Stack) -> dict[str, str]:
    """The local reader (devstack/llm), unless the stack was given a real endpoint; the key is in
    moto's SSM (`use_llm_key` puts a real endpoint's there), never in egress's environment."""
    base_url = stack.external_llm.get("OPENAI_BASE_URL") if stack.external_llm else f"{stack.llm_url}/v1"
    return {"PAWPORT_LLM_KEY_PARAMETER": stack.resources.llm_key_parameter} | (
        {"OPENAI_BASE_URL": base_url} if base_url else {})


def use_llm_key(stack: Stack) -> None:
    """A real endpoint's key (from the shell of `make dev`) into the SecureString egress reads."""
    if stack.external_llm:
        ssm = boto3.client("ssm", endpoint_url=stack.moto_url, region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        resources.put_llm_key(ssm, STAGE, stack.external_llm["OPENAI_API_KEY"])


def llm_from_environment() -> dict[str, str]:
    """OPENAI_API_KEY (and OPENAI_BASE_URL) from the shell of `make dev`; tests never use them."""
    if "OPENAI_API_KEY" not in os.environ:
        return {}
    return {name: os.environ[name] for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL") if name in os.environ}


def migrate(stack: Stack, superuser: str) -> None:
    """What control's `migrate` function does with the master user on a new cluster: the two roles
    (chalicelib/control/database_setup.py), then Alembic as the migration role."""
    env = service_env(stack, "control") | _path_env() | {"PYTHONPATH": str(REPO / "services" / "control")}
    subprocess.run([sys.executable, "-c", "from chalicelib.control import database_setup, migrate, settings; "
                    f"database_setup.set_up(settings.settings(), {superuser!r}, ''); migrate.upgrade_to_head()"],
                   cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)


def _path_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}


@contextmanager
def running_stack(state_dir: Path, ports: Ports) -> Iterator[Stack]:
    """PostgreSQL and moto up, resources created, schema migrated; all stopped on exit."""
    state_dir.mkdir(parents=True, exist_ok=True)
    postgres = Postgres(reachable_data_dir(state_dir / "postgres"), ports.postgres)
    postgres.start()
    try:
        postgres.recreate_database(DB_NAME)
        with moto_server(ports.moto, state_dir / "moto.log") as moto_url:
            made = resources.create_all(moto_url, REGION, STAGE)
            stack = Stack(state_dir, ports, moto_url, made, postgres)
            shutil.copy(postgres.ca_file, stack.database_ca)
            migrate(stack, postgres.superuser)
            stack.save()
            resources.write(made, state_dir / "resources.json")
            yield stack
    finally:
        postgres.stop()
        if not postgres.data_dir.is_relative_to(state_dir):
            shutil.rmtree(postgres.data_dir, ignore_errors=True)  # the /tmp twin of an unreachable directory
