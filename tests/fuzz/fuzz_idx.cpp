// fuzz_idx.cpp — libFuzzer target for the IDX reader (examples/common/idx.hpp).
// Each input is written to a file and given to read_idx, then used as the images
// file and as the labels file of an MNIST directory whose other file is valid
// (load_mnist_dir, any image size: rank, count and label checks). Whatever the bytes, the only
// allowed outcomes are a result or std::runtime_error; a crash, a sanitizer
// report, a hang or a huge allocation is a finding. Starts with 1f 8b: the gzip path.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "examples/common/idx.hpp"
#include "fuzz_file.hpp"

namespace {

using namespace xgrad;

// Valid halves for the two MNIST directories: 2 images of 2 x 2 pixels, labels 3 and 7.
struct Dirs {
    fuzz::ScratchDir scratch{"idx"};
    std::filesystem::path plain = scratch.path() / "input.idx";
    std::filesystem::path as_images = scratch.path() / "as_images";  // input = train images
    std::filesystem::path as_labels = scratch.path() / "as_labels";  // input = train labels
    Dirs() {
        std::filesystem::create_directories(as_images);
        std::filesystem::create_directories(as_labels);
        data::write_idx(as_images / "train-labels-idx1-ubyte", {{2}, {3, 7}});
        data::write_idx(as_labels / "train-images-idx3-ubyte", {{2, 2, 2}, {0, 64, 128, 255, 1, 2, 3, 4}});
    }
};

void expect_only_runtime_errors(auto&& call) {
    try {
        call();
    } catch (const std::runtime_error&) {  // the reader's one way to say "bad file"
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Dirs dirs;
    fuzz::write_bytes(dirs.plain, data, size);
    expect_only_runtime_errors([&] { data::read_idx(dirs.plain); });
    fuzz::write_bytes(dirs.as_images / "train-images-idx3-ubyte", data, size);
    expect_only_runtime_errors([&] { data::load_mnist_dir(dirs.as_images, "train", data::any_image_size); });
    fuzz::write_bytes(dirs.as_labels / "train-labels-idx1-ubyte", data, size);
    expect_only_runtime_errors([&] { data::load_mnist_dir(dirs.as_labels, "train", data::any_image_size); });
    return 0;
}
