#!/usr/bin/env bash
# `make package`: chalice package each service for CloudFormation into build/<svc>/ (amended with
# partial batch responses and checkov suppressions), print each zip's size and any forbidden
# library, then cfn-lint every template and print checkov's summary. Exits non-zero if any fails.
# STAGE=prod infra/package.sh packages the prod stage (after infra/chalice_env.py rendered it).
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
STAGE="${STAGE:-dev}"
PY=.venv/bin/python
CHECKOV_VENV=.local/tools/checkov   # its own venv: checkov pins a boto3 the services can't use
failed=()

# control verifies Aurora's certificate against AWS's RDS bundle, which must ship in its package
# (RDS_CA_BUNDLE: a file or an https URL; infra/DEPLOY.md); a rendered stage without one fails.
echo "== RDS certificate bundle"
$PY -m infra.rds_bundle --stage "$STAGE" ${RDS_CA_BUNDLE:+--source "$RDS_CA_BUNDLE"} || failed+=("rds-bundle")

echo "== chalice package ($STAGE, $AWS_DEFAULT_REGION)"
$PY -m infra.packaging --stage "$STAGE" --out build || failed+=("packaging")

# CloudFormation templates in infra/ (resources.yaml is the local declaration, not a template)
templates=($(grep -l '^AWSTemplateFormatVersion' infra/*.yaml) build/*/sam.json)

echo "== cfn-lint ${templates[*]}"
.venv/bin/cfn-lint "${templates[@]}"
lint=$?
# bit 2 = errors (bit 1 = cfn-lint failed to run); warnings (4) and informational (8) are shown only
if (( lint & 3 )); then failed+=("cfn-lint"); else echo "cfn-lint: no errors"; fi

echo "== checkov"
if [ ! -x "$CHECKOV_VENV/bin/checkov" ]; then
  echo "installing checkov into $CHECKOV_VENV (first run only)"
  python3 -m venv "$CHECKOV_VENV" && "$CHECKOV_VENV/bin/pip" install -q -r infra/scripts/checkov-requirements.txt \
    2> >(grep -v '^WARNING: Location' >&2)   # this machine's pip lists local index folders it lacks
fi
checkov_args=()
for t in "${templates[@]}"; do checkov_args+=(-f "$t"); done
# offline: no guideline download, no platform mapping calls
BC_SKIP_MAPPING=TRUE "$CHECKOV_VENV/bin/checkov" "${checkov_args[@]}" --framework cloudformation \
  --compact --quiet --skip-download || failed+=("checkov")

if [ ${#failed[@]} -gt 0 ]; then echo "make package FAILED: ${failed[*]}"; exit 1; fi
echo "make package: ok (build/<service>/sam.json + deployment.zip)"
