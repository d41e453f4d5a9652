#!/bin/sh
# Synthesizes every case and variant into ../<case>-<variant>/cdk.out.
# The construct creation traces in *.metadata.json name this directory by its absolute path;
# it is written relative to each metadata file's directory (`../../app`), as a trace can be
# read from there, so that the fixtures do not depend on where they were made.
set -e
cd "$(dirname "$0")"
here=$(pwd)
for case in cross-stack nested stage; do
  for variant in correct broken; do
    rm -rf "../$case-$variant"
    CASE=$case VARIANT=$variant npx cdk synth --no-staging --quiet -o "../$case-$variant/cdk.out" >/dev/null
    find "../$case-$variant/cdk.out" -name '*.metadata.json' | while read -r f; do
      sed -i "s|$here|$(realpath --relative-to="$(dirname "$f")" "$here")|g" "$f"
    done
  done
done
