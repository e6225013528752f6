// fuzz_file.hpp — the fuzz targets' scratch files. The readers under test take a
// path, so each input is written to a file first: in /dev/shm when there is one
// (memory, fast), else the system's temporary directory; one name per process,
// removed when the process ends.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace xgrad::fuzz {

// A directory of this process's own ("<tmp>/xgrad-fuzz-<name>-<pid>"), created
// on construction and removed with everything in it on destruction.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& name) {
        std::error_code ec;
        const std::filesystem::path shm = "/dev/shm";
        const std::filesystem::path base =
            std::filesystem::is_directory(shm, ec) ? shm : std::filesystem::temp_directory_path();
        path_ = base / ("xgrad-fuzz-" + name + "-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Replace the file at `path` with the `size` bytes at `data`.
inline void write_bytes(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace xgrad::fuzz
