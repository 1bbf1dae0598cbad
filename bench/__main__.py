"""Runs every benchmark on a stack of its own, prints the figures and writes them as JSON."""
import json
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import cold_start, door_flow, extraction, hot_path, memory, month, progress, reminders
from devstack import REPO
from devstack.dev import wait_until_healthy
from devstack.ports import free_port
from devstack.processes import processes
from devstack.stack import Ports, Stack, running_stack
from infra import packaging

REMINDER_GOAL = 1.1   # the goal: the daily run reads as much whatever the number of households
RESULTS = REPO / ".bench" / "latest.json"   # ignored by git: compare runs by keeping copies


def main() -> None:
    ports = Ports(postgres=free_port(), moto=free_port(), api=free_port(), control=free_port(), llm=free_port(),
                  invoke=free_port())
    with tempfile.TemporaryDirectory() as state, running_stack(Path(state), ports) as stack:
        with progress.part("cold starts"):
            results = cold_start.measure(stack)   # first, alone on the machine: it times interpreters
        with progress.part("peak memory on 20 MiB files"):
            results |= memory.measure()           # alone too: its children must not share the machine's memory
        # The months run on stacks of their own meanwhile: the largest is bound by its moto's one
        # process, which leaves the other core to the hot path and the smaller months (the hot path's
        # latency figure shares the machine with them; its counts do not depend on it).
        with progress.part(f"months of {', '.join(map(str, month.sizes()))} households, package sizes, "
                           "reminder reads, hot path"), ThreadPoolExecutor(max_workers=3) as pool:
            months, sizes, reminder_run = (pool.submit(month.measure), pool.submit(package_sizes),
                                           pool.submit(reminders.measure))
            results |= hot_path_figures(stack) | months.result() | sizes.result() | reminder_run.result()
    with progress.part(f"extraction quality on {extraction.count()} generated certificates"):
        results |= extraction.measure()   # after the months: OCR takes both cores
    with progress.part("the door flow in a browser, online and offline"):
        results |= door_flow.measure()    # alone: it times a browser
    ratio = results["reminder_read_ratio"]
    results["reminder_goal"] = (f"reminder reads at 100,000 / 1,000 households {ratio}, goal <= {REMINDER_GOAL}: "
                                + ("met" if ratio <= REMINDER_GOAL else "MISSED"))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    scalars = {name: value for name, value in results.items() if not isinstance(value, (dict, list))}
    width = max(map(len, scalars))
    for name, value in scalars.items():
        print(f"{name:<{width}}  {value}")
    print(month.describe(results))
    print(f"peak resident memory on a 20 MiB file, MB: {results['peak_memory_mb_by_input']}; "
          f"memory sizes with headroom: {results['memory_size_mb']} (services/*/.chalice/config.json)")
    print(f"extraction by kind of document: {results['extraction_by_kind']}")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


def package_sizes() -> dict[str, Any]:
    """Each service's deployment zip as `chalice package` builds it for the dev stage, in MB."""
    with tempfile.TemporaryDirectory() as out:
        built = packaging.package_all("dev", Path(out))
        return {"package_mb": {service: round(packaging.inspect_zip(service, p.zip).size_bytes / 1e6, 1)
                               for service, p in built.items()}}


def hot_path_figures(stack: Stack) -> dict[str, Any]:
    control = next(p for p in processes(stack) if p.name == "control")
    server = subprocess.Popen(control.command, env=control.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_healthy(stack.control_url)
        return hot_path.measure(stack)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
