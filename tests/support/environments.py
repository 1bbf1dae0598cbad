"""A service's environment, exactly: each service refuses the other side's secrets, so variables
another service left behind are removed before this one's are set."""
import os
from collections.abc import Mapping

import pytest

from devstack.stack import service_variables


def set_exactly(patch: pytest.MonkeyPatch, env: Mapping[str, str]) -> None:
    """Every PAWPORT_*/OPENAI_* variable is `env`'s, and nothing else; `patch` undoes it."""
    for name in service_variables(os.environ):
        patch.delenv(name)
    for name, value in env.items():
        patch.setenv(name, value)
