// test_idx.cpp — examples/common/idx.cpp: IDX files written and read back (plain
// and gzip), the exact bytes of the format, every way a broken file is refused
// and its message, loading an MNIST-style directory, and Debian's Fashion-MNIST.
#include "check.hpp"
#include "files.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <array>

#include "examples/common/idx.hpp"

using namespace xgrad;
using namespace xgrad::data;
using namespace xgrad::testing;

namespace {

// `bytes` gzip-compressed into `path`, through zlib like any other gzip writer.
void write_gz(const fs::path& path, const Bytes& bytes) {
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    if (!bytes.empty()) REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
    REQUIRE(gzclose(gz) == Z_OK);
}

// An IDX file by hand: 0, 0, type, rank, big-endian dimensions, then the data.
Bytes idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims, const Bytes& data) {
    Bytes out = {0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (std::uint32_t d : dims)
        for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(d >> shift));
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

// The message `call` throws when run by a user who may not read root's private
// files. The tests run as root, whom permissions do not stop, so the call runs in
// a child process that becomes the user "nobody" (uid 65534) first.
template <class Call>
std::string message_as_nobody(Call call) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        std::string message = "no exception";
        if (::getuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) message = "cannot become nobody";
        else
            try {
                call();
            } catch (const std::exception& e) {
                message = e.what();
            }
        const ssize_t written = ::write(fds[1], message.data(), message.size());
        ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string message;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return message;
}

Bytes iota_bytes(std::size_t n) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 7);
    return out;
}

}  // namespace

TEST_CASE("write_idx then read_idx gives the array back") {
    TempDir dir;
    const IdxArray images{{3, 2, 4}, iota_bytes(24)};

    SUBCASE("plain, and its exact bytes") {
        write_idx(dir / "images-idx3-ubyte", images);
        // magic 00 00 08 03, then 3, 2, 4 as big-endian 32-bit numbers, then the 24 bytes
        CHECK(read_bytes(dir / "images-idx3-ubyte") == idx_bytes(0x08, {3, 2, 4}, iota_bytes(24)));
        const IdxArray back = read_idx(dir / "images-idx3-ubyte");
        CHECK(back.dims == images.dims);
        CHECK(back.data == images.data);
    }
    SUBCASE("gzip, when the name ends in .gz") {
        write_idx(dir / "images-idx3-ubyte.gz", images);
        const Bytes raw = read_bytes(dir / "images-idx3-ubyte.gz");
        REQUIRE(raw.size() > 2);
        CHECK(raw[0] == 0x1f);
        CHECK(raw[1] == 0x8b);
        const IdxArray back = read_idx(dir / "images-idx3-ubyte.gz");
        CHECK(back.dims == images.dims);
        CHECK(back.data == images.data);
    }
    SUBCASE("gzip is detected by its magic bytes, not by the name") {
        write_gz(dir / "no-suffix", idx_bytes(0x08, {5}, {9, 8, 7, 6, 5}));
        CHECK(read_idx(dir / "no-suffix").data == Bytes{9, 8, 7, 6, 5});
    }
    SUBCASE("dimensions are big-endian 32-bit: 300 = 00 00 01 2C") {
        write_bytes(dir / "wide", idx_bytes(0x08, {1, 300}, iota_bytes(300)));
        const IdxArray back = read_idx(dir / "wide");
        CHECK(back.dims == std::vector<std::size_t>{1, 300});
        CHECK(back.data == iota_bytes(300));
    }
    SUBCASE("a dimension of 0: no elements, and that is not an error") {
        write_bytes(dir / "none", idx_bytes(0x08, {0, 28, 28}, {}));
        const IdxArray back = read_idx(dir / "none");
        CHECK(back.dims == std::vector<std::size_t>{0, 28, 28});
        CHECK(back.data.empty());
    }
    SUBCASE("rewriting replaces the file and leaves no temporary behind") {
        write_idx(dir / "labels", IdxArray{{2}, {1, 2}});
        write_idx(dir / "labels", IdxArray{{3}, {4, 5, 6}});
        CHECK(read_idx(dir / "labels").data == Bytes{4, 5, 6});
        CHECK(files_in(dir.path) == 1);  // no "labels.tmp-<pid>" left
    }
}

TEST_CASE("a write_idx that fails (a full disk) leaves the previous file and no temporary") {
    TempDir dir;
    const IdxArray small{{4}, {1, 2, 3, 4}};
    Bytes noise(78400);  // pseudo-random bytes, which gzip cannot shrink much
    std::uint32_t x = 1;
    for (std::uint8_t& b : noise) b = static_cast<std::uint8_t>((x = x * 1103515245u + 12345u) >> 24);
    const IdxArray large{{100, 28, 28}, noise};
    for (const char* name : {"labels-idx1-ubyte", "labels-idx1-ubyte.gz"}) {
        CAPTURE(name);
        const fs::path p = dir / name;
        write_idx(p, small);
        const Bytes old_bytes = read_bytes(p);
        // A full disk: a 2 KiB limit on file size makes the write fail partway with EFBIG.
        std::string message;
        {
            const FileSizeLimit limit(2048);
            try {
                write_idx(p, large);
            } catch (const std::runtime_error& e) {
                message = e.what();
            }
        }
        CHECK(message == p.string() + ": cannot write (File too large)");
        CHECK(read_bytes(p) == old_bytes);
        CHECK(read_idx(p).data == small.data);
        fs::remove(p);
        CHECK(files_in(dir.path) == 0);  // the temporary file is gone too
    }
}

TEST_CASE("write_idx refuses arrays the format cannot hold") {
    TempDir dir;
    CHECK_THROWS_WITH_AS(write_idx(dir / "x", IdxArray{{2, 3}, Bytes(5)}),
                         "write_idx: dims (2, 3) hold 6 elements but data has 5 bytes", std::invalid_argument);
    CHECK_THROWS_WITH_AS(write_idx(dir / "x", IdxArray{{}, Bytes(1)}),
                         "write_idx: an IDX file has 1 to 255 dimensions, got 0", std::invalid_argument);
    CHECK_THROWS_WITH_AS(write_idx(dir / "x", IdxArray{{std::size_t{1} << 32}, Bytes()}),
                         "write_idx: dimension 4294967296 does not fit in 32 bits", std::invalid_argument);
    CHECK_FALSE(fs::exists(dir / "x"));
    CHECK_FAILS_WITH(write_idx(dir / "no-such-dir/x", IdxArray{{1}, {0}}),
                     dir / "no-such-dir/x" + ": cannot write (No such file or directory)");
}

TEST_CASE("read_idx refuses a broken file, naming the file and the problem") {
    TempDir dir;
    const fs::path p = dir / "broken";
    const std::string at = p.string() + ": ";

    SUBCASE("missing") { CHECK_FAILS_WITH(read_idx(p), at + "cannot open (No such file or directory)"); }
    SUBCASE("a directory") {
        fs::create_directory(p);
        CHECK_FAILS_WITH(read_idx(p), at + "a directory, not a file");
    }
    SUBCASE("empty") {
        write_bytes(p, {});
        CHECK_FAILS_WITH(read_idx(p), at + "empty file");
    }
    SUBCASE("shorter than the magic") {
        write_bytes(p, {0, 0, 8});
        CHECK_FAILS_WITH(read_idx(p), at + "file is 3 bytes, too short for the 4-byte IDX magic");
    }
    SUBCASE("truncated header: rank 3 needs 16 bytes") {
        write_bytes(p, {0, 0, 8, 3, 0, 0, 0, 2, 0, 0});
        CHECK_FAILS_WITH(read_idx(p), at + "file is 10 bytes, too short for the 16-byte header of a rank-3 IDX file");
    }
    SUBCASE("wrong magic: not an IDX file") {
        write_bytes(p, {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1, 0});
        CHECK_FAILS_WITH(read_idx(p), at + "bad magic 0x12345678: not an IDX file (its first two bytes must be 0)");
    }
    SUBCASE("wrong element type") {
        write_bytes(p, idx_bytes(0x0D, {1}, {0, 0, 0, 0}));
        CHECK_FAILS_WITH(read_idx(p), at + "element type 0x0D (float32) is not supported, only 0x08 (unsigned byte)");
        write_bytes(p, idx_bytes(0x07, {1}, {0}));
        CHECK_FAILS_WITH(read_idx(p), at + "element type 0x07 (unknown) is not supported, only 0x08 (unsigned byte)");
    }
    SUBCASE("rank 0") {
        write_bytes(p, {0, 0, 8, 0, 42});
        CHECK_FAILS_WITH(read_idx(p), at + "rank 0: an IDX file needs at least one dimension");
    }
    SUBCASE("too short: fewer elements than the header says") {
        // (10, 28, 28) needs 16 + 7840 bytes; 1000 data bytes make 1016.
        write_bytes(p, idx_bytes(0x08, {10, 28, 28}, iota_bytes(1000)));
        CHECK_FAILS_WITH(read_idx(p), at + "file is 1016 bytes, header says 7856");
    }
    SUBCASE("trailing bytes after the elements") {
        write_bytes(p, idx_bytes(0x08, {2}, {1, 2, 3}));
        CHECK_FAILS_WITH(read_idx(p), at + "file is 11 bytes, header says 10");
    }
    SUBCASE("huge dimensions whose product overflows") {
        write_bytes(p, idx_bytes(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {1, 2, 3}));
        CHECK_FAILS_WITH(read_idx(p),
                         at + "dimensions 4294967295 x 4294967295 x 4294967295: the element count overflows 64 bits");
    }
    SUBCASE("a header claiming more than 4 GiB: refused before anything is allocated") {
        // 65536 * 65536 = 2^32 elements + 12 header bytes
        write_bytes(p, idx_bytes(0x08, {65536, 65536}, {1, 2, 3}));
        CHECK_FAILS_WITH(read_idx(p), at + "header says 4294967308 bytes, over this reader's limit of 4294967296");
    }
    SUBCASE("a header claiming more than the file holds: refused before the elements are read") {
        write_bytes(p, idx_bytes(0x08, {60000, 28, 28}, iota_bytes(100)));
        CHECK_FAILS_WITH(read_idx(p), at + "file is 116 bytes, header says 47040016");
    }
    SUBCASE("a FIFO: refused at once, never waited on") {
        REQUIRE(::mkfifo(p.c_str(), 0644) == 0);
        CHECK_FAILS_WITH(read_idx(p), at + "not a regular file (a FIFO)");
    }
    SUBCASE("a device") {
        CHECK_FAILS_WITH(read_idx("/dev/null"), "/dev/null: not a regular file (a character device)");
        CHECK_FAILS_WITH(read_idx("/dev/zero"), "/dev/zero: not a regular file (a character device)");
    }
    SUBCASE("a file its reader may not read") {
        write_bytes(p, idx_bytes(0x08, {2}, {1, 2}));
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);  // 0600: root's alone
        CHECK(message_as_nobody([&] { read_idx(p); }) == at + "cannot open (Permission denied)");
    }
}

TEST_CASE("read_idx refuses broken gzip data") {
    TempDir dir;
    const fs::path good = dir / "good.gz", p = dir / "broken.gz";
    const std::string at = p.string() + ": ";
    write_idx(good, IdxArray{{100, 28, 28}, iota_bytes(78400)});
    const Bytes gz = read_bytes(good);
    REQUIRE(gz.size() > 100);

    SUBCASE("cut in the middle") {
        write_bytes(p, Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)));
        CHECK_FAILS_WITH(read_idx(p), at + "truncated gzip data (zlib: unexpected end of file)");
    }
    SUBCASE("only the gzip magic") {
        write_bytes(p, {0x1f, 0x8b});
        CHECK_FAILS_WITH(read_idx(p), at + "truncated gzip data (zlib: unexpected end of file)");
    }
    SUBCASE("damaged header: unknown compression method") {
        Bytes bad = gz;
        bad[2] = 0x07;  // CM: 8 is deflate, nothing else is defined
        write_bytes(p, bad);
        CHECK_FAILS_WITH(read_idx(p), at + "corrupt gzip data (zlib: unknown compression method)");
    }
    SUBCASE("damaged checksum: caught after the last element") {
        Bytes bad = gz;
        bad[bad.size() - 8] ^= 0xFF;  // the CRC-32 is the last 8 bytes' first half
        write_bytes(p, bad);
        CHECK_FAILS_WITH(read_idx(p), at + "corrupt gzip data (zlib: incorrect data check)");
    }
    SUBCASE("gzip of nothing") {
        write_gz(p, {});
        CHECK_FAILS_WITH(read_idx(p), at + "gunzipped data is empty");
    }
    SUBCASE("gzip of a truncated header") {
        write_gz(p, {0, 0, 8, 1, 0});
        CHECK_FAILS_WITH(read_idx(p), at + "gunzipped data is 5 bytes, too short for the 8-byte header of a rank-1 IDX file");
    }
    SUBCASE("gzip of too few elements") {
        write_gz(p, idx_bytes(0x08, {10, 28, 28}, iota_bytes(1000)));
        CHECK_FAILS_WITH(read_idx(p), at + "gunzipped data is 1016 bytes, header says 7856");
    }
    SUBCASE("gzip of trailing bytes") {
        write_gz(p, idx_bytes(0x08, {2}, {1, 2, 3}));
        CHECK_FAILS_WITH(read_idx(p), at + "gunzipped data is 11 bytes, header says 10");
    }
    SUBCASE("a lying header over gzip: huge claim, little data, bounded reading") {
        write_gz(p, idx_bytes(0x08, {60000, 28, 28}, iota_bytes(100)));
        CHECK_FAILS_WITH(read_idx(p), at + "gunzipped data is 116 bytes, header says 47040016");
    }
    SUBCASE("gzip of far more than the header says: unpacked no further than 1 MiB past it") {
        write_gz(p, idx_bytes(0x08, {2}, Bytes(std::size_t{3} << 20)));
        CHECK_FAILS_WITH(read_idx(p), at + "gunzipped data is over 1048586 bytes, header says 10");
    }
}

namespace {

// A small MNIST-style split: 3 images of 2x2 pixels and their labels.
void write_split(const fs::path& dir, const std::string& images_name, const std::string& labels_name,
                 const Bytes& labels = {7, 0, 9}) {
    write_idx(dir / images_name, IdxArray{{3, 2, 2}, {0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8}});
    write_idx(dir / labels_name, IdxArray{{labels.size()}, labels});
}

}  // namespace

TEST_CASE("load_mnist_dir") {
    TempDir dir;

    SUBCASE("train split: pixels / 255, labels, size, source") {
        write_split(dir.path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        const Dataset d = load_mnist_dir(dir.path, "train", any_image_size);
        CHECK(d.size() == 3);
        CHECK(d.rows == 2);
        CHECK(d.cols == 2);
        REQUIRE(d.images.shape() == Shape{3, 4});
        CHECK(d.images(0, 0) == 0.0f);
        CHECK(d.images(0, 1) == doctest::Approx(0.2f));   // 51 / 255
        CHECK(d.images(0, 2) == doctest::Approx(0.4f));   // 102 / 255
        CHECK(d.images(0, 3) == 1.0f);                    // 255 / 255
        CHECK(d.images(2, 3) == doctest::Approx(8.0f / 255.0f));
        CHECK(d.labels == Indices{7, 0, 9});
        CHECK(d.source == dir / "train-images-idx3-ubyte" + " + train-labels-idx1-ubyte");
    }
    SUBCASE("test split is t10k; .gz files; SOURCE.txt's first line says what the data is") {
        write_split(dir.path, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        write_file(dir / "SOURCE.txt", "tiny hand-made digits\nmore lines\n");
        const Dataset d = load_mnist_dir(dir.path, "test", any_image_size);
        CHECK(d.size() == 3);
        CHECK(d.images(0, 1) == doctest::Approx(0.2f));
        CHECK(d.source ==
              dir / "t10k-images-idx3-ubyte.gz" + " + t10k-labels-idx1-ubyte.gz (tiny hand-made digits)");
    }
    SUBCASE("the spelling train-images.idx3-ubyte") {
        write_split(dir.path, "train-images.idx3-ubyte", "train-labels.idx1-ubyte");
        CHECK(load_mnist_dir(dir.path, "train", any_image_size).labels == Indices{7, 0, 9});
    }
    SUBCASE("another split name is misuse") {
        CHECK_THROWS_WITH_AS(load_mnist_dir(dir.path, "validation", any_image_size),
                             "load_mnist_dir: split must be \"train\" or \"test\", got \"validation\"",
                             std::invalid_argument);
    }
    SUBCASE("no such directory") {
        CHECK_FAILS_WITH(load_mnist_dir(dir / "nowhere", "train", any_image_size),
                         dir / "nowhere" +
                             ": no such directory; fetch MNIST with examples/fetch_mnist.sh, or give the directory "
                             "that holds it");
    }
    SUBCASE("no images file") {
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "test", any_image_size),
                         dir.path.string() +
                             ": no t10k images file (looked for t10k-images-idx3-ubyte, t10k-images-idx3-ubyte.gz, "
                             "t10k-images.idx3-ubyte, t10k-images.idx3-ubyte.gz); fetch MNIST with "
                             "examples/fetch_mnist.sh");
    }
    SUBCASE("no labels file") {
        write_idx(dir / "train-images-idx3-ubyte", IdxArray{{1, 1, 1}, {0}});
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size),
                         dir.path.string() +
                             ": no train labels file (looked for train-labels-idx1-ubyte, train-labels-idx1-ubyte.gz, "
                             "train-labels.idx1-ubyte, train-labels.idx1-ubyte.gz); fetch MNIST with "
                             "examples/fetch_mnist.sh");
    }
    SUBCASE("images of rank 2 (magic 0x00000802)") {
        write_split(dir.path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        write_idx(dir / "train-images-idx3-ubyte", IdxArray{{3, 4}, Bytes(12)});
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size), dir / "train-images-idx3-ubyte" +
                                                                ": bad magic 0x00000802, expected 0x00000803 (images)");
    }
    SUBCASE("labels of rank 2: the images file given as labels") {
        write_split(dir.path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        write_idx(dir / "train-labels-idx1-ubyte", IdxArray{{3, 1}, {1, 2, 3}});
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size), dir / "train-labels-idx1-ubyte" +
                                                                ": bad magic 0x00000802, expected 0x00000801 (labels)");
    }
    SUBCASE("label out of range") {
        write_split(dir.path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", {7, 11, 9});
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size),
                         dir / "train-labels-idx1-ubyte" + ": label 11 at index 1 out of range 0..9");
    }
    SUBCASE("image and label counts disagree") {
        write_split(dir.path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", {7, 0});
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size),
                         dir / "train-labels-idx1-ubyte" + ": 3 images but 2 labels");
    }
    SUBCASE("no images at all") {
        write_idx(dir / "train-images-idx3-ubyte", IdxArray{{0, 28, 28}, {}});
        write_idx(dir / "train-labels-idx1-ubyte", IdxArray{{0}, {}});
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size),
                         dir / "train-images-idx3-ubyte" + ": no pixels: dimensions (0, 28, 28)");
    }
    SUBCASE("a broken file inside: read_idx's message comes through") {
        write_split(dir.path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        write_bytes(dir / "train-labels-idx1-ubyte", idx_bytes(0x08, {3}, {1, 2}));
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train", any_image_size),
                         dir / "train-labels-idx1-ubyte" + ": file is 10 bytes, header says 11");
    }
}

TEST_CASE("load_mnist_dir: the models' image size, files that are not files, permissions") {
    TempDir dir;
    auto write_images = [&](std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
        write_idx(dir / "train-images-idx3-ubyte", IdxArray{{n, rows, cols}, Bytes(std::size_t{n} * rows * cols)});
    };
    write_idx(dir / "train-labels-idx1-ubyte", IdxArray{{3}, {1, 2, 3}});
    const std::string images = dir / "train-images-idx3-ubyte", labels = dir / "train-labels-idx1-ubyte";

    SUBCASE("28 x 28 loads") {
        write_images(3, 28, 28);
        CHECK(load_mnist_dir(dir.path, "train").images.shape() == Shape{3, 784});
    }
    SUBCASE("any other size is refused, naming the file") {
        write_images(3, 14, 56);  // as many pixels as 28 x 28
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), images + ": images are 14 x 56 pixels; the models read 28 x 28");
        write_images(3, 10, 10);
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), images + ": images are 10 x 10 pixels; the models read 28 x 28");
        CHECK(load_mnist_dir(dir.path, "train", any_image_size).rows == 10);
    }
    SUBCASE("gzip: the image count is checked against the labels before the pixels are unpacked") {
        // 60000 images claimed, and the gzip data cut in half: unpacking it all would
        // fail; the header alone already disagrees with the 3 labels.
        fs::remove(images);
        Bytes noise(std::size_t{1} << 20);  // does not compress, so half the file is half the data
        std::uint32_t x = 1;
        for (std::uint8_t& b : noise) b = static_cast<std::uint8_t>((x = x * 1664525u + 1013904223u) >> 24);
        write_gz(dir / "train-images-idx3-ubyte.gz", idx_bytes(0x08, {60000, 28, 28}, noise));
        const Bytes whole = read_bytes(dir / "train-images-idx3-ubyte.gz");
        write_bytes(dir / "train-images-idx3-ubyte.gz", Bytes(whole.begin(), whole.begin() + whole.size() / 2));
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), labels + ": 60000 images but 3 labels");
    }
    SUBCASE("gzip: a labels header claiming a billion labels is refused before they are unpacked") {
        // A few bytes of gzip whose header claims 2^30 labels: reading them first would
        // allocate a gigabyte (and then fail on the missing data); the image count
        // disagrees with the header alone.
        write_images(3, 28, 28);
        fs::remove(labels);
        write_gz(dir / "train-labels-idx1-ubyte.gz", idx_bytes(0x08, {std::uint32_t{1} << 30}, Bytes(16, 1)));
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"),
                         labels + ".gz: 3 images but 1073741824 labels");
    }
    SUBCASE("a FIFO, a directory or a device where a file should be") {
        REQUIRE(::mkfifo(images.c_str(), 0644) == 0);
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), images + ": not a regular file (a FIFO)");
        fs::remove(labels);
        fs::create_directory(labels);
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), labels + ": a directory, not a file");
        fs::remove(labels);
        fs::create_symlink("/dev/zero", labels);
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), labels + ": not a regular file (a character device)");
    }
    SUBCASE("a FIFO as SOURCE.txt") {
        write_images(3, 28, 28);
        REQUIRE(::mkfifo((dir / "SOURCE.txt").c_str(), 0644) == 0);
        CHECK_FAILS_WITH(load_mnist_dir(dir.path, "train"), dir / "SOURCE.txt" + ": not a regular file (a FIFO)");
    }
    SUBCASE("--data names a file, not a directory") {
        write_images(3, 28, 28);
        CHECK_FAILS_WITH(load_mnist_dir(images, "train"),
                         images + ": not a directory; give the directory that holds the MNIST files");
    }
    SUBCASE("permission denied is said so, with the path, not taken for a missing file") {
        write_images(3, 28, 28);
        // A data directory its reader may list but not enter (0744: no search permission for others).
        const fs::path locked = dir.path / "locked";
        fs::create_directory(locked);
        fs::copy_file(images, locked / "train-images-idx3-ubyte");
        fs::copy_file(labels, locked / "train-labels-idx1-ubyte");
        fs::permissions(locked, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
        CHECK(message_as_nobody([&] { load_mnist_dir(locked, "train"); }) ==
              (locked / "train-images-idx3-ubyte").string() + ": cannot open (Permission denied)");
        // A data directory inside one its reader may not enter.
        CHECK(message_as_nobody([&] { load_mnist_dir(locked / "mnist", "train"); }) ==
              (locked / "mnist").string() + ": cannot open (Permission denied)");
        // A labels file its reader may not read.
        fs::permissions(labels, fs::perms::owner_read | fs::perms::owner_write);
        CHECK(message_as_nobody([&] { load_mnist_dir(dir.path, "train"); }) ==
              labels + ": cannot open (Permission denied)");
    }
}

TEST_CASE("default_mnist_dir: $XGRAD_DATA, else data/mnist") {
    SUBCASE("unset") {
        const EnvVar env("XGRAD_DATA", nullptr);
        CHECK(default_mnist_dir() == fs::path("data/mnist"));
    }
    SUBCASE("empty") {
        const EnvVar env("XGRAD_DATA", "");
        CHECK(default_mnist_dir() == fs::path("data/mnist"));
    }
    SUBCASE("set") {
        const EnvVar env("XGRAD_DATA", "/srv/digits");
        CHECK(default_mnist_dir() == fs::path("/srv/digits"));
    }
}

TEST_CASE("Debian's Fashion-MNIST loads (package dataset-fashion-mnist)") {
    const fs::path dir = "/usr/share/datasets/fashion-mnist";
    if (!fs::exists(dir / "train-images-idx3-ubyte.gz")) {
        MESSAGE("skipped: " << dir.string()
                            << " not found (apt-get install dataset-fashion-mnist to run this test)");
        return;
    }
    const Dataset train = load_mnist_dir(dir, "train");
    const Dataset test = load_mnist_dir(dir, "test");
    CHECK(train.size() == 60000);
    CHECK(test.size() == 10000);
    CHECK(train.rows == 28);
    CHECK(train.cols == 28);
    CHECK(train.images.shape() == Shape{60000, 784});
    CHECK(train.labels[0] == 9);  // the first training image is an ankle boot
    std::array<std::size_t, 10> per_class{};
    for (std::size_t label : test.labels) ++per_class[label];
    for (std::size_t count : per_class) CHECK(count == 1000);
    CHECK(xt::amin(train.images)() == 0.0f);
    CHECK(xt::amax(train.images)() == 1.0f);
}
