#!/usr/bin/env bash
# Builds the plugin in this folder as a plugin author would, out of tree, against the SDK
# installed from a keyhop build, then checks that keyhop loads it.
# Usage: run_test.sh BUILD_DIR EXTERNAL_PLUGIN_SOURCE_DIR KEYHOP_EXECUTABLE
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 BUILD_DIR EXTERNAL_PLUGIN_SOURCE_DIR KEYHOP_EXECUTABLE" >&2
  exit 2
fi
build_dir=$1
source_dir=$(cd "$2" && pwd)
keyhop=$3
repo_dir=$(cd "$source_dir/../.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/keyhop-external-plugin-XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $1" >&2
  if [[ $# -gt 1 && -f $2 ]]; then cat "$2" >&2; fi
  exit 1
}

prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" --component sdk >"$work/install.log" 2>&1 ||
  fail "installing the SDK" "$work/install.log"

# A copy of the sources, so nothing can reach the keyhop tree's sdk/ by a relative path.
cp -r "$source_dir" "$work/src"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  >"$work/configure.log" 2>&1 || fail "configuring the external plugin" "$work/configure.log"
found=$(sed -n 's/^keyhop-sdk_DIR:PATH=//p' "$work/build/CMakeCache.txt")
[[ $found == "$prefix/lib/cmake/keyhop-sdk" ]] ||
  fail "find_package(keyhop-sdk) used '$found', not the installed package"
if grep -qF "$repo_dir/sdk" "$work/build/compile_commands.json"; then
  fail "the external plugin was compiled against $repo_dir/sdk, not the installed headers"
fi
cmake --build "$work/build" >"$work/build.log" 2>&1 ||
  fail "building the external plugin" "$work/build.log"
[[ -f $work/build/external_demo.so ]] || fail "no external_demo.so in $work/build"

# Only the external plugin's directory: the provider can come from nowhere else.
KEYHOP_PLUGIN_PATH=$work/build "$keyhop" providers list >"$work/list.out" 2>"$work/list.err" ||
  fail "keyhop providers list" "$work/list.err"
grep -Eq "^external-demo[[:space:]].*$work/build/external_demo\.so" \
  "$work/list.out" || fail "external-demo is not in keyhop's provider list" "$work/list.out"
if grep -q "external_demo.so" "$work/list.err"; then
  fail "keyhop reported problems with the external plugin" "$work/list.err"
fi
echo "ok: external-demo built against the installed SDK and loaded by keyhop"
