"""checkov findings on the packaged Chalice templates that are accepted, each with its reason.

Chalice writes these templates, so the suppressions are added to them after packaging (as
Metadata, exactly as they are written by hand in infra/base-stack.yaml).
"""
FUNCTION = "AWS::Serverless::Function"
UNCAPPED_SKIP = {
    "CKV_AWS_115": "No reserved concurrency: reserving takes from the account's regional pool (Lambda keeps "
                   "100 of it unreserved), so only the extraction path reserves, to bound LLM calls "
                   "(workers' upload_events and egress's extract). HTTP handlers are bounded by their stage's "
                   "throttling (infra/packaging.py), schedules run once per rate, the stream handler one batch "
                   "per shard; the reminders consumer is not capped: its queue is filled only by the daily run, "
                   "one message per household with reminders due.",
}
FUNCTION_SKIPS = {
    "CKV_AWS_116": "A function DLQ catches only asynchronous invocations. HTTP handlers are synchronous; SQS and "
                   "stream handlers fail over to their queue's dead-letter queue or the stream-failures "
                   "destination; a failed schedule run is repeated by the next one.",
    "CKV_AWS_173": "Lambda encrypts environment variables at rest with its AWS managed key. They carry resource "
                   "names, ids and the user pool's public keys, never a secret, so a customer managed key (which "
                   "would hide them from whoever may read the function's configuration but not use the key) "
                   "would protect nothing.",
}
EGRESS_ENV_SKIP = {
    "CKV_AWS_173": "Encrypted at rest with Lambda's AWS managed key. egress's environment holds the LLM endpoint "
                   "and the name of the key's SSM parameter, never the key: egress reads the SecureString at run "
                   "time, and only its role may (infra/policies.py), so a customer managed key would protect nothing.",
}
OUTSIDE_VPC_SKIP = {
    "CKV_AWS_117": "Outside the VPC by design (shared/data-placement.md): only control is in the VPC, so a "
                   "function that can reach the internet cannot reach Aurora.",
}
API_SKIPS = {
    "CKV_AWS_73": "X-Ray tracing on the API is off to keep per-request cost at zero; CloudWatch metrics and "
                  "function logs cover it. Revisit if latency needs tracing.",
    "CKV_AWS_120": "No API cache: every response is for one authenticated caller.",
}
LOG_GROUP_SKIP = {
    "CKV_AWS_158": "Encrypted at rest by CloudWatch Logs with its service key. A customer managed key would need a "
                   "key policy for the logs service in every region deployed; who reads the logs is decided by IAM.",
}
ENI_SKIP = {
    "CKV_AWS_111": "The ec2 network-interface actions Lambda needs to attach control to its subnets take no "
                   "usable resource scoping (AWSLambdaVPCAccessExecutionRole grants them on * too); every "
                   "other statement of the role names its resources.",
}


def _skip(resource: dict, skips: dict[str, str]) -> None:
    listed = resource.setdefault("Metadata", {}).setdefault("checkov", {}).setdefault("skip", [])
    known = {entry["id"] for entry in listed}
    listed.extend({"id": check, "comment": why} for check, why in skips.items() if check not in known)


def _grants_enis(role: dict) -> bool:
    for policy in role.get("Properties", {}).get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement.get("Action", [])
            if any(a.startswith("ec2:") for a in ([actions] if isinstance(actions, str) else actions)):
                return True
    return False


def suppress(template: dict, service: str) -> None:
    for resource in template.get("Resources", {}).values():
        kind = resource.get("Type")
        if kind == FUNCTION:
            in_vpc = "VpcConfig" in resource.get("Properties", {})
            env = EGRESS_ENV_SKIP if service == "egress" else {}
            capped = "ReservedConcurrentExecutions" in resource.get("Properties", {})
            _skip(resource, FUNCTION_SKIPS | env | ({} if in_vpc else OUTSIDE_VPC_SKIP) | ({} if capped else UNCAPPED_SKIP))
        elif kind == "AWS::Serverless::Api":
            _skip(resource, API_SKIPS)
        elif kind == "AWS::Logs::LogGroup":
            _skip(resource, LOG_GROUP_SKIP)
        elif kind == "AWS::IAM::Role" and _grants_enis(resource):
            _skip(resource, ENI_SKIP)
