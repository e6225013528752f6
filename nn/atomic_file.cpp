// atomic_file.cpp — temporary file "<path>.tmp-<pid>" next to the target, every
// byte written and fsync'ed, rename() over the target, then fsync of the directory
// so that the rename itself survives a power cut.
#include "atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace xgrad::nn {

namespace fs = std::filesystem;

namespace {

// write() until every byte is out (write may write less than asked, or be
// interrupted by a signal). 0 on success, else the errno value.
int write_all(int fd, std::string_view bytes) {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t k = ::write(fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return errno;
        p += k;
        left -= static_cast<std::size_t>(k);
    }
    return 0;
}

// Write `pieces` to a new file `tmp`, fsync and close it. 0 on success, else the errno value.
int write_temporary(const std::string& tmp, std::span<const std::string_view> pieces) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int err = 0;
    for (std::size_t i = 0; i < pieces.size() && err == 0; ++i) err = write_all(fd, pieces[i]);
    if (err == 0 && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    return err;
}

// fsync the directory holding `path`, so that a rename in it is on disk (best effort).
void sync_directory(const fs::path& path) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace

void write_file_atomically(const fs::path& path, std::span<const std::string_view> pieces, const std::string& prefix) {
    const std::string tmp = path.string() + ".tmp-" + std::to_string(::getpid());
    int err = write_temporary(tmp, pieces);
    if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
    if (err != 0) {
        ::unlink(tmp.c_str());  // the previous file at path was never touched
        throw std::runtime_error(prefix + "cannot write (" + std::strerror(err) + ")");
    }
    sync_directory(path);
    remove_stale_temporaries(path);  // what a killed earlier run left behind
}

void write_file_atomically(const fs::path& path, std::span<const std::string_view> pieces) {
    write_file_atomically(path, pieces, path.string() + ": ");
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
    write_file_atomically(path, std::span<const std::string_view>(&bytes, 1));
}

void remove_stale_temporaries(const fs::path& path) noexcept {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const std::string prefix = path.filename().string() + ".tmp-";
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.size() > prefix.size() + 9 || name.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
        // kill(pid, 0) sends nothing; it fails with ESRCH when no process has that pid.
        if (::kill(static_cast<pid_t>(std::stol(digits)), 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

}  // namespace xgrad::nn
