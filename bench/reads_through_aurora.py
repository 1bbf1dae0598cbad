"""Aurora's awake hours had this design served its reads from the auto-pausing cluster instead of
DynamoDB projections: from the same trace, with the same awake rule as control's wake report
(services/control/chalicelib/control/wake_report.py, imported, not copied).

Every event that opens a database session in this design stays one, and every dashboard, quick
show, draft list and reminder run becomes one more. The same computation over this design's own
kinds alone is reported beside the ledger's figure, as a check of the trace reading."""
import importlib.util
from datetime import timedelta
from types import ModuleType

from bench.trace import Trace
from devstack import REPO

# What opens a session on Aurora in this design: the screens that commit, their wake-ahead, and the
# weekly operator report (control's aggregates).
DATABASE_KINDS = ("warmup", "create_household", "add_pet", "invitation", "accept_invitation", "role_change",
                  "approve_record", "update_record", "operator_report")
READ_KINDS = ("dashboard", "quick_show", "list_drafts", "remind_due_records")
SESSION_SECONDS = 0.1   # a read's few queries; negligible beside the pause delay
WAKE_REPORT = REPO / "services" / "control" / "chalicelib" / "control" / "wake_report.py"


def wake_report() -> ModuleType:
    """control's wake report, loaded from its file: it is pure, and control's package is not on the path."""
    spec = importlib.util.spec_from_file_location("pawport_control_wake_report", WAKE_REPORT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def awake_hours(trace: Trace, pause_delay_seconds: float, kinds: tuple[str, ...]) -> float:
    """Awake hours over the trace's month if each event of `kinds` opened one database session."""
    report = wake_report()
    sessions = [report.Opened(event.kind, event.at, SESSION_SECONDS) for event in trace.events if event.kind in kinds]
    return report.awake(sessions, timedelta(seconds=pause_delay_seconds), until=trace.end).awake_hours


def figures(trace: Trace, pause_delay_seconds: float) -> dict[str, float]:
    """Awake hours with reads through Aurora, and this design's own from the trace (the check)."""
    return {"reads_through_aurora": round(awake_hours(trace, pause_delay_seconds, DATABASE_KINDS + READ_KINDS), 2),
            "design_from_trace": round(awake_hours(trace, pause_delay_seconds, DATABASE_KINDS), 2)}
