"""Migrations run from inside the VPC, as a one-off invocation of control's `migrate` function:
no machine ever gets a network path to Aurora. The migrations ship in control's package."""
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

SERVICE_ROOT = Path(__file__).resolve().parents[2]
# In the deployment package vendor/ is unpacked at the root; in a checkout it is a folder.
PLACES = (SERVICE_ROOT / "migrations", SERVICE_ROOT / "vendor" / "migrations")


def upgrade_to_head() -> str:
    """Apply every migration not yet applied; returns the revision the database is at."""
    config = Config()
    config.set_main_option("script_location", str(next(p for p in PLACES if p.is_dir())))
    command.upgrade(config, "head")
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError("control's package holds no migrations")
    return head
