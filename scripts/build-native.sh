#!/bin/sh
# Builds the optional native addon native/malloc-trim.c into dist/native/malloc-trim.node (or into the directory
# given as $1). Plain `cc -shared -fPIC`: no node-gyp, no node headers, nothing downloaded (the N-API declarations
# are in the C file). Optional by design: where there is no C compiler or it fails, or the system is not Linux,
# it says so on stderr and exits 0, and the server runs without the addon (src/common/malloc-trim.ts).
# NODEDB_NATIVE_STRICT=1 makes any of those a failure (test/unit/malloc-trim.test.ts uses it where a compiler exists).
set -u
here=$(dirname "$0")
out=${1:-$here/../dist/native}
strict=${NODEDB_NATIVE_STRICT:-0}
skip() {
  echo "nodedb: native/malloc-trim not built ($1); the server runs without returning freed memory to the OS" >&2
  if [ "$strict" = 1 ]; then exit 1; fi
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "not Linux"
cc=${CC:-}
if [ -z "$cc" ]; then
  for candidate in cc gcc clang; do
    if command -v "$candidate" >/dev/null 2>&1; then cc=$candidate; break; fi
  done
fi
[ -n "$cc" ] || skip "no C compiler: install gcc"
mkdir -p "$out" || skip "cannot create $out"
# Built beside its final name and renamed, so a server starting meanwhile never loads half a file.
"$cc" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -fPIC -shared -fvisibility=hidden \
  -o "$out/malloc-trim.node.tmp" "$here/../native/malloc-trim.c" || skip "$cc failed"
mv -f "$out/malloc-trim.node.tmp" "$out/malloc-trim.node" || skip "cannot write $out/malloc-trim.node"
