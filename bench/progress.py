"""Progress of `make bench` on the terminal (rich): which part is running, and for each month size
the events replayed of the total and the time left. Quiet when stderr is not a terminal.

A month replays in a process of its own whose output is captured, so it reports through a small
file (PROGRESS_FILE in its environment: "<done> <total>"), and the parent draws the bars."""
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

PROGRESS_FILE = "PAWPORT_BENCH_PROGRESS_FILE"
EVERY = 50          # events between two reports: a write per report, kept rare beside the replay's work
T = TypeVar("T")


def tracked(items: Sequence[T]) -> Iterator[T]:
    """The items, reporting how many were handed out to the file the parent named (if it named one)."""
    path = os.environ.get(PROGRESS_FILE)
    for done, item in enumerate(items):
        if path and done % EVERY == 0:
            _report(Path(path), done, len(items))
        yield item
    if path:
        _report(Path(path), len(items), len(items))


def read(path: Path) -> tuple[int, int] | None:
    try:
        done, total = path.read_text().split()
        return int(done), int(total)
    except (FileNotFoundError, ValueError):   # not started yet, or caught mid-write
        return None


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def part(name: str) -> Iterator[None]:
    """A line when a part of the bench starts and when it ends, with its time."""
    started = time.monotonic()
    if interactive():
        Console(stderr=True).print(f"[bold]{name}[/bold] ...")
    yield
    if interactive():
        Console(stderr=True).print(f"[bold]{name}[/bold] done in {time.monotonic() - started:.0f} s")


@contextmanager
def bars(files: dict[str, Path]) -> Iterator[None]:
    """A bar per labelled progress file while the block runs ("setting up" until its events start)."""
    if not interactive():
        yield
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("events"),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    stop = threading.Event()
    with Progress(*columns, console=Console(stderr=True)) as progress:
        tasks = {label: progress.add_task(f"{label}: setting up", total=None) for label in files}

        def poll() -> None:
            while not stop.wait(0.5):
                for label, path in files.items():
                    seen = read(path)
                    if seen:
                        progress.update(tasks[label], description=f"{label}: replaying", completed=seen[0], total=seen[1])

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()


def _report(path: Path, done: int, total: int) -> None:
    partial = path.with_suffix(".part")
    partial.write_text(f"{done} {total}")
    partial.replace(path)   # whole lines only: the reader never sees half a write
