#!/usr/bin/env bash
# test_lab2d_report.sh BUILD_DIR SOURCE_DIR — examples/lab2d_report.sh on a tiny plan
# (2 seeds, 10 steps): it writes every file, its table has a row per data set and
# variant with the numbers of the runs (one row worked out again here with awk), a
# second invocation runs nothing, and bad options give one exact line and status 2.
set -uo pipefail
export LC_ALL=C
build="$1"; src="$2"
report="$src/examples/lab2d_report.sh"
source "$src/tests/script_lib.sh" || exit 1  # tmp, pass, fail, expect_exit (no digits needed)
# report_fails NAME EXPECTED ARGS...: the report exits with status 2 and exactly EXPECTED on stderr.
report_fails() { local name="$1" expected="$2"; shift 2; expect_exit "$name" 2 "$expected" "$report" "$@"; }

out="$tmp/report"
tiny=(--seeds 2 --steps 10 --batch-size 8 --out "$out" --build "$build")
if "$report" "${tiny[@]}" > "$tmp/first.log" 2>&1; then pass "tiny report runs"; else
  fail "tiny report runs"; tail -n 20 "$tmp/first.log"; echo "$failures failed"; exit 1; fi
grep -qx "lab2d_report: 26 of 26 runs of 10 steps to do, 2 at a time" "$tmp/first.log" && pass "the plan: 2 x 6 x 2 + 2 runs" \
  || fail "plan line: $(head -n 1 "$tmp/first.log")"
for f in summary.md scatter_ring.png scatter_grid.png gan_ring.gif gan_grid.gif; do
  [ -s "$out/$f" ] && pass "wrote $f" || fail "wrote $f"
done
[ "$(grep -c '^| [a-z]' "$out/summary.md")" -eq 14 ] && pass "table: 6 variants x 2 data sets (+ 2 headers)" \
  || fail "table rows: $(grep -c '^| [a-z]' "$out/summary.md")"
grep -q "^Command: \`examples/lab2d_report.sh --seeds 2 --steps 10 --batch-size 8 --out $out --build $build\` (.* s for 26 runs" \
  "$out/summary.md" && pass "summary names the command and the time" || fail "summary command line"

# The grid's d-steps-3 row (its numbers are not all 0 after 10 steps), worked out from the
# runs' last measurements: columns 4 (modes covered), 5 (high-quality share), 6 (KL).
want="$(for s in 1 2; do tail -n 1 "$out/runs/grid/d-steps-3/seed$s/metrics.csv"; done | awk -F, '
  function row(a, b) { m = (a + b) / 2; return sprintf("%.2f ± %.2f", m, sqrt((a - m)^2 + (b - m)^2)) }
  { c[NR] = $4; h[NR] = 100 * $5; k[NR] = $6; if ($4 == 25) all++ }
  END { printf "| d-steps-3 | %s | %d of 2 | %s | %s |", row(c[1], c[2]), all, row(h[1], h[2]), row(k[1], k[2]) }')"
got="$(sed -n '/^## grid/,$p' "$out/summary.md" | grep '^| d-steps-3 |')"
[ "$got" = "$want" ] && pass "grid d-steps-3 row matches its runs" || { fail "grid d-steps-3 row"; echo "     got:  $got"; echo "     want: $want"; }

# A second invocation reuses every run.
cp "$out/runs/ring/gan/seed1/metrics.csv" "$tmp/kept.csv"
"$report" "${tiny[@]}" > "$tmp/second.log" 2>&1 && grep -qx "lab2d_report: 0 of 26 runs of 10 steps to do, 2 at a time" \
  "$tmp/second.log" && pass "second invocation runs nothing" || fail "second invocation: $(head -n 1 "$tmp/second.log")"
cmp -s "$tmp/kept.csv" "$out/runs/ring/gan/seed1/metrics.csv" && pass "runs kept" || fail "a run changed"

report_fails "--seeds 0" "lab2d_report: --seeds must be a positive integer, got '0'" --seeds 0
report_fails "--steps 5" "lab2d_report: --steps must be at least 10 (a run is measured 10 times), got 5" --steps 5
report_fails "--batch-size 7" "lab2d_report: --batch-size must be even (pack-2 packs pairs), got 7" --batch-size 7
report_fails "--jobs" "lab2d_report: --jobs needs a value" --jobs
report_fails "unknown option" "lab2d_report: unknown option '--variants' (see --help)" --variants gan
report_fails "--build without gan2d" \
  "lab2d_report: --build $tmp: no examples/gan2d there (build first: meson setup $tmp && ninja -C $tmp)" --build "$tmp"

echo "$failures failed"
[ "$failures" -eq 0 ]
