"""Events reach functions pushed, not polled: a queue a Lambda mapping polls says why beside it in
infra/resources.yaml, and every rule pushing events retries twice and then keeps the event in a
dead-letter queue. Shown on made-up templates (fast) and on the packaged apps (slow)."""
import copy

import pytest

from infra import packaging
from tests.infra import infra_rules as rules
from tests.infra.infra_helpers import broken, translate

ROLE = {"Fn::GetAtt": ["Role", "Arn"]}
QUEUE = {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:pawport-dev-"}
UPLOADS = {"source": ["aws.s3"], "detail-type": ["Object Created"],
           "detail": {"bucket": {"name": ["pawport-dev-uploads"]}, "object": {"key": [{"prefix": "uploads/"}]}}}


def function(handler: str, events: dict) -> dict:
    return {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.11", "Handler": f"app.{handler}", "CodeUri": "./deployment.zip", "Role": ROLE,
        "Events": events}}


def polling(queue: str) -> dict:
    return {"Type": "SQS", "Properties": {"Queue": {"Fn::Sub": QUEUE["Fn::Sub"] + queue}, "BatchSize": 10}}


def sam(*functions: tuple[str, dict]) -> dict:
    return {"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
        **dict(functions)}}


WORKERS = sam(("ReminderMail", function("reminder_mail", {"Reminders": polling("reminders")})),
              ("UploadEvents", function("upload_events", {
                  "UploadEvents": {"Type": "CloudWatchEvent", "Properties": {"Pattern": UPLOADS}}})))


TOPIC = {"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:pawport-dev-ses-feedback"}
CONTROL = sam(("SesFeedback", function("ses_feedback", {
    "SesFeedbackSnsSubscription": {"Type": "SNS", "Properties": {"Topic": TOPIC}}})))


def amended(template: dict) -> dict:
    copied = copy.deepcopy(template)
    packaging.amend(copied, "dev", "pawport-workers")
    return translate(copied)


def test_a_polled_queue_with_its_reason_passes(declaration: dict) -> None:
    assert declaration["queues"]["reminders"]["polled_because"].strip()
    assert rules.polled_queues_say_why(amended(WORKERS), declaration["queues"]) == []


def test_a_polled_queue_without_a_reason_fails(declaration: dict) -> None:
    unexplained = broken(declaration, lambda d: d["queues"]["reminders"].pop("polled_because"))
    assert rules.polled_queues_say_why(amended(WORKERS), unexplained["queues"]) == [
        "ReminderMailReminders polls reminders with no polled_because beside it in infra/resources.yaml"]
    # a new handler polling a queue that gives no reason fails too
    mail = broken(WORKERS, lambda t: t["Resources"].__setitem__("Mail", function("mail", {"Mail": polling("mail")})))
    assert len(rules.polled_queues_say_why(amended(mail), declaration["queues"])) == 1


def test_a_pushed_rule_retries_twice_then_dead_letters() -> None:
    translated = amended(WORKERS)
    assert rules.pushed_rules_retry_then_dead_letter(translated) == []
    [rule] = rules.of_type(translated, "AWS::Events::Rule").values()
    [target] = rules.props(rule)["Targets"]
    assert "pawport-dev-upload-events-dlq" in str(target["DeadLetterConfig"]["Arn"])
    assert rules.props(translated["Resources"]["UploadEvents"])["FunctionName"] == "pawport-workers-dev-upload_events"


def test_a_rule_without_retries_or_dead_letter_queue_fails() -> None:
    assert len(rules.pushed_rules_retry_then_dead_letter(translate(WORKERS))) == 3


def test_a_topics_function_retries_twice_then_dead_letters() -> None:
    copied = copy.deepcopy(CONTROL)
    packaging.amend(copied, "dev", "pawport-control")
    translated = translate(copied)
    assert rules.pushed_topics_retry_then_dead_letter(translated) == []
    function = rules.props(translated["Resources"]["SesFeedback"])
    assert "pawport-dev-ses-feedback-dlq" in str(function["DeadLetterConfig"]["TargetArn"])
    assert len(rules.pushed_topics_retry_then_dead_letter(translate(CONTROL))) == 2   # not amended: caught


def test_a_topics_function_undeclared_in_resources_yaml_is_refused_by_packaging() -> None:
    stray = broken(CONTROL, lambda t: t["Resources"]["SesFeedback"]["Properties"].__setitem__("Handler", "app.other"))
    with pytest.raises(LookupError, match="other: a topic's function without a dead-letter queue"):
        packaging.amend(stray, "dev")


def test_a_pushed_rule_undeclared_in_resources_yaml_is_refused_by_packaging() -> None:
    stray = broken(WORKERS, lambda t: t["Resources"]["UploadEvents"]["Properties"].__setitem__("Handler", "app.other"))
    with pytest.raises(LookupError, match="other: a pushed rule without a dead-letter queue"):
        packaging.amend(stray, "dev")


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_packaged_apps_poll_only_queues_that_say_why_and_push_with_retries(packaged: dict, declaration: dict) -> None:
    translated = {service: translate(p.load()) for service, p in packaged.items()}
    for template in translated.values():
        assert rules.polled_queues_say_why(template, declaration["queues"]) == []
        assert rules.pushed_rules_retry_then_dead_letter(template) == []
        assert rules.pushed_topics_retry_then_dead_letter(template) == []
    assert rules.of_type(translated["control"], "AWS::SNS::Subscription")   # SES's bounces reach control pushed
    mapped = {name for t in translated.values() for name in rules.of_type(t, "AWS::Lambda::EventSourceMapping")}
    assert any("Reminder" in name for name in mapped)   # the reminders queue stays polled, with its reason
    assert rules.of_type(translated["workers"], "AWS::Events::Rule")
    unexplained = broken(declaration, lambda d: d["queues"]["reminders"].pop("polled_because"))
    assert rules.polled_queues_say_why(translated["workers"], unexplained["queues"])
