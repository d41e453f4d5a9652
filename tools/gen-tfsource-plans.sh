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
[ $# -gt 0 ] || set -- sqs-complete sqs-missing-action jsonencode-complete jsonencode-missing-action heredoc-complete heredoc-missing-action policy-document-complete policy-document-missing-action templatefile-missing-action inline-policy-complete inline-policy-missing-action queue-policy-complete queue-policy-missing-action for-each-complete for-each-missing-action ../tfmodule/json-syntax/missing-action ../tfmodule/json-syntax/complete ../tfmodule/json-syntax/mixed
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
