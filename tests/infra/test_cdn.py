"""The CDN in front of the app and the passports: the buckets read through Origin Access Control,
the app's paths rewritten to index.html but a passport's never, and the two APIs on the same origin."""
import re

import pytest

from tests.infra import stack_rules
from tests.infra.infra_helpers import broken, deployed, props, run_cloudfront_function


def test_cloudfront_reads_through_oac(base_stack: dict) -> None:
    assert stack_rules.cloudfront_oac(base_stack) == []


def test_cloudfront_without_oac_is_caught(base_stack: dict) -> None:
    strip = lambda t: props(t, "WebDistribution")["DistributionConfig"]["Origins"][0].pop("OriginAccessControlId")  # noqa: E731
    assert stack_rules.cloudfront_oac(broken(base_stack, strip))


def test_the_app_falls_back_to_index_html_but_a_passport_path_is_not_found(base_stack: dict) -> None:
    assert stack_rules.cloudfront_paths(base_stack, run_cloudfront_function) == []


def default_behaviour(template: dict) -> dict:
    return props(template, "WebDistribution")["DistributionConfig"]["DefaultCacheBehavior"]


SPA_EVERYWHERE = """function handler(event) {
  var request = event.request;
  if (request.uri.lastIndexOf(".") < request.uri.lastIndexOf("/") + 1) { request.uri = "/index.html"; }
  return request;
}"""
PATH_MISTAKES = {
    "the app's fallback as error responses": lambda t: props(t, "WebDistribution")["DistributionConfig"].__setitem__(
        "CustomErrorResponses", [{"ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
                                 {"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"}]),
    "the rewrite over /p/ too": lambda t: props(t, "WebPathsFunction").__setitem__("FunctionCode", SPA_EVERYWHERE),
    "no rewrite": lambda t: default_behaviour(t).pop("FunctionAssociations"),
    "a missing passport answering 403": lambda t: default_behaviour(t)["FunctionAssociations"].pop(),
}


@pytest.mark.parametrize("mistake", PATH_MISTAKES)
def test_a_path_mistake_is_caught(base_stack: dict, mistake: str) -> None:
    assert stack_rules.cloudfront_paths(broken(base_stack, PATH_MISTAKES[mistake]), run_cloudfront_function)


def test_a_rewrite_over_p_is_named(base_stack: dict) -> None:
    problems = stack_rules.cloudfront_paths(broken(base_stack, PATH_MISTAKES["the rewrite over /p/ too"]),
                                            run_cloudfront_function)
    assert problems == ["WebDistribution: /p/tok1/ is served as /index.html, not /p/tok1/index.html",
                        "WebDistribution: /p/tok1 is served as /index.html, not /p/tok1",
                        "WebDistribution: /p/tok1/missing is served as /index.html, not /p/tok1/missing"]


# ---- the APIs on the web app's origin (/api/*, /control/*) ----

FIRST_DEPLOY = {"Stage": "dev"}
API_DOMAINS = {"ApiOriginDomain": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
               "ControlOriginDomain": "f6g7h8i9j0.execute-api.us-east-1.amazonaws.com"}


@pytest.fixture(scope="module")
def routed(base_stack: dict) -> dict:
    """The base stack's second deploy, once the api and control stacks exist."""
    return deployed(base_stack, FIRST_DEPLOY | API_DOMAINS)


def test_the_apis_are_behind_the_app_once_their_domains_are_given(routed: dict) -> None:
    assert stack_rules.api_routes(routed, API_DOMAINS, run_cloudfront_function) == []
    assert stack_rules.cloudfront_origins_complete(routed) == []
    assert stack_rules.cloudfront_oac(routed) == []
    assert stack_rules.cloudfront_paths(routed, run_cloudfront_function) == []   # the app and /p/* as before


def test_the_first_deploy_leaves_the_apis_out(base_stack: dict) -> None:
    first = deployed(base_stack, FIRST_DEPLOY)
    assert stack_rules.cloudfront_origins_complete(first) == []
    assert stack_rules.api_routes(first, API_DOMAINS, run_cloudfront_function) == [
        "WebDistribution: no /api/* behaviour", "WebDistribution: no /control/* behaviour"]
    assert "ControlPathFunction" not in first["Resources"]
    assert stack_rules.cloudfront_paths(first, run_cloudfront_function) == []


@pytest.mark.parametrize("value, accepted", [
    ("", True), (API_DOMAINS["ApiOriginDomain"], True),
    ("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/api/", False), ("d111abcdef8.cloudfront.net", False)])
def test_an_api_domain_parameter_takes_an_api_gateway_domain_only(base_stack: dict, value: str, accepted: bool) -> None:
    for parameter in API_DOMAINS:
        assert bool(re.fullmatch(base_stack["Parameters"][parameter]["AllowedPattern"], value)) is accepted


def api_behaviour(template: dict, pattern: str) -> dict:
    behaviours = props(template, "WebDistribution")["DistributionConfig"]["CacheBehaviors"]
    return next(b for b in behaviours if b["PathPattern"] == pattern)


STRIP_WITHOUT_STAGE = 'function handler(event) { event.request.uri = event.request.uri.substring(8); return event.request; }'
ROUTE_MISTAKES = {
    "cached": lambda t: api_behaviour(t, "/api/*").__setitem__("CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6"),
    "Authorization dropped": lambda t: api_behaviour(t, "/control/*").pop("OriginRequestPolicyId"),
    "Host forwarded too": lambda t: api_behaviour(t, "/api/*").__setitem__(
        "OriginRequestPolicyId", "216adef6-5c7f-47e4-b989-5492eafa07d3"),   # AllViewer
    "GET only": lambda t: api_behaviour(t, "/control/*").__setitem__("AllowedMethods", ["GET", "HEAD"]),
    "plain http": lambda t: api_behaviour(t, "/api/*").__setitem__("ViewerProtocolPolicy", "allow-all"),
    "the app's rewrite on /api/*": lambda t: api_behaviour(t, "/api/*").__setitem__(
        "FunctionAssociations", default_behaviour(t)["FunctionAssociations"][:1]),
    "control's prefix kept": lambda t: api_behaviour(t, "/control/*").pop("FunctionAssociations"),
    "control's prefix stripped without its stage": lambda t: props(t, "ControlPathFunction").__setitem__(
        "FunctionCode", STRIP_WITHOUT_STAGE),
    "/api/* to control": lambda t: api_behaviour(t, "/api/*").__setitem__("TargetOriginId", "control"),
    "no /control/* behaviour": lambda t: props(t, "WebDistribution")["DistributionConfig"]["CacheBehaviors"].pop(),
}


@pytest.mark.parametrize("mistake", ROUTE_MISTAKES)
def test_an_api_route_mistake_is_caught(routed: dict, mistake: str) -> None:
    assert stack_rules.api_routes(broken(routed, ROUTE_MISTAKES[mistake]), API_DOMAINS, run_cloudfront_function)


def test_an_api_origin_over_http_is_caught(routed: dict) -> None:
    def plain_http(t: dict) -> None:
        api_origin = props(t, "WebDistribution")["DistributionConfig"]["Origins"][1]
        api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] = "http-only"
    assert stack_rules.cloudfront_oac(broken(routed, plain_http))


def _unconditional(*lists: str):
    """The distribution's lists of origins and behaviours with each Fn::If replaced by its true side."""
    def mutate(t: dict) -> None:
        config = props(t, "WebDistribution")["DistributionConfig"]
        for key in lists:
            config[key] = [item["Fn::If"][1] if "Fn::If" in item else item for item in config[key]]
    return mutate


@pytest.mark.parametrize("lists", [("Origins", "CacheBehaviors"), ("CacheBehaviors",)])
def test_an_api_route_before_its_domain_is_caught(base_stack: dict, lists: tuple[str, ...]) -> None:
    first = deployed(broken(base_stack, _unconditional(*lists)), FIRST_DEPLOY)
    assert stack_rules.cloudfront_origins_complete(first)
