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
# XGRAD_OUTSIDE_CXXFLAGS: the sanitizer flags of a sanitized build (set by tests/meson.build).
# shellcheck disable=SC2086  # both expansions are lists of flags
c++ -std=c++20 ${XGRAD_OUTSIDE_CXXFLAGS:-} "$src/tests/install/consumer.cpp" $(pkg-config --cflags --libs xgrad) -o "$dest/consumer"
"$dest/consumer"
