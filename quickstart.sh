#!/usr/bin/env bash
# quickstart.sh — set everything up, build, and run one job. Safe to re-run.
#   ./quickstart.sh          the main job: fetch MNIST, train the GAN and the
#                            conditional GAN side by side, paste their sample grids
#   ./quickstart.sh demo     the tape demo (a graph, its tape and its gradients)
#   ./quickstart.sh test     the whole test suite (meson test)
#   ./quickstart.sh bench    the benchmarks (meson test --benchmark)
#   ./quickstart.sh asan     the whole test suite again, built with AddressSanitizer
#                            and UBSan (in build-asan), with the caching allocator
#                            off: any report fails the test
#   ./quickstart.sh ci       test, then asan: what CI runs
# BUILD_DIR (default: build; build-asan for asan) selects the build directory.
set -euo pipefail
cd "$(dirname "$0")"
job="${1:-main}"
build="${BUILD_DIR:-build}"
setup_args=()
if [ "$job" = asan ]; then
  build="${BUILD_DIR:-build-asan}"
  # -O1, the usual level for sanitizer builds: the checks are the same, and the
  # build takes half the time of -O3 (CLI11 alone: 38 s a file instead of 83 s).
  setup_args=(-Db_sanitize=address,undefined -Db_lundef=false -Doptimization=1)
fi

case "$job" in
  main|demo|test|bench|asan) ;;
  ci) "$0" test; exec "$0" asan ;;  # (set -e: a failing test job stops here)
  *) echo "quickstart: unknown job '$job' (use: main, demo, test, bench, asan, ci)" >&2; exit 2 ;;
esac

./bootstrap.sh
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "${setup_args[@]}"
fi
meson compile -C "$build"

case "$job" in
  main)
    BUILD_DIR="$build" examples/fetch_mnist.sh
    # Two cores, two programs: each gets one OpenBLAS thread and they run at the
    # same time. The GAN's output goes to its log; the CGAN's progress shows here.
    mkdir -p out/gan_mnist out/cgan_mnist
    # Run again, a program continues its run from its checkpoint (and says so when
    # the run is already complete); the programs refuse to replace a run silently.
    again() { [ -f "out/$1/checkpoint.safetensors" ] && echo --resume; true; }
    echo "training gan_mnist in the background (log: out/gan_mnist/log.txt) and cgan_mnist here"
    "$build/examples/gan_mnist" --threads 1 $(again gan_mnist) > out/gan_mnist/log.txt 2>&1 &
    gan_pid=$!
    cgan_status=0
    "$build/examples/cgan_mnist" --threads 1 $(again cgan_mnist) || cgan_status=$?
    gan_status=0
    wait "$gan_pid" || gan_status=$?
    tail -n 3 out/gan_mnist/log.txt
    if [ "$gan_status" -ne 0 ] || [ "$cgan_status" -ne 0 ]; then
      echo "quickstart: training failed (gan_mnist exit $gan_status, cgan_mnist exit $cgan_status)" >&2
      exit 1
    fi
    "$build/examples/tools/side_by_side" out/gan_vs_cgan.png out/gan_mnist/samples.png out/cgan_mnist/samples.png
    echo "samples side by side (GAN left, CGAN right, row r = digit r): out/gan_vs_cgan.png"
    ;;
  demo)  "$build/examples/tape_demo" "$build/tape_demo.dot" ;;
  test)  meson test -C "$build" --print-errorlogs ;;
  bench) meson test -C "$build" --benchmark --print-errorlogs --verbose ;;
  # Sanitized code runs 2-10x slower: every timeout is multiplied by 4. The caching
  # allocator is off (autodiff/allocator.hpp): ASan cannot see a use of a freed block
  # that sits in its cache.
  asan)  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
           XGRAD_NO_CACHING_ALLOCATOR=1 meson test -C "$build" --print-errorlogs --timeout-multiplier 4 ;;
esac
