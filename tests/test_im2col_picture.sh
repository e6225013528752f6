#!/usr/bin/env bash
# test_im2col_picture.sh BUILD_DIR SOURCE_DIR — examples/im2col_picture: the PNG it writes
# has the size it reports, the committed picture of docs/convolutions.md is what it draws
# now, the output sizes and window counts it prints for another window, and every bad
# command line gets its exact one line.
set -u
export LC_ALL=C
build="$1"; src="$2"
p="$build/examples/im2col_picture"
source "$src/tests/script_lib.sh" || exit 1  # tmp, pass, fail, expect_exit (no digits needed)

# png_size FILE: "WIDTH x HEIGHT" from the PNG's IHDR chunk (big-endian, bytes 16-23).
png_size() {
  od -An -tu1 -j16 -N8 "$1" |
    awk '{ printf "%d x %d", $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }'
}

# --- The default picture: 3 x 3 window, padding 1. 8 x 8 padded cells of 16 pixels,
# a 9 x 36 and a 9 x 9 column matrix, the 6 x 6 windows per pixel, 32 pixels between:
# width 10 + 8·16 + 32 + 36·16 + 32 + 6·16 + 10 = 884, height 10 + 9·16 + 32 + 9·16 + 10 = 340.
"$p" --out "$tmp/a.png" > "$tmp/a.txt" 2> "$tmp/a.err" && [ ! -s "$tmp/a.err" ] && pass "default: runs" \
  || { fail "default: runs"; cat "$tmp/a.err"; }
[ "$(png_size "$tmp/a.png")" = "884 x 340" ] && pass "default: a 884 x 340 PNG" || fail "default: PNG is $(png_size "$tmp/a.png")"
grep -qx "wrote $tmp/a.png (884 x 340 pixels): top stride 1, bottom stride 2" "$tmp/a.txt" \
  && pass "default: reports the size it wrote" || fail "default: last lines $(tail -n 3 "$tmp/a.txt")"
cmp -s "$tmp/a.png" "$src/docs/images/convolutions/im2col.png" \
  && pass "docs/images/convolutions/im2col.png is what the program draws now" \
  || fail "docs/images/convolutions/im2col.png is stale: build/examples/im2col_picture --out docs/images/convolutions/im2col.png"
grep -qx "stride 2: OH = OW = (6 + 2\*1 - 3) / 2 + 1 = 5 / 2 + 1 = 3, so 9 windows; column matrix (9, 9)" "$tmp/a.txt" \
  && pass "default: stride-2 output size" || fail "default: stride-2 output size"
ls "$tmp" | grep -q 'tmp-' && fail "a temporary file left behind" || pass "no temporary file left behind"

# --- A 4 x 4 window, no padding: 6 x 6 cells, a 16 x 9 and a 16 x 4 column matrix:
# width 10 + 6·16 + 32 + 9·16 + 32 + 6·16 + 10 = 420, height 10 + 16·16 + 32 + 16·16 + 10 = 564.
# At stride 2 the windows tile the image in steps that divide 4: no checkerboard of counts.
"$p" --kernel 4 --padding 0 --out "$tmp/b.png" > "$tmp/b.txt" 2>&1 && pass "4 x 4, padding 0: runs" || fail "4 x 4: runs"
[ "$(png_size "$tmp/b.png")" = "420 x 564" ] && pass "4 x 4: a 420 x 564 PNG" || fail "4 x 4: PNG is $(png_size "$tmp/b.png")"
grep -qx "stride 1: OH = OW = (6 + 2\*0 - 4) / 1 + 1 = 2 / 1 + 1 = 3, so 9 windows; column matrix (16, 9)" "$tmp/b.txt" \
  && pass "4 x 4: stride-1 output size" || fail "4 x 4: stride-1 output size"
[ "$(grep -A6 'at stride 2' "$tmp/b.txt" | sed -n 3,4p | tr -s ' ')" = "$(printf ' 1 1 2 2 1 1\n 2 2 4 4 2 2')" ] \
  && pass "4 x 4: windows per pixel at stride 2" || fail "4 x 4: windows per pixel: $(grep -A6 'at stride 2' "$tmp/b.txt")"

# --- --help: the usage on stdout, exit 0, nothing written.
(cd "$tmp" && mkdir help && cd help && "$p" --help > ../help.txt 2>&1) && [ -z "$(ls "$tmp/help")" ] \
  && [ "$(head -n 1 "$tmp/help.txt")" = "usage: im2col_picture [--out PATH] [--kernel K] [--padding P]" ] \
  && pass "--help" || fail "--help: $(head -n 1 "$tmp/help.txt")"

# --- A command line it cannot use: exit 2, one line, nothing written.
usage="(usage: im2col_picture [--out PATH] [--kernel K] [--padding P])"
fails() { local name="$1" expected="$2"; shift 2; expect_exit "$name" 2 "im2col_picture: $expected $usage" "$p" "$@"; }
cd "$tmp" && mkdir bad && cd bad || exit 1
fails "unknown option" "unknown option --stride" --stride 2
fails "a stray argument" "unexpected argument x.png" x.png
fails "an option without its value" "--out needs a value" --out
fails "an empty --out" "--out needs a path" --out ""
fails "an option twice" "--kernel given twice" --kernel 3 --kernel 5
fails "--kernel 0" "--kernel must be a whole number from 1 to 6, got '0'" --kernel 0
fails "--kernel 7" "--kernel must be a whole number from 1 to 6, got '7'" --kernel 7
fails "--kernel 3x" "--kernel must be a whole number from 1 to 6, got '3x'" --kernel 3x
fails "--padding 4" "--padding must be a whole number from 0 to 3, got '4'" --padding 4
fails "--padding -1" "--padding must be a whole number from 0 to 3, got '-1'" --padding -1
[ -z "$(ls "$tmp/bad")" ] && pass "a refused command line writes nothing" || fail "files written: $(ls "$tmp/bad")"

# --- A path it cannot write: exit 1, one line, before any output.
expect_exit "--out in a missing directory" 1 "im2col_picture: no/such/x.png: cannot write (No such file or directory)" \
  "$p" --out no/such/x.png
[ ! -s "$tmp/out.txt" ] && pass "--out in a missing directory: nothing on stdout" || fail "stdout: $(head -n 2 "$tmp/out.txt")"

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
exit $((failures > 0))
