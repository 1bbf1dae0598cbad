"""Helpers for the infra tests: templates as plain dicts, broken copies, the SAM transform."""
import copy
import json
from collections.abc import Callable
from pathlib import Path

import boto3
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from infra import packaging


def plain(data: object) -> dict:
    """cfn-lint's node classes as plain dicts, so a test can deep-copy and break them."""
    return json.loads(json.dumps(data))


def load_template(path: Path) -> dict:
    template, matches = decode(str(path))   # understands !Ref, !Sub, !GetAtt ...
    assert not matches, matches
    return plain(template)


def broken(original: dict, mutate: Callable[[dict], object]) -> dict:
    copied = copy.deepcopy(original)
    mutate(copied)
    return copied


def translate(sam: dict) -> dict:
    """The CloudFormation that AWS's SAM transform makes of a packaged template."""
    template = copy.deepcopy(sam)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":   # as `aws cloudformation package` rewrites it
            resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=packaging.REGION))
    return translator.translate(template, parameter_values={}, get_managed_policy_map=dict)
