"""Runs every benchmark on a stack of its own, prints the figures and writes them as JSON."""
import json
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import hot_path, month
from devstack import REPO
from devstack.ports import free_port
from devstack.processes import processes
from devstack.stack import Ports, running_stack
from devstack.dev import wait_until_healthy

RESULTS = REPO / ".local" / "bench" / "bench.json"


def main() -> None:
    # The months run on stacks of their own meanwhile: the largest is bound by its moto's one
    # process, which leaves the other core to the hot path and the smaller months (the hot path's
    # latency figure shares the machine with them; its counts do not depend on it).
    with ThreadPoolExecutor(max_workers=1) as pool:
        months = pool.submit(month.measure)
        results = hot_path_figures() | months.result()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    scalars = {name: value for name, value in results.items() if not isinstance(value, (dict, list))}
    width = max(map(len, scalars))
    for name, value in scalars.items():
        print(f"{name:<{width}}  {value}")
    print(month.describe(results))
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


def hot_path_figures() -> dict[str, Any]:
    ports = Ports(postgres=free_port(), moto=free_port(), api=free_port(), control=free_port(), llm=free_port())
    with tempfile.TemporaryDirectory() as state, running_stack(Path(state), ports) as stack:
        control = next(p for p in processes(stack) if p.name == "control")
        server = subprocess.Popen(control.command, env=control.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_until_healthy(stack.control_url)
            return hot_path.measure(stack)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
