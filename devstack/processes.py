"""The long-running processes of a local stack: what AWS runs for us, one process each.

api and control serve HTTP (`chalice local`); each event-driven service gets an event runner
standing in for Lambda's event source mappings, rules and schedules, and for its Invoke API
(control's runner is the one Lambda endpoint; it forwards egress's functions to egress's
runner). Each process gets only its own service's environment; the local LLM (devstack/llm, egress's default endpoint) gets none.
"""
import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from devstack import REPO
from devstack.stack import Stack, aws_env, service_env
from devstack.web_app import web_config


@dataclass(frozen=True)
class Process:
    name: str
    command: list[str]
    env: dict[str, str]

    @property
    def shell_command(self) -> str:
        return shlex.join(self.command)


def processes(stack: Stack) -> list[Process]:
    chalice = [str(Path(sys.executable).parent / "chalice")]
    resources_file = str(stack.state_dir / "resources.json")

    def http(service: str, port: int) -> Process:
        return Process(service, [*chalice, "--project-dir", str(REPO / "services" / service), "local",
                                 "--host", "127.0.0.1", "--port", str(port), "--stage", "local",
                                 "--no-autoreload"], _env(stack, service))

    def events(service: str, *flags: str) -> Process:
        return Process(f"{service}-events", [sys.executable, "-m", "devstack.runner",
                                             str(REPO / "services" / service), "--resources", resources_file,
                                             *flags], _env(stack, service))

    llm = Process("llm", [sys.executable, "-m", "devstack.llm", "--port", str(stack.ports.llm)], _base_env())
    # The CDN: AWS credentials of its own (the OAC's), no service's settings.
    static = Process("static", [sys.executable, "-m", "devstack.static_server", "--port", str(stack.ports.static),
                                "--passports-bucket", stack.resources.buckets["passports"],
                                "--logs-bucket", stack.resources.buckets["logs"],
                                # and the web app beside them, with the APIs on its origin (docs/web.md)
                                "--web-config", json.dumps(web_config(stack)),
                                "--api-url", stack.api_url, "--control-url", stack.control_url],
                     _base_env() | aws_env(stack))
    return [http("api", stack.ports.api), http("control", stack.ports.control),
            events("control", "--invoke-port", str(stack.ports.invoke),
                   "--route", f"pawport-egress-={stack.egress_invoke_url}",
                   "--route", f"pawport-workers-={stack.workers_invoke_url}"),
            events("workers", "--sweep-ttl", "--invoke-port", str(stack.ports.workers_invoke)),
            events("egress", "--invoke-port", str(stack.ports.egress_invoke)), llm, static]


def _base_env() -> dict[str, str]:
    inherited = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TERM") if k in os.environ}
    return inherited | {"PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}


def _env(stack: Stack, service: str) -> dict[str, str]:
    return _base_env() | service_env(stack, service)
