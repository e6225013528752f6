#!/usr/bin/env bash
# test_course.sh BUILD SOURCE — course/course.sh on a scratch work folder: every error
# and refusal message exactly, start/reset never replacing work without --yes, the
# hints grade prints. meson is a stand-in that records its arguments and, for
# `meson test`, plays back a test log with failing checks (nothing is built).
set -uo pipefail
build="$1" src="$2"
. "$src/tests/script_lib.sh"

export XGRAD_COURSE_WORK="$tmp/work" XGRAD_COURSE_BUILD="$tmp/build-course" XGRAD_BUILD="$tmp/build"
export MESON="$tmp/meson" STUB_LOG="$tmp/meson.log" STUB_TESTLOG="$tmp/testlog.txt" STUB_TEST_STATUS=1
cat > "$MESON" <<'STUB'
#!/bin/sh
echo "$*" >> "$STUB_LOG"
case "$1" in
  setup) for a in "$@"; do case "$a" in setup | -*) ;; *) mkdir -p "$a"; touch "$a/build.ninja"; break ;; esac; done ;;
  compile) exit 0 ;;
  test) mkdir -p "$3/meson-logs"; cp "$STUB_TESTLOG" "$3/meson-logs/testlog.txt"; exit "$STUB_TEST_STATUS" ;;
esac
STUB
chmod +x "$MESON"
cat > "$STUB_TESTLOG" <<'LOG'
../course/tests/task01_elementwise.cpp:28: ERROR: hint: exp backward: wrong gradient
  (it threw: TODO (task 1): something)
../course/tests/task01_elementwise.cpp:28: ERROR: hint: exp backward: wrong gradient
  (it threw: TODO (task 1): something)
../course/tests/task01_elementwise.cpp:40: ERROR: hint: log backward: at x = 2 the gradient should be 1/2
LOG
course="$src/course/course.sh"
tasks="$(grep -c . "$src/course/tasks.tsv")"
file="$tmp/work/autodiff/ops_elementwise.cpp"

# Bad task numbers and missing work, before anything is started.
expect_error "no number" "course.sh: which task? give its number, 1 to $tasks (course.sh progress lists them)" "$course" start
expect_error "not a number" "course.sh: 'abc' is not a task number; the tasks are 1 to $tasks" "$course" start abc
expect_error "no such task" "course.sh: there is no task 99; the tasks are 1 to $tasks" "$course" grade 99
expect_error "no work folder" "course.sh: there is no work folder $tmp/work yet; course.sh start 1 makes it" "$course" grade 1
expect_error "reset before start" "course.sh: task 1 is not started, so there is nothing to reset (course.sh start 1 starts it)" "$course" reset 1
[ ! -e "$tmp/work/autodiff" ] && pass "nothing written by a failed command" || fail "a failed command wrote files"

# start: the starter in the work folder, build-course configured on it.
if "$course" start 1 > "$tmp/start.txt" 2>&1 && grep -q 'throw std::logic_error("TODO (task 1): ' "$file" &&
   grep -q "setup $tmp/build-course $src -Dcourse_dir=$tmp/work" "$STUB_LOG"; then pass "start 1"; else fail "start 1"; cat "$tmp/start.txt"; fi
grep -q '^  Grade: course/course.sh grade 1$' "$tmp/start.txt" && pass "start 1 says how to grade" || fail "start 1 says how to grade"
expect_error "grade a task not started" "course.sh: task 2 is not started; course.sh start 2 copies its starter into $tmp/work" "$course" grade 2

# Never overwrite without asking: no terminal and no --yes means no.
sed -i '0,/TODO (task 1)/s//my work (task 1)/' "$file"  # the learner's code in the first region
expect_error "start again refused" "course.sh: task 1 is started already; starting it again would replace your task 1 code: run it in a terminal to be asked, or add --yes" "$course" start 1 < /dev/null
expect_error "reset refused" "course.sh: reset would replace your task 1 code: run it in a terminal to be asked, or add --yes" "$course" reset 1 < /dev/null
grep -q "my work (task 1)" "$file" && pass "refusals keep the work" || fail "refusals keep the work"
if "$course" reset 1 --yes > /dev/null 2>&1 && ! grep -q "my work (task 1)" "$file" &&
   grep -q "my work (task 1)" "$tmp"/work/.course/backup/autodiff/ops_elementwise.cpp.*; then pass "reset --yes backs up, then resets"
else fail "reset --yes backs up, then resets"; fi

# Asked in a terminal (script(1) gives course.sh one): Enter means no, y means yes.
if command -v script > /dev/null; then
  sed -i '0,/TODO (task 1)/s//my work (task 1)/' "$file"
  printf '\n' | script -qec "$course start 1" /dev/null > "$tmp/asked.txt" 2>&1
  status=$?
  [ "$status" -eq 1 ] && grep -q 'Nothing changed.' "$tmp/asked.txt" && grep -q "my work (task 1)" "$file" &&
    pass "asked, Enter keeps the work" || fail "asked, Enter keeps the work (exit $status)"
  printf 'y\n' | script -qec "$course start 1" /dev/null > "$tmp/asked.txt" 2>&1
  status=$?
  [ "$status" -eq 0 ] && ! grep -q "my work (task 1)" "$file" && pass "asked, y starts again" ||
    fail "asked, y starts again (exit $status)"
fi

# A later task on the same file keeps the earlier task's work: start 2 blanks only task 2.
echo "// task 1 work" >> "$file"
"$course" start 2 > /dev/null 2>&1
if grep -q "// task 1 work" "$file" && grep -q 'TODO (task 2)' "$file" && grep -q 'TODO (task 1)' "$file" &&
   grep -q 'TODO (task 2)' "$tmp/work/autodiff/shape.cpp"; then pass "start 2 keeps task 1's work"; else fail "start 2 keeps task 1's work"; fi

# grade: each failing check's hint once, with what was found.
"$course" grade 1 > "$tmp/grade.txt" 2>&1
status=$?
cat > "$tmp/grade_expected.txt" <<EOF2
Task 1 does not pass yet. The failing checks, each with its hint:
  - exp backward: wrong gradient
      (it threw: TODO (task 1): something)
  - log backward: at x = 2 the gradient should be 1/2
(the whole output: $tmp/build-course/meson-logs/testlog.txt)
EOF2
[ "$status" -eq 1 ] && diff "$tmp/grade_expected.txt" "$tmp/grade.txt" && pass "grade prints the hints" || fail "grade prints the hints (exit $status)"
: > "$STUB_TESTLOG"  # a program that stops before any check reports
"$course" grade 1 > "$tmp/grade.txt" 2>&1
[ "$(head -n 1 "$tmp/grade.txt")" = "Task 1 does not pass yet: its test program stopped before any check could report (a crash?)." ] &&
  pass "grade on a crash" || fail "grade on a crash: $(cat "$tmp/grade.txt")"
STUB_TEST_STATUS=0 "$course" grade 1 > "$tmp/grade.txt" 2>&1 && [ "$(cat "$tmp/grade.txt")" = "Task 1 passes: every check holds." ] &&
  pass "grade on passing code" || fail "grade on passing code: $(cat "$tmp/grade.txt")"

# progress: one line per task.
STUB_TEST_STATUS=0 "$course" progress > "$tmp/progress.txt" 2>&1
STUB_TEST_STATUS=1 "$course" progress > "$tmp/progress_failing.txt" 2>&1
[ "$(grep -c . "$tmp/progress.txt")" -eq "$((tasks + 1))" ] && grep -q '^ 1  passing      The backward' "$tmp/progress.txt" &&
  grep -q '^ 1  started      The backward' "$tmp/progress_failing.txt" &&
  { [ "$tasks" -lt 3 ] || grep -q "^ *$tasks  not started  " "$tmp/progress.txt"; } && pass "progress" || { fail "progress"; cat "$tmp/progress.txt"; }

"$course" frobnicate > /dev/null 2> "$tmp/err.txt"
[ "$(head -n 1 "$tmp/err.txt")" = "course.sh: unknown command 'frobnicate'" ] && pass "unknown command" || fail "unknown command"
expect_error "answer, no such task" "course.sh: there is no task 0; the tasks are 1 to $tasks" "$course" answer 0

[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
