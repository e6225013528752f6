// idx.hpp — the IDX file format of MNIST (and Fashion-MNIST, EMNIST, ...), plain
// or gzip-compressed, and an MNIST-style data set loader on top of it. Every file
// is checked before it is trusted; any problem throws std::runtime_error whose
// message starts with the file's path and names the problem. A corrupt file never
// crashes the reader, makes it read out of bounds, or allocate more than it holds.
//
// The format (all integers big-endian):
//   bytes 0-1  zero          byte 2  element type (0x08 = unsigned byte)
//   byte 3     rank r        then r 32-bit dimensions, then the elements, row-major.
//   MNIST images: magic 0x00000803, dims (N, 28, 28);  labels: 0x00000801, dims (N).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "autodiff/shape.hpp"

namespace xgrad::data {

// The contents of one IDX file of unsigned bytes.
struct IdxArray {
    std::vector<std::size_t> dims;   // e.g. {60000, 28, 28}
    std::vector<std::uint8_t> data;  // row-major, the product of dims bytes
};

// The largest IDX file (header + elements) read_idx accepts: 4 GiB. MNIST's
// training images are 47 MB.
inline constexpr std::uint64_t max_idx_bytes = std::uint64_t{1} << 32;

// Read an IDX file of element type 0x08 (unsigned byte). A file whose first two
// bytes are 1f 8b is gunzipped as it is read, whatever its name. Anything but a
// regular file (a FIFO, a device, a directory) is refused at once, never waited
// on; a plain file's size must match its header before anything is allocated, and
// gunzipped data is read only as far as its header claims (plus 1 MiB, to say by
// how much it is too long).
IdxArray read_idx(const std::filesystem::path& path);

// Write `array` as an IDX file of unsigned bytes, gzip-compressed when the path
// ends in ".gz". The file appears complete or not at all (temporary file + rename).
// Throws std::invalid_argument when dims do not fit the format (rank 1..255, each
// dimension below 2^32) or their product differs from data.size().
void write_idx(const std::filesystem::path& path, const IdxArray& array);

// One split of an MNIST-style data set: N images of rows x cols pixels, labels 0..9.
struct Dataset {
    Array images;             // (N, rows * cols): pixel byte / 255, in [0, 1]
    Indices labels;           // (N): the class of each image, 0..9
    std::size_t rows = 0;     // 28 for MNIST
    std::size_t cols = 0;
    std::string source;       // the two files read, and what the data is (from SOURCE.txt)

    std::size_t size() const { return labels.size(); }
};

// The height and width of one image, in pixels. {0, 0} accepts any size.
struct ImageSize {
    std::size_t rows = 0;
    std::size_t cols = 0;
};
inline constexpr ImageSize mnist_image_size{28, 28};  // what every model in examples/ reads
inline constexpr ImageSize any_image_size{0, 0};

// Load split "train" or "test" from a directory holding the four MNIST files:
//   train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
// each possibly with ".gz", and also spelled "train-images.idx3-ubyte" etc. Checks
// labels are rank 1 (N) and in 0..9, images rank 3 (N, rows, cols) with the same N
// and of `image_size` (unless any_image_size), all before the images' pixels are
// read: a header that claims more than the labels allow is refused before it
// costs memory or time. A name that exists but is not a regular file (a FIFO, a
// device, a directory) or cannot be read is refused with its path and reason. If
// the directory has a SOURCE.txt, its first line (what the data is) goes into
// Dataset::source. Throws std::invalid_argument for another split.
Dataset load_mnist_dir(const std::filesystem::path& dir, const std::string& split,
                       ImageSize image_size = mnist_image_size);

// Where the MNIST files live unless a program is told otherwise (--data):
// $XGRAD_DATA when set and not empty, else "data/mnist" (relative to the working
// directory; quickstart.sh runs from the project root).
std::filesystem::path default_mnist_dir();

}  // namespace xgrad::data
