"""`make remind`: the daily reminder run, now, against the running `make dev` stack.

It invokes workers' scheduled function `remind_due_records` through the local Invoke API, with the
event EventBridge would send at the next 07:00 UTC run (or at `day=YYYY-MM-DD`'s): a record
entered today is reminded by the next run, so that is the run worth seeing. The run records that
day as finished, as the schedule would; the reminders queue's handler then mails within seconds
(`make mail` shows them). Tests call `run_daily` against their own stack the same way.
"""
import argparse
import json
import sys
import uuid
from datetime import UTC, date, datetime

import requests

from devstack.dev import STATE_DIR
from devstack.stack import REGION, STAGE, Stack
from pawport.reminders import first_run_after, run_at

FUNCTION = f"pawport-workers-{STAGE}-remind_due_records"


def run_daily(stack: Stack, at: datetime) -> dict:
    """The run as the schedule fires it at `at`: {"days": how many days it sent, "households": messages}."""
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "000000000000", "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
             "resources": [f"arn:aws:events:{REGION}:000000000000:rule/{FUNCTION}"], "detail": {}}
    answer = requests.post(f"{stack.workers_invoke_url}/2015-03-31/functions/{FUNCTION}/invocations",
                           data=json.dumps(event), timeout=120)
    answer.raise_for_status()
    if answer.headers.get("X-Amz-Function-Error"):
        raise RuntimeError(f"the reminder run failed: {answer.text}")
    return answer.json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", type=date.fromisoformat, help="run the daily run of this day (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if not (STATE_DIR / "stack.json").exists():
        print("no `make dev` stack has run here: start one with `make dev`", file=sys.stderr)
        return 1
    at = run_at(args.day or first_run_after(datetime.now(UTC)))
    try:
        done = run_daily(Stack.load(STATE_DIR), at)
    except requests.ConnectionError:
        print("the `make dev` stack is not answering: is `make dev` running?", file=sys.stderr)
        return 1
    print(f"the daily run of {at:%Y-%m-%d} (07:00 UTC): {done['days']} day(s) sent, "
          f"{done['households']} household message(s) queued")
    if done["days"] == 0:
        print("that day was finished already (a run goes once per day); pick another with `make remind day=YYYY-MM-DD`")
    elif at.date() > first_run_after(datetime.now(UTC)):
        print("the stack's own schedule now waits for the day after it (a restart of `make dev` starts afresh)")
    print("their mail goes out within seconds: `make mail` shows it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
