"""`make dev`: the whole system on this machine until Ctrl-C.

PostgreSQL and moto start first (the resources need them), then honcho supervises the services
and event runners; the demo is seeded once control answers."""
import os
import threading
import time

import requests
from honcho.manager import Manager

from devstack import REPO
from devstack.processes import processes
from devstack.seed import DEMO_EMAIL, seed
from devstack.stack import Ports, Stack, llm_from_environment, running_stack, use_llm_key

STATE_DIR = REPO / ".local" / "dev"


def dev_ports() -> Ports:
    port = lambda name, default: int(os.environ.get(f"PAWPORT_DEV_{name}_PORT", default))  # noqa: E731
    return Ports(postgres=port("POSTGRES", 15432), moto=port("MOTO", 14566),
                 api=port("API", 18000), control=port("CONTROL", 18001), llm=port("LLM", 18002),
                 invoke=port("INVOKE", 18003), static=port("STATIC", 18004))


def main() -> int:
    started = time.monotonic()
    with running_stack(STATE_DIR, dev_ports()) as stack:
        stack.external_llm = llm_from_environment()
        use_llm_key(stack)
        manager = Manager()
        for process in processes(stack):
            manager.add_process(process.name, process.shell_command, env=process.env, cwd=str(REPO))
        threading.Thread(target=_seed_and_announce, args=(stack, started), daemon=True).start()
        manager.loop()
        return manager.returncode or 0


def _seed_and_announce(stack: Stack, started: float) -> None:
    wait_until_healthy(stack.control_url, stack.api_url)
    household_id = seed(stack)
    print(announcement(stack, household_id, time.monotonic() - started), flush=True)


def wait_until_healthy(*urls: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for url in urls:
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)


def announcement(stack: Stack, household_id: str, seconds: float) -> str:
    return f"""
================ Pawport is running (ready in {seconds:.0f} s) ================
  api       {stack.api_url}        control  {stack.control_url}
  web app   {stack.static_url}/ (the local CDN: the app, /api/ and /control/ on one origin)
  passports {stack.static_url}/p/<token>/ (the local CDN, in front of the private passports bucket)
  AWS       {stack.moto_url} (moto)   Aurora  postgresql://127.0.0.1:{stack.ports.postgres}/pawport
  demo user {DEMO_EMAIL} (password in devstack/seed.py); household {household_id}
  A token (valid one hour):   export TOKEN=$(make -s token)
  Then:  curl -H "Authorization: Bearer $TOKEN" {stack.api_url}/households/{household_id}/dashboard
  Ctrl-C stops everything.
==========================================================================="""


if __name__ == "__main__":
    raise SystemExit(main())


