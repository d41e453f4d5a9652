#!/usr/bin/env bash
# Seeds each target's corpus (fuzz/corpus/<target>/, not committed) from testdata/ and from the
# regression inputs of tests/fuzz-regressions/.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/yaml_template corpus/json_template corpus/plan
copy() { # target, files...
  local target=$1; shift
  for f in "$@"; do cp "$f" "corpus/$target/$(echo "${f#../}" | tr '/' '_')"; done
}
cd ..
mapfile -t yaml < <(find testdata -name '*.yaml' -o -name '*.yml' | sort)
mapfile -t plans < <(grep -rl --include='*.json' '"format_version"' testdata | sort)
mapfile -t json < <(find testdata -name '*.json' -not -path '*/snapshots/*' | sort | grep -vxF -f <(printf '%s\n' "${plans[@]}"))
cd fuzz
copy yaml_template "${yaml[@]/#/../}"
copy json_template "${json[@]/#/../}"
copy plan "${plans[@]/#/../}"
for t in yaml_template json_template plan; do
  if [ -d "../tests/fuzz-regressions/$t" ]; then cp ../tests/fuzz-regressions/$t/* "corpus/$t/" 2>/dev/null || true; fi
  echo "$t: $(ls corpus/$t | wc -l) seeds"
done
