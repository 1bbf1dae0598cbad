"""Control proves it talks to the database it was configured for: verify-full against the CA it
is given (AWS's RDS bundle in AWS; the local stack's own CA here), a real TLS handshake with the
local PostgreSQL, which like the cluster (rds.force_ssl) refuses plaintext connections."""
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from devstack import certificates
from devstack.stack import Stack


def connect(control, **changed: object) -> bool:
    from chalicelib.control.database import make_engine
    engine = make_engine(control.wired.settings.model_copy(update=changed))
    with engine.connect() as connection:
        return connection.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar_one()


def test_verify_full_with_the_right_ca_and_host(control, stack: Stack) -> None:
    assert control.wired.settings.db_sslmode == "verify-full"
    assert control.wired.settings.db_sslrootcert == stack.database_ca
    assert connect(control) is True


def test_a_server_signed_by_another_ca_is_refused(control, tmp_path: Path) -> None:
    certificates.write_authority(tmp_path / "other-ca.crt", "someone else's CA")
    with pytest.raises(OperationalError, match="certificate verify failed"):
        connect(control, db_sslrootcert=tmp_path / "other-ca.crt")


def test_a_certificate_for_another_host_is_refused(control) -> None:
    with pytest.raises(OperationalError, match="does not match host name"):
        connect(control, db_host="localhost")   # the server's certificate names 127.0.0.1 only


def test_the_server_refuses_plaintext(stack: Stack) -> None:
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        psycopg.connect(stack.database_admin_url, sslmode="disable", connect_timeout=5).close()
