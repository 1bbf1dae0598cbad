"""`make migration m="..."`: Alembic against the running `make dev` stack, as control connects."""
import os
import sys

from devstack.dev import STATE_DIR
from devstack.stack import Stack, service_env

if __name__ == "__main__":
    os.environ.update(service_env(Stack.load(STATE_DIR), "control"))
    os.execv(sys.executable, [sys.executable, "-m", "alembic", *sys.argv[1:]])
