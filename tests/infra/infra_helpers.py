"""Helpers for the infra tests: templates as plain dicts, broken copies, the SAM transform, and
CloudFront Functions run on sample events (Node.js, which `make install` needs for the web app)."""
import copy
import json
import shutil
import subprocess
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


def props(template: dict, name: str) -> dict:
    return template["Resources"][name]["Properties"]


def broken(original: dict, mutate: Callable[[dict], object]) -> dict:
    copied = copy.deepcopy(original)
    mutate(copied)
    return copied


NO_VALUE = object()


def deployed(template: dict, parameters: dict[str, str]) -> dict:
    """The template as CloudFormation deploys it with these parameters (the rest at their defaults):
    conditions decided, each Fn::If's branch taken, AWS::NoValue and conditional resources left out,
    and a Ref to a parameter replaced by its value."""
    values = {name: p["Default"] for name, p in template.get("Parameters", {}).items() if "Default" in p} | parameters
    conditions = template.get("Conditions", {})

    def holds(expression: dict) -> bool:
        [(function, args)] = expression.items()
        if function == "Condition":
            return holds(conditions[args])
        if function == "Fn::Equals":
            return str(walk(args[0])) == str(walk(args[1]))
        if function == "Fn::Not":
            return not holds(args[0])
        return (all if function == "Fn::And" else any)(holds(a) for a in args)   # Fn::And, Fn::Or

    def walk(node: object) -> object:
        if isinstance(node, list):
            return [w for w in map(walk, node) if w is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if "Fn::If" in node:
            name, yes, no = node["Fn::If"]
            return walk(yes if holds(conditions[name]) else no)
        if node.get("Ref") == "AWS::NoValue":
            return NO_VALUE
        if node.keys() == {"Ref"} and node["Ref"] in values:
            return values[node["Ref"]]
        return {k: w for k, w in ((k, walk(v)) for k, v in node.items()) if w is not NO_VALUE}

    kept = {section: {name: r for name, r in template.get(section, {}).items()
                      if "Condition" not in r or holds(conditions[r["Condition"]])}
            for section in ("Resources", "Outputs")}
    return plain(walk({k: v for k, v in template.items() if k != "Conditions"} | kept))


def translate(sam: dict) -> dict:
    """The CloudFormation that AWS's SAM transform makes of a packaged template."""
    template = copy.deepcopy(sam)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":   # as `aws cloudformation package` rewrites it
            resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=packaging.REGION))
    return translator.translate(template, parameter_values={}, get_managed_policy_map=dict)


def run_cloudfront_function(code: str, events: list[dict]) -> list[dict]:
    """What a CloudFront Function's handler returns for each event. Node.js runs the same
    JavaScript subset cloudfront-js-2.0 does for what these functions use (strings and objects)."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run the CloudFront Functions (make install)"
    script = code + "\nconsole.log(JSON.stringify(JSON.parse(process.argv[1]).map(handler)));"
    done = subprocess.run([node, "-e", script, json.dumps(events)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
