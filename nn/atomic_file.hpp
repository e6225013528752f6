// atomic_file.hpp — write a whole file so that it appears complete or not at all.
// Every file the project writes goes through here: checkpoints, PNG grids, CSV
// logs, JSON reports and IDX data files. A crash, a kill -9 or a full disk never
// leaves half a file where the previous one was.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace xgrad::nn {

// Replace `path` with the concatenation of `pieces` (several pieces let a caller
// write a header and large data blocks without first copying them into one
// buffer). The bytes go to "<path>.tmp-<pid>" in the same directory, are fsync'ed,
// then the temporary file is renamed over `path`; rename within one directory is
// atomic, so a reader sees the old file or the new one, never a mix.
// On failure: std::runtime_error "<prefix>cannot write (<reason>)", the temporary
// file removed and the previous file at `path`, if any, left as it was. `prefix`
// defaults to "<path>: ".
void write_file_atomically(const std::filesystem::path& path, std::span<const std::string_view> pieces,
                           const std::string& prefix);
void write_file_atomically(const std::filesystem::path& path, std::span<const std::string_view> pieces);
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// A process killed in the middle of an atomic write (kill -9, a crash) leaves its
// "<path>.tmp-<pid>" behind. This removes the ones next to `path` whose process no
// longer runs; a running process's file may be a write in progress and is left
// alone. write_file_atomically calls it after each successful write. Never throws.
void remove_stale_temporaries(const std::filesystem::path& path) noexcept;

}  // namespace xgrad::nn
