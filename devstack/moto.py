"""moto in server mode on 127.0.0.1: the AWS the local stack talks to over HTTP (through
devstack/moto_server.py: moto's own server with its DynamoDB Query made partition-fast)."""
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack import REPO
from devstack.ports import wait_for_port


@contextmanager
def moto_server(port: int, log_path: Path) -> Iterator[str]:
    """Run moto_server until the block ends; yields its endpoint URL."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "devstack.moto_server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
        )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
