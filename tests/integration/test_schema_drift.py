"""The models are the schema: `alembic check` passes against the migrated local
PostgreSQL, and fails once a model changes without a migration (shown in a throwaway copy)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from devstack import REPO
from devstack.stack import Stack, service_env


def alembic_check(stack: Stack, project: Path) -> subprocess.CompletedProcess:
    env = service_env(stack, "control") | {"PATH": os.environ["PATH"]}
    return subprocess.run([sys.executable, "-m", "alembic", "check"], cwd=project, env=env,
                          capture_output=True, text=True)


def test_models_and_migrations_agree(stack: Stack) -> None:
    result = alembic_check(stack, REPO)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "No new upgrade operations detected" in result.stdout + result.stderr


def test_a_model_change_without_a_migration_fails_the_check(stack: Stack, tmp_path: Path) -> None:
    shutil.copytree(REPO / "migrations", tmp_path / "migrations")
    shutil.copytree(REPO / "services" / "control", tmp_path / "services" / "control", symlinks=True)
    shutil.copy(REPO / "alembic.ini", tmp_path)
    models = tmp_path / "services" / "control" / "chalicelib" / "control" / "models.py"
    planted = models.read_text().replace(
        '    species: Mapped[str] = mapped_column(String(30))\n',
        '    species: Mapped[str] = mapped_column(String(30))\n    nickname: Mapped[str | None] = mapped_column(String(30))\n')
    assert planted != models.read_text()
    models.write_text(planted)

    result = alembic_check(stack, tmp_path)

    assert result.returncode != 0
    assert "add_column" in result.stderr + result.stdout and "nickname" in result.stderr + result.stdout
