#!/usr/bin/env bash
# test_interrupt.sh BUILD_DIR SOURCE_DIR PAUSE_RENAME_LIB — no lost work
# (examples/common/interrupt.hpp, train_state.hpp, the atomic writes of nn/atomic_file.cpp),
# on real digits:
#   - Ctrl-C (SIGINT) in the middle of an epoch saves a checkpoint and exits 130 with
#     a message saying where it is; --resume continues from that very step, and the
#     run ends with the checkpoint and losses of an uninterrupted run, byte for byte;
#   - SIGTERM does the same with exit status 143;
#   - kill -9 in the middle of a checkpoint write leaves the previous checkpoint, which loads;
#   - a write that hits a file-size limit (ulimit -f) gives one clear line and
#     leaves the previous checkpoint as it was.
set -uo pipefail
build="$1"; src="$2"; pause_rename="$3"  # tests/pause_rename.c, built
source "$src/tests/script_lib.sh" || exit 1  # data, tmp, pass, fail
fetch_digits  # the npm digits into $data
pids=()  # background runs, killed if the script stops early
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

gan="$build/examples/gan_mnist"
cgan="$build/examples/cgan_mnist"

# wait_for CONDITION...: poll every 0.05 s, for at most 600 s; false on timeout.
wait_for() {
  local i
  for ((i = 0; i < 12000; ++i)); do "$@" && return 0; sleep 0.05; done
  return 1
}
# A training run whose checkpoint and log are compared below: 2 epochs of 125 steps.
args=(--data "$data" --epochs 2 --sample-every 1)

# The reference: 2 epochs without interruption.
"$cgan" "${args[@]}" --out "$tmp/whole" > "$tmp/whole.log" 2>&1 || { fail "uninterrupted run"; tail -n 5 "$tmp/whole.log"; }

# interrupt SIGNAL EXPECTED_STATUS: start a run, send SIGNAL as soon as epoch 1's
# checkpoint and samples exist (so epoch 2 is under way), check the exit and the message,
# resume, and compare with the uninterrupted run.
interrupt() {
  local sig="$1" expected="$2" out="$tmp/run_$1"
  "$cgan" "${args[@]}" --out "$out" > "$out.log" 2> "$out.err" &
  local pid=$!; pids+=("$pid")
  # Epoch 1's checkpoint, then its sample grid: after that comes epoch 2's first step.
  wait_for test -f "$out/samples.png" || { fail "$sig: no first checkpoint"; return; }
  sleep 0.3  # well inside epoch 2 (an epoch takes seconds)
  kill -s "$sig" "$pid"
  local status=0
  wait "$pid" || status=$?
  [ "$status" -eq "$expected" ] && pass "$sig: exit status $expected" || { fail "$sig: exit status $status"; cat "$out.err"; }
  local msg; msg="$(tail -n 1 "$out.err")"
  local re="^cgan_mnist: SIG$sig: stopped in epoch 2 after batch ([0-9]+) \\(step ([0-9]+)\\); saved $out/checkpoint.safetensors\\. Run the same command with --resume to continue from there\\.$"
  if [[ "$msg" =~ $re ]] && [ "${BASH_REMATCH[2]}" -eq $((125 + BASH_REMATCH[1])) ]; then
    pass "$sig: says where it stopped and how to go on"
  else
    fail "$sig: message: $msg"
  fi
  local rows=$(($(wc -l < "$out/losses.csv") - 1))
  [ "$rows" -eq "${BASH_REMATCH[2]:-0}" ] && pass "$sig: the CSV holds every step done ($rows)" || fail "$sig: CSV rows $rows"
  ls "$out" | grep -q '\.tmp-' && fail "$sig: a temporary file was left behind" || pass "$sig: no temporary file left"
  if "$cgan" "${args[@]}" --resume --out "$out" > "$out.resume.log" 2>&1; then
    pass "$sig: --resume finishes"
  else
    fail "$sig: --resume"; tail -n 3 "$out.resume.log"; return
  fi
  grep -q "^resumed from $out/checkpoint.safetensors in epoch 2 after batch ${BASH_REMATCH[1]:-x} " "$out.resume.log" \
    && pass "$sig: resumed mid-epoch" || fail "$sig: resume line: $(grep resumed "$out.resume.log")"
  cmp "$out/checkpoint.safetensors" "$tmp/whole/checkpoint.safetensors" \
    && pass "$sig: final checkpoint identical to the uninterrupted run's" || fail "$sig: final checkpoint differs"
  cmp "$out/losses.csv" "$tmp/whole/losses.csv" && pass "$sig: losses.csv identical" || fail "$sig: losses.csv differs"
  cmp "$out/samples.png" "$tmp/whole/samples.png" && pass "$sig: samples identical" || fail "$sig: samples differ"
}
interrupt INT 130
interrupt TERM 143

# kill -9 in the middle of a checkpoint write: tests/pause_rename.c, preloaded, holds
# the rename of the finished temporary file over the checkpoint for 2 s; the kill comes
# then, during epoch 2's write. (A sanitizer build wants its runtime loaded first;
# verify_asan_link_order=0 lets the preloaded library go before it.)
k="$tmp/killed"
LD_PRELOAD="$pause_rename" PAUSE_RENAME_TO="$k/checkpoint.safetensors" \
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
  "$gan" --data "$data" --epochs 3 --out "$k" > "$k.log" 2>&1 &
pid=$!; pids+=("$pid")
tmp_exists() { compgen -G "$k/checkpoint.safetensors.tmp-*" > /dev/null; }
# The second "holding" line: epoch 1's checkpoint is in place and epoch 2's is written
# in full under its temporary name, its rename held up. The moment to kill.
second_hold() { [ "$(grep -c 'pause_rename: holding' "$k.log")" -ge 2 ] || ! kill -0 "$pid" 2>/dev/null; }
wait_for second_hold  # (or the run ended: then the checks below fail)
cp "$k/checkpoint.safetensors" "$tmp/before_kill.safetensors"
kill -9 "$pid"; wait "$pid" 2>/dev/null
cmp -s "$k/checkpoint.safetensors" "$tmp/before_kill.safetensors" && pass "kill -9 mid-write: checkpoint untouched" \
  || fail "kill -9 mid-write: checkpoint changed"
tmp_exists && pass "kill -9 mid-write: the new file is left under its temporary name" \
  || fail "kill -9 mid-write: no temporary file?"
"$gan" --data "$data" --epochs 2 --resume --out "$k" > "$k.resume.log" 2>&1 \
  && grep -q "^resumed from $k/checkpoint.safetensors after epoch 1 (step 125)$" "$k.resume.log" \
  && pass "kill -9 mid-write: the previous checkpoint loads" || { fail "kill -9: load"; tail -n 3 "$k.resume.log"; }
# The resumed run's own checkpoint write removed the dead run's temporary file.
tmp_exists && fail "kill -9 mid-write: the dead run's temporary file is still there" \
  || pass "kill -9 mid-write: the next write removed the dead run's temporary file"

# A full disk, as a file-size limit: the checkpoint (several MB) cannot be written;
# the CSV and the sample grids (small) can. One line, exit 1, old checkpoint intact.
cp "$k/checkpoint.safetensors" "$tmp/before_full.safetensors"
size_kb=$(( $(stat -c %s "$k/checkpoint.safetensors") / 1024 ))
status=0
( ulimit -f $((size_kb / 2)); exec "$gan" --data "$data" --epochs 3 --resume --out "$k" ) > "$k.full.log" 2> "$k.full.err" \
  || status=$?
msg="$(tail -n 1 "$k.full.err")"
re="^gan_mnist: write_safetensors\\($k/checkpoint.safetensors\\): cannot write \\(File too large\\)$"
[ "$status" -eq 1 ] && [[ "$msg" =~ $re ]] && pass "file-size limit: one clear line, exit 1" \
  || fail "file-size limit: exit $status, $msg"
cmp -s "$k/checkpoint.safetensors" "$tmp/before_full.safetensors" && pass "file-size limit: checkpoint untouched" \
  || fail "file-size limit: checkpoint changed"
compgen -G "$k/checkpoint.safetensors.tmp-*" > /dev/null && fail "file-size limit: temporary file left" \
  || pass "file-size limit: temporary file removed"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
