"""`make wakes`: the running `make dev` stack's wake ledger as Aurora's awake time under auto-pause
(the last 30 days, up to now), with control's own code and settings: the ledger's sessions from
the database and the warmup attempts that found it paused from the table, merged."""
import os
import sys
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from devstack import REPO
from devstack.dev import STATE_DIR
from devstack.stack import Stack, service_env
from pawport.store import Store

PERIOD = timedelta(days=30)


def main() -> int:
    if not (STATE_DIR / "stack.json").exists():
        print("no `make dev` stack has run here: start one with `make dev`", file=sys.stderr)
        return 1
    os.environ.update(service_env(Stack.load(STATE_DIR), "control"))
    sys.path.insert(0, str(REPO / "services" / "control"))
    from chalicelib.control import wake_ledger
    from chalicelib.control.database import make_engine
    from chalicelib.control.settings import ControlSettings
    from chalicelib.control.wake_attempts import WakeAttempts
    from chalicelib.control.wake_report import awake, summary

    config = ControlSettings()
    pause, until = timedelta(seconds=config.db_pause_delay_seconds), datetime.now(UTC)
    try:
        attempted = WakeAttempts(Store.from_settings(config, lambda: until)).opened_between(until - PERIOD, until)
        # A plain session: reading the ledger here is the operator's, not a control action.
        with Session(make_engine(config)) as session:
            opened = wake_ledger.opened_between(session, until - PERIOD, until)
    except (BotoCoreError, ClientError):
        print("the `make dev` table is not answering: is `make dev` running?", file=sys.stderr)
        return 1
    except OperationalError:
        print("the `make dev` database is not answering: is `make dev` running?", file=sys.stderr)
        return 1
    print(summary(awake(opened, pause, until, attempted), pause))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
