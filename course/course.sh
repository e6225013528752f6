#!/usr/bin/env bash
# course.sh — the course's commands (docs/course.md):
#   course/course.sh start N     copy task N's starter into the work folder and point build-course at it
#   course/course.sh grade N     build your code and run task N's tests; a hint for each failing check
#   course/course.sh progress    every task: not started, started, or passing
#   course/course.sh reset N     put task N back to its starter (asks first)
#   course/course.sh answer N    compute the answers to task N's questions (with the library's own code)
# start and reset never replace your work without asking (y/N); with stdin not a
# terminal they refuse unless given --yes. What they replace is copied to
# <work folder>/.course/backup first.
# The work folder is course-work/ at the top of the repository, the build folder
# build-course/ (XGRAD_COURSE_WORK, XGRAD_COURSE_BUILD change them; `answer` builds
# in build/, or XGRAD_BUILD; MESON names the meson program).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${XGRAD_COURSE_WORK:-$root/course-work}"
build="${XGRAD_COURSE_BUILD:-$root/build-course}"
reference_build="${XGRAD_BUILD:-$root/build}"
meson="${MESON:-meson}"
files_py="$root/course/course_files.py"

die() { echo "course.sh: $*" >&2; exit 1; }
usage() {
  sed -n '2,6p' "$0" | sed 's/^# //' >&2
  exit 1
}

# --- the task table (course/tasks.tsv) ---
task_count="$(grep -c . "$root/course/tasks.tsv")"
task_line() { awk -F'\t' -v n="$1" '$1 == n' "$root/course/tasks.tsv"; }
task_field() { task_line "$1" | cut -f "$2"; }  # 2 slug, 3 files, 4 test, 5 reading, 6 title
task_files() { task_field "$1" 3 | tr ',' ' '; }
suite_of() { printf 'task%02d' "$1"; }

# The task number the user gave, checked.
task_number() {
  local n="${1:-}"
  [ -n "$n" ] || die "which task? give its number, 1 to $task_count (course.sh progress lists them)"
  [[ "$n" =~ ^[0-9]+$ ]] || die "'$n' is not a task number; the tasks are 1 to $task_count"
  n=$((10#$n))
  [ -n "$(task_line "$n")" ] || die "there is no task $n; the tasks are 1 to $task_count"
  echo "$n"
}

started_mark() { echo "$work/.course/$(suite_of "$1").started"; }
is_started() { [ -f "$(started_mark "$1")" ]; }

# confirm QUESTION REFUSAL: yes (return 0) only if --yes was given or the user types y.
confirm() {
  [ "$assume_yes" = 1 ] && return 0
  [ -t 0 ] || die "$2"
  local reply=""
  printf '%s [y/N] ' "$1" >&2
  read -r reply || true
  case "$reply" in
    y | Y | yes | Yes) return 0 ;;
    *) echo "Nothing changed." >&2; exit 1 ;;
  esac
}

# Point build-course at the work folder (meson looks for the copies when it configures).
configure() {
  if [ -f "$build/build.ninja" ]; then
    "$meson" setup --reconfigure "$build" "$root" -Dcourse_dir="$work" > "$work/.course/configure.log" 2>&1
  else
    "$meson" setup "$build" "$root" -Dcourse_dir="$work" > "$work/.course/configure.log" 2>&1
  fi || { cat "$work/.course/configure.log" >&2; die "meson could not configure $build (its messages are above)"; }
}

# Write task n's starter into the work folder: each of its files, taken from your
# copy if you have one (so your earlier tasks stay) or else from the library, with
# the task's regions blanked. Your copies are backed up first.
write_starter() {
  local n="$1" f stamp
  stamp="$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$work/.course"
  for f in $(task_files "$n"); do
    local from="$root/$f"
    if [ -f "$work/$f" ]; then
      from="$work/$f"
      mkdir -p "$(dirname "$work/.course/backup/$f")"
      cp "$work/$f" "$work/.course/backup/$f.$stamp"
    fi
    mkdir -p "$(dirname "$work/$f")"
    python3 "$files_py" starter "$n" "$from" "$work/.course/new.cpp" ||
      die "could not make the starter of $f (the message above says why)"
    mv "$work/.course/new.cpp" "$work/$f"
  done
  touch "$(started_mark "$n")"
}

list_files() { local f; for f in $(task_files "$1"); do printf '  %s\n' "${work#"$root"/}/$f"; done; }

cmd_start() {
  local n
  n="$(task_number "${1:-}")"
  if is_started "$n"; then
    confirm "Task $n is started already. Start it again from the starter? Your task $n code in
$(list_files "$n")
is replaced (a copy goes to ${work#"$root"/}/.course/backup)." \
      "task $n is started already; starting it again would replace your task $n code: run it in a terminal to be asked, or add --yes"
  fi
  write_starter "$n"
  configure
  cat <<EOF
Task $n: $(task_field "$n" 6)
  Read:  $(task_field "$n" 5)
  Write: the lines marked // TASK $n in
$(list_files "$n")
  Grade: course/course.sh grade $n
EOF
}

cmd_reset() {
  local n
  n="$(task_number "${1:-}")"
  is_started "$n" || die "task $n is not started, so there is nothing to reset (course.sh start $n starts it)"
  confirm "Reset task $n to its starter? Your task $n code in
$(list_files "$n")
is replaced (a copy goes to ${work#"$root"/}/.course/backup)." \
    "reset would replace your task $n code: run it in a terminal to be asked, or add --yes"
  write_starter "$n"
  configure
  echo "Task $n is back to its starter."
}

# Build task n's test program against your code and run its suite; print the hints.
# Returns 0 if it passes, 1 if a check fails, 2 if the code does not compile.
run_suite() {
  local n="$1" quiet="${2:-}" suite log
  suite="$(suite_of "$n")"
  [ -f "$build/build.ninja" ] || configure
  log="$work/.course/$suite.log"
  if ! "$meson" compile -C "$build" "course/$suite" > "$log" 2>&1; then
    [ -n "$quiet" ] || { cat "$log"; echo "Task $n: your code does not compile (the compiler's messages are above)."; }
    return 2
  fi
  if "$meson" test -C "$build" --no-rebuild --suite "$suite" > "$log" 2>&1; then
    [ -n "$quiet" ] || echo "Task $n passes: every check holds."
    return 0
  fi
  [ -n "$quiet" ] && return 1
  # Each "ERROR: hint: ..." line once, with the line after it (what was found) if it says more.
  local hints
  hints="$(awk '/ERROR: hint: / { sub(/.*ERROR: hint: /, ""); hint = $0; if (!(hint in seen)) { seen[hint] = 1; print "  - " hint; show = 1 } else show = 0; next }
       show && /^  \(/ { print "    " $0; show = 0; next } { show = 0 }' "$build/meson-logs/testlog.txt")"
  if [ -n "$hints" ]; then
    echo "Task $n does not pass yet. The failing checks, each with its hint:"
    echo "$hints"
  else
    echo "Task $n does not pass yet: its test program stopped before any check could report (a crash?)."
  fi
  echo "(the whole output: ${build#"$root"/}/meson-logs/testlog.txt)"
  return 1
}

cmd_grade() {
  local n
  n="$(task_number "${1:-}")"
  [ -d "$work" ] || die "there is no work folder ${work#"$root"/} yet; course.sh start $n makes it"
  is_started "$n" || die "task $n is not started; course.sh start $n copies its starter into ${work#"$root"/}"
  run_suite "$n"
}

cmd_progress() {
  local n status
  for n in $(cut -f 1 "$root/course/tasks.tsv"); do
    status="not started"
    if is_started "$n"; then
      status=started
      run_suite "$n" quiet && status=passing
    fi
    printf '%2d  %-11s  %s\n' "$n" "$status" "$(task_field "$n" 6)"
  done
  echo "(course.sh grade N shows what a started task still lacks, with hints)"
}

cmd_answer() {
  local n program
  n="$(task_number "${1:-}")"
  [ -f "$root/course/answers/$(suite_of "$n")_$(task_field "$n" 2).cpp" ] ||
    die "task $n has no questions with answers yet"
  program="course/answer_$(printf '%02d' "$n")"
  if [ ! -f "$reference_build/build.ninja" ]; then
    "$meson" setup "$reference_build" "$root" > /dev/null || die "meson could not configure ${reference_build#"$root"/}"
  fi
  "$meson" compile -C "$reference_build" "$program" > /dev/null ||
    die "could not build $program in ${reference_build#"$root"/} (meson compile -C ${reference_build#"$root"/} $program shows why)"
  "$reference_build/$program"
}

assume_yes=0
args=()
for a in "$@"; do
  case "$a" in
    --yes | -y) assume_yes=1 ;;
    *) args+=("$a") ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
  start) cmd_start "$@" ;;
  grade) cmd_grade "$@" ;;
  progress) cmd_progress ;;
  reset) cmd_reset "$@" ;;
  answer) cmd_answer "$@" ;;
  -h | --help | help) usage ;;
  *) echo "course.sh: unknown command '$command'" >&2; usage ;;
esac
