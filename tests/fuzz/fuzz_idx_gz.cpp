// fuzz_idx_gz.cpp — libFuzzer target for the IDX reader's gzip path
// (examples/common/idx.hpp). The input is the *uncompressed* content: it is
// gzip-compressed into a file, so the fuzzer explores IDX headers and sizes as
// they come out of zlib; the same stream cut 5 bytes short (inside the CRC and
// length trailer, or the data for tiny inputs) checks the truncation path.
// Allowed outcomes: a result or std::runtime_error.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>

#include "examples/common/idx.hpp"
#include "fuzz_file.hpp"

namespace {

using namespace xgrad;

void expect_only_runtime_errors(auto&& call) {
    try {
        call();
    } catch (const std::runtime_error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchDir scratch("idx-gz");
    const std::filesystem::path whole = scratch.path() / "input.idx.gz", cut = scratch.path() / "cut.idx.gz";

    gzFile gz = gzopen(whole.c_str(), "wb");
    if (!gz) return 0;
    if (size > 0) gzwrite(gz, data, static_cast<unsigned>(size));
    gzclose(gz);
    expect_only_runtime_errors([&] { data::read_idx(whole); });

    const auto bytes = std::filesystem::file_size(whole);
    std::filesystem::copy_file(whole, cut, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(cut, bytes - 5);  // gzip is >= 18 bytes: the 10-byte header stays
    expect_only_runtime_errors([&] { data::read_idx(cut); });
    return 0;
}
