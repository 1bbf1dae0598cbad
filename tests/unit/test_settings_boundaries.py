"""The data and the way out are kept apart, in settings: a service handed the other side's secrets refuses to start."""
import importlib

import pytest

AWS = {"PAWPORT_STAGE": "local", "AWS_REGION": "us-east-1"}
LINK_KEY = "k" * 32
IDENTITY = {"PAWPORT_COGNITO_ISSUER": "i", "PAWPORT_COGNITO_CLIENT_ID": "c", "PAWPORT_COGNITO_JWKS": "{}"}
ENVIRONMENTS = {  # what each service is given, as devstack/stack.py and the chalice stages give it
    "api": AWS | IDENTITY | {"PAWPORT_TABLE_NAME": "t", "PAWPORT_UPLOADS_BUCKET": "u",
                             "PAWPORT_DRAFT_REVIEW_FUNCTION": "pawport-workers-local-review_draft",
                             "PAWPORT_PASSPORT_ORIGIN": "https://cdn.example"},
    "control": AWS | IDENTITY | {"PAWPORT_TABLE_NAME": "t", "PAWPORT_DB_HOST": "h", "PAWPORT_DB_NAME": "n",
                                 "PAWPORT_DB_USER": "u", "PAWPORT_DB_PASSWORD": "p",
                                 "PAWPORT_SES_FEEDBACK_TOPIC": "f", "PAWPORT_REMINDER_LINK_KEY": LINK_KEY},
    "egress": AWS | {"PAWPORT_LLM_KEY_PARAMETER": "/pawport/local/llm-key"},
    "workers": AWS | {"PAWPORT_TABLE_NAME": "t", "PAWPORT_UPLOADS_BUCKET": "u", "PAWPORT_JOBS_BUCKET": "j",
                      "PAWPORT_REMINDERS_QUEUE": "q3", "PAWPORT_EXTRACTION_FUNCTION": "pawport-egress-local-extract",
                      "PAWPORT_ASK_FUNCTION": "pawport-egress-local-ask",
                      "PAWPORT_TABLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/s",
                      "PAWPORT_MAIL_SENDER": "no-reply@example.com", "PAWPORT_MAIL_CONFIGURATION_SET": "m",
                      "PAWPORT_OPERATOR_AGGREGATES_FUNCTION": "pawport-control-local-operator_aggregates",
                      "PAWPORT_WEB_APP_URL": "https://app.example", "PAWPORT_REMINDER_LINK_KEY": LINK_KEY,
                      "PAWPORT_REMINDER_UNSUBSCRIBE_URL": "https://app.example/control/reminders/unsubscribe",
                      "PAWPORT_PASSPORTS_BUCKET": "p", "PAWPORT_LOGS_BUCKET": "l", "PAWPORT_PASSPORT_ORIGIN": "https://cdn.example",
                      "PAWPORT_API_ORIGIN": "https://cdn.example/api"},
}
SETTINGS = {"api": "ApiSettings", "control": "ControlSettings", "egress": "EgressSettings",
            "workers": "WorkersSettings"}
FOREIGN = {"api": "PAWPORT_DB_PASSWORD", "control": "OPENAI_API_KEY", "egress": "PAWPORT_DB_PASSWORD",
           "workers": "OPENAI_API_KEY"}


def settings_class(service: str) -> type:
    return getattr(importlib.import_module(f"chalicelib.{service}.settings"), SETTINGS[service])


@pytest.mark.parametrize("service", SETTINGS)
def test_settings_load_from_the_environment(service: str, environment) -> None:
    environment(ENVIRONMENTS[service])
    assert settings_class(service)().stage == "local"


@pytest.mark.parametrize("service", SETTINGS)
def test_a_service_refuses_the_other_sides_secret(service: str, environment) -> None:
    environment(ENVIRONMENTS[service] | {FOREIGN[service]: "secret"})
    with pytest.raises(ValueError, match=FOREIGN[service]):
        settings_class(service)()
