"""In AWS control connects with an IAM auth token it signs itself (no Secrets Manager, no API
call), over TLS; locally the same code path uses a password, chosen by settings."""
import pytest
from sqlalchemy import event

ENV = {"PAWPORT_STAGE": "prod", "AWS_REGION": "eu-west-1", "PAWPORT_TABLE_NAME": "t",
       "PAWPORT_COGNITO_ISSUER": "i", "PAWPORT_COGNITO_CLIENT_ID": "c", "PAWPORT_COGNITO_JWKS": "{}",
       "PAWPORT_DB_HOST": "pawport.cluster-abc.eu-west-1.rds.amazonaws.com", "PAWPORT_DB_NAME": "pawport",
       "PAWPORT_DB_USER": "pawport_control", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s"}


class Captured(Exception):
    pass


def connect_params(monkeypatch: pytest.MonkeyPatch, environment, **extra: str) -> dict:
    environment(ENV | extra)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from chalicelib.control.database import make_engine
    from chalicelib.control.settings import ControlSettings
    engine = make_engine(ControlSettings())
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
    assert params["sslmode"] == "require"


def test_the_local_stack_uses_a_password(monkeypatch: pytest.MonkeyPatch, environment) -> None:
    params = connect_params(monkeypatch, environment, PAWPORT_DB_AUTH="password", PAWPORT_DB_PASSWORD="local")
    assert params["password"] == "local" and "sslmode" not in params
