"""Runs every benchmark on a stack of its own, prints the figures and writes them as JSON."""
import json
import subprocess
import tempfile
from pathlib import Path

from bench import hot_path, month
from devstack import REPO
from devstack.ports import free_port
from devstack.processes import processes
from devstack.stack import Ports, running_stack
from devstack.dev import wait_until_healthy

RESULTS = REPO / ".local" / "bench" / "bench.json"


def main() -> None:
    ports = Ports(postgres=free_port(), moto=free_port(), api=free_port(), control=free_port(), llm=free_port())
    with tempfile.TemporaryDirectory() as state, running_stack(Path(state), ports) as stack:
        control = next(p for p in processes(stack) if p.name == "control")
        server = subprocess.Popen(control.command, env=control.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_until_healthy(stack.control_url)
            results = hot_path.measure(stack)
        finally:
            server.terminate()
            server.wait(timeout=10)
    results |= month.measure()   # stacks of its own, after this one is gone
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    scalars = {name: value for name, value in results.items() if not isinstance(value, (dict, list))}
    width = max(map(len, scalars))
    for name, value in scalars.items():
        print(f"{name:<{width}}  {value}")
    print(month.describe(results))
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
