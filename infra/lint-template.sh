#!/usr/bin/env bash
# Checks template.yaml; exits non-zero on any finding (error, warning or informational).
#   1. cfn-lint on the SAM template as written;
#   2. the Table's KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, BillingMode and
#      StreamSpecification are literal values (the local stack parses them with a plain YAML
#      parser), nothing local-only (/_local routes) is in the template, and no function gets
#      the link-signing key itself (LINK_SECRET) in its environment;
#   3. the template is translated with samtranslator (what CloudFormation's SAM transform does)
#      and cfn-lint runs on the result: with the transform, cfn-lint alone does not report a
#      !Ref / !GetAtt / ${...} to a resource that does not exist; on the translated output it does;
#   4. `sam validate --lint` when the SAM CLI is installed in .local/venv (offline, no credentials).
# Usage: infra/lint-template.sh [template]    (PYTHON overrides the interpreter)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TEMPLATE=${1:-template.yaml}
PYTHON=${PYTHON:-.local/venv/bin/python}
if [[ ! -x "$PYTHON" ]]; then
	PYTHON=python3
fi
"$PYTHON" -c 'import cfnlint, samtranslator' 2>/dev/null || {
	echo "lint-template: $PYTHON lacks cfn-lint or aws-sam-translator (run infra/local/install.sh)" >&2
	exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cfn_lint() {
	"$PYTHON" -c 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())' "$@"
}

status=0

echo "== cfn-lint $TEMPLATE"
cfn_lint -- "$TEMPLATE" || status=1

echo "== literal table definition, no local-only routes, no LINK_SECRET value"
"$PYTHON" - "$TEMPLATE" <<'PY' || status=1
import sys
from cfnlint.decode import cfn_yaml

path = sys.argv[1]
tpl = cfn_yaml.load(path)
problems = []

def intrinsics(value, where):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" or k.startswith("Fn::"):
                problems.append(f"{where}: intrinsic function {k} (must be a literal value)")
            intrinsics(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            intrinsics(v, f"{where}[{i}]")

tables = {name: r for name, r in tpl.get("Resources", {}).items()
          if r.get("Type") == "AWS::DynamoDB::Table"}
if "Table" not in tables:
    problems.append("no AWS::DynamoDB::Table resource named Table")
for name, res in tables.items():
    props = res.get("Properties", {})
    for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes",
                "BillingMode", "StreamSpecification"):
        if key not in props and key != "GlobalSecondaryIndexes":
            problems.append(f"{name}.Properties.{key}: missing")
        intrinsics(props.get(key), f"{name}.Properties.{key}")

# The link-signing key is read from Secrets Manager (LINK_SECRET_ARN), never set as a value.
envs = [("Globals", (tpl.get("Globals") or {}).get("Function") or {})]
envs += [(name, r.get("Properties") or {}) for name, r in tpl.get("Resources", {}).items()
         if r.get("Type") == "AWS::Serverless::Function"]
for name, props in envs:
    variables = (props.get("Environment") or {}).get("Variables") or {}
    if "LINK_SECRET" in variables:
        problems.append(f"{name}: LINK_SECRET in the environment (use LINK_SECRET_ARN)")
    # A function allowed to read a secret must be able to decrypt it: each secret is encrypted
    # with the data key, so kms:Decrypt through Secrets Manager goes with GetSecretValue. IAM is
    # not enforced locally: only this check sees a function that would fail in AWS. (The digest
    # and the retention job have the ARN but never read the secret: no GetSecretValue.)
    statements = [s for policy in (props.get("Policies") or []) if isinstance(policy, dict)
                  for s in (policy.get("Statement") or [])]
    def allows(statement, action):
        actions = statement.get("Action")
        return statement.get("Effect") == "Allow" and action in (actions if isinstance(actions, list) else [actions])
    def through_secrets_manager(statement):
        via = ((statement.get("Condition") or {}).get("StringEquals") or {}).get("kms:ViaService", "")
        return "secretsmanager" in str(via)
    if any(allows(s, "secretsmanager:GetSecretValue") for s in statements) and not any(
            allows(s, "kms:Decrypt") and through_secrets_manager(s) for s in statements):
        problems.append(f"{name}: secretsmanager:GetSecretValue without kms:Decrypt of the data key through Secrets Manager")

with open(path, encoding="utf-8") as f:
    if "/_local" in f.read():
        problems.append("template mentions /_local: local-only routes belong to the local gateway")

for p in problems:
    print(f"  {p}")
sys.exit(1 if problems else 0)
PY

echo "== samtranslator, then cfn-lint on the translated template"
# The transform asks boto for the region (ARN partitions); no credentials are needed.
if AWS_DEFAULT_REGION=eu-west-3 AWS_REGION=eu-west-3 "$PYTHON" - "$TEMPLATE" "$work/translated.json" <<'PY'; then
import json, sys
from cfnlint.decode import cfn_yaml
from samtranslator.translator.transform import transform
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map


class BundledPolicies:
    """Stands in for the IAM ListPolicies call: the transform ships a map of AWS managed policies."""

    def load(self):
        return get_bundled_managed_policy_map("aws") or {}


src, dst = sys.argv[1], sys.argv[2]
tpl = cfn_yaml.load(src)
# As `sam validate` does: local artifact paths (what `sam build`/`package` upload) become S3 URIs.
for res in tpl.get("Resources", {}).values():
    props = res.get("Properties") or {}
    for key in ("CodeUri", "ContentUri", "DefinitionUri"):
        if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
            props[key] = "s3://lint-placeholder-bucket/artifact.zip"
params = {"AWS::Region": "eu-west-3", "AWS::AccountId": "123456789012",
          "AWS::Partition": "aws", "AWS::StackName": "lint"}
try:
    out = transform(tpl, params, BundledPolicies())
except Exception as e:  # InvalidDocumentException lists every cause
    causes = getattr(e, "causes", None) or [e]
    for c in causes:
        print(f"  transform: {getattr(c, 'message', c)}")
    sys.exit(1)
with open(dst, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1, default=str)
PY
	cfn_lint -- "$work/translated.json" || status=1
else
	status=1
fi

# The companion stack deployed in the Chime control region (plain CloudFormation).
if [[ -f infra/chime-events-forwarder.yaml ]]; then
	echo "== cfn-lint infra/chime-events-forwarder.yaml"
	cfn_lint -- infra/chime-events-forwarder.yaml || status=1
fi

# The companion stack of the phone calls, deployed in a region that hosts SIP media
# applications (the main stack's PstnAudioRegion): linted against those regions' schemas.
if [[ -f infra/pstn-audio.yaml ]]; then
	echo "== cfn-lint infra/pstn-audio.yaml (regions hosting SIP media applications)"
	cfn_lint --regions eu-central-1 eu-west-2 us-east-1 -- infra/pstn-audio.yaml || status=1
fi

sam=.local/venv/bin/sam
if [[ -x "$sam" ]]; then
	echo "== sam validate --lint"
	SAM_CLI_TELEMETRY=0 "$sam" validate --lint --template "$TEMPLATE" --region eu-west-3 || status=1
else
	echo "== sam validate: skipped ($sam not installed)"
fi

if ((status == 0)); then
	echo "lint-template: ok"
else
	echo "lint-template: FAILED" >&2
fi
exit "$status"
