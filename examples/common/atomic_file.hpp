// atomic_file.hpp — write a whole file so that it appears complete or not at all
// (temporary file in the same directory, fsync, rename): a crash or a full disk
// never leaves half a PNG or half a CSV where the previous file was.
#pragma once

#include <filesystem>
#include <string_view>

namespace xgrad::examples {

// Replace `path` with `bytes`. std::runtime_error "<path>: cannot write (<reason>)"
// when it fails; the previous file at `path`, if any, is then left as it was.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace xgrad::examples
