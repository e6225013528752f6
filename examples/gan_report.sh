#!/usr/bin/env bash
# gan_report.sh — the GAN vs CGAN comparison, measured: train (or reuse) both
# programs over several seeds with the same budget, measure them with the judge
# every few epochs, and write a report directory with a table and plots.
#
#   examples/gan_report.sh [--data DIR] [--archs mlp,article] [--seeds 3] [--epochs 30]
#                          [--eval-every 5] [--samples 10000] [--judge-arch cnn] [--judge-epochs 20]
#                          [--out out/report] [--build build]
#
# What it does, in order (each step prints "[i/n] what"):
#   1. the judge: mnist_classifier --arch JUDGE_ARCH on --data, unless OUT/judge/judge.safetensors
#      exists (a judge of another arch there is refused: one report, one judge);
#   2. the real test set measured by the judge (the ceiling of every metric);
#   3. for each arch and seed: gan_mnist and cgan_mnist side by side (one core each),
#      trained in segments of --eval-every epochs (`--resume` continues a run exactly,
#      so a run trained in segments equals one trained in one go); after each segment
#      `evaluate` measures the checkpoint: OUT/<arch>/runs/<program>-seed<s>/eval/epoch_NNN.json;
#   4. for each arch, the report OUT/<arch>/: summary.md (metric x GAN / CGAN / real,
#      mean ± std over seeds), samples.png, histograms.png, losses.png, metrics.png
#      (plots drawn by gnuplot from the TSV files in OUT/<arch>/data/); and OUT/README.md.
# Work already done is skipped: a measured epoch is never trained or measured again,
# so running the same command a second time only rebuilds the report. A run that was
# interrupted continues from its last checkpoint (written after every epoch).
#
# Needs: the build's gan_mnist, cgan_mnist, mnist_classifier, evaluate and
# tools/side_by_side; jq and gnuplot (Debian: jq, gnuplot-nox; see bootstrap.sh).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# The command as typed, for the summaries (arguments with unusual characters quoted).
command_line="examples/gan_report.sh"
for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./,=:+-]+$ ]]; then command_line+=" $arg"; else command_line+=" $(printf %q "$arg")"; fi
done

die() { echo "gan_report: $*" >&2; exit 2; }

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------
# Options

data="${XGRAD_DATA:-$root/data/mnist}"
archs="mlp,article"
seeds=3
epochs=30
eval_every=5
samples=10000
judge_epochs=20
judge_arch=cnn
out="out/report"
build="${BUILD_DIR:-build}"

positive() {  # positive OPTION VALUE: VALUE must be a whole number > 0
    [[ "$2" =~ ^[0-9]+$ ]] && [ "$((10#$2))" -gt 0 ] || die "$1 must be a positive integer, got '$2'"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --data|--archs|--seeds|--epochs|--eval-every|--samples|--judge-arch|--judge-epochs|--out|--build)
            [ $# -ge 2 ] || die "$1 needs a value"
            case "$1" in
                --data) data="$2" ;;
                --archs) archs="$2" ;;
                --seeds) positive "$1" "$2"; seeds=$((10#$2)) ;;
                --epochs) positive "$1" "$2"; epochs=$((10#$2)) ;;
                --eval-every) positive "$1" "$2"; eval_every=$((10#$2)) ;;
                --samples) positive "$1" "$2"; samples=$((10#$2)) ;;
                --judge-arch) judge_arch="$2" ;;
                --judge-epochs) positive "$1" "$2"; judge_epochs=$((10#$2)) ;;
                --out) out="$2" ;;
                --build) build="$2" ;;
            esac
            shift 2 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

[ $((samples % 10)) -eq 0 ] || die "--samples must be a multiple of 10, got $samples"
IFS=, read -r -a arch_list <<< "$archs"
[ ${#arch_list[@]} -gt 0 ] || die "--archs is empty (use a comma-separated list of mlp, dcgan, article, paper)"
for a in "${arch_list[@]}"; do
    case "$a" in mlp|dcgan|article|paper) ;; *) die "--archs: unknown arch '$a' (use mlp, dcgan, article or paper)" ;; esac
done
case "$judge_arch" in cnn|mlp) ;; *) die "--judge-arch: unknown arch '$judge_arch' (use cnn or mlp)" ;; esac
[ -d "$data" ] || die "--data $data: no such directory (run examples/fetch_mnist.sh first)"
data="$(cd "$data" && pwd)"
for tool in gan_mnist cgan_mnist mnist_classifier evaluate tools/side_by_side; do
    [ -x "$build/examples/$tool" ] || die "--build $build: no examples/$tool there (build first: meson setup $build && ninja -C $build)"
done
build="$(cd "$build" && pwd)"
for tool in jq gnuplot; do
    command -v "$tool" > /dev/null || die "$tool is not installed (./bootstrap.sh installs it)"
done
mkdir -p "$out" 2> /dev/null || die "--out $out: cannot create directory"
out="$(cd "$out" && pwd)"

# One report directory holds runs on one data set: its runs and judge belong to it.
if [ -f "$out/data.txt" ]; then
    [ "$(cat "$out/data.txt")" = "$data" ] \
        || die "--out $out holds runs on $(cat "$out/data.txt"), not $data (choose another --out)"
else
    echo "$data" > "$out/data.txt"
fi
data_name="$(basename "$data")"

# The epochs after which a run is measured: every --eval-every, and the last.
eval_epochs=()
for ((e = eval_every; e < epochs; e += eval_every)); do eval_epochs+=("$e"); done
eval_epochs+=("$epochs")

# The plan's steps are numbered up front, so the two programs running side by side
# can name their steps: judge, real, then per arch (seed x segment x program) + report.
per_arch=$((seeds * ${#eval_epochs[@]} * 2 + 1))
total=$((2 + ${#arch_list[@]} * per_arch))
step() { echo "[$1/$total] $2"; }  # step NUMBER TEXT

judge="$out/judge/judge.safetensors"

# ---------------------------------------------------------------------------------------
# Training and measuring

# metadata FILE KEY: one entry of a safetensors file's metadata, read from its header:
# 8 bytes of little-endian length, then JSON with __metadata__.
metadata() {
    local n
    n="$(head -c 8 "$1" | od -An -tu8 | tr -d ' ')"
    head -c "$((8 + n))" "$1" | tail -c +9 | jq -r ".__metadata__.$2"
}

# The epoch a training checkpoint was saved after (0 when there is none).
checkpoint_epoch() {
    [ -f "$1" ] || { echo 0; return; }
    metadata "$1" epoch
}

# evaluate with one OpenBLAS thread (the other core is busy with the other program).
measure() { OPENBLAS_NUM_THREADS=1 "$build/examples/evaluate" --judge "$judge" --data "$data" "$@"; }

# train_segment DIR PROGRAM ARCH SEED EPOCH: train DIR's run on to EPOCH (from its
# checkpoint, if it has one), then measure it into DIR/eval/epoch_NNN.json (and .txt).
train_segment() {
    local dir="$1" prog="$2" arch="$3" seed="$4" e="$5" have json
    json="$dir/eval/epoch_$(printf %03d "$e").json"
    have="$(checkpoint_epoch "$dir/checkpoint.safetensors")"
    if [ "$have" -gt "$e" ]; then
        echo "gan_report: $dir was trained to epoch $have but never measured at epoch $e;" \
             "delete the directory to train it again" >&2
        return 1
    fi
    if [ "$have" -lt "$e" ]; then
        # Continue from a checkpoint (one saved mid-epoch 1 says epoch 0); a first
        # segment that died before its first checkpoint left only losses.csv: start over.
        local resume=()
        if [ -f "$dir/checkpoint.safetensors" ]; then resume=(--resume)
        elif [ -e "$dir/losses.csv" ]; then resume=(--overwrite)
        fi
        "$build/examples/$prog" --data "$data" --arch "$arch" --seed "$seed" --epochs "$e" \
            --sample-every "$eval_every" --threads 1 --out "$dir" "${resume[@]}" || return 1
    fi
    measure --checkpoint "$dir/checkpoint.safetensors" --samples "$samples" --seed 1 --json "$json" \
        > "${json%.json}.txt" || return 1
}

# run_chain PROGRAM ARCH SEED FIRST_STEP WHERE: one run, segment by segment, each
# segment skipped when its measurement exists. WHERE = terminal: the trainer's
# progress shows here; WHERE = log: it goes to the run's log.txt.
run_chain() {
    local prog="$1" arch="$2" seed="$3" n="$4" where="$5"
    local dir="$out/$arch/runs/$prog-seed$seed" from=0 e
    mkdir -p "$dir/eval"
    for e in "${eval_epochs[@]}"; do
        if [ -f "$dir/eval/epoch_$(printf %03d "$e").json" ]; then
            step "$n" "$prog arch=$arch seed=$seed epochs $from..$e: done before, reused"
        else
            step "$n" "$prog arch=$arch seed=$seed epochs $from..$e"
            if [ "$where" = terminal ]; then
                train_segment "$dir" "$prog" "$arch" "$seed" "$e" || return 1
            else
                train_segment "$dir" "$prog" "$arch" "$seed" "$e" >> "$dir/log.txt" 2>&1 || return 1
            fi
        fi
        from="$e"
        n=$((n + 2))
    done
}

background_pid=""
# Ctrl-C or an error: stop the program running in the background too.
stop_background() {
    if [ -n "$background_pid" ] && kill -0 "$background_pid" 2> /dev/null; then
        pkill -TERM -P "$background_pid" 2> /dev/null || true
        kill "$background_pid" 2> /dev/null || true
    fi
}
trap stop_background EXIT
trap 'exit 130' INT TERM

if [ -f "$judge" ]; then
    # One report, one judge: its numbers are only comparable when measured by the same network.
    judge_has="$(metadata "$judge" arch)"
    [ "${judge_has%%-*}" = "$judge_arch" ] \
        || die "--judge-arch $judge_arch, but $judge is a $judge_has judge (choose another --out)"
    step 1 "judge on $data_name: done before, reused ($judge)"
else
    step 1 "judge: mnist_classifier --arch $judge_arch on $data ($judge_epochs epochs)"
    mkdir -p "$out/judge"
    "$build/examples/mnist_classifier" --arch "$judge_arch" --data "$data" --epochs "$judge_epochs" --out "$out/judge" \
        | tee "$out/judge/log.txt"
fi
if [ -f "$out/real.json" ]; then
    step 2 "real test set measured by the judge: done before, reused"
else
    step 2 "real test set measured by the judge"
    OPENBLAS_NUM_THREADS=2 "$build/examples/evaluate" --judge "$judge" --data "$data" --real --json "$out/real.json"
fi

# ---------------------------------------------------------------------------------------
# The report: TSV tables from the JSON files and loss CSVs, gnuplot draws them.

# jq helpers: mean and sample standard deviation (n - 1) of an array of numbers.
jq_stats='def mean: add / length;
          def std: mean as $m | if length < 2 then null
                   else (map((. - $m) * (. - $m)) | add / (length - 1) | sqrt) end;'

# The class names, for the plots and the summary.
class_names() {
    case "$data_name" in
        *fashion*) echo "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot" ;;
        *) echo "0,1,2,3,4,5,6,7,8,9" ;;
    esac
}

# final_jsons ARCH PROGRAM: the last measurement of every seed.
final_jsons() {
    local s
    for ((s = 1; s <= seeds; s++)); do
        echo "$out/$1/runs/$2-seed$s/eval/epoch_$(printf %03d "$epochs").json"
    done
}

# cell DECIMALS KEY FILE...: "mean ± std" of KEY over the files, the mean alone for
# one file, "—" when KEY is null (the GAN has no conditional accuracy).
cell() {
    local decimals="$1" key="$2"; shift 2
    jq -rs "$jq_stats"'map(.'"$key"') | if any(. == null) then "null" else "\(mean) \(std // "")" end' "$@" |
        awk -v d="$decimals" '$1 == "null" { print "—"; next }
                              NF == 1 { printf "%.*f\n", d, $1; next }
                              { printf "%.*f ± %.*f\n", d, $1, d, $2 }'
}

write_tables() {  # write_tables ARCH: OUT/ARCH/data/*.tsv for gnuplot
    local arch="$1" dir="$out/$1/data" prog s
    mkdir -p "$dir"
    for prog in gan_mnist cgan_mnist; do
        # Mean d_loss and g_loss per epoch, over the epoch's steps and the seeds.
        local csvs=()
        for ((s = 1; s <= seeds; s++)); do csvs+=("$out/$arch/runs/$prog-seed$s/losses.csv"); done
        awk -F, 'FNR > 1 && $2 <= '"$epochs"' { d[$2] += $3; g[$2] += $4; n[$2]++ }
                 END { print "# epoch\td_loss\tg_loss"
                       for (e = 1; e in n; e++) printf "%d\t%.5f\t%.5f\n", e, d[e] / n[e], g[e] / n[e] }' \
            "${csvs[@]}" > "$dir/losses_$prog.tsv"
        # The metrics at every measured epoch: mean and std over the seeds.
        jq -rs "$jq_stats"'
            def ms(k): map(k) | if any(. == null) then "nan\tnan" else "\(mean)\t\(std // 0)" end;
            "# epoch\tclasses_covered\tstd\tkl_uniform\tstd\tconditional_accuracy\tstd\tfrechet_distance\tstd",
            (group_by(.epoch)[] | "\(.[0].epoch)\t\(ms(.classes_covered))\t\(ms(.kl_uniform))\t\(ms(.conditional_accuracy))\t\(ms(.frechet_distance))")' \
            "$out/$arch"/runs/"$prog"-seed*/eval/epoch_*.json > "$dir/metrics_$prog.tsv"
    done
    # The final class histograms as shares in %, mean and std over seeds, with the real test set's.
    local names; IFS=, read -r -a names <<< "$(class_names)"
    {
        printf '# class\tname\tgan\tstd\tcgan\tstd\treal\n'
        local c
        for c in 0 1 2 3 4 5 6 7 8 9; do
            printf '%d\t"%s"\t%s\t%s\t%s\n' "$c" "${names[$c]}" \
                "$(jq -rs --argjson c "$c" "$jq_stats"'map(.histogram[$c] * 100 / .samples) | "\(mean)\t\(std // 0)"' $(final_jsons "$arch" gan_mnist))" \
                "$(jq -rs --argjson c "$c" "$jq_stats"'map(.histogram[$c] * 100 / .samples) | "\(mean)\t\(std // 0)"' $(final_jsons "$arch" cgan_mnist))" \
                "$(jq -r --argjson c "$c" '.histogram[$c] * 100 / .samples' "$out/real.json")"
        done
    } > "$dir/histograms.tsv"
}

plot() {  # plot ARCH: the four PNGs of OUT/ARCH
    local arch="$1" dir="$out/$1" title_seeds
    title_seeds="$seeds seeds"
    [ "$seeds" -gt 1 ] || title_seeds="1 seed"
    "$build/examples/tools/side_by_side" "$dir/samples.png" \
        "$dir/runs/gan_mnist-seed1/samples.png" "$dir/runs/cgan_mnist-seed1/samples.png"
    gnuplot <<EOF
set terminal pngcairo size 1100,420 font "sans,10"
set datafile separator "\t"
set style fill solid 0.8 border -1
set style histogram errorbars gap 1 lw 1
set style data histograms
set yrange [0:*]
set ylabel "share of samples judged as the class (%)"
set xtics rotate by -30
set grid ytics
set key below

set output "$dir/histograms.png"
set multiplot layout 1,2 title "$data_name, arch $arch: classes the judge sees in the samples (epoch $epochs, mean ± std over $title_seeds)"
set title "GAN"
plot "$dir/data/histograms.tsv" using 3:4:xtic(2) title "GAN" lc rgb "#d95f02", \
     "" using 7:(0) title "real test set" lc rgb "#999999"
set title "CGAN (samples ask for each class equally)"
plot "$dir/data/histograms.tsv" using 5:6:xtic(2) title "CGAN" lc rgb "#1b9e77", \
     "" using 7:(0) title "real test set" lc rgb "#999999"
unset multiplot

reset
set terminal pngcairo size 1100,420 font "sans,10"
set datafile separator "\t"
set output "$dir/losses.png"
set grid
set xlabel "epoch"
set ylabel "loss (mean over the epoch's steps and the seeds)"
set key top right
set multiplot layout 1,2 title "$data_name, arch $arch: training losses ($title_seeds)"
set title "discriminator loss"
plot "$dir/data/losses_gan_mnist.tsv" using 1:2 with lines lw 2 lc rgb "#d95f02" title "GAN", \
     "$dir/data/losses_cgan_mnist.tsv" using 1:2 with lines lw 2 lc rgb "#1b9e77" title "CGAN"
set title "generator loss"
plot "$dir/data/losses_gan_mnist.tsv" using 1:3 with lines lw 2 lc rgb "#d95f02" title "GAN", \
     "$dir/data/losses_cgan_mnist.tsv" using 1:3 with lines lw 2 lc rgb "#1b9e77" title "CGAN"
unset multiplot

reset
set terminal pngcairo size 1100,800 font "sans,10"
set datafile separator "\t"
set output "$dir/metrics.png"
set grid
set xlabel "epoch"
set xrange [0:$epochs]
set xtics $eval_every
set key below height 1
set offsets 0, 0, graph 0.05, graph 0.05
gan = "$dir/data/metrics_gan_mnist.tsv"
cgan = "$dir/data/metrics_cgan_mnist.tsv"
set multiplot layout 2,2 title "$data_name, arch $arch: the judge's measurements during training (mean ± std over $title_seeds)"
set title "classes covered (of 10; real test set: $(jq .classes_covered "$out/real.json"))"
set yrange [0:10.5]
plot gan using 1:2:3 with yerrorlines lw 2 lc rgb "#d95f02" title "GAN", \
     cgan using 1:2:3 with yerrorlines lw 2 lc rgb "#1b9e77" title "CGAN"
set yrange [0:*]
set title "KL(class histogram || uniform), nats (0 = every class equally often)"
plot gan using 1:4:5 with yerrorlines lw 2 lc rgb "#d95f02" title "GAN", \
     cgan using 1:4:5 with yerrorlines lw 2 lc rgb "#1b9e77" title "CGAN", \
     $(jq .kl_uniform "$out/real.json") with lines dt 2 lc rgb "#999999" title "real test set"
set title "conditional accuracy (CGAN: judge agrees with the requested class)"
set yrange [0:1]
plot cgan using 1:6:7 with yerrorlines lw 2 lc rgb "#1b9e77" title "CGAN", \
     $(jq .conditional_accuracy "$out/real.json") with lines dt 2 lc rgb "#999999" title "judge on real test set"
set yrange [0:*]
set title "Fréchet distance to the real test set (judge features; lower is closer)"
plot gan using 1:8:9 with yerrorlines lw 2 lc rgb "#d95f02" title "GAN", \
     cgan using 1:8:9 with yerrorlines lw 2 lc rgb "#1b9e77" title "CGAN", \
     $(jq .frechet_distance "$out/real.json") with lines dt 2 lc rgb "#999999" title "real test vs real train"
unset multiplot
EOF
}

write_summary() {  # write_summary ARCH: OUT/ARCH/summary.md
    local arch="$1" gan cgan real="$out/real.json" train_line
    mapfile -t gan < <(final_jsons "$arch" gan_mnist)
    mapfile -t cgan < <(final_jsons "$arch" cgan_mnist)
    train_line="$(grep -m1 -h "training images from" "$out/$arch/runs/gan_mnist-seed1/log.txt" 2> /dev/null || true)"
    row() {  # row NAME DECIMALS KEY
        echo "| $1 | $(cell "$2" "$3" "${gan[@]}") | $(cell "$2" "$3" "${cgan[@]}") | $(cell "$2" "$3" "$real") |"
    }
    {
        echo "# GAN vs CGAN on $data_name, arch $arch"
        echo
        echo "- Data: \`$data\` (${train_line#*: }); the judge and the metrics use its test split."
        [ "$(class_names)" = "0,1,2,3,4,5,6,7,8,9" ] || echo "- Classes 0–9: $(class_names | sed 's/,/, /g')."
        echo "- Command: \`$command_line\`"
        echo "- Each program: $epochs epochs (default batch size, learning rate and loss weights), seeds 1..$seeds,"
        echo "  measured every $eval_every epochs on $samples samples drawn with evaluate's seed 1."
        echo "- Judge: \`$judge\`, test accuracy $(jq -r '.conditional_accuracy * 10000 | round / 100' "$real")%."
        echo
        echo "At epoch $epochs; mean ± standard deviation over the $seeds seed(s) (sample std, n − 1):"
        echo
        echo "| metric | GAN | CGAN | real test set |"
        echo "|---|---|---|---|"
        row "classes covered (of 10, ≥ 1% each)" 1 classes_covered
        row "KL(class histogram ‖ uniform), nats" 4 kl_uniform
        row "conditional accuracy" 4 conditional_accuracy
        row "Fréchet distance (judge features)" 2 frechet_distance
        row "classifier score (1 to 10)" 3 classifier_score
        row "mean within-class diversity" 3 mean_within_class_diversity
        echo
        echo "Real test set column: the test split measured like a generator's samples (its"
        echo "conditional accuracy is the judge's test accuracy; its Fréchet distance is test vs train)."
        echo
        echo "Final sample grids of seed 1 (left: GAN; right: CGAN, row r asks for class r):"
        echo
        echo "![samples](samples.png)"
        echo
        echo "![class histograms](histograms.png)"
        echo
        echo "![losses](losses.png)"
        echo
        echo "![metrics over epochs](metrics.png)"
    } > "$out/$arch/summary.md"
}

# ---------------------------------------------------------------------------------------
# The plan

n=3
for arch in "${arch_list[@]}"; do
    for ((seed = 1; seed <= seeds; seed++)); do
        # Two programs, two cores: the GAN in the background (its output in its log),
        # the CGAN here, each on one OpenBLAS thread.
        gan_log="$out/$arch/runs/gan_mnist-seed$seed/log.txt"
        run_chain gan_mnist "$arch" "$seed" "$n" log &
        background_pid=$!
        cgan_status=0
        run_chain cgan_mnist "$arch" "$seed" "$((n + 1))" terminal || cgan_status=$?
        gan_status=0
        wait "$background_pid" || gan_status=$?
        background_pid=""
        if [ "$gan_status" -ne 0 ] || [ "$cgan_status" -ne 0 ]; then
            tail -n 5 "$gan_log" >&2
            echo "gan_report: arch $arch seed $seed failed (gan_mnist exit $gan_status, log $gan_log;" \
                 "cgan_mnist exit $cgan_status)" >&2
            exit 1
        fi
        n=$((n + 2 * ${#eval_epochs[@]}))
    done
    step "$n" "report for arch $arch: $out/$arch/summary.md"
    write_tables "$arch"
    plot "$arch"
    write_summary "$arch"
    n=$((n + 1))
done

# The index lists every arch reported in OUT so far (each summary names its command).
{
    echo "# GAN vs CGAN reports on $data_name"
    echo
    for summary in "$out"/*/summary.md; do
        arch="$(basename "$(dirname "$summary")")"
        echo "- [arch $arch]($arch/summary.md): $(sed -n 's/^- Each program: \(.*\) (default.*/\1/p' "$summary")"
    done
} > "$out/README.md"
echo "wrote $out/README.md"
