"""In AWS control connects with an IAM auth token it signs itself (no Secrets Manager, no API
call), over TLS; locally the same code path uses a password, chosen by settings. Both verify the
server's certificate and host name: AWS's RDS bundle shipped in control's package by default."""
import pytest
from sqlalchemy import event

from devstack import REPO

ENV = {"PAWPORT_STAGE": "prod", "AWS_REGION": "eu-west-1", "PAWPORT_TABLE_NAME": "t",
       "PAWPORT_COGNITO_ISSUER": "i", "PAWPORT_COGNITO_CLIENT_ID": "c", "PAWPORT_COGNITO_JWKS": "{}",
       "PAWPORT_DB_HOST": "pawport.cluster-abc.eu-west-1.rds.amazonaws.com", "PAWPORT_DB_NAME": "pawport",
       "PAWPORT_DB_USER": "pawport_control", "PAWPORT_SES_FEEDBACK_TOPIC": "f", "PAWPORT_REMINDER_LINK_KEY": "k" * 32,
       "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s"}


class Captured(Exception):
    pass


def connect_params(monkeypatch: pytest.MonkeyPatch, environment, as_owner: bool = False, **extra: str) -> dict:
    environment(ENV | extra)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from chalicelib.control.database import make_engine
    from chalicelib.control.settings import ControlSettings
    settings = ControlSettings()
    engine = make_engine(settings.as_migration_role() if as_owner else settings)
    seen: dict = {}

    @event.listens_for(engine, "do_connect")
    def capture(dialect, record, cargs, cparams) -> None:   # runs after control's own listener
        seen.update(cparams)
        raise Captured

    with pytest.raises(Captured):
        engine.connect()
    return seen


def test_iam_is_the_default_and_signs_a_token_per_connection(monkeypatch: pytest.MonkeyPatch, environment) -> None:
    params = connect_params(monkeypatch, environment)
    token = params["password"]
    assert token.startswith("pawport.cluster-abc.eu-west-1.rds.amazonaws.com:5432/?Action=connect")
    assert "DBUser=pawport_control" in token and "X-Amz-Signature=" in token
    from chalicelib.control.settings import RDS_CA_BUNDLE
    assert params["sslmode"] == "verify-full" and params["sslrootcert"] == str(RDS_CA_BUNDLE)
    assert RDS_CA_BUNDLE.parent.name == "certs" and RDS_CA_BUNDLE.is_relative_to(REPO / "services" / "control")


def test_the_local_stack_uses_a_password(monkeypatch: pytest.MonkeyPatch, environment) -> None:
    params = connect_params(monkeypatch, environment, PAWPORT_DB_AUTH="password", PAWPORT_DB_PASSWORD="local",
                            PAWPORT_DB_SSLROOTCERT="/tmp/local-ca.crt")
    assert params["password"] == "local"
    assert params["sslmode"] == "verify-full" and params["sslrootcert"] == "/tmp/local-ca.crt"


def test_the_migration_role_signs_its_own_token(monkeypatch: pytest.MonkeyPatch, environment) -> None:
    token = connect_params(monkeypatch, environment, as_owner=True)["password"]
    assert "DBUser=pawport_migrations" in token and "DBUser=pawport_control" not in token
