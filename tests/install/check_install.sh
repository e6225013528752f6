#!/usr/bin/env bash
# check_install.sh BUILD_DIR SOURCE_DIR — install into a scratch DESTDIR and
# build a separate program against it with pkg-config, as a user would.
set -euo pipefail
build="$1"; src="$2"
dest="$(mktemp -d)"
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
pc="$(dirname "$(find "$dest" -name xgrad.pc | head -n 1)")"
[ -n "$pc" ] || { echo "no xgrad.pc installed" >&2; exit 1; }
[ -f "$(find "$dest" -path '*/include/xgrad/autodiff/tensor.hpp' | head -n 1)" ] || { echo "headers not under include/xgrad/" >&2; exit 1; }
export PKG_CONFIG_PATH="$pc" PKG_CONFIG_SYSROOT_DIR="$dest"
c++ -std=c++20 "$src/tests/install/consumer.cpp" $(pkg-config --cflags --libs xgrad) -o "$dest/consumer"
"$dest/consumer"
