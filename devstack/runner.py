"""The local event runner: what Lambda's event source mappings and EventBridge schedules do in AWS.

`chalice local` serves HTTP only and moto never fires anything, so locally no event handler
would run. The runner loads one Chalice app and calls each handler of `app.event_sources` the
way Lambda calls it: `handler(event, context)` with an event in the exact JSON shape AWS sends.

- SQS (`on_sqs_message`): at-least-once; success deletes the batch, an exception leaves it all
  for retry (visible again after a short delay; the queue's RedrivePolicy moves a message to
  its DLQ after maxReceiveCount receives), and a `batchItemFailures` response retries only those.
  Chalice never sets ReportBatchItemFailures on the mapping; the runner honours partial
  responses because the base stack declares FunctionResponseTypes: [ReportBatchItemFailures].
- DynamoDB streams (`on_dynamodb_record`): in order per shard; a failing batch is retried up to
  max_stream_retries times, then described to the failure queue (Lambda's on-failure
  destination) and skipped. moto's records get the eventSourceARN and epoch seconds Lambda adds.
- TTL: moto never expires items, so the runner deletes expired ones, and their REMOVE records
  carry the dynamodb.amazonaws.com principal as AWS's TTL deletions do.
- EventBridge rules (`on_cw_event`, e.g. S3 object events): each event invokes the handler as
  Lambda's asynchronous invocation does, 2 retries then the rule's dead-letter queue
  (devstack/runner_events.py); moto delivers the events to a queue standing in for the target.
- SNS topics (`on_sns_message`, e.g. SES's bounces): the same asynchronous invocation, one message
  each, from a queue subscribed to the topic in the function's place (devstack/runner_sns.py).
- Schedules (`schedule`): rate and cron rules fire on an injected clock.
- Invocations (`--invoke-port`): Lambda's Invoke API for the app's functions (devstack/runner_invoke.py),
  so another service's `lambda.invoke` reaches them as it would in AWS; `--route` forwards other
  apps' functions to their runners, so one endpoint serves every function, as Lambda's does.

Dev tooling only: no service imports it.
Usage: python -m devstack.runner services/workers [--sweep-ttl] [--resources .local/dev/resources.json]
                                 [--invoke-port PORT [--route pawport-egress-=http://127.0.0.1:PORT]]
"""
import argparse
import hashlib
import importlib
import importlib.util
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from chalice.app import (
    BaseEventSourceConfig,
    Chalice,
    CloudWatchEventConfig,
    DynamoDBEventConfig,
    LambdaFunction,
    ScheduledEventConfig,
    SNSEventConfig,
    SQSEventConfig,
)

from devstack import resources
from devstack.runner_events import EventRuleSource
from devstack.runner_invoke import InvokeApi
from devstack.runner_lambda import Function, Outcome, log
from devstack.runner_schedules import Schedule
from devstack.runner_sns import SnsSource
from devstack.runner_sqs import SqsSource
from devstack.runner_streams import StreamSource, TtlDeletions, TtlSweeper, table_of

SUPPORTED = "on_sqs_message, on_dynamodb_record, on_cw_event, on_sns_message, schedule"
ASYNC_RETRIES = 2   # Lambda's default for asynchronous invocations


class UnsupportedEventSource(Exception):
    pass


def load_app(app_dir: Path) -> ModuleType:
    """Import app_dir/app.py as Lambda would find it: the app dir and its vendor/ on sys.path."""
    app_dir = app_dir.resolve()
    for path in (app_dir / "vendor", app_dir):  # Chalice packages vendor/ at the zip's root
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    name = "pawport_runner_app_" + hashlib.sha1(str(app_dir).encode()).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(name, app_dir / "app.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no app.py in {app_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _entry(app_module: ModuleType, handler_string: str) -> Callable:
    """The callable Lambda's handler setting names: app.<name>, or a blueprint's module.<name>."""
    module_name, _, attribute = handler_string.rpartition(".")
    module = app_module if module_name == "app" else importlib.import_module(module_name)
    return getattr(module, attribute)


class EventRunner:
    def __init__(self, app_dir: Path, *, clock: Callable[[], float] = time.time, stage: str = "local",
                 max_stream_retries: int = 2, stream_failure_queue_url: str | None = None,
                 sweep_ttl_tables: Iterable[str] = (), sqs_retry_delay_seconds: int = 1,
                 schedules_on_clock: bool = True, rule_dead_letter_queue_urls: dict[str, str] | None = None) -> None:
        # boto3 reads AWS_DEFAULT_REGION only; Lambda sets both, and AWS_REGION is the one it documents.
        self._session = boto3.session.Session(
            region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
        self._module = load_app(app_dir)
        self._app = getattr(self._module, "app", None)
        if not isinstance(self._app, Chalice):
            raise LookupError(f"{app_dir / 'app.py'} defines no Chalice `app`")
        sources = list(self._app.event_sources)
        _check_supported(sources)
        self._stage = stage
        self._clock = clock
        self._schedules_on_clock = schedules_on_clock   # False: schedules run only when fire()d (the month replay)
        self._region = self._session.region_name
        self._account = self._session.client("sts").get_caller_identity()["Account"]
        self._deletions = TtlDeletions(table_of(c.stream_arn) for c in sources if isinstance(c, DynamoDBEventConfig))
        self._sweeper = TtlSweeper(self._session, sweep_ttl_tables, clock, self._deletions)
        self._sqs = [SqsSource(c, self._function(c), self._session, sqs_retry_delay_seconds)
                     for c in sources if isinstance(c, SQSEventConfig)]
        self._streams = [StreamSource(c, self._function(c), self._session, max_retries=max_stream_retries,
                                      failure_queue_url=stream_failure_queue_url, deletions=self._deletions,
                                      clock=clock)
                         for c in sources if isinstance(c, DynamoDBEventConfig)]
        dead_letters = rule_dead_letter_queue_urls or {}
        self._rules = [EventRuleSource(c, self._function(c), self._session,
                                       dead_letter_queue_url=dead_letters.get(c.name), retries=ASYNC_RETRIES,
                                       retry_delay_seconds=sqs_retry_delay_seconds)
                       for c in sources if isinstance(c, CloudWatchEventConfig)]
        self._topics = [SnsSource(c, self._function(c), self._session, self._account,
                                  dead_letter_queue_url=dead_letters.get(c.name), retries=ASYNC_RETRIES,
                                  retry_delay_seconds=sqs_retry_delay_seconds)
                        for c in sources if isinstance(c, SNSEventConfig)]
        start = clock()
        self._schedules = {
            c.name: Schedule(c, self._function(c), self._rule_arn(c), self._region, self._account, start)
            for c in sources if isinstance(c, ScheduledEventConfig)}
        self._plain = [self._function(f) for f in self._app.pure_lambda_functions]
        self._stop = threading.Event()

    def _function(self, config: BaseEventSourceConfig | LambdaFunction) -> Function:
        function_name = f"{self._app.app_name}-{self._stage}-{config.name}"
        arn = f"arn:aws:lambda:{self._region}:{self._account}:function:{function_name}"
        return Function(config.name, function_name, arn, _entry(self._module, config.handler_string))

    def _rule_arn(self, config: ScheduledEventConfig) -> str:
        rule = f"{self._app.app_name}-{self._stage}-{config.name}-event"  # as Chalice names it
        return f"arn:aws:events:{self._region}:{self._account}:rule/{rule}"

    @property
    def sources(self) -> list[str]:
        return [f"{s.label} -> {s.function.name}"
                for s in [*self._sqs, *self._streams, *self._rules, *self._topics, *self._schedules.values()]]

    @property
    def functions(self) -> list[Function]:
        """Every function Chalice deploys for the app but its HTTP one: what the Invoke API serves."""
        return [*self._plain,
                *(s.function for s in [*self._sqs, *self._streams, *self._rules, *self._topics, *self._schedules.values()])]

    @property
    def rule_queue_urls(self) -> list[str]:
        """The queues standing in for every rule's Lambda target."""
        return [rule.queue_url for rule in self._rules]

    def rule_queue_url(self, handler_name: str) -> str:
        """The queue standing in for a rule's Lambda target (to read or redeliver its events by hand)."""
        return next(rule.queue_url for rule in self._rules if rule.function.name == handler_name)

    def poll_once(self) -> int:
        """One pass over every source: sweep expired items, then deliver what is due.

        Returns how many invocations it made. Nothing inside sleeps (SQS receives do not wait).
        """
        self._sweeper.sweep()
        now = self._clock()
        delivered = sum(source.poll() for source in [*self._sqs, *self._streams, *self._rules, *self._topics])
        if not self._schedules_on_clock:
            return delivered
        return delivered + sum(schedule.poll(now) for schedule in self._schedules.values())

    def fire(self, handler_name: str, at: float | None = None) -> Outcome:
        """Invoke one schedule's handler as its rule would, now or at the epoch time `at`."""
        if handler_name not in self._schedules:
            raise KeyError(f"{handler_name!r} is not a schedule of {self._app.app_name}: {sorted(self._schedules)}")
        return self._schedules[handler_name].fire(self._clock() if at is None else at)

    def run_forever(self, interval_seconds: float = 1.0) -> None:
        """Poll until stop(); polls again at once while there is work, as Lambda's pollers do."""
        while not self._stop.is_set():
            try:
                delivered = self.poll_once()
            except (BotoCoreError, ClientError):
                log.exception("polling failed; trying again in %.1fs", interval_seconds)
                delivered = 0
            if not delivered:
                self._stop.wait(interval_seconds)

    def stop(self) -> None:
        self._stop.set()


def _check_supported(sources: list[BaseEventSourceConfig]) -> None:
    for config in sources:
        if not isinstance(config, (SQSEventConfig, DynamoDBEventConfig, CloudWatchEventConfig, SNSEventConfig,
                                   ScheduledEventConfig)):
            raise UnsupportedEventSource(
                f"{config.name} ({type(config).__name__}) is not run locally; the runner supports {SUPPORTED}. "
                "Route S3 events through EventBridge (on_cw_event), as the base stack does.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.runner", description=__doc__.split("\n")[0])
    parser.add_argument("app_dir", type=Path, help="a Chalice project directory, e.g. services/workers")
    parser.add_argument("--resources", type=Path, help="resources.json written by devstack.resources.write")
    parser.add_argument("--sweep-ttl", action="store_true", help="delete expired items of the resources' tables")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between idle polls")
    parser.add_argument("--stage", default=os.environ.get("PAWPORT_STAGE", "local"))
    parser.add_argument("--invoke-port", type=int, help="serve Lambda's Invoke API for the app's functions here")
    parser.add_argument("--route", action="append", default=[], metavar="PREFIX=URL",
                        help="forward invocations of functions named PREFIX... to another runner's Invoke API")
    args = parser.parse_args(argv)
    if args.sweep_ttl and not args.resources:
        parser.error("--sweep-ttl needs --resources (the tables to sweep)")
    # Python's default WARNING for other loggers (botocore's INFO is noise); the runner's own lines at INFO.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log.setLevel(logging.INFO)
    made = resources.read(args.resources) if args.resources else None
    declared = resources.declaration()
    failure_queue = made.queues[declared["stream_failures_queue"]] if made else None
    # where a pushed event ends, by handler: a rule's target, or a topic's function
    pushed = {handler: rule["dead_letter_queue"] for handler, rule in declared["event_rules"].items()} | {
        topic["handler"]: topic["dead_letter_queue"] for topic in declared["topics"].values()}
    dead_letters = {handler: made.queues[queue] for handler, queue in pushed.items()} if made else {}
    runner = EventRunner(args.app_dir, stage=args.stage, stream_failure_queue_url=failure_queue,
                         sweep_ttl_tables=made.tables.values() if made and args.sweep_ttl else (),
                         rule_dead_letter_queue_urls=dead_letters)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    log.info("running %s: %s", args.app_dir, ", ".join(runner.sources) or "no event sources")
    if args.invoke_port:   # served from daemon threads: they end with the runner
        routes = dict(route.split("=", 1) for route in args.route)
        invocations = InvokeApi(runner.functions, args.invoke_port, routes).start()
        log.info("Invoke API on %s: %s", invocations.url, ", ".join(f.function_name for f in runner.functions))
    runner.run_forever(args.interval)
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
