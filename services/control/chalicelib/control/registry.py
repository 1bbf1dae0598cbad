"""Every action control runs is declared once with its name: the name its sessions have in the
wake ledger (and `make wakes`), and for handlers the command they handle."""
from collections.abc import Callable
from typing import Any, TypeVar

Action = TypeVar("Action", bound=Callable[..., Any])
NAMES: dict[Callable[..., Any], str] = {}
HANDLERS: dict[type, Callable[..., Any]] = {}


def action(name: str) -> Callable[[Action], Action]:
    def declare(run: Action) -> Action:
        NAMES[run] = name
        return run
    return declare


def handles(command: type, name: str) -> Callable[[Action], Action]:
    """A handler of `command`, taking (command, unit of work)."""
    def declare(run: Action) -> Action:
        HANDLERS[command] = run
        return action(name)(run)
    return declare


def name_of(run: Callable[..., Any]) -> str:
    return NAMES[run]


def handler_of(command: object) -> Callable[..., Any]:
    return HANDLERS[type(command)]
