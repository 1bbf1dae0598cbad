"""control's collaborators, wired once from settings: the app, the tests and the bench all get
theirs here (the bench hands in its accelerated clock). Nothing is patched afterwards."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from pydantic import BaseModel

from chalicelib.control import (  # noqa: F401 (handlers register)
    actions,
    asks,
    audit_log,
    households,
    members,
    operator_report,
    outbox,
    passports,
    pets,
    rate_limits,
    records,
    reminders,
    suppressions,
)
from chalicelib.control.commands import Unsubscribe
from chalicelib.control.database import Database, make_engine
from chalicelib.control.outbox_markers import OutboxMarkers
from chalicelib.control.projection_store import Projections
from chalicelib.control.rebuild import Rebuilt, rebuild_projections
from chalicelib.control.registry import handler_of, name_of
from chalicelib.control.responses import Warmth
from chalicelib.control.settings import ControlSettings
from chalicelib.control.unit_of_work import Context, SqlUnitOfWork
from chalicelib.control.wake_attempts import WakeAttempts
from pawport import reminder_links
from pawport.auth import Caller, TokenVerifier
from pawport.llm_budget import Budgets
from pawport.store import Store

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Control:
    settings: ControlSettings
    store: Store
    database: Database
    warmup_database: Database
    projections: Projections
    markers: OutboxMarkers
    attempts: WakeAttempts
    verifier: TokenVerifier
    clock: Clock

    def context(self, caller: Caller, request_id: str) -> Context:
        return Context(caller=caller, request_id=request_id, now=self.clock())

    def unit_of_work(self, ctx: Context, action: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database, ctx, action, self.markers, self._relay, self.projections.find_draft,
                             self.budgets)

    @cached_property
    def budgets(self) -> Budgets:
        return Budgets(self.store, self.clock)

    def handle(self, command: object, ctx: Context) -> BaseModel:
        """The command's handler in its own unit of work, named as the handler is declared."""
        handler = handler_of(command)
        with self.unit_of_work(ctx, name_of(handler)) as uow:
            return handler(command, uow)

    def unsubscribe(self, token: str, request_id: str) -> BaseModel:
        """A reminder mail's unsubscribe link, without sign-in: its signature and expiry are checked
        before Aurora is opened (a forged or stale link wakes nothing), and the member it names acts."""
        now = self.clock()
        link = reminder_links.verify(self.settings.reminder_link_key.get_secret_value(), token, now)
        ctx = Context(caller=Caller(user_id=link.user_id, email=None), request_id=request_id, now=now)
        return self.handle(Unsubscribe(link.household_id, link.user_id), ctx)

    def warm_up(self, ctx: Context) -> Warmth:
        # Refused before Aurora, and counted on the clock Aurora's awake time is counted on (the
        # ledger's: the same as the actions' but in the month replay, whose hours are accelerated).
        rate_limits.take(self.store, rate_limits.WARMUP, ctx.caller.user_id, self.warmup_database.now())
        return actions.warm_up(self.warmup_database, self.attempts, ctx)

    def sweep_outbox(self) -> int:
        return actions.sweep_abandoned(self.database, self.markers, self.projections.apply, self.clock())

    def operator_aggregates(self, event: dict, request_id: str | None) -> dict:
        figures = operator_report.operator_aggregates(self.database, event, request_id,
                                                      timedelta(seconds=self.settings.db_pause_delay_seconds),
                                                      self.projections.counters, self.attempts)
        # Aurora is awake for the weekly report anyway: the households' LLM rollups ride along
        asks.reconcile_llm_spend(self.database, self.store, self.clock(), request_id)
        return figures

    def rebuild_projections(self, request_id: str | None) -> Rebuilt:
        return rebuild_projections(self.database, self.projections, request_id)

    def mail_feedback(self, event: dict) -> list[BaseModel]:
        """SES's bounces and complaints through SNS; Aurora is opened only when the notification has some."""
        return [self.handle(command, self.context(suppressions.SES, command.notification_id))
                for command in suppressions.commands(event)]

    def _relay(self, database: Database, now: datetime, action: str, request_id: str | None) -> bool:
        return outbox.relay_after_commit(database, self.projections.apply, now, action, request_id)


def wire(settings: ControlSettings, clock: Clock = wall_clock, verifier: TokenVerifier | None = None,
         ledger_clock: Clock | None = None) -> Control:
    """`clock` is the time of every action and of the table's TTL rule; the wake ledger's is the
    same unless handed its own (the month replay's accelerated one, while the services around
    control keep the wall clock, so the mail control queues is live when workers read it)."""
    store = Store.from_settings(settings, clock)
    ledger_clock = ledger_clock or clock
    database = Database(make_engine(settings), settings.db_resume_budget_seconds, settings.db_retry_after_seconds,
                        now=ledger_clock)
    # Wake-ahead connects once, briefly: no resume budget, a short connect timeout.
    warmup_database = Database(make_engine(settings, settings.db_warmup_timeout_seconds), resume_budget_seconds=0,
                               now=ledger_clock)
    return Control(settings, store, database, warmup_database, Projections(store), OutboxMarkers(store),
                   WakeAttempts(store),
                   verifier or TokenVerifier(settings.cognito_jwks, settings.cognito_issuer, settings.cognito_client_id),
                   clock)
