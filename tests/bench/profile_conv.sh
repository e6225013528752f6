#!/usr/bin/env bash
# profile_conv.sh — where each layer of bench_conv spends its CPU time, from perf's samples.
#
#   tests/bench/profile_conv.sh BUILD [THREADS]      (needs perf: apt-get install linux-perf)
#
# For each layer (D1, D2, G1, G2) it runs
#   perf record -o OUT/LAYER.data BUILD/tests/bench/bench_conv --threads THREADS --step-only --layers LAYER ...
#   perf report -i OUT/LAYER.data --no-children --sort dso,symbol
# (OUT is a temporary directory, printed), then adds the percentages up by group:
#   openblas   every symbol of libopenblas (sgemm_kernel_*, small kernels, and the packing copies
#              sgemm_*copy_*, also shown on their own as "packing")
#   im2col, col2im   xgrad::kernels::im2col / col2im
#   bias_grad  the bias gradient's sums;  memmove / memset  libc's copies and fills
#   setup      drawing the random inputs once per layer (Generator, normal, sincos, log, mt19937)
#   other      everything else (the ops' own loops such as the bias fill, the tape, the kernel)
# The small layers run more steps, so that the one-off setup stays a few percent.
set -euo pipefail
build=${1:?usage: profile_conv.sh BUILD [THREADS]}
threads=${2:-1}
bench="$build/tests/bench/bench_conv"
[[ -x $bench ]] || { echo "profile_conv.sh: $bench: not built (meson compile -C $build tests/bench/bench_conv)" >&2; exit 2; }
command -v perf > /dev/null || { echo "profile_conv.sh: perf not found (apt-get install linux-perf)" >&2; exit 2; }
out=$(mktemp -d /tmp/profile_conv.XXXXXX)
echo "perf data and reports in $out; threads $threads"
for layer in D1 D2 G1 G2; do
    case $layer in D1 | G2) rounds=40 ;; *) rounds=10 ;; esac
    perf record -q -o "$out/$layer.data" "$bench" --threads "$threads" --step-only --layers "$layer" \
        --rounds "$rounds" --iters 5 > "$out/$layer.txt" 2>&1
    perf report -i "$out/$layer.data" --no-children --sort dso,symbol 2> /dev/null > "$out/$layer.report"
    awk -v layer="$layer" '
        /^#/ || !/%/ { next }
        {
            pct = $1; sub(/%/, "", pct); dso = $2; sym = ""
            for (i = 4; i <= NF; i++) sym = sym " " $i
            if (dso ~ /openblas/ && sym ~ /copy/) packing += pct
            if (dso ~ /openblas/) g = "openblas"
            else if (sym ~ /im2col/) g = "im2col"
            else if (sym ~ /col2im/) g = "col2im"
            else if (sym ~ /bias_grad/) g = "bias_grad"
            else if (sym ~ /memmove|memcpy/) g = "memmove"
            else if (sym ~ /memset/) g = "memset"
            else if (sym ~ /Generator|normal|sincos|log_fma|mersenne/) g = "setup"
            else g = "other"
            share[g] += pct
        }
        END {
            printf "%s  openblas %5.1f%% (packing %4.1f%%)  im2col %5.1f%%  col2im %5.1f%%  bias_grad %4.1f%%  memmove %4.1f%%  " \
                   "memset %4.1f%%  setup %4.1f%%  other %4.1f%%\n", layer, share["openblas"], packing, share["im2col"],
                   share["col2im"], share["bias_grad"], share["memmove"], share["memset"], share["setup"], share["other"]
        }' "$out/$layer.report"
done
echo "top symbols of each layer: head -30 $out/LAYER.report"
