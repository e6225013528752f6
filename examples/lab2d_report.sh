#!/usr/bin/env bash
# lab2d_report.sh — the two-dimensional lab's study: examples/gan2d for every variant
# below over --seeds seeds on the ring and on the grid, then a table and pictures.
#
#   examples/lab2d_report.sh [--seeds 10] [--steps 5000] [--batch-size 128] [--jobs 2]
#                            [--out out/lab2d] [--build build]
#
# The variants (gan2d options; everything else at gan2d's defaults):
#   gan          the plain GAN: non-saturating loss, 1 discriminator step, beta1 0.5
#   saturating   --loss saturating (the original minimax loss)
#   d-steps-3    --d-steps 3 (three discriminator steps per generator step)
#   beta1-0.9    --beta1 0.9 (Adam's default momentum)
#   pack-2       --pack 2 (PacGAN2: the discriminator judges two samples at once)
#   cgan         --model cgan (conditioned on the mode's index)
# Each run is measured 10 times on 2500 samples (its metrics.csv); the table uses the
# last measurement. Writes OUT/summary.md (mean ± std over seeds, the command, the
# time), OUT/scatter_ring.png and scatter_grid.png (seed 1 of every variant at the
# last step) and OUT/gan_ring.gif, gan_grid.gif (seed 1 of the plain GAN, 50 frames).
# A finished run is never run again: a second invocation only redraws the report.
set -euo pipefail

command_line="examples/lab2d_report.sh"
for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./,=:+-]+$ ]]; then command_line+=" $arg"; else command_line+=" $(printf %q "$arg")"; fi
done
die() { echo "lab2d_report: $*" >&2; exit 2; }
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }

seeds=10
steps=5000
batch=128
jobs=2
out="out/lab2d"
build="${BUILD_DIR:-build}"
positive() {  # positive OPTION VALUE: VALUE must be a whole number > 0
    [[ "$2" =~ ^[0-9]+$ ]] && [ "$((10#$2))" -gt 0 ] || die "$1 must be a positive integer, got '$2'"
}
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --seeds|--steps|--batch-size|--jobs|--out|--build)
            [ $# -ge 2 ] || die "$1 needs a value"
            case "$1" in
                --seeds) positive "$1" "$2"; seeds=$((10#$2)) ;;
                --steps) positive "$1" "$2"; steps=$((10#$2)) ;;
                --batch-size) positive "$1" "$2"; batch=$((10#$2)) ;;
                --jobs) positive "$1" "$2"; jobs=$((10#$2)) ;;
                --out) out="$2" ;;
                --build) build="$2" ;;
            esac
            shift 2 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
[ "$steps" -ge 10 ] || die "--steps must be at least 10 (a run is measured 10 times), got $steps"
[ $((batch % 2)) -eq 0 ] || die "--batch-size must be even (pack-2 packs pairs), got $batch"
[ -x "$build/examples/gan2d" ] || die "--build $build: no examples/gan2d there (build first: meson setup $build && ninja -C $build)"
command -v gnuplot > /dev/null || die "gnuplot is not installed (./bootstrap.sh installs it)"
mkdir -p "$out" 2> /dev/null || die "--out $out: cannot create directory"
out="$(cd "$out" && pwd)"
gan2d="$(cd "$build" && pwd)/examples/gan2d"

variants=(gan saturating d-steps-3 beta1-0.9 pack-2 cgan)
variant_options() {  # variant_options NAME: the gan2d options of a variant
    case "$1" in
        gan) ;;
        saturating) echo "--loss saturating" ;;
        d-steps-3) echo "--d-steps 3" ;;
        beta1-0.9) echo "--beta1 0.9" ;;
        pack-2) echo "--pack 2" ;;
        cgan) echo "--model cgan" ;;
    esac
}
datasets=(ring grid)
modes_of() { [ "$1" = ring ] && echo 8 || echo 25; }

# run_one DIR EVAL_EVERY DATA SEED OPTIONS...: one gan2d run into DIR, unless DIR holds a
# finished one (its metrics.csv reaches --steps); an unfinished one is run again.
finished() { [ -f "$1/metrics.csv" ] && [ "$(tail -n 1 "$1/metrics.csv" | cut -d, -f1)" = "$steps" ]; }
run_one() {
    local dir="$1" every="$2" data="$3" seed="$4"; shift 4
    if finished "$dir"; then return 0; fi
    mkdir -p "$dir"
    "$gan2d" --data "$data" --seed "$seed" --steps "$steps" --batch-size "$batch" --eval-every "$every" \
        --overwrite --out "$dir" "$@" > "$dir/log.txt" 2>&1 || { echo "lab2d_report: run failed, see $dir/log.txt" >&2; return 1; }
}
export -f finished run_one
export gan2d steps batch

# ---------------------------------------------------------------------------------------
# The runs: every data set x variant x seed, and two finely measured runs for the animations.
start=$SECONDS
every=$((steps / 10)); movie_every=$(( steps / 50 > 0 ? steps / 50 : 1 ))
plan="$out/plan.txt"
: > "$plan"
for data in "${datasets[@]}"; do
    for v in "${variants[@]}"; do
        for ((s = 1; s <= seeds; s++)); do
            line="$out/runs/$data/$v/seed$s $every $data $s"
            [ -z "$(variant_options "$v")" ] || line+=" $(variant_options "$v")"  # no trailing blank: xargs -L would join lines
            echo "$line" >> "$plan"
        done
    done
    echo "$out/movies/$data $movie_every $data 1" >> "$plan"
done
todo=0
while read -r dir _; do finished "$dir" || todo=$((todo + 1)); done < "$plan"
echo "lab2d_report: $todo of $(wc -l < "$plan") runs of $steps steps to do, $jobs at a time"
# shellcheck disable=SC2016
xargs -P "$jobs" -L 1 bash -c 'run_one "$@"' _ < "$plan" || die "some runs failed (see the message above)"
# The time of the runs, kept from the invocation that did them (a rerun only redraws).
if [ "$todo" -gt 0 ]; then
    echo "$((SECONDS - start)) s for $todo runs on $(nproc) cores, $jobs at a time" > "$out/time.txt"
fi

# ---------------------------------------------------------------------------------------
# The table: the last measurement of every run, mean ± std (n - 1) over the seeds.
# metrics.csv columns: step,d_loss,g_loss,modes_covered,high_quality,kl,mean_x,mean_y
summarize() {  # summarize DATA VARIANT: one table row
    local data="$1" v="$2" k
    k="$(modes_of "$data")"
    for ((s = 1; s <= seeds; s++)); do tail -n 1 "$out/runs/$data/$v/seed$s/metrics.csv"; done | awk -F, -v k="$k" -v v="$v" '
        function ms(sum, sq, n) { if (n == 0) return "–"; m = sum / n; sd = n > 1 ? sqrt((sq - n * m * m) / (n - 1)) : 0;
                                  if (sd < 0 || sd != sd) sd = 0; return sprintf("%.2f ± %.2f", m, sd) }
        { n++; c += $4; c2 += $4 * $4; if ($4 == k) all++; h = 100 * $5; hq += h; hq2 += h * h;
          if ($6 != "nan") { nk++; kl += $6; kl2 += $6 * $6 } }
        END { printf "| %s | %s | %d of %d | %s | %s%s |\n", v, ms(c, c2, n), all, n, ms(hq, hq2, n), ms(kl, kl2, nk),
                     nk < n ? sprintf(" (no high-quality sample in %d of %d seeds)", n - nk, n) : "" }'
}
summary="$out/summary.md"
{
    echo "# The two-dimensional lab: $seeds seeds, $steps steps, batch $batch"
    echo
    echo "Command: \`$command_line\` ($(cat "$out/time.txt"))."
    echo "Each number is the mean ± standard deviation over the seeds of the last measurement"
    echo "(2500 samples; a mode is covered by at least one sample within 3σ of it)."
    for data in "${datasets[@]}"; do
        echo
        echo "## $data ($(modes_of "$data") modes)"
        echo
        echo "| variant | modes covered | seeds with every mode | high quality (%) | KL(modes ‖ uniform) |"
        echo "|---|---|---|---|---|"
        for v in "${variants[@]}"; do summarize "$data" "$v"; done
    done
} > "$summary"

# ---------------------------------------------------------------------------------------
# The pictures (gnuplot): seed 1 of every variant at the last step, and the animations.
last_file="samples_step_$(printf %06d "$steps").csv"
for data in "${datasets[@]}"; do
    range=3; [ "$data" = grid ] && range=6
    {
        echo "set terminal pngcairo size 1200,820 font ',10'"
        echo "set output '$out/scatter_$data.png'"
        echo "set datafile separator ','"
        echo "set size ratio -1; set xrange [-$range:$range]; set yrange [-$range:$range]; unset key"
        echo "set multiplot layout 2,3 title '$data: seed 1 after $steps steps (blue: 2500 samples, red: the modes)'"
        for v in "${variants[@]}"; do
            echo "set title '$v'"
            echo "plot '$out/runs/$data/$v/seed1/$last_file' skip 1 using 1:2 with points pt 7 ps 0.15 lc rgb '#3060c0', \\"
            echo "     '$out/runs/$data/$v/seed1/modes.csv' skip 1 using 1:2 with points pt 6 ps 1.2 lc rgb 'red'"
        done
        echo "unset multiplot"
        echo "set terminal gif animate delay 15 size 420,420 font ',9'"
        echo "set output '$out/gan_$data.gif'"
        for f in "$out/movies/$data"/samples_step_*.csv; do
            n="$(basename "$f" .csv)"; n="$((10#${n#samples_step_}))"
            echo "set title 'plain GAN on the $data, seed 1: step $n'"
            echo "plot '$f' skip 1 using 1:2 with points pt 7 ps 0.3 lc rgb '#3060c0', '$out/movies/$data/modes.csv' skip 1 using 1:2 with points pt 6 ps 1.2 lc rgb 'red'"
        done
    } > "$out/plot_$data.gp"
    gnuplot "$out/plot_$data.gp" 2> "$out/plot_$data.log" || { cat "$out/plot_$data.log" >&2; die "gnuplot failed on $out/plot_$data.gp"; }
done
echo "lab2d_report: $summary, scatter_ring.png, scatter_grid.png, gan_ring.gif, gan_grid.gif in $out"
