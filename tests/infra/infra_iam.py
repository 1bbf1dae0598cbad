"""Reading IAM policy documents: which statements allow which actions on which resources.

Wildcards are matched both ways, so `grants(policy, "rds-data:*")` is true for a statement that
allows `rds-data:ExecuteStatement`, `rds-data:*` or `*`.
"""
from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class Grant:
    sid: str
    action: str
    resources: tuple[str, ...]


def _list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def grants_of(policy: dict) -> list[Grant]:
    """Every (action pattern, resources) an Allow statement gives. NotAction/NotResource count as
    everything, since they allow all but a few."""
    found = []
    for number, statement in enumerate(_list(policy.get("Statement", []))):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid", f"#{number}")
        actions = ["*"] if "NotAction" in statement else _list(statement.get("Action", []))
        resources = ("*",) if "NotResource" in statement else tuple(str(r) for r in _list(statement.get("Resource", [])))
        found.extend(Grant(sid, action, resources) for action in actions)
    return found


def action_matches(pattern: str, action: str) -> bool:
    pattern, action = pattern.lower(), action.lower()
    return fnmatchcase(action, pattern) or fnmatchcase(pattern, action)


def grants(policy: dict, action: str) -> list[Grant]:
    return [g for g in grants_of(policy) if action_matches(g.action, action)]
