#!/usr/bin/env bash
# quickstart.sh — set everything up, build, and run one job. Safe to re-run.
#   ./quickstart.sh          the main job (for now: the tape demo)
#   ./quickstart.sh test     the whole test suite (meson test); what CI runs
#   ./quickstart.sh bench    the benchmarks (meson test --benchmark)
# BUILD_DIR (default: build) selects the build directory.
set -euo pipefail
cd "$(dirname "$0")"
job="${1:-main}"
build="${BUILD_DIR:-build}"

case "$job" in
  main|test|bench) ;;
  *) echo "quickstart: unknown job '$job' (use: main, test, bench)" >&2; exit 2 ;;
esac

./bootstrap.sh
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build"
fi
meson compile -C "$build"

case "$job" in
  main)  "$build/examples/tape_demo" "$build/tape_demo.dot" ;;
  test)  meson test -C "$build" --print-errorlogs ;;
  bench) meson test -C "$build" --benchmark --print-errorlogs --verbose ;;
esac
