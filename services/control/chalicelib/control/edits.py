"""What an edit changed, as its audit row keeps it: each field whose value changed, from what to
what, in JSON's types. A record's history is read back from these (control/records.py)."""
from datetime import date
from typing import Any


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {"changed": {name: {"from": _json(before.get(name)), "to": _json(value)}
                        for name, value in after.items() if value != before.get(name)}}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
