#!/bin/sh
# Writes plan.json beside the Terraform source of every fixture in testdata/tfsource/ with a real
# `terraform` (1.x) and the hashicorp/aws provider, without calling AWS: the provider is installed
# from a local filesystem mirror (TF_PLUGIN_MIRROR, a folder holding
# registry.terraform.io/hashicorp/aws) and configured with fake credentials in an override file
# that is removed afterwards. CI never runs this: the plans are committed.
#
#   TF_PLUGIN_MIRROR=/path/to/mirror sh tools/gen-tfsource-plans.sh [fixture…]
#
# A fixture is a folder of testdata/tfsource, or a path from there (`../tfmodule/json-syntax/mixed`).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${TF_PLUGIN_MIRROR:?set TF_PLUGIN_MIRROR to a provider mirror folder}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf 'provider_installation {\n  filesystem_mirror { path = "%s" }\n}\n' "$mirror" > "$scratch/tfrc"
export TF_CLI_CONFIG_FILE="$scratch/tfrc" TF_IN_AUTOMATION=1
cd "$root/testdata/tfsource"
[ $# -gt 0 ] || set -- sqs-complete sqs-missing-action jsonencode-complete jsonencode-missing-action heredoc-complete heredoc-missing-action policy-document-complete policy-document-missing-action templatefile-missing-action inline-policy-complete inline-policy-missing-action queue-policy-complete queue-policy-missing-action for-each-complete for-each-missing-action ../tfmodule/json-syntax/missing-action ../tfmodule/json-syntax/complete ../tfmodule/json-syntax/mixed dynamic-statement-complete dynamic-statement-missing-action dynamic-statement-unknown merged-documents-complete merged-documents-missing-action deny-statement \
  pg101-pass-queue-policy pg101-unknown-queue-policy-condition pg102-fail-stream-policy-deny pg102-pass-stream-policy \
  pg103-pass-stream-policy pg104-pass-cluster-policy pg110-fail-secret-policy-deny pg111-fail-cmk pg111-pass-cmk \
  pg111-pass-key-policy-grant pg111-pass-via-service pg112-fail-cmk pg112-pass-cmk pg115-fail-no-delegation pg115-fail-no-delegation-key-policy-resource \
  pg115-pass-default-key-policy pg115-pass-root-delegation
for fixture in "$@"; do
  fixture=${fixture#./}
  echo "$fixture" >&2
  work="$scratch/$(printf %s "$fixture" | tr / _)"
  mkdir -p "$work"
  cp -R "$fixture/." "$work/"
  rm -f "$work/plan.json" "$work/generate"
  cat > "$work/zz_provider_override.tf" <<'P'
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAEXAMPLE"
  secret_key                  = "example"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
P
  (cd "$work" && terraform init -input=false >/dev/null && terraform plan -input=false -out=tf.plan >/dev/null &&
    terraform show -json tf.plan > plan.json)
  # Pretty-printed so that reviews show what changed.
  python3 -m json.tool --indent 1 "$work/plan.json" > "$fixture/plan.json"
done
