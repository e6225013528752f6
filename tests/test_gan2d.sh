#!/usr/bin/env bash
# test_gan2d.sh BUILD_DIR SOURCE_DIR — examples/gan2d: a short run learns one Gaussian (its
# samples end within 0.1 of the mode, nearly all within 3 sigma), the same seed gives
# the same numbers, the CGAN with packing writes what it should, --arch pacgan builds
# PacGAN's networks (their parameters counted by hand), a run already in --out is kept
# unless --overwrite, and every bad option gets its exact one line.
set -u
export LC_ALL=C
build="$1"; src="$2"
g="$build/examples/gan2d"
source "$src/tests/script_lib.sh" || exit 1  # tmp, pass, fail, expect_exit (no digits needed)

# gan2d_fails NAME STATUS EXPECTED ARGS...: gan2d ARGS exits with STATUS and prints
# exactly EXPECTED (one line) on stderr.
gan2d_fails() { local name="$1" status="$2" expected="$3"; shift 3; expect_exit "$name" "$status" "$expected" "$g" "$@"; }

# The column COLUMN of the last row of a metrics.csv.
last_value() { tail -n 1 "$1" | cut -d, -f"$2"; }

# --- One Gaussian at (1, 1), sigma 0.05: the untrained generator is near (0.1, 0.1).
"$g" --data one --steps 300 --eval-every 300 --samples 1000 --seed 1 --out "$tmp/one" > "$tmp/one.log" 2>&1 \
  && pass "one Gaussian: runs" || { fail "one Gaussian: runs"; cat "$tmp/one.log"; }
m="$tmp/one/metrics.csv"
[ "$(sed -n 2p "$m" | cut -d, -f5)" = "0" ] && pass "one Gaussian: no sample near the mode before training" \
  || fail "one Gaussian: before training: $(sed -n 2p "$m")"
# columns: step,d_loss,g_loss,modes_covered,high_quality,kl,mean_x,mean_y
awk -F, -v hq="$(last_value "$m" 5)" -v x="$(last_value "$m" 7)" -v y="$(last_value "$m" 8)" \
  'BEGIN { exit !(hq >= 0.9 && x > 0.9 && x < 1.1 && y > 0.9 && y < 1.1) }' \
  && pass "one Gaussian: after 300 steps the samples sit on (1, 1)" \
  || fail "one Gaussian: last row $(tail -n 1 "$m") (want high_quality >= 0.9, mean within 0.1 of (1, 1))"
grep -q "^done: 1/1 modes covered" "$tmp/one.log" && pass "one Gaussian: final line" || fail "one Gaussian: final line"

# --- The same seed gives the same run; the files a run writes.
"$g" --data one --steps 300 --eval-every 300 --samples 1000 --seed 1 --out "$tmp/again" > /dev/null 2>&1
cmp -s "$m" "$tmp/again/metrics.csv" && pass "same seed, same metrics" || fail "same seed, different metrics"
cmp -s "$tmp/one/samples_step_000300.csv" "$tmp/again/samples_step_000300.csv" && pass "same seed, same samples" \
  || fail "same seed, different samples"

# --- CGAN on the ring with packing, two discriminator steps and the saturating loss.
"$g" --data ring --model cgan --pack 4 --d-steps 2 --loss saturating --steps 20 --eval-every 10 --samples 80 \
  --batch-size 64 --out "$tmp/cgan" > /dev/null 2>&1 && pass "cgan: runs" || fail "cgan: runs"
[ "$(ls "$tmp/cgan" | tr '\n' ' ')" = "metrics.csv modes.csv samples_step_000000.csv samples_step_000010.csv samples_step_000020.csv " ] \
  && pass "cgan: its files" || fail "cgan: files $(ls "$tmp/cgan" | tr '\n' ' ')"
[ "$(head -n 1 "$tmp/cgan/samples_step_000020.csv")" = "x,y,mode" ] && [ "$(wc -l < "$tmp/cgan/samples_step_000020.csv")" -eq 81 ] \
  && pass "cgan: samples with the mode asked for" || fail "cgan: samples file"
[ "$(sed -n 2p "$tmp/cgan/modes.csv")" = "2,0" ] && [ "$(wc -l < "$tmp/cgan/modes.csv")" -eq 9 ] \
  && pass "cgan: modes.csv" || fail "cgan: modes.csv"
[ "$(wc -l < "$tmp/cgan/metrics.csv")" -eq 4 ] && pass "cgan: a metrics row per measurement" \
  || fail "cgan: metrics rows"

# --- --arch: the networks named in the log, with their parameters counted by hand.
# small: 2-128-128-2 = (2*128+128) + (128*128+128) + (128*2+2) = 17154; D 2-128-128-1 = 17025.
# pacgan: G 2-400 (no bias) + 3 x 400-400 (no bias) + 400-2 (bias) + 4 batch norms (scale and shift)
#   = 800 + 3*160000 + 802 + 4*800 = 484802; D 3 maxout layers of 200 units x 5 pieces + 200-1:
#   (2*1000+1000) + 2*(200*1000+1000) + 201 = 405201, and with --pack 2 the first sees 4 inputs: 407201.
grep -q "^networks: small, generator 17154 parameters, discriminator 17025$" "$tmp/one.log" \
  && pass "--arch small: its networks" || fail "--arch small: $(grep '^networks' "$tmp/one.log")"
"$g" --data ring --arch pacgan --steps 4 --eval-every 2 --samples 50 --batch-size 16 --out "$tmp/pac" > "$tmp/pac.log" 2>&1 \
  && [ "$(wc -l < "$tmp/pac/metrics.csv")" -eq 4 ] && pass "--arch pacgan: runs" || { fail "--arch pacgan: runs"; cat "$tmp/pac.log"; }
grep -q "^networks: pacgan, generator 484802 parameters, discriminator 405201$" "$tmp/pac.log" \
  && pass "--arch pacgan: PacGAN's networks" || fail "--arch pacgan: $(grep '^networks' "$tmp/pac.log")"
"$g" --data ring --arch pacgan --pack 2 --steps 2 --eval-every 2 --samples 50 --batch-size 16 --out "$tmp/pac2" > "$tmp/pac2.log" 2>&1
grep -q "^networks: pacgan, generator 484802 parameters, discriminator 407201$" "$tmp/pac2.log" \
  && pass "--arch pacgan --pack 2: D sees two samples" || fail "--arch pacgan --pack 2: $(grep '^networks' "$tmp/pac2.log")"

# --- A run in --out is kept unless --overwrite; --overwrite removes its sample files.
cp "$tmp/cgan/metrics.csv" "$tmp/kept.csv"
gan2d_fails "--out with a run" 1 \
  "gan2d: --out $tmp/cgan already holds a run (metrics.csv); pass --overwrite to replace it, or choose another --out" \
  --steps 5 --out "$tmp/cgan"
cmp -s "$tmp/cgan/metrics.csv" "$tmp/kept.csv" && pass "--out with a run: its metrics kept" || fail "metrics changed"
"$g" --steps 5 --eval-every 5 --samples 10 --batch-size 8 --overwrite --out "$tmp/cgan" > /dev/null 2>&1
[ "$(ls "$tmp/cgan" | tr '\n' ' ')" = "metrics.csv modes.csv samples_step_000000.csv samples_step_000005.csv " ] \
  && pass "--overwrite: only the new run's files" || fail "--overwrite: files $(ls "$tmp/cgan" | tr '\n' ' ')"

# --- A command line that cannot be read: status 2.
gan2d_fails "unknown option" 2 "gan2d: unknown option '--stepz' (--help lists them)" --stepz 3
gan2d_fails "stray word" 2 "gan2d: unexpected argument 'ring' (options are written --name value)" ring
gan2d_fails "missing value" 2 "gan2d: --steps needs a value" --steps
gan2d_fails "value is an option" 2 "gan2d: --steps needs a value" --steps --lr 0.1
gan2d_fails "--steps many" 2 "gan2d: --steps: 'many' is not a whole number" --steps many
gan2d_fails "--steps 2.5" 2 "gan2d: --steps: '2.5' is not a whole number" --steps 2.5
gan2d_fails "--steps huge" 2 "gan2d: --steps: '99999999999' is out of range" --steps 99999999999
gan2d_fails "--lr fast" 2 "gan2d: --lr: 'fast' is not a number" --lr fast
gan2d_fails "--seed -1" 2 "gan2d: --seed: '-1' is not a whole number >= 0" --seed -1
gan2d_fails "given twice" 2 "gan2d: --pack is given twice" --pack 2 --pack 4

# --- A value out of bounds: status 1, before anything is written.
o="$tmp/never"
gan2d_fails "--data" 1 "gan2d: unknown --data 'spiral' (use ring, grid or one)" --data spiral --out "$o"
gan2d_fails "--model" 1 "gan2d: unknown --model 'wgan' (use gan or cgan)" --model wgan --out "$o"
gan2d_fails "--loss" 1 "gan2d: unknown --loss 'hinge' (use nonsaturating or saturating)" --loss hinge --out "$o"
gan2d_fails "--arch" 1 "gan2d: unknown --arch 'resnet' (use small or pacgan)" --arch resnet --out "$o"
gan2d_fails "--steps 0" 1 "gan2d: --steps must be between 1 and 1000000, got 0" --steps 0 --out "$o"
gan2d_fails "--batch-size" 1 "gan2d: --batch-size must be between 1 and 4096, got 5000" --batch-size 5000 --out "$o"
gan2d_fails "--lr 2" 1 "gan2d: --lr must be in (0, 1], got 2" --lr 2 --out "$o"
gan2d_fails "--lr 0" 1 "gan2d: --lr must be in (0, 1], got 0" --lr 0 --out "$o"
gan2d_fails "--lr nan" 1 "gan2d: --lr must be in (0, 1], got nan" --lr nan --out "$o"
gan2d_fails "--beta1 1" 1 "gan2d: --beta1 must be in [0, 1), got 1" --beta1 1 --out "$o"
gan2d_fails "--d-steps 0" 1 "gan2d: --d-steps must be between 1 and 100, got 0" --d-steps 0 --out "$o"
gan2d_fails "--pack 17" 1 "gan2d: --pack must be between 1 and 16, got 17" --pack 17 --out "$o"
gan2d_fails "--pack 3" 1 "gan2d: --batch-size 256 is not a multiple of --pack 3" --pack 3 --out "$o"
gan2d_fails "--eval-every 0" 1 "gan2d: --eval-every must be between 1 and 1000000, got 0" --eval-every 0 --out "$o"
gan2d_fails "too many measurements" 1 \
  "gan2d: --steps 5000 with --eval-every 4 measures 1250 times, more than 1000 (each writes a samples file); raise --eval-every" \
  --eval-every 4 --out "$o"
gan2d_fails "--samples 0" 1 "gan2d: --samples must be between 1 and 100000, got 0" --samples 0 --out "$o"
[ ! -e "$o" ] && pass "bad values: --out never created" || fail "bad values: --out was created"
touch "$tmp/a_file"
gan2d_fails "--out under a file" 1 "gan2d: --out $tmp/a_file/out: cannot create directory (Not a directory)" \
  --out "$tmp/a_file/out"
"$g" --help | grep -q "^  --pack M " && pass "--help lists the options" || fail "--help"

echo "$failures failed"
[ "$failures" -eq 0 ]
