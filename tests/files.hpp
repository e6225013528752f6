// files.hpp — helpers for the tests that work with files and programs: a fresh
// directory per test case, whole files read and written byte for byte, a file-size
// limit that makes writes fail like a full disk, an environment variable set for
// one scope, and a shell command's output and exit status.
#pragma once

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::testing {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

// A fresh, empty directory for one test case (one per test process: xgrad_test_<pid>
// in the system's temporary directory), removed with everything in it afterwards.
// `dir / "name"` is the path of a file inside it, as a string ("cannot open " + dir / "x").
struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("xgrad_test_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// A whole file, byte for byte, as a string ("" if it cannot be read), and the other way.
inline std::string read_file(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream s;
    s << file.rdbuf();
    return s.str();
}
inline void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// The same, as a vector of unsigned bytes.
inline Bytes read_bytes(const fs::path& path) {
    const std::string s = read_file(path);
    return Bytes(s.begin(), s.end());
}
inline void write_bytes(const fs::path& path, const Bytes& bytes) {
    write_file(path, std::string(bytes.begin(), bytes.end()));
}

// How many entries a directory holds (to see that no temporary file was left behind).
inline std::size_t files_in(const fs::path& dir) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// While it lives, no file this process writes can grow past `bytes`: a write past
// the limit fails with EFBIG, as on a full disk (the tests run as root, so
// permissions could not make a write fail). SIGXFSZ is ignored meanwhile, so the
// process gets the error instead of being killed. Check nothing while it lives:
// doctest's own output may go to a file too.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit_) == 0);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old_limit_;
        small.rlim_cur = bytes;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &old_limit_);
        std::signal(SIGXFSZ, old_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit old_limit_{};
    void (*old_handler_)(int) = nullptr;
};

// Set (or, with nullptr, unset) an environment variable for one scope; its old
// value (or its absence) comes back afterwards.
class EnvVar {
public:
    EnvVar(const char* name, const char* value) : name_(name) {
        const char* old = std::getenv(name);
        had_ = old != nullptr;
        if (had_) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~EnvVar() {
        if (had_) ::setenv(name_.c_str(), old_.c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    std::string name_, old_;
    bool had_ = false;
};

// Run a shell command: what it prints on standard output (add "2>&1" to the command
// for standard error too) and its exit status (-1 if it did not exit normally).
inline std::pair<std::string, int> run_shell(const std::string& command) {
    std::FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = ::pclose(pipe);
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace xgrad::testing
