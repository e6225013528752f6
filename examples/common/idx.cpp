// idx.cpp — reading and writing IDX files (plain or gzip) and loading an
// MNIST-style directory. The reader trusts nothing in a file: it checks the header
// field by field, and reads the elements in bounded chunks, so a header that lies
// about the size never makes it allocate more than the file really holds.
#include "examples/common/idx.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string_view>

#include "nn/atomic_file.hpp"
#include "nn/regular_file.hpp"

namespace xgrad::data {
namespace fs = std::filesystem;

namespace {

constexpr std::uint8_t type_ubyte = 0x08;
constexpr std::size_t chunk_bytes = std::size_t{1} << 20;  // read 1 MiB at a time

[[noreturn]] void fail(const fs::path& path, const std::string& problem) {
    throw std::runtime_error(path.string() + ": " + problem);
}

std::string hex(std::uint32_t value, int digits) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%0*X", digits, value);
    return text;
}

std::string bytes_str(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// The element types the IDX format defines; only unsigned byte is read here.
const char* type_name(std::uint8_t type) {
    switch (type) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "int16";
        case 0x0C: return "int32";
        case 0x0D: return "float32";
        case 0x0E: return "float64";
        default: return "unknown";
    }
}

// The bytes of a file in order, gunzipped on the fly when the file starts with
// the gzip magic 1f 8b. read() returns fewer bytes than asked only at the end.
class ByteStream {
public:
    explicit ByteStream(const fs::path& path) : path_(path) {
        const int fd = nn::open_regular_file(path, file_size_);  // a FIFO is refused at once, never waited on
        std::uint8_t head[2] = {0, 0};
        const ssize_t got = ::pread(fd, head, 2, 0);  // a peek: the position stays at 0
        if (got == 2 && head[0] == 0x1f && head[1] == 0x8b) {
            gz_ = gzdopen(fd, "rb");  // from now on zlib owns fd and closes it
            if (!gz_) {
                ::close(fd);
                fail(path, "cannot open (out of memory for zlib)");
            }
        } else {
            file_ = ::fdopen(fd, "rb");
            if (!file_) {
                const int error = errno;
                ::close(fd);
                fail(path, std::string("cannot open (") + std::strerror(error) + ")");
            }
        }
    }
    ~ByteStream() {
        if (file_) std::fclose(file_);
        if (gz_) gzclose(gz_);
    }
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;

    bool gzipped() const { return gz_ != nullptr; }
    std::uint64_t file_size() const { return file_size_; }  // on disk (compressed, for gzip)

    std::size_t read(std::uint8_t* dst, std::size_t n) {
        if (file_) {
            const std::size_t got = std::fread(dst, 1, n, file_);
            if (got < n && std::ferror(file_)) fail(path_, std::string("read error (") + std::strerror(errno) + ")");
            return got;
        }
        std::size_t total = 0;
        while (total < n) {
            const unsigned ask = static_cast<unsigned>(std::min<std::size_t>(n - total, INT_MAX));
            const int got = gzread(gz_, dst + total, ask);
            check_gzip();
            if (got <= 0) break;
            total += static_cast<std::size_t>(got);
        }
        return total;
    }

    // Read and count what is left, up to `limit` bytes (in chunks: nothing is kept).
    // Returns limit + 1 when there is more: a small gzip file can unpack to gigabytes.
    std::uint64_t skip_rest(std::uint64_t limit) {
        std::vector<std::uint8_t> buffer(chunk_bytes);
        std::uint64_t total = 0;
        while (total <= limit) {
            const std::size_t got = read(buffer.data(), buffer.size());
            if (got == 0) break;
            total += got;
        }
        return std::min(total, limit + 1);
    }

private:
    // zlib reports a cut-off stream as Z_BUF_ERROR and damaged data (bad block,
    // CRC or length mismatch) as Z_DATA_ERROR.
    void check_gzip() {
        int code = Z_OK;
        std::string message = gzerror(gz_, &code);
        if (code == Z_OK) return;
        // zlib starts its message with the file's name, "<fd:3>" for an open descriptor: drop it.
        if (const auto colon = message.find(": "); message.rfind("<fd:", 0) == 0 && colon != std::string::npos)
            message.erase(0, colon + 2);
        const std::string zlib = " (zlib: " + message + ")";
        if (code == Z_BUF_ERROR) fail(path_, "truncated gzip data" + zlib);
        if (code == Z_ERRNO) fail(path_, std::string("read error (") + std::strerror(errno) + ")");
        fail(path_, "corrupt gzip data" + zlib);
    }

    fs::path path_;
    std::uint64_t file_size_ = 0;
    std::FILE* file_ = nullptr;
    gzFile gz_ = nullptr;
};

std::uint32_t big_endian_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

void put_big_endian_u32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

std::string dims_str(const std::vector<std::size_t>& dims, const char* separator) {
    std::string s;
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? separator : "") + std::to_string(dims[i]);
    return s;
}

// An IDX file opened and its header read and checked; the elements are read
// only when asked (read_elements). load_mnist_dir looks at both headers before
// it reads either file's elements.
class IdxFile {
public:
    explicit IdxFile(const fs::path& path) : path_(path), in_(path) {
        what_ = in_.gzipped() ? "gunzipped data" : "file";

        // Magic: two zero bytes, the element type, the rank.
        std::uint8_t magic[4];
        const std::size_t got_magic = in_.read(magic, 4);
        if (got_magic == 0) fail(path, in_.gzipped() ? "gunzipped data is empty" : "empty file");
        if (got_magic < 4) fail(path, what_ + " is " + bytes_str(got_magic) + ", too short for the 4-byte IDX magic");
        if (magic[0] != 0 || magic[1] != 0)
            fail(path, "bad magic " + hex(big_endian_u32(magic), 8) + ": not an IDX file (its first two bytes must be 0)");
        if (magic[2] != type_ubyte)
            fail(path, "element type " + hex(magic[2], 2) + " (" + type_name(magic[2]) +
                           ") is not supported, only 0x08 (unsigned byte)");
        const std::size_t rank = magic[3];
        if (rank == 0) fail(path, "rank 0: an IDX file needs at least one dimension");

        // The dimensions: `rank` big-endian 32-bit counts.
        header_bytes_ = 4 + 4 * rank;
        std::vector<std::uint8_t> dim_bytes(4 * rank);
        const std::size_t got_dims = in_.read(dim_bytes.data(), dim_bytes.size());
        if (got_dims < dim_bytes.size())
            fail(path, what_ + " is " + bytes_str(4 + got_dims) + ", too short for the " +
                           std::to_string(header_bytes_) + "-byte header of a rank-" + std::to_string(rank) +
                           " IDX file");
        for (std::size_t i = 0; i < rank; ++i) dims_.push_back(big_endian_u32(&dim_bytes[4 * i]));

        // Element count = product of the dimensions (0 if any is 0), checked for
        // overflow and against the size limit before anything is allocated.
        if (std::find(dims_.begin(), dims_.end(), 0) == dims_.end()) {
            count_ = 1;
            for (std::size_t d : dims_)
                if (__builtin_mul_overflow(count_, std::uint64_t{d}, &count_))
                    fail(path, "dimensions " + dims_str(dims_, " x ") + ": the element count overflows 64 bits");
        }
        expected_ = header_bytes_ + count_;
        if (expected_ > max_idx_bytes)
            fail(path, "header says " + std::to_string(expected_) + " bytes, over this reader's limit of " +
                           std::to_string(max_idx_bytes));
        // A plain file's size is known: the header must describe it exactly.
        if (!in_.gzipped() && in_.file_size() != expected_)
            fail(path, "file is " + bytes_str(in_.file_size()) + ", header says " + std::to_string(expected_));
    }

    const std::vector<std::size_t>& dims() const { return dims_; }

    // The elements, chunk by chunk: the buffer grows only as data really arrives,
    // and never past what the header claims (checked above against the size limit).
    IdxArray read_elements() {
        IdxArray out;
        out.dims = dims_;
        std::uint64_t have = 0;
        while (have < count_) {
            const std::size_t ask = static_cast<std::size_t>(std::min<std::uint64_t>(count_ - have, chunk_bytes));
            out.data.resize(static_cast<std::size_t>(have) + ask);
            const std::size_t got = in_.read(out.data.data() + have, ask);
            have += got;
            if (got < ask) break;
        }
        out.data.resize(static_cast<std::size_t>(have));
        // Anything after the elements is an error; count at most 1 MiB of it.
        const std::uint64_t rest = in_.skip_rest(chunk_bytes);
        if (rest > chunk_bytes)
            fail(path_, what_ + " is over " + bytes_str(header_bytes_ + have + chunk_bytes) + ", header says " +
                            std::to_string(expected_));
        const std::uint64_t actual = header_bytes_ + have + rest;
        if (actual != expected_)
            fail(path_, what_ + " is " + bytes_str(actual) + ", header says " + std::to_string(expected_));
        return out;
    }

private:
    fs::path path_;
    ByteStream in_;
    std::string what_;  // "file", or "gunzipped data" in messages
    std::vector<std::size_t> dims_;
    std::uint64_t header_bytes_ = 0, count_ = 0, expected_ = 0;
};

}  // namespace

IdxArray read_idx(const fs::path& path) { return IdxFile(path).read_elements(); }

namespace {

// `pieces` one after the other, gzip-compressed in memory (zlib's deflate with a
// gzip header), so that a .gz file too is written in one atomic write.
std::string gzip(std::span<const std::string_view> pieces, const fs::path& path) {
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        fail(path, "cannot compress (zlib: out of memory)");
    std::string out;
    std::vector<char> buffer(chunk_bytes);
    // Feed the input in chunks that fit zlib's 32-bit counts; collect what comes out.
    auto deflate_some = [&](const char* data, std::size_t n, int flush) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        z.avail_in = static_cast<uInt>(n);
        int code;
        do {
            z.next_out = reinterpret_cast<Bytef*>(buffer.data());
            z.avail_out = static_cast<uInt>(buffer.size());
            code = deflate(&z, flush);
            out.append(buffer.data(), buffer.size() - z.avail_out);
        } while (code != Z_STREAM_ERROR && (z.avail_out == 0 || (flush == Z_FINISH && code != Z_STREAM_END)));
    };
    for (std::string_view piece : pieces)
        for (std::size_t at = 0; at < piece.size(); at += chunk_bytes)
            deflate_some(piece.data() + at, std::min(chunk_bytes, piece.size() - at), Z_NO_FLUSH);
    deflate_some(nullptr, 0, Z_FINISH);
    deflateEnd(&z);
    return out;
}

}  // namespace

void write_idx(const fs::path& path, const IdxArray& array) {
    const std::size_t rank = array.dims.size();
    if (rank < 1 || rank > 255)
        throw std::invalid_argument("write_idx: an IDX file has 1 to 255 dimensions, got " + std::to_string(rank));
    std::uint64_t count = 1;
    bool overflow = false;
    for (std::size_t d : array.dims) {
        if (d > UINT32_MAX)
            throw std::invalid_argument("write_idx: dimension " + std::to_string(d) + " does not fit in 32 bits");
        overflow = __builtin_mul_overflow(count, std::uint64_t{d}, &count) || overflow;
    }
    if (overflow || count != array.data.size())
        throw std::invalid_argument("write_idx: dims (" + dims_str(array.dims, ", ") + ") hold " +
                                    std::to_string(count) + " elements but data has " +
                                    std::to_string(array.data.size()) + " bytes");

    std::vector<std::uint8_t> header(4 + 4 * rank);
    header[2] = type_ubyte;
    header[3] = static_cast<std::uint8_t>(rank);
    for (std::size_t i = 0; i < rank; ++i) put_big_endian_u32(&header[4 + 4 * i], static_cast<std::uint32_t>(array.dims[i]));

    // One atomic write (nn/atomic_file.hpp): a reader never sees half a file.
    const std::string_view pieces[] = {{reinterpret_cast<const char*>(header.data()), header.size()},
                                       {reinterpret_cast<const char*>(array.data.data()), array.data.size()}};
    if (path.extension() == ".gz")
        nn::write_file_atomically(path, gzip(pieces, path));
    else
        nn::write_file_atomically(path, pieces);
}

namespace {

// The first of the spellings of one MNIST file that exists, e.g. for
// ("train", "images", "idx3"): train-images-idx3-ubyte, train-images.idx3-ubyte, each also .gz.
// A name that is there but cannot be looked at (a directory without search
// permission) is reported with its reason, not skipped as if it were missing.
fs::path find_mnist_file(const fs::path& dir, const std::string& prefix, const std::string& kind, const std::string& idx) {
    const std::string names[] = {prefix + "-" + kind + "-" + idx + "-ubyte", prefix + "-" + kind + "." + idx + "-ubyte"};
    std::string tried;
    for (const std::string& name : names)
        for (const char* suffix : {"", ".gz"}) {
            const fs::path candidate = dir / (name + suffix);
            std::error_code ec;
            const fs::file_status status = fs::status(candidate, ec);
            if (ec && ec != std::errc::no_such_file_or_directory)
                fail(candidate, "cannot open (" + ec.message() + ")");
            if (fs::exists(status)) return candidate;  // read_idx refuses it if it is not a regular file
            tried += (tried.empty() ? "" : ", ") + name + suffix;
        }
    fail(dir, "no " + prefix + " " + kind + " file (looked for " + tried + "); fetch MNIST with examples/fetch_mnist.sh");
}

// The first line of dir/SOURCE.txt (at most 200 characters), or "" if there is none.
std::string source_note(const fs::path& dir) {
    const fs::path path = dir / "SOURCE.txt";
    std::error_code ec;
    if (!fs::exists(fs::status(path, ec))) return "";
    std::uint64_t size = 0;
    const int fd = nn::open_regular_file(path, size);  // a FIFO here must not block the program
    char text[256];
    const ssize_t got = ::read(fd, text, sizeof text);  // the first line is all we keep
    ::close(fd);
    std::string line(text, got > 0 ? static_cast<std::size_t>(got) : 0);
    line = line.substr(0, line.find('\n'));
    if (line.size() > 200) line = line.substr(0, 200) + "...";
    return line;
}

// The error of a directory that is not there or cannot be used, or "" if it is fine.
std::string directory_problem(const fs::path& dir) {
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (ec == std::errc::no_such_file_or_directory || (!ec && !fs::exists(status)))
        return "no such directory; fetch MNIST with examples/fetch_mnist.sh, or give the directory that holds it";
    if (ec) return "cannot open (" + ec.message() + ")";
    if (!fs::is_directory(status)) return "not a directory; give the directory that holds the MNIST files";
    return "";
}

}  // namespace

Dataset load_mnist_dir(const fs::path& dir, const std::string& split, ImageSize image_size) {
    if (split != "train" && split != "test")
        throw std::invalid_argument("load_mnist_dir: split must be \"train\" or \"test\", got \"" + split + "\"");
    if (const std::string problem = directory_problem(dir); !problem.empty()) fail(dir, problem);
    const std::string prefix = split == "train" ? "train" : "t10k";
    const fs::path images_path = find_mnist_file(dir, prefix, "images", "idx3");
    const fs::path labels_path = find_mnist_file(dir, prefix, "labels", "idx1");

    // Both headers first, checked against each other and the image size before a
    // byte of data is read (or, for a .gz file, unpacked): a small file whose header
    // claims a billion labels is refused without allocating room for them.
    // MNIST's magic numbers: 0x00000803 = unsigned bytes, rank 3; 0x00000801 = rank 1.
    // IdxFile has checked the element type, so only the rank can still differ.
    IdxFile labels_file(labels_path);
    if (labels_file.dims().size() != 1)
        fail(labels_path, "bad magic " + hex(0x800u + static_cast<std::uint32_t>(labels_file.dims().size()), 8) +
                              ", expected 0x00000801 (labels)");
    IdxFile images_file(images_path);
    const std::vector<std::size_t>& dims = images_file.dims();
    if (dims.size() != 3)
        fail(images_path, "bad magic " + hex(0x800u + static_cast<std::uint32_t>(dims.size()), 8) +
                              ", expected 0x00000803 (images)");
    const std::size_t n = dims[0], rows = dims[1], cols = dims[2];
    if (n == 0 || rows == 0 || cols == 0) fail(images_path, "no pixels: dimensions (" + dims_str(dims, ", ") + ")");
    if (labels_file.dims()[0] != n)
        fail(labels_path, std::to_string(n) + " images but " + std::to_string(labels_file.dims()[0]) + " labels");
    if (image_size.rows != 0 && (rows != image_size.rows || cols != image_size.cols))
        fail(images_path, "images are " + std::to_string(rows) + " x " + std::to_string(cols) +
                              " pixels; the models read " + std::to_string(image_size.rows) + " x " +
                              std::to_string(image_size.cols));

    // Then the data: the labels (one byte per image), then the pixels.
    const IdxArray labels = labels_file.read_elements();
    for (std::size_t i = 0; i < labels.data.size(); ++i)
        if (labels.data[i] > 9)
            fail(labels_path, "label " + std::to_string(labels.data[i]) + " at index " + std::to_string(i) +
                                  " out of range 0..9");
    const IdxArray images = images_file.read_elements();

    Dataset out;
    out.rows = rows;
    out.cols = cols;
    out.labels.assign(labels.data.begin(), labels.data.end());
    // pixel = byte / 255, over the flat (N, rows * cols) buffer
    out.images = Array::from_shape({n, rows * cols});
    const std::uint8_t* src = images.data.data();
    float* dst = out.images.data();
    for (std::size_t i = 0; i < images.data.size(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;

    out.source = images_path.string() + " + " + labels_path.filename().string();
    if (const std::string note = source_note(dir); !note.empty()) out.source += " (" + note + ")";
    return out;
}

fs::path default_mnist_dir() {
    const char* env = std::getenv("XGRAD_DATA");
    return (env && *env) ? fs::path(env) : fs::path("data") / "mnist";
}

}  // namespace xgrad::data
