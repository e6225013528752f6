// idx.cpp — reading and writing IDX files (plain or gzip) and loading an
// MNIST-style directory. The reader trusts nothing in a file: it checks the header
// field by field, and reads the elements in bounded chunks, so a header that lies
// about the size never makes it allocate more than the file really holds.
#include "examples/common/idx.hpp"

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
        std::error_code ec;
        if (fs::is_directory(path, ec)) fail(path, "is a directory, not a file");
        file_ = std::fopen(path.c_str(), "rb");
        if (!file_) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
        std::uint8_t head[2] = {0, 0};
        const std::size_t got = std::fread(head, 1, 2, file_);
        if (got == 2 && head[0] == 0x1f && head[1] == 0x8b) {
            std::fclose(file_);
            file_ = nullptr;
            gz_ = gzopen(path.c_str(), "rb");
            if (!gz_) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
        } else {
            std::rewind(file_);
        }
    }
    ~ByteStream() {
        if (file_) std::fclose(file_);
        if (gz_) gzclose(gz_);
    }
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;

    bool gzipped() const { return gz_ != nullptr; }

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

    // Read and count everything that is left (in chunks: nothing is kept).
    std::uint64_t skip_rest() {
        std::vector<std::uint8_t> buffer(chunk_bytes);
        std::uint64_t total = 0;
        for (std::size_t got; (got = read(buffer.data(), buffer.size())) > 0;) total += got;
        return total;
    }

private:
    // zlib reports a cut-off stream as Z_BUF_ERROR and damaged data (bad block,
    // CRC or length mismatch) as Z_DATA_ERROR.
    void check_gzip() {
        int code = Z_OK;
        std::string message = gzerror(gz_, &code);
        if (code == Z_OK) return;
        const std::string prefix = path_.string() + ": ";  // zlib starts its message with the path too
        if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
        const std::string zlib = " (zlib: " + message + ")";
        if (code == Z_BUF_ERROR) fail(path_, "truncated gzip data" + zlib);
        if (code == Z_ERRNO) fail(path_, std::string("read error (") + std::strerror(errno) + ")");
        fail(path_, "corrupt gzip data" + zlib);
    }

    fs::path path_;
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

}  // namespace

IdxArray read_idx(const fs::path& path) {
    ByteStream in(path);
    const std::string what = in.gzipped() ? "gunzipped data" : "file";

    // Magic: two zero bytes, the element type, the rank.
    std::uint8_t magic[4];
    const std::size_t got_magic = in.read(magic, 4);
    if (got_magic == 0) fail(path, in.gzipped() ? "gunzipped data is empty" : "empty file");
    if (got_magic < 4) fail(path, what + " is " + bytes_str(got_magic) + ", too short for the 4-byte IDX magic");
    if (magic[0] != 0 || magic[1] != 0)
        fail(path, "bad magic " + hex(big_endian_u32(magic), 8) + ": not an IDX file (its first two bytes must be 0)");
    if (magic[2] != type_ubyte)
        fail(path, "element type " + hex(magic[2], 2) + " (" + type_name(magic[2]) +
                       ") is not supported, only 0x08 (unsigned byte)");
    const std::size_t rank = magic[3];
    if (rank == 0) fail(path, "rank 0: an IDX file needs at least one dimension");

    // The dimensions: `rank` big-endian 32-bit counts.
    const std::size_t header_bytes = 4 + 4 * rank;
    std::vector<std::uint8_t> dim_bytes(4 * rank);
    const std::size_t got_dims = in.read(dim_bytes.data(), dim_bytes.size());
    if (got_dims < dim_bytes.size())
        fail(path, what + " is " + bytes_str(4 + got_dims) + ", too short for the " + std::to_string(header_bytes) +
                       "-byte header of a rank-" + std::to_string(rank) + " IDX file");
    IdxArray out;
    for (std::size_t i = 0; i < rank; ++i) out.dims.push_back(big_endian_u32(&dim_bytes[4 * i]));

    // Element count = product of the dimensions (0 if any is 0), checked for
    // overflow and against the size limit before anything is allocated.
    std::uint64_t count = 0;
    if (std::find(out.dims.begin(), out.dims.end(), 0) == out.dims.end()) {
        count = 1;
        for (std::size_t d : out.dims)
            if (__builtin_mul_overflow(count, std::uint64_t{d}, &count))
                fail(path, "dimensions " + dims_str(out.dims, " x ") + ": the element count overflows 64 bits");
    }
    const std::uint64_t expected = header_bytes + count;
    if (expected > max_idx_bytes)
        fail(path, "header says " + std::to_string(expected) + " bytes, over this reader's limit of " +
                       std::to_string(max_idx_bytes));

    // The elements, chunk by chunk: the buffer grows only as data really arrives.
    std::uint64_t have = 0;
    while (have < count) {
        const std::size_t ask = static_cast<std::size_t>(std::min<std::uint64_t>(count - have, chunk_bytes));
        out.data.resize(static_cast<std::size_t>(have) + ask);
        const std::size_t got = in.read(out.data.data() + have, ask);
        have += got;
        if (got < ask) break;
    }
    out.data.resize(static_cast<std::size_t>(have));
    const std::uint64_t actual = header_bytes + have + in.skip_rest();
    if (actual != expected) fail(path, what + " is " + bytes_str(actual) + ", header says " + std::to_string(expected));
    return out;
}

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

// The first existing file among the spellings of one MNIST file, e.g. for
// ("train", "images", "idx3"): train-images-idx3-ubyte, train-images.idx3-ubyte, each also .gz.
fs::path find_mnist_file(const fs::path& dir, const std::string& prefix, const std::string& kind, const std::string& idx) {
    const std::string names[] = {prefix + "-" + kind + "-" + idx + "-ubyte", prefix + "-" + kind + "." + idx + "-ubyte"};
    std::string tried;
    for (const std::string& name : names)
        for (const char* suffix : {"", ".gz"}) {
            const fs::path candidate = dir / (name + suffix);
            std::error_code ec;
            if (fs::is_regular_file(candidate, ec)) return candidate;
            tried += (tried.empty() ? "" : ", ") + name + suffix;
        }
    fail(dir, "no " + prefix + " " + kind + " file (looked for " + tried + "); fetch MNIST with examples/fetch_mnist.sh");
}

// The first line of dir/SOURCE.txt (at most 200 characters), or "" if there is none.
std::string source_note(const fs::path& dir) {
    std::ifstream file(dir / "SOURCE.txt");
    std::string line;
    if (!file || !std::getline(file, line)) return "";
    if (line.size() > 200) line = line.substr(0, 200) + "...";
    return line;
}

}  // namespace

Dataset load_mnist_dir(const fs::path& dir, const std::string& split) {
    if (split != "train" && split != "test")
        throw std::invalid_argument("load_mnist_dir: split must be \"train\" or \"test\", got \"" + split + "\"");
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        fail(dir, "no such directory; fetch MNIST with examples/fetch_mnist.sh, or give the directory that holds it");
    const std::string prefix = split == "train" ? "train" : "t10k";
    const fs::path images_path = find_mnist_file(dir, prefix, "images", "idx3");
    const fs::path labels_path = find_mnist_file(dir, prefix, "labels", "idx1");

    // MNIST's magic numbers: 0x00000803 = unsigned bytes, rank 3; 0x00000801 = rank 1.
    // read_idx has checked the element type, so only the rank can still differ.
    const IdxArray images = read_idx(images_path);
    if (images.dims.size() != 3)
        fail(images_path, "bad magic " + hex(0x800u + static_cast<std::uint32_t>(images.dims.size()), 8) +
                              ", expected 0x00000803 (images)");
    const IdxArray labels = read_idx(labels_path);
    if (labels.dims.size() != 1)
        fail(labels_path, "bad magic " + hex(0x800u + static_cast<std::uint32_t>(labels.dims.size()), 8) +
                              ", expected 0x00000801 (labels)");

    const std::size_t n = images.dims[0], rows = images.dims[1], cols = images.dims[2];
    if (n == 0 || rows == 0 || cols == 0)
        fail(images_path, "no pixels: dimensions (" + dims_str(images.dims, ", ") + ")");
    if (labels.dims[0] != n)
        fail(labels_path, std::to_string(n) + " images but " + std::to_string(labels.dims[0]) + " labels");
    for (std::size_t i = 0; i < n; ++i)
        if (labels.data[i] > 9)
            fail(labels_path, "label " + std::to_string(labels.data[i]) + " at index " + std::to_string(i) +
                                  " out of range 0..9");

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
