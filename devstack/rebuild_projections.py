"""`make rebuild-projections`: with `make dev` running, invoke control's `rebuild_projections`
function through the local Invoke API (as an operator invokes it in AWS) and print what it did."""
import json
import sys

import boto3
from botocore.exceptions import EndpointConnectionError

from devstack.dev import STATE_DIR
from devstack.stack import REGION, Stack

FUNCTION = "rebuild_projections"


def rebuild(stack: Stack) -> dict:
    """Every household's projection rebuilt from Aurora; the counts control answers with."""
    invoker = boto3.client("lambda", region_name=REGION, endpoint_url=stack.invoke_url,
                           aws_access_key_id="local", aws_secret_access_key="local")
    answer = invoker.invoke(FunctionName=FUNCTION, Payload=b"{}")
    payload = answer["Payload"].read()
    if answer.get("FunctionError"):
        raise RuntimeError(f"{FUNCTION} failed: {payload.decode()}")
    return json.loads(payload)


def main() -> int:
    if not (STATE_DIR / "stack.json").exists():
        print("no `make dev` stack has run here: start one with `make dev`", file=sys.stderr)
        return 1
    try:
        done = rebuild(Stack.load(STATE_DIR))
    except EndpointConnectionError:
        print("control's functions are not answering: is `make dev` running?", file=sys.stderr)
        return 1
    print(f"rebuilt {done['households']} households: {done['written']} items written, {done['deleted']} stale deleted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
