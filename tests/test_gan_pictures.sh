#!/usr/bin/env bash
# test_gan_pictures.sh BUILD_DIR SOURCE_DIR — examples/gan_pictures on two tiny runs (one
# epoch of cgan_mnist and of gan_mnist on 300 real digits, z_dim 8): every picture has the
# size it reports, the same --seed draws the same bytes, a picture does not depend on which
# others are drawn with it, a picture already there is kept unless --overwrite, and every
# command line, run directory and checkpoint it cannot use gets its exact one line and exit
# status before anything is drawn.
set -uo pipefail
build="$1"; src="$2"
source "$src/tests/script_lib.sh" || exit 1  # data, tmp, pass, fail, expect_exit
fetch_digits  # the npm digits into $data
p="$build/examples/gan_pictures"
py=/usr/bin/python3  # Debian's python (the one on PATH may be another)

# png_size FILE: "WIDTH x HEIGHT" from the PNG's IHDR chunk (big-endian, bytes 16-23).
png_size() {
  od -An -tu1 -j16 -N8 "$1" |
    awk '{ printf "%d x %d", $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }'
}

# --- Two tiny runs: the first 300 training digits (IDX headers rewritten for the count).
small="$tmp/small"; mkdir -p "$small"
{ printf '\x00\x00\x08\x03\x00\x00\x01\x2c\x00\x00\x00\x1c\x00\x00\x00\x1c'
  tail -c +17 "$data/train-images-idx3-ubyte" | head -c $((300 * 784)); } > "$small/train-images-idx3-ubyte"
{ printf '\x00\x00\x08\x01\x00\x00\x01\x2c'; tail -c +9 "$data/train-labels-idx1-ubyte" | head -c 300; } \
  > "$small/train-labels-idx1-ubyte"
cp "$data"/t10k-* "$small/"
for prog in cgan_mnist gan_mnist; do
  "$build/examples/$prog" --data "$small" --epochs 1 --batch-size 50 --z-dim 8 --out "$tmp/$prog" \
    > "$tmp/$prog.log" 2>&1 && pass "$prog: one epoch on 300 digits" || { fail "$prog: one epoch"; tail -n 3 "$tmp/$prog.log"; }
done
cgan="$tmp/cgan_mnist"; gan="$tmp/gan_mnist"

# --- cgan_mnist: all three pictures, each the size it reports (28-pixel digits, 2 between).
"$p" --run "$cgan" --out "$tmp/c1" > "$tmp/c1.txt" 2> "$tmp/c1.err" && [ ! -s "$tmp/c1.err" ] \
  && pass "cgan: draws" || { fail "cgan: draws"; cat "$tmp/c1.err"; }
[ "$(head -n 1 "$tmp/c1.txt")" = "cgan_mnist run $cgan (arch mlp, z_dim 8, after epoch 1), --seed 1" ] \
  && pass "cgan: names the run" || fail "cgan: first line $(head -n 1 "$tmp/c1.txt")"
for want in "style 298 x 298 digits 0 to 9:noise vectors" \
            "znoise 298 x 298 digits 0 to 9, all the same walk:steps from z_a to z_b" \
            "labels 298 x 178 label walks 1>7 3>8 4>9 5>6 0>6 2>3, each at its own noise:steps from one label to the other"; do
  read -r name w x h rest <<< "$want"
  line="wrote $tmp/c1/$name.png ($w x $h pixels): rows ${rest%%:*}, columns ${rest#*:}"
  [ "$(png_size "$tmp/c1/$name.png")" = "$w x $h" ] && grep -qxF "$line" "$tmp/c1.txt" \
    && pass "cgan: $name.png is $w x $h, as reported" || fail "cgan: $name.png is $(png_size "$tmp/c1/$name.png")"
done

# Under style.png, how much of the spread of ink and slant the column accounts for (0 to 100%).
shares="$(grep -A2 "^wrote $tmp/c1/style.png" "$tmp/c1.txt" | tail -n 2 | tr -d '\n')"  # two lines as one
re="^  each digit's mean taken away, the column \(noise vector\) accounts for ([0-9]+)% of the spread of  ink \(stroke thickness\) and ([0-9]+)% of slant; a column that did not matter: about 10%$"
[[ "$shares" =~ $re ]] && [ "${BASH_REMATCH[1]}" -le 100 ] && [ "${BASH_REMATCH[2]}" -le 100 ] \
  && pass "cgan: the column's share of ink and slant, under style.png" || fail "cgan: shares: $shares"

# The same --seed: the same bytes; another --seed: other noise. One picture alone is the same
# as drawn with the others, and --steps and --label shape the walk.
"$p" --run "$cgan" --out "$tmp/c2" --seed 1 > /dev/null && cmp -s "$tmp/c1/style.png" "$tmp/c2/style.png" \
  && cmp -s "$tmp/c1/znoise.png" "$tmp/c2/znoise.png" && cmp -s "$tmp/c1/labels.png" "$tmp/c2/labels.png" \
  && pass "cgan: the same --seed draws the same bytes" || fail "cgan: --seed 1 twice differs"
"$p" --run "$cgan" --out "$tmp/c3" --seed 2 > /dev/null && ! cmp -s "$tmp/c1/style.png" "$tmp/c3/style.png" \
  && pass "cgan: another --seed draws other noise" || fail "cgan: --seed 2 draws the same style.png"
"$p" --run "$cgan" --out "$tmp/c4" --what labels > /dev/null && [ "$(ls "$tmp/c4")" = labels.png ] \
  && cmp -s "$tmp/c1/labels.png" "$tmp/c4/labels.png" && pass "cgan: --what labels alone, the same picture" \
  || fail "cgan: --what labels: $(ls "$tmp/c4")"
"$p" --run "$cgan" --out "$tmp/c5" --what znoise --label 7 --steps 5 > "$tmp/c5.txt" \
  && [ "$(png_size "$tmp/c5/znoise.png")" = "148 x 238" ] && [ "$(ls "$tmp/c5")" = znoise.png ] \
  && grep -qxF "wrote $tmp/c5/znoise.png (148 x 238 pixels): rows walks at digit 7, columns steps from z_a to z_b" \
    "$tmp/c5.txt" && pass "cgan: --what znoise --label 7 --steps 5: eight walks of 5" \
  || fail "cgan: --label 7 --steps 5: $(png_size "$tmp/c5/znoise.png")"

# The pictures agree where they must (each to within one grey level: BLAS may round a
# batch of another size differently). The walks end exactly at their ends (t = 0 and 1),
# and every picture draws its noise from --seed in the same order, so:
#   znoise's first and last columns are style's columns 1 and 2 (z_0 and z_1 at each digit);
#   labels row r (pair a > b, noise z_r) starts as style's cell (a, r) and ends as (b, r).
# same_cells A B "rA cA rB cB; ...": those 28 x 28 cells of the two grids (2-pixel gaps).
same_cells() {
  "$py" - "$@" <<'EOF2'
import struct, sys, zlib
def gray(path):  # an 8-bit grayscale PNG, as stb_image_write writes it: rows of bytes
    data = open(path, "rb").read()
    w, h = struct.unpack(">II", data[16:24])
    raw, i = b"", 8
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        if kind == b"IDAT": raw += data[i + 8:i + 8 + n]
        i += 12 + n
    raw, rows, prev = zlib.decompress(raw), [], bytearray(w)
    for y in range(h):
        f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
        for x in range(w):  # undo the row's filter: none, sub, up, average, Paeth
            a, b, c = (line[x - 1] if x else 0), prev[x], (prev[x - 1] if x else 0)
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return rows
A, B = gray(sys.argv[1]), gray(sys.argv[2])
for pair in sys.argv[3].split(";"):
    ra, ca, rb, cb = map(int, pair.split())
    for y in range(28):
        for x in range(28):
            pa, pb = A[ra * 30 + y][ca * 30 + x], B[rb * 30 + y][cb * 30 + x]
            if abs(pa - pb) > 1: sys.exit(f"cell ({ra}, {ca}) {pa} at ({y}, {x}), cell ({rb}, {cb}) {pb}")
EOF2
}
ends=""; for d in 0 1 2 3 4 5 6 7 8 9; do ends="$ends$d 0 $d 0;$d 9 $d 1;"; done
same_cells "$tmp/c1/znoise.png" "$tmp/c1/style.png" "${ends%;}" \
  && pass "cgan: the noise walk ends at style's first two noise vectors" || fail "cgan: noise walk ends"
same_cells "$tmp/c1/labels.png" "$tmp/c1/style.png" "0 0 1 0;0 9 7 0;1 0 3 1;1 9 8 1;2 0 4 2;2 9 9 2;3 0 5 3;3 9 6 3;4 0 0 4;4 9 6 4;5 0 2 5;5 9 3 5" \
  && pass "cgan: each label walk starts and ends at its style-grid cells" || fail "cgan: label walk ends"

# --- gan_mnist: only the noise walks, eight rows of them.
"$p" --run "$gan" --out "$tmp/g1" > "$tmp/g1.txt" && [ "$(ls "$tmp/g1")" = znoise.png ] \
  && [ "$(png_size "$tmp/g1/znoise.png")" = "298 x 238" ] \
  && grep -qxF "wrote $tmp/g1/znoise.png (298 x 238 pixels): rows walks, columns steps from z_a to z_b" "$tmp/g1.txt" \
  && pass "gan: --what all draws znoise.png, 298 x 238" || fail "gan: $(ls "$tmp/g1"), $(cat "$tmp/g1.txt")"
"$p" --run "$gan" --out "$tmp/g2" > /dev/null && cmp -s "$tmp/g1/znoise.png" "$tmp/g2/znoise.png" \
  && pass "gan: the same --seed draws the same bytes" || fail "gan: --seed 1 twice differs"
"$p" --run "$gan" --out "$tmp/g3" --steps 2 > /dev/null && same_cells "$tmp/g1/znoise.png" "$tmp/g3/znoise.png" \
  "$(for r in 0 1 2 3 4 5 6 7; do printf '%s 0 %s 0;%s 9 %s 1;' $r $r $r $r; done | sed 's/;$//')" \
  && pass "gan: --steps 2 draws just the ends of each walk" || fail "gan: --steps 2"

# --- Pictures already in --out are kept unless --overwrite; without --out they go to the run.
before="$(cksum < "$tmp/c3/style.png")"
expect_exit "a picture already in --out" 1 \
  "gan_pictures: --out $tmp/c3 already holds style.png; choose another --out, or replace it with --overwrite" \
  "$p" --run "$cgan" --out "$tmp/c3"
[ "$(cksum < "$tmp/c3/style.png")" = "$before" ] && pass "… and it is left as it was" || fail "style.png changed"
"$p" --run "$cgan" --out "$tmp/c3" --overwrite > /dev/null && cmp -s "$tmp/c1/style.png" "$tmp/c3/style.png" \
  && pass "--overwrite replaces it" || fail "--overwrite"
"$p" --run "$gan" > /dev/null && [ -s "$gan/znoise.png" ] && pass "no --out: into the run's directory" \
  || fail "no --out: $(ls "$gan")"
ls "$tmp"/c*/ "$gan" | grep -q 'tmp-' && fail "a temporary file left behind" || pass "no temporary file left behind"

# --- --help: the usage on stdout, exit 0.
"$p" --help > "$tmp/help.txt" 2>&1 && [ "$(head -n 1 "$tmp/help.txt")" = \
  "usage: gan_pictures --run DIR [--out DIR] [--what style|znoise|labels|all]" ] && pass "--help" \
  || fail "--help: $(head -n 1 "$tmp/help.txt")"

# --- A command line it cannot use: exit 2, one line.
bad() { local name="$1" expected="$2"; shift 2; expect_exit "$name" 2 "gan_pictures: $expected" "$p" "$@"; }
r=(--run "$cgan" --out "$tmp/never")
bad "no --run" "--run DIR is required (the --out directory of a gan_mnist or cgan_mnist run)"
bad "unknown option" "unknown option --label-pairs (gan_pictures --help lists them)" "${r[@]}" --label-pairs 1
bad "a stray argument" "unexpected argument x (options are written --name value)" "${r[@]}" x
bad "an option without its value" "--seed needs a value" "${r[@]}" --seed
bad "an option twice" "--steps given twice" "${r[@]}" --steps 3 --steps 4
bad "an empty --run" "--run needs a directory" --run ""
bad "an empty --out" "--out needs a directory" --run "$cgan" --out ""
bad "--what faces" "--what must be style, znoise, labels or all, got 'faces'" "${r[@]}" --what faces
bad "--label 10" "--label must be a digit from 0 to 9, got '10'" "${r[@]}" --label 10
bad "--label seven" "--label must be a digit from 0 to 9, got 'seven'" "${r[@]}" --label seven
bad "--seed -1" "--seed must be a whole number from 0 to 2^64 - 1, got '-1'" "${r[@]}" --seed -1
bad "--seed 2^64" "--seed must be a whole number from 0 to 2^64 - 1, got '18446744073709551616'" \
  "${r[@]}" --seed 18446744073709551616
bad "--steps 1" "--steps must be a whole number from 2 to 32, got '1'" "${r[@]}" --steps 1
bad "--steps 33" "--steps must be a whole number from 2 to 32, got '33'" "${r[@]}" --steps 33
bad "--steps 3x" "--steps must be a whole number from 2 to 32, got '3x'" "${r[@]}" --steps 3x
bad "--label with --what style" "--label applies to --what znoise (or all), not to --what style" \
  "${r[@]}" --what style --label 3

# --- A run it cannot draw: exit 1, one line, before anything is drawn.
no() { local name="$1" expected="$2"; shift 2; expect_exit "$name" 1 "gan_pictures: $expected" "$p" "$@"; }
no "--run missing" "--run $tmp/nowhere: no such directory" --run "$tmp/nowhere" --out "$tmp/never"
no "--run a file" "--run $cgan/losses.csv: not a directory" --run "$cgan/losses.csv" --out "$tmp/never"
no "--run without a checkpoint" "--run $small: no checkpoint.safetensors (not the --out of a gan_mnist or cgan_mnist run, or one stopped before its first epoch)" \
  --run "$small" --out "$tmp/never"
# broken NAME: a copy of the CGAN run whose checkpoint the caller then spoils.
broken() { mkdir -p "$tmp/$1"; cp "$cgan/checkpoint.safetensors" "$tmp/$1/"; echo "$tmp/$1/checkpoint.safetensors"; }
ck="$(broken text)"; echo hello > "$ck"
no "checkpoint: a text file" "read_safetensors($ck): file is 6 bytes long; a safetensors file starts with an 8-byte header length" \
  --run "$tmp/text" --out "$tmp/never"
ck="$(broken cut)"; truncate -s 1000 "$ck"; n="$(od -An -tu4 --endian=little -N4 "$ck" | tr -d ' ')"
no "checkpoint: cut short" "read_safetensors($ck): header length $n runs past the end of the file (992 bytes follow the length)" \
  --run "$tmp/cut" --out "$tmp/never"
mkdir -p "$tmp/fifo" && mkfifo "$tmp/fifo/checkpoint.safetensors"
no "checkpoint: a FIFO, refused at once" "$tmp/fifo/checkpoint.safetensors: not a regular file (a FIFO)" \
  --run "$tmp/fifo" --out "$tmp/never"
# set_metadata FILE KEY VALUE: rewrite one metadata entry (VALUE "" removes it); the tensors stay.
set_metadata() {
  "$py" - "$@" <<'EOF'
import json, struct, sys
path, key, value = sys.argv[1:4]
with open(path, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    rest = f.read()
if value: header["__metadata__"][key] = value
else: del header["__metadata__"][key]
text = json.dumps(header).encode()
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + rest)
EOF
}
ck="$(broken judge)"; set_metadata "$ck" setting.program ""
no "checkpoint: not a GAN's" "$ck: not a GAN training checkpoint (no setting.program in its metadata)" \
  --run "$tmp/judge" --out "$tmp/never"
ck="$(broken lab)"; set_metadata "$ck" setting.program gan2d
no "checkpoint: another program's" "$ck: a checkpoint of gan2d; gan_pictures reads gan_mnist and cgan_mnist checkpoints" \
  --run "$tmp/lab" --out "$tmp/never"
ck="$(broken arch)"; set_metadata "$ck" setting.arch resnet
no "checkpoint: an arch this build does not know" "$ck: a generator of arch resnet, which this gan_pictures does not know" \
  --run "$tmp/arch" --out "$tmp/never"
ck="$(broken noz)"; set_metadata "$ck" setting.z_dim ""
no "checkpoint: no z_dim" "$ck: checkpoint does not record z_dim" --run "$tmp/noz" --out "$tmp/never"
ck="$(broken zero)"; set_metadata "$ck" setting.z_dim 0
no "checkpoint: z_dim 0" "$ck: z_dim '0' is not a whole number from 1 to 4096" --run "$tmp/zero" --out "$tmp/never"
ck="$(broken z9)"; set_metadata "$ck" setting.z_dim 9
no "checkpoint: z_dim not its weights'" "$ck: shape mismatch for gen.fc1.weight: file (256, 18), model (256, 19)" \
  --run "$tmp/z9" --out "$tmp/never"
no "--what style of a GAN" "--what style needs a cgan_mnist run (it varies the label); --run $gan is a gan_mnist run, which draws --what znoise" \
  --run "$gan" --out "$tmp/never" --what style
no "--what labels of a GAN" "--what labels needs a cgan_mnist run (it varies the label); --run $gan is a gan_mnist run, which draws --what znoise" \
  --run "$gan" --out "$tmp/never" --what labels
no "--label of a GAN" "--label needs a cgan_mnist run; --run $gan is a gan_mnist run" \
  --run "$gan" --out "$tmp/never" --label 3
[ ! -e "$tmp/never" ] && pass "a refused run draws nothing" || fail "files written: $(ls "$tmp/never")"
no "--out a file" "--out $cgan/losses.csv: not a directory" --run "$cgan" --out "$cgan/losses.csv"
touch "$tmp/plain"
no "--out under a file" "--out $tmp/plain/pictures: cannot create directory (Not a directory)" \
  --run "$cgan" --out "$tmp/plain/pictures"

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
exit $((failures > 0))
