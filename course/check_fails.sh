#!/bin/sh
# check_fails.sh PROGRAM EXPECTED — the course's proof that a grader can fail: PROGRAM
# (a task's tests built on its starter or on a planted wrong answer) must exit non-zero,
# print at least one hint ("hint: ..."), and show EXPECTED (the intended hint) somewhere.
out="$("$1" 2>&1)"
status=$?
if [ "$status" -eq 0 ]; then
  echo "FAIL: the tests passed on this variant, so they cannot tell it from a right answer"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -q 'hint: '; then
  printf '%s\n' "$out"
  echo "FAIL: the tests failed (exit $status) but printed no hint"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -qF -- "$2"; then
  printf '%s\n' "$out"
  echo "FAIL: the tests failed (exit $status) but never showed: $2"
  exit 1
fi
echo "ok: the tests fail (exit $status) and show: $2"
