"""The table is reached one way: through pawport.store. No other module makes a DynamoDB client
or resource, opens a PynamoDB model or connection, or handles DynamoDB's typed values itself.

Two local-stack modules play AWS's part and keep a client of their own: devstack/resources.py
creates the tables (control plane: CreateTable, TTL, streams), and devstack/runner_streams.py is
DynamoDB's TTL deleter (a Scan and conditional deletes, which the product never does)."""
import ast
from pathlib import Path

from devstack import REPO

ROOTS = ("services", "shared", "devstack", "bench")
STORE = REPO / "shared" / "pawport" / "store.py"
PLAYS_AWS = {REPO / "devstack" / "resources.py", REPO / "devstack" / "runner_streams.py"}
FORBIDDEN_MODULES = ("pynamodb", "boto3.dynamodb.types")
FORBIDDEN_NAMES = {"TypeSerializer", "TypeDeserializer"}
CLIENT_MAKERS = ("client", "resource")   # boto3.client, session.client, create_client, a local _client...


def table_access(path: Path) -> list[str]:
    """What in one source file reaches DynamoDB other than through the store, with line numbers."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            names = {a.name for a in node.names} if isinstance(node, ast.ImportFrom) else set()
            if any(m == f or m.startswith(f + ".") for m in modules for f in FORBIDDEN_MODULES) \
                    or names & FORBIDDEN_NAMES:
                found.append(f"{node.lineno}: imports {', '.join(modules)} {', '.join(sorted(names))}".rstrip())
        elif isinstance(node, ast.Call) and _callee(node).lower().endswith(CLIENT_MAKERS) \
                and _service_named(node) == "dynamodb":
            found.append(f"{node.lineno}: {_callee(node)}('dynamodb')")
    return found


def _callee(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else function.id if isinstance(function, ast.Name) else ""


def _service_named(call: ast.Call) -> str | None:
    arguments = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "service_name")]
    return next((a.value for a in arguments if isinstance(a, ast.Constant) and isinstance(a.value, str)), None)


def violations(roots: list[Path], allowed: set[Path]) -> dict[str, list[str]]:
    files = (path for root in roots for path in sorted(root.rglob("*.py")) if path not in allowed)
    return {str(path.relative_to(REPO) if path.is_relative_to(REPO) else path): found
            for path in files if (found := table_access(path))}


def test_only_the_store_reaches_the_table() -> None:
    assert violations([REPO / root for root in ROOTS], {STORE} | PLAYS_AWS) == {}


def test_the_check_catches_each_other_way_in(tmp_path: Path) -> None:
    planted = {
        "a.py": "import boto3\nddb = boto3.client('dynamodb', region_name='us-east-1')\n",
        "b.py": "import boto3\nddb = boto3.resource(service_name='dynamodb')\n",
        "c.py": "from botocore.session import get_session\nddb = get_session().create_client('dynamodb')\n",
        "d.py": "def f(session):\n    return session.client('dynamodb')\n",
        "e.py": "def f(make):\n    return make._client('dynamodb')\n",
        "f.py": "from pynamodb.connection import Connection\n",
        "g.py": "def f():\n    from boto3.dynamodb.types import TypeDeserializer\n",
        "h.py": "from somewhere import TypeSerializer\n",
        "fine.py": "import boto3\nsqs = boto3.client('sqs')\nstreams = boto3.client('dynamodbstreams')\n"
                   "from boto3.dynamodb.conditions import Attr\n",
    }
    for name, source in planted.items():
        (tmp_path / name).write_text(source)
    assert sorted(violations([tmp_path], set())) == [str(tmp_path / n) for n in sorted(planted) if n != "fine.py"]
