#!/usr/bin/env bash
# Runs permgate for the GitHub Action (action.yml) with its inputs ($INPUT_*), from the
# workspace, and writes the step's outputs ($GITHUB_OUTPUT): `exit-code`, and `sarif-file` when
# INPUT_UPLOAD_SARIF is true (the SARIF report, in $RUNNER_TEMP, for
# github/codeql-action/upload-sarif). The step fails with permgate's exit code.
set -uo pipefail

permgate="${PERMGATE:-permgate}"
cd "${GITHUB_WORKSPACE:?GITHUB_WORKSPACE is not set}" || exit 2

# One path per line; a single line may also separate paths with spaces.
paths=()
if [[ "${INPUT_PATHS:-.}" == *$'\n'* ]]; then
  while IFS= read -r line; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && paths+=("$line")
  done <<< "${INPUT_PATHS}"
else
  read -r -a paths <<< "${INPUT_PATHS:-.}"
fi
[ "${#paths[@]}" -eq 0 ] && paths=(.)

options=(--fail-on "${INPUT_FAIL_ON:-error}")
[ -n "${INPUT_BASELINE:-}" ] && options+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_CONFIG:-}" ] && options+=(--config "$INPUT_CONFIG")

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$1=$2" >> "$GITHUB_OUTPUT"
  fi
}

if [ "${INPUT_UPLOAD_SARIF:-false}" = "true" ]; then
  sarif="${RUNNER_TEMP:-/tmp}/permgate.sarif"
  "$permgate" check "${paths[@]}" "${options[@]}" --format sarif > "$sarif"
  sarif_status=$?
  # Exit codes 0-2 all come with a complete report; anything else is a crash.
  if [ "$sarif_status" -le 2 ]; then
    output sarif-file "$sarif"
  else
    echo "::error title=permgate::the SARIF run failed with exit code $sarif_status"
  fi
fi

"$permgate" check "${paths[@]}" "${options[@]}" --format "${INPUT_FORMAT:-github}"
status=$?
output exit-code "$status"
exit "$status"
