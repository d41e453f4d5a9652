#!/bin/sh
# Synthesizes every case and variant into ../<case>-<variant>/cdk.out.
# The construct creation traces in *.metadata.json name this directory by its absolute path;
# it is written as `app` so that the fixtures do not depend on where they were made.
set -e
cd "$(dirname "$0")"
here=$(pwd)
for case in cross-stack nested stage; do
  for variant in correct broken; do
    rm -rf "../$case-$variant"
    CASE=$case VARIANT=$variant npx cdk synth --no-staging --quiet -o "../$case-$variant/cdk.out" >/dev/null
    find "../$case-$variant/cdk.out" -name '*.metadata.json' -exec sed -i "s|$here|app|g" {} +
  done
done
