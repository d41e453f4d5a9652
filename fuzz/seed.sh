#!/usr/bin/env bash
# Seeds each target's corpus (fuzz/corpus/<target>/, not committed) from testdata/ and from the
# regression inputs of tests/fuzz-regressions/.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/yaml_template corpus/json_template corpus/plan corpus/tf_source corpus/config corpus/cloud_assembly corpus/tf_module corpus/serverless
copy() { # target, files...
  local target=$1; shift
  for f in "$@"; do cp "$f" "corpus/$target/$(echo "${f#../}" | tr '/' '_')"; done
}
cd ..
mapfile -t yaml < <(find testdata -name '*.yaml' -o -name '*.yml' | sort)
mapfile -t plans < <(grep -rl --include='*.json' '"format_version"' testdata | sort)
mapfile -t tf < <(find testdata -name '*.tf' | sort)
mapfile -t tfjson < <(find testdata -name '*.tf.json' | sort)
mapfile -t configs < <(find testdata docs -name '*.toml' | sort)
mapfile -t services < <(find testdata -name serverless.yml | sort)
mapfile -t manifests < <(find testdata/cdk -name manifest.json -o -name '*.metadata.json' | sort)
mapfile -t json < <(find testdata -name '*.json' -not -path '*/snapshots/*' | sort | grep -vxF -f <(printf '%s\n' "${plans[@]}"))
cd fuzz
copy yaml_template "${yaml[@]/#/../}"
copy json_template "${json[@]/#/../}"
copy plan "${plans[@]/#/../}"
copy tf_source "${tf[@]/#/../}"
if [ "${#configs[@]}" -gt 0 ]; then copy config "${configs[@]/#/../}"; fi
copy cloud_assembly "${manifests[@]/#/../}"
copy tf_module "${tf[@]/#/../}" "${tfjson[@]/#/../}"
copy serverless "${services[@]/#/../}"
for t in yaml_template json_template plan tf_source config cloud_assembly tf_module serverless; do
  if [ -d "../tests/fuzz-regressions/$t" ]; then cp ../tests/fuzz-regressions/$t/* "corpus/$t/" 2>/dev/null || true; fi
  echo "$t: $(ls corpus/$t | wc -l) seeds"
done
