#!/usr/bin/env bash
# Installs permgate for the GitHub Action (action.yml) into $PERMGATE_INSTALL_DIR/bin and puts
# that directory on the job's PATH ($GITHUB_PATH).
#
# In order: a binary already there (restored from the cache); the release binary of the
# action's ref for this runner, when the release has one; else `cargo install --locked` from
# the action's own checkout ($GITHUB_ACTION_PATH), which is the repository at the action's ref.
set -euo pipefail

dir="${PERMGATE_INSTALL_DIR:?PERMGATE_INSTALL_DIR is not set}"
bin="$dir/bin"
mkdir -p "$bin"

add_to_path() {
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$bin" >> "$GITHUB_PATH"
  fi
  "$bin/permgate" --version
}

if [ -x "$bin/permgate" ]; then
  echo "permgate: using the cached binary in $bin"
  add_to_path
  exit 0
fi

# The release asset for this runner, named by its Rust target triple.
target=""
case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
  Linux-X64) target=x86_64-unknown-linux-gnu ;;
  Linux-ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
esac

ref="${PERMGATE_REF:-}"
repository="${PERMGATE_REPOSITORY:-}"
if [ -n "$target" ] && [ -n "$ref" ] && [ -n "$repository" ]; then
  url="${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download/$ref/permgate-$target.tar.gz"
  archive="${RUNNER_TEMP:-/tmp}/permgate-$target.tar.gz"
  if curl --fail --silent --show-error --location --retry 2 --output "$archive" "$url" 2>/dev/null; then
    tar -xzf "$archive" -C "$bin" permgate
    rm -f "$archive"
    echo "permgate: installed the release binary for $target from $ref"
    add_to_path
    exit 0
  fi
  echo "permgate: no release binary for $target at $ref; building from source"
fi

source_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
cargo install --locked --path "$source_dir" --root "$dir" --bin permgate
add_to_path
